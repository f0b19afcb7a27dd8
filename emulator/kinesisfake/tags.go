package kinesisfake

import (
	"sort"
	"strings"
)

// validTags checks a tag map against AWS's limits: at most 50 tags, keys of
// 1-128 characters not starting with "aws:", values of up to 256.
func validTags(tags map[string]string) *apiError {
	if len(tags) > 50 {
		return errInvalid("A resource can have at most 50 tags; the request has %d.", len(tags))
	}
	for k, v := range tags {
		if len(k) < 1 || len(k) > 128 {
			return errValidation("tags", "Member must have key length between 1 and 128", k)
		}
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return errInvalid("Tag key %s uses the reserved prefix aws:.", k)
		}
		if len(v) > 256 {
			return errValidation("tags", "Member must have value length less than or equal to 256", v)
		}
	}
	return nil
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
func addTags(st *stream, tags map[string]string) *apiError {
	if err := validTags(tags); err != nil {
		return err
	}
	n := len(st.tags)
	for k := range tags {
		if _, ok := st.tags[k]; !ok {
			n++
		}
	}
	if n > 50 {
		return errInvalid("Stream %s would have %d tags; a stream can have at most 50.", st.name, n)
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
