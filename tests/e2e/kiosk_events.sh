#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# Kiosk API through real pcscd, vsmartcard-vpcd and jpki-cardsim: events on
# two readers at once, contact and contactless, a card that is not a My
# Number Card, removal at every APDU index of the tap (head-only and full
# read with verification), the time budget, slow NFC link models, pcscd
# killed and restarted, cancel from another thread, the card reset between
# people, and 1,000 taps with descriptor and heap counts.  Run under
# tests/lib/isolated.sh.
set -eu
H_TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$H_TOP/tests/lib/harness.sh"
# a directory of its own: several engineers' runs may overlap; the
# counts still go to kiosk.count (h_done)
h_init "kiosk-$$"
H_NAME=kiosk
T=$H_TOP/$H_BUILD/tests/e2e/kiosk_test
W_PID=""
W_LOG=""
W_N=0

# Start a card in slot N without waiting for pcscd to see it (two cards
# can then arrive at once); the kiosk's own events tell when it is in.
k_card() {
	slot=$1; shift
	"$H_BIN/jpki-cardsim" --profile "$@" --port $((H_VPCD_PORT + slot)) \
		>> "$H_DIR/cardsim$slot.log" 2>&1 &
	eval "H_CARD_PID_$slot=$!"
	H_PIDS="$H_PIDS $!"
}

# Pull the card out of slot N (no wait).
k_pull() {
	eval "pid=\${H_CARD_PID_$1:-}"
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	eval "H_CARD_PID_$1="
}

# Pull the card and wait until the watcher saw it go.
k_pull_wait() {
	_kp_m=$(w_count '^EV card-removed')
	k_pull "$1"
	w_next_from "$_kp_m" '^EV card-removed' 5 || true
}

# Start a watcher (kiosk_test watch OPTIONS), its events in $W_LOG.
w_start() {
	W_N=$((W_N + 1))
	W_LOG=$H_DIR/watch$W_N.log
	: > "$W_LOG"
	"$T" watch "$@" > "$W_LOG" 2>&1 &
	W_PID=$!
	H_PIDS="$H_PIDS $W_PID"
}

# w_stop: SIGTERM makes the watcher's signal thread cancel the wait; it
# must print END and exit at once.
w_stop() {
	kill -TERM "$W_PID" 2>/dev/null || true
	_ws_i=0
	while kill -0 "$W_PID" 2>/dev/null && [ $_ws_i -lt 20 ]; do
		sleep 0.05; _ws_i=$((_ws_i + 1))
	done
	wait "$W_PID" 2>/dev/null || true
	grep -q '^END$' "$W_LOG"
}

# w_count REGEX: event lines matching REGEX so far.
w_count() {
	grep -c -E "$1" "$W_LOG" || true
}

# w_wait COUNT REGEX [SECONDS]: until COUNT event lines match REGEX.
w_wait() {
	_ww_n=$1; _ww_re=$2; _ww_s=${3:-10}
	_ww_i=0
	while [ "$(w_count "$_ww_re")" -lt "$_ww_n" ] &&
	    [ $_ww_i -lt $((_ww_s * 20)) ]; do
		sleep 0.05; _ww_i=$((_ww_i + 1))
	done
	[ "$(w_count "$_ww_re")" -ge "$_ww_n" ]
}

# w_next REGEX [SECONDS]: until one more line than now matches REGEX.  Call
# as "m=$(w_count RE); ...; w_next_from $m RE".
w_next_from() {
	w_wait $(($1 + 1)) "$2" "${3:-10}"
}

# The event names of tap ID, in order, joined with spaces.
w_seq() {
	grep -E "^EV .* tap=$1 " "$W_LOG" |
		sed 's/^EV \([a-z-]*\) .* step=\([a-z]*\) .*/\1 \2/' |
		awk '{ n = $1; if (n == "progress") n = n ":" $2
			printf "%s%s", s, n; s = " " }'
}

# The tap id of the Nth card-inserted on reader R.
w_tap() {
	grep -E "^EV card-inserted reader=\"$1\"" "$W_LOG" |
		sed -n "${2}p" | sed 's/.* tap=\([0-9]*\) .*/\1/'
}

# A field (iss, err, apdus, ms, cl, ...) of the tap-done/failed of tap ID.
w_field() {
	grep -E "^EV tap-(done|failed) .* tap=$1 " "$W_LOG" | head -n 1 |
		tr ' ' '\n' | sed -n "s/^$2=//p"
}

check() {
	desc=$1; shift
	if "$@"; then
		h_ok "$desc"
	else
		h_fail "$desc"
		[ -n "$W_LOG" ] && sed 's/^/    /' "$W_LOG" | tail -n 30
	fi
}

R0="Virtual PCD 00 00"
R1="Virtual PCD 00 01"
DONE_SEQ="card-inserted progress:identified progress:read tap-done"
# A card that vanished mid-APDU: pcscd answers "removed" once its poll saw
# it, a transport failure before that.
GONE="JPKI_ERR_(CARD_REMOVED|TRANSPORT|UNRESPONSIVE|NO_CARD)"

