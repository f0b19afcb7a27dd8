package dynamodbfake

// BatchGetItem.
//
// Matches AWS: up to 100 keys over any tables ("Too many items requested
// for the BatchGetItem call"), no duplicate keys ("Provided list of item
// keys contains duplicates"), per-table ProjectionExpression (or
// AttributesToGet), ExpressionAttributeNames and ConsistentRead; answers
// stop at 16 MB and the remaining keys come back in UnprocessedKeys with
// their table's parameters; under WithThroughputEnforcement the keys of a
// table out of capacity are unprocessed, and ProvisionedThroughputExceeded
// when no key could be read; ConsumedCapacity per table.
// Differs: items come back in request order (AWS promises none).

import (
	"sort"

	"github.com/streamcheck/streamcheck/emulator/dynamodbfake/internal/expr"
)

type keysAndAttributes struct {
	Keys                     []expr.Item       `json:"Keys"`
	ProjectionExpression     *string           `json:"ProjectionExpression,omitempty"`
	AttributesToGet          []string          `json:"AttributesToGet,omitempty"`
	ExpressionAttributeNames map[string]string `json:"ExpressionAttributeNames,omitempty"`
	ConsistentRead           bool              `json:"ConsistentRead,omitempty"`
}

// unprocessedKeys renders UnprocessedKeys' entries.
type unprocessedKeys struct {
	Keys                     []jsonItem        `json:"Keys"`
	ProjectionExpression     *string           `json:"ProjectionExpression,omitempty"`
	AttributesToGet          []string          `json:"AttributesToGet,omitempty"`
	ExpressionAttributeNames map[string]string `json:"ExpressionAttributeNames,omitempty"`
	ConsistentRead           bool              `json:"ConsistentRead,omitempty"`
}

type batchGetItemInput struct {
	RequestItems           map[string]*keysAndAttributes `json:"RequestItems"`
	ReturnConsumedCapacity string                        `json:"ReturnConsumedCapacity"`
}

func (in *batchGetItemInput) target() string {
	for n := range in.RequestItems {
		return n
	}
	return ""
}

type batchGetItemOutput struct {
	Responses        map[string][]jsonItem      `json:"Responses"`
	UnprocessedKeys  map[string]unprocessedKeys `json:"UnprocessedKeys"`
	ConsumedCapacity []*consumedCapacity        `json:"ConsumedCapacity,omitempty"`
}

type batchGetTable struct {
	name string
	t    *table
	ka   *keysAndAttributes
	proj *expr.Projection
	pks  []string
}

func batchGetItem(s *Server, c *call, in *batchGetItemInput) (any, error) {
	if err := checkCapacityMode(in.ReturnConsumedCapacity); err != nil {
		return nil, err
	}
	if len(in.RequestItems) == 0 {
		return nil, errValidation("requestItems", "Member must have length greater than or equal to 1", "{}")
	}
	total := 0
	for _, ka := range in.RequestItems {
		if ka == nil || len(ka.Keys) == 0 {
			return nil, errValidation("requestItems", "Map value must satisfy constraint: [Member must have length greater than or equal to 1]", "[]")
		}
		total += len(ka.Keys)
	}
	if total > 100 {
		return nil, errInvalid("Too many items requested for the BatchGetItem call")
	}
	var reqs []*batchGetTable
	for _, name := range sortedKeys(in.RequestItems) {
		ka := in.RequestItems[name]
		bt := &batchGetTable{name: name, ka: ka}
		if err := mixed(present("AttributesToGet", ka.AttributesToGet != nil), present("ProjectionExpression", ka.ProjectionExpression)); err != nil {
			return nil, err
		}
		p := exprParams{ExpressionAttributeNames: ka.ExpressionAttributeNames}
		env, aerr := p.env(present("ProjectionExpression", ka.ProjectionExpression)...)
		if aerr != nil {
			return nil, aerr
		}
		pp := projectionParams{ProjectionExpression: ka.ProjectionExpression, AttributesToGet: ka.AttributesToGet}
		if bt.proj, aerr = pp.projection(env); aerr != nil {
			return nil, aerr
		}
		if err := env.CheckUnused(); err != nil {
			return nil, errExpr(err)
		}
		if bt.t, aerr = s.lookupData("requestItems", name, c.now); aerr != nil {
			return nil, aerr
		}
		if err := s.sweepIfDue(bt.t, c.now); err != nil {
			return nil, err
		}
		seen := make(map[string]bool, len(ka.Keys))
		bt.t.mu.RLock()
		for _, k := range ka.Keys {
			pk, aerr := bt.t.checkKey(k)
			if aerr != nil {
				bt.t.mu.RUnlock()
				return nil, aerr
			}
			if seen[pk] {
				bt.t.mu.RUnlock()
				return nil, errInvalid("Provided list of item keys contains duplicates")
			}
			seen[pk] = true
			bt.pks = append(bt.pks, pk)
		}
		bt.t.mu.RUnlock()
		reqs = append(reqs, bt)
	}
	out := batchGetItemOutput{Responses: map[string][]jsonItem{}, UnprocessedKeys: map[string]unprocessedKeys{}}
	bytes, read, throttledKeys := 0, 0, 0
	for _, bt := range reqs {
		t := bt.t
		t.mu.RLock()
		u := &usage{table: t}
		items := []jsonItem{}
		var rest []jsonItem
		throttled := s.throttled(t, c.now, nil, true)
		for i, pk := range bt.pks {
			if throttled || bytes >= maxBatchGetBytes {
				rest = append(rest, jsonItem(bt.ka.Keys[i]))
				if throttled {
					throttledKeys++
				}
				continue
			}
			it := t.get(pk)
			u.read += readUnits(it.Size(), bt.ka.ConsistentRead)
			read++
			if it != nil {
				bytes += it.Size()
				items = append(items, jsonItem(project(bt.proj, it)))
			}
		}
		s.charge(u, c.now)
		t.mu.RUnlock()
		out.Responses[bt.name] = items
		if rest != nil {
			out.UnprocessedKeys[bt.name] = unprocessedKeys{Keys: rest, ProjectionExpression: bt.ka.ProjectionExpression,
				AttributesToGet: bt.ka.AttributesToGet, ExpressionAttributeNames: bt.ka.ExpressionAttributeNames, ConsistentRead: bt.ka.ConsistentRead}
		}
		if cc := u.report(in.ReturnConsumedCapacity); cc != nil {
			out.ConsumedCapacity = append(out.ConsumedCapacity, cc)
		}
	}
	if read == 0 && throttledKeys > 0 {
		return nil, errThroughput()
	}
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
