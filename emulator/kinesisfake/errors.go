package kinesisfake

import (
	"fmt"
	"net/http"
)

// The AWS error codes the server answers with. Each is rendered with the
// HTTP status AWS uses for it by writeError.
const (
	codeResourceNotFound         = "ResourceNotFoundException"
	codeResourceInUse            = "ResourceInUseException"
	codeInvalidArgument          = "InvalidArgumentException"
	codeExpiredIterator          = "ExpiredIteratorException"
	codeExpiredNextToken         = "ExpiredNextTokenException"
	codeLimitExceeded            = "LimitExceededException"
	codeProvisionedThroughput    = "ProvisionedThroughputExceededException"
	codeValidation               = "ValidationException"
	codeSerialization            = "SerializationException"
	codeUnknownOperation         = "UnknownOperationException"
	codeAccessDenied             = "AccessDeniedException"
	codeInternalFailure          = "InternalFailure"
	codeRequestEntityTooLarge    = "RequestEntityTooLargeException"
	codeUnsupportedMediaType     = "UnsupportedMediaTypeException"
	codeKMSInvalidState          = "KMSInvalidStateException"
	codeInvalidSignature         = "InvalidSignatureException"
	codeMissingAuthenticationTok = "MissingAuthenticationTokenException"
	codeIncompleteSignature      = "IncompleteSignatureException"
)

// statusOf is the HTTP status AWS answers each code with.
var statusOf = map[string]int{
	codeResourceNotFound:         http.StatusBadRequest,
	codeResourceInUse:            http.StatusBadRequest,
	codeInvalidArgument:          http.StatusBadRequest,
	codeExpiredIterator:          http.StatusBadRequest,
	codeExpiredNextToken:         http.StatusBadRequest,
	codeLimitExceeded:            http.StatusBadRequest,
	codeProvisionedThroughput:    http.StatusBadRequest,
	codeValidation:               http.StatusBadRequest,
	codeSerialization:            http.StatusBadRequest,
	codeUnknownOperation:         http.StatusBadRequest,
	codeAccessDenied:             http.StatusBadRequest,
	codeInternalFailure:          http.StatusInternalServerError,
	codeRequestEntityTooLarge:    http.StatusRequestEntityTooLarge,
	codeUnsupportedMediaType:     http.StatusUnsupportedMediaType,
	codeKMSInvalidState:          http.StatusBadRequest,
	codeInvalidSignature:         http.StatusBadRequest,
	codeMissingAuthenticationTok: http.StatusBadRequest,
	codeIncompleteSignature:      http.StatusBadRequest,
}

// apiError is an AWS error answer: its code, HTTP status and message.
type apiError struct {
	Code    string
	Status  int
	Message string
	// noMessage leaves the message out of the body, as AWS does for an
	// unknown operation or a body that is not JSON.
	noMessage bool
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

// newError builds an apiError with the status AWS uses for code.
func newError(code, format string, args ...any) *apiError {
	st, ok := statusOf[code]
	if !ok {
		st = http.StatusBadRequest
	}
	return &apiError{Code: code, Status: st, Message: fmt.Sprintf(format, args...)}
}

// Shorthands for the common answers; messages follow AWS's wording.

// errUnknownOperation answers a missing or unknown X-Amz-Target.
var errUnknownOperation = &apiError{Code: codeUnknownOperation, Status: http.StatusBadRequest, noMessage: true}

// errSerialization answers a body that cannot be read as the operation's
// input; an empty msg sends no message, as AWS does for a body that is not
// JSON at all.
func errSerialization(msg string) *apiError {
	return &apiError{Code: codeSerialization, Status: http.StatusBadRequest, Message: msg, noMessage: msg == ""}
}

func errNotFound(kind, name, account string) *apiError {
	return newError(codeResourceNotFound, "%s %s under account %s not found.", kind, name, account)
}

func errStreamNotFound(name, account string) *apiError {
	return errNotFound("Stream", name, account)
}

func errInvalid(format string, args ...any) *apiError {
	return newError(codeInvalidArgument, format, args...)
}

func errInUse(format string, args ...any) *apiError {
	return newError(codeResourceInUse, format, args...)
}

// errValidation words a constraint failure the way AWS's validation layer
// does: which value, at which member, failed which constraint.
func errValidation(member, constraint string, value any) *apiError {
	return newError(codeValidation, "1 validation error detected: Value '%v' at '%s' failed to satisfy constraint: %s", value, member, constraint)
}

func errMissing(member string) *apiError {
	return newError(codeValidation, "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", member)
}

func errThroughput(shardID, stream, account string) *apiError {
	return newError(codeProvisionedThroughput, "Rate exceeded for shard %s in stream %s under account %s.", shardID, stream, account)
}
