#!/usr/bin/env bash
# `make demo-python`: starts a throwaway mosquitto on free loopback ports and
# runs the Python examples against it. The cloud examples get made-up devices
# and are pointed at the broker's anonymous wss:// listener (MQTTWS_URL), which
# ignores user names and passwords: this shows the signing and the connection
# flow, not a real cloud account.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
PYTHON=${PYTHON:-python3}
broker=${MQTTWS_TEST_BROKER:-target/debug/mqttws-test-broker}

coproc BROKER { "$broker"; }
broker_pid=$BROKER_PID
store=$(mktemp -d)
cleanup() { exec {BROKER[1]}>&- 2>/dev/null || true; wait "$broker_pid" 2>/dev/null || true; rm -rf "$store"; }
trap cleanup EXIT
IFS= read -r -t 20 info <&"${BROKER[0]}" || { echo "demo-python: the broker did not start" >&2; exit 1; }
field() { "$PYTHON" -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$info" "$1"; }
ws_url=$(field ws_url)
wss_url=$(field wss_url)
ca=$(field ca_pem_path)

echo "== pubsub.py over ws ($ws_url) =="
"$PYTHON" examples/python/pubsub.py "$ws_url"
echo
echo "== pubsub.py over wss ($wss_url) =="
"$PYTHON" examples/python/pubsub.py "$wss_url" --ca-file "$ca"
echo
echo "== resilient.py over ws: reconnect, offline queue, store, poll() events =="
"$PYTHON" examples/python/resilient.py "$ws_url" --count 3 --interval 0.2 --store-dir "$store"
echo
echo "== tencent.py (made-up device, local broker) =="
TENCENT_PRODUCT_ID=ABCDEFGHIJ TENCENT_DEVICE_NAME=demo01 TENCENT_DEVICE_PSK=AAECAwQFBgcICQoLDA0ODw== \
  MQTTWS_URL="$wss_url" MQTTWS_CA_FILE="$ca" "$PYTHON" examples/python/tencent.py
echo
echo "== aliyun.py (made-up device, local broker) =="
ALIYUN_PRODUCT_KEY=a1B2c3D4e5F ALIYUN_DEVICE_NAME=demo01 ALIYUN_DEVICE_SECRET=not-a-real-secret \
  MQTTWS_URL="$wss_url" MQTTWS_CA_FILE="$ca" "$PYTHON" examples/python/aliyun.py
echo
echo "demo-python: done"
