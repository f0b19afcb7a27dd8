package source_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/fxamacker/cbor/v2"

	"github.com/streamcheck/streamcheck/engine/source"
	"github.com/streamcheck/streamcheck/internal/sdkhttp"
)

// toCBOR renders out as Kinesis answers in CBOR, with a CBOR library of
// its own: members present only where out has them, Data as a byte string,
// arrival times as tag 1 over epoch milliseconds.
func toCBOR(t testing.TB, out *kinesis.GetRecordsOutput) []byte {
	t.Helper()
	m := map[string]any{}
	if out.Records != nil {
		recs := make([]any, len(out.Records))
		for i, r := range out.Records {
			rec := map[string]any{}
			if r.Data != nil {
				rec["Data"] = r.Data
			}
			if r.PartitionKey != nil {
				rec["PartitionKey"] = *r.PartitionKey
			}
			if r.SequenceNumber != nil {
				rec["SequenceNumber"] = *r.SequenceNumber
			}
			if r.ApproximateArrivalTimestamp != nil {
				rec["ApproximateArrivalTimestamp"] = cbor.Tag{Number: 1, Content: r.ApproximateArrivalTimestamp.UnixMilli()}
			}
			if r.EncryptionType != "" {
				rec["EncryptionType"] = string(r.EncryptionType)
			}
			recs[i] = rec
		}
		m["Records"] = recs
	}
	if out.NextShardIterator != nil {
		m["NextShardIterator"] = *out.NextShardIterator
	}
	if out.MillisBehindLatest != nil {
		m["MillisBehindLatest"] = *out.MillisBehindLatest
	}
	if out.ChildShards != nil {
		kids := make([]any, len(out.ChildShards))
		for i, c := range out.ChildShards {
			kid := map[string]any{}
			if c.ShardId != nil {
				kid["ShardId"] = *c.ShardId
			}
			if c.ParentShards != nil {
				kid["ParentShards"] = c.ParentShards
			}
			if h := c.HashKeyRange; h != nil {
				r := map[string]any{}
				if h.StartingHashKey != nil {
					r["StartingHashKey"] = *h.StartingHashKey
				}
				if h.EndingHashKey != nil {
					r["EndingHashKey"] = *h.EndingHashKey
				}
				kid["HashKeyRange"] = r
			}
			kids[i] = kid
		}
		m["ChildShards"] = kids
	}
	b, err := cbor.Marshal(m)
	if err != nil {
		t.Fatalf("encode CBOR: %v", err)
	}
	return b
}

// checkCBOR decodes body, in CBOR, both ways the source does and says how
// it differs from want ("" if it does not).
func checkCBOR(body []byte, want *kinesis.GetRecordsOutput) string {
	got, err := source.DecodeCBOR(body)
	if err != nil {
		return fmt.Sprintf("decoding %x: %v", body, err)
	}
	if !sameOutput(got, want) {
		return fmt.Sprintf("decoding %x:\n got:%s\nwant:%s", body, render(got), render(want))
	}
	rest, recs, err := source.DecodeCBORAsPage(body, pageOrigin)
	if err != nil {
		return fmt.Sprintf("decoding %x as a page: %v", body, err)
	}
	w := *want
	w.Records = nil
	if !sameOutput(rest, &w) {
		return fmt.Sprintf("decoding %x as a page: output\n got:%s\nwant:%s", body, render(rest), render(&w))
	}
	if wr := source.SDKRecords(want.Records, pageOrigin); !sameRecords(recs, wr) {
		return fmt.Sprintf("decoding %x as a page: records\n got:%+v\nwant:%+v", body, recs, wr)
	}
	return ""
}

