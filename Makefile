# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# One non-recursive Makefile.  Each component adds itself through a
# module.mk fragment (src/, pkcs11/, tools/*/, tests/), appending to:
#   ALL_TARGETS      built by `make all`
#   CHECK_TARGETS    run by `make check`, in order
#   INSTALL_TARGETS  run by `make install`
#   INSTALLED_FILES  what those put in place (without DESTDIR), which
#                    `make uninstall` removes; INSTALLED_DIRS the
#                    directories only this project uses;
#                    INSTALLED_CONFIGS DEST:SOURCE pairs of configuration
#                    files, removed only while unchanged from SOURCE
#   BENCH_TARGETS    run by `make bench`
#   ASAN_TARGETS     run by `make asan` (built with ASan + UBSan)
#   LONG_TARGETS     run by `make check-long`: slow repeats kept out of
#                    `make check` (20 minutes on the 2-core machine)
#   CLEAN_FILES      extra files removed by `make clean`
#
# Targets: all check asan install install-udev uninstall clean deps demo
#          bench bench-platform bench-tap fuzz

.DEFAULT_GOAL := all

# The release version: its one place is the file VERSION (make dist,
# jpki.pc, the library file name; tests/check-version.sh holds jpki.h,
# debian/changelog, NEWS and `jpki --version` to it).  SOVERSION changes
# only when the ABI breaks (README, "Versions and ABI").
VERSION		:= $(strip $(file < VERSION))
SOVERSION	:= 1

PREFIX		?= /usr/local
BINDIR		?= $(PREFIX)/bin
LIBDIR		?= $(PREFIX)/lib
INCLUDEDIR	?= $(PREFIX)/include
DATADIR		?= $(PREFIX)/share
MANDIR		?= $(DATADIR)/man
PKGCONFIGDIR	?= $(LIBDIR)/pkgconfig
P11MODDIR	?= $(shell pkg-config --variable=p11_module_path p11-kit-1 2>/dev/null || echo $(LIBDIR)/pkcs11)
P11CONFDIR	?= $(shell pkg-config --variable=p11_module_configs p11-kit-1 2>/dev/null || echo $(DATADIR)/p11-kit/modules)
DESTDIR		?=

CC		?= cc
# BUILD is the object directory; the asan variant uses its own.
BUILD		?= build
SANITIZE	?=

# Compile flags of every library either of libjpki's two libraries uses;
# each links only its own (src/module.mk: LIB_LIBS, PF_LIBS).
PKGS		:= libpcsclite libcrypto libcurl jansson sqlite3
PKG_CFLAGS	:= $(shell pkg-config --cflags $(PKGS) 2>/dev/null)

WARN		:= -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wconversion \
		   -Wsign-conversion -Wstrict-prototypes -Wmissing-prototypes \
		   -Wpointer-arith -Wcast-qual -Wwrite-strings -Wundef \
		   -Wmissing-declarations -Wframe-larger-than=16384 \
		   -Wno-unused-parameter

ifeq ($(SANITIZE),1)
OPT		:= -O1 -g -fno-omit-frame-pointer \
		   -fsanitize=address,undefined -fno-sanitize-recover=all
SANLDFLAGS	:= -fsanitize=address,undefined
else
OPT		:= -O2 -g -D_FORTIFY_SOURCE=2
SANLDFLAGS	:=
endif

CFLAGS		?=
LDFLAGS		?=
BASE_CFLAGS	:= -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) \
		   -fstack-protector-strong -fPIC -Iinclude -Isrc $(PKG_CFLAGS)
ALL_CFLAGS	 = $(BASE_CFLAGS) $(CFLAGS)
HARDEN_LDFLAGS	:= -Wl,-z,relro -Wl,-z,now -Wl,-z,noexecstack
ALL_LDFLAGS	 = $(HARDEN_LDFLAGS) $(SANLDFLAGS) $(LDFLAGS)

ALL_TARGETS	:=
CHECK_TARGETS	:=
INSTALL_TARGETS	:=
INSTALLED_FILES	:=
INSTALLED_CONFIGS :=
INSTALLED_DIRS	:=
BENCH_TARGETS	:=
ASAN_TARGETS	:=
LONG_TARGETS	:=
CLEAN_FILES	:=

# Generic compile rule: build/<path>.o from <path>.c, with dependencies.
$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(EXTRA_CFLAGS_$(<D)) -MMD -MP -c -o $@ $<

