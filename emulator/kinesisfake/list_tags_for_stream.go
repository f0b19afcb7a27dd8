package kinesisfake

// ListTagsForStream.
//
// Matches AWS: every violated model constraint of the input (limits, patterns,
// lengths) in one ValidationException before anything is looked up; tags in
// key order, paged by Limit (1-50, default 50) and ExclusiveStartTagKey, with
// HasMoreTags.
// Differs: nothing known.

type listTagsForStreamInput struct {
	streamRef
	ExclusiveStartTagKey string `json:"ExclusiveStartTagKey,omitempty"`
	Limit                *int   `json:"Limit,omitempty"`
}

type listTagsForStreamOutput struct {
	Tags        []tagOut `json:"Tags"`
	HasMoreTags bool     `json:"HasMoreTags"`
}

func (in *listTagsForStreamInput) validate(v *violations) {
	v.num("limit", in.Limit, false, 1, 50)
	in.streamRef.validate(v)
}

func listTagsForStream(s *Server, c *call, in *listTagsForStreamInput) (any, error) {
	limit := 50
	if in.Limit != nil {
		limit = *in.Limit
	}
	st, aerr := s.lookup(in.StreamName, in.StreamARN)
	if aerr != nil {
		return nil, aerr
	}
	st.mu.Lock()
	all := sortedTags(st.tags)
	st.mu.Unlock()
	out := listTagsForStreamOutput{Tags: []tagOut{}}
	for _, t := range all {
		if t.Key <= in.ExclusiveStartTagKey {
			continue
		}
		if len(out.Tags) == limit {
			out.HasMoreTags = true
			break
		}
		out.Tags = append(out.Tags, t)
	}
	return out, nil
}
