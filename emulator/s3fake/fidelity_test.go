package s3fake

// Answers S3 gives that the emulator did not, through the Go SDK v2 (and the
// AWS CLI where installed). Each case failed on the answers given before.

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// uploadParts creates an upload of key with alg and typ, uploads bodies as
// its parts and returns the upload ID and the completed parts.
func uploadParts(t *testing.T, c *s3.Client, bucket, key string, alg types.ChecksumAlgorithm, typ types.ChecksumType, bodies [][]byte) (*string, []types.CompletedPart) {
	t.Helper()
	ctx := t.Context()
	cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key),
		ChecksumAlgorithm: alg, ChecksumType: typ})
	if err != nil {
		t.Fatalf("CreateMultipartUpload: %v", err)
	}
	var parts []types.CompletedPart
	for i, b := range bodies {
		up, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: cr.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(b), ChecksumAlgorithm: alg})
		if err != nil {
			t.Fatalf("UploadPart %d: %v", i+1, err)
		}
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: up.ETag,
			ChecksumCRC32: up.ChecksumCRC32, ChecksumCRC64NVME: up.ChecksumCRC64NVME})
	}
	return cr.UploadId, parts
}

func TestCompleteMultipartUploadChecksumHeader(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	_, c := setup(t)
	mustCreateBucket(t, c, "mpu")
	bodies := [][]byte{bytes.Repeat([]byte{7}, 5<<20), []byte("tail")}
	var whole []byte
	var composite []byte
	for _, b := range bodies {
		whole = append(whole, b...)
		composite = binary.BigEndian.AppendUint32(composite, crc32.ChecksumIEEE(b))
	}
	compositeSum := base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(composite)))
	crc64 := newChecksum("CRC64NVME")
	crc64.Write(whole)
	fullSum := base64.StdEncoding.EncodeToString(crc64.Sum(nil))

	tests := []struct {
		name    string
		alg     types.ChecksumAlgorithm
		typ     types.ChecksumType
		set     func(*s3.CompleteMultipartUploadInput)
		wantErr string
	}{
		{"composite CRC32 with -N", types.ChecksumAlgorithmCrc32, types.ChecksumTypeComposite,
			func(in *s3.CompleteMultipartUploadInput) { in.ChecksumCRC32 = aws.String(compositeSum + "-2") }, ""},
		{"composite CRC32 without -N", types.ChecksumAlgorithmCrc32, types.ChecksumTypeComposite,
			func(in *s3.CompleteMultipartUploadInput) { in.ChecksumCRC32 = aws.String(compositeSum) }, ""},
		{"full-object CRC64NVME", types.ChecksumAlgorithmCrc64nvme, types.ChecksumTypeFullObject,
			func(in *s3.CompleteMultipartUploadInput) {
				in.ChecksumCRC64NVME = aws.String(fullSum)
				in.ChecksumType = types.ChecksumTypeFullObject
			}, ""},
		{"full-object CRC64NVME that differs", types.ChecksumAlgorithmCrc64nvme, types.ChecksumTypeFullObject,
			func(in *s3.CompleteMultipartUploadInput) {
				in.ChecksumCRC64NVME = aws.String("AAAAAAAAAAA=")
				in.ChecksumType = types.ChecksumTypeFullObject
			}, "BadDigest"},
		{"composite CRC32 that differs", types.ChecksumAlgorithmCrc32, types.ChecksumTypeComposite,
			func(in *s3.CompleteMultipartUploadInput) { in.ChecksumCRC32 = aws.String("AAAAAA==-2") }, "BadDigest"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := fmt.Sprintf("k%d", i)
			id, parts := uploadParts(t, c, "mpu", key, tt.alg, tt.typ, bodies)
			in := &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String(key), UploadId: id,
				MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}}
			tt.set(in)
			_, err := c.CompleteMultipartUpload(ctx, in, noRetry)
			if got := errCode(err); got != tt.wantErr {
				t.Fatalf("CompleteMultipartUpload: error %v, want code %q", err, tt.wantErr)
			}
		})
	}
}

func TestStorageClass(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	_, c := setup(t)
	mustCreateBucket(t, c, "classes")
	put := func(key string, class types.StorageClass) error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("classes"), Key: aws.String(key), Body: strings.NewReader("x"), StorageClass: class}, noRetry)
		return err
	}
	if err := put("ia", types.StorageClassStandardIa); err != nil {
		t.Fatalf("PutObject STANDARD_IA: %v", err)
	}
	if err := put("std", ""); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	if err := put("cold", types.StorageClassGlacier); err != nil {
		t.Fatalf("PutObject GLACIER: %v", err)
	}
	if err := put("bad", "PLATINUM"); errCode(err) != "InvalidStorageClass" {
		t.Errorf("PutObject PLATINUM: error %v, want InvalidStorageClass", err)
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("classes"), Key: aws.String("ia")})
	if err != nil || head.StorageClass != types.StorageClassStandardIa {
		t.Errorf("HeadObject StorageClass = %q (%v), want STANDARD_IA", head.StorageClass, err)
	}
	get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("classes"), Key: aws.String("ia")})
	if err != nil {
		t.Fatalf("GetObject: %v", err)
	}
	get.Body.Close()
	if get.StorageClass != types.StorageClassStandardIa {
		t.Errorf("GetObject StorageClass = %q, want STANDARD_IA", get.StorageClass)
	}
	if head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("classes"), Key: aws.String("std")}); err != nil || head.StorageClass != "" {
		t.Errorf("HeadObject of a STANDARD object: StorageClass %q (%v), want none, as S3 sends no header", head.StorageClass, err)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("classes"), Key: aws.String("cold")}, noRetry)
	if errCode(err) != "InvalidObjectState" {
		t.Errorf("GetObject of a GLACIER object: error %v, want InvalidObjectState", err)
	}
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("classes")})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]types.ObjectStorageClass{}
	for _, o := range list.Contents {
		got[aws.ToString(o.Key)] = o.StorageClass
	}
	if got["ia"] != types.ObjectStorageClassStandardIa || got["std"] != types.ObjectStorageClassStandard || got["cold"] != types.ObjectStorageClassGlacier {
		t.Errorf("ListObjectsV2 storage classes = %v, want ia STANDARD_IA, std STANDARD, cold GLACIER", got)
	}
	// Multipart: the class given on Create is the object's.
	cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("classes"), Key: aws.String("mp"), StorageClass: types.StorageClassOnezoneIa})
	if err != nil {
		t.Fatal(err)
	}
	ups, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("classes")})
	if err != nil || len(ups.Uploads) != 1 || ups.Uploads[0].StorageClass != types.StorageClassOnezoneIa {
		t.Errorf("ListMultipartUploads = %+v (%v), want one ONEZONE_IA upload", ups.Uploads, err)
	}
	up, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("classes"), Key: aws.String("mp"), UploadId: cr.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("p")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("classes"), Key: aws.String("mp"), UploadId: cr.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: up.ETag}}}}); err != nil {
		t.Fatal(err)
	}
	if head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("classes"), Key: aws.String("mp")}); err != nil || head.StorageClass != types.StorageClassOnezoneIa {
		t.Errorf("HeadObject of the completed upload: StorageClass %q (%v), want ONEZONE_IA", head.StorageClass, err)
	}
}

