#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# jpki-kiosk driven in tmux like a person at the counter, its screen read
# back with capture-pane: a renewed card pushed and relinked, a second
# person during a platform outage (queued, then sent once the platform is
# back, nothing lost), consent asked once per person, a card pulled out
# too early, a card that is not a My Number Card; then the --json output.
# Real pcscd, vpcd, jpki-cardsim and mykey-mock; run under
# tests/lib/isolated.sh.
set -u
H_TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$H_TOP/tests/lib/harness.sh"
h_init "kiosk_tmux-$$"
H_NAME=kiosk_tmux
. "$H_TOP/tests/e2e/platform_lib.sh"

K=$H_BIN/jpki-kiosk
SOCK=$H_DIR/tmux.sock
Q=$H_DIR/queue.db
TM="tmux -S $SOCK"

screen() {
	$TM capture-pane -p -t kiosk 2>/dev/null
}

# see TEXT [SECONDS]: until the screen shows TEXT (fixed string)
see() {
	_s_i=0
	while ! screen | grep -q -F -- "$1" && [ $_s_i -lt $((${2:-10} * 10)) ]; do
		sleep 0.1; _s_i=$((_s_i + 1))
	done
	screen | grep -q -F -- "$1"
}

check_see() {
	if see "$2" "${3:-10}"; then
		h_ok "$1"
	else
		h_fail "$1"
		screen | sed 's/^/    | /'
	fi
}

keys() {
	$TM send-keys -t kiosk "$@"
}

card_in() {
	h_card_stop 0 2>/dev/null
	h_card_start "$@" > /dev/null 2>&1
}

pushes() {
	grep 'issuance-numbers:push 200' "$H_DIR/mock.log" 2>/dev/null |
		grep -vc replayed || true
}

kiosk_cleanup() {
	$TM kill-server 2>/dev/null || true
	h_cleanup
}
trap kiosk_cleanup EXIT

h_pcscd_start || exit 1
p_mock_start || exit 1
p_client || { h_fail "mykey-mock client add"; h_done; exit 1; }
p_consent "$H_DIR/consent.json"

# Two synthetic people, each registered once with a PIN (the usual
# counter procedure, done with the CLI); the first one then renews.
P1=$(p_person "Shiken Ichiro")
P2=$(p_person "Shiken Jiro")
A1=$(p_card_issue "$P1" "$H_DIR/card1" | p_json auth_issuance_number)
p_card_issue "$P2" "$H_DIR/card2" > /dev/null
for n in 1 2; do
	card_in "$H_DIR/card$n"
	p_pins "$H_DIR/card$n"
	eval "M$n=\$(p_plat register --consent-file $H_DIR/consent.json --no-sign --json 2>>$H_DIR/check.log | p_json mykey_id)"
done
h_card_stop 0
if [ -n "$M1" ] && [ -n "$M2" ]; then
	h_ok "two people registered: $M1 $M2"
else
	h_fail "registration with jpki platform register"
fi
A1B=$(p_mm card renew --serial "$A1" --out "$H_DIR/card1b" | p_json auth_issuance_number)
if [ -n "$A1B" ] && [ "$A1B" != "$A1" ]; then
	h_ok "person 1 renewed the card at the authority only ($A1 -> $A1B)"
else
	h_fail "card renewal"
fi

$TM new-session -d -s kiosk -x 110 -y 40 \
	"$K --platform $P_URL --client-id $P_ID --allow-http --queue $Q --flush-every 1; sleep 30"
check_see "ready screen: asks for a card" "Please tap or insert your My Number Card"
check_see "ready screen: both readers listed" "Virtual PCD 00 01"
check_see "ready screen: platform online" "online"

# --- person 1, renewed card: consent, MyKey ID, pushed and relinked -------
card_in "$H_DIR/card1b"
check_see "card read, consent asked" "May we send your card's issuance"
keys y Enter
check_see "consent given, MyKey ID asked" "Please type your MyKey ID"
keys "$M1" Enter
check_see "pushed: confirmed by the platform" "Confirmed by the platform (MyKey ID $M1"
if p_plat status --mykey-id "$M1" --json 2>/dev/null | grep -q "$A1B"; then
	h_ok "  ... the platform now binds the renewed card's number to $M1"
else
	h_fail "  ... renewed number bound on the platform"
fi
h_card_stop 0
p_before=$(pushes)

# --- platform outage: person 2 queued, and again (asked only once) --------
p_mock_stop
card_in "$H_DIR/card2"
check_see "person 2: consent asked" "May we send your card's issuance"
keys y Enter
see "Please type your MyKey ID"
keys "$M2" Enter
check_see "platform down: saved for later" "saved and will be sent automatically" 20
check_see "  ... the screen says OFFLINE, 1 waiting" "waiting 1"
h_card_stop 0
card_in "$H_DIR/card2"
check_see "same person again: no second consent question, queued" "waiting 2" 20
if screen | grep -q "May we send"; then
	h_fail "consent asked twice"
else
	h_ok "consent asked once per person"
fi
h_card_stop 0
check_see "queue on disk holds both" "waiting 2"
test "$(sqlite3 "$Q" 'SELECT count(*) FROM push_queue')" -eq 2 &&
	h_ok "two entries in the offline queue" || h_fail "offline queue entries"

# --- platform back: flushed, nothing lost ---------------------------------
p_mock_start || exit 1
check_see "platform back: both saved pushes sent" "2 saved pushes sent" 20
check_see "  ... nothing waiting" "waiting 0"
test "$(($(pushes) - p_before))" -eq 2 &&
	h_ok "the platform received exactly the two queued pushes" ||
	h_fail "pushes after the outage: $(($(pushes) - p_before))"
test "$(sqlite3 "$Q" 'SELECT count(*) FROM push_queue')" -eq 0 &&
	h_ok "queue empty" || h_fail "queue not empty"

# --- a card pulled out mid-read, a card that is not a My Number Card -----
card_in "$H_DIR/card2" --drop-after 1
check_see "card pulled early: the person is told to tap again" "tap it again"
h_card_stop 0
card_in "$H_DIR/card2" --sw-at 1:6A82
check_see "other card: not a My Number Card" "This is not a My Number Card"
h_card_stop 0

keys C-c
check_see "Ctrl-C stops the kiosk cleanly" "jpki-kiosk stopped."

# --- --json output for integration ----------------------------------------
"$K" --json < /dev/null > "$H_DIR/json.out" 2>&1 &
JP=$!
H_PIDS="$H_PIDS $JP"
sleep 0.5
card_in "$H_DIR/card2"
i=0
while ! grep -q '"event":"tap-done"' "$H_DIR/json.out" && [ $i -lt 50 ]; do
	sleep 0.1; i=$((i + 1))
done
kill -TERM $JP; wait $JP 2>/dev/null
grep -q '"event":"reader-added","reader":"Virtual PCD 00 00"' "$H_DIR/json.out" &&
	grep -q '"event":"tap-done".*"issuance":"[0-9A-F]*".*"head_only":true' "$H_DIR/json.out" &&
	grep -q '"event":"stopped"' "$H_DIR/json.out" &&
	h_ok "--json: reader, tap-done with the issuance number, stopped" ||
	{ h_fail "--json output"; sed 's/^/    /' "$H_DIR/json.out"; }

[ "$H_FAIL" -eq 0 ] && rm -rf "$H_DIR"
h_done
