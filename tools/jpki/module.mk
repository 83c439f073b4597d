# jpki: the command-line tool, its man page and its end-to-end tests.

JPKI_CLI_SRCS	:= tools/jpki/main.c tools/jpki/cli.c tools/jpki/json.c \
		   tools/jpki/fmt.c tools/jpki/pinentry.c \
		   tools/jpki/cmd_readers.c tools/jpki/cmd_info.c \
		   tools/jpki/cmd_cert.c tools/jpki/cmd_pin.c tools/jpki/cmd_sign.c \
		   tools/jpki/cmd_text.c tools/jpki/cmd_platform.c \
		   tools/jpki/cmd_doctor.c tools/jpki/cmd_verify.c \
		   tools/jpki/cmd_visual.c
JPKI_CLI_OBJS	:= $(JPKI_CLI_SRCS:%.c=$(BUILD)/%.o)
# the library's UTF-8 validator (internal, not exported) for json.c
JPKI_CLI_OBJS	+= $(BUILD)/src/utf8.o
JPKI_CLI	:= $(BUILD)/bin/jpki

# both libraries: `jpki platform` and `jpki verify --ocsp` talk HTTP
$(JPKI_CLI): $(JPKI_CLI_OBJS) $(LIB_SO) $(PF_SO)
	@mkdir -p $(@D)
	$(CC) -o $@ $(JPKI_CLI_OBJS) $(ALL_LDFLAGS) $(PF_TOOL_LINK)

ALL_TARGETS	+= $(JPKI_CLI)

# Unit tests of the JSON writer and formatting helpers (cmocka).
JPKI_CLI_TEST	:= $(BUILD)/tools/jpki/tests/test_fmt
EXTRA_CFLAGS_tools/jpki/tests := -Wno-conversion -Wno-sign-conversion \
	-Wno-missing-prototypes -Wno-missing-declarations -Wno-cast-qual

$(JPKI_CLI_TEST): $(BUILD)/tools/jpki/tests/test_fmt.o \
		$(BUILD)/tools/jpki/json.o $(BUILD)/tools/jpki/fmt.o $(JPKI_A)
	@mkdir -p $(@D)
	$(CC) -o $@ $(filter %.o,$^) $(JPKI_A) $(ALL_LDFLAGS) $(CMOCKA_LIBS) \
		$(JPKI_LIBS)

ALL_TARGETS	+= $(JPKI_CLI_TEST)

# Then end-to-end: real pcscd + vpcd + jpki-cardsim in private namespaces.
# Under `make asan` BUILD is build-asan; the harness takes the binaries there.
check-cli: $(JPKI_CLI) $(JPKI_CLI_TEST) $(BUILD)/bin/jpki-cardsim
	$(JPKI_CLI_TEST)
	BUILD=$(BUILD) H_TOP=$(CURDIR) sh tests/lib/isolated.sh \
		sh tests/e2e/cli_basic.sh

CHECK_TARGETS	+= check-cli
ASAN_TARGETS	+= check-cli

install-cli: $(JPKI_CLI)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(JPKI_CLI) $(DESTDIR)$(BINDIR)/jpki
	install -m 0644 man/jpki.1 $(DESTDIR)$(MANDIR)/man1/jpki.1

INSTALLED_FILES	+= $(BINDIR)/jpki $(MANDIR)/man1/jpki.1

INSTALL_TARGETS	+= install-cli
