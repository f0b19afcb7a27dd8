package kinesisfake

import (
	"sort"
	"strings"
	"unicode"
)

// validTags checks a tag map against the service's rules (the model's
// lengths are checked by validation first): at most 50 tags, keys and values
// of Unicode letters, digits, white space and _ . / = + - @ : (a % is refused
// with its own message, as AWS does), keys not starting with "aws:".
func validTags(tags map[string]string) *apiError {
	if len(tags) > 50 {
		return errInvalid("A resource can have at most 50 tags; the request has %d.", len(tags))
	}
	for k, v := range tags {
		if !validTagText(k) || !validTagText(v) {
			return errInvalid("Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - %% @ :.")
		}
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return errInvalid("Tag key %s uses the reserved prefix aws:.", k)
		}
	}
	return nil
}

// validTagText reports whether s uses only the characters AWS allows in
// tags, % included.
func validTagText(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsSpace(r) || strings.ContainsRune("_./=+-@:%", r) {
			continue
		}
		return false
	}
	return true
}

type tagOut struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// sortedTags lists tags by key.
func sortedTags(t map[string]string) []tagOut {
	out := make([]tagOut, 0, len(t))
	for k, v := range t {
		out = append(out, tagOut{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// addTags merges tags into st, keeping the 50-tag limit. The caller holds st.mu.
func addTags(st *stream, tags map[string]string, account string) *apiError {
	if err := validTags(tags); err != nil {
		return err
	}
	for k, v := range tags {
		if strings.Contains(k, "%") || strings.Contains(v, "%") {
			return errInvalid("Failed to add tags to stream %s under account %s because some tags contained illegal characters. The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@',':'.", st.name, account)
		}
	}
	n := len(st.tags)
	for k := range tags {
		if _, ok := st.tags[k]; !ok {
			n++
		}
	}
	if n > 50 {
		// AWS's message says 10 while its limit is 50.
		return errInvalid("Failed to add tags to stream %s under account %s because a given stream cannot have more than 10 tags associated with it.", st.name, account)
	}
	if st.tags == nil {
		st.tags = map[string]string{}
	}
	for k, v := range tags {
		st.tags[k] = v
	}
	return nil
}

// resourceStream resolves a ResourceARN naming a stream (or a consumer of
// one, whose tags are kept on the consumer's stream entry) to the stream.
func (s *Server) resourceStream(arn string) (*stream, *apiError) {
	if arn == "" {
		return nil, errMissing("resourceARN")
	}
	if strings.Contains(arn, "/consumer/") {
		return nil, errInvalid("Tagging consumer %s is not supported by this server; tag the stream.", arn)
	}
	return s.lookup("", arn)
}
