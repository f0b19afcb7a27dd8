package s3fake

// Storage: buckets, objects and multipart uploads, in memory or in a data
// directory.
//
// On disk, every path is built from constants and three kinds of name that
// cannot contain a separator or a dot-dot: a bucket name that passed
// validBucketName (lower-case letters, digits, '.', '-', no "..", 3 to 63
// bytes), the hex SHA-256 of an object key (64 hex digits), and an upload ID
// or part file name of hex digits the emulator generated. Keys and other
// client input are never part of a path, so no key can reach outside the
// directory whatever bytes it holds:
//
//	<dir>/buckets/<bucket>/bucket.json
//	<dir>/buckets/<bucket>/objects/<sha256(key)>          body, then metadata
//	<dir>/buckets/<bucket>/uploads/<upload id>/upload.json
//	<dir>/buckets/<bucket>/uploads/<upload id>/<part>-<seq>
//	<dir>/tmp/                                             staging, emptied on start
//	<dir>/LOCK                                             held while a Server uses dir
//
// Every file is written as temp file + fsync + rename (and the directory is
// fsynced), so a reader sees an old or a new object, never a torn one, and a
// restart keeps every answered write. An object file holds the body, then its
// metadata as JSON, then the JSON's length (4 bytes big-endian) and "s3fk".

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const trailerMagic = "s3fk"

// ErrDataDirInUse is wrapped by New's error when another Server (in this
// process or another) holds the data directory.
var ErrDataDirInUse = errors.New("data directory is in use by another server")

// content is what an object keeps from the headers of the request that
// created it.
type content struct {
	ContentType        string            `json:"content_type,omitempty"`
	ContentEncoding    string            `json:"content_encoding,omitempty"`
	ContentDisposition string            `json:"content_disposition,omitempty"`
	ContentLanguage    string            `json:"content_language,omitempty"`
	CacheControl       string            `json:"cache_control,omitempty"`
	Expires            string            `json:"expires,omitempty"`
	Meta               map[string]string `json:"meta,omitempty"`
}

// objMeta is an object's metadata, as stored after its body.
type objMeta struct {
	Key               string    `json:"key"`
	Size              int64     `json:"size"`
	ETag              string    `json:"etag"` // without quotes
	LastModified      time.Time `json:"last_modified"`
	Content           content   `json:"content"`
	ChecksumAlgorithm string    `json:"checksum_algorithm,omitempty"` // CRC32, CRC32C, CRC64NVME, SHA1, SHA256
	Checksum          string    `json:"checksum,omitempty"`           // base64, "-N" for composite
	ChecksumType      string    `json:"checksum_type,omitempty"`      // FULL_OBJECT or COMPOSITE
	PartsCount        int       `json:"parts_count,omitempty"`
	StorageClass      string    `json:"storage_class,omitempty"` // "" is STANDARD
	PartSizes         []int64   `json:"part_sizes,omitempty"`    // of a multipart upload, in order
}

type object struct {
	objMeta
	data []byte // in memory
	path string // in a data directory
}

// partMeta is a multipart upload part's metadata, as stored after its body.
type partMeta struct {
	Number       int       `json:"number"`
	Size         int64     `json:"size"`
	ETag         string    `json:"etag"`
	LastModified time.Time `json:"last_modified"`
	Checksum     string    `json:"checksum,omitempty"`
	ChecksumAlg  string    `json:"checksum_algorithm,omitempty"`
}

type part struct {
	partMeta
	data []byte
	path string
}

type upload struct {
	ID                string    `json:"id"`
	Bucket            string    `json:"bucket"`
	Key               string    `json:"key"`
	Initiated         time.Time `json:"initiated"`
	Content           content   `json:"content"`
	ChecksumAlgorithm string    `json:"checksum_algorithm,omitempty"`
	ChecksumType      string    `json:"checksum_type,omitempty"`
	StorageClass      string    `json:"storage_class,omitempty"` // "" is STANDARD
	parts             map[int]*part
}

type bucket struct {
	name     string
	created  time.Time
	objects  map[string]*object
	uploads  map[string]*upload
	sorted   []string // object keys in order, valid while sortedOK
	sortedOK bool
}

func (b *bucket) keys() []string {
	if !b.sortedOK {
		b.sorted = b.sorted[:0]
		for k := range b.objects {
			b.sorted = append(b.sorted, k)
		}
		slices.Sort(b.sorted)
		b.sortedOK = true
	}
	return b.sorted
}

type store struct {
	dir    string // "" in memory
	lock   *os.File
	fsync  bool
	tmpSeq atomic.Uint64

	mu      sync.RWMutex
	buckets map[string]*bucket
	rng     *rand.Rand // upload IDs; guarded by mu
}

func newStore(dir string, seed uint64, fsync bool) (*store, error) {
	st := &store{dir: dir, fsync: fsync, buckets: map[string]*bucket{},
		rng: rand.New(rand.NewPCG(seed, seed^0x5bd1e9955bd1e995))}
	if dir == "" {
		return st, nil
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("s3fake: data dir %s: %w", dir, err)
	}
	st.dir = abs
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("s3fake: create data dir %s: %w", abs, err)
	}
	if st.lock, err = lockDir(abs); err != nil {
		return nil, err
	}
	if err := st.open(); err != nil {
		st.lock.Close()
		return nil, err
	}
	return st, nil
}

