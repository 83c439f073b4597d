#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# Durability: SIGKILL the server in the middle of a stream of writes, then
# check after a restart that every acknowledged MyKey ID, binding, service
# link and consent record is on disk and PRAGMA integrity_check passes.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
BIN=$TOP/$BUILD/bin/mykey-mock
CLIENT=$TOP/$BUILD/tests/mock/mock_api
DIR=$TOP/tests/tmp/mock_durability
PORT=18445
if [ "${JPKI_ISOLATED:-}" != 1 ]; then
	echo "mock_durability.sh: run under tests/lib/isolated.sh" >&2
	exit 2
fi
rm -rf "$DIR"
mkdir -p "$DIR"
pid=""
wpid=""
cleanup() {
	[ -n "$wpid" ] && kill "$wpid" 2>/dev/null
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	wait 2>/dev/null
	return 0
}
trap cleanup EXIT
start() {
	"$BIN" serve --db "$DIR/m.db" --port $PORT --plain-http \
		--log "$DIR/server.log" >>"$DIR/server.out" 2>&1 &
	pid=$!
	until curl -s -o /dev/null "http://127.0.0.1:$PORT/v1/token"; do
		sleep 0.02
	done
}
fail=0
start
"$CLIENT" "http://127.0.0.1:$PORT" "$DIR/m.db" durability "$DIR/ack" \
	>"$DIR/writer.out" 2>&1 &
wpid=$!
until grep -q ready "$DIR/writer.out" 2>/dev/null; do sleep 0.1; done
sleep 2
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
pid=""
wait "$wpid" 2>/dev/null || true
wpid=""
n=$(wc -l <"$DIR/ack")
echo "# $n acknowledged writes before SIGKILL"
[ "$n" -gt 10 ] && echo "ok - stream of writes ran" || { echo "not ok - only $n writes"; fail=1; }
start
ic=$(sqlite3 "$DIR/m.db" "PRAGMA integrity_check")
[ "$ic" = ok ] && echo "ok - integrity_check after SIGKILL" || { echo "not ok - $ic"; fail=1; }
missing=0
while read -r kind a b c; do
	case $kind in
	mykey)
		q="SELECT count(*) FROM mykey_ids m JOIN mykey_bindings b \
		    USING(mykey_id) WHERE m.mykey_id='$a' AND \
		    b.issuance_number='$b' AND b.unbound_at IS NULL" ;;
	link)
		q="SELECT count(*) FROM service_links l JOIN consents c \
		    ON c.consent_id='$b' WHERE l.ppid='$a' AND \
		    l.unlinked_at IS NULL AND EXISTS(SELECT 1 FROM \
		    disclosures d WHERE d.consent_id='$b' AND \
		    d.recipient LIKE 'service:%')" ;;
	*) continue ;;
	esac
	[ "$(sqlite3 "$DIR/m.db" "$q")" -ge 1 ] || missing=$((missing + 1))
done <"$DIR/ack"
[ $missing = 0 ] && echo "ok - every acknowledged write is on disk" || { echo "not ok - $missing acknowledged writes missing"; fail=1; }
# the server still works on the recovered database
code=$(curl -s -X POST -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/v1/token")
[ "$code" = 401 ] && echo "ok - server answers after recovery" || { echo "not ok - $code"; fail=1; }
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
if grep -q -e 'Sanitizer' -e 'runtime error' "$DIR/server.out"; then
	echo "not ok - sanitizer report"; cat "$DIR/server.out"; fail=1
fi
exit $fail
