package expr

import (
	"bytes"
	"sort"
	"strings"
)

// Type is the data type of an attribute value, as DynamoDB names it in its
// JSON protocol.
type Type uint8

// The ten attribute types of DynamoDB. The zero Type is not a valid type.
const (
	TypeS Type = iota + 1
	TypeN
	TypeB
	TypeBOOL
	TypeNULL
	TypeL
	TypeM
	TypeSS
	TypeNS
	TypeBS
)

var typeNames = [...]string{"", "S", "N", "B", "BOOL", "NULL", "L", "M", "SS", "NS", "BS"}

// String returns the type's name in DynamoDB's JSON protocol: "S", "N", "B",
// "BOOL", "NULL", "L", "M", "SS", "NS" or "BS".
func (t Type) String() string {
	if int(t) < len(typeNames) && t != 0 {
		return typeNames[t]
	}
	return "INVALID"
}

// typeByName maps a protocol type name to its Type; 0 when unknown.
func typeByName(s string) Type {
	for i := 1; i < len(typeNames); i++ {
		if typeNames[i] == s {
			return Type(i)
		}
	}
	return 0
}

// Value is one attribute value. Only the field of its Type is meaningful.
// Values are treated as immutable: functions in this package never modify a
// Value they are given and share unchanged parts between old and new items.
type Value struct {
	Type Type
	S    string           // S
	N    string           // N, in DynamoDB's canonical form (what GetItem returns)
	B    []byte           // B
	BOOL bool             // BOOL
	L    []Value          // L
	M    map[string]Value // M
	SS   []string         // SS
	NS   []string         // NS, canonical
	BS   [][]byte         // BS
}

// Item is a DynamoDB item: attribute names to values.
type Item map[string]Value

// Size returns the item's size in bytes as DynamoDB counts it against the
// 400 KB item limit and for capacity units: for each attribute, the UTF-8
// length of its name plus the size of its value.
func (it Item) Size() int {
	n := 0
	for k, v := range it {
		n += len(k) + valueSize(v)
	}
	return n
}

// valueSize is the size of one value: strings and binaries their length,
// numbers about one byte per two significant digits plus one, BOOL and NULL
// one byte, sets the sum of their members, lists and maps 3 bytes plus one
// byte per element plus the elements (and, for maps, the keys).
func valueSize(v Value) int {
	switch v.Type {
	case TypeS:
		return len(v.S)
	case TypeN:
		return numberSize(v.N)
	case TypeB:
		return len(v.B)
	case TypeBOOL, TypeNULL:
		return 1
	case TypeSS:
		n := 0
		for _, s := range v.SS {
			n += len(s)
		}
		return n
	case TypeNS:
		n := 0
		for _, s := range v.NS {
			n += numberSize(s)
		}
		return n
	case TypeBS:
		n := 0
		for _, b := range v.BS {
			n += len(b)
		}
		return n
	case TypeL:
		n := 3
		for _, e := range v.L {
			n += 1 + valueSize(e)
		}
		return n
	case TypeM:
		n := 3
		for k, e := range v.M {
			n += 1 + len(k) + valueSize(e)
		}
		return n
	}
	return 0
}

// levels is how many levels v spans: 1 for a scalar or an empty list or
// map, one more than its deepest element otherwise.
func levels(v Value) int {
	n := 0
	switch v.Type {
	case TypeL:
		for _, e := range v.L {
			n = max(n, levels(e))
		}
	case TypeM:
		for _, e := range v.M {
			n = max(n, levels(e))
		}
	}
	return n + 1
}

// Equal reports whether a and b are the same value: the same type and the
// same contents, sets compared without regard to order, numbers numerically.
func Equal(a, b Value) bool {
	if a.Type != b.Type {
		return false
	}
	switch a.Type {
	case TypeS:
		return a.S == b.S
	case TypeN:
		return compareNumbers(a.N, b.N) == 0
	case TypeB:
		return bytes.Equal(a.B, b.B)
	case TypeBOOL:
		return a.BOOL == b.BOOL
	case TypeNULL:
		return true
	case TypeL:
		if len(a.L) != len(b.L) {
			return false
		}
		for i := range a.L {
			if !Equal(a.L[i], b.L[i]) {
				return false
			}
		}
		return true
	case TypeM:
		if len(a.M) != len(b.M) {
			return false
		}
		for k, av := range a.M {
			bv, ok := b.M[k]
			if !ok || !Equal(av, bv) {
				return false
			}
		}
		return true
	case TypeSS:
		return sameStringSet(a.SS, b.SS, func(x, y string) bool { return x == y })
	case TypeNS:
		return sameStringSet(a.NS, b.NS, func(x, y string) bool { return compareNumbers(x, y) == 0 })
	case TypeBS:
		if len(a.BS) != len(b.BS) {
			return false
		}
		for _, x := range a.BS {
			if !containsBytes(b.BS, x) {
				return false
			}
		}
		return true
	}
	return false
}

func sameStringSet(a, b []string, eq func(x, y string) bool) bool {
	if len(a) != len(b) {
		return false
	}
outer:
	for _, x := range a {
		for _, y := range b {
			if eq(x, y) {
				continue outer
			}
		}
		return false
	}
	return true
}

func containsBytes(set [][]byte, b []byte) bool {
	for _, x := range set {
		if bytes.Equal(x, b) {
			return true
		}
	}
	return false
}

// CompareKey orders two key values as DynamoDB orders sort keys: strings by
// their UTF-8 bytes, numbers numerically, binaries by unsigned bytes. Values
// of different types order by type (S < N < B); other types order equal.
func CompareKey(a, b Value) int {
	if a.Type != b.Type {
		if a.Type < b.Type {
			return -1
		}
		return 1
	}
	switch a.Type {
	case TypeS:
		return strings.Compare(a.S, b.S)
	case TypeN:
		return compareNumbers(a.N, b.N)
	case TypeB:
		return bytes.Compare(a.B, b.B)
	}
	return 0
}

// compareScalars compares two values of one scalar type (S, N or B) for the
// ordering operators; ok is false when they cannot be ordered.
func compareScalars(a, b Value) (c int, ok bool) {
	if a.Type != b.Type {
		return 0, false
	}
	switch a.Type {
	case TypeS, TypeN, TypeB:
		return CompareKey(a, b), true
	}
	return 0, false
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
