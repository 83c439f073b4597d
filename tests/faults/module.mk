# PC/SC fault injection (issue 11 part 3): an LD_PRELOAD shim over
# libpcsclite, built for the tests only (nothing of it is in the library,
# the CLI or the module), and a small PKCS#11 driver; tests/faults/sweep.sh
# fails every SCard* call of every operation in turn.

FAULT_SHIM	:= $(BUILD)/tests/faults/pcsc_shim.so
FAULT_P11OPS	:= $(BUILD)/tests/faults/p11_ops

# the shim is never instrumented: it is preloaded after the ASan runtime
$(FAULT_SHIM): tests/faults/pcsc_shim.c
	@mkdir -p $(@D)
	$(CC) -shared -fPIC -O2 -g -Wall -Wextra -Werror \
		$(shell pkg-config --cflags libpcsclite) -o $@ $< -ldl

EXTRA_CFLAGS_tests/faults := -Wno-cast-qual
$(BUILD)/tests/faults/p11_ops.o: CFLAGS += $(P11_CFLAGS)
$(FAULT_P11OPS): $(BUILD)/tests/faults/p11_ops.o
	@mkdir -p $(@D)
	$(CC) -o $@ $< $(ALL_LDFLAGS) -ldl

ALL_TARGETS	+= $(FAULT_SHIM) $(FAULT_P11OPS)

check-faults: $(FAULT_SHIM) $(FAULT_P11OPS) $(P11_SO) $(JPKI_CLI) \
		$(CARDSIM_BIN) $(KIOSKTEST_BIN)
	@BUILD=$(BUILD) FAULT_PRELOAD=$(P11_PRELOAD) FAULT_TAG=$(P11_TAG) \
		tests/lib/isolated.sh sh tests/faults/sweep.sh

CHECK_TARGETS	+= check-faults
ASAN_TARGETS	+= check-faults
