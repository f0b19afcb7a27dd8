package main

import (
	"io"
	"strings"
)

// ANSI colours of verdicts.
const (
	ansiGreen  = "\033[32m"
	ansiRed    = "\033[31m"
	ansiYellow = "\033[33m"
	ansiReset  = "\033[0m"
	// ansiDefault is the terminal's own colour, as long as the others.
	ansiDefault = "\033[39m"
)

// useColor reports whether verdicts written to w are coloured: only on a
// terminal, and never with NO_COLOR set (https://no-color.org) or TERM=dumb.
func useColor(e *env, w io.Writer) bool {
	return isTerminal(w) && e.getenv("NO_COLOR") == "" && e.getenv("TERM") != "dumb"
}

// verdictPainter returns a function that colours a verdict word (PASS, OK
// green; FAIL, ERROR red; SKIP yellow) when on is set, and leaves it as it
// is otherwise. Every colour adds the same number of bytes, so columns of
// verdicts stay aligned.
func verdictPainter(on bool) func(string) string {
	return func(s string) string {
		if !on {
			return s
		}
		switch strings.ToUpper(strings.TrimSpace(s)) {
		case "PASS", "OK":
			return ansiGreen + s + ansiReset
		case "FAIL", "ERROR":
			return ansiRed + s + ansiReset
		case "SKIP":
			return ansiYellow + s + ansiReset
		}
		return ansiDefault + s + ansiReset
	}
}
