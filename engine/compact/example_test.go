package compact_test

import (
	"fmt"

	"github.com/streamcheck/streamcheck/engine/compact"
)

func ExampleOutputName() {
	fmt.Println(compact.OutputName(3, 0, "snappy.parquet"))
	// Output: part-c00000003-00000.snappy.parquet
}
