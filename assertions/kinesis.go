package assertions

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/streamcheck/streamcheck/internal/kpl"
)

// KinesisAPI is the part of the Kinesis client that reads a kinesis://
// output.
type KinesisAPI interface {
	ListShards(context.Context, *kinesis.ListShardsInput, ...func(*kinesis.Options)) (*kinesis.ListShardsOutput, error)
	GetShardIterator(context.Context, *kinesis.GetShardIteratorInput, ...func(*kinesis.Options)) (*kinesis.GetShardIteratorOutput, error)
	GetRecords(context.Context, *kinesis.GetRecordsInput, ...func(*kinesis.Options)) (*kinesis.GetRecordsOutput, error)
}

// streamName matches a Kinesis stream name.
var streamName = regexp.MustCompile(`^[a-zA-Z0-9_.-]{1,128}$`)

// materializeStream reads every record of a Kinesis stream, each shard
// from its trim horizon to its end or its tip, unpacks KPL aggregates into
// their user records, writes each user record (a JSON object, as a Kinesis
// sink writes rows) as a JSON line under dir/.records and has DuckDB turn
// them into dir/items.parquet, which the checks read like any output
// object. Every copy of a record counts: duplicates a sink sent after a
// crash are rows of the output. An empty stream leaves dir without it.
func materializeStream(ctx context.Context, client KinesisAPI, l location, dir string) (string, error) {
	if client == nil {
		return "", fmt.Errorf("read %s: no Kinesis client", l.raw)
	}
	raw := filepath.Join(dir, ".records")
	if err := os.MkdirAll(raw, 0o755); err != nil {
		return "", fmt.Errorf("read %s: %w", l.raw, err)
	}
	dst := filepath.Join(raw, "records.jsonl")
	f, err := os.Create(dst)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", l.raw, err)
	}
	defer f.Close()
	bw := bufio.NewWriter(f)
	nonString := map[string]bool{}
	var n int64
	write := func(data []byte) error {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(data, &obj); err != nil {
			return fmt.Errorf("record %d is not a JSON object: %w", n, err)
		}
		for k, v := range obj {
			if len(v) == 0 || v[0] != '"' {
				nonString[k] = true
			}
		}
		n++
		if _, err := bw.Write(data); err != nil {
			return err
		}
		return bw.WriteByte('\n')
	}
	shards, err := listShards(ctx, client, l.stream)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", l.raw, err)
	}
	for _, sh := range shards {
		if err := readShard(ctx, client, l.stream, aws.ToString(sh.ShardId), write); err != nil {
			return "", fmt.Errorf("read %s: shard %s: %w", l.raw, aws.ToString(sh.ShardId), err)
		}
	}
	if err := bw.Flush(); err != nil {
		return "", fmt.Errorf("read %s: %w", l.raw, err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("read %s: %w", l.raw, err)
	}
	if n == 0 {
		return dir, nil
	}
	if err := jsonToParquet(ctx, []string{dst}, nonString, filepath.Join(dir, tableItems)); err != nil {
		return "", fmt.Errorf("read %s: convert %d records: %w", l.raw, n, err)
	}
	return dir, nil
}

// listShards returns every shard of the stream, open and closed.
func listShards(ctx context.Context, client KinesisAPI, stream string) ([]ktypes.Shard, error) {
	var out []ktypes.Shard
	in := &kinesis.ListShardsInput{StreamName: aws.String(stream)}
	for {
		page, err := client.ListShards(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("list shards: %w", err)
		}
		out = append(out, page.Shards...)
		if page.NextToken == nil {
			return out, nil
		}
		in = &kinesis.ListShardsInput{NextToken: page.NextToken}
	}
}

// readShard passes each user record of a shard, from its trim horizon, to
// write, stopping at the shard's end or, for an open shard, at its tip.
func readShard(ctx context.Context, client KinesisAPI, stream, shard string, write func([]byte) error) error {
	it, err := client.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{
		StreamName: aws.String(stream), ShardId: aws.String(shard), ShardIteratorType: ktypes.ShardIteratorTypeTrimHorizon,
	})
	if err != nil {
		return fmt.Errorf("get iterator: %w", err)
	}
	iter := it.ShardIterator
	for iter != nil {
		out, err := client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
		if err != nil {
			return fmt.Errorf("get records: %w", err)
		}
		for _, r := range out.Records {
			if !kpl.IsAggregate(r.Data) {
				if err := write(r.Data); err != nil {
					return fmt.Errorf("sequence number %s: %w", aws.ToString(r.SequenceNumber), err)
				}
				continue
			}
			users, err := kpl.Deaggregate(r.Data)
			if err != nil {
				return fmt.Errorf("sequence number %s: %w", aws.ToString(r.SequenceNumber), err)
			}
			for _, u := range users {
				if err := write(u.Data); err != nil {
					return fmt.Errorf("sequence number %s: %w", aws.ToString(r.SequenceNumber), err)
				}
			}
		}
		if len(out.Records) == 0 && aws.ToInt64(out.MillisBehindLatest) == 0 {
			return nil // the tip of an open shard
		}
		iter = out.NextShardIterator
	}
	return nil
}

// streamNoLag is why lag is not measured on a kinesis:// output.
const streamNoLag = "not measurable for this output: the records read back carry no commit time of the job's"

// outputKind names a table or stream output, for skipped checks.
func (s *Session) outputKind() string {
	if s.outLoc.stream != "" {
		return "a Kinesis stream"
	}
	return "a DynamoDB table"
}
