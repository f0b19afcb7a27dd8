package dynamodbfake

// TransactWriteItems.
//
// Matches AWS: 1 to 100 ConditionCheck, Put, Update and Delete actions over
// any tables, all applied or none; at most one action per item
// ("Transaction request cannot include multiple operations on one item");
// every condition is evaluated before anything is written, and a failed one
// cancels the transaction with TransactionCanceledException, whose
// CancellationReasons hold one entry per action in order
// (ConditionalCheckFailed, with the item under
// ReturnValuesOnConditionCheckFailure ALL_OLD; ValidationError for an
// update that cannot be applied; None for the rest); ClientRequestToken
// makes the call idempotent for 10 minutes of the server's clock (a repeat
// with the same actions succeeds without writing again, different actions
// get IdempotentParameterMismatchException); capacity is twice that of the
// single-item operations.
// Differs: transactions take the locks of their tables for their whole
// duration, so they never conflict with one another and
// TransactionConflictException is only answered when a fault rule injects
// it; tokens are not kept across a restart.

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/streamcheck/streamcheck/emulator/dynamodbfake/internal/expr"
)

const tokenTTL = 10 * time.Minute

type transactAction struct {
	TableName        string    `json:"TableName"`
	Key              expr.Item `json:"Key"`
	Item             expr.Item `json:"Item"`
	UpdateExpression *string   `json:"UpdateExpression"`
	condParams
	exprParams
	ReturnValuesOnConditionCheckFailure string `json:"ReturnValuesOnConditionCheckFailure"`
}

type transactWriteItem struct {
	ConditionCheck *transactAction `json:"ConditionCheck"`
	Put            *transactAction `json:"Put"`
	Delete         *transactAction `json:"Delete"`
	Update         *transactAction `json:"Update"`
}

type transactWriteItemsInput struct {
	TransactItems               []transactWriteItem `json:"TransactItems"`
	ReturnConsumedCapacity      string              `json:"ReturnConsumedCapacity"`
	ReturnItemCollectionMetrics string              `json:"ReturnItemCollectionMetrics"`
	ClientRequestToken          *string             `json:"ClientRequestToken"`
}

func (in *transactWriteItemsInput) target() string {
	for _, ti := range in.TransactItems {
		for _, a := range []*transactAction{ti.ConditionCheck, ti.Put, ti.Delete, ti.Update} {
			if a != nil {
				return a.TableName
			}
		}
	}
	return ""
}

type transactWriteItemsOutput struct {
	ConsumedCapacity      []*consumedCapacity                 `json:"ConsumedCapacity,omitempty"`
	ItemCollectionMetrics map[string][]*itemCollectionMetrics `json:"ItemCollectionMetrics,omitempty"`
}

// idemToken is a ClientRequestToken seen by TransactWriteItems.
type idemToken struct {
	hash [32]byte
	at   time.Time
	out  transactWriteItemsOutput
}

// txWrite is one compiled action.
type txWrite struct {
	kind  string // ConditionCheck, Put, Delete, Update
	act   *transactAction
	t     *table
	pk    string
	key   expr.Item
	cond  *expr.Condition
	upd   *expr.Update
	old   expr.Item
	next  expr.Item
	write bool
}

