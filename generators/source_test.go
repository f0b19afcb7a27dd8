package generators

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"time"
	"unicode/utf8"
)

// classifyVentilator says how a ventilator JSON payload is malformed, the
// way a strict reader would find out: "" when it is well formed.
func classifyVentilator(payload []byte, oversize int) string {
	switch {
	case !utf8.Valid(payload):
		return MalformedInvalidUTF8
	case len(payload) > oversize:
		return MalformedOversize
	case !json.Valid(payload):
		return MalformedInvalidJSON
	}
	var m map[string]any
	_ = json.Unmarshal(payload, &m)
	for _, c := range Ventilator().Table.Columns {
		v, ok := m[c.Name]
		if !ok {
			return MalformedMissing
		}
		if _, isString := v.(string); isString != (c.Type.Kind == KindString) {
			return MalformedWrongType
		}
	}
	return ""
}

func TestClassifyVentilatorRejects(t *testing.T) {
	good := `{"ventilatorid":1,"eventtime":"2026-01-01 00:00:00","serialnumber":"s","pressurecontrol":10,"o2stats":95,"minutevolume":5,"manufacturer":"GE"}`
	for _, tc := range []struct{ payload, want string }{
		{good, ""},
		{good[:40], MalformedInvalidJSON},
		{`{"ventilatorid":1,"eventtime":"2026-01-01 00:00:00","serialnumber":"s","pressurecontrol":10,"o2stats":95,"minutevolume":5}`, MalformedMissing},
		{`{"ventilatorid":"1","eventtime":"2026-01-01 00:00:00","serialnumber":"s","pressurecontrol":10,"o2stats":95,"minutevolume":5,"manufacturer":"GE"}`, MalformedWrongType},
		{`{"ventilatorid":1,"eventtime":"2026-01-01 00:00:00","serialnumber":"s","pressurecontrol":10,"o2stats":95,"minutevolume":5,"manufacturer":"G` + "\xff" + `"}`, MalformedInvalidUTF8},
		{good + string(bytes.Repeat([]byte(" "), 300)), MalformedOversize},
	} {
		if got := classifyVentilator([]byte(tc.payload), 256); got != tc.want {
			t.Errorf("classifyVentilator(%.60q) = %q, want %q", tc.payload, got, tc.want)
		}
	}
}

func TestMalformedShares(t *testing.T) {
	const n, share, oversize = 20000, 0.1, 4096
	recs := records(t, SourceConfig{Dataset: Ventilator(), Seed: 11, Malformed: share, OversizeBytes: oversize}, n)
	kinds := map[string]int{}
	for _, r := range recs {
		if got := classifyVentilator(r.Payload, oversize); got != r.Malformed {
			t.Fatalf("record %d: payload reads as %q, ledger says %q: %.120q", r.Seq, got, r.Malformed, r.Payload)
		}
		if (r.Key == "") != (r.Malformed == MalformedInvalidJSON) {
			t.Errorf("record %d (%q): key %q; want it empty only for invalid_json", r.Seq, r.Malformed, r.Key)
		}
		kinds[r.Malformed]++
	}
	if got := float64(n-kinds[""]) / n; got < share-0.01 || got > share+0.01 {
		t.Errorf("malformed share = %.4f, want %.2f ± 0.01", got, share)
	}
	for _, k := range malformedKinds {
		if got := float64(kinds[k]) / n; got < share/5-0.008 || got > share/5+0.008 {
			t.Errorf("share of %s = %.4f, want %.3f ± 0.008", k, got, share/5)
		}
	}
}

func TestDuplicatesAndLateness(t *testing.T) {
	const n = 10000
	cfg := SourceConfig{Dataset: Payments(), Seed: 5, Producers: 3, Duplicates: 0.05, Late: 0.1, MaxLateness: time.Minute, EventInterval: time.Millisecond}
	recs := records(t, cfg, n)
	dups, late := 0, 0
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	for _, r := range recs {
		if r.DuplicateOf >= 0 {
			dups++
			orig := recs[r.DuplicateOf]
			if r.DuplicateOf >= r.Seq || r.Seq-r.DuplicateOf > int64(maxDuplicateDistance*cfg.Producers) {
				t.Fatalf("record %d duplicates %d: want one of the previous %d of its producer", r.Seq, r.DuplicateOf, maxDuplicateDistance)
			}
			if !bytes.Equal(r.Payload, orig.Payload) || r.Key != orig.Key || r.PartitionKey != orig.PartitionKey || r.Producer != orig.Producer {
				t.Fatalf("record %d is not a copy of %d", r.Seq, r.DuplicateOf)
			}
			continue
		}
		want := start + r.Seq
		switch {
		case r.EventTimeMs == want:
		case r.EventTimeMs < want && r.EventTimeMs >= want-time.Minute.Milliseconds():
			late++
		default:
			t.Fatalf("record %d: event time %d, want %d or up to a minute before", r.Seq, r.EventTimeMs, want)
		}
	}
	if got := float64(dups) / n; got < 0.04 || got > 0.06 {
		t.Errorf("duplicate share = %.4f, want 0.05 ± 0.01", got)
	}
	if got := float64(late) / float64(n-dups); got < 0.09 || got > 0.11 {
		t.Errorf("late share = %.4f, want 0.10 ± 0.01", got)
	}
}

