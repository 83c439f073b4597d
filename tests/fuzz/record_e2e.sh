#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# Record seed corpora from real traffic: a real mykey-mock (plain http on
# loopback in a private namespace), a synthetic card it issued in
# jpki-cardsim behind a real pcscd, and the jpki CLI.
#   platform_json/  the mock's answers (selector, u16 HTTP status, the
#                   header block and the body as u16-length chunks)
#   cms_verify/     `jpki sign sign --cms` output with its CA and data
#   revocation/     the J-LIS simulator's OCSP answers and CRLs with the
#                   certificate and issuer they are about
#   queue/          a queued push as jpki_queue_add stores it, then the
#                   mock's answers to the token request and the push
# Dev tool, run by `make fuzz-seeds` under tests/lib/isolated.sh; not part
# of any test.
set -u

. "$(dirname "$0")/../lib/harness.sh"
h_init record_e2e
. "$H_TOP/tests/e2e/platform_lib.sh"

CORPUS=$H_TOP/tests/fuzz/corpus
OUT=$CORPUS/platform_json
mkdir -p "$OUT" "$CORPUS/cms_verify" "$CORPUS/revocation" "$CORPUS/queue"

byte() { printf "\\$(printf %03o "$1")"; }
u16() { byte $(($1 >> 8)); byte $(($1 & 255)); }
# seed NAME SELECTOR STATUS HEADERS BODY
seed() {
	{
		byte "$2"; u16 "$3"
		u16 "$(wc -c < "$4")"; cat "$4"
		u16 "$(wc -c < "$5")"; cat "$5"
	} > "$OUT/$1"
	echo "platform_json/$1: $(wc -c < "$OUT/$1") bytes"
}
# chunked FILE [PREFIX-BYTE] FILE...: u16-length chunks of each file
chunked() {
	out=$1; shift
	{
		if [ "$1" = -b ]; then byte "$2"; shift 2; fi
		for f in "$@"; do u16 "$(wc -c < "$f")"; cat "$f"; done
	} > "$out"
	echo "${out#"$CORPUS"/}: $(wc -c < "$out") bytes"
}
der() { openssl x509 -in "$1" -outform DER -out "$2"; }
# call NAME SELECTOR CURL-ARGS...: one real exchange with the mock
call() {
	name=$1 sel=$2; shift 2
	st=$(curl -s -D "$H_DIR/h" -o "$H_DIR/b" -w '%{http_code}' "$@")
	# the status line and headers as curl hands them to the client
	seed "$name" "$sel" "$st" "$H_DIR/h" "$H_DIR/b"
}
JSON='Content-Type: application/json'

h_pcscd_start || exit 1
p_mock_start || exit 1
p_client || exit 1
PERSON=$(p_person "Shiken Taro")
p_card_issue "$PERSON" "$H_DIR/card1" > /dev/null
h_card_start "$H_DIR/card1"
p_pins "$H_DIR/card1"
p_consent "$H_DIR/consent.json"
C="--consent-file $H_DIR/consent.json"

call token-200 2 -H "$JSON" -d "{\"client_id\":\"$P_ID\",\"client_secret\":\"$JPKI_PLATFORM_CLIENT_SECRET\"}" "$P_URL/v1/token"
TOKEN=$(p_json access_token < "$H_DIR/b")
call token-401 0 -H "$JSON" -d "{\"client_id\":\"$P_ID\",\"client_secret\":\"wrong\"}" "$P_URL/v1/token"
AUTH="Authorization: Bearer $TOKEN"
call challenge-201 3 -H "$AUTH" -H "$JSON" -d '{"purpose":"mykey.create"}' "$P_URL/v1/challenges"
call challenge-400 0 -H "$AUTH" -H "$JSON" -d '{"purpose":' "$P_URL/v1/challenges"
call mykey-404 0 -H "$AUTH" "$P_URL/v1/mykey-ids/ZZZZZZZZ"
call services-201 1 -H "$AUTH" -H "$JSON" -d '{"name":"Test City Library","kind":"library"}' "$P_URL/v1/services"
p_mm fault add --path '/v1/challenges' --status 503 --retry-after 2 --count 1 > /dev/null
call challenge-503 0 -H "$AUTH" -H "$JSON" -d '{"purpose":"mykey.create"}' "$P_URL/v1/challenges"

# the bodies the library itself received (res->json, printed raw)
M=$(p_plat register $C --json | p_json mykey_id)
: > "$H_DIR/none"
p_plat status --mykey-id "$M" --json > "$H_DIR/b" && seed status-200 1 200 "$H_DIR/none" "$H_DIR/b"
p_plat status --mykey-id "$M" --check $C --json > "$H_DIR/b" && seed check-200 1 200 "$H_DIR/none" "$H_DIR/b"
p_plat history --mykey-id "$M" > "$H_DIR/b" && seed history-200 1 200 "$H_DIR/none" "$H_DIR/b"
call delete-400 0 -H "$AUTH" -X DELETE "$P_URL/v1/mykey-ids/$M"
seed consent-file 4 0 "$H_DIR/none" "$H_DIR/consent.json"

