package kinesisfake_test

// Answers on the error paths, through the Go SDK v2 (and raw HTTP where the
// client is a browser or a hand-written request), checked against AWS's
// wording. Each case failed on the answers given before these were matched.

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"

	"github.com/streamcheck/streamcheck/emulator/kinesisfake/kinesisfaketest"
)

// wantError fails unless err is an AWS API error with code and message.
func wantError(t testing.TB, what string, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("%s: got error %v, want %s", what, err, code)
	}
	if ae.ErrorCode() != code || ae.ErrorMessage() != msg {
		t.Errorf("%s:\n got  %s: %s\n want %s: %s", what, ae.ErrorCode(), ae.ErrorMessage(), code, msg)
	}
}

func TestValidationReportsEveryConstraint(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	long := strings.Repeat("k", 129)
	tests := []struct {
		name string
		call func() error
		code string
		msg  string
	}{
		{
			name: "CreateStream bad name and zero shards",
			call: func() error {
				_, err := e.kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("x y"), ShardCount: aws.Int32(0)})
				return err
			},
			code: "ValidationException",
			msg:  "2 validation errors detected: Value '0' at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1; Value 'x y' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
		},
		{
			name: "CreateStream empty name",
			call: func() error {
				_, err := e.kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(""), ShardCount: aws.Int32(1)})
				return err
			},
			code: "ValidationException",
			msg:  "2 validation errors detected: Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1",
		},
		{
			name: "AddTagsToStream too long a key on a missing stream",
			call: func() error {
				_, err := e.kc.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("missing"), Tags: map[string]string{long: "v"}})
				return err
			},
			code: "ValidationException",
			msg:  "1 validation error detected: Value '{" + long + "=v}' at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]",
		},
		{
			name: "AddTagsToStream on a missing stream, input valid",
			call: func() error {
				_, err := e.kc.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("missing"), Tags: map[string]string{"k": "v"}})
				return err
			},
			code: "ResourceNotFoundException",
			msg:  "Stream missing under account 000000000000 not found.",
		},
		{
			name: "GetShardIterator bad type and shard on a missing stream",
			call: func() error {
				_, err := e.kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("missing"), ShardId: aws.String("a b"), ShardIteratorType: "SIDEWAYS"})
				return err
			},
			code: "ValidationException",
			msg:  "2 validation errors detected: Value 'SIDEWAYS' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, TRIM_HORIZON, LATEST, AT_TIMESTAMP]; Value 'a b' at 'shardId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
		},
		{
			name: "PutRecord SequenceNumberForOrdering not a number",
			call: func() error {
				_, err := e.kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("missing"), PartitionKey: aws.String("k"), Data: []byte("x"), SequenceNumberForOrdering: aws.String("12x")})
				return err
			},
			code: "ValidationException",
			msg:  "1 validation error detected: Value '12x' at 'sequenceNumberForOrdering' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,128})",
		},
		{
			name: "SubscribeToShard bad shard and position type",
			call: func() error {
				_, err := e.kc.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{ConsumerARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/missing/consumer/c:1"),
					ShardId: aws.String("a b"), StartingPosition: &types.StartingPosition{Type: "SIDEWAYS"}})
				return err
			},
			code: "ValidationException",
			msg:  "2 validation errors detected: Value 'a b' at 'shardId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value 'SIDEWAYS' at 'startingPosition.type' failed to satisfy constraint: Member must satisfy enum value set: [AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, TRIM_HORIZON, LATEST, AT_TIMESTAMP]",
		},
		{
			name: "GetRecords limit 0 and an empty iterator",
			call: func() error {
				_, err := e.kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(""), Limit: aws.Int32(0)})
				return err
			},
			code: "ValidationException",
			msg:  "2 validation errors detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1; Value '' at 'shardIterator' failed to satisfy constraint: Member must have length greater than or equal to 1",
		},
		{
			name: "ListStreams limit above 10000",
			call: func() error {
				_, err := e.kc.ListStreams(ctx, &kinesis.ListStreamsInput{Limit: aws.Int32(10001)})
				return err
			},
			code: "ValidationException",
			msg:  "1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000",
		},
		{
			name: "SplitShard hash key not a number",
			call: func() error {
				_, err := e.kc.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("missing"), ShardToSplit: aws.String("shardId-000000000000"), NewStartingHashKey: aws.String("-1")})
				return err
			},
			code: "ValidationException",
			msg:  "1 validation error detected: Value '-1' at 'newStartingHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, tt.name, tt.call(), tt.code, tt.msg)
		})
	}
}