func TestListMultipartUploadsPaging(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	_, c := setup(t)
	mustCreateBucket(t, c, "lmu")
	for _, k := range []string{"a/1", "a/2", "b", "c", "c", "d/x/1", "e"} {
		if _, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("lmu"), Key: aws.String(k)}); err != nil {
			t.Fatal(err)
		}
	}
	// Page through with a delimiter, two entries a page.
	var got []string
	in := &s3.ListMultipartUploadsInput{Bucket: aws.String("lmu"), Delimiter: aws.String("/"), MaxUploads: aws.Int32(2)}
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatalf("more than 10 pages: %v", got)
		}
		out, err := c.ListMultipartUploads(ctx, in)
		if err != nil {
			t.Fatalf("ListMultipartUploads: %v", err)
		}
		for _, p := range out.CommonPrefixes {
			got = append(got, "prefix "+aws.ToString(p.Prefix))
		}
		for _, u := range out.Uploads {
			got = append(got, aws.ToString(u.Key))
		}
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		in.KeyMarker, in.UploadIdMarker = out.NextKeyMarker, out.NextUploadIdMarker
	}
	want := []string{"prefix a/", "b", "c", "c", "prefix d/", "e"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("paged listing = %v, want %v", got, want)
	}
	// A prefix narrows the listing; a delimiter below it rolls up deeper keys.
	out, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("lmu"), Prefix: aws.String("d/"), Delimiter: aws.String("/")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Uploads) != 0 || len(out.CommonPrefixes) != 1 || aws.ToString(out.CommonPrefixes[0].Prefix) != "d/x/" {
		t.Errorf("prefix d/ with delimiter: uploads %d, prefixes %v; want none and d/x/", len(out.Uploads), out.CommonPrefixes)
	}
}

func TestNotImplementedNamesTheFeature(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	_, c := setup(t)
	mustCreateBucket(t, c, "not-impl")
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"GetBucketVersioning", func() error {
			_, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("not-impl")}, noRetry)
			return err
		}, "GetBucketVersioning is not implemented by this emulator."},
		{"PutObjectTagging", func() error {
			_, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("not-impl"), Key: aws.String("k"),
				Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("a"), Value: aws.String("b")}}}}, noRetry)
			return err
		}, "PutObjectTagging is not implemented by this emulator."},
		{"GetBucketTagging", func() error {
			_, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("not-impl")}, noRetry)
			return err
		}, "GetBucketTagging is not implemented by this emulator."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ae smithy.APIError
			if err := tt.call(); !errors.As(err, &ae) || ae.ErrorCode() != "NotImplemented" || ae.ErrorMessage() != tt.want {
				t.Errorf("got %v, want NotImplemented: %s", err, tt.want)
			}
		})
	}
}

func TestAWSCLIStorageClass(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("the AWS CLI (aws) is not installed")
	}
	srv, c := setup(t)
	mustCreateBucket(t, c, "cli")
	env := append(os.Environ(), "AWS_ACCESS_KEY_ID=AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY=secret", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE="+t.TempDir()+"/none", "AWS_SHARED_CREDENTIALS_FILE="+t.TempDir()+"/none")
	run := func(args ...string) (string, error) {
		cmd := exec.CommandContext(t.Context(), "aws", append([]string{"--endpoint-url", srv.URL(), "s3api"}, args...)...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run("put-object", "--bucket", "cli", "--key", "k", "--storage-class", "STANDARD_IA"); err != nil {
		t.Fatalf("put-object: %v\n%s", err, out)
	}
	out, err := run("head-object", "--bucket", "cli", "--key", "k")
	if err != nil || !strings.Contains(out, `"StorageClass": "STANDARD_IA"`) {
		t.Errorf("head-object: %v\n%s\nwant StorageClass STANDARD_IA", err, out)
	}
	out, err = run("put-object", "--bucket", "cli", "--key", "k2", "--storage-class", "PLATINUM")
	if err == nil || !strings.Contains(out, "InvalidStorageClass") {
		t.Errorf("put-object with storage class PLATINUM: %v\n%s\nwant InvalidStorageClass", err, out)
	}
}
