#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# End-to-end tests of the `jpki` CLI: the real pcscd, the vpcd driver and
# jpki-cardsim, under tests/lib/isolated.sh.  Every PIN reaches the CLI
# through --pin-fd or --pin-env, never argv.
#
#   tests/lib/isolated.sh sh tests/e2e/cli_basic.sh     (make check-cli)
set -u

. "${H_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/harness.sh"

h_init cli_basic
J=$H_BIN/jpki
OUT=$H_DIR/out
ERR=$H_DIR/err

# run CMD...: stdout to $OUT, stderr to $ERR, exit code in $RC; no hang.
run() {
	JSON_RUN=0
	for a in "$@"; do
		[ "$a" = --json ] && JSON_RUN=1
	done
	timeout 20 "$@" > "$OUT" 2> "$ERR"
	RC=$?
	cat "$ERR" >> "$H_DIR/check.log"
}

# expect DESC RC [grep-pattern-in-stdout [grep-pattern-in-stderr]]
expect() {
	desc=$1; want=$2; pout=${3:-}; perr=${4:-}
	if [ "$RC" -ne "$want" ]; then
		h_fail "$desc (exit $RC, want $want)"
		sed 's/^/#   /' "$ERR"
	elif [ -n "$pout" ] && ! grep -q -- "$pout" "$OUT"; then
		h_fail "$desc (stdout lacks '$pout')"
		sed 's/^/#   /' "$OUT"
	elif [ -n "$perr" ] && ! grep -q -- "$perr" "$ERR"; then
		h_fail "$desc (stderr lacks '$perr')"
		sed 's/^/#   /' "$ERR"
	elif [ "$JSON_RUN" = 1 ] && [ "$RC" -eq 0 ] &&
	    ! jq -e . "$OUT" > /dev/null 2>&1; then
		h_fail "$desc (output is not valid JSON)"
		sed 's/^/#   /' "$OUT"
	else
		h_ok "$desc"
	fi
}

conf() {
	sed -n "s/^$2 *= *//p" "$1/profile.conf"
}

h_pcscd_start || { h_fail "pcscd start"; h_done; exit 1; }

# A fixed 16-byte issuance number: its decimal is an independent oracle.
SERIAL_HEX=5A1B2C3D4E5F60718293A4B5C6D7E8F9
SERIAL_DEC=119771608919018477110937991805746538745
P=$(h_profile main --seed 11 --auth-serial "$SERIAL_HEX") ||
	{ h_fail "gen-profile"; h_done; exit 1; }
"$H_BIN/jpki-cardsim" gen-profile --out "$H_DIR/profiles/report" --seed 11 \
	--auth-serial "$SERIAL_HEX" > "$H_DIR/gen.out"
GEN_SERIAL=$(sed -n 's/^auth_serial //p' "$H_DIR/gen.out")
PIN_AUTH=$(conf "$P" pin.auth)
PIN_SIGN=$(conf "$P" pin.sign)
PIN_TEXT=$(conf "$P" pin.text)
MYNUMBER=$(conf "$P" mynumber)
NAME=$(conf "$P" name)

# --- no card yet -----------------------------------------------------------
run "$J" readers --json
expect "readers --json with empty slots" 0 \
	'^{"readers":\[{"index":0,"name":"Virtual PCD 00 00","card":false},{"index":1,"name":"Virtual PCD 00 01","card":false}\]}$'
run "$J" info
expect "info without a card: exit 3 and the --wait hint" 3 "" "--wait"
T0=$(date +%s)
run "$J" info --wait 1
T1=$(date +%s)
expect "info --wait 1 without a card: exit 3 after the wait" 3 "" "no card arrived in time"
[ $((T1 - T0)) -le 5 ] && h_ok "--wait 1 gives up within seconds" ||
	h_fail "--wait 1 took $((T1 - T0)) s"
OLD=1234 run "$J" pin change auth --pin-env OLD
expect "pin change --pin-env without --new-pin-env: usage error" 2

# --- --wait for a card inserted 1 s later ----------------------------------
( sleep 1; exec "$H_BIN/jpki-cardsim" --profile "$P" --port "$H_VPCD_PORT" \
	> "$H_DIR/cardsim-late.log" 2>&1 ) &
