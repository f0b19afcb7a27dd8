package expr

import (
	"bytes"
	"strings"
)

// KeyCondition is a parsed KeyConditionExpression, or legacy
// KeyConditions, of a Query: equality on the hash key and an optional
// condition on the sort key.
type KeyCondition struct {
	HashName  string
	HashValue Value
	Sort      *SortCondition // nil: no sort-key condition
}

// SortCondition is the sort-key part of a KeyCondition.
type SortCondition struct {
	Name   string
	Op     string  // "=", "<", "<=", ">", ">=", "BETWEEN", "begins_with"
	Values []Value // 1 value, 2 for BETWEEN
}

// Match reports whether the sort-key value v satisfies the condition.
// Values of another type than the condition's never match.
func (s *SortCondition) Match(v Value) bool {
	if s == nil {
		return true
	}
	if len(s.Values) == 0 || v.Type != s.Values[0].Type {
		return false
	}
	switch s.Op {
	case "=":
		return CompareKey(v, s.Values[0]) == 0
	case "<":
		return CompareKey(v, s.Values[0]) < 0
	case "<=":
		return CompareKey(v, s.Values[0]) <= 0
	case ">":
		return CompareKey(v, s.Values[0]) > 0
	case ">=":
		return CompareKey(v, s.Values[0]) >= 0
	case "BETWEEN":
		return len(s.Values) == 2 && CompareKey(v, s.Values[0]) >= 0 && CompareKey(v, s.Values[1]) <= 0
	case "begins_with":
		switch v.Type {
		case TypeS:
			return strings.HasPrefix(v.S, s.Values[0].S)
		case TypeB:
			return bytes.HasPrefix(v.B, s.Values[0].B)
		}
	}
	return false
}

// keyCond is one attribute's condition while a key condition is checked.
type keyCond struct {
	name   string
	op     string // legacy ComparisonOperator: EQ, LT, LE, GT, GE, BETWEEN, BEGINS_WITH, ...
	values []Value
}

var swapped = map[uint8]string{cmpEQ: "EQ", cmpLT: "GT", cmpLE: "GE", cmpGT: "LT", cmpGE: "LE"}
var direct = map[uint8]string{cmpEQ: "EQ", cmpLT: "LT", cmpLE: "LE", cmpGT: "GT", cmpGE: "GE"}

// ParseKeyCondition parses a KeyConditionExpression for a table or index
// whose key is hashKey and, if not empty, rangeKey. It returns AWS's errors
// for operators a key condition cannot use, conditions on other attributes
// and a missing hash-key condition. Checking the values' types against the
// key schema is the caller's (AWS: "One or more parameter values were
// invalid: Condition parameter type does not match schema type").
func ParseKeyCondition(s string, env *Env, hashKey, rangeKey string) (*KeyCondition, error) {
	const kind = "KeyConditionExpression"
	if err := emptyCheck(kind, s); err != nil {
		return nil, err
	}
	var p parser
	p.init(kind, s, env)
	root, err := p.parseCondition()
	if err != nil {
		return nil, err
	}
	var conds []keyCond
	if err := collectKeyConds(root, &conds); err != nil {
		return nil, errorf("Invalid %s: %s", kind, err)
	}
	return keyConditionFrom(conds, hashKey, rangeKey)
}

func collectKeyConds(n *node, conds *[]keyCond) error {
	switch n.kind {
	case nOr:
		return errorf("Invalid operator used in KeyConditionExpression: OR")
	case nNot:
		return errorf("Invalid operator used in KeyConditionExpression: NOT")
	case nIn:
		return errorf("Invalid operator used in KeyConditionExpression: IN")
	case nCmp:
		if n.code == cmpNE {
			return errorf("Invalid operator used in KeyConditionExpression: <>")
		}
	case nFunc:
		switch n.code {
		case fnSize:
			return errorf("KeyConditionExpressions cannot contain nested operations")
		case fnBeginsWith:
		default:
			return errorf("Invalid operator used in KeyConditionExpression: %s", n.fn)
		}
	case nBetween:
		if n.args[0].kind != nPath {
			return errorf("Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand")
		}
	}
	if n.kind == nFunc && n.code == fnBeginsWith && n.args[0].kind != nPath {
		return errorf("Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand")
	}
	name, at := "", 0
	for i, a := range n.args {
		switch {
		case a.kind == nPath:
			if name != "" {
				return errorf("Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition")
			}
			if len(a.path) > 1 {
				return errorf("KeyConditionExpressions cannot have conditions on nested attributes")
			}
			name, at = a.path[0].name, i
		case a.kind != nValue:
			if err := collectKeyConds(a, conds); err != nil {
				return err
			}
		}
	}
	if n.kind == nAnd {
		return nil
	}
	if name == "" {
		return errorf("Invalid condition in KeyConditionExpression: No key attribute specified")
	}
	for _, c := range *conds {
		if c.name == name {
			return errorf("KeyConditionExpressions must only contain one condition per key")
		}
	}
	kc := keyCond{name: name}
	switch n.kind {
	case nCmp:
		if at == 0 {
			kc.op = direct[n.code]
			kc.values = []Value{*n.args[1].val}
		} else {
			kc.op = swapped[n.code]
			kc.values = []Value{*n.args[0].val}
		}
	case nBetween:
		kc.op = "BETWEEN"
		kc.values = []Value{*n.args[1].val, *n.args[2].val}
	case nFunc:
		kc.op = "BEGINS_WITH"
		kc.values = []Value{*n.args[1].val}
	}
	*conds = append(*conds, kc)
	return nil
}

var sortOps = map[string]string{"EQ": "=", "LT": "<", "LE": "<=", "GT": ">", "GE": ">=", "BETWEEN": "BETWEEN", "BEGINS_WITH": "begins_with"}

// keyConditionFrom checks the conditions against the key schema as AWS
// does and builds the KeyCondition.
func keyConditionFrom(conds []keyCond, hashKey, rangeKey string) (*KeyCondition, error) {
	if len(conds) > 2 {
		return nil, errorf("Conditions can be of length 1 or 2 only")
	}
	find := func(name string) *keyCond {
		for i := range conds {
			if conds[i].name == name {
				return &conds[i]
			}
		}
		return nil
	}
	kc := &KeyCondition{HashName: hashKey}
	for _, key := range []string{hashKey, rangeKey} {
		if key == "" {
			continue
		}
		isHash := key == hashKey
		if isHash && rangeKey == "" && len(conds) > 1 {
			return nil, errorf("Query key condition not supported")
		}
		c := find(key)
		if c == nil {
			if isHash || len(conds) > 1 {
				return nil, errorf("Query condition missed key schema element: %s", key)
			}
			continue
		}
		op, ok := sortOps[c.op]
		if !ok {
			return nil, errorf("Attempted conditional constraint is not an indexable operation")
		}
		if isHash {
			if c.op != "EQ" {
				return nil, errorf("Query key condition not supported")
			}
			kc.HashValue = c.values[0]
			continue
		}
		kc.Sort = &SortCondition{Name: key, Op: op, Values: c.values}
	}
	return kc, nil
}
