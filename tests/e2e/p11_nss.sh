#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# NSS's own tools with jpki-pkcs11.so: an NSS database with the module
# (modutil -add), certutil -L / -K listing the card's certificates and keys
# (PIN from a password file, -f), a wrong PIN (one try, not retried), and
# NSS's TLS client tstclnt doing TLS 1.2 client authentication with the
# card against openssl s_server -Verify.  All against jpki-cardsim behind
# an isolated pcscd + vpcd.
#
#   tests/lib/isolated.sh sh tests/e2e/p11_nss.sh
set -u
H_TOP=${H_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$H_TOP/tests/lib/harness.sh"
h_init p11_nss

M=$(realpath "$H_TOP/$H_BUILD/pkcs11/jpki-pkcs11.so")
JPKI=$H_BIN/jpki
D=$H_DIR
PIN=1234
SPIN=ABC123
PORT=9543
DB=sql:$D/nssdb		# as modutil -add leaves it
DBF=sql:$D/nssdb-friendly	# with -default jpki -mechanisms FRIENDLY
AUTH="JPKI User Authentication"
SIGN="JPKI Digital Signature"

for t in certutil modutil tstclnt openssl; do
	command -v $t >/dev/null 2>&1 || { echo "p11_nss: $t missing (make deps)" >&2; exit 1; }
done

# h_expect_rc leaves `set -e` on; these scripts check every step themselves
expect_rc() { h_expect_rc "$@"; set +e; }

h_pcscd_start || exit 1
P=$(h_profile card1 --pin-auth $PIN --pin-sign $SPIN) || exit 1
h_card_start "$P" --stats "$D/stats.json" || exit 1

tries() {	# tries auth|sign: tries left, as the card reports them
	timeout 30 "$JPKI" pin status --json 2>/dev/null |
		sed -n "s/.*\"$1\":{\"tries_left\":\([0-9]*\).*/\1/p"
}
NSS="timeout 30"
exec < /dev/null	# no terminal: a PIN can only come from -f / -W

# --- the databases and the module ----------------------------------------
mkdir -p "$D/nssdb" "$D/nssdb-friendly"
for db in "$DB" "$DBF"; do
	certutil -N -d "$db" --empty-password
	# modutil asks to close browsers on stdin; -force skips the question
	$NSS modutil -force -dbdir "$db" -add jpki -libfile "$M" \
		> "$D/add.txt" 2>&1
done
h_check "modutil -add jpki" grep -q "Module \"jpki\" added" "$D/add.txt"
# FRIENDLY: the certificates are public (readable without C_Login), so NSS
# looks them up by nickname without logging in first.  Must run while the
# tokens exist.
$NSS modutil -force -dbdir "$DBF" -default jpki -mechanisms FRIENDLY \
	> "$D/friendly.txt" 2>&1
$NSS modutil -dbdir "$DB" -list jpki > "$D/list.txt" 2>&1
h_check "modutil -list: both tokens" sh -c \
	"grep -q 'Token Name: $AUTH' '$D/list.txt' && grep -q 'Token Name: $SIGN' '$D/list.txt'"
$NSS modutil -dbdir "$DBF" -list jpki > "$D/listF.txt" 2>&1
h_check "modutil -default FRIENDLY: certificates public" \
	grep -q "Default Mechanism Flags: FRIENDLY" "$D/listF.txt"

# --- certutil -L: without a PIN, the public certificates -------------------
$NSS certutil -L -d "$DB" -h all > "$D/L0.txt" 2>&1
h_check "certutil -L -h all: the auth certificate" \
	grep -q "^$AUTH:User Authentication Certificate " "$D/L0.txt"
h_check "certutil -L -h all: both CA certificates" sh -c \
	"grep -q '^$AUTH:User Authentication Certificate CA ' '$D/L0.txt' &&
	 grep -q '^$SIGN:Digital Signature Certificate CA ' '$D/L0.txt'"
expect_rc 1 "certutil -L: the signature certificate hidden before login" \
	grep -Eq "^$SIGN:Digital Signature Certificate {2}" "$D/L0.txt"
$NSS certutil -L -d "$DBF" -n "$AUTH:User Authentication Certificate" -r \
	> "$D/auth.der" 2>/dev/null
h_check "certutil -L -n -r (FRIENDLY, no PIN): the auth certificate as on the card" \
	cmp "$D/auth.der" "$P/auth.crt"

# --- with the PIN from a file ---------------------------------------------
# certutil -f gives the one password to every token that asks; the 4-digit
# auth PIN never reaches the sign token's VERIFY (length 6-16: refused by
# the module, CKR_PIN_LEN_RANGE), and NSS's file callback does not retry.
printf '%s\n' $PIN > "$D/pw.auth"
printf '%s\n' $SPIN > "$D/pw.sign"
printf '9999\n' > "$D/pw.bad"
$NSS certutil -K -d "$DB" -h "$AUTH" -f "$D/pw.auth" > "$D/K.txt" 2>&1
h_check "certutil -K -h auth token: the auth key (CKA_ID 01, its label)" \
	grep -Eq "^< 0> rsa +01 +User Authentication Key$" "$D/K.txt"
h_check "certutil -K: one key on the auth token" \
	test "$(grep -c '^<' "$D/K.txt")" -eq 1
$NSS certutil -K -d "$DB" -h all -f "$D/pw.auth" > "$D/Kall.txt" 2>&1
h_check "certutil -K -h all -f auth PIN: the auth key listed" \
	grep -Eq "rsa +01 +User Authentication Key$" "$D/Kall.txt"
h_check "... and no try of the sign PIN spent (5 left)" test "$(tries sign)" = 5
h_check "... auth PIN tries 3" test "$(tries auth)" = 3
# the signature certificate is CKA_PRIVATE: listed once NSS logs in, which
# it does for -L only without FRIENDLY
$NSS certutil -L -d "$DB" -h "$SIGN" -f "$D/pw.sign" > "$D/Ls.txt" 2>&1
h_check "certutil -L -h sign token -f sign PIN: the signature certificate" \
	grep -Eq "^$SIGN:Digital Signature Certificate {2}" "$D/Ls.txt"
$NSS certutil -K -d "$DB" -h "$SIGN" -f "$D/pw.sign" > "$D/Ks.txt" 2>&1
h_check "certutil -K -h sign token: the signature key" \
	grep -Eq "rsa +02 +Digital Signature Key$" "$D/Ks.txt"
h_check "sign PIN tries back to 5" test "$(tries sign)" = 5

# --- a wrong PIN: one try, no retry ----------------------------------------
expect_rc 255 "certutil -K with a wrong PIN fails" \
	$NSS certutil -K -d "$DB" -h "$AUTH" -f "$D/pw.bad"
h_check "wrong PIN: exactly one try spent (2 left)" test "$(tries auth)" = 2
$NSS certutil -K -d "$DB" -h "$AUTH" -f "$D/pw.auth" > /dev/null 2>&1
h_check "right PIN: tries back to 3" test "$(tries auth)" = 3

# --- tstclnt: TLS 1.2 client authentication with the card ------------------
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$D/srv.key" \
	-out "$D/srv.crt" -subj /CN=127.0.0.1 -days 2 >/dev/null 2>&1
openssl x509 -inform DER -in "$P/auth-ca.crt" -out "$D/auth-ca.pem"
# the request from a file (-A): on a closed stdin tstclnt spins
printf 'GET / HTTP/1.0\r\n\r\n' > "$D/request"
tls_try() {	# tls_try NAME DB PWFILE: TLS 1.2, s_server -Verify 1
	openssl s_server -accept 127.0.0.1:$PORT -cert "$D/srv.crt" \
		-key "$D/srv.key" -CAfile "$D/auth-ca.pem" -Verify 1 -tls1_2 \
		-www > "$D/s_server.$1.log" 2>&1 &
	spid=$!
	i=0
	while ! ss -ltn | grep -q "127.0.0.1:$PORT " && [ $i -lt 100 ]; do
		sleep 0.05; i=$((i + 1))
	done
	$NSS tstclnt -h 127.0.0.1 -p $PORT -A "$D/request" -d "$2" \
		-n "$AUTH:User Authentication Certificate" -o \
		-V tls1.2:tls1.2 -W "$3" \
		> "$D/tstclnt.$1.out" 2> "$D/tstclnt.$1.err"
	rc=$?
	kill "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
	return $rc
}
tls_try ok "$DBF" "$D/pw.auth" || true
h_check "tstclnt TLS 1.2: the server accepted the card's certificate" \
	grep -q "Client certificate" "$D/tstclnt.ok.out"
openssl x509 -inform DER -in "$P/auth.crt" -noout -subject -nameopt RFC2253 |
	sed 's/^subject=//' > "$D/auth.subject"
h_check "tstclnt TLS 1.2: protocol TLSv1.2, the card's subject" sh -c \
	"grep -q 'Protocol *: TLSv1.2' '$D/tstclnt.ok.out' &&
	 grep -qF \"CN = \$(sed 's/^CN=//; s/,.*//' '$D/auth.subject')\" '$D/s_server.ok.log'"
h_check "tstclnt TLS 1.2: PKCS#1 v1.5 (no PSS offered by default)" \
	grep -q "Peer signature type: RSA$" "$D/tstclnt.ok.out"
h_check "auth PIN tries 3 after the handshake" test "$(tries auth)" = 3

tls_try badF "$DBF" "$D/pw.bad" || true
expect_rc 1 "tstclnt, wrong PIN: no client certificate accepted" \
	grep -q "Client certificate" "$D/tstclnt.badF.out"
h_check "tstclnt, wrong PIN: one try spent (2 left)" test "$(tries auth)" = 2
$NSS certutil -K -d "$DB" -h "$AUTH" -f "$D/pw.auth" > /dev/null 2>&1
# Without FRIENDLY, NSS logs in for the certificate lookup and again for
# the key, each time with the file's PIN: the module refuses the second,
# identical wrong PIN without a VERIFY (pkcs11/p11_badpin.c)
tls_try bad "$DB" "$D/pw.bad" || true
h_check "tstclnt, wrong PIN, no FRIENDLY: NSS tried the PIN again" \
	test "$(grep -c 'Incorrect password' "$D/tstclnt.bad.err")" -ge 2
h_check "... and only one try was spent (2 left)" test "$(tries auth)" = 2
tls_try ok2 "$DB" "$D/pw.auth" || true
h_check "then the right PIN, no FRIENDLY: client certificate accepted" \
	grep -q "Client certificate" "$D/tstclnt.ok2.out"
h_check "tries back to 3" test "$(tries auth)" = 3

h_card_stop
h_done
