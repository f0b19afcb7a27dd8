package expr

import (
	"slices"
	"sort"
)

// Projection is a parsed ProjectionExpression, or legacy AttributesToGet.
// It is safe for concurrent use once parsed.
type Projection struct {
	root projNode
}

// projNode is one level of the projected document: which names and which
// list indexes to keep, and whether all of this value is kept (leaf).
type projNode struct {
	leaf    bool
	names   map[string]*projNode
	indexes map[int]*projNode
	order   []int // indexes, ascending
}

func (n *projNode) add(p path) {
	if len(p) == 0 {
		n.leaf = true
		return
	}
	e := p[0]
	var child *projNode
	if e.index >= 0 {
		if n.indexes == nil {
			n.indexes = make(map[int]*projNode)
		}
		if child = n.indexes[e.index]; child == nil {
			child = &projNode{}
			n.indexes[e.index] = child
			n.order = append(n.order, e.index)
			sort.Ints(n.order)
		}
	} else {
		if n.names == nil {
			n.names = make(map[string]*projNode)
		}
		if child = n.names[e.name]; child == nil {
			child = &projNode{}
			n.names[e.name] = child
		}
	}
	child.add(p[1:])
}

// ParseProjection parses a ProjectionExpression: document paths separated
// by commas. Placeholders resolve through env, which records their use.
func ParseProjection(s string, env *Env) (*Projection, error) {
	const kind = "ProjectionExpression"
	if err := emptyCheck(kind, s); err != nil {
		return nil, err
	}
	var p parser
	p.init(kind, s, env)
	p.projection = true
	var actions []action
	for {
		pth, err := p.parsePath()
		if err != nil {
			return nil, err
		}
		actions = append(actions, action{path: pth})
		if p.peek().is(",") {
			p.i++
			continue
		}
		if p.peek().kind != tEOF {
			return nil, p.syntaxError()
		}
		break
	}
	checkOverlaps(&p, actions)
	if err := p.semanticError(projectionOrder); err != nil {
		return nil, err
	}
	pr := &Projection{}
	for _, a := range actions {
		pr.root.add(a.path)
	}
	return pr, nil
}

// LegacyAttributesToGet returns the projection of the named top-level
// attributes (AttributesToGet); names are taken literally. No names give a
// nil Projection, which keeps whole items.
func LegacyAttributesToGet(names []string) *Projection {
	if len(names) == 0 {
		return nil
	}
	pr := &Projection{}
	for _, n := range names {
		pr.root.add(path{{name: n, index: -1}})
	}
	return pr
}

// Apply returns a new item holding only the projected parts of item, with
// their structure kept: a.b[1] gives {"a": {"M": {"b": {"L": [<element 1>]}}}},
// list elements in index order. Paths that resolve to nothing are left
// out. A nil Projection, or a nil item, returns item itself.
func (p *Projection) Apply(item Item) Item {
	if p == nil || item == nil {
		return item
	}
	out := make(Item, len(p.root.names))
	for name, child := range p.root.names {
		v, ok := item[name]
		if !ok {
			continue
		}
		if v, ok = child.project(v); ok {
			out[name] = v
		}
	}
	return out
}

func (n *projNode) project(v Value) (Value, bool) {
	if n.leaf {
		return v, true
	}
	switch {
	case v.Type == TypeM && len(n.names) > 0:
		m := make(map[string]Value, len(n.names))
		for name, child := range n.names {
			if x, ok := v.M[name]; ok {
				if x, ok = child.project(x); ok {
					m[name] = x
				}
			}
		}
		if len(m) == 0 {
			return Value{}, false
		}
		return Value{Type: TypeM, M: m}, true
	case v.Type == TypeL && len(n.indexes) > 0:
		var l []Value
		for _, i := range n.order {
			if i < len(v.L) {
				if x, ok := n.indexes[i].project(v.L[i]); ok {
					l = append(l, x)
				}
			}
		}
		if len(l) == 0 {
			return Value{}, false
		}
		return Value{Type: TypeL, L: slices.Clip(l)}, true
	}
	return Value{}, false
}
