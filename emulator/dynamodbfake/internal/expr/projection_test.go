package expr

import "testing"

func TestProjection(t *testing.T) {
	t.Parallel()
	const src = `{
		"a": {"S": "x"}, "b": {"N": "1"},
		"m": {"M": {"k": {"S": "v"}, "j": {"N": "2"}, "deep": {"M": {"z": {"BOOL": true}}}}},
		"l": {"L": [{"S": "l0"}, {"M": {"q": {"S": "w"}, "r": {"S": "t"}}}, {"S": "l2"}, {"S": "l3"}]}
	}`
	tests := []struct{ expr, want string }{
		{"a", `{"a":{"S":"x"}}`},
		{"a, b, nope", `{"a":{"S":"x"},"b":{"N":"1"}}`},
		{"m.k", `{"m":{"M":{"k":{"S":"v"}}}}`},
		{"m.k, m.deep.z", `{"m":{"M":{"deep":{"M":{"z":{"BOOL":true}}},"k":{"S":"v"}}}}`},
		{"m.nope", `{}`},
		{"l[2], l[0]", `{"l":{"L":[{"S":"l0"},{"S":"l2"}]}}`},
		{"l[1].q", `{"l":{"L":[{"M":{"q":{"S":"w"}}}]}}`},
		{"l[9]", `{}`},
		{"a.b", `{}`},
		{"#m.#k", `{"m":{"M":{"k":{"S":"v"}}}}`},
	}
	it := item(t, src)
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			t.Parallel()
			p, err := ParseProjection(tt.expr, NewEnv(map[string]string{"#m": "m", "#k": "k"}, nil))
			if err != nil {
				t.Fatalf("ParseProjection(%q): %v", tt.expr, err)
			}
			if got := itemJSON(p.Apply(it)); got != tt.want {
				t.Errorf("Apply(%q) = %s, want %s", tt.expr, got, tt.want)
			}
		})
	}
}

func TestProjectionErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, expr, want string }{
		{"empty", "", "Invalid ProjectionExpression: The expression can not be empty;"},
		{"trailing comma", "a,", `Invalid ProjectionExpression: Syntax error; token: "<EOF>", near: ","`},
		{"space separated", "a b", `Invalid ProjectionExpression: Syntax error; token: "b", near: "a b"`},
		{"reserved", "a, name", "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: name"},
		{"overlap", "a, a.b", "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]"},
		{"conflict", "a[0], a.b", "Invalid ProjectionExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, [0]], path two: [a, b]"},
		{"undefined", "#x", "Invalid ProjectionExpression: An expression attribute name used in the document path is not defined; attribute name: #x"},
		{"bad index", "a[x]", `Invalid ProjectionExpression: Syntax error; token: "x", near: "[x]"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseProjection(tt.expr, NewEnv(nil, nil))
			if err == nil || err.Error() != tt.want {
				t.Errorf("ParseProjection(%q) error = %v\nwant %s", tt.expr, err, tt.want)
			}
		})
	}
}

func TestLegacyAttributesToGet(t *testing.T) {
	t.Parallel()
	it := item(t, `{"a": {"S": "x"}, "status": {"N": "1"}, "c": {"N": "2"}}`)
	got := itemJSON(LegacyAttributesToGet([]string{"status", "a", "nope"}).Apply(it))
	if want := `{"a":{"S":"x"},"status":{"N":"1"}}`; got != want {
		t.Errorf("Apply = %s, want %s", got, want)
	}
}
