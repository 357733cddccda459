#!/usr/bin/env bash
# Runs the Go examples against a throwaway mosquitto (`make demo-go`).
#
# The examples are built with `go build -tags mqttws_static` against the
# binding in bindings/go, which then links target/release/libmqttws.a
# statically (without the tag it would take an installed libmqttws through
# pkg-config; tests/dist/run.sh builds that way). Then: a
# subscriber over ws:// receives what the publisher sends over wss://, and
# the Tencent and Alibaba examples connect to the local broker (MQTTWS_URL)
# with test device credentials, signing at each connect as they would
# against the cloud. For the real clouds, run them without MQTTWS_URL and
# with your own device secrets (see the top of tencent/main.go and
# aliyun/main.go).
#
# MQTTWS_TEST_BROKER: the broker binary (default target/release/mqttws-test-broker).
# GO: the go command (default go).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
broker=${MQTTWS_TEST_BROKER:-target/release/mqttws-test-broker}
GO=${GO:-go}
export GOTOOLCHAIN=local GOPROXY=off
tmp=$(mktemp -d)

echo "demo-go: building examples/go with $($GO version)"
(cd examples/go && $GO build -tags mqttws_static -o "$tmp/" ./...)

mapfile -t users < <(python3 tests/c/platform_users.py)
coproc BROKER { exec "$broker" --user "${users[0]}" "${users[1]}" --user "${users[2]}" "${users[3]}"; }
broker_pid=$BROKER_PID
cleanup() {
  exec {BROKER[1]}>&- 2>/dev/null || true
  wait "$broker_pid" 2>/dev/null || true
  [ -n "${sub_pid:-}" ] && kill "$sub_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
IFS= read -r -t 30 info <&"${BROKER[0]}" || { echo "demo-go: the broker did not start" >&2; exit 1; }
field() { python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$info" "$1"; }
ws_url=$(field ws_url)
wss_url=$(field wss_url)
auth_url=$(field ws_auth_url)
ca=$(field ca_pem_path)
echo "demo-go: mosquitto is listening on $ws_url and $wss_url"

echo
echo "== publish over wss, receive over ws =="
topic="demo/go/$$"
mkfifo "$tmp/sub.out"
"$tmp/subscriber" "$ws_url" "$topic" 3 >"$tmp/sub.out" &
sub_pid=$!
exec {sub_out}<"$tmp/sub.out"
# Publish only once the broker acknowledged the subscription.
IFS= read -r -t 30 line <&"$sub_out" && [[ $line == subscribed* ]] || { echo "demo-go: the subscriber failed" >&2; exit 1; }
echo "subscriber: $line"
MQTTWS_CA_FILE=$ca "$tmp/publisher" "$wss_url" "$topic" "hello from Go" 3 | sed 's/^/publisher: /'
received=0
while IFS= read -r -t 30 line <&"$sub_out"; do
  echo "subscriber: $line"
  [[ $line == *"hello from Go"* ]] && received=$((received + 1))
done
exec {sub_out}<&-
wait "$sub_pid"
sub_pid=
[ "$received" -eq 3 ] || { echo "demo-go: the subscriber got $received of 3 messages" >&2; exit 1; }

echo
echo "== Tencent and Alibaba examples against the local broker =="
TENCENT_PRODUCT_ID=ABCDEFGHIJ TENCENT_DEVICE_NAME=dev001 TENCENT_DEVICE_PSK=AAECAwQFBgcICQoLDA0ODw== \
  TENCENT_CONNID=abcde TENCENT_EXPIRY=never MQTTWS_URL=$auth_url "$tmp/tencent"
ALIYUN_PRODUCT_KEY=a1B2c3D4e5F ALIYUN_DEVICE_NAME=dev001 ALIYUN_DEVICE_SECRET=device-secret \
  ALIYUN_REGION=cn-shanghai ALIYUN_TIMESTAMP=789 MQTTWS_URL=$auth_url "$tmp/aliyun"
echo
echo "demo-go: done"
