package scenarios_test

import (
	"context"
	"fmt"
	"github.com/streamcheck/streamcheck/engine"
	"os"

	"github.com/streamcheck/streamcheck/scenarios"
)

// A scenario: 1,000 ventilator records, 2% malformed, and the engine killed
// after writing batch 1's output but before committing it. The restart
// replays the batch, and the checker finds every record once: in the output,
// or in the dead letter.
func ExampleExecute() {
	dir, err := os.MkdirTemp("", "streamcheck-example-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	s := scenarios.Scenario{
		Name:    "example",
		Load:    scenarios.Load{Records: 1000, Malformed: 0.02},
		Crashes: []scenarios.Crash{{At: engine.AtAfterSink, Batch: 1}},
	}
	res, err := scenarios.Execute(context.Background(), s, scenarios.WithSeed(7), scenarios.WithDir(dir))
	if err != nil {
		panic(err)
	}
	fmt.Println("passed:", res.Passed)
	fmt.Println("records:", res.Delivered, "in the output +", res.DeadLetters, "dead letters")
	fmt.Println("crashes:", res.Crashes)
	// Output:
	// passed: true
	// records: 976 in the output + 24 dead letters
	// crashes: [after-sink of batch 1]
}
