package stsfake_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/streamcheck/streamcheck/clock"
	"github.com/streamcheck/streamcheck/emulator/stsfake"
)

var epoch = time.Date(2026, 11, 22, 13, 0, 0, 0, time.UTC)

const role = "arn:aws:iam::111122223333:role/cross-account-reader"

// startServer starts a Server on clk and closes it when the test ends.
func startServer(t *testing.T, clk clock.Clock, opts ...stsfake.Option) *stsfake.Server {
	t.Helper()
	srv, err := stsfake.New(append([]stsfake.Option{stsfake.WithClock(clk), stsfake.WithSeed(7)}, opts...)...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := srv.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// client returns an STS client for url signing with creds.
func client(url string, creds aws.CredentialsProvider) *sts.Client {
	return sts.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: creds, RetryMaxAttempts: 1}, func(o *sts.Options) {
		o.BaseEndpoint = aws.String(url)
	})
}

var static = credentials.NewStaticCredentialsProvider("test", "test", "")

func TestAssumeRoleThroughSDK(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(epoch)
	srv := startServer(t, clk)
	c := client(srv.URL(), static)
	out, err := c.AssumeRole(t.Context(), &sts.AssumeRoleInput{
		RoleArn: aws.String(role), RoleSessionName: aws.String("glue-job"), DurationSeconds: aws.Int32(900),
	})
	if err != nil {
		t.Fatalf("AssumeRole: %v", err)
	}
	cr := out.Credentials
	if got, want := aws.ToTime(cr.Expiration), epoch.Add(15*time.Minute); !got.Equal(want) {
		t.Errorf("Expiration = %v, want %v (the clock + DurationSeconds)", got, want)
	}
	if id := aws.ToString(cr.AccessKeyId); !strings.HasPrefix(id, "ASIA") || len(id) != 20 {
		t.Errorf("AccessKeyId = %q, want ASIA and 16 more characters", id)
	}
	if got, want := aws.ToString(out.AssumedRoleUser.Arn), "arn:aws:sts::111122223333:assumed-role/cross-account-reader/glue-job"; got != want {
		t.Errorf("AssumedRoleUser.Arn = %q, want %q", got, want)
	}
	if id := aws.ToString(out.AssumedRoleUser.AssumedRoleId); !strings.HasPrefix(id, "AROA") || !strings.HasSuffix(id, ":glue-job") {
		t.Errorf("AssumedRoleId = %q, want AROA...:glue-job", id)
	}

	temp := credentials.NewStaticCredentialsProvider(aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken))
	id, err := client(srv.URL(), temp).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity with the role's credentials: %v", err)
	}
	if got := aws.ToString(id.Arn); got != aws.ToString(out.AssumedRoleUser.Arn) {
		t.Errorf("GetCallerIdentity Arn = %q, want the assumed role's %q", got, aws.ToString(out.AssumedRoleUser.Arn))
	}
	if got := aws.ToString(id.Account); got != "111122223333" {
		t.Errorf("GetCallerIdentity Account = %q, want the role's account", got)
	}
	if srv.Expired(aws.ToString(cr.AccessKeyId)) {
		t.Errorf("Expired before the clock reached Expiration")
	}

	clk.Advance(15 * time.Minute)
	if !srv.Expired(aws.ToString(cr.AccessKeyId)) {
		t.Errorf("Expired = false at Expiration, want true")
	}
	_, err = client(srv.URL(), temp).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ExpiredToken" || ae.ErrorMessage() != stsfake.ExpiredTokenMessage {
		t.Fatalf("GetCallerIdentity after expiry = %v, want ExpiredToken", err)
	}
	if srv.Expired("test") {
		t.Errorf("Expired(%q) = true, want false for keys the server did not issue", "test")
	}
}

func TestGetCallerIdentityLongTermKeys(t *testing.T) {
	t.Parallel()
	srv := startServer(t, clock.NewFake(epoch), stsfake.WithAccountID("444455556666"))
	id, err := client(srv.URL(), static).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity: %v", err)
	}
	if got, want := aws.ToString(id.Arn), "arn:aws:iam::444455556666:root"; got != want {
		t.Errorf("Arn = %q, want %q", got, want)
	}
	if got := aws.ToString(id.Account); got != "444455556666" {
		t.Errorf("Account = %q, want 444455556666", got)
	}
}

