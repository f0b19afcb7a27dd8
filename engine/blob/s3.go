package blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// S3 is a Store under an S3 bucket and prefix. Conditional writes use
// PutObject's If-None-Match: * and If-Match, which S3 has supported since
// 2024; a 412 PreconditionFailed or 409 ConditionalRequestConflict becomes
// ErrPrecondition. With Multipart set, large unconditional writes go as
// multipart uploads (see Multipart).
type S3 struct {
	Client *s3.Client
	Bucket string
	Prefix string // without leading or trailing '/'
	// Multipart says when and how Put uploads an object in parts; the
	// zero value never does.
	Multipart Multipart
}

func (s *S3) key(k string) string {
	if s.Prefix == "" {
		return k
	}
	return s.Prefix + "/" + k
}

// URL returns s3://bucket/prefix/key.
func (s *S3) URL(key string) string { return "s3://" + path.Join(s.Bucket, s.key(key)) }

// Get reads the object.
func (s *S3) Get(ctx context.Context, key string) ([]byte, string, error) {
	out, err := s.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.Bucket, Key: aws.String(s.key(key))})
	if err != nil {
		if status(err) == http.StatusNotFound {
			return nil, "", fmt.Errorf("blob: get %s: %w", s.URL(key), ErrNotFound)
		}
		return nil, "", fmt.Errorf("blob: get %s: %w", s.URL(key), err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		return nil, "", fmt.Errorf("blob: get %s: read body: %w", s.URL(key), err)
	}
	return b, aws.ToString(out.ETag), nil
}

// Put writes the object with PutObject, or as a multipart upload when
// Multipart says so and cond is the zero Cond.
func (s *S3) Put(ctx context.Context, key string, data []byte, cond Cond) (string, error) {
	if s.Multipart.applies(len(data)) && cond == (Cond{}) {
		return s.putMultipart(ctx, key, data)
	}
	in := &s3.PutObjectInput{
		Bucket:        &s.Bucket,
		Key:           aws.String(s.key(key)),
		Body:          bytes.NewReader(data),
		ContentLength: aws.Int64(int64(len(data))),
	}
	if cond.IfAbsent {
		in.IfNoneMatch = aws.String("*")
	}
	if cond.IfMatch != "" {
		in.IfMatch = aws.String(cond.IfMatch)
	}
	out, err := s.Client.PutObject(ctx, in)
	if err != nil {
		var ae smithy.APIError
		if st := status(err); st == http.StatusPreconditionFailed || st == http.StatusConflict ||
			(errors.As(err, &ae) && (ae.ErrorCode() == "PreconditionFailed" || ae.ErrorCode() == "ConditionalRequestConflict")) {
			return "", fmt.Errorf("blob: put %s: %w", s.URL(key), ErrPrecondition)
		}
		return "", fmt.Errorf("blob: put %s: %w", s.URL(key), err)
	}
	return aws.ToString(out.ETag), nil
}

// List pages through ListObjectsV2.
func (s *S3) List(ctx context.Context, prefix string) ([]string, error) {
	full := s.key(prefix)
	p := s3.NewListObjectsV2Paginator(s.Client, &s3.ListObjectsV2Input{Bucket: &s.Bucket, Prefix: &full})
	var keys []string
	strip := len(s.key(""))
	if s.Prefix == "" {
		strip = 0
	}
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("blob: list %s: %w", s.URL(prefix), err)
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key)[strip:])
		}
	}
	return keys, nil
}

// Delete removes the object.
func (s *S3) Delete(ctx context.Context, key string) error {
	if _, err := s.Client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.Bucket, Key: aws.String(s.key(key))}); err != nil {
		return fmt.Errorf("blob: delete %s: %w", s.URL(key), err)
	}
	return nil
}

func status(err error) int {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}
