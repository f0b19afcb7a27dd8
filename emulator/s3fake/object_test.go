package s3fake

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/streamcheck/streamcheck/clock"
)

func md5hex(b []byte) string { s := md5.Sum(b); return hex.EncodeToString(s[:]) }

func TestPutGetHeadDelete(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(testing.TB, ...Option) (*Server, *s3.Client)
		dir   bool
	}{
		{"http memory", setup, false},
		{"https memory (trailers)", setupTLS, false},
		{"http data dir", setup, true},
		{"https data dir (trailers)", setupTLS, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			var opts []Option
			if tc.dir {
				opts = append(opts, WithDataDir(t.TempDir()))
			}
			_, c := tc.setup(t, opts...)
			mustCreateBucket(t, c, "bkt")
			body := bytes.Repeat([]byte("streamcheck "), 10000)
			put, err := c.PutObject(ctx, &s3.PutObjectInput{
				Bucket: aws.String("bkt"), Key: aws.String("dir/obj.json"), Body: bytes.NewReader(body),
				ContentType: aws.String("application/json"), Metadata: map[string]string{"owner": "team-a"},
				CacheControl: aws.String("no-cache"),
			})
			if err != nil {
				t.Fatalf("PutObject: %v", err)
			}
			wantETag := `"` + md5hex(body) + `"`
			if got := aws.ToString(put.ETag); got != wantETag {
				t.Errorf("PutObject ETag: got %s, want %s", got, wantETag)
			}
			crc := make([]byte, 4)
			v := crc32.ChecksumIEEE(body)
			crc[0], crc[1], crc[2], crc[3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
			wantCRC := base64.StdEncoding.EncodeToString(crc)
			if got := aws.ToString(put.ChecksumCRC32); got != wantCRC {
				t.Errorf("PutObject ChecksumCRC32: got %q, want %q (the SDK's default)", got, wantCRC)
			}

			get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("dir/obj.json"),
				ChecksumMode: types.ChecksumModeEnabled})
			if err != nil {
				t.Fatalf("GetObject: %v", err)
			}
			got, err := io.ReadAll(get.Body)
			get.Body.Close()
			if err != nil {
				t.Fatalf("GetObject: read body (the SDK validates the checksum here): %v", err)
			}
			if !bytes.Equal(got, body) {
				t.Errorf("GetObject body: got %d bytes, want %d", len(got), len(body))
			}
			if g := aws.ToString(get.ChecksumCRC32); g != wantCRC {
				t.Errorf("GetObject ChecksumCRC32: got %q, want %q", g, wantCRC)
			}
			if g := aws.ToString(get.ContentType); g != "application/json" {
				t.Errorf("GetObject ContentType: got %q, want application/json", g)
			}
			if g := get.Metadata["owner"]; g != "team-a" {
				t.Errorf("GetObject Metadata[owner]: got %q, want team-a", g)
			}
			if g := aws.ToString(get.CacheControl); g != "no-cache" {
				t.Errorf("GetObject CacheControl: got %q, want no-cache", g)
			}
			if g := aws.ToString(get.ETag); g != wantETag {
				t.Errorf("GetObject ETag: got %s, want %s", g, wantETag)
			}

			head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bkt"), Key: aws.String("dir/obj.json")})
			if err != nil {
				t.Fatalf("HeadObject: %v", err)
			}
			if g := aws.ToInt64(head.ContentLength); g != int64(len(body)) {
				t.Errorf("HeadObject ContentLength: got %d, want %d", g, len(body))
			}

			if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("bkt"), Key: aws.String("dir/obj.json")}); err != nil {
				t.Fatalf("DeleteObject: %v", err)
			}
			_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("dir/obj.json")})
			wantErr(t, "GetObject after delete", err, "NoSuchKey", 404)
			_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bkt"), Key: aws.String("dir/obj.json")})
			wantErr(t, "HeadObject after delete", err, "NotFound", 404)
			if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("bkt"), Key: aws.String("dir/obj.json")}); err != nil {
				t.Errorf("DeleteObject of a missing key: got %v, want success as from AWS", err)
			}
			_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("nope"), Key: aws.String("k"), Body: strings.NewReader("x")})
			wantErr(t, "PutObject to a missing bucket", err, "NoSuchBucket", 404)
		})
	}
}

