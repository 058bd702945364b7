//! `AuthClientCredentials`: client credentials and their cached token.

use super::arg;
use super::boundary::{guard, guard_or, guard_void};
use super::options::AuthClientOptions;
use super::status::{AuthError, AuthStatus};
use super::token::{copy_token, discard_token, new_token, AuthRefreshTokenResponse};
use crate::credentials::{ClientOptions, OAuth2ClientCredentials};
use std::ffi::{c_char, CString};

/// Client credentials for one token endpoint, with their cached token
/// (opaque).
///
/// Thread-safe: one handle may be used from any number of threads at once
/// (a `const AuthClientCredentials *` may be shared). Freed with
/// `auth_client_credentials_free`, once no other thread uses it.
pub struct AuthClientCredentials {
    inner: OAuth2ClientCredentials,
    token_endpoint: CString,
}

unsafe fn make(
    out: *mut *mut AuthClientCredentials,
    error: *mut *mut AuthError,
    build: impl FnOnce() -> Result<OAuth2ClientCredentials, crate::Error>,
) -> AuthStatus {
    guard(error, || {
        arg::out(out, "out")?;
        let inner = build()?;
        let token_endpoint = CString::new(inner.token_endpoint()).unwrap_or_default();
        arg::give(
            out,
            Box::new(AuthClientCredentials {
                inner,
                token_endpoint,
            }),
        );
        Ok(())
    })
}

/// Makes credentials for `token_endpoint` with default options.
///
/// No request is made yet. The strings are copied. On success `*out`
/// receives a handle that the caller frees with
/// `auth_client_credentials_free`; on failure `*out` is left untouched.
///
/// Returns `AUTH_STATUS_INVALID_ARGUMENT` for a NULL or non-UTF-8 argument,
/// an empty id or secret, or an endpoint that is not https (or http to a
/// loopback host).
#[no_mangle]
pub unsafe extern "C" fn auth_client_credentials_new(
    client_id: *const c_char,
    client_secret: *const c_char,
    token_endpoint: *const c_char,
    out: *mut *mut AuthClientCredentials,
    error: *mut *mut AuthError,
) -> AuthStatus {
    auth_client_credentials_new_with_options(
        client_id,
        client_secret,
        token_endpoint,
        std::ptr::null(),
        out,
        error,
    )
}

/// Like `auth_client_credentials_new`, with `options` (NULL for defaults).
///
/// The options are copied: they may be freed or changed afterwards without
/// affecting the handle. Also returns `AUTH_STATUS_INVALID_ARGUMENT` when
/// the CA file of the options cannot be read.
#[no_mangle]
pub unsafe extern "C" fn auth_client_credentials_new_with_options(
    client_id: *const c_char,
    client_secret: *const c_char,
    token_endpoint: *const c_char,
    options: *const AuthClientOptions,
    out: *mut *mut AuthClientCredentials,
    error: *mut *mut AuthError,
) -> AuthStatus {
    make(out, error, || {
        let client_id = arg::text(client_id, "client_id")?;
        let client_secret = arg::text(client_secret, "client_secret")?;
        let token_endpoint = arg::text(token_endpoint, "token_endpoint")?;
        let defaults = ClientOptions::default();
        let options = options.as_ref().map_or(&defaults, |o| &o.inner);
        OAuth2ClientCredentials::with_options(client_id, client_secret, token_endpoint, options)
    })
}

/// Discovers `issuer_url` (as `auth_fetch_oidc_discovery` does) and makes
/// credentials for its `token_endpoint`.
///
/// `options` may be NULL. Without an explicit auth method, the method is
/// picked from the provider's `token_endpoint_auth_methods_supported`. On
/// success `*out` receives a handle freed with
/// `auth_client_credentials_free`. Returns the statuses of
/// `auth_client_credentials_new_with_options` and of
/// `auth_fetch_oidc_discovery`.
#[no_mangle]
pub unsafe extern "C" fn auth_client_credentials_from_issuer(
    issuer_url: *const c_char,
    client_id: *const c_char,
    client_secret: *const c_char,
    options: *const AuthClientOptions,
    out: *mut *mut AuthClientCredentials,
    error: *mut *mut AuthError,
) -> AuthStatus {
    make(out, error, || {
        let issuer_url = arg::text(issuer_url, "issuer_url")?;
        let client_id = arg::text(client_id, "client_id")?;
        let client_secret = arg::text(client_secret, "client_secret")?;
        let defaults = ClientOptions::default();
        let options = options.as_ref().map_or(&defaults, |o| &o.inner);
        OAuth2ClientCredentials::from_issuer(issuer_url, client_id, client_secret, options)
    })
}

/// Gets a valid access token: the cached one while it does not expire
/// within the refresh margin, else a new one, fetched once however many
/// threads ask at the same time. `force_refresh` fetches a new one whatever
/// the cache holds (a call made while a fetch is in flight receives that
/// fetch's new token).
///
/// On success `*out` receives a token that the caller frees with
/// `auth_refresh_token_response_free`. When a refresh fails while the
/// cached token has not yet expired, an unforced call returns that token
/// and OK. Safe to call from any number of threads at once.
///
/// Returns `AUTH_STATUS_INVALID_ARGUMENT` (NULL handle or out-pointer),
/// `AUTH_STATUS_TRANSPORT`, `AUTH_STATUS_HTTP`, `AUTH_STATUS_OAUTH` or
/// `AUTH_STATUS_INVALID_RESPONSE`.
#[no_mangle]
pub unsafe extern "C" fn auth_client_credentials_get_token(
    credentials: *const AuthClientCredentials,
    force_refresh: bool,
    out: *mut *mut AuthRefreshTokenResponse,
    error: *mut *mut AuthError,
) -> AuthStatus {
    guard(error, || {
        let credentials = arg::object(credentials, "credentials")?;
        arg::out(out, "out")?;

        // The cached path copies the token's byte image under a sequence
        // lock: no lock taken, no shared memory written, one allocation.
        if !force_refresh {
            if let Some(token) = credentials.inner.copy_cached(copy_token, discard_token) {
                *out = token;
                return Ok(());
            }
        }
        let token = credentials.inner.with_token(force_refresh, new_token)?;

        *out = token;
        Ok(())
    })
}

/// The token endpoint of the handle: the one given, or the one discovered.
///
/// Valid until the handle is freed; must not be freed. NULL when
/// `credentials` is NULL. Safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn auth_client_credentials_token_endpoint(
    credentials: *const AuthClientCredentials,
) -> *const c_char {
    guard_or(std::ptr::null(), || {
        credentials
            .as_ref()
            .map_or(std::ptr::null(), |c| c.token_endpoint.as_ptr())
    })
}

/// Frees credentials and their cached token, zeroing the secret and the
/// token. NULL is a no-op. No other thread may be using the handle.
#[no_mangle]
pub unsafe extern "C" fn auth_client_credentials_free(credentials: *mut AuthClientCredentials) {
    guard_void(|| {
        if !credentials.is_null() {
            drop(Box::from_raw(credentials));
        }
    })
}
