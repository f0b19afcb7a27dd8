package record

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/streamcheck/streamcheck/internal/jsontext"
)

// Limits on struct types, so that a schema cannot cost more than a bad job.
const (
	// MaxStructDepth is how deeply struct types may nest: a struct of
	// scalars has depth 1.
	MaxStructDepth = 16
	// MaxStructFields is the most fields a struct type may have.
	MaxStructFields = 1024
	// structBase is the first Type number given to struct types.
	structBase Type = 64
	// maxStructTypes bounds the struct types a process can make.
	maxStructTypes = math.MaxUint16 - int(structBase)
)

// ErrStructType is wrapped by the errors StructOf returns.
var ErrStructType = errors.New("invalid struct type")

// kind tells the composite types apart.
type kind uint8

const (
	kindStruct kind = iota
	kindArray
	kindMap
	kindDecimal
)

// structType describes a composite type: a struct (fields), an array
// (fields[0] is the element, named "element"), a map (fields[0] and
// fields[1] are the key and the value) or a decimal (precision, scale).
type structType struct {
	kind   kind
	name   string   // the canonical text: struct<...>, array<...>, map<...>, decimal(p,s)
	fields []Column // Required is always false
	depth  int
	// precision and scale of a decimal.
	precision, scale int
}

// The struct types of the process, interned by their canonical text: Type
// numbers from structBase up index list, which is replaced (never changed)
// when a type is added, so lookups take no lock.
var structs struct {
	mu     sync.Mutex
	byName map[string]Type
	list   atomic.Pointer[[]*structType]
}

// structOf returns the description of struct type t, or nil.
func structOf(t Type) *structType {
	if st := compositeOf(t); st != nil && st.kind == kindStruct {
		return st
	}
	return nil
}

// compositeOf returns the description of any composite type t, or nil.
func compositeOf(t Type) *structType {
	if t < structBase {
		return nil
	}
	l := structs.list.Load()
	if l == nil || int(t-structBase) >= len(*l) {
		return nil
	}
	return (*l)[t-structBase]
}

// Struct reports whether t is a struct type.
func (t Type) Struct() bool { return structOf(t) != nil }

// Fields returns a copy of the fields of struct type t (all nullable), or
// nil if t is not a struct.
func (t Type) Fields() []Column {
	if st := structOf(t); st != nil {
		return append([]Column(nil), st.fields...)
	}
	return nil
}

