package main

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

// TestVerifyKinesisOutput: verify and query read a kinesis:// output back,
// KPL aggregates unpacked, and verify counts a record sent twice.
func TestVerifyKinesisOutput(t *testing.T) {
	st, err := emulator.Start(t.Context(), emulator.WithBackend(emulator.Embedded))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	vars := map[string]string{}
	for _, kv := range st.Env() {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	kc := st.KinesisClient()
	if _, err := kc.CreateStream(t.Context(), &kinesis.CreateStreamInput{StreamName: aws.String("out"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	if err := kinesis.NewStreamExistsWaiter(kc).Wait(t.Context(), &kinesis.DescribeStreamInput{StreamName: aws.String("out")}, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	put := func(from, to int) {
		t.Helper()
		var recs []kpl.Record
		for i := from; i < to; i++ {
			recs = append(recs, kpl.Record{PartitionKey: fmt.Sprint(i), Data: fmt.Appendf(nil, `{"serialnumber":"k%03d","v":%d}`, i, i)})
		}
		if _, err := kc.PutRecords(t.Context(), &kinesis.PutRecordsInput{StreamName: aws.String("out"),
			Records: []ktypes.PutRecordsRequestEntry{{PartitionKey: aws.String("0"), Data: kpl.Aggregate(recs)}}}); err != nil {
			t.Fatal(err)
		}
	}
	put(0, 20)
	var lines []string
	for i := range 20 {
		b, _ := json.Marshal(map[string]any{"seq": i, "key": fmt.Sprintf("k%03d", i), "partition_key": fmt.Sprint(i), "payload_sha256": "00",
			"duplicate_of": -1, "outcome": "ack", "attempts": 1, "partition": -1, "offset": -1, "acked_at_ms": 1})
		lines = append(lines, string(b))
	}
	ledger := filepath.Join(t.TempDir(), "ledger.jsonl")
	if err := os.WriteFile(ledger, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	verify := []string{"verify", "--output", "kinesis://out", "--ledger", ledger, "--key", "serialnumber"}
	if code, out, errOut := runCLIEnv(t, vars, verify...); code != exitOK {
		t.Fatalf("verify: exit %d, stdout %s, stderr %s; want 0", code, out, errOut)
	}
	if code, out, errOut := runCLIEnv(t, vars, "query", "--output", "kinesis://out", "--format", "csv", "SELECT count(*) AS n FROM output"); code != exitOK || out != "n\n20\n" {
		t.Errorf("query: exit %d, stdout %q (stderr %q); want 20 rows", code, out, errOut)
	}
	put(5, 6) // one record sent again
	if code, out, errOut := runCLIEnv(t, vars, verify...); code != exitFailure || !strings.Contains(out, "duplicated") {
		t.Errorf("verify after a record is sent twice: exit %d, stdout %s, stderr %s; want 1 and a duplicate", code, out, errOut)
	}
}
