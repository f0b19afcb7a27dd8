package s3fake

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// multipartETag computes a multipart ETag the way AWS documents it.
func multipartETag(parts ...[]byte) string {
	var sums []byte
	for _, p := range parts {
		s := md5.Sum(p)
		sums = append(sums, s[:]...)
	}
	return fmt.Sprintf(`"%x-%d"`, md5.Sum(sums), len(parts))
}

func TestMultipartUpload(t *testing.T) {
	for _, tc := range []struct {
		name string
		dir  bool
		tls  bool
	}{{"memory", false, false}, {"data dir", true, false}, {"data dir https", true, true}} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			var opts []Option
			if tc.dir {
				opts = append(opts, WithDataDir(t.TempDir()))
			}
			var c *s3.Client
			if tc.tls {
				_, c = setupTLS(t, opts...)
			} else {
				_, c = setup(t, opts...)
			}
			mustCreateBucket(t, c, "mpu")
			cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("big"),
				ContentType: aws.String("text/plain"), Metadata: map[string]string{"job": "j1"}})
			if err != nil {
				t.Fatalf("CreateMultipartUpload: %v", err)
			}
			p1 := bytes.Repeat([]byte("a"), 5<<20)
			p2 := []byte("tail")
			var done []types.CompletedPart
			for i, p := range [][]byte{p1, p2} {
				up, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpu"), Key: aws.String("big"), UploadId: cr.UploadId,
					PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p)})
				if err != nil {
					t.Fatalf("UploadPart %d: %v", i+1, err)
				}
				if got, want := aws.ToString(up.ETag), `"`+md5hex(p)+`"`; got != want {
					t.Errorf("UploadPart %d ETag: got %s, want %s", i+1, got, want)
				}
				done = append(done, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: up.ETag})
			}
			lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpu"), Key: aws.String("big"), UploadId: cr.UploadId, MaxParts: aws.Int32(1)})
			if err != nil {
				t.Fatalf("ListParts: %v", err)
			}
			if len(lp.Parts) != 1 || !aws.ToBool(lp.IsTruncated) || aws.ToInt64(lp.Parts[0].Size) != int64(len(p1)) {
				t.Errorf("ListParts max 1: got %d parts, truncated %v", len(lp.Parts), aws.ToBool(lp.IsTruncated))
			}
			lp, err = c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpu"), Key: aws.String("big"), UploadId: cr.UploadId, PartNumberMarker: lp.NextPartNumberMarker})
			if err != nil || len(lp.Parts) != 1 || aws.ToInt32(lp.Parts[0].PartNumber) != 2 {
				t.Errorf("ListParts after marker: got %+v, %v; want part 2", lp, err)
			}
			lu, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("mpu")})
			if err != nil || len(lu.Uploads) != 1 || aws.ToString(lu.Uploads[0].UploadId) != aws.ToString(cr.UploadId) {
				t.Errorf("ListMultipartUploads: got %+v, %v", lu, err)
			}

			// Out of order, a wrong ETag, an unknown part: refused.
			_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("big"), UploadId: cr.UploadId,
				MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{done[1], done[0]}}})
			wantErr(t, "Complete out of order", err, "InvalidPartOrder", 400)
			_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("big"), UploadId: cr.UploadId,
				MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{done[0], {PartNumber: aws.Int32(2), ETag: aws.String(`"0000"`)}}}})
			wantErr(t, "Complete with a wrong ETag", err, "InvalidPart", 400)
			_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("big"), UploadId: cr.UploadId,
				MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{done[0], {PartNumber: aws.Int32(3), ETag: done[1].ETag}}}})
			wantErr(t, "Complete with a part never uploaded", err, "InvalidPart", 400)

			comp, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("big"), UploadId: cr.UploadId,
				MultipartUpload: &types.CompletedMultipartUpload{Parts: done}})
			if err != nil {
				t.Fatalf("CompleteMultipartUpload: %v", err)
			}
			if got, want := aws.ToString(comp.ETag), multipartETag(p1, p2); got != want {
				t.Errorf("multipart ETag: got %s, want %s", got, want)
			}
			if got := mustGet(t, c, "mpu", "big"); !bytes.Equal(got, append(append([]byte{}, p1...), p2...)) {
				t.Errorf("assembled object: got %d bytes, want %d", len(got), len(p1)+len(p2))
			}
			for n, want := range [][]byte{p1, p2} {
				pg, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpu"), Key: aws.String("big"), PartNumber: aws.Int32(int32(n + 1))})
				if err != nil {
					t.Fatalf("GetObject partNumber %d: %v", n+1, err)
				}
				got, _ := io.ReadAll(pg.Body)
				pg.Body.Close()
				if !bytes.Equal(got, want) || aws.ToInt32(pg.PartsCount) != 2 {
					t.Errorf("GetObject partNumber %d: got %d bytes, parts count %d; want %d bytes and 2", n+1, len(got), aws.ToInt32(pg.PartsCount), len(want))
				}
			}
			_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpu"), Key: aws.String("big"), PartNumber: aws.Int32(3)})
			wantErr(t, "GetObject partNumber 3 of 2", err, "InvalidPartNumber", 416)
			head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("mpu"), Key: aws.String("big")})
			if err != nil || aws.ToString(head.ContentType) != "text/plain" || head.Metadata["job"] != "j1" {
				t.Errorf("HeadObject: got %+v, %v; want the Create's content type and metadata", head, err)
			}
			_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("big"), UploadId: cr.UploadId,
				MultipartUpload: &types.CompletedMultipartUpload{Parts: done}})
			wantErr(t, "Complete twice", err, "NoSuchUpload", 404)
		})
	}
}

