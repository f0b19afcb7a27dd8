package expr

import (
	"strconv"
	"strings"
)

// pathElem is one step of a document path: a map key or attribute name
// (index < 0), or a list index.
type pathElem struct {
	name  string
	index int
}

// path is a document path such as a.b[2].c; it always starts with a name.
type path []pathElem

// String renders the path as AWS does in its messages: [a, b, [2], c].
func (p path) String() string {
	var b strings.Builder
	b.WriteByte('[')
	for i, e := range p {
		if i > 0 {
			b.WriteString(", ")
		}
		if e.index >= 0 {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(e.index))
			b.WriteByte(']')
		} else {
			b.WriteString(e.name)
		}
	}
	b.WriteByte(']')
	return b.String()
}

// get resolves the path in item.
func (p path) get(item Item) (Value, bool) {
	v, ok := item[p[0].name]
	if !ok {
		return Value{}, false
	}
	for _, e := range p[1:] {
		if e.index >= 0 {
			if v.Type != TypeL || e.index >= len(v.L) {
				return Value{}, false
			}
			v = v.L[e.index]
			continue
		}
		if v.Type != TypeM {
			return Value{}, false
		}
		if v, ok = v.M[e.name]; !ok {
			return Value{}, false
		}
	}
	return v, true
}

// nodeKind is what a node of a parsed expression is.
type nodeKind uint8

const (
	nPath    nodeKind = iota + 1 // operand: document path
	nValue                       // operand: :placeholder value
	nFunc                        // function call (a condition, or size/if_not_exists/list_append as operands)
	nCmp                         // comparison: fn is the comparator
	nBetween                     // args: operand, low, high
	nIn                          // args: operand, candidates...
	nAnd
	nOr
	nNot
	nPlus  // update arithmetic
	nMinus // update arithmetic
)

// Function codes, so evaluation does not compare names.
const (
	fnNone uint8 = iota
	fnAttributeExists
	fnAttributeNotExists
	fnAttributeType
	fnBeginsWith
	fnContains
	fnSize
	fnIfNotExists
	fnListAppend
)

var conditionFuncs = map[string]struct {
	code  uint8
	arity int
}{
	"attribute_exists":     {fnAttributeExists, 1},
	"attribute_not_exists": {fnAttributeNotExists, 1},
	"attribute_type":       {fnAttributeType, 2},
	"begins_with":          {fnBeginsWith, 2},
	"contains":             {fnContains, 2},
	"size":                 {fnSize, 1},
}

var updateFuncs = map[string]struct {
	code  uint8
	arity int
}{
	"if_not_exists": {fnIfNotExists, 2},
	"list_append":   {fnListAppend, 2},
}

// Comparator codes.
const (
	cmpEQ uint8 = iota + 1
	cmpNE
	cmpLT
	cmpLE
	cmpGT
	cmpGE
)

var comparators = map[string]uint8{"=": cmpEQ, "<>": cmpNE, "<": cmpLT, "<=": cmpLE, ">": cmpGT, ">=": cmpGE}

// node is one node of a parsed condition or update value.
type node struct {
	kind   nodeKind
	code   uint8  // function or comparator code
	fn     string // function name or comparator, for messages
	args   []*node
	path   path
	val    *Value // nValue: the placeholder's value (zero when undefined)
	parens int    // parentheses directly around this node
}

// isOperand reports whether n yields a value rather than a truth value.
func (n *node) isOperand() bool {
	switch n.kind {
	case nPath, nValue, nPlus, nMinus:
		return true
	case nFunc:
		// Unknown functions count as operands, so that their name, not the
		// grammar, is what gets reported.
		return n.code == fnSize || n.code == fnIfNotExists || n.code == fnListAppend || n.code == fnNone
	}
	return false
}

// staticType is the type an operand is known to have before evaluation
// (a placeholder's type, N for size), or 0.
func (n *node) staticType() Type {
	switch n.kind {
	case nValue:
		return n.val.Type
	case nFunc:
		if n.code == fnSize {
			return TypeN
		}
	case nPlus, nMinus:
		return TypeN
	}
	return 0
}

