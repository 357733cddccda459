# amqtt (Python, asyncio + websockets) in its own venv; pinned by
# requirements.txt (amqtt and everything it pulls in, frozen).
VERSION=0.12.1

install() {
  installed && return 0
  need python3 "apt-get install python3 python3-venv"
  say "installing amqtt $VERSION into a venv"
  rm -rf "$BROKER_CACHE/venv"
  python3 -m venv "$BROKER_CACHE/venv"
  "$BROKER_CACHE/venv/bin/pip" install -q --disable-pip-version-check -r "$BROKER_SRC/requirements.txt" >&2
  mark_installed
}

# allow_anonymous false: amqtt never keeps the session of an anonymous
# client (so no persistent session and no session_present); with it off,
# any client that sends a user name is let in, and its session is kept.
start() {
  cat >broker.yaml <<YAML
listeners:
  default:
    type: ws
    bind: 127.0.0.1:$IOP_WS_PORT
  wss:
    type: ws
    bind: 127.0.0.1:$IOP_WSS_PORT
    ssl: true
    certfile: $IOP_CERT
    keyfile: $IOP_KEY
plugins:
  amqtt.plugins.authentication.AnonymousAuthPlugin:
    allow_anonymous: false
YAML
  exec "$BROKER_CACHE/venv/bin/amqtt" -c broker.yaml
}
