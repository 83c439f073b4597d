#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# mykey-mock API tests: start the server on a loopback port inside a
# private network namespace (tests/lib/isolated.sh), run the libcurl
# scenario client (tests/mock/mock_*.c), then check the request log and
# the audit rows for data that must never appear there.
#
# With MOCK_PG set to a PostgreSQL URI (tests/e2e/mock_api_pg.sh) the same
# suite runs on the PostgreSQL engine; the config-file checks keep their
# own small SQLite databases.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
BIN=$TOP/$BUILD/bin/mykey-mock
CLIENT=$TOP/$BUILD/tests/mock/mock_api
DIR=${MOCK_DIR:-$TOP/tests/tmp/mock_api}
PORT=18443
LPORT=18446
if [ "${JPKI_ISOLATED:-}" != 1 ]; then
	echo "mock_api.sh: run under tests/lib/isolated.sh" >&2
	exit 2
fi
rm -rf "$DIR"
mkdir -p "$DIR"
if [ -n "${MOCK_PG:-}" ]; then
	DB=$MOCK_PG
	CA=$DIR/m.d/ca
	DBARGS="--db $DB --ca-dir $CA"
	STATE=$DIR/m.d/mock	# admin URL and token: <ca-dir>/../mock.admin-*
	q() { "${PGBIN:-/usr/lib/postgresql/15/bin}/psql" -X -q -At -d "$DB" -c "$1"; }
else
	DB=$DIR/m.db
	CA=$DIR/m.db.d/ca
	DBARGS="--db $DB"
	STATE=$DB
	q() { sqlite3 "$DB" "$1"; }
fi
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	return 0
}
trap cleanup EXIT

fail=0
t0=$(date +%s%N)
"$BIN" serve $DBARGS --port $PORT --login-port $LPORT \
	--log "$DIR/server.log" >>"$DIR/server.out" 2>&1 &
pid=$!
i=0
until curl -sk -o /dev/null "https://127.0.0.1:$PORT/v1/token"; do
	i=$((i + 1))
	[ $i -gt 100 ] && { echo "not ok - server did not start"; exit 1; }
	sleep 0.02
done
t1=$(date +%s%N)
echo "# first start (creates CA, TLS cert, schema): $(( (t1 - t0) / 1000000 )) ms"

# TLS 1.2 and 1.3 both offered
for v in 1.2 1.3; do
	if curl -sk --tlsv$v --tls-max $v -o /dev/null \
	    "https://127.0.0.1:$PORT/v1/token"; then
		echo "ok - TLS $v"
	else
		echo "not ok - TLS $v"; fail=1
	fi
done
# plain HTTP is refused on a non-loopback bind
if "$BIN" serve --db "$DIR/x.db" --bind 0.0.0.0 --port 18444 --plain-http \
    2>/dev/null; then
	echo "not ok - --plain-http on 0.0.0.0 accepted"; fail=1
else
	echo "ok - --plain-http needs a loopback address"
fi

MOCK_STATE=$STATE "$CLIENT" "https://127.0.0.1:$PORT" "$DB" scenarios \
	>"$DIR/client.out" 2>&1 || fail=1
cat "$DIR/client.out"

# ---- browser login page: client certificate in the TLS 1.2 handshake
set -- $(sed -n 's/^# s2-mykey //p' "$DIR/client.out")
MYKEY=$1 SERIAL=$2 PROF=$3
openssl x509 -inform DER -in "$PROF/auth.crt" -out "$DIR/auth.pem"
login() {
	curl -sk --tlsv1.2 -o "$DIR/login.html" -w '%{http_code}' "$@" \
	    "https://127.0.0.1:$LPORT/login"
}
code=$(login --cert "$DIR/auth.pem" --key "$PROF/auth.key")
if [ "$code" = 200 ] && grep -q "<dd id=\"mykey-id\">$MYKEY<" "$DIR/login.html"
then echo "ok - /login with the card's auth certificate shows the MyKey ID"
else echo "not ok - /login ($code)"; cat "$DIR/login.html"; fail=1; fi
code=$(login)
if [ "$code" = 401 ] && grep -q NO_CLIENT_CERTIFICATE "$DIR/login.html"
then echo "ok - /login without a certificate: clear refusal"
else echo "not ok - /login without certificate ($code)"; fail=1; fi
if curl -sk --tlsv1.3 -o /dev/null "https://127.0.0.1:$LPORT/login"; then
	echo "not ok - login listener accepts TLS 1.3"; fail=1
