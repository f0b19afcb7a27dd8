package stsfake

// AssumeRole.
//
// Matches AWS: RoleArn (20 to 2048 characters) and RoleSessionName (2 to 64
// of [\w+=,.@-]) are required and DurationSeconds is 900 to 43200, each
// violation reported in one ValidationError as AWS words them; a duration
// past the role's MaxSessionDuration (WithMaxSessionDuration, default one
// hour), or past one hour when the caller is itself an assumed role (role
// chaining), is a ValidationError with AWS's message. The answer carries
// AssumedRoleUser (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION and
// AROA...:SESSION) and Credentials (an ASIA access key, secret, session token
// and Expiration in ISO 8601 UTC), and echoes SourceIdentity. The credentials
// expire DurationSeconds (default 3600) after the call on the server's clock.
// Differs: no IAM: any role ARN of the form arn:PARTITION:iam::ACCOUNT:role/NAME
// can be assumed by anyone (its trust policy is not modelled), ExternalId,
// Policy, PolicyArns, Tags and MFA parameters are accepted and ignored, and
// PackedPolicySize is never returned. A role ARN of another form is a
// ValidationError whose message is streamcheck's.

import (
	"encoding/base32"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

type assumeRoleResult struct {
	XMLName         xml.Name `xml:"AssumeRoleResult"`
	SourceIdentity  string   `xml:"SourceIdentity,omitempty"`
	AssumedRoleUser struct {
		Arn           string `xml:"Arn"`
		AssumedRoleID string `xml:"AssumedRoleId"`
	} `xml:"AssumedRoleUser"`
	Credentials credentialsXML `xml:"Credentials"`
}

type credentialsXML struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
	Expiration      string `xml:"Expiration"`
}

var sessionNamePattern = regexp.MustCompile(`^[\w+=,.@-]*$`)

// roleARN matches an IAM role ARN: partition, account, path and name.
var roleARN = regexp.MustCompile(`^arn:(aws[a-z-]*):iam::(\d{12}):role/(?:[\x21-\x7e]*/)?([\w+=,.@-]{1,64})$`)

func assumeRole(s *Server, form url.Values, caller *session, now time.Time) (any, *Error) {
	arn, name := form.Get("RoleArn"), form.Get("RoleSessionName")
	var violations []string
	violate := func(value *string, member, constraint string) {
		v := "null"
		if value != nil {
			v = "'" + *value + "'"
		}
		violations = append(violations, fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: Member must %s", v, member, constraint))
	}
	switch {
	case !form.Has("RoleArn"):
		violate(nil, "roleArn", "not be null")
	case len(arn) < 20:
		violate(&arn, "roleArn", "have length greater than or equal to 20")
	case len(arn) > 2048:
		violate(&arn, "roleArn", "have length less than or equal to 2048")
	}
	switch {
	case !form.Has("RoleSessionName"):
		violate(nil, "roleSessionName", "not be null")
	case len(name) < 2:
		violate(&name, "roleSessionName", "have length greater than or equal to 2")
	case len(name) > 64:
		violate(&name, "roleSessionName", "have length less than or equal to 64")
	case !sessionNamePattern.MatchString(name):
		violate(&name, "roleSessionName", `satisfy regular expression pattern: [\w+=,.@-]*`)
	}
	duration := DefaultSessionDuration
	if d := form.Get("DurationSeconds"); d != "" {
		n, err := strconv.Atoi(d)
		switch {
		case err != nil:
			return nil, newError(codeValidation, "Value '%s' at 'durationSeconds' failed to satisfy constraint: Member must be an integer", d)
		case n < 900:
			violate(&d, "durationSeconds", "have value greater than or equal to 900")
		case n > 43200:
			violate(&d, "durationSeconds", "have value less than or equal to 43200")
		}
		duration = time.Duration(n) * time.Second
	}
	if len(violations) > 0 {
		noun := "error"
		if len(violations) > 1 {
			noun = "errors"
		}
		return nil, newError(codeValidation, "%d validation %s detected: %s", len(violations), noun, strings.Join(violations, "; "))
	}
	m := roleARN.FindStringSubmatch(arn)
	if m == nil {
		return nil, newError(codeValidation, "%s is not a role ARN: want arn:aws:iam::ACCOUNT:role/NAME", arn)
	}
	switch {
	case caller != nil && duration > time.Hour:
		return nil, newError(codeValidation, "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	case duration > s.cfg.maxSession:
		return nil, newError(codeValidation, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	sess := s.issue(m[2], m[3], name, arn, now.Add(duration))
	var out assumeRoleResult
	out.SourceIdentity = form.Get("SourceIdentity")
	out.AssumedRoleUser.Arn = sess.arn()
	out.AssumedRoleUser.AssumedRoleID = sess.roleID + ":" + name
	out.Credentials = credentialsXML{
		AccessKeyID:     sess.accessKeyID,
		SecretAccessKey: sess.secret,
		SessionToken:    sess.token,
		Expiration:      sess.expires.UTC().Format(time.RFC3339),
	}
	return out, nil
}

// keyAlphabet spells access key IDs and role IDs: AWS's are upper-case
// letters and digits.
var keyAlphabet = base32.NewEncoding("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567").WithPadding(base32.NoPadding)

// issue derives a new session's credentials from the seed and records them.
func (s *Server) issue(account, role, name, arn string, expires time.Time) *session {
	n := s.keySerial.Add(1)
	key := s.derive("key", n)
	secret := s.derive("secret", n)
	token := make([]byte, 0, 256)
	for i := uint64(0); i < 8; i++ {
		b := s.derive("token", n<<8|i)
		token = append(token, b[:]...)
	}
	rid := s.derive("role:"+arn, 0)
	sess := &session{
		accessKeyID: "ASIA" + keyAlphabet.EncodeToString(key[:10])[:16],
		secret:      base64.StdEncoding.EncodeToString(secret[:30]),
		token:       "FwoGZXIvYXdzE" + base64.StdEncoding.EncodeToString(token),
		account:     account, role: role, name: name,
		roleID:  "AROA" + keyAlphabet.EncodeToString(rid[:11])[:17],
		expires: expires.Truncate(time.Second),
	}
	s.mu.Lock()
	s.sessions[sess.accessKeyID] = sess
	s.mu.Unlock()
	return sess
}