// Every response the JSON tests decode, sent in CBOR instead, decodes to
// the same output and the same page. (Arrival times are at millisecond
// precision in both.)
func TestDecodeCBORMatchesJSON(t *testing.T) {
	for _, tc := range getRecordsBodies {
		t.Run(tc.name, func(t *testing.T) {
			want, err := source.DecodeGetRecords([]byte(tc.body))
			if err != nil {
				t.Fatalf("decode the JSON: %v", err)
			}
			// CBOR carries arrival times in whole milliseconds; JSON's
			// seconds can say more past the year 2255.
			for i, r := range want.Records {
				if at := r.ApproximateArrivalTimestamp; at != nil {
					ms := time.UnixMilli(at.UnixMilli()).UTC()
					want.Records[i].ApproximateArrivalTimestamp = &ms
				}
			}
			body := toCBOR(t, want)
			if tc.body == "" {
				body = nil // an empty body is an empty output in CBOR too
			}
			if msg := checkCBOR(body, want); msg != "" {
				t.Error(msg)
			}
		})
	}
}

// raw is CBOR given in hex (spaces ignored) for enc.
type raw string

// enc builds a CBOR body: a string is a definite text string, []byte a
// definite byte string, an int an integer, a float64 a double, and raw is
// copied as it is (heads, breaks, simple values).
func enc(t testing.TB, parts ...any) []byte {
	t.Helper()
	var b []byte
	head := func(major byte, n uint64) {
		var h []byte
		h, _ = cbor.Marshal(n)
		h[0] |= major << 5
		b = append(b, h...)
	}
	for _, p := range parts {
		switch v := p.(type) {
		case raw:
			h, err := hex.DecodeString(strings.ReplaceAll(string(v), " ", ""))
			if err != nil {
				t.Fatalf("bad hex %q: %v", v, err)
			}
			b = append(b, h...)
		case string:
			head(3, uint64(len(v)))
			b = append(b, v...)
		case []byte:
			head(2, uint64(len(v)))
			b = append(b, v...)
		case int:
			if v < 0 {
				head(1, uint64(-1-v))
			} else {
				head(0, uint64(v))
			}
		case float64:
			f, _ := cbor.Marshal(v)
			b = append(b, f...)
		default:
			t.Fatalf("enc: unsupported %T", p)
		}
	}
	return b
}

