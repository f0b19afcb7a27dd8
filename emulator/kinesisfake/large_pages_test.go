package kinesisfake_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/streamcheck/streamcheck/emulator/kinesisfake"
)

// TestLargePagesThroughSDK reads pages of up to 3,000 records many times
// over kept-alive connections: large answers must arrive whole.
func TestLargePagesThroughSDK(t *testing.T) {
	e := newEnv(t, kinesisfake.WithLimits(kinesisfake.Limits{}))
	ctx := t.Context()
	e.createStream(t, "s", 1)
	for i := 0; i < 3; i++ {
		if _, err := e.kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: entries(1000, 10)}); err != nil {
			t.Fatal(err)
		}
	}
	it := e.iterator(t, "s", "shardId-000000000000", types.ShardIteratorTypeTrimHorizon, "")
	for _, limit := range []int32{100, 1000, 3000} {
		for i := 0; i < 50; i++ {
			out, err := e.kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(it), Limit: aws.Int32(limit)})
			if err != nil {
				t.Fatalf("GetRecords Limit %d, call %d: %v", limit, i, err)
			}
			if got := int32(len(out.Records)); got != limit {
				t.Fatalf("GetRecords Limit %d: got %d records", limit, got)
			}
		}
	}
}

// TestHTTP2 speaks cleartext HTTP/2 with prior knowledge, as the JS SDK v3
// does.
func TestHTTP2(t *testing.T) {
	e := newEnv(t)
	var protos http.Protocols
	protos.SetUnencryptedHTTP2(true)
	hc := &http.Client{Transport: &http.Transport{Protocols: &protos, DialTLSContext: func(context.Context, string, string) (net.Conn, error) {
		return nil, fmt.Errorf("no TLS here")
	}, TLSClientConfig: &tls.Config{}}}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, e.srv.URL(), bytes.NewReader([]byte(`{}`)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Target", "Kinesis_20131202.ListStreams")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Date", "20260101T000000Z")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("ListStreams over h2c: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.ProtoMajor != 2 || resp.StatusCode != 200 {
		t.Fatalf("got %s %d %s, want HTTP/2 200", resp.Proto, resp.StatusCode, body)
	}
	if !bytes.Contains(body, []byte(`"StreamNames":[]`)) {
		t.Errorf("body %s has no empty StreamNames", body)
	}
}
