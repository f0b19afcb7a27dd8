package kinesisfake_test

import (
	"crypto/md5"
	"fmt"
	"math/big"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/streamcheck/streamcheck/emulator/kinesisfake"
)

func TestStreamLifecycle(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	e.createStream(t, "orders", 3)
	_, err := e.kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders"), ShardCount: aws.Int32(1)})
	wantCode(t, "CreateStream twice", err, "ResourceInUseException")
	_, err = e.kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("od"), StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}})
	if err != nil {
		t.Fatalf("CreateStream ON_DEMAND: %v", err)
	}

	d, err := e.kc.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("orders"), Limit: aws.Int32(2)})
	if err != nil {
		t.Fatalf("DescribeStream: %v", err)
	}
	sd := d.StreamDescription
	if got, want := aws.ToString(sd.StreamARN), "arn:aws:kinesis:us-east-1:000000000000:stream/orders"; got != want {
		t.Errorf("StreamARN: got %s, want %s", got, want)
	}
	if got := len(sd.Shards); got != 2 || !aws.ToBool(sd.HasMoreShards) {
		t.Errorf("DescribeStream Limit 2: got %d shards, HasMoreShards %v; want 2, true", got, aws.ToBool(sd.HasMoreShards))
	}
	if sd.StreamStatus != types.StreamStatusActive || aws.ToInt32(sd.RetentionPeriodHours) != 24 {
		t.Errorf("got status %s retention %d, want ACTIVE 24", sd.StreamStatus, aws.ToInt32(sd.RetentionPeriodHours))
	}
	if got, want := aws.ToString(sd.Shards[0].HashKeyRange.StartingHashKey), "0"; got != want {
		t.Errorf("first shard starts at %s, want %s", got, want)
	}

	// By ARN, the summary of the on-demand stream.
	sum, err := e.kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/od")})
	if err != nil {
		t.Fatalf("DescribeStreamSummary by ARN: %v", err)
	}
	if got := aws.ToInt32(sum.StreamDescriptionSummary.OpenShardCount); got != 4 {
		t.Errorf("ON_DEMAND open shards: got %d, want 4", got)
	}
	if got := sum.StreamDescriptionSummary.StreamModeDetails.StreamMode; got != types.StreamModeOnDemand {
		t.Errorf("mode: got %s, want ON_DEMAND", got)
	}

	ls, err := e.kc.ListStreams(ctx, &kinesis.ListStreamsInput{Limit: aws.Int32(1)})
	if err != nil {
		t.Fatalf("ListStreams: %v", err)
	}
	if !slices.Equal(ls.StreamNames, []string{"od"}) || !aws.ToBool(ls.HasMoreStreams) {
		t.Errorf("ListStreams page 1: got %v more=%v, want [od] true", ls.StreamNames, aws.ToBool(ls.HasMoreStreams))
	}
	ls, err = e.kc.ListStreams(ctx, &kinesis.ListStreamsInput{NextToken: ls.NextToken})
	if err != nil {
		t.Fatalf("ListStreams page 2: %v", err)
	}
	if !slices.Equal(ls.StreamNames, []string{"orders"}) {
		t.Errorf("ListStreams page 2: got %v, want [orders]", ls.StreamNames)
	}

	// ListShards pages with NextToken; NextToken expires after 300 s.
	p1, err := e.kc.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("orders"), MaxResults: aws.Int32(2)})
	if err != nil {
		t.Fatalf("ListShards: %v", err)
	}
	p2, err := e.kc.ListShards(ctx, &kinesis.ListShardsInput{NextToken: p1.NextToken})
	if err != nil {
		t.Fatalf("ListShards NextToken: %v", err)
	}
	if len(p1.Shards) != 2 || len(p2.Shards) != 1 || aws.ToString(p2.Shards[0].ShardId) != "shardId-000000000002" {
		t.Errorf("ListShards pages: got %d + %d shards, want 2 + 1 ending in shardId-000000000002", len(p1.Shards), len(p2.Shards))
	}
	_, err = e.kc.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("orders"), NextToken: p1.NextToken})
	wantCode(t, "ListShards with NextToken and StreamName", err, "InvalidArgumentException")
	e.clk.Advance(301 * time.Second)
	_, err = e.kc.ListShards(ctx, &kinesis.ListShardsInput{NextToken: p1.NextToken})
	wantCode(t, "ListShards with an old NextToken", err, "ExpiredNextTokenException")
	f, err := e.kc.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("orders"), ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAfterShardId, ShardId: aws.String("shardId-000000000000")}})
	if err != nil || len(f.Shards) != 2 {
		t.Errorf("ListShards AFTER_SHARD_ID: got %d shards, err %v; want 2", len(f.Shards), err)
	}

	if _, err := e.kc.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("orders")}); err != nil {
		t.Fatalf("DeleteStream: %v", err)
	}
	_, err = e.kc.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("orders")})
	wantCode(t, "DescribeStream after delete", err, "ResourceNotFoundException")
	_, err = e.kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamARN: aws.String("arn:aws:kinesis:eu-west-1:000000000000:stream/od")})
	wantCode(t, "DescribeStreamSummary in another region", err, "ResourceNotFoundException")
	_, err = e.kc.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("bad name!")})
	wantCode(t, "DescribeStream with a bad name", err, "ValidationException")
}

