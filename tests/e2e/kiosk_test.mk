# Kiosk API and jpki-kiosk against the virtual card through real pcscd
# (tests/e2e/kiosk_*.sh, each under tests/lib/isolated.sh).

KIOSKTEST_BIN	:= $(BUILD)/tests/e2e/kiosk_test

# both libraries: the test pushes taps to mykey-mock too
$(KIOSKTEST_BIN): $(BUILD)/tests/e2e/kiosk_test.o $(LIB_SO) $(PF_SO)
	@mkdir -p $(@D)
	$(CC) -o $@ $< $(ALL_LDFLAGS) -L$(BUILD)/lib -ljpki-platform -ljpki \
		-Wl,-rpath,'$$ORIGIN/../../lib' -lpthread

ALL_TARGETS	+= $(KIOSKTEST_BIN)

check-kiosk: $(KIOSKTEST_BIN) $(CARDSIM_BIN)
	@BUILD=$(BUILD) tests/lib/isolated.sh sh tests/e2e/kiosk_events.sh

CHECK_TARGETS	+= check-kiosk
ASAN_TARGETS	+= check-kiosk

# jpki doctor (tools/jpki/cmd_doctor.c)
check-doctor: $(JPKI_CLI) $(CARDSIM_BIN)
	@BUILD=$(BUILD) tests/lib/isolated.sh sh tests/e2e/kiosk_doctor.sh

CHECK_TARGETS	+= check-doctor
