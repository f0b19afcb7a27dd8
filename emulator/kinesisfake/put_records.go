package kinesisfake

// PutRecords.
//
// Matches AWS: up to Limits.PutRecordsRecords (500) records and
// Limits.PutRecordsBytes (5 MiB, data plus partition keys) per request,
// otherwise ValidationException / InvalidArgumentException for the whole
// request; MD5 partition-key routing or ExplicitHashKey; a record over the
// record size limit refuses the request; per-shard write rates (1 MiB/s,
// 1,000 records/s) fail single records with ErrorCode
// ProvisionedThroughputExceededException while the others succeed, counted
// in FailedRecordCount; records are stored in request order; with a data
// directory the records are durable before the answer.
// Differs: no record ever fails with InternalFailure; KMS encryption is only
// reported.

import (
	"strconv"

	"github.com/streamcheck/streamcheck/internal/jsontext"
)

type putRecordsEntry struct {
	Data            []byte `json:"Data"`
	ExplicitHashKey string `json:"ExplicitHashKey,omitempty"`
	PartitionKey    string `json:"PartitionKey"`
}

type putRecordsInput struct {
	streamRef
	Records []putRecordsEntry `json:"Records"`
	// scratch is the reusable memory the fast reader decoded Records
	// into, or nil.
	scratch *putRecordsScratch
}

// putResult is the outcome of storing one record.
type putResult struct {
	shard   int
	counter uint64
	errCode string
	errMsg  string
}

type putRecordsResultEntry struct {
	SequenceNumber string `json:"SequenceNumber,omitempty"`
	ShardID        string `json:"ShardId,omitempty"`
	ErrorCode      string `json:"ErrorCode,omitempty"`
	ErrorMessage   string `json:"ErrorMessage,omitempty"`
}

// putRecordsOutput renders itself: JSON by hand on the hot path, CBOR
// through the struct form.
type putRecordsOutput struct {
	createdMs  int64
	encryption string
	results    []putResult
	failed     int
}

func (o *putRecordsOutput) appendJSON(b []byte) []byte {
	b = append(b, `{"EncryptionType":`...)
	b = jsontext.AppendString(b, o.encryption)
	b = append(b, `,"FailedRecordCount":`...)
	b = strconv.AppendInt(b, int64(o.failed), 10)
	b = append(b, `,"Records":[`...)
	for i, r := range o.results {
		if i > 0 {
			b = append(b, ',')
		}
		if r.errCode != "" {
			b = append(b, `{"ErrorCode":`...)
			b = jsontext.AppendString(b, r.errCode)
			b = append(b, `,"ErrorMessage":`...)
			b = jsontext.AppendString(b, r.errMsg)
			b = append(b, '}')
			continue
		}
		b = append(b, `{"SequenceNumber":"`...)
		b = appendSeq(b, r.shard, r.counter, o.createdMs)
		b = append(b, `","ShardId":"`...)
		b = appendShardID(b, r.shard)
		b = append(b, `"}`...)
	}
	return append(b, "]}"...)
}

// MarshalCBOR renders the answer for CBOR clients.
func (o *putRecordsOutput) MarshalCBOR() ([]byte, error) {
	recs := make([]putRecordsResultEntry, len(o.results))
	for i, r := range o.results {
		if r.errCode != "" {
			recs[i] = putRecordsResultEntry{ErrorCode: r.errCode, ErrorMessage: r.errMsg}
			continue
		}
		recs[i] = putRecordsResultEntry{SequenceNumber: formatSeq(r.shard, r.counter, o.createdMs), ShardID: shardIDOf(r.shard)}
	}
	return cborEnc.Marshal(struct {
		EncryptionType    string                  `json:"EncryptionType"`
		FailedRecordCount int                     `json:"FailedRecordCount"`
		Records           []putRecordsResultEntry `json:"Records"`
	}{o.encryption, o.failed, recs})
}

func putRecords(s *Server, c *call, in *putRecordsInput) (any, error) {
	defer in.release() // store copies what it keeps
	lim := s.cfg.limits
	if len(in.Records) == 0 {
		return nil, errValidation("records", "Member must have length greater than or equal to 1", "[]")
	}
	if lim.PutRecordsRecords > 0 && len(in.Records) > lim.PutRecordsRecords {
		return nil, errValidation("records", "Member must have length less than or equal to "+strconv.Itoa(lim.PutRecordsRecords), strconv.Itoa(len(in.Records))+" records")
	}
	st, aerr := s.lookupActive(c, in.StreamName, in.StreamARN)
	if aerr != nil {
		return nil, aerr
	}
	entries := make([]putEntry, len(in.Records))
	total := 0
	maxSize := s.maxRecordSize(st)
	for i := range in.Records {
		r := &in.Records[i]
		e, err := checkRecord(maxSize, i+1, r.PartitionKey, r.ExplicitHashKey, r.Data)
		if err != nil {
			return nil, err
		}
		entries[i] = e
		total += len(r.Data) + len(r.PartitionKey)
	}
	if lim.PutRecordsBytes > 0 && total > lim.PutRecordsBytes {
		return nil, errInvalid("Records size exceeds %d bytes; the request has %d bytes of data and partition keys.", lim.PutRecordsBytes, total)
	}
	out := &putRecordsOutput{createdMs: st.createdMs, results: make([]putResult, len(entries))}
	enc, err := s.store(c, st, entries, out.results, 0)
	if err != nil {
		return nil, err
	}
	out.encryption = enc
	for _, r := range out.results {
		if r.errCode != "" {
			out.failed++
		}
	}
	return out, nil
}

