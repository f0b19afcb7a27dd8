package assertions

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
)

// t0 is the fixture's first arrival time.
var t0 = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// ledgerRow is one ledger line, as the generators write it.
type ledgerRow struct {
	Seq            int64  `json:"seq"`
	Producer       int32  `json:"producer"`
	Key            string `json:"key"`
	PartitionKey   string `json:"partition_key"`
	PayloadSHA256  string `json:"payload_sha256"`
	Size           int32  `json:"size"`
	Malformed      string `json:"malformed"`
	DuplicateOf    int64  `json:"duplicate_of"`
	EventTimeMS    int64  `json:"event_time_ms"`
	Outcome        string `json:"outcome"`
	Attempts       int32  `json:"attempts"`
	Error          string `json:"error"`
	Target         string `json:"target"`
	ShardID        string `json:"shard_id"`
	SequenceNumber string `json:"sequence_number"`
	Partition      int32  `json:"partition"`
	Offset         int64  `json:"offset"`
	SentAtMS       int64  `json:"sent_at_ms"`
	AckedAtMS      int64  `json:"acked_at_ms"`
}

// outRow is one output row.
type outRow struct {
	Serial string
	Value  float64
}

// nullDouble as a fixFile.valueType writes the value column as nulls.
const nullDouble = "NULL DOUBLE"

// fixFile is one output object of a batch.
type fixFile struct {
	dir  string // hive directory; "" means the batch's ingest-time path
	name string // "" means part-<batch>-<idx>.snappy.parquet
	rows []outRow
	// valueType overrides the value column's SQL type; nullDouble writes
	// nulls.
	valueType string
	// absent leaves the object out while the batch's offsets name it.
	absent bool
}

type fixBatch struct {
	id         int64
	plannedAt  time.Time
	committed  bool
	commitLag  time.Duration // committed_at - planned_at
	files      []fixFile
	deadLetter []dlEntry
	dataLoss   []lossSpan
	unlisted   bool // no offsets file at all
	// planEngine and commitEngine are the engine ids the logs record; ""
	// leaves them out, as older checkpoints do.
	planEngine, commitEngine string
	// windows is the batch's windows object: "" none, "present",
	// "absent" (named by the plan, not written) or "unnamed" (written,
	// not named).
	windows string
}

type dlEntry struct {
	seq   int64 // ledger row whose payload it is; -1 for a foreign payload
	error string
}

// fixture is a complete job run: ledger, output, dead letter, checkpoint.
type fixture struct {
	ledger  []ledgerRow
	batches []*fixBatch
	// token, when set, is the checkpoint's name token: the fixture writes
	// checkpoint metadata whose id starts with it and names objects
	// part-<batch>-<idx>-<token>; "" writes neither, as older
	// checkpoints did.
	token string
}

// partFile is the exactly-once name of the fixture's object idx of batch.
func (f *fixture) partFile(batch int64, idx int, ext string) string {
	if f.token == "" {
		return fmt.Sprintf("part-%08d-%05d.%s", batch, idx, ext)
	}
	return fmt.Sprintf("part-%08d-%05d-%s.%s", batch, idx, f.token, ext)
}

func payloadSHA(seq int64) string {
	h := sha256.Sum256(fmt.Appendf(nil, "payload-%d", seq))
	return hex.EncodeToString(h[:])
}