func TestRejectedAsAWSRejects(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	e.createStream(t, "s", 2)
	put, err := e.kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("x"), ExplicitHashKey: aws.String("0")})
	if err != nil {
		t.Fatalf("PutRecord: %v", err)
	}
	seq := aws.ToString(put.SequenceNumber)
	const either = "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. "
	tests := []struct {
		name string
		call func() error
		code string
		msg  string
	}{
		{
			name: "tag value with a character AWS refuses",
			call: func() error {
				_, err := e.kc.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("s"), Tags: map[string]string{"k": "a|b"}})
				return err
			},
			code: "InvalidArgumentException",
			msg:  "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @ :.",
		},
		{
			name: "tag with a percent sign",
			call: func() error {
				_, err := e.kc.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("s"), Tags: map[string]string{"k": "50%"}})
				return err
			},
			code: "InvalidArgumentException",
			msg:  "Failed to add tags to stream s under account 000000000000 because some tags contained illegal characters. The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@',':'.",
		},
		{
			name: "TRIM_HORIZON with a StartingSequenceNumber",
			call: func() error {
				_, err := e.kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon, StartingSequenceNumber: aws.String(seq)})
				return err
			},
			code: "InvalidArgumentException",
			msg:  either + "Request specified TRIM_HORIZON and also a StartingSequenceNumber.",
		},
		{
			name: "AT_SEQUENCE_NUMBER without one",
			call: func() error {
				_, err := e.kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber})
				return err
			},
			code: "InvalidArgumentException",
			msg:  either + "Request specified AT_SEQUENCE_NUMBER and no StartingSequenceNumber.",
		},
		{
			name: "sequence number of another shard",
			call: func() error {
				_, err := e.kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String("shardId-000000000001"), ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: aws.String(seq)})
				return err
			},
			code: "InvalidArgumentException",
			msg:  "Invalid StartingSequenceNumber. It encodes shardId-000000000000, while it was used in a call to a shard with shardId-000000000001",
		},
		{
			name: "sequence number outside the scheme",
			call: func() error {
				_, err := e.kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: aws.String("12345")})
				return err
			},
			code: "InvalidArgumentException",
			msg:  "StartingSequenceNumber 12345 used in GetShardIterator on shard shardId-000000000000 in stream s under account 000000000000 is invalid.",
		},
		{
			name: "SequenceNumberForOrdering outside the scheme",
			call: func() error {
				_, err := e.kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("x"), SequenceNumberForOrdering: aws.String("12345")})
				return err
			},
			code: "InvalidArgumentException",
			msg:  "ExclusiveMinimumSequenceNumber 12345 used in PutRecord on stream s under account 000000000000 is invalid.",
		},
		{
			name: "inverted merge",
			call: func() error {
				_, err := e.kc.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String("s"), ShardToMerge: aws.String("shardId-000000000001"), AdjacentShardToMerge: aws.String("shardId-000000000000")})
				return err
			},
			code: "InvalidArgumentException",
			msg:  "Shards shardId-000000000001 and shardId-000000000000 in stream s under account 000000000000 are not an adjacent pair of shards eligible for merging",
		},
		{
			name: "split at the shard's last hash key",
			call: func() error {
				_, err := e.kc.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("s"), ShardToSplit: aws.String("0"), NewStartingHashKey: aws.String("170141183460469231731687303715884105727")})
				return err
			},
			code: "InvalidArgumentException",
			msg:  "NewStartingHashKey 170141183460469231731687303715884105727 used in SplitShard() on shard shardId-000000000000 in stream s under account 000000000000 is not both greater than one plus the shard's StartingHashKey 0 and less than the shard's EndingHashKey 170141183460469231731687303715884105727.",
		},
		{
			name: "split at one plus the start",
			call: func() error {
				_, err := e.kc.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("s"), ShardToSplit: aws.String("shardId-000000000000"), NewStartingHashKey: aws.String("1")})
				return err
			},
			code: "InvalidArgumentException",
			msg:  "NewStartingHashKey 1 used in SplitShard() on shard shardId-000000000000 in stream s under account 000000000000 is not both greater than one plus the shard's StartingHashKey 0 and less than the shard's EndingHashKey 170141183460469231731687303715884105727.",
		},
		{
			name: "shard ID that resolves to no number",
			call: func() error {
				_, err := e.kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String("shardId-x"), ShardIteratorType: types.ShardIteratorTypeLatest})
				return err
			},
			code: "ResourceNotFoundException",
			msg:  "Could not find shard shardId-x in stream s under account 000000000000.",
		},
		{
			name: "shard ID past the last shard",
			call: func() error {
				_, err := e.kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String("7"), ShardIteratorType: types.ShardIteratorTypeLatest})
				return err
			},
			code: "ResourceNotFoundException",
			msg:  "Shard shardId-000000000007 in stream s under account 000000000000 does not exist",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, tt.name, tt.call(), tt.code, tt.msg)
		})
	}
	// The valid forms are accepted (and must not be rejected).
	if _, err := e.kc.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String("s"), ShardToMerge: aws.String("shardId-000000000000"), AdjacentShardToMerge: aws.String("shardId-000000000001")}); err != nil {
		t.Errorf("MergeShards in order: %v", err)
	}
}

