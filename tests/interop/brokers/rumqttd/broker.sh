# rumqttd (Rust), built by cargo install at a pinned version. Not --locked:
# its lock file pins metrics 0.22.1, which current rustc no longer builds.
# About 7 minutes on 2 cores: `make interop` only, never `make test`.
VERSION=0.20.0

install() {
  installed && return 0
  need cargo "rustup"
  say "building rumqttd $VERSION with cargo install (several minutes)"
  cargo install -q rumqttd --version "=$VERSION" --root "$BROKER_CACHE" --force >&2
  mark_installed
}

# Two ws listeners (rumqttd's WebSocket speaks MQTT 3.1.1 only), the second
# with TLS; max_payload_size raised from the example's 20,480 bytes.
start() {
  local listener
  listener() { # NUMBER NAME PORT
    cat <<TOML
[ws.$1]
name = "$2"
listen = "127.0.0.1:$3"
next_connection_delay_ms = 1
    [ws.$1.connections]
    connection_timeout_ms = 60000
    max_payload_size = 2097152
    max_inflight_count = 100
    dynamic_filters = true
TOML
  }
  {
    cat <<TOML
id = 0
[router]
id = 0
max_connections = 10010
max_outgoing_packet_count = 200
max_segment_size = 104857600
max_segment_count = 10
TOML
    listener 1 ws "$IOP_WS_PORT"
    listener 2 wss "$IOP_WSS_PORT"
    printf '    [ws.2.tls]\n    certpath = "%s"\n    keypath = "%s"\n' "$IOP_CERT" "$IOP_KEY"
  } >rumqttd.toml
  exec "$BROKER_CACHE/bin/rumqttd" -c rumqttd.toml
}
