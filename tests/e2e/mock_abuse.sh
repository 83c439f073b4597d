#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# mykey-mock under abuse (issue 11 part 5): oversized and malformed
# bodies, hostile paths, 2,000 idle connections and slow clients, on
# loopback inside a private network namespace (tests/lib/isolated.sh).
# The client is tests/mock/mock_abuse.c; this script checks what it
# cannot see: the server still serves, its RSS stays bounded, and no
# stored row changed (a dump of every table before and after).
# Runtime: about 10 s.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
BIN=$TOP/$BUILD/bin/mykey-mock
CLIENT=$TOP/$BUILD/tests/mock/mock_abuse
DIR=$TOP/tests/tmp/mock_abuse
PORT=18448
HTO=3
if [ "${JPKI_ISOLATED:-}" != 1 ]; then
	echo "mock_abuse.sh: run under tests/lib/isolated.sh" >&2
	exit 2
fi
# 2,000 client sockets plus the server's side of them
ulimit -n 16384 2>/dev/null || ulimit -n 8192
rm -rf "$DIR"
mkdir -p "$DIR"
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	return 0
}
trap cleanup EXIT
fail=0
# The RSS bound.  Under ASan (make asan) every freed block stays in the
# quarantine (256 MB by default) and every block carries redzones and
# shadow: the server gets a 32 MB quarantine, and the bound grows by
# twice that (measured: about 45 MB of growth, against 1-2 MB without).
RSS_MAX_KB=65536
if ldd "$BIN" 2>/dev/null | grep -q libasan; then
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=32"
	export ASAN_OPTIONS
	RSS_MAX_KB=$((RSS_MAX_KB + 2 * 32 * 1024))
	echo "# ASan build: quarantine 32 MB, RSS bound $((RSS_MAX_KB / 1024)) MB"
fi
set -- $("$BIN" client add --db "$DIR/m.db" --kind business)
CID=$1 SECRET=$2
"$BIN" serve --db "$DIR/m.db" --port $PORT --plain-http \
	--log "$DIR/server.log" --header-timeout $HTO --idle-timeout $HTO \
	--body-timeout 5 --per-ip-connections 32 --max-connections 512 \
	--max-body 200000 >>"$DIR/server.out" 2>&1 &
pid=$!
i=0
until curl -s -o /dev/null "http://127.0.0.1:$PORT/v1/token"; do
	i=$((i + 1))
	[ $i -gt 200 ] && { echo "not ok - server did not start"; exit 1; }
	sleep 0.05
done
APORT=$(sed 's/.*:\([0-9]*\)$/\1/' "$DIR/m.db.admin-url")
mode=$(stat -c %a "$DIR/m.db.admin-token")
[ "$mode" = 600 ] && echo "ok - admin token file is mode 0600" ||
	{ echo "not ok - admin token mode $mode"; fail=1; }
# a token for the client first: that write is not abuse
curl -s -o /dev/null -H 'Content-Type: application/json' -d \
	"{\"client_id\":\"$CID\",\"client_secret\":\"$SECRET\"}" \
	"http://127.0.0.1:$PORT/v1/token"
rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$pid/status"; }
dump() { sqlite3 "$DIR/m.db" .dump | grep -v '^INSERT INTO access_tokens'; }
dump >"$DIR/before.sql"
rss0=$(rss)
"$CLIENT" $PORT "$CID" "$SECRET" "$APORT" $HTO "$DIR/m.db.admin-token" ||
	fail=1
rss1=$(rss)
echo "# server RSS: ${rss0} kB before, ${rss1} kB after"
[ $((rss1 - rss0)) -lt $RSS_MAX_KB ] &&
	echo "ok - RSS grew by $((rss1 - rss0)) kB (< $((RSS_MAX_KB / 1024)) MB)" ||
	{ echo "not ok - RSS grew by $((rss1 - rss0)) kB"; fail=1; }
dump >"$DIR/after.sql"
if cmp -s "$DIR/before.sql" "$DIR/after.sql"; then
	echo "ok - no stored row changed"
else
	echo "not ok - stored rows changed"; diff "$DIR/before.sql" "$DIR/after.sql" | head; fail=1
fi
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
	-d "{\"client_id\":\"$CID\",\"client_secret\":\"$SECRET\"}" "http://127.0.0.1:$PORT/v1/token")
[ "$code" = 200 ] && echo "ok - the server still serves afterwards" ||
	{ echo "not ok - after the abuse: $code"; fail=1; }
kill -0 "$pid" && echo "ok - the server is still running" ||
	{ echo "not ok - the server died"; fail=1; }
if grep -q "$(printf '\177')" "$DIR/server.log"; then
	echo "not ok - a control byte reached the request log"; fail=1
else
	echo "ok - the request log holds no control byte from a path"
fi
# libmicrohttpd's line per cut connection is rate limited (10 a second)
n=$(grep -c ' mhd: ' "$DIR/server.log" || true)
[ "$n" -le 200 ] && echo "ok - $n lines of libmicrohttpd errors for 2,000 cut connections" ||
	{ echo "not ok - $n libmicrohttpd error lines: not rate limited"; fail=1; }
# numbers on the command line are parsed as strictly as in requests
bad=""
for v in abc -1 5x 99999999999; do
	"$BIN" fault add --db "$DIR/m.db" --path /v1/token --status 503 \
		--count "$v" >"$DIR/f.out" 2>&1 && bad="$bad $v"
done
[ -z "$bad" ] && echo "ok - fault add --count abc/-1/5x/overflow: refused" ||
	{ echo "not ok - fault add accepted --count$bad"; fail=1; }
# a token file readable by others is refused: the token is the admin API
printf '%064d\n' 0 >"$DIR/x.db.admin-token"
chmod 644 "$DIR/x.db.admin-token"
if timeout 10 "$BIN" serve --db "$DIR/x.db" --port 18449 --plain-http \
    --ca-dir "$DIR/m.db.d/ca" >"$DIR/x.out" 2>&1; then
	echo "not ok - a world-readable admin token accepted"; fail=1
else
	grep -q 'readable by others' "$DIR/x.out" &&
		echo "ok - a world-readable admin token file is refused" ||
		{ echo "not ok - no reason given"; cat "$DIR/x.out"; fail=1; }
fi
exit $fail
