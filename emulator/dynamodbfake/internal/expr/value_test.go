package expr

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParseNumber(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want, err string
	}{
		{name: "integer", in: "42", want: "42"},
		{name: "trailing fraction zeros", in: "1.50", want: "1.5"},
		{name: "leading zeros", in: "007", want: "7"},
		{name: "exponent", in: "1e3", want: "1000"},
		{name: "upper exponent", in: "1.5E+2", want: "150"},
		{name: "negative exponent", in: "25e-3", want: "0.025"},
		{name: "negative zero", in: "-0", want: "0"},
		{name: "zero fraction", in: "0.000", want: "0"},
		{name: "zero with huge exponent", in: "0e999999999999", want: "0"},
		{name: "plus sign", in: "+12", want: "12"},
		{name: "bare fraction", in: ".5", want: "0.5"},
		{name: "trailing point", in: "5.", want: "5"},
		{name: "negative", in: "-12.340", want: "-12.34"},
		{name: "38 digits", in: "12345678901234567890123456789012345678", want: "12345678901234567890123456789012345678"},
		{name: "38 digits and zeros", in: "1234567890123456789012345678901234567800", want: "1234567890123456789012345678901234567800"},
		{name: "largest", in: "9.9999999999999999999999999999999999999E+125", want: "99999999999999999999999999999999999999" + strings.Repeat("0", 88)},
		{name: "smallest", in: "1E-130", want: "0." + strings.Repeat("0", 129) + "1"},
		{name: "39 digits", in: "123456789012345678901234567890123456789", err: msgNumPrecision},
		{name: "39 digits negative fraction", in: "-1.23456789012345678901234567890123456789", err: msgNumPrecision},
		{name: "overflow", in: "1e126", err: msgNumOverflow},
		{name: "negative overflow", in: "-1e126", err: msgNumOverflow},
		{name: "underflow", in: "1e-131", err: msgNumUnderflow},
		{name: "negative underflow", in: "-1e-131", err: msgNumUnderflow},
		{name: "empty", in: "", err: "The parameter cannot be converted to a numeric value"},
		{name: "letters", in: "b", err: "The parameter cannot be converted to a numeric value: b"},
		{name: "sign only", in: "-", err: "The parameter cannot be converted to a numeric value: -"},
		{name: "dangling exponent", in: "1e", err: "The parameter cannot be converted to a numeric value: 1e"},
		{name: "space", in: " 1", err: "The parameter cannot be converted to a numeric value:  1"},
		{name: "two points", in: "1.2.3", err: "The parameter cannot be converted to a numeric value: 1.2.3"},
		{name: "hex", in: "0x10", err: "The parameter cannot be converted to a numeric value: 0x10"},
		{name: "infinity", in: "Infinity", err: "The parameter cannot be converted to a numeric value: Infinity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseNumber(tt.in)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("ParseNumber(%q) = %q, %v; want error %q", tt.in, got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseNumber(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestCompareNumbers(t *testing.T) {
	t.Parallel()
	ordered := []string{"-1e125", "-100", "-99.5", "-1", "-0.5", "-0.05", "-1e-130", "0", "1e-130", "0.05", "0.5", "0.51", "1", "9.99", "10", "100", "1e125"}
	canon := make([]string, len(ordered))
	for i, s := range ordered {
		c, err := ParseNumber(s)
		if err != nil {
			t.Fatalf("ParseNumber(%q): %v", s, err)
		}
		canon[i] = c
	}
	for i := range canon {
		for j := range canon {
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got := compareNumbers(canon[i], canon[j]); got != want {
				t.Errorf("compareNumbers(%s, %s) = %d, want %d", ordered[i], ordered[j], got, want)
			}
		}
	}
}

func TestAddNumbers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, a, b string
		sub        bool
		want, err  string
	}{
		{name: "small", a: "1", b: "2", want: "3"},
		{name: "small sub", a: "1", b: "2", sub: true, want: "-1"},
		{name: "fractions", a: "0.1", b: "0.2", want: "0.3"},
		{name: "to zero", a: "1.5", b: "1.5", sub: true, want: "0"},
		{name: "big", a: "99999999999999999999", b: "1", want: "100000000000000000000"},
		{name: "mixed scale", a: "1e20", b: "0.001", want: "100000000000000000000.001"},
		{name: "precision", a: "1e37", b: "0.1", err: msgNumPrecision},
		{name: "overflow", a: "9.9999999999999999999999999999999999999E+125", b: "9.9999999999999999999999999999999999999E+125", err: msgNumOverflow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, _ := ParseNumber(tt.a)
			b, _ := ParseNumber(tt.b)
			got, err := addNumbers(a, b, tt.sub)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("addNumbers(%s, %s) = %q, %v; want error %q", tt.a, tt.b, got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("addNumbers(%s, %s) = %q, %v; want %q", tt.a, tt.b, got, err, tt.want)
			}
		})
	}
}

func TestValueJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want, err string
	}{
		{name: "S", in: `{"S":"héllo \"x\""}`, want: `{"S":"héllo \"x\""}`},
		{name: "S escaped", in: `{"S":"a\u00e9\n"}`, want: `{"S":"aé\n"}`},
		{name: "empty S", in: `{"S":""}`, want: `{"S":""}`},
		{name: "N canonical", in: `{"N":"1.50"}`, want: `{"N":"1.5"}`},
		{name: "B", in: `{"B":"aGk="}`, want: `{"B":"aGk="}`},
		{name: "BOOL", in: `{"BOOL":false}`, want: `{"BOOL":false}`},
		{name: "NULL", in: `{"NULL":true}`, want: `{"NULL":true}`},
		{name: "L", in: ` { "L" : [ {"S":"a"}, {"N":"1"} ] } `, want: `{"L":[{"S":"a"},{"N":"1"}]}`},
		{name: "empty L", in: `{"L":[]}`, want: `{"L":[]}`},
		{name: "M", in: `{"M":{"b":{"N":"2"},"a":{"M":{}}}}`, want: `{"M":{"a":{"M":{}},"b":{"N":"2"}}}`},
		{name: "SS", in: `{"SS":["a","b"]}`, want: `{"SS":["a","b"]}`},
		{name: "NS", in: `{"NS":["1.0","2e1"]}`, want: `{"NS":["1","20"]}`},
		{name: "BS", in: `{"BS":["YQ==","Yg=="]}`, want: `{"BS":["YQ==","Yg=="]}`},
		{name: "null member ignored", in: `{"S":"a","N":null}`, want: `{"S":"a"}`},
		{name: "empty", in: `{}`, err: msgEmptyValue},
		{name: "unknown only", in: `{"a":""}`, err: msgEmptyValue},
		{name: "nested empty", in: `{"L":[{}]}`, err: msgEmptyValue},
		{name: "map of empty", in: `{"M":{"a":{}}}`, err: msgEmptyValue},
		{name: "two types", in: `{"S":"a","N":"1"}`, err: msgTwoTypes},
		{name: "number before count", in: `{"S":"a","N":"b"}`, err: "The parameter cannot be converted to a numeric value: b"},
		{name: "NULL false", in: `{"NULL":false}`, err: "One or more parameter values were invalid: Null attribute value types must have the value of true"},
		{name: "empty SS", in: `{"SS":[]}`, err: "One or more parameter values were invalid: An string set  may not be empty"},
		{name: "empty NS", in: `{"NS":[]}`, err: "One or more parameter values were invalid: An number set  may not be empty"},
		{name: "empty BS", in: `{"BS":[]}`, err: "One or more parameter values were invalid: Binary sets should not be empty"},
		{name: "duplicate SS", in: `{"SS":["a","a"]}`, err: "One or more parameter values were invalid: Input collection [a, a] contains duplicates."},
		{name: "duplicate NS", in: `{"NS":["1","1.0"]}`, err: "Input collection contains duplicates"},
		{name: "duplicate BS", in: `{"BS":["Yg==","Yg=="]}`, err: "One or more parameter values were invalid: Input collection [Yg==, Yg==]of type BS contains duplicates."},
		{name: "bad NS member", in: `{"NS":["1","b"]}`, err: "The parameter cannot be converted to a numeric value: b"},
		{name: "bad base64", in: `{"B":"!!"}`, err: "Invalid Base64 value: !!"},
		{name: "string as number", in: `{"S":5}`, err: "Unexpected character ('5') at offset 5 of an AttributeValue"},
		{name: "string for list", in: `{"L":"x"}`, err: "Unexpected character ('\"') at offset 5 of an AttributeValue"},
		{name: "null string set member", in: `{"SS":["a",null]}`, err: "One or more parameter values were invalid: An string set may not have a null string as a member"},
		{name: "null number set member", in: `{"NS":["1",null]}`, err: "One or more parameter values were invalid: An number set may not have a null string as a member"},
		{name: "too deep", in: strings.Repeat(`{"L":[`, 40) + `{"S":"a"}` + strings.Repeat(`]}`, 40), err: msgNesting},
		{name: "deepest", in: strings.Repeat(`{"M":{"n":`, 31) + `{"S":"a"}` + strings.Repeat(`}}`, 31), want: strings.Repeat(`{"M":{"n":`, 31) + `{"S":"a"}` + strings.Repeat(`}}`, 31)},
		{name: "one level too deep", in: strings.Repeat(`{"M":{"n":`, 32) + `{"S":"a"}` + strings.Repeat(`}}`, 32), err: "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var v Value
			err := json.Unmarshal([]byte(tt.in), &v)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("Unmarshal(%s) error = %v, want %q", tt.in, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Unmarshal(%s): %v", tt.in, err)
			}
			got, err := json.Marshal(v)
			if err != nil || string(got) != tt.want {
				t.Fatalf("Marshal(Unmarshal(%s)) = %s, %v; want %s", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestItemSize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		item Item
		want int
	}{
		{name: "string", item: Item{"ab": {Type: TypeS, S: "héllo"}}, want: 2 + 6},
		{name: "number", item: Item{"n": {Type: TypeN, N: "12345"}}, want: 1 + 4},
		{name: "small number", item: Item{"n": {Type: TypeN, N: "1"}}, want: 1 + 2},
		{name: "bool and null", item: Item{"b": {Type: TypeBOOL}, "z": {Type: TypeNULL}}, want: 4},
		{name: "binary", item: Item{"b": {Type: TypeB, B: []byte{1, 2, 3}}}, want: 4},
		{name: "string set", item: Item{"s": {Type: TypeSS, SS: []string{"ab", "c"}}}, want: 4},
		{name: "empty list", item: Item{"l": {Type: TypeL, L: []Value{}}}, want: 4},
		{name: "list", item: Item{"l": {Type: TypeL, L: []Value{{Type: TypeS, S: "ab"}}}}, want: 1 + 3 + 1 + 2},
		{name: "map", item: Item{"m": {Type: TypeM, M: map[string]Value{"k": {Type: TypeS, S: "ab"}}}}, want: 1 + 3 + 1 + 1 + 2},
		// Sizes measured on DynamoDB (as write capacity units): 130,000
		// two-byte strings in a list are 381 WCUs, so 389,121..390,144 bytes.
		{name: "dense list", item: Item{"pk": {Type: TypeS, S: "under"}, "data": {Type: TypeL, L: repeatValue(Value{Type: TypeS, S: "aa"}, 130000)}}, want: 390014},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.item.Size(); got != tt.want {
				t.Errorf("Size() = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestEqualAndCompareKey(t *testing.T) {
	t.Parallel()
	s := func(x string) Value { return Value{Type: TypeS, S: x} }
	n := func(x string) Value { return Value{Type: TypeN, N: x} }
	if !Equal(Value{Type: TypeSS, SS: []string{"a", "b"}}, Value{Type: TypeSS, SS: []string{"b", "a"}}) {
		t.Error("Equal(SS{a,b}, SS{b,a}) = false, want true")
	}
	if Equal(Value{Type: TypeSS, SS: []string{"a", "b"}}, Value{Type: TypeSS, SS: []string{"a", "c"}}) {
		t.Error("Equal(SS{a,b}, SS{a,c}) = true, want false")
	}
	if Equal(s("1"), n("1")) {
		t.Error(`Equal(S "1", N "1") = true, want false`)
	}
	m1 := Value{Type: TypeM, M: map[string]Value{"a": {Type: TypeL, L: []Value{n("1")}}}}
	m2 := Value{Type: TypeM, M: map[string]Value{"a": {Type: TypeL, L: []Value{n("1")}}}}
	m3 := Value{Type: TypeM, M: map[string]Value{"a": {Type: TypeL, L: []Value{n("2")}}}}
	if !Equal(m1, m2) || Equal(m1, m3) {
		t.Error("Equal on nested maps gave the wrong answer")
	}
	if CompareKey(n("9"), n("10")) >= 0 {
		t.Error("CompareKey(N 9, N 10) >= 0, want < 0")
	}
	if CompareKey(s("9"), s("10")) <= 0 {
		t.Error("CompareKey(S 9, S 10) <= 0, want > 0")
	}
	if CompareKey(Value{Type: TypeB, B: []byte{0xff}}, Value{Type: TypeB, B: []byte{0x01, 0x02}}) <= 0 {
		t.Error("CompareKey(B ff, B 0102) <= 0, want > 0 (unsigned bytes)")
	}
}

func TestSerializationError(t *testing.T) {
	t.Parallel()
	var v Value
	var se *SerializationError
	if err := v.UnmarshalJSON([]byte(`{"SS":"a"}`)); !errors.As(err, &se) {
		t.Errorf(`UnmarshalJSON({"SS":"a"}) = %v, want a *SerializationError`, err)
	}
	if err := v.UnmarshalJSON([]byte(`{"SS":[]}`)); err == nil || errors.As(err, &se) {
		t.Errorf(`UnmarshalJSON({"SS":[]}) = %v, want a validation error`, err)
	}
}

func repeatValue(v Value, n int) []Value {
	l := make([]Value, n)
	for i := range l {
		l[i] = v
	}
	return l
}

// TestNumberSize checks numberSize against sizes measured on DynamoDB, each
// by the 400 KB limit accepting an item of exactly 409,600 bytes and
// refusing one a byte larger.
func TestNumberSize(t *testing.T) {
	t.Parallel()
	measured := []struct {
		literal string
		bytes   int
	}{
		{"0", 1}, {"1", 2}, {"12", 2}, {"123", 3}, {"1234", 3},
		{"12345678901234567890123456789012345678", 20}, {"0042", 2}, {"100", 2},
		{"1010", 3}, {"0.0000001", 2}, {"1E125", 2}, {"1E-100", 2}, {"1.5", 3},
		{"15", 2}, {"1.2", 3}, {"1.200", 3}, {"1.234", 4}, {"3.14159", 5},
		{"123456", 4}, {"100.5", 4}, {"0.15", 2}, {"-42", 3}, {"-0", 1},
	}
	for _, m := range measured {
		n, err := ParseNumber(m.literal)
		if err != nil {
			t.Fatalf("ParseNumber(%q): %v", m.literal, err)
		}
		if got := numberSize(n); got != m.bytes {
			t.Errorf("size of %s = %d bytes, DynamoDB measures %d", m.literal, got, m.bytes)
		}
	}
}

func TestLargeSetDuplicates(t *testing.T) {
	t.Parallel()
	members := make([]string, 20)
	for i := range members {
		members[i] = fmt.Sprintf("%q", fmt.Sprint(i))
	}
	distinct := `{"SS":[` + strings.Join(members, ",") + `]}`
	var v Value
	if err := v.UnmarshalJSON([]byte(distinct)); err != nil {
		t.Fatalf("20 distinct members: %v", err)
	}
	members[19] = members[3]
	dup := `{"NS":[` + strings.Join(members, ",") + `]}`
	if err := v.UnmarshalJSON([]byte(dup)); err == nil || err.Error() != "Input collection contains duplicates" {
		t.Errorf("20 members, one repeated: error = %v, want the duplicates error", err)
	}
}

func TestCompareKeyAcrossTypes(t *testing.T) {
	t.Parallel()
	s := Value{Type: TypeS, S: "z"}
	n := Value{Type: TypeN, N: "1"}
	b := Value{Type: TypeB, B: []byte{0}}
	if CompareKey(s, n) >= 0 || CompareKey(n, b) >= 0 || CompareKey(b, s) <= 0 {
		t.Error("CompareKey does not order S < N < B across types")
	}
	if CompareKey(Value{Type: TypeBOOL}, Value{Type: TypeBOOL, BOOL: true}) != 0 {
		t.Error("CompareKey on BOOLs is not 0")
	}
}
