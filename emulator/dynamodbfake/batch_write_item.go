package dynamodbfake

// BatchWriteItem.
//
// Matches AWS: up to 25 PutRequest or DeleteRequest entries over any
// tables ("Too many items requested for the BatchWriteItem call"), each
// entry exactly one request, no two on the same item ("Provided list of
// item keys contains duplicates"); every entry is validated before any is
// written, so a bad entry fails the whole call; each table's writes are
// applied together; under WithThroughputEnforcement the entries of a table
// out of capacity come back in UnprocessedItems, and
// ProvisionedThroughputExceeded when none could be written;
// ConsumedCapacity per table; ItemCollectionMetrics for tables with local
// secondary indexes.

import (
	"github.com/streamcheck/streamcheck/emulator/dynamodbfake/internal/expr"
)

type writeRequest struct {
	PutRequest *struct {
		Item expr.Item `json:"Item"`
	} `json:"PutRequest,omitempty"`
	DeleteRequest *struct {
		Key expr.Item `json:"Key"`
	} `json:"DeleteRequest,omitempty"`
}

type writeRequestJSON struct {
	PutRequest    *putRequestJSON    `json:"PutRequest,omitempty"`
	DeleteRequest *deleteRequestJSON `json:"DeleteRequest,omitempty"`
}

type putRequestJSON struct {
	Item jsonItem `json:"Item"`
}

type deleteRequestJSON struct {
	Key jsonItem `json:"Key"`
}

type batchWriteItemInput struct {
	RequestItems                map[string][]writeRequest `json:"RequestItems"`
	ReturnConsumedCapacity      string                    `json:"ReturnConsumedCapacity"`
	ReturnItemCollectionMetrics string                    `json:"ReturnItemCollectionMetrics"`
}

func (in *batchWriteItemInput) target() string {
	for n := range in.RequestItems {
		return n
	}
	return ""
}

type batchWriteItemOutput struct {
	UnprocessedItems      map[string][]writeRequestJSON       `json:"UnprocessedItems"`
	ConsumedCapacity      []*consumedCapacity                 `json:"ConsumedCapacity,omitempty"`
	ItemCollectionMetrics map[string][]*itemCollectionMetrics `json:"ItemCollectionMetrics,omitempty"`
}

type batchWrite struct {
	pk   string
	item expr.Item // the item to put, or nil to delete
	key  expr.Item
}

func batchWriteItem(s *Server, c *call, in *batchWriteItemInput) (any, error) {
	if err := checkCapacityMode(in.ReturnConsumedCapacity); err != nil {
		return nil, err
	}
	if err := checkMetricsMode(in.ReturnItemCollectionMetrics); err != nil {
		return nil, err
	}
	if len(in.RequestItems) == 0 {
		return nil, errValidation("requestItems", "Member must have length greater than or equal to 1", "{}")
	}
	total := 0
	for _, reqs := range in.RequestItems {
		if len(reqs) == 0 {
			return nil, errValidation("requestItems", "Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]", "[]")
		}
		total += len(reqs)
	}
	if total > 25 {
		return nil, errInvalid("Too many items requested for the BatchWriteItem call")
	}
	names := sortedKeys(in.RequestItems)
	tables := make([]*table, len(names))
	writes := make([][]batchWrite, len(names))
	for i, name := range names {
		t, aerr := s.lookupData("requestItems", name, c.now)
		if aerr != nil {
			return nil, aerr
		}
		if err := s.sweepIfDue(t, c.now); err != nil {
			return nil, err
		}
		tables[i] = t
		seen := map[string]bool{}
		t.mu.RLock()
		for _, r := range in.RequestItems[name] {
			var w batchWrite
			var aerr *apiError
			switch {
			case (r.PutRequest == nil) == (r.DeleteRequest == nil):
				aerr = errInvalid("A WriteRequest must have exactly one of PutRequest or DeleteRequest")
			case r.PutRequest != nil:
				if r.PutRequest.Item == nil {
					aerr = errMissing("requestItems." + name + ".member.putRequest.item")
					break
				}
				w.item = r.PutRequest.Item
				w.pk, aerr = t.checkItem(w.item)
				if aerr == nil {
					w.key = keyOf(t.key, w.item)
				}
			default:
				if r.DeleteRequest.Key == nil {
					aerr = errMissing("requestItems." + name + ".member.deleteRequest.key")
					break
				}
				w.key = r.DeleteRequest.Key
				w.pk, aerr = t.checkKey(w.key)
			}
			if aerr == nil && seen[w.pk] {
				aerr = errInvalid("Provided list of item keys contains duplicates")
			}
			if aerr != nil {
				t.mu.RUnlock()
				return nil, aerr
			}
			seen[w.pk] = true
			writes[i] = append(writes[i], w)
		}
		t.mu.RUnlock()
	}
	out := batchWriteItemOutput{UnprocessedItems: map[string][]writeRequestJSON{}}
	written, throttledN := 0, 0
	for i, t := range tables {
		t.mu.Lock()
		if s.throttled(t, c.now, nil, false) {
			for _, w := range writes[i] {
				out.UnprocessedItems[t.name] = append(out.UnprocessedItems[t.name], unprocessedWrite(w))
			}
			throttledN += len(writes[i])
			t.mu.Unlock()
			continue
		}
		u := &usage{table: t}
		var fr *itemsFrame
		if s.wal != nil {
			fr = newItemsFrame()
		}
		for _, w := range writes[i] {
			if w.item == nil {
				continue
			}
			if err := t.checkCollection(w.item, w.item.Size()-t.get(w.pk).Size()); err != nil {
				t.mu.Unlock()
				return nil, err
			}
		}
		var metrics []*itemCollectionMetrics
		for _, w := range writes[i] {
			old := t.get(w.pk)
			if w.item != nil {
				u.write += writeUnits(max(old.Size(), w.item.Size()))
				u.indexWrites(t, old, w.item)
				t.put(w.pk, w.item)
				if fr != nil {
					fr.put(t, w.item)
				}
			} else {
				u.write += writeUnits(old.Size())
				if old != nil {
					u.indexWrites(t, old, nil)
					t.remove(w.pk)
					if fr != nil {
						fr.del(t, w.key)
					}
				}
			}
			if m := collectionMetrics(t, in.ReturnItemCollectionMetrics, w.key); m != nil {
				metrics = append(metrics, m)
			}
			written++
		}
		l, err := s.logItems(fr)
		s.charge(u, c.now)
		t.mu.Unlock()
		if err := s.durable(l, err); err != nil {
			return nil, err
		}
		if cc := u.report(in.ReturnConsumedCapacity); cc != nil {
			out.ConsumedCapacity = append(out.ConsumedCapacity, cc)
		}
		if metrics != nil {
			if out.ItemCollectionMetrics == nil {
				out.ItemCollectionMetrics = map[string][]*itemCollectionMetrics{}
			}
			out.ItemCollectionMetrics[t.name] = metrics
		}
	}
	if written == 0 && throttledN > 0 {
		return nil, errThroughput()
	}
	return out, nil
}

func unprocessedWrite(w batchWrite) writeRequestJSON {
	if w.item != nil {
		return writeRequestJSON{PutRequest: &putRequestJSON{Item: jsonItem(w.item)}}
	}
	return writeRequestJSON{DeleteRequest: &deleteRequestJSON{Key: jsonItem(w.key)}}
}
