package expr

import (
	"encoding/json"
	"testing"
)

// fuzzEnv is the placeholder set every fuzzed expression may use.
func fuzzEnv() *Env {
	return NewEnv(
		map[string]string{"#a": "a", "#b": "b", "#n": "n", "#s": "status"},
		map[string]Value{
			":s": {Type: TypeS, S: "x"}, ":n": {Type: TypeN, N: "1"}, ":n2": {Type: TypeN, N: "2"},
			":b": {Type: TypeB, B: []byte{1}}, ":ss": {Type: TypeSS, SS: []string{"x", "y"}},
			":ns": {Type: TypeNS, NS: []string{"1"}}, ":l": {Type: TypeL, L: []Value{{Type: TypeS, S: "x"}}},
			":m": {Type: TypeM, M: map[string]Value{"k": {Type: TypeN, N: "3"}}}, ":t": {Type: TypeS, S: "N"},
			":big": {Type: TypeN, N: "99999999999999999999999999999999999999"},
		})
}

const fuzzItem = `{"a": {"S": "xyz"}, "n": {"N": "5"}, "b": {"M": {"c": {"L": [{"N": "1"}, {"SS": ["x"]}]}}},
	"l": {"L": [{"S": "x"}, {"N": "2"}]}, "ss": {"SS": ["x", "z"]}, "ns": {"NS": ["1", "7"]}}`

func FuzzParseCondition(f *testing.F) {
	for _, s := range []string{
		"a = :s", "#a <> :n AND NOT (n BETWEEN :n AND :n2)", "attribute_not_exists(pk) OR #n = :n",
		"size(l) > :n", "contains(ss, :s) OR begins_with(a, :s)", "n IN (:n, :n2, :s)", "((a = :s))",
		"b.c[1] = :ss", "attribute_type(a, :t)", "a = a", "size(a)", "foo(a)", "a BETWEEN :n2 AND :n",
		"status = :s", "#undefined = :nope", "(a) = (:s)", "NOT NOT a = :s", "a = :s AND", "a[", "",
	} {
		f.Add(s)
	}
	it := item(f, fuzzItem)
	f.Fuzz(func(t *testing.T, s string) {
		for _, kind := range []string{"ConditionExpression", "KeyConditionExpression"} {
			c, err := ParseCondition(kind, s, fuzzEnv())
			if err != nil {
				if err.Error() == "" {
					t.Fatalf("ParseCondition(%q): empty error", s)
				}
				continue
			}
			if _, err := c.Eval(it); err != nil {
				t.Fatalf("Eval(%q): %v", s, err)
			}
			_, _ = c.Eval(nil)
		}
		_, _ = ParseKeyCondition(s, fuzzEnv(), "a", "n")
		if p, err := ParseProjection(s, fuzzEnv()); err == nil {
			_ = p.Apply(it)
		}
	})
}

func FuzzParseUpdate(f *testing.F) {
	for _, s := range []string{
		"SET #n = #n + :n, a = :s", "SET n = if_not_exists(n, :n) - :n2", "SET l = list_append(l, :l)",
		"REMOVE a, l[0], b.c[1]", "ADD n :n, ss :ss DELETE ns :ns", "SET b.c[5] = :m REMOVE l[1]",
		"SET a = :s SET a = :s", "SET a = :s REMOVE a.b", "SET x.y = :s", "ADD a :s", "SET n = n + :big",
		"SET a = (:s)", "DELETE ss :ss", "SET", "", "set a=:s remove n",
	} {
		f.Add(s)
	}
	it := item(f, fuzzItem)
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseUpdate(s, fuzzEnv())
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("ParseUpdate(%q): empty error", s)
			}
			return
		}
		before := itemJSON(it)
		if _, err := u.Apply(it); err != nil && err.Error() == "" {
			t.Fatalf("Apply(%q): empty error", s)
		}
		if itemJSON(it) != before {
			t.Fatalf("Apply(%q) modified its input", s)
		}
		_, _ = u.Apply(nil)
		_ = u.TopLevel()
	})
}

func FuzzValueJSON(f *testing.F) {
	for _, s := range []string{
		`{"S":"x"}`, `{"N":"1.50e3"}`, `{"B":"AQID"}`, `{"BOOL":true}`, `{"NULL":true}`, `{"NULL":false}`,
		`{"L":[{"S":"a"},{"N":"1"}]}`, `{"M":{"a":{"M":{}}}}`, `{"SS":["a","b"]}`, `{"SS":["a","a"]}`,
		`{"NS":["1","1.0"]}`, `{"BS":["AQ=="]}`, `{}`, `{"S":"a","N":"1"}`, `{"N":"1e126"}`, `{"N":"x"}`,
		`{"S":"\u00e9\n"}`, `{"X":{"y":[1,true,null]},"S":"a"}`, `[`, `{"L":[{}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var v Value
		if err := v.UnmarshalJSON(b); err != nil {
			if err.Error() == "" {
				t.Fatalf("UnmarshalJSON(%q): empty error", b)
			}
			return
		}
		out, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("Marshal(%+v): %v", v, err)
		}
		var w Value
		if err := w.UnmarshalJSON(out); err != nil {
			t.Fatalf("UnmarshalJSON(Marshal(UnmarshalJSON(%q)) = %s): %v", b, out, err)
		}
		if !Equal(v, w) {
			t.Fatalf("round trip of %q changed the value: %s", b, out)
		}
		_ = Item{"a": v}.Size()
	})
}
