#!/usr/bin/env bash
# Makes sure the Rust targets named on the command line can be built here,
# and installs what is missing: the rustup target (its standard library)
# and, for the ARM targets, Debian's cross gcc, which .cargo/config.toml
# names as linker and C compiler. Quiet when everything is there.
# Called by `make c-lib TARGET=...` / `make install TARGET=...` (mk/c.mk) and
# `make wheel` (mk/python.mk; --rust-only: maturin links with zig).
#
#   mk/toolchain.sh [--rust-only] TRIPLE...
set -euo pipefail
rust_only=false
if [ "${1:-}" = --rust-only ]; then rust_only=true; shift; fi

host=$(rustc -vV | sed -n 's/^host: //p')
installed=$(rustup target list --installed 2>/dev/null) || {
  echo "toolchain: rustup is needed to add Rust targets ($*)" >&2
  exit 1
}
targets=() debs=()
for t in "$@"; do
  [ "$t" = "$host" ] && continue
  grep -qxF "$t" <<<"$installed" || targets+=("$t")
  $rust_only && continue
  case $t in
    aarch64-unknown-linux-gnu) cc=aarch64-linux-gnu-gcc deb=gcc-aarch64-linux-gnu ;;
    armv7-unknown-linux-gnueabihf) cc=arm-linux-gnueabihf-gcc deb=gcc-arm-linux-gnueabihf ;;
    *)
      echo "toolchain: no cross compiler is known for $t; set CARGO_TARGET_<TRIPLE>_LINKER" \
        "and CC_<triple> yourself (see .cargo/config.toml)" >&2
      continue ;;
  esac
  command -v "$cc" >/dev/null || debs+=("$deb")
done

if [ "${#debs[@]}" -gt 0 ]; then
  echo "toolchain: installing ${debs[*]}" >&2
  sudo=
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${debs[@]}" >/dev/null
fi
if [ "${#targets[@]}" -gt 0 ]; then
  echo "toolchain: rustup target add ${targets[*]}" >&2
  rustup target add "${targets[@]}"
fi
