package generators

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Kind is the kind of a catalog column type.
type Kind int

// The Glue (Hive) column types a table definition may use.
const (
	KindTinyint Kind = iota + 1
	KindSmallint
	KindInt
	KindBigint
	KindFloat
	KindDouble
	KindDecimal
	KindString
	KindVarchar
	KindChar
	KindBoolean
	KindDate
	KindTimestamp
	KindBinary
	KindArray
	KindMap
	KindStruct
)

var kindNames = map[Kind]string{
	KindTinyint: "tinyint", KindSmallint: "smallint", KindInt: "int", KindBigint: "bigint",
	KindFloat: "float", KindDouble: "double", KindDecimal: "decimal", KindString: "string",
	KindVarchar: "varchar", KindChar: "char", KindBoolean: "boolean", KindDate: "date",
	KindTimestamp: "timestamp", KindBinary: "binary", KindArray: "array", KindMap: "map",
	KindStruct: "struct",
}

// Type is a catalog column type. Precision and Scale are set for decimal,
// Length for varchar and char, Elem for array, Key and Value for map, and
// Fields for struct.
type Type struct {
	Kind      Kind
	Precision int
	Scale     int
	Length    int
	Elem      *Type
	Key       *Type
	Value     *Type
	Fields    []Column
}

// Column is a named, typed column of a Table or field of a struct.
type Column struct {
	Name string
	Type *Type
}

// Table is the schema of generated rows: its columns in order.
type Table struct {
	Columns []Column
}

// Index returns the position of the column named name, or -1.
func (t *Table) Index(name string) int {
	for i, c := range t.Columns {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// String renders t as DDL that ParseDDL reads back.
func (t *Table) String() string {
	var b strings.Builder
	for i, c := range t.Columns {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "`%s` %s", c.Name, c.Type)
	}
	return b.String()
}

// String renders the type in Hive syntax, e.g. "decimal(10,2)" or
// "map<string,array<int>>".
func (t *Type) String() string {
	switch t.Kind {
	case KindDecimal:
		return fmt.Sprintf("decimal(%d,%d)", t.Precision, t.Scale)
	case KindVarchar, KindChar:
		return fmt.Sprintf("%s(%d)", kindNames[t.Kind], t.Length)
	case KindArray:
		return "array<" + t.Elem.String() + ">"
	case KindMap:
		return "map<" + t.Key.String() + "," + t.Value.String() + ">"
	case KindStruct:
		var b strings.Builder
		b.WriteString("struct<")
		for i, f := range t.Fields {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(f.Name + ":" + f.Type.String())
		}
		b.WriteByte('>')
		return b.String()
	}
	return kindNames[t.Kind]
}

func (t *Type) isInteger() bool {
	switch t.Kind {
	case KindTinyint, KindSmallint, KindInt, KindBigint:
		return true
	}
	return false
}

func (t *Type) isString() bool {
	switch t.Kind {
	case KindString, KindVarchar, KindChar:
		return true
	}
	return false
}

// ErrTableDefinition is wrapped by every error about a table definition.
var ErrTableDefinition = errors.New("invalid table definition")

// SyntaxError reports where a table definition or type string is wrong.
type SyntaxError struct {
	Input string // the text being parsed
	Pos   int    // byte offset of the problem, from 0
	Msg   string // what was expected
}

func (e *SyntaxError) Error() string {
	near := e.Input[e.Pos:]
	if len(near) > 20 {
		near = near[:20] + "..."
	}
	if near == "" {
		return fmt.Sprintf("%v: at position %d (end of input): %s", ErrTableDefinition, e.Pos+1, e.Msg)
	}
	return fmt.Sprintf("%v: at position %d (near %q): %s", ErrTableDefinition, e.Pos+1, near, e.Msg)
}

// Unwrap returns ErrTableDefinition.
func (e *SyntaxError) Unwrap() error { return ErrTableDefinition }

type parser struct {
	s   string
	pos int
}

func (p *parser) errf(pos int, format string, args ...any) error {
	return &SyntaxError{Input: p.s, Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) space() {
	for p.pos < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.pos]) >= 0 {
		p.pos++
	}
}

func (p *parser) peek() byte {
	p.space()
	if p.pos < len(p.s) {
		return p.s[p.pos]
	}
	return 0
}

func (p *parser) expect(c byte, what string) error {
	if p.peek() != c {
		return p.errf(p.pos, "expected %q %s", c, what)
	}
	p.pos++
	return nil
}

func isIdentByte(c byte, first bool) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || !first && c >= '0' && c <= '9'
}

// ident reads a bare or backquoted identifier.
func (p *parser) ident(what string) (string, error) {
	p.space()
	start := p.pos
	if p.pos < len(p.s) && p.s[p.pos] == '`' {
		end := strings.IndexByte(p.s[p.pos+1:], '`')
		if end < 0 {
			return "", p.errf(start, "unterminated backquoted %s", what)
		}
		name := p.s[p.pos+1 : p.pos+1+end]
		if name == "" {
			return "", p.errf(start, "empty %s", what)
		}
		p.pos += end + 2
		return name, nil
	}
	for p.pos < len(p.s) && isIdentByte(p.s[p.pos], p.pos == start) {
		p.pos++
	}
	if p.pos == start {
		return "", p.errf(start, "expected a %s", what)
	}
	return p.s[start:p.pos], nil
}

