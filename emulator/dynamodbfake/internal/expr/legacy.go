package expr

import (
	"strings"
)

// LegacyCondition decodes one entry of Expected, QueryFilter, ScanFilter or
// KeyConditions: a ComparisonOperator with its AttributeValueList, or (in
// Expected only) the older Exists/Value form.
type LegacyCondition struct {
	AttributeValueList []Value `json:"AttributeValueList,omitempty"`
	ComparisonOperator string  `json:"ComparisonOperator,omitempty"`
	Value              *Value  `json:"Value,omitempty"`
	Exists             *bool   `json:"Exists,omitempty"`
}

// LegacyUpdate decodes one entry of AttributeUpdates.
type LegacyUpdate struct {
	Action string `json:"Action,omitempty"` // PUT (default), ADD, DELETE
	Value  *Value `json:"Value,omitempty"`
}

const msgLegacyTypeMismatch = "Type mismatch for attribute to update"

var comparisonOperators = []string{"EQ", "NE", "IN", "LE", "LT", "GE", "GT", "BETWEEN", "NOT_NULL", "NULL", "CONTAINS", "NOT_CONTAINS", "BEGINS_WITH"}

// argCountOK reports whether n values suit the operator.
func argCountOK(op string, n int) bool {
	switch op {
	case "NULL", "NOT_NULL":
		return n == 0
	case "IN":
		return n >= 1
	case "BETWEEN":
		return n == 2
	}
	return n == 1
}

// filterTypes are the AttributeValue types each operator accepts in
// QueryFilter, ScanFilter and KeyConditions.
var filterTypes = map[string]string{
	"EQ": "S N B SS NS BS", "NE": "S N B SS NS BS",
	"LE": "S N B", "LT": "S N B", "GE": "S N B", "GT": "S N B",
	"CONTAINS": "S N B", "NOT_CONTAINS": "S N B", "BEGINS_WITH": "S B",
	"IN": "S N B", "BETWEEN": "S N B",
}

func invalidParam(format string, args ...any) error {
	return errorf(msgInvalidPrefix+format, args...)
}

func enumError(param, value string) error {
	return errorf("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]", value, param, strings.Join(comparisonOperators, ", "))
}

// checkList checks an AttributeValueList: one type, BETWEEN bounds in order.
func checkList(op string, vals []Value) error {
	for _, v := range vals[min(1, len(vals)):] {
		if v.Type != vals[0].Type {
			return invalidParam("AttributeValues inside AttributeValueList must be of same type")
		}
	}
	if op == "BETWEEN" && len(vals) == 2 {
		if c, ok := compareScalars(vals[0], vals[1]); ok && c > 0 {
			return errorf("The BETWEEN condition was provided a range where the lower bound is greater than the upper bound")
		}
	}
	return nil
}

// checkFilterCondition validates one QueryFilter, ScanFilter or
// KeyConditions entry as AWS does.
func checkFilterCondition(param, name string, c LegacyCondition) error {
	if !validOperator(c.ComparisonOperator) {
		return enumError(param+"."+name+".member.comparisonOperator", c.ComparisonOperator)
	}
	if !argCountOK(c.ComparisonOperator, len(c.AttributeValueList)) {
		return invalidParam("Invalid number of argument(s) for the %s ComparisonOperator", c.ComparisonOperator)
	}
	if err := checkList("", c.AttributeValueList); err != nil {
		return err
	}
	if allowed, ok := filterTypes[c.ComparisonOperator]; ok {
		for _, v := range c.AttributeValueList {
			if !strings.Contains(" "+allowed+" ", " "+v.Type.String()+" ") {
				return invalidParam("ComparisonOperator %s is not valid for %s AttributeValue type", c.ComparisonOperator, v.Type)
			}
		}
	}
	return checkList(c.ComparisonOperator, c.AttributeValueList)
}

// lowerFirst spells a parameter name as AWS's validation messages do:
// "QueryFilter" is "queryFilter".
func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func validOperator(op string) bool {
	for _, o := range comparisonOperators {
		if o == op {
			return true
		}
	}
	return false
}

// checkExpected validates one Expected entry as AWS does, returning the
// operator and values it amounts to.
func checkExpected(name string, c LegacyCondition) (string, []Value, error) {
	if c.AttributeValueList != nil && c.Value != nil {
		return "", nil, invalidParam("Value and AttributeValueList cannot be used together for Attribute: %s", name)
	}
	if c.ComparisonOperator != "" {
		if c.Exists != nil {
			return "", nil, invalidParam("Exists and ComparisonOperator cannot be used together for Attribute: %s", name)
		}
		op := c.ComparisonOperator
		if !validOperator(op) {
			return "", nil, enumError("expected."+name+".member.comparisonOperator", op)
		}
		if op != "NULL" && op != "NOT_NULL" && c.AttributeValueList == nil && c.Value == nil {
			return "", nil, invalidParam("Value or AttributeValueList must be used with ComparisonOperator: %s for Attribute: %s", op, name)
		}
		vals := c.AttributeValueList
		if c.Value != nil {
			vals = []Value{*c.Value}
		}
		if !argCountOK(op, len(vals)) {
			return "", nil, invalidParam("Invalid number of argument(s) for the %s ComparisonOperator", op)
		}
		if err := checkList(op, vals); err != nil {
			return "", nil, err
		}
		return op, vals, nil
	}
	if c.AttributeValueList != nil {
		return "", nil, invalidParam("AttributeValueList can only be used with a ComparisonOperator for Attribute: %s", name)
	}
	exists := c.Exists == nil || *c.Exists
	switch {
	case exists && c.Value == nil:
		state := "null"
		if c.Exists != nil {
			state = "true"
		}
		return "", nil, invalidParam("Value must be provided when Exists is %s for Attribute: %s", state, name)
	case !exists && c.Value != nil:
		return "", nil, invalidParam("Value cannot be used when Exists is false for Attribute: %s", name)
	case !exists:
		return "NULL", nil, nil
	}
	return "EQ", []Value{*c.Value}, nil
}

