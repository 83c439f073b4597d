# Tests.  Every tests/unit/test_<name>.c is one cmocka binary, linked with
# the library's static archive (so it may include a .c under test to reach
# statics) and run by check-unit.  Integration suites are shell scripts in
# tests/e2e/ run under tests/lib/isolated.sh by the fragments that own them.

UNIT_SRCS	:= $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS	:= $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%)
CMOCKA_LIBS	:= $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

# cmocka's macros trip -Wconversion; relax only for test sources.
EXTRA_CFLAGS_tests/unit := -Wno-conversion -Wno-sign-conversion \
	-Wno-missing-prototypes -Wno-missing-declarations -Wno-cast-qual

$(BUILD)/tests/unit/%: $(BUILD)/tests/unit/%.o $(LIB_A)
	@mkdir -p $(@D)
	$(CC) -o $@ $< $(LIB_A) $(ALL_LDFLAGS) $(CMOCKA_LIBS) $(LIB_LIBS)

ALL_TARGETS	+= $(UNIT_BINS)

check-unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do \
		echo "== $$t"; \
		JPKI_TEST_DATA=tests/data $$t; \
	done

CHECK_TARGETS	:= check-unit $(CHECK_TARGETS)
ASAN_TARGETS	:= check-unit $(ASAN_TARGETS)
