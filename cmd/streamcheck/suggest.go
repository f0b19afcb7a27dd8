package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/streamcheck/streamcheck/internal/editdist"
)

// closest returns the candidate nearest to s by edit distance (ties go to
// the first in sorted order, so the answer is the same every run), or "" when
// none is near enough to be what was meant.
func closest(s string, candidates []string) string {
	sorted := slices.Clone(candidates)
	slices.Sort(sorted)
	best, bestD := "", -1
	ls := strings.ToLower(s)
	for _, c := range sorted {
		lc := strings.ToLower(c)
		d := editdist.Levenshtein(ls, lc)
		if strings.HasPrefix(lc, ls) && len(ls) >= 3 {
			d = min(d, 1)
		}
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" || bestD > max(2, len(s)/3) {
		return ""
	}
	return best
}

// didYouMean is " (did you mean X?)" for the candidate nearest to s, or "".
func didYouMean(s string, candidates []string) string {
	if c := closest(s, candidates); c != "" && c != s {
		return fmt.Sprintf(" (did you mean %q?)", c)
	}
	return ""
}
