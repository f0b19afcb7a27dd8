package dynamodbfake

// Time to live: the sweep that deletes expired items.
//
// An item expires when its TTL attribute is a number (epoch seconds) below
// the server clock's now. AWS deletes expired items in the background,
// typically within days, and until then reads still return them; here
// SweepExpired deletes them at once, and every table is swept lazily, at
// most once per second of the clock, when an operation on it reads or
// writes items (so a test that advances a fake clock sees expired items
// go without calling SweepExpired). A string, a set or a missing attribute
// never expires, and the deletion of an expired item is logged like any
// other, so it survives a restart.

import (
	"math/big"
	"time"

	"github.com/streamcheck/streamcheck/emulator/dynamodbfake/internal/expr"
)

// SweepExpired deletes every item whose time-to-live attribute has passed
// on the server's clock, in every table with TTL enabled, and returns how
// many it deleted. A stack can call it on a schedule; reads and writes also
// sweep their table lazily.
func (s *Server) SweepExpired() (int, error) {
	now := s.cfg.Clock.Now()
	n := 0
	for _, t := range s.sortedTables() {
		t.mu.Lock()
		k, l, err := s.sweepLocked(t, now)
		t.mu.Unlock()
		n += k
		if err := s.durable(l, err); err != nil {
			return n, err
		}
	}
	return n, nil
}

// sweepIfDue sweeps t when TTL is on and the clock has moved to a new second
// since its last sweep. It takes t.mu itself.
func (s *Server) sweepIfDue(t *table, now time.Time) error {
	t.mu.RLock()
	due := t.ttlEnabled && now.Unix() != t.lastTTLScan.Unix()
	t.mu.RUnlock()
	if !due {
		return nil
	}
	t.mu.Lock()
	_, l, err := s.sweepLocked(t, now)
	t.mu.Unlock()
	return s.durable(l, err)
}

// sweepLocked deletes t's expired items. The caller holds t.mu for writing.
func (s *Server) sweepLocked(t *table, now time.Time) (int, logged, error) {
	if !t.ttlEnabled {
		return 0, logged{}, nil
	}
	t.lastTTLScan = now
	var dead []string
	for pk, e := range t.items {
		if expired(e.item, t.ttlAttr, now) {
			dead = append(dead, pk)
		}
	}
	if len(dead) == 0 {
		return 0, logged{}, nil
	}
	fr := newItemsFrame()
	for _, pk := range dead {
		if old := t.remove(pk); old != nil {
			fr.del(t, keyOf(t.key, old))
		}
	}
	l, err := s.logItems(fr)
	return len(dead), l, err
}

// expired reports whether it's TTL attribute holds an epoch-seconds number
// before now.
func expired(it expr.Item, attr string, now time.Time) bool {
	v, ok := it[attr]
	if !ok || v.Type != expr.TypeN {
		return false
	}
	f, _, err := big.ParseFloat(v.N, 10, 64, big.ToNearestEven)
	if err != nil {
		return false
	}
	sec, _ := f.Float64()
	return sec < float64(now.UnixNano())/1e9
}
