package source_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/schemas"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/aws/smithy-go/transport/http/protocol/awsjson"

	"github.com/streamcheck/streamcheck/engine/source"
)

// sdkDecode decodes body with the SDK's own awsJson1.1 deserializer for
// GetRecords, as a kinesis.Client does without AddGetRecordsDecoder.
func sdkDecode(body []byte) (out *kinesis.GetRecordsOutput, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("SDK deserializer panicked: %v", r)
		}
	}()
	out = &kinesis.GetRecordsOutput{}
	resp := &smithyhttp.Response{Response: &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(bytes.NewReader(body))}}
	op := smithy.NewOperationSchema(schemas.GetRecords, schemas.GetRecordsInput, schemas.GetRecordsOutput)
	if err := awsjson.New11(schemas.Kinesis_20131202).DeserializeResponse(context.Background(), op, kinesis.TypeRegistry, resp, out); err != nil {
		return nil, err
	}
	return out, nil
}

// render spells out every field of an output, nil and empty apart, so a
// mismatch is readable.
func render(o *kinesis.GetRecordsOutput) string {
	var b strings.Builder
	ptr := func(name string, p *string) {
		if p == nil {
			fmt.Fprintf(&b, " %s=nil", name)
		} else {
			fmt.Fprintf(&b, " %s=%q", name, *p)
		}
	}
	ptr("NextShardIterator", o.NextShardIterator)
	if o.MillisBehindLatest == nil {
		b.WriteString(" MillisBehindLatest=nil")
	} else {
		fmt.Fprintf(&b, " MillisBehindLatest=%d", *o.MillisBehindLatest)
	}
	if o.Records == nil {
		b.WriteString(" Records=nil")
	} else {
		fmt.Fprintf(&b, " Records(%d)=[", len(o.Records))
		for _, r := range o.Records {
			b.WriteString("{")
			if r.Data == nil {
				b.WriteString("Data=nil")
			} else {
				fmt.Fprintf(&b, "Data=%q", r.Data)
			}
			ptr("PartitionKey", r.PartitionKey)
			ptr("SequenceNumber", r.SequenceNumber)
			if r.ApproximateArrivalTimestamp == nil {
				b.WriteString(" At=nil")
			} else {
				fmt.Fprintf(&b, " At=%s/%d", r.ApproximateArrivalTimestamp.Format("2006-01-02T15:04:05.999999999Z07:00"), r.ApproximateArrivalTimestamp.UnixNano())
			}
			fmt.Fprintf(&b, " Enc=%q}", r.EncryptionType)
		}
		b.WriteString("]")
	}
	if o.ChildShards == nil {
		b.WriteString(" ChildShards=nil")
	} else {
		fmt.Fprintf(&b, " ChildShards(%d)=[", len(o.ChildShards))
		for _, c := range o.ChildShards {
			b.WriteString("{")
			ptr("ShardId", c.ShardId)
			if c.ParentShards == nil {
				b.WriteString(" Parents=nil")
			} else {
				fmt.Fprintf(&b, " Parents=%q", c.ParentShards)
			}
			if c.HashKeyRange == nil {
				b.WriteString(" Range=nil")
			} else {
				ptr(" Start", c.HashKeyRange.StartingHashKey)
				ptr(" End", c.HashKeyRange.EndingHashKey)
			}
			b.WriteString("}")
		}
		b.WriteString("]")
	}
	return b.String()
}

