package engine

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/streamcheck/streamcheck/clock"
	"github.com/streamcheck/streamcheck/engine/source"
)

// RoleRefreshWindow is how long before their expiry the engine replaces an
// assumed role's credentials.
const RoleRefreshWindow = time.Minute

var (
	stsRoleARN     = regexp.MustCompile(`^arn:aws[a-z-]*:iam::\d{12}:role/[\x21-\x7e]{1,512}$`)
	stsSessionName = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
)

// validateSTS checks awsSTSRoleARN, awsSTSSessionName and awsSTSEndpoint.
func (j *Job) validateSTS() []error {
	var errs []error
	bad := func(field string, value any, want string) {
		errs = append(errs, &FieldError{Field: "connectionOptions." + field, Value: value, Want: want})
	}
	o := j.Options
	switch {
	case o.AWSSTSRoleARN == "" && o.AWSSTSSessionName != "":
		bad("awsSTSRoleARN", o.AWSSTSRoleARN, "a role ARN with awsSTSSessionName (they are used together)")
	case o.AWSSTSRoleARN != "" && !stsRoleARN.MatchString(o.AWSSTSRoleARN):
		bad("awsSTSRoleARN", o.AWSSTSRoleARN, "an IAM role ARN, arn:aws:iam::ACCOUNT:role/NAME")
	case o.AWSSTSRoleARN != "" && !stsSessionName.MatchString(o.AWSSTSSessionName):
		bad("awsSTSSessionName", o.AWSSTSSessionName, `2 to 64 of letters, digits and +=,.@_- (required with awsSTSRoleARN)`)
	case o.AWSSTSRoleARN != "" && j.Source.Kind != KindKinesis && j.Sink.Kind != SinkKinesis:
		bad("awsSTSRoleARN", o.AWSSTSRoleARN, "empty unless the job reads or writes Kinesis")
	}
	if e := o.AWSSTSEndpoint; e != "" {
		u, err := url.Parse(e)
		switch {
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
			bad("awsSTSEndpoint", e, "an http:// or https:// URL such as https://sts.us-east-1.amazonaws.com")
		case o.AWSSTSRoleARN == "":
			bad("awsSTSEndpoint", e, "empty unless awsSTSRoleARN is set")
		}
	}
	return errs
}

// roleCredentials are an assumed role's credentials, kept until
// RoleRefreshWindow before they expire on the engine's clock (the SDK's own
// cache would judge expiry by the wall clock, which a virtual clock does not
// follow), then assumed again.
type roleCredentials struct {
	assume aws.CredentialsProvider
	clk    clock.Clock
	role   string

	mu    sync.Mutex
	creds aws.Credentials
	have  bool
}

// newRoleCredentials returns the credentials of the job's awsSTSRoleARN, or
// nil when it has none. cfg supplies the credentials that assume the role.
func newRoleCredentials(cfg aws.Config, o ConnectionOptions, region string, clk clock.Clock) *roleCredentials {
	if o.AWSSTSRoleARN == "" {
		return nil
	}
	stsc := sts.NewFromConfig(cfg, func(so *sts.Options) {
		if region != "" {
			so.Region = region
		}
		if o.AWSSTSEndpoint != "" {
			so.BaseEndpoint = aws.String(o.AWSSTSEndpoint)
		}
	})
	p := stscreds.NewAssumeRoleProvider(stsc, o.AWSSTSRoleARN, func(ao *stscreds.AssumeRoleOptions) {
		ao.RoleSessionName = o.AWSSTSSessionName
	})
	return &roleCredentials{assume: p, clk: clk, role: o.AWSSTSRoleARN}
}

// Retrieve implements aws.CredentialsProvider: the credentials held, unless
// they expire within RoleRefreshWindow, else new ones from AssumeRole.
func (r *roleCredentials) Retrieve(ctx context.Context) (aws.Credentials, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.have && (!r.creds.CanExpire || r.clk.Now().Add(RoleRefreshWindow).Before(r.creds.Expires)) {
		return r.creds, nil
	}
	c, err := r.assume.Retrieve(ctx)
	if err != nil {
		return aws.Credentials{}, fmt.Errorf("engine: assume connectionOptions.awsSTSRoleARN %s: %w", r.role, err)
	}
	r.creds, r.have = c, true
	return c, nil
}

// invalidate drops the credentials held, so the next Retrieve assumes the
// role again.
func (r *roleCredentials) invalidate() {
	r.mu.Lock()
	r.have = false
	r.mu.Unlock()
}

// isExpiredToken reports an error AWS gives for expired credentials.
func isExpiredToken(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.ErrorCode() {
	case "ExpiredTokenException", "ExpiredToken", "RequestExpired":
		return true
	}
	return false
}

// afterExpiry runs call and, when it fails because the role's credentials
// expired before the engine's clock said so, assumes the role again and
// runs it once more.
func afterExpiry[T any](r *roleCredentials, call func() (T, error)) (T, error) {
	out, err := call()
	if err != nil && isExpiredToken(err) {
		r.invalidate()
		out, err = call()
	}
	return out, err
}

// roleKinesis is the Kinesis client of a job with awsSTSRoleARN: every call
// that meets expired credentials is made again with fresh ones.
type roleKinesis struct {
	*kinesis.Client
	creds *roleCredentials
}

var _ source.KinesisAPI = roleKinesis{}

// ListShards implements source.KinesisAPI.
func (k roleKinesis) ListShards(ctx context.Context, in *kinesis.ListShardsInput, opts ...func(*kinesis.Options)) (*kinesis.ListShardsOutput, error) {
	return afterExpiry(k.creds, func() (*kinesis.ListShardsOutput, error) { return k.Client.ListShards(ctx, in, opts...) })
}

// GetShardIterator implements source.KinesisAPI.
func (k roleKinesis) GetShardIterator(ctx context.Context, in *kinesis.GetShardIteratorInput, opts ...func(*kinesis.Options)) (*kinesis.GetShardIteratorOutput, error) {
	return afterExpiry(k.creds, func() (*kinesis.GetShardIteratorOutput, error) { return k.Client.GetShardIterator(ctx, in, opts...) })
}

// GetRecords implements source.KinesisAPI.
func (k roleKinesis) GetRecords(ctx context.Context, in *kinesis.GetRecordsInput, opts ...func(*kinesis.Options)) (*kinesis.GetRecordsOutput, error) {
	return afterExpiry(k.creds, func() (*kinesis.GetRecordsOutput, error) { return k.Client.GetRecords(ctx, in, opts...) })
}

// PutRecords makes the call of the Kinesis sink.
func (k roleKinesis) PutRecords(ctx context.Context, in *kinesis.PutRecordsInput, opts ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error) {
	return afterExpiry(k.creds, func() (*kinesis.PutRecordsOutput, error) { return k.Client.PutRecords(ctx, in, opts...) })
}