LATE=$!
H_PIDS="$H_PIDS $LATE"
run "$J" info --wait 15
expect "info --wait: a card inserted 1 s later is found" 0 "Applications:  JPKI yes"
kill -TERM "$LATE" 2>/dev/null; wait "$LATE" 2>/dev/null
h_wait_nocard 0

h_card_start "$P" || { h_fail "cardsim start"; h_done; exit 1; }

# --- readers, info ---------------------------------------------------------
run "$J" readers --json
expect "readers --json: exact shape" 0 \
	'^{"readers":\[{"index":0,"name":"Virtual PCD 00 00","card":true},{"index":1,"name":"Virtual PCD 00 01","card":false}\]}$'
run "$J" readers
expect "readers: text listing" 0 "^0: Virtual PCD 00 00  \[card\]$"
run "$J" info
expect "info: applications" 0 "Applications:  JPKI yes, text yes, visual yes"
grep -q "auth PIN  *3 tries left" "$OUT" && grep -q "text PIN  *3 tries left" "$OUT" &&
	grep -q "signature password  *5 tries left" "$OUT" && h_ok "info: PIN tries" ||
	h_fail "info: PIN tries"
grep -q "Certificates:  auth present, sign present" "$OUT" &&
	h_ok "info: certificate availability" || h_fail "info: certificate availability"
run "$J" info --json
expect "info --json" 0 '"pin_tries":{"auth":3,"sign":5,"text":3}'
grep -q "\"auth_issuance_number\":{\"hex\":\"$SERIAL_HEX\",\"decimal\":\"$SERIAL_DEC\"}" "$OUT" &&
	h_ok "info --json: issuance number from the serial-only read" ||
	h_fail "info --json: issuance number"

# --- reader selection ------------------------------------------------------
run "$J" info --reader 0
expect "--reader 0 (index)" 0 "Reader:        Virtual PCD 00 00"
run "$J" --reader "Virtual PCD 00 00" info
expect "--reader NAME before the command" 0 "Reader:        Virtual PCD 00 00"
run "$J" info --reader 1
expect "--reader 1: empty slot gives exit 3" 3
run "$J" info --reader "No Such Reader"
expect "unknown reader: exit 3 and the reader list" 3 "" "1: Virtual PCD 00 01"
run "$J" info --reader 7
expect "reader index out of range: exit 3 and the reader list" 3 "" "0: Virtual PCD 00 00 (card present)"

# --- certificates ----------------------------------------------------------
[ "$GEN_SERIAL" = "$SERIAL_HEX" ] && h_ok "gen-profile reports the issuance number" ||
	h_fail "gen-profile reported '$GEN_SERIAL'"
run "$J" cert auth --json
expect "cert auth --json" 0 "^{\"kind\":\"auth\",\"issuance_number\":{\"hex\":\"$GEN_SERIAL\",\"decimal\":\"$SERIAL_DEC\"},\"subject\":\""
[ "$(jq -r .der_base64 "$OUT" | base64 -d | cmp - "$P/auth.crt" && echo same)" = same ] &&
	h_ok "cert auth --json: der_base64 is auth.crt" || h_fail "cert auth --json: der_base64"
grep -q '"issuer":"[^"]*O=JPKI-MOCK' "$OUT" && grep -q '"not_before":"20' "$OUT" &&
	grep -q '"not_after":"20' "$OUT" && h_ok "cert auth --json: issuer and validity" ||
	h_fail "cert auth --json: issuer and validity"
run "$J" cert auth --der --out "$H_DIR/auth.der"
expect "cert auth --der --out" 0
cmp -s "$H_DIR/auth.der" "$P/auth.crt" && h_ok "cert auth --der equals auth.crt" ||
	h_fail "cert auth --der differs from auth.crt"
run "$J" cert auth --der
cmp -s "$OUT" "$P/auth.crt" && h_ok "cert auth --der to stdout" || h_fail "cert auth --der to stdout"
run "$J" cert auth
expect "cert auth: PEM by default" 0 "^-----BEGIN CERTIFICATE-----$"
openssl x509 -in "$OUT" -outform DER -out "$H_DIR/auth-pem.der" 2>>"$H_DIR/check.log" &&
	cmp -s "$H_DIR/auth-pem.der" "$P/auth.crt" && h_ok "PEM decodes to auth.crt" ||
	h_fail "PEM does not decode to auth.crt"
