package expr

import (
	"fmt"
	"strings"
	"testing"
)

const condItem = `{
	"pk": {"S": "p1"},
	"n": {"N": "5"},
	"s": {"S": "hello"},
	"b": {"B": "AQID"},
	"t": {"BOOL": true},
	"z": {"NULL": true},
	"ss": {"SS": ["a", "b"]},
	"ns": {"NS": ["1", "2"]},
	"bs": {"BS": ["AQ=="]},
	"l": {"L": [{"S": "x"}, {"N": "7"}, {"M": {"k": {"S": "v"}}}]},
	"m": {"M": {"a": {"M": {"b": {"N": "1"}}}, "lst": {"L": [{"N": "1"}, {"N": "2"}]}}}
}`

func TestConditionEval(t *testing.T) {
	t.Parallel()
	vals := `{
		":five": {"N": "5"}, ":four": {"N": "4.0"}, ":six": {"N": "6"}, ":s5": {"S": "5"},
		":hello": {"S": "hello"}, ":he": {"S": "he"}, ":ell": {"S": "ell"}, ":a": {"S": "a"}, ":x": {"S": "x"},
		":one": {"N": "1"}, ":two": {"N": "2"}, ":three": {"N": "3"}, ":b1": {"B": "AQ=="}, ":b2": {"B": "Ag=="},
		":tS": {"S": "S"}, ":tN": {"S": "N"}, ":tM": {"S": "M"}, ":tNULL": {"S": "NULL"}, ":true": {"BOOL": true},
		":null": {"NULL": true}, ":ss": {"SS": ["b", "a"]}, ":p1": {"S": "p1"}, ":seven": {"N": "7"}
	}`
	tests := []struct {
		expr string
		want bool
	}{
		{"n = :five", true},
		{"n = :s5", false},
		{"n <> :s5", true},
		{"nope <> :five", true},
		{"nope = :five", false},
		{"n > :four", true},
		{"n >= :five", true},
		{"n < :six", true},
		{"n <= :four", false},
		{"s > :he", true},
		{"n > :s5", false},
		{"n < :s5", false},
		{"nope < :five", false},
		{"b > :b1", true},
		{"t = :true", true},
		{"z = :null", true},
		{"ss = :ss", true},
		{"n BETWEEN :four AND :six", true},
		{"n BETWEEN :six AND :seven", false},
		{"s BETWEEN :a AND :x", true},
		{"n BETWEEN :a AND :x", false},
		{"n IN (:one, :five)", true},
		{"n IN (:one, :two)", false},
		{"n IN (:s5)", false},
		{"attribute_exists(pk)", true},
		{"attribute_exists(nope)", false},
		{"attribute_not_exists(nope)", true},
		{"attribute_exists(m.a.b)", true},
		{"attribute_exists(m.a.c)", false},
		{"attribute_exists(l[2].k)", true},
		{"attribute_exists(l[3])", false},
		{"attribute_exists(s[0])", false},
		{"attribute_type(n, :tN)", true},
		{"attribute_type(n, :tS)", false},
		{"attribute_type(m, :tM)", true},
		{"attribute_type(z, :tNULL)", true},
		{"begins_with(s, :he)", true},
		{"begins_with(s, :ell)", false},
		{"begins_with(b, :b1)", true},
		{"begins_with(b, :b2)", false},
		{"begins_with(n, :he)", false},
		{"contains(s, :ell)", true},
		{"contains(ss, :a)", true},
		{"contains(ss, :x)", false},
		{"contains(ns, :two)", true},
		{"contains(bs, :b1)", true},
		{"contains(bs, :b2)", false},
		{"contains(l, :x)", true},
		{"contains(l, :seven)", true},
		{"contains(n, :five)", false},
		{"size(s) = :five", true},
		{"size(ss) = :two", true},
		{"size(l) = :three", true},
		{"size(m) = :two", true},
		{"size(b) = :three", true},
		{"size(n) = :one", false},
		{"size(m.lst) < :three", true},
		{"m.a.b = :one", true},
		{"m.lst[1] = :two", true},
		{"l[0] = :x", true},
		{"NOT n = :five", false},
		{"not n = :six", true},
		{"n = :five AND s = :hello", true},
		{"n = :six AND s = :hello", false},
		{"n = :six OR s = :hello", true},
		{"n = :six OR s = :x OR pk = :p1", true},
		{"n = :six AND s = :x OR pk = :p1", true},
		{"n = :six AND (s = :x OR pk = :p1)", false},
		{"pk = :p1 OR n = :five AND s = :x", true},
		{"NOT n = :six AND s = :x", false},
		{"NOT (n = :six AND s = :x)", true},
		{"(n) = (:five)", true},
		{"(n = :five)", true},
		{"#n = :five", true},
		{"#m.#a.b = :one", true},
		{":five = n", true},
		{":five < :six", true},
		{"attribute_not_exists(pk) OR pk = :p1", true},
		// Parenthesis forms DynamoDB accepts.
		{"(attribute_exists(pk)) AND (n = :five)", true},
		{"(attribute_exists(pk) AND n = :five)", true},
		{"(attribute_exists(pk) AND (n = :five))", true},
		{"(n = :five) AND ((s = :x) OR (s = :hello))", true},
		{"(n = :five) AND (NOT (s = :x))", true},
		{"(s = :hello) AND (begins_with(s, :he))", true},
		{"n = :true", false},
		{"n <> :true", true},
		{"t > :five", false},
		{"size(n) <> :five", true},
		{"size(t) > :one", false},
	}
	it := item(t, condItem)
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			t.Parallel()
			env := NewEnv(map[string]string{"#n": "n", "#m": "m", "#a": "a"}, values(t, vals))
			c, err := ParseCondition("ConditionExpression", tt.expr, env)
			if err != nil {
				t.Fatalf("ParseCondition(%q): %v", tt.expr, err)
			}
			got, err := c.Eval(it)
			if err != nil || got != tt.want {
				t.Errorf("Eval(%q) = %v, %v; want %v", tt.expr, got, err, tt.want)
			}
		})
	}
}

