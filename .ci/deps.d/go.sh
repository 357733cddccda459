# The Go binding (make go-test / demo-go, mk/go.mk): a Go toolchain (at
# least 1.19, the go line of bindings/go/go.mod) with cgo, which needs a C
# compiler. CI images usually bring Go in /usr/local/go; otherwise Debian's
# golang-go (1.19 on Debian 12) is enough. The module has no dependencies:
# nothing is downloaded at build time.
if ! command -v go >/dev/null 2>&1 && [ ! -x /usr/local/go/bin/go ]; then
  packages+=(golang-go)
fi
packages+=(gcc libc6-dev)