else echo "ok - login listener is TLS 1.2 only"; fi

# ---- CLI renewal on the same database, then /login walks old -> new
"$BIN" card renew $DBARGS --serial "$SERIAL" >"$DIR/renew.json"
NPROF=$(sed 's/.*"profile_dir":"\([^"]*\)".*/\1/' "$DIR/renew.json")
openssl x509 -inform DER -in "$NPROF/auth.crt" -out "$DIR/auth2.pem"
NSER=$(openssl x509 -in "$DIR/auth2.pem" -noout -serial | sed 's/serial=0*//')
grep -q "\"auth_issuance_number\":\"$NSER\"" "$DIR/renew.json" &&
	echo "ok - card renew: profile serial = recorded issuance number" ||
	{ echo "not ok - card renew serial"; fail=1; }
code=$(login --cert "$DIR/auth2.pem" --key "$NPROF/auth.key")
if [ "$code" = 200 ] && grep -q "<dd id=\"mykey-id\">$MYKEY<" "$DIR/login.html" &&
    grep -q '<dd id="linkage-hops">1<' "$DIR/login.html"
then echo "ok - /login after a CLI renewal: same MyKey ID, one hop"
else echo "not ok - /login after renewal ($code)"; cat "$DIR/login.html"; fail=1; fi
code=$(login --cert "$DIR/auth.pem" --key "$PROF/auth.key")
if [ "$code" = 401 ] && grep -q CERT_REVOKED "$DIR/login.html"
then echo "ok - /login with the superseded card: CERT_REVOKED"
else echo "not ok - /login superseded ($code)"; fail=1; fi

# ---- CLI on the same database as the running server
MM() { "$BIN" "$@" $DBARGS; }
MM fault add --path '/v1/services/*' --status 503 --retry-after 3 >/dev/null
hdr=$(curl -sk -D - -o /dev/null "https://127.0.0.1:$PORT/v1/services/x/links/y")
echo "$hdr" | grep -q '^HTTP/1.1 503' && echo "$hdr" | grep -qi '^Retry-After: 3' &&
	echo "ok - CLI fault add: the server answers 503 with Retry-After: 3" ||
	{ echo "not ok - CLI fault"; echo "$hdr"; fail=1; }
MM clock set +120 >/dev/null
# the admin API: own listener (URL in $STATE.admin-url), Bearer token
ADM() { p=$1; shift; curl -sk -H "Authorization: Bearer $(cat "$STATE.admin-token")" "$@" "$(cat "$STATE.admin-url")$p"; }
off=$(ADM /admin/v1/clock | sed 's/.*"offset_s":\([-0-9]*\).*/\1/')
[ "$off" -ge 120 ] && [ "$off" -le 121 ] && echo "ok - CLI clock set +120" ||
	{ echo "not ok - clock offset $off"; fail=1; }
MM clock set real >/dev/null
NSIGN=$(sed 's/.*"sign_issuance_number":"\([^"]*\)".*/\1/' "$DIR/renew.json")
MM cert revoke --serial "$NSIGN" --reason cessationOfOperation >/dev/null
st=$(ADM /jlis/v1/status -X POST -H 'Content-Type: application/json' -d "{\"cert_type\":\"sign\",\"issuance_number\":\"$NSIGN\",\"consent\":{\"consent_id\":\"3f0c9a52-1b7e-4c1d-9a55-0d6f1e2b3c4d\",\"purpose\":\"jlis.validity\",\"terms_version\":\"mock-1\",\"agreed_at\":\"2026-04-01T09:00:00+09:00\"}}")
echo "$st" | grep -q '"revocation_reason":"cessationOfOperation"' &&
	echo "ok - CLI cert revoke seen by the J-LIS simulator" ||
	{ echo "not ok - CLI revoke: $st"; fail=1; }
if MM cert revoke --serial "$NSIGN" --reason superseded 2>/dev/null; then
	echo "not ok - revoking twice accepted"; fail=1
else echo "ok - a revoked certificate cannot be revoked again"; fi

# ---- config file: keys as flags, unknown keys refused
printf 'port = 18448\nplain_http = true\ndb = %s\nlog = %s\nca_dir = %s\n' \
	"$DIR/c.db" "$DIR/c.log" "$CA" >"$DIR/mock.conf"
