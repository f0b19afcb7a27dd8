package dynamodbfake

import (
	"encoding/json"
	"errors"
	"sort"
	"strings"

	"github.com/streamcheck/streamcheck/emulator/dynamodbfake/internal/expr"
)

// exprParams are the placeholder maps every expression-taking request has.
type exprParams struct {
	ExpressionAttributeNames  map[string]string `json:"ExpressionAttributeNames"`
	ExpressionAttributeValues attributeValues   `json:"ExpressionAttributeValues"`
}

// attributeValues decodes ExpressionAttributeValues, naming the placeholder
// of a bad value as AWS does.
type attributeValues map[string]expr.Value

// UnmarshalJSON decodes the map, wrapping a value's error with its key.
func (av *attributeValues) UnmarshalJSON(b []byte) error {
	var it expr.Item
	err := it.UnmarshalJSON(b)
	if err == nil {
		*av = attributeValues(it)
		return nil
	}
	var ser *expr.SerializationError
	if errors.As(err, &ser) {
		return err
	}
	var raw map[string]json.RawMessage
	if json.Unmarshal(b, &raw) != nil {
		return err
	}
	for _, k := range sortedKeys(raw) {
		var v expr.Value
		if verr := v.UnmarshalJSON(raw[k]); verr != nil {
			if errors.As(verr, &ser) {
				return verr
			}
			return errInvalidf("ExpressionAttributeValues contains invalid value: %s for key %s", verr.Error(), k)
		}
	}
	return err
}

// env checks the placeholder maps against the expressions present (used
// lists the expression parameters given) and returns the request's Env.
func (p *exprParams) env(used ...string) (*expr.Env, *apiError) {
	if p.ExpressionAttributeNames != nil && len(p.ExpressionAttributeNames) == 0 {
		return nil, errInvalid("ExpressionAttributeNames must not be empty")
	}
	if p.ExpressionAttributeValues != nil && len(p.ExpressionAttributeValues) == 0 {
		return nil, errInvalid("ExpressionAttributeValues must not be empty")
	}
	if len(used) == 0 {
		if p.ExpressionAttributeNames != nil {
			return nil, errInvalid("ExpressionAttributeNames can only be specified when using expressions")
		}
		if p.ExpressionAttributeValues != nil {
			return nil, errInvalid("ExpressionAttributeValues can only be specified when using expressions")
		}
	}
	env := expr.NewEnv(p.ExpressionAttributeNames, p.ExpressionAttributeValues)
	if err := env.CheckKeys(); err != nil {
		return nil, errExpr(err)
	}
	return env, nil
}

// present lists the names of the parameters that are set.
func present(pairs ...any) []string {
	var out []string
	for i := 0; i+1 < len(pairs); i += 2 {
		name := pairs[i].(string)
		switch v := pairs[i+1].(type) {
		case *string:
			if v != nil {
				out = append(out, name)
			}
		case string:
			if v != "" {
				out = append(out, name)
			}
		case bool:
			if v {
				out = append(out, name)
			}
		}
	}
	return out
}

// mixed refuses a request that sets both legacy and expression parameters.
func mixed(legacy, exprs []string) *apiError {
	if len(legacy) == 0 || len(exprs) == 0 {
		return nil
	}
	sort.Strings(legacy)
	sort.Strings(exprs)
	return errInvalidf("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {%s} Expression parameters: {%s}",
		strings.Join(legacy, ", "), strings.Join(exprs, ", "))
}

// condParams are the condition parameters of the write operations.
type condParams struct {
	ConditionExpression *string                         `json:"ConditionExpression"`
	Expected            map[string]expr.LegacyCondition `json:"Expected"`
	ConditionalOperator string                          `json:"ConditionalOperator"`
}

func (p *condParams) exprNames() []string {
	return present("ConditionExpression", p.ConditionExpression)
}

