package record

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// Decimal limits, as in Hive and Spark.
const (
	// MaxDecimalPrecision is the most digits a decimal type may have.
	MaxDecimalPrecision = 38
	// DefaultDecimalPrecision and DefaultDecimalScale are those of a bare
	// "decimal", as in Hive: decimal(10,0).
	DefaultDecimalPrecision = 10
	DefaultDecimalScale     = 0
	// maxDecimalExponent bounds the exponent a decimal text may carry, so
	// that "1e999999999" costs nothing.
	maxDecimalExponent = 1000
)

// ErrDecimal is wrapped by the errors of ParseDecimal.
var ErrDecimal = errors.New("invalid decimal")

// DecimalOf returns the type decimal(precision,scale): exact numbers of up
// to precision digits, scale of them after the point, with 1 <= precision
// <= MaxDecimalPrecision and 0 <= scale <= precision. The same precision
// and scale always give the same Type. Errors wrap ErrStructType.
//
// A decimal Value holds its unscaled value (the number times 10^scale):
// in I for a precision up to 18, else in S as 16 bytes of big-endian two's
// complement. No binary floating point is involved anywhere.
func DecimalOf(precision, scale int) (Type, error) {
	if precision < 1 || precision > MaxDecimalPrecision || scale < 0 || scale > precision {
		return Invalid, fmt.Errorf("%w: decimal(%d,%d): want 1 <= precision <= %d and 0 <= scale <= precision", ErrStructType, precision, scale, MaxDecimalPrecision)
	}
	return intern(&structType{kind: kindDecimal, name: fmt.Sprintf("decimal(%d,%d)", precision, scale), precision: precision, scale: scale})
}

// Decimal returns the precision and scale of a decimal type; ok is false for
// any other type.
func (t Type) Decimal() (precision, scale int, ok bool) {
	if st := compositeOf(t); st != nil && st.kind == kindDecimal {
		return st.precision, st.scale, true
	}
	return 0, 0, false
}

// parseDecimalType reads "decimal", "decimal(p)" or "decimal(p,s)".
func parseDecimalType(n string) (Type, error) {
	rest := strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(n, "decimal"), "numeric"))
	if rest == "" {
		return DecimalOf(DefaultDecimalPrecision, DefaultDecimalScale)
	}
	if !strings.HasPrefix(rest, "(") || !strings.HasSuffix(rest, ")") {
		return Invalid, fmt.Errorf("want decimal(precision,scale), got %q", n)
	}
	ps, ss, hasScale := strings.Cut(rest[1:len(rest)-1], ",")
	p, err := strconv.Atoi(strings.TrimSpace(ps))
	if err != nil {
		return Invalid, fmt.Errorf("want decimal(precision,scale) with integers, got %q", n)
	}
	s := 0
	if hasScale {
		if s, err = strconv.Atoi(strings.TrimSpace(ss)); err != nil {
			return Invalid, fmt.Errorf("want decimal(precision,scale) with integers, got %q", n)
		}
	}
	t, err := DecimalOf(p, s)
	if err != nil {
		return Invalid, errors.Unwrap(err)
	}
	return t, nil
}

// ParseDecimal reads decimal text (an optional sign, digits with an optional
// point, and an optional exponent: "-12.50", "1e3", ".5") as a Value of
// decimal type t, rounding half up to t's scale as Spark does. Text with
// more integer digits than t's precision allows is an error that says so,
// never a silently changed value. Errors wrap ErrDecimal.
func ParseDecimal(text string, t Type) (Value, error) {
	p, sc, ok := t.Decimal()
	if !ok {
		return Value{}, fmt.Errorf("%w: %s is not a decimal type", ErrDecimal, t)
	}
	neg, digits, err := scaledDigits(text, sc)
	if err != nil {
		return Value{}, err
	}
	if len(digits) > p {
		return Value{}, fmt.Errorf("%w: %s does not fit %s (%d digits before the point at most)", ErrDecimal, quoteShort(text), t, p-sc)
	}
	return decimalFromDigits(t, p, neg, digits), nil
}

// scaledDigits returns the digits of text's value times 10^scale, rounded
// half up, without leading zeros ("" for zero), and its sign.
func scaledDigits(text string, scale int) (neg bool, digits string, err error) {
	s := strings.TrimSpace(text)
	bad := func() (bool, string, error) {
		return false, "", fmt.Errorf("%w: want a number, got %s", ErrDecimal, quoteShort(text))
	}
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	mant, expText, hasExp := strings.Cut(strings.ToLower(s), "e")
	exp := 0
	if hasExp {
		e, err := strconv.Atoi(expText)
		if err != nil || e > maxDecimalExponent || e < -maxDecimalExponent {
			return bad()
		}
		exp = e
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	if intPart == "" && frac == "" {
		return bad()
	}
	for _, part := range []string{intPart, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return bad()
			}
		}
	}
	all := intPart + frac
	// The value is all × 10^(exp - len(frac)); scaled, × 10^(exp - len(frac) + scale).
	shift := exp - len(frac) + scale
	var b []byte
	roundUp := false
	if shift >= 0 {
		b = make([]byte, 0, len(all)+shift)
		b = append(b, all...)
		if strings.Trim(all, "0") != "" {
			for range shift {
				b = append(b, '0')
			}
		}
	} else {
		keep := len(all) + shift
		if keep >= 0 {
			b = []byte(all[:keep])
			roundUp = all[keep] >= '5'
		}
	}
	i := 0
	for i < len(b) && b[i] == '0' {
		i++
	}
	b = b[i:]
	if roundUp {
		j := len(b) - 1
		for ; j >= 0 && b[j] == '9'; j-- {
			b[j] = '0'
		}
		if j >= 0 {
			b[j]++
		} else {
			b = append([]byte{'1'}, b...)
		}
	}
	if len(b) == 0 {
		neg = false
	}
	return neg, string(b), nil
}

