package kinesisfake

// ListShards.
//
// Matches AWS: every violated model constraint of the input (limits, patterns,
// lengths) in one ValidationException before anything is looked up; shards in
// ID order paged by MaxResults (1-10000, default 1000), ExclusiveStartShardId
// or NextToken; NextToken cannot be combined with StreamName and expires after
// 300 seconds (ExpiredNextTokenException); ShardFilter types AFTER_SHARD_ID,
// AT_TRIM_HORIZON, FROM_TRIM_HORIZON, AT_LATEST, AT_TIMESTAMP and
// FROM_TIMESTAMP select shards by when they were open.
// Differs: closed shards stay listed after their records expire; the trim
// horizon is the stream's retention period before now.

import (
	"encoding/base64"
	"encoding/json"
	"time"
)

type shardFilter struct {
	Type      string   `json:"Type"`
	ShardID   string   `json:"ShardId,omitempty"`
	Timestamp *awsTime `json:"Timestamp,omitempty"`
}

type listShardsInput struct {
	streamRef
	NextToken               string       `json:"NextToken,omitempty"`
	ExclusiveStartShardID   string       `json:"ExclusiveStartShardId,omitempty"`
	MaxResults              *int         `json:"MaxResults,omitempty"`
	StreamCreationTimestamp *awsTime     `json:"StreamCreationTimestamp,omitempty"`
	ShardFilter             *shardFilter `json:"ShardFilter,omitempty"`
}

func (in *listShardsInput) validate(v *violations) {
	v.num("maxResults", in.MaxResults, false, 1, 10000)
	if in.NextToken == "" || in.StreamName != "" || in.StreamARN != "" {
		in.streamRef.validate(v)
	}
}

type listShardsOutput struct {
	Shards    []shardOut `json:"Shards"`
	NextToken string     `json:"NextToken,omitempty"`
}

// listToken is what a ListShards NextToken carries.
type listToken struct {
	Stream    string       `json:"s"`
	CreatedMs int64        `json:"c"`
	After     int          `json:"a"`
	IssuedMs  int64        `json:"i"`
	Filter    *shardFilter `json:"f,omitempty"`
}

const listTokenTTL = 300 * time.Second

func listShards(s *Server, c *call, in *listShardsInput) (any, error) {
	max := 1000
	if in.MaxResults != nil {
		max = *in.MaxResults
		if max < 1 || max > 10000 {
			return nil, errValidation("maxResults", "Member must have value between 1 and 10000", max)
		}
	}
	var tok *listToken
	if in.NextToken != "" {
		if in.StreamName != "" || in.StreamARN != "" || in.ExclusiveStartShardID != "" || in.StreamCreationTimestamp != nil {
			return nil, errInvalid("NextToken and StreamName (or StreamARN, ExclusiveStartShardId, StreamCreationTimestamp) cannot be provided together.")
		}
		raw, err := base64.RawURLEncoding.DecodeString(in.NextToken)
		tok = new(listToken)
		if err != nil || json.Unmarshal(raw, tok) != nil || tok.Stream == "" {
			return nil, errInvalid("NextToken %q is not a token this server issued.", in.NextToken)
		}
		if c.now.Sub(time.UnixMilli(tok.IssuedMs)) > listTokenTTL {
			return nil, newError(codeExpiredNextToken, "The timestamp of NextToken %s has expired.", in.NextToken)
		}
	}
	var st *stream
	var aerr *apiError
	if tok != nil {
		st, aerr = s.lookup(tok.Stream, "")
		if aerr == nil && st.createdMs != tok.CreatedMs {
			aerr = errStreamNotFound(tok.Stream, s.cfg.AccountID)
		}
	} else {
		st, aerr = s.lookup(in.StreamName, in.StreamARN)
	}
	if aerr != nil {
		return nil, aerr
	}
	after := -1
	filter := in.ShardFilter
	if tok != nil {
		after, filter = tok.After, tok.Filter
	} else if in.ExclusiveStartShardID != "" {
		idx, ok := parseShardID(in.ExclusiveStartShardID)
		if !ok {
			return nil, errValidation("exclusiveStartShardId", "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+", in.ExclusiveStartShardID)
		}
		after = idx
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	keep, ferr := shardFilterFunc(st, filter, c.now)
	if ferr != nil {
		return nil, ferr
	}
	out := listShardsOutput{Shards: []shardOut{}}
	for _, sh := range st.shards {
		if sh.idx <= after || !keep(sh) {
			continue
		}
		if len(out.Shards) == max {
			last, _ := parseShardID(out.Shards[len(out.Shards)-1].ShardID)
			b, _ := json.Marshal(listToken{Stream: st.name, CreatedMs: st.createdMs, After: last, IssuedMs: c.now.UnixMilli(), Filter: filter})
			out.NextToken = base64.RawURLEncoding.EncodeToString(b)
			break
		}
		out.Shards = append(out.Shards, st.describeShard(sh))
	}
	return out, nil
}

// shardFilterFunc returns which shards f selects. The caller holds st.mu.
func shardFilterFunc(st *stream, f *shardFilter, now time.Time) (func(*shard) bool, *apiError) {
	all := func(*shard) bool { return true }
	if f == nil {
		return all, nil
	}
	openAt := func(ms int64) func(*shard) bool {
		if ms < st.createdMs {
			ms = st.createdMs
		}
		return func(sh *shard) bool { return sh.createdMs <= ms && (!sh.closed || sh.closedAtMs > ms) }
	}
	openFrom := func(ms int64) func(*shard) bool {
		return func(sh *shard) bool { return !sh.closed || sh.closedAtMs > ms }
	}
	horizon := st.retentionCutoff(now)
	switch f.Type {
	case "AFTER_SHARD_ID":
		idx, ok := parseShardID(f.ShardID)
		if !ok {
			return nil, errInvalid("ShardFilter of type AFTER_SHARD_ID needs a valid ShardId, got %q.", f.ShardID)
		}
		return func(sh *shard) bool { return sh.idx > idx }, nil
	case "AT_TRIM_HORIZON":
		return openAt(horizon), nil
	case "FROM_TRIM_HORIZON":
		return openFrom(horizon), nil
	case "AT_LATEST":
		return func(sh *shard) bool { return !sh.closed }, nil
	case "AT_TIMESTAMP", "FROM_TIMESTAMP":
		if f.Timestamp == nil {
			return nil, errInvalid("ShardFilter of type %s needs a Timestamp.", f.Type)
		}
		if f.Type == "AT_TIMESTAMP" {
			return openAt(f.Timestamp.UnixMilli()), nil
		}
		return openFrom(f.Timestamp.UnixMilli()), nil
	}
	return nil, errValidation("shardFilter.type", "Member must satisfy enum value set: [AFTER_SHARD_ID, AT_TRIM_HORIZON, FROM_TRIM_HORIZON, AT_LATEST, AT_TIMESTAMP, FROM_TIMESTAMP]", f.Type)
}
