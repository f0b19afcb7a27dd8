package s3fake_test

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/streamcheck/streamcheck/emulator/fault"
	"github.com/streamcheck/streamcheck/emulator/s3fake"
)

func Example() {
	ctx := context.Background()
	srv, err := s3fake.New()
	if err != nil {
		panic(err)
	}
	if err := srv.Start(); err != nil {
		panic(err)
	}
	defer srv.Close()

	cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion("us-east-1"),
		awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test", "test", "")))
	if err != nil {
		panic(err)
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(srv.URL())
		o.RetryMaxAttempts = 1
	})

	_, err = client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("checkpoints")})
	fmt.Println("create bucket:", err)
	put := func() error {
		_, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("checkpoints"), Key: aws.String("offsets/0"),
			Body: strings.NewReader(`{"batch_id":0}`), IfNoneMatch: aws.String("*")})
		return err
	}
	fmt.Println("first conditional put:", put())
	fmt.Println("second conditional put fails:", put() != nil)

	// Fail the next GetObject with a 503 SlowDown.
	_, _ = srv.Faults().Add(fault.Rule{Operation: "GetObject", Times: 1, Action: fault.ActionError, Code: "SlowDown", Status: 503})
	_, err = client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("checkpoints"), Key: aws.String("offsets/0")})
	fmt.Println("injected:", strings.Contains(fmt.Sprint(err), "SlowDown"))

	out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("checkpoints"), Key: aws.String("offsets/0")})
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(out.Body)
	fmt.Println(string(body))
	// Output:
	// create bucket: <nil>
	// first conditional put: <nil>
	// second conditional put fails: true
	// injected: true
	// {"batch_id":0}
}