// TestDeterministicRecords generates the same seqs in different orders
// and from different workers: the records must not differ.
func TestDeterministicRecords(t *testing.T) {
	cfg := SourceConfig{Dataset: Ventilator(), Seed: 42, Producers: 4, Malformed: 0.05, Duplicates: 0.05, Late: 0.05, OversizeBytes: 2048, Keys: KeyStrategy{Kind: KeyHot, HotShare: 0.3}}
	a := records(t, cfg, 2000)
	s, _ := NewSource(cfg)
	w := s.NewWorker()
	for i := len(a) - 1; i >= 0; i-- {
		r, err := w.Record(int64(i))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(r.Payload, a[i].Payload) || r.Key != a[i].Key || r.PartitionKey != a[i].PartitionKey ||
			r.Malformed != a[i].Malformed || r.DuplicateOf != a[i].DuplicateOf || r.EventTimeMs != a[i].EventTimeMs {
			t.Fatalf("record %d differs when generated in reverse order:\n%+v\n%+v", i, r, a[i])
		}
	}
	cfg.Seed = 43
	b := records(t, cfg, 10)
	if bytes.Equal(a[0].Payload, b[0].Payload) {
		t.Errorf("seeds 42 and 43 gave the same record 0: %s", a[0].Payload)
	}
}

func TestSourceConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  SourceConfig
		want string
	}{
		{"no dataset", SourceConfig{}, "Dataset"},
		{"share above one", SourceConfig{Dataset: Ventilator(), Malformed: 1.5}, "Malformed"},
		{"negative duplicates", SourceConfig{Dataset: Ventilator(), Duplicates: -0.1}, "Duplicates"},
		{"bad format", SourceConfig{Dataset: Ventilator(), Format: "xml"}, "Format"},
		{"bad kind", SourceConfig{Dataset: Ventilator(), MalformedOnly: []string{"nope"}}, "MalformedOnly"},
		{"hot share", SourceConfig{Dataset: Ventilator(), Keys: KeyStrategy{Kind: KeyHot, HotShare: 2}}, "HotShare"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if !errors.Is(err, ErrConfig) || !bytes.Contains([]byte(err.Error()), []byte(tc.want)) {
				t.Errorf("Validate() = %v, want an ErrConfig naming %s", err, tc.want)
			}
		})
	}
}

func TestParseKeyStrategy(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want KeyStrategy
		bad  bool
	}{
		{"device", KeyStrategy{Kind: KeyDevice}, false},
		{"uniform", KeyStrategy{Kind: KeyUniform}, false},
		{"hot", KeyStrategy{Kind: KeyHot, HotShare: 0.5}, false},
		{"hot:0.9", KeyStrategy{Kind: KeyHot, HotShare: 0.9}, false},
		{"hot:2", KeyStrategy{}, true},
		{"device:1", KeyStrategy{}, true},
		{"random", KeyStrategy{}, true},
	} {
		got, err := ParseKeyStrategy(tc.in)
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("ParseKeyStrategy(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.bad)
		}
	}
}

func TestHotKeyShare(t *testing.T) {
	recs := records(t, SourceConfig{Dataset: Ventilator(), Seed: 9, Keys: KeyStrategy{Kind: KeyHot, HotShare: 0.5}}, 10000)
	hot := 0
	for _, r := range recs {
		if r.PartitionKey == HotKey {
			hot++
		} else if r.PartitionKey != r.Key {
			t.Fatalf("record %d: partition key %q, want %q or the key %q", r.Seq, r.PartitionKey, HotKey, r.Key)
		}
	}
	if got := float64(hot) / 10000; got < 0.48 || got > 0.52 {
		t.Errorf("hot share = %.4f, want 0.50 ± 0.02", got)
	}
}
