package assertions
import ("testing";"fmt";"time";"strings")
func BenchmarkProf2(b *testing.B) {
	cfg := writeBenchFixture(b, b.TempDir(), 2000000, 100)
	s, err := Open(b.Context(), cfg)
	if err != nil { b.Fatal(err) }
	defer s.Close()
	for _, t := range []string{"sc_files","sc_batches","sc_dl","sc_ledger","sc_outrows"} {
		if err := s.ensure(b.Context(), t); err != nil { b.Fatal(err) }
	}
	q := s.keysSQL()
	h := strings.Replace(strings.Replace(strings.Replace(strings.Replace(q, "SELECT key, sum(p)", "SELECT h, sum(p)", 1), "SELECT key, (CAST", "SELECT hash(key) AS h, (CAST", 1), "SELECT k, (CAST", "SELECT hash(k), (CAST", 1), "GROUP BY key", "GROUP BY h", 1)
	h = strings.Replace(h, "SELECT a.key,", "SELECT a.h,", 1)
	for i := 0; i < 2; i++ {
	for _, x := range []string{q, h} {
		st := time.Now()
		if _, err := s.db.Exec("CREATE OR REPLACE TABLE x AS " + x); err != nil { b.Fatal(err) }
		fmt.Println(time.Since(st), x[:60])
	}
	}
}
