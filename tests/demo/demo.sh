#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# `make demo`: a guided tour for a newcomer, on a virtual My Number Card.
# Runs under tests/lib/isolated.sh (own pcscd, own vpcd port) and stops
# everything it started on exit.  Each step is one `step` call: a heading,
# a sentence of explanation, the command shown and then run.  Add steps at
# the end (the MyKey Platform story will follow the card story).
set -u

. "$(dirname "$0")/../lib/harness.sh"

# bold headings on a terminal only
if [ -t 1 ]; then B=$(printf '\033[1m') N=$(printf '\033[0m'); else B= N=; fi

# step TITLE EXPLANATION COMMAND...
# What a step runs, as a newcomer would type it (the harness's shell helpers
# shown as the commands they run).
shown() {
	case $1 in
	h_pcscd_start)	echo "pcscd --foreground -c reader.conf.d &   # vpcd readers" ;;
	h_card_start)	echo "jpki-cardsim --profile $2 --port 35963 &" ;;
	h_card_stop)	echo "kill %jpki-cardsim   # the card leaves the reader" ;;
	p_mock_start)	echo "mykey-mock serve --db mock.db --bind 127.0.0.1 --port 18443 --plain-http &" ;;
	p_client)	echo "mykey-mock client add --kind municipality --db mock.db" ;;
	*)		echo "$*" | sed "s|$H_BIN/||g" ;;
	esac
}

step() {
	title=$1 text=$2
	shift 2
	H_STEP=$((${H_STEP:-0} + 1))
	printf '\n%s== %d. %s%s\n' "$B" "$H_STEP" "$title" "$N"
	printf '%s\n' "$text" | fold -s -w 76
	printf '\n  $ %s\n\n' "$(shown "$@")"
	"$@"
	rc=$?
	if [ "$rc" -eq 0 ]; then
		h_ok "$title"
	else
		h_fail "$title"
		echo "demo: this step failed (exit $rc); logs in $H_DIR" >&2
	fi
}

h_init demo

printf '%slibjpki demo%s: everything below talks to a *virtual* card through\n' "$B" "$N"
printf 'the real PC/SC stack (pcscd + the vpcd reader driver), exactly as it would\n'
printf 'talk to a My Number Card on a USB reader.  All card data is synthetic.\n'

step "Start the PC/SC daemon" \
"pcscd is the PC/SC service every smart-card program talks to.  This one runs \
in private namespaces, with the vsmartcard 'vpcd' reader driver, which \
accepts a virtual card over a local TCP port." \
	h_pcscd_start

PROFILE=$H_DIR/card
step "Create a virtual card" \
"jpki-cardsim gen-profile writes a card profile: RSA-2048 keys, an \
authentication and a signature certificate issued by a mock JPKI CA \
(O=JPKI-MOCK), PINs and a fake cardholder.  Nothing in it is real." \
	"$H_BIN/jpki-cardsim" gen-profile --out "$PROFILE" --overwrite \
	    --ca-dir "$H_DIR/ca"

step "Insert the card" \
"jpki-cardsim connects to vpcd as if a card had been put on the reader; \
pcscd powers it up and reads its ATR." \
	h_card_start "$PROFILE"

step "List the readers" \
"jpki readers shows every PC/SC reader pcscd knows and whether a card is \
present.  A real reader (e.g. a Sony RC-S300) would appear here the same way." \
	"$H_BIN/jpki" readers

step "Card information" \
"jpki info selects the JPKI application (AID D3 92 F0 00 26 01 00 00 00 01), \
reads the token information file and asks the card how many PIN tries are \
left, without spending any." \
	"$H_BIN/jpki" info

step "The user-authentication certificate" \
"Readable without a PIN.  It proves 'this is the same card holder' to a \
service and carries no personal data; its serial number is the card's \
issuance number.  The chain is checked against the bundled J-LIS roots and \
the mock CA given with --ca (a real card would chain to J-LIS)." \
	"$H_BIN/jpki" cert auth --text --ca "$H_DIR/ca/auth-ca.crt"

step "The CA that issued it" \
"The JPKI user-authentication CA certificate stored on the card.  On a real \
card it chains to the J-LIS root; here to the mock hierarchy." \
	"$H_BIN/jpki" cert auth-ca --text --ca "$H_DIR/ca/auth-ca.crt"

step "The signature CA" \
"The CA of the digital-signature certificate.  The signature certificate \
itself (with name, address, birth date and sex) needs the signing password, \
so this demo does not read it." \
	"$H_BIN/jpki" cert sign-ca --text --ca "$H_DIR/ca/sign-ca.crt"

step "Remove the card" \
"jpki-cardsim leaves the reader; pcscd reports the slot empty." \
	h_card_stop

# Part 2: the MyKey Platform renewal story (owned by the platform client)
. "$H_TOP/tests/e2e/platform_demo.sh"

echo
h_done
