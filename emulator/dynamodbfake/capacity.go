package dynamodbfake

import (
	"time"

	"github.com/streamcheck/streamcheck/emulator/dynamodbfake/internal/expr"
)

// Capacity units, as AWS counts them: a read unit is up to 4 KB read
// strongly consistently (half a unit eventually consistently), a write unit
// is up to 1 KB written, and transactions cost twice. Query and Scan round
// the total size of the items they read, not each item.
const (
	readUnitBytes  = 4096
	writeUnitBytes = 1024
)

func readUnits(bytes int, consistent bool) float64 {
	u := float64((bytes + readUnitBytes - 1) / readUnitBytes)
	if u < 1 {
		u = 1
	}
	if !consistent {
		u /= 2
	}
	return u
}

func writeUnits(bytes int) float64 {
	u := float64((bytes + writeUnitBytes - 1) / writeUnitBytes)
	if u < 1 {
		u = 1
	}
	return u
}

// usage is the capacity one request consumed on one table.
type usage struct {
	table       *table
	read, write float64
	ix          map[*index][2]float64 // read, write
}

func (u *usage) addIndex(ix *index, read, write float64) {
	if u.ix == nil {
		u.ix = make(map[*index][2]float64, 2)
	}
	v := u.ix[ix]
	v[0] += read
	v[1] += write
	u.ix[ix] = v
}

// indexWrites adds the index writes of replacing old with new (either may be
// nil) in t. The caller holds t.mu.
func (u *usage) indexWrites(t *table, old, new expr.Item) {
	for _, ix := range t.indexes() {
		was := old != nil && indexable(ix, old)
		is := new != nil && indexable(ix, new)
		var w float64
		switch {
		case was && is && sameKey(ix.key, old, new):
			w = writeUnits(max(ix.project(old, t.key).Size(), ix.project(new, t.key).Size()))
		default:
			if was {
				w += writeUnits(ix.project(old, t.key).Size())
			}
			if is {
				w += writeUnits(ix.project(new, t.key).Size())
			}
		}
		if w > 0 {
			u.addIndex(ix, 0, w)
		}
	}
}

func (u *usage) scale(f float64) {
	u.read *= f
	u.write *= f
	for ix, v := range u.ix {
		u.ix[ix] = [2]float64{v[0] * f, v[1] * f}
	}
}

// consumedCapacity is one entry of an answer's ConsumedCapacity.
type consumedCapacity struct {
	TableName              string                   `json:"TableName"`
	CapacityUnits          float64                  `json:"CapacityUnits"`
	ReadCapacityUnits      float64                  `json:"ReadCapacityUnits,omitempty"`
	WriteCapacityUnits     float64                  `json:"WriteCapacityUnits,omitempty"`
	Table                  *capacityUnits           `json:"Table,omitempty"`
	LocalSecondaryIndexes  map[string]capacityUnits `json:"LocalSecondaryIndexes,omitempty"`
	GlobalSecondaryIndexes map[string]capacityUnits `json:"GlobalSecondaryIndexes,omitempty"`
}

type capacityUnits struct {
	CapacityUnits      float64 `json:"CapacityUnits"`
	ReadCapacityUnits  float64 `json:"ReadCapacityUnits,omitempty"`
	WriteCapacityUnits float64 `json:"WriteCapacityUnits,omitempty"`
}

// report renders u for ReturnConsumedCapacity mode, or nil for NONE.
func (u *usage) report(mode string) *consumedCapacity {
	if mode != "TOTAL" && mode != "INDEXES" {
		return nil
	}
	c := &consumedCapacity{TableName: u.table.name, ReadCapacityUnits: u.read, WriteCapacityUnits: u.write}
	total := u.read + u.write
	for _, v := range u.ix {
		total += v[0] + v[1]
		c.ReadCapacityUnits += v[0]
		c.WriteCapacityUnits += v[1]
	}
	c.CapacityUnits = total
	if mode == "INDEXES" {
		c.Table = &capacityUnits{CapacityUnits: u.read + u.write, ReadCapacityUnits: u.read, WriteCapacityUnits: u.write}
		for ix, v := range u.ix {
			cu := capacityUnits{CapacityUnits: v[0] + v[1], ReadCapacityUnits: v[0], WriteCapacityUnits: v[1]}
			if ix.global {
				if c.GlobalSecondaryIndexes == nil {
					c.GlobalSecondaryIndexes = make(map[string]capacityUnits)
				}
				c.GlobalSecondaryIndexes[ix.name] = cu
			} else {
				if c.LocalSecondaryIndexes == nil {
					c.LocalSecondaryIndexes = make(map[string]capacityUnits)
				}
				c.LocalSecondaryIndexes[ix.name] = cu
			}
		}
	}
	return c
}

// checkCapacityMode validates ReturnConsumedCapacity.
func checkCapacityMode(m string) *apiError {
	switch m {
	case "", "NONE", "TOTAL", "INDEXES":
		return nil
	}
	return errValidation("returnConsumedCapacity", "Member must satisfy enum value set: [INDEXES, TOTAL, NONE]", m)
}

// window counts the capacity a table or global index used in the current
// second of the server's clock, for WithThroughputEnforcement.
type window struct {
	sec         int64
	read, write float64
}

func (w *window) at(now time.Time) *window {
	if s := now.Unix(); s != w.sec {
		*w = window{sec: s}
	}
	return w
}

// throttled reports whether t (or, for a read, the index it reads) has used
// up its provisioned capacity this second. The caller holds t.mu (read or
// write); the windows are guarded by t.tpMu.
func (s *Server) throttled(t *table, now time.Time, ix *index, read bool) bool {
	if !s.cfg.enforce || t.billing != "PROVISIONED" {
		return false
	}
	t.tpMu.Lock()
	defer t.tpMu.Unlock()
	if ix != nil && ix.global {
		w := ix.throughput.at(now)
		if read {
			return w.read >= float64(ix.rcu)
		}
		return w.write >= float64(ix.wcu)
	}
	w := t.throughput.at(now)
	if read {
		return w.read >= float64(t.rcu)
	}
	if w.write >= float64(t.wcu) {
		return true
	}
	for _, g := range t.gsis {
		if g.throughput.at(now).write >= float64(g.wcu) {
			return true
		}
	}
	return false
}

// charge counts u against the windows of its table and indexes. The caller
// holds the table's lock, for reading or writing; the windows have their own.
func (s *Server) charge(u *usage, now time.Time) {
	if !s.cfg.enforce {
		return
	}
	u.table.tpMu.Lock()
	defer u.table.tpMu.Unlock()
	w := u.table.throughput.at(now)
	w.read += u.read
	w.write += u.write
	for ix, v := range u.ix {
		if ix.global {
			iw := ix.throughput.at(now)
			iw.read += v[0]
			iw.write += v[1]
		}
	}
}
