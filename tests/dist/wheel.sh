#!/usr/bin/env bash
# `make wheel-test`: the Python wheels of `make wheel` as users get them.
#
#  1. target/wheels holds exactly two wheels of this version, abi3 (cp39),
#     manylinux_2_17, for x86_64 and aarch64, and the native module inside
#     each is built for that machine;
#  2. `auditwheel show` accepts each, with the manylinux_2_17 tag of its
#     architecture (its policy allows only glibc's own libraries, at 2.17's
#     symbol versions);
#  3. the x86_64 wheel is installed into a fresh venv with a PATH that has
#     no cargo and no rustc (checked) and pip's index off, so nothing can be
#     built or fetched; then, from a directory outside the repository, a
#     round trip against a real mosquitto over ws:// and wss://.
#
#   tests/dist/wheel.sh VERSION
# Environment: WHEEL_DIR, AUDITWHEEL, PYTHON, MQTTWS_TEST_BROKER (mk/python.mk).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
version=${1:?usage: tests/dist/wheel.sh VERSION}
wheel_dir=${WHEEL_DIR:-target/wheels}
auditwheel=${AUDITWHEEL:-target/wheel-tools/bin/auditwheel}
python=${PYTHON:-python3}
broker=${MQTTWS_TEST_BROKER:-target/debug/mqttws-test-broker}
fail() { echo "wheel-test: FAIL: $*" >&2; exit 1; }

tmp=$(mktemp -d)
broker_pid=
cleanup() {
  if [ -n "$broker_pid" ]; then
    exec {BROKER[1]}>&- 2>/dev/null || true
    wait "$broker_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

echo "== wheel-test: the wheels in $wheel_dir"
mapfile -t wheels < <(ls "$wheel_dir"/mqttws-*.whl 2>/dev/null)
[ "${#wheels[@]}" -eq 2 ] || fail "expected 2 wheels in $wheel_dir, found ${#wheels[@]}: ${wheels[*]}"
declare -A machine=([x86_64]='Advanced Micro Devices X86-64' [aarch64]=AArch64)
for arch in x86_64 aarch64; do
  w=$(ls "$wheel_dir"/mqttws-"$version"-cp39-abi3-*manylinux_2_17_"$arch".whl 2>/dev/null) ||
    fail "no abi3 manylinux_2_17 wheel of $version for $arch"
  # The native module inside, by its ELF header.
  "$python" -c '
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = [n for n in z.namelist() if n.startswith("mqttws/_mqttws") and n.endswith(".so")]
assert len(names) == 1, names
open(sys.argv[2], "wb").write(z.read(names[0]))
print(names[0])' "$w" "$tmp/module-$arch.so" >/dev/null
  got=$(readelf -h "$tmp/module-$arch.so" | sed -n 's/^ *Machine: *//p')
  [ "$got" = "${machine[$arch]}" ] || fail "$(basename "$w"): the native module is for '$got'"
  report=$("$auditwheel" show "$w" | tr -s ' \n' ' ') || fail "auditwheel show $(basename "$w") failed"
  [[ $report == *"consistent with the following platform tag: \"manylinux_2_17_$arch\""* ]] ||
    fail "auditwheel: $(basename "$w") is not manylinux_2_17_$arch: $report"
  printf '%-75s %8d B, auditwheel: manylinux_2_17_%s\n' "$(basename "$w")" "$(stat -c %s "$w")" "$arch"
done
x86_wheel=$(ls "$wheel_dir"/mqttws-"$version"-cp39-abi3-*manylinux_2_17_x86_64.whl)

echo
echo "== wheel-test: a fresh venv with no Rust toolchain on PATH"
"$python" -m venv "$tmp/venv"
# Only the venv and the system's directories; none may hold cargo or rustc.
clean_path=$tmp/venv/bin:/usr/bin:/bin
for tool in cargo rustc rustup maturin; do
  if found=$(PATH=$clean_path command -v "$tool"); then fail "$tool is on the test's PATH ($found)"; fi
done
clean_env=(env -i HOME="$tmp" PATH="$clean_path" PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1)
"${clean_env[@]}" pip install -q --only-binary=:all: "$x86_wheel"
"${clean_env[@]}" pip list 2>/dev/null | grep -E '^mqttws ' || fail "mqttws is not in the venv"

coproc BROKER { exec "$broker"; }
broker_pid=$BROKER_PID
IFS= read -r -t 30 info <&"${BROKER[0]}" || fail "the broker did not start"
field() { python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$info" "$1"; }

cat >"$tmp/roundtrip.py" <<'EOF'
import os, sys, sysconfig
import mqttws

site = sysconfig.get_paths()["platlib"]
assert mqttws.__file__.startswith(site), f"mqttws imported from {mqttws.__file__}, not {site}"
native = mqttws._mqttws.__file__
assert native.endswith(".abi3.so"), native
for url, ca in ((os.environ["WS_URL"], None), (os.environ["WSS_URL"], os.environ["CA"])):
    topic = f"mqttws/wheel/{os.getpid()}"
    payload = f"hello from the wheel on {sys.version.split()[0]}".encode()
    with mqttws.Client(url, client_id=f"wheel-{os.getpid()}", ca_file=ca) as client:
        client.connect()
        client.subscribe(topic, qos=1)
        client.publish(topic, payload, qos=1, wait=True)
        msg = client.recv(timeout=10)
        assert msg is not None, f"{url}: no message within 10 s"
        assert (msg.topic, msg.payload) == (topic, payload), (msg.topic, msg.payload)
    print(f"wheel roundtrip: ok: {url.split(':')[0]}: {msg.payload.decode()} ({os.path.basename(native)})")
EOF
(cd "$tmp" && "${clean_env[@]}" WS_URL="$(field ws_url)" WSS_URL="$(field wss_url)" CA="$(field ca_pem_path)" \
  python roundtrip.py) || fail "round trip with the installed wheel"
echo "wheel-test: done"
