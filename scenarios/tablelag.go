package scenarios

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/generators"
)

// tableLag reads, for a Kinesis source, whether a pipeline that keeps its
// checkpoints in a DynamoDB table (a KCL application's lease table) has
// checkpointed every shard's last record: the pipeline's own account of its
// progress. last is each shard's last sequence number, from the ledger. It
// returns the shards not checkpointed at their end, described ("shard
// shardId-000000000001 not checkpointed at its last record 4960..."), or
// the table's absence.
func tableLag(ctx context.Context, c *dynamodb.Client, table, attribute string, last map[string]string) ([]string, error) {
	checkpointed := map[string]bool{}
	p := dynamodb.NewScanPaginator(c, &dynamodb.ScanInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		var nf *types.ResourceNotFoundException
		if errors.As(err, &nf) {
			return []string{fmt.Sprintf("checkpoint table %s does not exist", table)}, nil
		}
		if err != nil {
			return nil, fmt.Errorf("scan checkpoint table %s: %w", table, err)
		}
		for _, item := range page.Items {
			switch v := item[attribute].(type) {
			case *types.AttributeValueMemberS:
				checkpointed[v.Value] = true
			case *types.AttributeValueMemberN:
				checkpointed[v.Value] = true
			}
		}
	}
	var behind []string
	for shard, seq := range last {
		if !checkpointed[seq] {
			behind = append(behind, fmt.Sprintf("shard %s not checkpointed at its last record %s in table %s", shard, seq, table))
		}
	}
	slices.Sort(behind)
	return behind, nil
}

// lastSequences returns each shard's last sequence number in the ledger.
func lastSequences(ledger string) (map[string]string, error) {
	rows, err := generators.ReadLedger(ledger)
	if err != nil {
		return nil, fmt.Errorf("read the ledger for the shards' last records: %w", err)
	}
	last := map[string]string{}
	for _, r := range rows {
		if r.ShardID == "" || r.SequenceNumber == "" {
			continue
		}
		if cur, ok := last[r.ShardID]; !ok || seqLess(cur, r.SequenceNumber) {
			last[r.ShardID] = r.SequenceNumber
		}
	}
	return last, nil
}

// seqLess orders Kinesis sequence numbers, decimal strings of up to 128
// digits.
func seqLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// checkpointsBehind is caughtUp's look at a Command's checkpoint table; ok
// is false when there is none to look at.
func (r *run) checkpointsBehind(ctx context.Context) (behind []string, ok bool, err error) {
	c := r.cmd
	if c == nil || c.CheckpointTable == "" || c.CheckpointAttribute == "" || r.s.kind() != engine.KindKinesis {
		return nil, false, nil
	}
	if r.lastSeqs == nil {
		if r.lastSeqs, err = lastSequences(r.res.Ledger); err != nil {
			return nil, false, err
		}
	}
	behind, err = tableLag(ctx, r.stack.DynamoDBClient(), c.CheckpointTable, c.CheckpointAttribute, r.lastSeqs)
	return behind, err == nil, err
}