cp "$OUT" "$H_DIR/auth.pem"
openssl x509 -in "$H_DIR/auth.pem" -pubkey -noout > "$H_DIR/auth.pub"
run "$J" cert auth --text
expect "cert auth --text" 0 "Issuance number:  $SERIAL_HEX (decimal $SERIAL_DEC)"
run "$J" cert auth-ca --der
cmp -s "$OUT" "$P/auth-ca.crt" && h_ok "cert auth-ca" || h_fail "cert auth-ca"
run "$J" cert sign-ca --der
cmp -s "$OUT" "$P/sign-ca.crt" && h_ok "cert sign-ca" || h_fail "cert sign-ca"
run "$J" cert sign --der --pin-fd 3 3<<EOF
$PIN_SIGN
EOF
expect "cert sign with --pin-fd" 0 "" "signature password: 5 tries left"
cmp -s "$OUT" "$P/sign.crt" && h_ok "cert sign equals sign.crt" || h_fail "cert sign differs"
openssl x509 -inform DER -in "$P/sign.crt" -pubkey -noout > "$H_DIR/sign.pub"
export SECRET="$PIN_SIGN"
run "$J" cert sign --text --pin-env SECRET
unset SECRET
expect "cert sign --text with --pin-env: holder attributes" 0 "Holder name:      $NAME"
run "$J" cert sign --der < /dev/null
expect "cert sign without a terminal or --pin-fd: usage error" 2 "" "--pin-fd"
run "$J" cert bogus
expect "cert bogus: usage error" 2

# --- signatures ------------------------------------------------------------
head -c 100000 /dev/urandom > "$H_DIR/data"
for h in sha1 sha224 sha256 sha384 sha512; do
	run "$J" sign auth --in "$H_DIR/data" --hash "$h" --out "$H_DIR/sig.$h" \
		--pin-fd 3 3<<EOF
$PIN_AUTH
EOF
	if [ "$RC" -eq 0 ] && openssl dgst "-$h" -verify "$H_DIR/auth.pub" \
	    -signature "$H_DIR/sig.$h" "$H_DIR/data" >> "$H_DIR/check.log" 2>&1; then
		h_ok "sign auth --hash $h verifies with openssl"
	else
		h_fail "sign auth --hash $h (exit $RC)"
	fi
done
run "$J" sign sign --in "$H_DIR/data" --out "$H_DIR/sig.sign" --pin-fd 3 3<<EOF
$PIN_SIGN
EOF
[ "$RC" -eq 0 ] && openssl dgst -sha256 -verify "$H_DIR/sign.pub" \
	-signature "$H_DIR/sig.sign" "$H_DIR/data" >> "$H_DIR/check.log" 2>&1 &&
	h_ok "sign sign (sha256 default) verifies" || h_fail "sign sign (exit $RC)"
run "$J" sign auth --in - --out "$H_DIR/sig.stdin" --pin-fd 3 < "$H_DIR/data" 3<<EOF
$PIN_AUTH
EOF
cmp -s "$H_DIR/sig.stdin" "$H_DIR/sig.sha256" && h_ok "sign --in - (stdin), deterministic PKCS#1 v1.5" ||
	h_fail "sign --in - (exit $RC)"
run "$J" sign auth --in "$H_DIR/data" --json --pin-fd 3 3<<EOF
$PIN_AUTH
EOF
expect "sign --json" 0 '^{"key":"auth","hash":"sha256","signature":"'
run "$J" sign auth --in "$H_DIR/missing" --pin-fd 3 3<<EOF
$PIN_AUTH
EOF
expect "sign: missing input file, no PIN spent" 1
run "$J" sign auth --in "$H_DIR/data" --hash md5 --pin-fd 3 3<<EOF
$PIN_AUTH
EOF
expect "sign: unknown hash is a usage error" 2

# --- text AP ---------------------------------------------------------------
LAST4=$(echo "$MYNUMBER" | cut -c9-12)
run "$J" text mynumber --pin-fd 3 3<<EOF
$PIN_TEXT
EOF
expect "text mynumber: masked" 0 "^My Number: \*\*\*\* \*\*\*\* $LAST4$"
grep -q "$MYNUMBER" "$OUT" && h_fail "masked output leaks the number" ||
	h_ok "masked output does not contain the number"
