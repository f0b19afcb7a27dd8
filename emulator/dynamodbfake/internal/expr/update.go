package expr

import (
	"slices"
	"strings"
)

const (
	msgInvalidPath    = "The document path provided in the update expression is invalid for update"
	msgMissingOperand = "The provided expression refers to an attribute that does not exist in the item"
	msgOperandType    = "An operand in the update expression has an incorrect data type"
)

// actionKind is the clause an update action belongs to.
type actionKind uint8

const (
	aSet actionKind = iota
	aRemove
	aAdd
	aDelete
)

var clauseNames = [...]string{"SET", "REMOVE", "ADD", "DELETE"}

// action is one action of an update: SET path = value, REMOVE path,
// ADD path value, DELETE path value.
type action struct {
	kind   actionKind
	path   path
	value  *node
	legacy bool // from AttributeUpdates: its own type-mismatch message, ADD appends lists
}

// Update is a parsed UpdateExpression, or legacy AttributeUpdates compiled
// to the same actions. It is safe for concurrent use once parsed.
type Update struct {
	actions []action
	removes []int // indexes of REMOVE actions, in the order they apply
	top     []string

	actionBuf [4]action
	topBuf    [4]string
}

// ParseUpdate parses an UpdateExpression: SET, REMOVE, ADD and DELETE
// clauses in any order, each at most once. Placeholders resolve through
// env, which records their use.
func ParseUpdate(s string, env *Env) (*Update, error) {
	const kind = "UpdateExpression"
	if err := emptyCheck(kind, s); err != nil {
		return nil, err
	}
	var p parser
	p.init(kind, s, env)
	p.update = true
	var seen [4]bool
	u := &Update{}
	actions := u.actionBuf[:0]
	for p.peek().kind != tEOF {
		t := p.peek()
		clause := -1
		for i, name := range clauseNames {
			if t.isKeyword(name) {
				clause = i
			}
		}
		if clause < 0 {
			return nil, p.syntaxError()
		}
		p.i++
		if seen[clause] {
			p.fail(catSection, "The \"%s\" section can only be used once in an update expression;", clauseNames[clause])
		}
		seen[clause] = true
		for {
			a, err := p.parseAction(actionKind(clause))
			if err != nil {
				return nil, err
			}
			actions = append(actions, a)
			if !p.peek().is(",") {
				break
			}
			p.i++
		}
	}
	checkOverlaps(&p, actions)
	if err := p.semanticError(updateOrder); err != nil {
		return nil, err
	}
	return u.init(actions), nil
}

// init completes u for its actions.
func (u *Update) init(actions []action) *Update {
	u.actions = actions
	u.top = u.topBuf[:0]
	for i, a := range actions {
		if a.kind == aRemove {
			u.removes = append(u.removes, i)
		}
		if !slices.Contains(u.top, a.path[0].name) {
			u.top = append(u.top, a.path[0].name)
		}
	}
	// Remove list elements from the highest index down, so that removing
	// one does not shift the others (all indexes refer to the old item).
	slices.SortStableFunc(u.removes, func(i, j int) int {
		return compareRemoval(actions[i].path, actions[j].path)
	})
	return u
}

func compareRemoval(a, b path) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := a[i], b[i]
		if x.index >= 0 && y.index >= 0 && x.index != y.index {
			if x.index > y.index {
				return -1
			}
			return 1
		}
		if x.index < 0 && y.index < 0 && x.name != y.name {
			return strings.Compare(x.name, y.name)
		}
	}
	return 0
}

// checkOverlaps records AWS's errors for two actions on overlapping
// paths (one a prefix of the other) or conflicting ones (a map key and a
// list index at the same step).
func checkOverlaps(p *parser, actions []action) {
	for j := 1; j < len(actions); j++ {
		for i := 0; i < j; i++ {
			if p.errs[catOverlap] != "" {
				return
			}
			checkPathPair(p, actions[i].path, actions[j].path)
		}
	}
}

func checkPathPair(p *parser, a, b path) {
	for k := 0; k < len(a) && k < len(b); k++ {
		if (a[k].index >= 0) != (b[k].index >= 0) {
			p.fail(catConflict, "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: %s, path two: %s", a, b)
			return
		}
		if a[k] != b[k] {
			return
		}
	}
	p.fail(catOverlap, "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: %s, path two: %s", a, b)
}

