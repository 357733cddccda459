# The C API (crate mqttws-ffi in ffi/): header, C tests, install, C demo.
# Included by the top-level Makefile.
#
#   make header                  regenerate include/mqttws.h with cbindgen
#   make c-test                  the C suite (ASan + UBSan, valgrind, install);
#                                part of `make test`
#   make c-lib [TARGET=triple...]
#                                build libmqttws.so/.a into target/release
#                                (target/<triple>/release with TARGET; several
#                                triples build together)
#   make install PREFIX=/usr/local [TARGET=triple]
#                                libmqttws.so.<version> with its SONAME link
#                                libmqttws.so.<major> and libmqttws.so,
#                                libmqttws.a, mqttws.h, lib/pkgconfig/mqttws.pc,
#                                lib/cmake/mqttws/ (find_package(mqttws))
#                                (MQTTWS_PROFILE=debug installs the debug build)
#   make uninstall PREFIX=...    removes exactly what install put there
#   make demo-c                  the C examples against a local mosquitto;
#                                part of `make demo`
#
# TARGET is a Rust target triple; aarch64-unknown-linux-gnu and
# armv7-unknown-linux-gnueabihf are set up here (mk/toolchain.sh installs the
# rustup target and Debian's cross gcc when missing; .cargo/config.toml names
# the linker and C compiler). Without TARGET, the host is built.

.PHONY: header c-lib c-test install uninstall demo-c

PREFIX ?= /usr/local
DESTDIR ?=
TARGET ?=
MQTTWS_PROFILE ?= release
ifneq ($(and $(word 2,$(TARGET)),$(filter install uninstall,$(MAKECMDGOALS))),)
$(error make install/uninstall take one TARGET, not "$(TARGET)")
endif
# The paths written into mqttws.pc must be absolute.
override PREFIX := $(abspath $(PREFIX))
# Debian's multiarch directory (lib/x86_64-linux-gnu) is not used: a plain
# lib/ works with every prefix and with PKG_CONFIG_PATH=$(PREFIX)/lib/pkgconfig.
MQTTWS_LIBDIR ?= $(PREFIX)/lib
MQTTWS_INCLUDEDIR ?= $(PREFIX)/include
# What the Rust static library needs besides itself: rustc --print
# native-static-libs says -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc for every
# *-linux-gnu target. -lgcc_s is left out: gcc and clang add the unwinder
# themselves (libgcc_s when linking dynamically, libgcc_eh with -static, where
# an explicit -lgcc_s fails with "cannot find -lgcc_s").
MQTTWS_NATIVE_LIBS := -lutil -lrt -lpthread -lm -ldl -lc
MQTTWS_CARGO_PROFILE_FLAG := $(if $(filter release,$(MQTTWS_PROFILE)),--release,)
MQTTWS_TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
# Where cargo writes the library: target/<profile> for the host,
# target/<triple>/<profile> for TARGET (so host and cross builds coexist).
MQTTWS_OUT := $(MQTTWS_TARGET_DIR)/$(if $(TARGET),$(TARGET)/)$(MQTTWS_PROFILE)
MQTTWS_VERSION := $(shell sed -n 's/^\#define MQTTWS_VERSION_STRING "\(.*\)"$$/\1/p' include/mqttws.h)
# The ABI major version: the SONAME is libmqttws.so.$(MQTTWS_SOVERSION) (ffi/build.rs).
MQTTWS_SOVERSION := $(firstword $(subst ., ,$(MQTTWS_VERSION)))

# cbindgen runs as a library inside the header test, which rewrites the
# header instead of comparing when MQTTWS_UPDATE_HEADER=1.
header:
	MQTTWS_UPDATE_HEADER=1 $(CARGO) test -q -p mqttws-ffi --test header -- checked_in_header

# The libmqttws.so.<major> link in cargo's output directory lets programs
# linked there (-L$(MQTTWS_OUT) -lmqttws) run with LD_LIBRARY_PATH alone.
c-lib:
	$(if $(TARGET),bash mk/toolchain.sh $(TARGET))
	$(CARGO) build $(MQTTWS_CARGO_PROFILE_FLAG) -p mqttws-ffi $(foreach t,$(TARGET),--target $(t))
	$(if $(TARGET),$(foreach t,$(TARGET),ln -sf libmqttws.so $(MQTTWS_TARGET_DIR)/$(t)/$(MQTTWS_PROFILE)/libmqttws.so.$(MQTTWS_SOVERSION);),ln -sf libmqttws.so $(MQTTWS_OUT)/libmqttws.so.$(MQTTWS_SOVERSION))

c-test:
	CARGO=$(CARGO) bash tests/c/run.sh

