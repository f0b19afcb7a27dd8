// Package kinesistest is a minimal Kinesis for the engine's tests: an
// httptest server speaking the JSON 1.1 protocol for ListShards (paginated),
// GetShardIterator and GetRecords over in-memory shards, and CBOR for
// GetRecords, with test hooks to add records, split a shard, throttle and
// expire iterators.
//
// It matches AWS in the shapes and error codes the engine relies on: closed
// shards return a null NextShardIterator and ChildShards at their end,
// trimmed records (Trim) are out of reach as after retention,
// MillisBehindLatest is 0 only at the tip, errors carry __type. It does not
// check signatures, enforce limits other than GetRecords' Limit, or expire
// iterators by time (ExpireIterators does it on demand).
package kinesistest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"

	"github.com/streamcheck/streamcheck/clock"
	"github.com/streamcheck/streamcheck/internal/cborwire"
)

// Fake is the fake Kinesis. Create it with New.
type Fake struct {
	srv *httptest.Server
	clk clock.Clock

	mu       sync.Mutex
	streams  map[string]*stream
	seq      int64
	epoch    int // iterators issued before the current epoch are expired
	throttle int // GetRecords calls to throttle
	// PageSize is ListShards' page size (default 100).
	PageSize int
	// CBORDataAsText makes GetRecords answers in CBOR carry Data as
	// base64 text, as kinesalite writes them, instead of AWS's byte
	// strings.
	CBORDataAsText bool
	calls          map[string]int
	cbor           map[string]int // calls in CBOR
}

type stream struct {
	name   string
	shards []*shard
}

type shard struct {
	id, parent string
	recs       []rec
	trimmed    int // records before this index are past retention
	closed     bool
}

type rec struct {
	seq  string
	at   time.Time
	enc  []byte // the record as GetRecords returns it in JSON, encoded once
	cbor []byte // and in CBOR
}

// New starts a Fake on 127.0.0.1 and closes it when the test ends. clk
// stamps arrival times; nil means clock.Real().
func New(t testing.TB, clk clock.Clock) *Fake {
	t.Helper()
	f := Start(clk)
	t.Cleanup(f.Close)
	return f
}

// Start starts a Fake on 127.0.0.1 outside a test (a benchmark's server
// process); the caller closes it. clk is as for New.
func Start(clk clock.Clock) *Fake {
	if clk == nil {
		clk = clock.Real()
	}
	f := &Fake{clk: clk, streams: map[string]*stream{}, PageSize: 100, calls: map[string]int{}, cbor: map[string]int{}}
	f.srv = httptest.NewServer(f)
	return f
}

// Close stops the server; it may be called more than once.
func (f *Fake) Close() { f.srv.Close() }

// URL returns the endpoint.
func (f *Fake) URL() string { return f.srv.URL }

// CreateStream adds a stream with n open shards.
func (f *Fake) CreateStream(name string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := &stream{name: name}
	for i := 0; i < n; i++ {
		s.shards = append(s.shards, &shard{id: fmt.Sprintf("shardId-%012d", i)})
	}
	f.streams[name] = s
}

// Put appends a record to shard index i of the stream and returns its
// sequence number.
func (f *Fake) Put(name string, i int, pk string, data []byte) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.putLocked(f.streams[name].shards[i], pk, data)
}

// PutShard appends a record to the shard with id.
func (f *Fake) PutShard(name, id, pk string, data []byte) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.putLocked(f.find(name, id), pk, data)
}

func (f *Fake) putLocked(sh *shard, pk string, data []byte) string {
	if sh.closed {
		panic("kinesistest: put to closed shard " + sh.id)
	}
	f.seq++
	s := "4960" + fmt.Sprintf("%052d", f.seq)
	at := f.clk.Now()
	enc, _ := json.Marshal(map[string]any{"Data": data, "PartitionKey": pk, "SequenceNumber": s,
		"ApproximateArrivalTimestamp": float64(at.UnixMilli()) / 1000})
	cb, _ := cbor.Marshal(map[string]any{"Data": data, "PartitionKey": pk, "SequenceNumber": s,
		"ApproximateArrivalTimestamp": cbor.Tag{Number: 1, Content: at.UnixMilli()}})
	sh.recs = append(sh.recs, rec{seq: s, at: at, enc: enc, cbor: cb})
	return s
}