# queue: one stored row, then the answers to POST /v1/token and the push
K=$H_DIR/card1
AI=$(openssl x509 -in "$K/auth.crt" -noout -serial | sed 's/^serial=//')
SI=$(openssl x509 -in "$K/sign.crt" -noout -serial | sed 's/^serial=//')
CID=$(sed -n 's/.*"consent_id":"\([^"]*\)".*/\1/p' "$H_DIR/consent.json")
AT=$(sed -n 's/.*"agreed_at":"\([^"]*\)".*/\1/p' "$H_DIR/consent.json")
KEY=$(cat /proc/sys/kernel/random/uuid)
text() { byte 0; u16 "$(printf %s "$1" | wc -c)"; printf %s "$1"; }
row() {
	byte 1; byte 0
	text "$M"; text "$AI"; text "$SI"; text "$CID"
	text "jlis.validity jlis.linkage"; text mock-1; text "$AT"; text "$KEY"
	text "$AT"
}
answer() { u16 "$1"; u16 "$(wc -c < "$2")"; cat "$2"; u16 "$(wc -c < "$3")"; cat "$3"; }
curl -s -D "$H_DIR/th" -o "$H_DIR/tb" -H "$JSON" -d "{\"client_id\":\"$P_ID\",\"client_secret\":\"$JPKI_PLATFORM_CLIENT_SECRET\"}" "$P_URL/v1/token"
TOKEN=$(p_json access_token < "$H_DIR/tb")
push() {
	st=$(curl -s -D "$H_DIR/ph" -o "$H_DIR/pb" -w '%{http_code}' \
		-H "Authorization: Bearer $TOKEN" -H "$JSON" \
		-H "Idempotency-Key: $(cat /proc/sys/kernel/random/uuid)" \
		-d "{\"auth\":{\"issuance_number\":\"$AI\"},\"sign\":{\"issuance_number\":\"$SI\"},\"consent\":$(cat "$H_DIR/consent.json")}" \
		"$P_URL/v1/mykey-ids/$1/issuance-numbers:push")
	{ row; answer 200 "$H_DIR/th" "$H_DIR/tb"; answer "$st" "$H_DIR/ph" "$H_DIR/pb"; } > "$CORPUS/queue/$2"
	echo "queue/$2: HTTP $st, $(wc -c < "$CORPUS/queue/$2") bytes"
}
push "$M" push-ok
push ZZZZZZZZ push-unknown-id
p_mm fault add --path "/v1/mykey-ids/*" --status 503 --retry-after 1 --count 1 > /dev/null
push "$M" push-503
{ row; } > "$CORPUS/queue/network-down"

# CMS: the CLI signs with the card's sign key; anchor = the mock's sign CA
K=$H_DIR/card1
der "$H_DIR/mock-ca/sign-ca.crt" "$H_DIR/sign-ca.der"
der "$H_DIR/mock-ca/auth-ca.crt" "$H_DIR/auth-ca.der"
der "$K/auth.crt" "$H_DIR/auth.der"
der "$K/sign.crt" "$H_DIR/sign.der"
printf 'a synthetic document\n' > "$H_DIR/doc.txt"
"$H_BIN/jpki" sign sign --in "$H_DIR/doc.txt" --cms --out "$H_DIR/doc.p7s" \
	--pin-env JPKI_TEST_SIGN_PIN
chunked "$CORPUS/cms_verify/sign-cms" "$H_DIR/sign-ca.der" "$H_DIR/doc.txt" \
	"$H_DIR/doc.p7s"
printf 'another text\n' > "$H_DIR/other.txt"
chunked "$CORPUS/cms_verify/wrong-data" "$H_DIR/sign-ca.der" \
	"$H_DIR/other.txt" "$H_DIR/doc.p7s"
chunked "$CORPUS/cms_verify/wrong-anchor" "$H_DIR/auth-ca.der" \
	"$H_DIR/doc.txt" "$H_DIR/doc.p7s"

# OCSP without a nonce (the harness's request has one; a response without
# passes OpenSSL's check), then a CRL, before and after a revocation
ocsp() {
	openssl ocsp -issuer "$H_DIR/mock-ca/auth-ca.crt" -cert "$K/auth.crt" \
		-no_nonce -reqout "$H_DIR/req.der" > /dev/null 2>&1
	curl -s -H 'Content-Type: application/ocsp-request' \
		--data-binary "@$H_DIR/req.der" -o "$H_DIR/resp.der" \
		"$P_URL/jlis/v1/ocsp"
	chunked "$CORPUS/revocation/ocsp-$1" -b 0 "$H_DIR/auth.der" \
		"$H_DIR/auth-ca.der" "$H_DIR/resp.der"
}
crl() {
	curl -s -o "$H_DIR/auth.crl" "$P_URL/jlis/v1/crl/auth.crl"
	chunked "$CORPUS/revocation/crl-$1" -b 1 "$H_DIR/auth.der" \
		"$H_DIR/auth-ca.der" "$H_DIR/auth.crl"
	openssl crl -inform DER -in "$H_DIR/auth.crl" -outform PEM \
		-out "$H_DIR/auth-crl.pem"
	chunked "$CORPUS/revocation/crlfile-pem-$1" -b 2 "$H_DIR/auth.der" \
		"$H_DIR/auth-ca.der" "$H_DIR/auth-crl.pem"
}
ocsp good
crl good
SERIAL=$(openssl x509 -in "$K/auth.crt" -noout -serial | sed 's/^serial=//')
p_mm cert revoke --serial "$SERIAL" --reason keyCompromise > /dev/null
ocsp revoked
crl revoked
h_done
