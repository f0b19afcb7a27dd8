package kinesisfake

import (
	"sort"
	"sync"
	"time"
)

// A shard's partition keys and data are kept in append-only chunks. The
// first is minChunk bytes and each next one twice the last, up to maxChunk,
// so a shard that holds little costs little. A record never spans two
// chunks; a record larger than maxChunk gets a chunk of its own. Chunks of
// maxChunk ask the kernel for huge pages (see adviseHugePages): a busy
// shard's data then costs one page fault per 2 MiB, not per 4 KiB.
const (
	minChunk = 64 << 10
	maxChunk = 4 << 20
)

// rec indexes one stored record: 32 bytes next to its key and data.
type rec struct {
	counter uint64 // stream-wide write counter; orders records in a shard
	arrival int64  // ApproximateArrivalTimestamp, Unix milliseconds
	chunk   uint32 // index into shard.chunks
	off     uint32 // offset of the partition key in the chunk; data follows
	dataLen uint32
	keyLen  uint16
}

// shard is one shard's metadata and records. It is guarded by its stream's mu.
type shard struct {
	idx        int
	parent     int // -1 if none
	adjParent  int // -1 if none
	start, end u128
	startCtr   uint64 // counter of StartingSequenceNumber
	closed     bool
	endCtr     uint64 // counter of EndingSequenceNumber, when closed
	createdMs  int64
	closedAtMs int64
	chunks     [][]byte
	recs       recIndex
	wWin, rWin int64
	wBytes     int
	wRecs      int
	rCalls     int
	rBytes     int
}

// append stores one record and returns its index entry.
func (sh *shard) append(counter uint64, arrival int64, key string, data []byte) rec {
	need := len(key) + len(data)
	var c []byte
	ci := len(sh.chunks) - 1
	if ci >= 0 {
		c = sh.chunks[ci]
	}
	if c == nil || cap(c)-len(c) < need {
		c = newChunk(cap(c), need)
		sh.chunks = append(sh.chunks, c)
		ci = len(sh.chunks) - 1
	}
	off := len(c)
	c = append(c, key...)
	c = append(c, data...)
	sh.chunks[ci] = c
	r := rec{counter: counter, arrival: arrival, chunk: uint32(ci), off: uint32(off), dataLen: uint32(len(data)), keyLen: uint16(len(key))}
	sh.recs.push(r)
	return r
}

// newChunk returns an empty chunk for at least need bytes, following one of
// capacity last (0 for a shard's first).
func newChunk(last, need int) []byte {
	size := min(max(2*last, minChunk), maxChunk)
	if need > size {
		return make([]byte, 0, need)
	}
	if size < maxChunk {
		return make([]byte, 0, size)
	}
	return hugePageChunk(maxChunk)
}

// key and data return views into the record's chunk; chunks are never
// rewritten, so the views stay valid after the lock is released.
func (sh *shard) key(r rec) []byte {
	c := sh.chunks[r.chunk]
	return c[r.off : r.off+uint32(r.keyLen) : r.off+uint32(r.keyLen)]
}

func (sh *shard) data(r rec) []byte {
	c := sh.chunks[r.chunk]
	s := r.off + uint32(r.keyLen)
	return c[s : s+r.dataLen : s+r.dataLen]
}

// search returns the index of the first record whose counter is >= ctr.
func (sh *shard) search(ctr uint64) int {
	return sh.recs.search(func(r rec) bool { return r.counter >= ctr })
}

// trim drops records that arrived before cutoff (Unix ms) and frees chunks
// that no longer hold a live record.
func (sh *shard) trim(cutoff int64) {
	total := sh.recs.len()
	if total == 0 || sh.recs.at(0).arrival >= cutoff {
		return
	}
	n := sh.recs.search(func(r rec) bool { return r.arrival >= cutoff })
	var firstChunk uint32
	if n < total {
		firstChunk = sh.recs.at(n).chunk
	} else {
		firstChunk = uint32(len(sh.chunks) - 1)
	}
	for i := uint32(0); i < firstChunk; i++ {
		sh.chunks[i] = nil
	}
	if n == total && len(sh.chunks) > 0 {
		// Nothing live is left: drop the open chunk too; the next append
		// starts a new one.
		sh.chunks[len(sh.chunks)-1] = nil
	}
	sh.recs.dropFront(n)
}

