package assertions

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestJSONLinesOutput verifies output written as JSON lines (a black-box
// pipeline's, hive-partitioned, files of any name) against the ledger, and
// wants a copy with a line written twice, one with a line missing and one
// that is not JSON rejected.
func TestJSONLinesOutput(t *testing.T) {
	t.Parallel()
	var ledger []string
	var lines []string
	for i := range int64(6) {
		key := fmt.Sprintf("key-%d", i)
		row := ledgerRow{Seq: i, Key: key, PayloadSHA256: payloadSHA(i), Outcome: "ack", ShardID: "shardId-000000000000",
			SequenceNumber: fmt.Sprint(1000 + i), Partition: -1, Offset: -1, AckedAtMS: t0.UnixMilli()}
		b, _ := json.Marshal(row)
		ledger = append(ledger, string(b))
		lines = append(lines, fmt.Sprintf(`{"serialnumber":%q,"value":%d}`, key, i))
	}
	tests := []struct {
		name    string
		files   map[string]string
		wantErr string
		status  Status
		count   string
	}{
		{name: "as written", files: map[string]string{
			"day=1/a.jsonl": strings.Join(lines[:3], "\n") + "\n", "day=2/b.json": strings.Join(lines[3:], "\n"), "day=2/empty.jsonl": ""},
			status: Pass, count: "delivered"},
		{name: "a line written twice", files: map[string]string{
			"day=1/a.jsonl": strings.Join(lines, "\n") + "\n", "day=1/again.jsonl": lines[2] + "\n"},
			status: Fail, count: "duplicated"},
		{name: "a line missing", files: map[string]string{"day=1/a.jsonl": strings.Join(lines[1:], "\n") + "\n"},
			status: Fail, count: "lost"},
		{name: "not JSON", files: map[string]string{"day=1/a.jsonl": "PAR1 garbage\n"}, wantErr: "as JSON lines"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			writeFile(t, filepath.Join(root, "ledger.jsonl"), strings.Join(ledger, "\n")+"\n")
			for rel, data := range tt.files {
				writeFile(t, filepath.Join(root, "out", rel), data)
			}
			cfg := Config{Output: filepath.Join(root, "out"), Ledger: filepath.Join(root, "ledger.jsonl"), KeyColumn: "serialnumber",
				OutputFormat: FormatJSONLines, PartitionBy: []string{"day"}}
			rep, err := Verify(t.Context(), cfg)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Verify = %v, want an error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			d := rep.Result(CheckDelivery)
			if d.Status != tt.status || d.Count(tt.count) == 0 {
				t.Errorf("delivery %s with %s=%d, want %s with some (%s)", d.Status, tt.count, d.Count(tt.count), tt.status, describeCounts(d))
			}
		})
	}
	if err := (&Config{Output: "out", OutputFormat: "avro"}).Validate(); err == nil || !strings.Contains(err.Error(), "OutputFormat") {
		t.Errorf("Validate with OutputFormat avro = %v, want an error naming OutputFormat", err)
	}
}

func describeCounts(r *Result) string {
	var parts []string
	for _, c := range r.Counts {
		parts = append(parts, fmt.Sprintf("%s=%d", c.Name, c.Value))
	}
	return strings.Join(parts, " ")
}
