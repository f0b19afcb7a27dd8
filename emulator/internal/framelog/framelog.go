// Package framelog is the append-only data log the emulators keep their
// state in: frames of a 4-byte big-endian length, a 4-byte CRC-32C of the
// body and the body. Writers append frames and wait for an fsync that covers
// them before answering; concurrent writers share one fsync (group commit).
// Reading stops at the first torn or corrupt frame, which a crash mid-write
// leaves behind.
package framelog

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"sync"
	"sync/atomic"
)

// HeaderSize is the size of a frame's header.
const HeaderSize = 8

// MaxFrame is the largest body a frame may hold; a header that declares more
// is read as the end of the log.
const MaxFrame = 1 << 30

// ErrClosed is returned by Append on a closed Log.
var ErrClosed = errors.New("data log is closed")

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// AppendFrame appends body as one frame to dst.
func AppendFrame(dst, body []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(body)))
	dst = binary.BigEndian.AppendUint32(dst, crc32.Checksum(body, crcTable))
	return append(dst, body...)
}

// Read calls apply with the body of every whole, intact frame of r, in
// order, and returns the offset after the last one. A torn or corrupt frame
// ends the log: the frames before it are kept. An error from apply stops the
// read and is returned with the frame's offset. The body passed to apply is
// reused for the next frame.
func Read(r io.Reader, apply func(body []byte) error) (int64, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	var (
		off  int64
		hdr  [HeaderSize]byte
		body []byte
	)
	for {
		if k, _ := io.ReadFull(br, hdr[:]); k < HeaderSize {
			return off, nil // the end, or a torn header
		}
		n := binary.BigEndian.Uint32(hdr[:4])
		if n == 0 || n > MaxFrame {
			return off, nil
		}
		if cap(body) < int(n) {
			body = make([]byte, n)
		}
		body = body[:n]
		if k, _ := io.ReadFull(br, body); k < len(body) {
			return off, nil // a torn body
		}
		if crc32.Checksum(body, crcTable) != binary.BigEndian.Uint32(hdr[4:]) {
			return off, nil
		}
		if err := apply(body); err != nil {
			return off, fmt.Errorf("frame at offset %d: %w", off, err)
		}
		off += HeaderSize + int64(n)
	}
}

// Log appends frames to an open file. It is safe for concurrent use.
type Log struct {
	mu      sync.Mutex // orders writes
	f       *os.File
	written int64
	closed  bool
	syncMu  sync.Mutex // one fsync at a time
	synced  atomic.Int64
}

// New returns a Log appending to f, whose writes go at offset end (the
// caller positions f there) and whose content up to end is durable.
func New(f *os.File, end int64) *Log {
	l := &Log{f: f, written: end}
	l.synced.Store(end)
	return l
}

// Append writes body as one frame and returns the offset after it. The
// caller then calls Sync with it before acknowledging what the frame holds.
func (l *Log) Append(body []byte) (int64, error) {
	frame := AppendFrame(make([]byte, 0, HeaderSize+len(body)), body)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return 0, ErrClosed
	}
	if _, err := l.f.Write(frame); err != nil {
		return 0, err
	}
	l.written += int64(len(frame))
	return l.written, nil
}

// Sync makes everything up to off durable, sharing one fsync among the
// writers that arrive while another is in progress.
func (l *Log) Sync(off int64) error {
	if l.synced.Load() >= off {
		return nil
	}
	l.syncMu.Lock()
	defer l.syncMu.Unlock()
	if l.synced.Load() >= off {
		return nil
	}
	l.mu.Lock()
	end := l.written
	l.mu.Unlock()
	if err := l.f.Sync(); err != nil {
		return err
	}
	l.synced.Store(end)
	return nil
}

// Close syncs and closes the file. It is idempotent.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	if err := l.f.Sync(); err != nil {
		_ = l.f.Close()
		return err
	}
	return l.f.Close()
}
