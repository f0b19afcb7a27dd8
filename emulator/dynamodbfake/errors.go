package dynamodbfake

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/streamcheck/streamcheck/emulator/dynamodbfake/internal/expr"
)

// The AWS error codes the server answers with. writeError renders each as
// AWS does: the HTTP status below and a JSON body whose __type is the code
// behind DynamoDB's namespace, "com.amazonaws.dynamodb.v20120810#".
const (
	codeValidation              = "ValidationException"
	codeResourceNotFound        = "ResourceNotFoundException"
	codeResourceInUse           = "ResourceInUseException"
	codeConditionalCheckFailed  = "ConditionalCheckFailedException"
	codeTransactionCanceled     = "TransactionCanceledException"
	codeTransactionConflict     = "TransactionConflictException"
	codeIdempotentMismatch      = "IdempotentParameterMismatchException"
	codeProvisionedThroughput   = "ProvisionedThroughputExceededException"
	codeItemCollectionSizeLimit = "ItemCollectionSizeLimitExceededException"
	codeLimitExceeded           = "LimitExceededException"
	codeSerialization           = "SerializationException"
	codeUnknownOperation        = "UnknownOperationException"
	codeInternalServerError     = "InternalServerError"
	codeServiceUnavailable      = "ServiceUnavailable"
	codeRequestTooLarge         = "RequestEntityTooLarge"
)

// errorNamespace prefixes __type in error bodies, as DynamoDB sends it; the
// SDKs keep the part after '#'.
const errorNamespace = "com.amazonaws.dynamodb.v20120810#"

// statusOf is the HTTP status AWS answers each code with; any code not
// listed is a 400.
var statusOf = map[string]int{
	codeInternalServerError: http.StatusInternalServerError,
	codeServiceUnavailable:  http.StatusServiceUnavailable,
	codeRequestTooLarge:     http.StatusRequestEntityTooLarge,
}

// capitalMessage lists the errors whose body names the message "Message"
// rather than "message" (as DynamoDB's model and service do).
var capitalMessage = map[string]bool{
	codeTransactionCanceled: true,
	codeIdempotentMismatch:  true,
}

// apiError is an AWS error answer: its code, HTTP status, message and, for
// a failed condition or cancelled transaction, the members that come with it.
type apiError struct {
	Code    string
	Status  int
	Message string
	// Item is ConditionalCheckFailedException's item (with
	// ReturnValuesOnConditionCheckFailure ALL_OLD); nil when absent.
	Item expr.Item
	// Reasons are TransactionCanceledException's cancellation reasons.
	Reasons []cancellationReason
}

// cancellationReason is one entry of CancellationReasons.
type cancellationReason struct {
	Code    string
	Message string
	Item    expr.Item
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

// newError builds an apiError with the status AWS uses for code.
func newError(code, format string, args ...any) *apiError {
	st, ok := statusOf[code]
	if !ok {
		st = http.StatusBadRequest
	}
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &apiError{Code: code, Status: st, Message: msg}
}

// Shorthands for the common answers; messages follow AWS's wording.

// errInvalid is a ValidationException with msg as it stands.
func errInvalid(msg string) *apiError {
	return &apiError{Code: codeValidation, Status: http.StatusBadRequest, Message: msg}
}

func errInvalidf(format string, args ...any) *apiError {
	return newError(codeValidation, format, args...)
}

// errParam is AWS's "One or more parameter values were invalid: ..." answer.
func errParam(format string, args ...any) *apiError {
	return newError(codeValidation, "One or more parameter values were invalid: "+format, args...)
}

// errValidation words a constraint failure the way AWS's validation layer
// does: which value, at which member, failed which constraint.
func errValidation(member, constraint string, value any) *apiError {
	return newError(codeValidation, "1 validation error detected: Value '%v' at '%s' failed to satisfy constraint: %s", value, member, constraint)
}

func errMissing(member string) *apiError {
	return newError(codeValidation, "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", member)
}

// errTableNotFound answers a data-plane operation on a table that does not
// exist or is still CREATING, in AWS's current wording (DynamoDB Local says
// "Cannot do operations on a non-existent table" instead).
func errTableNotFound() *apiError {
	return newError(codeResourceNotFound, "Requested resource not found")
}

// errNoTable answers a control-plane operation on a table that does not exist.
func errNoTable(name string) *apiError {
	return newError(codeResourceNotFound, "Requested resource not found: Table: %s not found", name)
}

func errInUse(format string, args ...any) *apiError {
	return newError(codeResourceInUse, format, args...)
}

func errConditionFailed(item expr.Item) *apiError {
	e := newError(codeConditionalCheckFailed, "The conditional request failed")
	e.Item = item
	return e
}

func errThroughput() *apiError {
	return newError(codeProvisionedThroughput, "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.")
}

func errItemTooLarge() *apiError {
	return errInvalid("Item size has exceeded the maximum allowed size")
}

// errExpr turns an error of package expr, whose text is AWS's message, into
// a ValidationException.
func errExpr(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	return errInvalid(err.Error())
}
