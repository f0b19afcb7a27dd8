package expr

import "fmt"

// awsError is an error whose text is exactly the message DynamoDB puts in
// its ValidationException.
type awsError struct{ msg string }

func (e *awsError) Error() string { return e.msg }

func errorf(format string, args ...any) error {
	return &awsError{msg: fmt.Sprintf(format, args...)}
}
