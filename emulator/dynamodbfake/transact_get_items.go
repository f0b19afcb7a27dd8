package dynamodbfake

// TransactGetItems.
//
// Matches AWS: 1 to 100 Get actions over any tables, read together (the
// tables' locks are held across all of them, so the reads see one state);
// ProjectionExpression with ExpressionAttributeNames; one response entry
// per action in order, empty for a missing item; an item named twice is
// refused; read units twice those of a strongly consistent GetItem.

import (
	"sort"

	"github.com/streamcheck/streamcheck/emulator/dynamodbfake/internal/expr"
)

type transactGet struct {
	TableName                string            `json:"TableName"`
	Key                      expr.Item         `json:"Key"`
	ProjectionExpression     *string           `json:"ProjectionExpression"`
	ExpressionAttributeNames map[string]string `json:"ExpressionAttributeNames"`
}

type transactGetItemsInput struct {
	TransactItems []struct {
		Get *transactGet `json:"Get"`
	} `json:"TransactItems"`
	ReturnConsumedCapacity string `json:"ReturnConsumedCapacity"`
}

func (in *transactGetItemsInput) target() string {
	for _, ti := range in.TransactItems {
		if ti.Get != nil {
			return ti.Get.TableName
		}
	}
	return ""
}

type itemResponse struct {
	Item jsonItem `json:"Item,omitempty"`
}

type transactGetItemsOutput struct {
	Responses        []itemResponse      `json:"Responses"`
	ConsumedCapacity []*consumedCapacity `json:"ConsumedCapacity,omitempty"`
}

func transactGetItems(s *Server, c *call, in *transactGetItemsInput) (any, error) {
	if err := checkCapacityMode(in.ReturnConsumedCapacity); err != nil {
		return nil, err
	}
	if in.TransactItems == nil {
		return nil, errMissing("transactItems")
	}
	n := len(in.TransactItems)
	if n < 1 || n > 100 {
		return nil, errValidation("transactItems", "Member must have length less than or equal to 100, Member must have length greater than or equal to 1", n)
	}
	type get struct {
		t    *table
		pk   string
		proj *expr.Projection
	}
	gets := make([]get, n)
	seen := map[*table]map[string]bool{}
	var tables []*table
	for i, ti := range in.TransactItems {
		g := ti.Get
		if g == nil {
			return nil, errMissing("transactItems.member.get")
		}
		if g.Key == nil {
			return nil, errMissing("transactItems.member.get.key")
		}
		p := exprParams{ExpressionAttributeNames: g.ExpressionAttributeNames}
		env, aerr := p.env(present("ProjectionExpression", g.ProjectionExpression)...)
		if aerr != nil {
			return nil, aerr
		}
		pp := projectionParams{ProjectionExpression: g.ProjectionExpression}
		proj, aerr := pp.projection(env)
		if aerr != nil {
			return nil, aerr
		}
		if err := env.CheckUnused(); err != nil {
			return nil, errExpr(err)
		}
		t, aerr := s.lookupData("transactItems.member.get.tableName", g.TableName, c.now)
		if aerr != nil {
			return nil, aerr
		}
		t.mu.RLock()
		pk, aerr := t.checkKey(g.Key)
		t.mu.RUnlock()
		if aerr != nil {
			return nil, aerr
		}
		if seen[t] == nil {
			seen[t] = map[string]bool{}
			tables = append(tables, t)
		}
		if seen[t][pk] {
			return nil, errInvalid("Transaction request cannot include multiple operations on one item")
		}
		seen[t][pk] = true
		gets[i] = get{t: t, pk: pk, proj: proj}
	}
	sort.Slice(tables, func(i, j int) bool { return tables[i].name < tables[j].name })
	for _, t := range tables {
		if err := s.sweepIfDue(t, c.now); err != nil {
			return nil, err
		}
	}
	for _, t := range tables {
		t.mu.RLock()
	}
	defer func() {
		for _, t := range tables {
			t.mu.RUnlock()
		}
	}()
	for _, t := range tables {
		if s.throttled(t, c.now, nil, true) {
			return nil, errThroughput()
		}
	}
	out := transactGetItemsOutput{Responses: make([]itemResponse, n)}
	usages := map[*table]*usage{}
	for i, g := range gets {
		it := g.t.get(g.pk)
		u := usages[g.t]
		if u == nil {
			u = &usage{table: g.t}
			usages[g.t] = u
		}
		u.read += 2 * readUnits(it.Size(), true)
		if it != nil {
			out.Responses[i].Item = jsonItem(project(g.proj, it))
		}
	}
	for _, t := range tables {
		s.charge(usages[t], c.now)
		if cc := usages[t].report(in.ReturnConsumedCapacity); cc != nil {
			out.ConsumedCapacity = append(out.ConsumedCapacity, cc)
		}
	}
	return out, nil
}
