#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# libjpki through real pcscd, vsmartcard-vpcd and jpki-cardsim: every read
# path (extended and short), PINs, signatures, card removal in the middle of
# a read, a reset by another process, and a lockout that survives a restart
# of the card.  Run under tests/lib/isolated.sh.
set -eu
H_TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$H_TOP/tests/lib/harness.sh"
h_init lib_card
T=$H_TOP/$H_BUILD/tests/e2e/lib_card_test

group() {
	name=$1; shift
	desc=$1; shift
	if JPKI_TEST_PROFILE=$P JPKI_LIBTEST=$name timeout 60 "$T" \
	    > "$H_DIR/$name.log" 2>&1; then
		h_ok "$desc"
	else
		h_fail "$desc"
		sed 's/^/    /' "$H_DIR/$name.log"
	fi
}

h_pcscd_start
P=$(h_profile card1)

h_card_start "$P"
group basic "reads, PINs, signatures with every hash, text AP"
h_card_stop

h_card_start "$P" --no-extended
group short "short READ BINARY fallback when extended length is refused"
h_card_stop

h_card_start "$P"
group reset "reset by another process: CARD_RESET, PIN state lost, no replay"
h_card_stop

for n in 1 2 3 4; do
	h_card_start "$P" --drop-after "$n"
	group removal "card pulled out after APDU $n: clear error, no hang"
	h_card_stop
done

P=$(h_profile card2)
h_card_start "$P"
group lockout "three wrong PINs, last-try guard, locked"
h_card_stop
h_card_start "$P"
group locked "lockout survives a restart of the card"
h_card_stop

h_done