// consumer is a registered enhanced fan-out consumer.
type consumer struct {
	Name      string `json:"name"`
	CreatedMs int64  `json:"created_ms"`
	// lastSub is when each shard was last subscribed to, for AWS's
	// 5-second resubscribe rule; not persisted.
	lastSub map[int]int64
	// active ends each shard's open subscription when closed, so that a
	// later subscription takes the shard over, as on AWS; not persisted.
	active map[int]chan struct{}
}

// stream is one Kinesis stream. Its fields are guarded by mu.
type stream struct {
	mu             sync.Mutex
	name           string
	createdMs      int64
	mode           string
	pending        string // CREATING or UPDATING until pendingUntil
	pendingUntil   time.Time
	retentionHours int
	shards         []*shard
	open           []*shard // open shards ordered by start hash key
	nextCounter    uint64
	tags           map[string]string
	encryption     string
	keyID          string
	metrics        []string
	consumers      []*consumer
	maxRecordKiB   int
	warmMiBps      int
	distribution   string        // RecordDistributionStrategy, "" when never set
	notify         chan struct{} // closed and replaced after every write
	deleted        bool
}

// status is the stream's StreamStatus at now.
func (st *stream) status(now time.Time) string {
	if st.pending != "" && now.Before(st.pendingUntil) {
		return st.pending
	}
	return "ACTIVE"
}

// rebuildOpen recomputes the open shards ordered by start hash key.
func (st *stream) rebuildOpen() {
	st.open = st.open[:0]
	for _, sh := range st.shards {
		if !sh.closed {
			st.open = append(st.open, sh)
		}
	}
	sort.Slice(st.open, func(i, j int) bool { return st.open[i].start.less(st.open[j].start) })
}

// route returns the open shard whose range holds h.
func (st *stream) route(h u128) *shard {
	i := sort.Search(len(st.open), func(i int) bool { return h.less(st.open[i].start) })
	if i == 0 {
		return nil
	}
	sh := st.open[i-1]
	if sh.end.less(h) {
		return nil
	}
	return sh
}

// shard returns shard idx, or nil.
func (st *stream) shard(idx int) *shard {
	if idx < 0 || idx >= len(st.shards) {
		return nil
	}
	return st.shards[idx]
}

// wake tells SubscribeToShard readers that records arrived.
func (st *stream) wake() {
	if st.notify != nil {
		close(st.notify)
	}
	st.notify = make(chan struct{})
}

// addShard appends a new open shard.
func (st *stream) addShard(start, end u128, parent, adj int, nowMs int64) {
	sh := &shard{idx: len(st.shards), parent: parent, adjParent: adj, start: start, end: end, startCtr: st.nextCounter, createdMs: nowMs}
	st.shards = append(st.shards, sh)
}

// closeShard closes sh: its ending sequence number is the last counter
// assigned before now, so every later write goes to a child.
func (st *stream) closeShard(sh *shard, nowMs int64) {
	sh.closed = true
	sh.closedAtMs = nowMs
	if st.nextCounter > 0 {
		sh.endCtr = st.nextCounter - 1
	}
	if sh.endCtr < sh.startCtr {
		sh.endCtr = sh.startCtr
	}
	// Counters of a closed shard end here; children start after.
	st.nextCounter = sh.endCtr + 1
}

// childrenOf lists the shards whose parent or adjacent parent is idx.
func (st *stream) childrenOf(idx int) []*shard {
	var out []*shard
	for _, sh := range st.shards {
		if sh.parent == idx || sh.adjParent == idx {
			out = append(out, sh)
		}
	}
	return out
}
