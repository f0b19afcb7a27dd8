package stsfake

// The STS errors this emulator answers with, their HTTP statuses and AWS's
// messages, defined once and rendered by writeError in AWS's
// <ErrorResponse> document.

import (
	"encoding/xml"
	"fmt"
	"net/http"
)

// Error is an STS error answer: an AWS error code, the HTTP status it is sent
// with, the fault type (Sender or Receiver) and a message.
type Error struct {
	Code    string
	Status  int
	Type    string
	Message string
}

// Error returns the code and message.
func (e *Error) Error() string { return "sts: " + e.Code + ": " + e.Message }

// The error codes the emulator uses.
const (
	codeValidation          = "ValidationError"
	codeInvalidAction       = "InvalidAction"
	codeMissingAction       = "MissingAction"
	codeInvalidParameter    = "InvalidParameterValue"
	codeExpiredToken        = "ExpiredToken"
	codeMissingAuthToken    = "MissingAuthenticationToken"
	codeIncompleteSignature = "IncompleteSignature"
	codeInternalFailure     = "InternalFailure"
)

// statuses are the HTTP statuses AWS sends each code with.
var statuses = map[string]int{
	codeValidation:          http.StatusBadRequest,
	codeInvalidAction:       http.StatusBadRequest,
	codeMissingAction:       http.StatusBadRequest,
	codeInvalidParameter:    http.StatusBadRequest,
	codeExpiredToken:        http.StatusBadRequest,
	codeMissingAuthToken:    http.StatusForbidden,
	codeIncompleteSignature: http.StatusBadRequest,
	codeInternalFailure:     http.StatusInternalServerError,
}

// ExpiredTokenMessage is the message AWS gives with ExpiredToken.
const ExpiredTokenMessage = "The security token included in the request is expired"

// newError returns an error with code's status and a formatted message.
func newError(code, format string, args ...any) *Error {
	typ := "Sender"
	if statuses[code] >= 500 {
		typ = "Receiver"
	}
	return &Error{Code: code, Status: statuses[code], Type: typ, Message: fmt.Sprintf(format, args...)}
}

// errorResponse is AWS's Query-protocol error document.
type errorResponse struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Error   struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

// writeError renders e as AWS does: text/xml, the status, and an
// ErrorResponse naming the type, code, message and request ID.
func writeError(w http.ResponseWriter, e *Error, requestID string) {
	var doc errorResponse
	doc.Xmlns = Namespace
	doc.Error.Type, doc.Error.Code, doc.Error.Message = e.Type, e.Code, e.Message
	doc.RequestID = requestID
	b, _ := xml.Marshal(doc)
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", requestID)
	w.WriteHeader(e.Status)
	_, _ = w.Write(b)
}
