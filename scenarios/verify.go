package scenarios

import (
	"context"
	"fmt"
	"strings"

	"github.com/streamcheck/streamcheck/assertions"
)

// CheckTypes is the name of the result verify adds to the checker's: the
// DuckDB types of the output view against the job's schema.
const CheckTypes = "types"

// verify runs every check of the assertions package on one session, in
// Verify's order, and adds the types check. A check that cannot run (an
// error rather than a verdict) is reported as skipped, its detail naming the
// error, so that the other checks still give their verdicts; judge notes it.
func verify(ctx context.Context, cfg assertions.Config) (*assertions.Report, error) {
	s, err := assertions.Open(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open the job's files: %w", err)
	}
	defer s.Close()
	rep := &assertions.Report{OK: true}
	add := func(r assertions.Result) {
		if r.Status == assertions.Fail {
			rep.OK = false
		}
		rep.Results = append(rep.Results, r)
	}
	for _, c := range []struct {
		name string
		run  func(context.Context) (assertions.Result, error)
	}{
		{assertions.CheckDelivery, s.Delivery}, {assertions.CheckDeadLetter, s.DeadLetter},
		{assertions.CheckLag, s.Lag}, {assertions.CheckSchema, s.Schema},
		{assertions.CheckLayout, s.Layout}, {assertions.CheckOrder, s.Order},
	} {
		r, err := c.run(ctx)
		if err != nil {
			r = assertions.Result{Check: c.name, Status: assertions.Skip, Detail: couldNotRun + err.Error()}
		}
		add(r)
	}
	add(checkTypes(ctx, s, cfg.Schema))
	return rep, nil
}

const couldNotRun = "could not run: "

// duckTypes maps the Glue types of a job's schema to the DuckDB types its
// Parquet columns must read as.
var duckTypes = map[string]string{
	"string": "VARCHAR", "int": "INTEGER", "integer": "INTEGER", "bigint": "BIGINT", "long": "BIGINT",
	"smallint": "SMALLINT", "tinyint": "TINYINT", "double": "DOUBLE", "float": "FLOAT",
	"boolean": "BOOLEAN", "timestamp": "TIMESTAMP", "date": "DATE",
}

// checkTypes reads the output as DuckDB does and compares each expected
// column's type. A timestamp may read as TIMESTAMP or TIMESTAMP WITH TIME
// ZONE (Parquet's isAdjustedToUTC); decimals and nested types are not
// compared.
func checkTypes(ctx context.Context, s *assertions.Session, schema []assertions.Column) assertions.Result {
	r := assertions.Result{Check: CheckTypes}
	if len(schema) == 0 {
		r.Status, r.Detail = assertions.Skip, "no expected schema"
		return r
	}
	tab, err := s.Query(ctx, "SELECT * FROM output LIMIT 0")
	if err != nil {
		r.Status, r.Detail = assertions.Skip, "no output to read: "+err.Error()
		return r
	}
	got := map[string]string{}
	for i, c := range tab.Columns {
		got[strings.ToLower(c)] = tab.Types[i]
	}
	var missing, wrong int64
	for _, col := range schema {
		want, ok := duckTypes[strings.ToLower(col.Type)]
		if !ok {
			continue
		}
		g, ok := got[strings.ToLower(col.Name)]
		switch {
		case !ok:
			missing++
			r.Examples = append(r.Examples, assertions.Example{Kind: "missing", Key: col.Name, Batch: -1, Seq: -1, Detail: "not in the output"})
		case g != want && !(want == "TIMESTAMP" && strings.HasPrefix(g, "TIMESTAMP")):
			wrong++
			r.Examples = append(r.Examples, assertions.Example{Kind: "wrong_type", Key: col.Name, Batch: -1, Seq: -1,
				Detail: fmt.Sprintf("DuckDB reads %s, want %s (%s)", g, want, col.Type)})
		}
	}
	r.Counts = []assertions.Count{{Name: "columns", Value: int64(len(schema))}, {Name: "missing", Value: missing}, {Name: "wrong_type", Value: wrong}}
	r.Status = assertions.Pass
	if missing+wrong > 0 {
		r.Status = assertions.Fail
	}
	return r
}
