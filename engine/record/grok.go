package record

import (
	"fmt"
	"strings"

	"github.com/elastic/go-grok"
)

// compileGrok builds a matcher for pattern on top of the standard pattern
// library (grok's default set plus the AWS, Apache httpd, syslog, Java and
// other log libraries) and the custom patterns, one "NAME PATTERN" a line.
func compileGrok(pattern, custom string) (*grok.Grok, error) {
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
	g, err := grok.NewComplete(defs)
	if err != nil {
		return nil, fmt.Errorf("load grok patterns: %w", err)
	}
	if err := g.Compile(pattern, true); err != nil {
		return nil, fmt.Errorf("compile grok pattern %q: %w", pattern, err)
	}
	return g, nil
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
