package kinesisfake

// GetRecords.
//
// Matches AWS: every violated model constraint of the input (limits, patterns,
// lengths) in one ValidationException before anything is looked up; Limit
// (1-10000, default 10000) and at most Limits.GetRecordsBytes (10 MiB) per
// call; NextShardIterator continues after the last record returned;
// MillisBehindLatest is the age of the last record returned while more are
// stored after it (0 when caught up); ApproximateArrivalTimestamp is the
// server clock's time of the write; on the call that reaches the end of a
// closed shard the answer carries ChildShards and no NextShardIterator; reads
// are limited per shard to Limits.ShardReadCallsPerSecond (5) calls and
// Limits.ShardReadBytesPerSecond (2 MiB) a second
// (ProvisionedThroughputExceededException); expired, altered or foreign
// iterators are ExpiredIteratorException or InvalidArgumentException; records
// older than the retention period are gone.
// Differs: the 10 MiB read debt is a one-second window, not five seconds.

import (
	"encoding/base64"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/streamcheck/streamcheck/internal/cborwire"
	"github.com/streamcheck/streamcheck/internal/jsontext"
)

type getRecordsInput struct {
	ShardIterator string `json:"ShardIterator"`
	Limit         *int   `json:"Limit,omitempty"`
	StreamARN     string `json:"StreamARN,omitempty"`

	// parsed is ShardIterator read and its signature checked, once
	// (target, then getRecords), when parsedOK.
	parsed   iterator
	parsedOK bool
}

func (in *getRecordsInput) target(s *Server) (string, string) {
	it, err := s.parseIterator(in.ShardIterator)
	if err == nil {
		err = s.checkExpiry(it, s.cfg.Clock.Now())
	}
	if err != nil {
		return s.targetOf("", in.StreamARN), ""
	}
	in.parsed, in.parsedOK = it, true
	return it.stream, shardIDOf(it.shard)
}

// iterator is the input's shard iterator, checked at now.
func (in *getRecordsInput) iterator(s *Server, now time.Time) (iterator, *apiError) {
	if !in.parsedOK {
		return s.decodeIterator(in.ShardIterator, now)
	}
	return in.parsed, s.checkExpiry(in.parsed, now)
}

// recView is a stored record captured for an answer.
type recView struct {
	rec
	key, data []byte
}

type kinesisRecord struct {
	SequenceNumber              string   `json:"SequenceNumber"`
	ApproximateArrivalTimestamp *awsTime `json:"ApproximateArrivalTimestamp"`
	Data                        []byte   `json:"Data"`
	PartitionKey                string   `json:"PartitionKey"`
	EncryptionType              string   `json:"EncryptionType,omitempty"`
}

// viewPool recycles the views of GetRecords answers (80 bytes a record),
// which writeOK gives back once the answer is rendered: fresh for each
// call, a full page's 800 KB cost the server a page fault every 4 KiB.
var viewPool sync.Pool

// getViews returns an empty slice of views with room for n.
func getViews(n int) []recView {
	if p, ok := viewPool.Get().(*[]recView); ok && cap(*p) >= n {
		return (*p)[:0]
	}
	return make([]recView, 0, n)
}

// release gives o's views back to viewPool once o is rendered, cleared so
// that the pool holds no stored record's memory.
func (o *getRecordsOutput) release() {
	if cap(o.recs) == 0 {
		return
	}
	v := o.recs[:cap(o.recs)]
	clear(v[:len(o.recs)])
	v = v[:0]
	o.recs = nil
	viewPool.Put(&v)
}

type getRecordsOutput struct {
	shard       int
	createdMs   int64
	encryption  string
	recs        []recView
	next        string
	millis      int64
	childShards []childShard
}

