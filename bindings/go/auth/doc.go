// Package auth gets OAuth 2.0 access tokens by the client credentials grant
// (RFC 6749 section 4.4) and reads OpenID Connect discovery documents, through
// the C library libauth.
//
//	client, err := auth.NewClientCredentials("my-client", "my-secret",
//		"https://idp.example/oauth2/token", auth.WithScope("api:read"))
//	if err != nil { ... }
//	defer client.Close()
//	token, err := client.Token(ctx)
//	req.Header.Set("Authorization", token.TokenType+" "+token.AccessToken)
//
// A token is cached in the client and reused while it does not expire within
// the refresh margin (300 s by default); when a new one is needed, one request
// serves every goroutine that asks at the same time.
//
// # Linking
//
// The package finds the library with pkg-config (package "auth"), so install
// libauth first and point pkg-config at it when it is not in a system
// location:
//
//	PKG_CONFIG_PATH=/opt/auth/lib/pkgconfig go build
//	LD_LIBRARY_PATH=/opt/auth/lib ./program
//
// # Goroutines
//
// A *Client is safe for use by any number of goroutines at once, and so are
// FetchOIDCDiscovery and the package-level functions. Errors are right per
// call even though cgo moves goroutines between OS threads: the C library
// returns each error through an out-parameter of the call, never through
// thread-local "last error" state. Close waits for calls in flight and makes
// later calls return ErrClosed. A Client that is never closed is freed by a
// finalizer once it is unreachable, but Close frees it (and wipes the
// client secret held in C memory) at a time of your choosing.
//
// # Contexts
//
// The C calls block. A context that is already done stops a call before it
// starts; one that ends during a call makes the method return ctx.Err() at
// once, while the request itself runs on to completion (bounded by the
// client's timeout, see WithTimeout) and a token it brings is still cached.
//
// # Secrets
//
// The client secret is copied into C memory that the library wipes when the
// client is closed. The Go strings you pass, and the AccessToken of a Token,
// are ordinary Go strings that cannot be wiped. Token's String method leaves
// the access token out, so printing a Token does not leak it.
package auth
