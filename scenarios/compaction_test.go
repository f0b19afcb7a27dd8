package scenarios

import (
	"context"
	"errors"
	"path"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/engine/compact"
)

// compactionUnderLoad is a Scenario with Compaction as the catalog's
// compaction-under-load is: a load spanning the virtual clock's hours and a
// crash at each point.
func compactionUnderLoad() Scenario {
	return Scenario{
		Name: "compaction-under-load",
		Load: Load{Rate: 1000, Records: 6000},
		Crashes: []Crash{
			{At: engine.AtAfterPlan, Batch: 2}, {At: engine.AtInSink, Objects: 1, Batch: 4},
			{At: engine.AtAfterSink, Batch: 6}, {At: engine.AtAfterCommit, Batch: 8},
		},
		Compaction: &Compaction{},
	}
}

// TestCompactionChecksReject shows that the compaction scenario can fail:
// a compactor whose rollback is removed (its manifest deleted before the
// kill, or its <K>.aborted written without the outputs deleted), and an
// output copied beside itself while the compactor sits after its .done.
func TestCompactionChecksReject(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the compaction scenario three times (about 30s)")
	}
	bin, err := EngineBinary(t.Context())
	if errors.Is(err, ErrNoEngineBinary) {
		t.Skipf("the compactor runs as a process: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		at       compact.Step
		sabotage func(ctx context.Context, c *compactionRun, k compactKill) error
		want     []string // in the failures
	}{
		{
			// <K>.aborted written without the outputs deleted: a
			// rollback that forgets its deletes.
			name: "rollback removed",
			at:   compact.StepInWrite,
			sabotage: func(ctx context.Context, c *compactionRun, k compactKill) error {
				return c.putCheckpointKey(ctx, compact.Dir+"/"+strconv.FormatInt(k.ID, 10)+".aborted", `{"version":1,"id":`+strconv.FormatInt(k.ID, 10)+`}`)
			},
			want: []string{"check compaction_plain_reader failed", "rows twice"},
		},
		{
			// The manifest deleted: nothing left to roll back from.
			name: "manifest lost",
			at:   compact.StepInWrite,
			sabotage: func(ctx context.Context, c *compactionRun, k compactKill) error {
				return c.deleteCheckpointKey(ctx, compact.Dir+"/"+strconv.FormatInt(k.ID, 10))
			},
			want: []string{"check compaction_kills failed", "was never rolled back"},
		},
		{
			name: "output copied",
			at:   compact.StepAfterDone,
			sabotage: func(ctx context.Context, c *compactionRun, k compactKill) error {
				m, err := c.readManifest(ctx, k.ID)
				if err != nil {
					return err
				}
				o := m.Outputs[0].Key
				return c.copyOutput(ctx, o, path.Join(path.Dir(o), "copy-"+path.Base(o)))
			},
			want: []string{"check compaction_plain_reader failed", "rows twice"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := compactionUnderLoad()
			cfg := *s.Compaction
			cfg.sabotage = func(ctx context.Context, c *compactionRun, k compactKill) error {
				if k.Step != tt.at {
					return nil
				}
				return tt.sabotage(ctx, c, k)
			}
			s.Compaction = &cfg
			res, err := Execute(t.Context(), s, WithDir(t.TempDir()), WithEngineBinary(bin), WithSeed(1))
			if err != nil {
				t.Fatalf("Execute: %v", err)
			}
			if res.Passed {
				t.Fatalf("the run passed with the compactor spoilt (%s), want it to fail", tt.name)
			}
			got := strings.Join(res.Failures, "\n")
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("failures:\n%s\nwant one containing %q", got, w)
				}
			}
		})
	}
}

func (c *compactionRun) deleteCheckpointKey(ctx context.Context, key string) error {
	bucket, prefix, err := splitS3(c.r.job.ForEachBatch.CheckpointLocation)
	if err != nil {
		return err
	}
	_, err = c.r.s3c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(path.Join(prefix, key))})
	return err
}

func (c *compactionRun) putCheckpointKey(ctx context.Context, key, body string) error {
	bucket, prefix, err := splitS3(c.r.job.ForEachBatch.CheckpointLocation)
	if err != nil {
		return err
	}
	_, err = c.r.s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(path.Join(prefix, key)), Body: strings.NewReader(body)})
	return err
}

func (c *compactionRun) copyOutput(ctx context.Context, from, to string) error {
	bucket, prefix, err := splitS3(c.r.job.Sink.Path)
	if err != nil {
		return err
	}
	_, err = c.r.s3c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String(path.Join(prefix, to)),
		CopySource: aws.String(bucket + "/" + path.Join(prefix, from))})
	return err
}

func TestJumpClock(t *testing.T) {
	t.Parallel()
	now := time.Now()
	c := newJumpClock(now)
	start := c.Now()
	if start.Minute() != 5 || now.Sub(start) < 23*time.Hour {
		t.Errorf("starts at %v, want five past an hour a day before %v", start, now)
	}
	v0 := c.Now()
	jumped := c.jump(time.Hour)
	if d := jumped.Sub(v0); d < time.Hour || d > time.Hour+time.Second {
		t.Errorf("jumped %v, want an hour", d)
	}
	for _, v := range []time.Time{v0, jumped} {
		if d := time.Since(c.toReal(v)); d < 0 || d > time.Second {
			t.Errorf("toReal(%v) is %v before now, want a moment", v, d)
		}
	}
	if d := c.olderThan() - time.Since(c.Now()); d > time.Millisecond || d < -time.Millisecond {
		t.Errorf("olderThan %v, want the clocks' difference %v", c.olderThan(), time.Since(c.Now()))
	}
}
