# Cross builds and their tests (make dist-test, make wheel; mk/dist.mk,
# mk/python.mk): Debian's cross gcc for 64-bit and 32-bit ARM (linker and C
# compiler, named in .cargo/config.toml), qemu-user to run what they build
# (called directly as qemu-*-static; no binfmt registration is needed),
# cmake for the CMake example and readelf (binutils) for the ELF checks.
packages+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross gcc-arm-linux-gnueabihf libc6-dev-armhf-cross
  qemu-user-static cmake binutils)
# The Rust standard library for both ARM targets (rustup), once the
# compilers are there.
after_apt() {
  bash "$here/../mk/toolchain.sh" aarch64-unknown-linux-gnu armv7-unknown-linux-gnueabihf
}
