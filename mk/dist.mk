# Shipping libmqttws: installs for the host and the ARM boards, tried as their
# users would. Included by the top-level Makefile.
#
#   make dist-test   tests/dist/run.sh: `make install` for the host and with
#                    TARGET=aarch64-unknown-linux-gnu and
#                    TARGET=armv7-unknown-linux-gnueabihf (release builds);
#                    C programs with pkg-config (rpath; -static), the CMake
#                    example, the C suite and the examples under qemu-user,
#                    a Go module outside the repository (amd64, arm64), and
#                    `make uninstall`; part of `make test`
#
# The cross toolchains, qemu-user-static and cmake come from
# .ci/deps.d/cross.sh (`make deps`).

.PHONY: dist-test

dist-test:
	CARGO=$(CARGO) GO=$(GO) bash tests/dist/run.sh

TEST_TARGETS += dist-test