func (p *condParams) legacyNames() []string {
	return present("Expected", p.Expected != nil, "ConditionalOperator", p.ConditionalOperator)
}

// condition compiles the request's condition, or returns nil when it has
// none.
func (p *condParams) condition(env *expr.Env) (*expr.Condition, *apiError) {
	if p.ConditionExpression != nil {
		if *p.ConditionExpression == "" {
			return nil, errInvalid("Invalid ConditionExpression: The expression can not be empty;")
		}
		c, err := expr.ParseCondition("ConditionExpression", *p.ConditionExpression, env)
		if err != nil {
			return nil, errExpr(err)
		}
		return c, nil
	}
	if p.Expected != nil {
		c, err := expr.LegacyExpected("Expected", p.Expected, p.ConditionalOperator)
		if err != nil {
			return nil, errExpr(err)
		}
		return c, nil
	}
	if p.ConditionalOperator != "" {
		return nil, errInvalid("ConditionalOperator can only be used when Expected or QueryFilter or ScanFilter is present")
	}
	return nil, nil
}

// check evaluates cond against old (nil when there is no item).
func check(cond *expr.Condition, old expr.Item, onFail string) *apiError {
	if cond == nil {
		return nil
	}
	ok, err := cond.Eval(old)
	if err != nil {
		return errExpr(err)
	}
	if !ok {
		if onFail == "ALL_OLD" && old != nil {
			return errConditionFailed(old)
		}
		return errConditionFailed(nil)
	}
	return nil
}

func checkOnFail(v string) *apiError {
	switch v {
	case "", "NONE", "ALL_OLD":
		return nil
	}
	return errValidation("returnValuesOnConditionCheckFailure", "Member must satisfy enum value set: [ALL_OLD, NONE]", v)
}

func checkMetricsMode(v string) *apiError {
	switch v {
	case "", "NONE", "SIZE":
		return nil
	}
	return errValidation("returnItemCollectionMetrics", "Member must satisfy enum value set: [SIZE, NONE]", v)
}

// projectionParams are GetItem's, Query's and Scan's ways of choosing
// attributes.
type projectionParams struct {
	ProjectionExpression *string  `json:"ProjectionExpression"`
	AttributesToGet      []string `json:"AttributesToGet"`
}

func (p *projectionParams) projection(env *expr.Env) (*expr.Projection, *apiError) {
	if p.ProjectionExpression != nil {
		if *p.ProjectionExpression == "" {
			return nil, errInvalid("Invalid ProjectionExpression: The expression can not be empty;")
		}
		pr, err := expr.ParseProjection(*p.ProjectionExpression, env)
		if err != nil {
			return nil, errExpr(err)
		}
		return pr, nil
	}
	if p.AttributesToGet != nil {
		if len(p.AttributesToGet) == 0 {
			return nil, errValidation("attributesToGet", "Member must have length greater than or equal to 1", "[]")
		}
		seen := map[string]bool{}
		for _, a := range p.AttributesToGet {
			if seen[a] {
				return nil, errInvalidf("One or more parameter values were invalid: Duplicate value in attribute name: %s", a)
			}
			seen[a] = true
		}
		return expr.LegacyAttributesToGet(p.AttributesToGet), nil
	}
	return nil, nil
}

func project(p *expr.Projection, it expr.Item) expr.Item {
	if p == nil || it == nil {
		return it
	}
	return p.Apply(it)
}

// itemOutput is the answer of PutItem, UpdateItem, DeleteItem and GetItem,
// written by hand: it is on the hot path.
type itemOutput struct {
	member  string // "Attributes" or "Item"
	item    expr.Item
	cc      *consumedCapacity
	metrics *itemCollectionMetrics
}

type itemCollectionMetrics struct {
	ItemCollectionKey   jsonItem  `json:"ItemCollectionKey"`
	SizeEstimateRangeGB []float64 `json:"SizeEstimateRangeGB"`
}

