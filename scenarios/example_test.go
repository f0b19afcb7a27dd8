package scenarios_test

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/streamcheck/streamcheck/engine"
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

// A pipeline under test as a black box: any command that reads the
// scenario's stream and writes to S3. This one exits at once, and the
// verdict says so, with its last stderr lines (Result.Failures holds them).
func ExampleCommand() {
	dir, err := os.MkdirTemp("", "streamcheck-example-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	s := scenarios.Scenario{
		Name: "my-consumer",
		Pipeline: scenarios.Command{
			Shell:     `echo "no brokers at $KAFKA_BOOTSTRAP_SERVERS" >&2; exit 3`,
			Output:    "s3://lake/orders",
			Format:    scenarios.FormatJSONL,
			KeyColumn: "serialnumber",
			Promise:   engine.AtLeastOnce,
			MaxExits:  1,
		},
		Setup: scenarios.Setup{Kind: engine.KindKafka},
		Load:  scenarios.Load{Records: 100},
	}
	res, err := scenarios.Execute(context.Background(), s, scenarios.WithDir(dir))
	if err != nil {
		panic(err)
	}
	verdict, _, _ := strings.Cut(res.Failures[0], ":")
	fmt.Println("passed:", res.Passed)
	fmt.Println(verdict)
	// Output:
	// passed: false
	// the pipeline (sh -c "echo \"no brokers at $KAFKA_BOOTSTRAP_SERVERS\" >&2; exit 3") does not stay up
}
