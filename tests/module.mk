# Tests.  Every tests/unit/test_<name>.c is one cmocka binary, linked with
# the library's static archive (so it may include a .c under test to reach
# statics) and run by check-unit.  Integration suites are shell scripts in
# tests/e2e/ run under tests/lib/isolated.sh by the fragments that own them.

UNIT_SRCS	:= $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS	:= $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%)
CMOCKA_LIBS	:= $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

# Every suite writes "PASS FAIL" to $(RESULTS)/<suite>.count; the closing
# line of `make check` (tests/lib/summary.sh) sums them.  `make check` sets
# JPKI_RESULTS to a directory of its own, so that runs by other people on
# the same tree do not mix their counts in.
RESULTS		:= $(or $(JPKI_RESULTS),tests/tmp/results)/$(BUILD)

# cmocka's macros trip -Wconversion; relax only for test sources.
# err_codes.h lists every code of include/jpki/err.h for test_err.
EXTRA_CFLAGS_tests/unit := -Wno-conversion -Wno-sign-conversion \
	-Wno-missing-prototypes -Wno-missing-declarations -Wno-cast-qual \
	-I$(BUILD)/tests/gen

$(BUILD)/tests/unit/%: $(BUILD)/tests/unit/%.o $(JPKI_A)
	@mkdir -p $(@D)
	$(CC) -o $@ $< $(JPKI_A) $(ALL_LDFLAGS) $(CMOCKA_LIBS) $(JPKI_LIBS)

# keep the objects, so a re-run does not rebuild every test
.SECONDARY: $(UNIT_BINS:%=%.o)

$(BUILD)/tests/gen/err_codes.h: include/jpki/err.h
	@mkdir -p $(@D)
	sed -n 's/^#define[[:space:]]\{1,\}\(JPKI_OK\|JPKI_ERR_[A-Z0-9_]*\)[[:space:]].*/ERRCODE(\1)/p' \
		$< > $@.tmp && mv $@.tmp $@
$(BUILD)/tests/unit/test_err.o: $(BUILD)/tests/gen/err_codes.h

ALL_TARGETS	+= $(UNIT_BINS)

# check-errtab first: a new error code without its row fails check-unit.
check-unit: check-errtab $(UNIT_BINS)
	@sh tests/lib/run-unit.sh $(RESULTS)/unit.count $(UNIT_BINS)

# Static checks: every error code has a row in src/err.c; each shared
# library exports exactly the functions of its headers (include/jpki/*.h;
# platform.h is libjpki-platform's).
check-errtab:
	@mkdir -p $(RESULTS); if sh tests/check-errtab.sh; then \
		echo "1 0" > $(RESULTS)/errtab.count; else \
		echo "0 1" > $(RESULTS)/errtab.count; exit 1; fi

EXPORTS_LIB_H	:= $(filter-out include/jpki/platform.h,$(wildcard include/jpki/*.h))
check-exports: $(LIB_SO) $(PF_SO)
	@mkdir -p $(RESULTS); if sh tests/check-exports.sh $(LIB_SO) $(CC) \
	    src/libjpki.map $(EXPORTS_LIB_H) && \
	    sh tests/check-exports.sh $(PF_SO) $(CC) src/libjpki-platform.map \
	    include/jpki/platform.h -- $(EXPORTS_LIB_H); then \
		echo "2 0" > $(RESULTS)/exports.count; else \
		echo "0 1" > $(RESULTS)/exports.count; exit 1; fi

# Public headers self-contained (C11, C++11); make install DESTDIR stages a
# tree that a pkg-config user can build and run against.
check-install: all
	@sh tests/check-install.sh $(BUILD) $(RESULTS)/install.count

# Both libraries' ABI (public types and functions) against the baselines
# in tests/abi/ (tests/check-abi.sh, abigail-tools): additions pass and are
# printed, a removal or change fails.  `make abi-baseline` rewrites the
# baselines after an intended change (a new SOVERSION for a break).
check-abi: $(LIB_SO) $(PF_SO) $(LIB_OBJS)
	@ABI_LIB_OBJS="$(LIB_OBJS)" ABI_LIB_LIBS="$(LIB_LIBS)" CC="$(CC)" \
		sh tests/check-abi.sh $(BUILD) $(RESULTS)/abi.count

.PHONY: abi-baseline
abi-baseline: $(LIB_SO) $(PF_SO)
	@sh tests/check-abi.sh --baseline $(BUILD)

# The ASan + UBSan variant of every suite in ASAN_TARGETS.
check-asan:
	@$(MAKE) --no-print-directory asan ASAN_RUN="$(ASAN_QUICK)"

# The ASan runs that take longest (check-kiosk alone is 2 minutes under
# ASan, waiting on pcscd's presence poll) run in `make check-long`.
check-asan-long:
	@$(MAKE) --no-print-directory asan ASAN_RUN="$(filter $(ASAN_LONG),$(ASAN_TARGETS))"

# The closing line of `make check`, from the counts the suites left.
check-summary:
	@sh tests/lib/summary.sh $(or $(JPKI_RESULTS),tests/tmp/results)

include tests/fuzz/module.mk
-include tests/bench/module.mk
-include tests/demo/module.mk
-include tests/faults/module.mk

# Order: unit tests and static checks first, the components' suites as
# their fragments listed them, fuzz regressions, and the sanitizer run last.
CHECK_TARGETS	:= check-unit check-exports check-abi check-install \
		   $(CHECK_TARGETS) \
		   check-fuzz check-fuzz-smoke check-asan
ASAN_TARGETS	:= check-unit $(ASAN_TARGETS) check-fuzz
ASAN_LONG	:= check-kiosk check-mock check-cardsim check-platform
ASAN_QUICK	:= $(filter-out $(ASAN_LONG),$(ASAN_TARGETS))
LONG_TARGETS	:= check-asan-long $(LONG_TARGETS)
