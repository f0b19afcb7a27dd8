package dynamodbfake

import (
	"hash/fnv"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/streamcheck/streamcheck/emulator/dynamodbfake/internal/expr"
)

// Item and request limits AWS enforces.
const (
	maxItemSize       = 400 * 1024
	maxPageBytes      = 1 << 20
	maxBatchGetBytes  = 16 << 20
	maxItemCollection = 10 << 30
)

// keyAttr is one attribute of a key schema.
type keyAttr struct {
	name string
	typ  expr.Type // TypeS, TypeN or TypeB
}

// keySchema is a table's or an index's key: a hash attribute and an
// optional range attribute (name "" when absent).
type keySchema struct {
	hash, rng keyAttr
}

func (k keySchema) names() []string {
	if k.rng.name == "" {
		return []string{k.hash.name}
	}
	return []string{k.hash.name, k.rng.name}
}

func (k keySchema) has(name string) bool { return name == k.hash.name || name == k.rng.name }

// projection is an index's Projection.
type projection struct {
	typ    string // KEYS_ONLY, INCLUDE or ALL
	nonKey []string
}

// index is a local or global secondary index.
type index struct {
	name       string
	global     bool
	key        keySchema
	proj       projection
	rcu, wcu   int64     // GSI provisioned throughput
	activeAt   time.Time // a GSI added by UpdateTable is CREATING until then
	space      *keyspace
	throughput window // guarded by the table's tpMu
}

// project returns what the index stores of it: its keys, the table's keys
// and the projected attributes.
func (ix *index) project(it expr.Item, tkey keySchema) expr.Item {
	if ix.proj.typ == "ALL" {
		return it
	}
	out := make(expr.Item, 4+len(ix.proj.nonKey))
	for _, n := range [...]string{tkey.hash.name, tkey.rng.name, ix.key.hash.name, ix.key.rng.name} {
		if v, ok := it[n]; ok && n != "" {
			out[n] = v
		}
	}
	for _, n := range ix.proj.nonKey {
		if v, ok := it[n]; ok {
			out[n] = v
		}
	}
	return out
}

// table is one DynamoDB table: its definition and its items. mu guards
// everything below it.
type table struct {
	name     string
	id       string
	created  time.Time
	activeAt time.Time // CREATING until then

	mu          sync.RWMutex
	attrDefs    map[string]expr.Type
	key         keySchema
	billing     string // PROVISIONED or PAY_PER_REQUEST
	billingAt   time.Time
	rcu, wcu    int64
	lastInc     time.Time
	lastDec     time.Time
	decreases   int
	updatingTo  time.Time // UPDATING until then
	lsis, gsis  []*index
	ttlAttr     string
	ttlEnabled  bool
	tags        map[string]string
	protect     bool
	streamSpec  *streamSpecification
	tableClass  string
	items       map[string]*entry
	space       *keyspace
	bytes       int64
	lastTTLScan time.Time

	tpMu       sync.Mutex // guards the throughput windows, charged under a read lock
	throughput window
}

// entry is one item, shared by the table's keyspace and its indexes.
type entry struct {
	pk   string // encoded primary key
	item expr.Item
	size int
}

func (t *table) status(now time.Time) string {
	switch {
	case now.Before(t.activeAt):
		return "CREATING"
	case now.Before(t.updatingTo):
		return "UPDATING"
	}
	return "ACTIVE"
}

func (t *table) indexes() []*index {
	if len(t.lsis) == 0 {
		return t.gsis
	}
	if len(t.gsis) == 0 {
		return t.lsis
	}
	return append(append(make([]*index, 0, len(t.lsis)+len(t.gsis)), t.lsis...), t.gsis...)
}

func (t *table) findIndex(name string) *index {
	for _, ix := range t.lsis {
		if ix.name == name {
			return ix
		}
	}
	for _, ix := range t.gsis {
		if ix.name == name {
			return ix
		}
	}
	return nil
}

// get returns the item with primary key pk, or nil. The caller holds t.mu.
func (t *table) get(pk string) expr.Item {
	if e := t.items[pk]; e != nil {
		return e.item
	}
	return nil
}

// put stores it under pk, replacing any item there, and keeps the indexes in
// step. The caller holds t.mu for writing.
func (t *table) put(pk string, it expr.Item) {
	size := it.Size()
	e := t.items[pk]
	if e == nil {
		e = &entry{pk: pk, item: it, size: size}
		t.items[pk] = e
		t.space.insert(e, it)
		for _, ix := range t.indexes() {
			if indexable(ix, it) {
				ix.space.insert(e, it)
			}
		}
		t.bytes += int64(size)
		return
	}
	old := e.item
	for _, ix := range t.indexes() {
		was, is := indexable(ix, old), indexable(ix, it)
		if was && is && sameKey(ix.key, old, it) {
			continue
		}
		if was {
			ix.space.remove(e, old)
		}
		if is {
			ix.space.insert(e, it)
		}
	}
	if p := t.space.parts[encodeKeyValue(it[t.key.hash.name])]; p != nil {
		p.bytes += int64(size - e.size)
	}
	t.bytes += int64(size - e.size)
	e.item, e.size = it, size
}

