# The C API (crate mqttws-ffi in ffi/): header, C tests, install, C demo.
# Included by the top-level Makefile.
#
#   make header                  regenerate include/mqttws.h with cbindgen
#   make c-test                  the C suite (ASan + UBSan, valgrind, install);
#                                part of `make test`
#   make install PREFIX=/usr/local
#                                libmqttws.so, libmqttws.a, mqttws.h, mqttws.pc
#                                (MQTTWS_PROFILE=debug installs the debug build)
#   make demo-c                  the C examples against a local mosquitto;
#                                part of `make demo`

.PHONY: header c-lib c-test install demo-c

PREFIX ?= /usr/local
DESTDIR ?=
MQTTWS_PROFILE ?= release
# Debian's multiarch directory (lib/x86_64-linux-gnu) is not used: a plain
# lib/ works with every prefix and with PKG_CONFIG_PATH=$(PREFIX)/lib/pkgconfig.
MQTTWS_LIBDIR ?= $(PREFIX)/lib
MQTTWS_INCLUDEDIR ?= $(PREFIX)/include
# What the Rust static library needs besides itself (rustc --print native-static-libs).
MQTTWS_NATIVE_LIBS := -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
MQTTWS_CARGO_PROFILE_FLAG := $(if $(filter release,$(MQTTWS_PROFILE)),--release,)

# cbindgen runs as a library inside the header test, which rewrites the
# header instead of comparing when MQTTWS_UPDATE_HEADER=1.
header:
	MQTTWS_UPDATE_HEADER=1 $(CARGO) test -q -p mqttws-ffi --test header -- checked_in_header

c-lib:
	$(CARGO) build $(MQTTWS_CARGO_PROFILE_FLAG) -p mqttws-ffi

c-test:
	CARGO=$(CARGO) bash tests/c/run.sh

install: c-lib
	install -d $(DESTDIR)$(MQTTWS_LIBDIR)/pkgconfig $(DESTDIR)$(MQTTWS_INCLUDEDIR)
	install -m 644 target/$(MQTTWS_PROFILE)/libmqttws.a $(DESTDIR)$(MQTTWS_LIBDIR)/libmqttws.a
	install -m 755 target/$(MQTTWS_PROFILE)/libmqttws.so $(DESTDIR)$(MQTTWS_LIBDIR)/libmqttws.so
	install -m 644 include/mqttws.h $(DESTDIR)$(MQTTWS_INCLUDEDIR)/mqttws.h
	version=$$(sed -n 's/^#define MQTTWS_VERSION_STRING "\(.*\)"$$/\1/p' include/mqttws.h); \
	printf '%s\n' \
	  'prefix=$(PREFIX)' \
	  'libdir=$(MQTTWS_LIBDIR)' \
	  'includedir=$(MQTTWS_INCLUDEDIR)' \
	  '' \
	  'Name: mqttws' \
	  'Description: MQTT 3.1.1 client over WebSocket (ws:// and wss://) with cloud platform signers' \
	  "Version: $$version" \
	  'Libs: -L$${libdir} -lmqttws' \
	  'Libs.private: $(MQTTWS_NATIVE_LIBS)' \
	  'Cflags: -I$${includedir}' \
	  > $(DESTDIR)$(MQTTWS_LIBDIR)/pkgconfig/mqttws.pc
	@echo "installed libmqttws $(MQTTWS_PROFILE) build into $(DESTDIR)$(PREFIX)"

demo-c:
	$(CARGO) build --release -p mqttws-tests --bin mqttws-test-broker
	$(MAKE) --no-print-directory install PREFIX=$(CURDIR)/target/c-demo MQTTWS_PROFILE=release
	MQTTWS_TEST_BROKER=target/release/mqttws-test-broker bash examples/c/demo.sh target/c-demo

TEST_TARGETS += c-test
DEMO_TARGETS += demo-c
