package scenarios

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/streamcheck/streamcheck/assertions"
	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/engine/aggregate"
	"github.com/streamcheck/streamcheck/generators"
)

// CheckWindows is the name of the result that compares an aggregating
// job's joined rows and windows with the scenario's own computation.
const CheckWindows = "windows"

// ReferenceDevices is how many ventilators the aggregation scenario's
// reference table lists: 1 to ReferenceDevices of the generator's
// generators.VentilatorIDs(), so that readings of the others find no
// reference row and go to the dead letter.
const ReferenceDevices = 46

// The aggregation scenario's windows: those of examples/ventilator-alerts
// (the Glue blog's 10 minutes sliding every 5 with a 2-minute watermark),
// on event time.
const (
	aggWindow    = 10 * time.Minute
	aggSlide     = 5 * time.Minute
	aggWatermark = 2 * time.Minute
)

// ReferenceCSV is the aggregation scenario's reference table as CSV, in the
// layout of examples/ventilator-alerts/normal_ranges.csv: one row of
// normal ranges (the generator's) per ventilator from 1 to
// ReferenceDevices.
func ReferenceCSV() []byte {
	var b bytes.Buffer
	b.WriteString("ventilatorid,pressure_control_min,pressure_control_max,o2_stats_min,o2_stats_max,minute_volume_min,minute_volume_max\n")
	p, o, m := generators.NormalPressureControl(), generators.NormalO2Stats(), generators.NormalMinuteVolume()
	for id := generators.VentilatorIDs().Min; id <= ReferenceDevices; id++ {
		fmt.Fprintf(&b, "%d,%d,%d,%d,%d,%d,%d\n", id, p.Min, p.Max, o.Min, o.Max, m.Min, m.Max)
	}
	return b.Bytes()
}

// AggregationJob returns the job of examples/ventilator-alerts/job.yaml
// (the Glue streaming blog's second pipeline: an inner stream-static join
// with normal ranges per ventilator, an alert level per reading, averages
// per ventilator over windows of 10 minutes sliding every 5 on event time
// with a 2-minute watermark) on top of VentilatorJob's settings for env.
// Its reference table is ReferenceCSV, which it writes to
// env.Prefix/reference/normal_ranges.csv on the stack's S3 so that any
// engine, in this process or another, reads the same; the windows go to
// env.Prefix/windows.
func AggregationJob(env Env) (*engine.Job, error) {
	return aggregationJob(env, func(r *aggregate.Reference) error {
		r.Path = env.Prefix + "/reference/normal_ranges.csv"
		r.Format = "csv"
		if st := env.Stack; st != nil {
			bucket, key, _ := strings.Cut(strings.TrimPrefix(r.Path, "s3://"), "/")
			if _, err := st.S3Client().PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(ReferenceCSV())}); err != nil {
				return fmt.Errorf("aggregation job: write the reference table %s: %w", r.Path, err)
			}
		}
		return nil
	})
}

// aggregationJob builds the aggregation job, its reference set up by ref.
func aggregationJob(env Env, ref func(*aggregate.Reference) error) (*engine.Job, error) {
	j, err := VentilatorJob(env)
	if err != nil {
		return nil, err
	}
	j.Name = "ventilator-alerts"
	c := aggregate.DefaultConfig()
	c.WindowDuration, c.SlideDuration, c.WatermarkDelay = aggregate.Duration(aggWindow), aggregate.Duration(aggSlide), aggregate.Duration(aggWatermark)
	c.JoinType = aggregate.InnerJoin
	if err := ref(&c.Reference); err != nil {
		return nil, err
	}
	j.Aggregate = &c
	j.Sink.WindowsPath = env.Prefix + "/windows"
	return j, j.Validate()
}

// ReferenceTable is the DynamoDB table AggregationDynamoDBJob reads its
// reference from.
const ReferenceTable = "ventilator_normal_ranges"

// AggregationDynamoDBJob is AggregationJob with the reference table in
// DynamoDB, as the Glue blog keeps it ("dynamodb.input.tableName"): the
// table ReferenceTable on the stack's DynamoDB, seeded with the same rows as
// ReferenceCSV (generators.VentilatorReference up to ReferenceDevices).
func AggregationDynamoDBJob(env Env) (*engine.Job, error) {
	return aggregationJob(env, func(r *aggregate.Reference) error {
		r.DynamoDBTable = ReferenceTable
		st := env.Stack
		if st == nil {
			return nil
		}
		r.DynamoDBEndpoint = st.DynamoDBURL
		ctx := context.Background()
		c := st.DynamoDBClient()
		if err := generators.CreateTable(ctx, c, nil, ReferenceTable, generators.ReferenceKeyColumn, dtypes.ScalarAttributeTypeN); err != nil {
			return fmt.Errorf("aggregation job: create the reference table %s: %w", ReferenceTable, err)
		}
		items := generators.VentilatorReference()[:ReferenceDevices-generators.VentilatorIDs().Min+1] // in key order
		if _, err := generators.WriteItems(ctx, c, ReferenceTable, items); err != nil {
			return fmt.Errorf("aggregation job: seed the reference table %s: %w", ReferenceTable, err)
		}
		return nil
	})
}

