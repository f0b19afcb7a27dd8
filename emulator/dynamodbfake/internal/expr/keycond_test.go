package expr

import "testing"

func TestKeyCondition(t *testing.T) {
	t.Parallel()
	vals := `{":h": {"S": "h"}, ":a": {"N": "1"}, ":b": {"N": "5"}, ":p": {"S": "ab"}}`
	tests := []struct {
		expr, sortOp string
		nvals        int
	}{
		{"pk = :h", "", 0},
		{"pk = :h AND sk = :a", "=", 1},
		{"pk = :h AND sk < :a", "<", 1},
		{"pk = :h AND sk <= :a", "<=", 1},
		{"pk = :h AND sk > :a", ">", 1},
		{"pk = :h AND sk >= :a", ">=", 1},
		{"pk = :h AND :a < sk", ">", 1},
		{"sk BETWEEN :a AND :b AND pk = :h", "BETWEEN", 2},
		{"pk = :h AND begins_with(sk, :p)", "begins_with", 1},
		{"(pk = :h) AND (sk >= :a)", ">=", 1},
		{":h = #pk", "", 0},
		{"(#pk = :h AND (sk = :a))", "=", 1},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			t.Parallel()
			kc, err := ParseKeyCondition(tt.expr, NewEnv(map[string]string{"#pk": "pk"}, values(t, vals)), "pk", "sk")
			if err != nil {
				t.Fatalf("ParseKeyCondition(%q): %v", tt.expr, err)
			}
			if kc.HashName != "pk" || kc.HashValue.S != "h" {
				t.Errorf("hash = %s %+v, want pk h", kc.HashName, kc.HashValue)
			}
			if tt.sortOp == "" {
				if kc.Sort != nil {
					t.Errorf("Sort = %+v, want nil", kc.Sort)
				}
				return
			}
			if kc.Sort == nil || kc.Sort.Name != "sk" || kc.Sort.Op != tt.sortOp || len(kc.Sort.Values) != tt.nvals {
				t.Errorf("Sort = %+v, want sk %s with %d values", kc.Sort, tt.sortOp, tt.nvals)
			}
		})
	}
}

func TestKeyConditionErrors(t *testing.T) {
	t.Parallel()
	vals := `{":h": {"S": "h"}, ":a": {"N": "1"}, ":b": {"N": "5"}}`
	tests := []struct{ name, expr, rangeKey, want string }{
		{"empty", "", "sk", "Invalid KeyConditionExpression: The expression can not be empty;"},
		{"syntax", "pk =", "sk", `Invalid KeyConditionExpression: Syntax error; token: "<EOF>", near: "="`},
		{"missing hash", "sk = :a", "sk", "Query condition missed key schema element: pk"},
		{"hash not equality", "pk > :h", "sk", "Query key condition not supported"},
		{"other attribute", "pk = :h AND x = :a", "sk", "Query condition missed key schema element: sk"},
		{"hash-only table with two", "pk = :h AND x = :a", "", "Query key condition not supported"},
		{"or", "pk = :h OR sk = :a", "sk", "Invalid KeyConditionExpression: Invalid operator used in KeyConditionExpression: OR"},
		{"not", "NOT pk = :h", "sk", "Invalid KeyConditionExpression: Invalid operator used in KeyConditionExpression: NOT"},
		{"ne", "pk <> :h", "sk", "Invalid KeyConditionExpression: Invalid operator used in KeyConditionExpression: <>"},
		{"in", "pk IN (:h)", "sk", "Invalid KeyConditionExpression: Invalid operator used in KeyConditionExpression: IN"},
		{"exists", "attribute_exists(pk)", "sk", "Invalid KeyConditionExpression: Invalid operator used in KeyConditionExpression: attribute_exists"},
		{"size", "size(pk) = :a", "sk", "Invalid KeyConditionExpression: KeyConditionExpressions cannot contain nested operations"},
		{"twice", "pk = :h AND pk = :h", "sk", "Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition per key"},
		{"nested", "pk.x = :h", "sk", "Invalid KeyConditionExpression: KeyConditionExpressions cannot have conditions on nested attributes"},
		{"two names", "pk = sk", "sk", "Invalid KeyConditionExpression: Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"},
		{"no name", ":h = :h", "sk", "Invalid KeyConditionExpression: Invalid condition in KeyConditionExpression: No key attribute specified"},
		{"between value first", ":a BETWEEN sk AND :b", "sk", "Invalid KeyConditionExpression: Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand"},
		{"three", "pk = :h AND sk = :a AND x = :b", "sk", "Conditions can be of length 1 or 2 only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseKeyCondition(tt.expr, NewEnv(nil, values(t, vals)), "pk", tt.rangeKey)
			if err == nil || err.Error() != tt.want {
				t.Errorf("ParseKeyCondition(%q) error = %v\nwant %s", tt.expr, err, tt.want)
			}
		})
	}
}

func TestSortConditionMatch(t *testing.T) {
	t.Parallel()
	n := func(s string) Value { return Value{Type: TypeN, N: s} }
	s := func(x string) Value { return Value{Type: TypeS, S: x} }
	tests := []struct {
		name string
		cond SortCondition
		v    Value
		want bool
	}{
		{"eq", SortCondition{Op: "=", Values: []Value{n("5")}}, n("5"), true},
		{"lt numeric", SortCondition{Op: "<", Values: []Value{n("10")}}, n("9"), true},
		{"lt string", SortCondition{Op: "<", Values: []Value{s("10")}}, s("9"), false},
		{"ge", SortCondition{Op: ">=", Values: []Value{n("1")}}, n("1"), true},
		{"gt", SortCondition{Op: ">", Values: []Value{n("1")}}, n("1"), false},
		{"le", SortCondition{Op: "<=", Values: []Value{n("1")}}, n("0.5"), true},
		{"between", SortCondition{Op: "BETWEEN", Values: []Value{n("1"), n("3")}}, n("3"), true},
		{"between outside", SortCondition{Op: "BETWEEN", Values: []Value{n("1"), n("3")}}, n("3.5"), false},
		{"begins_with", SortCondition{Op: "begins_with", Values: []Value{s("ab")}}, s("abc"), true},
		{"begins_with no", SortCondition{Op: "begins_with", Values: []Value{s("ab")}}, s("ba"), false},
		{"type mismatch", SortCondition{Op: "=", Values: []Value{s("5")}}, n("5"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.cond.Match(tt.v); got != tt.want {
				t.Errorf("Match(%+v) = %v, want %v", tt.v, got, tt.want)
			}
		})
	}
}
