//! The checked-in C header, `include/mqttws.h`, is exactly what cbindgen
//! generates from `ffi/src` now, and its version macros are Cargo.toml's.
//!
//! `MQTTWS_UPDATE_HEADER=1 cargo test -p mqttws-ffi --test header` (what
//! `make header` runs) rewrites the header instead of comparing.

use std::path::{Path, PathBuf};

fn header_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../include/mqttws.h")
}

/// The version macros, from this crate's (= the workspace's) version.
fn version_macros() -> String {
    format!(
        "\n#define MQTTWS_VERSION_MAJOR {}\n#define MQTTWS_VERSION_MINOR {}\n#define MQTTWS_VERSION_PATCH {}\n#define MQTTWS_VERSION_STRING \"{}\"",
        env!("CARGO_PKG_VERSION_MAJOR"),
        env!("CARGO_PKG_VERSION_MINOR"),
        env!("CARGO_PKG_VERSION_PATCH"),
        env!("CARGO_PKG_VERSION"),
    )
}

/// Runs cbindgen (as a library, at the version pinned in Cargo.toml) on
/// this crate with `ffi/cbindgen.toml`.
fn generate() -> String {
    let crate_dir = env!("CARGO_MANIFEST_DIR");
    let mut config = cbindgen::Config::from_file(Path::new(crate_dir).join("cbindgen.toml"))
        .expect("ffi/cbindgen.toml is readable and valid");
    config.after_includes = Some(version_macros());
    let bindings = cbindgen::Builder::new()
        .with_crate(crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header");
    let mut out = Vec::new();
    bindings.write(&mut out);
    String::from_utf8(out).expect("the header is UTF-8")
}

#[test]
fn checked_in_header_matches_what_cbindgen_generates() {
    let generated = generate();
    let path = header_path();
    if std::env::var_os("MQTTWS_UPDATE_HEADER").is_some_and(|v| v == "1") {
        std::fs::write(&path, &generated).expect("include/mqttws.h is writable");
        eprintln!("wrote {}", path.display());
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    if checked_in != generated {
        let first_diff = checked_in
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| checked_in.lines().count().min(generated.lines().count()));
        panic!(
            "include/mqttws.h is out of date (first difference at line {}): run `make header` and commit it",
            first_diff + 1
        );
    }
}

/// Reads `#define NAME value` from the checked-in header.
fn define(header: &str, name: &str) -> String {
    let prefix = format!("#define {name} ");
    let line = header
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("include/mqttws.h has no {name}"));
    line[prefix.len()..].trim().to_owned()
}

#[test]
fn header_version_macros_equal_the_cargo_version() {
    let header = std::fs::read_to_string(header_path()).expect("include/mqttws.h exists");
    // The workspace Cargo.toml is the source of truth; this crate inherits it.
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml"))
            .expect("the workspace Cargo.toml is readable");
    let version = manifest
        .split("[workspace.package]")
        .nth(1)
        .and_then(|s| s.lines().find(|l| l.trim_start().starts_with("version")))
        .and_then(|l| l.split('"').nth(1))
        .expect("[workspace.package] has a version");
    assert_eq!(version, env!("CARGO_PKG_VERSION"));
    let mut parts = version.split('.');
    for name in [
        "MQTTWS_VERSION_MAJOR",
        "MQTTWS_VERSION_MINOR",
        "MQTTWS_VERSION_PATCH",
    ] {
        assert_eq!(define(&header, name), parts.next().unwrap(), "{name}");
    }
    assert_eq!(
        define(&header, "MQTTWS_VERSION_STRING"),
        format!("\"{version}\"")
    );
}
