#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# mykey-mock API tests: start the server on a loopback port inside a
# private network namespace (tests/lib/isolated.sh), run the libcurl
# scenario client (tests/mock/mock_api.c), then check the request log and
# the audit rows for data that must never appear there.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
BIN=$TOP/$BUILD/bin/mykey-mock
CLIENT=$TOP/$BUILD/tests/mock/mock_api
DIR=$TOP/tests/tmp/mock_api
PORT=18443
if [ "${JPKI_ISOLATED:-}" != 1 ]; then
	echo "mock_api.sh: run under tests/lib/isolated.sh" >&2
	exit 2
fi
rm -rf "$DIR"
mkdir -p "$DIR"
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	return 0
}
trap cleanup EXIT

fail=0
t0=$(date +%s%N)
"$BIN" serve --db "$DIR/m.db" --port $PORT --log "$DIR/server.log" \
	>"$DIR/server.out" 2>&1 &
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

"$CLIENT" "https://127.0.0.1:$PORT" "$DIR/m.db" scenarios || fail=1

# restart: schema already there, starts fast
kill "$pid"; wait "$pid" 2>/dev/null || true
t0=$(date +%s%N)
"$BIN" serve --db "$DIR/m.db" --port $PORT --log "$DIR/server2.log" \
	>"$DIR/server.out" 2>&1 &
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
leak=$(sqlite3 "$DIR/m.db" "SELECT count(*) FROM audit_log a JOIN \
	certificates c ON a.serial_sha256 = c.issuance_number \
	OR a.result_code = c.issuance_number")
hashed=$(sqlite3 "$DIR/m.db" "SELECT count(*) FROM audit_log WHERE \
	length(serial_sha256) = 64")
if [ "$leak" = 0 ] && [ "$hashed" -gt 0 ]; then
	echo "ok - audit_log keeps sha256(serial) ($hashed rows)"
else
	echo "not ok - audit_log serials ($leak raw, $hashed hashed)"; fail=1
fi
ic=$(sqlite3 "$DIR/m.db" "PRAGMA integrity_check")
[ "$ic" = ok ] && echo "ok - integrity_check" || { echo "not ok - $ic"; fail=1; }
exit $fail