func TestEmptyObjectAndKeyLimits(t *testing.T) {
	ctx := t.Context()
	_, c := setup(t)
	mustCreateBucket(t, c, "bkt")
	mustPut(t, c, "bkt", "empty", nil)
	if got := mustGet(t, c, "bkt", "empty"); len(got) != 0 {
		t.Errorf("empty object: got %d bytes", len(got))
	}
	long := strings.Repeat("k", 1024)
	mustPut(t, c, "bkt", long, []byte("ok"))
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String(long + "k"), Body: strings.NewReader("x")})
	wantErr(t, "PutObject with a 1025-byte key", err, "KeyTooLongError", 400)
}

func TestChecksumMismatchRejected(t *testing.T) {
	srv, c := setup(t)
	mustCreateBucket(t, c, "bkt")
	body := "hello, world"
	good := crc32.ChecksumIEEE([]byte(body))
	enc := func(v uint32) string {
		return base64.StdEncoding.EncodeToString([]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
	}
	md := md5.Sum([]byte(body))
	tests := []struct {
		name     string
		headers  map[string]string
		body     string
		wantCode int
	}{
		{"crc32 header right", map[string]string{"x-amz-checksum-crc32": enc(good)}, body, 200},
		{"crc32 header wrong", map[string]string{"x-amz-checksum-crc32": enc(good + 1)}, body, 400},
		{"content-md5 right", map[string]string{"Content-MD5": base64.StdEncoding.EncodeToString(md[:])}, body, 200},
		{"content-md5 wrong", map[string]string{"Content-MD5": base64.StdEncoding.EncodeToString(make([]byte, 16))}, body, 400},
		{"content-md5 malformed", map[string]string{"Content-MD5": "not base64"}, body, 400},
		{"trailer right", map[string]string{"Content-Encoding": "aws-chunked", "X-Amz-Content-Sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
			"X-Amz-Trailer": "x-amz-checksum-crc32", "X-Amz-Decoded-Content-Length": fmt.Sprint(len(body))},
			fmt.Sprintf("%x\r\n%s\r\n0\r\nx-amz-checksum-crc32:%s\r\n\r\n", len(body), body, enc(good)), 200},
		{"trailer wrong", map[string]string{"Content-Encoding": "aws-chunked", "X-Amz-Content-Sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
			"X-Amz-Trailer": "x-amz-checksum-crc32", "X-Amz-Decoded-Content-Length": fmt.Sprint(len(body))},
			fmt.Sprintf("%x\r\n%s\r\n0\r\nx-amz-checksum-crc32:%s\r\n\r\n", len(body), body, enc(good^1)), 400},
		{"signed chunks", map[string]string{"Content-Encoding": "aws-chunked", "X-Amz-Content-Sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
			"X-Amz-Decoded-Content-Length": fmt.Sprint(len(body))},
			fmt.Sprintf("5;chunk-signature=%064x\r\n%s\r\n%x;chunk-signature=%064x\r\n%s\r\n0;chunk-signature=%064x\r\n\r\n",
				1, body[:5], len(body)-5, 2, body[5:], 3), 200},
		{"chunked length short", map[string]string{"Content-Encoding": "aws-chunked", "X-Amz-Content-Sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
			"X-Amz-Decoded-Content-Length": fmt.Sprint(len(body) + 5)},
			fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(body), body), 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodPut, srv.URL()+"/bkt/raw", strings.NewReader(tt.body))
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatalf("PUT: %v", err)
			}
			msg, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.wantCode {
				t.Fatalf("PUT: got status %d, want %d (%s)", resp.StatusCode, tt.wantCode, msg)
			}
			if tt.wantCode == 200 {
				if got := mustGet(t, c, "bkt", "raw"); string(got) != body {
					t.Errorf("stored body: got %q, want %q", got, body)
				}
			} else if !bytes.Contains(msg, []byte("<Code>")) {
				t.Errorf("error body: got %q, want an XML <Error>", msg)
			}
		})
	}
}

