package kinesisfake

// recIndex is a shard's record index: fixed blocks of recBlock entries, so
// appending never copies the index and trimming frees whole blocks.
type recIndex struct {
	blocks [][]rec
	head   int // entries of blocks[0] already trimmed
}

const (
	recBlockShift = 12
	recBlock      = 1 << recBlockShift
	recBlockMask  = recBlock - 1
)

// len is the number of live records.
func (x *recIndex) len() int {
	n := len(x.blocks)
	if n == 0 {
		return 0
	}
	return (n-1)*recBlock + len(x.blocks[n-1]) - x.head
}

// at returns live record i.
func (x *recIndex) at(i int) rec {
	j := i + x.head
	return x.blocks[j>>recBlockShift][j&recBlockMask]
}

func (x *recIndex) push(r rec) {
	n := len(x.blocks)
	if n == 0 || len(x.blocks[n-1]) == recBlock {
		x.blocks = append(x.blocks, make([]rec, 0, recBlock))
		n++
	}
	x.blocks[n-1] = append(x.blocks[n-1], r)
}

// dropFront trims the n oldest live records.
func (x *recIndex) dropFront(n int) {
	x.head += n
	for len(x.blocks) > 0 && (x.head >= recBlock || (x.head >= len(x.blocks[0]) && len(x.blocks) > 1)) {
		x.head -= len(x.blocks[0])
		x.blocks[0] = nil
		x.blocks = x.blocks[1:]
	}
	if len(x.blocks) == 1 && x.head == len(x.blocks[0]) && x.head == recBlock {
		x.blocks, x.head = nil, 0
	}
}

// search returns the first live index for which f is true, f being false
// then true over the records (sort.Search's contract).
func (x *recIndex) search(f func(rec) bool) int {
	lo, hi := 0, x.len()
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if !f(x.at(m)) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}
