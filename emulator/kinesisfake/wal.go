package kinesisfake

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/streamcheck/streamcheck/emulator/internal/framelog"
)

// The data log is one append-only file of frames: a 4-byte big-endian body
// length, the body's CRC-32C, then the body, whose first byte is its kind.
// A frame is written and fsynced before the request that made it is
// answered; concurrent writers share fsyncs (group commit). On load a frame
// that is short or fails its checksum is a torn write from a crash: it and
// everything after it are cut off, and none of it was acknowledged.
const (
	walFile       = "kinesis.log"
	walKindMeta   = 'M' // a stream's metadata as JSON (streamMeta)
	walKindDelete = 'X' // a stream deleted: name
	walKindRecs   = 'R' // records appended to a stream
)

func openWAL(dir string, s *Server) (*framelog.Log, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, walFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	good, err := replay(f, s)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("replay %s: %w", path, err)
	}
	if err := f.Truncate(good); err != nil {
		f.Close()
		return nil, fmt.Errorf("cut torn tail of %s at %d: %w", path, good, err)
	}
	if _, err := f.Seek(good, io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	return framelog.New(f, good), nil
}

// replay applies every whole frame to s and returns the offset after the
// last.
func replay(f *os.File, s *Server) (int64, error) { return framelog.Read(f, s.applyFrame) }

// streamMeta is a stream's durable metadata.
type streamMeta struct {
	Name           string            `json:"name"`
	CreatedMs      int64             `json:"created_ms"`
	Mode           string            `json:"mode"`
	RetentionHours int               `json:"retention_hours"`
	NextCounter    uint64            `json:"next_counter"`
	Tags           map[string]string `json:"tags,omitempty"`
	Encryption     string            `json:"encryption,omitempty"`
	KeyID          string            `json:"key_id,omitempty"`
	Metrics        []string          `json:"metrics,omitempty"`
	MaxRecordKiB   int               `json:"max_record_kib,omitempty"`
	WarmMiBps      int               `json:"warm_mibps,omitempty"`
	Consumers      []*consumer       `json:"consumers,omitempty"`
	Shards         []shardMeta       `json:"shards"`
}

type shardMeta struct {
	Parent     int       `json:"parent"`
	Adj        int       `json:"adj"`
	Start      [2]uint64 `json:"start"`
	End        [2]uint64 `json:"end"`
	StartCtr   uint64    `json:"start_ctr"`
	EndCtr     uint64    `json:"end_ctr"`
	Closed     bool      `json:"closed"`
	CreatedMs  int64     `json:"created_ms"`
	ClosedAtMs int64     `json:"closed_at_ms"`
}

