# Two libraries, so that a program that only reads the card links neither
# libcurl nor jansson nor SQLite (issue 10):
#   libjpki           the card, its certificates (OpenSSL), revocation
#                     checking without a transport, the kiosk API: PC/SC
#                     and libcrypto only
#   libjpki-platform  everything that talks HTTP: the MyKey Platform client,
#                     its offline queue (SQLite), consent records and the
#                     revocation transfer (jpki_rev_use_http); on top of
#                     libjpki, and the only library that links libcurl
# Each is a shared library (versioned, exporting only its public API
# through its own map) and a static archive of the same objects.

# Explicit list: a file joins the library once it compiles cleanly.
LIB_SRCS	:= src/buf.c src/secure.c src/tlv.c src/err.c src/log.c \
		   src/utf8.c src/apdu_codec.c src/apdu.c src/transport_pcsc.c src/card.c \
		   src/pin.c src/ap_jpki.c src/ap_text.c src/ap_visual.c \
		   src/crypto.c src/lib.c \
		   src/card_random.c src/card_pss.c
# certificate module (OpenSSL inside); revocation.c fetches URLs only
# through the caller's jpki_rev_fetch_cb_t
LIB_SRCS	+= src/cert.c src/cert_attrs.c src/cert_verify.c \
		   src/revocation.c src/cert_textap.c \
		   src/cert_cms.c src/cert_cms_verify.c src/cert_cvc.c \
		   src/cert_visualap.c src/cert_sig.c
# kiosk API (events on the PC/SC monitor, taps)
LIB_SRCS	+= src/kiosk.c
LIB_OBJS	:= $(LIB_SRCS:%.c=$(BUILD)/%.o)
LIB_SO		:= $(BUILD)/lib/libjpki.so.$(VERSION)
LIB_SONAME	:= libjpki.so.$(SOVERSION)
LIB_A		:= $(BUILD)/lib/libjpki.a
LIB_PKGS	:= libpcsclite libcrypto
LIB_LIBS	:= $(shell pkg-config --libs $(LIB_PKGS) 2>/dev/null) -lpthread

# MyKey Platform client (libcurl, jansson), its offline queue (SQLite) and
# the HTTP transfer (http.c, the only curl user; http_fetch.c for
# revocation).  log.c, tlv.c and buf.c are internal helpers of both
# libraries, linked into each and exported by neither (stateless: log.c
# reads JPKI_DEBUG itself).
PF_SRCS		:= src/platform.c src/platform_util.c src/platform_json.c \
		   src/platform_ops.c src/queue.c src/http.c src/http_fetch.c
PF_HELPERS	:= $(BUILD)/src/log.o $(BUILD)/src/tlv.o $(BUILD)/src/buf.o
PF_OBJS		:= $(PF_SRCS:%.c=$(BUILD)/%.o)
PF_SO		:= $(BUILD)/lib/libjpki-platform.so.$(VERSION)
PF_SONAME	:= libjpki-platform.so.$(SOVERSION)
PF_A		:= $(BUILD)/lib/libjpki-platform.a
PF_PKGS		:= libcurl jansson sqlite3
PF_LIBS		:= $(shell pkg-config --libs $(PF_PKGS) 2>/dev/null)

# Static users of both (unit tests, fuzz harnesses, pam_jpki.so): the
# platform archive first, it refers to libjpki's.
JPKI_A		:= $(PF_A) $(LIB_A)
JPKI_LIBS	:= $(PF_LIBS) $(LIB_LIBS)

# Tools link the shared libraries and find them beside them (../lib) both
# in the build tree and once installed.  TOOL_LINK: libjpki only;
# PF_TOOL_LINK: both (jpki, jpki-kiosk).
TOOL_RPATH	:= -Wl,-rpath,'$$ORIGIN/../lib'
TOOL_LINK	:= -L$(BUILD)/lib -ljpki $(TOOL_RPATH)
PF_TOOL_LINK	:= -L$(BUILD)/lib -ljpki-platform -ljpki $(TOOL_RPATH)

$(LIB_SO): $(LIB_OBJS) src/libjpki.map
	@mkdir -p $(@D)
	$(CC) -shared -o $@ $(LIB_OBJS) -Wl,-soname,$(LIB_SONAME) \
		-Wl,--version-script=src/libjpki.map -Wl,--no-undefined \
		$(ALL_LDFLAGS) $(LIB_LIBS)
	ln -sf libjpki.so.$(VERSION) $(BUILD)/lib/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(BUILD)/lib/libjpki.so

