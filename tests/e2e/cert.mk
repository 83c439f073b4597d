# Certificate module against the virtual card through real pcscd
# (tests/e2e/cert_card.sh under tests/lib/isolated.sh).  The test program
# links the static library: it reads raw text AP EFs through src/card.h.

CERTTEST_BIN	:= $(BUILD)/tests/e2e/cert_card_test

$(CERTTEST_BIN): $(BUILD)/tests/e2e/cert_card_test.o $(LIB_A)
	@mkdir -p $(@D)
	$(CC) -o $@ $< $(LIB_A) $(ALL_LDFLAGS) \
		$(shell pkg-config --libs cmocka) $(LIB_LIBS)

ALL_TARGETS	+= $(CERTTEST_BIN)

check-cert-card: $(CERTTEST_BIN) $(BUILD)/bin/jpki-cardsim
	@BUILD=$(BUILD) tests/lib/isolated.sh sh tests/e2e/cert_card.sh

CHECK_TARGETS	+= check-cert-card
ASAN_TARGETS	+= check-cert-card
