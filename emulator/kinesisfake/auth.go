package kinesisfake

// Credentials.
//
// Matches AWS: a request with neither an Authorization header nor
// X-Amz-Algorithm query parameters is MissingAuthenticationTokenException
// ("Missing Authentication Token"); an Authorization header without its
// Credential, Signature or SignedHeaders parameters, or a request without
// X-Amz-Date or Date, is IncompleteSignatureException listing each missing
// part; presigned query parameters are checked the same way; both forms at
// once are InvalidSignatureException. The check comes after the body is read
// and before the operation's validation, as on AWS.
// Differs: signatures are not verified, and any access key is accepted.

import (
	"net/http"
	"strings"
)

// signed reports whether r carries credentials in either form.
func signed(r *http.Request) bool {
	return r.Header.Get("Authorization") != "" || (r.URL.RawQuery != "" && r.URL.Query().Has("X-Amz-Algorithm"))
}

// checkAuth checks that r carries complete (not necessarily valid) credentials.
func checkAuth(r *http.Request) *apiError {
	auth := r.Header.Get("Authorization")
	presigned := r.URL.RawQuery != "" && r.URL.Query().Has("X-Amz-Algorithm")
	switch {
	case auth != "" && presigned:
		return newError(codeInvalidSignature, "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.")
	case presigned:
		q := r.URL.Query()
		var msg strings.Builder
		for _, p := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"} {
			if q.Get(p) == "" {
				msg.WriteString("AWS query-string parameters must include '" + p + "'. ")
			}
		}
		if msg.Len() > 0 {
			return newError(codeIncompleteSignature, "%sRe-examine the query-string parameters.", msg.String())
		}
		return nil
	case auth != "":
		return checkAuthHeader(r, auth)
	}
	return newError(codeMissingAuthenticationTok, "Missing Authentication Token")
}

// checkAuthHeader checks that a SigV4 Authorization header names its
// credential, signature and signed headers, and that the request is dated.
func checkAuthHeader(r *http.Request, auth string) *apiError {
	var hasCred, hasSig, hasSigned bool
	_, params, _ := strings.Cut(auth, " ")
	for _, f := range strings.FieldsFunc(params, func(c rune) bool { return c == ' ' || c == ',' }) {
		k, v, ok := strings.Cut(f, "=")
		if !ok || v == "" {
			continue
		}
		switch k {
		case "Credential":
			hasCred = true
		case "Signature":
			hasSig = true
		case "SignedHeaders":
			hasSigned = true
		}
	}
	dated := r.Header.Get("X-Amz-Date") != "" || r.Header.Get("Date") != ""
	if hasCred && hasSig && hasSigned && dated {
		return nil
	}
	var msg strings.Builder
	for _, m := range []struct {
		ok   bool
		text string
	}{
		{hasCred, "Authorization header requires 'Credential' parameter. "},
		{hasSig, "Authorization header requires 'Signature' parameter. "},
		{hasSigned, "Authorization header requires 'SignedHeaders' parameter. "},
		{dated, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "},
	} {
		if !m.ok {
			msg.WriteString(m.text)
		}
	}
	return newError(codeIncompleteSignature, "%sAuthorization=%s", msg.String(), auth)
}
