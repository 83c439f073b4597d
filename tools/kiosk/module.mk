# jpki-kiosk: the example counter kiosk on the kiosk API, its man page and
# its end-to-end test (tests/e2e/kiosk_tmux.sh, driven in tmux).

KIOSK_SRCS	:= tools/kiosk/main.c tools/kiosk/ui.c tools/kiosk/push.c
KIOSK_OBJS	:= $(KIOSK_SRCS:%.c=$(BUILD)/%.o)
KIOSK_BIN	:= $(BUILD)/bin/jpki-kiosk

# both libraries: the kiosk pushes each tap to the platform (push.c)
$(KIOSK_BIN): $(KIOSK_OBJS) $(LIB_SO) $(PF_SO)
	@mkdir -p $(@D)
	$(CC) -o $@ $(KIOSK_OBJS) $(ALL_LDFLAGS) $(PF_TOOL_LINK) -lpthread

ALL_TARGETS	+= $(KIOSK_BIN)
INSTALL_TARGETS	+= install-kiosk

install-kiosk: $(KIOSK_BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(KIOSK_BIN) $(DESTDIR)$(BINDIR)/jpki-kiosk
	install -m 0644 tools/kiosk/jpki-kiosk.1 \
		$(DESTDIR)$(MANDIR)/man1/jpki-kiosk.1
	install -d $(DESTDIR)$(MANDIR)/man3
	install -m 0644 tools/kiosk/jpki_kiosk_new.3 \
		$(DESTDIR)$(MANDIR)/man3/jpki_kiosk_new.3

INSTALLED_FILES	+= $(BINDIR)/jpki-kiosk $(MANDIR)/man1/jpki-kiosk.1 \
		   $(MANDIR)/man3/jpki_kiosk_new.3

check-kiosk-tmux: $(KIOSK_BIN) $(CARDSIM_BIN) $(MOCK_BIN) $(JPKI_CLI)
	@BUILD=$(BUILD) tests/lib/isolated.sh sh tests/e2e/kiosk_tmux.sh

CHECK_TARGETS	+= check-kiosk-tmux

# make bench: tap to issuance number / to platform acknowledgement
bench-kiosk: $(BUILD)/tests/e2e/kiosk_test $(CARDSIM_BIN) $(MOCK_BIN) $(JPKI_CLI)
	@BUILD=$(BUILD) tests/lib/isolated.sh sh tests/e2e/kiosk_bench.sh

BENCH_TARGETS	+= bench-kiosk
