#!/usr/bin/env bash
# Benchmark plug-in: the mqttws Python package (bindings/python), program
# bench/python/bench.py. --build installs the package with pip (maturin builds
# the wheel, as `pip install ./bindings/python` does for users) into its own
# venv target/bench/python-venv; if that is impossible (no network for pip to
# fetch maturin), it falls back to bindings/python/.venv when that venv holds
# the package (make py-install). Finds the repository through its own real path.
set -euo pipefail
HERE="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
REPO="$(cd "$HERE/../.." && pwd)"
OUT="$REPO/target/bench"
VENV="$OUT/python-venv"
STAMP="$VENV/.mqttws-installed"
CHOICE="$OUT/python-interpreter"   # which interpreter --build settled on
PY="$(cat "$CHOICE" 2>/dev/null || echo "$VENV/bin/python")"
case "${1:-}" in
  --build)
    mkdir -p "$OUT"
    [ -x "$VENV/bin/python" ] || "${PYTHON:-python3}" -m venv "$VENV"
    changed="$(cd "$REPO" && find core/src core/Cargo.toml bindings/python/src bindings/python/python \
      bindings/python/Cargo.toml bindings/python/pyproject.toml Cargo.lock -newer "$STAMP" -print -quit 2>/dev/null || echo new)"
    if [ ! -f "$STAMP" ] || [ -n "$changed" ]; then
      if (cd "$REPO" && "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
            --force-reinstall --no-deps ./bindings/python); then
        touch "$STAMP"
      elif "$REPO/bindings/python/.venv/bin/python" -c 'import mqttws' 2>/dev/null; then
        echo "pip install failed; using bindings/python/.venv" >&2
        echo "$REPO/bindings/python/.venv/bin/python" > "$CHOICE"
        exit 0
      else
        exit 1
      fi
    fi
    echo "$VENV/bin/python" > "$CHOICE"
    "$VENV/bin/python" -c 'import mqttws'
    ;;
  --info)
    echo "library=mqttws (Python package over the Rust core, rustls)"
    echo "version=$("$PY" -c 'import mqttws; print(mqttws.__version__)') on Python $("$PY" -c 'import platform; print(platform.python_version())')"
    echo "language=Python"
    # The package directory: Python sources + the abi3 extension with TLS inside.
    echo "footprint=lib:$("$PY" -c 'import os, mqttws; print(os.path.dirname(mqttws.__file__))')"
    ;;
  *)
    exec "$PY" "$REPO/bench/python/bench.py" "$@" ;;
esac