// legacyNode compiles one legacy condition on top-level attribute name.
func legacyNode(name, op string, vals []Value) *node {
	attr := &node{kind: nPath, path: path{{name: name, index: -1}}}
	args := []*node{attr}
	for _, v := range vals {
		args = append(args, &node{kind: nValue, val: &v})
	}
	switch op {
	case "EQ", "NE", "LT", "LE", "GT", "GE":
		code := map[string]uint8{"EQ": cmpEQ, "NE": cmpNE, "LT": cmpLT, "LE": cmpLE, "GT": cmpGT, "GE": cmpGE}[op]
		return &node{kind: nCmp, code: code, args: args}
	case "NULL":
		return &node{kind: nFunc, code: fnAttributeNotExists, fn: "attribute_not_exists", args: args[:1]}
	case "NOT_NULL":
		return &node{kind: nFunc, code: fnAttributeExists, fn: "attribute_exists", args: args[:1]}
	case "CONTAINS":
		return &node{kind: nFunc, code: fnContains, fn: "contains", args: args}
	case "NOT_CONTAINS":
		return &node{kind: nNot, args: []*node{{kind: nFunc, code: fnContains, fn: "contains", args: args}}}
	case "BEGINS_WITH":
		return &node{kind: nFunc, code: fnBeginsWith, fn: "begins_with", args: args}
	case "IN":
		return &node{kind: nIn, args: args}
	case "BETWEEN":
		return &node{kind: nBetween, args: args}
	}
	return nil
}

// LegacyExpected compiles Expected (param "Expected"), QueryFilter or
// ScanFilter to a Condition, validating each entry with AWS's messages
// (wrong argument counts, mixed forms, mixed types, reversed BETWEEN
// bounds). conditionalOperator is "", "AND" (the default) or "OR". An empty
// map gives a Condition that every item satisfies.
func LegacyExpected(param string, conds map[string]LegacyCondition, conditionalOperator string) (*Condition, error) {
	switch conditionalOperator {
	case "", "AND", "OR":
	default:
		return nil, errorf("1 validation error detected: Value '%s' at 'conditionalOperator' failed to satisfy constraint: Member must satisfy enum value set: [AND, OR]", conditionalOperator)
	}
	var root *node
	for _, name := range sortedKeys(conds) {
		c := conds[name]
		var op string
		var vals []Value
		if param == "Expected" {
			var err error
			if op, vals, err = checkExpected(name, c); err != nil {
				return nil, err
			}
		} else {
			if err := checkFilterCondition(lowerFirst(param), name, c); err != nil {
				return nil, err
			}
			op, vals = c.ComparisonOperator, c.AttributeValueList
		}
		n := legacyNode(name, op, vals)
		switch {
		case root == nil:
			root = n
		case conditionalOperator == "OR":
			root = &node{kind: nOr, args: []*node{root, n}}
		default:
			root = &node{kind: nAnd, args: []*node{root, n}}
		}
	}
	return &Condition{root: root}, nil
}

// LegacyKeyConditions compiles the KeyConditions of a Query for a key of
// hashKey and, if not empty, rangeKey, with AWS's validation.
func LegacyKeyConditions(conds map[string]LegacyCondition, hashKey, rangeKey string) (*KeyCondition, error) {
	var kcs []keyCond
	for _, name := range sortedKeys(conds) {
		c := conds[name]
		if err := checkFilterCondition("keyConditions", name, c); err != nil {
			return nil, err
		}
		kcs = append(kcs, keyCond{name: name, op: c.ComparisonOperator, values: c.AttributeValueList})
	}
	return keyConditionFrom(kcs, hashKey, rangeKey)
}

// LegacyAttributeUpdates compiles AttributeUpdates to an Update: PUT is
// SET, DELETE without a value is REMOVE, DELETE with a set removes members,
// ADD adds to a number or set (or appends to a list). Type mismatches at
// apply time carry AWS's legacy message, "Type mismatch for attribute to
// update".
func LegacyAttributeUpdates(upd map[string]LegacyUpdate) (*Update, error) {
	var actions []action
	for _, name := range sortedKeys(upd) {
		u := upd[name]
		a := action{path: path{{name: name, index: -1}}, legacy: true}
		if u.Value == nil && u.Action != "DELETE" {
			return nil, invalidParam("Only DELETE action is allowed when no attribute value is specified")
		}
		switch u.Action {
		case "", "PUT":
			a.kind = aSet
		case "DELETE":
			a.kind = aRemove
			if u.Value != nil {
				switch u.Value.Type {
				case TypeSS, TypeNS, TypeBS:
					a.kind = aDelete
				default:
					return nil, invalidParam("DELETE action with value is not supported for the type %s", u.Value.Type)
				}
			}
		case "ADD":
			a.kind = aAdd
			switch u.Value.Type {
			case TypeN, TypeSS, TypeNS, TypeBS, TypeL:
			default:
				return nil, invalidParam("ADD action is not supported for the type %s", u.Value.Type)
			}
		default:
			return nil, errorf("1 validation error detected: Value '%s' at 'attributeUpdates.%s.member.action' failed to satisfy constraint: Member must satisfy enum value set: [ADD, PUT, DELETE]", u.Action, name)
		}
		if u.Value != nil {
			a.value = &node{kind: nValue, val: u.Value}
		}
		actions = append(actions, a)
	}
	return (&Update{}).init(actions), nil
}
