package dynamodbfake

// PutItem.
//
// Matches AWS: the item replaces any item with its key; key attributes
// present, of their declared types and not empty; secondary index key
// attributes of their declared types; the 400 KB item limit;
// ConditionExpression (or legacy Expected and ConditionalOperator) with
// ConditionalCheckFailedException, carrying the item when
// ReturnValuesOnConditionCheckFailure is ALL_OLD; ReturnValues NONE or
// ALL_OLD; ReturnConsumedCapacity TOTAL or INDEXES with AWS's write units
// (the larger of the old and new item, per KB, plus index writes);
// ReturnItemCollectionMetrics SIZE on tables with local secondary indexes.
// Differs: ItemCollectionMetrics' size range is a one-gigabyte bracket
// around the exact size.

import "github.com/streamcheck/streamcheck/emulator/dynamodbfake/internal/expr"

type putItemInput struct {
	TableName string    `json:"TableName"`
	Item      expr.Item `json:"Item"`
	itemWriteParams
}

func (in *putItemInput) target() string { return in.TableName }

func checkReturnValues(v string, allowed ...string) *apiError {
	switch v {
	case "", "NONE":
		return nil
	case "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW":
		for _, a := range allowed {
			if a == v {
				return nil
			}
		}
		return errInvalid("Return values set to invalid value")
	}
	return errValidation("returnValues", "Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]", v)
}

func putItem(s *Server, c *call, in *putItemInput) (any, error) {
	if in.Item == nil {
		return nil, errMissing("item")
	}
	return s.writeOne(c, in.TableName, &in.itemWriteParams, func(t *table, cond *expr.Condition) (*itemOutput, logged, error) {
		return s.putLocked(t, c, in, cond)
	})
}

func (s *Server) putLocked(t *table, c *call, in *putItemInput, cond *expr.Condition) (*itemOutput, logged, error) {
	pk, aerr := t.checkItem(in.Item)
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
	if err := t.checkCollection(in.Item, in.Item.Size()-old.Size()); err != nil {
		return nil, logged{}, err
	}
	u := &usage{table: t, write: writeUnits(max(old.Size(), in.Item.Size()))}
	u.indexWrites(t, old, in.Item)
	t.put(pk, in.Item)
	var l logged
	if s.wal != nil {
		fr := newItemsFrame()
		fr.put(t, in.Item)
		var err error
		if l, err = s.logItems(fr); err != nil {
			return nil, logged{}, s.durable(l, err)
		}
	}
	s.charge(u, c.now)
	out := &itemOutput{member: "Attributes", cc: u.report(in.ReturnConsumedCapacity),
		metrics: collectionMetrics(t, in.ReturnItemCollectionMetrics, in.Item)}
	if in.ReturnValues == "ALL_OLD" {
		out.item = old
	}
	return out, l, nil
}
