package expr

import (
	"math/big"
	"strconv"
	"strings"
)

// DynamoDB numbers: up to 38 significant digits, magnitudes from 1E-130 to
// 9.9999999999999999999999999999999999999E+125. This package keeps them as
// strings in canonical form — plain decimal notation, no exponent, no
// leading or trailing zeros, no "+", "0" for every zero — and does exact
// decimal arithmetic on them (math/big), never through float64.

const (
	maxDigits = 38
	maxExp    = 125  // largest scientific exponent
	minExp    = -130 // smallest scientific exponent
)

const (
	msgNumOverflow  = "Number overflow. Attempting to store a number with magnitude larger than supported range"
	msgNumUnderflow = "Number underflow. Attempting to store a number with magnitude smaller than supported range"
	msgNumPrecision = "Attempting to store more than 38 significant digits in a Number"
	msgNumInvalid   = "The parameter cannot be converted to a numeric value"
)

// ParseNumber checks s as DynamoDB checks the string of an N value and
// returns it in the canonical form DynamoDB returns: "1.50" is "1.5",
// "1e3" is "1000", "-0" is "0". Errors carry AWS's messages for text that
// is not a number, more than 38 significant digits, and magnitudes out of
// range.
func ParseNumber(s string) (canonical string, err error) {
	if s == "" {
		return "", errorf("%s", msgNumInvalid)
	}
	bad := func() (string, error) { return "", errorf("%s: %s", msgNumInvalid, s) }
	i := 0
	neg := false
	if s[0] == '+' || s[0] == '-' {
		neg = s[0] == '-'
		i++
	}
	var buf [48]byte
	digits := buf[:0]
	nDigits, nFrac := 0, 0
	seenDot := false
	for ; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' {
			nDigits++
			if seenDot {
				nFrac++
			}
			if c == '0' && len(digits) == 0 {
				continue // a leading zero
			}
			digits = append(digits, c)
			continue
		}
		if c == '.' && !seenDot {
			seenDot = true
			continue
		}
		break
	}
	if nDigits == 0 {
		return bad()
	}
	// The value is digits × 10^(exponent − fraction digits).
	exp := 0
	if i < len(s) {
		if s[i] != 'e' && s[i] != 'E' {
			return bad()
		}
		i++
		eneg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			eneg = s[i] == '-'
			i++
		}
		if i == len(s) {
			return bad()
		}
		for ; i < len(s); i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return bad()
			}
			if exp < 1_000_000_000 {
				exp = exp*10 + int(c-'0')
			}
		}
		if eneg {
			exp = -exp
		}
	}
	return normalize(neg, digits, exp-nFrac)
}

// normalize renders ±digits×10^exp10 canonically, checking DynamoDB's
// limits. digits has no leading zeros (it may be empty for zero).
func normalize(neg bool, digits []byte, exp10 int) (string, error) {
	for len(digits) > 0 && digits[0] == '0' {
		digits = digits[1:]
	}
	for len(digits) > 0 && digits[len(digits)-1] == '0' {
		digits = digits[:len(digits)-1]
		exp10++
	}
	if len(digits) == 0 {
		return "0", nil
	}
	sci := exp10 + len(digits) - 1
	if sci > maxExp {
		return "", errorf("%s", msgNumOverflow)
	}
	if sci < minExp {
		return "", errorf("%s", msgNumUnderflow)
	}
	if len(digits) > maxDigits {
		return "", errorf("%s", msgNumPrecision)
	}
	var b strings.Builder
	b.Grow(len(digits) + 4 + max(exp10, -exp10))
	if neg {
		b.WriteByte('-')
	}
	switch {
	case exp10 >= 0:
		b.Write(digits)
		for range exp10 {
			b.WriteByte('0')
		}
	case len(digits)+exp10 > 0:
		p := len(digits) + exp10
		b.Write(digits[:p])
		b.WriteByte('.')
		b.Write(digits[p:])
	default:
		b.WriteString("0.")
		for range -(len(digits) + exp10) {
			b.WriteByte('0')
		}
		b.Write(digits)
	}
	return b.String(), nil
}

// compareNumbers orders two canonical numbers.
func compareNumbers(a, b string) int {
	an := strings.HasPrefix(a, "-")
	bn := strings.HasPrefix(b, "-")
	if an != bn {
		if an {
			return -1
		}
		return 1
	}
	if an {
		return -compareMagnitudes(a[1:], b[1:])
	}
	return compareMagnitudes(a, b)
}

func compareMagnitudes(a, b string) int {
	ai, af, _ := strings.Cut(a, ".")
	bi, bf, _ := strings.Cut(b, ".")
	if len(ai) != len(bi) {
		if len(ai) < len(bi) {
			return -1
		}
		return 1
	}
	if c := strings.Compare(ai, bi); c != 0 {
		return c
	}
	return strings.Compare(af, bf)
}

// smallInt reports whether canonical s is an integer that fits an int64
// with room for one addition.
func smallInt(s string) (int64, bool) {
	if len(s) > 18 || strings.IndexByte(s, '.') >= 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// addNumbers returns a+b (or a−b with sub) for canonical numbers, with
// DynamoDB's limits on the result.
func addNumbers(a, b string, sub bool) (string, error) {
	if x, ok := smallInt(a); ok {
		if y, ok := smallInt(b); ok {
			if sub {
				return strconv.FormatInt(x-y, 10), nil
			}
			return strconv.FormatInt(x+y, 10), nil
		}
	}
	xm, xe := decimalParts(a)
	ym, ye := decimalParts(b)
	if sub {
		ym.Neg(ym)
	}
	// Align to the smaller exponent.
	if xe > ye {
		xm.Mul(xm, pow10(xe-ye))
		xe = ye
	} else if ye > xe {
		ym.Mul(ym, pow10(ye-xe))
	}
	xm.Add(xm, ym)
	neg := xm.Sign() < 0
	xm.Abs(xm)
	return normalize(neg, xm.Append(nil, 10), xe)
}

// decimalParts splits canonical s into mantissa and exponent.
func decimalParts(s string) (*big.Int, int) {
	ip, fp, _ := strings.Cut(s, ".")
	m, _ := new(big.Int).SetString(ip+fp, 10)
	if m == nil {
		m = new(big.Int)
	}
	return m, -len(fp)
}

func pow10(n int) *big.Int {
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
}

// numberSize is the stored size of a canonical number: one byte of
// exponent plus one byte per pair of significant digits, pairs aligned on
// the decimal point as in a base-100 encoding, plus one byte when negative;
// zero is one byte. This matches every size measured on DynamoDB that we
// know of ("3.14159" is 5 bytes, "123456" 4, "100.5" 4, "-42" 3).
func numberSize(s string) int {
	neg := 0
	if strings.HasPrefix(s, "-") {
		s, neg = s[1:], 1
	}
	if s == "0" || s == "" {
		return 1
	}
	ip, fp, _ := strings.Cut(s, ".")
	// Position of the most significant digit (10^top) and the least (10^bot).
	var top, bot int
	if ip != "0" {
		top = len(ip) - 1
	} else {
		z := len(fp) - len(strings.TrimLeft(fp, "0"))
		top = -(z + 1)
	}
	if fp != "" {
		bot = -len(fp)
	} else {
		t := strings.TrimRight(ip, "0")
		bot = len(ip) - len(t)
	}
	return 1 + floorDiv2(top) - floorDiv2(bot) + 1 + neg
}

func floorDiv2(n int) int {
	if n >= 0 {
		return n / 2
	}
	return -((-n + 1) / 2)
}
