//! Gives the shared library a deliberate SONAME.
//!
//! Plain cargo links `libauth.so` without one, so programs would record the
//! bare file name and any later, incompatible release would be loaded in its
//! place. With `libauth.so.<major>` recorded instead, the installed
//! `libauth.so.<version>` and its `libauth.so.<major>` link keep old programs
//! on the ABI they were built for.
//!
//! Export control needs nothing here: for a cdylib rustc already hands the
//! linker a version script that makes global only the `#[no_mangle]` items
//! and everything else (Rust's runtime, the C and assembly of the TLS
//! dependencies) local. A second version script would not narrow that list
//! (lld lets rustc's explicit names win over a wildcard) and GNU ld refuses
//! two anonymous version scripts outright. The CTest test
//! `shared_library_exports_only_auth_symbols` checks the result instead.

use std::env;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");

    // `-soname` is an ELF linker option; Apple and Windows linkers name
    // libraries differently, and nothing there relies on it.
    let os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let family = env::var("CARGO_CFG_TARGET_FAMILY").unwrap_or_default();
    let elf = family.split(',').any(|f| f == "unix") && !matches!(os.as_str(), "macos" | "ios");
    if !elf {
        return;
    }

    // Within 0.x the major number stays 0, so every 0.y release shares
    // `libauth.so.0`: bump the major (or this rule) before breaking the ABI.
    let major = env::var("CARGO_PKG_VERSION_MAJOR").expect("cargo sets CARGO_PKG_VERSION_MAJOR");
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libauth.so.{major}");
}