h_pcscd_start
PA=$(h_profile alice --auth-serial 1A2B3C4D)
PB=$(h_profile bob --auth-serial 0F00BA)

# --- 1. two readers, two cards at once; contactless in slot 1 ----------
w_start
check "both readers reported" w_wait 2 '^EV reader-added'
k_card 0 "$PA"
k_card 1 "$PB" --contactless
check "two taps done" w_wait 2 '^EV tap-done' 10
t0=$(w_tap "$R0" 1); t1=$(w_tap "$R1" 1)
check "reader 0: insert, identified, read, done" \
	test "$(w_seq "$t0")" = "$DONE_SEQ"
check "reader 1: insert, identified, read, done" \
	test "$(w_seq "$t1")" = "$DONE_SEQ"
check "issuance numbers of both cards (head only, 2 APDUs)" \
	test "$(w_field "$t0" iss) $(w_field "$t1" iss) $(w_field "$t0" head) $(w_field "$t0" apdus)" = "1A2B3C4D F00BA 1 2"
check "contactless personality reported as such" \
	test "$(w_field "$t0" cl)$(w_field "$t1" cl)" = "01"
k_pull 0; k_pull 1
check "both removals reported" w_wait 2 '^EV card-removed'
check "one event per insertion (no phantom taps after the reset)" \
	test "$(grep -c '^EV card-inserted' "$W_LOG")" -eq 2

# --- 2. not a My Number Card: SELECT of the JPKI AP refused -----------
k_card 0 "$PA" --sw-at 1:6A82
check "other card: tap fails with NOT_JPKI" \
	w_wait 1 '^EV tap-failed .* err=JPKI_ERR_NOT_JPKI' 10
k_pull 0
w_wait 3 '^EV card-removed' || true

# drop_all LABEL K [cardsim options]: the card pulled right after APDU n,
# n = 1..K, where K is the APDU count of a whole tap.  Each n < K gives one
# clean error event, n = K a complete tap (every answer was in); after
# each, the next tap succeeds.
drop_all() {
	_d_label=$1; _d_k=$2; shift 2
	_d_n=1
	while [ "$_d_n" -le "$_d_k" ]; do
		_d_m=$(w_count '^EV tap-')
		k_card 0 "$PA" --drop-after "$_d_n" "$@"
		w_next_from "$_d_m" '^EV tap-' 10 || true
		_d_last=$(grep '^EV tap-' "$W_LOG" | tail -n 1)
		if [ "$_d_n" -lt "$_d_k" ]; then
			check "$_d_label, card pulled after APDU $_d_n of $_d_k: one clean error" \
				sh -c "echo '$_d_last' | grep -q -E 'tap-failed .*err=$GONE'"
		else
			check "$_d_label, card pulled after the last APDU: still read" \
				sh -c "echo '$_d_last' | grep -q 'tap-done .*iss=1A2B3C4D'"
		fi
		k_pull_wait 0
		_d_m=$(w_count '^EV tap-done .*iss=1A2B3C4D')
		k_card 0 "$PA" "$@"
		check "  ... and the next tap succeeds" \
			w_next_from "$_d_m" '^EV tap-done .*iss=1A2B3C4D' 10
		k_pull_wait 0
		_d_n=$((_d_n + 1))
	done
}

# --- 3. removal at every APDU index, head-only read -------------------
drop_all "head read" "$(w_field "$t0" apdus)"
drop_all "head read, contactless" "$(w_field "$t1" apdus)" --contactless
check "watcher ends at once when cancelled by SIGTERM" w_stop

# --- 4. full read with chain verification, removal at every index -----
w_start --full --verify "$PA/auth-ca.crt"
w_wait 2 '^EV reader-added'
k_card 0 "$PA"
check "full read: verified tap, same issuance number as the head" \
	w_wait 1 '^EV tap-done .*iss=1A2B3C4D head=0 ver=1' 10
tf=$(w_tap "$R0" 1)
check "full read: insert, identified, read, verified, done" \
	test "$(w_seq "$tf")" = "card-inserted progress:identified progress:read progress:verified tap-done"
kf=$(w_field "$tf" apdus)
k_pull_wait 0
k_card 0 "$PB"
check "card of another (mock) CA: verification refused" \
	w_wait 1 '^EV tap-failed .*err=JPKI_ERR_CERT_' 10
k_pull_wait 0
drop_all "full read" "$kf"
# a reader without extended APDUs: the certificate in short chunks
m=$(w_count '^EV tap-done')
k_card 0 "$PA" --no-extended
w_next_from "$m" '^EV tap-done' 10 || true
ks=$(grep '^EV tap-done' "$W_LOG" | tail -n 1 | sed 's/.* apdus=\([0-9]*\).*/\1/')
check "full read in short APDUs: $ks APDUs" test "$ks" -gt "$kf"
k_pull_wait 0
drop_all "full read (short APDUs)" "$ks" --no-extended
w_stop || true