func TestAssumeRoleErrors(t *testing.T) {
	t.Parallel()
	srv := startServer(t, clock.NewFake(epoch))
	c := client(srv.URL(), static)
	out, err := c.AssumeRole(t.Context(), &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("first")})
	if err != nil {
		t.Fatalf("AssumeRole: %v", err)
	}
	chained := client(srv.URL(), credentials.NewStaticCredentialsProvider(aws.ToString(out.Credentials.AccessKeyId), "x", "y"))
	for _, tt := range []struct {
		name string
		c    *sts.Client
		in   sts.AssumeRoleInput
		code string
		msg  string
	}{
		{"short name, long duration", c, sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("x"), DurationSeconds: aws.Int32(50000)}, "ValidationError",
			"2 validation errors detected: Value 'x' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2; Value '50000' at 'durationSeconds'"},
		{"bad name", c, sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("a b")}, "ValidationError",
			`Member must satisfy regular expression pattern: [\w+=,.@-]*`},
		{"short duration", c, sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("ok"), DurationSeconds: aws.Int32(60)}, "ValidationError",
			"Value '60' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"},
		{"past MaxSessionDuration", c, sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("ok"), DurationSeconds: aws.Int32(7200)}, "ValidationError",
			"The requested DurationSeconds exceeds the MaxSessionDuration set for this role."},
		{"chained past an hour", chained, sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("ok"), DurationSeconds: aws.Int32(3601)}, "ValidationError",
			"1 hour session limit for roles assumed by role chaining"},
		{"user ARN", c, sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111122223333:user/bob"), RoleSessionName: aws.String("ok")}, "ValidationError",
			"is not a role ARN"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.c.AssumeRole(t.Context(), &tt.in)
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != tt.code || !strings.Contains(ae.ErrorMessage(), tt.msg) {
				t.Fatalf("AssumeRole = %v, want %s containing %q", err, tt.code, tt.msg)
			}
		})
	}
}

// TestAssumeRoleProvider: the SDK's stscreds provider gets credentials that
// expire on the emulator's clock, and gets new ones when asked again.
func TestAssumeRoleProvider(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(epoch)
	srv := startServer(t, clk)
	p := stscreds.NewAssumeRoleProvider(client(srv.URL(), static), role, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = "reader"
	})
	first, err := p.Retrieve(t.Context())
	if err != nil {
		t.Fatalf("Retrieve: %v", err)
	}
	if !first.CanExpire || !first.Expires.Equal(epoch.Add(stscreds.DefaultDuration)) {
		t.Errorf("credentials expire %v (CanExpire %v), want %v", first.Expires, first.CanExpire, epoch.Add(stscreds.DefaultDuration))
	}
	clk.Advance(stscreds.DefaultDuration)
	second, err := p.Retrieve(t.Context())
	if err != nil {
		t.Fatalf("Retrieve again: %v", err)
	}
	if second.AccessKeyID == first.AccessKeyID || !srv.Expired(first.AccessKeyID) || srv.Expired(second.AccessKeyID) {
		t.Errorf("after expiry: first %s expired=%v, second %s expired=%v; want a new, live key", first.AccessKeyID, srv.Expired(first.AccessKeyID), second.AccessKeyID, srv.Expired(second.AccessKeyID))
	}
	if got := srv.Calls("AssumeRole"); got != 2 {
		t.Errorf("Calls(AssumeRole) = %d, want 2", got)
	}
}

func TestOptionsRejectBadValues(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		opt  stsfake.Option
		want string
	}{
		{"nil clock", stsfake.WithClock(nil), "WithClock: the clock is nil"},
		{"account", stsfake.WithAccountID("12"), `WithAccountID("12"): want 12 digits`},
		{"session", stsfake.WithMaxSessionDuration(time.Minute), "want whole seconds from 1h to 12h"},
		{"addr", stsfake.WithAddr(""), `WithAddr(""): want host:port`},
		{"addr without port", stsfake.WithAddr("localhost"), `WithAddr("localhost"): want host:port`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := stsfake.New(tt.opt); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}
