package scenarios

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/streamcheck/streamcheck/assertions"
	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/generators"
)

// CheckDeadLetterErrors is the name of the result that compares each
// dead-letter entry's error with the reason its record is malformed
// (Expect.DeadLetterErrors).
const CheckDeadLetterErrors = "dead_letter_errors"

// Verification is what a scenario's own checks (Expect.Verify) work from:
// the DuckDB session the assertions ran on, the job, and the means to
// rebuild the load's records from the seed.
type Verification struct {
	// Session is the session of assertions.Verify, with its views output,
	// dead_letter and ledger. Checks may create tables of their own in it.
	Session *assertions.Session
	// Job is the job the engine ran.
	Job *engine.Job
	// Seed is the run's seed.
	Seed uint64
	// Ledger is the local ledger file.
	Ledger string
	// Source makes the run's records again, as the generator made them
	// before Load.Encode: Source.NewWorker().Record(seq).
	Source *generators.Source
	// Local maps one of the job's locations (s3://BUCKET/...) to the
	// local copy of its objects; other paths are returned as they are.
	Local func(uri string) string
}

// encodeSink rewrites each attempt with Load.Encode before the sink sends
// it, so that the ledger holds the payload sent and why it is malformed.
type encodeSink struct {
	generators.Sink
	seed   uint64
	encode func(seed uint64, rec generators.Record) ([]byte, string)
	// malformed counts the attempts Encode marked malformed.
	malformed atomic.Int64
}

func (s *encodeSink) Send(ctx context.Context, batch []*generators.Attempt, st *generators.Stats) error {
	for _, a := range batch {
		payload, malformed := s.encode(s.seed, a.Record)
		a.Payload, a.Malformed = payload, malformed
		a.Row.PayloadSHA256 = a.SHA256()
		a.Row.Size = int32(len(payload))
		a.Row.Malformed = malformed
		if malformed != "" {
			s.malformed.Add(1)
		}
	}
	return s.Sink.Send(ctx, batch, st)
}

// checkDeadLetterErrors matches dead-letter entries with the ledger by
// payload and requires each entry of a malformed record to carry an error
// containing want[kind] for its malformed kind. Kinds without an entry in
// want are not compared; an entry whose payload the ledger does not list as
// malformed is the dead-letter check's business, not this one's.
func checkDeadLetterErrors(ctx context.Context, s *assertions.Session, want map[string]string) (assertions.Result, error) {
	r := assertions.Result{Check: CheckDeadLetterErrors}
	tab, err := s.Query(ctx, `SELECT l.malformed, d.error, l.key, l.seq, d.batch_id
		FROM dead_letter d JOIN (SELECT payload_sha256, any_value(malformed) AS malformed, min(key) AS key, min(seq) AS seq
			FROM ledger WHERE malformed <> '' GROUP BY payload_sha256) l
		ON l.payload_sha256 = d.payload_sha256 ORDER BY l.seq`)
	if err != nil {
		return r, fmt.Errorf("check dead-letter errors: %w", err)
	}
	kinds := map[string]int64{}
	var entries, wrong int64
	for _, row := range tab.Rows {
		kind, msg := fmt.Sprint(row[0]), fmt.Sprint(row[1])
		entries++
		kinds[kind]++
		w, ok := want[kind]
		if !ok || strings.Contains(msg, w) {
			continue
		}
		wrong++
		if len(r.Examples) < assertions.DefaultMaxExamples {
			r.Examples = append(r.Examples, assertions.Example{Kind: "wrong_error", Key: fmt.Sprint(row[2]), Seq: toInt64(row[3]), Batch: toInt64(row[4]),
				Detail: fmt.Sprintf("%s record rejected with %q, want an error containing %q", kind, msg, w)})
		}
	}
	r.Counts = append(r.Counts, assertions.Count{Name: "entries", Value: entries}, assertions.Count{Name: "wrong_error", Value: wrong})
	names := make([]string, 0, len(kinds))
	for k := range kinds {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		r.Counts = append(r.Counts, assertions.Count{Name: "kind_" + k, Value: kinds[k]})
	}
	r.Status = assertions.Pass
	switch {
	case wrong > 0:
		r.Status = assertions.Fail
	case entries == 0:
		r.Status, r.Detail = assertions.Fail, "no dead-letter entry of a malformed record to compare"
	}
	// Every kind asked for must have shown up, else the check compared
	// nothing for it.
	for k := range want {
		if kinds[k] == 0 {
			r.Detail = strings.TrimPrefix(r.Detail+"; no "+k+" record in the dead letter", "; ")
		}
	}
	return r, nil
}

func toInt64(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case int32:
		return int64(n)
	case int:
		return int64(n)
	case float64:
		return int64(n)
	}
	return -1
}
