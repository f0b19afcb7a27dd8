package expr

import (
	"strings"
	"testing"
)

const updItem = `{
	"pk": {"S": "p1"},
	"c": {"N": "5"},
	"s": {"S": "x"},
	"ss": {"SS": ["a", "b"]},
	"ns": {"NS": ["1", "2"]},
	"bs": {"BS": ["AQ=="]},
	"l": {"L": [{"N": "0"}, {"N": "1"}, {"N": "2"}, {"N": "3"}]},
	"m": {"M": {"a": {"N": "1"}, "inr": {"M": {"x": {"S": "y"}}}, "lst": {"L": [{"N": "1"}, {"N": "2"}]}}}
}`

const updVals = `{
	":one": {"N": "1"}, ":two": {"N": "2"}, ":s": {"S": "new"}, ":l": {"L": [{"S": "z"}]},
	":ssa": {"SS": ["a", "c"]}, ":ssab": {"SS": ["a", "b"]}, ":nsa": {"NS": ["2", "3"]}, ":bsa": {"BS": ["Ag=="]},
	":frac": {"N": "0.5"}, ":m": {"M": {"k": {"S": "v"}}}, ":ss1": {"SS": ["q"]}, ":bs1": {"BS": ["AQ=="]}
}`

func TestUpdateApply(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, expr string
		want       string // the changed attributes, as DynamoDB JSON; the others must be unchanged
		gone       []string
	}{
		{name: "set value", expr: "SET s = :s", want: `{"s":{"S":"new"}}`},
		{name: "set new", expr: "SET nw = :s", want: `{"nw":{"S":"new"}}`},
		{name: "increment", expr: "SET c = c + :one", want: `{"c":{"N":"6"}}`},
		{name: "decrement", expr: "SET c = c - :frac", want: `{"c":{"N":"4.5"}}`},
		{name: "value minus path", expr: "SET c = :one - c", want: `{"c":{"N":"-4"}}`},
		{name: "parenthesised", expr: "SET c = (c + :one)", want: `{"c":{"N":"6"}}`},
		{name: "copy path", expr: "SET d = c", want: `{"d":{"N":"5"}}`},
		{name: "operands read the old item", expr: "SET c = :two, d = c", want: `{"c":{"N":"2"},"d":{"N":"5"}}`},
		{name: "if_not_exists missing", expr: "SET nw = if_not_exists(nw, :one)", want: `{"nw":{"N":"1"}}`},
		{name: "if_not_exists present", expr: "SET c = if_not_exists(c, :one)", want: `{"c":{"N":"5"}}`},
		{name: "counter from nothing", expr: "SET nw = if_not_exists(nw, :one) + :one", want: `{"nw":{"N":"2"}}`},
		{name: "list_append", expr: "SET l = list_append(l, :l)", want: `{"l":{"L":[{"N":"0"},{"N":"1"},{"N":"2"},{"N":"3"},{"S":"z"}]}}`},
		{name: "list_append front", expr: "SET l = list_append(:l, l)", want: `{"l":{"L":[{"S":"z"},{"N":"0"},{"N":"1"},{"N":"2"},{"N":"3"}]}}`},
		{name: "nested map set", expr: "SET m.a = :two, m.inr.x = :s", want: `{"m":{"M":{"a":{"N":"2"},"inr":{"M":{"x":{"S":"new"}}},"lst":{"L":[{"N":"1"},{"N":"2"}]}}}}`},
		{name: "nested new key", expr: "SET m.b = :m", want: `{"m":{"M":{"a":{"N":"1"},"b":{"M":{"k":{"S":"v"}}},"inr":{"M":{"x":{"S":"y"}}},"lst":{"L":[{"N":"1"},{"N":"2"}]}}}}`},
		{name: "list index set", expr: "SET l[1] = :s", want: `{"l":{"L":[{"N":"0"},{"S":"new"},{"N":"2"},{"N":"3"}]}}`},
		{name: "list index past end appends", expr: "SET l[10] = :s", want: `{"l":{"L":[{"N":"0"},{"N":"1"},{"N":"2"},{"N":"3"},{"S":"new"}]}}`},
		{name: "remove", expr: "REMOVE s, nope", gone: []string{"s"}, want: `{}`},
		{name: "remove nested", expr: "REMOVE m.inr", want: `{"m":{"M":{"a":{"N":"1"},"lst":{"L":[{"N":"1"},{"N":"2"}]}}}}`},
		{name: "remove list elements", expr: "REMOVE l[1], l[2]", want: `{"l":{"L":[{"N":"0"},{"N":"3"}]}}`},
		{name: "remove list elements reversed", expr: "REMOVE l[2], l[0]", want: `{"l":{"L":[{"N":"1"},{"N":"3"}]}}`},
		{name: "remove past end", expr: "REMOVE l[9]", want: `{}`},
		{name: "add number", expr: "ADD c :two", want: `{"c":{"N":"7"}}`},
		{name: "add creates number", expr: "ADD nw :two", want: `{"nw":{"N":"2"}}`},
		{name: "add set union", expr: "ADD ss :ssa", want: `{"ss":{"SS":["a","b","c"]}}`},
		{name: "add number set", expr: "ADD ns :nsa", want: `{"ns":{"NS":["1","2","3"]}}`},
		{name: "add binary set", expr: "ADD bs :bsa", want: `{"bs":{"BS":["AQ==","Ag=="]}}`},
		{name: "add creates set", expr: "ADD nw :ssa", want: `{"nw":{"SS":["a","c"]}}`},
		{name: "delete from set", expr: "DELETE ss :ssa", want: `{"ss":{"SS":["b"]}}`},
		{name: "delete number set", expr: "DELETE ns :nsa", want: `{"ns":{"NS":["1"]}}`},
		{name: "delete empties set", expr: "DELETE ss :ssab", gone: []string{"ss"}, want: `{}`},
		{name: "delete missing", expr: "DELETE nope :ssa", want: `{}`},
		{name: "all clauses any order", expr: "remove s add c :one SET nw = :s delete ss :ssa", gone: []string{"s"}, want: `{"c":{"N":"6"},"nw":{"S":"new"},"ss":{"SS":["b"]}}`},
		{name: "placeholders", expr: "SET #c = #c + :one", want: `{"c":{"N":"6"}}`},
		{name: "delete binary set", expr: "DELETE bs :bsa", want: `{}`},
		{name: "delete empties binary set", expr: "DELETE bs :bs1", gone: []string{"bs"}, want: `{}`},
		{name: "remove nested in list", expr: "REMOVE m.lst[0], l[3]", want: `{"l":{"L":[{"N":"0"},{"N":"1"},{"N":"2"}]},"m":{"M":{"a":{"N":"1"},"inr":{"M":{"x":{"S":"y"}}},"lst":{"L":[{"N":"2"}]}}}}`},
		{name: "set inside list element", expr: "SET m.lst[1] = :s", want: `{"m":{"M":{"a":{"N":"1"},"inr":{"M":{"x":{"S":"y"}}},"lst":{"L":[{"N":"1"},{"S":"new"}]}}}}`},
		{name: "remove missing map key", expr: "REMOVE m.nope", want: `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			old := item(t, updItem)
			before := itemJSON(old)
			u, err := ParseUpdate(tt.expr, NewEnv(map[string]string{"#c": "c"}, values(t, updVals)))
			if err != nil {
				t.Fatalf("ParseUpdate(%q): %v", tt.expr, err)
			}
			got, err := u.Apply(old)
			if err != nil {
				t.Fatalf("Apply(%q): %v", tt.expr, err)
			}
			if after := itemJSON(old); after != before {
				t.Fatalf("Apply modified its input:\n%s\nwas\n%s", after, before)
			}
			want := item(t, updItem)
			for k, v := range item(t, tt.want) {
				want[k] = v
			}
			for _, k := range tt.gone {
				delete(want, k)
			}
			if itemJSON(got) != itemJSON(want) {
				t.Errorf("Apply(%q) =\n%s\nwant\n%s", tt.expr, itemJSON(got), itemJSON(want))
			}
		})
	}
}

func TestUpdateNewItem(t *testing.T) {
	t.Parallel()
	u, err := ParseUpdate("SET a = :one ADD n :one, s :ssa", NewEnv(nil, values(t, updVals)))
	if err != nil {
		t.Fatal(err)
	}
	got, err := u.Apply(nil)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"a":{"N":"1"},"n":{"N":"1"},"s":{"SS":["a","c"]}}`
	if itemJSON(got) != want {
		t.Errorf("Apply(nil) = %s, want %s", itemJSON(got), want)
	}
	if got, want := u.TopLevel(), []string{"a", "n", "s"}; len(got) != 3 || got[0] != want[0] || got[2] != want[2] {
		t.Errorf("TopLevel() = %v, want %v", got, want)
	}
}

func TestUpdateRuntimeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, expr, want string }{
		{"missing parent", "SET nope.a = :one", msgInvalidPath},
		{"index into map", "SET m[0] = :one", msgInvalidPath},
		{"key into list", "SET l.a = :one", msgInvalidPath},
		{"key into scalar", "SET s.a = :one", msgInvalidPath},
		{"missing list element parent", "SET l[9].a = :one", msgInvalidPath},
		{"missing operand", "SET a = nope", msgMissingOperand},
		{"missing arithmetic operand", "SET a = nope + :one", msgMissingOperand},
		{"arithmetic on string", "SET a = s + :one", msgOperandType},
		{"list_append on string", "SET a = list_append(s, :l)", msgOperandType},
		{"add to string", "ADD s :one", msgOperandType},
		{"add set to number", "ADD c :ssa", msgOperandType},
		{"add number set to string set", "ADD ss :nsa", msgOperandType},
		{"delete wrong set type", "DELETE ss :nsa", msgOperandType},
		{"remove through scalar", "REMOVE s.a", msgInvalidPath},
		{"add nested missing parent", "ADD nope.a :one", msgInvalidPath},
		{"overflow", "SET c = c + :big", msgNumOverflow},
		{"too deep", "SET m.inr.x = :deep", msgNesting},
	}
	vals := values(t, updVals)
	deep := Value{Type: TypeS, S: "leaf"}
	for range 30 {
		deep = Value{Type: TypeM, M: map[string]Value{"n": deep}}
	}
	vals[":deep"] = deep // 31 levels: at m.inr.x (level 3) its leaf would sit at level 33
	vals[":big"] = Value{Type: TypeN, N: strings.Repeat("9", 38) + strings.Repeat("0", 88)}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			u, err := ParseUpdate(tt.expr, NewEnv(nil, vals))
			if err != nil {
				t.Fatalf("ParseUpdate(%q): %v", tt.expr, err)
			}
			if tt.name == "overflow" {
				if _, err := u.Apply(Item{"c": {Type: TypeN, N: vals[":big"].N}}); err == nil || err.Error() != tt.want {
					t.Fatalf("Apply(%q) error = %v, want %s", tt.expr, err, tt.want)
				}
				return
			}
			if _, err := u.Apply(item(t, updItem)); err == nil || err.Error() != tt.want {
				t.Errorf("Apply(%q) error = %v, want %s", tt.expr, err, tt.want)
			}
		})
	}
}

func TestUpdateParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, expr, want string }{
		{"empty", "", "Invalid UpdateExpression: The expression can not be empty;"},
		{"clause only", "SET", `Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "SET"`},
		{"no value", "SET a", `Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "a"`},
		{"no value after equals", "SET a =", `Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "="`},
		{"dangling plus", "SET a = b +", `Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "+"`},
		{"division", "SET a = b / :one", `Invalid UpdateExpression: Syntax error; token: "/", near: "b / :one"`},
		{"no clause", "a = :one", `Invalid UpdateExpression: Syntax error; token: "a", near: "a ="`},
		{"trailing comma", "SET a = :one,", `Invalid UpdateExpression: Syntax error; token: "<EOF>", near: ","`},
		{"add without value", "ADD a", `Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "a"`},
		{"add path value", "ADD a b", `Invalid UpdateExpression: Syntax error; token: "b", near: "a b"`},
		{"section twice", "SET a = :one SET b = :one", `Invalid UpdateExpression: The "SET" section can only be used once in an update expression;`},
		{"overlap", "SET a = :one REMOVE a.b", "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]"},
		{"same path", "SET a = :one, a = :two", "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"},
		{"overlap index", "SET l[0] = :one REMOVE l[0].b", "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [l, [0]], path two: [l, [0], b]"},
		{"conflict", "SET a.b = :one REMOVE a[0]", "Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a, [0]]"},
		{"no overlap", "SET a.b = :one, a.c = :two, l[0] = :one, l[1] = :two", ""},
		{"reserved", "SET status = :one", "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status"},
		{"undefined value", "SET a = :nope", "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :nope"},
		{"undefined name", "SET #nope = :one", "Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: #nope"},
		{"unknown function", "SET a = foo(b)", "Invalid UpdateExpression: Invalid function name; function: foo"},
		{"condition function", "SET a = size(b)", "Invalid UpdateExpression: Invalid function name; function: size"},
		{"if_not_exists arity", "SET a = if_not_exists(:one)", "Invalid UpdateExpression: Incorrect number of operands for operator or function; operator or function: if_not_exists, number of operands: 1"},
		{"if_not_exists path", "SET a = if_not_exists(:one, :two)", "Invalid UpdateExpression: Operator or function requires a document path; operator or function: if_not_exists"},
		{"list_append type", "SET a = list_append(:s, a)", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append, operand type: S"},
		{"plus type", "SET a = a + :s", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: +, operand type: S"},
		{"add string", "ADD a :s", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING"},
		{"add list", "ADD a :l", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: LIST"},
		{"delete number", "DELETE a :one", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER"},
		{"too long", "SET a" + strings.Repeat("b", 4096) + " = :one", "Invalid UpdateExpression: Expression size has exceeded the maximum allowed size;"},
		{"reserved before section", "SET a = :one SET status = :one", "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseUpdate(tt.expr, NewEnv(nil, values(t, updVals)))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("ParseUpdate(%q): %v", tt.expr, err)
				}
				return
			}
			if err == nil || err.Error() != tt.want {
				t.Errorf("ParseUpdate(%q) error = %v\nwant %s", tt.expr, err, tt.want)
			}
		})
	}
}
