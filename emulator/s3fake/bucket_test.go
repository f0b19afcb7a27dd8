package s3fake

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func TestBucketLifecycle(t *testing.T) {
	ctx := t.Context()
	_, c := setup(t)
	for _, name := range []string{"zeta", "alpha", "mid-dle-1"} {
		mustCreateBucket(t, c, name)
	}
	lb, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatalf("ListBuckets: %v", err)
	}
	var got []string
	for _, b := range lb.Buckets {
		got = append(got, aws.ToString(b.Name))
	}
	if want := []string{"alpha", "mid-dle-1", "zeta"}; !equal(got, want) {
		t.Errorf("ListBuckets: got %v, want %v", got, want)
	}
	hb, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("alpha")})
	if err != nil {
		t.Fatalf("HeadBucket: %v", err)
	}
	if got := aws.ToString(hb.BucketRegion); got != "us-east-1" {
		t.Errorf("HeadBucket region: got %q, want us-east-1", got)
	}
	mustPut(t, c, "alpha", "k", []byte("x"))
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("alpha")})
	wantErr(t, "DeleteBucket of a non-empty bucket", err, "BucketNotEmpty", 409)
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("alpha"), Key: aws.String("k")}); err != nil {
		t.Fatalf("DeleteObject: %v", err)
	}
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("alpha")}); err != nil {
		t.Fatalf("DeleteBucket: %v", err)
	}
	_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("alpha")})
	wantErr(t, "HeadBucket after delete", err, "NotFound", 404)
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("alpha")})
	wantErr(t, "DeleteBucket twice", err, "NoSuchBucket", 404)
	_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("alpha")})
	wantErr(t, "ListObjectsV2 of a deleted bucket", err, "NoSuchBucket", 404)
}

func TestCreateBucketTwice(t *testing.T) {
	ctx := t.Context()
	// us-east-1 answers 200 for legacy reasons; every other region 409.
	_, c := setup(t)
	mustCreateBucket(t, c, "twice")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("twice")}); err != nil {
		t.Errorf("CreateBucket twice in us-east-1: got %v, want success", err)
	}
	_, c2 := setup(t, WithRegion("eu-west-1"))
	mustCreateBucket(t, c2, "twice")
	_, err := c2.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("twice")})
	wantErr(t, "CreateBucket twice in eu-west-1", err, "BucketAlreadyOwnedByYou", 409)
}

func TestValidBucketName(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"abc", true},
		{"my-bucket.example-1", true},
		{"ab", false},
		{"a234567890123456789012345678901234567890123456789012345678901234", false},
		{"UpperCase", false},
		{"under_score", false},
		{"-start", false},
		{"end-", false},
		{"two..dots", false},
		{"192.168.5.4", false},
		{"xn--punycode", false},
		{"bucket-s3alias", false},
		{"..", false},
		{"a/b", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := validBucketName(tt.name); got != tt.want {
				t.Errorf("validBucketName(%q): got %v, want %v", tt.name, got, tt.want)
			}
		})
	}
}

func TestCreateBucketInvalidName(t *testing.T) {
	_, c := setup(t)
	for _, name := range []string{"Bad_Name", "ab", "a..b"} {
		_, err := c.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(name)})
		wantErr(t, "CreateBucket "+name, err, "InvalidBucketName", 400)
	}
}

func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
