package s3fake

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func TestAddress(t *testing.T) {
	srv, err := New()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		host, path          string
		wantBucket, wantKey string
	}{
		{"127.0.0.1:4566", "/bkt/a/b.txt", "bkt", "a/b.txt"},
		{"127.0.0.1:4566", "/bkt", "bkt", ""},
		{"127.0.0.1:4566", "/bkt/", "bkt", ""},
		{"127.0.0.1:4566", "/", "", ""},
		{"localhost:4566", "/bkt/k", "bkt", "k"},
		{"bkt.localhost:4566", "/k/x", "bkt", "k/x"},
		{"bkt.s3.localhost.localstack.cloud:4566", "/k", "bkt", "k"},
		{"my.dotted.bkt.s3.localhost.localstack.cloud:4566", "/k", "my.dotted.bkt", "k"},
		{"bkt.localhost.localstack.cloud", "/k", "bkt", "k"},
		{"bkt.s3.example.internal:9000", "/k", "bkt", "k"},
		{"bkt.s3.amazonaws.com", "/k", "bkt", "k"},
		{"s3.localhost.localstack.cloud:4566", "/bkt/k", "bkt", "k"},
		{"BKT.LOCALHOST", "/k", "bkt", "k"},
		{"127.0.0.1", "/bkt/../../etc/passwd", "bkt", "../../etc/passwd"},
	}
	for _, tt := range tests {
		t.Run(tt.host+tt.path, func(t *testing.T) {
			r := httptest.NewRequest("GET", "http://"+tt.host+tt.path, nil)
			b, k := srv.address(r)
			if b != tt.wantBucket || k != tt.wantKey {
				t.Errorf("address: got bucket %q key %q, want %q and %q", b, k, tt.wantBucket, tt.wantKey)
			}
		})
	}
}

// TestVirtualHostedStyle drives the SDK with virtual-hosted-style URLs under
// each recognised host name, dialling the server whatever the name.
func TestVirtualHostedStyle(t *testing.T) {
	srv := startServer(t)
	u, _ := url.Parse(srv.URL())
	port := u.Port()
	for _, host := range []string{"localhost", "s3.localhost.localstack.cloud", "localhost.localstack.cloud"} {
		t.Run(host, func(t *testing.T) {
			ctx := t.Context()
			var seen []string
			c := newClient("http://"+host+":"+port, dialTo(u.Host), func(o *s3.Options) {
				o.APIOptions = append(o.APIOptions, recordHost(&seen))
			})
			bucket := "vh-" + strings.ReplaceAll(host, ".", "-")
			mustCreateBucket(t, c, bucket)
			mustPut(t, c, bucket, "dir/k", []byte("virtual"))
			if got := string(mustGet(t, c, bucket, "dir/k")); got != "virtual" {
				t.Errorf("GetObject: got %q, want virtual", got)
			}
			out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
			if err != nil || len(out.Contents) != 1 {
				t.Errorf("ListObjectsV2: got %+v, %v", out, err)
			}
			want := bucket + "." + host + ":" + port
			for _, h := range seen {
				if h != want {
					t.Fatalf("request host: got %q, want virtual-hosted %q", h, want)
				}
			}
			// The same bucket path style, through the plain endpoint.
			if got := string(mustGet(t, newClient(srv.URL()), bucket, "dir/k")); got != "virtual" {
				t.Errorf("path-style GetObject: got %q", got)
			}
		})
	}
}

func TestWithHostSuffixes(t *testing.T) {
	srv, err := New(WithHostSuffixes("minio.test"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ host, wantBucket, wantKey string }{
		{"bkt.minio.test:9000", "bkt", "k"},
		{"minio.test:9000", "k", ""},         // the suffix itself: path style
		{"bkt.localhost:9000", "k", ""},      // defaults replaced: path style
		{"bkt.s3.anything:9000", "bkt", "k"}, // bucket.s3.<host> always
	} {
		b, k := srv.address(httptest.NewRequest("GET", "http://"+tt.host+"/k", nil))
		if b != tt.wantBucket || k != tt.wantKey {
			t.Errorf("host %s: got bucket %q key %q, want %q and %q", tt.host, b, k, tt.wantBucket, tt.wantKey)
		}
	}
}
