package compact

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Version is the version written in every compaction file.
const Version = 1

// Dir is the checkpoint directory that holds compaction manifests.
const Dir = "compactions"

// LockKey is the checkpoint key of the compactor's lock.
const LockKey = Dir + "/LOCK"

// Manifest is <checkpoint>/compactions/<K>: the plan of compaction K,
// written before any of its outputs.
type Manifest struct {
	Version   int       `json:"version"`
	ID        int64     `json:"id"`
	PlannedAt time.Time `json:"planned_at"`
	// Partition is the partition directory relative to the sink root
	// ("." for unpartitioned output).
	Partition string `json:"partition"`
	// Newest is the planned_at of the newest batch whose rows the
	// outputs hold.
	Newest  time.Time `json:"newest"`
	Inputs  []Input   `json:"inputs"`
	Outputs []Output  `json:"outputs"`
}

// Input is one object a compaction replaces.
type Input struct {
	Key   string `json:"key"` // relative to the sink root
	URL   string `json:"url"` // as the checkpoint's offsets name objects
	ETag  string `json:"etag"`
	Size  int64  `json:"size"`
	Rows  int64  `json:"rows"`
	Batch int64  `json:"batch"` // the committed batch that wrote it; -1 for an earlier compaction's output
	// Output is the index in Outputs of the object its rows go to.
	Output int `json:"output"`
}

// Output is one object a compaction writes.
type Output struct {
	Key  string `json:"key"`
	URL  string `json:"url"`
	Rows int64  `json:"rows"`
}

// Done is <checkpoint>/compactions/<K>.done, written once every output of
// K is in place: from then on the outputs replace the inputs.
type Done struct {
	Version int       `json:"version"`
	ID      int64     `json:"id"`
	DoneAt  time.Time `json:"done_at"`
	Outputs []Written `json:"outputs"`
}

// Written is an output as it was stored.
type Written struct {
	Key  string `json:"key"`
	ETag string `json:"etag"`
	Size int64  `json:"size"`
}

// Aborted is <checkpoint>/compactions/<K>.aborted, written once a
// compaction that never reached .done has been rolled back.
type Aborted struct {
	Version   int       `json:"version"`
	ID        int64     `json:"id"`
	AbortedAt time.Time `json:"aborted_at"`
}

// Clean is <checkpoint>/compactions/<K>.clean, written once the inputs of a
// finished compaction are deleted, so that later runs skip it.
type Clean struct {
	Version int       `json:"version"`
	ID      int64     `json:"id"`
	CleanAt time.Time `json:"clean_at"`
}

// OutputName is the name of output idx of compaction k under the
// checkpoint whose name token is token (sink.CheckpointToken):
// part-c<k, 8 digits>-<idx, 5 digits>-<token>.<ext>, so that compactions of
// a new checkpoint on the same output never overwrite an older one's; with
// token "" (a checkpoint without metadata) part-c<k>-<idx>.<ext>.
func OutputName(token string, k int64, idx int, ext string) string {
	if token == "" {
		return fmt.Sprintf("part-c%08d-%05d.%s", k, idx, ext)
	}
	return fmt.Sprintf("part-c%08d-%05d-%s.%s", k, idx, token, ext)
}

// manifestKey and friends are the checkpoint keys of compaction k.
func manifestKey(k int64) string { return Dir + "/" + strconv.FormatInt(k, 10) }
func doneKey(k int64) string     { return manifestKey(k) + ".done" }
func abortedKey(k int64) string  { return manifestKey(k) + ".aborted" }

// parseKey splits a checkpoint key under compactions/ into its id and
// suffix ("", ".done", ".aborted" or ".clean"); ok is false for other keys.
func parseKey(key string) (k int64, suffix string, ok bool) {
	name, found := strings.CutPrefix(key, Dir+"/")
	if !found {
		return 0, "", false
	}
	num := name
	for _, s := range []string{".done", ".aborted", ".clean"} {
		if n, cut := strings.CutSuffix(name, s); cut {
			num, suffix = n, s
			break
		}
	}
	k, err := strconv.ParseInt(num, 10, 64)
	if err != nil || k < 0 || strconv.FormatInt(k, 10) != num {
		return 0, "", false
	}
	return k, suffix, true
}
