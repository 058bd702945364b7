package auth

// #cgo pkg-config: auth
// #include <stdlib.h>
// #include <auth.h>
import "C"

import (
	"context"
	"runtime"
	"sync"
	"time"
)

// Token is an access token and what the server said about it.
type Token struct {
	// AccessToken is the token itself: send it, never log it.
	AccessToken string
	// TokenType is as the server sent it, e.g. "Bearer".
	TokenType string
	// Scope is the granted scope; empty when the server sent none.
	Scope string
	// ExpiresAt is when the token expires, reckoned from when the request
	// was sent.
	ExpiresAt time.Time
}

// String describes the token without the access token itself.
func (t Token) String() string {
	return t.TokenType + " token (scope " + quoteOrNone(t.Scope) +
		", expires " + t.ExpiresAt.UTC().Format(time.RFC3339) + ")"
}

// GoString is what %#v prints: the same description, never the token.
//
// LIMITATION: fmt formats a Token held in an unexported field of another
// struct field by field, without calling String or GoString, and
// encoding/json includes AccessToken: keep tokens out of such values.
// Hiding the field would take the plain struct from callers.
func (t Token) GoString() string {
	return "auth.Token{" + t.String() + "}"
}

func quoteOrNone(s string) string {
	if s == "" {
		return "none"
	}
	return `"` + s + `"`
}

// Client holds client credentials for one token endpoint and caches the
// token it gets. It is safe for use by any number of goroutines at once.
type Client struct {
	// mu is held shared by every call into the library and exclusively by
	// Close, so Close never frees the handle under a call in flight.
	mu  sync.RWMutex
	ptr *C.AuthClientCredentials
}

// NewClientCredentials makes a client for tokenEndpoint. No request is made
// yet. The endpoint must be https, or http to a loopback host.
func NewClientCredentials(clientID, clientSecret, tokenEndpoint string, opts ...Option) (*Client, error) {
	cendpoint, err := cString("token endpoint", tokenEndpoint)
	if err != nil {
		return nil, err
	}
	defer freeCString(cendpoint)
	return construct(clientID, clientSecret, opts, func(cid, csecret *C.char, copts *C.AuthClientOptions,
		out **C.AuthClientCredentials, cerr **C.AuthError) uint32 {
		return C.auth_client_credentials_new_with_options(cid, csecret, cendpoint, copts, out, cerr)
	})
}

// NewClientCredentialsFromIssuer discovers issuerURL (as FetchOIDCDiscovery
// does) and makes a client for its token endpoint. Without WithAuthMethod,
// the method is the one the provider lists.
func NewClientCredentialsFromIssuer(ctx context.Context, issuerURL, clientID, clientSecret string, opts ...Option) (*Client, error) {
	discover := func() (*Client, error) {
		cissuer, err := cString("issuer URL", issuerURL)
		if err != nil {
			return nil, err
		}
		defer freeCString(cissuer)
		return construct(clientID, clientSecret, opts, func(cid, csecret *C.char, copts *C.AuthClientOptions,
			out **C.AuthClientCredentials, cerr **C.AuthError) uint32 {
			return C.auth_client_credentials_from_issuer(cissuer, cid, csecret, copts, out, cerr)
		})
	}
	abandon := func(c *Client) { c.Close() }
	return blocking(ctx, discover, abandon)
}

// construct converts the credentials and options to C, runs one of the C
// constructors on them and wraps the handle it makes; every C string and
// the C options are freed again whatever happens.
func construct(clientID, clientSecret string, opts []Option,
	make func(cid, csecret *C.char, copts *C.AuthClientOptions,
		out **C.AuthClientCredentials, cerr **C.AuthError) uint32) (*Client, error) {
	cid, csecret, err := credentialStrings(clientID, clientSecret)
	if err != nil {
		return nil, err
	}
	defer freeCString(cid)
	defer freeCString(csecret)
	copts, err := newOptions(opts)
	if err != nil {
		return nil, err
	}
	defer C.auth_client_options_free(copts)

	var ptr *C.AuthClientCredentials
	var cerr *C.AuthError
	if st := make(cid, csecret, copts, &ptr, &cerr); st != C.AUTH_STATUS_OK {
		return nil, takeError(st, cerr)
	}
	return newClient(ptr), nil
}

