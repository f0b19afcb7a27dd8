package s3fake

import (
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestListObjectsV2(t *testing.T) {
	_, c := setup(t)
	mustCreateBucket(t, c, "lst")
	keys := []string{"a", "b/1", "b/2", "b/3/x", "c/1", "c/2", "d", "e/f/g", "z z"}
	for _, k := range keys {
		mustPut(t, c, "lst", k, []byte(k))
	}
	tests := []struct {
		name         string
		in           s3.ListObjectsV2Input
		wantKeys     []string
		wantPrefixes []string
	}{
		{"all", s3.ListObjectsV2Input{}, keys, nil},
		{"prefix", s3.ListObjectsV2Input{Prefix: aws.String("b/")}, []string{"b/1", "b/2", "b/3/x"}, nil},
		{"delimiter", s3.ListObjectsV2Input{Delimiter: aws.String("/")}, []string{"a", "d", "z z"}, []string{"b/", "c/", "e/"}},
		{"prefix and delimiter", s3.ListObjectsV2Input{Prefix: aws.String("b/"), Delimiter: aws.String("/")}, []string{"b/1", "b/2"}, []string{"b/3/"}},
		{"start-after", s3.ListObjectsV2Input{StartAfter: aws.String("c/1")}, []string{"c/2", "d", "e/f/g", "z z"}, nil},
		{"start-after with delimiter", s3.ListObjectsV2Input{StartAfter: aws.String("b/2"), Delimiter: aws.String("/")}, []string{"d", "z z"}, []string{"b/", "c/", "e/"}},
		{"no match", s3.ListObjectsV2Input{Prefix: aws.String("q")}, nil, nil},
	}
	for _, tt := range tests {
		for _, page := range []int32{1000, 1, 2} {
			t.Run(tt.name, func(t *testing.T) {
				in := tt.in
				in.Bucket, in.MaxKeys = aws.String("lst"), aws.Int32(page)
				var gotKeys, gotPrefixes []string
				p := s3.NewListObjectsV2Paginator(c, &in)
				pages := 0
				for p.HasMorePages() {
					out, err := p.NextPage(t.Context())
					if err != nil {
						t.Fatalf("ListObjectsV2 page %d: %v", pages, err)
					}
					pages++
					if n := len(out.Contents) + len(out.CommonPrefixes); n > int(page) || int(aws.ToInt32(out.KeyCount)) != n {
						t.Fatalf("page %d: %d entries, KeyCount %d, max-keys %d", pages, n, aws.ToInt32(out.KeyCount), page)
					}
					for _, o := range out.Contents {
						gotKeys = append(gotKeys, aws.ToString(o.Key))
					}
					for _, cp := range out.CommonPrefixes {
						gotPrefixes = append(gotPrefixes, aws.ToString(cp.Prefix))
					}
					if pages > 20 {
						t.Fatal("paginator does not end")
					}
				}
				if !equal(gotKeys, tt.wantKeys) || !equal(gotPrefixes, tt.wantPrefixes) {
					t.Errorf("max-keys %d: got keys %q prefixes %q, want %q and %q", page, gotKeys, gotPrefixes, tt.wantKeys, tt.wantPrefixes)
				}
			})
		}
	}
}

func TestListObjectsDetails(t *testing.T) {
	ctx := t.Context()
	_, c := setup(t)
	mustCreateBucket(t, c, "lst")
	put := mustPut(t, c, "lst", "k y", []byte("hello"))
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("lst"), EncodingType: types.EncodingTypeUrl})
	if err != nil {
		t.Fatalf("ListObjectsV2: %v", err)
	}
	if len(out.Contents) != 1 {
		t.Fatalf("ListObjectsV2: got %d objects, want 1", len(out.Contents))
	}
	o := out.Contents[0]
	if k, _ := url.QueryUnescape(aws.ToString(o.Key)); k != "k y" {
		t.Errorf("url-encoded key: got %q, decoding to %q, want k y", aws.ToString(o.Key), k)
	}
	if aws.ToString(o.ETag) != aws.ToString(put.ETag) || aws.ToInt64(o.Size) != 5 {
		t.Errorf("entry: got ETag %s size %d, want %s and 5", aws.ToString(o.ETag), aws.ToInt64(o.Size), aws.ToString(put.ETag))
	}
	for _, v1 := range []bool{false, true} {
		var n int
		var err error
		if v1 {
			var o *s3.ListObjectsOutput
			o, err = c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("lst"), MaxKeys: aws.Int32(0), Delimiter: aws.String("/")})
			if o != nil {
				n = len(o.Contents)
			}
		} else {
			var o *s3.ListObjectsV2Output
			o, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("lst"), MaxKeys: aws.Int32(0)})
			if o != nil {
				n = len(o.Contents)
			}
		}
		if err != nil || n != 0 {
			t.Errorf("max-keys 0 (v1 %v): got %d entries, %v; want none", v1, n, err)
		}
	}
	_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("lst"), ContinuationToken: aws.String("!!bad!!")})
	wantErr(t, "ListObjectsV2 with a bad token", err, "InvalidArgument", 400)

	// Version 1 with markers.
	for _, k := range []string{"m/1", "m/2", "n"} {
		mustPut(t, c, "lst", k, nil)
	}
	var got []string
	marker := ""
	for i := 0; ; i++ {
		out, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("lst"), MaxKeys: aws.Int32(1),
			Delimiter: aws.String("/"), Marker: aws.String(marker)})
		if err != nil {
			t.Fatalf("ListObjects: %v", err)
		}
		if i > 10 {
			t.Fatal("ListObjects pages do not end")
		}
		for _, o := range out.Contents {
			got = append(got, aws.ToString(o.Key))
		}
		for _, cp := range out.CommonPrefixes {
			got = append(got, aws.ToString(cp.Prefix))
		}
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		marker = aws.ToString(out.NextMarker)
	}
	if want := []string{"k y", "m/", "n"}; !equal(got, want) {
		t.Errorf("ListObjects v1 pages: got %q, want %q", got, want)
	}
}
