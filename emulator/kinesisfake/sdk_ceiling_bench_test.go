package kinesisfake_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/streamcheck/streamcheck/emulator/kinesisfake"
	"github.com/streamcheck/streamcheck/emulator/kinesisfake/kinesisfaketest"
)

// cannedServer answers every request with the same bytes, so a benchmark
// through it measures the Go SDK and loopback HTTP alone: the most any
// emulator can deliver to that client on this machine.
func cannedServer(b *testing.B, body []byte) *kinesis.Client {
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_, _ = w.Write(body)
	}))
	b.Cleanup(hs.Close)
	return kinesis.NewFromConfig(kinesisfaketest.Config(), func(o *kinesis.Options) {
		o.BaseEndpoint = aws.String(hs.URL)
		o.HTTPClient = kinesisfaketest.HTTPClient()
	})
}

// rawCall posts a JSON request to srv and returns the answer's bytes.
func rawCall(b *testing.B, srv *kinesisfake.Server, op, body string) []byte {
	req, _ := http.NewRequest(http.MethodPost, srv.URL(), bytes.NewReader([]byte(body)))
	req.Header.Set("X-Amz-Target", "Kinesis_20131202."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Date", "20260101T000000Z")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		b.Fatalf("%s: %d %s", op, resp.StatusCode, out)
	}
	return out
}

// BenchmarkSDKCeilingGetRecords reads a canned 10,000-record page of
// 200-byte records (made by the emulator once) through the SDK.
func BenchmarkSDKCeilingGetRecords(b *testing.B) {
	srv, _ := kinesisfaketest.NewServer(b, kinesisfake.WithLimits(kinesisfake.Limits{}))
	kc := kinesisfaketest.NewClient(srv)
	ctx := b.Context()
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("bench"), ShardCount: aws.Int32(1)}); err != nil {
		b.Fatal(err)
	}
	batch := benchBatch(500)
	for i := 0; i < 20; i++ {
		if _, err := kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("bench"), Records: batch}); err != nil {
			b.Fatal(err)
		}
	}
	it, err := kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("bench"), ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if err != nil {
		b.Fatal(err)
	}
	page := rawCall(b, srv, "GetRecords", `{"ShardIterator":"`+aws.ToString(it.ShardIterator)+`"}`)
	canned := cannedServer(b, page)
	n := 0
	for b.Loop() {
		res, err := canned.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String("x")})
		if err != nil {
			b.Fatal(err)
		}
		n += len(res.Records)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkSDKCeilingPutRecords sends 500 200-byte records through the SDK
// to a server that answers with a canned success.
func BenchmarkSDKCeilingPutRecords(b *testing.B) {
	var ok bytes.Buffer
	ok.WriteString(`{"EncryptionType":"NONE","FailedRecordCount":0,"Records":[`)
	for i := 0; i < 500; i++ {
		if i > 0 {
			ok.WriteByte(',')
		}
		ok.WriteString(`{"SequenceNumber":"49000000000000000000000000000000000001000000001800000000000","ShardId":"shardId-000000000000"}`)
	}
	ok.WriteString(`]}`)
	kc := cannedServer(b, ok.Bytes())
	batch := benchBatch(500)
	n := 0
	for b.Loop() {
		if _, err := kc.PutRecords(b.Context(), &kinesis.PutRecordsInput{StreamName: aws.String("bench"), Records: batch}); err != nil {
			b.Fatal(err)
		}
		n += len(batch)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
}
