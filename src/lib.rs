//! OAuth 2.0 access tokens by the client credentials grant (RFC 6749
//! section 4.4), cached and shared between threads, and OpenID Connect
//! discovery — for Rust, and for C, C++, Go and Swift through the C API in
//! [`ffi`] (header `include/auth.h`).
//!
//! ```no_run
//! let credentials = auth::OAuth2ClientCredentials::new(
//!     "my-client", "my-secret", "https://idp.example/oauth2/token")?;
//! let token = credentials.get_token(false)?;
//! println!("{} until {}", token.token_type(), token.expires_at());
//! # Ok::<(), auth::Error>(())
//! ```
//!
//! A token is reused while it does not expire within the refresh margin
//! (300 s by default); one request serves every thread that needs a new one.
#![warn(missing_docs)]

mod cache;
mod clock;
mod credentials;
mod discovery;
mod endpoint;
mod error;
mod form;
mod http;
mod jwt;
mod log;
mod response;
mod secret;
mod snapshot;
mod sync;

pub mod ffi;

#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;

pub use clock::{Clock, ManualClock};
pub use credentials::{
    ClientAuthMethod, ClientOptions, OAuth2ClientCredentials, RefreshTokenResponse, TokenData,
    DEFAULT_REFRESH_MARGIN, DEFAULT_TIMEOUT,
};
pub use discovery::{
    fetch_oidc_discovery, fetch_oidc_discovery_with_options, OidcDiscoveryMetadata,
};
pub use error::{Error, ErrorKind};
pub use log::{set_logger, LogLevel, Logger};
pub use secret::SecretString;
