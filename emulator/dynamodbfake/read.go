package dynamodbfake

import (
	"encoding/json"
	"sort"
	"strconv"

	"github.com/streamcheck/streamcheck/emulator/dynamodbfake/internal/expr"
)

// readParams are what Query and Scan share: the index, the attributes to
// return, the filter and the page.
type readParams struct {
	TableName              string    `json:"TableName"`
	IndexName              string    `json:"IndexName"`
	Select                 string    `json:"Select"`
	Limit                  *int      `json:"Limit"`
	ConsistentRead         bool      `json:"ConsistentRead"`
	ExclusiveStartKey      expr.Item `json:"ExclusiveStartKey"`
	FilterExpression       *string   `json:"FilterExpression"`
	ConditionalOperator    string    `json:"ConditionalOperator"`
	ReturnConsumedCapacity string    `json:"ReturnConsumedCapacity"`
	projectionParams
	exprParams
}

// reader is a compiled Query or Scan over one keyspace.
type reader struct {
	t       *table
	ix      *index // nil: the table itself
	space   *keyspace
	filter  *expr.Condition
	proj    *expr.Projection
	sel     string
	limit   int
	count   bool
	esk     expr.Item
	eskPK   string
	eskPart string
	out     readOutput
	bytes   int

	consistent bool
	last       *entry
}

// readOutput is Query's and Scan's answer, written by hand.
type readOutput struct {
	items   []expr.Item
	count   int
	scanned int
	lek     expr.Item
	cc      *consumedCapacity
	counted bool // Select COUNT: no Items member
}

func (o *readOutput) appendJSON(b []byte) []byte {
	b = append(b, '{')
	if !o.counted {
		b = append(b, `"Items":[`...)
		for i, it := range o.items {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendItem(b, it)
		}
		b = append(b, `],`...)
	}
	b = append(b, `"Count":`...)
	b = strconv.AppendInt(b, int64(o.count), 10)
	b = append(b, `,"ScannedCount":`...)
	b = strconv.AppendInt(b, int64(o.scanned), 10)
	if o.lek != nil {
		b = append(b, `,"LastEvaluatedKey":`...)
		b = appendItem(b, o.lek)
	}
	if o.cc != nil {
		enc, _ := json.Marshal(o.cc)
		b = append(b, `,"ConsumedCapacity":`...)
		b = append(b, enc...)
	}
	return append(b, '}')
}

// compile checks the shared parameters; filterParam names the legacy filter
// ("QueryFilter" or "ScanFilter"), legacyFilter is its value.
func (p *readParams) compile(s *Server, c *call, filterParam string, legacyFilter map[string]expr.LegacyCondition, extraExprs, extraLegacy []string) (*reader, *expr.Env, *apiError) {
	if err := checkCapacityMode(p.ReturnConsumedCapacity); err != nil {
		return nil, nil, err
	}
	if p.Limit != nil && *p.Limit < 1 {
		return nil, nil, errValidation("limit", "Member must have value greater than or equal to 1", *p.Limit)
	}
	exprs := append(present("FilterExpression", p.FilterExpression, "ProjectionExpression", p.ProjectionExpression), extraExprs...)
	legacy := append(present(filterParam, legacyFilter != nil, "AttributesToGet", p.AttributesToGet != nil, "ConditionalOperator", p.ConditionalOperator), extraLegacy...)
	if err := mixed(legacy, exprs); err != nil {
		return nil, nil, err
	}
	env, aerr := p.env(exprs...)
	if aerr != nil {
		return nil, nil, aerr
	}
	t, aerr := s.lookupData("tableName", p.TableName, c.now)
	if aerr != nil {
		return nil, nil, aerr
	}
	if err := s.sweepIfDue(t, c.now); err != nil {
		return nil, nil, errExpr(err)
	}
	r := &reader{t: t, space: t.space, limit: -1, consistent: p.ConsistentRead}
	if p.Limit != nil {
		r.limit = *p.Limit
	}
	t.mu.RLock()
	if p.IndexName != "" {
		r.ix = t.findIndex(p.IndexName)
		if r.ix == nil {
			t.mu.RUnlock()
			return nil, nil, errInvalidf("The table does not have the specified index: %s", p.IndexName)
		}
		r.space = r.ix.space
		if r.ix.global && c.now.Before(r.ix.activeAt) {
			t.mu.RUnlock()
			return nil, nil, errInvalidf("Cannot read from backfilling global secondary index: %s", p.IndexName)
		}
	}
	t.mu.RUnlock()
	if r.ix != nil && r.ix.global && p.ConsistentRead {
		return nil, nil, errInvalid("Consistent reads are not supported on global secondary indexes")
	}
	r.proj, aerr = p.projection(env)
	if aerr != nil {
		return nil, nil, aerr
	}
	sel := p.Select
	switch sel {
	case "":
		switch {
		case r.proj != nil:
			sel = "SPECIFIC_ATTRIBUTES"
		case r.ix != nil:
			sel = "ALL_PROJECTED_ATTRIBUTES"
		default:
			sel = "ALL_ATTRIBUTES"
		}
	case "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "COUNT":
		if r.proj != nil {
			what := "AttributesToGet"
			if p.ProjectionExpression != nil {
				what = "ProjectionExpression"
			}
			return nil, nil, errInvalidf("Cannot specify the %s when choosing to get %s", what, sel)
		}
	case "SPECIFIC_ATTRIBUTES":
		if r.proj == nil {
			return nil, nil, errInvalid("One or more parameter values were invalid: Select type SPECIFIC_ATTRIBUTES requires AttributesToGet or ProjectionExpression")
		}
	default:
		return nil, nil, errValidation("select", "Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]", sel)
	}
	if sel == "ALL_PROJECTED_ATTRIBUTES" && r.ix == nil {
		return nil, nil, errInvalid("One or more parameter values were invalid: Select type ALL_PROJECTED_ATTRIBUTES is supported only when Querying using an IndexName")
	}
	if sel == "ALL_ATTRIBUTES" && r.ix != nil && r.ix.global && r.ix.proj.typ != "ALL" {
		return nil, nil, errParam("Select type ALL_ATTRIBUTES is not supported for global secondary index %s because its projection type is not ALL", r.ix.name)
	}
	r.sel = sel
	r.count = sel == "COUNT"
	switch {
	case p.FilterExpression != nil:
		if *p.FilterExpression == "" {
			return nil, nil, errInvalid("Invalid FilterExpression: The expression can not be empty;")
		}
		f, err := expr.ParseCondition("FilterExpression", *p.FilterExpression, env)
		if err != nil {
			return nil, nil, errExpr(err)
		}
		r.filter = f
	case legacyFilter != nil:
		f, err := expr.LegacyExpected(filterParam, legacyFilter, p.ConditionalOperator)
		if err != nil {
			return nil, nil, errExpr(err)
		}
		r.filter = f
	case p.ConditionalOperator != "":
		return nil, nil, errInvalid("ConditionalOperator can only be used when Expected or QueryFilter or ScanFilter is present")
	}
	if p.ExclusiveStartKey != nil {
		if err := r.startKey(p.ExclusiveStartKey); err != nil {
			return nil, nil, err
		}
	}
	return r, env, nil
}