# Relative path from lib/cmake/mqttws to the include directory, so that the
# CMake package stays valid when the installed tree moves.
install: c-lib
	install -d $(DESTDIR)$(MQTTWS_LIBDIR)/pkgconfig $(DESTDIR)$(MQTTWS_LIBDIR)/cmake/mqttws \
	  $(DESTDIR)$(MQTTWS_INCLUDEDIR)
	install -m 644 $(MQTTWS_OUT)/libmqttws.a $(DESTDIR)$(MQTTWS_LIBDIR)/libmqttws.a
	install -m 755 $(MQTTWS_OUT)/libmqttws.so $(DESTDIR)$(MQTTWS_LIBDIR)/libmqttws.so.$(MQTTWS_VERSION)
	ln -sfn libmqttws.so.$(MQTTWS_VERSION) $(DESTDIR)$(MQTTWS_LIBDIR)/libmqttws.so.$(MQTTWS_SOVERSION)
	ln -sfn libmqttws.so.$(MQTTWS_SOVERSION) $(DESTDIR)$(MQTTWS_LIBDIR)/libmqttws.so
	install -m 644 include/mqttws.h $(DESTDIR)$(MQTTWS_INCLUDEDIR)/mqttws.h
	@set -e; \
	triple='$(TARGET)'; [ -n "$$triple" ] || triple=$$(rustc -vV | sed -n 's/^host: //p'); \
	bits=$$(rustc --print cfg --target "$$triple" | sed -n 's/^target_pointer_width="\(.*\)"$$/\1/p'); \
	relinc=$$(realpath -m --relative-to='$(MQTTWS_LIBDIR)/cmake/mqttws' '$(MQTTWS_INCLUDEDIR)'); \
	cmake_libs=$$(echo '$(filter-out -lc,$(MQTTWS_NATIVE_LIBS))' | sed 's/-l//g; s/ /;/g'); \
	subst() { sed -e 's|@VERSION@|$(MQTTWS_VERSION)|g' -e 's|@SOVERSION@|$(MQTTWS_SOVERSION)|g' \
	  -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(MQTTWS_LIBDIR)|g' \
	  -e 's|@INCLUDEDIR@|$(MQTTWS_INCLUDEDIR)|g' -e 's|@NATIVE_LIBS@|$(MQTTWS_NATIVE_LIBS)|g' \
	  -e "s|@TARGET@|$$triple|g" -e "s|@SIZEOF_VOID_P@|$$((bits / 8))|g" \
	  -e "s|@REL_INCLUDEDIR@|$$relinc|g" -e "s|@CMAKE_NATIVE_LIBS@|$$cmake_libs|g" "$$1" > "$$2"; }; \
	subst ffi/dist/mqttws.pc.in $(DESTDIR)$(MQTTWS_LIBDIR)/pkgconfig/mqttws.pc; \
	subst ffi/dist/mqttwsConfig.cmake.in $(DESTDIR)$(MQTTWS_LIBDIR)/cmake/mqttws/mqttwsConfig.cmake; \
	subst ffi/dist/mqttwsConfigVersion.cmake.in \
	  $(DESTDIR)$(MQTTWS_LIBDIR)/cmake/mqttws/mqttwsConfigVersion.cmake; \
	echo "installed libmqttws $(MQTTWS_VERSION) ($(MQTTWS_PROFILE) build for $$triple) into $(DESTDIR)$(PREFIX)"; \
	echo "at run time, programs find libmqttws.so.$(MQTTWS_SOVERSION) through an rpath" \
	  "(-Wl,-rpath,$(MQTTWS_LIBDIR)), LD_LIBRARY_PATH, or ldconfig for a system directory (README: C)"

uninstall:
	rm -f $(DESTDIR)$(MQTTWS_LIBDIR)/libmqttws.a \
	  $(DESTDIR)$(MQTTWS_LIBDIR)/libmqttws.so.$(MQTTWS_VERSION) \
	  $(DESTDIR)$(MQTTWS_LIBDIR)/libmqttws.so.$(MQTTWS_SOVERSION) \
	  $(DESTDIR)$(MQTTWS_LIBDIR)/libmqttws.so \
	  $(DESTDIR)$(MQTTWS_INCLUDEDIR)/mqttws.h \
	  $(DESTDIR)$(MQTTWS_LIBDIR)/pkgconfig/mqttws.pc \
	  $(DESTDIR)$(MQTTWS_LIBDIR)/cmake/mqttws/mqttwsConfig.cmake \
	  $(DESTDIR)$(MQTTWS_LIBDIR)/cmake/mqttws/mqttwsConfigVersion.cmake
	rmdir --ignore-fail-on-non-empty $(DESTDIR)$(MQTTWS_LIBDIR)/cmake/mqttws 2>/dev/null || true

demo-c:
	$(CARGO) build --release -p mqttws-tests --bin mqttws-test-broker
	$(MAKE) --no-print-directory install PREFIX=$(CURDIR)/target/c-demo MQTTWS_PROFILE=release
	MQTTWS_TEST_BROKER=target/release/mqttws-test-broker bash examples/c/demo.sh target/c-demo

TEST_TARGETS += c-test
DEMO_TARGETS += demo-c
