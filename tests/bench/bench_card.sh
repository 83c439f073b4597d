#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# `make bench`: what reading a My Number Card costs, for jpki and OpenSC,
# through the real pcscd and a virtual card (jpki-cardsim).  Runs under
# tests/lib/isolated.sh.
#
# For every operation the card is inserted afresh with `jpki-cardsim
# --stats FILE`, the client runs once, and the card's own counters (APDUs
# received, bytes in and out, written when it is removed) are the yardstick:
# the same for both clients, and independent of their logging.  Wall time is
# the client's, median of BENCH_RUNS runs, with no link delay and with the
# cardsim's 424 kbit/s contactless link model.  "min" is the fewest APDUs
# and bytes the card protocol allows (jpki-card.md §3, §5.3, §5.6):
#   info      what `jpki info` prints: SELECT JPKI AP, READ BINARY by SFI of
#             EF 0006 (160 bytes token info), EF 0008 (3 bytes), the first
#             24 bytes of EF 000A (auth cert serial), empty VERIFY by SFI for
#             the auth and sign PINs; SELECT text AP + empty VERIFY; SELECT
#             visual AP + empty VERIFY (jpki-card.md §5.1, §5.2, §6, §7)
#   cert auth SELECT AP, one extended READ BINARY by SFI 0A (whole EF); with
#             short APDUs only: the first 256 bytes by SFI, the rest by
#             offset from the current EF, 256 bytes each
#   sign auth SELECT AP, VERIFY by SFI 18, COMPUTE DIGITAL SIGNATURE with
#             key by SFI (P2 97) over a SHA-256 DigestInfo (51 bytes)
set -u

. "$(dirname "$0")/../lib/harness.sh"

RUNS=${BENCH_RUNS:-5}
h_init bench
h_pcscd_start || exit 1
PROFILE=$(h_profile bench) || { echo "bench: gen-profile failed" >&2; exit 1; }
CERT_SIZE=$(stat -c %s "$PROFILE/auth.crt")
# synthetic test PIN of the generated profile; passed through the
# environment (jpki --pin-env, pkcs11-tool --pin env:VAR), never argv
BENCH_PIN=$(sed -n 's/^pin\.auth[[:space:]]*=[[:space:]]*//p' "$PROFILE/profile.conf")
export BENCH_PIN
printf 'libjpki benchmark input\n' > "$H_DIR/msg"
RESULTS=$H_DIR/results.txt
: > "$RESULTS"

now_ns() { date +%s%N; }

# stat_field FILE NAME: a number from the cardsim's JSON counters
stat_field() {
	sed -n "s/.*\"$2\": *\([0-9]*\).*/\1/p" "$1"
}

median() {
	sort -n | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "-"; exit }
		if (NR % 2) print v[(NR + 1) / 2];
		else print int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

# measure OP CLIENT LINK MIN_APDUS MIN_IN MIN_OUT CARDOPTS -- CMD...
# LINK is "-" (none) or kbit/s; CARDOPTS a space-separated list or "".
measure() {
	op=$1 client=$2 link=$3 min_apdus=$4 min_in=$5 min_out=$6 cardopts=$7
	shift 8
	[ "$link" != - ] && cardopts="$cardopts --link-kbps $link"
	times=$H_DIR/times
	: > "$times"
	apdus=- bin=- bout=- ok=1 i=0
	while [ "$i" -lt "$RUNS" ]; do
		i=$((i + 1))
		rm -f "$H_DIR/stats.json"
		# shellcheck disable=SC2086
		if ! h_card_start "$PROFILE" --stats "$H_DIR/stats.json" $cardopts; then
			ok=0
			break
		fi
		t0=$(now_ns)
		"$@" > "$H_DIR/out" 2> "$H_DIR/err" < "$H_DIR/stdin"
		rc=$?
		t1=$(now_ns)
		h_card_stop
		if [ "$rc" -ne 0 ]; then
			echo "bench: $client $op failed (exit $rc):" >&2
			head -n 5 "$H_DIR/err" >&2
			ok=0
			break
		fi
		echo $(((t1 - t0) / 1000000)) >> "$times"
		if [ -s "$H_DIR/stats.json" ]; then
			a=$(stat_field "$H_DIR/stats.json" commands)
			bi=$(stat_field "$H_DIR/stats.json" bytes_in)
			bo=$(stat_field "$H_DIR/stats.json" bytes_out)
			# the counts must not vary between runs
			if [ "$apdus" != - ] && [ "$a" != "$apdus" ]; then
				echo "bench: $client $op: APDU count varies ($apdus, $a)" >&2
			fi
			apdus=$a bin=$bi bout=$bo
		fi
	done
	if [ "$ok" -eq 1 ]; then
		ms=$(median < "$times")
		h_ok "$client $op (link $link)" > /dev/null
	else
		ms=FAIL
		h_fail "$client $op (link $link)" > /dev/null
	fi
	printf '%-10s %-34s %5s %6s %7s %8s %8s | %4s %6s %7s\n' \
	    "$op" "$client" "$link" "$apdus" "$bin" "$bout" "$ms" \
	    "$min_apdus" "$min_in" "$min_out" | tee -a "$RESULTS"
}

