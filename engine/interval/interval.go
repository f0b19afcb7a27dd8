// Package interval reads the durations of job files: Spark's and Glue's
// interval form ("100 seconds", "10 minutes") or a Go duration ("90s").
package interval

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Duration is a time.Duration read from YAML in either form and written as a
// Go duration.
type Duration time.Duration

// String formats d as a Go duration.
func (d Duration) String() string { return time.Duration(d).String() }

// UnmarshalYAML parses either form; an error names the line.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: want a duration like \"100 seconds\", got a list or mapping", n.Line)
	}
	v, err := Parse(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML writes d as a Go duration.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

var units = map[string]time.Duration{
	"millisecond": time.Millisecond, "second": time.Second, "minute": time.Minute,
	"hour": time.Hour, "day": 24 * time.Hour,
}

// Parse parses "100 seconds", "1 minute", "500 milliseconds", "2 hours",
// "1 day" (singular or plural, any case) or a Go duration.
func Parse(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if d, err := time.ParseDuration(s); err == nil {
		return d, nil
	}
	if f := strings.Fields(s); len(f) == 2 {
		if n, err := strconv.ParseFloat(f[0], 64); err == nil {
			if u, ok := units[strings.TrimSuffix(strings.ToLower(f[1]), "s")]; ok {
				d := n * float64(u)
				if math.IsNaN(d) || d >= math.MaxInt64 || d <= math.MinInt64 {
					return 0, fmt.Errorf("duration %q is out of range: want at most 106751 days (292 years)", s)
				}
				return time.Duration(d), nil
			}
		}
	}
	return 0, fmt.Errorf("want a duration like \"100 seconds\" or \"100s\", got %q", s)
}
