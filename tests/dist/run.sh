#!/usr/bin/env bash
# `make dist-test`: libmqttws as its users get it, for the host and the ARM
# boards, against one real mosquitto on loopback (qemu-user shares the
# host's network):
#
#  1. `make install PREFIX=...` for the host, and `make install
#     TARGET=aarch64-unknown-linux-gnu` / `TARGET=armv7-unknown-linux-gnueabihf`
#     (release builds; the two ARM libraries are built by one cargo call),
#     each into its own prefix under target/dist-test/; checks the layout (versioned file,
#     SONAME libmqttws.so.0 and its links), the ELF machine, and that each
#     stripped libmqttws.so is under 2 MiB (sizes printed);
#  2. host C consumers: examples/c/roundtrip.c with pkg-config and an rpath
#     (no LD_LIBRARY_PATH), fully static with `-static` and `pkg-config
#     --static`, against the archive with glibc shared, and the CMake example (examples/c/CMakeLists.txt,
#     find_package(mqttws CONFIG REQUIRED), shared and static targets);
#     the CMake version file refuses a 32-bit install and a newer major;
#  3. per ARM target: the C test suite (tests/c, without sanitizers) built
#     with the cross gcc against the installed libmqttws.a and run under
#     qemu-user; roundtrip.c built with the cross gcc through pkg-config
#     (shared), against the archive, and with CMake (shared and static),
#     each run under qemu-user;
#  4. a Go module created outside the repository (a `replace` to
#     bindings/go): CGO_ENABLED=0 must fail and say why; built with no tags
#     against the installed library found by pkg-config for amd64 (run
#     natively) and arm64 (CC=aarch64-linux-gnu-gcc, run under qemu-user),
#     and with -tags mqttws_static for arm64 (run under qemu-user);
#  5. `make uninstall` leaves every prefix empty.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
repo=$PWD
CARGO=${CARGO:-cargo}
GO=${GO:-go}
start=$SECONDS
step() { printf '\n== dist-test: %s (%ds)\n' "$*" $((SECONDS - start)); }
fail() { echo "dist-test: FAIL: $*" >&2; exit 1; }

host=$(rustc -vV | sed -n 's/^host: //p')
arm64=aarch64-unknown-linux-gnu
armv7=armv7-unknown-linux-gnueabihf
version=$(sed -n 's/^#define MQTTWS_VERSION_STRING "\(.*\)"$/\1/p' include/mqttws.h)
major=${version%%.*}
max_so_bytes=$((2 * 1024 * 1024))
# Per Rust target: the cross gcc, qemu-user binary, its sysroot (-L), ELF machine.
declare -A cc=([$host]=cc [$arm64]=aarch64-linux-gnu-gcc [$armv7]=arm-linux-gnueabihf-gcc)
declare -A qemu=([$arm64]=qemu-aarch64-static [$armv7]=qemu-arm-static)
declare -A sysroot=([$arm64]=/usr/aarch64-linux-gnu [$armv7]=/usr/arm-linux-gnueabihf)
declare -A machine=([$host]='Advanced Micro Devices X86-64' [$arm64]=AArch64 [$armv7]=ARM)
# Runs a program built for TARGET: natively for the host, under qemu-user
# otherwise (with the cross toolchain's glibc as the guest's root for the
# dynamic loader; other paths fall through to the host's file system).
# GUEST_LD_LIBRARY_PATH, if set, becomes the guest's LD_LIBRARY_PATH.
run_on() {
  local t=$1
  shift
  if [ "$t" = "$host" ]; then
    "$@"
  else
    "${qemu[$t]}" -L "${sysroot[$t]}" ${GUEST_LD_LIBRARY_PATH:+-E LD_LIBRARY_PATH="$GUEST_LD_LIBRARY_PATH"} "$@"
  fi
}

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
# Nothing below may find libmqttws through the environment by accident.
unset LD_LIBRARY_PATH PKG_CONFIG_PATH PKG_CONFIG_LIBDIR CMAKE_PREFIX_PATH
export GOTOOLCHAIN=local GOPROXY=off GOFLAGS='' GOWORK=off

