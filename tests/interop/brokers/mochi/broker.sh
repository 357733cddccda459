# Mochi MQTT (Go), built from main.go; pinned by go.mod and go.sum.
VERSION=2.7.9

install() {
  installed && return 0
  need go "a Go toolchain, 1.21 or newer"
  say "building mochi $VERSION"
  (cd "$BROKER_SRC" && GOTOOLCHAIN=local GOFLAGS=-modcacherw GOMODCACHE="$IOP_CACHE/gomod" \
    go build -o "$BROKER_CACHE/mochi" . >&2)
  mark_installed
}

start() {
  exec "$BROKER_CACHE/mochi"
}
