# make check-man: mandoc -Tlint on every manual page, and each tool's
# --help against its page (tests/e2e/man_lint.sh, about 1 s).
check-man: $(BUILD)/bin/jpki $(BUILD)/bin/jpki-cardsim $(BUILD)/bin/mykey-mock \
		$(BUILD)/bin/jpki-kiosk
	@BUILD=$(BUILD) tests/lib/tap-count.sh man_lint \
		sh tests/e2e/man_lint.sh

CHECK_TARGETS	+= check-man
