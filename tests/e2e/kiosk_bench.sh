#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# `make bench` (bench-kiosk): what a kiosk tap costs through the kiosk API,
# real pcscd, vpcd and jpki-cardsim, and mykey-mock on loopback:
#   tap to issuance number   jpki_kiosk_retap() -> TAP_DONE (identify by
#                            SELECT, read, reset on disconnect), head-only
#                            and full certificate
#   tap to platform ack      the same, then the no-signature push answered
#                            by the platform (incl. its J-LIS status check)
# on contact (no link model) and the cardsim's 424 and 106 kbit/s
# contactless link models.  Beside each: the physical minimum for the same
# bytes on that link (10 bit per byte on ISO/IEC 14443 Type B: start, 8
# data, stop bits; no turnaround) and the link model's own floor (that plus
# 2 ms per exchange).  Medians of KIOSK_BENCH_TAPS taps (default 50); the
# pcscd detection delay of the insertion (vpcd polls every ~0.4 s) is not
# part of a tap.  Run under tests/lib/isolated.sh.
set -u
H_TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$H_TOP/tests/lib/harness.sh"
h_init "kiosk_bench-$$"
H_NAME=kiosk_bench
. "$H_TOP/tests/e2e/platform_lib.sh"
T=$H_TOP/$H_BUILD/tests/e2e/kiosk_test
N=${KIOSK_BENCH_TAPS:-50}

h_pcscd_start || exit 1
p_mock_start || exit 1
p_client || { echo "bench: mykey-mock client" >&2; exit 1; }
p_consent "$H_DIR/consent.json"
PERSON=$(p_person "Shiken Hanako")
p_card_issue "$PERSON" "$H_DIR/card" > /dev/null
h_card_start "$H_DIR/card" > /dev/null 2>&1
p_pins "$H_DIR/card"
M=$(p_plat register --consent-file "$H_DIR/consent.json" --no-sign --json \
	2>> "$H_DIR/check.log" | p_json mykey_id)
h_card_stop 0
[ -n "$M" ] || { echo "bench: register failed" >&2; exit 1; }

field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
ms() { awk -v u="$1" 'BEGIN { printf "%.1f", u / 1000 }'; }

printf '\nkiosk: tap to issuance number and to platform acknowledgement (median of %s taps)\n' "$N"
printf '%-5s %-8s %5s %6s %9s %11s %10s %10s\n' mode link apdus bytes "tap ms" "platform ms" "phys min" "link floor"
for mode in head full; do
	for link in contact 424 106; do
		opt=""; card=""
		[ $mode = full ] && opt=--full
		[ $link != contact ] && card="--contactless --link-kbps $link"
		# shellcheck disable=SC2086
		h_card_start "$H_DIR/card" $card > /dev/null 2>&1
		# shellcheck disable=SC2086
		out=$("$T" bench "$N" $opt --push "$P_URL" "$P_ID" "$M" 2>&1 | grep '^BENCH')
		h_card_stop 0
		if [ -z "$out" ]; then
			printf '%-5s %-8s failed\n' $mode $link
			h_fail "bench $mode $link"
			continue
		fi
		a=$(field "$out" apdus); b=$(field "$out" bytes)
		if [ $link = contact ]; then
			phys=-; floor=-
		else
			phys=$(awk -v b="$b" -v k="$link" 'BEGIN { printf "%.1f", b * 10 / k }')
			floor=$(awk -v b="$b" -v k="$link" -v a="$a" 'BEGIN { printf "%.1f", b * 10 / k + 2 * a }')
		fi
		printf '%-5s %-8s %5s %6s %9s %11s %10s %10s\n' $mode $link "$a" "$b" \
			"$(ms "$(field "$out" tap_us)")" "$(ms "$(field "$out" ack_us)")" "$phys" "$floor"
		h_ok "bench $mode $link" > /dev/null
	done
done
printf '(link floor = the cardsim model: bytes x 10 / kbit/s + 2 ms per exchange)\n\n'
[ "$H_FAIL" -eq 0 ] && rm -rf "$H_DIR"
h_done > /dev/null