# --- 5. time budget and NFC link models --------------------------------
w_start --budget 300
w_wait 2 '^EV reader-added'
k_card 0 "$PA" --delay-ms 150
check "slow card over the budget: aborted with KIOSK_BUDGET" \
	w_wait 1 '^EV tap-failed .*err=JPKI_ERR_KIOSK_BUDGET' 10
k_pull_wait 0
w_stop || true
for kbps in 424 106; do
	for mode in head full; do
		opt=""; [ $mode = full ] && opt=--full
		w_start $opt
		w_wait 2 '^EV reader-added'
		k_card 1 "$PA" --contactless --link-kbps $kbps
		if w_wait 1 '^EV tap-done' 10; then
			ms=$(grep '^EV tap-done' "$W_LOG" | tr ' ' '\n' | sed -n 's/^ms=//p')
			check "contactless $kbps kbit/s, $mode read: $ms ms, within the 5 s budget" \
				test "$ms" -lt 5000
		else
			check "contactless $kbps kbit/s, $mode read" false
		fi
		k_pull_wait 1
		w_stop || true
	done
done

# --- 6. pcscd killed and restarted --------------------------------------
w_start
w_wait 2 '^EV reader-added'
k_card 0 "$PA"
w_wait 1 '^EV tap-done' 10
kill -KILL "$H_PCSCD_PID"
wait "$H_PCSCD_PID" 2>/dev/null || true
if w_wait 1 '^EV service-lost' 5 && w_wait 2 '^EV reader-removed' 5 &&
    w_wait 1 '^EV card-removed' 5; then
	h_ok "pcscd killed: service-lost, card and both readers removed"
else
	h_fail "pcscd killed: service-lost, card and both readers removed"
fi
k_pull 0
check "cancel while pcscd is down: within 100 ms" "$T" cancel 5
h_pcscd_start
check "pcscd back: service-back and both readers again" \
	w_wait 1 '^EV service-back' 10
w_wait 4 '^EV reader-added' 5 || h_fail "readers re-added"
m=$(w_count '^EV tap-done .*iss=F00BA')
k_card 0 "$PB"
check "first tap after the restart succeeds" \
	w_next_from "$m" '^EV tap-done .*iss=F00BA' 10
k_pull 0
w_wait 2 '^EV card-removed' 5 || true

# --- 7. real insert/remove cycles: no descriptor or heap growth --------
cycles=${KIOSK_CYCLES:-25}
c=0
while [ $c -lt $cycles ]; do
	m=$(w_count '^EV tap-done')
	k_card $((c % 2)) "$PA"
	w_next_from "$m" '^EV tap-done' 10 || break
	k_pull_wait $((c % 2))
	c=$((c + 1))
done
fd_first=$(grep '^EV tap-done' "$W_LOG" | sed -n 3p | sed 's/.* fds=\([0-9]*\).*/\1/')
fd_last=$(grep '^EV tap-done' "$W_LOG" | tail -n 1 | sed 's/.* fds=\([0-9]*\).*/\1/')
h_first=$(grep '^EV tap-done' "$W_LOG" | sed -n 3p | sed 's/.* heap=\([0-9]*\).*/\1/')
h_last=$(grep '^EV tap-done' "$W_LOG" | tail -n 1 | sed 's/.* heap=\([0-9]*\).*/\1/')
check "$cycles insert/remove cycles: all tapped, fds $fd_first -> $fd_last, heap $h_first -> $h_last" \
	test "$c" -eq "$cycles" -a "$fd_first" = "$fd_last" -a \
	"$h_last" -le $((h_first + 16384))
check "watcher stops cleanly" w_stop

# --- 8. cancel from another thread, 1,000 taps ---------------------------
check "cancel from another thread wakes the waiter within 100 ms" \
	"$T" cancel 30
k_card 0 "$PA"
h_wait_card 0
if "$T" reset "$R0" > "$H_DIR/reset.log" 2>&1; then
	h_ok "nothing survives a tap: the JPKI AP selected before is gone after it (control: kept by a plain disconnect)"
else
	h_fail "card reset between people"
	sed 's/^/    /' "$H_DIR/reset.log"
fi
if "$T" taps 1000 > "$H_DIR/taps.log" 2>&1; then
	h_ok "$(tail -n 1 "$H_DIR/taps.log")"
else
	h_fail "1000 taps: $(tail -n 1 "$H_DIR/taps.log")"
	tail -n 20 "$H_DIR/taps.log" | sed 's/^/    /'
fi
if "$T" taps 600 --full --verify "$PA/auth-ca.crt" > "$H_DIR/taps.log" 2>&1; then
	h_ok "verified: $(tail -n 1 "$H_DIR/taps.log")"
else
	h_fail "600 verified taps: $(tail -n 1 "$H_DIR/taps.log")"
fi
k_pull 0

if [ "$H_FAIL" -eq 0 ]; then
	h_cleanup
	rm -rf "$H_DIR"
fi
h_done
