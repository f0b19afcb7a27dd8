package dynamodbfake

// TagResource.
//
// Matches AWS: tags added or overwritten on a table named by its ARN; key
// 1 to 128 and value up to 256 characters; at most 50 tags on a table
// (LimitExceededException beyond); ResourceNotFoundException for an ARN of
// no table, ValidationException for a malformed ARN.
// Differs: tags take effect at once.

import "fmt"

type tagResourceInput struct {
	ResourceArn string `json:"ResourceArn"`
	Tags        []tag  `json:"Tags"`
}

func (in *tagResourceInput) target() string { return arnTable(in.ResourceArn) }

func tagResource(s *Server, c *call, in *tagResourceInput) (any, error) {
	if in.Tags == nil {
		return nil, errMissing("tags")
	}
	for i, tg := range in.Tags {
		if len(tg.Key) < 1 || len(tg.Key) > 128 {
			return nil, errValidation(fmt.Sprintf("tags.%d.member.key", i+1), "Member must have length between 1 and 128", tg.Key)
		}
		if len(tg.Value) > 256 {
			return nil, errValidation(fmt.Sprintf("tags.%d.member.value", i+1), "Member must have length less than or equal to 256", tg.Value)
		}
	}
	t, err := s.tableByARN(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	next := make(map[string]string, len(t.tags)+len(in.Tags))
	for k, v := range t.tags {
		next[k] = v
	}
	for _, tg := range in.Tags {
		next[tg.Key] = tg.Value
	}
	if len(next) > 50 {
		return nil, newError(codeLimitExceeded, "The number of tags on the resource would exceed the limit of 50")
	}
	t.tags = next
	return nil, s.logTable(t)
}
