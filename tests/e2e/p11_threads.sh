#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# Runs tests/e2e/p11_threads.c (a slow reader does not block another;
# C_Finalize during card I/O) against an isolated pcscd with two virtual
# cards: vpcd slot 0 slow to sign (--delay-ms P11_SLOW_MS --delay-ins 2A,
# COMPUTE DIGITAL SIGNATURE only), slot 1 at full speed.
set -u
H_TOP=${H_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$H_TOP/tests/lib/harness.sh"
h_init "p11_threads${P11_TAG:+_$P11_TAG}"

if [ -n "${P11_PRELOAD:-}" ]; then
	export ASAN_OPTIONS=detect_leaks=0
fi
export TSAN_OPTIONS="halt_on_error=1 exitcode=66"
# the TSan build has no cardsim of its own: P11_CARDSIM is the normal one
[ -n "${P11_CARDSIM:-}" ] && H_BIN=$(dirname "$P11_CARDSIM")
SLOW_MS=${P11_SLOW_MS:-3000}
h_pcscd_start || exit 1
P1=$(h_profile slow --pin-auth 1234 --pin-sign ABC123) || exit 1
P2=$(h_profile fast --pin-auth 1234 --pin-sign ABC123 --seed 2) || exit 1
h_card_start_slot 0 "$P1" --delay-ms "$SLOW_MS" --delay-ins 2A || exit 1
h_card_start_slot 1 "$P2" || exit 1
export P11_MODULE=$H_TOP/$H_BUILD/pkcs11/jpki-pkcs11.so
if timeout 120 "$H_TOP/$H_BUILD/tests/e2e/p11_threads" \
    > "$H_DIR/p11_threads.log" 2>&1; then
	h_ok "p11_threads: $(grep -c '\[       OK \]' "$H_DIR/p11_threads.log") cmocka tests"
	grep -E '^(slow|fast|C_Sign)' "$H_DIR/p11_threads.log" | sed 's/^/# /'
else
	cat "$H_DIR/p11_threads.log"
	h_fail "p11_threads"
fi
h_done
