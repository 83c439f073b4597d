# jpki-pkcs11.so: the PKCS#11 module.  Built only on libjpki's public API,
# with the static archive linked in (self-contained: -Wl,--exclude-libs,ALL)
# and a version script exporting only C_GetFunctionList, C_GetInterface and
# C_GetInterfaceList.  Installed unversioned into p11-kit's module path,
# with jpki.module in p11-kit's module config directory.

P11_SRCS	:= pkcs11/p11_module.c pkcs11/p11_slot.c pkcs11/p11_session.c \
		   pkcs11/p11_frame.c \
		   pkcs11/p11_object.c pkcs11/p11_sign.c pkcs11/p11_rv.c \
		   pkcs11/p11_nosup.c pkcs11/p11_badpin.c
P11_OBJS	:= $(P11_SRCS:%.c=$(BUILD)/%.o)
P11_SO		:= $(BUILD)/pkcs11/jpki-pkcs11.so
P11_CFLAGS	:= $(shell pkg-config --cflags p11-kit-1 2>/dev/null || echo -I/usr/include/p11-kit-1)

EXTRA_CFLAGS_pkcs11 := $(P11_CFLAGS)
# cmocka tests of the module include <p11-kit/pkcs11.h> too.
$(BUILD)/tests/unit/test_p11_%.o: CFLAGS += $(P11_CFLAGS)
# test_p11_args dlopens the module itself.
$(BUILD)/tests/unit/test_p11_args.o: CFLAGS += -DP11_MODULE_PATH='"$(P11_SO)"'
$(BUILD)/tests/unit/test_p11_args: $(P11_SO)
# test_wipe looks into every block that libjpki and the module's objects
# free, to catch personal data freed unwiped (issue 10): linked with the
# module's objects and -Wl,--wrap=free.
$(BUILD)/tests/unit/test_wipe.o: CFLAGS += $(P11_CFLAGS) -Ipkcs11
$(BUILD)/tests/unit/test_wipe: $(BUILD)/tests/unit/test_wipe.o $(P11_OBJS) \
		$(LIB_A)
	@mkdir -p $(@D)
	$(CC) -o $@ $< $(P11_OBJS) $(LIB_A) $(ALL_LDFLAGS) -Wl,--wrap=free \
		$(CMOCKA_LIBS) $(LIB_LIBS)

$(P11_SO): $(P11_OBJS) $(LIB_A) pkcs11/jpki-pkcs11.map
	@mkdir -p $(@D)
	$(CC) -shared -o $@ $(P11_OBJS) $(LIB_A) \
		-Wl,--version-script=pkcs11/jpki-pkcs11.map \
		-Wl,--exclude-libs,ALL -Wl,--no-undefined \
		$(ALL_LDFLAGS) $(LIB_LIBS)

ALL_TARGETS	+= $(P11_SO)
INSTALL_TARGETS	+= install-p11

install-p11: $(P11_SO)
	install -d $(DESTDIR)$(P11MODDIR) $(DESTDIR)$(P11CONFDIR)
	install -m 0644 $(P11_SO) $(DESTDIR)$(P11MODDIR)/jpki-pkcs11.so
	sed -e 's|@P11MODDIR@|$(P11MODDIR)|g' pkcs11/jpki.module \
		> $(DESTDIR)$(P11CONFDIR)/jpki.module
	chmod 0644 $(DESTDIR)$(P11CONFDIR)/jpki.module
	install -d $(DESTDIR)$(MANDIR)/man8
	install -m 0644 man/jpki-pkcs11.8 $(DESTDIR)$(MANDIR)/man8/jpki-pkcs11.8

INSTALLED_FILES	+= $(P11MODDIR)/jpki-pkcs11.so $(P11CONFDIR)/jpki.module \
		   $(MANDIR)/man8/jpki-pkcs11.8

# Real clients through pcscd + vpcd + jpki-cardsim (tests/e2e/p11_tool.sh).
# Under SANITIZE=1 the uninstrumented clients need the ASan runtime first.
P11_PRELOAD	:= $(if $(filter 1,$(SANITIZE)),$(shell $(CC) -print-file-name=libasan.so))