// decimalFromDigits makes the Value of type t (precision p) whose unscaled
// value is ±digits.
func decimalFromDigits(t Type, p int, neg bool, digits string) Value {
	if p <= 18 {
		var n int64
		if digits != "" {
			u, _ := strconv.ParseUint(digits, 10, 64) // at most 18 digits
			n = int64(u)
		}
		if neg {
			n = -n
		}
		return Value{Type: t, I: n}
	}
	var x big.Int
	if digits != "" {
		x.SetString(digits, 10)
	}
	if neg {
		x.Neg(&x)
	}
	return DecimalFromBig(t, &x)
}

// DecimalFromBig returns the decimal Value of type t whose unscaled value is
// x, which the caller has checked fits t's precision.
func DecimalFromBig(t Type, x *big.Int) Value {
	p, _, _ := t.Decimal()
	if p <= 18 {
		return Value{Type: t, I: x.Int64()}
	}
	var b [16]byte
	twos(x, b[:])
	return Value{Type: t, S: string(b[:])}
}

// twos writes x as big-endian two's complement into b.
func twos(x *big.Int, b []byte) {
	if x.Sign() >= 0 {
		x.FillBytes(b)
		return
	}
	// -x - 1, inverted.
	var m big.Int
	m.Neg(x)
	m.Sub(&m, big.NewInt(1))
	m.FillBytes(b)
	for i := range b {
		b[i] = ^b[i]
	}
}

// Unscaled returns the unscaled value of a decimal Value (the number times
// 10^scale), or nil for any other Value.
func (v Value) Unscaled() *big.Int {
	p, _, ok := v.Type.Decimal()
	if !ok {
		return nil
	}
	if p <= 18 {
		return big.NewInt(v.I)
	}
	var x big.Int
	b := []byte(v.S)
	if len(b) == 0 {
		return &x
	}
	x.SetBytes(b)
	if b[0]&0x80 != 0 {
		// Negative: subtract 2^(8·len).
		var m big.Int
		m.Lsh(big.NewInt(1), uint(8*len(b)))
		x.Sub(&x, &m)
	}
	return &x
}

// UnscaledBytes appends the unscaled value of a decimal Value as n bytes of
// big-endian two's complement (Parquet's FIXED_LEN_BYTE_ARRAY decimal).
func (v Value) UnscaledBytes(out []byte, n int) []byte {
	p, _, _ := v.Type.Decimal()
	if p <= 18 {
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], uint64(v.I))
		fill := byte(0)
		if v.I < 0 {
			fill = 0xff
		}
		for i := n; i > 8; i-- {
			out = append(out, fill)
		}
		return append(out, b[max(0, 8-n):]...)
	}
	if n >= len(v.S) {
		fill := byte(0)
		if len(v.S) > 0 && v.S[0]&0x80 != 0 {
			fill = 0xff
		}
		for i := n; i > len(v.S); i-- {
			out = append(out, fill)
		}
		return append(out, v.S...)
	}
	return append(out, v.S[len(v.S)-n:]...)
}

// decimalText formats a decimal Value: "-12.50" for decimal(p,2).
func (v Value) decimalText() string {
	_, sc, _ := v.Type.Decimal()
	u := v.Unscaled()
	neg := u.Sign() < 0
	u.Abs(u)
	digits := u.String()
	if sc > 0 {
		if len(digits) <= sc {
			digits = strings.Repeat("0", sc-len(digits)+1) + digits
		}
		digits = digits[:len(digits)-sc] + "." + digits[len(digits)-sc:]
	}
	if neg {
		return "-" + digits
	}
	return digits
}

// DecimalBytesFor returns the bytes Parquet's FIXED_LEN_BYTE_ARRAY needs for
// a decimal of precision p: the fewest whose two's complement holds 10^p-1.
func DecimalBytesFor(p int) int {
	limit := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(p)), nil)
	for n := 1; ; n++ {
		max := new(big.Int).Lsh(big.NewInt(1), uint(8*n-1))
		if max.Cmp(limit) >= 0 {
			return n
		}
	}
}
