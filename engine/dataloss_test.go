package engine_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/engine/checkpoint"
	"github.com/streamcheck/streamcheck/engine/source"
)

// expire removes the first n records of shard (or partition) 0 from the
// source, as retention does.
func (h *harness) expire(n int) {
	h.t.Helper()
	if h.kafka == nil {
		h.kin.Trim(stream, 0, n)
		return
	}
	req := kmsg.NewPtrDeleteRecordsRequest()
	rt := kmsg.NewDeleteRecordsRequestTopic()
	rt.Topic = stream
	rp := kmsg.NewDeleteRecordsRequestTopicPartition()
	rp.Partition, rp.Offset = 0, int64(n)
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	req.TimeoutMillis = 5000
	resp, err := req.RequestWith(h.t.Context(), h.prod)
	if err == nil && resp.Topics[0].Partitions[0].ErrorCode != 0 {
		err = fmt.Errorf("error code %d", resp.Topics[0].Partitions[0].ErrorCode)
	}
	if err != nil {
		h.t.Fatalf("delete records: %v", err)
	}
}

// plans returns every offsets/N of the checkpoint.
func (h *harness) plans() []checkpoint.Offsets {
	h.t.Helper()
	var out []checkpoint.Offsets
	for name, b := range files(h.t, filepath.Join(h.dir, "cp", "offsets")) {
		var o checkpoint.Offsets
		if err := json.Unmarshal(b, &o); err != nil {
			h.t.Fatalf("offsets/%s: %v", name, err)
		}
		out = append(out, o)
	}
	return out
}

func TestDataLoss(t *testing.T) {
	// 40 records over two shards are read; 20 more arrive while the job is
	// down, and retention removes the first 25 records of shard 0: the 20
	// read and 5 never read (records 40, 42, 44, 46 and 48).
	lost := map[string]bool{}
	for i := 40; i < 50; i += 2 {
		lost[fmt.Sprintf("SN-%06d", i)] = true
	}
	setup := func(t *testing.T, h *harness, fail bool) (*engine.Job, error) {
		h.put(40, 2, false)
		j := h.job()
		j.Options.FailOnDataLoss = fail
		if err := h.run(j); err != nil {
			t.Fatalf("first run: %v", err)
		}
		h.put(20, 2, false)
		h.expire(25)
		return j, h.run(j)
	}
	t.Run("failOnDataLoss=true", func(t *testing.T) {
		sources(t, 2, func(t *testing.T, h *harness) {
			_, err := setup(t, h, true)
			if !errors.Is(err, source.ErrDataLoss) {
				t.Fatalf("Run = %v, want a data loss error", err)
			}
			want := "shard shardId-000000000000: records after 4960"
			if h.kafka != nil {
				want = "topic ventilatorstream partition 0: offsets [20, 25) were removed"
			}
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not contain %q", err, want)
			}
			for _, p := range h.plans() {
				if p.BatchID > 0 && len(p.DataLoss) > 0 {
					t.Errorf("batch %d planned despite failOnDataLoss", p.BatchID)
				}
			}
		})
	})
	t.Run("failOnDataLoss=false", func(t *testing.T) {
		sources(t, 2, func(t *testing.T, h *harness) {
			if _, err := setup(t, h, false); err != nil {
				t.Fatalf("second run: %v", err)
			}
			var losses []checkpoint.DataLoss
			for _, p := range h.plans() {
				losses = append(losses, p.DataLoss...)
			}
			if len(losses) != 1 {
				t.Fatalf("data_loss in the plans = %+v, want one range", losses)
			}
			l := losses[0]
			if h.kafka != nil {
				if l.Topic != stream || l.Partition != 0 || l.From != "20" || l.To != "25" {
					t.Errorf("data loss = %+v, want %s partition 0 [20, 25)", l, stream)
				}
			} else if l.ShardID != "shardId-000000000000" || l.Partition != -1 || source.CompareSequence(l.From, l.To) >= 0 {
				t.Errorf("data loss = %+v, want shard 0 with from < to", l)
			}
			got := map[string]int{}
			for _, v := range column(t, filepath.Join(h.dir, "out"), "serialnumber") {
				got[v]++
			}
			for i := 0; i < h.n; i++ {
				k := fmt.Sprintf("SN-%06d", i)
				want := 1
				if lost[k] {
					want = 0
				}
				if got[k] != want {
					t.Errorf("record %s: in output %d times, want %d", k, got[k], want)
				}
			}
		})
	})
}

func TestKafkaHeadersAndRecordTimestamp(t *testing.T) {
	h := newKafkaHarness(t, 1)
	h.put(5, 1, false)
	j := h.job()
	j.Options.IncludeHeaders = true
	j.Options.AddRecordTimestamp = true
	if err := h.run(j); err != nil {
		t.Fatalf("Run: %v", err)
	}
	hdrs := column(t, filepath.Join(h.dir, "out"), "headers")
	if len(hdrs) != 5 || hdrs[0] != "[]" {
		t.Errorf("headers column = %v, want five empty JSON arrays", hdrs)
	}
	if ts := column(t, filepath.Join(h.dir, "out"), "__src_timestamp"); len(ts) != 5 {
		t.Errorf("__src_timestamp column has %d values, want 5", len(ts))
	}
	var p checkpoint.Offsets
	b, err := os.ReadFile(filepath.Join(h.dir, "cp", "offsets", "0"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	if p.Source.Kind != "kafka" || p.Source.Stream != stream || len(p.Partitions) != 1 || p.Partitions[0].EndOffset != 5 {
		t.Errorf("plan source %+v partitions %+v, want kafka %s [0, 5)", p.Source, p.Partitions, stream)
	}
}

func TestKafkaSASL(t *testing.T) {
	for _, tc := range []struct {
		mechanism string
		prod      sasl.Mechanism
	}{
		{"PLAIN", plain.Auth{User: "etl", Pass: "s3cret"}.AsMechanism()},
		{"SCRAM-SHA-256", scram.Auth{User: "etl", Pass: "s3cret"}.AsSha256Mechanism()},
		{"SCRAM-SHA-512", scram.Auth{User: "etl", Pass: "s3cret"}.AsSha512Mechanism()},
	} {
		t.Run(tc.mechanism, func(t *testing.T) {
			h := newKafkaHarnessWith(t, 2, []kfake.Opt{kfake.EnableSASL(), kfake.Superuser(tc.mechanism, "etl", "s3cret")},
				[]kgo.Opt{kgo.SASL(tc.prod)})
			h.put(20, 2, false)
			j := h.job()
			j.Options.SecurityProtocol = "SASL_PLAINTEXT"
			j.Options.SASLMechanism = tc.mechanism
			j.Options.SASLUsername, j.Options.SASLPassword = "etl", "s3cret"
			if err := h.run(j); err != nil {
				t.Fatalf("Run: %v", err)
			}
			h.checkOnce(false)
			// The wrong password is refused, not retried forever.
			j.Options.SASLPassword = "guess"
			j.ForEachBatch.CheckpointLocation = filepath.Join(h.dir, "cp2")
			j.ForEachBatch.BatchMaxRetries = 0
			if err := h.run(j); err == nil {
				t.Errorf("Run with the wrong password: got nil error")
			}
		})
	}
}
