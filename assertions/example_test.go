package assertions_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/streamcheck/streamcheck/assertions"
)

// Verify checks a job's output against the ledger of what was sent: here
// three records were acknowledged and two reached the output.
func ExampleVerify() {
	dir, err := os.MkdirTemp("", "streamcheck-example-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	db, err := sql.Open("duckdb", "")
	if err != nil {
		panic(err)
	}
	defer db.Close()
	out := filepath.Join(dir, "out")
	if err := os.MkdirAll(out, 0o755); err != nil {
		panic(err)
	}
	if _, err := db.Exec(fmt.Sprintf(`COPY (SELECT * FROM (VALUES ('a', 1), ('b', 2)) t(id, amount))
		TO '%s' (FORMAT parquet)`, filepath.Join(out, "part-00000000-00000.snappy.parquet"))); err != nil {
		panic(err)
	}
	ledger := filepath.Join(dir, "ledger.jsonl")
	if err := os.WriteFile(ledger, []byte(`{"seq":0,"key":"a","malformed":"","outcome":"ack","acked_at_ms":1}
{"seq":1,"key":"b","malformed":"","outcome":"ack","acked_at_ms":2}
{"seq":2,"key":"c","malformed":"","outcome":"ack","acked_at_ms":3}
`), 0o644); err != nil {
		panic(err)
	}

	rep, err := assertions.Verify(context.Background(), assertions.Config{
		Output:    out,
		Ledger:    ledger,
		KeyColumn: "id",
		Schema:    []assertions.Column{{Name: "id", Type: "string"}, {Name: "amount", Type: "int", Nullable: true}},
	})
	if err != nil {
		panic(err)
	}
	for _, r := range rep.Results {
		fmt.Printf("%-12s %s\n", r.Check, r.Status)
	}
	d := rep.Result(assertions.CheckDelivery)
	fmt.Println("lost:", d.Count("lost"), d.Examples[0].Key)
	// Output:
	// delivery     fail
	// dead_letter  skip
	// lag          skip
	// schema       pass
	// layout       pass
	// order        skip
	// lost: 1 c
}
