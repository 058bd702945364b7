package auth

// #cgo pkg-config: auth
// #include <auth.h>
import "C"

import (
	"errors"
	"fmt"
)

// Status is the kind of a failure, the library's AuthStatus. It is an error
// itself, so errors.Is(err, auth.StatusOAuth) tells the kind of any error
// this package returns.
type Status int

// The values of AuthStatus.
const (
	StatusOK              Status = C.AUTH_STATUS_OK
	StatusInvalidArgument Status = C.AUTH_STATUS_INVALID_ARGUMENT
	StatusTransport       Status = C.AUTH_STATUS_TRANSPORT
	StatusHTTP            Status = C.AUTH_STATUS_HTTP
	StatusOAuth           Status = C.AUTH_STATUS_OAUTH
	StatusInvalidResponse Status = C.AUTH_STATUS_INVALID_RESPONSE
	StatusDiscovery       Status = C.AUTH_STATUS_DISCOVERY
	StatusInternal        Status = C.AUTH_STATUS_INTERNAL
)

// String returns the C name of the status, e.g. "AUTH_STATUS_OAUTH".
func (s Status) String() string {
	return C.GoString(C.auth_status_name(C.uint32_t(s)))
}

// Error returns the same text as String.
func (s Status) Error() string { return s.String() }

// Error is the detail of a failed call. Retrieve it with errors.As:
//
//	var e *auth.Error
//	if errors.As(err, &e) && e.OAuthError == "invalid_client" { ... }
//
// It wraps its Status, so errors.Is(err, auth.StatusTransport) works too.
// No field ever holds a secret or an access token.
type Error struct {
	// Status is the kind of failure.
	Status Status
	// Message is one line for a person.
	Message string
	// OAuthError is the OAuth "error" code, e.g. "invalid_client"; empty
	// unless Status is StatusOAuth.
	OAuthError string
	// OAuthErrorDescription is the server's "error_description", if any.
	OAuthErrorDescription string
	// HTTPStatus is the status of the HTTP response; 0 when none was read.
	HTTPStatus int
}

func (e *Error) Error() string {
	return "auth: " + e.Message + " (" + e.Status.String() + ")"
}

// Unwrap returns the Status.
func (e *Error) Unwrap() error { return e.Status }

// ErrClosed is returned by the methods of a Client after Close.
var ErrClosed = errors.New("auth: client is closed")

// takeError converts and frees an error the C library returned.
func takeError(status uint32, cerr *C.AuthError) error {
	if cerr == nil {
		// Only happens when memory for the error could not be allocated.
		return &Error{Status: Status(status), Message: "no detail available"}
	}
	defer C.auth_error_free(cerr)

	e := &Error{
		Status:     Status(cerr.status),
		Message:    C.GoString(cerr.message),
		HTTPStatus: int(cerr.http_status),
	}
	if cerr.oauth_error != nil {
		e.OAuthError = C.GoString(cerr.oauth_error)
	}
	if cerr.oauth_error_description != nil {
		e.OAuthErrorDescription = C.GoString(cerr.oauth_error_description)
	}
	return e
}

// invalidArgument is an error found before reaching the C library.
func invalidArgument(format string, args ...any) error {
	return &Error{Status: StatusInvalidArgument, Message: fmt.Sprintf(format, args...)}
}
