package dynamodbfake

// DeleteItem.
//
// Matches AWS: the key checked against the schema; deleting a missing item
// succeeds; ConditionExpression (or legacy Expected) with
// ConditionalCheckFailedException and ReturnValuesOnConditionCheckFailure;
// ReturnValues NONE or ALL_OLD; ReturnConsumedCapacity with the deleted
// item's size in 1 KB write units (at least one) plus index writes;
// ReturnItemCollectionMetrics SIZE.

import "github.com/streamcheck/streamcheck/emulator/dynamodbfake/internal/expr"

type deleteItemInput struct {
	TableName string    `json:"TableName"`
	Key       expr.Item `json:"Key"`
	itemWriteParams
}

func (in *deleteItemInput) target() string { return in.TableName }

func deleteItem(s *Server, c *call, in *deleteItemInput) (any, error) {
	if in.Key == nil {
		return nil, errMissing("key")
	}
	return s.writeOne(c, in.TableName, &in.itemWriteParams, func(t *table, cond *expr.Condition) (*itemOutput, logged, error) {
		return s.deleteLocked(t, c, in, cond)
	})
}

func (s *Server) deleteLocked(t *table, c *call, in *deleteItemInput, cond *expr.Condition) (*itemOutput, logged, error) {
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
	u := &usage{table: t, write: writeUnits(old.Size())}
	var l logged
	if old != nil {
		u.indexWrites(t, old, nil)
		t.remove(pk)
		if s.wal != nil {
			fr := newItemsFrame()
			fr.del(t, in.Key)
			var err error
			if l, err = s.logItems(fr); err != nil {
				return nil, logged{}, s.durable(l, err)
			}
		}
	}
	s.charge(u, c.now)
	out := &itemOutput{member: "Attributes", cc: u.report(in.ReturnConsumedCapacity),
		metrics: collectionMetrics(t, in.ReturnItemCollectionMetrics, in.Key)}
	if in.ReturnValues == "ALL_OLD" {
		out.item = old
	}
	return out, l, nil
}
