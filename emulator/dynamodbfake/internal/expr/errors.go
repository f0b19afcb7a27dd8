package expr

import "fmt"

// awsError is an error whose text is exactly the message DynamoDB puts in
// its ValidationException.
type awsError struct{ msg string }

func (e *awsError) Error() string { return e.msg }

func errorf(format string, args ...any) error {
	return &awsError{msg: fmt.Sprintf(format, args...)}
}

// SerializationError reports an AttributeValue whose JSON does not have
// the shape the protocol requires (a number where a string belongs, a
// string where a list does). AWS answers these with a
// SerializationException rather than a ValidationException; a server can
// tell them apart with errors.As.
type SerializationError struct {
	// Message is the text to send.
	Message string
}

func (e *SerializationError) Error() string { return e.Message }
