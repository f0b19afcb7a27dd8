package record

import (
	"fmt"
	"unsafe"
)

// ArrayOf returns the type array<elem> (Hive's array<T>). Arrays nest with
// structs and maps up to MaxStructDepth levels. The same element type always
// gives the same Type. Errors wrap ErrStructType.
func ArrayOf(elem Type) (Type, error) {
	d, err := childDepth(elem)
	if err != nil {
		return Invalid, fmt.Errorf("%w: array element: %w", ErrStructType, err)
	}
	return intern(&structType{kind: kindArray, name: "array<" + elem.String() + ">", depth: d + 1,
		fields: []Column{{Name: "element", Type: elem}}})
}

// MapOf returns the type map<key,value> (Hive's map<K,V>). The key must be
// a scalar type other than binary (as in Hive; Parquet's map key is a
// required field, so a null key is an error wherever one is decoded). The
// same key and value types always give the same Type. Errors wrap
// ErrStructType.
func MapOf(key, value Type) (Type, error) {
	if _, _, dec := key.Decimal(); key == Invalid || key == Binary || int(key) >= len(typeNames) && !dec {
		return Invalid, fmt.Errorf("%w: map key type %s: want a scalar type other than binary", ErrStructType, key)
	}
	d, err := childDepth(value)
	if err != nil {
		return Invalid, fmt.Errorf("%w: map value: %w", ErrStructType, err)
	}
	return intern(&structType{kind: kindMap, name: "map<" + key.String() + "," + value.String() + ">", depth: d + 1,
		fields: []Column{{Name: "key", Type: key}, {Name: "value", Type: value}}})
}

// childDepth returns the nesting depth of a type used inside another one.
func childDepth(t Type) (int, error) {
	if st := compositeOf(t); st != nil {
		if st.depth+1 > MaxStructDepth {
			return 0, fmt.Errorf("nested %d deep, more than %d", st.depth+1, MaxStructDepth)
		}
		return st.depth, nil
	}
	if t == Invalid || int(t) >= len(typeNames) {
		return 0, fmt.Errorf("no valid type")
	}
	return 0, nil
}

// Nested reports whether t is a struct, array or map type: one whose values
// hold other values and that text formats (csv, grok) cannot fill.
func (t Type) Nested() bool {
	st := compositeOf(t)
	return st != nil && st.kind != kindDecimal
}

// Array reports whether t is an array type.
func (t Type) Array() bool {
	st := compositeOf(t)
	return st != nil && st.kind == kindArray
}

// Map reports whether t is a map type.
func (t Type) Map() bool {
	st := compositeOf(t)
	return st != nil && st.kind == kindMap
}

// Elem returns the element type of an array type, the value type of a map
// type, and Invalid for any other type.
func (t Type) Elem() Type {
	st := compositeOf(t)
	switch {
	case st == nil:
		return Invalid
	case st.kind == kindArray:
		return st.fields[0].Type
	case st.kind == kindMap:
		return st.fields[1].Type
	}
	return Invalid
}

// Key returns the key type of a map type, and Invalid for any other type.
func (t Type) Key() Type {
	if st := compositeOf(t); st != nil && st.kind == kindMap {
		return st.fields[0].Type
	}
	return Invalid
}

// ArrayValue returns a Value of array type t holding elems (null elements
// are zero Values). The Value keeps elems: the caller must not change it
// afterwards. ArrayValue panics if t is not an array type.
func ArrayValue(t Type, elems []Value) Value {
	if !t.Array() {
		panic("record: ArrayValue of non-array type " + t.String())
	}
	if len(elems) == 0 {
		return Value{Type: t}
	}
	return nestedValue(t, int64(len(elems)), &elems[0])
}

// MapValue returns a Value of map type t holding the entries in kv: keys at
// even indexes, each followed by its value, in the order given (duplicate
// keys are the caller's to avoid; the decoders keep the last). The Value
// keeps kv. MapValue panics if t is not a map type or kv has odd length.
func MapValue(t Type, kv []Value) Value {
	if !t.Map() || len(kv)%2 != 0 {
		panic(fmt.Sprintf("record: MapValue of %s with %d keys and values", t, len(kv)))
	}
	if len(kv) == 0 {
		return Value{Type: t}
	}
	return nestedValue(t, int64(len(kv)/2), &kv[0])
}

// Elems returns the elements of an array Value, or the entries of a map
// Value as key, value, key, value...; nil for any other Value. The slice is
// shared with v: do not modify it.
func (v Value) Elems() []Value {
	if v.I <= 0 || v.first() == nil {
		return nil
	}
	st := compositeOf(v.Type)
	switch {
	case st == nil:
		return nil
	case st.kind == kindArray:
		return unsafe.Slice(v.first(), v.I)
	case st.kind == kindMap:
		return unsafe.Slice(v.first(), 2*v.I)
	}
	return nil
}

// Len returns the number of elements of an array Value or entries of a map
// Value, and 0 for any other.
func (v Value) Len() int {
	if v.Type.Array() || v.Type.Map() {
		return int(v.I)
	}
	return 0
}