// AggregationEncoding is a Load.Encode that leaves payloads as they are and
// marks the well-formed readings of ventilators beyond ReferenceDevices as
// MalformedUnmatched: the inner join finds no reference row for them, so
// they must be in the dead letter, once each.
func AggregationEncoding(_ uint64, rec generators.Record) ([]byte, string) {
	if rec.Malformed != "" {
		return rec.Payload, rec.Malformed
	}
	r := readingOf(rec)
	if id, err := r.VentilatorID.Int64(); err == nil && id > ReferenceDevices {
		return rec.Payload, MalformedUnmatched
	}
	return rec.Payload, ""
}

// expReading is one reading as the generator made it.
type expReading struct {
	device  int64
	eventUs int64
	metrics [3]int64
	level   string
}

// expWindow is one window as the scenario computes it.
type expWindow struct {
	batch              int64 // the batch that closed it
	last               int64 // the last batch that counted a reading in it
	n, red, orange, ok int64
	sums               [3]int64
}

type winID struct {
	device int64
	start  int64 // µs
}

// partBatch parses the batch id of an exactly-once name, with or without
// the checkpoint's token: part-<batch>-<index>[-<token>].<ext>.
var partBatch = regexp.MustCompile(`part-(\d{8})-\d{5}(?:-[0-9a-f]{8})?\.`)

