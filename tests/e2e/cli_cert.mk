# The certificate module through the jpki CLI (tests/e2e/cli_cert.sh): chain
# lines, verify with OCSP/CRL from a real mykey-mock, text AP and visual AP
# integrity, CMS signed by the card; real pcscd, vpcd and jpki-cardsim in
# private namespaces.
check-cli-cert: $(BUILD)/bin/jpki $(BUILD)/bin/jpki-cardsim \
		$(BUILD)/bin/mykey-mock
	BUILD=$(BUILD) H_TOP=$(CURDIR) sh tests/lib/isolated.sh \
		sh tests/e2e/cli_cert.sh

CHECK_TARGETS	+= check-cli-cert
ASAN_TARGETS	+= check-cli-cert