// The forms CBOR allows beyond what toCBOR's library writes: indefinite
// lengths, chunked strings, floats, untagged times, null, undefined,
// unknown tagged members.
func TestDecodeCBORForms(t *testing.T) {
	const at = "ApproximateArrivalTimestamp"
	for _, tc := range []struct {
		name string
		cbor []any
		json string
	}{
		{"indefinite map and array", []any{raw("bf"), "Records", raw("9f bf"), "Data", []byte("A"), "PartitionKey", "k", raw("ff ff"), "MillisBehindLatest", 7, raw("ff")},
			`{"Records":[{"Data":"QQ==","PartitionKey":"k"}],"MillisBehindLatest":7}`},
		{"chunked data, key and text", []any{raw("a1"), "Records", raw("81 a2"), "Data", raw("5f"), []byte("AB"), []byte("C"), raw("ff"),
			raw("7f"), "Partition", "Key", raw("ff"), raw("7f"), "p", "k", raw("ff")},
			`{"Records":[{"Data":"QUJD","PartitionKey":"pk"}]}`},
		{"float and untagged times", []any{raw("a1"), "Records", raw("83"),
			raw("a1"), at, raw("c1"), 1763818209123.0,
			raw("a1"), at, 1500,
			raw("a1"), at, raw("c1 f9 3e00")}, // half-precision 1.5 ms
			`{"Records":[{"ApproximateArrivalTimestamp":1763818209.123},{"ApproximateArrivalTimestamp":1.5},{"ApproximateArrivalTimestamp":0.001}]}`},
		{"null and undefined", []any{raw("a3"), "NextShardIterator", raw("f6"), "MillisBehindLatest", raw("f7"), "Records", raw("81 f6")},
			`{"NextShardIterator":null,"MillisBehindLatest":null,"Records":[null]}`},
		{"unknown members skipped", []any{raw("a2"), "X", raw("c1 a1"), "a", raw("84"), []byte{0}, -5, raw("f9 3e00 f5"), "NextShardIterator", "it"},
			`{"X":{"a":["AA==",-5,1.5,true]},"NextShardIterator":"it"}`},
		{"child shards", []any{raw("a1"), "ChildShards", raw("81 a3"), "ShardId", "s-2", "ParentShards", raw("82"), "s-0", "s-1",
			"HashKeyRange", raw("a2"), "StartingHashKey", "0", "EndingHashKey", "9"},
			`{"ChildShards":[{"ShardId":"s-2","ParentShards":["s-0","s-1"],"HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"9"}}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, err := source.DecodeGetRecords([]byte(tc.json))
			if err != nil {
				t.Fatalf("decode the JSON: %v", err)
			}
			if msg := checkCBOR(enc(t, tc.cbor...), want); msg != "" {
				t.Error(msg)
			}
		})
	}
}

// checkCBOR must be able to fail.
func TestCheckCBORRejectsDifferences(t *testing.T) {
	want, err := source.DecodeGetRecords([]byte(`{"Records":[{"Data":"QQ==","PartitionKey":"k"}],"MillisBehindLatest":7}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range [][]byte{
		enc(t, raw("a2"), "Records", raw("81 a2"), "Data", []byte("B"), "PartitionKey", "k", "MillisBehindLatest", 7),
		enc(t, raw("a2"), "Records", raw("81 a2"), "Data", []byte("A"), "PartitionKey", "j", "MillisBehindLatest", 7),
		enc(t, raw("a2"), "Records", raw("81 a2"), "Data", []byte("A"), "PartitionKey", "k", "MillisBehindLatest", 8),
		enc(t, raw("a1"), "Records", raw("81 a2"), "Data", []byte("A"), "PartitionKey", "k"),
	} {
		if checkCBOR(body, want) == "" {
			t.Errorf("checkCBOR(%x) found no difference", body)
		}
	}
}

func TestDecodeCBORErrors(t *testing.T) {
	deep := append(bytes.Repeat([]byte{0x81}, 1200), 0x00)
	for _, tc := range []struct {
		name      string
		body      []byte
		offset    int
		path, msg string
	}{
		{"truncated string", enc(t, raw("a1"), "Records", raw("81 a1"), "PartitionKey", raw("65 6162")), 24, "Records[0].PartitionKey", "truncated CBOR string: 5 bytes declared, 2 left"},
		{"truncated head", enc(t, raw("a1"), "MillisBehindLatest", raw("1a 0000")), 20, "MillisBehindLatest", "truncated CBOR item"},
		{"data as text", enc(t, raw("a1"), "Records", raw("81 a1"), "Data", "QQ=="), 16, "Records[0].Data", "expected a byte string, found a text string"},
		{"records not an array", enc(t, raw("a1"), "Records", raw("a0")), 9, "Records", "expected an array, found a map"},
		{"record not a map", enc(t, raw("a1"), "Records", raw("81"), 1), 10, "Records[0]", "expected a map, found an unsigned integer"},
		{"key not text", enc(t, raw("a1 01 02")), 1, "", "expected a text string as a map key, found an unsigned integer"},
		{"millis not an integer", enc(t, raw("a1"), "MillisBehindLatest", "5"), 20, "MillisBehindLatest", "expected an integer, found a text string"},
		{"millis overflow", enc(t, raw("a1"), "MillisBehindLatest", raw("1b ffffffffffffffff")), 20, "MillisBehindLatest", "out of the range of a 64-bit integer"},
		{"time with another tag", enc(t, raw("a1"), "Records", raw("81 a1"), "ApproximateArrivalTimestamp", raw("c0"), "2026"), 40, "Records[0].ApproximateArrivalTimestamp", "expected tag 1"},
		{"time NaN", enc(t, raw("a1"), "Records", raw("81 a1"), "ApproximateArrivalTimestamp", raw("f9 7e00")), 40, "Records[0].ApproximateArrivalTimestamp", "out of range"},
		{"stray break", enc(t, raw("a1"), "Records", raw("ff")), 9, "Records", "unexpected break code"},
		{"reserved initial byte", enc(t, raw("a1"), "X", raw("1c")), 3, "X", "malformed CBOR: initial byte 0x1c"},
		{"chunk of another type", enc(t, raw("a1"), "NextShardIterator", raw("7f"), []byte("a"), raw("ff")), 20, "NextShardIterator", "expected a definite-length chunk of a text string, found a byte string"},
		{"unterminated map", enc(t, raw("bf"), "NextShardIterator", "it"), 22, "", "expected a text string as a map key, found end of input"},
		{"count past the body", enc(t, raw("a1"), "Records", raw("9b 7fffffffffffffff"), raw("a0")), 19, "Records[1]", "expected a value, found end of input"},
		{"deep nesting", append(enc(t, raw("a1"), "X"), deep...), 1002, "X", "nested deeper than 1000"},
		{"trailing data", enc(t, raw("a0 00")), 1, "", "unexpected an unsigned integer (byte 0x00) after the response object"},
		{"not a map", enc(t, raw("80")), 0, "", "expected a map, found an array"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := source.DecodeCBOR(tc.body)
			if _, _, perr := source.DecodeCBORAsPage(tc.body, pageOrigin); fmt.Sprint(perr) != fmt.Sprint(err) {
				t.Errorf("decoding as a page: error %v, want %v", perr, err)
			}
			var de *source.DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("DecodeCBOR(%x) error = %v, want a *DecodeError", tc.body, err)
			}
			if de.Offset != tc.offset || de.Path != tc.path || !strings.Contains(de.Msg, tc.msg) {
				t.Errorf("DecodeCBOR(%x) error = offset %d, path %q, msg %q; want offset %d, path %q, msg containing %q",
					tc.body, de.Offset, de.Path, de.Msg, tc.offset, tc.path, tc.msg)
			}
		})
	}
}

