package expr

import (
	"strings"
	"unicode/utf8"
)

// tokKind classifies a token of the expression language.
type tokKind uint8

const (
	tEOF   tokKind = iota
	tIdent         // attribute name, keyword or function name: [A-Za-z_][A-Za-z0-9_]*
	tName          // #placeholder
	tValue         // :placeholder
	tInt           // list index digits
	tPunct         // ( ) [ ] , . = <> < <= > >= + -
	tBad           // a character the language does not have
)

// token is one lexeme; text slices the source and pos is its byte offset.
type token struct {
	kind tokKind
	text string
	pos  int
}

func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

func isIdentPart(c byte) bool {
	return isIdentStart(c) || c >= '0' && c <= '9'
}

// lex splits s into tokens, ending with one tEOF token. It never fails:
// characters outside the language become tBad tokens, which the parser
// reports as syntax errors where it meets them.
func lex(s string, toks []token) []token {
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case isIdentStart(c):
			j := i + 1
			for j < len(s) && isIdentPart(s[j]) {
				j++
			}
			toks = append(toks, token{tIdent, s[i:j], i})
			i = j
		case c >= '0' && c <= '9':
			j := i + 1
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			toks = append(toks, token{tInt, s[i:j], i})
			i = j
		case c == '#' || c == ':':
			j := i + 1
			for j < len(s) && isIdentPart(s[j]) {
				j++
			}
			kind := tName
			if c == ':' {
				kind = tValue
			}
			if j == i+1 {
				kind = tBad
			}
			toks = append(toks, token{kind, s[i:j], i})
			i = j
		case c == '<' || c == '>':
			j := i + 1
			if j < len(s) && (s[j] == '=' || c == '<' && s[j] == '>') {
				j++
			}
			toks = append(toks, token{tPunct, s[i:j], i})
			i = j
		case strings.IndexByte("()[],.=+-", c) >= 0:
			toks = append(toks, token{tPunct, s[i : i+1], i})
			i++
		default:
			_, n := utf8.DecodeRuneInString(s[i:])
			toks = append(toks, token{tBad, s[i : i+n], i})
			i += n
		}
	}
	return append(toks, token{tEOF, "", len(s)})
}

// isKeyword reports whether t is the identifier kw in any case.
func (t token) isKeyword(kw string) bool {
	return t.kind == tIdent && strings.EqualFold(t.text, kw)
}

func (t token) is(punct string) bool {
	return t.kind == tPunct && t.text == punct
}