// putEntry is a checked record ready to store.
type putEntry struct {
	hash     u128 // the explicit hash key; see routeHash
	explicit bool
	key      string
	data     []byte
}

// routeHash is the hash key the record is routed by: its explicit hash
// key, or the MD5 of its partition key, computed only when asked (a stream
// with one open shard has no use for it).
func (e *putEntry) routeHash() u128 {
	if e.explicit {
		return e.hash
	}
	return hashPartitionKey(e.key)
}

// maxRecordSize is the largest record (data plus partition key) st takes,
// 0 for no limit.
func (s *Server) maxRecordSize(st *stream) int {
	max := s.cfg.limits.RecordBytes
	st.mu.Lock()
	if st.maxRecordKiB > 0 {
		max = st.maxRecordKiB * 1024
	}
	st.mu.Unlock()
	return max
}

// checkRecord validates one record's key, hash key and size against max
// (see maxRecordSize). member is the record's position in PutRecords
// (from 1), naming it in validation messages, or 0 for PutRecord.
func checkRecord(max, member int, key, explicit string, data []byte) (putEntry, *apiError) {
	name := func(field string) string {
		if member == 0 {
			return field
		}
		return "records." + strconv.Itoa(member) + ".member." + field
	}
	if key == "" {
		return putEntry{}, errMissing(name("partitionKey"))
	}
	if len(key) > 256 {
		return putEntry{}, errValidation(name("partitionKey"), "Member must have length less than or equal to 256", key)
	}
	if data == nil {
		return putEntry{}, errMissing(name("data"))
	}
	if max > 0 && len(data)+len(key) > max {
		return putEntry{}, errValidation(name("data"), "Member must have length less than or equal to "+strconv.Itoa(max)+" bytes of data plus partition key", strconv.Itoa(len(data)+len(key))+" bytes")
	}
	e := putEntry{key: key, data: data}
	if explicit != "" {
		if !validSeqSyntax(explicit) || len(explicit) > 39 {
			return putEntry{}, errValidation(name("explicitHashKey"), "Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})", explicit)
		}
		h, ok := parseHashKey(explicit)
		if !ok {
			return putEntry{}, errInvalid("Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was %s", explicit)
		}
		e.hash, e.explicit = h, true
	}
	return e, nil
}

// store appends entries to st under one lock, applying the per-shard write
// rates, logs them durably when persistent, and fills results. minCounter,
// when not zero, is the lowest counter the first record may get
// (SequenceNumberForOrdering). It returns the stream's encryption type.
func (s *Server) store(c *call, st *stream, entries []putEntry, results []putResult, minCounter uint64) (string, error) {
	lim := s.cfg.limits
	nowMs := c.now.UnixMilli()
	sec := nowMs / 1000
	var frame *recsFrame
	st.mu.Lock()
	if st.deleted {
		st.mu.Unlock()
		return "", errStreamNotFound(st.name, s.cfg.AccountID)
	}
	if s.wal != nil {
		hint := 0
		for _, e := range entries {
			hint += 26 + len(e.key) + len(e.data)
		}
		frame = newRecsFrame(st, hint)
	}
	if minCounter > st.nextCounter {
		st.nextCounter = minCounter
	}
	cutoff := st.retentionCutoff(c.now)
	// With one open shard over the whole key space every record goes there.
	var only *shard
	if len(st.open) == 1 && st.open[0].start == (u128{}) && st.open[0].end == maxHashKey {
		only = st.open[0]
	}
	for i := range entries {
		e := &entries[i]
		sh := only
		if sh == nil {
			sh = st.route(e.routeHash())
		}
		if sh == nil {
			results[i] = putResult{errCode: codeInternalFailure, errMsg: "no open shard covers the hash key"}
			continue
		}
		size := len(e.key) + len(e.data)
		if sh.wWin != sec {
			sh.wWin, sh.wBytes, sh.wRecs = sec, 0, 0
		}
		if (lim.ShardWriteRecordsPerSecond > 0 && sh.wRecs+1 > lim.ShardWriteRecordsPerSecond) ||
			(lim.ShardWriteBytesPerSecond > 0 && sh.wBytes > 0 && sh.wBytes+size > lim.ShardWriteBytesPerSecond) {
			results[i] = putResult{shard: sh.idx, errCode: codeProvisionedThroughput,
				errMsg: "Rate exceeded for shard " + shardIDOf(sh.idx) + " in stream " + st.name + " under account " + s.cfg.AccountID + "."}
			continue
		}
		sh.wRecs++
		sh.wBytes += size
		sh.trim(cutoff)
		r := sh.append(st.nextCounter, nowMs, e.key, e.data)
		st.nextCounter++
		results[i] = putResult{shard: sh.idx, counter: r.counter}
		if frame != nil {
			frame.add(sh.idx, r, e.key, e.data)
		}
	}
	enc := st.encryptionType()
	var off int64
	var err error
	if frame != nil && frame.count > 0 {
		off, err = s.wal.Append(frame.b)
	}
	st.wake()
	st.mu.Unlock()
	if err == nil && off > 0 {
		err = s.wal.Sync(off)
	}
	if err != nil {
		return "", newError(codeInternalFailure, "writing records of stream %s to the data log: %v", st.name, err)
	}
	return enc, nil
}
