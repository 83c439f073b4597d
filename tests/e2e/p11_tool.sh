#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# jpki-pkcs11.so through real clients: pkcs11-tool (-L, -O, --sign for each
# mechanism checked with openssl, --change-pin, --test, wrong PIN and the
# last-try guard), p11tool --list-all, and openssl s_client with the libp11
# engine doing TLS 1.2 client authentication (TLS 1.3 must fail cleanly).
# All against jpki-cardsim behind an isolated pcscd + vpcd.
#
#   tests/lib/isolated.sh sh tests/e2e/p11_tool.sh
set -u
H_TOP=${H_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$H_TOP/tests/lib/harness.sh"
h_init "p11_tool${P11_TAG:+_$P11_TAG}"

M=$H_TOP/$H_BUILD/pkcs11/jpki-pkcs11.so
D=$H_DIR
if [ -n "${P11_PRELOAD:-}" ]; then
	# ASan build: the runtime must come first in an uninstrumented client
	export LD_PRELOAD=$P11_PRELOAD
	export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0
fi
PIN=1234
SPIN=ABC123
# every client call is bounded: a hang fails a check, not all of make check
P11="timeout 60 pkcs11-tool --module $M"

h_pcscd_start || exit 1
P=$(h_profile card1 --pin-auth $PIN --pin-sign $SPIN) || exit 1
h_card_start "$P" --stats "$D/stats.json" || exit 1

# --- -L: two labelled tokens, serial = auth cert issuance number ---------
$P11 -L > "$D/L.txt" 2>&1 || true
h_check "-L lists the auth token" grep -q "JPKI User Authentication" "$D/L.txt"
h_check "-L lists the sign token" grep -q "JPKI Digital Signature" "$D/L.txt"
openssl x509 -inform DER -in "$P/auth.crt" -noout -serial |
	sed 's/^serial=//' > "$D/serial.full"
want=$(tail -c 17 "$D/serial.full" | tr -d '\n')
h_check "token serial is the auth cert's issuance number ($want)" \
	grep -q "serial num *: $want" "$D/L.txt"
h_check "PIN lengths 4/4 and 6/16" sh -c \
	"grep -q 'pin min/max *: 4/4' '$D/L.txt' && grep -q 'pin min/max *: 6/16' '$D/L.txt'"

# --- -O before and after login -----------------------------------------
$P11 --slot 0 -O > "$D/O0.txt" 2>&1 || true
h_check "-O auth token: certificate without login" \
	grep -q "User Authentication Certificate$" "$D/O0.txt"
h_expect_rc 1 "-O auth token: no private key without login" \
	grep -q "Private Key Object" "$D/O0.txt"
$P11 --slot 1 -O > "$D/O1.txt" 2>&1 || true
h_check "-O sign token: CA certificate without login" \
	grep -q "Digital Signature Certificate CA" "$D/O1.txt"
h_expect_rc 1 "-O sign token: sign certificate hidden before login" \
	grep -q "Digital Signature Certificate$" "$D/O1.txt"
$P11 --slot 1 --login --pin $SPIN -O > "$D/O1L.txt" 2>&1 || true
h_check "-O sign token after login: sign certificate" \
	grep -q "Digital Signature Certificate$" "$D/O1L.txt"
h_check "-O sign key: always authenticate" \
	grep -q "always authenticate" "$D/O1L.txt"

# --- certificates as read through the module match the profile ---------
$P11 --slot 0 --read-object --type cert --id 01 -o "$D/auth.der" >/dev/null 2>&1 || true
h_check "auth certificate read through the module" cmp "$D/auth.der" "$P/auth.crt"
$P11 --slot 1 --login --pin $SPIN --read-object --type cert --id 02 \
	-o "$D/sign.der" >/dev/null 2>&1 || true
h_check "sign certificate read after login" cmp "$D/sign.der" "$P/sign.crt"
openssl x509 -inform DER -in "$P/auth.crt" -noout -pubkey > "$D/auth.pub"
openssl x509 -inform DER -in "$P/sign.crt" -noout -pubkey > "$D/sign.pub"

# --- signatures, checked with openssl ---------------------------------
head -c 100000 /dev/urandom > "$D/big"	# > pkcs11-tool's one-shot size
echo "libjpki p11 test" > "$D/small"
for mech in SHA1 SHA256 SHA384 SHA512; do
	m=$(echo $mech | tr 'A-Z' 'a-z')
	for f in small big; do
		rm -f "$D/sig"
		$P11 --slot 0 --login --pin $PIN --sign --id 01 \
			-m $mech-RSA-PKCS -i "$D/$f" -o "$D/sig" >/dev/null 2>&1 || true
		h_check "auth key $mech-RSA-PKCS ($f) verifies" \
			openssl dgst -$m -verify "$D/auth.pub" -signature "$D/sig" "$D/$f"
	done
done
# CKM_RSA_PKCS: the caller's DigestInfo, recovered by openssl
printf '\x30\x31\x30\x0d\x06\x09\x60\x86\x48\x01\x65\x03\x04\x02\x01\x05\x00\x04\x20' > "$D/di"
openssl dgst -sha256 -binary "$D/small" >> "$D/di"
$P11 --slot 0 --login --pin $PIN --sign --id 01 -m RSA-PKCS \
	-i "$D/di" -o "$D/sig" >/dev/null 2>&1 || true
openssl pkeyutl -verifyrecover -pubin -inkey "$D/auth.pub" -in "$D/sig" \
	-out "$D/di.rec" >/dev/null 2>&1 || true
h_check "auth key RSA-PKCS over a DigestInfo verifies" cmp "$D/di" "$D/di.rec"
rm -f "$D/sig"
$P11 --slot 1 --login --pin $SPIN --sign --id 02 -m SHA256-RSA-PKCS \
	-i "$D/big" -o "$D/sig" >/dev/null 2>&1 || true
h_check "sign key SHA256-RSA-PKCS (context login) verifies" \
	openssl dgst -sha256 -verify "$D/sign.pub" -signature "$D/sig" "$D/big"
head -c 300 /dev/urandom > "$D/toolong"
h_expect_rc 1 "RSA-PKCS input over 245 bytes refused" \
	$P11 --slot 0 --login --pin $PIN --sign --id 01 -m RSA-PKCS \
	-i "$D/toolong" -o "$D/sig"
h_expect_rc 1 "mechanism without a card scheme (PSS) refused" \
	$P11 --slot 0 --login --pin $PIN --sign --id 01 -m SHA256-RSA-PKCS-PSS \
	-i "$D/small" -o "$D/sig"

# --- RSA-PSS: only with JPKI_P11_PSS=1 (the card's scheme P1 04) ---------
$P11 -M > "$D/M.txt" 2>&1 || true
h_expect_rc 1 "PSS not offered by default" grep -q "RSA-PKCS-PSS" "$D/M.txt"
set +e
JPKI_P11_PSS=1 $P11 -M > "$D/Mpss.txt" 2>&1 || true
h_check "JPKI_P11_PSS=1 offers SHA256-RSA-PKCS-PSS" \
	grep -q "SHA256-RSA-PKCS-PSS" "$D/Mpss.txt"
rm -f "$D/sig"
JPKI_P11_PSS=1 $P11 --slot 0 --login --pin $PIN --sign --id 01 \
	-m SHA256-RSA-PKCS-PSS --mgf MGF1-SHA256 --salt-len 32 \
	-i "$D/big" -o "$D/sig" >/dev/null 2>&1 || true
h_check "auth key SHA256-RSA-PKCS-PSS verifies (openssl, salt 32)" \
	openssl dgst -sha256 -sigopt rsa_padding_mode:pss \
	-sigopt rsa_pss_saltlen:32 -verify "$D/auth.pub" -signature "$D/sig" \
	"$D/big"
openssl dgst -sha256 -binary "$D/small" > "$D/small.sha256"
rm -f "$D/sig"
JPKI_P11_PSS=1 $P11 --slot 0 --login --pin $PIN --sign --id 01 \
	-m RSA-PKCS-PSS --hash-algorithm SHA256 --mgf MGF1-SHA256 \
	--salt-len 32 -i "$D/small.sha256" -o "$D/sig" >/dev/null 2>&1 || true
h_check "auth key RSA-PKCS-PSS over a SHA-256 hash verifies" \
	openssl dgst -sha256 -sigopt rsa_padding_mode:pss \
	-sigopt rsa_pss_saltlen:32 -verify "$D/auth.pub" -signature "$D/sig" \
	"$D/small"
h_expect_rc 1 "PSS with a salt the card does not use is refused" \
	env JPKI_P11_PSS=1 $P11 --slot 0 --login --pin $PIN --sign --id 01 \
	-m SHA256-RSA-PKCS-PSS --mgf MGF1-SHA256 --salt-len 20 \
	-i "$D/small" -o "$D/sig"
set +e

# --- wrong PIN, live counter, last-try guard -----------------------------
h_expect_rc 1 "wrong PIN refused" $P11 --slot 0 --login --pin 9999 -O
$P11 -T > "$D/T1.txt" 2>&1 || true
h_check "one wrong PIN: count low flag" grep -q "user PIN count low" "$D/T1.txt"
$P11 --slot 0 --login --pin 9999 -O > "$D/wrong2.txt" 2>&1 || true
$P11 -T > "$D/T2.txt" 2>&1 || true
h_check "two wrong PINs: final try flag" grep -q "final user PIN try" "$D/T2.txt"
$P11 --slot 0 --login --pin $PIN -O > "$D/guard.txt" 2>&1 || true
h_check "last try refused by the guard (CKR_FUNCTION_FAILED)" \
	grep -q "CKR_FUNCTION_FAILED" "$D/guard.txt"
h_expect_rc 1 "the guard does not call the PIN locked" \
	grep -q "CKR_PIN_LOCKED" "$D/guard.txt"
$P11 -T > "$D/T2g.txt" 2>&1 || true
h_check "after the guard: still the final try, no try spent" \
	grep -q "final user PIN try" "$D/T2g.txt"
h_check "JPKI_P11_ALLOW_LAST_TRY=1 lets the last try through" \
	env JPKI_P11_ALLOW_LAST_TRY=1 $P11 --slot 0 --login --pin $PIN -O
$P11 -T > "$D/T3.txt" 2>&1 || true
h_expect_rc 1 "successful login resets the counter" \
	grep -q "user PIN count low" "$D/T3.txt"

# --- PIN change ------------------------------------------------------------
h_check "--change-pin auth PIN" \
	$P11 --slot 0 --login --pin $PIN --change-pin --new-pin 4321
h_check "login with the new auth PIN" $P11 --slot 0 --login --pin 4321 -O
h_check "--change-pin back" \
	$P11 --slot 0 --login --pin 4321 --change-pin --new-pin $PIN
h_expect_rc 1 "new sign PIN without a digit refused" \
	$P11 --slot 1 --login --pin $SPIN --change-pin --new-pin ABCDEFG
h_check "--change-pin sign PIN" \
	$P11 --slot 1 --login --pin $SPIN --change-pin --new-pin XYZ789
h_check "--change-pin sign PIN back" \
	$P11 --slot 1 --login --pin XYZ789 --change-pin --new-pin $SPIN

# --- pkcs11-tool --test ----------------------------------------------------
rc=0
$P11 --slot 0 --login --pin $PIN --test > "$D/test0.txt" 2>&1 || rc=$?
h_check "pkcs11-tool --test (auth token): exit 0" test $rc -eq 0
h_check "pkcs11-tool --test (auth token): No errors" grep -q "^No errors" "$D/test0.txt"
rc=0
$P11 --slot 1 --login --pin $SPIN --test > "$D/test1.txt" 2>&1 || rc=$?
h_check "pkcs11-tool --test (sign token): exit 0" test $rc -eq 0
h_check "pkcs11-tool --test (sign token): No errors" grep -q "^No errors" "$D/test1.txt"

# --- p11tool (GnuTLS) ------------------------------------------------------
URI='pkcs11:token=JPKI%20User%20Authentication'
timeout 60 p11tool --provider "$M" --list-all "$URI" > "$D/p11tool.txt" 2>&1 || true
h_check "p11tool --list-all shows the auth certificate" \
	grep -q "User Authentication Certificate" "$D/p11tool.txt"
GNUTLS_PIN=$PIN timeout 60 p11tool --provider "$M" --login --list-all "$URI" \
	> "$D/p11tool-login.txt" 2>&1 || true
h_check "p11tool --login --list-all shows the private key" \
	grep -q "Type: Private key" "$D/p11tool-login.txt"

# --- p11-kit: the module config makes it visible to p11-kit users ----------
# jpki.module as `make install` writes it, in p11-kit's config directory
# (a private tmpfs: this test runs in its own mount namespace).
if [ -n "${P11_PRELOAD:-}" ]; then
	# libp11-kit's own destructor deadlocks in freelocale() when the ASan
	# runtime is preloaded into p11-kit(1); the plain run covers this.
	echo "# skip p11-kit checks under the ASan preload"
else
	CONFDIR=$(pkg-config --variable=p11_module_configs p11-kit-1 2>/dev/null ||
		echo /usr/share/p11-kit/modules)
	mkdir -p "$CONFDIR"
	mount -t tmpfs tmpfs "$CONFDIR"
	sed "s|@P11MODDIR@/jpki-pkcs11.so|$M|" "$H_TOP/pkcs11/jpki.module" \
		> "$CONFDIR/jpki.module"
	timeout 60 p11-kit list-modules > "$D/p11kit.txt" 2>&1 || true
	h_check "p11-kit list-modules shows the module and its tokens" sh -c \
		"grep -q '^jpki: ' '$D/p11kit.txt' && grep -q 'JPKI User Authentication' '$D/p11kit.txt'"
	PROXY=$(find /usr/lib -name p11-kit-proxy.so 2>/dev/null | head -n 1)
	timeout 60 pkcs11-tool --module "$PROXY" -L > "$D/proxy.txt" 2>&1 || true
	h_check "p11-kit-proxy.so exposes the JPKI tokens" \
		grep -q "JPKI Digital Signature" "$D/proxy.txt"
	umount "$CONFDIR"
fi

# --- openssl s_client + libp11 engine: TLS client authentication ----------
ENGINE=$(find /usr/lib -path '*engines-3/pkcs11.so' 2>/dev/null | head -n 1)
cat > "$D/engine.cnf" <<EOC
openssl_conf = openssl_init
[openssl_init]
engines = engine_section
[engine_section]
pkcs11 = pkcs11_section
[pkcs11_section]
engine_id = pkcs11
dynamic_path = $ENGINE
MODULE_PATH = $M
init = 0
EOC
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$D/srv.key" \
	-out "$D/srv.crt" -subj /CN=127.0.0.1 -days 2 >/dev/null 2>&1
openssl x509 -inform DER -in "$P/auth-ca.crt" -out "$D/auth-ca.pem"
openssl x509 -inform DER -in "$P/auth.crt" -out "$D/auth.pem"
KEY="pkcs11:token=JPKI%20User%20Authentication;id=%01;type=private;pin-value=$PIN"

tls_try() {	# tls_try PORT SERVER-PROTO-OPT CLIENT-OPTS
	openssl s_server -accept 127.0.0.1:$1 -cert "$D/srv.crt" \
		-key "$D/srv.key" -CAfile "$D/auth-ca.pem" -Verify 1 $2 -www \
		> "$D/s_server.$1.log" 2>&1 &
	spid=$!
	i=0
	while ! ss -ltn | grep -q "127.0.0.1:$1 " && [ $i -lt 50 ]; do
		sleep 0.1; i=$((i + 1))
	done
	printf 'GET / HTTP/1.0\r\n\r\n' | OPENSSL_CONF="$D/engine.cnf" \
		timeout 30 openssl s_client -connect 127.0.0.1:$1 \
		-CAfile "$D/srv.crt" -engine pkcs11 -keyform engine -key "$KEY" \
		-cert "$D/auth.pem" $3 -ign_eof \
		> "$D/s_client.$1.log" 2>&1
	rc=$?
	kill "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
	return $rc
}
# OpenSSL prefers RSA-PSS even in TLS 1.2: restrict to PKCS#1 v1.5.
tls_try 9443 -tls1_2 "-tls1_2 -sigalgs RSA+SHA256" || true
h_check "TLS 1.2 client auth: server saw the card's certificate" \
	grep -q "Client certificate" "$D/s_client.9443.log"
h_check "TLS 1.2 client auth: protocol TLSv1.2" \
	grep -q "Protocol *: TLSv1.2" "$D/s_client.9443.log"
# TLS 1.3 requires RSA-PSS for RSA keys (RFC 8446 §4.4.3); the module
# offers only PKCS#1 v1.5, so the handshake must fail, and fail fast.
tls_try 9444 -tls1_3 -tls1_3 || true
h_expect_rc 1 "TLS 1.3 (needs RSA-PSS) fails: no client certificate accepted" \
	grep -q "Client certificate" "$D/s_client.9444.log"
h_check "TLS 1.3 failure: the PSS mechanism was refused, not a hang" \
	grep -q "Mechanism invalid" "$D/s_client.9444.log"
# with the card's PSS scheme enabled, TLS 1.3 works
JPKI_P11_PSS=1 tls_try 9445 -tls1_3 -tls1_3 || true
h_check "TLS 1.3 with JPKI_P11_PSS=1: client certificate accepted" \
	grep -q "Client certificate" "$D/s_client.9445.log"
h_check "TLS 1.3 with JPKI_P11_PSS=1: protocol TLSv1.3" \
	grep -q "Protocol *: TLSv1.3" "$D/s_client.9445.log"

# --- a card without a signature certificate (a minor's) --------------------
h_card_stop
PM=$(h_profile minor --pin-auth $PIN --no-sign-cert) || exit 1
h_card_start "$PM" || exit 1
$P11 -L > "$D/minor.txt" 2>&1 || true
h_check "card without sign certificate: auth token listed" \
	grep -q "JPKI User Authentication" "$D/minor.txt"
h_expect_rc 1 "card without sign certificate: no signature token" \
	grep -q "JPKI Digital Signature" "$D/minor.txt"
set +e

h_card_stop
h_done