func (st *store) open() error {
	if err := os.RemoveAll(filepath.Join(st.dir, "tmp")); err != nil {
		return fmt.Errorf("s3fake: empty staging dir of %s: %w", st.dir, err)
	}
	for _, d := range []string{"buckets", "tmp"} {
		if err := os.MkdirAll(filepath.Join(st.dir, d), 0o755); err != nil {
			return fmt.Errorf("s3fake: create data dir %s: %w", st.dir, err)
		}
	}
	return st.load()
}

// close releases the data directory's lock.
func (st *store) close() error {
	if st.lock == nil {
		return nil
	}
	err := st.lock.Close()
	st.lock = nil
	return err
}

func (st *store) bucketDir(name string) string {
	if !validBucketName(name) { // guarded by callers; a second fence for the paths
		panic("s3fake: bucket path for invalid name " + strconv.Quote(name))
	}
	return filepath.Join(st.dir, "buckets", name)
}

func (st *store) objectPath(bucket, key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(st.bucketDir(bucket), "objects", hex.EncodeToString(sum[:]))
}

func (st *store) uploadDir(bucket, id string) string {
	if !validUploadID(id) {
		panic("s3fake: upload path for invalid id " + strconv.Quote(id))
	}
	return filepath.Join(st.bucketDir(bucket), "uploads", id)
}

func validUploadID(id string) bool {
	if len(id) != 32 {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil && strings.ToLower(id) == id
}

// blob is a body being received: in memory, or in a temp file.
type blob struct {
	st   *store
	buf  []byte
	f    *os.File
	size int64
}

func (st *store) newBlob(sizeHint int64) (*blob, error) {
	b := &blob{st: st}
	if st.dir == "" {
		if sizeHint > 0 && sizeHint < 64<<20 {
			b.buf = make([]byte, 0, sizeHint)
		}
		return b, nil
	}
	name := filepath.Join(st.dir, "tmp", fmt.Sprintf("%016x", st.tmpSeq.Add(1)))
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, fmt.Errorf("s3fake: create staging file: %w", err)
	}
	b.f = f
	return b, nil
}

func (b *blob) Write(p []byte) (int, error) {
	b.size += int64(len(p))
	if b.f == nil {
		b.buf = append(b.buf, p...)
		return len(p), nil
	}
	return b.f.Write(p)
}

// seal appends meta to a file blob, syncs and closes it. In memory it does
// nothing.
func (b *blob) seal(meta any) error {
	if b.f == nil {
		return nil
	}
	js, err := json.Marshal(meta)
	if err != nil {
		return fmt.Errorf("s3fake: encode metadata: %w", err)
	}
	js = binary.BigEndian.AppendUint32(js, uint32(len(js)))
	js = append(js, trailerMagic...)
	if _, err := b.f.Write(js); err != nil {
		return fmt.Errorf("s3fake: write %s: %w", b.f.Name(), err)
	}
	if b.st.fsync {
		if err := b.f.Sync(); err != nil {
			return fmt.Errorf("s3fake: sync %s: %w", b.f.Name(), err)
		}
	}
	return b.f.Close()
}

func (b *blob) discard() {
	if b.f != nil {
		_ = b.f.Close()
		_ = os.Remove(b.f.Name())
	}
	b.buf = nil
}

// name returns the path of a file blob, "" in memory.
func (b *blob) name() string {
	if b.f == nil {
		return ""
	}
	return b.f.Name()
}

// syncDir fsyncs dir, making the names created, renamed or removed in it
// durable; its error is the request's, so that an answered write is on disk.
func (st *store) syncDir(dir string) error {
	if st.dir == "" || !st.fsync {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}

// writeJSON writes v to path as temp file + fsync + rename.
func (st *store) writeJSON(path string, v any) error {
	js, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("s3fake: encode %s: %w", path, err)
	}
	tmp := filepath.Join(st.dir, "tmp", fmt.Sprintf("%016x", st.tmpSeq.Add(1)))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("s3fake: create %s: %w", tmp, err)
	}
	_, err = f.Write(js)
	if err == nil && st.fsync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("s3fake: write %s: %w", path, err)
	}
	if err := st.syncDir(filepath.Dir(path)); err != nil {
		return fmt.Errorf("s3fake: write %s: %w", path, err)
	}
	return nil
}

// body is an open object or part body.
type body struct {
	r io.ReaderAt
	f *os.File
}

func (b body) Close() error {
	if b.f != nil {
		return b.f.Close()
	}
	return nil
}

// openBody opens data or path; callers hold st.mu so that the file opened is
// the one the metadata describes.
func openBody(data []byte, path string) (body, error) {
	if path == "" {
		return body{r: bytes.NewReader(data)}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return body{}, fmt.Errorf("s3fake: open %s: %w", path, err)
	}
	return body{r: f, f: f}, nil
}