// Semantic error categories. Each parse keeps the first message of each
// category and reports the first category, in an order per expression kind,
// that has one — as DynamoDB does when an expression has several faults.
const (
	catParens = iota
	catUnknownFunc
	catMisused
	catSection
	catReserved
	catAttrName
	catAttrVal
	catOverlap
	catConflict
	catOperand
	catArity
	catDistinct
	catFunction
	catCondition // the first fault of the first simple condition that has one
	numCats
)

var (
	conditionOrder  = []int{catParens, catUnknownFunc, catMisused, catReserved, catCondition, catAttrName, catArity, catDistinct, catFunction}
	updateOrder     = []int{catReserved, catUnknownFunc, catSection, catAttrName, catAttrVal, catOverlap, catConflict, catOperand, catArity, catFunction}
	projectionOrder = []int{catReserved, catAttrName, catOverlap, catConflict}
)

// parser reads one expression.
type parser struct {
	kind string // "ConditionExpression", "UpdateExpression", ... for messages
	src  string
	toks []token
	i    int
	env  *Env
	errs [numCats]string
	// update mode: SET/REMOVE/ADD/DELETE are keywords; functions differ.
	update bool
	// projection mode: no keywords at all.
	projection bool

	nodes   []node
	argSlab []*node
	pathBuf []pathElem
	vals    []Value
}

// keepValue copies v into the parser's value slab.
func (p *parser) keepValue(v Value) *Value {
	if len(p.vals) == cap(p.vals) {
		p.vals = make([]Value, 0, 2*cap(p.vals)+4)
	}
	p.vals = append(p.vals, v)
	return &p.vals[len(p.vals)-1]
}

// slab holds a typical expression's tokens, nodes, arguments and path
// steps in one allocation; the parser falls back to fresh slices when an
// expression outgrows it. Nodes keep the slab alive after the parse.
type slab struct {
	toks  [16]token
	nodes [8]node
	vals  [3]Value
	args  [8]*node
	paths [8]pathElem
}

// init readies p to parse src.
func (p *parser) init(kind, src string, env *Env) {
	p.kind, p.src, p.env = kind, src, env
	sl := new(slab)
	p.nodes, p.argSlab, p.pathBuf, p.vals = sl.nodes[:0], sl.args[:0], sl.paths[:0], sl.vals[:0]
	p.toks = lex(src, sl.toks[:0])
}

// newNode returns a node from the parser's slab: one allocation serves a
// typical expression's nodes. Nodes stay valid when the slab is replaced.
func (p *parser) newNode(n node) *node {
	if len(p.nodes) == cap(p.nodes) {
		p.nodes = make([]node, 0, 2*cap(p.nodes)+6)
	}
	p.nodes = append(p.nodes, n)
	return &p.nodes[len(p.nodes)-1]
}

