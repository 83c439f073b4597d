# Fuzzing (house-style §2.8).  Every tests/fuzz/fuzz_<name>.c is picked up
# automatically; to add a target, write the harness (see fuzz.h) and seed
# tests/fuzz/corpus/<name>/ with a few small files.  Then:
#   make check-fuzz   gcc build: replays every corpus file through the
#                     harness with the plain driver main.c (also under ASan
#                     in `make asan`)
#   make fuzz         clang libFuzzer + ASan + UBSan build in build-fuzz/,
#                     each harness runs FUZZ_SECONDS (default 10) over its
#                     corpus; new inputs go to build-fuzz/corpus/<name>/,
#                     crashes to build-fuzz/artifacts/
#   check-fuzz-smoke  `make fuzz` for 5 s per harness (part of `make check`)

FUZZ_SRCS	:= $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_NAMES	:= $(FUZZ_SRCS:tests/fuzz/fuzz_%.c=%)
FUZZ_BINS	:= $(FUZZ_NAMES:%=$(BUILD)/tests/fuzz/fuzz_%)
FUZZ_SECONDS	?= 10
FUZZ_RUNS	?= -1
FUZZ_ENGINE	?= driver

.SECONDARY: $(FUZZ_BINS:%=%.o) $(BUILD)/tests/fuzz/main.o

ifeq ($(FUZZ_ENGINE),libfuzzer)
$(BUILD)/tests/fuzz/fuzz_%: $(BUILD)/tests/fuzz/fuzz_%.o $(LIB_A)
	@mkdir -p $(@D)
	$(CC) -fsanitize=fuzzer -o $@ $< $(FUZZ_EXTRA) $(LIB_A) $(ALL_LDFLAGS) \
		$(LIB_LIBS)
else
$(BUILD)/tests/fuzz/fuzz_%: $(BUILD)/tests/fuzz/fuzz_%.o \
    $(BUILD)/tests/fuzz/main.o $(LIB_A)
	@mkdir -p $(@D)
	$(CC) -o $@ $< $(BUILD)/tests/fuzz/main.o $(FUZZ_EXTRA) $(LIB_A) \
		$(ALL_LDFLAGS) $(LIB_LIBS)
ALL_TARGETS	+= $(FUZZ_BINS)
endif

# fuzz_mock_request drives mykey-mock's request handling in process: it
# links the server's objects (not its main) and libraries.
FUZZ_MOCK_OBJS	:= $(filter-out %/mykey-mock/main.o,$(MOCK_OBJS))
EXTRA_CFLAGS_tests/fuzz += $(MOCK_CFLAGS)
$(BUILD)/tests/fuzz/fuzz_mock_request: $(FUZZ_MOCK_OBJS)
$(BUILD)/tests/fuzz/fuzz_mock_request: FUZZ_EXTRA = $(FUZZ_MOCK_OBJS) \
	$(MOCK_LIBS)

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
		$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=5 \
			FUZZ_RUNS=200000; \
	else \
		echo "check-fuzz-smoke: clang not installed, skipped"; \
	fi

.PHONY: check-fuzz check-fuzz-smoke fuzz-run