// startKey checks ExclusiveStartKey: the table's key attributes and, on an
// index, the index's, with their types.
func (r *reader) startKey(esk expr.Item) *apiError {
	bad := errInvalid("The provided starting key is invalid: The provided key element does not match the schema")
	want := map[string]expr.Type{r.t.key.hash.name: r.t.key.hash.typ}
	if r.t.key.rng.name != "" {
		want[r.t.key.rng.name] = r.t.key.rng.typ
	}
	if r.ix != nil {
		want[r.ix.key.hash.name] = r.ix.key.hash.typ
		if r.ix.key.rng.name != "" {
			want[r.ix.key.rng.name] = r.ix.key.rng.typ
		}
	}
	if len(esk) != len(want) {
		return bad
	}
	for n, ty := range want {
		if v, ok := esk[n]; !ok || v.Type != ty {
			return bad
		}
	}
	r.esk = esk
	r.eskPK = encodePK(r.t.key, esk)
	r.eskPart = encodeKeyValue(esk[r.space.key.hash.name])
	return nil
}

// visit reads one entry: it counts towards ScannedCount and the page size,
// and is returned when it passes the filter. It reports whether the page is
// full.
func (r *reader) visit(e *entry) (full bool, err *apiError) {
	it := e.item
	size := e.size
	if r.ix != nil && (r.ix.global || r.sel == "ALL_PROJECTED_ATTRIBUTES") {
		it = r.ix.project(it, r.t.key)
		size = it.Size()
	}
	if r.out.scanned > 0 && r.bytes+size > maxPageBytes {
		r.out.lek = r.lastKey(r.last)
		return true, nil
	}
	r.bytes += size
	r.out.scanned++
	r.last = e
	pass := true
	if r.filter != nil {
		ok, ferr := r.filter.Eval(it)
		if ferr != nil {
			return true, errExpr(ferr)
		}
		pass = ok
	}
	if pass {
		r.out.count++
		if !r.count {
			r.out.items = append(r.out.items, project(r.proj, it))
		}
	}
	if r.out.scanned == r.limit {
		r.out.lek = r.lastKey(e)
		return true, nil
	}
	return false, nil
}

// lastKey is LastEvaluatedKey for e.
func (r *reader) lastKey(e *entry) expr.Item {
	k := keyOf(r.t.key, e.item)
	if r.ix != nil {
		k[r.ix.key.hash.name] = e.item[r.ix.key.hash.name]
		if r.ix.key.rng.name != "" {
			k[r.ix.key.rng.name] = e.item[r.ix.key.rng.name]
		}
	}
	return k
}

// finish fills in the capacity the read consumed and charges it.
func (r *reader) finish(s *Server, c *call, mode string) *readOutput {
	u := &usage{table: r.t}
	units := readUnits(r.bytes, r.readConsistent())
	if r.ix != nil {
		u.addIndex(r.ix, units, 0)
	} else {
		u.read = units
	}
	s.charge(u, c.now)
	r.out.cc = u.report(mode)
	r.out.counted = r.count
	return &r.out
}

func (r *reader) readConsistent() bool { return r.consistent }

// after returns the position in p after the exclusive start key.
func (r *reader) after(p *partition) int {
	return sort.Search(len(p.ents), func(i int) bool {
		return compareEntry(r.space.key.rng.name, p.ents[i], r.esk[r.space.key.rng.name], r.eskPK) > 0
	})
}

// before returns the position in p of the exclusive start key (entries
// before it come next when reading backwards).
func (r *reader) before(p *partition) int {
	return sort.Search(len(p.ents), func(i int) bool {
		return compareEntry(r.space.key.rng.name, p.ents[i], r.esk[r.space.key.rng.name], r.eskPK) >= 0
	})
}