// remove deletes the item under pk and returns it, or nil. The caller holds
// t.mu for writing.
func (t *table) remove(pk string) expr.Item {
	e := t.items[pk]
	if e == nil {
		return nil
	}
	delete(t.items, pk)
	t.space.remove(e, e.item)
	for _, ix := range t.indexes() {
		if indexable(ix, e.item) {
			ix.space.remove(e, e.item)
		}
	}
	t.bytes -= int64(e.size)
	return e.item
}

// indexable reports whether it carries ix's key attributes with the
// declared types (a sparse index holds only such items).
func indexable(ix *index, it expr.Item) bool {
	v, ok := it[ix.key.hash.name]
	if !ok || v.Type != ix.key.hash.typ {
		return false
	}
	if ix.key.rng.name != "" {
		v, ok := it[ix.key.rng.name]
		if !ok || v.Type != ix.key.rng.typ {
			return false
		}
	}
	return true
}

func sameKey(k keySchema, a, b expr.Item) bool {
	if !expr.Equal(a[k.hash.name], b[k.hash.name]) {
		return false
	}
	return k.rng.name == "" || expr.Equal(a[k.rng.name], b[k.rng.name])
}

// keyspace orders entries as DynamoDB stores them: partitions in the order
// of a hash of their partition key (the order Scan returns them in), and
// entries within a partition by sort key, then by the table's primary key
// (for indexes, where sort keys repeat).
type keyspace struct {
	key   keySchema
	parts map[string]*partition

	// order holds the partitions, sorted by (scanHash, enc) unless dirty;
	// removed partitions stay in it, marked dead, until the next sort.
	// sortMu lets readers (under the table's read lock) sort it.
	sortMu sync.Mutex
	order  []*partition
	dirty  bool
}

type partition struct {
	enc      string
	hash     expr.Value
	scanHash uint32
	ents     []*entry
	bytes    int64
	dead     bool
}

func newKeyspace(k keySchema) *keyspace {
	return &keyspace{key: k, parts: make(map[string]*partition)}
}

// scanHash places a partition key in scan order and in a Scan segment.
func scanHash(enc string) uint32 {
	h := fnv.New32a()
	_, _ = h.Write([]byte(enc))
	return h.Sum32()
}

func (ks *keyspace) insert(e *entry, it expr.Item) {
	hv := it[ks.key.hash.name]
	enc := encodeKeyValue(hv)
	p := ks.parts[enc]
	if p == nil {
		p = &partition{enc: enc, hash: hv, scanHash: scanHash(enc)}
		ks.parts[enc] = p
		ks.order = append(ks.order, p)
		ks.dirty = true
	}
	i := p.search(ks.key.rng.name, it[ks.key.rng.name], e.pk)
	p.ents = append(p.ents, nil)
	copy(p.ents[i+1:], p.ents[i:])
	p.ents[i] = e
	p.bytes += int64(e.size)
}

func (ks *keyspace) remove(e *entry, it expr.Item) {
	enc := encodeKeyValue(it[ks.key.hash.name])
	p := ks.parts[enc]
	if p == nil {
		return
	}
	i := p.search(ks.key.rng.name, it[ks.key.rng.name], e.pk)
	for ; i < len(p.ents) && p.ents[i] != e; i++ {
	}
	if i == len(p.ents) {
		return
	}
	p.ents = append(p.ents[:i], p.ents[i+1:]...)
	p.bytes -= int64(e.size)
	if len(p.ents) == 0 {
		delete(ks.parts, enc)
		p.dead = true
		ks.dirty = true
	}
}

// search returns the position of the first entry not before (rv, pk).
func (p *partition) search(rng string, rv expr.Value, pk string) int {
	return sort.Search(len(p.ents), func(i int) bool {
		return compareEntry(rng, p.ents[i], rv, pk) >= 0
	})
}

// compareEntry orders e against the position (rv, pk).
func compareEntry(rng string, e *entry, rv expr.Value, pk string) int {
	if rng != "" {
		if c := expr.CompareKey(e.item[rng], rv); c != 0 {
			return c
		}
	}
	return strings.Compare(e.pk, pk)
}

// sorted returns the live partitions in scan order. The caller holds the
// table's lock (read or write) and must not keep the slice past it.
func (ks *keyspace) sorted() []*partition {
	ks.sortMu.Lock()
	defer ks.sortMu.Unlock()
	if ks.dirty {
		live := ks.order[:0]
		for _, p := range ks.order {
			if !p.dead {
				live = append(live, p)
			}
		}
		clear(ks.order[len(live):])
		ks.order = live
		sort.Slice(ks.order, func(i, j int) bool {
			return partLess(ks.order[i].scanHash, ks.order[i].enc, ks.order[j].scanHash, ks.order[j].enc)
		})
		ks.dirty = false
	}
	return ks.order
}

