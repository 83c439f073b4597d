# MyKey Platform client end to end (mykey-mock-api.md §5.9): `jpki platform`
# and libjpki against the real mykey-mock, the card through pcscd, vpcd and
# jpki-cardsim, in private namespaces (tests/e2e/platform_e2e.sh).
check-platform: $(BUILD)/bin/jpki $(BUILD)/bin/jpki-cardsim \
		$(BUILD)/bin/mykey-mock
	BUILD=$(BUILD) H_TOP=$(CURDIR) sh tests/lib/isolated.sh \
		sh tests/e2e/platform_e2e.sh

CHECK_TARGETS	+= check-platform
ASAN_TARGETS	+= check-platform

# "tap to MyKey ID" benchmark (tests/e2e/platform_bench.sh)
bench-tap: $(BUILD)/bin/jpki $(BUILD)/bin/jpki-cardsim \
		$(BUILD)/bin/mykey-mock
	BUILD=$(BUILD) H_TOP=$(CURDIR) sh tests/lib/isolated.sh \
		sh tests/e2e/platform_bench.sh

BENCH_TARGETS	+= bench-tap