"$BIN" serve --config "$DIR/mock.conf" >/dev/null 2>&1 &
cpid=$!
i=0
until curl -s -X POST -o /dev/null "http://127.0.0.1:18448/v1/token"; do
	i=$((i + 1)); [ $i -gt 250 ] && break; sleep 0.02
done
[ $i -le 250 ] && echo "ok - --config: port, plain_http, db, log" ||
	{ echo "not ok - --config"; fail=1; }
kill $cpid; wait $cpid 2>/dev/null || true
# rate limit (429 RATE_LIMITED + Retry-After), from the flag this time
"$BIN" serve --config "$DIR/mock.conf" --rate-limit 3 >/dev/null 2>&1 &
cpid=$!
until curl -s -X POST -o /dev/null "http://127.0.0.1:18448/v1/token"; do
	sleep 0.02
done
set -- $("$BIN" client add --db "$DIR/c.db" --kind business)
TOK=$(curl -s -X POST -H 'Content-Type: application/json' "http://127.0.0.1:18448/v1/token" \
	-d "{\"client_id\":\"$1\",\"client_secret\":\"$2\"}" |
	sed 's/.*"access_token":"\([^"]*\)".*/\1/')
# the Retry-After is read from the 429 itself: a seventh request sent
# after six slow ones (a loaded machine) may find the bucket refilled;
# up to 20 tries for the same reason
codes=""; hdr=""
for n in $(seq 1 20); do
	c=$(curl -s -D "$DIR/rl.$n" -o /dev/null -w '%{http_code}' -X POST \
	    -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' -d '{"purpose":"mykey.verify"}' \
	    "http://127.0.0.1:18448/v1/challenges")
	codes="$codes $c"
	if [ "$c" = 429 ]; then hdr=$(cat "$DIR/rl.$n"); break; fi
done
case "$codes" in
*201*429*) printf '%s\n' "$hdr" | grep -qi '^Retry-After: [1-9]' &&
	echo "ok - rate_limit 3/s: 201 then 429 RATE_LIMITED with Retry-After" ||
	{ echo "not ok - 429 without Retry-After"; fail=1; } ;;
*) echo "not ok - rate limit codes:$codes"; fail=1 ;;
esac
kill $cpid; wait $cpid 2>/dev/null || true
printf 'prot = 1\n' >"$DIR/bad.conf"
if "$BIN" serve --config "$DIR/bad.conf" 2>/dev/null; then
	echo "not ok - unknown config key accepted"; fail=1
else echo "ok - unknown config key refused"; fi
# ---- the retention thread (issue 11): an old log row goes, a new one stays
now=$(date +%s)
sqlite3 "$DIR/c.db" "INSERT INTO jlis_query_log(ts, kind, result) VALUES
	(1000, 'status', 'purge-old'), ($now, 'status', 'purge-new')"
"$BIN" serve --config "$DIR/mock.conf" --purge-interval 1 >/dev/null 2>&1 &
cpid=$!
i=0
until [ "$(sqlite3 "$DIR/c.db" "SELECT count(*) FROM jlis_query_log WHERE result = 'purge-old'")" = 0 ]; do
	i=$((i + 1)); [ $i -gt 150 ] && break; sleep 0.1
done
kept=$(sqlite3 "$DIR/c.db" "SELECT count(*) FROM jlis_query_log WHERE result = 'purge-new'")
[ $i -le 150 ] && [ "$kept" = 1 ] &&
	echo "ok - purge thread (--purge-interval 1): 90-day-old log row gone, new one kept" ||
	{ echo "not ok - purge thread: old row still there after $i polls, new rows $kept"; fail=1; }
kill $cpid; wait $cpid 2>/dev/null || true

# ---- DER CRL and OCSP (RFC 6960) for the certificate module
openssl x509 -inform DER -in "$CA/auth-ca.crt" -out "$DIR/auth-ca.pem"
curl -sk -o "$DIR/auth.crl" "https://127.0.0.1:$PORT/jlis/v1/crl/auth.crl"
if openssl crl -inform DER -in "$DIR/auth.crl" -CAfile "$DIR/auth-ca.pem" \
    -noout -text >"$DIR/crl.txt" 2>&1 && grep -q 'verify OK' "$DIR/crl.txt" &&
    grep -q "Serial Number: $SERIAL" "$DIR/crl.txt" &&
    grep -q 'Superseded' "$DIR/crl.txt"
