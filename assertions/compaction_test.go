package assertions

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// compactFixture merges the files of batches 0 and 1 (one ingest hour) of
// p into compaction 0's output as streamcheck compact lays it out; steps
// chooses how far it got: write the manifest, the output, .done, delete
// the inputs.
func compactFixture(t *testing.T, p fixPaths, manifest, output, done, deleteInputs bool) {
	t.Helper()
	dir := ingestDir(batchStart(0).Add(30e9))
	inputs := []struct {
		name  string
		batch int64
	}{{"part-00000000-00000.snappy.parquet", 0}, {"part-00000000-00001.snappy.parquet", 0}, {"part-00000001-00000.snappy.parquet", 1}}
	outKey := dir + "/part-c00000000-00000.snappy.parquet"
	var ins []map[string]any
	var paths []string
	for _, in := range inputs {
		key := dir + "/" + in.name
		path := filepath.Join(p.out, filepath.FromSlash(key))
		paths = append(paths, sqlString(path))
		ins = append(ins, map[string]any{"key": key, "url": path, "etag": "e", "size": 1, "rows": 1, "batch": in.batch, "output": 0})
	}
	if manifest {
		writeJSON(t, filepath.Join(p.ckpt, "compactions", "0"), map[string]any{"version": 1, "id": 0, "partition": dir,
			"inputs": ins, "outputs": []map[string]any{{"key": outKey, "url": filepath.Join(p.out, filepath.FromSlash(outKey)), "rows": 1}}})
	}
	if output {
		db, err := sql.Open("duckdb", "")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		q := `COPY (SELECT * FROM read_parquet([` + strings.Join(paths, ",") + `], hive_partitioning=false)) TO ` +
			sqlString(filepath.Join(p.out, filepath.FromSlash(outKey))) + ` (FORMAT parquet, COMPRESSION snappy)`
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("merge: %v", err)
		}
	}
	if done {
		writeJSON(t, filepath.Join(p.ckpt, "compactions", "0.done"), map[string]any{"version": 1, "id": 0})
	}
	if deleteInputs {
		for _, in := range inputs {
			if err := os.Remove(filepath.Join(p.out, filepath.FromSlash(dir), in.name)); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestCompactionManifests(t *testing.T) {
	tests := []struct {
		name                                 string
		manifest, output, done, deleteInputs bool
		wantOK                               bool
		wantLayout                           map[string]int64
		wantDelivery                         map[string]int64
	}{
		{name: "finished", manifest: true, output: true, done: true, deleteInputs: true, wantOK: true,
			wantLayout: map[string]int64{"files": 3, "compacted_files": 1, "pending_deletion": 0, "missing_object": 0, "orphan": 0}},
		{name: "finished, inputs pending deletion", manifest: true, output: true, done: true, wantOK: true,
			wantLayout: map[string]int64{"files": 3, "compacted_files": 1, "pending_deletion": 3, "orphan": 0}, wantDelivery: map[string]int64{"duplicated": 0}},
		{name: "output written, not done", manifest: true, output: true, wantOK: true,
			wantLayout: map[string]int64{"files": 5, "compaction_in_progress": 1, "orphan": 0}, wantDelivery: map[string]int64{"duplicated": 0}},
		{name: "planned only", manifest: true, wantOK: true, wantLayout: map[string]int64{"files": 5, "compaction_in_progress": 0}},
		// Cases the checks must reject.
		{name: "inputs deleted before done", manifest: true, output: true, deleteInputs: true,
			wantLayout: map[string]int64{"missing_object": 3}, wantDelivery: map[string]int64{"lost": 20}},
		{name: "done but output absent", manifest: true, done: true, deleteInputs: true,
			wantLayout: map[string]int64{"missing_object": 1}, wantDelivery: map[string]int64{"lost": 20}},
		{name: "merged without a manifest", output: true,
			wantLayout: map[string]int64{"orphan": 1}, wantDelivery: map[string]int64{"duplicated": 20}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := cleanFixture().write(t)
			compactFixture(t, p, tc.manifest, tc.output, tc.done, tc.deleteInputs)
			cfg := p.config()
			cfg.MaxLagMax = 0 // compacted rows take their newest batch's commit: lag is an upper bound
			rep, err := Verify(context.Background(), cfg)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if rep.OK != tc.wantOK {
				t.Errorf("OK = %v, want %v: %+v", rep.OK, tc.wantOK, rep.Results)
			}
			for check, want := range map[string]map[string]int64{CheckLayout: tc.wantLayout, CheckDelivery: tc.wantDelivery} {
				r := rep.Result(check)
				for name, n := range want {
					if got := r.Count(name); got != n {
						t.Errorf("%s %s = %d, want %d (%+v)", check, name, got, n, r.Counts)
					}
				}
			}
		})
	}
}
