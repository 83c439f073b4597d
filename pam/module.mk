# pam_jpki.so: the PAM module (pam_jpki(8)).  A top-level component beside
# pkcs11/ rather than a tool: a loadable module that users install into the
# system's PAM directory and that runs inside su, login and sshd.  Like
# jpki-pkcs11.so it is built only on libjpki's public API with the static
# archive linked in (-Wl,--exclude-libs,ALL) and a version script that
# exports only pam_sm_*.
#
# Installed as $(PAMDIR)/pam_jpki.so (default $(LIBDIR)/security; Debian's
# libpam looks in /lib/<multiarch>/security, e.g.
# make PAMDIR=/lib/x86_64-linux-gnu/security), with an example
# configuration $(SYSCONFDIR)/security/pam_jpki.conf (kept if present) and
# pam_jpki.8.

SYSCONFDIR	?= /etc
PAMDIR		?= $(LIBDIR)/security

PAM_SRCS	:= pam/pam_jpki.c pam/pj_cert.c pam/pj_card.c pam/pj_conf.c \
		   pam/pj_platform.c
PAM_OBJS	:= $(PAM_SRCS:%.c=$(BUILD)/%.o)
PAM_SO		:= $(BUILD)/pam/pam_jpki.so
PAM_LIBS	:= -lpam

# Both archives: the module logs in on the MyKey Platform (pj_platform.c)
# and fetches revocation over HTTP, so it needs libjpki-platform's part
# too; --as-needed keeps SQLite (the offline queue, unused here) out of
# its NEEDED.
$(PAM_SO): $(PAM_OBJS) $(JPKI_A) pam/pam_jpki.map
	@mkdir -p $(@D)
	$(CC) -shared -o $@ $(PAM_OBJS) $(JPKI_A) \
		-Wl,--version-script=pam/pam_jpki.map \
		-Wl,--exclude-libs,ALL -Wl,--no-undefined \
		$(ALL_LDFLAGS) -Wl,--as-needed $(JPKI_LIBS) $(PAM_LIBS)

ALL_TARGETS	+= $(PAM_SO)
INSTALL_TARGETS	+= install-pam

install-pam: $(PAM_SO)
	install -d $(DESTDIR)$(PAMDIR) $(DESTDIR)$(SYSCONFDIR)/security \
		$(DESTDIR)$(MANDIR)/man8
	install -m 0644 $(PAM_SO) $(DESTDIR)$(PAMDIR)/pam_jpki.so
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/security/pam_jpki.conf ]; then \
		echo "install-pam: keeping $(DESTDIR)$(SYSCONFDIR)/security/pam_jpki.conf"; \
	else \
		echo install -m 0644 pam/pam_jpki.conf \
			$(DESTDIR)$(SYSCONFDIR)/security/pam_jpki.conf; \
		install -m 0644 pam/pam_jpki.conf \
			$(DESTDIR)$(SYSCONFDIR)/security/pam_jpki.conf; \
	fi
	install -m 0644 man/pam_jpki.8 $(DESTDIR)$(MANDIR)/man8/pam_jpki.8

INSTALLED_FILES	+= $(PAMDIR)/pam_jpki.so $(MANDIR)/man8/pam_jpki.8
INSTALLED_CONFIGS += $(SYSCONFDIR)/security/pam_jpki.conf:pam/pam_jpki.conf

# pamtester and a real su (as a synthetic user, PIN typed in tmux) against
# pcscd, vpcd, jpki-cardsim and mykey-mock (OCSP, CRL), with /etc/pam.d,
# passwd, shadow and group bind-mounted from the test's directory inside
# the private mount namespace (tests/e2e/pam.sh).
check-pam: $(PAM_SO) $(BUILD)/bin/jpki $(BUILD)/bin/jpki-cardsim \
		$(BUILD)/bin/mykey-mock
	@BUILD=$(BUILD) H_TOP=$(CURDIR) sh tests/lib/isolated.sh \
		sh tests/e2e/pam.sh

CHECK_TARGETS	+= check-pam

# APDUs and wall time of one pamtester authentication beside the physical
# minimum, contact and 424 kbit/s (tests/e2e/pam_bench.sh).
PAM_MIN_BIN	:= $(BUILD)/tests/e2e/pam_min
$(PAM_MIN_BIN): $(BUILD)/tests/e2e/pam_min.o $(JPKI_A)
	@mkdir -p $(@D)
	$(CC) -o $@ $< $(JPKI_A) $(ALL_LDFLAGS) $(JPKI_LIBS)

bench-pam: $(PAM_SO) $(PAM_MIN_BIN) $(BUILD)/bin/jpki-cardsim \
		$(BUILD)/bin/mykey-mock
	@BUILD=$(BUILD) H_TOP=$(CURDIR) sh tests/lib/isolated.sh \
		sh tests/e2e/pam_bench.sh

BENCH_TARGETS	+= bench-pam
