# The mqttws command-line client (crate mqttws-cli in cli/). Included by the
# top-level Makefile.
#
#   make man            regenerate cli/mqttws.1 from the clap definition; a
#                       test (part of `make test`) fails when the checked-in
#                       page drifts from the flags
#   make install-man    install the page as $(PREFIX)/share/man/man1/mqttws.1;
#                       part of `make install` (`make uninstall` removes it)

PREFIX ?= /usr/local
DESTDIR ?=
MQTTWS_MANDIR ?= $(PREFIX)/share/man

.PHONY: man install-man uninstall-man

man:
	MQTTWS_UPDATE_MAN=1 $(CARGO) test -q -p mqttws-cli --bin mqttws -- man_page

# The page is checked in, so installing it needs no build.
install-man:
	install -d $(DESTDIR)$(MQTTWS_MANDIR)/man1
	install -m 644 cli/mqttws.1 $(DESTDIR)$(MQTTWS_MANDIR)/man1/mqttws.1

install: install-man

uninstall-man:
	rm -f $(DESTDIR)$(MQTTWS_MANDIR)/man1/mqttws.1

uninstall: uninstall-man
