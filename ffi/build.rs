//! Gives libmqttws.so the SONAME of its ABI major version, libmqttws.so.<major>
//! (0.1.0 -> libmqttws.so.0), so that programs record that name and keep
//! running when a compatible libmqttws.so.0.x.y replaces the file.
//! `make install` installs libmqttws.so.<version> with the symlinks
//! libmqttws.so.<major> and libmqttws.so.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let major =
        std::env::var("CARGO_PKG_VERSION_MAJOR").expect("cargo sets CARGO_PKG_VERSION_MAJOR");
    if target_os == "linux" {
        println!("cargo::rustc-cdylib-link-arg=-Wl,-soname,libmqttws.so.{major}");
    }
}
