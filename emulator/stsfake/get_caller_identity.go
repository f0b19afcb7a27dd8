package stsfake

// GetCallerIdentity.
//
// Matches AWS: the answer names the account, user ID and ARN of the
// credentials the request was signed with; for credentials AssumeRole issued
// those are the role's account, AROA...:SESSION and
// arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION, and expired ones are
// refused with ExpiredToken (in authenticate, as for every action).
// Differs: any other access key is taken as the root user of the account set
// with WithAccountID (UserId the account, Arn arn:aws:iam::ACCOUNT:root), as
// LocalStack does; AWS would refuse a key it does not know with
// InvalidClientTokenId.

import (
	"encoding/xml"
	"net/url"
	"time"
)

type getCallerIdentityResult struct {
	XMLName xml.Name `xml:"GetCallerIdentityResult"`
	Arn     string   `xml:"Arn"`
	UserID  string   `xml:"UserId"`
	Account string   `xml:"Account"`
}

func getCallerIdentity(s *Server, _ url.Values, caller *session, _ time.Time) (any, *Error) {
	if caller != nil {
		return getCallerIdentityResult{Arn: caller.arn(), UserID: caller.roleID + ":" + caller.name, Account: caller.account}, nil
	}
	return getCallerIdentityResult{Arn: "arn:aws:iam::" + s.cfg.AccountID + ":root", UserID: s.cfg.AccountID, Account: s.cfg.AccountID}, nil
}