func TestStatusDelay(t *testing.T) {
	e := newEnv(t, kinesisfake.WithStreamStatusDelay(10*time.Second))
	ctx := t.Context()
	e.createStream(t, "s", 1)
	status := func() types.StreamStatus {
		d, err := e.kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("s")})
		if err != nil {
			t.Fatalf("DescribeStreamSummary: %v", err)
		}
		return d.StreamDescriptionSummary.StreamStatus
	}
	if got := status(); got != types.StreamStatusCreating {
		t.Fatalf("right after CreateStream: got %s, want CREATING", got)
	}
	_, err := e.kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("x")})
	wantCode(t, "PutRecord while CREATING", err, "ResourceNotFoundException")
	e.clk.Advance(10 * time.Second)
	if got := status(); got != types.StreamStatusActive {
		t.Fatalf("after the delay: got %s, want ACTIVE", got)
	}
	if _, err := e.kc.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("s"), TargetShardCount: aws.Int32(2), ScalingType: types.ScalingTypeUniformScaling}); err != nil {
		t.Fatalf("UpdateShardCount: %v", err)
	}
	if got := status(); got != types.StreamStatusUpdating {
		t.Fatalf("after UpdateShardCount: got %s, want UPDATING", got)
	}
	_, err = e.kc.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("s"), TargetShardCount: aws.Int32(4), ScalingType: types.ScalingTypeUniformScaling})
	wantCode(t, "UpdateShardCount while UPDATING", err, "ResourceInUseException")
}

