package kinesisfake

// Input validation as AWS's validation layer reports it: every violated
// model constraint of a request in one ValidationException, "N validation
// errors detected: " followed by "Value 'v' at 'member' failed to satisfy
// constraint: ..." entries joined by "; ", at most 10 of them. Members are
// named in lower camel case, nested ones with dots. The model's constraints
// are checked before anything is looked up, so a malformed request about a
// stream that does not exist is a ValidationException, not
// ResourceNotFoundException.

import (
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxViolations is how many AWS lists in one message.
const maxViolations = 10

// Patterns of the Kinesis model that more than one operation checks.
const (
	patternStreamName = "[a-zA-Z0-9_.-]+"
	patternShardID    = "[a-zA-Z0-9_.-]+"
	patternStreamARN  = "arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+"
	patternConsumer   = "^(arn):aws.*:kinesis:.*:\\d{12}:.*stream\\/[a-zA-Z0-9_.-]+\\/consumer\\/[a-zA-Z0-9_.-]+:[0-9]+"
	patternHashKey    = "0|([1-9]\\d{0,38})"
	patternSeqNumber  = "0|([1-9]\\d{0,128})"
)

// violations collects the constraint failures of one request.
type violations []string

// add records that value (already rendered: 'text' or null) at member
// failed constraint.
func (v *violations) add(value, member, constraint string) {
	if len(*v) < maxViolations {
		*v = append(*v, "Value "+value+" at '"+member+"' failed to satisfy constraint: "+constraint)
	}
}

// null records a required member that is missing.
func (v *violations) null(member string) {
	v.add("null", member, "Member must not be null")
}

// str checks a string member against its model: required, a pattern (with
// its matcher) and a length range in characters; max 0 is no maximum. AWS
// lists the pattern before the length.
func (v *violations) str(member string, s *string, required bool, pattern string, matches func(string) bool, minLen, maxLen int) {
	if s == nil {
		if required {
			v.null(member)
		}
		return
	}
	val := "'" + *s + "'"
	if pattern != "" && !matches(*s) {
		v.add(val, member, "Member must satisfy regular expression pattern: "+pattern)
	}
	n := utf8.RuneCountInString(*s)
	if n < minLen {
		v.add(val, member, "Member must have length greater than or equal to "+strconv.Itoa(minLen))
	}
	if maxLen > 0 && n > maxLen {
		v.add(val, member, "Member must have length less than or equal to "+strconv.Itoa(maxLen))
	}
}

// num checks an integer member against its range.
func (v *violations) num(member string, n *int, required bool, lo, hi int) {
	if n == nil {
		if required {
			v.null(member)
		}
		return
	}
	val := "'" + strconv.Itoa(*n) + "'"
	if *n < lo {
		v.add(val, member, "Member must have value greater than or equal to "+strconv.Itoa(lo))
	}
	if *n > hi {
		v.add(val, member, "Member must have value less than or equal to "+strconv.Itoa(hi))
	}
}

// enum checks a member against its value set.
func (v *violations) enum(member string, s *string, required bool, set ...string) {
	if s == nil {
		if required {
			v.null(member)
		}
		return
	}
	for _, e := range set {
		if *s == e {
			return
		}
	}
	v.add("'"+*s+"'", member, "Member must satisfy enum value set: ["+strings.Join(set, ", ")+"]")
}

// tagMap checks a map of tags: entries between minN and maxN (maxN 0 is no
// maximum), keys of 1-128 characters and values of 0-256.
func (v *violations) tagMap(member string, tags map[string]string, present, required bool, minN, maxN int) {
	if !present {
		if required {
			v.null(member)
		}
		return
	}
	val := "'" + renderMap(tags) + "'"
	if len(tags) < minN {
		v.add(val, member, "Member must have length greater than or equal to "+strconv.Itoa(minN))
	}
	if maxN > 0 && len(tags) > maxN {
		v.add(val, member, "Member must have length less than or equal to "+strconv.Itoa(maxN))
	}
	for k, tv := range tags {
		if n := utf8.RuneCountInString(k); n < 1 || n > 128 {
			v.add(val, member, "Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]")
			break
		}
		_ = tv
	}
	for _, tv := range tags {
		if utf8.RuneCountInString(tv) > 256 {
			v.add(val, member, "Map value must satisfy constraint: [Member must have length less than or equal to 256, Member must have length greater than or equal to 0]")
			break
		}
	}
}

// tagKeys checks a list of tag keys: entries between minN and maxN, each of
// 1-128 characters.
func (v *violations) tagKeys(member string, keys []string, present, required bool, minN, maxN int) {
	if !present {
		if required {
			v.null(member)
		}
		return
	}
	val := "'[" + strings.Join(keys, ", ") + "]'"
	if len(keys) < minN {
		v.add(val, member, "Member must have length greater than or equal to "+strconv.Itoa(minN))
	}
	if maxN > 0 && len(keys) > maxN {
		v.add(val, member, "Member must have length less than or equal to "+strconv.Itoa(maxN))
	}
	for _, k := range keys {
		if n := utf8.RuneCountInString(k); n < 1 || n > 128 {
			v.add(val, member, "Member must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]")
			break
		}
	}
}

// err is the ValidationException for the recorded failures, or nil.
func (v violations) err() *apiError {
	switch len(v) {
	case 0:
		return nil
	case 1:
		return newError(codeValidation, "1 validation error detected: %s", v[0])
	}
	return newError(codeValidation, "%d validation errors detected: %s", len(v), strings.Join(v, "; "))
}

// renderMap writes a map as Java's toString does, keys in order.
func renderMap(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k + "=" + m[k])
	}
	b.WriteByte('}')
	return b.String()
}

// isStreamName matches [a-zA-Z0-9_.-]+ (also the shard ID and consumer
// name pattern).
func isStreamName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '_' && c != '.' && c != '-' {
			return false
		}
	}
	return true
}

// isStreamARN matches arn:aws.*:kinesis:.*:\d{12}:stream/\S+.
func isStreamARN(s string) bool {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || !strings.HasPrefix(parts[1], "aws") || parts[2] != "kinesis" {
		return false
	}
	if len(parts[4]) != 12 || strings.Trim(parts[4], "0123456789") != "" {
		return false
	}
	res, ok := strings.CutPrefix(parts[5], "stream/")
	return ok && res != "" && !strings.ContainsAny(res, " \t\r\n")
}

// isDecimal matches 0|([1-9]\d{0,max-1}).
func isDecimal(s string, max int) bool {
	if s == "0" {
		return true
	}
	if len(s) == 0 || len(s) > max || s[0] < '1' || s[0] > '9' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isHashKey(s string) bool { return isDecimal(s, 39) }

func isSeqNumber(s string) bool { return isDecimal(s, 129) }