func partLess(h1 uint32, e1 string, h2 uint32, e2 string) bool {
	if h1 != h2 {
		return h1 < h2
	}
	return e1 < e2
}

// encodeKeyValue is a key attribute's value as a map key: its type letter
// and its bytes.
func encodeKeyValue(v expr.Value) string {
	switch v.Type {
	case expr.TypeS:
		return "S" + v.S
	case expr.TypeN:
		return "N" + v.N
	case expr.TypeB:
		return "B" + string(v.B)
	}
	return ""
}

// encodePK is an item's primary key as a map key.
func encodePK(k keySchema, it expr.Item) string {
	h := encodeKeyValue(it[k.hash.name])
	if k.rng.name == "" {
		return h
	}
	var b strings.Builder
	b.Grow(len(h) + 12)
	n := len(h)
	b.WriteByte(byte(n >> 24))
	b.WriteByte(byte(n >> 16))
	b.WriteByte(byte(n >> 8))
	b.WriteByte(byte(n))
	b.WriteString(h)
	b.WriteString(encodeKeyValue(it[k.rng.name]))
	return b.String()
}

// keyOf returns the attributes of k in it.
func keyOf(k keySchema, it expr.Item) expr.Item {
	out := make(expr.Item, 2)
	out[k.hash.name] = it[k.hash.name]
	if k.rng.name != "" {
		out[k.rng.name] = it[k.rng.name]
	}
	return out
}

// checkKey validates a Key parameter against the table's schema and returns
// its encoding.
func (t *table) checkKey(key expr.Item) (string, *apiError) {
	for _, a := range [...]keyAttr{t.key.hash, t.key.rng} {
		if a.name == "" {
			continue
		}
		v, ok := key[a.name]
		if !ok {
			return "", errInvalid("One of the required keys was not given a value")
		}
		if v.Type != a.typ {
			return "", errInvalid("The provided key element does not match the schema")
		}
		if err := checkKeyValue(a.name, v); err != nil {
			return "", err
		}
	}
	if len(key) != len(t.key.names()) {
		return "", errInvalid("The provided key element does not match the schema")
	}
	return encodePK(t.key, key), nil
}

func checkKeyValue(name string, v expr.Value) *apiError {
	switch {
	case v.Type == expr.TypeS && v.S == "":
		return errInvalidf("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: %s", name)
	case v.Type == expr.TypeB && len(v.B) == 0:
		return errInvalidf("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty binary value. Key: %s", name)
	}
	return nil
}

// checkItem validates an item to be written: the key attributes with their
// types, the index keys' types and the size limit. It returns the item's
// primary key.
func (t *table) checkItem(it expr.Item) (string, *apiError) {
	for _, a := range [...]keyAttr{t.key.hash, t.key.rng} {
		if a.name == "" {
			continue
		}
		v, ok := it[a.name]
		if !ok {
			return "", errParam("Missing the key %s in the item", a.name)
		}
		if v.Type != a.typ {
			return "", errParam("Type mismatch for key %s expected: %s actual: %s", a.name, a.typ, v.Type)
		}
		if err := checkKeyValue(a.name, v); err != nil {
			return "", err
		}
	}
	for _, ix := range t.indexes() {
		for _, a := range [...]keyAttr{ix.key.hash, ix.key.rng} {
			if a.name == "" || t.key.has(a.name) {
				continue
			}
			if v, ok := it[a.name]; ok {
				if v.Type != a.typ {
					return "", errParam("Type mismatch for Index Key %s Expected: %s Actual: %s IndexName: %s", a.name, a.typ, v.Type, ix.name)
				}
				if (v.Type == expr.TypeS && v.S == "") || (v.Type == expr.TypeB && len(v.B) == 0) {
					return "", errParam("One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty %s value. IndexName: %s, IndexKey: %s", strings.ToLower(typeWord(v.Type)), ix.name, a.name)
				}
			}
		}
	}
	if it.Size() > maxItemSize {
		return "", errItemTooLarge()
	}
	return encodePK(t.key, it), nil
}

func typeWord(t expr.Type) string {
	if t == expr.TypeB {
		return "binary"
	}
	return "string"
}

// checkCollection refuses a write that would grow an item collection past
// 10 GB on a table with local secondary indexes.
func (t *table) checkCollection(it expr.Item, grow int) *apiError {
	if len(t.lsis) == 0 || grow <= 0 {
		return nil
	}
	p := t.space.parts[encodeKeyValue(it[t.key.hash.name])]
	if p != nil && p.bytes+int64(grow) > maxItemCollection {
		return newError(codeItemCollectionSizeLimit, "Item collection size limit exceeded")
	}
	return nil
}
