// Package report renders scenario runs for people and for CI systems.
//
// A Run is the report's own model of one scenario run: its verdict, seed and
// replay command, the checks with their counts and examples, the batches the
// engine committed, the events of the run (restarts, crashes, faults,
// reshards), lag over time, headline figures and the files it left behind.
// The caller fills a Run from whatever executed the scenario; this package
// imports nothing else from streamcheck.
//
// Three renderings share that model:
//
//   - WriteHTML writes one self-contained HTML page (inline CSS and inline SVG
//     charts, no scripts, fonts or network) that opens offline from a CI
//     artifact: the verdict, seed and replay command first, then the checks,
//     a lag chart with restarts, crashes and faults marked, a batch-size chart,
//     the figures, the event timeline and the artifacts.
//   - WriteJSON writes a versioned JSON document with stable field names
//     (see Document); ReadJSON reads it back.
//   - WriteJUnit writes JUnit XML with one testcase per check, so that CI
//     test views list and count every check of every run.
//
// WriteDir writes all three into a directory as report.html, report.json and
// junit.xml, each with a temporary file, fsync and rename.
package report
