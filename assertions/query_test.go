package assertions

import (
	"fmt"
	"strings"
	"testing"
)

func TestQuery(t *testing.T) {
	p := cleanFixture().write(t)
	s, err := Open(t.Context(), p.config())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tests := []struct {
		sql     string
		want    string
		wantErr string
	}{
		{sql: "SELECT count(*) FROM output", want: "[[42]]"},
		{sql: "SELECT DISTINCT ingest_hour FROM output ORDER BY 1", want: "[[12] [13]]"},
		// Every partition column has one type, whatever its values look like.
		{sql: "SELECT DISTINCT typeof(ingest_year), typeof(ingest_month), typeof(ingest_day), typeof(ingest_hour) FROM output", want: "[[INTEGER INTEGER INTEGER INTEGER]]"},
		{sql: "SELECT count(*), min(error) FROM dead_letter", want: "[[2 invalid JSON at offset 3]]"},
		{sql: "SELECT outcome, count(*) FROM ledger GROUP BY 1 ORDER BY 1", want: "[[ack 43] [failed 1] [unknown 2]]"},
		{sql: "SELECT * FROM nope", wantErr: "Table with name nope does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.sql, func(t *testing.T) {
			got, err := s.Query(t.Context(), tt.sql)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Query() error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s := fmt.Sprint(got.Rows); s != tt.want {
				t.Errorf("rows = %s, want %s", s, tt.want)
			}
		})
	}
}

// TestQueryPartitionTypes: a day with a leading zero and an hour without
// one are both INTEGER (DuckDB's own guess made the first VARCHAR).
func TestQueryPartitionTypes(t *testing.T) {
	f := cleanFixture()
	for b := range f.batches {
		for i := range f.batches[b].files {
			f.batches[b].files[i].dir = "ingest_year=2026/ingest_month=01/ingest_day=04/ingest_hour=14"
		}
	}
	p := f.write(t)
	s, err := Open(t.Context(), p.config())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.Query(t.Context(), "SELECT DISTINCT typeof(ingest_day), typeof(ingest_hour), ingest_day FROM output")
	if err != nil {
		t.Fatal(err)
	}
	if s := fmt.Sprint(got.Rows); s != "[[INTEGER INTEGER 4]]" {
		t.Errorf("rows = %s, want [[INTEGER INTEGER 4]]", s)
	}
}
