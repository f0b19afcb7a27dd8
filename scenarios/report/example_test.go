package report_test

import (
	"os"
	"time"

	"github.com/streamcheck/streamcheck/scenarios/report"
)

func ExampleWriteJUnit() {
	run := report.Run{
		Name:          "kinesis-steady",
		Seed:          7,
		Duration:      9 * time.Second,
		Passed:        false,
		ReplayCommand: "streamcheck scenario run kinesis-steady --seed 7",
		Checks: []report.Check{
			{Name: "exactly-once", Message: "2 keys missing", Counts: []report.Count{{Name: "missing", Value: 2}}},
			{Name: "dead letters", Passed: true},
		},
	}
	if err := report.WriteJUnit(os.Stdout, "scenarios", run); err != nil {
		panic(err)
	}
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?>
	// <testsuites name="scenarios" tests="2" failures="1" errors="0" skipped="0" time="9.000">
	//   <testsuite name="scenarios" tests="2" failures="1" errors="0" skipped="0" time="9.000">
	//     <properties>
	//       <property name="runs" value="1"></property>
	//     </properties>
	//     <testcase classname="scenarios.kinesis-steady" name="exactly-once" time="0.000">
	//       <failure message="2 keys missing" type="check"><![CDATA[2 keys missing
	// missing: 2
	// seed: 7
	// replay: streamcheck scenario run kinesis-steady --seed 7
	// ]]></failure>
	//       <system-out><![CDATA[scenario: kinesis-steady
	// seed: 7
	// replay: streamcheck scenario run kinesis-steady --seed 7
	// ]]></system-out>
	//     </testcase>
	//     <testcase classname="scenarios.kinesis-steady" name="dead letters" time="0.000">
	//       <system-out><![CDATA[scenario: kinesis-steady
	// seed: 7
	// replay: streamcheck scenario run kinesis-steady --seed 7
	// ]]></system-out>
	//     </testcase>
	//     <system-out><![CDATA[failed runs:
	// kinesis-steady (seed 7): streamcheck scenario run kinesis-steady --seed 7
	// ]]></system-out>
	//   </testsuite>
	// </testsuites>
}
