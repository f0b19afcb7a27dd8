package kinesisfake

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"hash"
	"time"
)

// A shard iterator is opaque to clients: base64 of a position (stream name
// and creation time, shard, next counter to read, issue time) followed by a
// truncated HMAC-SHA256 under the server's key, so a changed iterator is
// refused and an old one expires after the iterator TTL.
type iterator struct {
	stream    string
	createdMs int64
	shard     int
	counter   uint64 // next record to read has a counter >= this
	issuedMs  int64
}

const (
	iterVersion = 1
	iterMACLen  = 16
	iterFixed   = 1 + 4 + 8 + 8 + 8
)

func (s *Server) encodeIterator(it iterator) string {
	buf := make([]byte, iterFixed, iterFixed+len(it.stream)+iterMACLen)
	buf[0] = iterVersion
	binary.BigEndian.PutUint32(buf[1:], uint32(it.shard))
	binary.BigEndian.PutUint64(buf[5:], it.counter)
	binary.BigEndian.PutUint64(buf[13:], uint64(it.issuedMs))
	binary.BigEndian.PutUint64(buf[21:], uint64(it.createdMs))
	buf = append(buf, it.stream...)
	buf = s.iteratorMAC(buf, buf)[:len(buf)+iterMACLen]
	return base64.StdEncoding.EncodeToString(buf)
}

// iteratorMAC appends the HMAC-SHA256 of msg under the server's key to dst.
// The keyed hashes are reused: keying one costs more than hashing an
// iterator.
func (s *Server) iteratorMAC(dst, msg []byte) []byte {
	m, _ := s.macs.Get().(hash.Hash)
	if m == nil {
		m = hmac.New(sha256.New, s.hmacKey)
	}
	m.Reset()
	m.Write(msg)
	dst = m.Sum(dst)
	s.macs.Put(m)
	return dst
}

// decodeIterator checks the iterator's signature and expiry. It does not
// check that the stream still exists.
func (s *Server) decodeIterator(tok string, now time.Time) (iterator, *apiError) {
	it, err := s.parseIterator(tok)
	if err != nil {
		return iterator{}, err
	}
	return it, s.checkExpiry(it, now)
}

// parseIterator checks the iterator's form and signature and reads it.
func (s *Server) parseIterator(tok string) (iterator, *apiError) {
	if tok == "" {
		return iterator{}, errMissing("shardIterator")
	}
	if len(tok) > 512 {
		return iterator{}, errValidation("shardIterator", "Member must have length less than or equal to 512", tok)
	}
	raw, err := base64.StdEncoding.DecodeString(tok)
	if err != nil || len(raw) < iterFixed+iterMACLen || raw[0] != iterVersion {
		return iterator{}, errInvalid("Invalid ShardIterator.")
	}
	body, mac := raw[:len(raw)-iterMACLen], raw[len(raw)-iterMACLen:]
	var sum [sha256.Size]byte
	if !hmac.Equal(s.iteratorMAC(sum[:0], body)[:iterMACLen], mac) {
		return iterator{}, errInvalid("Invalid ShardIterator.")
	}
	it := iterator{
		shard:     int(binary.BigEndian.Uint32(body[1:])),
		counter:   binary.BigEndian.Uint64(body[5:]),
		issuedMs:  int64(binary.BigEndian.Uint64(body[13:])),
		createdMs: int64(binary.BigEndian.Uint64(body[21:])),
		stream:    string(body[iterFixed:]),
	}
	return it, nil
}

// checkExpiry refuses an iterator older than the iterator TTL at now.
func (s *Server) checkExpiry(it iterator, now time.Time) *apiError {
	if age := now.UnixMilli() - it.issuedMs; age > s.cfg.iteratorTTL.Milliseconds() {
		return newError(codeExpiredIterator, "Iterator expired. The iterator was created at time %s while right now it is %s which is further in the future than the tolerated delay of %d milliseconds.",
			time.UnixMilli(it.issuedMs).UTC().Format(time.RFC1123), now.UTC().Format(time.RFC1123), s.cfg.iteratorTTL.Milliseconds())
	}
	return nil
}
