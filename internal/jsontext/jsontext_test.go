package jsontext_test

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/streamcheck/streamcheck/internal/jsontext"
)

func TestAppendString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", `"plain"`},
		{`a "quoted" \ path`, `"a \"quoted\" \\ path"`},
		{"line\nfeed\r\ttab\x01", `"line\nfeed\r\ttab\u0001"`},
		{"héllo ☃", `"héllo ☃"`},
		{"bad \xff byte", `"bad \ufffd byte"`},
	}
	for _, tt := range tests {
		got := string(jsontext.AppendString([]byte("x="), tt.in))
		if got != "x="+tt.want {
			t.Errorf("AppendString(%q) = %s, want %s", tt.in, got, "x="+tt.want)
		}
		var back string
		if err := json.Unmarshal([]byte(got[2:]), &back); err != nil {
			t.Errorf("AppendString(%q) = %s: not valid JSON: %v", tt.in, got, err)
		}
	}
}

// FuzzAppendString: whatever the input, the output is a JSON string that
// decodes to the input when the input is valid UTF-8.
func FuzzAppendString(f *testing.F) {
	f.Add("a\"b\\c\n\xff")
	f.Fuzz(func(t *testing.T, s string) {
		var back string
		if err := json.Unmarshal(jsontext.AppendString(nil, s), &back); err != nil {
			t.Fatalf("AppendString(%q): not valid JSON: %v", s, err)
		}
		if utf8.ValidString(s) && back != s {
			t.Fatalf("AppendString(%q) decodes to %q", s, back)
		}
	})
}
