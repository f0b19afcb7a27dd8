package engine

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"

	"github.com/streamcheck/streamcheck/clock"
)

// countingProvider issues credentials that expire after life on clk,
// counting the calls.
type countingProvider struct {
	clk   clock.Clock
	life  time.Duration
	calls int
}

func (p *countingProvider) Retrieve(context.Context) (aws.Credentials, error) {
	p.calls++
	return aws.Credentials{AccessKeyID: "ASIA" + string(rune('A'+p.calls)), CanExpire: true, Expires: p.clk.Now().Add(p.life)}, nil
}

func TestRoleCredentialsRefreshOnTheEngineClock(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(time.Date(2026, 11, 22, 13, 0, 0, 0, time.UTC))
	p := &countingProvider{clk: clk, life: 15 * time.Minute}
	r := &roleCredentials{assume: p, clk: clk, role: "arn:aws:iam::111122223333:role/r"}
	get := func() aws.Credentials {
		t.Helper()
		c, err := r.Retrieve(t.Context())
		if err != nil {
			t.Fatalf("Retrieve: %v", err)
		}
		return c
	}
	first := get()
	get()
	if p.calls != 1 {
		t.Fatalf("AssumeRole calls after two uses = %d, want 1 (kept)", p.calls)
	}
	clk.Advance(15*time.Minute - RoleRefreshWindow - time.Second)
	if get(); p.calls != 1 {
		t.Errorf("AssumeRole calls a second before the refresh window = %d, want 1", p.calls)
	}
	clk.Advance(time.Second)
	if c := get(); p.calls != 2 || c.AccessKeyID == first.AccessKeyID {
		t.Errorf("in the refresh window: %d calls, key %s (first %s); want 2 calls and a new key", p.calls, c.AccessKeyID, first.AccessKeyID)
	}
}

func TestAfterExpiryAssumesAgainOnce(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(time.Date(2026, 11, 22, 13, 0, 0, 0, time.UTC))
	p := &countingProvider{clk: clk, life: time.Hour}
	r := &roleCredentials{assume: p, clk: clk}
	if _, err := r.Retrieve(t.Context()); err != nil {
		t.Fatal(err)
	}
	expired := &smithy.GenericAPIError{Code: "ExpiredTokenException", Message: "The security token included in the request is expired"}
	for _, tt := range []struct {
		name      string
		errs      []error // what successive calls return
		wantErr   bool
		wantCalls int // calls of the operation
	}{
		{"ok", []error{nil}, false, 1},
		{"expired then ok", []error{expired, nil}, false, 2},
		{"expired twice", []error{expired, expired}, true, 2},
		{"other error not retried", []error{errors.New("boom")}, true, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			_, err := afterExpiry(r, func() (int, error) {
				e := tt.errs[calls]
				calls++
				return calls, e
			})
			if (err != nil) != tt.wantErr || calls != tt.wantCalls {
				t.Errorf("afterExpiry = %v after %d calls; want error %v after %d", err, calls, tt.wantErr, tt.wantCalls)
			}
		})
	}
}
