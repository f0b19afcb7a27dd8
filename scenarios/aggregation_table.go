package scenarios

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/streamcheck/streamcheck/assertions"
	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/engine/sink"
)

// CheckWindowsTable is the name of the result that compares an
// aggregating job's DynamoDB windows table with the scenario's own
// computation.
const CheckWindowsTable = "windows_table"

// WindowsTable is the DynamoDB table AggregationDynamoDBSinkJob writes its
// windows to: partition key ventilatorid (N), sort key start (S).
const WindowsTable = "ventilator_windows"

// AggregationDynamoDBSinkJob is AggregationDynamoDBJob (the reference in
// DynamoDB) writing its windows to the DynamoDB table WindowsTable instead
// of S3, as the blog's second pipeline does: one item per ventilator and
// window in Spark's update output mode. It creates the table on the
// stack's DynamoDB.
func AggregationDynamoDBSinkJob(env Env) (*engine.Job, error) {
	j, err := AggregationDynamoDBJob(env)
	if err != nil {
		return nil, err
	}
	j.Sink.WindowsPath = ""
	j.Sink.WindowsTable = &sink.WindowTableConfig{TableName: WindowsTable}
	if st := env.Stack; st != nil {
		j.Sink.WindowsTable.Endpoint = st.DynamoDBURL
		if err := createWindowsTable(context.Background(), st.DynamoDBClient(), WindowsTable); err != nil {
			return nil, err
		}
	}
	return j, j.Validate()
}

// createWindowsTable creates a windows table keyed as the engine writes it.
func createWindowsTable(ctx context.Context, c *dynamodb.Client, table string) error {
	_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String(table),
		AttributeDefinitions: []dtypes.AttributeDefinition{
			{AttributeName: aws.String("ventilatorid"), AttributeType: dtypes.ScalarAttributeTypeN},
			{AttributeName: aws.String(sink.DefaultWindowSortKey), AttributeType: dtypes.ScalarAttributeTypeS},
		},
		KeySchema: []dtypes.KeySchemaElement{
			{AttributeName: aws.String("ventilatorid"), KeyType: dtypes.KeyTypeHash},
			{AttributeName: aws.String(sink.DefaultWindowSortKey), KeyType: dtypes.KeyTypeRange},
		},
		BillingMode: dtypes.BillingModePayPerRequest,
	})
	var inUse *dtypes.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) {
		return fmt.Errorf("aggregation job: create the windows table %s: %w", table, err)
	}
	return nil
}

// tableLocalPath is where the run's copy of a DynamoDB table's items lies
// under the local copy: dynamodb/<table>.parquet.
func tableLocalPath(localCopy, uri string) (string, bool) {
	table, ok := strings.CutPrefix(uri, "dynamodb://")
	if !ok || localCopy == "" {
		return "", false
	}
	return filepath.Join(localCopy, "dynamodb", table+".parquet"), true
}

// copyWindowsTable copies the items of the job's windows table, if it has
// one, to the local copy: read as package assertions reads a dynamodb://
// output (a consistent, paginated Scan), saved as one Parquet file, so
// that the checks, and tests that spoil a copy, read a file.
func copyWindowsTable(ctx context.Context, job *engine.Job, client *dynamodb.Client, localCopy, tmp string) error {
	wt := job.Sink.WindowsTable
	if wt == nil {
		return nil
	}
	uri := "dynamodb://" + wt.TableName
	dst, _ := tableLocalPath(localCopy, uri)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	sess, err := assertions.Open(ctx, assertions.Config{Output: uri, DynamoDB: client, TempDir: tmp})
	if err != nil {
		return fmt.Errorf("read the windows table %s: %w", uri, err)
	}
	defer sess.Close()
	if _, err := sess.Query(ctx, fmt.Sprintf("COPY (SELECT * FROM output) TO %s (FORMAT parquet)", sqlQuote(dst))); err != nil {
		return fmt.Errorf("copy the windows table %s: %w", uri, err)
	}
	return nil
}

