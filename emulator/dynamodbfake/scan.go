package dynamodbfake

// Scan.
//
// Matches AWS: every item of the table or of a local or global secondary
// index (IndexName, sparse, projected), partitions in the order of a hash
// of their partition key and items within one in sort-key order; parallel
// scans with Segment and TotalSegments (1 to 1,000,000), each segment a
// contiguous slice of the hash space; Select, FilterExpression (or legacy
// ScanFilter), Limit, ExclusiveStartKey and LastEvaluatedKey with 1 MB
// pages; Count and ScannedCount; read units over the total size read.
// Differs: the hash that orders partitions is not AWS's, so the order of a
// scan differs from AWS's (AWS promises none).

import (
	"sort"

	"github.com/streamcheck/streamcheck/emulator/dynamodbfake/internal/expr"
)

type scanInput struct {
	readParams
	ScanFilter    map[string]expr.LegacyCondition `json:"ScanFilter"`
	Segment       *int64                          `json:"Segment"`
	TotalSegments *int64                          `json:"TotalSegments"`
}

func (in *scanInput) target() string { return in.TableName }

func scan(s *Server, c *call, in *scanInput) (any, error) {
	lo, hi := uint64(0), uint64(1)<<32
	switch {
	case in.Segment != nil && in.TotalSegments == nil:
		return nil, errInvalid("The TotalSegments parameter is required but was not present in the request when Segment parameter is present")
	case in.Segment == nil && in.TotalSegments != nil:
		return nil, errInvalid("The Segment parameter is required but was not present in the request when parameter TotalSegments is present")
	case in.Segment != nil:
		seg, total := *in.Segment, *in.TotalSegments
		if total < 1 || total > 1000000 {
			return nil, errValidation("totalSegments", "Member must have value between 1 and 1000000", total)
		}
		if seg < 0 {
			return nil, errValidation("segment", "Member must have value greater than or equal to 0", seg)
		}
		if seg >= total {
			return nil, errInvalidf("The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: %d is not less than TotalSegments: %d", seg, total)
		}
		lo = (uint64(seg) << 32) / uint64(total)
		hi = (uint64(seg+1) << 32) / uint64(total)
	}
	r, env, aerr := in.compile(s, c, "ScanFilter", in.ScanFilter, nil, nil)
	if aerr != nil {
		return nil, aerr
	}
	if err := env.CheckUnused(); err != nil {
		return nil, errExpr(err)
	}
	t := r.t
	t.mu.RLock()
	defer t.mu.RUnlock()
	if s.throttled(t, c.now, r.ix, true) {
		return nil, errThroughput()
	}
	parts := r.space.sorted()
	start := sort.Search(len(parts), func(i int) bool { return uint64(parts[i].scanHash) >= lo })
	if r.esk != nil {
		h := scanHash(r.eskPart)
		if uint64(h) < lo || uint64(h) >= hi {
			return nil, errInvalid("The provided starting key is invalid: The provided key element does not match the schema")
		}
		start = sort.Search(len(parts), func(i int) bool { return !partLess(parts[i].scanHash, parts[i].enc, h, r.eskPart) })
	}
	for i := start; i < len(parts) && uint64(parts[i].scanHash) < hi; i++ {
		p := parts[i]
		from := 0
		if r.esk != nil && p.enc == r.eskPart {
			from = r.after(p)
		}
		for _, e := range p.ents[from:] {
			full, err := r.visit(e)
			if err != nil {
				return nil, err
			}
			if full {
				return r.finish(s, c, in.ReturnConsumedCapacity), nil
			}
		}
	}
	return r.finish(s, c, in.ReturnConsumedCapacity), nil
}
