package blob

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// ErrNotFound is returned by Get for a key that does not exist.
var ErrNotFound = errors.New("blob: not found")

// ErrPrecondition is returned by Put when its condition does not hold: the
// key exists (IfAbsent) or has changed (IfMatch).
var ErrPrecondition = errors.New("blob: precondition failed")

// Cond is the condition of a Put. The zero Cond always writes.
type Cond struct {
	IfAbsent bool   // create only if the key does not exist
	IfMatch  string // replace only if the key's ETag is this
}

// Store is a flat namespace of objects under one root. Keys use '/'.
// Implementations are safe for concurrent use.
type Store interface {
	// Get returns the object's content and ETag, or ErrNotFound.
	Get(ctx context.Context, key string) ([]byte, string, error)
	// Put writes the object if cond holds and returns its new ETag; it
	// returns ErrPrecondition otherwise.
	Put(ctx context.Context, key string, data []byte, cond Cond) (string, error)
	// List returns the keys that start with prefix, sorted.
	List(ctx context.Context, prefix string) ([]string, error)
	// Delete removes the object; a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// URL returns where key lives, as s3://bucket/key or a local path.
	URL(key string) string
}

// Open returns the Store for location: "s3://bucket/prefix" (using client,
// which must not be nil) or a local directory path (or file:// URL), which is
// created if missing.
func Open(location string, client *s3.Client) (Store, error) {
	if strings.HasPrefix(location, "s3://") || strings.HasPrefix(location, "s3a://") {
		u, err := url.Parse(location)
		if err != nil {
			return nil, fmt.Errorf("blob: parse %q: %w", location, err)
		}
		if u.Host == "" {
			return nil, fmt.Errorf("blob: %q has no bucket", location)
		}
		if client == nil {
			return nil, fmt.Errorf("blob: %q needs an S3 client", location)
		}
		return &S3{Client: client, Bucket: u.Host, Prefix: strings.Trim(u.Path, "/")}, nil
	}
	path := strings.TrimPrefix(location, "file://")
	if path == "" {
		return nil, errors.New("blob: empty location")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("blob: resolve %q: %w", location, err)
	}
	return NewDir(abs)
}

// IsS3 reports whether location is an S3 URL.
func IsS3(location string) bool {
	return strings.HasPrefix(location, "s3://") || strings.HasPrefix(location, "s3a://")
}
