package compact_test

import (
	"fmt"

	"github.com/streamcheck/streamcheck/engine/compact"
)

func ExampleOutputName() {
	fmt.Println(compact.OutputName("1a2b3c4d", 3, 0, "snappy.parquet"))
	fmt.Println(compact.OutputName("", 3, 0, "snappy.parquet")) // a checkpoint without metadata
	// Output:
	// part-c00000003-00000-1a2b3c4d.snappy.parquet
	// part-c00000003-00000.snappy.parquet
}
