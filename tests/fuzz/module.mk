# Fuzzing (house-style §2.8, docs/fuzzing.md).  Every tests/fuzz/fuzz_<name>.c
# is picked up automatically; to add a target, write the harness (see
# fuzz.h) and seed tests/fuzz/corpus/<name>/ with a few small files.  A
# harness that needs more than libjpki names its extra objects and
# libraries in FUZZ_OBJS_<name> / FUZZ_LIBS_<name> below.  Then:
#   make check-fuzz   gcc build: replays every corpus file through the
#                     harness with the plain driver main.c (also under ASan
#                     in `make asan`)
#   make fuzz         clang libFuzzer + ASan + UBSan build in build-fuzz/,
#                     each harness runs FUZZ_SECONDS (default 10) over its
#                     corpus; new inputs go to build-fuzz/corpus/<name>/,
#                     crashes to build-fuzz/artifacts/
#   check-fuzz-smoke  `make fuzz` for FUZZ_SMOKE_SECONDS (3) per harness
#                     (part of `make check`)
#   make fuzz-long    the long campaign: FUZZ_LONG_SECONDS (900) per
#                     harness, not part of `make check`
#   make fuzz-seeds   re-record the card-side seed corpora from jpki-cardsim

FUZZ_SRCS	:= $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_NAMES	:= $(FUZZ_SRCS:tests/fuzz/fuzz_%.c=%)
FUZZ_BINS	:= $(FUZZ_NAMES:%=$(BUILD)/tests/fuzz/fuzz_%)
FUZZ_SECONDS	?= 10
FUZZ_RUNS	?= -1
FUZZ_ENGINE	?= driver
FUZZ_SMOKE_SECONDS ?= 3
FUZZ_LONG_SECONDS ?= 900

# Extra objects and libraries per harness.  Seams by link order:
# fuzz_queue defines http_perform, and support/p11_script.o
# pcsc_reader_list / pcsc_transport_open, so the archive's http.o /
# transport_pcsc.o are left out (fuzz_revocation sets its fetcher through
# jpki_rev_set_fetch instead).
FUZZ_CARD_SUPPORT := $(BUILD)/tests/fuzz/support/card_script.o
FUZZ_OBJS_card	:= $(FUZZ_CARD_SUPPORT)
FUZZ_CARDSIM_FIXTURE := $(BUILD)/tests/fuzz/support/cardsim_fixture.o
FUZZ_OBJS_cardsim_apdu := $(FUZZ_CARDSIM_FIXTURE) $(CARDSIM_CORE)
FUZZ_LIBS_cardsim_apdu := $(CARDSIM_LIBS)
FUZZ_OBJS_cardsim_conf := $(CARDSIM_CORE)
FUZZ_LIBS_cardsim_conf := $(CARDSIM_LIBS)
FUZZ_OBJS_cardsim_vpcd := $(FUZZ_CARDSIM_FIXTURE) $(CARDSIM_CORE) \
		   $(BUILD)/tools/cardsim/vpcd.o
FUZZ_LIBS_cardsim_vpcd := $(CARDSIM_LIBS)
FUZZ_P11_SUPPORT := $(BUILD)/tests/fuzz/support/p11_script.o
EXTRA_CFLAGS_tests/fuzz/support := $(P11_CFLAGS)
FUZZ_OBJS_pkcs11 := $(FUZZ_P11_SUPPORT) $(P11_OBJS) $(FUZZ_CARD_SUPPORT)
# fuzz_mock_request drives mykey-mock's request handling in process: it
# links the server's objects (not its main) and libraries.
FUZZ_OBJS_mock_request := $(filter-out %/mykey-mock/main.o,$(MOCK_OBJS))
FUZZ_LIBS_mock_request := $(MOCK_LIBS)
EXTRA_CFLAGS_tests/fuzz += $(MOCK_CFLAGS)

.SECONDARY: $(FUZZ_BINS:%=%.o) $(BUILD)/tests/fuzz/main.o \
	$(FUZZ_CARD_SUPPORT) $(FUZZ_CARDSIM_FIXTURE) $(FUZZ_P11_SUPPORT)

ifeq ($(FUZZ_ENGINE),libfuzzer)
FUZZ_MAIN	:=
FUZZ_LINKFLAGS	:= -fsanitize=fuzzer
else
FUZZ_MAIN	:= $(BUILD)/tests/fuzz/main.o
FUZZ_LINKFLAGS	:=
ALL_TARGETS	+= $(FUZZ_BINS)
endif

