# libjpki: shared library (versioned, exports only the public API) and a
# static archive of the same objects for unit tests.

# Explicit list: a file joins the library once it compiles cleanly.
LIB_SRCS	:= src/buf.c src/secure.c src/tlv.c src/err.c src/log.c \
		   src/utf8.c src/apdu_codec.c src/apdu.c src/transport_pcsc.c src/card.c \
		   src/pin.c src/ap_jpki.c src/ap_text.c src/ap_visual.c \
		   src/crypto.c src/lib.c \
		   src/card_random.c src/card_pss.c
# certificate module (OpenSSL inside)
LIB_SRCS	+= src/cert.c src/cert_attrs.c src/cert_verify.c \
		   src/revocation.c src/http.c src/http_fetch.c src/cert_textap.c \
		   src/cert_cms.c src/cert_cms_verify.c src/cert_cvc.c \
		   src/cert_visualap.c src/cert_sig.c
# MyKey Platform client (libcurl, jansson) and its offline queue (SQLite)
LIB_SRCS	+= src/platform.c src/platform_util.c src/platform_json.c \
		   src/platform_ops.c src/queue.c
# kiosk API (events on the PC/SC monitor, taps)
LIB_SRCS	+= src/kiosk.c
LIB_OBJS	:= $(LIB_SRCS:%.c=$(BUILD)/%.o)
LIB_SO		:= $(BUILD)/lib/libjpki.so.$(VERSION)
LIB_SONAME	:= libjpki.so.$(SOVERSION)
LIB_A		:= $(BUILD)/lib/libjpki.a
LIB_LIBS	:= $(PKG_LIBS) -lpthread

# Tools link the shared library and find it beside them (../lib) both in
# the build tree and once installed.
TOOL_RPATH	:= -Wl,-rpath,'$$ORIGIN/../lib'
TOOL_LINK	:= -L$(BUILD)/lib -ljpki $(TOOL_RPATH)

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

$(BUILD)/jpki.pc: src/jpki.pc.in Makefile
	@mkdir -p $(@D)
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' -e 's|@VERSION@|$(VERSION)|g' \
	    src/jpki.pc.in > $@

ALL_TARGETS	+= $(LIB_SO) $(LIB_A) $(BUILD)/jpki.pc
INSTALL_TARGETS	+= install-lib

# The static archive too, for `pkg-config --static` users (jpki.pc lists
# every library it needs in Requires.private).
install-lib: $(LIB_SO) $(LIB_A) $(BUILD)/jpki.pc
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR)/jpki \
		$(DESTDIR)$(PKGCONFIGDIR)
	install -m 0755 $(LIB_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf libjpki.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(DESTDIR)$(LIBDIR)/libjpki.so
	install -m 0644 $(LIB_A) $(DESTDIR)$(LIBDIR)/libjpki.a
	install -m 0644 include/jpki/*.h $(DESTDIR)$(INCLUDEDIR)/jpki/
	install -m 0644 $(BUILD)/jpki.pc $(DESTDIR)$(PKGCONFIGDIR)/jpki.pc

INSTALLED_FILES	+= $(LIBDIR)/libjpki.so.$(VERSION) $(LIBDIR)/$(LIB_SONAME) \
		   $(LIBDIR)/libjpki.so $(LIBDIR)/libjpki.a \
		   $(patsubst include/%,$(INCLUDEDIR)/%,$(wildcard include/jpki/*.h)) \
		   $(PKGCONFIGDIR)/jpki.pc
INSTALLED_DIRS	+= $(INCLUDEDIR)/jpki

INSTALL_TARGETS	+= install-libman
install-libman:
	install -d $(DESTDIR)$(MANDIR)/man3
	install -m 0644 man/libjpki.3 $(DESTDIR)$(MANDIR)/man3/

INSTALLED_FILES	+= $(MANDIR)/man3/libjpki.3
