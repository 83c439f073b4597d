# libjpki against the virtual card through real pcscd (tests/e2e/lib_card.sh).

LIBTEST_BIN	:= $(BUILD)/tests/e2e/lib_card_test
EXTRA_CFLAGS_tests/e2e := -Wno-conversion -Wno-sign-conversion \
	-Wno-missing-prototypes -Wno-missing-declarations -Wno-cast-qual

$(LIBTEST_BIN): $(BUILD)/tests/e2e/lib_card_test.o $(LIB_SO)
	@mkdir -p $(@D)
	$(CC) -o $@ $< $(ALL_LDFLAGS) -L$(BUILD)/lib -ljpki \
		-Wl,-rpath,'$$ORIGIN/../../lib' \
		$(shell pkg-config --libs cmocka) -lcrypto

ALL_TARGETS	+= $(LIBTEST_BIN)

check-lib: $(LIBTEST_BIN)
	@BUILD=$(BUILD) tests/lib/isolated.sh sh tests/e2e/lib_card.sh

CHECK_TARGETS	+= check-lib
ASAN_TARGETS	+= check-lib
