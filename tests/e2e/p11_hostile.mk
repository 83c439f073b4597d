# Hostile PKCS#11 callers (issue 11 part 4): tests/e2e/p11_hostile.c, with
# a card, under ASan in `make asan` and its threaded part under TSan
# (check-p11-tsan: the module, libjpki and the test built with
# -fsanitize=thread into build-tsan/).

P11_HOSTILE_BIN	:= $(BUILD)/tests/e2e/p11_hostile
$(BUILD)/tests/e2e/p11_hostile.o: CFLAGS += $(P11_CFLAGS)
$(P11_HOSTILE_BIN): $(BUILD)/tests/e2e/p11_hostile.o $(P11_SO)
	@mkdir -p $(@D)
	$(CC) -o $@ $< $(ALL_LDFLAGS) $(CMOCKA_LIBS) -ldl -lpthread

ALL_TARGETS	+= $(P11_HOSTILE_BIN)

check-p11-hostile: $(P11_SO) $(P11_HOSTILE_BIN) $(CARDSIM_BIN)
	@BUILD=$(BUILD) P11_PRELOAD=$(P11_PRELOAD) P11_TAG=$(P11_TAG) \
		tests/lib/isolated.sh sh tests/e2e/p11_hostile.sh

# TSan: a build of its own; cardsim comes from the normal build.
check-p11-tsan: $(CARDSIM_BIN)
	@$(MAKE) --no-print-directory BUILD=build-tsan \
		CFLAGS="-fsanitize=thread $(P11_CFLAGS)" LDFLAGS=-fsanitize=thread \
		build-tsan/pkcs11/jpki-pkcs11.so build-tsan/tests/e2e/p11_hostile \
		build-tsan/tests/e2e/p11_threads
	@BUILD=build-tsan P11_TAG=tsan P11_CARDSIM=$(CURDIR)/$(CARDSIM_BIN) \
		tests/lib/isolated.sh sh tests/e2e/p11_hostile.sh threads
	@BUILD=build-tsan P11_TAG=tsan P11_CARDSIM=$(CURDIR)/$(CARDSIM_BIN) \
		tests/lib/isolated.sh sh tests/e2e/p11_threads.sh

CHECK_TARGETS	+= check-p11-hostile
# the TSan build (about 2 minutes to compile) runs in `make check-long`
LONG_TARGETS	+= check-p11-tsan
ASAN_TARGETS	+= check-p11-hostile
CLEAN_FILES	+= build-tsan

# A slow reader does not block another (issue 10: a lock per reader):
# tests/e2e/p11_threads.c with two virtual cards, one slow to sign; also in
# `make asan` and, built with -fsanitize=thread, in check-p11-tsan.
P11_THREADS_BIN	:= $(BUILD)/tests/e2e/p11_threads
$(BUILD)/tests/e2e/p11_threads.o: CFLAGS += $(P11_CFLAGS)
$(P11_THREADS_BIN): $(BUILD)/tests/e2e/p11_threads.o $(P11_SO)
	@mkdir -p $(@D)
	$(CC) -o $@ $< $(ALL_LDFLAGS) $(CMOCKA_LIBS) -ldl -lpthread

ALL_TARGETS	+= $(P11_THREADS_BIN)

check-p11-threads: $(P11_SO) $(P11_THREADS_BIN) $(CARDSIM_BIN)
	@BUILD=$(BUILD) P11_PRELOAD=$(P11_PRELOAD) P11_TAG=$(P11_TAG) \
		tests/lib/isolated.sh sh tests/e2e/p11_threads.sh

CHECK_TARGETS	+= check-p11-threads
ASAN_TARGETS	+= check-p11-threads
