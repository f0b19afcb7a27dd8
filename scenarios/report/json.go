package report

import (
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// FormatVersion is the version of the JSON document WriteJSON writes. It
// changes only when a field is renamed or changes meaning; new fields may be
// added within a version.
const FormatVersion = 1

// Document is the JSON form of a report:
//
//	{"version": 1, "runs": [ {Run}, ... ]}
//
// Field names are those of the json tags on Run and the types it holds.
// Times are RFC 3339 with nanoseconds in UTC and omitted when zero; every
// duration is an integer number of nanoseconds in a field ending in _ns.
// Example.batch is -1 when the batch is not known.
type Document struct {
	// Version is FormatVersion; Runs are the runs in the order given.
	Version int   `json:"version"`
	Runs    []Run `json:"runs"`
}

// WriteJSON writes runs to w as an indented Document.
func WriteJSON(w io.Writer, runs ...Run) error {
	doc := Document{Version: FormatVersion, Runs: make([]Run, 0, len(runs))}
	for _, r := range runs {
		doc.Runs = append(doc.Runs, inUTC(r))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("report: write json: %w", err)
	}
	return nil
}

// ReadJSON reads a Document written by WriteJSON and returns its runs. It
// rejects documents of another FormatVersion.
func ReadJSON(r io.Reader) ([]Run, error) {
	var doc Document
	if err := json.NewDecoder(r).Decode(&doc); err != nil {
		return nil, fmt.Errorf("report: read json: %w", err)
	}
	if doc.Version != FormatVersion {
		return nil, fmt.Errorf("report: read json: version %d, want %d", doc.Version, FormatVersion)
	}
	return doc.Runs, nil
}

// inUTC returns a copy of r with every time in UTC, sharing nothing
// mutable with r.
func inUTC(r Run) Run {
	r.Started = utc(r.Started)
	r.Checks = append([]Check(nil), r.Checks...)
	r.Batches = append([]Batch(nil), r.Batches...)
	for i := range r.Batches {
		r.Batches[i].PlannedAt = utc(r.Batches[i].PlannedAt)
		r.Batches[i].CommittedAt = utc(r.Batches[i].CommittedAt)
	}
	r.Events = append([]Event(nil), r.Events...)
	for i := range r.Events {
		r.Events[i].Time = utc(r.Events[i].Time)
	}
	r.Lag = append([]LagPoint(nil), r.Lag...)
	for i := range r.Lag {
		r.Lag[i].Time = utc(r.Lag[i].Time)
	}
	return r
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC()
}
