package auth

// #cgo pkg-config: auth
// #include <auth.h>
import "C"

import (
	"math"
	"time"
)

// AuthMethod is how the client authenticates to the token endpoint.
type AuthMethod uint32

const (
	// ClientSecretBasic sends the form-encoded id and secret with HTTP
	// Basic (RFC 6749 section 2.3.1). The default.
	ClientSecretBasic AuthMethod = C.AUTH_METHOD_CLIENT_SECRET_BASIC
	// ClientSecretPost sends client_id and client_secret as form fields.
	ClientSecretPost AuthMethod = C.AUTH_METHOD_CLIENT_SECRET_POST
	// ClientSecretBasicRaw sends HTTP Basic without form-encoding, for
	// servers that never decode it.
	ClientSecretBasicRaw AuthMethod = C.AUTH_METHOD_CLIENT_SECRET_BASIC_RAW
)

// An Option changes how a client requests tokens.
type Option func(*options) error

// options wraps the C options an Option changes.
type options struct{ c *C.AuthClientOptions }

// WithScope sets the space-delimited scopes to request; "" requests none.
func WithScope(scope string) Option {
	return func(o *options) error {
		return withText("scope", scope, func(s *C.char, e **C.AuthError) uint32 {
			return C.auth_client_options_set_scope(o.c, s, e)
		})
	}
}

// WithAudience sets the "audience" form field some providers require.
func WithAudience(audience string) Option {
	return func(o *options) error {
		return withText("audience", audience, func(s *C.char, e **C.AuthError) uint32 {
			return C.auth_client_options_set_audience(o.c, s, e)
		})
	}
}

// WithParameter adds a form field sent with every token request, such as
// "resource" (RFC 8707). It may be given more than once.
func WithParameter(name, value string) Option {
	return func(o *options) error {
		cname, err := cString("parameter name", name)
		if err != nil {
			return err
		}
		defer freeCString(cname)
		return withText("parameter value", value, func(s *C.char, e **C.AuthError) uint32 {
			return C.auth_client_options_add_parameter(o.c, cname, s, e)
		})
	}
}

// WithAuthMethod sets the client authentication method. Without it a
// client from NewClientCredentialsFromIssuer uses the method the provider
// lists, and one from NewClientCredentials uses ClientSecretBasic.
func WithAuthMethod(method AuthMethod) Option {
	return func(o *options) error {
		return check(func(e **C.AuthError) uint32 {
			return C.auth_client_options_set_auth_method(o.c, C.uint32_t(method), e)
		})
	}
}

// WithTimeout sets the total time one token request (or discovery) may
// take, retries included; 30 s by default. It must be positive; it is
// rounded up to whole milliseconds.
func WithTimeout(timeout time.Duration) Option {
	return func(o *options) error {
		if timeout <= 0 {
			return invalidArgument("timeout must be positive, got %v", timeout)
		}
		ms := (timeout + time.Millisecond - 1) / time.Millisecond
		if ms > math.MaxUint32 {
			ms = math.MaxUint32
		}
		return check(func(e **C.AuthError) uint32 {
			return C.auth_client_options_set_timeout_ms(o.c, C.uint32_t(ms), e)
		})
	}
}

// WithRefreshMargin sets how long before it expires a cached token is
// renewed (300 s by default; whole seconds, rounded down). A token that
// lives less than twice the margin is renewed after half its life.
func WithRefreshMargin(margin time.Duration) Option {
	return func(o *options) error {
		if margin < 0 {
			return invalidArgument("refresh margin must not be negative, got %v", margin)
		}
		s := margin / time.Second
		if s > math.MaxUint32 {
			s = math.MaxUint32
		}
		return check(func(e **C.AuthError) uint32 {
			return C.auth_client_options_set_refresh_margin_s(o.c, C.uint32_t(s), e)
		})
	}
}

// WithCAFile trusts the certificates of a PEM file instead of the system's
// store. The file is read when the client is made.
func WithCAFile(path string) Option {
	return func(o *options) error {
		return withText("CA file path", path, func(s *C.char, e **C.AuthError) uint32 {
			return C.auth_client_options_set_ca_file(o.c, s, e)
		})
	}
}

// withText passes one string to a setter of the C options.
func withText(name, value string, set func(*C.char, **C.AuthError) uint32) error {
	cvalue, err := cString(name, value)
	if err != nil {
		return err
	}
	defer freeCString(cvalue)

	return check(func(e **C.AuthError) uint32 { return set(cvalue, e) })
}

// check runs one call of the C API that reports through an AuthError and
// turns its failure into an error.
func check(call func(**C.AuthError) uint32) error {
	var cerr *C.AuthError
	if st := call(&cerr); st != C.AUTH_STATUS_OK {
		return takeError(st, cerr)
	}
	return nil
}

// newOptions builds C options from opts; the caller frees them with
// C.auth_client_options_free.
func newOptions(opts []Option) (*C.AuthClientOptions, error) {
	o := C.auth_client_options_new()
	if o == nil {
		return nil, &Error{Status: StatusInternal, Message: "out of memory for options"}
	}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&options{o}); err != nil {
			C.auth_client_options_free(o)
			return nil, err
		}
	}
	return o, nil
}