func (p *parser) number(what string) (int, error) {
	p.space()
	start := p.pos
	for p.pos < len(p.s) && p.s[p.pos] >= '0' && p.s[p.pos] <= '9' {
		p.pos++
	}
	n, err := strconv.Atoi(p.s[start:p.pos])
	if err != nil {
		return 0, p.errf(start, "expected %s as a whole number", what)
	}
	return n, nil
}

func (p *parser) typ() (*Type, error) {
	p.space()
	start := p.pos
	for p.pos < len(p.s) && isIdentByte(p.s[p.pos], false) {
		p.pos++
	}
	word := strings.ToLower(p.s[start:p.pos])
	if word == "" {
		return nil, p.errf(start, "expected a type (int, bigint, double, decimal(p,s), string, varchar(n), boolean, date, timestamp, binary, array<T>, map<K,V>, struct<...>)")
	}
	t := &Type{}
	switch word {
	case "tinyint":
		t.Kind = KindTinyint
	case "smallint":
		t.Kind = KindSmallint
	case "int", "integer":
		t.Kind = KindInt
	case "bigint", "long":
		t.Kind = KindBigint
	case "float":
		t.Kind = KindFloat
	case "double":
		t.Kind = KindDouble
	case "string":
		t.Kind = KindString
	case "boolean":
		t.Kind = KindBoolean
	case "date":
		t.Kind = KindDate
	case "timestamp":
		t.Kind = KindTimestamp
	case "binary":
		t.Kind = KindBinary
	case "decimal", "numeric":
		t.Kind, t.Precision, t.Scale = KindDecimal, 10, 0
		if p.peek() == '(' {
			p.pos++
			ppos := p.pos
			var err error
			if t.Precision, err = p.number("the decimal precision"); err != nil {
				return nil, err
			}
			if t.Precision < 1 || t.Precision > 38 {
				return nil, p.errf(ppos, "decimal precision %d: want 1 to 38", t.Precision)
			}
			t.Scale = 0
			if p.peek() == ',' {
				p.pos++
				spos := p.pos
				if t.Scale, err = p.number("the decimal scale"); err != nil {
					return nil, err
				}
				if t.Scale > t.Precision {
					return nil, p.errf(spos, "decimal scale %d is larger than its precision %d", t.Scale, t.Precision)
				}
			}
			if err := p.expect(')', "to close decimal(p,s)"); err != nil {
				return nil, err
			}
		}
	case "varchar", "char":
		t.Kind = KindVarchar
		if word == "char" {
			t.Kind = KindChar
		}
		if err := p.expect('(', "and a length after "+word); err != nil {
			return nil, err
		}
		lpos := p.pos
		n, err := p.number("the " + word + " length")
		if err != nil {
			return nil, err
		}
		if n < 1 || n > 65535 {
			return nil, p.errf(lpos, "%s length %d: want 1 to 65535", word, n)
		}
		t.Length = n
		if err := p.expect(')', "to close "+word+"(n)"); err != nil {
			return nil, err
		}
	case "array":
		t.Kind = KindArray
		if err := p.expect('<', "after array"); err != nil {
			return nil, err
		}
		var err error
		if t.Elem, err = p.typ(); err != nil {
			return nil, err
		}
		if err := p.expect('>', "to close array<T>"); err != nil {
			return nil, err
		}
	case "map":
		t.Kind = KindMap
		if err := p.expect('<', "after map"); err != nil {
			return nil, err
		}
		kpos := p.pos
		var err error
		if t.Key, err = p.typ(); err != nil {
			return nil, err
		}
		switch t.Key.Kind {
		case KindArray, KindMap, KindStruct:
			return nil, p.errf(kpos, "map key type %s: want a primitive type", t.Key)
		}
		if err := p.expect(',', "between the key and value types of map<K,V>"); err != nil {
			return nil, err
		}
		if t.Value, err = p.typ(); err != nil {
			return nil, err
		}
		if err := p.expect('>', "to close map<K,V>"); err != nil {
			return nil, err
		}
	case "struct":
		t.Kind = KindStruct
		if err := p.expect('<', "after struct"); err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for {
			npos := p.pos
			name, err := p.ident("struct field name")
			if err != nil {
				return nil, err
			}
			if seen[strings.ToLower(name)] {
				return nil, p.errf(npos, "duplicate struct field %q", name)
			}
			seen[strings.ToLower(name)] = true
			if err := p.expect(':', "after struct field "+strconv.Quote(name)); err != nil {
				return nil, err
			}
			ft, err := p.typ()
			if err != nil {
				return nil, err
			}
			t.Fields = append(t.Fields, Column{Name: name, Type: ft})
			if p.peek() == ',' {
				p.pos++
				continue
			}
			if err := p.expect('>', "or ',' in struct<...>"); err != nil {
				return nil, err
			}
			break
		}
	default:
		return nil, p.errf(start, "unknown type %q: want tinyint, smallint, int, bigint, float, double, decimal(p,s), string, varchar(n), char(n), boolean, date, timestamp, binary, array<T>, map<K,V> or struct<...>", word)
	}
	return t, nil
}

