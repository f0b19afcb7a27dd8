package assertions

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/streamcheck/streamcheck/emulator"
	"github.com/streamcheck/streamcheck/internal/kpl"
)

// kinRecords is how many user records the Kinesis output tests write.
const kinRecords = 40

// kinStream starts a stack, creates a two-shard stream and returns its
// client and a ledger listing the serial numbers k000..k039.
func kinStream(t *testing.T, stream string) (*kinesis.Client, string) {
	t.Helper()
	st, err := emulator.Start(t.Context())
	if err != nil {
		t.Fatalf("start emulator: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	c := st.KinesisClient()
	if _, err := c.CreateStream(t.Context(), &kinesis.CreateStreamInput{StreamName: aws.String(stream), ShardCount: aws.Int32(2)}); err != nil {
		t.Fatalf("create stream: %v", err)
	}
	if err := kinesis.NewStreamExistsWaiter(c).Wait(t.Context(), &kinesis.DescribeStreamInput{StreamName: aws.String(stream)}, 10*time.Second); err != nil {
		t.Fatalf("wait for stream: %v", err)
	}
	var lines []string
	for i := range kinRecords {
		b, _ := json.Marshal(ledgerRow{Seq: int64(i), Key: fmt.Sprintf("k%03d", i), PartitionKey: fmt.Sprintf("k%03d", i), PayloadSHA256: payloadSHA(int64(i)),
			DuplicateOf: -1, Outcome: "ack", Attempts: 1, Partition: -1, Offset: -1, AckedAtMS: t0.UnixMilli() + int64(i)})
		lines = append(lines, string(b))
	}
	ledger := filepath.Join(t.TempDir(), "ledger.jsonl")
	if err := os.WriteFile(ledger, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return c, ledger
}

// kinRow is user record i as a Kinesis sink writes a row.
func kinRow(i int) []byte {
	return fmt.Appendf(nil, `{"serialnumber":"k%03d","reading":%d.5,"ok":%v}`, i, i, i%2 == 0)
}

// putKinesis puts user records: those in aggregated packed 10 to a KPL
// aggregate, the others plain.
func putKinesis(t *testing.T, c *kinesis.Client, stream string, idx []int, aggregated bool) {
	t.Helper()
	var entries []ktypes.PutRecordsRequestEntry
	if aggregated {
		for start := 0; start < len(idx); start += 10 {
			var recs []kpl.Record
			for _, i := range idx[start:min(start+10, len(idx))] {
				recs = append(recs, kpl.Record{PartitionKey: fmt.Sprint(i), Data: kinRow(i)})
			}
			entries = append(entries, ktypes.PutRecordsRequestEntry{PartitionKey: aws.String(recs[0].PartitionKey), Data: kpl.Aggregate(recs)})
		}
	} else {
		for _, i := range idx {
			entries = append(entries, ktypes.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprint(i)), Data: kinRow(i)})
		}
	}
	out, err := c.PutRecords(t.Context(), &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: entries})
	if err != nil || aws.ToInt32(out.FailedRecordCount) != 0 {
		t.Fatalf("PutRecords: %v", err)
	}
}

func TestVerifyKinesisOutput(t *testing.T) {
	t.Parallel()
	all := make([]int, kinRecords)
	for i := range all {
		all[i] = i
	}
	for _, tc := range []struct {
		name          string
		put           func(t *testing.T, c *kinesis.Client)
		ok            bool
		lost, dup     int64
		wantDelivered int64
	}{
		{name: "clean, half aggregated", ok: true, wantDelivered: kinRecords, put: func(t *testing.T, c *kinesis.Client) {
			putKinesis(t, c, "out", all[:20], true)
			putKinesis(t, c, "out", all[20:], false)
		}},
		{name: "aggregate sent twice", dup: 10, wantDelivered: kinRecords + 10, put: func(t *testing.T, c *kinesis.Client) {
			putKinesis(t, c, "out", all, true)
			putKinesis(t, c, "out", all[:10], true)
		}},
		{name: "record missing", lost: 1, wantDelivered: kinRecords - 1, put: func(t *testing.T, c *kinesis.Client) {
			putKinesis(t, c, "out", append(append([]int{}, all[:7]...), all[8:]...), false)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, ledger := kinStream(t, "out")
			tc.put(t, c)
			rep, err := Verify(t.Context(), Config{Output: "kinesis://out", Kinesis: c, Ledger: ledger, KeyColumn: "serialnumber", TempDir: t.TempDir(),
				Schema: []Column{{Name: "serialnumber", Type: "string"}, {Name: "reading", Type: "double"}, {Name: "ok", Type: "boolean"}}})
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if rep.OK != tc.ok {
				t.Errorf("OK = %v, want %v; report %+v", rep.OK, tc.ok, rep.Results)
			}
			res := map[string]Result{}
			for _, r := range rep.Results {
				res[r.Check] = r
			}
			d := res[CheckDelivery]
			if got := d.Count("lost"); got != tc.lost {
				t.Errorf("lost = %d, want %d", got, tc.lost)
			}
			if got := d.Count("duplicated"); got != tc.dup {
				t.Errorf("duplicated = %d, want %d", got, tc.dup)
			}
			if got := d.Count("delivered"); got != tc.wantDelivered {
				t.Errorf("delivered = %d, want %d", got, tc.wantDelivered)
			}
			if s := res[CheckSchema]; s.Status != Pass {
				t.Errorf("schema %s (%s), want pass", s.Status, s.Detail)
			}
			if l := res[CheckLayout]; l.Status != Skip || !strings.Contains(l.Detail, "a Kinesis stream, not objects") {
				t.Errorf("layout %s %q, want skipped for a stream", l.Status, l.Detail)
			}
			if l := res[CheckLag]; l.Status != Skip || !strings.Contains(l.Detail, "not measurable") {
				t.Errorf("lag %s %q, want skipped as not measurable", l.Status, l.Detail)
			}
		})
	}
}

func TestKinesisOutputConfig(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"no client", Config{Output: "kinesis://out"}, "Kinesis: required for Output kinesis://out"},
		{"not the output", Config{Output: "/tmp/out", DeadLetter: "kinesis://dlq"}, "a Kinesis stream can only be the output"},
		{"bad name", Config{Output: "kinesis://a b"}, "want kinesis://STREAM"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.cfg.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}