// persistMeta logs st's metadata durably. The caller holds st.mu.
func (s *Server) persistMeta(st *stream) error {
	if s.wal == nil {
		return nil
	}
	m := streamMeta{
		Name: st.name, CreatedMs: st.createdMs, Mode: st.mode, RetentionHours: st.retentionHours,
		NextCounter: st.nextCounter, Tags: st.tags, Encryption: st.encryption, KeyID: st.keyID,
		Metrics: st.metrics, MaxRecordKiB: st.maxRecordKiB, WarmMiBps: st.warmMiBps, Consumers: st.consumers,
	}
	for _, sh := range st.shards {
		m.Shards = append(m.Shards, shardMeta{
			Parent: sh.parent, Adj: sh.adjParent, Start: [2]uint64{sh.start.hi, sh.start.lo}, End: [2]uint64{sh.end.hi, sh.end.lo},
			StartCtr: sh.startCtr, EndCtr: sh.endCtr, Closed: sh.closed, CreatedMs: sh.createdMs, ClosedAtMs: sh.closedAtMs,
		})
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return s.walWriteSync(append([]byte{walKindMeta}, b...))
}

func (s *Server) persistDelete(name string) error {
	if s.wal == nil {
		return nil
	}
	return s.walWriteSync(append([]byte{walKindDelete}, name...))
}

func (s *Server) walWriteSync(body []byte) error {
	off, err := s.wal.Append(body)
	if err != nil {
		return err
	}
	return s.wal.Sync(off)
}

// recsFrame builds a records frame; add appends one record to it.
type recsFrame struct {
	b     []byte
	count int
}

func newRecsFrame(st *stream, hint int) *recsFrame {
	b := make([]byte, 0, 16+len(st.name)+hint)
	b = append(b, walKindRecs)
	b = binary.BigEndian.AppendUint16(b, uint16(len(st.name)))
	b = append(b, st.name...)
	b = binary.BigEndian.AppendUint64(b, uint64(st.createdMs))
	return &recsFrame{b: b}
}

func (f *recsFrame) add(shard int, r rec, key string, data []byte) {
	b := f.b
	b = binary.BigEndian.AppendUint32(b, uint32(shard))
	b = binary.BigEndian.AppendUint64(b, r.counter)
	b = binary.BigEndian.AppendUint64(b, uint64(r.arrival))
	b = binary.BigEndian.AppendUint16(b, uint16(len(key)))
	b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
	b = append(b, key...)
	b = append(b, data...)
	f.b = b
	f.count++
}

// applyFrame replays one frame into s.
func (s *Server) applyFrame(body []byte) error {
	switch body[0] {
	case walKindMeta:
		var m streamMeta
		if err := json.Unmarshal(body[1:], &m); err != nil {
			return fmt.Errorf("stream metadata: %w", err)
		}
		s.restoreMeta(m)
	case walKindDelete:
		delete(s.streams, string(body[1:]))
	case walKindRecs:
		return s.restoreRecs(body[1:])
	default:
		return fmt.Errorf("unknown frame kind %q", body[0])
	}
	return nil
}

func (s *Server) restoreMeta(m streamMeta) {
	st := s.streams[m.Name]
	if st == nil || st.createdMs != m.CreatedMs {
		st = &stream{name: m.Name, createdMs: m.CreatedMs}
		st.notify = make(chan struct{})
		s.streams[m.Name] = st
	}
	st.mode, st.retentionHours = m.Mode, m.RetentionHours
	if m.NextCounter > st.nextCounter {
		st.nextCounter = m.NextCounter
	}
	st.tags, st.encryption, st.keyID, st.metrics = m.Tags, m.Encryption, m.KeyID, m.Metrics
	st.maxRecordKiB, st.warmMiBps, st.consumers = m.MaxRecordKiB, m.WarmMiBps, m.Consumers
	for i, sm := range m.Shards {
		var sh *shard
		if i < len(st.shards) {
			sh = st.shards[i]
		} else {
			sh = &shard{idx: i}
			st.shards = append(st.shards, sh)
		}
		sh.parent, sh.adjParent = sm.Parent, sm.Adj
		sh.start, sh.end = u128{sm.Start[0], sm.Start[1]}, u128{sm.End[0], sm.End[1]}
		sh.startCtr, sh.endCtr, sh.closed = sm.StartCtr, sm.EndCtr, sm.Closed
		sh.createdMs, sh.closedAtMs = sm.CreatedMs, sm.ClosedAtMs
	}
	st.rebuildOpen()
}

func (s *Server) restoreRecs(b []byte) error {
	bad := errors.New("records frame is malformed")
	if len(b) < 2 {
		return bad
	}
	nl := int(binary.BigEndian.Uint16(b))
	if len(b) < 2+nl+8 {
		return bad
	}
	name := string(b[2 : 2+nl])
	created := int64(binary.BigEndian.Uint64(b[2+nl:]))
	b = b[2+nl+8:]
	st := s.streams[name]
	if st == nil || st.createdMs != created {
		return nil // the stream was deleted later in the log
	}
	for len(b) > 0 {
		if len(b) < 26 {
			return bad
		}
		idx := int(binary.BigEndian.Uint32(b))
		ctr := binary.BigEndian.Uint64(b[4:])
		arr := int64(binary.BigEndian.Uint64(b[12:]))
		kl := int(binary.BigEndian.Uint16(b[20:]))
		dl := int(binary.BigEndian.Uint32(b[22:]))
		b = b[26:]
		if len(b) < kl+dl {
			return bad
		}
		sh := st.shard(idx)
		if sh == nil {
			return fmt.Errorf("record for shard %d of stream %s, which has %d shards", idx, name, len(st.shards))
		}
		sh.append(ctr, arr, string(b[:kl]), b[kl:kl+dl])
		b = b[kl+dl:]
		if ctr >= st.nextCounter {
			st.nextCounter = ctr + 1
		}
	}
	return nil
}
