package engine

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrCrashed is returned by Run when the engine stopped at its crash point.
// Nothing was cleaned up: the lease is not released and the batch is left as
// a kill would leave it.
var ErrCrashed = errors.New("engine: stopped dead at the crash point")

// CrashAt names a point in a batch where the engine can be told to stop.
type CrashAt int

// The crash points, in the order a batch reaches them.
const (
	AtAfterPlan   CrashAt = iota + 1 // offsets/N written, no output yet
	AtInSink                         // after Objects objects of the batch's output
	AtAfterSink                      // all output written, commits/N not yet
	AtAfterCommit                    // commits/N written
)

var crashNames = map[CrashAt]string{AtAfterPlan: "after-plan", AtInSink: "in-sink", AtAfterSink: "after-sink", AtAfterCommit: "after-commit"}

// CrashPoint says where to stop: at point At of batch Batch (-1: the first
// batch the engine runs, a replay included); for AtInSink, after Objects
// objects (output first, then windows and dead letters, then the items of
// a DynamoDB windows table, each counting as one; if the batch has fewer,
// after the last).
type CrashPoint struct {
	At      CrashAt
	Batch   int64
	Objects int
}

// CrashAfterPlan stops after batch's plan is written.
func CrashAfterPlan(batch int64) CrashPoint { return CrashPoint{At: AtAfterPlan, Batch: batch} }

// CrashInSinkAfter stops after k objects of batch's output are written.
func CrashInSinkAfter(batch int64, k int) CrashPoint {
	return CrashPoint{At: AtInSink, Batch: batch, Objects: k}
}

// CrashAfterSink stops after batch's output, before its commit.
func CrashAfterSink(batch int64) CrashPoint { return CrashPoint{At: AtAfterSink, Batch: batch} }

// CrashAfterCommit stops after batch's commit.
func CrashAfterCommit(batch int64) CrashPoint { return CrashPoint{At: AtAfterCommit, Batch: batch} }

// Validate reports a crash point no batch can reach: an unknown point, a
// batch below -1 or a negative object count.
func (cp CrashPoint) Validate() error {
	if _, ok := crashNames[cp.At]; !ok {
		return fmt.Errorf("engine: crash point: unknown point %d", cp.At)
	}
	if cp.Batch < -1 {
		return fmt.Errorf("engine: crash point %s: batch %d: want -1 (the first batch run) or a batch number", cp, cp.Batch)
	}
	if cp.Objects < 0 {
		return fmt.Errorf("engine: crash point %s: %d objects: want zero or more", cp, cp.Objects)
	}
	return nil
}

// String formats cp as ParseCrashPoint reads it.
func (cp CrashPoint) String() string {
	s := crashNames[cp.At]
	if cp.At == AtInSink {
		s += ":" + strconv.Itoa(cp.Objects)
	}
	return s
}

// ParseCrashPoint reads "after-plan", "in-sink:K", "after-sink" or
// "after-commit" for batch.
func ParseCrashPoint(s string, batch int64) (CrashPoint, error) {
	name, arg, hasArg := strings.Cut(s, ":")
	for at, n := range crashNames {
		if n != name {
			continue
		}
		cp := CrashPoint{At: at, Batch: batch}
		if at == AtInSink {
			k, err := strconv.Atoi(arg)
			if !hasArg || err != nil || k < 0 {
				return CrashPoint{}, fmt.Errorf("crash point %q: want in-sink:K with K a number of objects", s)
			}
			cp.Objects = k
		} else if hasArg {
			return CrashPoint{}, fmt.Errorf("crash point %q: %s takes no argument", s, name)
		}
		return cp, nil
	}
	return CrashPoint{}, fmt.Errorf("crash point %q: want after-plan, in-sink:K, after-sink or after-commit", s)
}
