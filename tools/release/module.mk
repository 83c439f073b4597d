# Release: make dist, make distcheck, make check-packages, and the version
# check.  The version's one place is the file VERSION (Makefile).
#
#   make dist            libjpki-$(VERSION).tar.gz from git ls-files
#   make distcheck       unpack it elsewhere, build, make check there, install
#   make check-packages  Debian packages built from the tarball, linted,
#                        installed into a throwaway root and used there
#
# check-packages and distcheck are not in CHECK_TARGETS: they build the
# project again (distcheck's make check takes as long as the first one);
# .ci/run runs them after make check.

DIST_NAME	:= libjpki-$(VERSION)
DIST_TARBALL	:= $(DIST_NAME).tar.gz
# What distcheck runs in the unpacked tree; .ci/run may ask for less.
DISTCHECK_TARGET ?= check

.PHONY: dist distcheck check-packages check-version symbols

dist:
	@sh tools/release/dist.sh $(VERSION) .

distcheck: dist
	@BUILD=$(BUILD) tests/lib/tap-count.sh distcheck \
		sh tools/release/distcheck.sh $(DIST_TARBALL) '$(DISTCHECK_TARGET)'

# Root: the throwaway root is an overlayfs over / in a private mount
# namespace (tests/e2e/packages.sh).
check-packages:
	@BUILD=$(BUILD) tests/lib/tap-count.sh packages \
		sh tests/e2e/packages.sh $(VERSION)

# VERSION against jpki.h, debian/changelog, NEWS, jpki.pc, jpki --version;
# SOVERSION against the soname, the map's node and the Debian package.
check-version: $(LIB_SO) $(PF_SO) $(BUILD)/jpki.pc $(BUILD)/jpki-platform.pc \
		$(JPKI_CLI)
	@sh tests/check-version.sh $(BUILD) $(SOVERSION) $(RESULTS)/version.count

CHECK_TARGETS	+= check-version

# A new VERSION renames the library file and changes jpki.pc.
$(LIB_SO) $(PF_SO) $(BUILD)/jpki.pc $(BUILD)/jpki-platform.pc: VERSION

# debian/libjpki$(SOVERSION).symbols and libjpki-platform$(SOVERSION).symbols
# from the libraries' real exports: symbols already listed keep the version
# that added them, new ones get $(VERSION).  Run after adding a function to
# the API (check-packages fails until then).
symbols: $(LIB_SO) $(PF_SO)
	dpkg-gensymbols -plibjpki$(SOVERSION) -v$(VERSION) -e$(LIB_SO) \
		-Odebian/libjpki$(SOVERSION).symbols
	touch debian/libjpki-platform$(SOVERSION).symbols
	dpkg-gensymbols -plibjpki-platform$(SOVERSION) -v$(VERSION) \
		-e$(PF_SO) -Odebian/libjpki-platform$(SOVERSION).symbols
