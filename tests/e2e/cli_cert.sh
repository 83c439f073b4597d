#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# End-to-end tests of the certificate module through the `jpki` CLI: chain
# lines of `cert --text`, `verify cert` with OCSP and CRL from a real
# mykey-mock that issued and revoked the card's certificates, `text attrs
# --verify`, `visual face --out`, `sign --cms` checked by openssl and by
# `verify --cms`.  Real pcscd + vsmartcard-vpcd + jpki-cardsim, under
# tests/lib/isolated.sh.  PINs and 照合番号 reach the CLI through --pin-env
# or --pin-fd only.
#
#   tests/lib/isolated.sh sh tests/e2e/cli_cert.sh     (make check-cli-cert)
set -u

. "${H_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/harness.sh"

h_init cli_cert
. "$H_TOP/tests/e2e/platform_lib.sh"
J=$H_BIN/jpki
OUT=$H_DIR/out
ERR=$H_DIR/err

run() {
	JSON_RUN=0
	for a in "$@"; do
		[ "$a" = --json ] && JSON_RUN=1
	done
	timeout 30 "$@" > "$OUT" 2> "$ERR"
	RC=$?
	cat "$ERR" >> "$H_DIR/check.log"
}

# expect DESC RC [grep-pattern-in-stdout [grep-pattern-in-stderr]]
expect() {
	desc=$1; want=$2; pout=${3:-}; perr=${4:-}
	if [ "$RC" -ne "$want" ]; then
		h_fail "$desc (exit $RC, want $want)"
		sed 's/^/#   /' "$OUT" "$ERR"
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

# check DESC CMD...: passes when CMD exits 0
check() {
	desc=$1; shift
	if "$@" >> "$H_DIR/check.log" 2>&1; then h_ok "$desc"; else
		h_fail "$desc"; fi
}

conf() {
	sed -n "s/^$2 *= *//p" "$1/profile.conf"
}

# is_png FILE: the 8 signature bytes of PNG (89 50 4E 47 0D 0A 1A 0A)
is_png() {
	[ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]
}

mode_of() {
	stat -c %a "$1"
}

h_pcscd_start || { h_fail "pcscd start"; h_done; exit 1; }

# --- an authentic card (gen-profile's own mock CA) --------------------------
P=$(h_profile main --name '試験　花子' --birth 19890108 --sex 2 \
	--address '東京都千代田区永田町一丁目7番1号(架空)') ||
	{ h_fail "gen-profile"; h_done; exit 1; }
export PIN_AUTH PIN_SIGN PIN_TEXT CODE_A
PIN_AUTH=$(conf "$P" pin.auth)
PIN_SIGN=$(conf "$P" pin.sign)
PIN_TEXT=$(conf "$P" pin.text)
CODE_A=$(conf "$P" mynumber)
openssl x509 -inform DER -in "$P/auth-ca.crt" -out "$H_DIR/auth-ca.pem"
openssl x509 -inform DER -in "$P/sign-ca.crt" -out "$H_DIR/sign-ca.pem"
h_card_start "$P" || { h_fail "cardsim start"; h_done; exit 1; }

# cert --text: holder attributes and the chain line
run "$J" cert sign --text --ca "$P/sign-ca.crt" --pin-env PIN_SIGN
expect "cert sign --text --ca: chain ok (JPKI-MOCK)" 0 "^chain: ok (JPKI-MOCK)$"
grep -q "^Holder name: *試験　花子$" "$OUT" &&
	grep -q "^Date of birth: *1989-01-08$" "$OUT" &&
	grep -q "^Sex: *female$" "$OUT" &&
	grep -q "^Address: *東京都千代田区永田町一丁目7番1号(架空)$" "$OUT" &&
	h_ok "cert sign --text: holder attributes" ||
	{ h_fail "cert sign --text: holder attributes"; sed 's/^/#   /' "$OUT"; }
run "$J" cert auth --text
expect "cert auth --text without --ca: chain FAILED with a reason" 0 \
	"^chain: FAILED: ..*"
grep -q "^chain: ok" "$OUT" && h_fail "card CA used as an anchor" ||
	h_ok "the card's own CA certificate is not a trust anchor"
run "$J" cert auth-ca --text --ca "$H_DIR/auth-ca.pem"
expect "cert auth-ca --text --ca (PEM): the root checks itself" 0 \
	"^chain: ok (JPKI-MOCK)$"
run "$J" cert auth --json --ca "$P/auth-ca.crt"
expect "cert auth --json --ca: verification object" 0
jq -e '.verification.ok == true and .verification.hierarchy == "JPKI-MOCK"
    and .verification.reason == "ok"' "$OUT" > /dev/null &&
	h_ok "cert --json: verification ok, JPKI-MOCK" ||
	{ h_fail "cert --json: verification"; sed 's/^/#   /' "$OUT"; }
run "$J" cert auth --json
jq -e '.verification.ok == false and (.verification.reason | length) > 0' \
	"$OUT" > /dev/null && h_ok "cert --json without --ca: ok false, reason" ||
	{ h_fail "cert --json without --ca"; sed 's/^/#   /' "$OUT"; }
run "$J" cert auth --pem --ca "$P/auth-ca.crt"
expect "cert --pem --ca: usage error" 2

# verify cert: chain only
run "$J" verify cert auth --ca "$P/auth-ca.crt"
expect "verify cert auth --ca: ok" 0 "^chain: ok (JPKI-MOCK)$"
run "$J" verify cert auth
expect "verify cert auth without --ca: exit 8" 8 "^chain: FAILED: "
"$J" cert auth --out "$H_DIR/auth.pem" 2>> "$H_DIR/check.log"
run "$J" verify cert "$H_DIR/auth.pem" --ca "$P/auth-ca.crt" --at 2000-01-01T00:00:00Z
expect "verify cert FILE --at 2000: not yet valid, exit 8" 8 "^chain: FAILED: "
run "$J" verify cert "$H_DIR/auth.pem" --ca "$P/auth-ca.crt" --at "$(date +%s)" --json
expect "verify cert FILE --at unix seconds --json" 0
jq -e '.verification.ok == true and .revocation == null' "$OUT" > /dev/null &&
	h_ok "verify --json: verification ok, no revocation asked" ||
	{ h_fail "verify --json"; sed 's/^/#   /' "$OUT"; }
# the validity bound to the second, through an RFC 3339 JST offset
NB=$("$J" cert auth --json | jq -r .not_before)
run "$J" verify cert "$H_DIR/auth.pem" --ca "$P/auth-ca.crt" --at "$NB"
expect "verify --at notBefore ($NB): valid (inclusive bound)" 0 "^chain: ok"
NB1=$(( $(date -d "$NB" +%s) - 1 ))
run "$J" verify cert "$H_DIR/auth.pem" --ca "$P/auth-ca.crt" --at "$NB1"
expect "verify --at one second before notBefore: exit 8" 8 "^chain: FAILED: "
run "$J" verify cert auth --ca "$P/auth-ca.crt" --production-only
expect "verify --production-only: the mock hierarchy fails, exit 8" 8 "^chain: FAILED: "
mkdir -p "$H_DIR/no-roots"
JPKI_ROOTS_DIR=$H_DIR/no-roots run "$J" verify cert auth --ca "$P/auth-ca.crt"
expect "no bundled roots: --ca still verifies, with a warning" 0 \
	"^chain: ok (JPKI-MOCK)$" "bundled J-LIS roots were not found"
JPKI_ROOTS_DIR=$H_DIR/no-roots run "$J" verify cert auth --production-only
expect "no bundled roots and --production-only: error, exit 1" 1
unset JPKI_ROOTS_DIR
run "$J" verify cert auth --at yesterday
expect "verify --at garbage: usage error" 2
run "$J" verify cert sign --ca "$P/sign-ca.crt" --pin-env PIN_SIGN
expect "verify cert sign (after the signature password): ok" 0 "^chain: ok (JPKI-MOCK)$"

# text AP integrity
run "$J" text attrs --verify --cv-ca "$P/cv-ca.pub" --pin-env PIN_TEXT
expect "text attrs --verify: authentic" 0 "^authentic: yes"
MASKED="**** **** $(echo "$CODE_A" | cut -c9-12)"
grep -qF "My Number:     $MASKED" "$OUT" && ! grep -qF "$CODE_A" "$OUT" &&
	h_ok "text attrs --verify: My Number masked" ||
	{ h_fail "text attrs --verify: My Number masked"; sed 's/^/#   /' "$OUT"; }
grep -q "^Name: *試験　花子$" "$OUT" && h_ok "text attrs --verify: name" ||
	h_fail "text attrs --verify: name"
run "$J" text attrs --verify --cv-ca "$P/cv-ca.pub" --show-mynumber --json --pin-env PIN_TEXT
expect "text attrs --verify --show-mynumber --json" 0
jq -e --arg mn "$CODE_A" '.verification.authentic == true and
    (.mynumber | gsub(" "; "")) == $mn and .masked == false' "$OUT" > /dev/null &&
	h_ok "text --json: authentic, My Number shown on request" ||
	{ h_fail "text --json"; sed 's/^/#   /' "$OUT"; }
run "$J" text attrs --verify --cv-ca "$P/cv-ca.pub" --json --pin-env PIN_TEXT
jq -e --arg l4 "$(echo "$CODE_A" | cut -c9-12)" \
    '.mynumber == "********" + $l4 and .masked == true' "$OUT" > /dev/null &&
	h_ok "text attrs --verify --json: My Number masked as by text mynumber" ||
	{ h_fail "text --json masked"; sed 's/^/#   /' "$OUT"; }
run "$J" text attrs --verify --pin-env PIN_TEXT
expect "text attrs --verify without --cv-ca: usage error" 2
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 2>/dev/null |
	openssl pkey -pubout > "$H_DIR/other-cv.pub"
run "$J" text attrs --verify --cv-ca "$H_DIR/other-cv.pub" --pin-env PIN_TEXT
expect "text attrs --verify with another issuer key: not authentic, exit 8" 8 \
	"^authentic: no (CV certificate"

# visual AP card face
run "$J" visual face --out "$H_DIR/face" --cv-ca "$P/cv-ca.pub" --pin-env CODE_A
expect "visual face --out (照合番号A): authentic" 0 "^authentic: yes"
ok=1
for f in name.png address.png photo.png security-code.png; do
	{ is_png "$H_DIR/face/$f" && [ "$(mode_of "$H_DIR/face/$f")" = 600 ]; } ||
		{ ok=0; echo "#   $f: $(ls -l "$H_DIR/face/$f" 2>&1)"; }
done
[ $ok = 1 ] && h_ok "visual face: four PNGs (signature bytes), mode 0600" ||
	h_fail "visual face: images"
grep -q "^Date of birth:  1989-01-08$" "$OUT" && grep -q "^Sex:            female$" "$OUT" &&
	grep -q "^Card expiry:    $(conf "$P" expiry | sed 's/\(....\)\(..\)\(..\)/\1-\2-\3/')$" "$OUT" &&
	h_ok "visual face: birth, sex, expiry" ||
	{ h_fail "visual face: birth, sex, expiry"; sed 's/^/#   /' "$OUT"; }
# 照合番号B: 和暦 YYMMDD (1989-01-08 is 平成1) + expiry year + security code
export CODE_B
CODE_B="010108$(conf "$P" expiry | cut -c1-4)$(conf "$P" security_code)"
[ ${#CODE_B} -eq 14 ] || CODE_B="010108$(conf "$P" expiry | cut -c1-4)0000"
run "$J" visual face --out "$H_DIR/face-b" --code-b --json --cv-ca "$P/cv-ca.pub" --pin-fd 3 3<<EOF
$CODE_B
EOF
expect "visual face --code-b --pin-fd --json" 0
jq -e '.verification.authentic == true and .birth == "1989-01-08" and
    .sex == "2" and (.files.photo | endswith("photo.png"))' "$OUT" > /dev/null &&
	h_ok "visual --json: authentic, fields, files" ||
	{ h_fail "visual --json"; sed 's/^/#   /' "$OUT"; }
cmp -s "$H_DIR/face/photo.png" "$H_DIR/face-b/photo.png" &&
	h_ok "照合番号A and B read the same face" || h_fail "A and B faces differ"
BAD=000000000000 run "$J" visual face --out "$H_DIR/face-bad" --pin-env BAD
expect "visual face with a wrong 照合番号A: exit 5" 5
# issue 10: a badly formatted 照合番号 is answered with its own rule (it was
# "It is exactly 4 digits."), before any VERIFY
SHORT=1234 run "$J" visual face --out "$H_DIR/face-short" --pin-env SHORT
expect "visual face with a 4-digit 照合番号A: its own rule, exit 5" 5 "" \
	"It is exactly 12 digits\."
if grep -q "4 digits" "$ERR"; then
	h_fail "照合番号A format message says 4 digits"
else
	h_ok "照合番号A format message does not say 4 digits"
fi
SHORT=55021720352A85 run "$J" visual face --code-b --out "$H_DIR/face-short" \
	--pin-env SHORT
expect "visual face with a letter in 照合番号B: its own rule, exit 5" 5 "" \
	"It is exactly 14 digits\."
run "$J" visual face --out "$H_DIR/face-c" --pin-env CODE_A
expect "visual face without --cv-ca: not checked" 0 "^authentic: not checked"
run "$J" visual face "$CODE_A" --out "$H_DIR/face-d"
expect "照合番号A as an operand is refused (never on argv)" 2

# CMS signed by the card
printf 'synthetic document for a CMS signature\n' > "$H_DIR/doc.txt"
run "$J" sign sign --in "$H_DIR/doc.txt" --cms --out "$H_DIR/doc.p7s" --pin-env PIN_SIGN
expect "sign sign --cms --out" 0
check "openssl cms -verify accepts the card's CMS (sign key)" \
	openssl cms -verify -binary -inform DER -in "$H_DIR/doc.p7s" \
	-content "$H_DIR/doc.txt" -CAfile "$H_DIR/sign-ca.pem" -purpose any \
	-out /dev/null
run "$J" verify --cms "$H_DIR/doc.p7s" --in "$H_DIR/doc.txt" --ca "$P/sign-ca.crt"
expect "verify --cms: ok" 0 "^signature: ok$"
grep -q "^chain: ok (JPKI-MOCK)$" "$OUT" && h_ok "verify --cms: chain ok" ||
	h_fail "verify --cms: chain"
printf 'synthetic document, changed\n' > "$H_DIR/doc2.txt"
run "$J" verify --cms "$H_DIR/doc.p7s" --in "$H_DIR/doc2.txt" --ca "$P/sign-ca.crt"
expect "verify --cms over changed content: exit 8" 8 "^signature: FAILED: "
run "$J" verify --cms "$H_DIR/doc.p7s" --in "$H_DIR/doc.txt"
expect "verify --cms without --ca: chain fails, exit 8" 8 "^chain: FAILED: "
run "$J" sign auth --in "$H_DIR/doc.txt" --cms --out "$H_DIR/doc-auth.p7s" --pin-env PIN_AUTH
expect "sign auth --cms" 0
check "openssl cms -verify accepts the card's CMS (auth key)" \
	openssl cms -verify -binary -inform DER -in "$H_DIR/doc-auth.p7s" \
	-content "$H_DIR/doc.txt" -CAfile "$H_DIR/auth-ca.pem" -purpose any \
	-out /dev/null
run "$J" verify --cms "$H_DIR/doc-auth.p7s" --in "$H_DIR/doc.txt" --ca "$P/auth-ca.crt" --json
expect "verify --cms --json (auth key)" 0
jq -e '.valid == true and .verification.ok == true' "$OUT" > /dev/null &&
	h_ok "verify --cms --json: valid" || { h_fail "verify --cms --json"; sed 's/^/#   /' "$OUT"; }
h_card_stop

# --- tampered cards ----------------------------------------------------------
T=$(h_profile tampered)
echo "tamper = text-name" >> "$T/profile.conf"
PIN_TEXT=$(conf "$T" pin.text)
CODE_A=$(conf "$T" mynumber)
h_card_start "$T"
run "$J" text attrs --verify --cv-ca "$T/cv-ca.pub" --pin-env PIN_TEXT
expect "tamper=text-name: text attrs --verify not authentic, exit 8" 8 \
	"^authentic: no (basic 4 info (EF 0002) does not match"
run "$J" visual face --out "$H_DIR/face-t" --cv-ca "$T/cv-ca.pub" --pin-env CODE_A
expect "tamper=text-name: the visual face is still authentic" 0 "^authentic: yes"
h_card_stop

V=$(h_profile photo)
echo "tamper = visual-photo" >> "$V/profile.conf"
PIN_TEXT=$(conf "$V" pin.text)
CODE_A=$(conf "$V" mynumber)
h_card_start "$V"
run "$J" visual face --out "$H_DIR/face-v" --cv-ca "$V/cv-ca.pub" --pin-env CODE_A
expect "tamper=visual-photo: visual face not authentic, exit 8" 8 \
	"^authentic: no (card face signature (DF28)"
is_png "$H_DIR/face-v/photo.png" && h_ok "tampered face: photo still written" ||
	h_fail "tampered face: photo"
run "$J" text attrs --verify --cv-ca "$V/cv-ca.pub" --pin-env PIN_TEXT
expect "tamper=visual-photo: the text AP is still authentic" 0 "^authentic: yes"
h_card_stop

# --- revocation: a card issued by a running mykey-mock ------------------------
if ! p_mock_start; then
	h_fail "mykey-mock start"
	h_done
	exit 1
fi
PERSON=$(p_person '試験　次郎')
M=$H_DIR/profiles/mock-card
p_card_issue "$PERSON" "$M" > "$H_DIR/issue.json" 2>> "$H_DIR/check.log" ||
	h_fail "mykey-mock card issue"
PIN_SIGN=$(conf "$M" pin.sign)
OCSP=$P_URL/jlis/v1/ocsp
CA_AUTH=$H_DIR/mock-ca/auth-ca.crt
CA_SIGN=$H_DIR/mock-ca/sign-ca.crt
h_card_start "$M"
run "$J" verify cert auth --ca "$CA_AUTH" --ocsp "$OCSP"
expect "verify cert auth --ocsp: good" 0 "^revocation: good (ocsp $OCSP)$"
run "$J" verify cert sign --ca "$CA_SIGN" --ocsp "$OCSP" --json --pin-env PIN_SIGN
expect "verify cert sign --ocsp --json: good" 0
jq -e '.revocation.status == "good" and .verification.ok == true' "$OUT" \
	> /dev/null && h_ok "verify --json: revocation good" ||
	{ h_fail "verify --json: revocation good"; sed 's/^/#   /' "$OUT"; }
run "$J" verify cert auth --ocsp "$OCSP"
expect "verify --ocsp without the issuer as anchor: unknown, exit 8" 8 \
	"^revocation: unknown"
AUTH_SERIAL=$("$J" cert auth --json | jq -r .issuance_number.hex)
p_mm cert revoke --serial "$AUTH_SERIAL" --reason keyCompromise \
	>> "$H_DIR/check.log" 2>&1 || h_fail "mykey-mock cert revoke"
run "$J" verify cert auth --ca "$CA_AUTH" --ocsp "$OCSP"
expect "after cert revoke: revoked (keyCompromise, time), exit 8" 8 \
	"^revocation: revoked (keyCompromise, 20[0-9-]*T[0-9:]*+09:00) (ocsp $OCSP)$"
# the same responder over https with a certificate from a private CA:
# refused against the system store, believed with --tls-ca
T=$H_DIR/tls
mkdir -p "$T"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/ca.key" \
	-out "$T/ca.pem" -subj "/CN=libjpki test OCSP TLS CA" -days 2 \
	-addext basicConstraints=critical,CA:TRUE \
	-addext keyUsage=critical,keyCertSign > /dev/null 2>&1
printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' \
	> "$T/srv.ext"
openssl req -newkey rsa:2048 -nodes -keyout "$T/srv.key" -out "$T/srv.csr" \
	-subj "/CN=mykey-mock" > /dev/null 2>&1
openssl x509 -req -in "$T/srv.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" \
	-CAcreateserial -days 2 -extfile "$T/srv.ext" -out "$T/srv.pem" \
	> /dev/null 2>&1
"$H_BIN/mykey-mock" serve --db "$H_DIR/mock.db" --ca-dir "$H_DIR/mock-ca" \
	--profiles-dir "$H_DIR/profiles" --bind 127.0.0.1 --port 18446 \
	--tls-cert "$T/srv.pem" --tls-key "$T/srv.key" --admin-url-file none \
	>> "$H_DIR/mock-tls.out" 2>&1 &
TLS_PID=$!
H_PIDS="$H_PIDS $TLS_PID"
i=0
while ! grep -q '^ready https' "$H_DIR/mock-tls.out" && [ $i -lt 100 ]; do
	sleep 0.05; i=$((i + 1))
done
OCSPS=https://127.0.0.1:18446/jlis/v1/ocsp
run "$J" verify cert auth --ca "$CA_AUTH" --ocsp "$OCSPS"
expect "https responder, private CA, no --tls-ca: unknown (TLS), exit 8" 8 \
	"^revocation: unknown.*TLS"
run "$J" verify cert auth --ca "$CA_AUTH" --ocsp "$OCSPS" --tls-ca "$T/ca.pem"
expect "https responder with --tls-ca: revoked (keyCompromise), exit 8" 8 \
	"^revocation: revoked (keyCompromise, .*) (ocsp $OCSPS)$"
run "$J" verify cert auth --ca "$CA_AUTH" --crl "$H_DIR/x.crl" --tls-ca "$T/ca.pem"
expect "--tls-ca without --ocsp: usage error" 2 "" "--tls-ca goes with --ocsp"
kill -TERM "$TLS_PID" 2>/dev/null; wait "$TLS_PID" 2>/dev/null
curl -s -o "$H_DIR/auth.crl" "$P_URL/jlis/v1/crl/auth.crl"
run "$J" verify cert auth --ca "$CA_AUTH" --crl "$H_DIR/auth.crl" --json
expect "verify --crl: revoked, exit 8" 8
jq -e '.revocation.status == "revoked" and .revocation.reason == "keyCompromise"
    and (.revocation.source | startswith("crl "))' "$OUT" > /dev/null &&
	h_ok "verify --crl --json: revoked, keyCompromise, from the CRL" ||
	{ h_fail "verify --crl --json"; sed 's/^/#   /' "$OUT"; }
p_mm person move --person "$PERSON" --address '大阪府大阪市北区中之島1-3-20(架空)' \
	>> "$H_DIR/check.log" 2>&1 || h_fail "mykey-mock person move"
# the running card still holds the old signature certificate
run "$J" verify cert sign --ca "$CA_SIGN" --ocsp "$OCSP" --pin-env PIN_SIGN
expect "after person move: sign cert revoked (affiliationChanged), exit 8" 8 \
	"^revocation: revoked (affiliationChanged, "
printf 'signed before the move\n' > "$H_DIR/doc3.txt"
run "$J" sign sign --in "$H_DIR/doc3.txt" --cms --out "$H_DIR/doc3.p7s" --pin-env PIN_SIGN
run "$J" verify --cms "$H_DIR/doc3.p7s" --in "$H_DIR/doc3.txt" --ca "$CA_SIGN" --ocsp "$OCSP"
expect "verify --cms --ocsp with the revoked signer: exit 8" 8 \
	"^revocation: revoked (affiliationChanged, "
h_card_stop
p_mock_stop

h_done
