package dynamodbfake

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/streamcheck/streamcheck/emulator/dynamodbfake/internal/expr"
	"github.com/streamcheck/streamcheck/emulator/internal/framelog"
)

// The data log is one append-only file of frames: a 4-byte big-endian body
// length, the body's CRC-32C, then the body, whose first byte is its kind.
// A frame is written under the lock of the tables it changes (so the log
// holds each item's writes in the order they were applied) and fsynced
// before the request that made it is answered; concurrent writers share
// fsyncs (group commit). On load a frame that is short or fails its checksum
// is a torn write from a crash: it and everything after it are cut off, and
// none of it was acknowledged. After replay New rewrites the log as a
// snapshot of the live tables (temp file, fsync, rename, directory fsync),
// so it does not grow across restarts.
const (
	walFile       = "dynamodb.log"
	walKindTable  = 'T' // a table's definition as JSON (tableMeta)
	walKindDrop   = 'X' // a table deleted: its ID
	walKindItems  = 'I' // item writes, applied together
	walOpPut      = 'P'
	walOpDelete   = 'D'
	walSnapChunk  = 1 << 20
	walTempSuffix = ".tmp"
)

func openWAL(dir string, s *Server) (*framelog.Log, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, walFile)
	f, err := os.Open(path)
	switch {
	case err == nil:
		err = replay(f, s)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("replay %s: %w", path, err)
		}
	case !errors.Is(err, os.ErrNotExist):
		return nil, err
	}
	if err := s.writeSnapshot(path); err != nil {
		return nil, fmt.Errorf("rewrite %s: %w", path, err)
	}
	f, err = os.OpenFile(path, os.O_RDWR|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	end, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		f.Close()
		return nil, err
	}
	return framelog.New(f, end), nil
}

// replay applies every whole frame to s; a torn tail is ignored.
func replay(f *os.File, s *Server) error {
	_, err := framelog.Read(f, s.applyFrame)
	return err
}

// writeSnapshot replaces the log at path with frames that rebuild the
// current tables, durably.
func (s *Server) writeSnapshot(path string) error {
	tmp := path + walTempSuffix
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	werr := func() error {
		for _, t := range s.sortedTables() {
			meta, err := json.Marshal(t.meta())
			if err != nil {
				return err
			}
			if _, err := bw.Write(framelog.AppendFrame(nil, append([]byte{walKindTable}, meta...))); err != nil {
				return err
			}
			fr := newItemsFrame()
			for _, p := range t.space.sorted() {
				for _, e := range p.ents {
					fr.put(t, e.item)
					if len(fr.b) >= walSnapChunk {
						if _, err := bw.Write(framelog.AppendFrame(nil, fr.b)); err != nil {
							return err
						}
						fr = newItemsFrame()
					}
				}
			}
			if fr.n > 0 {
				if _, err := bw.Write(framelog.AppendFrame(nil, fr.b)); err != nil {
					return err
				}
			}
		}
		if err := bw.Flush(); err != nil {
			return err
		}
		return f.Sync()
	}()
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(tmp)
		return werr
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	if err := d.Sync(); err != nil {
		d.Close()
		return fmt.Errorf("fsync directory %s: %w", dir, err)
	}
	return d.Close()
}

// itemsFrame collects item writes for one frame: for each, the table's name
// and ID, the operation and the item (or key) as DynamoDB JSON.
type itemsFrame struct {
	b []byte
	n int
}

func newItemsFrame() *itemsFrame { return &itemsFrame{b: append(make([]byte, 0, 256), walKindItems)} }

func (f *itemsFrame) add(t *table, op byte, it expr.Item) {
	b := f.b
	b = binary.BigEndian.AppendUint16(b, uint16(len(t.name)))
	b = append(b, t.name...)
	b = binary.BigEndian.AppendUint16(b, uint16(len(t.id)))
	b = append(b, t.id...)
	b = append(b, op)
	at := len(b)
	b = append(b, 0, 0, 0, 0)
	b = appendItem(b, it)
	binary.BigEndian.PutUint32(b[at:], uint32(len(b)-at-4))
	f.b = b
	f.n++
}

func (f *itemsFrame) put(t *table, it expr.Item) { f.add(t, walOpPut, it) }

func (f *itemsFrame) del(t *table, key expr.Item) { f.add(t, walOpDelete, key) }

// logged is a frame written but not yet known durable.
type logged struct{ off int64 }

