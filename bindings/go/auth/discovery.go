package auth

// #cgo pkg-config: auth
// #include <auth.h>
import "C"

import "context"

// DiscoveryMetadata is what an OpenID provider says of itself. Optional
// endpoints the document lacks are "".
type DiscoveryMetadata struct {
	Issuer                string
	TokenEndpoint         string
	AuthorizationEndpoint string
	JWKSURI               string
	UserinfoEndpoint      string
	RevocationEndpoint    string
	IntrospectionEndpoint string
	// RawJSON is the whole document as received.
	RawJSON string
}

// FetchOIDCDiscovery fetches and checks the OpenID Connect discovery
// document of issuerURL (falling back to the RFC 8414 location on 404).
// The document's issuer must match issuerURL, a trailing slash aside.
func FetchOIDCDiscovery(ctx context.Context, issuerURL string) (*DiscoveryMetadata, error) {
	fetch := func() (*DiscoveryMetadata, error) {
		cissuer, err := cString("issuer URL", issuerURL)
		if err != nil {
			return nil, err
		}
		defer freeCString(cissuer)

		var out *C.AuthOidcDiscoveryMetadata
		var cerr *C.AuthError
		if st := C.auth_fetch_oidc_discovery(cissuer, &out, &cerr); st != C.AUTH_STATUS_OK {
			return nil, takeError(st, cerr)
		}
		defer C.auth_oidc_discovery_metadata_free(out)

		return &DiscoveryMetadata{
			Issuer:                goString(out.issuer),
			TokenEndpoint:         goString(out.token_endpoint),
			AuthorizationEndpoint: goString(out.authorization_endpoint),
			JWKSURI:               goString(out.jwks_uri),
			UserinfoEndpoint:      goString(out.userinfo_endpoint),
			RevocationEndpoint:    goString(out.revocation_endpoint),
			IntrospectionEndpoint: goString(out.introspection_endpoint),
			RawJSON:               goString(out.raw_json),
		}, nil
	}
	return blocking(ctx, fetch, nil)
}

// Version returns the version of the C library the program runs with.
func Version() string {
	return C.GoString(C.auth_version())
}