$(LIB_A): $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $(LIB_OBJS)

# --as-needed: NEEDED lists only what the objects really call.
$(PF_SO): $(PF_OBJS) $(PF_HELPERS) $(LIB_SO) src/libjpki-platform.map
	@mkdir -p $(@D)
	$(CC) -shared -o $@ $(PF_OBJS) $(PF_HELPERS) \
		-Wl,-soname,$(PF_SONAME) \
		-Wl,--version-script=src/libjpki-platform.map \
		-Wl,--no-undefined $(ALL_LDFLAGS) -Wl,--as-needed \
		-L$(BUILD)/lib -ljpki $(PF_LIBS)
	ln -sf libjpki-platform.so.$(VERSION) $(BUILD)/lib/$(PF_SONAME)
	ln -sf $(PF_SONAME) $(BUILD)/lib/libjpki-platform.so

# The archive carries only its own objects: a static user links libjpki.a
# too (jpki-platform.pc's Requires), which has log.o, tlv.o and buf.o.
$(PF_A): $(PF_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $(PF_OBJS)

$(BUILD)/jpki.pc $(BUILD)/jpki-platform.pc: $(BUILD)/%.pc: src/%.pc.in Makefile
	@mkdir -p $(@D)
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' -e 's|@VERSION@|$(VERSION)|g' \
	    $< > $@

ALL_TARGETS	+= $(LIB_SO) $(LIB_A) $(BUILD)/jpki.pc \
		   $(PF_SO) $(PF_A) $(BUILD)/jpki-platform.pc
INSTALL_TARGETS	+= install-lib install-lib-platform

# The static archives too, for `pkg-config --static` users (each .pc lists
# the libraries its own archive needs in Requires.private).  Headers: all of
# include/jpki with libjpki (platform.h declares libjpki-platform's API;
# man/libjpki.3 says which library each header belongs to).
install-lib: $(LIB_SO) $(LIB_A) $(BUILD)/jpki.pc
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR)/jpki \
		$(DESTDIR)$(PKGCONFIGDIR)
	install -m 0755 $(LIB_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf libjpki.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(DESTDIR)$(LIBDIR)/libjpki.so
	install -m 0644 $(LIB_A) $(DESTDIR)$(LIBDIR)/libjpki.a
	install -m 0644 include/jpki/*.h $(DESTDIR)$(INCLUDEDIR)/jpki/
	install -m 0644 $(BUILD)/jpki.pc $(DESTDIR)$(PKGCONFIGDIR)/jpki.pc

install-lib-platform: $(PF_SO) $(PF_A) $(BUILD)/jpki-platform.pc
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR)
	install -m 0755 $(PF_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf libjpki-platform.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(PF_SONAME)
	ln -sf $(PF_SONAME) $(DESTDIR)$(LIBDIR)/libjpki-platform.so
	install -m 0644 $(PF_A) $(DESTDIR)$(LIBDIR)/libjpki-platform.a
	install -m 0644 $(BUILD)/jpki-platform.pc \
		$(DESTDIR)$(PKGCONFIGDIR)/jpki-platform.pc

INSTALLED_FILES	+= $(LIBDIR)/libjpki.so.$(VERSION) $(LIBDIR)/$(LIB_SONAME) \
		   $(LIBDIR)/libjpki.so $(LIBDIR)/libjpki.a \
		   $(patsubst include/%,$(INCLUDEDIR)/%,$(wildcard include/jpki/*.h)) \
		   $(PKGCONFIGDIR)/jpki.pc \
		   $(LIBDIR)/libjpki-platform.so.$(VERSION) \
		   $(LIBDIR)/$(PF_SONAME) $(LIBDIR)/libjpki-platform.so \
		   $(LIBDIR)/libjpki-platform.a $(PKGCONFIGDIR)/jpki-platform.pc
INSTALLED_DIRS	+= $(INCLUDEDIR)/jpki

INSTALL_TARGETS	+= install-libman
install-libman:
	install -d $(DESTDIR)$(MANDIR)/man3
	install -m 0644 man/libjpki.3 $(DESTDIR)$(MANDIR)/man3/

INSTALLED_FILES	+= $(MANDIR)/man3/libjpki.3