# physical minima (see the header)
INFO_MIN="10 76 207"	# out: 15+5+5+5+4+4+15+4+15+4; in: 2+162+5+26+2*6
CERT_MIN="2 22 $((CERT_SIZE + 4))"	# out: 15+7; in: 2 + cert + 2
chunks=$(((CERT_SIZE + 255) / 256))
CERT_SHORT_MIN="$((1 + chunks)) $((15 + 5 * chunks)) $((2 + CERT_SIZE + 2 * chunks))"
SIGN_MIN="3 81 262"			# out: 15+9+57; in: 2+2+258

J=$H_BIN/jpki
P11="pkcs11-tool --module /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"
: > "$H_DIR/stdin"

header() {
	printf '\n%-10s %-34s %5s %6s %7s %8s %8s | %4s %6s %7s\n' \
	    operation client kbps APDUs "in" out "ms(med)" APDUs "in" out
	printf '%-10s %-34s %5s %6s %7s %8s %8s | %4s %6s %7s\n' \
	    "" "" "" "card" "bytes" "bytes" "" "min" "bytes" "bytes"
}

echo "libjpki bench: $RUNS runs each, auth certificate $CERT_SIZE bytes"
echo "(card-side counts from jpki-cardsim --stats; 'in' = host to card)"
for link in - 424; do
	header
	# shellcheck disable=SC2086
	{
	measure info      "jpki info"                       $link $INFO_MIN "" -- \
		"$J" info
	measure info      "jpki info (short APDUs only)"    $link $INFO_MIN --no-extended -- \
		"$J" info
	measure info      "OpenSC pkcs11-tool -L"           $link $INFO_MIN "" -- \
		$P11 -L
	measure "cert auth" "jpki cert auth"                $link $CERT_MIN "" -- \
		"$J" cert auth --der
	measure "cert auth" "jpki cert auth (short only)"   $link $CERT_SHORT_MIN --no-extended -- \
		"$J" cert auth --der
	measure "cert auth" "OpenSC pkcs15-tool --read-cert" $link $CERT_SHORT_MIN "" -- \
		pkcs15-tool --read-certificate 01
	measure "cert auth" "OpenSC pkcs11-tool -O"         $link $CERT_SHORT_MIN "" -- \
		$P11 -O
	measure "sign auth" "jpki sign auth"                $link $SIGN_MIN "" -- \
		"$J" sign auth --in "$H_DIR/msg" --pin-env BENCH_PIN
	measure "sign auth" "jpki sign auth (short only)"   $link $SIGN_MIN --no-extended -- \
		"$J" sign auth --in "$H_DIR/msg" --pin-env BENCH_PIN
	# OpenSC's "env:VAR" form keeps the PIN out of argv
	measure "sign auth" "OpenSC pkcs11-tool --sign"     $link $SIGN_MIN "" -- \
		$P11 --sign --id 01 -m SHA256-RSA-PKCS --login \
		--pin env:BENCH_PIN \
		--input-file "$H_DIR/msg" --output-file "$H_DIR/sig"
	}
done
echo
echo "OpenSC has no 'info'; pkcs11-tool -L (slots, token labels, PIN state) is"
echo "the nearest.  Its certificate rows are compared with the short-APDU"
echo "minimum: its jpki driver sends short APDUs only (jpki-card.md §10.1)."
h_done