var operandTypeNames = map[Type]string{TypeS: "STRING", TypeN: "NUMBER", TypeB: "BINARY", TypeNULL: "NULL", TypeBOOL: "BOOLEAN", TypeL: "LIST", TypeM: "MAP"}

func (p *parser) parseAction(kind actionKind) (action, error) {
	pth, err := p.parsePath()
	if err != nil {
		return action{}, err
	}
	a := action{kind: kind, path: pth}
	switch kind {
	case aSet:
		if err := p.expect("="); err != nil {
			return action{}, err
		}
		if a.value, err = p.parseSetValue(); err != nil {
			return action{}, err
		}
	case aAdd, aDelete:
		if a.value, err = p.parseValueRef(); err != nil {
			return action{}, err
		}
		t := a.value.val.Type
		if name, ok := operandTypeNames[t]; ok && (kind != aAdd || t != TypeN) {
			p.fail(catOperand, "Incorrect operand type for operator or function; operator: %s, operand type: %s", clauseNames[kind], name)
		}
	}
	return a, nil
}

// parseSetValue reads the value of a SET action: an operand, or two joined
// by + or -.
func (p *parser) parseSetValue() (*node, error) {
	a, err := p.parseSetOperand()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	if !t.is("+") && !t.is("-") {
		return a, nil
	}
	p.i++
	b, err := p.parseSetOperand()
	if err != nil {
		return nil, err
	}
	n := p.newNode(node{kind: nPlus, fn: t.text, args: p.keepArgs(a, b)})
	if t.text == "-" {
		n.kind = nMinus
	}
	for _, x := range n.args {
		if x.kind == nValue && x.val.Type != 0 && x.val.Type != TypeN {
			p.fail(catFunction, "Incorrect operand type for operator or function; operator or function: %s, operand type: %s", t.text, x.val.Type)
			break
		}
	}
	return n, nil
}