# Direct C_* calls with a card: sessions, threads, reset, removal, events.
P11_API_BIN	:= $(BUILD)/tests/e2e/p11_api
$(BUILD)/tests/e2e/p11_api.o: CFLAGS += $(P11_CFLAGS)
$(P11_API_BIN): $(BUILD)/tests/e2e/p11_api.o $(LIB_A) $(P11_SO)
	@mkdir -p $(@D)
	$(CC) -o $@ $< $(LIB_A) $(ALL_LDFLAGS) $(CMOCKA_LIBS) $(LIB_LIBS)

ALL_TARGETS	+= $(P11_API_BIN)

# The sanitizer run gets its own work directories (tests/tmp/p11_*_asan).
P11_TAG		:= $(if $(filter 1,$(SANITIZE)),asan)

check-p11: $(P11_SO) $(P11_API_BIN) $(BUILD)/bin/jpki-cardsim
	@BUILD=$(BUILD) P11_PRELOAD=$(P11_PRELOAD) P11_TAG=$(P11_TAG) \
		tests/lib/isolated.sh sh tests/e2e/p11_tool.sh
	@BUILD=$(BUILD) P11_PRELOAD=$(P11_PRELOAD) P11_TAG=$(P11_TAG) \
		tests/lib/isolated.sh sh tests/e2e/p11_api.sh

CHECK_TARGETS	+= check-p11
ASAN_TARGETS	+= check-p11

# Chromium (headful under Xvfb, PIN typed into its dialog) logging in with
# the card against a TLS 1.2 client-auth nginx and the mykey-mock login page
# (tests/e2e/p11_chromium.sh).
check-p11-chromium: $(P11_SO) $(BUILD)/bin/jpki-cardsim $(BUILD)/bin/mykey-mock \
		$(BUILD)/bin/jpki
	@BUILD=$(BUILD) tests/lib/isolated.sh sh tests/e2e/p11_chromium.sh

CHECK_TARGETS	+= check-p11-chromium

# Firefox ESR (headful under Xvfb, PIN typed into its dialog), the module
# added with modutil and by enterprise policy: nginx and the mykey-mock
# login page, card removal, a wrong PIN (tests/e2e/p11_firefox.sh).
check-p11-firefox: $(P11_SO) $(BUILD)/bin/jpki-cardsim $(BUILD)/bin/mykey-mock \
		$(BUILD)/bin/jpki
	@BUILD=$(BUILD) tests/lib/isolated.sh sh tests/e2e/p11_firefox.sh

CHECK_TARGETS	+= check-p11-firefox

# APDUs and wall time, C_Initialize to token list / first C_Sign, against
# OpenSC's opensc-pkcs11.so on the same virtual card (tests/e2e/p11_bench.sh).
bench-p11: $(P11_SO) $(BUILD)/bin/jpki-cardsim
	@BUILD=$(BUILD) tests/lib/isolated.sh sh tests/e2e/p11_bench.sh

BENCH_TARGETS	+= bench-p11

# OpenSSH with the card: ssh-keygen -D = jpki cert auth --ssh, a real sshd
# on loopback, ssh -I with askpass, ssh-agent -P + ssh-add -s/-e, wrong
# PINs, card removal (tests/e2e/p11_ssh.sh).
check-p11-ssh: $(P11_SO) $(BUILD)/bin/jpki-cardsim $(BUILD)/bin/jpki
	@BUILD=$(BUILD) tests/lib/isolated.sh sh tests/e2e/p11_ssh.sh

CHECK_TARGETS	+= check-p11-ssh

# NSS's tools with the card: modutil -add, certutil -L/-K with a password
# file, wrong PINs, tstclnt TLS 1.2 client authentication against openssl
# s_server -Verify (tests/e2e/p11_nss.sh).
check-p11-nss: $(P11_SO) $(BUILD)/bin/jpki-cardsim $(BUILD)/bin/jpki
	@BUILD=$(BUILD) tests/lib/isolated.sh sh tests/e2e/p11_nss.sh

CHECK_TARGETS	+= check-p11-nss

# APDUs and wall time of an OpenSSH login with the card (ssh -I, ssh-add -s,
# agent-backed), contact and 424 kbit/s (tests/e2e/p11_ssh_bench.sh).
bench-ssh: $(P11_SO) $(BUILD)/bin/jpki-cardsim
	@BUILD=$(BUILD) tests/lib/isolated.sh sh tests/e2e/p11_ssh_bench.sh

BENCH_TARGETS	+= bench-ssh
