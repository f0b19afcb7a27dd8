package assertions

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"
)

var decimalType = regexp.MustCompile(`^decimal\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)$`)

// normalizeGlueType returns the canonical Glue/Hive name of a type name,
// accepting common aliases (integer, long, varchar, ...). A struct with its
// fields, struct<name:type,...>, becomes struct<name:type,...> with the names
// lowercased and each field type canonical, so that two spellings of one
// struct compare equal; a bare "struct" (no fields) stays "struct" and
// matches any struct. Arrays and maps keep only their kind.
func normalizeGlueType(t string) (string, error) {
	return normalizeGlueTypeDepth(t, 0)
}

// maxTypeDepth bounds the nesting of an expected struct type.
const maxTypeDepth = 32

func normalizeGlueTypeDepth(t string, depth int) (string, error) {
	if depth > maxTypeDepth {
		return "", fmt.Errorf("type nested more than %d deep", maxTypeDepth)
	}
	t = strings.ToLower(strings.TrimSpace(t))
	if m := decimalType.FindStringSubmatch(t); m != nil {
		return "decimal(" + m[1] + "," + m[2] + ")", nil
	}
	if i := strings.IndexAny(t, "<("); i > 0 {
		switch base := strings.TrimSpace(t[:i]); base {
		case "struct":
			return normalizeStruct(t[i:], depth)
		case "array", "map":
			return normalizeCollection(base, t[i:], depth)
		case "varchar", "char":
			return "string", nil
		}
	}
	switch t {
	case "string", "varchar", "char", "text":
		return "string", nil
	case "int", "integer", "int32":
		return "int", nil
	case "bigint", "long", "int64":
		return "bigint", nil
	case "smallint", "short", "int16":
		return "smallint", nil
	case "tinyint", "byte", "int8":
		return "tinyint", nil
	case "double", "float64":
		return "double", nil
	case "float", "real", "float32":
		return "float", nil
	case "boolean", "bool":
		return "boolean", nil
	case "timestamp", "timestamp_ntz", "timestamptz":
		return "timestamp", nil
	case "date":
		return "date", nil
	case "binary", "blob", "bytes":
		return "binary", nil
	case "decimal":
		return "decimal(10,0)", nil
	case "array", "struct", "map":
		return t, nil
	}
	return "", fmt.Errorf("unknown type %q", t)
}

// normalizeCollection normalizes the "<T>" of array<T> or the "<K,V>" of
// map<K,V>.
func normalizeCollection(base, body string, depth int) (string, error) {
	if !strings.HasPrefix(body, "<") || !strings.HasSuffix(body, ">") {
		return "", fmt.Errorf("want %s<...>, got %s%s", base, base, body)
	}
	parts := splitTopLevel(body[1 : len(body)-1])
	if want := map[string]int{"array": 1, "map": 2}[base]; len(parts) != want {
		return "", fmt.Errorf("want %s with %d type(s) inside <>, got %s%s", base, want, base, body)
	}
	for i, p := range parts {
		n, err := normalizeGlueTypeDepth(p, depth+1)
		if err != nil {
			return "", fmt.Errorf("%s: %w", base, err)
		}
		parts[i] = n
	}
	return base + "<" + strings.Join(parts, ",") + ">", nil
}

// normalizeStruct normalizes the "<name:type,...>" part of a struct type.
func normalizeStruct(body string, depth int) (string, error) {
	if !strings.HasPrefix(body, "<") || !strings.HasSuffix(body, ">") {
		return "", fmt.Errorf("want struct<name:type,...>, got struct%s", body)
	}
	parts := splitTopLevel(body[1 : len(body)-1])
	fields := make([]string, 0, len(parts))
	for _, part := range parts {
		name, typ, ok := strings.Cut(part, ":")
		name = strings.Trim(strings.TrimSpace(name), "`")
		if !ok || name == "" {
			return "", fmt.Errorf("want name:type in struct, got %q", strings.TrimSpace(part))
		}
		nt, err := normalizeGlueTypeDepth(typ, depth+1)
		if err != nil {
			return "", fmt.Errorf("struct field %q: %w", name, err)
		}
		fields = append(fields, name+":"+nt)
	}
	return "struct<" + strings.Join(fields, ",") + ">", nil
}