// checkWindowsTable compares the windows table's items with the windows
// VerifyAggregation computed: each closed window once, final, written by
// the batch that closed it; each window still open once, not final,
// written by the last batch that counted a reading in it (an earlier
// batch's write would have regressed it); both with the right count,
// averages, alert counts and status.
func checkWindowsTable(ctx context.Context, v *Verification, open, closed map[winID]*expWindow) (assertions.Result, error) {
	r := assertions.Result{Check: CheckWindowsTable}
	uri := "dynamodb://" + v.Job.Sink.WindowsTable.TableName
	file := v.Local(uri)
	if _, err := os.Stat(file); err != nil {
		return r, fmt.Errorf("windows table check: no copy of %s: %w", uri, err)
	}
	tab, err := v.Session.Query(ctx, fmt.Sprintf(`SELECT ventilatorid, "start", "end", CAST(avg_pressurecontrol AS DOUBLE), CAST(avg_o2stats AS DOUBLE), CAST(avg_minutevolume AS DOUBLE),
			"count", red_count, orange_count, green_count, status, "final", batch_id FROM read_parquet(%s)`, sqlQuote(file)))
	if err != nil {
		return r, fmt.Errorf("windows table check: read %s: %w", uri, err)
	}
	ex := func(kind, key string, batch int64, format string, args ...any) {
		if len(r.Examples) < 2*assertions.DefaultMaxExamples {
			r.Examples = append(r.Examples, assertions.Example{Kind: kind, Key: key, Batch: batch, Seq: -1, Detail: fmt.Sprintf(format, args...)})
		}
	}
	window := aggWindow.Microseconds()
	var items, dup, unexpected, wrong, wrongBatch, notFinal, finalTooSoon, badTime int64
	seen := map[winID]bool{}
	for _, row := range tab.Rows {
		items++
		start, err1 := time.Parse(time.DateTime, fmt.Sprint(row[1]))
		end, err2 := time.Parse(time.DateTime, fmt.Sprint(row[2]))
		id := winID{toInt64(row[0]), start.UnixMicro()}
		key := fmt.Sprintf("ventilator %d window %s", id.device, row[1])
		batch := toInt64(row[12])
		if err1 != nil || err2 != nil || end.UnixMicro() != id.start+window {
			badTime++
			ex("bad_time", key, batch, "start %v, end %v: want \"2006-01-02 15:04:05\" times %s apart", row[1], row[2], aggWindow)
			continue
		}
		if seen[id] {
			dup++
			ex("duplicated", key, batch, "the window is in the table more than once")
			continue
		}
		seen[id] = true
		w, final, want := closed[id], true, int64(0)
		if w != nil {
			want = w.batch
		} else if w, final = open[id], false; w != nil {
			want = w.last
		}
		if w == nil {
			unexpected++
			ex("unexpected", key, batch, "a window the computation has no reading for")
			continue
		}
		gotFinal, _ := row[11].(bool)
		switch {
		case final && !gotFinal:
			notFinal++
			ex("not_final", key, batch, "closed by the watermark in batch %d but not marked final", w.batch)
		case !final && gotFinal:
			finalTooSoon++
			ex("final_too_soon", key, batch, "marked final, but the watermark has not passed its end")
		}
		if batch != want {
			wrongBatch++
			ex("wrong_batch", key, batch, "written by batch %d, want %d (the last batch that changed it)", batch, want)
		}
		var bad []string
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
		status := "GREEN"
		switch {
		case w.red > 0:
			status = "RED"
		case w.orange > 0:
			status = "ORANGE"
		}
		if fmt.Sprint(row[10]) != status {
			bad = append(bad, fmt.Sprintf("status %v, want %s", row[10], status))
		}
		if len(bad) > 0 {
			wrong++
			ex("wrong_window", key, batch, "%s", strings.Join(bad, ", "))
		}
	}
	var missing int64
	for _, m := range []map[winID]*expWindow{closed, open} {
		for id, w := range m {
			if !seen[id] {
				missing++
				ex("missing", fmt.Sprintf("ventilator %d window %s", id.device, time.UnixMicro(id.start).UTC().Format(time.DateTime)), w.last, "a window with readings but no item")
			}
		}
	}
	for _, c := range []struct {
		name string
		v    int64
	}{
		{"items", items}, {"windows_final", int64(len(closed))}, {"windows_open", int64(len(open))},
		{"missing", missing}, {"duplicated", dup}, {"unexpected", unexpected}, {"wrong_window", wrong}, {"wrong_batch", wrongBatch},
		{"not_final", notFinal}, {"final_too_soon", finalTooSoon}, {"bad_time", badTime},
	} {
		r.Counts = append(r.Counts, assertions.Count{Name: c.name, Value: c.v})
	}
	r.Status = assertions.Pass
	switch {
	case missing+dup+unexpected+wrong+wrongBatch+notFinal+finalTooSoon+badTime > 0:
		r.Status = assertions.Fail
	case len(closed) == 0:
		r.Status, r.Detail = assertions.Fail, "no window closed: the load's event times span too little"
	}
	return r, nil
}