// logItems writes f while the caller holds the locks of the tables it
// changes; the caller then calls s.durable with the result after releasing
// them.
func (s *Server) logItems(f *itemsFrame) (logged, error) {
	if s.wal == nil || f == nil || f.n == 0 {
		return logged{}, nil
	}
	off, err := s.wal.Append(f.b)
	return logged{off}, err
}

// durable waits until l is on disk.
func (s *Server) durable(l logged, err error) error {
	if err != nil {
		return newError(codeInternalServerError, "Internal server error (writing the data log: %v)", err)
	}
	if s.wal == nil || l.off == 0 {
		return nil
	}
	if err := s.wal.Sync(l.off); err != nil {
		return newError(codeInternalServerError, "Internal server error (syncing the data log: %v)", err)
	}
	return nil
}

// logTable durably records t's definition. The caller holds t.mu.
func (s *Server) logTable(t *table) error {
	if s.wal == nil {
		return nil
	}
	meta, err := json.Marshal(t.meta())
	if err != nil {
		return err
	}
	return s.durable(s.walWrite(append([]byte{walKindTable}, meta...)))
}

func (s *Server) logDrop(t *table) error {
	if s.wal == nil {
		return nil
	}
	return s.durable(s.walWrite(append([]byte{walKindDrop}, t.id...)))
}

func (s *Server) walWrite(body []byte) (logged, error) {
	off, err := s.wal.Append(body)
	return logged{off}, err
}

// tableMeta is a table's durable definition.
type tableMeta struct {
	Name       string               `json:"name"`
	ID         string               `json:"id"`
	CreatedMs  int64                `json:"created_ms"`
	ActiveMs   int64                `json:"active_ms"`
	AttrDefs   map[string]string    `json:"attr_defs"`
	Key        [2]keyMeta           `json:"key"`
	Billing    string               `json:"billing"`
	BillingMs  int64                `json:"billing_ms,omitempty"`
	RCU        int64                `json:"rcu,omitempty"`
	WCU        int64                `json:"wcu,omitempty"`
	Indexes    []indexMeta          `json:"indexes,omitempty"`
	TTLAttr    string               `json:"ttl_attr,omitempty"`
	TTLEnabled bool                 `json:"ttl_enabled,omitempty"`
	Tags       map[string]string    `json:"tags,omitempty"`
	Protect    bool                 `json:"protect,omitempty"`
	Stream     *streamSpecification `json:"stream,omitempty"`
	Class      string               `json:"class,omitempty"`
}

type keyMeta struct {
	Name string `json:"name,omitempty"`
	Type string `json:"type,omitempty"`
}

type indexMeta struct {
	Name     string     `json:"name"`
	Global   bool       `json:"global,omitempty"`
	Key      [2]keyMeta `json:"key"`
	Proj     string     `json:"proj"`
	NonKey   []string   `json:"non_key,omitempty"`
	RCU      int64      `json:"rcu,omitempty"`
	WCU      int64      `json:"wcu,omitempty"`
	ActiveMs int64      `json:"active_ms,omitempty"`
}

func keyToMeta(k keySchema) [2]keyMeta {
	out := [2]keyMeta{{Name: k.hash.name, Type: k.hash.typ.String()}}
	if k.rng.name != "" {
		out[1] = keyMeta{Name: k.rng.name, Type: k.rng.typ.String()}
	}
	return out
}

func keyFromMeta(m [2]keyMeta) keySchema {
	k := keySchema{hash: keyAttr{m[0].Name, scalarType(m[0].Type)}}
	if m[1].Name != "" {
		k.rng = keyAttr{m[1].Name, scalarType(m[1].Type)}
	}
	return k
}

func scalarType(s string) expr.Type {
	switch s {
	case "S":
		return expr.TypeS
	case "N":
		return expr.TypeN
	case "B":
		return expr.TypeB
	}
	return 0
}