func (f *Fake) find(name, id string) *shard {
	for _, sh := range f.streams[name].shards {
		if sh.id == id {
			return sh
		}
	}
	return nil
}

// Split closes shard id and adds two children; it returns their ids.
func (f *Fake) Split(name, id string) (string, string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.streams[name]
	p := f.find(name, id)
	p.closed = true
	var kids [2]string
	for k := range kids {
		kids[k] = fmt.Sprintf("shardId-%012d", len(s.shards))
		s.shards = append(s.shards, &shard{id: kids[k], parent: id})
	}
	return kids[0], kids[1]
}

// Trim removes the first n records of shard index i of the stream from
// reach, as retention does: TRIM_HORIZON and positions before them start
// after them, and iterators pointing at them expire.
func (f *Fake) Trim(name string, i, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	sh := f.streams[name].shards[i]
	sh.trimmed = min(max(sh.trimmed, n), len(sh.recs))
}

// Throttle makes the next n GetRecords calls fail with
// ProvisionedThroughputExceededException.
func (f *Fake) Throttle(n int) { f.mu.Lock(); f.throttle = n; f.mu.Unlock() }

// ExpireIterators expires every iterator issued so far.
func (f *Fake) ExpireIterators() { f.mu.Lock(); f.epoch++; f.mu.Unlock() }

// Calls returns how often op was called.
func (f *Fake) Calls(op string) int { f.mu.Lock(); defer f.mu.Unlock(); return f.calls[op] }

// CBORCalls returns how often op was called in CBOR.
func (f *Fake) CBORCalls(op string) int { f.mu.Lock(); defer f.mu.Unlock(); return f.cbor[op] }

type apiError struct {
	status int
	code   string
	msg    string
}

// ServeHTTP serves one Kinesis request, in JSON 1.1 or in CBOR (answered
// in the format it came in).
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "Kinesis_20131202.")
	body, _ := io.ReadAll(r.Body)
	var in map[string]any
	inCBOR := r.Header.Get("Content-Type") == contentTypeCBOR
	if inCBOR {
		_ = cbor.Unmarshal(body, &in)
		for k, v := range in {
			if n, ok := v.(uint64); ok {
				in[k] = float64(n) // as JSON decodes numbers
			}
		}
	} else {
		_ = json.Unmarshal(body, &in)
	}
	f.mu.Lock()
	f.calls[op]++
	if inCBOR {
		f.cbor[op]++
	}
	var out any
	var aerr *apiError
	switch op {
	case "ListShards":
		out, aerr = f.listShards(in)
	case "GetShardIterator":
		out, aerr = f.getShardIterator(in)
	case "GetRecords":
		out, aerr = f.getRecords(in, inCBOR)
	default:
		aerr = &apiError{400, "UnknownOperationException", "kinesistest does not serve " + op}
	}
	f.mu.Unlock()
	// Answers carry their length, as Kinesis sends them: a reader sized
	// from Content-Length, not chunked decoding, is what the engine meets.
	status, b := http.StatusOK, []byte(nil)
	marshal, ctype := json.Marshal, "application/x-amz-json-1.1"
	if inCBOR {
		marshal, ctype = cbor.Marshal, contentTypeCBOR
	}
	switch raw, ok := out.(rawBody); {
	case ok:
		b = raw
	case aerr != nil:
		status = aerr.status
		b, _ = marshal(map[string]string{"__type": aerr.code, "message": aerr.msg})
	default:
		b, _ = marshal(out)
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
	if raw, ok := out.(rawBody); ok {
		putBody(raw)
	}
}

// GetRecords answers are assembled in pooled buffers: a fresh one for
// each answer would cost the server a page fault every 4 KiB, which on a
// virtual machine can be most of what serving the engine costs.
var bodies sync.Pool

// body returns an empty buffer with room for size bytes.
func body(size int) []byte {
	if p, ok := bodies.Get().(*[]byte); ok && cap(*p) >= size {
		return (*p)[:0]
	}
	return make([]byte, 0, size)
}