then echo "ok - DER CRL signed by the auth CA lists the superseded cert"
else echo "not ok - CRL"; cat "$DIR/crl.txt"; fail=1; fi
ocsp() {
	openssl ocsp -issuer "$DIR/auth-ca.pem" -cert "$1" -nonce \
	    -reqout "$DIR/ocsp.req" >/dev/null 2>&1
	curl -sk -H 'Content-Type: application/ocsp-request' \
	    --data-binary @"$DIR/ocsp.req" -o "$DIR/ocsp.resp" \
	    "https://127.0.0.1:$PORT/jlis/v1/ocsp"
	openssl ocsp -respin "$DIR/ocsp.resp" -reqin "$DIR/ocsp.req" \
	    -CAfile "$DIR/auth-ca.pem" -VAfile "$DIR/auth-ca.pem" \
	    -resp_text 2>&1 || true
}
out=$(ocsp "$DIR/auth2.pem")
echo "$out" | grep -q 'Response verify OK' &&
    echo "$out" | grep -q 'Cert Status: good' &&
	echo "ok - OCSP: renewed cert good, response verifies" ||
	{ echo "not ok - OCSP good: $out"; fail=1; }
out=$(ocsp "$DIR/auth.pem")
echo "$out" | grep -q 'Cert Status: revoked' &&
    echo "$out" | grep -qi 'Reason: superseded' &&
	echo "ok - OCSP: old cert revoked (superseded)" ||
	{ echo "not ok - OCSP revoked: $out"; fail=1; }

# restart: schema already there, starts fast
kill "$pid"; wait "$pid" 2>/dev/null || true
t0=$(date +%s%N)
"$BIN" serve $DBARGS --port $PORT --log "$DIR/server2.log" \
	>>"$DIR/server.out" 2>&1 &
pid=$!
until curl -sk -o /dev/null "https://127.0.0.1:$PORT/v1/token"; do sleep 0.01; done
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
if [ $ms -lt 1000 ]; then echo "ok - restart ready in $ms ms"
else echo "not ok - restart took $ms ms"; fail=1; fi

# the log never holds certificates, names or addresses
if grep -q -e 'MII' -e '試験' -e '東京都' -e '大阪府' "$DIR/server.log"; then
	echo "not ok - request log leaks personal data"; fail=1
else
	echo "ok - request log holds no certificate, name or address"
fi
# audit rows keep sha256(serial) only
leak=$(q "SELECT count(*) FROM audit_log a JOIN \
	certificates c ON a.serial_sha256 = c.issuance_number \
	OR a.result_code = c.issuance_number")
hashed=$(q "SELECT count(*) FROM audit_log WHERE \
	length(serial_sha256) = 64")
if [ "$leak" = 0 ] && [ "$hashed" -gt 0 ]; then
	echo "ok - audit_log keeps sha256(serial) ($hashed rows)"
else
	echo "not ok - audit_log serials ($leak raw, $hashed hashed)"; fail=1
fi
if [ -n "${MOCK_PG:-}" ]; then
	ic=$(q "SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_version")
	[ "$ic" = 1,2 ] && echo "ok - schema_version 1,2 (each migration applied once)" ||
		{ echo "not ok - schema_version $ic"; fail=1; }
	ix=$(q "SELECT count(*) FROM pg_indexes WHERE indexname IN
		('card_person', 'cert_person', 'token_expiry')")
else
	ic=$(q "PRAGMA integrity_check")
	[ "$ic" = ok ] && echo "ok - integrity_check" || { echo "not ok - $ic"; fail=1; }
	ix=$(q "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND
		name IN ('card_person', 'cert_person', 'token_expiry')")
fi
[ "$ix" = 3 ] && echo "ok - migration 2: indexes on cards(person_id), certificates(person_id), access_tokens(expires_at)" ||
	{ echo "not ok - migration 2 indexes: $ix of 3"; fail=1; }
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
# sanitizer builds (make asan) report to the server's stderr
if grep -q -e 'Sanitizer' -e 'runtime error' "$DIR/server.out"; then
	echo "not ok - sanitizer report"; cat "$DIR/server.out"; fail=1
else
	echo "ok - server stopped cleanly, no sanitizer report"
fi
exit $fail