step "make install for $host, $arm64 and $armv7 (release builds)"
# One cargo call builds both ARM libraries (their final, single-threaded LTO
# steps overlap on two cores); the installs below then find them up to date.
make -s c-lib TARGET="$arm64 $armv7"
# The prefixes keep their paths from run to run, and the Go builds below
# have a build cache of their own beside them: Go's cache keeps pkg-config's
# answer (the -L directory) without noticing when it changes
# (golang/go#24544), so a random prefix, or another prefix cached earlier by
# the same go command, would make the cached mqttws.dev/mqttws package link
# against a directory that is gone.
declare -A prefix
for t in "$host" "$arm64" "$armv7"; do
  prefix[$t]=$repo/target/dist-test/prefix-$t
  rm -rf "${prefix[$t]}"
  if [ "$t" = "$host" ]; then
    make -s install PREFIX="${prefix[$t]}"
  else
    make -s install TARGET="$t" PREFIX="${prefix[$t]}"
  fi
done
$CARGO build -q -p mqttws-tests --bin mqttws-test-broker

step "installed layout, SONAME, architecture and stripped sizes"
for t in "$host" "$arm64" "$armv7"; do
  lib=${prefix[$t]}/lib
  [ -f "$lib/libmqttws.so.$version" ] && [ ! -L "$lib/libmqttws.so.$version" ] ||
    fail "$t: $lib/libmqttws.so.$version is not a file"
  [ "$(readlink "$lib/libmqttws.so.$major")" = "libmqttws.so.$version" ] ||
    fail "$t: libmqttws.so.$major does not point to libmqttws.so.$version"
  [ "$(readlink "$lib/libmqttws.so")" = "libmqttws.so.$major" ] ||
    fail "$t: libmqttws.so does not point to libmqttws.so.$major"
  for f in libmqttws.a pkgconfig/mqttws.pc cmake/mqttws/mqttwsConfig.cmake \
    cmake/mqttws/mqttwsConfigVersion.cmake ../include/mqttws.h; do
    [ -f "$lib/$f" ] || fail "$t: $lib/$f is missing"
  done
  soname=$(readelf -d "$lib/libmqttws.so.$version" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
  [ "$soname" = "libmqttws.so.$major" ] || fail "$t: SONAME is '$soname', not libmqttws.so.$major"
  got=$(readelf -h "$lib/libmqttws.so.$version" | sed -n 's/^ *Machine: *//p')
  [ "$got" = "${machine[$t]}" ] || fail "$t: the library is built for '$got', not '${machine[$t]}'"
  if readelf -S "$lib/libmqttws.so.$version" | grep -q '\.symtab'; then fail "$t: libmqttws.so is not stripped"; fi
  bytes=$(stat -c %s "$lib/libmqttws.so.$version")
  printf '%-32s stripped libmqttws.so: %9d B (%s MiB), SONAME %s\n' "$t" "$bytes" \
    "$(awk -v b="$bytes" 'BEGIN { printf "%.2f", b / 1048576 }')" "$soname"
  [ "$bytes" -lt "$max_so_bytes" ] || fail "$t: libmqttws.so is $bytes B, over 2 MiB"
  [ "$(PKG_CONFIG_PATH=$lib/pkgconfig pkg-config --modversion mqttws)" = "$version" ] ||
    fail "$t: pkg-config does not report version $version"
done

step "starting mosquitto"
# The password users of the C suite's CONNACK and platform tests (tests/c/run.sh).
mapfile -t creds < <(python3 tests/c/platform_users.py)
coproc BROKER {
  exec target/debug/mqttws-test-broker --user alice alice-secret \
    --user "${creds[0]}" "${creds[1]}" --user "${creds[2]}" "${creds[3]}"
}
broker_pid=$BROKER_PID
IFS= read -r -t 30 info <&"${BROKER[0]}" || fail "the broker did not start"
field() { python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$info" "$1"; }
ws_url=$(field ws_url)
wss_url=$(field wss_url)
ca=$(field ca_pem_path)
echo "mosquitto: $ws_url and $wss_url"
# The C test suite's environment (see tests/c/run.sh).
MQTTWS_WS_URL=$ws_url MQTTWS_WSS_URL=$wss_url MQTTWS_CA_PEM=$ca
MQTTWS_WSS_MTLS_URL=$(field wss_mtls_url)
MQTTWS_WS_AUTH_URL=$(field ws_auth_url)
MQTTWS_WSS_PORT=$(field wss_port)
MQTTWS_WRONG_CA_PEM=$(field wrong_ca_pem_path)
MQTTWS_CLIENT_CERT=$(field client_cert_path)
MQTTWS_CLIENT_KEY=$(field client_key_path)
export MQTTWS_WS_URL MQTTWS_WSS_URL MQTTWS_CA_PEM MQTTWS_WSS_MTLS_URL MQTTWS_WS_AUTH_URL \
  MQTTWS_WSS_PORT MQTTWS_WRONG_CA_PEM MQTTWS_CLIENT_CERT MQTTWS_CLIENT_KEY

# needed PROGRAM: the shared libraries it records (DT_NEEDED), one a line.
needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
# roundtrip TARGET PROGRAM: one QoS 1 message over ws and one over wss.
roundtrip() {
  local t=$1 prog=$2
  run_on "$t" "$prog" "$ws_url" || fail "$prog ($t) over ws"
  MQTTWS_CA_FILE=$ca run_on "$t" "$prog" "$wss_url" || fail "$prog ($t) over wss"
}
cflags=(-std=c11 -Wall -Wextra -Wpedantic -Werror)

step "host: pkg-config with an rpath, pkg-config --static with -static"
export PKG_CONFIG_PATH=${prefix[$host]}/lib/pkgconfig
# shellcheck disable=SC2046 # pkg-config's output is meant to be split
cc "${cflags[@]}" examples/c/roundtrip.c -o "$tmp/rt-pc" $(pkg-config --cflags --libs mqttws) \
  -Wl,-rpath,"$(pkg-config --variable=libdir mqttws)"
needed "$tmp/rt-pc" | grep -qx "libmqttws.so.$major" || fail "rt-pc does not need libmqttws.so.$major"
roundtrip "$host" "$tmp/rt-pc"
# A fully static program: the linker takes libmqttws.a, and Libs.private must
# link as written (an -lgcc_s there fails: there is no static libgcc_s).
# ld warns that getaddrinfo in a static program needs glibc's shared NSS
# modules at run time; that warning is expected.
# shellcheck disable=SC2046
cc -static "${cflags[@]}" examples/c/roundtrip.c -o "$tmp/rt-static" \
  $(pkg-config --static --cflags --libs mqttws) 2>"$tmp/static.err" || { cat "$tmp/static.err" >&2; fail "static link"; }
grep -v -e "getaddrinfo' in statically linked" -e 'in function' "$tmp/static.err" >&2 || true
readelf -l "$tmp/rt-static" | grep -q 'INTERP' && fail "rt-static is not a static program"
roundtrip "$host" "$tmp/rt-static"
# libmqttws static, glibc shared (the README's command).
# shellcheck disable=SC2046
cc "${cflags[@]}" examples/c/roundtrip.c -o "$tmp/rt-archive" $(pkg-config --cflags mqttws) \
  "$(pkg-config --variable=libdir mqttws)/libmqttws.a" -lutil -lrt -lpthread -lm -ldl
if needed "$tmp/rt-archive" | grep -q libmqttws; then fail "rt-archive needs libmqttws.so"; fi
roundtrip "$host" "$tmp/rt-archive"
unset PKG_CONFIG_PATH

step "host: CMake example (find_package(mqttws CONFIG REQUIRED)), shared and static"
cmake -S examples/c -B "$tmp/cmake-$host" -DCMAKE_PREFIX_PATH="${prefix[$host]}" >"$tmp/cmake.log" ||
  { cat "$tmp/cmake.log" >&2; fail "cmake configure"; }
cmake --build "$tmp/cmake-$host" -j 2 >"$tmp/cmake-build.log" || { cat "$tmp/cmake-build.log" >&2; fail "cmake build"; }
needed "$tmp/cmake-$host/roundtrip" | grep -qx "libmqttws.so.$major" ||
  fail "roundtrip (CMake, mqttws::mqttws) does not need libmqttws.so.$major"
if needed "$tmp/cmake-$host/roundtrip-static" | grep -q libmqttws; then
  fail "roundtrip-static (CMake, mqttws::mqttws_static) needs libmqttws.so"
fi
roundtrip "$host" "$tmp/cmake-$host/roundtrip"
roundtrip "$host" "$tmp/cmake-$host/roundtrip-static"
# The version file: a newer major, and a 32-bit install for this 64-bit project, are refused.
mkdir -p "$tmp/cmake-refuse"
refused() { # PREFIX VERSION DIR-SUFFIX EXPECTED: configure must fail, with EXPECTED in its message
  printf 'cmake_minimum_required(VERSION 3.16)\nproject(refuse C)\nfind_package(mqttws %s CONFIG REQUIRED)\n' "$2" \
    >"$tmp/cmake-refuse/CMakeLists.txt"
  if cmake -S "$tmp/cmake-refuse" -B "$tmp/cmake-refuse/build-$3" -DCMAKE_PREFIX_PATH="$1" >"$tmp/refuse.log" 2>&1; then
    fail "find_package(mqttws $2) accepted the install in $1"
  fi
  grep -q "$4" "$tmp/refuse.log" || { cat "$tmp/refuse.log" >&2; fail "find_package(mqttws $2): no '$4' in the error"; }
  echo "refused as expected: find_package(mqttws $2) with $(basename "$1") ($4)"
}
refused "${prefix[$host]}" "$((major + 1)).0" major "$version"
refused "${prefix[$armv7]}" "$major" bits "32-bit"

for t in "$arm64" "$armv7"; do
  step "$t: the C test suite under ${qemu[$t]}"
  make -s -f tests/c/Makefile CC="${cc[$t]}" LIBDIR="${prefix[$t]}/lib" INCDIR="${prefix[$t]}/include" \
    OUT="$tmp/c-tests-$t" "$tmp/c-tests-$t/tests-plain"
  got=$(readelf -h "$tmp/c-tests-$t/tests-plain" | sed -n 's/^ *Machine: *//p')
  [ "$got" = "${machine[$t]}" ] || fail "$t: the C tests are built for '$got'"
  MQTTWS_TEST_EMULATED=1 run_on "$t" "$tmp/c-tests-$t/tests-plain"

  step "$t: roundtrip.c with the cross gcc (pkg-config; the archive) and with CMake, under ${qemu[$t]}"
  # As the README says: pkg-config limited to the board's .pc files; the
  # shared library found through LD_LIBRARY_PATH in the guest, or the
  # archive linked in.
  # shellcheck disable=SC2046
  "${cc[$t]}" "${cflags[@]}" examples/c/roundtrip.c -o "$tmp/rt-pc-$t" \
    $(PKG_CONFIG_LIBDIR=${prefix[$t]}/lib/pkgconfig pkg-config --cflags --libs mqttws)
  needed "$tmp/rt-pc-$t" | grep -qx "libmqttws.so.$major" || fail "rt-pc-$t does not need libmqttws.so.$major"
  GUEST_LD_LIBRARY_PATH=${prefix[$t]}/lib roundtrip "$t" "$tmp/rt-pc-$t"
  # shellcheck disable=SC2046
  "${cc[$t]}" "${cflags[@]}" examples/c/roundtrip.c -o "$tmp/rt-archive-$t" \
    $(PKG_CONFIG_LIBDIR=${prefix[$t]}/lib/pkgconfig pkg-config --cflags mqttws) \
    "${prefix[$t]}/lib/libmqttws.a" -lutil -lrt -lpthread -lm -ldl
  roundtrip "$t" "$tmp/rt-archive-$t"
  cmake -S examples/c -B "$tmp/cmake-$t" -DCMAKE_SYSTEM_NAME=Linux -DCMAKE_SYSTEM_PROCESSOR="${t%%-*}" \
    -DCMAKE_C_COMPILER="${cc[$t]}" -DCMAKE_PREFIX_PATH="${prefix[$t]}" >"$tmp/cmake.log" ||
    { cat "$tmp/cmake.log" >&2; fail "$t: cmake configure"; }
  cmake --build "$tmp/cmake-$t" -j 2 --target roundtrip roundtrip-static >"$tmp/cmake-build.log" ||
    { cat "$tmp/cmake-build.log" >&2; fail "$t: cmake build"; }
  roundtrip "$t" "$tmp/cmake-$t/roundtrip"
  roundtrip "$t" "$tmp/cmake-$t/roundtrip-static"
done

step "Go: a module outside the repository, without build tags"
mod=$tmp/go-consumer
mkdir -p "$mod"
cat >"$mod/go.mod" <<EOF
module example.com/consumer

go 1.19

require mqttws.dev/mqttws v0.0.0

replace mqttws.dev/mqttws => $repo/bindings/go
EOF
cat >"$mod/main.go" <<'EOF'
// A round trip through mosquitto: subscribe, publish at QoS 1, receive.
package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"runtime"
	"time"

	"mqttws.dev/mqttws"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := mqttws.Dial(ctx, os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "dial:", err)
		os.Exit(1)
	}
	defer c.Close()
	topic := fmt.Sprintf("mqttws/go-consumer/%d", os.Getpid())
	if _, err := c.Subscribe(ctx, topic, mqttws.AtLeastOnce); err != nil {
		fmt.Fprintln(os.Stderr, "subscribe:", err)
		os.Exit(1)
	}
	payload := []byte(fmt.Sprintf("hello from Go on %s/%s, libmqttws %s", runtime.GOOS, runtime.GOARCH, mqttws.Version()))
	if err := c.Publish(ctx, topic, payload, mqttws.AtLeastOnce, false); err != nil {
		fmt.Fprintln(os.Stderr, "publish:", err)
		os.Exit(1)
	}
	m, err := c.Recv(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "recv:", err)
		os.Exit(1)
	}
	if !bytes.Equal(m.Payload, payload) {
		fmt.Fprintf(os.Stderr, "got %q, sent %q\n", m.Payload, payload)
		os.Exit(1)
	}
	fmt.Printf("go-consumer: ok: %s\n", m.Payload)
}
EOF
cd "$mod"
export GOCACHE=$repo/target/dist-test/go-build
if CGO_ENABLED=0 $GO build -o "$tmp/go-nocgo" . 2>"$tmp/go-nocgo.log"; then
  fail "Go: CGO_ENABLED=0 built a program"