func (o *itemOutput) appendJSON(b []byte) []byte {
	b = append(b, '{')
	sep := false
	if o.item != nil {
		b = append(b, '"')
		b = append(b, o.member...)
		b = append(b, `":`...)
		b = appendItem(b, o.item)
		sep = true
	}
	if o.cc != nil {
		if sep {
			b = append(b, ',')
		}
		enc, _ := json.Marshal(o.cc)
		b = append(b, `"ConsumedCapacity":`...)
		b = append(b, enc...)
		sep = true
	}
	if o.metrics != nil {
		if sep {
			b = append(b, ',')
		}
		enc, _ := json.Marshal(o.metrics)
		b = append(b, `"ItemCollectionMetrics":`...)
		b = append(b, enc...)
	}
	return append(b, '}')
}

// collectionMetrics reports the item collection of it when asked and the
// table has local secondary indexes. The caller holds t.mu.
func collectionMetrics(t *table, mode string, it expr.Item) *itemCollectionMetrics {
	if mode != "SIZE" || len(t.lsis) == 0 || it == nil {
		return nil
	}
	var bytes int64
	if p := t.space.parts[encodeKeyValue(it[t.key.hash.name])]; p != nil {
		bytes = p.bytes
	}
	gb := float64(bytes) / (1 << 30)
	lo := float64(int64(gb))
	return &itemCollectionMetrics{
		ItemCollectionKey:   jsonItem{t.key.hash.name: it[t.key.hash.name]},
		SizeEstimateRangeGB: []float64{lo, lo + 1},
	}
}

// pick returns the attributes of it named in names that it has.
func pick(it expr.Item, names []string) expr.Item {
	if it == nil {
		return nil
	}
	out := make(expr.Item, len(names))
	for _, n := range names {
		if v, ok := it[n]; ok {
			out[n] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// itemWriteParams are the parameters PutItem and DeleteItem share besides
// their table and item or key: the condition, the expression names and
// values, and what to return.
type itemWriteParams struct {
	condParams
	exprParams
	ReturnValues                        string `json:"ReturnValues"`
	ReturnConsumedCapacity              string `json:"ReturnConsumedCapacity"`
	ReturnItemCollectionMetrics         string `json:"ReturnItemCollectionMetrics"`
	ReturnValuesOnConditionCheckFailure string `json:"ReturnValuesOnConditionCheckFailure"`
}

// writeOne is PutItem's and DeleteItem's common course around apply: the
// shared parameters checked in AWS's order, the condition parsed, the table
// found and its expired items swept, apply run under the table's lock, and
// its log record made durable before the answer.
func (s *Server) writeOne(c *call, tableName string, p *itemWriteParams, apply func(*table, *expr.Condition) (*itemOutput, logged, error)) (any, error) {
	for _, err := range []*apiError{
		checkReturnValues(p.ReturnValues, "ALL_OLD"), checkCapacityMode(p.ReturnConsumedCapacity),
		checkMetricsMode(p.ReturnItemCollectionMetrics), checkOnFail(p.ReturnValuesOnConditionCheckFailure),
		mixed(p.legacyNames(), p.exprNames()),
	} {
		if err != nil {
			return nil, err
		}
	}
	env, aerr := p.env(p.exprNames()...)
	if aerr != nil {
		return nil, aerr
	}
	cond, aerr := p.condition(env)
	if aerr != nil {
		return nil, aerr
	}
	if err := env.CheckUnused(); err != nil {
		return nil, errExpr(err)
	}
	t, aerr := s.lookupData("tableName", tableName, c.now)
	if aerr != nil {
		return nil, aerr
	}
	if err := s.sweepIfDue(t, c.now); err != nil {
		return nil, err
	}
	t.mu.Lock()
	out, l, err := apply(t, cond)
	t.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if err := s.durable(l, nil); err != nil {
		return nil, err
	}
	return out, nil
}
