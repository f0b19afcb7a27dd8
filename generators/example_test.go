package generators_test

import (
	"fmt"

	"github.com/streamcheck/streamcheck/generators"
)

// The same seed and sequence number always give the same record.
func ExampleSource() {
	src, err := generators.NewSource(generators.SourceConfig{Dataset: generators.Ventilator(), Seed: 1})
	if err != nil {
		panic(err)
	}
	w := src.NewWorker()
	r, _ := w.Record(0)
	fmt.Printf("%s\nkey %s, partition key %s\n", r.Payload, r.Key, r.PartitionKey)
	// Output:
	// {"ventilatorid":23,"eventtime":"2026-01-01 00:00:00","serialnumber":"e3968c61-7535-4b26-a5e1-3d67b36af736","pressurecontrol":31,"o2stats":95,"minutevolume":8,"manufacturer":"3M"}
	// key e3968c61-7535-4b26-a5e1-3d67b36af736, partition key 23
}

func ExampleParseDDL() {
	_, err := generators.ParseDDL("`id` string, `amount` decimal(10,2), `tags` array<strin>")
	fmt.Println(err)
	// Output:
	// invalid table definition: at position 51 (near "strin>"): unknown type "strin": want tinyint, smallint, int, bigint, float, double, decimal(p,s), string, varchar(n), char(n), boolean, date, timestamp, binary, array<T>, map<K,V> or struct<...>
}
