#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# `make bench-tap` (part of `make bench`): "tap to MyKey ID", the wall
# time of `jpki platform login` from a card present in the reader to the
# platform's answer, through pcscd + vpcd + jpki-cardsim and a local
# mykey-mock, without link delay and with the 424 kbit/s NFC model.  Also
# the APDUs the card saw and the HTTP requests, with the APDU minimum of
# the protocol (mykey-mock-api.md §1 "How a client proves the cardholder").
set -u

. "$(dirname "$0")/../lib/harness.sh"
h_init platform_bench
. "$H_TOP/tests/e2e/platform_lib.sh"

RUNS=${RUNS:-7}
h_pcscd_start || exit 1
p_mock_start || exit 1
p_client || exit 1
PERSON=$(p_person "Bench Jiro")
p_card_issue "$PERSON" "$H_DIR/card" > /dev/null
p_pins "$H_DIR/card"
p_consent "$H_DIR/consent.json"
h_card_start "$H_DIR/card"
p_plat register --consent-file "$H_DIR/consent.json" --no-sign \
	> /dev/null 2>&1 || { h_fail "register"; h_done; exit 1; }
h_card_stop

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

printf '\ntap to MyKey ID (jpki platform login, median of %d)\n' "$RUNS"
printf '%-22s %9s %6s %6s %6s\n' "link" "ms" "APDUs" "min" "HTTP"
for model in none 424; do
	if [ "$model" = none ]; then
		h_card_start "$H_DIR/card" --stats "$H_DIR/stats.json"
	else
		h_card_start "$H_DIR/card" --link-kbps 424 \
			--stats "$H_DIR/stats.json"
	fi
	: > "$H_DIR/times"
	i=0
	while [ $i -lt "$RUNS" ]; do
		p_pins "$H_DIR/card"
		t0=$(date +%s%N)
		p_plat login --consent-file "$H_DIR/consent.json" --stats \
			> "$H_DIR/out" 2> "$H_DIR/err" || {
			h_fail "login ($model)"; cat "$H_DIR/err" >&2; break; }
		t1=$(date +%s%N)
		echo $(( (t1 - t0) / 1000000 )) >> "$H_DIR/times"
		i=$((i + 1))
	done
	# per login, from the CLI's own counters (card side and HTTP)
	apdus=$(sed -n 's/^stats: .*, \([0-9]*\) APDUs until.*/\1/p' \
		"$H_DIR/err")
	http=$(sed -n 's/^stats: \([0-9]*\) HTTP requests.*/\1/p' "$H_DIR/err")
	ms=$(median < "$H_DIR/times")
	# minimum: SELECT AP, READ BINARY (one extended read of the auth
	# certificate), VERIFY, COMPUTE DIGITAL SIGNATURE
	printf '%-22s %9s %6s %6s %6s\n' \
		"$( [ "$model" = none ] && echo "pcscd, no delay" || echo "pcscd, NFC 424 kbit/s")" \
		"$ms" "$apdus" 4 "$http"
	[ -n "$ms" ] && [ -n "$apdus" ] && h_ok "tap to MyKey ID, $model"
	h_card_stop
done
cat <<'EOF'

APDUs: SELECT JPKI AP, READ BINARY of the auth certificate, two empty
VERIFY (tries left shown before the PIN prompt, and the library's last-try
guard), VERIFY, COMPUTE DIGITAL SIGNATURE; the minimum drops the two
counter reads.  Not counted: the logout after the answer (1 APDU).
HTTP: token, challenge, :verify (a long-lived kiosk process reuses its
token: 2).
EOF
h_done
