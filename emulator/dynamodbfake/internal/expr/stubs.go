package expr

// Projection is a parsed ProjectionExpression (or legacy AttributesToGet).
type Projection struct {
	paths []path
}

// KeyCondition is a parsed KeyConditionExpression (or legacy KeyConditions)
// of a Query: equality on the hash key and an optional sort-key condition.
type KeyCondition struct {
	HashName  string
	HashValue Value
	Sort      *SortCondition // nil: no sort-key condition
}

// SortCondition is the sort-key part of a KeyCondition.
type SortCondition struct {
	Name   string
	Op     string  // "=", "<", "<=", ">", ">=", "BETWEEN", "begins_with"
	Values []Value // 1 value, 2 for BETWEEN
}

// LegacyCondition decodes one entry of Expected, QueryFilter, ScanFilter or
// KeyConditions.
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

var errTODO = errorf("not implemented yet")

// ParseProjection parses a ProjectionExpression.
func ParseProjection(s string, env *Env) (*Projection, error) { return nil, errTODO }

// Apply returns the projected item.
func (p *Projection) Apply(item Item) Item { return item }

// ParseKeyCondition parses a KeyConditionExpression.
func ParseKeyCondition(s string, env *Env, hashKey, rangeKey string) (*KeyCondition, error) {
	return nil, errTODO
}

// Match reports whether sort-key value v satisfies the condition.
func (s *SortCondition) Match(v Value) bool { return false }

// LegacyExpected compiles Expected, QueryFilter or ScanFilter.
func LegacyExpected(param string, conds map[string]LegacyCondition, conditionalOperator string) (*Condition, error) {
	return nil, errTODO
}

// LegacyKeyConditions compiles KeyConditions.
func LegacyKeyConditions(conds map[string]LegacyCondition, hashKey, rangeKey string) (*KeyCondition, error) {
	return nil, errTODO
}

// LegacyAttributeUpdates compiles AttributeUpdates.
func LegacyAttributeUpdates(upd map[string]LegacyUpdate) (*Update, error) { return nil, errTODO }

// LegacyAttributesToGet compiles AttributesToGet.
func LegacyAttributesToGet(names []string) *Projection { return nil }
