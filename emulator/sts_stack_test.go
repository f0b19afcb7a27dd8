package emulator_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/streamcheck/streamcheck/clock"
	"github.com/streamcheck/streamcheck/emulator"
)

// TestSTSOnTheEdge assumes a role through the edge port, uses the role's
// credentials for Kinesis, and sees Kinesis refuse them once they have
// expired on the stack's clock, then accept fresh ones.
func TestSTSOnTheEdge(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(time.Date(2026, 11, 22, 13, 0, 0, 0, time.UTC))
	s := startStack(t, emulator.WithEdgeAddr("127.0.0.1:0"), emulator.WithClock(clk))
	if s.STSURL != s.EdgeURL {
		t.Fatalf("STSURL = %q, want the edge URL %q", s.STSURL, s.EdgeURL)
	}
	stsc := sts.NewFromConfig(s.AWSConfig, func(o *sts.Options) { o.BaseEndpoint = aws.String(s.STSURL) })
	assume := func() aws.CredentialsProvider {
		t.Helper()
		out, err := stsc.AssumeRole(t.Context(), &sts.AssumeRoleInput{
			RoleArn: aws.String("arn:aws:iam::111122223333:role/writer"), RoleSessionName: aws.String("edge"), DurationSeconds: aws.Int32(900),
		})
		if err != nil {
			t.Fatalf("AssumeRole through the edge: %v", err)
		}
		c := out.Credentials
		return credentials.NewStaticCredentialsProvider(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
	}
	role := assume()
	kc := s.KinesisClient(func(o *kinesis.Options) { o.Credentials = role; o.RetryMaxAttempts = 1 })
	if _, err := kc.ListStreams(t.Context(), &kinesis.ListStreamsInput{}); err != nil {
		t.Fatalf("ListStreams with live role credentials: %v", err)
	}
	clk.Advance(15 * time.Minute)
	_, err := kc.ListStreams(t.Context(), &kinesis.ListStreamsInput{})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ExpiredTokenException" {
		t.Fatalf("ListStreams with expired role credentials = %v, want ExpiredTokenException", err)
	}
	kc = s.KinesisClient(func(o *kinesis.Options) { o.Credentials = assume(); o.RetryMaxAttempts = 1 })
	if _, err := kc.ListStreams(t.Context(), &kinesis.ListStreamsInput{}); err != nil {
		t.Fatalf("ListStreams with fresh role credentials: %v", err)
	}
	id, err := stsc.GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Account) != "000000000000" {
		t.Errorf("GetCallerIdentity with the stack's keys = %v, %v; want account 000000000000", id, err)
	}
	if got := s.STS().Calls("AssumeRole"); got != 2 {
		t.Errorf("STS().Calls(AssumeRole) = %d, want 2", got)
	}
}

// TestSTSOwnPort: without an edge, STS has its own port, exported as
// AWS_ENDPOINT_URL_STS.
func TestSTSOwnPort(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	if s.STSURL == "" || s.STSURL == s.KinesisURL {
		t.Fatalf("STSURL = %q, want a port of its own", s.STSURL)
	}
	if env := strings.Join(s.Env(), "\n"); !strings.Contains(env, "AWS_ENDPOINT_URL_STS="+s.STSURL) {
		t.Errorf("Env() =\n%s\nwant AWS_ENDPOINT_URL_STS=%s", env, s.STSURL)
	}
	// AWSConfig resolves STS to the embedded one, as it does Kinesis and S3.
	stsc := sts.NewFromConfig(s.AWSConfig)
	if _, err := stsc.GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Errorf("GetCallerIdentity through AWSConfig: %v", err)
	}
}
