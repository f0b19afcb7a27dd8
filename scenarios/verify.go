package scenarios

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/streamcheck/streamcheck/assertions"
	"github.com/streamcheck/streamcheck/engine"
)

// CheckTypes is the name of the result verify adds to the checker's: the
// DuckDB types of the output view against the job's schema.
const CheckTypes = "types"

// verify runs every check of the assertions package on one session
// (Session.Verify), adds the types check and then the results of extra, run
// on the same session. A check that cannot run is an error: a scenario
// never passes on a check it did not make.
func verify(ctx context.Context, cfg assertions.Config, extra ...func(context.Context, *assertions.Session) ([]assertions.Result, error)) (*assertions.Report, error) {
	s, err := assertions.Open(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open the job's files: %w", err)
	}
	defer s.Close()
	rep, err := s.Verify(ctx)
	if err != nil {
		return nil, err
	}
	types := checkTypes(ctx, s, cfg.Schema)
	if types.Status == assertions.Fail {
		rep.OK = false
	}
	rep.Results = append(rep.Results, types)
	for _, x := range extra {
		more, err := x(ctx, s)
		if err != nil {
			return nil, err
		}
		for _, r := range more {
			if r.Status == assertions.Fail {
				rep.OK = false
			}
		}
		rep.Results = append(rep.Results, more...)
	}
	return rep, nil
}

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
		case g != want && (want != "TIMESTAMP" || !strings.HasPrefix(g, "TIMESTAMP")):
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

// VerifyCopy runs the checks of a finished run of s again, those of package
// assertions and the scenario's own (Expect.DeadLetterErrors,
// Expect.Verify), on root: a copy of the run's objects laid out as
// Result.LocalCopy is (root/BUCKET/KEY, and a DynamoDB table the job wrote
// as root/dynamodb/TABLE.parquet). res is the run's Result, for its job,
// ledger and seed. A test spoils a copy of a run that passed and verifies
// it again to show that a check rejects what it must. Only runs of the
// engine, which keep their job (Result.Job), can be verified again.
func VerifyCopy(ctx context.Context, s Scenario, res *Result, root string) (*assertions.Report, error) {
	if res == nil || res.Job == "" {
		return nil, fmt.Errorf("scenarios: verify a copy of scenario %s: the run kept no job file; want a run of the engine", s.Name)
	}
	job, err := engine.LoadJob(res.Job)
	if err != nil {
		return nil, fmt.Errorf("scenarios: verify a copy of scenario %s: read the run's job: %w", s.Name, err)
	}
	cp := *res
	cp.LocalCopy = root
	local := cp.LocalPath
	cfg := AssertionsConfig(job, res.Ledger, aws.Config{})
	cfg.S3 = nil
	cfg.Output, cfg.DeadLetter, cfg.Checkpoint = local(job.Sink.Path), local(job.Sink.DeadLetterPath), local(job.ForEachBatch.CheckpointLocation)
	if cfg.Windows != "" {
		cfg.Windows = local(job.Sink.WindowsPath)
	}
	if s.Setup.KeyColumn != "" {
		cfg.KeyColumn = s.Setup.KeyColumn
	} else if cfg.KeyColumn == "" {
		cfg.KeyColumn = s.dataset().Key
	}
	cfg.MaxLagP99 = s.Expect.MaxLagP99
	tmp, err := os.MkdirTemp("", "streamcheck-verify-")
	if err != nil {
		return nil, fmt.Errorf("scenarios: verify a copy of scenario %s: %w", s.Name, err)
	}
	defer os.RemoveAll(tmp)
	cfg.TempDir = tmp
	src, err := s.source(res.Seed)
	if err != nil {
		return nil, fmt.Errorf("scenarios: verify a copy of scenario %s: %w", s.Name, err)
	}
	rep, err := verify(ctx, cfg, s.extraChecks(job, res.Seed, res.Ledger, src, local)...)
	if err != nil {
		return nil, fmt.Errorf("scenarios: verify a copy of scenario %s: %w", s.Name, err)
	}
	return rep, nil
}
