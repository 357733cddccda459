#!/usr/bin/env bash
# Benchmark plug-in: the mqttws Rust API (bench/rust). Finds the repository
# through its own real path, so the harness can run from a copy anywhere.
set -euo pipefail
HERE="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
REPO="$(cd "$HERE/../.." && pwd)"
BIN="$REPO/target/release/mqttws-rust-bench"
case "${1:-}" in
  --build)
    (cd "$REPO" && cargo build --release --quiet -p mqttws-bench)
    strip -o "$BIN.stripped" "$BIN"
    ;;
  --info)
    echo "library=mqttws (Rust API, blocking, rustls)"
    echo "version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$REPO/Cargo.toml" | head -1)"
    echo "language=Rust"
    echo "footprint=static:$BIN.stripped"
    ;;
  *)
    exec "$BIN" "$@" ;;
esac