// StructOf returns the struct type with fields, in order: Glue's
// struct<name:type,...>. Every field is nullable (Required is ignored).
// Names must be non-empty, unique ignoring case and free of spaces and of
// the characters :,<>`; there must be 1 to MaxStructFields fields, and
// nesting may not exceed MaxStructDepth. The same fields always give the
// same Type. Errors wrap ErrStructType.
func StructOf(fields []Column) (Type, error) {
	if len(fields) == 0 || len(fields) > MaxStructFields {
		return Invalid, fmt.Errorf("%w: %d fields, want 1 to %d", ErrStructType, len(fields), MaxStructFields)
	}
	var b strings.Builder
	b.WriteString("struct<")
	seen := make(map[string]bool, len(fields))
	depth := 1
	for i, f := range fields {
		if f.Name == "" || strings.ContainsAny(f.Name, ":,<>` \t\r\n") {
			return Invalid, fmt.Errorf("%w: field %d: name %q is empty or holds one of :,<>` or a space", ErrStructType, i, f.Name)
		}
		if seen[strings.ToLower(f.Name)] {
			return Invalid, fmt.Errorf("%w: field %q appears twice", ErrStructType, f.Name)
		}
		seen[strings.ToLower(f.Name)] = true
		switch st := compositeOf(f.Type); {
		case st != nil:
			depth = max(depth, st.depth+1)
		case f.Type == Invalid || int(f.Type) >= len(typeNames):
			return Invalid, fmt.Errorf("%w: field %q has no valid type", ErrStructType, f.Name)
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(f.Name)
		b.WriteByte(':')
		b.WriteString(f.Type.String())
	}
	if depth > MaxStructDepth {
		return Invalid, fmt.Errorf("%w: nested %d deep, more than %d", ErrStructType, depth, MaxStructDepth)
	}
	b.WriteByte('>')
	st := &structType{kind: kindStruct, name: b.String(), fields: make([]Column, len(fields)), depth: depth}
	for i, f := range fields {
		st.fields[i] = Column{Name: f.Name, Type: f.Type}
	}
	return intern(st)
}

// intern returns the Type of the composite type st, adding it if it is new.
func intern(st *structType) (Type, error) {
	name := st.name
	structs.mu.Lock()
	defer structs.mu.Unlock()
	if t, ok := structs.byName[name]; ok {
		return t, nil
	}
	var old []*structType
	if l := structs.list.Load(); l != nil {
		old = *l
	}
	if len(old) >= maxStructTypes {
		return Invalid, fmt.Errorf("%w: more than %d distinct struct, array, map and decimal types in one process", ErrStructType, maxStructTypes)
	}
	// Readers hold the old header and read only below its length, so
	// appending in place is safe.
	l := append(old, st) //nolint:gocritic // a new header over the same array: see above
	if structs.byName == nil {
		structs.byName = map[string]Type{}
	}
	t := structBase + Type(len(old))
	structs.byName[name] = t
	structs.list.Store(&l)
	return t, nil
}

// fieldIndex returns the index of the field of st named name (exactly, else
// ignoring case), or -1.
func (st *structType) fieldIndex(name string) int {
	for i, f := range st.fields {
		if f.Name == name {
			return i
		}
	}
	for i, f := range st.fields {
		if strings.EqualFold(f.Name, name) {
			return i
		}
	}
	return -1
}

// typeParser reads Hive type text: a scalar name, decimal(p,s),
// struct<name:type,...>, array<T> or map<K,V>.
type typeParser struct {
	s string
	i int
}

func (p *typeParser) ws() {
	for p.i < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *typeParser) parse(depth int) (Type, error) {
	p.ws()
	start := p.i
	for p.i < len(p.s) && strings.IndexByte("<>,:() \t\r\n", p.s[p.i]) < 0 {
		p.i++
	}
	word := p.s[start:p.i]
	p.ws()
	switch strings.ToLower(word) {
	case "struct":
		return p.structType(depth)
	case "array", "map":
		return p.collection(strings.ToLower(word), depth)
	}
	if p.i < len(p.s) && p.s[p.i] == '(' {
		end := strings.IndexByte(p.s[p.i:], ')')
		if end < 0 {
			return Invalid, fmt.Errorf("unclosed '(' at byte %d", p.i)
		}
		p.i += end + 1
		word = p.s[start:p.i]
	}
	if p.i < len(p.s) && p.s[p.i] == '<' {
		return Invalid, fmt.Errorf("%s<...> is not a type (want struct<...>, array<...> or map<...>)", strings.ToLower(word))
	}
	return parseScalarType(word)
}

// collection reads the <...> of array<T> or map<K,V>.
func (p *typeParser) collection(which string, depth int) (Type, error) {
	if depth >= MaxStructDepth {
		return Invalid, fmt.Errorf("types nested more than %d deep", MaxStructDepth)
	}
	if p.i >= len(p.s) || p.s[p.i] != '<' {
		return Invalid, fmt.Errorf("want '<' after %s at byte %d", which, p.i)
	}
	p.i++
	first, err := p.parse(depth + 1)
	if err != nil {
		return Invalid, fmt.Errorf("%s: %w", which, err)
	}
	p.ws()
	var second Type
	if which == "map" {
		if p.i >= len(p.s) || p.s[p.i] != ',' {
			return Invalid, fmt.Errorf("want ',' between the key and value types of map<K,V> at byte %d", p.i)
		}
		p.i++
		if second, err = p.parse(depth + 1); err != nil {
			return Invalid, fmt.Errorf("map value: %w", err)
		}
		p.ws()
	}
	if p.i >= len(p.s) || p.s[p.i] != '>' {
		return Invalid, fmt.Errorf("want '>' closing %s<...> at byte %d", which, p.i)
	}
	p.i++
	if which == "map" {
		return MapOf(first, second)
	}
	return ArrayOf(first)
}

func (p *typeParser) structType(depth int) (Type, error) {
	if depth >= MaxStructDepth {
		return Invalid, fmt.Errorf("structs nested more than %d deep", MaxStructDepth)
	}
	if p.i >= len(p.s) || p.s[p.i] != '<' {
		return Invalid, fmt.Errorf("want '<' after struct at byte %d", p.i)
	}
	p.i++
	var fields []Column
	for {
		p.ws()
		start := p.i
		for p.i < len(p.s) && strings.IndexByte("<>,:` \t\r\n", p.s[p.i]) < 0 {
			p.i++
		}
		name := p.s[start:p.i]
		p.ws()
		if name == "" || p.i >= len(p.s) || p.s[p.i] != ':' {
			return Invalid, fmt.Errorf("want name:type in struct at byte %d", start)
		}
		p.i++
		t, err := p.parse(depth + 1)
		if err != nil {
			return Invalid, fmt.Errorf("struct field %q: %w", name, err)
		}
		fields = append(fields, Column{Name: name, Type: t})
		if len(fields) > MaxStructFields {
			return Invalid, fmt.Errorf("more than %d struct fields", MaxStructFields)
		}
		p.ws()
		if p.i >= len(p.s) {
			return Invalid, errors.New("unclosed struct<")
		}
		c := p.s[p.i]
		p.i++
		if c == '>' {
			break
		}
		if c != ',' {
			return Invalid, fmt.Errorf("want ',' or '>' at byte %d, got %q", p.i-1, c)
		}
	}
	return StructOf(fields)
}

// AppendJSON appends v as JSON text: null, numbers (a decimal with its exact
// digits), booleans, strings (timestamps and dates in the Text layout),
// binary as a base64 string, a struct as an object of its fields, an array
// as an array and a map as an object keyed by the keys' Text. Non-finite
// floats are null.
func (v Value) AppendJSON(out []byte) []byte { return v.appendJSON(out) }

func (v Value) appendJSON(out []byte) []byte {
	switch v.Type {
	case Invalid:
		return append(out, "null"...)
	case Int, Bigint:
		return strconv.AppendInt(out, v.I, 10)
	case Double, Float:
		if math.IsNaN(v.Float()) || math.IsInf(v.Float(), 0) {
			return append(out, "null"...)
		}
		return strconv.AppendFloat(out, v.Float(), 'g', -1, 64)
	case Boolean:
		return strconv.AppendBool(out, v.I != 0)
	case String:
		return jsontext.AppendString(out, v.S)
	case Timestamp, Date:
		return jsontext.AppendString(out, v.Text())
	case Binary:
		out = append(out, '"')
		out = base64.StdEncoding.AppendEncode(out, []byte(v.S))
		return append(out, '"')
	}
	if _, _, ok := v.Type.Decimal(); ok {
		return append(out, v.decimalText()...)
	}
	switch {
	case v.Type.Array():
		out = append(out, '[')
		for i, e := range v.Elems() {
			if i > 0 {
				out = append(out, ',')
			}
			out = e.appendJSON(out)
		}
		return append(out, ']')
	case v.Type.Map():
		out = append(out, '{')
		kv := v.Elems()
		for i := 0; i < len(kv); i += 2 {
			if i > 0 {
				out = append(out, ',')
			}
			out = jsontext.AppendString(out, kv[i].Text())
			out = append(out, ':')
			out = kv[i+1].appendJSON(out)
		}
		return append(out, '}')
	}
	st := structOf(v.Type)
	if st == nil || v.first() == nil {
		return append(out, "null"...)
	}
	out = append(out, '{')
	for i, f := range v.Fields() {
		if i > 0 {
			out = append(out, ',')
		}
		out = jsontext.AppendString(out, st.fields[i].Name)
		out = append(out, ':')
		out = f.appendJSON(out)
	}
	return append(out, '}')
}
