#!/usr/bin/env bash
# Benchmark plug-in: the mqttws C API (bench/c/bench.c), linked statically
# against target/release/libmqttws.a (crate mqttws-ffi). Finds the repository
# through its own real path, so the harness can run from a copy anywhere.
set -euo pipefail
HERE="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
REPO="$(cd "$HERE/../.." && pwd)"
OUT="$REPO/target/bench"
BIN="$OUT/mqttws-c-bench"
# What the Rust static library needs besides itself (as MQTTWS_NATIVE_LIBS in mk/c.mk).
NATIVE_LIBS="-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"
case "${1:-}" in
  --build)
    (cd "$REPO" && cargo build --release --quiet -p mqttws-ffi)
    mkdir -p "$OUT"
    gcc -O2 -g -Wall -Wextra -std=c11 -I"$REPO/include" -o "$BIN" "$REPO/bench/c/bench.c" \
      "$REPO/target/release/libmqttws.a" $NATIVE_LIBS
    # The footprint is the shared library a C program would load (TLS included).
    strip -o "$OUT/libmqttws.so.stripped" "$REPO/target/release/libmqttws.so"
    ;;
  --info)
    echo "library=mqttws (C API over the Rust core, rustls; static libmqttws.a)"
    echo "version=$(sed -n 's/^#define MQTTWS_VERSION_STRING "\(.*\)"$/\1/p' "$REPO/include/mqttws.h")"
    echo "language=C"
    echo "footprint=lib:$OUT/libmqttws.so.stripped"
    ;;
  *)
    exec "$BIN" "$@" ;;
esac