// FuzzGetRecordsDecodeCBOR checks that the CBOR decoder, on any input,
// either returns a *DecodeError at an offset in the body or decodes it,
// its page then holding the same records as its output (and never panics).
func FuzzGetRecordsDecodeCBOR(f *testing.F) {
	for _, tc := range getRecordsBodies {
		if out, err := source.DecodeGetRecords([]byte(tc.body)); err == nil && tc.name != "large data" {
			f.Add(toCBOR(f, out))
		}
	}
	f.Add(enc(f, raw("bf"), "Records", raw("9f bf"), "Data", raw("5f"), []byte("AB"), raw("ff"), "ApproximateArrivalTimestamp", raw("c1 f9 3e00 ff ff ff")))
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := source.DecodeCBOR(body)
		if _, _, perr := source.DecodeCBORAsPage(body, pageOrigin); fmt.Sprint(perr) != fmt.Sprint(err) {
			t.Fatalf("decoding %x as a page: error %v, want %v", body, perr, err)
		}
		if err != nil {
			var de *source.DecodeError
			if !errors.As(err, &de) || de.Offset < 0 || de.Offset > len(body) {
				t.Fatalf("DecodeCBOR(%x) error %v: want a *DecodeError with an offset in the body", body, err)
			}
			return
		}
		if msg := checkCBOR(body, got); msg != "" {
			t.Fatal(msg)
		}
	})
}

// cborKinesis answers GetRecords in CBOR to requests sent in CBOR, keeping
// the last request's members.
type cborKinesis struct {
	mu     sync.Mutex
	status int
	body   []byte
	ctype  string
	got    map[string]any
	gotCT  string
}

