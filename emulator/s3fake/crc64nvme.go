package s3fake

import (
	"encoding/binary"
	"hash"
	"hash/crc64"
)

// crc64NVME is CRC-64/NVME with a slicing-by-8 table built once: the
// standard library's hash/crc64 builds such a table afresh on every Write of
// 2 KiB or more for any polynomial but ISO and ECMA, which made the checksum
// of a 64 KiB object cost more than its MD5.
type crc64NVME struct{ crc uint64 }

var crc64NVMESlices = func() *[8]crc64.Table {
	var t [8]crc64.Table
	t[0] = *crc64NVMETable
	for i := range 256 {
		c := t[0][i]
		for j := 1; j < 8; j++ {
			c = t[0][c&0xff] ^ c>>8
			t[j][i] = c
		}
	}
	return &t
}()

func newCRC64NVME() hash.Hash64 { return &crc64NVME{} }

func (d *crc64NVME) Write(p []byte) (int, error) {
	n := len(p)
	t := crc64NVMESlices
	c := ^d.crc
	for len(p) >= 8 {
		c ^= binary.LittleEndian.Uint64(p)
		c = t[7][c&0xff] ^ t[6][c>>8&0xff] ^ t[5][c>>16&0xff] ^ t[4][c>>24&0xff] ^
			t[3][c>>32&0xff] ^ t[2][c>>40&0xff] ^ t[1][c>>48&0xff] ^ t[0][c>>56]
		p = p[8:]
	}
	for _, b := range p {
		c = t[0][byte(c)^b] ^ c>>8
	}
	d.crc = ^c
	return n, nil
}

func (d *crc64NVME) Sum(b []byte) []byte { return binary.BigEndian.AppendUint64(b, d.crc) }
func (d *crc64NVME) Sum64() uint64       { return d.crc }
func (d *crc64NVME) Reset()              { d.crc = 0 }
func (d *crc64NVME) Size() int           { return crc64.Size }
func (d *crc64NVME) BlockSize() int      { return 1 }