// sameOutput reports whether two outputs are equal field by field (the
// ResultMetadata aside).
func sameOutput(a, b *kinesis.GetRecordsOutput) bool {
	x, y := *a, *b
	x.ResultMetadata, y.ResultMetadata = middleware.Metadata{}, middleware.Metadata{}
	return reflect.DeepEqual(x, y) && render(a) == render(b)
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

var bigData = func() string {
	r := rand.New(rand.NewPCG(1, 2))
	p := make([]byte, 1<<20)
	for i := range p {
		p[i] = byte(r.Uint32())
	}
	return base64.StdEncoding.EncodeToString(p)
}()

// getRecordsBodies are response bodies on which the decoder must agree with
// the SDK.
var getRecordsBodies = []struct{ name, body string }{
	{"typical", `{"Records":[{"Data":"` + b64(`{"ventilatorid":1}`) + `","PartitionKey":"pk-1","SequenceNumber":"49600000000000000000000000000000000000000000000000000001","ApproximateArrivalTimestamp":1.763818209123E9},` +
		`{"Data":"` + b64("x") + `","PartitionKey":"pk-2","SequenceNumber":"49600000000000000000000000000000000000000000000000000002","ApproximateArrivalTimestamp":1763818209.5,"EncryptionType":"NONE"}],` +
		`"NextShardIterator":"AAAAAAAAAAF+/=","MillisBehindLatest":1234}`},
	{"empty body", ``},
	{"empty object", `{}`},
	{"empty records", `{"Records":[],"NextShardIterator":"it","MillisBehindLatest":0}`},
	{"null members", `{"Records":null,"NextShardIterator":null,"MillisBehindLatest":null,"ChildShards":null}`},
	{"null record", `{"Records":[null,{"Data":null,"PartitionKey":null,"SequenceNumber":null,"ApproximateArrivalTimestamp":null,"EncryptionType":null},{}]}`},
	{"whitespace", " \t\r\n{ \"Records\" : [ { \"Data\" : \"" + b64("ab") + "\" , \"PartitionKey\" : \"k\" } ] , \"MillisBehindLatest\" : 7 } \n"},
	{"escapes in strings", `{"Records":[{"Data":"","PartitionKey":"q\"b\\s\/b\bf\fn\nr\rt\t","SequenceNumber":"\u0031\u0032"}],"NextShardIterator":"a\u00e9\u4e16b"}`},
	{"surrogate pair", `{"Records":[{"PartitionKey":"\ud83d\ude00 smile"}]}`},
	{"lone surrogates", `{"Records":[{"PartitionKey":"\ud800x"},{"PartitionKey":"\udc00"},{"PartitionKey":"\ud800\u0041"},{"PartitionKey":"\ud83d\ud83d\ude00"}]}`},
	{"raw unicode", `{"Records":[{"PartitionKey":"grüße 世界 😀"}]}`},
	{"invalid UTF-8 raw", "{\"Records\":[{\"PartitionKey\":\"a\xff\xfeb\"}]}"},
	{"invalid UTF-8 escaped", "{\"Records\":[{\"PartitionKey\":\"\\n\xffb\xc3\"}]}"},
	{"go json escapes", `{"Records":[{"PartitionKey":"\u003cb\u003e \u0026 \u2028"}]}`},
	{"escaped base64", `{"Records":[{"Data":"` + strings.ReplaceAll(base64.StdEncoding.EncodeToString([]byte{0xfb, 0xff, 0xbf, 0xfe}), "/", `\/`) + `"}]}`},
	{"escaped base64 newline", `{"Records":[{"Data":"QU\nJD\r\n"}]}`},
	{"unicode escaped base64", `{"Records":[{"Data":"\u0051\u0051\u003d\u003d"}]}`},
	{"empty data", `{"Records":[{"Data":""},{"Data":"","PartitionKey":""}]}`},
	{"large data", `{"Records":[{"Data":"` + bigData + `","PartitionKey":"big"},{"Data":"` + bigData[:4000] + `"}]}`},
	{"unknown members", `{"Extra":{"a":[1,2.5e-3,{"b":null,"c":[true,false,"s\"}]"]}],"d":{}},"Records":[{"Future":[[[]]],"Data":"` + b64("v") + `","X":-0.0E+1,"Y":"\ud83d\ude00"}],"Z":[],"W":"}"}`},
	{"unknown null and literals", `{"A":null,"B":true,"C":false,"D":0,"E":-12,"Records":[{"F":null}]}`},
	{"escaped member names", `{"Rec\u006frds":[{"D\u0061ta":"` + b64("e") + `","Partition\u004bey":"k"}],"\u004dillisBehindLatest":3}`},
	{"duplicate members", `{"MillisBehindLatest":1,"MillisBehindLatest":2,"Records":[{"PartitionKey":"a"}],"Records":[{"PartitionKey":"b","PartitionKey":"c","Data":"` + b64("1") + `","Data":"` + b64("2") + `"}],"NextShardIterator":"x","NextShardIterator":null}`},
	{"timestamps", `{"Records":[{"ApproximateArrivalTimestamp":0},{"ApproximateArrivalTimestamp":1763818209},{"ApproximateArrivalTimestamp":1.7638182091239999E9},` +
		`{"ApproximateArrivalTimestamp":1.0005},{"ApproximateArrivalTimestamp":-1.5},{"ApproximateArrivalTimestamp":1e11},{"ApproximateArrivalTimestamp":-0},` +
		`{"ApproximateArrivalTimestamp":12345678901234567890},{"ApproximateArrivalTimestamp":1.7e-300},{"ApproximateArrivalTimestamp":8999999999.9999}]}`},
	{"millis", `{"MillisBehindLatest":-0}`},
	{"millis max", `{"MillisBehindLatest":9223372036854775807}`},
	{"millis min", `{"MillisBehindLatest":-9223372036854775808}`},
	{"encryption types", `{"Records":[{"EncryptionType":"KMS"},{"EncryptionType":"NONE"},{"EncryptionType":"FUTURE"},{"EncryptionType":""}]}`},
	{"child shards", `{"Records":[],"MillisBehindLatest":0,"ChildShards":[{"ShardId":"shardId-000000000004","ParentShards":["shardId-000000000001"],"HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"170141183460469231731687303715884105727"}},` +
		`{"ShardId":"shardId-000000000005","ParentShards":["shardId-000000000001","shardId-000000000002"],"HashKeyRange":{"StartingHashKey":"1","EndingHashKey":"2","Other":1}}]}`},
	{"child shard nulls", `{"ChildShards":[null,{},{"ShardId":null,"ParentShards":[null,"p"],"HashKeyRange":null},{"HashKeyRange":{},"ParentShards":[]},{"HashKeyRange":{"StartingHashKey":null}}]}`},
}

func TestDecodeGetRecordsMatchesSDK(t *testing.T) {
	for _, tc := range getRecordsBodies {
		t.Run(tc.name, func(t *testing.T) {
			want, err := sdkDecode([]byte(tc.body))
			if err != nil {
				t.Fatalf("SDK decoder: %v (the case must be valid)", err)
			}
			got, err := source.DecodeGetRecords([]byte(tc.body))
			if err != nil {
				t.Fatalf("DecodeGetRecords: %v", err)
			}
			if !sameOutput(got, want) {
				t.Errorf("DecodeGetRecords differs from the SDK\n got:%s\nwant:%s", render(got), render(want))
			}
			if msg := checkPage([]byte(tc.body), got); msg != "" {
				t.Error(msg)
			}
		})
	}
}

var pageOrigin = &source.Origin{ShardID: "shardId-000000000001", Partition: -1}

// checkPage decodes body as the Kinesis source does, into a page, and says
// how it differs from out, DecodeGetRecords's output for the same body
// ("" if it does not): the other members alike, and the page's records
// those the source makes from out's.
func checkPage(body []byte, out *kinesis.GetRecordsOutput) string {
	rest, recs, err := source.DecodeAsPage(body, pageOrigin)
	if err != nil {
		return fmt.Sprintf("decoding %q as a page: %v", body, err)
	}
	want := *out
	want.Records = nil
	if !sameOutput(rest, &want) {
		return fmt.Sprintf("decoding %q as a page: output\n got:%s\nwant:%s", body, render(rest), render(&want))
	}
	if !sameRecords(recs, source.SDKRecords(out.Records, pageOrigin)) {
		return fmt.Sprintf("decoding %q as a page: records\n got:%+v\nwant:%+v", body, recs, source.SDKRecords(out.Records, pageOrigin))
	}
	return ""
}

// sameRecords reports whether two record lists are equal field by field.
func sameRecords(a, b []source.Record) bool { return reflect.DeepEqual(a, b) }

// The comparison of pages must be able to fail.
func TestSameRecordsRejectsDifferences(t *testing.T) {
	body := []byte(getRecordsBodies[0].body)
	for _, tc := range []struct {
		name   string
		change func(r *source.Record)
	}{
		{"data byte", func(r *source.Record) { r.Data = append([]byte{r.Data[0] + 1}, r.Data[1:]...) }},
		{"nil vs empty data", func(r *source.Record) { r.Data = r.Data[:0] }},
		{"partition key", func(r *source.Record) { r.PartitionKey += "x" }},
		{"sequence number", func(r *source.Record) { r.SequenceNumber = "1" }},
		{"arrival time", func(r *source.Record) { r.SetArrivalTime(r.ArrivalTime().Add(time.Millisecond)) }},
		{"origin", func(r *source.Record) { *r = source.NewRecord(r.Data, &source.Origin{Partition: -1}, r.ArrivalTime()) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, a, err := source.DecodeAsPage(body, pageOrigin)
			if err != nil {
				t.Fatal(err)
			}
			_, b, _ := source.DecodeAsPage(body, pageOrigin)
			if !sameRecords(a, b) {
				t.Fatalf("two decodes of one body differ")
			}
			tc.change(&b[1])
			if sameRecords(a, b) {
				t.Errorf("sameRecords did not see the change")
			}
		})
	}
}

// The comparison itself must be able to fail.
func TestSameOutputRejectsDifferences(t *testing.T) {
	body := []byte(getRecordsBodies[0].body)
	for _, tc := range []struct {
		name   string
		change func(o *kinesis.GetRecordsOutput)
	}{
		{"data byte", func(o *kinesis.GetRecordsOutput) { o.Records[0].Data[0]++ }},
		{"nil vs empty data", func(o *kinesis.GetRecordsOutput) { o.Records[0].Data = nil }},
		{"arrival time", func(o *kinesis.GetRecordsOutput) {
			*o.Records[1].ApproximateArrivalTimestamp = o.Records[1].ApproximateArrivalTimestamp.Add(1)
		}},
		{"nil vs empty records", func(o *kinesis.GetRecordsOutput) { o.Records = o.Records[:0] }},
		{"encryption type", func(o *kinesis.GetRecordsOutput) { o.Records[0].EncryptionType = types.EncryptionTypeNone }},
		{"child shards", func(o *kinesis.GetRecordsOutput) { o.ChildShards = []types.ChildShard{} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := source.DecodeGetRecords(body)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := source.DecodeGetRecords(body)
			if !sameOutput(a, b) {
				t.Fatalf("two decodes of one body differ")
			}
			tc.change(b)
			if sameOutput(a, b) {
				t.Errorf("sameOutput did not see the change")
			}
		})
	}
}

func TestDecodeGetRecordsErrors(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		offset     int
		path, msg  string
		sdkAgrees  bool // the SDK rejects it too (an error or a panic)
	}{
		{"truncated", `{"Records":[{"Data":"QQ==","Part`, 27, "Records[0]", "unterminated string", true},
		{"bad base64", `{"Records":[{"Data":"QQ=="},{"Data":"QQ*="}]}`, 39, "Records[1].Data", "invalid base64", true},
		{"bad data replaced by a duplicate", `{"Records":[{"Data":"0","Data":""}]}`, 20, "Records[0].Data", "invalid base64", true},
		{"bad data in a replaced list", `{"Records":[{"Data":"QQ=="},{"Data":"0"}],"Records":[]}`, 36, "Records[1].Data", "invalid base64", true},
		{"raw newline in data", "{\"Records\":[{\"Data\":\"QU\nJD\"}]}", 23, "Records[0].Data", "control character 0x0a", true},
		{"control character", "{\"NextShardIterator\":\"a\tb\"}", 23, "NextShardIterator", "control character 0x09", true},
		{"trailing comma", `{"Records":[],}`, 14, "", "expected a member name", true},
		{"trailing comma in list", `{"Records":[null,]}`, 17, "Records[1]", "expected an object", true},
		{"records not a list", `{"Records":{}}`, 11, "Records", "expected an array", true},
		{"record not an object", `{"Records":[1]}`, 12, "Records[0]", "expected an object", true},
		{"data not a string", `{"Records":[{"Data":5}]}`, 20, "Records[0].Data", "expected a base64 string", true},
		{"millis fraction", `{"MillisBehindLatest":1.5}`, 22, "MillisBehindLatest", "expected a 64-bit integer", true},
		{"millis overflow", `{"MillisBehindLatest":9223372036854775808}`, 22, "MillisBehindLatest", "expected a 64-bit integer", true},
		{"millis string", `{"MillisBehindLatest":"5"}`, 22, "MillisBehindLatest", "expected a number", true},
		{"timestamp string", `{"Records":[{"ApproximateArrivalTimestamp":"1"}]}`, 43, "Records[0].ApproximateArrivalTimestamp", "expected a number", true},
		{"timestamp out of range", `{"Records":[{"ApproximateArrivalTimestamp":1e400}]}`, 43, "Records[0].ApproximateArrivalTimestamp", "out of range", true},
		{"bad escape", `{"Records":[{"PartitionKey":"a\x"}]}`, 30, "Records[0].PartitionKey", `invalid escape '\x'`, true},
		{"short unicode escape", `{"Records":[{"PartitionKey":"\u12"}]}`, 29, "Records[0].PartitionKey", "invalid \\u escape", true},
		{"leading zero", `{"MillisBehindLatest":01}`, 23, "", "expected ',' or '}'", true},
		{"missing colon", `{"Records" []}`, 11, "", "expected ':'", true},
		{"bad literal", `{"X":nul}`, 5, "X", "invalid literal", true},
		{"not an object", `[]`, 0, "", "expected an object", true},
		{"whitespace only", ` `, 1, "", "expected an object", true},
		{"unknown member unterminated", `{"X":{"a":[1,2}}`, 14, "X", "expected ',' or ']'", true},
		{"deep nesting", `{"X":` + strings.Repeat("[", 1200) + strings.Repeat("]", 1200) + `}`, 1004, "X", "nested deeper than 1000", false},
		{"trailing data", `{"Records":[]} x`, 15, "", `unexpected 'x' after the response object`, false},
		{"null body", `null`, 0, "", "expected an object", true},
		// The SDK's deserializer panics on this one (big.NewFloat(NaN)).
		{"timestamp NaN", `{"Records":[{"ApproximateArrivalTimestamp":"NaN"}]}`, 43, "Records[0].ApproximateArrivalTimestamp", "expected a number", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := source.DecodeGetRecords([]byte(tc.body))
			if _, _, perr := source.DecodeAsPage([]byte(tc.body), pageOrigin); fmt.Sprint(perr) != fmt.Sprint(err) {
				t.Errorf("decoding as a page: error %v, want DecodeGetRecords's %v", perr, err)
			}
			var de *source.DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("DecodeGetRecords error = %v, want a *DecodeError", err)
			}
			if de.Offset != tc.offset || de.Path != tc.path || !strings.Contains(de.Msg, tc.msg) {
				t.Errorf("DecodeGetRecords error = offset %d, path %q, msg %q; want offset %d, path %q, msg containing %q",
					de.Offset, de.Path, de.Msg, tc.offset, tc.path, tc.msg)
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("offset %d", tc.offset)) {
				t.Errorf("error text %q does not name the offset", err)
			}
			if _, sdkErr := sdkDecode([]byte(tc.body)); (sdkErr != nil) != tc.sdkAgrees {
				t.Errorf("SDK decoder error = %v; want an error: %v", sdkErr, tc.sdkAgrees)
			}
		})
	}
}