// cleanFixture returns a run that every check passes: 4 batches of 10
// records, a deliberate duplicate, a recovered unknown, an undelivered
// unknown, a failed attempt and two dead-lettered malformed records.
func cleanFixture() *fixture {
	f := &fixture{}
	acked := func(seq int64, batch int64, j int) ledgerRow {
		return ledgerRow{Seq: seq, Key: fmt.Sprintf("k%03d", seq), PartitionKey: fmt.Sprintf("pk%d", seq%4),
			PayloadSHA256: payloadSHA(seq), Size: 100, DuplicateOf: -1, Outcome: "ack", Attempts: 1,
			Target: "kinesis://ventilatorstream", ShardID: "shardId-000000000000", SequenceNumber: fmt.Sprint(1000 + batch*100 + int64(j)),
			Partition: -1, Offset: -1, SentAtMS: batchStart(batch).Add(time.Duration(j)*time.Second).UnixMilli() - 5,
			AckedAtMS: batchStart(batch).Add(time.Duration(j) * time.Second).UnixMilli()}
	}
	for b := int64(0); b < 4; b++ {
		batch := &fixBatch{id: b, plannedAt: batchStart(b).Add(30 * time.Second), committed: true, commitLag: 2 * time.Second}
		var rows []outRow
		for j := 0; j < 10; j++ {
			seq := b*10 + int64(j)
			f.ledger = append(f.ledger, acked(seq, b, j))
			rows = append(rows, outRow{fmt.Sprintf("k%03d", seq), float64(seq)})
		}
		if b == 0 {
			batch.files = []fixFile{{rows: rows[:5]}, {rows: rows[5:]}}
		} else {
			batch.files = []fixFile{{rows: rows}}
		}
		f.batches = append(f.batches, batch)
	}
	// seq 40: a deliberate resend of seq 5, delivered in batch 2.
	dup := acked(40, 2, 10)
	dup.Key, dup.PartitionKey, dup.DuplicateOf, dup.PayloadSHA256 = "k005", "pk1", 5, payloadSHA(5)
	f.ledger = append(f.ledger, dup)
	f.batches[2].files[0].rows = append(f.batches[2].files[0].rows, outRow{"k005", 5})
	// seq 41: unknown outcome, delivered in batch 3 (recovered).
	unk := acked(41, 3, 10)
	unk.Outcome, unk.AckedAtMS, unk.Error, unk.SequenceNumber, unk.ShardID = "unknown", 0, "timeout", "", ""
	f.ledger = append(f.ledger, unk)
	f.batches[3].files[0].rows = append(f.batches[3].files[0].rows, outRow{"k041", 41})
	// seq 42: unknown, never delivered; seq 43: failed.
	unk2 := unk
	unk2.Seq, unk2.Key, unk2.PayloadSHA256 = 42, "k042", payloadSHA(42)
	failed := unk
	failed.Seq, failed.Key, failed.PayloadSHA256, failed.Outcome = 43, "k043", payloadSHA(43), "failed"
	f.ledger = append(f.ledger, unk2, failed)
	// seq 44 and 45: malformed, acknowledged, dead-lettered by batch 1.
	for _, seq := range []int64{44, 45} {
		m := acked(seq, 1, int(seq-40))
		m.Key, m.Malformed = "", "invalid_json"
		f.ledger = append(f.ledger, m)
		f.batches[1].deadLetter = append(f.batches[1].deadLetter, dlEntry{seq: seq, error: "invalid JSON at offset 3"})
	}
	return f
}

// batchStart is when the records of batch b start arriving: batches are 25
// minutes apart, so batch 3 lands in the next hour.
func batchStart(b int64) time.Time { return t0.Add(time.Duration(b) * 25 * time.Minute) }

func ingestDir(t time.Time) string {
	return fmt.Sprintf("ingest_year=%04d/ingest_month=%02d/ingest_day=%02d/ingest_hour=%02d", t.Year(), int(t.Month()), t.Day(), t.Hour())
}

// paths of a written fixture.
type fixPaths struct {
	root, out, dl, win, ckpt, ledger string
}

