#!/usr/bin/env bash
# `make c-test`: the C test suite of libmqttws.
#
#  1. builds libmqttws (debug) and the C programs (tests/c/Makefile):
#     C11 with -Wall -Wextra -Wpedantic -Werror, once with ASan + UBSan and
#     once plain; plus the header compiled as C++17;
#  2. starts a real mosquitto with the mqttws-test-broker binary (it prints
#     one JSON line with URLs, ports and PEM paths, and stops when its stdin
#     closes), with password users for the CONNACK and platform tests;
#  3. runs every test under ASan + UBSan (leak detection on);
#  4. runs the plain build natively for the memory-growth cycles (RSS is
#     only meaningful without ASan's quarantine);
#  5. runs the plain build under valgrind memcheck with --reduced: every
#     test, with fewer loop iterations, and without the 1,000 connect
#     cycles (valgrind slows TLS 20-50x); the create/free cycles still run;
#  6. installs into a temporary PREFIX and builds examples/c with
#     `cc ... $(pkg-config --cflags --libs mqttws)`, then runs them.
#
# Usage: tests/c/run.sh [test-name-substring...]   (filters steps 3 to 5)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
CARGO=${CARGO:-cargo}
out=target/c-tests
start=$SECONDS
step() { printf '\n== c-test: %s (%ds)\n' "$*" $((SECONDS - start)); }

step "building libmqttws (debug), the broker and the C tests"
# Built separately: together, cargo would unify dependency features across
# both packages and rebuild libmqttws when `make install` builds it alone.
$CARGO build -q -p mqttws-ffi
$CARGO build -q -p mqttws-tests --bin mqttws-test-broker
make -s -f tests/c/Makefile LIBDIR=target/debug OUT="$out"

# The user names and passwords the platform tests sign with, computed
# independently of the library (see tests/c/platform_users.py).
mapfile -t creds < <(python3 tests/c/platform_users.py)

step "starting mosquitto"
coproc BROKER {
  exec target/debug/mqttws-test-broker --user alice alice-secret \
    --user "${creds[0]}" "${creds[1]}" --user "${creds[2]}" "${creds[3]}"
}
broker_pid=$BROKER_PID
cleanup() {
  exec {BROKER[1]}>&- 2>/dev/null || true
  wait "$broker_pid" 2>/dev/null || true
  [ -n "${tmp:-}" ] && rm -rf "$tmp"
}
trap cleanup EXIT
IFS= read -r -t 30 info <&"${BROKER[0]}" || { echo "c-test: the broker did not start" >&2; exit 1; }
eval "$(python3 -c '
import json, shlex, sys
d = json.loads(sys.argv[1])
env = {"MQTTWS_WS_URL": "ws_url", "MQTTWS_WSS_URL": "wss_url", "MQTTWS_WSS_MTLS_URL": "wss_mtls_url",
       "MQTTWS_WS_AUTH_URL": "ws_auth_url", "MQTTWS_WSS_PORT": "wss_port", "MQTTWS_CA_PEM": "ca_pem_path",
       "MQTTWS_WRONG_CA_PEM": "wrong_ca_pem_path", "MQTTWS_CLIENT_CERT": "client_cert_path",
       "MQTTWS_CLIENT_KEY": "client_key_path"}
for name, key in env.items():
    print("export %s=%s" % (name, shlex.quote(str(d[key]))))
' "$info")"
echo "mosquitto: $MQTTWS_WS_URL, $MQTTWS_WSS_URL, mTLS $MQTTWS_WSS_MTLS_URL"

step "header as C++17"
"$out/header-cpp"

step "all tests under ASan + UBSan"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  "$out/tests-asan" "$@"

step "memory growth without sanitizers"
if [ $# -eq 0 ]; then "$out/tests-plain" cycles; else "$out/tests-plain" "$@"; fi

step "reduced set under valgrind memcheck"
valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=1 \
  --show-leak-kinds=definite --suppressions=tests/c/valgrind.supp \
  "$out/tests-plain" --reduced "$@"

if [ $# -eq 0 ]; then
  step "make install into a temporary prefix; examples/c built with pkg-config and run"
  tmp=$(mktemp -d)
  make -s install PREFIX="$tmp/prefix" MQTTWS_PROFILE=debug
  MQTTWS_TEST_BROKER=target/debug/mqttws-test-broker examples/c/demo.sh "$tmp/prefix"
fi

step "done"
