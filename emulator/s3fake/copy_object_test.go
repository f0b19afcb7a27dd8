package s3fake

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestCopyObject(t *testing.T) {
	ctx := t.Context()
	_, c := setup(t)
	mustCreateBucket(t, c, "src")
	mustCreateBucket(t, c, "dst")
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("src"), Key: aws.String("a b/ü.txt"),
		Body: stringsReader("copy me"), ContentType: aws.String("text/plain"), Metadata: map[string]string{"m": "1"}})
	if err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	out, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy"),
		CopySource: aws.String("src/a%20b/%C3%BC.txt")})
	if err != nil {
		t.Fatalf("CopyObject: %v", err)
	}
	if got, want := aws.ToString(out.CopyObjectResult.ETag), `"`+md5hex([]byte("copy me"))+`"`; got != want {
		t.Errorf("CopyObject ETag: got %s, want %s", got, want)
	}
	if got := string(mustGet(t, c, "dst", "copy")); got != "copy me" {
		t.Errorf("copied body: got %q", got)
	}
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy")})
	if err != nil || aws.ToString(h.ContentType) != "text/plain" || h.Metadata["m"] != "1" {
		t.Errorf("COPY directive: got %+v, %v; want the source's headers", h, err)
	}
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy"), CopySource: aws.String("dst/copy"),
		MetadataDirective: types.MetadataDirectiveReplace, ContentType: aws.String("application/x"), Metadata: map[string]string{"n": "2"}})
	if err != nil {
		t.Fatalf("CopyObject onto itself with REPLACE: %v", err)
	}
	h, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy")})
	if err != nil || aws.ToString(h.ContentType) != "application/x" || h.Metadata["n"] != "2" || h.Metadata["m"] != "" {
		t.Errorf("REPLACE directive: got %+v, %v", h, err)
	}
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy"), CopySource: aws.String("dst/copy")})
	wantErr(t, "CopyObject onto itself", err, "InvalidRequest", 400)
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("x"), CopySource: aws.String("src/missing")})
	wantErr(t, "CopyObject of a missing key", err, "NoSuchKey", 404)
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("x"), CopySource: aws.String("src/a%20b/%C3%BC.txt"),
		CopySourceIfMatch: aws.String(`"nope"`)})
	wantErr(t, "CopyObject with a failing copy-source-if-match", err, "PreconditionFailed", 412)
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy"), CopySource: aws.String("src/a%20b/%C3%BC.txt"),
		IfNoneMatch: aws.String("*")})
	wantErr(t, "CopyObject with If-None-Match: * over an object", err, "PreconditionFailed", 412)
}

func TestDeleteObjects(t *testing.T) {
	ctx := t.Context()
	_, c := setup(t)
	mustCreateBucket(t, c, "del")
	for _, k := range []string{"a", "b", "c"} {
		mustPut(t, c, "del", k, nil)
	}
	out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("del"), Delete: &types.Delete{
		Objects: []types.ObjectIdentifier{{Key: aws.String("a")}, {Key: aws.String("c")}, {Key: aws.String("never")}}}})
	if err != nil {
		t.Fatalf("DeleteObjects: %v", err)
	}
	var got []string
	for _, d := range out.Deleted {
		got = append(got, aws.ToString(d.Key))
	}
	if want := []string{"a", "c", "never"}; !equal(got, want) || len(out.Errors) != 0 {
		t.Errorf("DeleteObjects: got deleted %q errors %v, want %q", got, out.Errors, want)
	}
	l, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("del")})
	if err != nil || len(l.Contents) != 1 || aws.ToString(l.Contents[0].Key) != "b" {
		t.Errorf("after DeleteObjects: got %+v, %v; want only b", l, err)
	}
	out, err = c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("del"), Delete: &types.Delete{Quiet: aws.Bool(true),
		Objects: []types.ObjectIdentifier{{Key: aws.String("b")}}}})
	if err != nil || len(out.Deleted) != 0 {
		t.Errorf("quiet DeleteObjects: got %+v, %v; want no Deleted entries", out, err)
	}
}
