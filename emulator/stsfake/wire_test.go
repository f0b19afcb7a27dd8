package stsfake_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/streamcheck/streamcheck/clock"
)

// TestWire checks the Query protocol's framing: actions by POST and GET, and
// AWS's error documents for requests the SDK would never send.
func TestWire(t *testing.T) {
	t.Parallel()
	srv := startServer(t, clock.NewFake(epoch))
	const auth = "AWS4-HMAC-SHA256 Credential=test/20261122/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=00"
	for _, tt := range []struct {
		name       string
		method     string
		query      string
		body       string
		auth       string
		wantStatus int
		wantBody   []string
	}{
		{"GET identity", http.MethodGet, "Action=GetCallerIdentity&Version=2011-06-15", "", auth, 200,
			[]string{`<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">`, "<GetCallerIdentityResult><Arn>arn:aws:iam::000000000000:root</Arn>", "<ResponseMetadata><RequestId>"}},
		{"unknown action", http.MethodPost, "", "Action=GetSessionTokens&Version=2011-06-15", auth, 400,
			[]string{"<ErrorResponse", "<Type>Sender</Type><Code>InvalidAction</Code><Message>Could not find operation GetSessionTokens for version 2011-06-15</Message>"}},
		{"wrong version", http.MethodPost, "", "Action=AssumeRole&Version=2012-01-01", auth, 400,
			[]string{"<Code>InvalidAction</Code><Message>Could not find operation AssumeRole for version 2012-01-01</Message>"}},
		{"no session name", http.MethodPost, "", "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fr", auth, 400,
			[]string{"<Code>ValidationError</Code><Message>1 validation error detected: Value null at &#39;roleSessionName&#39; failed to satisfy constraint: Member must not be null</Message>"}},
		{"no action", http.MethodPost, "", "Version=2011-06-15", auth, 400, []string{"<Code>MissingAction</Code>"}},
		{"unsigned", http.MethodPost, "", "Action=GetCallerIdentity&Version=2011-06-15", "", 403,
			[]string{"<Code>MissingAuthenticationToken</Code><Message>Request is missing Authentication Token</Message>"}},
		{"no signature", http.MethodPost, "", "Action=GetCallerIdentity&Version=2011-06-15", "AWS4-HMAC-SHA256 Credential=test/x", 400,
			[]string{"<Code>IncompleteSignature</Code>"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), tt.method, srv.URL()+"/?"+tt.query, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d\n%s", resp.StatusCode, tt.wantStatus, b)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "text/xml" {
				t.Errorf("Content-Type = %q, want text/xml", ct)
			}
			for _, w := range tt.wantBody {
				if !strings.Contains(string(b), w) {
					t.Errorf("body = %s\nwant it to contain %s", b, w)
				}
			}
		})
	}
}
