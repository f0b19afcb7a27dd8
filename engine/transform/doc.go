// Package transform applies a job's transforms to decoded rows: ApplyMapping
// (select, rename and cast columns, including string to timestamp with a
// Java-style or Go layout), derived columns and a filter written as
// expressions in the expr language (github.com/expr-lang/expr). Expressions
// are compiled once, when the transform is built, so a bad expression is a
// configuration error, not a per-record one.
package transform