func TestPutGetRoundTrip(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	e.createStream(t, "s", 1)
	var seqs []string
	for i := 0; i < 3; i++ {
		out, err := e.kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: data(i)})
		if err != nil {
			t.Fatalf("PutRecord %d: %v", i, err)
		}
		if aws.ToString(out.ShardId) != "shardId-000000000000" {
			t.Errorf("PutRecord %d: shard %s, want shardId-000000000000", i, aws.ToString(out.ShardId))
		}
		seqs = append(seqs, aws.ToString(out.SequenceNumber))
		e.clk.Advance(time.Second)
	}
	for i := 1; i < len(seqs); i++ {
		a, _ := new(big.Int).SetString(seqs[i-1], 10)
		b, _ := new(big.Int).SetString(seqs[i], 10)
		if a == nil || b == nil || a.Cmp(b) >= 0 {
			t.Fatalf("sequence numbers not increasing as big integers: %s then %s", seqs[i-1], seqs[i])
		}
	}
	pr, err := e.kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: []types.PutRecordsRequestEntry{
		{PartitionKey: aws.String("a"), Data: data(3)}, {PartitionKey: aws.String("b"), Data: data(4)},
	}})
	if err != nil || aws.ToInt32(pr.FailedRecordCount) != 0 || len(pr.Records) != 2 {
		t.Fatalf("PutRecords: %v %+v", err, pr)
	}
	seqs = append(seqs, aws.ToString(pr.Records[0].SequenceNumber), aws.ToString(pr.Records[1].SequenceNumber))

	// Limit and NextShardIterator walk the shard without repeating.
	it := e.iterator(t, "s", "shardId-000000000000", types.ShardIteratorTypeTrimHorizon, "")
	var got []string
	var arrivals []time.Time
	for page := 0; page < 10 && len(got) < 5; page++ {
		out, err := e.kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(it), Limit: aws.Int32(2)})
		if err != nil {
			t.Fatalf("GetRecords page %d: %v", page, err)
		}
		if len(out.Records) > 2 {
			t.Fatalf("GetRecords Limit 2: got %d records", len(out.Records))
		}
		if page == 0 {
			if got, want := aws.ToInt64(out.MillisBehindLatest), int64(2000); got != want {
				t.Errorf("MillisBehindLatest on the first page: got %d, want %d", got, want)
			}
		}
		for _, r := range out.Records {
			got = append(got, string(r.Data))
			arrivals = append(arrivals, aws.ToTime(r.ApproximateArrivalTimestamp))
		}
		it = aws.ToString(out.NextShardIterator)
	}
	want := []string{"record-0000", "record-0001", "record-0002", "record-0003", "record-0004"}
	if !slices.Equal(got, want) {
		t.Fatalf("records: got %v, want %v", got, want)
	}
	if !arrivals[0].Equal(epoch) || !arrivals[2].Equal(epoch.Add(2*time.Second)) {
		t.Errorf("ApproximateArrivalTimestamp: got %v and %v, want %v and %v", arrivals[0], arrivals[2], epoch, epoch.Add(2*time.Second))
	}
	out, err := e.kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(it)})
	if err != nil || len(out.Records) != 0 || aws.ToInt64(out.MillisBehindLatest) != 0 || out.NextShardIterator == nil {
		t.Fatalf("GetRecords at the tip: got %d records, behind %d, next %v, err %v; want 0, 0, an iterator", len(out.Records), aws.ToInt64(out.MillisBehindLatest), out.NextShardIterator, err)
	}

	tests := []struct {
		name string
		typ  types.ShardIteratorType
		seq  string
		ts   *time.Time
		want string // first record read, "" for none
	}{
		{"TRIM_HORIZON", types.ShardIteratorTypeTrimHorizon, "", nil, "record-0000"},
		{"LATEST", types.ShardIteratorTypeLatest, "", nil, ""},
		{"AT_SEQUENCE_NUMBER", types.ShardIteratorTypeAtSequenceNumber, seqs[1], nil, "record-0001"},
		{"AFTER_SEQUENCE_NUMBER", types.ShardIteratorTypeAfterSequenceNumber, seqs[1], nil, "record-0002"},
		{"AT_TIMESTAMP", types.ShardIteratorTypeAtTimestamp, "", aws.Time(epoch.Add(1500 * time.Millisecond)), "record-0002"},
	}
	for _, tt := range tests {
		e.clk.Advance(time.Second) // stay under 5 GetRecords calls a second
		t.Run(tt.name, func(t *testing.T) {
			in := &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String("shardId-000000000000"), ShardIteratorType: tt.typ, Timestamp: tt.ts}
			if tt.seq != "" {
				in.StartingSequenceNumber = aws.String(tt.seq)
			}
			itOut, err := e.kc.GetShardIterator(ctx, in)
			if err != nil {
				t.Fatalf("GetShardIterator: %v", err)
			}
			out, err := e.kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: itOut.ShardIterator, Limit: aws.Int32(1)})
			if err != nil {
				t.Fatalf("GetRecords: %v", err)
			}
			got := ""
			if len(out.Records) > 0 {
				got = string(out.Records[0].Data)
			}
			if got != tt.want {
				t.Errorf("first record: got %q, want %q", got, tt.want)
			}
		})
	}
	_, err = e.kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeAtTimestamp, Timestamp: aws.Time(epoch.Add(time.Hour))})
	wantCode(t, "AT_TIMESTAMP in the future", err, "InvalidArgumentException")
	_, err = e.kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: aws.String("12345")})
	wantCode(t, "AT_SEQUENCE_NUMBER of a foreign number", err, "InvalidArgumentException")
	_, err = e.kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String("shardId-000000000009"), ShardIteratorType: types.ShardIteratorTypeLatest})
	wantCode(t, "GetShardIterator on a missing shard", err, "ResourceNotFoundException")
}

func TestRouting(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	e.createStream(t, "s", 4)
	ls, err := e.kc.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("s")})
	if err != nil {
		t.Fatalf("ListShards: %v", err)
	}
	shardOf := func(h *big.Int) string {
		for _, sh := range ls.Shards {
			lo, _ := new(big.Int).SetString(aws.ToString(sh.HashKeyRange.StartingHashKey), 10)
			hi, _ := new(big.Int).SetString(aws.ToString(sh.HashKeyRange.EndingHashKey), 10)
			if h.Cmp(lo) >= 0 && h.Cmp(hi) <= 0 {
				return aws.ToString(sh.ShardId)
			}
		}
		return ""
	}
	for i := 0; i < 20; i++ {
		key := fmt.Sprintf("key-%d", i)
		sum := md5.Sum([]byte(key))
		want := shardOf(new(big.Int).SetBytes(sum[:]))
		out, err := e.kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String(key), Data: []byte("x")})
		if err != nil {
			t.Fatalf("PutRecord: %v", err)
		}
		if got := aws.ToString(out.ShardId); got != want {
			t.Errorf("key %s: got %s, want %s (MD5 routing)", key, got, want)
		}
	}
	max := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(1))
	out, err := e.kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), ExplicitHashKey: aws.String(max.String()), Data: []byte("x")})
	if err != nil || aws.ToString(out.ShardId) != "shardId-000000000003" {
		t.Errorf("ExplicitHashKey 2^128-1: got %v %v, want shardId-000000000003", aws.ToString(out.ShardId), err)
	}
	_, err = e.kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), ExplicitHashKey: aws.String(new(big.Int).Add(max, big.NewInt(1)).String()), Data: []byte("x")})
	wantCode(t, "ExplicitHashKey 2^128", err, "InvalidArgumentException")

	// SequenceNumberForOrdering: the next number is above the one given.
	first, _ := e.kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("x")})
	second, err := e.kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("y"), SequenceNumberForOrdering: first.SequenceNumber})
	if err != nil {
		t.Fatalf("PutRecord with SequenceNumberForOrdering: %v", err)
	}
	a, _ := new(big.Int).SetString(aws.ToString(first.SequenceNumber), 10)
	b, _ := new(big.Int).SetString(aws.ToString(second.SequenceNumber), 10)
	if a.Cmp(b) >= 0 {
		t.Errorf("SequenceNumberForOrdering: got %s after %s, want greater", b, a)
	}
}