func (c *cborKinesis) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gotCT = r.Header.Get("Content-Type")
	c.got = nil
	var in map[string]any
	if err := cbor.NewDecoder(r.Body).Decode(&in); err == nil {
		c.got = in
	}
	w.Header().Set("Content-Type", c.ctype)
	w.WriteHeader(c.status)
	_, _ = w.Write(c.body)
}

// The source's GetRecords goes out in CBOR through the SDK's client
// (signed, retried) and comes back in CBOR: records, errors as the SDK's
// typed errors, and a JSON answer to a CBOR request all decode.
func TestGetRecordsCBORThroughClient(t *testing.T) {
	srv := &cborKinesis{}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	kc := kinesis.New(kinesis.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(hs.URL),
		Credentials:      aws.AnonymousCredentials{},
		RetryMaxAttempts: 1,
		HTTPClient:       sdkhttp.Client(),
	})
	call := func() (*kinesis.GetRecordsOutput, []source.Record, error) {
		opt, page := source.CBORGetRecords(pageOrigin)
		out, err := kc.GetRecords(t.Context(), &kinesis.GetRecordsInput{ShardIterator: aws.String("it-1"), Limit: aws.Int32(500)}, opt)
		if err != nil {
			return nil, nil, err
		}
		return out, page(out), nil
	}
	want, err := source.DecodeGetRecords([]byte(getRecordsBodies[0].body))
	if err != nil {
		t.Fatal(err)
	}

	srv.status, srv.ctype, srv.body = http.StatusOK, "application/x-amz-cbor-1.1", toCBOR(t, want)
	out, recs, err := call()
	if err != nil {
		t.Fatalf("GetRecords in CBOR: %v", err)
	}
	if srv.gotCT != "application/x-amz-cbor-1.1" || srv.got["ShardIterator"] != "it-1" || srv.got["Limit"] != uint64(500) {
		t.Errorf("request: Content-Type %q, members %v; want CBOR with ShardIterator it-1 and Limit 500", srv.gotCT, srv.got)
	}
	if *out.NextShardIterator != *want.NextShardIterator || *out.MillisBehindLatest != *want.MillisBehindLatest {
		t.Errorf("output %s, want %s", render(out), render(want))
	}
	if wr := source.SDKRecords(want.Records, pageOrigin); !sameRecords(recs, wr) {
		t.Errorf("records\n got:%+v\nwant:%+v", recs, wr)
	}

	// An endpoint that answers in JSON all the same is read as JSON.
	srv.ctype, srv.body = "application/x-amz-json-1.1", []byte(getRecordsBodies[0].body)
	if _, recs, err = call(); err != nil || !sameRecords(recs, source.SDKRecords(want.Records, pageOrigin)) {
		t.Errorf("JSON answer to a CBOR request: err %v, records %+v", err, recs)
	}

	// Errors in CBOR arrive as the SDK's typed errors.
	srv.status, srv.ctype = http.StatusBadRequest, "application/x-amz-cbor-1.1"
	srv.body = enc(t, raw("a2"), "__type", "ExpiredIteratorException", "message", "Iterator expired. The iterator was created at time x")
	_, _, err = call()
	var expired *types.ExpiredIteratorException
	if !errors.As(err, &expired) || !strings.Contains(expired.ErrorMessage(), "Iterator expired") {
		t.Errorf("CBOR ExpiredIteratorException: got %v (%T), want *types.ExpiredIteratorException with its message", err, err)
	}
	srv.body = enc(t, raw("a1"), "__type", "ProvisionedThroughputExceededException")
	var throttled *types.ProvisionedThroughputExceededException
	if _, _, err = call(); !errors.As(err, &throttled) || !source.Retryable(err) {
		t.Errorf("CBOR throttling: got %v (%T), want a retryable *types.ProvisionedThroughputExceededException", err, err)
	}
	// An error body that is not CBOR reaches the SDK as it is: still an
	// error, never a success.
	srv.body = []byte("not cbor")
	if _, _, err = call(); err == nil {
		t.Error("a malformed CBOR error body: no error")
	}
}
