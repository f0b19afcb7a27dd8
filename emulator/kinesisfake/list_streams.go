package kinesisfake

// ListStreams.
//
// Matches AWS: every violated model constraint of the input (limits, patterns,
// lengths) in one ValidationException before anything is looked up; names in
// lexical order with StreamSummaries, paged by Limit (1-10000, default 100),
// ExclusiveStartStreamName or NextToken, with HasMoreStreams.
// Differs: NextToken is the last name returned, encoded, and does not expire.

import (
	"encoding/base64"
	"sort"
)

type listStreamsInput struct {
	noTarget
	Limit                    *int   `json:"Limit,omitempty"`
	ExclusiveStartStreamName string `json:"ExclusiveStartStreamName,omitempty"`
	NextToken                string `json:"NextToken,omitempty"`
}

type streamSummary struct {
	StreamName              string            `json:"StreamName"`
	StreamARN               string            `json:"StreamARN"`
	StreamStatus            string            `json:"StreamStatus"`
	StreamModeDetails       streamModeDetails `json:"StreamModeDetails"`
	StreamCreationTimestamp *awsTime          `json:"StreamCreationTimestamp"`
}

type listStreamsOutput struct {
	StreamNames     []string        `json:"StreamNames"`
	HasMoreStreams  bool            `json:"HasMoreStreams"`
	NextToken       string          `json:"NextToken,omitempty"`
	StreamSummaries []streamSummary `json:"StreamSummaries"`
}

func (in *listStreamsInput) validate(v *violations) {
	v.num("limit", in.Limit, false, 1, 10000)
	if in.ExclusiveStartStreamName != "" {
		name := in.ExclusiveStartStreamName
		v.str("exclusiveStartStreamName", &name, false, patternStreamName, isStreamName, 1, 128)
	}
}

func listStreams(s *Server, c *call, in *listStreamsInput) (any, error) {
	limit := 100
	if in.Limit != nil {
		limit = *in.Limit
	}
	after := in.ExclusiveStartStreamName
	if in.NextToken != "" {
		b, err := base64.RawURLEncoding.DecodeString(in.NextToken)
		if err != nil {
			return nil, errInvalid("NextToken %q is not a token this server issued.", in.NextToken)
		}
		after = string(b)
	}
	s.mu.RLock()
	names := make([]string, 0, len(s.streams))
	for n := range s.streams {
		if n > after {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	out := listStreamsOutput{StreamNames: []string{}, StreamSummaries: []streamSummary{}}
	for _, n := range names {
		if len(out.StreamNames) == limit {
			out.HasMoreStreams = true
			out.NextToken = base64.RawURLEncoding.EncodeToString([]byte(out.StreamNames[len(out.StreamNames)-1]))
			break
		}
		st := s.streams[n]
		st.mu.Lock()
		out.StreamNames = append(out.StreamNames, n)
		out.StreamSummaries = append(out.StreamSummaries, streamSummary{
			StreamName: n, StreamARN: s.streamARN(n), StreamStatus: st.status(c.now),
			StreamModeDetails: streamModeDetails{st.mode}, StreamCreationTimestamp: msTime(st.createdMs),
		})
		st.mu.Unlock()
	}
	s.mu.RUnlock()
	return out, nil
}
