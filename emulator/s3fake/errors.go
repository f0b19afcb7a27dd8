package s3fake

// The S3 errors this emulator answers with, their HTTP statuses and the
// messages AWS puts in the <Error> body, defined once and rendered by
// writeError. HEAD requests get the status alone, as from AWS, since a HEAD
// response has no body.

import (
	"encoding/xml"
	"fmt"
	"net/http"
)

// Error is an S3 error answer: an AWS error code, the HTTP status it is sent
// with and a message. BucketName and Key, when set, are echoed in the body as
// AWS does for errors about a bucket or key.
type Error struct {
	Code       string
	Status     int
	Message    string
	BucketName string
	Key        string
	// Header names the request header a NotImplemented answer is about.
	Header string
}

// Error returns the code and message.
func (e *Error) Error() string { return "s3: " + e.Code + ": " + e.Message }

// The error codes the emulator uses. Each is a template: copy it with
// withBucket, withKey or withMessage to fill in details.
var (
	errBadDigest = &Error{Code: "BadDigest", Status: http.StatusBadRequest,
		Message: "The Content-MD5 you specified did not match what we received."}
	errBucketAlreadyOwnedByYou = &Error{Code: "BucketAlreadyOwnedByYou", Status: http.StatusConflict,
		Message: "Your previous request to create the named bucket succeeded and you already own it."}
	errBucketNotEmpty = &Error{Code: "BucketNotEmpty", Status: http.StatusConflict,
		Message: "The bucket you tried to delete is not empty"}
	errEntityTooSmall = &Error{Code: "EntityTooSmall", Status: http.StatusBadRequest,
		Message: "Your proposed upload is smaller than the minimum allowed object size."}
	errEntityTooLarge = &Error{Code: "EntityTooLarge", Status: http.StatusBadRequest,
		Message: "Your proposed upload exceeds the maximum allowed object size."}
	errIncompleteBody = &Error{Code: "IncompleteBody", Status: http.StatusBadRequest,
		Message: "You did not provide the number of bytes specified by the Content-Length HTTP header."}
	errInternal = &Error{Code: "InternalError", Status: http.StatusInternalServerError,
		Message: "We encountered an internal error. Please try again."}
	errInvalidArgument = &Error{Code: "InvalidArgument", Status: http.StatusBadRequest,
		Message: "Invalid Argument"}
	errInvalidBucketName = &Error{Code: "InvalidBucketName", Status: http.StatusBadRequest,
		Message: "The specified bucket is not valid."}
	errInvalidDigest = &Error{Code: "InvalidDigest", Status: http.StatusBadRequest,
		Message: "The Content-MD5 you specified is not valid."}
	errInvalidPart = &Error{Code: "InvalidPart", Status: http.StatusBadRequest,
		Message: "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag."}
	errInvalidPartNumber = &Error{Code: "InvalidPartNumber", Status: http.StatusRequestedRangeNotSatisfiable,
		Message: "The requested partnumber is not satisfiable"}
	errInvalidPartOrder = &Error{Code: "InvalidPartOrder", Status: http.StatusBadRequest,
		Message: "The list of parts was not in ascending order. Parts must be ordered by part number."}
	errInvalidRange = &Error{Code: "InvalidRange", Status: http.StatusRequestedRangeNotSatisfiable,
		Message: "The requested range is not satisfiable"}
	errInvalidRequest = &Error{Code: "InvalidRequest", Status: http.StatusBadRequest,
		Message: "Invalid Request"}
	errKeyTooLong = &Error{Code: "KeyTooLongError", Status: http.StatusBadRequest,
		Message: "Your key is too long"}
	errMalformedXML = &Error{Code: "MalformedXML", Status: http.StatusBadRequest,
		Message: "The XML you provided was not well-formed or did not validate against our published schema"}
	errMethodNotAllowed = &Error{Code: "MethodNotAllowed", Status: http.StatusMethodNotAllowed,
		Message: "The specified method is not allowed against this resource."}
	errNoSuchBucket = &Error{Code: "NoSuchBucket", Status: http.StatusNotFound,
		Message: "The specified bucket does not exist"}
	errNoSuchKey = &Error{Code: "NoSuchKey", Status: http.StatusNotFound,
		Message: "The specified key does not exist."}
	errNoSuchUpload = &Error{Code: "NoSuchUpload", Status: http.StatusNotFound,
		Message: "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."}
	errNotImplemented = &Error{Code: "NotImplemented", Status: http.StatusNotImplemented,
		Message: "A header or query you provided implies functionality that is not implemented."}
	errInvalidStorageClass = &Error{Code: "InvalidStorageClass", Status: http.StatusBadRequest,
		Message: "The storage class you specified is not valid"}
	errInvalidObjectState = &Error{Code: "InvalidObjectState", Status: http.StatusForbidden,
		Message: "The operation is not valid for the object's storage class"}
	errPreconditionFailed = &Error{Code: "PreconditionFailed", Status: http.StatusPreconditionFailed,
		Message: "At least one of the pre-conditions you specified did not hold"}
)

func (e *Error) withBucket(b string) *Error {
	c := *e
	c.BucketName = b
	return &c
}

func (e *Error) withKey(k string) *Error {
	c := *e
	c.Key = k
	return &c
}

func (e *Error) withHeader(name string) *Error {
	c := *e
	c.Header = name
	return &c
}

func (e *Error) withMessage(format string, args ...any) *Error {
	c := *e
	c.Message = fmt.Sprintf(format, args...)
	return &c
}

type errorBody struct {
	XMLName    xml.Name `xml:"Error"`
	Code       string   `xml:"Code"`
	Message    string   `xml:"Message"`
	BucketName string   `xml:"BucketName,omitempty"`
	Key        string   `xml:"Key,omitempty"`
	Header     string   `xml:"Header,omitempty"`
	RequestID  string   `xml:"RequestId"`
	HostID     string   `xml:"HostId"`
}

// writeError renders e as AWS does: the status, and for anything but HEAD an
// XML <Error> body carrying the request ID that is also in the headers.
func writeError(w http.ResponseWriter, r *http.Request, e *Error) {
	status := e.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	h := w.Header()
	// Drop headers set for a success that did not happen.
	for _, k := range []string{"ETag", "Last-Modified", "Content-Range", "Accept-Ranges"} {
		h.Del(k)
	}
	if r.Method == http.MethodHead {
		h.Set("Content-Length", "0")
		w.WriteHeader(status)
		return
	}
	body, err := xml.Marshal(errorBody{
		Code: e.Code, Message: e.Message, BucketName: e.BucketName, Key: e.Key, Header: e.Header,
		RequestID: h.Get("X-Amz-Request-Id"), HostID: h.Get("X-Amz-Id-2"),
	})
	if err != nil {
		body = []byte("<Error><Code>InternalError</Code></Error>")
	}
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", fmt.Sprint(len(xml.Header)+len(body)))
	w.WriteHeader(status)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(body)
}