func TestRangedGet(t *testing.T) {
	_, c := setup(t)
	mustCreateBucket(t, c, "bkt")
	body := []byte("0123456789")
	mustPut(t, c, "bkt", "r", body)
	tests := []struct {
		rng       string
		want      string
		wantRange string
		errCode   string
	}{
		{"bytes=0-3", "0123", "bytes 0-3/10", ""},
		{"bytes=5-", "56789", "bytes 5-9/10", ""},
		{"bytes=-3", "789", "bytes 7-9/10", ""},
		{"bytes=8-100", "89", "bytes 8-9/10", ""},
		{"bytes=-100", "0123456789", "bytes 0-9/10", ""},
		{"bytes=10-", "", "", "InvalidRange"},
		{"bytes=3-1", "0123456789", "", ""},     // invalid: ignored
		{"items=0-1", "0123456789", "", ""},     // other unit: ignored
		{"bytes=0-1,3-4", "0123456789", "", ""}, // several ranges: whole object
	}
	for _, tt := range tests {
		t.Run(tt.rng, func(t *testing.T) {
			out, err := c.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("r"), Range: aws.String(tt.rng)})
			if tt.errCode != "" {
				wantErr(t, "GetObject "+tt.rng, err, tt.errCode, 416)
				return
			}
			if err != nil {
				t.Fatalf("GetObject: %v", err)
			}
			got, _ := io.ReadAll(out.Body)
			out.Body.Close()
			if string(got) != tt.want {
				t.Errorf("body: got %q, want %q", got, tt.want)
			}
			if g := aws.ToString(out.ContentRange); g != tt.wantRange {
				t.Errorf("Content-Range: got %q, want %q", g, tt.wantRange)
			}
		})
	}
}

func TestConditionalGet(t *testing.T) {
	start := time.Date(2026, 11, 22, 13, 0, 0, 0, time.UTC)
	fc := clock.NewFake(start)
	_, c := setup(t, WithClock(fc))
	mustCreateBucket(t, c, "bkt")
	put := mustPut(t, c, "bkt", "k", []byte("v1"))
	etag := aws.ToString(put.ETag)
	head, err := c.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k")})
	if err != nil {
		t.Fatalf("HeadObject: %v", err)
	}
	if got := aws.ToTime(head.LastModified); !got.Equal(start) {
		t.Errorf("LastModified: got %v, want the fake clock's %v", got, start)
	}
	before, after := start.Add(-time.Hour), start.Add(time.Hour)
	tests := []struct {
		name       string
		in         s3.GetObjectInput
		wantStatus int // 200, 304 or 412
	}{
		{"if-match right", s3.GetObjectInput{IfMatch: aws.String(etag)}, 200},
		{"if-match wrong", s3.GetObjectInput{IfMatch: aws.String(`"nope"`)}, 412},
		{"if-match star", s3.GetObjectInput{IfMatch: aws.String("*")}, 200},
		{"if-none-match right", s3.GetObjectInput{IfNoneMatch: aws.String(etag)}, 304},
		{"if-none-match other", s3.GetObjectInput{IfNoneMatch: aws.String(`"other"`)}, 200},
		{"if-modified-since before", s3.GetObjectInput{IfModifiedSince: aws.Time(before)}, 200},
		{"if-modified-since after", s3.GetObjectInput{IfModifiedSince: aws.Time(after)}, 304},
		{"if-modified-since same second", s3.GetObjectInput{IfModifiedSince: aws.Time(start)}, 304},
		{"if-unmodified-since after", s3.GetObjectInput{IfUnmodifiedSince: aws.Time(after)}, 200},
		{"if-unmodified-since before", s3.GetObjectInput{IfUnmodifiedSince: aws.Time(before)}, 412},
		{"if-match true wins over if-unmodified-since false", s3.GetObjectInput{IfMatch: aws.String(etag), IfUnmodifiedSince: aws.Time(before)}, 200},
		{"if-none-match false wins over if-modified-since", s3.GetObjectInput{IfNoneMatch: aws.String(`"other"`), IfModifiedSince: aws.Time(after)}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.Bucket, in.Key = aws.String("bkt"), aws.String("k")
			out, err := c.GetObject(t.Context(), &in)
			if out != nil {
				out.Body.Close()
			}
			gotStatus := 200
			if err != nil {
				gotStatus = errStatus(err)
			}
			if gotStatus != tt.wantStatus {
				t.Errorf("GetObject: got status %d, want %d (err %v)", gotStatus, tt.wantStatus, err)
			}
			if tt.wantStatus == 412 && errCode(err) != "PreconditionFailed" {
				t.Errorf("GetObject: got code %q, want PreconditionFailed", errCode(err))
			}
		})
	}
}

