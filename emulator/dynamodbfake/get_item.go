package dynamodbfake

// GetItem.
//
// Matches AWS: the key checked against the schema ("One of the required
// keys was not given a value", "The provided key element does not match
// the schema"); no Item member when there is no item; ProjectionExpression
// (or legacy AttributesToGet) with ExpressionAttributeNames;
// ConsistentRead; ReturnConsumedCapacity with 4 KB read units, halved for
// eventually consistent reads, at least one unit (or half) even for a
// missing item.
// Differs: every read is strongly consistent.

import "github.com/streamcheck/streamcheck/emulator/dynamodbfake/internal/expr"

type getItemInput struct {
	TableName string    `json:"TableName"`
	Key       expr.Item `json:"Key"`
	projectionParams
	ExpressionAttributeNames map[string]string `json:"ExpressionAttributeNames"`
	ConsistentRead           bool              `json:"ConsistentRead"`
	ReturnConsumedCapacity   string            `json:"ReturnConsumedCapacity"`
}

func (in *getItemInput) target() string { return in.TableName }

func getItem(s *Server, c *call, in *getItemInput) (any, error) {
	if in.Key == nil {
		return nil, errMissing("key")
	}
	if err := checkCapacityMode(in.ReturnConsumedCapacity); err != nil {
		return nil, err
	}
	if err := mixed(present("AttributesToGet", in.AttributesToGet != nil), present("ProjectionExpression", in.ProjectionExpression)); err != nil {
		return nil, err
	}
	p := exprParams{ExpressionAttributeNames: in.ExpressionAttributeNames}
	env, aerr := p.env(present("ProjectionExpression", in.ProjectionExpression)...)
	if aerr != nil {
		return nil, aerr
	}
	proj, aerr := in.projection(env)
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
	t.mu.RLock()
	defer t.mu.RUnlock()
	pk, aerr := t.checkKey(in.Key)
	if aerr != nil {
		return nil, aerr
	}
	if s.throttled(t, c.now, nil, true) {
		return nil, errThroughput()
	}
	it := t.get(pk)
	u := &usage{table: t, read: readUnits(it.Size(), in.ConsistentRead)}
	s.charge(u, c.now)
	return &itemOutput{member: "Item", item: project(proj, it), cc: u.report(in.ReturnConsumedCapacity)}, nil
}
