package dynamodbfake

// ListTagsOfResource.
//
// Matches AWS: a table's tags, in pages of up to 10 with NextToken;
// ResourceNotFoundException and ValidationException as TagResource.
// Differs: tags come in key order; NextToken is the last key returned.

import "sort"

type listTagsOfResourceInput struct {
	ResourceArn string `json:"ResourceArn"`
	NextToken   string `json:"NextToken"`
}

func (in *listTagsOfResourceInput) target() string { return arnTable(in.ResourceArn) }

type listTagsOfResourceOutput struct {
	Tags      []tag  `json:"Tags"`
	NextToken string `json:"NextToken,omitempty"`
}

const tagsPage = 10

func listTagsOfResource(s *Server, c *call, in *listTagsOfResourceInput) (any, error) {
	t, err := s.tableByARN(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	t.mu.RLock()
	keys := make([]string, 0, len(t.tags))
	for k := range t.tags {
		if k > in.NextToken {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	out := listTagsOfResourceOutput{Tags: []tag{}}
	for i, k := range keys {
		if i == tagsPage {
			out.NextToken = keys[i-1]
			break
		}
		out.Tags = append(out.Tags, tag{Key: k, Value: t.tags[k]})
	}
	t.mu.RUnlock()
	return out, nil
}