func putBody(b rawBody) {
	p := []byte(b[:0])
	bodies.Put(&p)
}

func str(in map[string]any, k string) string { s, _ := in[k].(string); return s }

func (f *Fake) streamOf(in map[string]any) (*stream, *apiError) {
	name := str(in, "StreamName")
	if arn := str(in, "StreamARN"); arn != "" {
		name = arn[strings.LastIndex(arn, "/")+1:]
	}
	s, ok := f.streams[name]
	if !ok {
		return nil, &apiError{400, "ResourceNotFoundException", "Stream " + name + " not found"}
	}
	return s, nil
}

func (f *Fake) listShards(in map[string]any) (any, *apiError) {
	name, start := "", 0
	if tok := str(in, "NextToken"); tok != "" {
		if str(in, "StreamName") != "" {
			return nil, &apiError{400, "InvalidArgumentException", "NextToken and StreamName cannot both be given"}
		}
		name, start = tok[:strings.LastIndexByte(tok, '|')], atoi(tok[strings.LastIndexByte(tok, '|')+1:])
		in = map[string]any{"StreamName": name}
	}
	s, err := f.streamOf(in)
	if err != nil {
		return nil, err
	}
	var shards []map[string]any
	end := min(start+f.PageSize, len(s.shards))
	for _, sh := range s.shards[start:end] {
		rng := map[string]any{"StartingSequenceNumber": "49600000000000000000000000000000000000000000000000000000"}
		if sh.closed {
			last := "49600000000000000000000000000000000000000000000000000000"
			if n := len(sh.recs); n > 0 {
				last = sh.recs[n-1].seq
			}
			rng["EndingSequenceNumber"] = last
		}
		m := map[string]any{"ShardId": sh.id, "HashKeyRange": map[string]string{"StartingHashKey": "0", "EndingHashKey": "340282366920938463463374607431768211455"}, "SequenceNumberRange": rng}
		if sh.parent != "" {
			m["ParentShardId"] = sh.parent
		}
		shards = append(shards, m)
	}
	out := map[string]any{"Shards": shards}
	if end < len(s.shards) {
		out["NextToken"] = s.name + "|" + strconv.Itoa(end)
	}
	return out, nil
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

func (f *Fake) iterator(s *stream, sh *shard, pos int) string {
	return base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("%s|%s|%d|%d", s.name, sh.id, pos, f.epoch)))
}

func (f *Fake) getShardIterator(in map[string]any) (any, *apiError) {
	s, err := f.streamOf(in)
	if err != nil {
		return nil, err
	}
	var sh *shard
	for _, x := range s.shards {
		if x.id == str(in, "ShardId") {
			sh = x
		}
	}
	if sh == nil {
		return nil, &apiError{400, "ResourceNotFoundException", "Shard " + str(in, "ShardId") + " not found"}
	}
	seq := str(in, "StartingSequenceNumber")
	pos := 0
	switch str(in, "ShardIteratorType") {
	case "TRIM_HORIZON":
	case "LATEST":
		pos = len(sh.recs)
	case "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER":
		pos = sort.Search(len(sh.recs), func(i int) bool { return cmpSeq(sh.recs[i].seq, seq) >= 0 })
		if str(in, "ShardIteratorType") == "AFTER_SEQUENCE_NUMBER" && pos < len(sh.recs) && sh.recs[pos].seq == seq {
			pos++
		}
	case "AT_TIMESTAMP":
		ts, _ := in["Timestamp"].(float64)
		at := time.UnixMilli(int64(ts * 1000))
		pos = sort.Search(len(sh.recs), func(i int) bool { return !sh.recs[i].at.Before(at) })
	default:
		return nil, &apiError{400, "InvalidArgumentException", "bad ShardIteratorType " + str(in, "ShardIteratorType")}
	}
	pos = max(pos, sh.trimmed)
	return map[string]string{"ShardIterator": f.iterator(s, sh, pos)}, nil
}

func cmpSeq(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}

// contentTypeCBOR is the Content-Type of requests and answers in CBOR.
const contentTypeCBOR = "application/x-amz-cbor-1.1"

