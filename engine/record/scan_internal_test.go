package record

import (
	"strings"
	"testing"
)

// TestScannerStrStops puts each byte that ends a string's plain run (and
// some that do not) at every position of strings up to 40 bytes long, so
// that the eight-bytes-at-a-time scan is checked against the byte by byte
// rule at every offset within and across its words.
func TestScannerStrStops(t *testing.T) {
	t.Parallel()
	for n := range 41 {
		for at := range n {
			for _, c := range []byte{'"', '\\', 0x00, 0x01, 0x1f, 0x20, '!', '#', '[', ']', 0x7f, 0x80, 0xc3, 0xff} {
				body := []byte(strings.Repeat("a", n))
				body[at] = c
				in := append(append([]byte{'"'}, body...), '"')
				// The byte by byte rule: the run ends at the first quote,
				// backslash or control character.
				stop := 1
				for stop < len(in) && in[stop] != '"' && in[stop] != '\\' && in[stop] >= 0x20 {
					stop++
				}
				s := scanner{b: in}
				var buf []byte
				out, _, err := s.str(&buf)
				switch in[stop] {
				case '"':
					if err != nil || string(out) != string(in[1:stop]) || s.i != stop+1 {
						t.Fatalf("str(%q) = %q, %v, at %d; want %q, nil, at %d", in, out, err, s.i, in[1:stop], stop+1)
					}
				case '\\':
					// Every escape here is "\a", which is invalid, or the
					// closing quote escaped, which leaves the string open.
					if err == nil || !strings.Contains(err.Error(), "invalid escape") && !strings.Contains(err.Error(), "unterminated") {
						t.Fatalf("str(%q) = %q, %v; want an invalid escape error", in, out, err)
					}
				default:
					if err == nil || !strings.Contains(err.Error(), "control character") || s.i != stop {
						t.Fatalf("str(%q) = %v at %d, want a control character error at %d", in, err, s.i, stop)
					}
				}
			}
		}
	}
}