func (o *getRecordsOutput) appendJSON(b []byte) []byte {
	n := 0
	for _, r := range o.recs {
		n += 180 + len(r.key) + base64.StdEncoding.EncodedLen(len(r.data))
	}
	b = slices.Grow(b, n+512)
	b = append(b, `{"Records":[`...)
	seq := newSeqTemplate(o.shard, o.createdMs)
	for i, r := range o.recs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"SequenceNumber":"`...)
		b = seq.appendSeq(b, r.counter)
		b = append(b, `","ApproximateArrivalTimestamp":`...)
		b = appendEpochSeconds(b, r.arrival)
		b = append(b, `,"Data":"`...)
		b = base64.StdEncoding.AppendEncode(b, r.data)
		b = append(b, `","PartitionKey":`...)
		b = appendJSONBytes(b, r.key)
		if o.encryption != "NONE" {
			b = append(b, `,"EncryptionType":`...)
			b = jsontext.AppendString(b, o.encryption)
		}
		b = append(b, '}')
	}
	b = append(b, `],"MillisBehindLatest":`...)
	b = strconv.AppendInt(b, o.millis, 10)
	if o.next != "" {
		b = append(b, `,"NextShardIterator":`...)
		b = jsontext.AppendString(b, o.next)
	}
	if o.childShards != nil {
		b = append(b, `,"ChildShards":[`...)
		for i, ch := range o.childShards {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"ShardId":`...)
			b = jsontext.AppendString(b, ch.ShardID)
			b = append(b, `,"ParentShards":[`...)
			for j, p := range ch.ParentShards {
				if j > 0 {
					b = append(b, ',')
				}
				b = jsontext.AppendString(b, p)
			}
			b = append(b, `],"HashKeyRange":{"StartingHashKey":`...)
			b = jsontext.AppendString(b, ch.HashKeyRange.StartingHashKey)
			b = append(b, `,"EndingHashKey":`...)
			b = jsontext.AppendString(b, ch.HashKeyRange.EndingHashKey)
			b = append(b, "}}"...)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

// appendCBOR renders the answer for CBOR clients as MarshalCBOR does, byte
// for byte, without building the records' struct form: GetRecords is the
// hot path of the Java SDK's and the KCL's reads.
func (o *getRecordsOutput) appendCBOR(b []byte) ([]byte, error) {
	b = slices.Grow(b, o.cborSize())
	members := uint64(3)
	if len(o.childShards) > 0 {
		members++
	}
	b = cborwire.AppendHead(b, cborwire.Map, members)
	b = cborwire.AppendText(b, "Records")
	b = cborwire.AppendHead(b, cborwire.Array, uint64(len(o.recs)))
	seq := newSeqTemplate(o.shard, o.createdMs)
	enc := o.encryption
	if enc == "NONE" {
		enc = ""
	}
	for _, r := range o.recs {
		if enc != "" {
			b = cborwire.AppendHead(b, cborwire.Map, 5)
		} else {
			b = cborwire.AppendHead(b, cborwire.Map, 4)
		}
		b = cborwire.AppendText(b, "SequenceNumber")
		b = cborwire.AppendHead(b, cborwire.Text, seqLen)
		b = seq.appendSeq(b, r.counter)
		b = cborwire.AppendText(b, "ApproximateArrivalTimestamp")
		b = append(b, 0xc1) // tag 1
		b = cborwire.AppendInt(b, r.arrival)
		b = cborwire.AppendText(b, "Data")
		b = cborwire.AppendHead(b, cborwire.Bytes, uint64(len(r.data)))
		b = append(b, r.data...)
		b = cborwire.AppendText(b, "PartitionKey")
		b = cborwire.AppendHead(b, cborwire.Text, uint64(len(r.key)))
		b = append(b, r.key...)
		if enc != "" {
			b = cborwire.AppendText(b, "EncryptionType")
			b = cborwire.AppendText(b, enc)
		}
	}
	b = cborwire.AppendText(b, "NextShardIterator")
	if o.next != "" {
		b = cborwire.AppendText(b, o.next)
	} else {
		b = append(b, 0xf6) // null
	}
	b = cborwire.AppendText(b, "MillisBehindLatest")
	b = cborwire.AppendInt(b, o.millis)
	if len(o.childShards) > 0 {
		b = cborwire.AppendText(b, "ChildShards")
		cs, err := cborEnc.Marshal(o.childShards)
		if err != nil {
			return nil, err
		}
		b = append(b, cs...)
	}
	return b, nil
}

// cborRecordOverhead bounds the bytes appendCBOR writes for a record
// beside its key and data: the map head (1), "SequenceNumber" (15) and its
// value (2+seqLen), "ApproximateArrivalTimestamp" (29), tag 1 and its
// integer (1+9), "Data" (5) and the data's head (up to 5),
// "PartitionKey" (13) and the key's head (up to 3), and "EncryptionType"
// with "KMS" (15+4).
const cborRecordOverhead = 1 + 15 + 2 + seqLen + 29 + 1 + 9 + 5 + 5 + 13 + 3 + 15 + 4

// cborSize bounds the length of appendCBOR's answer, so that the buffer is
// grown once: an answer of 10,000 records runs to megabytes, and growing
// it by doubling would copy them again.
func (o *getRecordsOutput) cborSize() int {
	n := 512 + 256*len(o.childShards) + len(o.next) + len(o.encryption)
	for _, r := range o.recs {
		n += cborRecordOverhead + len(r.key) + len(r.data)
	}
	return n
}

// records converts the captured records to their struct form.
func (o *getRecordsOutput) records() []kinesisRecord {
	out := make([]kinesisRecord, len(o.recs))
	enc := o.encryption
	if enc == "NONE" {
		enc = ""
	}
	for i, r := range o.recs {
		out[i] = kinesisRecord{
			SequenceNumber:              formatSeq(o.shard, r.counter, o.createdMs),
			ApproximateArrivalTimestamp: msTime(r.arrival),
			Data:                        r.data,
			PartitionKey:                string(r.key),
			EncryptionType:              enc,
		}
	}
	return out
}

// MarshalCBOR renders the answer for CBOR clients.
func (o *getRecordsOutput) MarshalCBOR() ([]byte, error) {
	var next *string
	if o.next != "" {
		next = &o.next
	}
	return cborEnc.Marshal(struct {
		Records            []kinesisRecord `json:"Records"`
		NextShardIterator  *string         `json:"NextShardIterator"`
		MillisBehindLatest int64           `json:"MillisBehindLatest"`
		ChildShards        []childShard    `json:"ChildShards,omitempty"`
	}{o.records(), next, o.millis, o.childShards})
}

func (in *getRecordsInput) validate(v *violations) {
	v.num("limit", in.Limit, false, 1, 10000)
	it := in.ShardIterator
	v.str("shardIterator", &it, true, "", nil, 1, 512)
}

func getRecords(s *Server, c *call, in *getRecordsInput) (any, error) {
	limit := 10000
	if in.Limit != nil {
		limit = *in.Limit
	}
	it, aerr := in.iterator(s, c.now)
	if aerr != nil {
		return nil, aerr
	}
	if in.StreamARN != "" {
		if n, err := s.nameFromARN(in.StreamARN); err != nil || n != it.stream {
			return nil, errInvalid("StreamARN %s does not match the stream of the shard iterator.", in.StreamARN)
		}
	}
	s.mu.RLock()
	st := s.streams[it.stream]
	s.mu.RUnlock()
	if st == nil || st.createdMs != it.createdMs {
		return nil, errStreamNotFound(it.stream, s.cfg.AccountID)
	}
	out, aerr := s.readShard(c, st, it.shard, it.counter, limit, true)
	if aerr != nil {
		return nil, aerr
	}
	if out.next != "" {
		out.next = s.encodeIterator(iterator{stream: st.name, createdMs: st.createdMs, shard: it.shard, counter: out.nextCounter, issuedMs: c.now.UnixMilli()})
	}
	return &out.getRecordsOutput, nil
}

// readResult is a page of a shard with where the next one starts.
type readResult struct {
	getRecordsOutput
	nextCounter uint64
	atEnd       bool // the end of a closed shard was reached
	more        bool // records beyond this page are already stored
}

// readShard reads up to limit records of shard idx from counter pos on.
// With throttle, the per-shard read limits apply. next is set to a
// non-empty placeholder when reading can continue.
func (s *Server) readShard(c *call, st *stream, idx int, pos uint64, limit int, throttle bool) (readResult, *apiError) {
	lim := s.cfg.limits
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.deleted {
		return readResult{}, errStreamNotFound(st.name, s.cfg.AccountID)
	}
	sh := st.shard(idx)
	if sh == nil {
		return readResult{}, newError(codeResourceNotFound, "Shard %s in stream %s under account %s does not exist", shardIDOf(idx), st.name, s.cfg.AccountID)
	}
	nowMs := c.now.UnixMilli()
	if throttle {
		sec := nowMs / 1000
		if sh.rWin != sec {
			sh.rWin, sh.rCalls, sh.rBytes = sec, 0, 0
		}
		if (lim.ShardReadCallsPerSecond > 0 && sh.rCalls >= lim.ShardReadCallsPerSecond) ||
			(lim.ShardReadBytesPerSecond > 0 && sh.rBytes >= lim.ShardReadBytesPerSecond) {
			return readResult{}, errThroughput(shardIDOf(idx), st.name, s.cfg.AccountID)
		}
	}
	sh.trim(st.retentionCutoff(c.now))
	i := sh.search(pos)
	maxBytes := lim.GetRecordsBytes
	var views []recView
	bytes := 0
	j := i
	total := sh.recs.len()
	for ; j < total && j-i < limit; j++ {
		r := sh.recs.at(j)
		size := int(r.dataLen) + int(r.keyLen)
		if maxBytes > 0 && j > i && bytes+size > maxBytes {
			break
		}
		if views == nil {
			views = getViews(min(total-i, limit))
		}
		views = append(views, recView{rec: r, key: sh.key(r), data: sh.data(r)})
		bytes += size
	}
	if throttle {
		sh.rCalls++
		sh.rBytes += bytes
	}
	res := readResult{getRecordsOutput: getRecordsOutput{shard: idx, createdMs: st.createdMs, encryption: st.encryptionType(), recs: views}}
	if len(views) == 0 {
		views = []recView{}
		res.recs = views
	}
	res.nextCounter = pos
	if len(views) > 0 {
		res.nextCounter = views[len(views)-1].counter + 1
	}
	if j < total {
		res.more = true
		behind := sh.recs.at(j).arrival
		if len(views) > 0 {
			behind = views[len(views)-1].arrival
		}
		if res.millis = nowMs - behind; res.millis < 0 {
			res.millis = 0
		}
	}
	if sh.closed && j >= total {
		res.atEnd = true
		res.childShards = st.childShards(sh)
		if res.childShards == nil {
			res.childShards = []childShard{}
		}
		return res, nil
	}
	res.next = "more"
	return res, nil
}
