package assertions

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// compaction is what the checks need of a checkpoint's compactions/<K>
// (written by streamcheck compact): the objects it replaces and writes,
// and whether its <K>.done exists.
type compaction struct {
	ID        int64  `json:"id"`
	Partition string `json:"partition"`
	Inputs    []struct {
		Key   string `json:"key"`
		URL   string `json:"url"`
		Batch int64  `json:"batch"`
	} `json:"inputs"`
	Outputs []struct {
		Key string `json:"key"`
		URL string `json:"url"`
	} `json:"outputs"`
	done bool
}

// readCompactions reads dir/compactions/<K> and notes which have
// <K>.done. Other names (.aborted, .clean, LOCK, temporary files) are
// ignored.
func readCompactions(dir string) (map[int64]*compaction, error) {
	out := map[int64]*compaction{}
	entries, err := os.ReadDir(filepath.Join(dir, "compactions"))
	if errors.Is(err, os.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read checkpoint compactions: %w", err)
	}
	done := map[int64]bool{}
	for _, e := range entries {
		name := e.Name()
		if num, ok := strings.CutSuffix(name, ".done"); ok {
			if k, err := strconv.ParseInt(num, 10, 64); err == nil {
				done[k] = true
			}
			continue
		}
		k, err := strconv.ParseInt(name, 10, 64)
		if err != nil || e.IsDir() || k < 0 {
			continue
		}
		p := filepath.Join(dir, "compactions", name)
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("read checkpoint compactions/%d: %w", k, err)
		}
		var c compaction
		if err := json.Unmarshal(b, &c); err != nil {
			return nil, fmt.Errorf("read checkpoint %s: %w", p, err)
		}
		if c.ID != k {
			return nil, fmt.Errorf("read checkpoint %s: id %d, want %d as in its name", p, c.ID, k)
		}
		out[k] = &c
	}
	for k := range done {
		if c := out[k]; c != nil {
			c.done = true
		}
	}
	return out, nil
}

// compactionStats counts what applyCompactions found.
type compactionStats struct {
	compacted  int64 // outputs of finished compactions, part of the table
	pending    int64 // inputs of finished compactions still present
	inProgress int64 // outputs of unfinished compactions, not yet part of the table
}

// applyCompactions makes the output listing honour compaction manifests:
// after <K>.done the outputs replace the inputs (inputs still present are
// pending deletion and left out; absent inputs are not missing); before
// it, outputs present are in progress and left out. An output of a
// finished compaction takes the newest batch of its inputs (so lag is
// never understated) and counts as named by the checkpoint; a finished
// compaction's absent output is a missing object.
func (s *Session) applyCompactions(loc location, files []outFile) []outFile {
	if s.ckpt == nil || len(s.ckpt.compactions) == 0 {
		return files
	}
	byRel := make(map[string]int, len(files))
	byBase := make(map[string][]int, len(files))
	for i, f := range files {
		byRel[f.rel] = i
		byBase[filepath.Base(f.rel)] = append(byBase[filepath.Base(f.rel)], i)
	}
	find := func(key, uri string) (int, bool) {
		if i, ok := byRel[key]; ok {
			return i, true
		}
		return matchObject(loc, uri, byRel, byBase, files)
	}
	ids := make([]int64, 0, len(s.ckpt.compactions))
	for k := range s.ckpt.compactions {
		ids = append(ids, k)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	drop := map[int]bool{}
	replaced := map[string]bool{} // keys and URIs of inputs of finished compactions
	batchOf := map[string]int64{} // outputs of finished compactions: newest input batch
	for _, k := range ids {
		c := s.ckpt.compactions[k]
		if !c.done {
			for _, o := range c.Outputs {
				if i, ok := find(o.Key, o.URL); ok {
					drop[i] = true
					s.compactions.inProgress++
				}
			}
			continue
		}
		newest := int64(-1)
		for _, in := range c.Inputs {
			replaced[in.Key], replaced[in.URL] = true, true
			b := in.Batch
			if b < 0 {
				b = batchOf[in.Key]
			}
			newest = max(newest, b)
			if i, ok := find(in.Key, in.URL); ok && !drop[i] {
				drop[i] = true
				s.compactions.pending++
			}
		}
		for _, o := range c.Outputs {
			batchOf[o.Key] = newest
			i, ok := find(o.Key, o.URL)
			if !ok {
				s.missing = append(s.missing, missingObject{newest, o.URL})
				continue
			}
			files[i].compaction, files[i].batch = k, newest
			s.compactions.compacted++
		}
	}
	missing := s.missing[:0]
	for _, m := range s.missing {
		if rel, ok := loc.rel(m.uri); !replaced[m.uri] && (!ok || !replaced[rel]) {
			missing = append(missing, m)
		}
	}
	s.missing = missing
	kept := files[:0]
	for i, f := range files {
		if !drop[i] {
			f.id = int64(len(kept))
			kept = append(kept, f)
		}
	}
	return kept
}
