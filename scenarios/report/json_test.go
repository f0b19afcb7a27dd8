package report

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestJSONRoundTrip(t *testing.T) {
	runs := []Run{sampleRun(), passingRun()}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, runs...); err != nil {
		t.Fatalf("WriteJSON: %v", err)
	}
	got, err := ReadJSON(&buf)
	if err != nil {
		t.Fatalf("ReadJSON: %v", err)
	}
	if !reflect.DeepEqual(got, runs) {
		t.Errorf("round trip differs:\ngot  %+v\nwant %+v", got, runs)
	}
}

func TestJSONFieldNames(t *testing.T) {
	r := sampleRun()
	r.Started = r.Started.In(time.FixedZone("CET", 3600))
	var buf bytes.Buffer
	if err := WriteJSON(&buf, r); err != nil {
		t.Fatalf("WriteJSON: %v", err)
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("parse: %v", err)
	}
	if doc["version"] != float64(FormatVersion) {
		t.Errorf("version: got %v, want %d", doc["version"], FormatVersion)
	}
	run := doc["runs"].([]any)[0].(map[string]any)
	for _, k := range []string{"name", "description", "seed", "backend", "started", "duration_ns", "passed",
		"replay_command", "checks", "batches", "events", "lag", "figures", "artifacts"} {
		if _, ok := run[k]; !ok {
			t.Errorf("run lacks field %q", k)
		}
	}
	if got, want := run["started"], "2026-11-22T13:05:00Z"; got != want {
		t.Errorf("started: got %v, want %v in UTC", got, want)
	}
	batch := run["batches"].([]any)[0].(map[string]any)
	for _, k := range []string{"id", "planned_at", "committed_at", "records", "dead_letters", "lag_p50_ns", "lag_p99_ns", "lag_max_ns"} {
		if _, ok := batch[k]; !ok {
			t.Errorf("batch lacks field %q", k)
		}
	}
	lag := run["lag"].([]any)[0].(map[string]any)
	for _, k := range []string{"time", "p50_ns", "p99_ns", "max_ns"} {
		if _, ok := lag[k]; !ok {
			t.Errorf("lag point lacks field %q", k)
		}
	}
	if r.Started.Location().String() != "CET" {
		t.Errorf("WriteJSON changed the caller's run")
	}
}

func TestReadJSONRejects(t *testing.T) {
	for _, tt := range []struct{ name, doc, want string }{
		{"other version", `{"version":2,"runs":[]}`, "version 2"},
		{"not json", `<testsuites/>`, "read json"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadJSON(strings.NewReader(tt.doc))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ReadJSON(%s): got %v, want an error containing %q", tt.doc, err, tt.want)
			}
		})
	}
}