func TestConditionalPut(t *testing.T) {
	ctx := t.Context()
	_, c := setup(t)
	mustCreateBucket(t, c, "bkt")
	put := func(key, body string, inm, im *string) (*s3.PutObjectOutput, error) {
		return c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String(key),
			Body: strings.NewReader(body), IfNoneMatch: inm, IfMatch: im})
	}
	first, err := put("offsets/0", "plan 0", aws.String("*"), nil)
	if err != nil {
		t.Fatalf("first If-None-Match: * PUT: %v", err)
	}
	_, err = put("offsets/0", "plan 0 again", aws.String("*"), nil)
	wantErr(t, "second If-None-Match: * PUT", err, "PreconditionFailed", 412)
	if got := mustGet(t, c, "bkt", "offsets/0"); string(got) != "plan 0" {
		t.Errorf("after refused PUT: got %q, want the first body", got)
	}
	_, err = put("offsets/0", "v2", nil, aws.String(`"0123"`))
	wantErr(t, "If-Match with a stale ETag", err, "PreconditionFailed", 412)
	second, err := put("offsets/0", "v2", nil, first.ETag)
	if err != nil {
		t.Fatalf("If-Match with the current ETag: %v", err)
	}
	_, err = put("offsets/0", "v3", nil, first.ETag)
	wantErr(t, "If-Match with the replaced ETag", err, "PreconditionFailed", 412)
	if _, err := put("offsets/0", "v3", nil, second.ETag); err != nil {
		t.Errorf("If-Match with the new ETag: %v", err)
	}
	_, err = put("missing", "x", nil, first.ETag)
	wantErr(t, "If-Match on a missing key", err, "NoSuchKey", 404)
}

// TestConditionalPutRace races If-None-Match: * writers on one key, round
// after round: exactly one may win each round.
func TestConditionalPutRace(t *testing.T) {
	for _, dir := range []bool{false, true} {
		t.Run(fmt.Sprintf("datadir=%v", dir), func(t *testing.T) {
			var opts []Option
			if dir {
				opts = append(opts, WithDataDir(t.TempDir()), WithoutFsync())
			}
			_, c := setup(t, opts...)
			mustCreateBucket(t, c, "bkt")
			const rounds, writers = 30, 8
			for round := range rounds {
				key := fmt.Sprintf("commits/%d", round)
				var wins, fails atomic.Int32
				var winner atomic.Int32
				var wg sync.WaitGroup
				for w := range writers {
					wg.Go(func() {
						_, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String(key),
							Body: strings.NewReader(fmt.Sprintf("writer %d", w)), IfNoneMatch: aws.String("*")})
						switch {
						case err == nil:
							wins.Add(1)
							winner.Store(int32(w))
						case errCode(err) == "PreconditionFailed":
							fails.Add(1)
						default:
							t.Errorf("round %d writer %d: unexpected error %v", round, w, err)
						}
					})
				}
				wg.Wait()
				if wins.Load() != 1 || fails.Load() != writers-1 {
					t.Fatalf("round %d: got %d wins and %d PreconditionFailed, want 1 and %d", round, wins.Load(), fails.Load(), writers-1)
				}
				if got, want := string(mustGet(t, c, "bkt", key)), fmt.Sprintf("writer %d", winner.Load()); got != want {
					t.Fatalf("round %d: stored %q, want the winner's %q", round, got, want)
				}
			}
		})
	}
}

func TestPresignedURLs(t *testing.T) {
	ctx := t.Context()
	_, c := setup(t)
	mustCreateBucket(t, c, "pre")
	ps := s3.NewPresignClient(c)
	put, err := ps.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("pre"), Key: aws.String("up")})
	if err != nil {
		t.Fatalf("PresignPutObject: %v", err)
	}
	req, _ := http.NewRequestWithContext(ctx, put.Method, put.URL, strings.NewReader("presigned body"))
	for k, v := range put.SignedHeader {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("presigned PUT: got %v %v, want 200", resp, err)
	}
	resp.Body.Close()
	get, err := ps.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("pre"), Key: aws.String("up")})
	if err != nil {
		t.Fatalf("PresignGetObject: %v", err)
	}
	resp, err = http.Get(get.URL)
	if err != nil {
		t.Fatalf("presigned GET: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "presigned body" {
		t.Errorf("presigned GET: got %q", b)
	}
}
