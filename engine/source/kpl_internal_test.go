package source

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"weak"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/streamcheck/streamcheck/engine/checkpoint"
	"github.com/streamcheck/streamcheck/internal/kpl"
)

// TestAppendKinesisRecordKPL: an aggregate becomes its user records with
// their own keys and sub-sequence numbers; a corrupt one stays whole with
// the reason; any other record passes as it is.
func TestAppendKinesisRecordKPL(t *testing.T) {
	t.Parallel()
	agg := kpl.Aggregate([]kpl.Record{
		{PartitionKey: "a", Data: []byte(`{"n":1}`)},
		{PartitionKey: "b", ExplicitHashKey: "42", Data: []byte(`{"n":2}`)},
		{PartitionKey: "a", Data: []byte(`{"n":3}`)},
	})
	bad := append([]byte(nil), agg...)
	bad[len(bad)-1] ^= 1
	rec := func(data []byte) *types.Record {
		return &types.Record{Data: data, PartitionKey: aws.String("outer"), SequenceNumber: aws.String("4960")}
	}
	var out []Record
	shard := &Origin{ShardID: "shardId-000000000001", Partition: -1}
	out = appendKinesisRecord(out, sdkRecord(rec([]byte(`{"n":0}`)), shard))
	out = appendKinesisRecord(out, sdkRecord(rec(agg), shard))
	out = appendKinesisRecord(out, sdkRecord(rec(bad), shard))
	var got []string
	for _, r := range out {
		if r.ShardID() != shard.ShardID || r.Partition() != -1 || r.Offset != -1 {
			t.Errorf("record %q from shard %q partition %d offset %d, want %q -1 -1", r.Data, r.ShardID(), r.Partition(), r.Offset, shard.ShardID)
		}
		got = append(got, strings.Join([]string{string(r.Data), r.PartitionKey, r.ExplicitHashKey(), r.SequenceNumber,
			map[bool]string{true: "agg", false: "-"}[r.Aggregated], strconv.Itoa(int(r.SubSequenceNumber))}, " "))
	}
	want := []string{
		`{"n":0} outer  4960 - 0`,
		`{"n":1} a  4960 agg 0`,
		`{"n":2} b 42 4960 agg 1`,
		`{"n":3} a  4960 agg 2`,
	}
	if len(out) != 5 || strings.Join(got[:4], "\n") != strings.Join(want, "\n") {
		t.Fatalf("records:\n%s\nwant\n%s\nthen the corrupt aggregate", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if c := out[4]; string(c.Data) != string(bad) || c.Aggregated || !strings.Contains(c.Err(), "corrupt KPL aggregate: MD5") {
		t.Errorf("corrupt aggregate: %+v, want it whole with an MD5 error", c)
	}
}

// TestChunkShards: a Kinesis read's batch made a chunk at a time (Chunk,
// into a reused buffer; a chunk a page, or spanRecords of one) holds the
// records that converting every record in shard and page order gives, KPL
// aggregates unpacked and a corrupt one kept whole; All gives them in one
// slice, and then chunks of Records.
func TestChunkShards(t *testing.T) {
	t.Parallel()
	agg := kpl.Aggregate([]kpl.Record{{PartitionKey: "a", Data: []byte(`{"n":1}`)}, {PartitionKey: "b", Data: []byte(`{"n":2}`)}, {PartitionKey: "c", Data: []byte(`{"n":3}`)}})
	bad := append([]byte(nil), agg...)
	bad[len(bad)-1] ^= 1
	seq := 0
	pageOf := func(data ...[]byte) *page {
		p := &page{}
		for _, d := range data {
			seq++
			p.sdk = append(p.sdk, types.Record{Data: d, PartitionKey: aws.String("pk"), SequenceNumber: aws.String(strconv.Itoa(seq))})
		}
		return p
	}
	// A page of more than spanRecords records is cut in two chunks, with
	// an aggregate on each side of the cut.
	long := make([][]byte, spanRecords+3)
	for i := range long {
		long[i] = fmt.Appendf(nil, `{"n":%d}`, 100+i)
	}
	long[spanRecords-1], long[spanRecords+1] = agg, agg
	results := []shardRead{
		{rng: checkpoint.ShardRange{ShardID: "shardId-0"}, pages: []*page{pageOf([]byte(`{"n":0}`), agg), pageOf(bad, agg, []byte(`{"n":4}`))}},
		{rng: checkpoint.ShardRange{ShardID: "shardId-1"}},
		{rng: checkpoint.ShardRange{ShardID: "shardId-2"}, pages: []*page{pageOf([]byte(`{"n":5}`)), pageOf(long...)}},
	}
	var want []Record
	for i := range results {
		origin := &Origin{ShardID: results[i].rng.ShardID, Partition: -1}
		for _, p := range results[i].pages {
			for j := range p.len() {
				want = append(want, appendKinesisRecord(nil, p.record(j, origin))...)
			}
		}
		results[i].count()
	}
	text := func(recs []Record) string {
		var out []string
		for _, r := range recs {
			out = append(out, fmt.Sprintf("%s %q %s %s %v %d %q", r.ShardID(), r.Data, r.PartitionKey, r.SequenceNumber, r.Aggregated, r.SubSequenceNumber, r.Err()))
		}
		return strings.Join(out, "\n")
	}
	b := &Batch{}
	b.pages, b.n = chunkShards(results)
	if b.Len() != len(want) || b.Chunks() != 5 {
		t.Fatalf("Len %d and Chunks %d, want %d and 5 (a chunk a page, two for the long one)", b.Len(), b.Chunks(), len(want))
	}
	var got, buf []Record
	for k := range b.Chunks() {
		var base int
		if base, buf = b.Chunk(k, buf); base != len(got) {
			t.Errorf("chunk %d starts at %d, want %d", k, base, len(got))
		}
		got = append(got, buf...)
	}
	if text(got) != text(want) {
		t.Errorf("chunks:\n%s\nwant\n%s", text(got), text(want))
	}
	if all := b.All(); text(all) != text(want) || b.Chunks() != 1 || b.Len() != len(want) {
		t.Errorf("All: %d records in %d chunks:\n%s\nwant the same %d in 1 (of up to %d Records)", b.Len(), b.Chunks(), text(all), len(want), recordChunk)
	}
	if b.Release(); b.Len() != 0 || b.Chunks() != 0 {
		t.Errorf("after Release: Len %d, Chunks %d, want 0 and 0", b.Len(), b.Chunks())
	}

	many := &Batch{Records: make([]Record, 2*recordChunk+5)}
	if base, recs := many.Chunk(2, nil); many.Chunks() != 3 || base != 2*recordChunk || len(recs) != 5 {
		t.Errorf("a batch of %d Records: %d chunks, the last at %d with %d, want 3, %d and 5", many.Len(), many.Chunks(), base, len(recs), 2*recordChunk)
	}
}

// TestDropLetsPagesGo checks that a page of a batch goes back to the
// collector once every chunk cut from it is dropped, and not before, and
// that Drop leaves a batch of Records as it is.
func TestDropLetsPagesGo(t *testing.T) {
	pageOf := func(n int) *page {
		p := &page{}
		for i := range n {
			p.sdk = append(p.sdk, types.Record{Data: fmt.Appendf(nil, `{"n":%d}`, i), PartitionKey: aws.String("pk"), SequenceNumber: aws.String(strconv.Itoa(i))})
		}
		return p
	}
	b, short, long := func() (*Batch, weak.Pointer[page], weak.Pointer[page]) {
		short, long := pageOf(3), pageOf(spanRecords+1)
		results := []shardRead{{rng: checkpoint.ShardRange{ShardID: "shardId-0"}, pages: []*page{short, long}}}
		results[0].count()
		b := &Batch{}
		b.pages, b.n = chunkShards(results)
		return b, weak.Make(short), weak.Make(long)
	}()
	if b.Chunks() != 3 {
		t.Fatalf("%d chunks, want 3: one for the short page, two for the long one", b.Chunks())
	}
	b.Drop(1) // the long page's first chunk
	runtime.GC()
	if short.Value() == nil || long.Value() == nil {
		t.Fatalf("after dropping one of the long page's chunks: short page gone %v, long page gone %v; want both kept", short.Value() == nil, long.Value() == nil)
	}
	b.Drop(0)
	runtime.GC()
	if short.Value() != nil || long.Value() == nil {
		t.Fatalf("after dropping the short page's chunk: short page gone %v, long page gone %v; want only the short one gone", short.Value() == nil, long.Value() == nil)
	}
	if base, recs := b.Chunk(2, nil); base != 3+spanRecords || len(recs) != 1 {
		t.Errorf("the long page's last chunk: %d records at %d, want 1 at %d", len(recs), base, 3+spanRecords)
	}
	b.Drop(2)
	runtime.GC()
	if long.Value() != nil {
		t.Error("the long page is still reachable after all its chunks were dropped")
	}

	recs := &Batch{Records: make([]Record, 5)}
	if recs.Drop(0); recs.Len() != 5 {
		t.Errorf("a batch of Records: %d records after Drop, want 5", recs.Len())
	}
}
