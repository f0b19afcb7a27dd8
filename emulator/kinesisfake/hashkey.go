package kinesisfake

import (
	"crypto/md5"
	"encoding/binary"
	"math/big"
	"math/bits"
)

// u128 is a 128-bit hash key: partition keys hash onto [0, 2^128-1] by MD5,
// and each shard owns a contiguous range of it.
type u128 struct{ hi, lo uint64 }

var maxHashKey = u128{^uint64(0), ^uint64(0)}

func (a u128) less(b u128) bool { return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo) }

func (a u128) add1() u128 {
	lo, c := bits.Add64(a.lo, 1, 0)
	return u128{a.hi + c, lo}
}

func (a u128) sub1() u128 {
	lo, b := bits.Sub64(a.lo, 1, 0)
	return u128{a.hi - b, lo}
}

// hashPartitionKey is the MD5 of the key read as a big-endian 128-bit integer,
// as AWS routes records.
func hashPartitionKey(key string) u128 {
	sum := md5.Sum([]byte(key))
	return u128{binary.BigEndian.Uint64(sum[:8]), binary.BigEndian.Uint64(sum[8:])}
}

// parseHashKey reads a decimal hash key; ok is false when s is not a decimal
// integer in [0, 2^128-1].
func parseHashKey(s string) (u128, bool) {
	if s == "" || len(s) > 39 {
		return u128{}, false
	}
	var v u128
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return u128{}, false
		}
		// v = v*10 + d
		hh, hl := bits.Mul64(v.hi, 10)
		lh, ll := bits.Mul64(v.lo, 10)
		if hh != 0 {
			return u128{}, false
		}
		hi, carry := bits.Add64(hl, lh, 0)
		if carry != 0 {
			return u128{}, false
		}
		lo, c2 := bits.Add64(ll, uint64(c-'0'), 0)
		hi, carry = bits.Add64(hi, 0, c2)
		if carry != 0 {
			return u128{}, false
		}
		v = u128{hi, lo}
	}
	return v, true
}

func (a u128) big() *big.Int {
	x := new(big.Int).SetUint64(a.hi)
	x.Lsh(x, 64)
	return x.Or(x, new(big.Int).SetUint64(a.lo))
}

func fromBig(x *big.Int) u128 {
	var buf [16]byte
	x.FillBytes(buf[:])
	return u128{binary.BigEndian.Uint64(buf[:8]), binary.BigEndian.Uint64(buf[8:])}
}

// String is the decimal form AWS uses in HashKeyRange.
func (a u128) String() string { return a.big().String() }

// uniformRanges splits the hash key space into n contiguous ranges of equal
// size (the last takes the remainder), as CreateStream and UpdateShardCount do.
func uniformRanges(n int) [][2]u128 {
	space := new(big.Int).Lsh(big.NewInt(1), 128)
	out := make([][2]u128, n)
	for i := 0; i < n; i++ {
		start := new(big.Int).Mul(space, big.NewInt(int64(i)))
		start.Div(start, big.NewInt(int64(n)))
		end := new(big.Int).Mul(space, big.NewInt(int64(i+1)))
		end.Div(end, big.NewInt(int64(n)))
		end.Sub(end, big.NewInt(1))
		out[i] = [2]u128{fromBig(start), fromBig(end)}
	}
	return out
}