// meta returns t's durable definition. The caller holds t.mu or owns t.
func (t *table) meta() tableMeta {
	m := tableMeta{
		Name: t.name, ID: t.id, CreatedMs: t.created.UnixMilli(), ActiveMs: t.activeAt.UnixMilli(),
		AttrDefs: make(map[string]string, len(t.attrDefs)), Key: keyToMeta(t.key),
		Billing: t.billing, RCU: t.rcu, WCU: t.wcu, TTLAttr: t.ttlAttr, TTLEnabled: t.ttlEnabled,
		Tags: t.tags, Protect: t.protect, Stream: t.streamSpec, Class: t.tableClass,
	}
	if !t.billingAt.IsZero() {
		m.BillingMs = t.billingAt.UnixMilli()
	}
	for n, ty := range t.attrDefs {
		m.AttrDefs[n] = ty.String()
	}
	for _, ix := range t.indexes() {
		m.Indexes = append(m.Indexes, indexMeta{
			Name: ix.name, Global: ix.global, Key: keyToMeta(ix.key), Proj: ix.proj.typ, NonKey: ix.proj.nonKey,
			RCU: ix.rcu, WCU: ix.wcu, ActiveMs: ix.activeAt.UnixMilli(),
		})
	}
	return m
}

// restoreTable builds a table from its definition, keeping the items of the
// same table (same ID) when there is one.
func (s *Server) restoreTable(m tableMeta) {
	t := &table{
		name: m.Name, id: m.ID, created: time.UnixMilli(m.CreatedMs), activeAt: time.UnixMilli(m.ActiveMs),
		attrDefs: make(map[string]expr.Type, len(m.AttrDefs)), key: keyFromMeta(m.Key),
		billing: m.Billing, rcu: m.RCU, wcu: m.WCU, ttlAttr: m.TTLAttr, ttlEnabled: m.TTLEnabled,
		tags: m.Tags, protect: m.Protect, streamSpec: m.Stream, tableClass: m.Class,
		items: make(map[string]*entry),
	}
	if m.BillingMs != 0 {
		t.billingAt = time.UnixMilli(m.BillingMs)
	}
	for n, ty := range m.AttrDefs {
		t.attrDefs[n] = scalarType(ty)
	}
	t.space = newKeyspace(t.key)
	for _, im := range m.Indexes {
		ix := &index{name: im.Name, global: im.Global, key: keyFromMeta(im.Key), proj: projection{typ: im.Proj, nonKey: im.NonKey},
			rcu: im.RCU, wcu: im.WCU, activeAt: time.UnixMilli(im.ActiveMs)}
		ix.space = newKeyspace(ix.key)
		if ix.global {
			t.gsis = append(t.gsis, ix)
		} else {
			t.lsis = append(t.lsis, ix)
		}
	}
	if old := s.tables[m.Name]; old != nil && old.id == m.ID {
		for _, p := range old.space.sorted() {
			for _, e := range p.ents {
				t.put(e.pk, e.item)
			}
		}
	}
	s.tables[m.Name] = t
}

// applyFrame replays one frame into s.
func (s *Server) applyFrame(body []byte) error {
	switch body[0] {
	case walKindTable:
		var m tableMeta
		if err := json.Unmarshal(body[1:], &m); err != nil {
			return fmt.Errorf("table definition: %w", err)
		}
		s.restoreTable(m)
	case walKindDrop:
		id := string(body[1:])
		for n, t := range s.tables {
			if t.id == id {
				delete(s.tables, n)
			}
		}
	case walKindItems:
		return s.restoreItems(body[1:])
	default:
		return fmt.Errorf("unknown frame kind %q", body[0])
	}
	return nil
}

func (s *Server) restoreItems(b []byte) error {
	bad := errors.New("items frame is malformed")
	str := func() (string, bool) {
		if len(b) < 2 {
			return "", false
		}
		n := int(binary.BigEndian.Uint16(b))
		if len(b) < 2+n {
			return "", false
		}
		v := string(b[2 : 2+n])
		b = b[2+n:]
		return v, true
	}
	for len(b) > 0 {
		name, ok1 := str()
		id, ok2 := str()
		if !ok1 || !ok2 || len(b) < 5 {
			return bad
		}
		op := b[0]
		n := int(binary.BigEndian.Uint32(b[1:]))
		if len(b) < 5+n {
			return bad
		}
		var it map[string]expr.Value
		if err := json.Unmarshal(b[5:5+n], &it); err != nil {
			return fmt.Errorf("item of table %s: %w", name, err)
		}
		b = b[5+n:]
		t := s.tables[name]
		if t == nil || t.id != id {
			continue // the table was deleted later in the log
		}
		pk := encodePK(t.key, it)
		switch op {
		case walOpPut:
			t.put(pk, it)
		case walOpDelete:
			t.remove(pk)
		default:
			return bad
		}
	}
	return nil
}