// VerifyAggregation is the aggregation scenario's Expect.Verify. It
// computes, without the engine's code, what the job must have written:
// every reading the generator made again from the seed and the ledger,
// graded against ReferenceCSV's ranges (RED all three metrics out of range,
// GREEN all in, ORANGE otherwise); then, batch by batch in the order the
// output names them, the event-time watermark (the latest event time so
// far less 2 minutes, moved at the end of each batch), the readings older
// than the watermark at the start of their batch (late: joined but in no
// window) and the windows of 10 minutes sliding every 5 that the watermark
// closes in each batch. It compares that with the joined rows (values and
// alert level of each) and the windows output (each closed window exactly
// once, in its batch, with the right count, averages and alert counts).
func VerifyAggregation(ctx context.Context, v *Verification) ([]assertions.Result, error) {
	r := assertions.Result{Check: CheckWindows}
	exp, err := expectedReadings(v)
	if err != nil {
		return nil, err
	}
	tab, err := v.Session.Query(ctx, fmt.Sprintf(`SELECT serialnumber, ventilatorid, epoch_us(eventtime), pressurecontrol, o2stats, minutevolume, status, filename
		FROM read_parquet(%s, filename=true, hive_partitioning=false)`, sqlQuote(v.Local(v.Job.Sink.Path)+"/**/*.parquet")))
	if err != nil {
		return nil, fmt.Errorf("windows check: read the joined rows: %w", err)
	}
	ex := func(kind, key string, batch int64, format string, args ...any) {
		if len(r.Examples) < 2*assertions.DefaultMaxExamples {
			r.Examples = append(r.Examples, assertions.Example{Kind: kind, Key: key, Batch: batch, Seq: -1, Detail: fmt.Sprintf(format, args...)})
		}
	}
	byBatch := map[int64][]expReading{}
	var rows, wrongValues, wrongLevel, unknown int64
	for _, row := range tab.Rows {
		rows++
		serial := fmt.Sprint(row[0])
		batch := batchOf(fmt.Sprint(row[7]))
		e, ok := exp[serial]
		if !ok {
			unknown++
			ex("unknown_row", serial, batch, "a joined row the generator never made (or an unmatched reading)")
			continue
		}
		got := expReading{device: toInt64(row[1]), eventUs: toInt64(row[2]), metrics: [3]int64{toInt64(row[3]), toInt64(row[4]), toInt64(row[5])}, level: fmt.Sprint(row[6])}
		if got.device != e.device || got.eventUs != e.eventUs || got.metrics != e.metrics {
			wrongValues++
			ex("wrong_values", serial, batch, "joined row %+v, generated %+v", got, e)
		}
		if got.level != e.level {
			wrongLevel++
			ex("wrong_level", serial, batch, "alert level %s, want %s for metrics %v", got.level, e.level, e.metrics)
		}
		byBatch[batch] = append(byBatch[batch], e)
	}

	// Event time, batch by batch.
	window, slide, delay := aggWindow.Microseconds(), aggSlide.Microseconds(), aggWatermark.Microseconds()
	batches := make([]int64, 0, len(byBatch))
	for b := range byBatch {
		batches = append(batches, b)
	}
	slices.Sort(batches)
	open := map[winID]*expWindow{}
	closed := map[winID]*expWindow{}
	var wm int64
	hasWM := false
	var late int64
	for _, b := range batches {
		maxT, hasT := int64(0), false
		for _, e := range byBatch[b] {
			if hasWM && e.eventUs < wm {
				late++
				continue
			}
			if !hasT || e.eventUs > maxT {
				maxT, hasT = e.eventUs, true
			}
			for s := floorDiv(e.eventUs, slide) * slide; s > e.eventUs-window; s -= slide {
				id := winID{e.device, s}
				w := open[id]
				if w == nil {
					w = &expWindow{}
					open[id] = w
				}
				w.n++
				w.last = b
				switch e.level {
				case "RED":
					w.red++
				case "ORANGE":
					w.orange++
				default:
					w.ok++
				}
				for i, m := range e.metrics {
					w.sums[i] += m
				}
			}
		}
		if hasT && (!hasWM || maxT-delay > wm) {
			wm, hasWM = maxT-delay, true
		}
		for id, w := range open {
			if hasWM && id.start+window <= wm {
				w.batch = b
				closed[id] = w
				delete(open, id)
			}
		}
	}

	// The windows output, when the job writes one (a job may write its
	// windows only to a DynamoDB table: see checkWindowsTable).
	parquetWindows := v.Job.Sink.WindowsPath != ""
	var wtab *assertions.Table
	if parquetWindows {
		wtab, err = v.Session.Query(ctx, fmt.Sprintf(`SELECT ventilatorid, epoch_us(window_start), epoch_us(window_end), avg_pressurecontrol, avg_o2stats, avg_minutevolume,
			"count", red_count, orange_count, green_count, filename
		FROM read_parquet(%s, filename=true)`, sqlQuote(v.Local(v.Job.Sink.WindowsPath)+"/**/*.parquet")))
		if err != nil && len(closed) > 0 {
			return nil, fmt.Errorf("windows check: read the windows: %w", err)
		}
	}
	var got, dup, unexpected, wrongWindow, wrongBatch int64
	seen := map[winID]bool{}
	if wtab != nil {
		for _, row := range wtab.Rows {
			got++
			id := winID{toInt64(row[0]), toInt64(row[1])}
			batch := batchOf(fmt.Sprint(row[10]))
			key := fmt.Sprintf("ventilator %d window %s", id.device, time.UnixMicro(id.start).UTC().Format(time.DateTime))
			if seen[id] {
				dup++
				ex("duplicated", key, batch, "the window is in the output more than once")
				continue
			}
			seen[id] = true
			w, ok := closed[id]
			if !ok {
				unexpected++
				ex("unexpected", key, batch, "a window the computation does not close (or has no reading for)")
				continue
			}
			if batch != w.batch {
				wrongBatch++
				ex("wrong_batch", key, batch, "emitted by batch %d, want %d (when the watermark passed its end)", batch, w.batch)
			}
			var bad []string
			if end := toInt64(row[2]); end != id.start+window {
				bad = append(bad, fmt.Sprintf("end %s", time.UnixMicro(end).UTC().Format(time.DateTime)))
			}
			for i := range 3 {
				want := float64(w.sums[i]) / float64(w.n)
				if a, ok := row[3+i].(float64); !ok || math.Abs(a-want) > 1e-9*math.Max(1, math.Abs(want)) {
					bad = append(bad, fmt.Sprintf("%s %v, want %.6g", aggMetrics[i], row[3+i], want))
				}
			}
			for i, want := range []int64{w.n, w.red, w.orange, w.ok} {
				if g := toInt64(row[6+i]); g != want {
					bad = append(bad, fmt.Sprintf("%s %d, want %d", []string{"count", "red_count", "orange_count", "green_count"}[i], g, want))
				}
			}
			if len(bad) > 0 {
				wrongWindow++
				ex("wrong_window", key, batch, "%s", strings.Join(bad, ", "))
			}
		}
	}
	var missing int64
	missingIDs := make([]winID, 0)
	for id := range closed {
		if parquetWindows && !seen[id] {
			missing++
			missingIDs = append(missingIDs, id)
		}
	}
	slices.SortFunc(missingIDs, func(a, b winID) int {
		if a.start != b.start {
			return int(a.start - b.start)
		}
		return int(a.device - b.device)
	})
	for _, id := range missingIDs {
		ex("missing", fmt.Sprintf("ventilator %d window %s", id.device, time.UnixMicro(id.start).UTC().Format(time.DateTime)), closed[id].batch, "closed by the watermark but not in the windows output")
	}
	for _, c := range []struct {
		name string
		v    int64
	}{
		{"joined_rows", rows}, {"late", late}, {"windows_expected", int64(len(closed))}, {"windows", got},
		{"missing", missing}, {"duplicated", dup}, {"unexpected", unexpected}, {"wrong_window", wrongWindow}, {"wrong_batch", wrongBatch},
		{"wrong_values", wrongValues}, {"wrong_level", wrongLevel}, {"unknown_row", unknown},
	} {
		r.Counts = append(r.Counts, assertions.Count{Name: c.name, Value: c.v})
	}
	r.Status = assertions.Pass
	switch {
	case missing+dup+unexpected+wrongWindow+wrongBatch+wrongValues+wrongLevel+unknown > 0:
		r.Status = assertions.Fail
	case len(closed) == 0:
		r.Status, r.Detail = assertions.Fail, "no window closed: the load's event times span too little"
	}
	r.Detail = strings.TrimPrefix(r.Detail+fmt.Sprintf("; final watermark %s, %d windows still open", time.UnixMicro(wm).UTC().Format(time.DateTime), len(open)), "; ")
	if v.Job.Sink.WindowsTable == nil {
		return []assertions.Result{r}, nil
	}
	tr, err := checkWindowsTable(ctx, v, open, closed)
	if err != nil {
		return nil, err
	}
	return []assertions.Result{r, tr}, nil
}