fi
cat "$tmp/go-nocgo.log"
grep -q 'CGO_ENABLED_1.*libmqttws' "$tmp/go-nocgo.log" || fail "Go: CGO_ENABLED=0 fails without saying cgo and libmqttws are needed"
PKG_CONFIG_PATH=${prefix[$host]}/lib/pkgconfig CGO_ENABLED=1 GOARCH=amd64 \
  CGO_LDFLAGS="-Wl,-rpath,${prefix[$host]}/lib" $GO build -o "$tmp/go-amd64" .
needed "$tmp/go-amd64" | grep -qx "libmqttws.so.$major" || fail "Go amd64: not linked against libmqttws.so.$major"
run_on "$host" "$tmp/go-amd64" "$ws_url" || fail "Go amd64"
PKG_CONFIG_LIBDIR=${prefix[$arm64]}/lib/pkgconfig CGO_ENABLED=1 GOARCH=arm64 CC=${cc[$arm64]} \
  $GO build -o "$tmp/go-arm64" .
needed "$tmp/go-arm64" | grep -qx "libmqttws.so.$major" || fail "Go arm64: not linked against libmqttws.so.$major"
GUEST_LD_LIBRARY_PATH=${prefix[$arm64]}/lib run_on "$arm64" "$tmp/go-arm64" "$ws_url" || fail "Go arm64"

step "Go: the same module with -tags mqttws_static for arm64 (the checkout's libmqttws.a)"
CGO_ENABLED=1 GOARCH=arm64 CC=${cc[$arm64]} $GO build -tags mqttws_static -o "$tmp/go-arm64-static" .
if needed "$tmp/go-arm64-static" | grep -q libmqttws; then fail "Go arm64 mqttws_static needs libmqttws.so"; fi
run_on "$arm64" "$tmp/go-arm64-static" "$ws_url" || fail "Go arm64 mqttws_static"
cd "$repo"

step "make uninstall"
for t in "$host" "$arm64" "$armv7"; do
  make -s uninstall PREFIX="${prefix[$t]}"
  left=$(find "${prefix[$t]}" \( -type f -o -type l \) -print)
  [ -z "$left" ] || fail "$t: make uninstall left $left"
done
echo "every prefix is empty again"

step "done"
