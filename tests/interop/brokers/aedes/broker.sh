# Aedes (Node.js), behind the ws package; pinned by package-lock.json.
VERSION=1.2.0

install() {
  installed && return 0
  need npm "apt-get install nodejs npm"
  say "installing aedes $VERSION with npm"
  cp "$BROKER_SRC/package.json" "$BROKER_SRC/package-lock.json" "$BROKER_CACHE/"
  (cd "$BROKER_CACHE" && npm ci --no-audit --no-fund --loglevel=error >&2)
  mark_installed
}

start() {
  NODE_PATH=$BROKER_CACHE/node_modules exec node "$BROKER_SRC/broker.js"
}
