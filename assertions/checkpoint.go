package assertions

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"time"
)

// batchPlan is what the checks need of a checkpoint's offsets/<N>.
type batchPlan struct {
	BatchID           int64      `json:"batch_id"`
	PlannedAt         time.Time  `json:"planned_at"`
	IngestTime        time.Time  `json:"ingest_time"`
	Delivery          string     `json:"delivery"`
	Objects           []string   `json:"objects"`
	DeadLetterObjects []string   `json:"dead_letter_objects"`
	WindowsObjects    []string   `json:"windows_objects"`
	DataLoss          []lossSpan `json:"data_loss"`
	EngineID          string     `json:"engine_id"`
}

// lossSpan is a range of records the engine could not read (trimmed before
// it got to them). From and To are inclusive positions: Kinesis sequence
// numbers or Kafka offsets, as decimal strings.
type lossSpan struct {
	ShardID   string `json:"shard_id"`
	Partition int32  `json:"partition"`
	From      string `json:"from"`
	To        string `json:"to"`
}

// batchCommit is what the checks need of a checkpoint's commits/<N>.
type batchCommit struct {
	BatchID          int64     `json:"batch_id"`
	CommittedAt      time.Time `json:"committed_at"`
	ProcessingTimeMS int64     `json:"batch_processing_time_ms"`
	EngineID         string    `json:"engine_id"`
}

// checkpointLog is a checkpoint's plans and commits by batch id.
type checkpointLog struct {
	// token is the name token of the checkpoint (see planToken), "" when
	// its plans name no object in the tokened form.
	token   string
	plans   map[int64]*batchPlan
	commits map[int64]*batchCommit
	// compactions are the manifests of streamcheck compact by id.
	compactions map[int64]*compaction
}

func (c *checkpointLog) batches() []int64 {
	ids := make([]int64, 0, len(c.plans))
	for id := range c.plans {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// readCheckpoint reads dir/offsets/<N> and dir/commits/<N>. Files whose
// names are not decimal batch ids (temporary files of an interrupted write)
// are ignored.
func readCheckpoint(dir string) (*checkpointLog, error) {
	log := &checkpointLog{plans: map[int64]*batchPlan{}, commits: map[int64]*batchCommit{}}
	for _, sub := range []string{"offsets", "commits"} {
		entries, err := os.ReadDir(filepath.Join(dir, sub))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read checkpoint %s: %w", sub, err)
		}
		for _, e := range entries {
			n, err := strconv.ParseInt(e.Name(), 10, 64)
			if err != nil || e.IsDir() || n < 0 {
				continue
			}
			p := filepath.Join(dir, sub, e.Name())
			b, err := os.ReadFile(p)
			if err != nil {
				return nil, fmt.Errorf("read checkpoint %s/%d: %w", sub, n, err)
			}
			if sub == "offsets" {
				var plan batchPlan
				if err := json.Unmarshal(b, &plan); err != nil {
					return nil, fmt.Errorf("read checkpoint %s: %w", p, err)
				}
				if plan.BatchID != n {
					return nil, fmt.Errorf("read checkpoint %s: batch_id %d, want %d as in its name", p, plan.BatchID, n)
				}
				log.plans[n] = &plan
			} else {
				var c batchCommit
				if err := json.Unmarshal(b, &c); err != nil {
					return nil, fmt.Errorf("read checkpoint %s: %w", p, err)
				}
				if c.BatchID != n {
					return nil, fmt.Errorf("read checkpoint %s: batch_id %d, want %d as in its name", p, c.BatchID, n)
				}
				if c.CommittedAt.IsZero() {
					return nil, fmt.Errorf("read checkpoint %s: committed_at missing", p)
				}
				log.commits[n] = &c
			}
		}
	}
	var err error
	if log.compactions, err = readCompactions(dir); err != nil {
		return nil, err
	}
	log.token = log.planToken()
	return log, nil
}

// planToken returns the token the checkpoint's exactly-once names carry,
// as its plans list them (every object a checkpoint names carries the same
// one), or "" when no plan names an object in the tokened form.
func (c *checkpointLog) planToken() string {
	for _, id := range c.batches() {
		p := c.plans[id]
		for _, list := range [][]string{p.Objects, p.DeadLetterObjects, p.WindowsObjects} {
			for _, uri := range list {
				if m := partName.FindStringSubmatch(path.Base(uri)); m != nil && m[3] != "" {
					return m[3]
				}
			}
		}
	}
	return ""
}