var aggMetrics = [3]string{"avg_pressurecontrol", "avg_o2stats", "avg_minutevolume"}

// expectedReadings makes every acknowledged, well-formed reading of the
// ledger again from the seed and grades it against ReferenceCSV's ranges,
// keyed by serial number.
func expectedReadings(v *Verification) (map[string]expReading, error) {
	rows, err := generators.ReadLedger(v.Ledger)
	if err != nil {
		return nil, fmt.Errorf("windows check: %w", err)
	}
	w := v.Source.NewWorker()
	out := make(map[string]expReading, len(rows))
	for _, row := range rows {
		if row.Outcome != generators.OutcomeAck || row.Malformed != "" {
			continue
		}
		rec, err := w.Record(row.Seq)
		if err != nil {
			return nil, fmt.Errorf("windows check: make record %d again: %w", row.Seq, err)
		}
		var r ventilatorReading
		dec := json.NewDecoder(bytes.NewReader(rec.Payload))
		dec.UseNumber()
		if err := dec.Decode(&r); err != nil {
			return nil, fmt.Errorf("windows check: record %d: %w", row.Seq, err)
		}
		if r.SerialNumber != row.Key {
			return nil, fmt.Errorf("windows check: record %d made again has key %q, the ledger says %q (another seed?)", row.Seq, r.SerialNumber, row.Key)
		}
		et, err := time.Parse(generators.VentilatorEventTimeLayout, r.EventTime)
		if err != nil {
			return nil, fmt.Errorf("windows check: record %d: eventtime: %w", row.Seq, err)
		}
		e := expReading{eventUs: et.UnixMicro()}
		for i, n := range []json.Number{r.VentilatorID, r.PressureControl, r.O2Stats, r.MinuteVolume} {
			x, err := strconv.ParseInt(n.String(), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("windows check: record %d: %w", row.Seq, err)
			}
			if i == 0 {
				e.device = x
			} else {
				e.metrics[i-1] = x
			}
		}
		e.level = gradeReading(e.metrics)
		out[r.SerialNumber] = e
	}
	return out, nil
}

// gradeReading grades pressure control, O2 stats and minute volume against
// ReferenceCSV's ranges (inclusive): RED when all three are out of range,
// GREEN when all are in, ORANGE otherwise.
func gradeReading(m [3]int64) string {
	out := 0
	for i, r := range []generators.Range{generators.NormalPressureControl(), generators.NormalO2Stats(), generators.NormalMinuteVolume()} {
		if m[i] < int64(r.Min) || m[i] > int64(r.Max) {
			out++
		}
	}
	switch out {
	case 0:
		return "GREEN"
	case 3:
		return "RED"
	}
	return "ORANGE"
}

func batchOf(file string) int64 {
	m := partBatch.FindStringSubmatch(path.Base(strings.ReplaceAll(file, "\\", "/")))
	if m == nil {
		return -1
	}
	n, _ := strconv.ParseInt(m[1], 10, 64)
	return n
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func sqlQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
