package kpl

import "encoding/binary"

// Pack groups user records into the data of Kinesis records, in order, as
// the KPL's aggregator does: consecutive records share an aggregate while it
// stays within maxSize bytes (magic, protobuf and MD5 trailer included) and
// maxCount records; a record too large to fit an aggregate even alone is
// sent as it is, and so is an aggregate that would hold a single record. Each
// Packed names the partition key Kinesis gets: the first user record's.
// maxSize and maxCount below 1 mean no bound.
func Pack(recs []Record, maxSize int, maxCount int64) []Packed {
	var out []Packed
	var group []Record
	var p packSize
	flush := func() {
		switch len(group) {
		case 0:
			return
		case 1:
			out = append(out, Packed{PartitionKey: group[0].PartitionKey, ExplicitHashKey: group[0].ExplicitHashKey, Data: group[0].Data, Records: 1})
		default:
			out = append(out, Packed{PartitionKey: group[0].PartitionKey, Data: Aggregate(group), Records: len(group), Aggregated: true})
		}
		group, p = nil, packSize{}
	}
	for _, r := range recs {
		if maxSize > 0 && AggregatedSize([]Record{r}) > maxSize {
			flush()
			out = append(out, Packed{PartitionKey: r.PartitionKey, ExplicitHashKey: r.ExplicitHashKey, Data: r.Data, Records: 1})
			continue
		}
		if len(group) > 0 && ((maxSize > 0 && p.total()+p.cost(r) > maxSize) || (maxCount > 0 && int64(len(group)) >= maxCount)) {
			flush()
		}
		group = append(group, r)
		p.add(r)
	}
	flush()
	return out
}

// Packed is one Kinesis record Pack made: an aggregate of Records user
// records (Aggregated) or one user record as it was.
type Packed struct {
	PartitionKey    string
	ExplicitHashKey string // a plain record's; aggregates carry none
	Data            []byte
	Records         int
	Aggregated      bool
}

// AggregatedSize returns the length of Aggregate(recs).
func AggregatedSize(recs []Record) int {
	var p packSize
	for _, r := range recs {
		p.add(r)
	}
	return p.total()
}

// packSize tracks the size of an aggregate as records are added: the
// protobuf body and the keys already in its tables.
type packSize struct {
	body      int
	pks, ehks map[string]int
}

// cost returns how many bytes adding r would add.
func (p *packSize) cost(r Record) int {
	n := 0
	pkIdx, ok := p.pks[r.PartitionKey]
	if !ok {
		pkIdx = len(p.pks)
		n += fieldSize(len(r.PartitionKey))
	}
	msg := 1 + uvarintLen(uint64(pkIdx)) + fieldSize(len(r.Data))
	if r.ExplicitHashKey != "" {
		ehkIdx, ok := p.ehks[r.ExplicitHashKey]
		if !ok {
			ehkIdx = len(p.ehks)
			n += fieldSize(len(r.ExplicitHashKey))
		}
		msg += 1 + uvarintLen(uint64(ehkIdx))
	}
	return n + fieldSize(msg)
}

// add adds r.
func (p *packSize) add(r Record) {
	p.body += p.cost(r)
	if p.pks == nil {
		p.pks, p.ehks = map[string]int{}, map[string]int{}
	}
	if _, ok := p.pks[r.PartitionKey]; !ok {
		p.pks[r.PartitionKey] = len(p.pks)
	}
	if _, ok := p.ehks[r.ExplicitHashKey]; !ok && r.ExplicitHashKey != "" {
		p.ehks[r.ExplicitHashKey] = len(p.ehks)
	}
}

// total is the aggregate's length: magic, body, MD5.
func (p *packSize) total() int { return len(Magic) + p.body + 16 }

// fieldSize is the length of a length-delimited protobuf field (tag below
// 16) holding n bytes.
func fieldSize(n int) int { return 1 + uvarintLen(uint64(n)) + n }

func uvarintLen(v uint64) int {
	var b [binary.MaxVarintLen64]byte
	return binary.PutUvarint(b[:], v)
}