func TestConditionNoItem(t *testing.T) {
	t.Parallel()
	env := NewEnv(nil, values(t, `{":v": {"S": "x"}}`))
	c, err := ParseCondition("ConditionExpression", "attribute_not_exists(pk) AND NOT pk = :v", env)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := c.Eval(nil); !ok {
		t.Error("Eval(nil) = false, want true for attribute_not_exists on no item")
	}
}

func TestConditionErrors(t *testing.T) {
	t.Parallel()
	vals := `{":v": {"S": "a"}, ":n": {"N": "1"}, ":n2": {"N": "2"}, ":l": {"L": []}, ":t": {"S": "X"}, ":bool": {"BOOL": true}}`
	many := make([]string, 101)
	for i := range many {
		many[i] = ":v"
	}
	tests := []struct {
		name, expr, want string
	}{
		{"empty", "", "Invalid ConditionExpression: The expression can not be empty;"},
		{"blank", "  ", "Invalid ConditionExpression: The expression can not be empty;"},
		{"bare path", "a", `Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "a"`},
		{"two paths", "a b", `Invalid ConditionExpression: Syntax error; token: "b", near: "a b"`},
		{"dangling comparator", "a =", `Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "="`},
		{"double comparator", "a = = :v", `Invalid ConditionExpression: Syntax error; token: "=", near: "= = :v"`},
		{"bad char", "a = :v !", `Invalid ConditionExpression: Syntax error; token: "!", near: ":v !"`},
		{"AND without rhs", "a = :v AND", `Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "AND"`},
		{"unclosed paren", "(a = :v", `Invalid ConditionExpression: Syntax error; token: "<EOF>", near: ":v"`},
		{"operand as condition", "a = :v AND b", `Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "b"`},
		{"keyword as path", "and = :v", `Invalid ConditionExpression: Syntax error; token: "and", near: "and ="`},
		{"between missing and", "a BETWEEN :n :n2", `Invalid ConditionExpression: Syntax error; token: ":n2", near: ":n :n2"`},
		{"empty function", "size() = :n", `Invalid ConditionExpression: Syntax error; token: ")", near: "() ="`},
		{"reserved", "status = :v", "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status"},
		{"reserved nested", "a.Name = :v", "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: Name"},
		{"undefined value", "a = :nope", "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :nope"},
		{"undefined name", "#nope = :v", "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #nope"},
		{"unknown function", "foo(a)", "Invalid ConditionExpression: Invalid function name; function: foo"},
		{"update function", "if_not_exists(a, :v) = :v", "Invalid ConditionExpression: Invalid function name; function: if_not_exists"},
		{"arity", "attribute_exists(a, b)", "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2"},
		{"exists needs path", "attribute_exists(:v)", "Invalid ConditionExpression: Operator or function requires a document path; operator or function: attribute_exists"},
		{"begins_with type", "begins_with(a, :n)", "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"},
		{"size type", "size(:n) = :n", "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: size, operand type: N"},
		{"attribute_type name", "attribute_type(a, :t)", "Invalid ConditionExpression: Invalid attribute type name found; type: X, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}"},
		{"attribute_type type", "attribute_type(a, :n)", "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N"},
		{"misused function", "attribute_exists(a) = :v", "Invalid ConditionExpression: Syntax error; token: \"=\", near: \") = :v\""},
		{"function as operand", "a = attribute_exists(b)", "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: attribute_exists"},
		{"size as condition", "size(a)", "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: size"},
		{"size in AND", "size(a) AND a = :v", "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: size"},
		{"redundant parens", "((a = :v))", "Invalid ConditionExpression: The expression has redundant parentheses;"},
		{"redundant operand parens", "((a)) = :v", "Invalid ConditionExpression: The expression has redundant parentheses;"},
		{"same operands", "a = a", "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [a]"},
		{"same operands function", "contains(a.b, a.b)", "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: contains, first operand: [a, b]"},
		{"between types", "a BETWEEN :n AND :v", "Invalid ConditionExpression: The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:a}"},
		{"between order", "a BETWEEN :n2 AND :n", "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:2}, upper bound operand: AttributeValue: {N:1}"},
		{"too many IN", "a IN (" + strings.Join(many, ", ") + ")", "Invalid ConditionExpression: The IN operator is provided with too many operands; number of operands: 101"},
		{"ordering a BOOL", "a > :bool", "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: >, operand type: BOOL"},
		{"ordering a list, value first", ":l <= a", "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: <=, operand type: L"},
		{"ordering a BOOL behind OR", "attribute_not_exists(z) OR size(a) < :bool", "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: <, operand type: BOOL"},
		{"between BOOLs", "a BETWEEN :bool AND :bool", "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: BETWEEN, operand type: BOOL"},
		{"too long condition", "attribute_not_exists(a" + strings.Repeat("b", 4096) + ")", "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: 4119"},
		{"parens before reserved", "((status = :v))", "Invalid ConditionExpression: The expression has redundant parentheses;"},
		{"first condition's fault first", "attribute_exists(a, b) AND a = :nope", "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2"},
		{"first condition's fault first, reversed", "a = :nope AND attribute_exists(a, b)", "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :nope"},
		{"reserved before undefined", "status = :nope", "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := NewEnv(map[string]string{"#a": "a"}, values(t, vals))
			_, err := ParseCondition("ConditionExpression", tt.expr, env)
			if err == nil || err.Error() != tt.want {
				t.Errorf("ParseCondition(%q) error = %v\nwant %s", tt.expr, err, tt.want)
			}
		})
	}
}