// readTrailer reads the metadata stored after the body of an object or part
// file into v and returns the body's length.
func readTrailer(path string, v any) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	if fi.Size() < 8 {
		return 0, fmt.Errorf("s3fake: read %s: %d bytes is too short for an object file", path, fi.Size())
	}
	var tail [8]byte
	if _, err := f.ReadAt(tail[:], fi.Size()-8); err != nil {
		return 0, fmt.Errorf("s3fake: read %s: %w", path, err)
	}
	if string(tail[4:]) != trailerMagic {
		return 0, fmt.Errorf("s3fake: read %s: trailer magic %q, want %q", path, tail[4:], trailerMagic)
	}
	n := int64(binary.BigEndian.Uint32(tail[:4]))
	start := fi.Size() - 8 - n
	if start < 0 {
		return 0, fmt.Errorf("s3fake: read %s: metadata length %d exceeds the file", path, n)
	}
	js := make([]byte, n)
	if _, err := f.ReadAt(js, start); err != nil {
		return 0, fmt.Errorf("s3fake: read %s: %w", path, err)
	}
	if err := json.Unmarshal(js, v); err != nil {
		return 0, fmt.Errorf("s3fake: decode metadata of %s: %w", path, err)
	}
	return start, nil
}

type bucketFile struct {
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
}

// load reads the data directory into memory.
func (st *store) load() error {
	root := filepath.Join(st.dir, "buckets")
	ents, err := os.ReadDir(root)
	if err != nil {
		return fmt.Errorf("s3fake: read %s: %w", root, err)
	}
	for _, e := range ents {
		if !e.IsDir() || !validBucketName(e.Name()) {
			continue
		}
		var bf bucketFile
		bpath := filepath.Join(root, e.Name(), "bucket.json")
		js, err := os.ReadFile(bpath)
		if errors.Is(err, os.ErrNotExist) {
			continue // a bucket whose creation did not finish
		}
		if err != nil {
			return fmt.Errorf("s3fake: read %s: %w", bpath, err)
		}
		if err := json.Unmarshal(js, &bf); err != nil {
			return fmt.Errorf("s3fake: decode %s: %w", bpath, err)
		}
		b := &bucket{name: e.Name(), created: bf.Created, objects: map[string]*object{}, uploads: map[string]*upload{}}
		if err := st.loadObjects(b); err != nil {
			return err
		}
		if err := st.loadUploads(b); err != nil {
			return err
		}
		st.buckets[b.name] = b
	}
	return nil
}

func (st *store) loadObjects(b *bucket) error {
	dir := filepath.Join(st.bucketDir(b.name), "objects")
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("s3fake: read %s: %w", dir, err)
	}
	for _, e := range ents {
		p := filepath.Join(dir, e.Name())
		var m objMeta
		size, err := readTrailer(p, &m)
		if err != nil {
			return err
		}
		if st.objectPath(b.name, m.Key) != p || size != m.Size {
			return fmt.Errorf("s3fake: read %s: file does not hold key %q of %d bytes", p, m.Key, m.Size)
		}
		b.objects[m.Key] = &object{objMeta: m, path: p}
	}
	return nil
}

func (st *store) loadUploads(b *bucket) error {
	dir := filepath.Join(st.bucketDir(b.name), "uploads")
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("s3fake: read %s: %w", dir, err)
	}
	for _, e := range ents {
		if !validUploadID(e.Name()) {
			continue
		}
		udir := st.uploadDir(b.name, e.Name())
		js, err := os.ReadFile(filepath.Join(udir, "upload.json"))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("s3fake: read upload %s: %w", udir, err)
		}
		u := &upload{parts: map[int]*part{}}
		if err := json.Unmarshal(js, u); err != nil {
			return fmt.Errorf("s3fake: decode upload %s: %w", udir, err)
		}
		pents, err := os.ReadDir(udir)
		if err != nil {
			return fmt.Errorf("s3fake: read %s: %w", udir, err)
		}
		for _, pe := range pents {
			if pe.Name() == "upload.json" {
				continue
			}
			p := filepath.Join(udir, pe.Name())
			if _, seq, ok := strings.Cut(pe.Name(), "-"); ok {
				if n, err := strconv.ParseUint(seq, 16, 64); err == nil && n > st.tmpSeq.Load() {
					st.tmpSeq.Store(n)
				}
			}
			var pm partMeta
			if _, err := readTrailer(p, &pm); err != nil {
				return err
			}
			// A part replaced just before a crash can leave two files; the
			// later one (higher sequence in its name) wins.
			if old := u.parts[pm.Number]; old != nil && old.path > p {
				continue
			}
			u.parts[pm.Number] = &part{partMeta: pm, path: p}
		}
		b.uploads[u.ID] = u
	}
	return nil
}

// partFileName names a part file: its number and a sequence that orders
// replacements of the same part.
func (st *store) partFileName(n int) string {
	return fmt.Sprintf("%05d-%016x", n, st.tmpSeq.Add(1))
}
