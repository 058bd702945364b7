//! The C API: opaque handles, result structs and free functions over the
//! Rust core. `include/auth.h` is generated from these modules by cbindgen.
//!
//! Every exported function checks its pointer arguments with the helpers in
//! `arg`, runs its body inside the panic boundary of `boundary`, and writes
//! its out-pointer only on success (and `*error` only on failure).
#![allow(clippy::missing_safety_doc)]

mod arg;
mod boundary;
mod credentials;
mod discovery;
mod log;
mod options;
mod status;
mod token;

pub use credentials::*;
pub use discovery::*;
pub use log::*;
pub use options::*;
pub use status::*;
pub use token::*;
