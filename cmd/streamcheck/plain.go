package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/aws/smithy-go"
)

// dialTimeout bounds the checks a command makes before its work (is the
// endpoint there, does the stream or bucket exist), so an endpoint that
// never answers is reported instead of waited on.
var dialTimeout = 10 * time.Second

// plainWords says in a few words why err happened: AWS's error code and
// message when the service answered, else what the network said
// ("connection refused", "no answer within 10s", "no such host").
func plainWords(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		msg := ae.ErrorMessage()
		if msg == "" {
			return ae.ErrorCode()
		}
		return ae.ErrorCode() + ": " + msg
	}
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return "no such host " + dnsErr.Name
	case errors.Is(err, context.DeadlineExceeded):
		return "no answer in time"
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "no answer in time"
	}
	return err.Error()
}

// errorCode is the AWS error code of err, or "".
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// unreachable reports whether err means nothing answered at the endpoint.
func unreachable(err error) bool {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return false
	}
	var ne net.Error
	var dnsErr *net.DNSError
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, context.DeadlineExceeded) ||
		errors.As(err, &dnsErr) || errors.As(err, &ne) && ne.Timeout()
}

// endpointHint is what to do when nothing answers at endpoint.
func endpointHint(endpoint string) string {
	if endpoint == "" {
		return "check the network and the AWS region, or set AWS_ENDPOINT_URL for an emulator"
	}
	if u, err := url.Parse(endpoint); err == nil && (u.Hostname() == "127.0.0.1" || u.Hostname() == "localhost") {
		return "is streamcheck emulate (or LocalStack) running there?"
	}
	return "check the endpoint URL and that the service runs there"
}

// debugError is an error printed in plain words, with the full chain of
// the underlying error kept for --debug.
type debugError struct {
	msg string
	err error
}

func (e *debugError) Error() string { return e.msg }
func (e *debugError) Unwrap() error { return e.err }

// printDebugChain writes err's chain, one wrapped error a line, for --debug.
func printDebugChain(w io.Writer, err error) {
	fmt.Fprintln(w, "error chain (--debug):")
	for i := 0; err != nil; i++ {
		fmt.Fprintf(w, "  %d. %T: %v\n", i, err, err)
		switch u := err.(type) { //nolint:errorlint // walking the chain itself, one link at a time
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			errs := u.Unwrap()
			if len(errs) == 0 {
				return
			}
			err = errs[0]
		default:
			return
		}
	}
}

var codePattern = regexp.MustCompile(`\b[A-Z][A-Za-z]+(Exception|Error|Failure)\b|\b[A-Z][A-Z_]{4,}\b`)

// errorKind sorts a ledger row's error text into a short kind, so that the
// first error of each kind can be shown: an AWS or Kafka error code when the
// text has one, else what the network said.
func errorKind(msg string) string {
	low := strings.ToLower(msg)
	switch {
	case strings.Contains(low, "connection refused"):
		return "connection refused"
	case strings.Contains(low, "deadline exceeded"), strings.Contains(low, "timeout"), strings.Contains(low, "timed out"):
		return "timed out"
	case strings.Contains(low, "no such host"):
		return "no such host"
	}
	if m := codePattern.FindString(msg); m != "" {
		return m
	}
	if len(msg) > 40 {
		return msg[:40]
	}
	return msg
}