func TestMultipartErrors(t *testing.T) {
	ctx := t.Context()
	_, c := setup(t)
	mustCreateBucket(t, c, "mpu")
	create := func(key string) *string {
		cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String(key)})
		if err != nil {
			t.Fatalf("CreateMultipartUpload: %v", err)
		}
		return cr.UploadId
	}
	part := func(key string, id *string, n int32, body string) types.CompletedPart {
		up, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpu"), Key: aws.String(key), UploadId: id,
			PartNumber: aws.Int32(n), Body: strings.NewReader(body)})
		if err != nil {
			t.Fatalf("UploadPart: %v", err)
		}
		return types.CompletedPart{PartNumber: aws.Int32(n), ETag: up.ETag}
	}

	id := create("small")
	parts := []types.CompletedPart{part("small", id, 1, "too small"), part("small", id, 2, "last")}
	_, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("small"), UploadId: id,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	wantErr(t, "Complete with a small first part", err, "EntityTooSmall", 400)

	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpu"), Key: aws.String("small"), UploadId: id,
		PartNumber: aws.Int32(10001), Body: strings.NewReader("x")})
	wantErr(t, "UploadPart 10001", err, "InvalidArgument", 400)

	if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("small"), UploadId: id}); err != nil {
		t.Fatalf("AbortMultipartUpload: %v", err)
	}
	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpu"), Key: aws.String("small"), UploadId: id,
		PartNumber: aws.Int32(1), Body: strings.NewReader("x")})
	wantErr(t, "UploadPart after abort", err, "NoSuchUpload", 404)
	_, err = c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("small"), UploadId: aws.String("../../etc")})
	wantErr(t, "Abort of an unknown upload", err, "NoSuchUpload", 404)

	// A single small part is fine: the last part may be any size.
	id = create("one")
	one := part("one", id, 1, "only part")
	// If-None-Match: * on Complete, against an existing key.
	mustPut(t, c, "mpu", "one", []byte("already here"))
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("one"), UploadId: id,
		IfNoneMatch: aws.String("*"), MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{one}}})
	wantErr(t, "Complete with If-None-Match: * over an object", err, "PreconditionFailed", 412)
	cur, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("mpu"), Key: aws.String("one")})
	if err != nil {
		t.Fatalf("HeadObject: %v", err)
	}
	comp, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("one"), UploadId: id,
		IfMatch: cur.ETag, MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{one}}})
	if err != nil {
		t.Fatalf("Complete with If-Match of the current object: %v", err)
	}
	if got, want := aws.ToString(comp.ETag), multipartETag([]byte("only part")); got != want {
		t.Errorf("one-part ETag: got %s, want %s", got, want)
	}
}

func TestMultipartCompositeChecksum(t *testing.T) {
	ctx := t.Context()
	_, c := setupTLS(t)
	mustCreateBucket(t, c, "mpu")
	cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("ck"),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
	if err != nil {
		t.Fatalf("CreateMultipartUpload: %v", err)
	}
	bodies := [][]byte{bytes.Repeat([]byte{1}, 5<<20), []byte("end")}
	var parts []types.CompletedPart
	var raw []byte
	for i, b := range bodies {
		up, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpu"), Key: aws.String("ck"), UploadId: cr.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(b), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
		if err != nil {
			t.Fatalf("UploadPart: %v", err)
		}
		sum := binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(b))
		if got, want := aws.ToString(up.ChecksumCRC32), base64.StdEncoding.EncodeToString(sum); got != want {
			t.Errorf("part %d CRC32: got %s, want %s", i+1, got, want)
		}
		raw = append(raw, sum...)
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: up.ETag, ChecksumCRC32: up.ChecksumCRC32})
	}
	comp, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("ck"), UploadId: cr.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	if err != nil {
		t.Fatalf("CompleteMultipartUpload: %v", err)
	}
	want := base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(raw))) + "-2"
	if got := aws.ToString(comp.ChecksumCRC32); got != want {
		t.Errorf("composite CRC32: got %s, want %s", got, want)
	}
	// The SDK skips validating composite checksums on GET, as with AWS.
	get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpu"), Key: aws.String("ck"), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatalf("GetObject: %v", err)
	}
	get.Body.Close()
	if got := aws.ToString(get.ChecksumCRC32); got != want {
		t.Errorf("GetObject composite CRC32: got %s, want %s", got, want)
	}
	if get.ChecksumType != types.ChecksumTypeComposite {
		t.Errorf("GetObject ChecksumType: got %q, want COMPOSITE", get.ChecksumType)
	}
	// A part with another algorithm than the upload's is refused.
	cr2, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("ck2"),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
	if err != nil {
		t.Fatalf("CreateMultipartUpload: %v", err)
	}
	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpu"), Key: aws.String("ck2"), UploadId: cr2.UploadId,
		PartNumber: aws.Int32(1), Body: strings.NewReader("x"), ChecksumAlgorithm: types.ChecksumAlgorithmSha256})
	wantErr(t, "UploadPart with SHA256 into a CRC32 upload", err, "InvalidRequest", 400)
}
