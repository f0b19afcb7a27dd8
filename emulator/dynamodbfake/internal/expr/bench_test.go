package expr

import "testing"

// BenchmarkConditionalUpdate measures what the server does per conditional
// UpdateItem: parse both expressions against the request's placeholders,
// check that every placeholder was used, evaluate the condition on the
// stored item and apply the update.
func BenchmarkConditionalUpdate(b *testing.B) {
	names := map[string]string{"#c": "count", "#o": "owner"}
	vals := map[string]Value{
		":one":   {Type: TypeN, N: "1"},
		":owner": {Type: TypeS, S: "worker-7"},
		":prev":  {Type: TypeS, S: "worker-3"},
	}
	stored := Item{
		"pk":      {Type: TypeS, S: "shard-000001"},
		"count":   {Type: TypeN, N: "41"},
		"owner":   {Type: TypeS, S: "worker-3"},
		"ckpt":    {Type: TypeS, S: "49590338271490256608559692538361571095921575989136588898"},
		"updated": {Type: TypeN, N: "1733300000000"},
	}
	b.ReportAllocs()
	for b.Loop() {
		env := NewEnv(names, vals)
		c, err := ParseCondition("ConditionExpression", "attribute_not_exists(pk) OR #o = :prev", env)
		if err != nil {
			b.Fatal(err)
		}
		u, err := ParseUpdate("SET #c = #c + :one, #o = :owner", env)
		if err != nil {
			b.Fatal(err)
		}
		if err := env.CheckUnused(); err != nil {
			b.Fatal(err)
		}
		ok, err := c.Eval(stored)
		if err != nil || !ok {
			b.Fatalf("Eval = %v, %v", ok, err)
		}
		if _, err := u.Apply(stored); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValueJSON measures decoding and encoding a typical item.
func BenchmarkValueJSON(b *testing.B) {
	src := []byte(`{"pk":{"S":"shard-000001"},"count":{"N":"41"},"owner":{"S":"worker-3"},"tags":{"SS":["a","b"]},"m":{"M":{"x":{"N":"1.5"},"l":{"L":[{"S":"q"},{"BOOL":true}]}}}}`)
	b.ReportAllocs()
	var buf []byte
	for b.Loop() {
		var it Item
		if err := it.UnmarshalJSON(src); err != nil {
			b.Fatal(err)
		}
		buf = it.AppendJSON(buf[:0])
	}
}
