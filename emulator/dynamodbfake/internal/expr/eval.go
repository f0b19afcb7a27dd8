package expr

import (
	"bytes"
	"strconv"
	"strings"
)

// Eval reports whether item satisfies the condition; a nil item is a
// missing item, on which every path is absent. As in DynamoDB, comparing
// values of different types, or ordering types that have no order, is
// false rather than an error. The error is always nil today; it is there
// for runtime faults DynamoDB reports.
func (c *Condition) Eval(item Item) (bool, error) {
	if c == nil || c.root == nil {
		return true, nil
	}
	return evalCond(c.root, item), nil
}

func evalCond(n *node, item Item) bool {
	switch n.kind {
	case nAnd:
		return evalCond(n.args[0], item) && evalCond(n.args[1], item)
	case nOr:
		return evalCond(n.args[0], item) || evalCond(n.args[1], item)
	case nNot:
		return !evalCond(n.args[0], item)
	case nCmp:
		a, aok := operandValue(n.args[0], item)
		b, bok := operandValue(n.args[1], item)
		return compareOp(n.code, a, aok, b, bok)
	case nBetween:
		a, aok := operandValue(n.args[0], item)
		lo, lok := operandValue(n.args[1], item)
		hi, hok := operandValue(n.args[2], item)
		if !aok || !lok || !hok {
			return false
		}
		c1, ok1 := compareScalars(a, lo)
		c2, ok2 := compareScalars(a, hi)
		return ok1 && ok2 && c1 >= 0 && c2 <= 0
	case nIn:
		a, ok := operandValue(n.args[0], item)
		if !ok {
			return false
		}
		for _, x := range n.args[1:] {
			if b, ok := operandValue(x, item); ok && Equal(a, b) {
				return true
			}
		}
		return false
	case nFunc:
		return evalFunc(n, item)
	}
	return false
}

func compareOp(code uint8, a Value, aok bool, b Value, bok bool) bool {
	switch code {
	case cmpEQ:
		return aok && bok && Equal(a, b)
	case cmpNE:
		return !aok || !bok || !Equal(a, b)
	}
	if !aok || !bok {
		return false
	}
	c, ok := compareScalars(a, b)
	if !ok {
		return false
	}
	switch code {
	case cmpLT:
		return c < 0
	case cmpLE:
		return c <= 0
	case cmpGT:
		return c > 0
	case cmpGE:
		return c >= 0
	}
	return false
}

func evalFunc(n *node, item Item) bool {
	switch n.code {
	case fnAttributeExists:
		_, ok := n.args[0].path.get(item)
		return ok
	case fnAttributeNotExists:
		_, ok := n.args[0].path.get(item)
		return !ok
	case fnAttributeType:
		v, ok := operandValue(n.args[0], item)
		t, tok := operandValue(n.args[1], item)
		return ok && tok && t.Type == TypeS && v.Type.String() == t.S
	case fnBeginsWith:
		v, ok := operandValue(n.args[0], item)
		prefix, pok := operandValue(n.args[1], item)
		if !ok || !pok || v.Type != prefix.Type {
			return false
		}
		switch v.Type {
		case TypeS:
			return strings.HasPrefix(v.S, prefix.S)
		case TypeB:
			return bytes.HasPrefix(v.B, prefix.B)
		}
		return false
	case fnContains:
		v, ok := operandValue(n.args[0], item)
		x, xok := operandValue(n.args[1], item)
		return ok && xok && contains(v, x)
	}
	return false
}

// contains is DynamoDB's contains(path, operand): a substring of a string,
// a subsequence of bytes of a binary, a member of a set, an element of a
// list.
func contains(v, x Value) bool {
	switch v.Type {
	case TypeS:
		return x.Type == TypeS && strings.Contains(v.S, x.S)
	case TypeB:
		return x.Type == TypeB && bytes.Contains(v.B, x.B)
	case TypeSS:
		if x.Type == TypeS {
			for _, s := range v.SS {
				if s == x.S {
					return true
				}
			}
		}
	case TypeNS:
		if x.Type == TypeN {
			for _, s := range v.NS {
				if compareNumbers(s, x.N) == 0 {
					return true
				}
			}
		}
	case TypeBS:
		if x.Type == TypeB {
			return containsBytes(v.BS, x.B)
		}
	case TypeL:
		for _, e := range v.L {
			if Equal(e, x) {
				return true
			}
		}
	}
	return false
}

// operandValue evaluates an operand of a condition.
func operandValue(n *node, item Item) (Value, bool) {
	switch n.kind {
	case nValue:
		return *n.val, true
	case nPath:
		return n.path.get(item)
	case nFunc:
		if n.code == fnSize {
			v, ok := operandValue(n.args[0], item)
			if !ok {
				return Value{}, false
			}
			size, ok := sizeOf(v)
			if !ok {
				return Value{}, false
			}
			return Value{Type: TypeN, N: strconv.Itoa(size)}, true
		}
	}
	return Value{}, false
}

// sizeOf is DynamoDB's size(): bytes of a string or binary, members of a
// set, elements of a list or map; other types have no size.
func sizeOf(v Value) (int, bool) {
	switch v.Type {
	case TypeS:
		return len(v.S), true
	case TypeB:
		return len(v.B), true
	case TypeSS:
		return len(v.SS), true
	case TypeNS:
		return len(v.NS), true
	case TypeBS:
		return len(v.BS), true
	case TypeL:
		return len(v.L), true
	case TypeM:
		return len(v.M), true
	}
	return 0, false
}
