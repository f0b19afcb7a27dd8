package record

// Rows are a batch's rows, each a run of width Values, held in blocks of
// a fixed number of rows. A batch's rows need not be one allocation: the
// engine makes each block as its decoding reaches it, while it lets go of
// the records it has decoded, so that a batch never holds both whole.
// Rows are a small value: copies share their blocks. The zero Rows hold
// none.
type Rows struct {
	n, width int
	shift    uint // a block holds 1<<shift rows
	blocks   [][]Value
}

// OneBlock is the block shift (see NewRows) that holds every row in one
// block.
const OneBlock = 62

// FlatRows returns vals, rows of width values one after another, as Rows
// of one block.
func FlatRows(vals []Value, width int) Rows {
	n := 0
	if width > 0 {
		n = len(vals) / width
	}
	return Rows{n: n, width: width, shift: OneBlock, blocks: [][]Value{vals}}
}

// NewRows returns Rows for n rows of width values, in blocks of 1<<shift
// rows; block k holds no values until MakeBlock(k) makes it.
func NewRows(n, width int, shift uint) Rows {
	return Rows{n: n, width: width, shift: shift, blocks: make([][]Value, (n+1<<shift-1)>>shift)}
}

// MakeBlock makes block k (0 <= k < Blocks), zero values, and returns it.
// Calls for different blocks may run concurrently; each block is to be
// made once.
func (r Rows) MakeBlock(k int) []Value {
	rows := min(r.n-k<<r.shift, 1<<r.shift)
	r.blocks[k] = make([]Value, rows*r.width)
	return r.blocks[k]
}

// Flat returns the values of rows held in one block (as FlatRows makes
// them), nil for rows in several.
func (r Rows) Flat() []Value {
	if len(r.blocks) != 1 {
		return nil
	}
	return r.blocks[0]
}

// Len returns the number of rows.
func (r Rows) Len() int { return r.n }

// Width returns the number of values in a row.
func (r Rows) Width() int { return r.width }

// Blocks returns the number of blocks.
func (r Rows) Blocks() int { return len(r.blocks) }

// Block returns the block that holds row i.
func (r Rows) Block(i int) int { return i >> r.shift }

// Row returns row i (0 <= i < Len): its width values, in their block.
func (r Rows) Row(i int) []Value {
	j := (i & (1<<r.shift - 1)) * r.width
	return r.blocks[i>>r.shift][j : j+r.width : j+r.width]
}

// At returns value c of row i.
func (r Rows) At(i, c int) *Value {
	return &r.blocks[i>>r.shift][(i&(1<<r.shift-1))*r.width+c]
}