run "$J" text mynumber --show-mynumber --pin-fd 3 3<<EOF
$PIN_TEXT
EOF
expect "text mynumber --show-mynumber" 0 \
	"^My Number: $(echo "$MYNUMBER" | cut -c1-4) $(echo "$MYNUMBER" | cut -c5-8) $LAST4$"
run "$J" text mynumber --json --pin-fd 3 3<<EOF
$PIN_TEXT
EOF
expect "text mynumber --json: masked" 0 "^{\"mynumber\":\"\*\*\*\*\*\*\*\*$LAST4\",\"masked\":true}$"
run "$J" text attrs --json --pin-fd 3 3<<EOF
$PIN_TEXT
EOF
expect "text attrs --json" 0 "\"name\":\"$NAME\""
[ "$(jq -r .address "$OUT")" = "$(conf "$P" address)" ] &&
	[ "$(jq -r .sex "$OUT")" = "$(conf "$P" sex)" ] &&
	h_ok "text attrs --json: address and sex" || h_fail "text attrs --json: address and sex"
grep -q "\"birth\":\"$(conf "$P" birth | sed 's/\(....\)\(..\)\(..\)/\1-\2-\3/')\"" "$OUT" &&
	h_ok "text attrs: birth date" || h_fail "text attrs: birth date"

# --- PIN change ------------------------------------------------------------
run "$J" pin change auth --pin-fd 3 3<<EOF
$PIN_AUTH
4321
EOF
expect "pin change auth with two lines on --pin-fd" 0
run "$J" sign auth --in "$H_DIR/data" --out "$H_DIR/sig.new" --pin-fd 3 3<<EOF
4321
EOF
expect "the new auth PIN works" 0
run "$J" sign auth --in "$H_DIR/data" --out "$H_DIR/sig.old" --pin-fd 3 3<<EOF
$PIN_AUTH
EOF
expect "the old auth PIN is wrong now: exit 5, tries left" 5 "" "wrong auth PIN: 2 tries left"
run "$J" pin change auth --pin-fd 3 3<<EOF
4321
$PIN_AUTH
EOF
expect "pin change back (resets the counter)" 0
export OLD="$PIN_SIGN" NEW=XYZ789
run "$J" pin change sign --pin-env OLD --new-pin-env NEW
unset OLD NEW
expect "pin change sign with --pin-env/--new-pin-env" 0
run "$J" cert sign --der --pin-fd 3 3<<EOF
xyz789
EOF
expect "new signature password works (lower case folded)" 0
run "$J" pin change sign --pin-fd 3 3<<EOF
XYZ789
NODIGITS
EOF
expect "pin change: new password without a digit refused, nothing sent" 2
run "$J" pin status --json
expect "pin status --json: counters intact" 0 \
	'^{"pins":{"auth":{"tries_left":3,"locked":false},"sign":{"tries_left":5,"locked":false},"text":{"tries_left":3,"locked":false}}}$'

# --- stats -----------------------------------------------------------------
run "$J" --stats cert auth --der
expect "--stats on stderr" 0 "" "^stats: [0-9]* APDUs ([0-9]* extended), [0-9]* bytes sent, [0-9]* bytes received, [0-9]* ms$"

# --- PIN from the terminal, echo off (a pty through script(1)) -------------
# The input arrives after the prompt: switching echo off flushes typeahead.
if command -v script > /dev/null 2>&1; then
	(sleep 1; printf '%s\n' "$PIN_AUTH") | timeout 20 script -qec \
		"$J sign auth --in $H_DIR/data --out $H_DIR/sig.tty" /dev/null \
		> "$H_DIR/typescript" 2>&1
	RC=$?
	[ "$RC" -eq 0 ] && openssl dgst -sha256 -verify "$H_DIR/auth.pub" \
		-signature "$H_DIR/sig.tty" "$H_DIR/data" >> "$H_DIR/check.log" 2>&1 &&
		h_ok "PIN typed on the terminal" || h_fail "PIN on the terminal (exit $RC)"
	grep -q "Enter the user-authentication PIN" "$H_DIR/typescript" &&
		! grep -qF "$PIN_AUTH" "$H_DIR/typescript" &&
		h_ok "terminal: prompt shown, PIN not echoed" ||
		h_fail "terminal: prompt or echo"
	(sleep 1; printf '%s\n' "$PIN_AUTH"; sleep 0.5; printf '5678\n'
	 sleep 0.5; printf '8765\n') | timeout 20 script -qec \
		"$J pin change auth" /dev/null > "$H_DIR/typescript" 2>&1
	RC=$?
	[ "$RC" -eq 2 ] && grep -q "differ" "$H_DIR/typescript" &&
		h_ok "terminal: new PIN confirmation mismatch changes nothing" ||
		h_fail "terminal: confirmation mismatch (exit $RC)"
