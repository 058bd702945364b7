//! `AuthOidcDiscoveryMetadata`: a provider's discovery document.

use super::arg;
use super::boundary::{guard, guard_void};
use super::status::{AuthError, AuthStatus};
use crate::discovery::{fetch_oidc_discovery, OidcDiscoveryMetadata};
use crate::error::Error;
use std::ffi::{c_char, CString};

/// What a provider says of itself: its OpenID Connect discovery metadata.
///
/// Allocated by the library only; freed with
/// `auth_oidc_discovery_metadata_free`. Its strings stay valid until then.
#[repr(C)]
pub struct AuthOidcDiscoveryMetadata {
    /// The issuer identifier as the document states it; never NULL.
    pub issuer: *const c_char,
    /// The token endpoint; never NULL on success.
    pub token_endpoint: *const c_char,
    /// NULL when absent or not a string, likewise below.
    pub authorization_endpoint: *const c_char,
    /// The provider's JSON Web Key Set URL.
    pub jwks_uri: *const c_char,
    /// The UserInfo endpoint.
    pub userinfo_endpoint: *const c_char,
    /// The RFC 7009 revocation endpoint.
    pub revocation_endpoint: *const c_char,
    /// The RFC 7662 introspection endpoint.
    pub introspection_endpoint: *const c_char,
    /// The whole document as received; never NULL.
    pub raw_json: *const c_char,
}

#[repr(C)]
struct OwnedMetadata {
    public: AuthOidcDiscoveryMetadata,
    strings: Vec<CString>,
}

fn to_c(m: &OidcDiscoveryMetadata) -> Result<Box<OwnedMetadata>, Error> {
    let mut strings = Vec::new();
    let mut put = |s: Option<&str>| -> Result<*const c_char, Error> {
        let Some(s) = s else {
            return Ok(std::ptr::null());
        };
        let c = CString::new(s)
            .map_err(|_| Error::discovery("discovery document has a NUL character in a field"))?;
        let p = c.as_ptr();
        strings.push(c);
        Ok(p)
    };
    let public = AuthOidcDiscoveryMetadata {
        issuer: put(Some(m.issuer()))?,
        token_endpoint: put(Some(m.token_endpoint()))?,
        authorization_endpoint: put(m.authorization_endpoint())?,
        jwks_uri: put(m.jwks_uri())?,
        userinfo_endpoint: put(m.userinfo_endpoint())?,
        revocation_endpoint: put(m.revocation_endpoint())?,
        introspection_endpoint: put(m.introspection_endpoint())?,
        raw_json: put(Some(m.raw_json()))?,
    };
    Ok(Box::new(OwnedMetadata { public, strings }))
}

/// Fetches and checks the OpenID Connect discovery document of
/// `issuer_url`: `<issuer>/.well-known/openid-configuration`, or the URL
/// itself when it already ends so, falling back to the RFC 8414 location on
/// 404. The document's `issuer` must match (a trailing slash aside).
///
/// On success `*out` receives metadata the caller frees with
/// `auth_oidc_discovery_metadata_free`. Returns
/// `AUTH_STATUS_INVALID_ARGUMENT`, `AUTH_STATUS_TRANSPORT`,
/// `AUTH_STATUS_HTTP` or `AUTH_STATUS_DISCOVERY`. Safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn auth_fetch_oidc_discovery(
    issuer_url: *const c_char,
    out: *mut *mut AuthOidcDiscoveryMetadata,
    error: *mut *mut AuthError,
) -> AuthStatus {
    guard(error, || {
        let issuer_url = arg::text(issuer_url, "issuer_url")?;
        arg::out(out, "out")?;

        let metadata = fetch_oidc_discovery(issuer_url)?;
        let owned = to_c(&metadata)?;

        *out = Box::into_raw(owned).cast();
        Ok(())
    })
}

/// Frees discovery metadata. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn auth_oidc_discovery_metadata_free(
    metadata: *mut AuthOidcDiscoveryMetadata,
) {
    guard_void(|| {
        if !metadata.is_null() {
            drop(Box::from_raw(metadata.cast::<OwnedMetadata>()));
        }
    })
}