// parseSetOperand reads an operand of a SET value: a path, a placeholder,
// if_not_exists(...), list_append(...), or a value in parentheses.
func (p *parser) parseSetOperand() (*node, error) {
	t := p.peek()
	switch {
	case t.is("("):
		p.i++
		v, err := p.parseSetValue()
		if err != nil {
			return nil, err
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
		return v, nil
	case t.kind == tIdent && p.toks[p.i+1].is("(") && !isUpdateKeyword(t):
		return p.parseFunction()
	case t.kind == tValue:
		return p.parseValueRef()
	}
	pth, err := p.parsePath()
	if err != nil {
		return nil, err
	}
	return p.newNode(node{kind: nPath, path: pth}), nil
}

// TopLevel returns the top-level attribute names the update touches, in
// the order the update first names them.
func (u *Update) TopLevel() []string { return u.top }

// Apply applies the update to item and returns the new item; a nil item
// is a new one. item is not modified: the result shares the parts the
// update does not change. All operands are read from the item as it was
// before the update, as DynamoDB does. Errors are DynamoDB's runtime
// ValidationException messages (a path through a missing or non-container
// attribute, an operand of the wrong type, a missing operand).
func (u *Update) Apply(item Item) (Item, error) {
	// Operands first, against the old item.
	var vals [8]Value
	values := vals[:0]
	for _, a := range u.actions {
		var v Value
		switch a.kind {
		case aSet:
			var err error
			if v, err = setValue(a.value, item); err != nil {
				return nil, err
			}
		case aAdd, aDelete:
			v = *a.value.val
		}
		values = append(values, v)
	}
	out := make(Item, len(item)+len(u.actions))
	for k, v := range item {
		out[k] = v
	}
	for i, a := range u.actions {
		var err error
		switch a.kind {
		case aSet:
			err = setPath(out, a.path, values[i])
		case aAdd:
			err = addPath(out, item, a.path, values[i], a.legacy)
		case aDelete:
			err = deletePath(out, item, a.path, values[i], a.legacy)
		}
		if err != nil {
			return nil, err
		}
	}
	for _, i := range u.removes {
		if err := removePath(out, u.actions[i].path); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// setValue evaluates the value of a SET action.
func setValue(n *node, item Item) (Value, error) {
	switch n.kind {
	case nValue:
		return *n.val, nil
	case nPath:
		v, ok := n.path.get(item)
		if !ok {
			return Value{}, errorf("%s", msgMissingOperand)
		}
		return v, nil
	case nPlus, nMinus:
		a, err := setValue(n.args[0], item)
		if err != nil {
			return Value{}, err
		}
		b, err := setValue(n.args[1], item)
		if err != nil {
			return Value{}, err
		}
		if a.Type != TypeN || b.Type != TypeN {
			return Value{}, errorf("%s", msgOperandType)
		}
		sum, err := addNumbers(a.N, b.N, n.kind == nMinus)
		if err != nil {
			return Value{}, err
		}
		return Value{Type: TypeN, N: sum}, nil
	case nFunc:
		switch n.code {
		case fnIfNotExists:
			if v, ok := n.args[0].path.get(item); ok {
				return v, nil
			}
			return setValue(n.args[1], item)
		case fnListAppend:
			a, err := setValue(n.args[0], item)
			if err != nil {
				return Value{}, err
			}
			b, err := setValue(n.args[1], item)
			if err != nil {
				return Value{}, err
			}
			if a.Type != TypeL || b.Type != TypeL {
				return Value{}, errorf("%s", msgOperandType)
			}
			l := make([]Value, 0, len(a.L)+len(b.L))
			l = append(append(l, a.L...), b.L...)
			return Value{Type: TypeL, L: l}, nil
		}
	}
	return Value{}, errorf("%s", msgOperandType)
}

// setPath stores v at p in out, copying the containers on the way so that
// the old item is untouched. A list index past the end appends.
func setPath(out Item, p path, v Value) error {
	if (v.Type == TypeL || v.Type == TypeM) && len(p)+levels(v)-1 > maxDepth {
		return errorf("%s", msgNesting)
	}
	if len(p) == 1 {
		out[p[0].name] = v
		return nil
	}
	parent, ok := out[p[0].name]
	if !ok {
		return errorf("%s", msgInvalidPath)
	}
	nv, err := setIn(parent, p[1:], v)
	if err != nil {
		return err
	}
	out[p[0].name] = nv
	return nil
}

func setIn(c Value, rest path, v Value) (Value, error) {
	e := rest[0]
	if e.index >= 0 {
		if c.Type != TypeL {
			return Value{}, errorf("%s", msgInvalidPath)
		}
		l := slices.Clone(c.L)
		if len(rest) == 1 {
			if e.index >= len(l) {
				l = append(l, v)
			} else {
				l[e.index] = v
			}
			return Value{Type: TypeL, L: l}, nil
		}
		if e.index >= len(l) {
			return Value{}, errorf("%s", msgInvalidPath)
		}
		child, err := setIn(l[e.index], rest[1:], v)
		if err != nil {
			return Value{}, err
		}
		l[e.index] = child
		return Value{Type: TypeL, L: l}, nil
	}
	if c.Type != TypeM {
		return Value{}, errorf("%s", msgInvalidPath)
	}
	m := make(map[string]Value, len(c.M)+1)
	for k, x := range c.M {
		m[k] = x
	}
	if len(rest) == 1 {
		m[e.name] = v
		return Value{Type: TypeM, M: m}, nil
	}
	old, ok := m[e.name]
	if !ok {
		return Value{}, errorf("%s", msgInvalidPath)
	}
	child, err := setIn(old, rest[1:], v)
	if err != nil {
		return Value{}, err
	}
	m[e.name] = child
	return Value{Type: TypeM, M: m}, nil
}

// parentExists reports whether the container p's last step goes into
// exists in item and has the right type (a map for a name, a list for an
// index).
func parentExists(item Item, p path) bool {
	if len(p) == 1 {
		return true
	}
	parent, ok := p[:len(p)-1].get(item)
	if !ok {
		return false
	}
	if p[len(p)-1].index >= 0 {
		return parent.Type == TypeL
	}
	return parent.Type == TypeM
}

// removePath removes p from out. A missing attribute, map key or list
// element is no error; a missing or mistyped container on the way is.
func removePath(out Item, p path) error {
	if !parentExists(out, p) {
		return errorf("%s", msgInvalidPath)
	}
	if len(p) == 1 {
		delete(out, p[0].name)
		return nil
	}
	parent, ok := out[p[0].name]
	if !ok {
		return nil
	}
	nv, changed, err := removeIn(parent, p[1:])
	if err != nil || !changed {
		return err
	}
	out[p[0].name] = nv
	return nil
}

func removeIn(c Value, rest path) (Value, bool, error) {
	e := rest[0]
	if e.index >= 0 {
		if c.Type != TypeL {
			return Value{}, false, errorf("%s", msgInvalidPath)
		}
		if e.index >= len(c.L) {
			return c, false, nil
		}
		if len(rest) == 1 {
			l := make([]Value, 0, len(c.L)-1)
			l = append(append(l, c.L[:e.index]...), c.L[e.index+1:]...)
			return Value{Type: TypeL, L: l}, true, nil
		}
		child, changed, err := removeIn(c.L[e.index], rest[1:])
		if err != nil || !changed {
			return c, false, err
		}
		l := slices.Clone(c.L)
		l[e.index] = child
		return Value{Type: TypeL, L: l}, true, nil
	}
	if c.Type != TypeM {
		return Value{}, false, errorf("%s", msgInvalidPath)
	}
	old, ok := c.M[e.name]
	if !ok {
		return c, false, nil
	}
	var child Value
	if len(rest) > 1 {
		var changed bool
		var err error
		if child, changed, err = removeIn(old, rest[1:]); err != nil || !changed {
			return c, false, err
		}
	}
	m := make(map[string]Value, len(c.M))
	for k, x := range c.M {
		m[k] = x
	}
	if len(rest) == 1 {
		delete(m, e.name)
	} else {
		m[e.name] = child
	}
	return Value{Type: TypeM, M: m}, true, nil
}

// addPath is ADD: a number added to a number, a set's members added to a
// set of the same type; a missing attribute is created with v.
func addPath(out, old Item, p path, v Value, legacy bool) error {
	cur, ok := p.get(old)
	if !ok {
		return setPath(out, p, v)
	}
	if v.Type != cur.Type {
		return typeError(legacy)
	}
	var nv Value
	switch v.Type {
	case TypeN:
		sum, err := addNumbers(cur.N, v.N, false)
		if err != nil {
			return err
		}
		nv = Value{Type: TypeN, N: sum}
	case TypeSS:
		nv = Value{Type: TypeSS, SS: union(cur.SS, v.SS)}
	case TypeNS:
		nv = Value{Type: TypeNS, NS: union(cur.NS, v.NS)}
	case TypeBS:
		bs := slices.Clone(cur.BS)
		for _, b := range v.BS {
			if !containsBytes(bs, b) {
				bs = append(bs, b)
			}
		}
		nv = Value{Type: TypeBS, BS: bs}
	case TypeL:
		if !legacy {
			return typeError(legacy)
		}
		l := make([]Value, 0, len(cur.L)+len(v.L))
		nv = Value{Type: TypeL, L: append(append(l, cur.L...), v.L...)}
	default:
		return typeError(legacy)
	}
	return setPath(out, p, nv)
}

func typeError(legacy bool) error {
	if legacy {
		return errorf("%s", msgLegacyTypeMismatch)
	}
	return errorf("%s", msgOperandType)
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, s := range b {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// deletePath is DELETE: v's members removed from the set at p; an emptied
// set removes the attribute, a missing one is left missing.
func deletePath(out, old Item, p path, v Value, legacy bool) error {
	if !parentExists(old, p) {
		return errorf("%s", msgInvalidPath)
	}
	cur, ok := p.get(old)
	if !ok {
		return nil
	}
	if cur.Type != v.Type {
		return typeError(legacy)
	}
	var nv Value
	n := 0
	switch v.Type {
	case TypeSS:
		nv = Value{Type: TypeSS, SS: difference(cur.SS, v.SS)}
		n = len(nv.SS)
	case TypeNS:
		nv = Value{Type: TypeNS, NS: difference(cur.NS, v.NS)}
		n = len(nv.NS)
	case TypeBS:
		var bs [][]byte
		for _, b := range cur.BS {
			if !containsBytes(v.BS, b) {
				bs = append(bs, b)
			}
		}
		nv = Value{Type: TypeBS, BS: bs}
		n = len(bs)
	default:
		return errorf("%s", msgOperandType)
	}
	if n == 0 {
		return removePath(out, p)
	}
	return setPath(out, p, nv)
}

func difference(a, b []string) []string {
	var out []string
	for _, s := range a {
		if !slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	return out
}