// FuzzGetRecordsDecode checks that DecodeGetRecords, on any input, either
// returns an error or returns what the SDK's deserializer returns (and
// never panics).
func FuzzGetRecordsDecode(f *testing.F) {
	for _, tc := range getRecordsBodies {
		if tc.name != "large data" {
			f.Add([]byte(tc.body))
		}
	}
	f.Add([]byte(`{"Records":[{"Data":"QQ==","ApproximateArrivalTimestamp":1.5e9,"PartitionKey":"\ud83d"}],"ChildShards":[{"ParentShards":["a"]}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := source.DecodeGetRecords(body)
		if _, _, perr := source.DecodeAsPage(body, pageOrigin); fmt.Sprint(perr) != fmt.Sprint(err) {
			t.Fatalf("decoding %q as a page: error %v, want DecodeGetRecords's %v", body, perr, err)
		}
		if err != nil {
			var de *source.DecodeError
			if !errors.As(err, &de) || de.Offset < 0 || de.Offset > len(body) {
				t.Fatalf("DecodeGetRecords(%q) error %v: want a *DecodeError with an offset in the body", body, err)
			}
			return
		}
		if msg := checkPage(body, got); msg != "" {
			t.Fatal(msg)
		}
		want, err := sdkDecode(body)
		if err != nil {
			t.Fatalf("DecodeGetRecords(%q) accepted a body the SDK rejects: %v\n got:%s", body, err, render(got))
		}
		if !sameOutput(got, want) {
			t.Fatalf("DecodeGetRecords(%q) differs from the SDK\n got:%s\nwant:%s", body, render(got), render(want))
		}
	})
}

// BenchmarkGetRecordsDecode decodes a full GetRecords page (10,000
// ventilator records, about 3.7 MB) with the SDK's deserializer and with
// DecodeGetRecords, and the same page in CBOR (about 2.8 MB) as the Kinesis
// source reads it by default.
func BenchmarkGetRecordsDecode(b *testing.B) {
	var body strings.Builder
	body.WriteString(`{"Records":[`)
	for i := range 10000 {
		if i > 0 {
			body.WriteString(",")
		}
		payload := fmt.Sprintf(`{"ventilatorid":%d,"eventtime":"2026-11-22 13:%02d:%02d","serialnumber":"%08x-6b3b-4c5d-9d1b-2f1c4c2a9e11","pressurecontrol":%d,"o2stats":%d,"minutevolume":%d,"manufacturer":"GE"}`,
			i%50, i/60%60, i%60, i, 10+i%30, 90+i%10, 5+i%5)
		fmt.Fprintf(&body, `{"SequenceNumber":"4960%052d","ApproximateArrivalTimestamp":1.763818209123E9,"Data":"%s","PartitionKey":"pk-%d","EncryptionType":"NONE"}`,
			i, b64(payload), i)
	}
	body.WriteString(`],"NextShardIterator":"AAAAAAAAAAHsW8zCWf9164uy8Epue6WS3w6wmj4a4USt+CNvMd6uXQ+HL5vAJMznqqC0DLKsIjuoiTi1BpT6nW0LN2M2D56zM5H8anHm30Gbri9ua+qaGgj+3XTyvbhpERfrezgLHbPB/rIcVpykJbaSj5tmcXYRmFnqZBEyHwtZYFmh6hvWVFkIwLuMZLMrpWhG5r5hzkE=","MillisBehindLatest":0}`)
	data := []byte(body.String())
	out, err := source.DecodeGetRecords(data)
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		data   []byte
		decode func([]byte) (*kinesis.GetRecordsOutput, error)
	}{{"sdk", data, sdkDecode}, {"streamcheck", data, source.DecodeGetRecords}, {"streamcheck-cbor", toCBOR(b, out), source.DecodeCBOR}} {
		b.Run(tc.name, func(b *testing.B) {
			data := tc.data
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				out, err := tc.decode(data)
				if err != nil || len(out.Records) != 10000 {
					b.Fatal(err)
				}
			}
			b.ReportMetric(10000*float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
