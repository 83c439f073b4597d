# jpki-cardsim: the virtual My Number Card (vpcd front end + card core) and
# the profile generator shared with mykey-mock (tools/common/mkprofile.c and
# its mkp_*.c parts).
# The card side is written independently of the host library: it links only
# the generic helpers buf/tlv/secure/apdu_codec (the ISO 7816-4 command
# decoder)/utf8, never src/ap_*.c, card.c or pin.c.

# Profile generator: mkprofile.c writes a profile from the parts; only
# mkp_rng/pem/x509/ca/ee/cvc and mkprofile.c itself use OpenSSL.
MKPROFILE_SRCS	:= tools/common/mkprofile.c tools/common/mkp_rng.c \
		   tools/common/mkp_date.c tools/common/mkp_mynumber.c \
		   tools/common/mkp_file.c tools/common/mkp_pem.c \
		   tools/common/mkp_x509.c tools/common/mkp_ca.c \
		   tools/common/mkp_ee.c tools/common/mkp_cvc.c \
		   tools/common/mkp_conf.c
MKPROFILE_OBJS	:= $(MKPROFILE_SRCS:%.c=$(BUILD)/%.o)

CARDSIM_SRCS	:= tools/cardsim/main.c tools/cardsim/vpcd.c \
		   tools/cardsim/card.c tools/cardsim/build.c \
		   tools/cardsim/conf.c tools/cardsim/png.c \
		   $(MKPROFILE_SRCS)
CARDSIM_HELPERS	:= $(BUILD)/src/buf.o $(BUILD)/src/tlv.o $(BUILD)/src/secure.o \
		   $(BUILD)/src/apdu_codec.o $(BUILD)/src/utf8.o
CARDSIM_OBJS	:= $(CARDSIM_SRCS:%.c=$(BUILD)/%.o) $(CARDSIM_HELPERS)
CARDSIM_LIBS	:= $(shell pkg-config --libs libcrypto zlib 2>/dev/null || echo -lcrypto -lz)
CARDSIM_BIN	:= $(BUILD)/bin/jpki-cardsim

$(CARDSIM_BIN): $(CARDSIM_OBJS)
	@mkdir -p $(@D)
	$(CC) -o $@ $(CARDSIM_OBJS) $(ALL_LDFLAGS) $(CARDSIM_LIBS)

# The profile.conf parser's unit test needs the My Number check of
# mkprofile besides the library archive.
$(BUILD)/tests/unit/test_cardsim_conf: $(BUILD)/tests/unit/test_cardsim_conf.o \
		$(MKPROFILE_OBJS) $(LIB_A)
	@mkdir -p $(@D)
	$(CC) -o $@ $< $(MKPROFILE_OBJS) $(LIB_A) \
		$(ALL_LDFLAGS) $(CMOCKA_LIBS) $(LIB_LIBS) $(CARDSIM_LIBS)

# The card core in process: everything but the vpcd front end and main.
CARDSIM_CORE	:= $(BUILD)/tools/cardsim/card.o $(BUILD)/tools/cardsim/build.o \
		   $(BUILD)/tools/cardsim/conf.o $(BUILD)/tools/cardsim/png.o \
		   $(MKPROFILE_OBJS)
$(BUILD)/tests/unit/test_cardsim_card: $(BUILD)/tests/unit/test_cardsim_card.o \
		$(CARDSIM_CORE) $(LIB_A)
	@mkdir -p $(@D)
	$(CC) -o $@ $< $(CARDSIM_CORE) $(LIB_A) \
		$(ALL_LDFLAGS) $(CMOCKA_LIBS) $(LIB_LIBS) $(CARDSIM_LIBS)

ALL_TARGETS	+= $(CARDSIM_BIN)
CHECK_TARGETS	+= check-cardsim
ASAN_TARGETS	+= check-cardsim
INSTALL_TARGETS	+= install-cardsim

check-cardsim: $(CARDSIM_BIN)
	BUILD=$(BUILD) sh tests/lib/isolated.sh sh tests/e2e/cardsim_conformance.sh

install-cardsim: $(CARDSIM_BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(CARDSIM_BIN) $(DESTDIR)$(BINDIR)/jpki-cardsim
	install -m 0644 man/jpki-cardsim.1 $(DESTDIR)$(MANDIR)/man1/jpki-cardsim.1

INSTALLED_FILES	+= $(BINDIR)/jpki-cardsim $(MANDIR)/man1/jpki-cardsim.1
