package interval_test

import (
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/streamcheck/streamcheck/engine/interval"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"10 minutes", 10 * time.Minute}, {"5 minute", 5 * time.Minute}, {"100 seconds", 100 * time.Second},
		{"1 hour", time.Hour}, {"90s", 90 * time.Second}, {"500 milliseconds", 500 * time.Millisecond},
		{"1 Day", 24 * time.Hour}, {" 2 HOURS ", 2 * time.Hour},
	}
	for _, tt := range tests {
		if got, err := interval.Parse(tt.in); err != nil || got != tt.want {
			t.Errorf("Parse(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"ten minutes", "10 fortnights", "", "10"} {
		if _, err := interval.Parse(bad); err == nil {
			t.Errorf("Parse(%q) succeeded, want an error", bad)
		}
	}
}

func TestYAML(t *testing.T) {
	var v struct {
		W interval.Duration `yaml:"w"`
	}
	if err := yaml.Unmarshal([]byte("w: 100 seconds\n"), &v); err != nil || time.Duration(v.W) != 100*time.Second {
		t.Fatalf("got %v, %v; want 100s", v.W, err)
	}
	err := yaml.Unmarshal([]byte("\nw: soon\n"), &v)
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("error %v should name line 2", err)
	}
	out, _ := yaml.Marshal(v)
	if string(out) != "w: 1m40s\n" {
		t.Fatalf("Marshal = %q, want %q", out, "w: 1m40s\n")
	}
}
