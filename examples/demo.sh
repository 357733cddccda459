#!/usr/bin/env bash
# `make demo`: starts a throwaway mosquitto on free loopback ports (ws and wss
# listeners, generated CA), then runs the Rust examples against it: a
# subscriber over one transport receives what a publisher sends over the other.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin=target/release

# The broker runs until its stdin closes; it prints one JSON line first.
coproc BROKER { "$bin/mqttws-test-broker"; }
broker_pid=$BROKER_PID
cleanup() { exec {BROKER[1]}>&- 2>/dev/null || true; wait "$broker_pid" 2>/dev/null || true; }
trap cleanup EXIT
IFS= read -r -t 20 info <&"${BROKER[0]}" || { echo "demo: the broker did not start" >&2; exit 1; }
field() { sed -n "s/.*\"$1\": *\"\([^\"]*\)\".*/\1/p" <<<"$info"; }
ws_url=$(field ws_url)
wss_url=$(field wss_url)
ca=$(field ca_pem_path)
echo "demo: mosquitto is listening on $ws_url and $wss_url"

tmp=$(mktemp -d)
trap 'cleanup; rm -rf "$tmp"' EXIT

run_pair() { # sub_url pub_url topic title
  local sub_url=$1 pub_url=$2 topic=$3 line
  echo
  echo "== $4 =="
  mkfifo "$tmp/$topic.out"
  "$bin/subscribe" "$sub_url" "demo/$topic" --qos 1 --count 3 --timeout 20 --cafile "$ca" >"$tmp/$topic.out" &
  local sub_pid=$!
  exec {sub_out}<"$tmp/$topic.out"
  # Wait for the subscription to be acknowledged before publishing.
  IFS= read -r -t 20 line <&"$sub_out" && [ "$line" = ready ] || { echo "demo: subscriber failed" >&2; exit 1; }
  echo "subscriber ($sub_url): subscribed to demo/$topic"
  "$bin/publish" "$pub_url" "demo/$topic" "hello from mqttws" --qos 1 --count 3 --cafile "$ca" | sed "s|^|publisher ($pub_url): |"
  while IFS= read -r -t 20 line <&"$sub_out"; do echo "subscriber ($sub_url): $line"; done
  exec {sub_out}<&-
  wait "$sub_pid"
}

run_pair "$ws_url" "$wss_url" wss-to-ws "publish over wss, receive over ws"
run_pair "$wss_url" "$ws_url" ws-to-wss "publish over ws, receive over wss"
echo
echo "demo: done"
