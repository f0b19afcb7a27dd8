package blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// S3's limits on multipart uploads.
const (
	// MinPartSize is the smallest part S3 accepts but for the last: 5 MiB.
	MinPartSize = 5 << 20
	// MaxPartSize is the largest part S3 accepts: 5 GiB.
	MaxPartSize = 5 << 30
	// MaxParts is the most parts an upload may have.
	MaxParts = 10000
)

// Multipart says when S3.Put uploads an object in parts, and how. An
// object is invisible until its upload completes, so a reader sees all of
// it or nothing, as with PutObject; a process that dies mid-upload leaves
// an incomplete upload behind, which costs storage until it is aborted (a
// bucket lifecycle rule with AbortIncompleteMultipartUpload does it) and is
// never seen as an object.
type Multipart struct {
	// Threshold is the size from which an object goes in parts; 0 turns
	// multipart uploads off.
	Threshold int64
	// PartSize is the size of every part but the last, at least
	// MinPartSize; it grows for an object that would need more than
	// MaxParts parts.
	PartSize int64
	// Concurrency is how many parts of one object are uploaded at once;
	// 0 means 1.
	Concurrency int
}

// applies reports whether an object of n bytes goes in parts.
func (m Multipart) applies(n int) bool { return m.Threshold > 0 && int64(n) >= m.Threshold }

// partSize returns the part size for an object of n bytes: PartSize (at
// least MinPartSize), grown where n would need more than MaxParts parts.
func (m Multipart) partSize(n int64) int64 {
	size := max(m.PartSize, MinPartSize)
	if least := (n + MaxParts - 1) / MaxParts; size < least {
		size = least
	}
	return size
}

// putMultipart writes data as key by a multipart upload: the parts go up
// to Concurrency at a time, and the upload completes with them in order.
// On any failure the upload is aborted (so no part is left stored) and the
// error returned; the object is then as it was before, absent or the old
// content.
func (s *S3) putMultipart(ctx context.Context, key string, data []byte) (string, error) {
	full := s.key(key)
	created, err := s.Client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &s.Bucket, Key: &full})
	if err != nil {
		return "", fmt.Errorf("blob: put %s: create multipart upload: %w", s.URL(key), err)
	}
	id := created.UploadId
	parts, err := s.uploadParts(ctx, full, id, data)
	if err == nil {
		var out *s3.CompleteMultipartUploadOutput
		out, err = s.Client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
			Bucket: &s.Bucket, Key: &full, UploadId: id,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
		})
		if err == nil {
			return aws.ToString(out.ETag), nil
		}
		err = fmt.Errorf("complete multipart upload of %d parts: %w", len(parts), err)
	}
	// Abort even when ctx is done: the parts would stay stored otherwise.
	if _, aerr := s.Client.AbortMultipartUpload(context.WithoutCancel(ctx), &s3.AbortMultipartUploadInput{Bucket: &s.Bucket, Key: &full, UploadId: id}); aerr != nil {
		err = errors.Join(err, fmt.Errorf("abort multipart upload %s: %w", aws.ToString(id), aerr))
	}
	return "", fmt.Errorf("blob: put %s: %w", s.URL(key), err)
}

// uploadParts uploads data in parts of partSize, up to Concurrency at a
// time, and returns them in order. The first failure stops the parts not
// yet started and is returned once those under way end.
func (s *S3) uploadParts(ctx context.Context, key string, id *string, data []byte) ([]types.CompletedPart, error) {
	size := s.Multipart.partSize(int64(len(data)))
	n := int((int64(len(data)) + size - 1) / size)
	parts := make([]types.CompletedPart, n)
	errs := make([]error, n)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(n, max(1, s.Multipart.Concurrency)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				lo := int64(i) * size
				hi := min(lo+size, int64(len(data)))
				num := aws.Int32(int32(i + 1))
				out, err := s.Client.UploadPart(ctx, &s3.UploadPartInput{
					Bucket: &s.Bucket, Key: &key, UploadId: id, PartNumber: num,
					Body: bytes.NewReader(data[lo:hi]), ContentLength: aws.Int64(hi - lo),
				})
				if err != nil {
					errs[i] = fmt.Errorf("upload part %d of %d: %w", i+1, n, err)
					cancel()
					continue
				}
				parts[i] = types.CompletedPart{ETag: out.ETag, PartNumber: num}
			}
		}()
	}
	for i := range n {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return nil, err
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err // cancelled from outside
	}
	return parts, ctx.Err()
}