// keepArgs copies args into the parser's argument slab.
func (p *parser) keepArgs(args ...*node) []*node {
	if len(p.argSlab)+len(args) > cap(p.argSlab) {
		p.argSlab = make([]*node, 0, 2*cap(p.argSlab)+max(12, len(args)))
	}
	start := len(p.argSlab)
	p.argSlab = append(p.argSlab, args...)
	return p.argSlab[start:len(p.argSlab):len(p.argSlab)]
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

// syntaxError reports the token at index i as AWS does: the token, and the
// source from the token before it to the token after it.
func (p *parser) syntaxErrorAt(i int) error {
	t := p.toks[i]
	text := t.text
	if t.kind == tEOF {
		text = "<EOF>"
	}
	start := t.pos
	if i > 0 {
		start = p.toks[i-1].pos
	}
	end := t.pos + len(t.text)
	if t.kind != tEOF && i+1 < len(p.toks) && p.toks[i+1].kind != tEOF {
		end = p.toks[i+1].pos + len(p.toks[i+1].text)
	}
	return errorf("Invalid %s: Syntax error; token: \"%s\", near: \"%s\"", p.kind, text, p.src[start:end])
}

func (p *parser) syntaxError() error { return p.syntaxErrorAt(p.i) }

func (p *parser) expect(punct string) error {
	if !p.peek().is(punct) {
		return p.syntaxError()
	}
	p.i++
	return nil
}

// fail records a semantic error of category cat unless one is recorded.
func (p *parser) fail(cat int, format string, args ...any) {
	if p.errs[cat] == "" {
		p.errs[cat] = errorf(format, args...).Error()
	}
}

// semanticError returns the first recorded semantic error in order.
func (p *parser) semanticError(order []int) error {
	for _, c := range order {
		if p.errs[c] != "" {
			return errorf("Invalid %s: %s", p.kind, p.errs[c])
		}
	}
	return nil
}

// emptyCheck returns AWS's error for an empty expression.
// maxExpressionBytes is DynamoDB's limit on the text of one expression.
const maxExpressionBytes = 4096

// emptyCheck returns AWS's errors for an empty expression and one longer
// than 4 KB (where AWS names the size only for conditions and filters).
func emptyCheck(kind, s string) error {
	if strings.TrimSpace(s) == "" {
		return errorf("Invalid %s: The expression can not be empty;", kind)
	}
	if len(s) > maxExpressionBytes {
		if kind == "ConditionExpression" || kind == "FilterExpression" {
			return errorf("Invalid %s: Expression size has exceeded the maximum allowed size; expression size: %d", kind, len(s))
		}
		return errorf("Invalid %s: Expression size has exceeded the maximum allowed size;", kind)
	}
	return nil
}

// keywords of the condition grammar, which are never attribute names.
func isConditionKeyword(t token) bool {
	return t.isKeyword("AND") || t.isKeyword("OR") || t.isKeyword("NOT") || t.isKeyword("BETWEEN") || t.isKeyword("IN")
}

func isUpdateKeyword(t token) bool {
	return t.isKeyword("SET") || t.isKeyword("REMOVE") || t.isKeyword("ADD") || t.isKeyword("DELETE")
}

func (p *parser) isKeyword(t token) bool {
	if p.projection {
		return false
	}
	if p.update {
		return isUpdateKeyword(t)
	}
	return isConditionKeyword(t)
}

// pathName reads one name step of a path: an identifier or #placeholder.
func (p *parser) pathName() (string, error) {
	t := p.peek()
	switch {
	case t.kind == tIdent && !p.isKeyword(t):
		p.i++
		if isReserved(t.text) {
			p.fail(catReserved, "Attribute name is a reserved keyword; reserved keyword: %s", t.text)
		}
		return t.text, nil
	case t.kind == tName:
		p.i++
		name, ok := p.env.name(t.text)
		if !ok {
			p.fail(catAttrName, "An expression attribute name used in the document path is not defined; attribute name: %s", t.text)
		}
		return name, nil
	}
	return "", p.syntaxError()
}

// parsePath reads a document path.
func (p *parser) parsePath() (path, error) {
	first, err := p.pathName()
	if err != nil {
		return nil, err
	}
	start := len(p.pathBuf)
	if cap(p.pathBuf)-start < 4 {
		p.pathBuf = make([]pathElem, 0, 16)
		start = 0
	}
	p.pathBuf = append(p.pathBuf, pathElem{name: first, index: -1})
	for {
		switch t := p.peek(); {
		case t.is("."):
			p.i++
			name, err := p.pathName()
			if err != nil {
				return nil, err
			}
			p.pathBuf = append(p.pathBuf, pathElem{name: name, index: -1})
		case t.is("["):
			p.i++
			it := p.peek()
			if it.kind != tInt {
				return nil, p.syntaxError()
			}
			p.i++
			n, err := strconv.Atoi(it.text)
			if err != nil || n > 1<<30 {
				n = 1 << 30
			}
			if err := p.expect("]"); err != nil {
				return nil, err
			}
			p.pathBuf = append(p.pathBuf, pathElem{index: n})
		default:
			return path(p.pathBuf[start:len(p.pathBuf):len(p.pathBuf)]), nil
		}
	}
}

// parseValueRef reads a :placeholder.
func (p *parser) parseValueRef() (*node, error) {
	t := p.peek()
	if t.kind != tValue {
		return nil, p.syntaxError()
	}
	p.i++
	v, ok := p.env.value(t.text)
	if !ok {
		cat := catAttrVal
		if !p.update {
			cat = catAttrName
		}
		p.fail(cat, "An expression attribute value used in expression is not defined; attribute value: %s", t.text)
	}
	return p.newNode(node{kind: nValue, val: p.keepValue(v), fn: t.text}), nil
}

// ---- conditions ----

func (p *parser) parseOr() (*node, error) {
	left, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	for p.peek().isKeyword("OR") {
		p.i++
		right, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		if err := p.conditionOperand(left, right); err != nil {
			return nil, err
		}
		p.checkCondition(left)
		p.checkCondition(right)
		left = p.newNode(node{kind: nOr, args: p.keepArgs(left, right)})
	}
	return left, nil
}

func (p *parser) parseAnd() (*node, error) {
	left, err := p.parseNot()
	if err != nil {
		return nil, err
	}
	for p.peek().isKeyword("AND") {
		p.i++
		right, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		if err := p.conditionOperand(left, right); err != nil {
			return nil, err
		}
		p.checkCondition(left)
		p.checkCondition(right)
		left = p.newNode(node{kind: nAnd, args: p.keepArgs(left, right)})
	}
	return left, nil
}

func (p *parser) parseNot() (*node, error) {
	if p.peek().isKeyword("NOT") {
		p.i++
		x, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		if err := p.conditionOperand(x); err != nil {
			return nil, err
		}
		p.checkCondition(x)
		return p.newNode(node{kind: nNot, args: p.keepArgs(x)}), nil
	}
	return p.parseComparison()
}

// conditionOperand returns a syntax error, at the current token, for an
// operand standing where a condition belongs.
func (p *parser) conditionOperand(ns ...*node) error {
	for _, n := range ns {
		if n.isOperand() && n.kind != nFunc {
			return p.syntaxError()
		}
	}
	return nil
}

// checkCondition records the misuse of size where a condition belongs.
func (p *parser) checkCondition(n *node) {
	if n.kind == nFunc && n.code == fnSize {
		p.fail(catMisused, "The function is not allowed to be used this way in an expression; function: %s", n.fn)
	}
}

// parseComparison reads one simple condition (a comparison, BETWEEN, IN
// or a function) or a parenthesised condition. At the end of each simple
// condition it fixes which of its faults so far DynamoDB would report, as
// DynamoDB settles them condition by condition, left to right.
func (p *parser) parseComparison() (*node, error) {
	n, err := p.parseSimple()
	if err == nil && n.parens == 0 && (!n.isOperand() || n.kind == nFunc) {
		p.leafDone()
	}
	return n, err
}

// leafDone records, once, the first fault of the simple conditions read so
// far, in DynamoDB's order for them.
func (p *parser) leafDone() {
	if p.errs[catCondition] != "" {
		return
	}
	for _, c := range [...]int{catAttrName, catArity, catDistinct, catFunction} {
		if p.errs[c] != "" {
			p.errs[catCondition] = p.errs[c]
			return
		}
	}
}

func (p *parser) parseSimple() (*node, error) {
	lhs, err := p.parseOperand(false)
	if err != nil {
		return nil, err
	}
	t := p.peek()
	if !lhs.isOperand() {
		// A condition in parentheses, or a condition function.
		if _, ok := comparators[t.text]; ok && t.kind == tPunct || t.isKeyword("BETWEEN") || t.isKeyword("IN") {
			return nil, p.syntaxError()
		}
		return lhs, nil
	}
	switch {
	case t.kind == tPunct && comparators[t.text] != 0:
		p.i++
		rhs, err := p.parseOperand(true)
		if err != nil {
			return nil, err
		}
		n := p.newNode(node{kind: nCmp, code: comparators[t.text], fn: t.text, args: p.keepArgs(lhs, rhs)})
		p.checkMisused(n.args)
		if n.code != cmpEQ && n.code != cmpNE {
			p.checkOrderable(t.text, n.args)
		}
		p.checkDistinct(t.text, n.args)
		return n, nil
	case t.isKeyword("BETWEEN"):
		p.i++
		lo, err := p.parseOperand(true)
		if err != nil {
			return nil, err
		}
		if !p.peek().isKeyword("AND") {
			return nil, p.syntaxError()
		}
		p.i++
		hi, err := p.parseOperand(true)
		if err != nil {
			return nil, err
		}
		n := p.newNode(node{kind: nBetween, args: p.keepArgs(lhs, lo, hi)})
		p.checkMisused(n.args)
		p.checkOrderable("BETWEEN", n.args)
		p.checkBetween(lo, hi)
		return n, nil
	case t.isKeyword("IN"):
		p.i++
		if err := p.expect("("); err != nil {
			return nil, err
		}
		var local [8]*node
		args := append(local[:0], lhs)
		for {
			x, err := p.parseOperand(true)
			if err != nil {
				return nil, err
			}
			args = append(args, x)
			if p.peek().is(",") {
				p.i++
				continue
			}
			if err := p.expect(")"); err != nil {
				return nil, err
			}
			break
		}
		n := p.newNode(node{kind: nIn, args: p.keepArgs(args...)})
		p.checkMisused(n.args)
		if len(n.args)-1 > 100 {
			p.fail(catFunction, "The IN operator is provided with too many operands; number of operands: %d", len(n.args)-1)
		}
		return n, nil
	}
	if lhs.kind == nFunc {
		// size(...) standing alone as a condition.
		p.checkCondition(lhs)
		return lhs, nil
	}
	if t.is(")") {
		// An operand in parentheses: the caller decides what may follow.
		return lhs, nil
	}
	return nil, p.syntaxError()
}

// parseOperand reads an operand, a function call or a parenthesised
// expression. Where only an operand may stand (operandOnly), a
// parenthesised condition is a syntax error.
func (p *parser) parseOperand(operandOnly bool) (*node, error) {
	t := p.peek()
	switch {
	case t.is("("):
		p.i++
		inner, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if operandOnly && !inner.isOperand() {
			return nil, p.syntaxError()
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
		inner.parens++
		if inner.parens >= 2 {
			p.fail(catParens, "The expression has redundant parentheses;")
		}
		return inner, nil
	case t.kind == tIdent && p.toks[p.i+1].is("(") && !p.isKeyword(t):
		return p.parseFunction()
	case t.kind == tValue:
		return p.parseValueRef()
	case t.kind == tIdent && !p.isKeyword(t), t.kind == tName:
		pth, err := p.parsePath()
		if err != nil {
			return nil, err
		}
		return p.newNode(node{kind: nPath, path: pth}), nil
	}
	return nil, p.syntaxError()
}

// parseFunction reads name(arg, ...).
func (p *parser) parseFunction() (*node, error) {
	name := p.next().text
	p.i++ // (
	var local [4]*node
	args := local[:0]
	for {
		var x *node
		var err error
		if p.update {
			x, err = p.parseSetOperand()
		} else {
			x, err = p.parseOperand(true)
		}
		if err != nil {
			return nil, err
		}
		args = append(args, x)
		if p.peek().is(",") {
			p.i++
			continue
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
		break
	}
	n := p.newNode(node{kind: nFunc, fn: name, args: p.keepArgs(args...)})
	if !p.update {
		p.checkMisused(n.args)
	}
	funcs := conditionFuncs
	if p.update {
		funcs = updateFuncs
	}
	f, ok := funcs[name]
	if !ok {
		p.fail(catUnknownFunc, "Invalid function name; function: %s", name)
		return n, nil
	}
	n.code = f.code
	if len(n.args) != f.arity {
		p.fail(catArity, "Incorrect number of operands for operator or function; operator or function: %s, number of operands: %d", name, len(n.args))
		return n, nil
	}
	if len(n.args) == 2 && !p.update {
		p.checkDistinct(name, n.args)
	}
	p.checkFunctionTypes(n)
	return n, nil
}

// checkMisused records a condition function used as an operand.
func (p *parser) checkMisused(args []*node) {
	for _, a := range args {
		if a.kind == nFunc && a.code != fnSize && a.code != fnNone {
			p.fail(catMisused, "The function is not allowed to be used this way in an expression; function: %s", a.fn)
			return
		}
	}
}

// checkOrderable records a placeholder of a type that has no order (not
// S, N or B) as an operand of an ordering comparison or BETWEEN. A path
// is not checked: one that holds such a value makes the comparison false.
func (p *parser) checkOrderable(op string, args []*node) {
	for _, a := range args {
		switch t := a.staticType(); t {
		case 0, TypeS, TypeN, TypeB:
		default:
			p.fail(catFunction, "Incorrect operand type for operator or function; operator or function: %s, operand type: %s", op, t)
			return
		}
	}
}

// checkDistinct records two identical paths as the operands of op.
func (p *parser) checkDistinct(op string, args []*node) {
	if len(args) != 2 || args[0].kind != nPath || args[1].kind != nPath || !samePath(args[0].path, args[1].path) {
		return
	}
	p.fail(catDistinct, "The first operand must be distinct from the remaining operands for this operator or function; operator: %s, first operand: %s", op, args[0].path)
}

func samePath(a, b path) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// checkBetween checks constant bounds of BETWEEN.
func (p *parser) checkBetween(lo, hi *node) {
	if lo.kind != nValue || hi.kind != nValue || lo.val.Type == 0 || hi.val.Type == 0 {
		return
	}
	if lo.val.Type != hi.val.Type {
		p.fail(catFunction, "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: %s, upper bound operand: AttributeValue: %s", shortValue(*lo.val), shortValue(*hi.val))
		return
	}
	if c, ok := compareScalars(*lo.val, *hi.val); ok && c > 0 {
		p.fail(catFunction, "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: %s, upper bound operand: AttributeValue: %s", shortValue(*lo.val), shortValue(*hi.val))
	}
}

// shortValue renders a value as AWS does in BETWEEN messages: {S:a}.
func shortValue(v Value) string {
	var s string
	switch v.Type {
	case TypeS:
		s = v.S
	case TypeN:
		s = v.N
	case TypeB:
		s = string(v.AppendJSON(nil))
		return s
	case TypeBOOL:
		s = strconv.FormatBool(v.BOOL)
	case TypeNULL:
		s = "true"
	default:
		return string(v.AppendJSON(nil))
	}
	return "{" + v.Type.String() + ":" + s + "}"
}

// checkFunctionTypes checks the operand types a function is given where
// they are known before evaluation.
func (p *parser) checkFunctionTypes(n *node) {
	bad := func(t Type) {
		p.fail(catFunction, "Incorrect operand type for operator or function; operator or function: %s, operand type: %s", n.fn, t)
	}
	switch n.code {
	case fnAttributeExists, fnAttributeNotExists:
		if n.args[0].kind != nPath {
			p.fail(catFunction, "Operator or function requires a document path; operator or function: %s", n.fn)
		}
	case fnBeginsWith:
		for _, a := range n.args {
			if t := a.staticType(); t != 0 && t != TypeS && t != TypeB {
				bad(t)
				return
			}
		}
	case fnAttributeType:
		a := n.args[1]
		t := a.staticType()
		if t != TypeS {
			if t == 0 {
				p.fail(catFunction, "Incorrect operand type for operator or function; operator or function: %s, operand type: {NS,SS,L,BS,N,M,B,BOOL,NULL,S}", n.fn)
				return
			}
			bad(t)
			return
		}
		if typeByName(a.val.S) == 0 {
			p.fail(catFunction, "Invalid attribute type name found; type: %s, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}", a.val.S)
		}
	case fnSize:
		if t := n.args[0].staticType(); t == TypeN || t == TypeBOOL || t == TypeNULL {
			bad(t)
		}
	case fnIfNotExists:
		if n.args[0].kind != nPath {
			p.fail(catFunction, "Operator or function requires a document path; operator or function: %s", n.fn)
		}
	case fnListAppend:
		for _, a := range n.args {
			if a.kind == nValue && a.val.Type != 0 && a.val.Type != TypeL {
				bad(a.val.Type)
				return
			}
		}
	}
}

// ---- Condition ----

// Condition is a parsed ConditionExpression or FilterExpression, or a
// legacy Expected, QueryFilter or ScanFilter map compiled to the same tree.
// It is safe for concurrent use once parsed.
type Condition struct {
	root *node
}

// ParseCondition parses a ConditionExpression or FilterExpression; kind
// ("ConditionExpression" or "FilterExpression") names it in error messages.
// Placeholders resolve through env, which records their use.
func ParseCondition(kind, s string, env *Env) (*Condition, error) {
	if err := emptyCheck(kind, s); err != nil {
		return nil, err
	}
	var p parser
	p.init(kind, s, env)
	root, err := p.parseCondition()
	if err != nil {
		return nil, err
	}
	return &Condition{root: root}, nil
}

func (p *parser) parseCondition() (*node, error) {
	root, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if p.peek().kind != tEOF {
		return nil, p.syntaxError()
	}
	if root.isOperand() {
		if root.kind == nFunc {
			p.checkCondition(root)
		} else {
			return nil, p.syntaxError()
		}
	}
	if err := p.semanticError(conditionOrder); err != nil {
		return nil, err
	}
	return root, nil
}
