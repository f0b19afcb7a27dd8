package source

import (
	"testing"

	"github.com/streamcheck/streamcheck/internal/cborwire"
)

func TestRecordsHint(t *testing.T) {
	for _, tc := range []struct {
		name string
		body []byte
		cbor bool
		want int
	}{
		{"definite count", []byte{0x83, 0xa0, 0xa0, 0xa0}, true, 3},
		{"count past the body is bounded by the bytes left", []byte{0x99, 0x27, 0x10, 0xa0}, true, 4},
		{"indefinite", []byte{0x9f, 0xa0, 0xff}, true, 0},
		{"not an array", []byte{0xa1, 0x60, 0x60}, true, 0},
		{"truncated head", []byte{0x99, 0x27}, true, 0},
		{"empty", nil, true, 0},
		{"JSON", []byte(`[{},{}]`), false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := &decoder{b: tc.body, cbor: tc.cbor}
			if got := d.recordsHint(); got != tc.want {
				t.Errorf("recordsHint = %d, want %d", got, tc.want)
			}
			if d.i != 0 {
				t.Errorf("recordsHint moved the position to %d", d.i)
			}
		})
	}
}

// A fresh decoder reserves a CBOR page's record spans once, at the
// count the array declares, instead of growing them record by record.
func TestDecodeCBORReservesRecords(t *testing.T) {
	const n = 300
	b := cborwire.AppendHead(nil, cborwire.Map, 1)
	b = cborwire.AppendText(b, "Records")
	b = cborwire.AppendHead(b, cborwire.Array, n)
	for range n {
		b = cborwire.AppendHead(b, cborwire.Map, 1)
		b = cborwire.AppendText(b, "Data")
		b = cborwire.AppendHead(b, cborwire.Bytes, 1)
		b = append(b, 'x')
	}
	d := &decoder{cbor: true}
	out, err := d.decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Records) != n {
		t.Fatalf("decoded %d records, want %d", len(out.Records), n)
	}
	// Growing by appends would end at 512; a reservation rounds up to
	// the allocator's size class at most.
	if c := cap(d.recs); c < n || c > n*9/8 {
		t.Errorf("record spans have capacity %d, want %d to %d (reserved once)", c, n, n*9/8)
	}
}
