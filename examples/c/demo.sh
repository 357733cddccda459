#!/usr/bin/env bash
# Runs the C examples against a throwaway mosquitto (`make demo-c`, and the
# last step of `make c-test`).
#
#   examples/c/demo.sh PREFIX
#
# PREFIX is where `make install` put libmqttws; the examples are built from
# it exactly as a user would: cc x.c $(pkg-config --cflags --libs mqttws),
# with an rpath to PREFIX/lib so that they find libmqttws.so.0 at run time
# without LD_LIBRARY_PATH (see the README, C).
# Then: a subscriber over ws:// receives what the publisher sends over
# wss://, and the Tencent and Alibaba examples connect to the local broker
# (MQTTWS_URL) with test device credentials, signing at each connect as they
# would against the cloud. For the real clouds, run them without MQTTWS_URL
# and with your own device secrets (see the top of tencent.c and aliyun.c).
#
# MQTTWS_TEST_BROKER: the broker binary (default target/release/mqttws-test-broker).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
prefix=$(cd "${1:?usage: examples/c/demo.sh PREFIX}" && pwd)
broker=${MQTTWS_TEST_BROKER:-target/release/mqttws-test-broker}
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
tmp=$(mktemp -d)

echo "demo-c: building examples/c with \$(pkg-config --cflags --libs mqttws) = $(pkg-config --cflags --libs mqttws)"
for ex in publisher subscriber tencent aliyun; do
  # shellcheck disable=SC2046 # pkg-config's output is meant to be split
  cc -std=c11 -Wall -Wextra -Wpedantic -Werror "examples/c/$ex.c" -o "$tmp/$ex" \
    $(pkg-config --cflags --libs mqttws) -Wl,-rpath,"$(pkg-config --variable=libdir mqttws)"
done

mapfile -t users < <(python3 tests/c/platform_users.py)
coproc BROKER { exec "$broker" --user "${users[0]}" "${users[1]}" --user "${users[2]}" "${users[3]}"; }
broker_pid=$BROKER_PID
cleanup() { exec {BROKER[1]}>&- 2>/dev/null || true; wait "$broker_pid" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
IFS= read -r -t 30 info <&"${BROKER[0]}" || { echo "demo-c: the broker did not start" >&2; exit 1; }
field() { python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$info" "$1"; }
ws_url=$(field ws_url)
wss_url=$(field wss_url)
auth_url=$(field ws_auth_url)
ca=$(field ca_pem_path)
echo "demo-c: mosquitto is listening on $ws_url and $wss_url"

echo
echo "== publish over wss, receive over ws =="
topic="demo/c/$$"
"$tmp/subscriber" "$ws_url" "$topic" 3 >"$tmp/sub.out" &
sub_pid=$!
for _ in $(seq 100); do grep -q '^subscribed' "$tmp/sub.out" 2>/dev/null && break; sleep 0.1; done
MQTTWS_CA_FILE=$ca "$tmp/publisher" "$wss_url" "$topic" "hello from C" 3
wait "$sub_pid"
sed 's/^/subscriber: /' "$tmp/sub.out"
[ "$(grep -c 'hello from C' "$tmp/sub.out")" -eq 3 ] || { echo "demo-c: the subscriber missed messages" >&2; exit 1; }

echo
echo "== Tencent and Alibaba examples against the local broker =="
TENCENT_PRODUCT_ID=ABCDEFGHIJ TENCENT_DEVICE_NAME=dev001 TENCENT_DEVICE_PSK=AAECAwQFBgcICQoLDA0ODw== \
  TENCENT_CONNID=abcde TENCENT_EXPIRY=never MQTTWS_URL=$auth_url "$tmp/tencent"
ALIYUN_PRODUCT_KEY=a1B2c3D4e5F ALIYUN_DEVICE_NAME=dev001 ALIYUN_DEVICE_SECRET=device-secret \
  ALIYUN_REGION=cn-shanghai ALIYUN_TIMESTAMP=789 MQTTWS_URL=$auth_url "$tmp/aliyun"
echo
echo "demo-c: done"
