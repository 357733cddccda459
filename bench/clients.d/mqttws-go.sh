#!/usr/bin/env bash
# Benchmark plug-in: the mqttws Go module (bindings/go, cgo over the C ABI,
# linked statically against target/release/libmqttws.a), program bench/go
# (its own module, `replace` to ../../bindings/go). Finds the repository
# through its own real path, so the harness can run from a copy anywhere.
set -euo pipefail
HERE="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
REPO="$(cd "$HERE/../.." && pwd)"
OUT="$REPO/target/bench"
BIN="$OUT/mqttws-go-bench"
case "${1:-}" in
  --build)
    command -v go >/dev/null || { echo "go not found" >&2; exit 1; }
    [ -f "$REPO/bindings/go/client.go" ] || { echo "bindings/go has no client yet" >&2; exit 1; }
    (cd "$REPO" && cargo build --release --quiet -p mqttws-ffi)
    mkdir -p "$OUT"
    # GOFLAGS=-mod=mod: the replace'd module needs no go.sum (standard library only).
    # -tags mqttws_static: link target/release/libmqttws.a (the default is an
    # installed libmqttws through pkg-config).
    (cd "$REPO/bench/go" && GOFLAGS=-mod=mod go build -tags mqttws_static -o "$BIN" .)
    strip -o "$BIN.stripped" "$BIN"
    ;;
  --info)
    echo "library=mqttws (Go module, cgo over the C API, rustls; static libmqttws.a)"
    echo "version=$(sed -n 's/^#define MQTTWS_VERSION_STRING "\(.*\)"$/\1/p' "$REPO/include/mqttws.h") on $(go env GOVERSION 2>/dev/null || echo go)"
    echo "language=Go"
    # Statically linked: Go runtime + binding + libmqttws (TLS included) + the bench main.
    echo "footprint=static:$BIN.stripped"
    ;;
  *)
    exec "$BIN" "$@" ;;
esac
