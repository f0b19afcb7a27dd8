package assertions

import (
	"database/sql"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// kinesisPrefix turns the fixture's 4-digit sequence numbers into 56-digit
// ones, as Kinesis writes them, which do not fit a BIGINT.
const kinesisPrefix = "4959033827149025660855969253836157109592157598913658"

func longSequenceNumbers(f *fixture) {
	for i := range f.ledger {
		if n := f.ledger[i].SequenceNumber; n != "" {
			f.ledger[i].SequenceNumber = kinesisPrefix + n
		}
	}
}

// TestDeliveryEdgeCases covers the keys that are not plain (one
// acknowledged attempt, one output row) and so take the exact per-key path,
// next to plain keys that must not be paired with each other.
func TestDeliveryEdgeCases(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(f *fixture)
		// after changes the written files.
		after func(t *testing.T, p fixPaths)
		// want maps "check/count" to its value.
		want map[string]int64
		// wantExample's words all appear in one example of the check.
		wantExample string
	}{
		{
			name:   "clean",
			mutate: func(*fixture) {},
			want: map[string]int64{"delivery/delivered": 42, "delivery/lost": 0, "delivery/duplicated": 0,
				"delivery/unexpected": 0, "delivery/recovered": 1, "order/out_of_order": 0},
		},
		{
			name: "ledger retry with the same key, delivered once",
			mutate: func(f *fixture) {
				retry := f.ledger[10] // k010 acknowledged twice, without duplicate_of
				retry.Seq = 46
				f.ledger = append(f.ledger, retry)
			},
			want:        map[string]int64{"delivery/lost": 1, "delivery/duplicated": 0, "delivery/delivered": 42},
			wantExample: "lost k010",
		},
		{
			name: "ledger retry with the same key, delivered twice",
			mutate: func(f *fixture) {
				retry := f.ledger[10]
				retry.Seq = 46
				f.ledger = append(f.ledger, retry)
				f.batches[3].files[0].rows = append(f.batches[3].files[0].rows, outRow{"k010", 10})
			},
			want: map[string]int64{"delivery/lost": 0, "delivery/duplicated": 0, "delivery/delivered": 43},
		},
		{
			name: "delivered three times",
			mutate: func(f *fixture) {
				f.batches[3].files[0].rows = append(f.batches[3].files[0].rows, outRow{"k012", 12}, outRow{"k012", 12})
			},
			want:        map[string]int64{"delivery/duplicated": 2, "delivery/delivered": 44},
			wantExample: "duplicated k012",
		},
		{
			name: "unknown outcome delivered twice",
			mutate: func(f *fixture) {
				f.batches[3].files[0].rows = append(f.batches[3].files[0].rows, outRow{"k042", 42}, outRow{"k042", 42})
			},
			want:        map[string]int64{"delivery/duplicated": 1, "delivery/recovered": 2},
			wantExample: "duplicated k042",
		},
		{
			// One attempt without a row and one row without an attempt
			// make two rows, as a plain key has: they must not pair.
			name: "lost key and unexpected key in one run",
			mutate: func(f *fixture) {
				f.batches[0].files[1].rows = slices.Delete(f.batches[0].files[1].rows, 2, 3) // k007
				f.batches[2].files[0].rows = append(f.batches[2].files[0].rows, outRow{"zzz", 1})
			},
			want:        map[string]int64{"delivery/lost": 1, "delivery/unexpected": 1, "delivery/delivered": 42},
			wantExample: "lost k007",
		},
		{
			name: "empty output",
			mutate: func(f *fixture) {
				for _, b := range f.batches {
					for i := range b.files {
						b.files[i].rows = nil
					}
				}
			},
			want:        map[string]int64{"delivery/lost": 41, "delivery/delivered": 0, "delivery/unexpected": 0, "order/partition_keys": 0},
			wantExample: "lost k000",
		},
		{
			name: "null keys",
			after: func(t *testing.T, p fixPaths) {
				db, err := sql.Open("duckdb", "")
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				path := filepath.Join(p.out, ingestDir(batchStart(3).Add(30*time.Second)), "part-00000003-00009.snappy.parquet")
				if _, err := db.Exec(`COPY (SELECT NULL::VARCHAR AS serialnumber, 1.0::DOUBLE AS value, TIMESTAMP '2026-11-22 12:00:00' AS eventtime
					FROM range(2)) TO ` + sqlString(path) + ` (FORMAT parquet)`); err != nil {
					t.Fatal(err)
				}
			},
			want:        map[string]int64{"delivery/unexpected": 2, "delivery/delivered": 44, "delivery/lost": 0},
			wantExample: "unexpected part-00000003-00009.snappy.parquet",
		},
		{
			name:   "56-digit sequence numbers in order",
			mutate: longSequenceNumbers,
			want:   map[string]int64{"delivery/delivered": 42, "order/partition_keys": 4, "order/out_of_order": 0},
		},
		{
			name: "56-digit sequence numbers out of order across batches",
			mutate: func(f *fixture) {
				longSequenceNumbers(f)
				a, b := f.batches[0].files[0].rows, f.batches[1].files[0].rows
				a[1], b[1] = b[1], a[1] // k001 and k011 (both pk1) change batches
			},
			want:        map[string]int64{"order/out_of_order": 2},
			wantExample: "across_batches record k001 at position " + kinesisPrefix + "1001 after position " + kinesisPrefix + "1009",
		},
		{
			name: "56-digit sequence numbers inside a data-loss range",
			mutate: func(f *fixture) {
				longSequenceNumbers(f)
				f.batches[3].files[0].rows = slices.Delete(f.batches[3].files[0].rows, 3, 4) // k033
				f.batches[3].dataLoss = []lossSpan{{ShardID: "shardId-000000000000", Partition: -1, From: kinesisPrefix + "1302", To: kinesisPrefix + "1303"}}
			},
			want: map[string]int64{"delivery/in_data_loss_range": 2, "delivery/lost": 0},
		},
		{
			name: "out of order within a file, plain keys",
			mutate: func(f *fixture) {
				rows := f.batches[1].files[0].rows // k010..k019; k011 and k015 share pk3
				rows[1], rows[5] = rows[5], rows[1]
			},
			want:        map[string]int64{"order/out_of_order": 1},
			wantExample: "within_file record k011 at position 1101 after position 1105",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := cleanFixture()
			if tt.mutate != nil {
				tt.mutate(f)
			}
			p := f.write(t)
			if tt.after != nil {
				tt.after(t, p)
			}
			rep, err := Verify(t.Context(), p.config())
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			checks := map[string]bool{}
			for k, want := range tt.want {
				check, name, _ := strings.Cut(k, "/")
				checks[check] = true
				if got := rep.Result(check).Count(name); got != want {
					t.Errorf("%s = %d, want %d (examples %+v)", k, got, want, rep.Result(check).Examples)
				}
			}
			if tt.wantExample == "" {
				return
			}
			found := false
			for check := range checks {
				for _, e := range rep.Result(check).Examples {
					s := strings.Join([]string{e.Kind, e.Key, e.File, strconv.FormatInt(e.Batch, 10), e.Detail}, " ")
					if containsAll(s, strings.Fields(tt.wantExample)) {
						found = true
					}
				}
			}
			if !found {
				t.Errorf("no example matching %q in %+v", tt.wantExample, rep.Results)
			}
		})
	}
}