func transactWriteItems(s *Server, c *call, in *transactWriteItemsInput) (any, error) {
	for _, err := range []*apiError{checkCapacityMode(in.ReturnConsumedCapacity), checkMetricsMode(in.ReturnItemCollectionMetrics)} {
		if err != nil {
			return nil, err
		}
	}
	n := len(in.TransactItems)
	if in.TransactItems == nil {
		return nil, errMissing("transactItems")
	}
	if n < 1 || n > 100 {
		return nil, errValidation("transactItems", "Member must have length less than or equal to 100, Member must have length greater than or equal to 1", n)
	}
	var hash [32]byte
	if in.ClientRequestToken != nil {
		tok := *in.ClientRequestToken
		if len(tok) < 1 || len(tok) > 36 {
			return nil, errValidation("clientRequestToken", "Member must have length less than or equal to 36, Member must have length greater than or equal to 1", tok)
		}
		hash = requestHash(c.body)
		s.tokMu.Lock()
		for k, v := range s.tokens {
			if c.now.Sub(v.at) >= tokenTTL {
				delete(s.tokens, k)
			}
		}
		prev := s.tokens[tok]
		s.tokMu.Unlock()
		if prev != nil {
			if prev.hash != hash {
				return nil, newError(codeIdempotentMismatch, "Specified idempotency token has been used with different request parameters.")
			}
			return prev.out, nil
		}
	}
	txs := make([]*txWrite, n)
	for i, ti := range in.TransactItems {
		var w *txWrite
		count := 0
		for _, k := range []struct {
			kind string
			a    *transactAction
		}{{"ConditionCheck", ti.ConditionCheck}, {"Put", ti.Put}, {"Delete", ti.Delete}, {"Update", ti.Update}} {
			if k.a != nil {
				count++
				w = &txWrite{kind: k.kind, act: k.a}
			}
		}
		if count != 1 {
			return nil, errInvalid("TransactItems can only contain one of Check, Put, Update or Delete")
		}
		if err := s.compileTx(c, w); err != nil {
			return nil, err
		}
		txs[i] = w
	}
	tables := lockOrder(txs)
	for _, t := range tables {
		if err := s.sweepIfDue(t, c.now); err != nil {
			return nil, err
		}
	}
	for _, t := range tables {
		t.mu.Lock()
	}
	out, l, err := s.transactLocked(c, in, txs, tables)
	for _, t := range tables {
		t.mu.Unlock()
	}
	if err != nil {
		return nil, err
	}
	if err := s.durable(l, nil); err != nil {
		return nil, err
	}
	if in.ClientRequestToken != nil {
		s.tokMu.Lock()
		s.tokens[*in.ClientRequestToken] = &idemToken{hash: hash, at: c.now, out: out}
		s.tokMu.Unlock()
	}
	return out, nil
}

// requestHash identifies a request's TransactItems for idempotency: the
// JSON with object members sorted (clients write maps in any order).
func requestHash(body []byte) [32]byte {
	var raw struct {
		TransactItems any `json:"TransactItems"`
	}
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	_ = d.Decode(&raw)
	canon, _ := json.Marshal(raw.TransactItems)
	return sha256.Sum256(canon)
}

// compileTx checks one action and parses its expressions.
func (s *Server) compileTx(c *call, w *txWrite) *apiError {
	a := w.act
	if err := checkOnFail(a.ReturnValuesOnConditionCheckFailure); err != nil {
		return err
	}
	exprs := append(a.exprNames(), present("UpdateExpression", a.UpdateExpression)...)
	if err := mixed(a.legacyNames(), exprs); err != nil {
		return err
	}
	if len(a.legacyNames()) > 0 {
		return errInvalid("Expected and ConditionalOperator are not supported in transactions; use ConditionExpression")
	}
	env, aerr := a.env(exprs...)
	if aerr != nil {
		return aerr
	}
	switch w.kind {
	case "ConditionCheck":
		if a.ConditionExpression == nil {
			return errMissing("transactItems.member.conditionCheck.conditionExpression")
		}
	case "Update":
		if a.UpdateExpression == nil {
			return errMissing("transactItems.member.update.updateExpression")
		}
		if w.upd, aerr = parseUpdate(a.UpdateExpression, nil, env); aerr != nil {
			return aerr
		}
	}
	if a.UpdateExpression != nil && w.kind != "Update" {
		return errInvalidf("UpdateExpression can only be used in an Update action, not %s", w.kind)
	}
	if w.cond, aerr = a.condition(env); aerr != nil {
		return aerr
	}
	if err := env.CheckUnused(); err != nil {
		return errExpr(err)
	}
	t, aerr := s.lookupData("transactItems.member.tableName", a.TableName, c.now)
	if aerr != nil {
		return aerr
	}
	w.t = t
	t.mu.RLock()
	defer t.mu.RUnlock()
	if w.kind == "Put" {
		if a.Item == nil {
			return errMissing("transactItems.member.put.item")
		}
		w.pk, aerr = t.checkItem(a.Item)
		w.key = keyOf(t.key, a.Item)
	} else {
		if a.Key == nil {
			return errMissing("transactItems.member.key")
		}
		w.pk, aerr = t.checkKey(a.Key)
		w.key = a.Key
	}
	return aerr
}

