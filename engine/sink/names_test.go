package sink_test

import (
	"testing"

	"github.com/streamcheck/streamcheck/engine/sink"
)

func TestScopedObjectName(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{sink.ScopedObjectName("1a2b3c4d", 42, 0, "snappy.parquet"), "part-00000042-00000-1a2b3c4d.snappy.parquet"},
		{sink.ScopedObjectName("1a2b3c4d", 7, 12, "jsonl"), "part-00000007-00012-1a2b3c4d.jsonl"},
		{sink.ScopedObjectName("", 7, 12, "jsonl"), "part-00000007-00012.jsonl"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestCheckpointToken(t *testing.T) {
	for _, tt := range []struct{ id, want string }{
		{"", ""},
		{"1A2B3C4D-0000-4000-8000-000000000000", "1a2b3c4d"},
		{"deadbeef", "deadbeef"},
		{"engine-a", "7e8c50f9"}, // not hexadecimal: FNV-1a 32
		{"1a2b3c4", "8b69e4eb"},  // too short: FNV-1a 32
	} {
		if got := sink.CheckpointToken(tt.id); got != tt.want {
			t.Errorf("CheckpointToken(%q) = %q, want %q", tt.id, got, tt.want)
		}
	}
}

func TestParseObjectName(t *testing.T) {
	for _, tt := range []struct {
		name string
		want sink.NameParts
		ok   bool
	}{
		{"part-00000042-00003.snappy.parquet", sink.NameParts{Batch: 42, Index: 3, Ext: "snappy.parquet"}, true},
		{"part-00000042-00003-1a2b3c4d.snappy.parquet", sink.NameParts{Batch: 42, Index: 3, Token: "1a2b3c4d", Ext: "snappy.parquet"}, true},
		{"part-00000007-00000-0badcafe.jsonl", sink.NameParts{Batch: 7, Token: "0badcafe", Ext: "jsonl"}, true},
		{"part-00000000-0000-4000-8000-000000000000.parquet", sink.NameParts{}, false}, // at-least-once
		{"part-c00000001-00000.snappy.parquet", sink.NameParts{}, false},               // compaction
		{"part-00000042-00003-1A2B3C4D.snappy.parquet", sink.NameParts{}, false},       // upper-case token
		{"part-00000042-00003-1a2b.snappy.parquet", sink.NameParts{}, false},           // short token
		{"part-0000042-00003.snappy.parquet", sink.NameParts{}, false},
		{"part-00000042-00003", sink.NameParts{}, false},
		{"x-00000042-00003.jsonl", sink.NameParts{}, false},
	} {
		got, ok := sink.ParseObjectName(tt.name)
		if ok != tt.ok || got != tt.want {
			t.Errorf("ParseObjectName(%q) = %+v, %t; want %+v, %t", tt.name, got, ok, tt.want, tt.ok)
		}
	}
	// Round trips.
	for _, name := range []string{sink.ObjectName(99999999, 99999, "zstd.parquet"), sink.ScopedObjectName("00ff00ff", 1, 2, "parquet")} {
		if _, ok := sink.ParseObjectName(name); !ok {
			t.Errorf("ParseObjectName(%q) failed on a name of the package's own", name)
		}
	}
}