// write writes the fixture under a new temporary directory.
func (f *fixture) write(t *testing.T) fixPaths {
	t.Helper()
	root := t.TempDir()
	p := fixPaths{root: root, out: filepath.Join(root, "out"), dl: filepath.Join(root, "dlq"), win: filepath.Join(root, "windows"),
		ckpt: filepath.Join(root, "checkpoint"), ledger: filepath.Join(root, "ledger.jsonl")}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var lines []string
	for _, r := range f.ledger {
		b, _ := json.Marshal(r)
		lines = append(lines, string(b))
	}
	writeFile(t, p.ledger, strings.Join(lines, "\n")+"\n")
	for _, b := range f.batches {
		var objects, dlObjects []string
		for i, ff := range b.files {
			dir := ff.dir
			if dir == "" {
				dir = ingestDir(b.plannedAt)
			}
			name := ff.name
			if name == "" {
				name = f.partFile(b.id, i, "snappy.parquet")
			}
			path := filepath.Join(p.out, filepath.FromSlash(dir), name)
			if !ff.absent {
				writeParquet(t, db, path, ff)
			}
			objects = append(objects, path)
		}
		if len(b.deadLetter) > 0 {
			var dl []string
			for _, e := range b.deadLetter {
				sha := "f00d"
				if e.seq >= 0 {
					sha = payloadSHA(e.seq)
				}
				line, _ := json.Marshal(map[string]any{"batch_id": b.id, "source": "kinesis", "stream": "ventilatorstream",
					"shard_id": "shardId-000000000000", "partition": -1, "sequence_number": fmt.Sprint(1000 + e.seq), "offset": -1,
					"partition_key": "pk0", "arrival_time": b.plannedAt.Format(time.RFC3339Nano), "error": e.error,
					"payload_base64": "e30=", "payload_sha256": sha})
				dl = append(dl, string(line))
			}
			path := filepath.Join(p.dl, f.partFile(b.id, 0, "jsonl"))
			writeFile(t, path, strings.Join(dl, "\n")+"\n")
			dlObjects = append(dlObjects, path)
		}
		var winObjects []string
		if b.windows != "" {
			path := filepath.Join(p.win, f.partFile(b.id, 0, "snappy.parquet"))
			if b.windows != "absent" {
				writeParquet(t, db, path, fixFile{})
			}
			if b.windows != "unnamed" {
				winObjects = append(winObjects, path)
			}
		}
		if b.unlisted {
			continue
		}
		plan := map[string]any{"version": 1, "batch_id": b.id, "planned_at": b.plannedAt, "ingest_time": b.plannedAt,
			"delivery": "exactly-once", "source": map[string]any{"kind": "kinesis", "stream": "ventilatorstream"},
			"objects": objects, "dead_letter_objects": dlObjects, "windows_objects": winObjects, "data_loss": b.dataLoss, "engine_id": b.planEngine}
		writeJSON(t, filepath.Join(p.ckpt, "offsets", fmt.Sprint(b.id)), plan)
		if b.committed {
			writeJSON(t, filepath.Join(p.ckpt, "commits", fmt.Sprint(b.id)), map[string]any{"version": 1, "batch_id": b.id,
				"committed_at": b.plannedAt.Add(b.commitLag), "num_records": 10, "num_dead_letter": len(b.deadLetter),
				"batch_processing_time_ms": 1500, "engine_id": b.commitEngine})
		}
	}
	writeFile(t, filepath.Join(p.ckpt, "offsets", ".3.tmp"), "garbage from an interrupted write")
	if f.token != "" {
		writeJSON(t, filepath.Join(p.ckpt, "metadata"), map[string]any{"version": 1, "id": f.token + "-0000-4000-8000-000000000000",
			"created_at": t0, "job": "ventilator"})
	}
	return p
}

func writeParquet(t *testing.T, db *sql.DB, path string, ff fixFile) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	vt := ff.valueType
	if vt == "" {
		vt = "DOUBLE"
	}
	var vals []string
	for _, r := range ff.rows {
		vals = append(vals, fmt.Sprintf("(%s, %v)", sqlString(r.Serial), r.Value))
	}
	src := "SELECT NULL::VARCHAR AS serialnumber, NULL::DOUBLE AS value WHERE false"
	if len(vals) > 0 {
		src = "SELECT * FROM (VALUES " + strings.Join(vals, ", ") + ") t(serialnumber, value)"
	}
	value := "CAST(value AS " + vt + ")"
	if vt == nullDouble {
		value = "CAST(NULL AS DOUBLE)"
	}
	q := fmt.Sprintf(`COPY (SELECT serialnumber, %s AS value, TIMESTAMP '2026-11-22 12:00:00' AS eventtime FROM (%s))
		TO %s (FORMAT parquet, COMPRESSION snappy)`, value, src, sqlString(path))
	if _, err := db.Exec(q); err != nil {
		t.Fatalf("write %s: %v", path, err)
	}
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	if err := writeJSONFile(path, v); err != nil {
		t.Fatal(err)
	}
}

func writeJSONFile(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// config returns the Config that verifies the fixture.
func (p fixPaths) config() Config {
	return Config{
		Output: p.out, DeadLetter: p.dl, Checkpoint: p.ckpt, Ledger: p.ledger,
		KeyColumn: "serialnumber",
		Schema: []Column{
			{Name: "serialnumber", Type: "string"},
			{Name: "value", Type: "double", Nullable: true},
			{Name: "eventtime", Type: "timestamp", Nullable: true},
		},
		IngestTimePartitioning: true,
		MaxLagMax:              time.Minute,
		CheckOrder:             true,
	}
}
