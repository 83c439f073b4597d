# jpki-sandbox: a virtual card behind its own pcscd and a mock MyKey
# Platform for application developers (man/jpki-sandbox.1).  A POSIX sh
# script: it only starts and stops the project's programs (pcscd,
# jpki-cardsim, mykey-mock) in namespaces, which unshare and nsenter do
# better than C would.  make fills in the install paths.

SANDBOX_BIN	:= $(BUILD)/bin/jpki-sandbox
SANDBOX_PATHS	:= $(BUILD)/tools/sandbox/paths

# The paths filled in, rewritten only when they change, so that
# `make install PREFIX=/usr` after a plain `make` remakes the script.
$(SANDBOX_PATHS): sandbox-paths-check
	@mkdir -p $(@D)
	@echo '$(VERSION) $(BINDIR) $(P11MODDIR)' > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

.PHONY: sandbox-paths-check
sandbox-paths-check:

$(SANDBOX_BIN): tools/sandbox/jpki-sandbox.sh $(SANDBOX_PATHS)
	@mkdir -p $(@D)
	sed -e 's|@VERSION@|$(VERSION)|g' -e 's|@BINDIR@|$(BINDIR)|g' \
		-e 's|@P11MODDIR@|$(P11MODDIR)|g' $< > $@.tmp
	chmod 0755 $@.tmp && mv $@.tmp $@

ALL_TARGETS	+= $(SANDBOX_BIN)
INSTALL_TARGETS	+= install-sandbox

install-sandbox: $(SANDBOX_BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(SANDBOX_BIN) $(DESTDIR)$(BINDIR)/jpki-sandbox
	install -m 0644 man/jpki-sandbox.1 $(DESTDIR)$(MANDIR)/man1/jpki-sandbox.1

INSTALLED_FILES	+= $(BINDIR)/jpki-sandbox $(MANDIR)/man1/jpki-sandbox.1

# The README walkthrough, as root and as nobody (tests/e2e/sandbox.sh).
check-sandbox: $(SANDBOX_BIN) $(CARDSIM_BIN) $(MOCK_BIN) $(JPKI_CLI) $(P11_SO)
	@BUILD=$(BUILD) tests/lib/isolated.sh sh tests/e2e/sandbox.sh

CHECK_TARGETS	+= check-sandbox
