package source_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"

	"github.com/streamcheck/streamcheck/engine/source"
	"github.com/streamcheck/streamcheck/internal/sdkhttp"
)

// cannedKinesis answers every request with the next canned response (the
// last one repeats) and counts requests by operation.
type cannedKinesis struct {
	mu      sync.Mutex
	replies []canned
	calls   map[string]int
}

type canned struct {
	status  int
	body    string
	chunked bool // no Content-Length
}

func (c *cannedKinesis) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "Kinesis_20131202.")
	c.calls[op]++
	rep := c.replies[0]
	if len(c.replies) > 1 {
		c.replies = c.replies[1:]
	}
	c.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if rep.status != http.StatusOK {
		w.WriteHeader(rep.status)
	}
	if rep.chunked {
		half := len(rep.body) / 2
		_, _ = w.Write([]byte(rep.body[:half]))
		w.(http.Flusher).Flush()
		_, _ = w.Write([]byte(rep.body[half:]))
		return
	}
	_, _ = w.Write([]byte(rep.body))
}

func (c *cannedKinesis) count(op string) int { c.mu.Lock(); defer c.mu.Unlock(); return c.calls[op] }

// newCannedClient returns a Kinesis client for canned replies, with
// AddGetRecordsDecoder installed client-wide when decoder is true.
func newCannedClient(t *testing.T, decoder bool, attempts int, replies ...canned) (*kinesis.Client, *cannedKinesis) {
	t.Helper()
	c := &cannedKinesis{replies: replies, calls: map[string]int{}}
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	kc := kinesis.New(kinesis.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(srv.URL),
		Credentials:      aws.AnonymousCredentials{},
		RetryMaxAttempts: attempts,
		HTTPClient:       sdkhttp.Client(), // loopback answers fast enough to trip the SDK's body race
	}, func(o *kinesis.Options) {
		if decoder {
			o.APIOptions = append(o.APIOptions, source.AddGetRecordsDecoder)
		}
	})
	return kc, c
}

func getRecords(t *testing.T, kc *kinesis.Client) (*kinesis.GetRecordsOutput, error) {
	t.Helper()
	return kc.GetRecords(t.Context(), &kinesis.GetRecordsInput{ShardIterator: aws.String("it"), Limit: aws.Int32(100)})
}

// Through real clients over HTTP, the decoder gives what the SDK gives.
func TestGetRecordsDecoderThroughClient(t *testing.T) {
	for _, tc := range getRecordsBodies {
		for _, chunked := range []bool{false, true} {
			name := tc.name
			if chunked {
				name += "/chunked"
			}
			t.Run(name, func(t *testing.T) {
				rep := canned{status: http.StatusOK, body: tc.body, chunked: chunked}
				sdk, _ := newCannedClient(t, false, 1, rep)
				ours, _ := newCannedClient(t, true, 1, rep)
				want, err := getRecords(t, sdk)
				if err != nil {
					t.Fatalf("GetRecords without the decoder: %v", err)
				}
				got, err := getRecords(t, ours)
				if err != nil {
					t.Fatalf("GetRecords with the decoder: %v", err)
				}
				if !sameOutput(got, want) {
					t.Errorf("GetRecords with the decoder differs\n got:%s\nwant:%s", render(got), render(want))
				}
			})
		}
	}
}

func TestGetRecordsDecoderErrors(t *testing.T) {
	expired := canned{status: 400, body: `{"__type":"ExpiredIteratorException","message":"Iterator expired"}`}
	throttled := canned{status: 400, body: `{"__type":"ProvisionedThroughputExceededException","message":"Rate exceeded"}`}
	ok := canned{status: 200, body: `{"Records":[{"Data":"QQ==","PartitionKey":"k","SequenceNumber":"1"}],"NextShardIterator":"n","MillisBehindLatest":0}`}

	t.Run("expired iterator is the SDK's typed error", func(t *testing.T) {
		kc, _ := newCannedClient(t, true, 1, expired)
		_, err := getRecords(t, kc)
		var ei *types.ExpiredIteratorException
		if !errors.As(err, &ei) {
			t.Fatalf("GetRecords error = %v, want *types.ExpiredIteratorException", err)
		}
		if got := ei.ErrorMessage(); got != "Iterator expired" {
			t.Errorf("message = %q, want %q", got, "Iterator expired")
		}
	})
	t.Run("throttling is retried by the SDK", func(t *testing.T) {
		kc, srv := newCannedClient(t, true, 3, throttled, ok)
		out, err := getRecords(t, kc)
		if err != nil {
			t.Fatalf("GetRecords: %v", err)
		}
		if len(out.Records) != 1 || string(out.Records[0].Data) != "A" {
			t.Errorf("records = %s, want one record with data A", render(out))
		}
		if got := srv.count("GetRecords"); got != 2 {
			t.Errorf("GetRecords requests = %d, want 2 (one throttled, one retry)", got)
		}
	})
	t.Run("throttling without SDK retries is Retryable", func(t *testing.T) {
		kc, _ := newCannedClient(t, true, 1, throttled)
		_, err := getRecords(t, kc)
		var pe *types.ProvisionedThroughputExceededException
		if !errors.As(err, &pe) || !source.Retryable(err) {
			t.Errorf("GetRecords error = %v, want a retryable *types.ProvisionedThroughputExceededException", err)
		}
	})
	t.Run("server error", func(t *testing.T) {
		kc, _ := newCannedClient(t, true, 1, canned{status: 500, body: `{"__type":"InternalFailure"}`})
		_, err := getRecords(t, kc)
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "InternalFailure" || !source.Retryable(err) {
			t.Errorf("GetRecords error = %v, want a retryable InternalFailure", err)
		}
	})
	t.Run("malformed body names the offset", func(t *testing.T) {
		kc, _ := newCannedClient(t, true, 1, canned{status: 200, body: `{"Records":[{"Data":"Q*=="}]}`})
		_, err := getRecords(t, kc)
		var dse *smithy.DeserializationError
		var de *source.DecodeError
		if !errors.As(err, &dse) || !errors.As(err, &de) || de.Offset != 22 {
			t.Errorf("GetRecords error = %v, want a DeserializationError wrapping a DecodeError at offset 22", err)
		}
	})
	t.Run("other operations are untouched", func(t *testing.T) {
		kc, _ := newCannedClient(t, true, 1, canned{status: 200, body: `{"Shards":[{"ShardId":"shardId-000000000000"}]}`})
		out, err := kc.ListShards(t.Context(), &kinesis.ListShardsInput{StreamName: aws.String("s")})
		if err != nil || len(out.Shards) != 1 || aws.ToString(out.Shards[0].ShardId) != "shardId-000000000000" {
			t.Errorf("ListShards = %+v, %v; want one shard", out, err)
		}
	})
	t.Run("installed twice", func(t *testing.T) {
		kc, _ := newCannedClient(t, true, 1, ok)
		out, err := kc.GetRecords(t.Context(), &kinesis.GetRecordsInput{ShardIterator: aws.String("it")}, kinesis.WithAPIOptions(source.AddGetRecordsDecoder))
		if err != nil || len(out.Records) != 1 {
			t.Errorf("GetRecords = %v, %v; want one record", out, err)
		}
		_, err = kc.GetRecords(t.Context(), &kinesis.GetRecordsInput{ShardIterator: aws.String("it")}, kinesis.WithAPIOptions(source.AddGetRecordsDecoder))
		if err != nil {
			t.Errorf("GetRecords: %v", err)
		}
	})
}
