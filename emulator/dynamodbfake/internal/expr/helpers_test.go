package expr

import (
	"encoding/json"
	"testing"
)

// item decodes a DynamoDB JSON attribute map for a test.
func item(t testing.TB, s string) Item {
	t.Helper()
	var it Item
	if err := json.Unmarshal([]byte(s), &it); err != nil {
		t.Fatalf("decode item %s: %v", s, err)
	}
	return it
}

// values decodes a DynamoDB JSON map of placeholder values for a test.
func values(t testing.TB, s string) map[string]Value {
	t.Helper()
	if s == "" {
		return nil
	}
	var m map[string]Value
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("decode values %s: %v", s, err)
	}
	return m
}

func itemJSON(it Item) string {
	if it == nil {
		return "null"
	}
	return string(it.AppendJSON(nil))
}