// splitTopLevel splits s at the commas outside <> and ().
func splitTopLevel(s string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '<', '(':
			depth++
		case '>', ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// sameGlueType reports whether a file's column type got matches the
// expected canonical type want; a bare "struct", "array" or "map" matches
// any of its kind.
func sameGlueType(want, got string) bool {
	switch want {
	case "struct", "array", "map":
		return got == want || strings.HasPrefix(got, want+"<")
	}
	return want == got
}

// schemaElem is one element of parquet_schema(): a node of a file's schema
// tree, listed depth first after its file's root.
type schemaElem struct {
	file, name, conv, duck, rep string
	children                    int64
}

// glueOfSubtree returns the Glue type of the node elems[i] (a struct lists
// its fields, lowercased, with their types) and the index after its subtree.
func glueOfSubtree(elems []schemaElem, i int, depth int) (string, int) {
	e := elems[i]
	switch {
	case e.children == 0:
		return glueFromDuckDB(e.duck), i + 1
	case (e.conv == "LIST" || e.conv == "MAP" || e.conv == "MAP_KEY_VALUE") && depth < maxTypeDepth && e.children == 1 && i+1 < len(elems):
		end := skipSubtree(elems, i, func(j int) int64 { return elems[j].children })
		rep := elems[i+1] // the repeated group: list, or key_value
		j := i + 2
		if e.conv == "LIST" {
			if rep.children != 1 || j >= end {
				// A two-level list: the repeated field is the element.
				t, _ := glueOfSubtree(elems, i+1, depth+1)
				return "array<" + t + ">", end
			}
			t, _ := glueOfSubtree(elems, j, depth+1)
			return "array<" + t + ">", end
		}
		if rep.children != 2 || j >= end {
			return "map", end
		}
		k, next := glueOfSubtree(elems, j, depth+1)
		if next >= end {
			return "map", end
		}
		v, _ := glueOfSubtree(elems, next, depth+1)
		return "map<" + k + "," + v + ">", end
	case e.conv == "LIST":
		return "array", skipSubtree(elems, i, func(j int) int64 { return elems[j].children })
	case e.conv == "MAP" || e.conv == "MAP_KEY_VALUE":
		return "map", skipSubtree(elems, i, func(j int) int64 { return elems[j].children })
	case depth >= maxTypeDepth:
		return "struct", skipSubtree(elems, i, func(j int) int64 { return elems[j].children })
	}
	fields := make([]string, 0, e.children)
	j := i + 1
	for c := int64(0); c < e.children && j < len(elems); c++ {
		name := strings.ToLower(elems[j].name)
		var t string
		t, j = glueOfSubtree(elems, j, depth+1)
		fields = append(fields, name+":"+t)
	}
	return "struct<" + strings.Join(fields, ",") + ">", j
}

// fileColumn is a top-level column of one Parquet file.
type fileColumn struct {
	name     string
	glue     string
	required bool
}

// glueFromDuckDB maps a DuckDB type of a Parquet leaf to its Glue name.
func glueFromDuckDB(t string) string {
	t = strings.ToUpper(t)
	switch {
	case strings.HasPrefix(t, "DECIMAL"):
		return strings.ToLower(strings.ReplaceAll(t, " ", ""))
	case strings.HasPrefix(t, "TIMESTAMP"):
		return "timestamp"
	}
	switch t {
	case "VARCHAR":
		return "string"
	case "INTEGER":
		return "int"
	case "BIGINT":
		return "bigint"
	case "SMALLINT":
		return "smallint"
	case "TINYINT":
		return "tinyint"
	case "DOUBLE":
		return "double"
	case "FLOAT":
		return "float"
	case "BOOLEAN":
		return "boolean"
	case "DATE":
		return "date"
	case "BLOB":
		return "binary"
	}
	return strings.ToLower(t)
}

// Schema compares the column names, types and nullability in every output
// file's Parquet metadata with Config.Schema. Binary is Parquet BYTE_ARRAY
// without a string type (DuckDB's BLOB); a struct is compared field by field
// (names ignoring case, in order, with their types, nested), and an expected
// bare "struct" accepts any struct. Partition columns are in the
// path, not the files, and are not compared. A column expected not nullable
// fails when it holds a null (Spark writes every column as OPTIONAL, so the
// metadata alone cannot tell); one expected nullable may be REQUIRED.
func (s *Session) Schema(ctx context.Context) (Result, error) {
	if len(s.cfg.Schema) == 0 {
		return skipped(CheckSchema, "no expected schema"), nil
	}
	if len(s.out) == 0 {
		return skipped(CheckSchema, "no output files"), nil
	}
	rows, err := s.db.QueryContext(ctx, fmt.Sprintf(`SELECT file_name, name, coalesce(num_children, 0), coalesce(converted_type, ''),
		coalesce(duckdb_type, ''), coalesce(repetition_type, '') FROM parquet_schema(%s)`, pathList(s.out)))
	if err != nil {
		return Result{}, fmt.Errorf("assertions: read parquet schema: %w", err)
	}
	defer rows.Close()
	var elems []schemaElem
	for rows.Next() {
		var e schemaElem
		if err := rows.Scan(&e.file, &e.name, &e.children, &e.conv, &e.duck, &e.rep); err != nil {
			return Result{}, fmt.Errorf("assertions: read parquet schema: %w", err)
		}
		elems = append(elems, e)
	}
	if err := rows.Err(); err != nil {
		return Result{}, fmt.Errorf("assertions: read parquet schema: %w", err)
	}
	files, order := fileColumns(elems)
	rel := map[string]string{}
	for _, f := range s.out {
		rel[f.path] = f.rel
	}
	partition := map[string]bool{}
	for _, p := range s.partitionColumns() {
		partition[strings.ToLower(p)] = true
	}
	want := map[string]Column{}
	for _, c := range s.cfg.Schema {
		if !partition[strings.ToLower(c.Name)] {
			want[strings.ToLower(c.Name)] = c
		}
	}
	r := Result{Check: CheckSchema}
	type issue struct{ kind, column, detail string }
	seen := map[issue]int{}
	var issues []issue
	firstFile := map[issue]string{}
	note := func(is issue, file string) {
		if seen[is] == 0 {
			issues = append(issues, is)
			firstFile[is] = rel[file]
		}
		seen[is]++
	}
	for _, file := range order {
		got := map[string]fileColumn{}
		for _, col := range files[file] {
			got[strings.ToLower(col.name)] = col
			w, ok := want[strings.ToLower(col.name)]
			if !ok {
				note(issue{"unexpected_column", col.name, "type " + col.glue}, file)
				continue
			}
			wt, _ := normalizeGlueType(w.Type)
			if !sameGlueType(wt, col.glue) {
				note(issue{"mistyped_column", col.name, fmt.Sprintf("type %s, want %s", col.glue, wt)}, file)
			}
		}
		for _, c := range s.cfg.Schema {
			if _, ok := got[strings.ToLower(c.Name)]; !ok && !partition[strings.ToLower(c.Name)] {
				note(issue{"missing_column", c.Name, "not in the file"}, file)
			}
		}
	}
	count := map[string]int64{}
	for _, is := range issues {
		count[is.kind]++
		if len(r.Examples) < s.cfg.maxExamples() {
			r.Examples = append(r.Examples, Example{Kind: is.kind, Key: is.column, File: firstFile[is], Batch: s.batchOf(firstFile[is]), Seq: -1,
				Detail: fmt.Sprintf("%s (in %d of %d files)", is.detail, seen[is], len(order))})
		}
	}
	// Nullability needs the data: count nulls of each non-nullable column.
	for _, c := range s.cfg.Schema {
		if c.Nullable || partition[strings.ToLower(c.Name)] {
			continue
		}
		var n int64
		var file sql.NullString
		q := fmt.Sprintf(`SELECT count(*), min(filename) FROM read_parquet(%s, filename=true, union_by_name=true, hive_partitioning=false) WHERE %s IS NULL`,
			pathList(s.out), sqlIdent(c.Name))
		if err := s.db.QueryRowContext(ctx, q).Scan(&n, &file); err != nil {
			continue // the column is missing, reported above
		}
		if n > 0 {
			count["null_values"] += n
			if len(r.Examples) < s.cfg.maxExamples() {
				r.Examples = append(r.Examples, Example{Kind: "null_values", Key: c.Name, File: rel[file.String], Batch: s.batchOf(rel[file.String]), Seq: -1,
					Detail: fmt.Sprintf("%d null value(s) in a column that is not nullable", n)})
			}
		}
	}
	r.add("files", int64(len(order)))
	for _, k := range []string{"missing_column", "unexpected_column", "mistyped_column", "null_values"} {
		r.add(k, count[k])
	}
	r.failIf("missing_column", "unexpected_column", "mistyped_column", "null_values")
	return r, nil
}

// fileColumns walks each file's flattened schema tree (the root, then its
// children depth first) and returns the root's direct children per file,
// with the files in the order listed.
func fileColumns(elems []schemaElem) (map[string][]fileColumn, []string) {
	files := map[string][]fileColumn{}
	var order []string
	for i := 0; i < len(elems); {
		root := elems[i]
		order = append(order, root.file)
		i++
		for c := int64(0); c < root.children && i < len(elems); c++ {
			e := elems[i]
			col := fileColumn{name: e.name, required: e.rep == "REQUIRED"}
			col.glue, i = glueOfSubtree(elems, i, 0)
			files[root.file] = append(files[root.file], col)
		}
	}
	return files, order
}

// skipSubtree returns the index after the subtree rooted at elems[i].
func skipSubtree[T any](elems []T, i int, children func(int) int64) int {
	n := children(i)
	i++
	for c := int64(0); c < n && i < len(elems); c++ {
		i = skipSubtree(elems, i, children)
	}
	return i
}

// partitionColumns returns the names of the hive partition columns.
func (s *Session) partitionColumns() []string {
	if s.cfg.IngestTimePartitioning {
		return []string{"ingest_year", "ingest_month", "ingest_day", "ingest_hour"}
	}
	return s.cfg.PartitionBy
}

// batchOf returns the batch of the output file rel, or -1.
func (s *Session) batchOf(rel string) int64 {
	for _, f := range s.out {
		if f.rel == rel {
			return f.batch
		}
	}
	return -1
}

// ParseSchema reads a schema written as comma-separated name:type items
// (streamcheck verify's --schema), with a trailing "!" on the type for a
// column that must not hold nulls, e.g.
// "serialnumber:string!,o2stats:int,u:struct<member0:int,member1:string>".
// Commas inside <> and () do not separate items.
func ParseSchema(s string) ([]Column, error) {
	var cols []Column
	for i, item := range splitTopLevel(s) {
		item = strings.TrimSpace(item)
		name, typ, ok := strings.Cut(item, ":")
		if !ok || name == "" || typ == "" {
			return nil, fmt.Errorf("schema item %d %q: want name:type", i+1, item)
		}
		col := Column{Name: name, Type: typ, Nullable: true}
		if strings.HasSuffix(typ, "!") {
			col.Type, col.Nullable = strings.TrimSuffix(typ, "!"), false
		}
		cols = append(cols, col)
	}
	return cols, nil
}
