package transform

import (
	"testing"
	"time"
)

// TestParseSQLMicros checks the arithmetic date reading against time.Parse
// over every day of years around each kind of leap rule, at both ends of
// the four-digit years, and against text it must reject.
func TestParseSQLMicros(t *testing.T) {
	t.Parallel()
	for _, y := range []int{0, 1, 4, 99, 100, 399, 400, 1582, 1899, 1900, 1969, 1970, 1971, 1999, 2000, 2024, 2026, 2100, 2400, 9999} {
		for day := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC); day.Year() == y; day = day.AddDate(0, 0, 1) {
			s := day.Add(23*time.Hour + 59*time.Minute + 58*time.Second).Format(sqlLayout)
			want, err := time.Parse(sqlLayout, s)
			if err != nil {
				t.Fatal(err)
			}
			if got, ok := parseSQLMicros(s); !ok || got != want.UnixMicro() {
				t.Fatalf("parseSQLMicros(%q) = %d, %t, want %d, true", s, got, ok, want.UnixMicro())
			}
		}
	}
	for _, s := range []string{
		"2026-02-29 00:00:00", "1900-02-29 00:00:00", "2026-04-31 00:00:00", "2026-13-01 00:00:00", "2026-00-01 00:00:00",
		"2026-01-00 00:00:00", "2026-01-01 24:00:00", "2026-01-01 00:60:00", "2026-01-01 00:00:60", "2026-01-01T00:00:00",
		"2026-1-01 00:00:00", "2026-01-01 00:00:0x", "+026-01-01 00:00:00", "2026-01-01 00:00:00Z", "",
	} {
		if got, ok := parseSQLMicros(s); ok {
			t.Errorf("parseSQLMicros(%q) = %d, true, want false", s, got)
		}
		if _, err := time.Parse(sqlLayout, s); err == nil {
			t.Errorf("time.Parse(%q) accepts it: the fast path may refuse only what time.Parse refuses", s)
		}
	}
}
