# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# Data installed with the library: the real J-LIS root certificates
# (jpki-card.md §9.1), the default trust anchors of jpki_verify_new().

ROOTS_DIR	:= $(DATADIR)/jpki/roots
ROOTS_PEMS	:= $(sort $(wildcard data/jlis-roots/*.pem))

# The library looks for the bundled roots where install-roots puts them.
$(BUILD)/src/cert_verify.o: ALL_CFLAGS += -DJPKI_ROOTS_DIR='"$(ROOTS_DIR)"'

# The same layout in the build tree ($(BUILD)/lib/libjpki.so next to
# $(BUILD)/share/jpki/roots), so that uninstalled tools find the roots.
BUILD_ROOTS	:= $(ROOTS_PEMS:data/jlis-roots/%=$(BUILD)/share/jpki/roots/%)

$(BUILD)/share/jpki/roots/%.pem: data/jlis-roots/%.pem
	@mkdir -p $(@D)
	cp $< $@

ALL_TARGETS	+= $(BUILD_ROOTS)
INSTALL_TARGETS	+= install-roots

install-roots:
	install -d $(DESTDIR)$(ROOTS_DIR)
	install -m 0644 $(ROOTS_PEMS) $(DESTDIR)$(ROOTS_DIR)/

INSTALLED_FILES	+= $(ROOTS_PEMS:data/jlis-roots/%=$(ROOTS_DIR)/%)
INSTALLED_DIRS	+= $(ROOTS_DIR) $(DATADIR)/jpki