func TestConditionInLimit(t *testing.T) {
	t.Parallel()
	ops := make([]string, 100)
	for i := range ops {
		ops[i] = fmt.Sprintf(":v%d", i)
	}
	vals := map[string]Value{}
	for _, o := range ops {
		vals[o] = Value{Type: TypeS, S: o}
	}
	c, err := ParseCondition("FilterExpression", "a IN ("+strings.Join(ops, ",")+")", NewEnv(nil, vals))
	if err != nil {
		t.Fatalf("IN with 100 operands: %v", err)
	}
	if ok, _ := c.Eval(Item{"a": {Type: TypeS, S: ":v99"}}); !ok {
		t.Error("IN: last operand did not match")
	}
}

func TestCheckUnused(t *testing.T) {
	t.Parallel()
	vals := values(t, `{":a": {"S": "a"}, ":b": {"S": "b"}, ":c": {"S": "c"}}`)
	env := NewEnv(map[string]string{"#x": "x", "#y": "y", "#z": "z"}, vals)
	if _, err := ParseCondition("ConditionExpression", "#x = :a", env); err != nil {
		t.Fatal(err)
	}
	want := "Value provided in ExpressionAttributeNames unused in expressions: keys: {#y, #z}"
	if err := env.CheckUnused(); err == nil || err.Error() != want {
		t.Fatalf("CheckUnused() = %v, want %s", err, want)
	}
	if _, err := ParseCondition("FilterExpression", "#y = :b AND #z = :b", env); err != nil {
		t.Fatal(err)
	}
	want = "Value provided in ExpressionAttributeValues unused in expressions: keys: {:c}"
	if err := env.CheckUnused(); err == nil || err.Error() != want {
		t.Fatalf("CheckUnused() = %v, want %s", err, want)
	}
	if _, err := ParseCondition("FilterExpression", "#y = :c", env); err != nil {
		t.Fatal(err)
	}
	if err := env.CheckUnused(); err != nil {
		t.Fatalf("CheckUnused() = %v, want nil", err)
	}
}

func TestCheckKeys(t *testing.T) {
	t.Parallel()
	v := Value{Type: TypeS, S: "x"}
	tests := []struct {
		name   string
		names  map[string]string
		values map[string]Value
		want   string
	}{
		{"valid", map[string]string{"#a_1": "a"}, map[string]Value{":v": v}, ""},
		{"name without #", map[string]string{"s": "status"}, nil, `ExpressionAttributeNames contains invalid key: Syntax error; key: "s"`},
		{"bare #", map[string]string{"#": "status"}, nil, `ExpressionAttributeNames contains invalid key: Syntax error; key: "#"`},
		{"value without :", nil, map[string]Value{"v": v}, `ExpressionAttributeValues contains invalid key: Syntax error; key: "v"`},
		{"value with dash", nil, map[string]Value{":a-b": v}, `ExpressionAttributeValues contains invalid key: Syntax error; key: ":a-b"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := NewEnv(tt.names, tt.values).CheckKeys()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("CheckKeys() = %v, want nil", err)
				}
				return
			}
			if err == nil || err.Error() != tt.want {
				t.Errorf("CheckKeys() = %v, want %s", err, tt.want)
			}
		})
	}
}