func credentialStrings(clientID, clientSecret string) (*C.char, *C.char, error) {
	cid, err := cString("client ID", clientID)
	if err != nil {
		return nil, nil, err
	}
	csecret, err := cString("client secret", clientSecret)
	if err != nil {
		freeCString(cid)
		return nil, nil, err
	}
	return cid, csecret, nil
}

// finalized is called, when not nil, after a finalizer has freed a client.
var finalized func()

func newClient(ptr *C.AuthClientCredentials) *Client {
	c := &Client{ptr: ptr}
	runtime.SetFinalizer(c, func(c *Client) {
		c.Close()
		if finalized != nil {
			finalized()
		}
	})
	return c
}

// Token returns a valid access token: the cached one while it does not
// expire within the refresh margin, else a new one. When a refresh fails
// while the cached token has not yet expired, that token is returned.
// A nil ctx counts as context.Background().
func (c *Client) Token(ctx context.Context) (Token, error) {
	return c.token(ctx, false)
}

// TokenForce fetches a new token whatever the cache holds, and caches it.
func (c *Client) TokenForce(ctx context.Context) (Token, error) {
	return c.token(ctx, true)
}

func (c *Client) token(ctx context.Context, force bool) (Token, error) {
	fetch := func() (Token, error) { return c.getToken(force) }
	return blocking(ctx, fetch, nil)
}

func (c *Client) getToken(force bool) (Token, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.ptr == nil {
		return Token{}, ErrClosed
	}

	var out *C.AuthRefreshTokenResponse
	var cerr *C.AuthError
	st := C.auth_client_credentials_get_token(c.ptr, C.bool(force), &out, &cerr)
	if st != C.AUTH_STATUS_OK {
		return Token{}, takeError(st, cerr)
	}
	defer C.auth_refresh_token_response_free(out)

	return Token{
		AccessToken: C.GoString(out.access_token),
		TokenType:   C.GoString(out.token_type),
		Scope:       goString(out.scope),
		ExpiresAt:   time.Unix(int64(out.expires_at), 0),
	}, nil
}

// TokenEndpoint returns the token endpoint: the one given, or the one
// discovered. It is "" after Close.
func (c *Client) TokenEndpoint() string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.ptr == nil {
		return ""
	}
	return C.GoString(C.auth_client_credentials_token_endpoint(c.ptr))
}

// Close frees the client, its cached token and its copy of the secret,
// after any calls in flight have returned. Later calls return ErrClosed;
// closing again does nothing. It always returns nil.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ptr != nil {
		C.auth_client_credentials_free(c.ptr)
		c.ptr = nil
	}
	runtime.SetFinalizer(c, nil)
	return nil
}

// result is what a blocking call returned.
type result[T any] struct {
	value T
	err   error
}

// blocking runs call, a blocking C call, so that the caller returns as soon
// as ctx ends. abandon, when not nil, releases a result nobody waits for.
//
// LIMITATION: the C library cannot abort a request in flight, so when ctx
// ends first the request runs on in the background until it completes or
// the client's timeout (WithTimeout) expires; a token it brings is cached.
func blocking[T any](ctx context.Context, call func() (T, error), abandon func(T)) (T, error) {
	var zero T
	if ctx == nil {
		ctx = context.Background()
	}
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	if ctx.Done() == nil {
		return call()
	}

	done := make(chan result[T], 1)
	var mu sync.Mutex
	abandoned := false
	go func() {
		v, err := call()
		mu.Lock()
		defer mu.Unlock()
		if !abandoned {
			done <- result[T]{v, err}
		} else if err == nil && abandon != nil {
			abandon(v)
		}
	}()

	select {
	case r := <-done:
		return r.value, r.err
	case <-ctx.Done():
		mu.Lock()
		abandoned = true
		mu.Unlock()
		// A call that finished meanwhile has a result as good as any.
		select {
		case r := <-done:
			return r.value, r.err
		default:
			return zero, ctx.Err()
		}
	}
}
