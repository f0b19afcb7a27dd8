package blob_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/streamcheck/streamcheck/engine/blob"
	"github.com/streamcheck/streamcheck/engine/enginetest/s3test"
)

func stores(t *testing.T) map[string]blob.Store {
	dir, err := blob.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	fake := s3test.New(t)
	client := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(fake.URL()), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	s, err := blob.Open("s3://bucket/some/prefix", client)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]blob.Store{"dir": dir, "s3": s}
}

func TestConditionalWrites(t *testing.T) {
	ctx := context.Background()
	for name, s := range stores(t) {
		t.Run(name, func(t *testing.T) {
			tag, err := s.Put(ctx, "a/lease", []byte("v1"), blob.Cond{IfAbsent: true})
			if err != nil {
				t.Fatalf("create: %v", err)
			}
			if _, err := s.Put(ctx, "a/lease", []byte("v2"), blob.Cond{IfAbsent: true}); !errors.Is(err, blob.ErrPrecondition) {
				t.Errorf("second create: %v, want ErrPrecondition", err)
			}
			if _, err := s.Put(ctx, "a/lease", []byte("v2"), blob.Cond{IfMatch: `"stale"`}); !errors.Is(err, blob.ErrPrecondition) {
				t.Errorf("replace with a stale ETag: %v, want ErrPrecondition", err)
			}
			if _, err := s.Put(ctx, "a/lease", []byte("v3"), blob.Cond{IfMatch: tag}); err != nil {
				t.Errorf("replace with the current ETag: %v", err)
			}
			b, _, err := s.Get(ctx, "a/lease")
			if err != nil || string(b) != "v3" {
				t.Errorf("Get = %q, %v; want v3", b, err)
			}
			if _, _, err := s.Get(ctx, "nope"); !errors.Is(err, blob.ErrNotFound) {
				t.Errorf("Get(nope): %v, want ErrNotFound", err)
			}
			for _, k := range []string{"offsets/10", "offsets/9", "commits/1"} {
				if _, err := s.Put(ctx, k, []byte("x"), blob.Cond{}); err != nil {
					t.Fatal(err)
				}
			}
			keys, err := s.List(ctx, "offsets/")
			if err != nil || strings.Join(keys, ",") != "offsets/10,offsets/9" {
				t.Errorf("List(offsets/) = %v, %v; want offsets/10,offsets/9", keys, err)
			}
			if err := s.Delete(ctx, "commits/1"); err != nil {
				t.Errorf("Delete: %v", err)
			}
			if keys, _ := s.List(ctx, "commits/"); len(keys) != 0 {
				t.Errorf("List after Delete = %v, want none", keys)
			}
		})
	}
}

func TestOpenRejects(t *testing.T) {
	for _, loc := range []string{"s3://", "s3://bucket/x", ""} {
		if _, err := blob.Open(loc, nil); err == nil {
			t.Errorf("Open(%q, nil client) succeeded, want an error", loc)
		}
	}
}
