package assertions

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// location is a parsed source URI: an S3 bucket and prefix, a DynamoDB
// table, or a local path.
type location struct {
	raw    string
	table  string // DynamoDB table; empty for other sources
	stream string // Kinesis stream; empty for other sources
	bucket string // empty for local paths and tables
	prefix string // S3 key prefix without a trailing slash
	local  string // absolute local path
}

func parseURI(raw string) (location, error) {
	switch {
	case strings.HasPrefix(raw, "s3://"):
		rest := strings.TrimPrefix(raw, "s3://")
		bucket, prefix, _ := strings.Cut(rest, "/")
		if bucket == "" {
			return location{}, fmt.Errorf("%q: no bucket", raw)
		}
		return location{raw: raw, bucket: bucket, prefix: strings.Trim(prefix, "/")}, nil
	case strings.HasPrefix(raw, "dynamodb://"):
		table := strings.TrimPrefix(raw, "dynamodb://")
		if !tableName.MatchString(table) {
			return location{}, fmt.Errorf("%q: want dynamodb://TABLE, a table name of 3 to 255 letters, digits, underscores, dashes and dots", raw)
		}
		return location{raw: raw, table: table}, nil
	case strings.HasPrefix(raw, "kinesis://"):
		stream := strings.TrimSuffix(strings.TrimPrefix(raw, "kinesis://"), "/")
		if !streamName.MatchString(stream) {
			return location{}, fmt.Errorf("%q: want kinesis://STREAM, a stream name of 1 to 128 letters, digits, underscores, dashes and dots", raw)
		}
		return location{raw: raw, stream: stream}, nil
	case strings.HasPrefix(raw, "file://"):
		u, err := url.Parse(raw)
		if err != nil {
			return location{}, fmt.Errorf("%q: %w", raw, err)
		}
		p := u.Path
		if u.Host != "" && u.Host != "localhost" {
			p = filepath.Join(u.Host, p)
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			return location{}, fmt.Errorf("%q: %w", raw, err)
		}
		return location{raw: raw, local: abs}, nil
	case strings.Contains(raw, "://"):
		return location{}, fmt.Errorf("%q: want s3://bucket/prefix, dynamodb://table or kinesis://stream (the output only), file://path or a local path", raw)
	default:
		abs, err := filepath.Abs(raw)
		if err != nil {
			return location{}, fmt.Errorf("%q: %w", raw, err)
		}
		return location{raw: raw, local: abs}, nil
	}
}

// rel returns uri relative to l when uri lies under it, with forward
// slashes, and whether it did.
func (l location) rel(uri string) (string, bool) {
	if l.bucket != "" {
		root := "s3://" + l.bucket + "/"
		if l.prefix != "" {
			root += l.prefix + "/"
		}
		if strings.HasPrefix(uri, root) {
			return strings.TrimPrefix(uri, root), true
		}
		return "", false
	}
	p := uri
	if strings.HasPrefix(uri, "file://") {
		u, err := url.Parse(uri)
		if err != nil {
			return "", false
		}
		p = u.Path
	}
	if !filepath.IsAbs(p) {
		return "", false
	}
	r, err := filepath.Rel(l.local, filepath.Clean(p))
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(r), true
}

// materialize makes l readable as a local directory (or file): local paths
// are returned as they are, S3 prefixes are copied under dir keeping their
// key layout. A missing local path is not an error: it reads as empty.
func materialize(ctx context.Context, client *s3.Client, l location, dir string, workers int) (string, error) {
	if l.bucket == "" {
		return l.local, nil
	}
	if client == nil {
		return "", fmt.Errorf("read %s: no S3 client", l.raw)
	}
	var keys []string
	listPrefix := l.prefix
	if listPrefix != "" && !looksLikeFile(listPrefix) {
		listPrefix += "/"
	}
	p := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: aws.String(l.bucket), Prefix: aws.String(listPrefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return "", fmt.Errorf("list s3://%s/%s: %w", l.bucket, listPrefix, err)
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	if looksLikeFile(l.prefix) {
		if len(keys) == 0 {
			return "", fmt.Errorf("read %s: no such object", l.raw)
		}
		dst := filepath.Join(dir, path.Base(l.prefix))
		return dst, download(ctx, client, l.bucket, l.prefix, dst)
	}
	if workers <= 0 {
		workers = DefaultDownloadConcurrency
	}
	jobs := make(chan string)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range workers {
		wg.Go(func() {
			for key := range jobs {
				rel := strings.TrimPrefix(strings.TrimPrefix(key, l.prefix), "/")
				if rel == "" || strings.HasSuffix(key, "/") || strings.Contains(rel, "..") {
					continue
				}
				if err := download(ctx, client, l.bucket, key, filepath.Join(dir, filepath.FromSlash(rel))); err != nil {
					errs <- err
					cancel()
					return
				}
			}
		})
	}
feed:
	for _, k := range keys {
		select {
		case jobs <- k:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	close(errs)
	if err := errors.Join(collect(errs)...); err != nil {
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("read %s: %w", l.raw, err)
	}
	return dir, nil
}

func collect(ch <-chan error) []error {
	var out []error
	for err := range ch {
		out = append(out, err)
	}
	return out
}

// looksLikeFile says a key names a single object (the ledger) rather than a
// prefix.
func looksLikeFile(key string) bool {
	ext := strings.ToLower(path.Ext(key))
	return ext == ".jsonl" || ext == ".parquet" || ext == ".json"
}

func download(ctx context.Context, client *s3.Client, bucket, key, dst string) error {
	out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return fmt.Errorf("get s3://%s/%s: %w", bucket, key, err)
	}
	defer out.Body.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("get s3://%s/%s: %w", bucket, key, err)
	}
	f, err := os.Create(dst)
	if err != nil {
		return fmt.Errorf("get s3://%s/%s: %w", bucket, key, err)
	}
	if _, err := io.Copy(f, out.Body); err != nil {
		f.Close()
		return fmt.Errorf("get s3://%s/%s: %w", bucket, key, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("get s3://%s/%s: %w", bucket, key, err)
	}
	return nil
}

// listFiles returns the files under root whose names end in ext, relative
// to root with forward slashes, sorted. A missing root yields none.
func listFiles(root, ext string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() {
			if p != root && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(d.Name(), ext) && !strings.HasPrefix(d.Name(), ".") {
			r, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			out = append(out, filepath.ToSlash(r))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", root, err)
	}
	return out, nil
}
