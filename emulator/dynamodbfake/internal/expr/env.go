package expr

import (
	"slices"
	"strings"
)

// Env holds one request's ExpressionAttributeNames and
// ExpressionAttributeValues and records which of them its expressions use.
// Build one per request with NewEnv, parse every expression of the request
// with it, then call CheckUnused. An Env is not safe for concurrent use.
type Env struct {
	names      map[string]string
	values     map[string]Value
	usedNames  []string // placeholders used, each once
	usedValues []string
	nameBuf    [4]string
	valueBuf   [4]string
}

// NewEnv returns an Env over the request's placeholder maps; either may be
// nil. The maps are not copied and must not change while the Env is in use.
func NewEnv(names map[string]string, values map[string]Value) *Env {
	e := &Env{names: names, values: values}
	e.usedNames, e.usedValues = e.nameBuf[:0], e.valueBuf[:0]
	return e
}

// name resolves a #name placeholder, recording its use.
func (e *Env) name(p string) (string, bool) {
	if e == nil {
		return "", false
	}
	n, ok := e.names[p]
	if ok && !slices.Contains(e.usedNames, p) {
		e.usedNames = append(e.usedNames, p)
	}
	return n, ok
}

// value resolves a :value placeholder, recording its use.
func (e *Env) value(p string) (Value, bool) {
	if e == nil {
		return Value{}, false
	}
	v, ok := e.values[p]
	if ok && !slices.Contains(e.usedValues, p) {
		e.usedValues = append(e.usedValues, p)
	}
	return v, ok
}

// CheckKeys returns AWS's error for a placeholder whose name is not a
// placeholder: ExpressionAttributeNames keys must be # and ExpressionAttributeValues
// keys : followed by letters, digits or underscores ("ExpressionAttributeNames
// contains invalid key: Syntax error; key: \"s\""). Keys are checked in
// sorted order, names first.
func (e *Env) CheckKeys() error {
	if e == nil {
		return nil
	}
	for _, k := range sortedKeys(e.names) {
		if !validPlaceholder(k, '#') {
			return errorf("ExpressionAttributeNames contains invalid key: Syntax error; key: \"%s\"", k)
		}
	}
	for _, k := range sortedKeys(e.values) {
		if !validPlaceholder(k, ':') {
			return errorf("ExpressionAttributeValues contains invalid key: Syntax error; key: \"%s\"", k)
		}
	}
	return nil
}

func validPlaceholder(k string, lead byte) bool {
	if len(k) < 2 || k[0] != lead {
		return false
	}
	for i := 1; i < len(k); i++ {
		if !isIdentPart(k[i]) {
			return false
		}
	}
	return true
}

// CheckUnused returns AWS's error when a placeholder in
// ExpressionAttributeNames or ExpressionAttributeValues was not used by any
// expression parsed with e: "Value provided in ExpressionAttributeNames
// unused in expressions: keys: {#a, #b}" (names are checked first; keys in
// sorted order).
func (e *Env) CheckUnused() error {
	if e == nil {
		return nil
	}
	if keys := unused(e.names, e.usedNames); keys != "" {
		return errorf("Value provided in ExpressionAttributeNames unused in expressions: keys: {%s}", keys)
	}
	if keys := unused(e.values, e.usedValues); keys != "" {
		return errorf("Value provided in ExpressionAttributeValues unused in expressions: keys: {%s}", keys)
	}
	return nil
}

func unused[V any](all map[string]V, used []string) string {
	if len(used) == len(all) {
		return ""
	}
	var out []string
	for _, k := range sortedKeys(all) {
		if !slices.Contains(used, k) {
			out = append(out, k)
		}
	}
	return strings.Join(out, ", ")
}
