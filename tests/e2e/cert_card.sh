#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# The certificate module on a virtual card through real pcscd, vsmartcard-
# vpcd and jpki-cardsim: certificates, holder attributes and chains read
# from the card, a CMS signed by the card, and the text AP integrity record
# and visual AP card face of an authentic card and of tampered ones
# (tamper = text-name / visual-photo, docs/cardsim-profile.md).  Run under
# tests/lib/isolated.sh.
set -eu
H_TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$H_TOP/tests/lib/harness.sh"
h_init cert_card
T=$H_TOP/$H_BUILD/tests/e2e/cert_card_test

group() {
	name=$1; shift
	desc=$1; shift
	if JPKI_TEST_PROFILE=$P JPKI_CERTTEST=$name timeout 60 "$T" \
	    > "$H_DIR/$name.log" 2>&1; then
		h_ok "$desc"
	else
		h_fail "$desc"
		sed 's/^/    /' "$H_DIR/$name.log"
	fi
}

h_pcscd_start

P=$(h_profile authentic --name '試験　花子' --birth 19890108 --sex 2)
h_card_start "$P"
group authentic "card certificates: issuance numbers, attributes, chain ok (JPKI-MOCK); CMS signed by the card; text and visual AP authentic"
h_card_stop

P=$(h_profile tampered)
echo "tamper = text-name" >> "$P/profile.conf"
h_card_start "$P"
group tampered "tampered text AP (name changed after signing) is not authentic; visual AP still authentic"
h_card_stop

P=$(h_profile photo)
echo "tamper = visual-photo" >> "$P/profile.conf"
h_card_start "$P"
group photo "tampered visual AP (photo changed after signing) is not authentic; text AP still authentic"
h_card_stop

h_done