// lockOrder returns the distinct tables of txs in name order, the order
// their locks are taken in, and checks no item is named twice.
func lockOrder(txs []*txWrite) []*table {
	seen := map[*table]bool{}
	var out []*table
	for _, w := range txs {
		if !seen[w.t] {
			seen[w.t] = true
			out = append(out, w.t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func (s *Server) transactLocked(c *call, in *transactWriteItemsInput, txs []*txWrite, tables []*table) (transactWriteItemsOutput, logged, error) {
	var out transactWriteItemsOutput
	type itemID struct {
		t  *table
		pk string
	}
	ids := make(map[itemID]bool, len(txs))
	for _, w := range txs {
		id := itemID{w.t, w.pk}
		if ids[id] {
			return out, logged{}, errInvalid("Transaction request cannot include multiple operations on one item")
		}
		ids[id] = true
	}
	for _, t := range tables {
		if s.throttled(t, c.now, nil, false) {
			return out, logged{}, errThroughput()
		}
	}
	reasons := make([]cancellationReason, len(txs))
	failed := false
	for i, w := range txs {
		reasons[i].Code = "None"
		w.old = w.t.get(w.pk)
		if err := check(w.cond, w.old, w.act.ReturnValuesOnConditionCheckFailure); err != nil {
			failed = true
			if err.Code == codeConditionalCheckFailed {
				reasons[i] = cancellationReason{Code: "ConditionalCheckFailed", Message: err.Message, Item: err.Item}
			} else {
				reasons[i] = cancellationReason{Code: "ValidationError", Message: err.Message}
			}
			continue
		}
		switch w.kind {
		case "Put":
			w.next, w.write = w.act.Item, true
		case "Update":
			next, aerr := applyUpdate(w.t, w.key, w.old, w.upd)
			if aerr != nil {
				failed = true
				reasons[i] = cancellationReason{Code: "ValidationError", Message: aerr.Message}
				continue
			}
			w.next, w.write = next, true
		case "Delete":
			w.write = true
		}
		if w.next != nil {
			if err := w.t.checkCollection(w.next, w.next.Size()-w.old.Size()); err != nil {
				failed = true
				reasons[i] = cancellationReason{Code: "ItemCollectionSizeLimitExceeded", Message: err.Message}
			}
		}
	}
	if failed {
		codes := make([]string, len(reasons))
		for i, r := range reasons {
			codes[i] = r.Code
		}
		e := newError(codeTransactionCanceled, "Transaction cancelled, please refer cancellation reasons for specific reasons [%s]", strings.Join(codes, ", "))
		e.Reasons = reasons
		return out, logged{}, e
	}
	usages := map[*table]*usage{}
	var fr *itemsFrame
	if s.wal != nil {
		fr = newItemsFrame()
	}
	for _, w := range txs {
		u := usages[w.t]
		if u == nil {
			u = &usage{table: w.t}
			usages[w.t] = u
		}
		switch {
		case w.kind == "ConditionCheck":
			u.read += readUnits(w.old.Size(), true)
		case w.next != nil:
			u.write += writeUnits(max(w.old.Size(), w.next.Size()))
			u.indexWrites(w.t, w.old, w.next)
			w.t.put(w.pk, w.next)
			if fr != nil {
				fr.put(w.t, w.next)
			}
		default:
			u.write += writeUnits(w.old.Size())
			if w.old != nil {
				u.indexWrites(w.t, w.old, nil)
				w.t.remove(w.pk)
				if fr != nil {
					fr.del(w.t, w.key)
				}
			}
		}
		if w.write {
			if m := collectionMetrics(w.t, in.ReturnItemCollectionMetrics, w.key); m != nil {
				if out.ItemCollectionMetrics == nil {
					out.ItemCollectionMetrics = map[string][]*itemCollectionMetrics{}
				}
				out.ItemCollectionMetrics[w.t.name] = append(out.ItemCollectionMetrics[w.t.name], m)
			}
		}
	}
	l, err := s.logItems(fr)
	for _, t := range tables {
		u := usages[t]
		u.scale(2)
		s.charge(u, c.now)
		if cc := u.report(in.ReturnConsumedCapacity); cc != nil {
			out.ConsumedCapacity = append(out.ConsumedCapacity, cc)
		}
	}
	if err != nil {
		return out, logged{}, s.durable(l, err)
	}
	return out, l, nil
}
