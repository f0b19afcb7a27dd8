package dynamodbfake

// UpdateItem.
//
// Matches AWS: UpdateExpression (SET, REMOVE, ADD, DELETE) or legacy
// AttributeUpdates on the item with the key, creating it when missing (an
// update with neither creates the bare key); key attributes cannot be
// updated; ConditionExpression or legacy Expected with
// ConditionalCheckFailedException and ReturnValuesOnConditionCheckFailure;
// ReturnValues NONE, ALL_OLD, UPDATED_OLD, ALL_NEW and UPDATED_NEW; the
// 400 KB limit on the result ("Item size to update has exceeded the maximum
// allowed size"); write units of the larger of the old and new item plus
// index writes.
// Differs: UPDATED_OLD and UPDATED_NEW return the whole top-level
// attributes the update touched, where AWS returns only the nested paths
// inside them.

import "github.com/streamcheck/streamcheck/emulator/dynamodbfake/internal/expr"

type updateItemInput struct {
	TableName        string                       `json:"TableName"`
	Key              expr.Item                    `json:"Key"`
	UpdateExpression *string                      `json:"UpdateExpression"`
	AttributeUpdates map[string]expr.LegacyUpdate `json:"AttributeUpdates"`
	condParams
	exprParams
	ReturnValues                        string `json:"ReturnValues"`
	ReturnConsumedCapacity              string `json:"ReturnConsumedCapacity"`
	ReturnItemCollectionMetrics         string `json:"ReturnItemCollectionMetrics"`
	ReturnValuesOnConditionCheckFailure string `json:"ReturnValuesOnConditionCheckFailure"`
}

func (in *updateItemInput) target() string { return in.TableName }

func updateItem(s *Server, c *call, in *updateItemInput) (any, error) {
	if in.Key == nil {
		return nil, errMissing("key")
	}
	exprs := append(in.exprNames(), present("UpdateExpression", in.UpdateExpression)...)
	legacy := append(in.legacyNames(), present("AttributeUpdates", in.AttributeUpdates != nil)...)
	for _, err := range []*apiError{
		checkReturnValues(in.ReturnValues, "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"), checkCapacityMode(in.ReturnConsumedCapacity),
		checkMetricsMode(in.ReturnItemCollectionMetrics), checkOnFail(in.ReturnValuesOnConditionCheckFailure),
		mixed(legacy, exprs),
	} {
		if err != nil {
			return nil, err
		}
	}
	env, aerr := in.env(exprs...)
	if aerr != nil {
		return nil, aerr
	}
	upd, aerr := parseUpdate(in.UpdateExpression, in.AttributeUpdates, env)
	if aerr != nil {
		return nil, aerr
	}
	cond, aerr := in.condition(env)
	if aerr != nil {
		return nil, aerr
	}
	if err := env.CheckUnused(); err != nil {
		return nil, errExpr(err)
	}
	t, aerr := s.lookupData("tableName", in.TableName, c.now)
	if aerr != nil {
		return nil, aerr
	}
	if err := s.sweepIfDue(t, c.now); err != nil {
		return nil, err
	}
	t.mu.Lock()
	out, l, err := s.updateLocked(t, c, in, upd, cond)
	t.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if err := s.durable(l, nil); err != nil {
		return nil, err
	}
	return out, nil
}

// parseUpdate compiles UpdateExpression or AttributeUpdates; nil when the
// request has neither.
func parseUpdate(ue *string, au map[string]expr.LegacyUpdate, env *expr.Env) (*expr.Update, *apiError) {
	switch {
	case ue != nil:
		if *ue == "" {
			return nil, errInvalid("Invalid UpdateExpression: The expression can not be empty;")
		}
		u, err := expr.ParseUpdate(*ue, env)
		if err != nil {
			return nil, errExpr(err)
		}
		return u, nil
	case au != nil:
		u, err := expr.LegacyAttributeUpdates(au)
		if err != nil {
			return nil, errExpr(err)
		}
		return u, nil
	}
	return nil, nil
}

// applyUpdate computes the item an update leaves under key, checking that
// no key attribute is touched and that the result is a valid item.
func applyUpdate(t *table, key, old expr.Item, upd *expr.Update) (expr.Item, *apiError) {
	base := old
	if base == nil {
		base = key
	}
	if upd == nil {
		return base, nil
	}
	for _, n := range upd.TopLevel() {
		if t.key.has(n) {
			return nil, errParam("Cannot update attribute %s. This attribute is part of the key", n)
		}
	}
	next, err := upd.Apply(base)
	if err != nil {
		return nil, errExpr(err)
	}
	if next.Size() > maxItemSize {
		return nil, errInvalid("Item size to update has exceeded the maximum allowed size")
	}
	if _, aerr := t.checkItem(next); aerr != nil {
		return nil, aerr
	}
	return next, nil
}

func (s *Server) updateLocked(t *table, c *call, in *updateItemInput, upd *expr.Update, cond *expr.Condition) (*itemOutput, logged, error) {
	pk, aerr := t.checkKey(in.Key)
	if aerr != nil {
		return nil, logged{}, aerr
	}
	if s.throttled(t, c.now, nil, false) {
		return nil, logged{}, errThroughput()
	}
	old := t.get(pk)
	if err := check(cond, old, in.ReturnValuesOnConditionCheckFailure); err != nil {
		return nil, logged{}, err
	}
	next, aerr := applyUpdate(t, in.Key, old, upd)
	if aerr != nil {
		return nil, logged{}, aerr
	}
	if err := t.checkCollection(next, next.Size()-old.Size()); err != nil {
		return nil, logged{}, err
	}
	u := &usage{table: t, write: writeUnits(max(old.Size(), next.Size()))}
	u.indexWrites(t, old, next)
	t.put(pk, next)
	var l logged
	if s.wal != nil {
		fr := newItemsFrame()
		fr.put(t, next)
		var err error
		if l, err = s.logItems(fr); err != nil {
			return nil, logged{}, s.durable(l, err)
		}
	}
	s.charge(u, c.now)
	out := &itemOutput{member: "Attributes", cc: u.report(in.ReturnConsumedCapacity),
		metrics: collectionMetrics(t, in.ReturnItemCollectionMetrics, next)}
	var touched []string
	if upd != nil {
		touched = upd.TopLevel()
	}
	switch in.ReturnValues {
	case "ALL_OLD":
		out.item = old
	case "ALL_NEW":
		out.item = next
	case "UPDATED_OLD":
		out.item = pick(old, touched)
	case "UPDATED_NEW":
		out.item = pick(next, touched)
	}
	return out, l, nil
}
