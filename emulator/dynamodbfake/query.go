package dynamodbfake

// Query.
//
// Matches AWS: KeyConditionExpression (or legacy KeyConditions) with
// equality on the partition key and =, <, <=, >, >=, BETWEEN or
// begins_with on the sort key; on the table or on a local or global
// secondary index (IndexName), where only items that carry the index's key
// attributes appear (sparse indexes) with the index's projection;
// ScanIndexForward; Select (ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES,
// SPECIFIC_ATTRIBUTES, COUNT) and its rules; FilterExpression (or legacy
// QueryFilter) applied after Limit; Limit, ExclusiveStartKey and
// LastEvaluatedKey, with pages cut at 1 MB of items read; Count and
// ScannedCount; read units over the total size read, halved unless
// ConsistentRead (refused on a global index).
// Differs: a local secondary index query for attributes outside the
// projection returns them without charging the extra table reads AWS
// charges.

import (
	"sort"

	"github.com/streamcheck/streamcheck/emulator/dynamodbfake/internal/expr"
)

type queryInput struct {
	readParams
	KeyConditionExpression *string                         `json:"KeyConditionExpression"`
	KeyConditions          map[string]expr.LegacyCondition `json:"KeyConditions"`
	QueryFilter            map[string]expr.LegacyCondition `json:"QueryFilter"`
	ScanIndexForward       *bool                           `json:"ScanIndexForward"`
}

func (in *queryInput) target() string { return in.TableName }

func query(s *Server, c *call, in *queryInput) (any, error) {
	if in.KeyConditionExpression == nil && in.KeyConditions == nil {
		return nil, errInvalid("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")
	}
	r, env, aerr := in.compile(s, c, "QueryFilter", in.QueryFilter,
		present("KeyConditionExpression", in.KeyConditionExpression), present("KeyConditions", in.KeyConditions != nil))
	if aerr != nil {
		return nil, aerr
	}
	hashName, rangeName := r.space.key.hash.name, r.space.key.rng.name
	var kc *expr.KeyCondition
	var err error
	if in.KeyConditionExpression != nil {
		if *in.KeyConditionExpression == "" {
			return nil, errInvalid("Invalid KeyConditionExpression: The expression can not be empty;")
		}
		kc, err = expr.ParseKeyCondition(*in.KeyConditionExpression, env, hashName, rangeName)
	} else {
		kc, err = expr.LegacyKeyConditions(in.KeyConditions, hashName, rangeName)
	}
	if err != nil {
		return nil, errExpr(err)
	}
	if err := env.CheckUnused(); err != nil {
		return nil, errExpr(err)
	}
	if kc.HashValue.Type != r.space.key.hash.typ {
		return nil, errInvalid("One or more parameter values were invalid: Condition parameter type does not match schema type")
	}
	if kc.Sort != nil {
		for _, v := range kc.Sort.Values {
			if v.Type != r.space.key.rng.typ {
				return nil, errInvalid("One or more parameter values were invalid: Condition parameter type does not match schema type")
			}
		}
	}
	forward := in.ScanIndexForward == nil || *in.ScanIndexForward
	t := r.t
	t.mu.RLock()
	defer t.mu.RUnlock()
	if s.throttled(t, c.now, r.ix, true) {
		return nil, errThroughput()
	}
	enc := encodeKeyValue(kc.HashValue)
	if r.esk != nil && r.eskPart != enc {
		return nil, errInvalid("The provided starting key is invalid: The provided key element does not match the schema")
	}
	if p := r.space.parts[enc]; p != nil {
		lo, hi := sortRange(p, rangeName, kc.Sort)
		if r.esk != nil {
			if forward {
				lo = max(lo, r.after(p))
			} else {
				hi = min(hi, r.before(p))
			}
		}
		for i := range hi - lo {
			j := lo + i
			if !forward {
				j = hi - 1 - i
			}
			full, err := r.visit(p.ents[j])
			if err != nil {
				return nil, err
			}
			if full {
				break
			}
		}
	}
	return r.finish(s, c, in.ReturnConsumedCapacity), nil
}

// sortRange returns the positions [lo, hi) of the entries of p whose sort
// key satisfies sc: entries are sorted by sort key, so they are contiguous.
func sortRange(p *partition, rangeName string, sc *expr.SortCondition) (int, int) {
	n := len(p.ents)
	if sc == nil || rangeName == "" {
		return 0, n
	}
	val := func(i int) expr.Value { return p.ents[i].item[rangeName] }
	var lo int
	switch sc.Op {
	case "<", "<=":
		lo = 0
	case ">", ">=":
		lo = sort.Search(n, func(i int) bool { return sc.Match(val(i)) })
		return lo, n
	default: // =, BETWEEN, begins_with: from the first value not below the (lower) operand
		lo = sort.Search(n, func(i int) bool { return expr.CompareKey(val(i), sc.Values[0]) >= 0 })
	}
	hi := lo + sort.Search(n-lo, func(i int) bool { return !sc.Match(val(lo + i)) })
	return lo, hi
}