func TestIteratorExpiryAndTampering(t *testing.T) {
	e := newEnv(t, kinesisfake.WithIteratorTTL(time.Minute))
	ctx := t.Context()
	e.createStream(t, "s", 1)
	it := e.iterator(t, "s", "shardId-000000000000", types.ShardIteratorTypeTrimHorizon, "")
	if _, err := e.kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(it)}); err != nil {
		t.Fatalf("GetRecords with a fresh iterator: %v", err)
	}
	tampered := []byte(it)
	tampered[10] ^= 1
	if tampered[10] == '/' || tampered[10] == '+' {
		tampered[10] = 'A'
	}
	_, err := e.kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(string(tampered))})
	wantCode(t, "GetRecords with an altered iterator", err, "InvalidArgumentException")
	e.clk.Advance(time.Minute + time.Millisecond)
	_, err = e.kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(it)})
	wantCode(t, "GetRecords with an expired iterator", err, "ExpiredIteratorException")

	// An iterator of a deleted and re-created stream is not found.
	it = e.iterator(t, "s", "shardId-000000000000", types.ShardIteratorTypeTrimHorizon, "")
	if _, err := e.kc.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("s")}); err != nil {
		t.Fatal(err)
	}
	e.createStream(t, "s", 1)
	_, err = e.kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(it)})
	wantCode(t, "GetRecords with an iterator of a deleted stream", err, "ResourceNotFoundException")
}

func TestRetention(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	e.createStream(t, "s", 1)
	put := func(i int) {
		if _, err := e.kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: data(i)}); err != nil {
			t.Fatalf("PutRecord: %v", err)
		}
	}
	put(0)
	e.clk.Advance(23 * time.Hour)
	put(1)
	if got := e.readAll(t, "s", "shardId-000000000000"); len(got) != 2 {
		t.Fatalf("after 23 h: got %v, want both records", got)
	}
	e.clk.Advance(time.Hour + time.Millisecond)
	if got, want := e.readAll(t, "s", "shardId-000000000000"), []string{"record-0001"}; !slices.Equal(got, want) {
		t.Fatalf("after 24 h: got %v, want %v", got, want)
	}
	if _, err := e.kc.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String("s"), RetentionPeriodHours: aws.Int32(48)}); err != nil {
		t.Fatalf("IncreaseStreamRetentionPeriod: %v", err)
	}
	e.clk.Advance(24 * time.Hour)
	if got, want := e.readAll(t, "s", "shardId-000000000000"), []string{"record-0001"}; !slices.Equal(got, want) {
		t.Fatalf("after 48 h with 48 h retention: got %v, want %v", got, want)
	}
	_, err := e.kc.DecreaseStreamRetentionPeriod(ctx, &kinesis.DecreaseStreamRetentionPeriodInput{StreamName: aws.String("s"), RetentionPeriodHours: aws.Int32(72)})
	wantCode(t, "DecreaseStreamRetentionPeriod upwards", err, "InvalidArgumentException")
	_, err = e.kc.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String("s"), RetentionPeriodHours: aws.Int32(9000)})
	wantCode(t, "IncreaseStreamRetentionPeriod beyond 8760", err, "InvalidArgumentException")
	if _, err := e.kc.DecreaseStreamRetentionPeriod(ctx, &kinesis.DecreaseStreamRetentionPeriodInput{StreamName: aws.String("s"), RetentionPeriodHours: aws.Int32(24)}); err != nil {
		t.Fatalf("DecreaseStreamRetentionPeriod: %v", err)
	}
	if got := e.readAll(t, "s", "shardId-000000000000"); len(got) != 0 {
		t.Fatalf("after decreasing to 24 h: got %v, want none", got)
	}
}
