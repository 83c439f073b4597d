#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# Runs tests/e2e/p11_api.c (direct C_* calls: argument checks with a card,
# threads, reset by another process, removal and slot events) against an
# isolated pcscd; the program starts and stops jpki-cardsim itself.
set -u
H_TOP=${H_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$H_TOP/tests/lib/harness.sh"
h_init "p11_api${P11_TAG:+_$P11_TAG}"

if [ -n "${P11_PRELOAD:-}" ]; then
	export ASAN_OPTIONS=detect_leaks=0
fi
h_pcscd_start || exit 1
P1=$(h_profile card1 --pin-auth 1234 --pin-sign ABC123) || exit 1
P2=$(h_profile card2 --pin-auth 1234 --pin-sign ABC123 --seed 2) || exit 1
s=$(openssl x509 -inform DER -in "$P2/auth.crt" -noout -serial | sed 's/^serial=//')
s=$(printf '%016s' "$s" | tr ' ' 0)
export P11_SERIAL2=$(printf '%s' "$s" | tail -c 16)
export P11_MODULE=$H_TOP/$H_BUILD/pkcs11/jpki-pkcs11.so
export P11_CARDSIM=$H_BIN/jpki-cardsim P11_PROFILE=$P1 P11_PROFILE2=$P2
if timeout 300 "$H_TOP/$H_BUILD/tests/e2e/p11_api" > "$H_DIR/p11_api.log" 2>&1; then
	h_ok "p11_api: $(grep -c '\[       OK \]' "$H_DIR/p11_api.log") cmocka tests"
else
	cat "$H_DIR/p11_api.log"
	h_fail "p11_api"
fi
h_done
