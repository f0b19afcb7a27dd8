package aggregate_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/streamcheck/streamcheck/engine/aggregate"
	"github.com/streamcheck/streamcheck/engine/record"
)

func Example() {
	cols := []record.Column{
		{Name: "ventilatorid", Type: record.Bigint},
		{Name: "eventtime", Type: record.String},
		{Name: "pressurecontrol", Type: record.Bigint},
		{Name: "o2stats", Type: record.Bigint},
		{Name: "minutevolume", Type: record.Bigint},
	}
	op, err := aggregate.New(aggregate.DefaultConfig(), cols)
	if err != nil {
		panic(err)
	}
	ref, err := aggregate.ParseReference(strings.NewReader(
		"ventilatorid,pressure_control_min,pressure_control_max,o2_stats_min,o2_stats_max,minute_volume_min,minute_volume_max\n"+
			"1,5,30,92,100,4,8\n"), "normal.csv", "csv", "ventilatorid", aggregate.DefaultMetrics())
	if err != nil {
		panic(err)
	}
	op.SetReference(ref)
	row := func(at string, pc, o2, mv int64) []record.Value {
		return []record.Value{{Type: record.Bigint, I: 1}, {Type: record.String, S: at},
			{Type: record.Bigint, I: pc}, {Type: record.Bigint, I: o2}, {Type: record.Bigint, I: mv}}
	}
	ingest := time.Date(2026, 11, 22, 13, 30, 0, 0, time.UTC)
	batches := [][]record.Value{
		append(row("2026-11-22 13:01:00", 10, 95, 6), row("2026-11-22 13:02:00", 40, 90, 2)...),
		row("2026-11-22 13:13:00", 12, 91, 6),
	}
	for id, rows := range batches {
		res, err := op.Apply(int64(id), rows, ingest)
		if err != nil {
			panic(err)
		}
		jw := len(op.JoinedColumns()) // the input columns, then the alert level
		for i := 0; i < len(res.Joined); i += jw {
			r := res.Joined[i : i+jw]
			fmt.Printf("batch %d: reading at %s is %s\n", id, r[1].S, r[jw-1].S)
		}
		w := len(op.WindowColumns())
		for i := 0; i < len(res.Windows); i += w {
			v := res.Windows[i : i+w]
			fmt.Printf("batch %d: device %d %s-%s avg pressure %.0f, %d readings, %d red, %d green\n", id, v[0].I,
				time.UnixMicro(v[1].I).UTC().Format("15:04"), time.UnixMicro(v[2].I).UTC().Format("15:04"), v[3].Float(), v[6].I, v[7].I, v[9].I)
		}
	}
	state, _ := op.Snapshot()
	fmt.Println("state key:", aggregate.StateKey(1), "open windows:", op.OpenWindows(), "state bytes > 0:", len(state) > 0)
	// Output:
	// batch 0: reading at 2026-11-22 13:01:00 is GREEN
	// batch 0: reading at 2026-11-22 13:02:00 is RED
	// batch 1: reading at 2026-11-22 13:13:00 is ORANGE
	// batch 1: device 1 12:55-13:05 avg pressure 25, 2 readings, 1 red, 1 green
	// batch 1: device 1 13:00-13:10 avg pressure 25, 2 readings, 1 red, 1 green
	// state key: state/1/aggregate open windows: 2 state bytes > 0: true
}