func TestShardIDForms(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	e.createStream(t, "s", 2)
	if _, err := e.kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("one"), ExplicitHashKey: aws.String("340282366920938463463374607431768211455")}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"shardId-000000000001", "shardId-1", "1", "00001", "anything-1"} {
		t.Run(id, func(t *testing.T) {
			it := e.iterator(t, "s", id, types.ShardIteratorTypeTrimHorizon, "")
			out, err := e.kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(it)})
			if err != nil {
				t.Fatalf("GetRecords: %v", err)
			}
			if len(out.Records) != 1 || string(out.Records[0].Data) != "one" {
				t.Errorf("shard %s: got %d records, want the one record of shard 1", id, len(out.Records))
			}
		})
	}
}

// bodyRecorder keeps the body of every response an SDK client receives.
type bodyRecorder struct {
	mu     sync.Mutex
	bodies []string
	next   http.RoundTripper
}

func (b *bodyRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := b.next.RoundTrip(r)
	if err != nil {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	b.bodies = append(b.bodies, string(body))
	b.mu.Unlock()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

func (b *bodyRecorder) last() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.bodies[len(b.bodies)-1]
}

func TestVoidOperationsAnswerAnEmptyBody(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	rec := &bodyRecorder{next: http.DefaultTransport}
	kc := kinesis.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: e.kc.Options().Credentials, HTTPClient: &http.Client{Transport: rec}},
		func(o *kinesis.Options) { o.BaseEndpoint = aws.String(e.srv.URL()); o.Retryer = aws.NopRetryer{} })
	calls := []struct {
		name string
		call func() error
	}{
		{"CreateStream", func() error {
			_, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("v"), ShardCount: aws.Int32(2)})
			return err
		}},
		{"AddTagsToStream", func() error {
			_, err := kc.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("v"), Tags: map[string]string{"k": "v"}})
			return err
		}},
		{"IncreaseStreamRetentionPeriod", func() error {
			_, err := kc.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String("v"), RetentionPeriodHours: aws.Int32(48)})
			return err
		}},
		{"MergeShards", func() error {
			_, err := kc.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String("v"), ShardToMerge: aws.String("shardId-000000000000"), AdjacentShardToMerge: aws.String("shardId-000000000001")})
			return err
		}},
		{"DeleteStream", func() error {
			_, err := kc.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("v")})
			return err
		}},
	}
	for _, c := range calls {
		if err := c.call(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := rec.last(); got != "" {
			t.Errorf("%s answered %q, want an empty body", c.name, got)
		}
	}
	// An operation with output still answers one.
	if _, err := kc.ListStreams(ctx, &kinesis.ListStreamsInput{}); err != nil {
		t.Fatal(err)
	}
	if got := rec.last(); !strings.HasPrefix(got, "{") {
		t.Errorf("ListStreams answered %q, want a JSON object", got)
	}
}

func TestMissingCredentials(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	kc := kinesis.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: aws.AnonymousCredentials{}},
		func(o *kinesis.Options) { o.BaseEndpoint = aws.String(e.srv.URL()); o.Retryer = aws.NopRetryer{} })
	_, err := kc.ListStreams(t.Context(), &kinesis.ListStreamsInput{})
	wantError(t, "ListStreams without credentials", err, "MissingAuthenticationTokenException", "Missing Authentication Token")
}

