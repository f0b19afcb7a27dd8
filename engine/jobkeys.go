package engine

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/streamcheck/streamcheck/internal/editdist"
)

// keyedValue is a scalar of a job file with the key path that holds it.
type keyedValue struct {
	path  string // e.g. forEachBatch.windowSize, source.columns[2].type
	value string
}

// keysByLine maps each line of a YAML document to the scalars on it, with
// their key paths, so a decoding error that gives only a line can name the
// key.
func keysByLine(data []byte) map[int][]keyedValue {
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil {
		return nil
	}
	m := map[int][]keyedValue{}
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, path)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				p := k.Value
				if path != "" {
					p = path + "." + k.Value
				}
				if v.Kind != yaml.ScalarNode {
					// A mapping or list where a scalar belongs is
					// reported at the key's line.
					m[k.Line] = append(m[k.Line], keyedValue{path: p})
				}
				walk(v, p)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				walk(c, fmt.Sprintf("%s[%d]", path, i))
			}
		case yaml.ScalarNode:
			m[n.Line] = append(m[n.Line], keyedValue{path: path, value: n.Value})
		}
	}
	walk(&root, "")
	return m
}

var (
	yamlUnknownKey = regexp.MustCompile(`line (\d+): field (\S+) not found in type (\S+)`)
	yamlErrLine    = regexp.MustCompile(`^\s*line (\d+): (.*)$`)
	yamlTypeError  = regexp.MustCompile("^cannot unmarshal !!(\\w+)(?: `(.*)`)? into (\\S+)$")
)

// keyedDecodeError rewrites the YAML decoder's error so that each problem
// names its key: "forEachBatch.windowSize: line 30: want a duration like
// "100 seconds", got "lots"".
func keyedDecodeError(data []byte, err error) string {
	msg := yamlUnknownKey.ReplaceAllStringFunc(err.Error(), func(s string) string {
		m := yamlUnknownKey.FindStringSubmatch(s)
		return fmt.Sprintf("line %s: unknown key %s%s", m[1], m[2], didYouMeanKey(m[2], m[3]))
	})
	msg = strings.TrimPrefix(msg, "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n")
	keys := keysByLine(data)
	var out []string
	for _, l := range strings.Split(msg, "\n") {
		m := yamlErrLine.FindStringSubmatch(l)
		if m == nil {
			if strings.TrimSpace(l) != "" {
				out = append(out, strings.TrimSpace(l))
			}
			continue
		}
		line, _ := strconv.Atoi(m[1])
		what, value, nested := m[2], "", false
		if t := yamlTypeError.FindStringSubmatch(what); t != nil {
			value = t[2]
			what = fmt.Sprintf("want %s, got %q", yamlTypeName(t[3]), t[2])
			if t[1] == "map" || t[1] == "seq" {
				nested = true
				what = fmt.Sprintf("want %s, got a %s", yamlTypeName(t[3]), map[string]string{"map": "mapping", "seq": "list"}[t[1]])
			}
		}
		if strings.HasPrefix(what, "unknown key ") {
			out = append(out, fmt.Sprintf("line %d: %s", line, what))
			continue
		}
		key := ""
		for _, kv := range keys[line] {
			switch {
			case nested:
				if kv.value == "" {
					key = kv.path
				}
			case key == "", value != "" && kv.value == value, value == "" && kv.value != "" && strings.Contains(what, strconv.Quote(kv.value)):
				key = kv.path
			}
		}
		if key == "" {
			out = append(out, fmt.Sprintf("line %d: %s", line, what))
			continue
		}
		out = append(out, fmt.Sprintf("%s: line %d: %s", key, line, what))
	}
	return strings.Join(out, "; ")
}

// yamlTypeName says what a Go type the decoder wanted looks like in YAML.
func yamlTypeName(goType string) string {
	switch strings.TrimPrefix(goType, "*") {
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "a whole number"
	case "float32", "float64":
		return "a number"
	case "bool":
		return "true or false"
	case "string":
		return "a string"
	case "interval.Duration", "engine.Duration", "time.Duration":
		return `a duration like "100 seconds"`
	}
	if strings.HasPrefix(goType, "[]") {
		return "a list"
	}
	if strings.HasPrefix(goType, "map[") {
		return "a mapping"
	}
	return "a mapping (" + goType + ")"
}

// didYouMeanKey is " (did you mean X?)" for the key of the named job type
// nearest to key, or "". Ties go to the first key in sorted order.
func didYouMeanKey(key, typeName string) string {
	var names []string
	seen := map[reflect.Type]bool{}
	var collect func(t reflect.Type)
	collect = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || seen[t] {
			return
		}
		seen[t] = true
		for f := range t.Fields() {
			if t.String() == typeName {
				if tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); tag != "" && tag != "-" {
					names = append(names, tag)
				}
			}
			collect(f.Type)
		}
	}
	collect(reflect.TypeFor[Job]())
	slices.Sort(names)
	best, bestD := "", -1
	for _, n := range names {
		if d := editdist.Levenshtein(strings.ToLower(key), strings.ToLower(n)); bestD < 0 || d < bestD {
			best, bestD = n, d
		}
	}
	if best == "" || bestD > max(2, len(key)/3) {
		return ""
	}
	return fmt.Sprintf(" (did you mean %s?)", best)
}
