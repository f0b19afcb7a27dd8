package expr

import (
	"encoding/json"
	"testing"
)

func legacyConds(t *testing.T, s string) map[string]LegacyCondition {
	t.Helper()
	var m map[string]LegacyCondition
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return m
}

func TestLegacyExpected(t *testing.T) {
	t.Parallel()
	it := item(t, `{"a": {"S": "abc"}, "n": {"N": "5"}, "ss": {"SS": ["x", "y"]}}`)
	tests := []struct {
		name, param, conds, op string
		want                   bool
	}{
		{"exists value", "Expected", `{"a": {"Value": {"S": "abc"}}}`, "", true},
		{"exists true value", "Expected", `{"a": {"Exists": true, "Value": {"S": "abd"}}}`, "", false},
		{"not exists", "Expected", `{"nope": {"Exists": false}}`, "", true},
		{"not exists present", "Expected", `{"a": {"Exists": false}}`, "", false},
		{"EQ", "Expected", `{"n": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "5.0"}]}}`, "", true},
		{"EQ with Value", "Expected", `{"n": {"ComparisonOperator": "EQ", "Value": {"N": "5"}}}`, "", true},
		{"NE missing", "Expected", `{"nope": {"ComparisonOperator": "NE", "AttributeValueList": [{"N": "5"}]}}`, "", true},
		{"LT", "QueryFilter", `{"n": {"ComparisonOperator": "LT", "AttributeValueList": [{"N": "6"}]}}`, "", true},
		{"GE", "ScanFilter", `{"n": {"ComparisonOperator": "GE", "AttributeValueList": [{"N": "6"}]}}`, "", false},
		{"NULL", "ScanFilter", `{"nope": {"ComparisonOperator": "NULL"}}`, "", true},
		{"NOT_NULL", "ScanFilter", `{"a": {"ComparisonOperator": "NOT_NULL"}}`, "", true},
		{"CONTAINS", "ScanFilter", `{"ss": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"S": "x"}]}}`, "", true},
		{"NOT_CONTAINS", "ScanFilter", `{"a": {"ComparisonOperator": "NOT_CONTAINS", "AttributeValueList": [{"S": "z"}]}}`, "", true},
		{"BEGINS_WITH", "ScanFilter", `{"a": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "ab"}]}}`, "", true},
		{"IN", "ScanFilter", `{"n": {"ComparisonOperator": "IN", "AttributeValueList": [{"N": "1"}, {"N": "5"}]}}`, "", true},
		{"BETWEEN", "ScanFilter", `{"n": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "1"}, {"N": "5"}]}}`, "", true},
		{"AND", "ScanFilter", `{"n": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "5"}]}, "a": {"ComparisonOperator": "NULL"}}`, "AND", false},
		{"OR", "ScanFilter", `{"n": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "5"}]}, "a": {"ComparisonOperator": "NULL"}}`, "OR", true},
		{"empty", "Expected", `{}`, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := LegacyExpected(tt.param, legacyConds(t, tt.conds), tt.op)
			if err != nil {
				t.Fatalf("LegacyExpected: %v", err)
			}
			if got, _ := c.Eval(it); got != tt.want {
				t.Errorf("Eval = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestLegacyExpectedErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, param, conds, want string }{
		{"operator alone", "Expected", `{"a": {"ComparisonOperator": "LT"}}`, "One or more parameter values were invalid: Value or AttributeValueList must be used with ComparisonOperator: LT for Attribute: a"},
		{"exists and operator", "Expected", `{"a": {"Exists": true, "ComparisonOperator": "LT"}}`, "One or more parameter values were invalid: Exists and ComparisonOperator cannot be used together for Attribute: a"},
		{"list alone", "Expected", `{"a": {"AttributeValueList": []}}`, "One or more parameter values were invalid: AttributeValueList can only be used with a ComparisonOperator for Attribute: a"},
		{"value and list", "Expected", `{"a": {"Value": {"S": "a"}, "AttributeValueList": []}}`, "One or more parameter values were invalid: Value and AttributeValueList cannot be used together for Attribute: a"},
		{"between one value", "Expected", `{"a": {"Value": {"S": "a"}, "ComparisonOperator": "BETWEEN"}}`, "One or more parameter values were invalid: Invalid number of argument(s) for the BETWEEN ComparisonOperator"},
		{"null with value", "Expected", `{"a": {"Value": {"S": "a"}, "ComparisonOperator": "NULL"}}`, "One or more parameter values were invalid: Invalid number of argument(s) for the NULL ComparisonOperator"},
		{"mixed types", "Expected", `{"a": {"ComparisonOperator": "IN", "AttributeValueList": [{"S": "b"}, {"N": "1"}]}}`, "One or more parameter values were invalid: AttributeValues inside AttributeValueList must be of same type"},
		{"between reversed", "Expected", `{"a": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"S": "b"}, {"S": "a"}]}}`, "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"},
		{"exists without value", "Expected", `{"a": {}}`, "One or more parameter values were invalid: Value must be provided when Exists is null for Attribute: a"},
		{"exists true without value", "Expected", `{"a": {"Exists": true}}`, "One or more parameter values were invalid: Value must be provided when Exists is true for Attribute: a"},
		{"exists false with value", "Expected", `{"a": {"Exists": false, "Value": {"S": "a"}}}`, "One or more parameter values were invalid: Value cannot be used when Exists is false for Attribute: a"},
		{"filter count", "ScanFilter", `{"a": {"ComparisonOperator": "EQ", "AttributeValueList": []}}`, "One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator"},
		{"filter type", "ScanFilter", `{"a": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"SS": ["a"]}]}}`, "One or more parameter values were invalid: ComparisonOperator CONTAINS is not valid for SS AttributeValue type"},
		{"filter bad operator", "QueryFilter", `{"a": {"ComparisonOperator": "XX", "AttributeValueList": []}}`, "1 validation error detected: Value 'XX' at 'queryFilter.a.member.comparisonOperator' failed to satisfy constraint: Member must satisfy enum value set: [EQ, NE, IN, LE, LT, GE, GT, BETWEEN, NOT_NULL, NULL, CONTAINS, NOT_CONTAINS, BEGINS_WITH]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := LegacyExpected(tt.param, legacyConds(t, tt.conds), "")
			if err == nil || err.Error() != tt.want {
				t.Errorf("LegacyExpected error = %v\nwant %s", err, tt.want)
			}
		})
	}
}

func TestLegacyKeyConditions(t *testing.T) {
	t.Parallel()
	kc, err := LegacyKeyConditions(legacyConds(t, `{
		"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "h"}]},
		"sk": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "ab"}]}
	}`), "pk", "sk")
	if err != nil {
		t.Fatal(err)
	}
	if kc.HashValue.S != "h" || kc.Sort == nil || kc.Sort.Op != "begins_with" {
		t.Errorf("KeyCondition = %+v %+v", kc, kc.Sort)
	}
	tests := []struct{ name, conds, want string }{
		{"missing hash", `{"sk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "h"}]}}`, "Query condition missed key schema element: pk"},
		{"hash not EQ", `{"pk": {"ComparisonOperator": "GT", "AttributeValueList": [{"S": "h"}]}}`, "Query key condition not supported"},
		{"not indexable", `{"pk": {"ComparisonOperator": "NE", "AttributeValueList": [{"S": "h"}]}}`, "Attempted conditional constraint is not an indexable operation"},
		{"count", `{"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "h"}, {"S": "i"}]}}`, "One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := LegacyKeyConditions(legacyConds(t, tt.conds), "pk", "sk")
			if err == nil || err.Error() != tt.want {
				t.Errorf("LegacyKeyConditions error = %v\nwant %s", err, tt.want)
			}
		})
	}
}

func TestLegacyAttributeUpdates(t *testing.T) {
	t.Parallel()
	decode := func(s string) map[string]LegacyUpdate {
		var m map[string]LegacyUpdate
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			t.Fatalf("decode %s: %v", s, err)
		}
		return m
	}
	old := item(t, `{"pk": {"S": "k"}, "n": {"N": "1"}, "ss": {"SS": ["a", "b"]}, "l": {"L": [{"S": "x"}]}, "gone": {"S": "g"}}`)
	u, err := LegacyAttributeUpdates(decode(`{
		"put": {"Value": {"S": "p"}},
		"n": {"Action": "ADD", "Value": {"N": "2"}},
		"cnt": {"Action": "ADD", "Value": {"N": "1"}},
		"ss": {"Action": "DELETE", "Value": {"SS": ["a"]}},
		"l": {"Action": "ADD", "Value": {"L": [{"S": "y"}]}},
		"gone": {"Action": "DELETE"}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	got, err := u.Apply(old)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"cnt":{"N":"1"},"l":{"L":[{"S":"x"},{"S":"y"}]},"n":{"N":"3"},"pk":{"S":"k"},"put":{"S":"p"},"ss":{"SS":["b"]}}`
	if itemJSON(got) != want {
		t.Errorf("Apply = %s\nwant %s", itemJSON(got), want)
	}
	mismatch, err := LegacyAttributeUpdates(decode(`{"pk": {"Action": "ADD", "Value": {"N": "1"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mismatch.Apply(old); err == nil || err.Error() != msgLegacyTypeMismatch {
		t.Errorf("ADD N to S: error = %v, want %s", err, msgLegacyTypeMismatch)
	}
	errs := []struct{ name, upd, want string }{
		{"put without value", `{"a": {"Action": "PUT"}}`, "One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified"},
		{"delete scalar", `{"a": {"Action": "DELETE", "Value": {"S": "x"}}}`, "One or more parameter values were invalid: DELETE action with value is not supported for the type S"},
		{"add string", `{"a": {"Action": "ADD", "Value": {"S": "x"}}}`, "One or more parameter values were invalid: ADD action is not supported for the type S"},
	}
	for _, tt := range errs {
		if _, err := LegacyAttributeUpdates(decode(tt.upd)); err == nil || err.Error() != tt.want {
			t.Errorf("%s: error = %v\nwant %s", tt.name, err, tt.want)
		}
	}
}
