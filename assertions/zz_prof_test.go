package assertions
import ("testing";"time";"fmt")
func BenchmarkProf(b *testing.B) {
	cfg := writeBenchFixture(b, b.TempDir(), 2000000, 100)
	st0 := time.Now()
	s, err := Open(b.Context(), cfg)
	if err != nil { b.Fatal(err) }
	defer s.Close()
	fmt.Println("open", time.Since(st0))
	for _, t := range []string{"sc_files","sc_batches","sc_dl","sc_ledger","sc_outrows","sc_keys","sc_multi","sc_rows"} {
		st := time.Now(); if err := s.ensure(b.Context(), t); err != nil { b.Fatal(err) }; fmt.Println(t, time.Since(st))
	}
	st := time.Now(); s.Delivery(b.Context()); fmt.Println("delivery", time.Since(st))
	st = time.Now(); s.Lag(b.Context()); fmt.Println("lag", time.Since(st))
	st = time.Now(); s.Schema(b.Context()); fmt.Println("schema", time.Since(st))
	st = time.Now(); s.Layout(b.Context()); fmt.Println("layout", time.Since(st))
	fmt.Println("total", time.Since(st0))
}