define FUZZ_LINK_RULE
$(BUILD)/tests/fuzz/fuzz_$(1): $(BUILD)/tests/fuzz/fuzz_$(1).o $(FUZZ_MAIN) \
    $(FUZZ_OBJS_$(1)) $(JPKI_A)
	@mkdir -p $$(@D)
	$$(CC) $(FUZZ_LINKFLAGS) -o $$@ $$< $(FUZZ_MAIN) $(FUZZ_OBJS_$(1)) \
		$(JPKI_A) $$(ALL_LDFLAGS) $(FUZZ_LIBS_$(1)) $$(JPKI_LIBS)
endef
$(foreach n,$(FUZZ_NAMES),$(eval $(call FUZZ_LINK_RULE,$(n))))

check-fuzz: $(FUZZ_BINS)
	@sh tests/fuzz/run.sh driver $(BUILD) $(RESULTS) \
		$(FUZZ_NAMES)

fuzz:
	@command -v clang >/dev/null || { echo "fuzz: clang not found (make deps)"; exit 1; }
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang SANITIZE=1 \
		CFLAGS="-fsanitize=fuzzer-no-link -Wno-error" \
		FUZZ_ENGINE=libfuzzer fuzz-run

# Only meaningful inside `make fuzz` (FUZZ_ENGINE=libfuzzer).
fuzz-run: $(FUZZ_BINS)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_RUNS=$(FUZZ_RUNS) \
		sh tests/fuzz/run.sh libfuzzer $(BUILD) $(RESULTS) $(FUZZ_NAMES)

check-fuzz-smoke:
	@if command -v clang >/dev/null; then \
		$(MAKE) --no-print-directory fuzz \
			FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS) FUZZ_RUNS=200000; \
	else \
		echo "check-fuzz-smoke: clang not installed, skipped"; \
	fi

# The long campaign (docs/fuzzing.md): FUZZ_LONG_SECONDS per harness, no
# run cap; FUZZ_TARGETS picks harnesses (default all).  The table of
# executions and coverage goes to build-fuzz/fuzz-long.txt, also when a
# harness found something (then the target fails).
FUZZ_TARGETS	?= $(FUZZ_NAMES)
fuzz-long:
	@command -v clang >/dev/null || { echo "fuzz-long: clang not found (make deps)"; exit 1; }
	@rc=0; $(MAKE) --no-print-directory BUILD=build-fuzz CC=clang \
		SANITIZE=1 CFLAGS="-fsanitize=fuzzer-no-link -Wno-error" \
		FUZZ_ENGINE=libfuzzer FUZZ_NAMES="$(FUZZ_TARGETS)" \
		FUZZ_SECONDS=$(FUZZ_LONG_SECONDS) FUZZ_RUNS=-1 fuzz-run || rc=$$?; \
	sh tests/fuzz/table.sh build-fuzz $(FUZZ_TARGETS) | \
		tee build-fuzz/fuzz-long.txt; exit $$rc

# Seeds of the card-side harnesses, recorded from jpki-cardsim in process.
# (support/p11_script.o stands in for PC/SC: no transport_pcsc.o)
$(BUILD)/tests/fuzz/record_card: $(BUILD)/tests/fuzz/record_card.o \
    $(FUZZ_CARD_SUPPORT) $(FUZZ_P11_SUPPORT) $(P11_OBJS) $(CARDSIM_CORE) \
    $(LIB_A)
	@mkdir -p $(@D)
	$(CC) -o $@ $< $(FUZZ_CARD_SUPPORT) $(FUZZ_P11_SUPPORT) $(P11_OBJS) \
		$(CARDSIM_CORE) $(LIB_A) $(ALL_LDFLAGS) $(CARDSIM_LIBS) \
		$(LIB_LIBS)

# The platform client's seeds come from a real mykey-mock (needs root for
# the private namespaces, like the e2e suites).
fuzz-seeds: $(BUILD)/tests/fuzz/record_card $(BUILD)/bin/jpki \
    $(BUILD)/bin/jpki-cardsim $(BUILD)/bin/mykey-mock
	@mkdir -p tests/fuzz/corpus/card tests/fuzz/corpus/cardsim_apdu \
		tests/fuzz/corpus/cardsim_vpcd tests/fuzz/corpus/cardsim_conf \
		tests/fuzz/corpus/pkcs11
	$(BUILD)/tests/fuzz/record_card tests/fuzz/corpus
	BUILD=$(BUILD) JPKI_RESULTS=$(CURDIR)/tests/tmp/fuzz-seeds \
		sh tests/lib/isolated.sh sh tests/fuzz/record_e2e.sh

.PHONY: check-fuzz check-fuzz-smoke fuzz-run fuzz-long fuzz-seeds
