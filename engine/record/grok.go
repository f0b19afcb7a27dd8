package record

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/elastic/go-grok"
	"github.com/elastic/go-grok/patterns"
)

// compileGrok builds a matcher for pattern on top of the standard pattern
// library (grok's default set plus the AWS, Apache httpd, syslog, Java and
// other log libraries) and the custom patterns, one "NAME PATTERN" a line.
func compileGrok(pattern, custom string) (*grok.Grok, error) {
	defs, err := parseGrokCustom(custom)
	if err != nil {
		return nil, err
	}
	g, err := grok.NewComplete(defs)
	if err != nil {
		return nil, fmt.Errorf("load grok patterns: %w", err)
	}
	if err := g.Compile(pattern, true); err != nil {
		return nil, fmt.Errorf("compile grok pattern %q: %w", pattern, err)
	}
	return g, nil
}

// parseGrokCustom reads "NAME PATTERN" lines.
func parseGrokCustom(custom string) (map[string]string, error) {
	defs := map[string]string{}
	for n, line := range strings.Split(custom, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, def, ok := strings.Cut(line, " ")
		if i := strings.IndexByte(line, '\t'); i >= 0 && (!ok || i < len(name)) {
			name, def, ok = line[:i], line[i+1:], true
		}
		def = strings.TrimSpace(def)
		if !ok || def == "" || strings.ContainsRune(name, ':') {
			return nil, fmt.Errorf("custom pattern line %d: want NAME PATTERN, got %q", n+1, line)
		}
		defs[name] = def
	}
	return defs, nil
}

// grokLibraries are the pattern sets loaded besides grok's default set, in
// the order the matcher loads them (a later definition wins).
var grokLibraries = []map[string]string{
	patterns.AWS, patterns.Bind9, patterns.Bro, patterns.Exim, patterns.HAProxy, patterns.Httpd,
	patterns.Firewalls, patterns.Java, patterns.Junos, patterns.Maven, patterns.MCollective,
	patterns.MongoDB, patterns.PostgreSQL, patterns.Rails, patterns.Redis, patterns.Ruby,
	patterns.Squid, patterns.Syslog,
}

var grokRef = regexp.MustCompile(`%{(\w+)(?::([\w+.]+)(?::(\w+))?)?}`)

// GrokColumns returns the columns a Grok pattern captures, in the order they
// appear once every %{SYNTAX} is expanded, as Glue's Grok classifier derives
// a table: %{SYNTAX:name} is a string column, %{SYNTAX:name:type} one of the
// type given (int, long → bigint, float, double, boolean, string). The first
// capture of a name decides its type. No column is required.
func GrokColumns(pattern, custom string) ([]Column, error) {
	defs, err := parseGrokCustom(custom)
	if err != nil {
		return nil, err
	}
	lookup := func(name string) (string, bool) {
		if d, ok := defs[name]; ok {
			return d, true
		}
		for i := len(grokLibraries) - 1; i >= 0; i-- {
			if d, ok := grokLibraries[i][name]; ok {
				return d, true
			}
		}
		d, ok := patterns.Default[name]
		return d, ok
	}
	var cols []Column
	seen := map[string]bool{}
	var walk func(p string, depth int) error
	walk = func(p string, depth int) error {
		if depth > 64 {
			return fmt.Errorf("grok pattern nests more than 64 levels (a cycle?)")
		}
		for _, m := range grokRef.FindAllStringSubmatch(p, -1) {
			def, ok := lookup(m[1])
			if !ok {
				return fmt.Errorf("grok pattern %q unknown", m[1])
			}
			if m[2] != "" && !seen[m[2]] {
				seen[m[2]] = true
				t := String
				switch strings.ToLower(m[3]) {
				case "", "string":
				case "int":
					t = Int
				case "long":
					t = Bigint
				case "float":
					t = Float
				case "double":
					t = Double
				case "boolean", "bool":
					t = Boolean
				default:
					return fmt.Errorf("capture %q: unknown type %q (want int, long, float, double, boolean or string)", m[2], m[3])
				}
				cols = append(cols, Column{Name: m[2], Type: t})
			}
			if err := walk(def, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(pattern, 0); err != nil {
		return nil, err
	}
	return cols, nil
}

// grokDecoder matches each payload (one log line) against a Grok pattern
// and converts named captures to the columns of the same name.
type grokDecoder struct {
	cols []Column
	g    *grok.Grok
}

func newGrokDecoder(f Format, cols []Column) (*grokDecoder, error) {
	g, err := compileGrok(f.GrokPattern, f.GrokCustomPatterns)
	if err != nil {
		return nil, err
	}
	return &grokDecoder{cols: cols, g: g}, nil
}

// Decode matches payload, less one final line break, against the pattern.
// A line that does not match is an error; a column without a capture (or
// with an empty one) is null.
func (d *grokDecoder) Decode(payload []byte, row []Value) error {
	for i := range row {
		row[i] = Value{}
	}
	line := string(payload)
	line = strings.TrimSuffix(line, "\n")
	line = strings.TrimSuffix(line, "\r")
	caps, err := d.g.ParseString(line)
	if err != nil {
		return &DecodeError{Format: "Grok", Reason: err.Error()}
	}
	if len(caps) == 0 && !d.g.MatchString(line) {
		return &DecodeError{Format: "Grok", Reason: "line does not match the Grok pattern"}
	}
	for i, c := range d.cols {
		s, ok := caps[c.Name]
		if ok {
			v, reason := parseText(s, c)
			if reason != "" {
				// The library reports captures without positions: the offset is
				// that of the first occurrence of the captured text.
				return &DecodeError{Format: "Grok", Field: c.Name, Offset: max(strings.Index(line, s), 0), Reason: "capture: " + reason}
			}
			row[i] = v
		}
		if c.Required && row[i].Null() {
			return &DecodeError{Format: "Grok", Field: c.Name, Offset: len(payload), Reason: "no capture for a required column of type " + c.Type.String()}
		}
	}
	return nil
}