include src/module.mk
-include $(sort $(wildcard pkcs11/module.mk tools/*/module.mk))
-include pam/module.mk
-include data/module.mk
-include udev/module.mk
-include $(sort $(wildcard tests/e2e/*.mk))
-include tests/module.mk

.PHONY: all check check-long asan install install-udev uninstall clean deps demo \
	bench bench-platform bench-tap fuzz $(CHECK_TARGETS) $(BENCH_TARGETS) \
	$(LONG_TARGETS) \
	$(INSTALL_TARGETS) $(ASAN_TARGETS)

all: $(ALL_TARGETS)

# `make check` installs what is missing, builds, and runs every test.
# CHECK_TARGETS run in the order the fragments list them.
# Every suite runs even after a failure; the closing line is the sum of
# the counts they leave in $JPKI_RESULTS (private to this run and target),
# "check: N passed, M failed" (tests/lib/summary.sh).
check: deps
	@$(MAKE) --no-print-directory all || \
		{ echo "check: 0 passed, 1 failed (build)"; exit 1; }
	@r=$(CURDIR)/tests/tmp/check.$$$$; failed=""; \
	for t in $(CHECK_TARGETS); do \
		s=$$(date +%s); \
		JPKI_RESULTS=$$r/$$t $(MAKE) --no-print-directory $$t || { \
			failed="$$failed $$t"; echo "make check: $$t FAILED"; }; \
		echo "make check: $$t took $$(($$(date +%s) - s)) s"; \
	done; \
	sh tests/lib/summary.sh $$r $$failed

# `make check-long`: the slow repeats (LONG_TARGETS), counted the same way.
# .ci/run runs it after `make check` when CI's time allows.
check-long: deps
	@$(MAKE) --no-print-directory all || \
		{ echo "check: 0 passed, 1 failed (build)"; exit 1; }
	@r=$${JPKI_RESULTS:-$(CURDIR)/tests/tmp/check-long.$$$$}; failed=""; \
	for t in $(LONG_TARGETS); do \
		s=$$(date +%s); \
		JPKI_RESULTS=$$r/$$t $(MAKE) --no-print-directory $$t || { \
			failed="$$failed $$t"; echo "make check-long: $$t FAILED"; }; \
		echo "make check-long: $$t took $$(($$(date +%s) - s)) s"; \
	done; \
	sh tests/lib/summary.sh $$r $$failed

# The ASan + UBSan variant: unit and integration tests with sanitizers.
# ASAN_RUN: which of them (check-asan and check-long split the list).
ASAN_RUN	?= $(ASAN_TARGETS)
asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan SANITIZE=1 all
	@set -e; for t in $(ASAN_RUN); do \
		s=$$(date +%s); \
		$(MAKE) --no-print-directory BUILD=build-asan SANITIZE=1 $$t; \
		echo "make asan: $$t took $$(($$(date +%s) - s)) s"; \
	done
	@echo "make asan: all sanitizer suites passed"

install: all $(INSTALL_TARGETS)

# Remove every file an install target put in place, then the directories
# only this project uses (include/jpki, share/jpki/...) once empty.  Under a
# DESTDIR the staged tree is the install's own, so every directory left
# empty is removed too, up to DESTDIR; without one, shared directories
# (bin, lib, man1, the p11-kit module directory) stay.
UNINSTALL_ROOT	:= $(patsubst %/,%,$(DESTDIR))
uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED_FILES))
	@for c in $(INSTALLED_CONFIGS); do \
		f=$(DESTDIR)$${c%%:*}; [ -e "$$f" ] || continue; \
		if cmp -s "$$f" "$${c#*:}"; then echo "rm -f $$f"; rm -f "$$f"; \
		else echo "uninstall: $$f was changed, kept"; fi; \
	done
	@for d in $$(printf '%s\n' $(addprefix $(DESTDIR),$(INSTALLED_DIRS)) | \
	    sort -r); do \
		if [ -d "$$d" ]; then rmdir "$$d" 2>/dev/null || \
			echo "uninstall: $$d not empty, kept"; fi; \
	done
	@if [ -n "$(UNINSTALL_ROOT)" ]; then \
		for d in $(sort $(dir $(INSTALLED_FILES) $(foreach c,$(INSTALLED_CONFIGS),$(firstword $(subst :, ,$(c)))))); do \
			d=$(UNINSTALL_ROOT)$${d%/}; \
			while [ "$$d" != "$(UNINSTALL_ROOT)" ]; do \
				if [ -d "$$d" ]; then \
					rmdir "$$d" 2>/dev/null || break; fi; \
				d=$$(dirname "$$d"); \
			done; \
		done; \
	fi

deps:
	@sh tools/deps.sh

bench: deps all
	@set -e; for t in $(BENCH_TARGETS); do \
		$(MAKE) --no-print-directory $$t; \
	done

clean:
	rm -rf build build-asan build-fuzz tests/tmp $(CLEAN_FILES)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
