#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# Runs tests/e2e/p11_hostile.c (hostile PKCS#11 callers, with a card)
# against an isolated pcscd; the program starts and stops jpki-cardsim
# itself.  "threads" runs only the threaded part (the TSan build).
set -u
H_TOP=${H_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$H_TOP/tests/lib/harness.sh"
h_init "p11_hostile${P11_TAG:+_$P11_TAG}"

if [ -n "${P11_PRELOAD:-}" ]; then
	export ASAN_OPTIONS=detect_leaks=0
fi
export TSAN_OPTIONS="halt_on_error=1 exitcode=66"
h_pcscd_start || exit 1
# the TSan build has no cardsim of its own: P11_CARDSIM is the normal one
export P11_CARDSIM=${P11_CARDSIM:-$H_BIN/jpki-cardsim}
P=$H_DIR/profiles/card1
"$P11_CARDSIM" gen-profile --out "$P" --pin-auth 1234 --pin-sign ABC123 \
	> /dev/null || exit 1
export P11_MODULE=$H_TOP/$H_BUILD/pkcs11/jpki-pkcs11.so P11_PROFILE=$P
if timeout 120 "$H_TOP/$H_BUILD/tests/e2e/p11_hostile" "$@" \
    > "$H_DIR/p11_hostile.log" 2>&1; then
	h_ok "p11_hostile${1:+ $1}: $(grep -c '\[       OK \]' "$H_DIR/p11_hostile.log") cmocka tests"
else
	cat "$H_DIR/p11_hostile.log"
	h_fail "p11_hostile${1:+ $1}"
fi
h_done