func TestTransportAnswers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const sig = "AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=00"
	tests := []struct {
		name       string
		method     string
		headers    map[string]string
		body       string
		wantStatus int
		wantBody   string
		wantHeader map[string]string
	}{
		{
			name: "GET without credentials", method: http.MethodGet,
			wantStatus: 403, wantBody: "<MissingAuthenticationTokenException>\n  <Message>Missing Authentication Token</Message>\n</MissingAuthenticationTokenException>\n",
		},
		{
			name: "GET signed", method: http.MethodGet, headers: map[string]string{"Authorization": sig, "X-Amz-Date": "20261122T120000Z"},
			wantStatus: 403, wantBody: "<AccessDeniedException>\n  <Message>Unable to determine service/operation name to be authorized</Message>\n</AccessDeniedException>\n",
		},
		{
			name: "unsupported content type", method: http.MethodPost, body: "{}",
			headers:    map[string]string{"Content-Type": "text/plain", "X-Amz-Target": "Kinesis_20131202.ListStreams", "Authorization": sig, "X-Amz-Date": "20261122T120000Z"},
			wantStatus: 403, wantBody: "<AccessDeniedException>\n  <Message>Unable to determine service/operation name to be authorized</Message>\n</AccessDeniedException>\n",
		},
		{
			name: "malformed Authorization", method: http.MethodPost, body: "{}",
			headers:    map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Kinesis_20131202.ListStreams", "Authorization": "X"},
			wantStatus: 400, wantBody: `{"__type":"IncompleteSignatureException","message":"Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=X"}`,
		},
		{
			name: "unknown operation", method: http.MethodPost, body: "{}",
			headers:    map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Kinesis_20131202.ListStream"},
			wantStatus: 400, wantBody: `{"__type":"UnknownOperationException"}`,
		},
		{
			name: "body that is not JSON", method: http.MethodPost, body: "hello",
			headers:    map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Kinesis_20131202.ListStreams"},
			wantStatus: 400, wantBody: `{"__type":"SerializationException"}`,
		},
		{
			name: "member of the wrong type", method: http.MethodPost, body: `{"Limit":"ten"}`,
			headers:    map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Kinesis_20131202.ListStreams"},
			wantStatus: 400, wantBody: `{"__type":"SerializationException","Message":"class java.lang.String can not be converted to an Integer"}`,
		},
		{
			name: "structure where a string belongs", method: http.MethodPost, body: `{"StreamName":{}}`,
			headers:    map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Kinesis_20131202.DescribeStream"},
			wantStatus: 400, wantBody: `{"__type":"SerializationException","Message":"Start of structure or map found where not expected."}`,
		},
		{
			name: "CORS preflight", method: http.MethodOptions,
			headers:    map[string]string{"Origin": "http://app.test", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type, x-amz-target"},
			wantStatus: 200, wantBody: "",
			wantHeader: map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "POST", "Access-Control-Allow-Headers": "content-type, x-amz-target", "Access-Control-Max-Age": "172800"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), tt.method, e.srv.URL()+"/", strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus || string(body) != tt.wantBody {
				t.Errorf("got %d %q, want %d %q", resp.StatusCode, body, tt.wantStatus, tt.wantBody)
			}
			for k, v := range tt.wantHeader {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestSubscribeToShardIdleEventsAndTakeover(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	e.createStream(t, "s", 1)
	reg, err := e.kc.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/s"), ConsumerName: aws.String("app")})
	if err != nil {
		t.Fatalf("RegisterStreamConsumer: %v", err)
	}
	// Each subscription has its own client: the SDK's event stream codec is
	// shared by a client's concurrent subscriptions, which races.
	subscribe := func() *kinesis.SubscribeToShardEventStream {
		t.Helper()
		kc := kinesisfaketest.NewClient(e.srv, func(o *kinesis.Options) { o.Retryer = aws.NopRetryer{} })
		sub, err := kc.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{
			ConsumerARN: reg.Consumer.ConsumerARN, ShardId: aws.String("shardId-000000000000"),
			StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeLatest},
		})
		if err != nil {
			t.Fatalf("SubscribeToShard: %v", err)
		}
		st := sub.GetStream()
		t.Cleanup(func() { st.Close() })
		return st
	}
	next := func(st *kinesis.SubscribeToShardEventStream, what string) (*types.SubscribeToShardEvent, bool) {
		t.Helper()
		select {
		case ev, ok := <-st.Events():
			if !ok {
				return nil, false
			}
			se, isEvent := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
			if !isEvent {
				t.Fatalf("%s: got %T, want SubscribeToShardEvent", what, ev)
			}
			return &se.Value, true
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: no event within 10 s", what)
		}
		return nil, false
	}
	first := subscribe()
	if _, ok := next(first, "first event"); !ok {
		t.Fatalf("first subscription ended at once: %v", first.Err())
	}
	// Nothing is written: an event still comes every 5 s of the clock.
	for i := 0; i < 2; i++ {
		waitAndAdvance(t, e, 5*time.Second)
		ev, ok := next(first, "idle event")
		if !ok {
			t.Fatalf("subscription ended instead of sending an idle event: %v", first.Err())
		}
		if len(ev.Records) != 0 || aws.ToString(ev.ContinuationSequenceNumber) == "" || ev.MillisBehindLatest == nil {
			t.Errorf("idle event = %d records, continuation %q, MillisBehindLatest %v; want none, set, set", len(ev.Records), aws.ToString(ev.ContinuationSequenceNumber), ev.MillisBehindLatest)
		}
	}
	// 10 s after the first subscription a second one takes the shard over.
	second := subscribe()
	if _, ok := next(second, "second subscription's first event"); !ok {
		t.Fatalf("second subscription ended at once: %v", second.Err())
	}
	for {
		if _, ok := next(first, "first subscription after takeover"); !ok {
			break
		}
	}
}

// waitAndAdvance advances the fake clock once the server waits on it.
func waitAndAdvance(t *testing.T, e *env, d time.Duration) {
	t.Helper()
	time.Sleep(50 * time.Millisecond) // let the subscription reach its wait
	e.clk.Advance(d)
}