// ParseType parses one Hive type such as "int", "decimal(10,2)" or
// "struct<a:int,b:array<string>>".
func ParseType(s string) (*Type, error) {
	p := &parser{s: s}
	t, err := p.typ()
	if err != nil {
		return nil, err
	}
	if p.peek() != 0 {
		return nil, p.errf(p.pos, "unexpected text after the type")
	}
	return t, nil
}

// ParseDDL parses a column list in Hive DDL, as in a Glue CREATE TABLE:
// "`ventilatorid` int, `eventtime` string COMMENT 'when'". Names may be
// backquoted or bare; column comments are accepted and ignored. An error
// names the position (from 1) and what was expected there.
func ParseDDL(ddl string) (*Table, error) {
	p := &parser{s: ddl}
	t := &Table{}
	seen := map[string]bool{}
	for {
		if p.peek() == 0 && len(t.Columns) == 0 {
			return nil, p.errf(p.pos, "expected at least one column: `name` type")
		}
		npos := p.pos
		name, err := p.ident("column name")
		if err != nil {
			return nil, err
		}
		if seen[strings.ToLower(name)] {
			return nil, p.errf(npos, "duplicate column %q", name)
		}
		seen[strings.ToLower(name)] = true
		if p.peek() == ',' || p.peek() == 0 {
			return nil, p.errf(p.pos, "expected a type after column %q", name)
		}
		ct, err := p.typ()
		if err != nil {
			return nil, err
		}
		t.Columns = append(t.Columns, Column{Name: name, Type: ct})
		p.space()
		if p.pos+7 <= len(p.s) && strings.EqualFold(p.s[p.pos:p.pos+7], "comment") {
			p.pos += 7
			if p.peek() != '\'' && p.peek() != '"' {
				return nil, p.errf(p.pos, "expected a quoted comment after COMMENT")
			}
			q := p.s[p.pos]
			end := strings.IndexByte(p.s[p.pos+1:], q)
			if end < 0 {
				return nil, p.errf(p.pos, "unterminated comment")
			}
			p.pos += end + 2
		}
		switch p.peek() {
		case ',':
			p.pos++
		case 0:
			return t, nil
		default:
			return nil, p.errf(p.pos, "expected ',' or the end after column %q", name)
		}
	}
}

// ParseColumnsJSON reads a Glue column list: a JSON array of {"name",
// "type"} objects, or any JSON object that holds such an array under a
// "columns" key at any depth — a Glue GetTable answer ("StorageDescriptor":
// {"Columns": ...}) or a CDK context file with a "glue_kinesis_table".
func ParseColumnsJSON(data []byte) (*Table, error) {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("%w: not JSON: %w", ErrTableDefinition, err)
	}
	cols := findColumns(v)
	if cols == nil {
		return nil, fmt.Errorf("%w: no column list found: want a JSON array of {\"name\", \"type\"} objects or an object with a \"columns\" array", ErrTableDefinition)
	}
	t := &Table{}
	seen := map[string]bool{}
	for i, c := range cols {
		m, ok := c.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%w: column %d: want an object with \"name\" and \"type\"", ErrTableDefinition, i+1)
		}
		name, _ := lookupFold(m, "name").(string)
		typ, _ := lookupFold(m, "type").(string)
		if name == "" || typ == "" {
			return nil, fmt.Errorf("%w: column %d: want string fields \"name\" and \"type\"", ErrTableDefinition, i+1)
		}
		if seen[strings.ToLower(name)] {
			return nil, fmt.Errorf("%w: column %d: duplicate column %q", ErrTableDefinition, i+1, name)
		}
		seen[strings.ToLower(name)] = true
		ct, err := ParseType(typ)
		if err != nil {
			return nil, fmt.Errorf("column %d (%q): %w", i+1, name, err)
		}
		t.Columns = append(t.Columns, Column{Name: name, Type: ct})
	}
	return t, nil
}

func lookupFold(m map[string]any, key string) any {
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return nil
}

// findColumns returns the first column list in v, depth first, keys in
// sorted order for a deterministic pick.
func findColumns(v any) []any {
	switch x := v.(type) {
	case []any:
		if len(x) > 0 {
			if m, ok := x[0].(map[string]any); ok && lookupFold(m, "name") != nil && lookupFold(m, "type") != nil {
				return x
			}
		}
	case map[string]any:
		if c, ok := lookupFold(x, "columns").([]any); ok {
			if r := findColumns(c); r != nil {
				return r
			}
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if r := findColumns(x[k]); r != nil {
				return r
			}
		}
	}
	return nil
}