// getRecords answers GetRecords in JSON, or in CBOR if inCBOR.
func (f *Fake) getRecords(in map[string]any, inCBOR bool) (any, *apiError) {
	if f.throttle > 0 {
		f.throttle--
		return nil, &apiError{400, "ProvisionedThroughputExceededException", "Rate exceeded for shard"}
	}
	raw, _ := base64.StdEncoding.DecodeString(str(in, "ShardIterator"))
	parts := strings.Split(string(raw), "|")
	if len(parts) != 4 {
		return nil, &apiError{400, "InvalidArgumentException", "bad shard iterator"}
	}
	if atoi(parts[3]) != f.epoch {
		return nil, &apiError{400, "ExpiredIteratorException", "Iterator expired"}
	}
	s := f.streams[parts[0]]
	sh := f.find(parts[0], parts[1])
	pos := atoi(parts[2])
	if pos < sh.trimmed {
		return nil, &apiError{400, "ExpiredIteratorException", "Iterator points at trimmed records"}
	}
	limit := 10000
	if l, ok := in["Limit"].(float64); ok && l > 0 {
		limit = int(l)
	}
	end := min(pos+limit, len(sh.recs))
	behind := int64(0)
	if end < len(sh.recs) {
		behind = max(1, f.clk.Now().Sub(sh.recs[end].at).Milliseconds())
	}
	var kids []map[string]any
	last := sh.closed && end == len(sh.recs)
	if last {
		kids = make([]map[string]any, 0)
		for _, k := range s.shards {
			if k.parent == sh.id {
				kids = append(kids, map[string]any{"ShardId": k.id, "ParentShards": []string{sh.id},
					"HashKeyRange": map[string]string{"StartingHashKey": "0", "EndingHashKey": "1"}})
			}
		}
	}
	if inCBOR {
		return getRecordsCBOR(sh.recs[pos:end], behind, kids, last, f.iterator(s, sh, end), f.CBORDataAsText), nil
	}
	// The response is assembled from the records' encodings directly:
	// encoding/json would re-validate every record on each call.
	size := 128
	for _, r := range sh.recs[pos:end] {
		size += len(r.enc) + 1
	}
	buf := bytes.NewBuffer(body(size))
	buf.WriteString(`{"Records":[`)
	for i, r := range sh.recs[pos:end] {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(r.enc)
	}
	fmt.Fprintf(buf, `],"MillisBehindLatest":%d`, behind)
	if last {
		ck, _ := json.Marshal(kids)
		fmt.Fprintf(buf, `,"ChildShards":%s,"NextShardIterator":null}`, ck)
	} else {
		fmt.Fprintf(buf, `,"NextShardIterator":%q}`, f.iterator(s, sh, end))
	}
	return rawBody(buf.Bytes()), nil
}

// getRecordsCBOR assembles a GetRecords answer in CBOR from the records'
// encodings: the last page of a closed shard has ChildShards and a null
// NextShardIterator, any other next.
func getRecordsCBOR(recs []rec, behind int64, kids []map[string]any, last bool, next string, dataAsText bool) rawBody {
	members := map[string]any{"MillisBehindLatest": behind, "NextShardIterator": next}
	if last {
		members["NextShardIterator"], members["ChildShards"] = nil, kids
	}
	rest, _ := cbor.Marshal(members) // a one-byte map head, then the members
	size := len(rest) + 16
	for _, r := range recs {
		size += len(r.cbor)
	}
	b := body(size)
	b = append(b, rest[0]+1) // one member more: Records
	b = cborwire.AppendText(b, "Records")
	b = cborwire.AppendHead(b, cborwire.Array, uint64(len(recs)))
	for _, r := range recs {
		if dataAsText {
			var m map[string]any
			_ = cbor.Unmarshal(r.cbor, &m)
			m["Data"] = base64.StdEncoding.EncodeToString(m["Data"].([]byte))
			enc, _ := cbor.Marshal(m)
			b = append(b, enc...)
			continue
		}
		b = append(b, r.cbor...)
	}
	return rawBody(append(b, rest[1:]...))
}

// rawBody is a response body that is already encoded.
type rawBody []byte