else
	echo "# script(1) missing: terminal PIN entry not tested"
fi

# --- a card without a signature certificate (a minor's) --------------------
h_card_stop 0
M=$(h_profile minor --seed 13 --no-sign-cert)
h_card_start "$M"
run "$J" info
expect "info: minor's card has no signature certificate" 0 "sign absent"
run "$J" cert sign --der --pin-fd 3 3<<EOF
$(conf "$M" pin.sign)
EOF
expect "cert sign on a minor's card: clear error before any PIN" 1 "" "no signature certificate"
grep -q "tries left" "$ERR" && h_fail "asked for a PIN anyway" || h_ok "no PIN asked"

# --- contactless ATR --------------------------------------------------------
h_card_stop 0
h_card_start "$M" --contactless
run "$J" info --json
expect "info on a contactless card" 0 '"contactless":true'

# --- wrong PIN, last-try guard, lockout (a card of its own) ----------------
h_card_stop 0
L=$(h_profile lock --seed 12)
h_card_start "$L"
LPIN=$(conf "$L" pin.auth)
run "$J" sign auth --in "$H_DIR/data" --out "$H_DIR/x" --pin-fd 3 3<<EOF
0000
EOF
expect "wrong auth PIN: exit 5 and 2 tries left" 5 "" "wrong auth PIN: 2 tries left"
[ ! -e "$H_DIR/x" ] && h_ok "no output file after a failure" || h_fail "output file left behind"
run "$J" sign auth --in "$H_DIR/data" --out "$H_DIR/x" --pin-fd 3 3<<EOF
0000
EOF
expect "second wrong PIN: 1 try left" 5 "" "wrong auth PIN: 1 try left"
run "$J" sign auth --in "$H_DIR/data" --out "$H_DIR/x" --pin-fd 3 3<<EOF
$LPIN
EOF
expect "last-try guard refuses without --force-last-try" 6 "" "--force-last-try"
run "$J" pin status --json
expect "guard spent nothing" 0 '"auth":{"tries_left":1,"locked":false}'
run "$J" sign auth --in "$H_DIR/data" --out "$H_DIR/x" --force-last-try --pin-fd 3 3<<EOF
0000
EOF
expect "third wrong PIN locks: exit 6 and what to do" 6 "" "municipal office"
run "$J" sign auth --in "$H_DIR/data" --out "$H_DIR/x" --force-last-try --pin-fd 3 3<<EOF
$LPIN
EOF
expect "locked: even the right PIN is refused before asking" 6 "" "locked"
h_card_stop 0
h_card_start "$L"
run "$J" pin status --json
expect "lockout survives a cardsim restart" 0 '"auth":{"tries_left":0,"locked":true}'
run "$J" info
expect "info shows the lock" 0 "auth PIN  *LOCKED"
run "$J" cert auth --der
expect "a locked auth PIN does not hide the auth certificate" 0

# --- card pulled out mid-read ----------------------------------------------
h_card_stop 0
h_card_start "$P" --no-extended --drop-after 3
run "$J" cert auth --der
expect "card removed mid-read: exit 7, clear message, no hang" 7 "" "re-insert"
h_card_stop 0

# --- not a My Number Card --------------------------------------------------
h_card_start "$P" --sw-at 1:6A82
run "$J" cert auth
expect "SELECT JPKI refused: exit 4" 4 "" "My Number Card"
h_card_stop 0

# --- pcscd not running -----------------------------------------------------
h_pcscd_stop
run "$J" info
expect "pcscd not running: exit 3 and the hint" 3 "" "start it with: pcscd"
run "$J" readers --json
expect "readers without pcscd: exit 3" 3 "" "systemctl start pcscd.socket"

h_done
