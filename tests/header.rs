//! The committed `include/auth.h` is what the pinned cbindgen generates from
//! the sources, and its version macros agree with Cargo.toml.
//!
//! `AUTH_UPDATE_HEADER=1 cargo test --test header` rewrites the header.

use std::path::Path;

fn generate() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(root.join("cbindgen.toml")).expect("cbindgen.toml");
    let mut out = Vec::new();
    cbindgen::Builder::new()
        .with_crate(root)
        .with_config(config)
        .generate()
        .expect("cbindgen runs")
        .write(&mut out);
    String::from_utf8(out).expect("header is UTF-8")
}

#[test]
fn committed_header_matches_cbindgen_output() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("include/auth.h");
    let generated = generate();
    if std::env::var_os("AUTH_UPDATE_HEADER").is_some() {
        std::fs::write(&path, &generated).expect("write include/auth.h");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "include/auth.h differs from cbindgen's output; regenerate with \
         AUTH_UPDATE_HEADER=1 cargo test --test header"
    );
}

#[test]
fn header_version_macros_match_cargo_toml() {
    let header =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("include/auth.h"))
            .expect("include/auth.h");
    let version = env!("CARGO_PKG_VERSION");
    let parts: Vec<&str> = version.split('.').collect();
    for (name, value) in [
        ("AUTH_VERSION_MAJOR", parts[0].to_string()),
        ("AUTH_VERSION_MINOR", parts[1].to_string()),
        ("AUTH_VERSION_PATCH", parts[2].to_string()),
        ("AUTH_VERSION", format!("\"{version}\"")),
    ] {
        let line = format!("#define {name} {value}\n");
        assert!(header.contains(&line), "header lacks `{}`", line.trim());
    }
}

#[test]
fn auth_version_reports_the_crate_version() {
    let v = unsafe { std::ffi::CStr::from_ptr(auth::ffi::auth_version()) };
    assert_eq!(v.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
}
