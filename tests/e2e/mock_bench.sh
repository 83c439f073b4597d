#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# make bench-platform: :verify throughput and latency of mykey-mock on a
# database of 1,000,000 MyKey IDs, 10% of them renewed one to three times
# (bulk rows written with sqlite3, schema created by mykey-mock itself),
# plus the time of a 10-hop linkage walk.  Runs under isolated.sh.
#   MOCK_BENCH_IDS (1000000) MOCK_BENCH_THREADS (8) MOCK_BENCH_REQS (12000)
#   MOCK_BENCH_SYNC (group|full|normal, default group) MOCK_BENCH_TLS (0|1)
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
BIN=$TOP/$BUILD/bin/mykey-mock
BENCH=$TOP/$BUILD/tests/mock/mock_bench
DIR=$TOP/tests/tmp/mock_bench
PORT=18447
IDS=${MOCK_BENCH_IDS:-1000000}
THREADS=${MOCK_BENCH_THREADS:-8}
REQS=${MOCK_BENCH_REQS:-12000}
SYNC=${MOCK_BENCH_SYNC:-group}
TLS=${MOCK_BENCH_TLS:-0}
if [ "${JPKI_ISOLATED:-}" != 1 ]; then
	echo "mock_bench.sh: run under tests/lib/isolated.sh" >&2
	exit 2
fi
mkdir -p "$DIR"
DB=$DIR/bench-$IDS.db
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; wait 2>/dev/null; true' EXIT
if [ ! -f "$DB.filled" ]; then
	rm -rf "$DB" "$DB-wal" "$DB-shm" "$DB.d"
	"$BIN" clock set real --db "$DB" >/dev/null	# creates the schema
	t0=$(date +%s)
	sqlite3 "$DB" <<SQL
PRAGMA journal_mode=WAL;
PRAGMA synchronous=OFF;
BEGIN;
INSERT INTO persons VALUES('psn_bulk','負荷　一括','19800101','9','東京都','123456789018',0);
INSERT INTO cards VALUES('card_bulk','psn_bulk',0,'active',NULL);
CREATE TEMP TABLE n(i INTEGER PRIMARY KEY);
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i < $IDS)
INSERT INTO n SELECT i FROM c;
-- base32 MyKey IDs from the row number (alphabet of api §5.8)
INSERT INTO mykey_ids(mykey_id, subject_id, state, created_at, updated_at)
SELECT substr('ABCDEFGHJKLMNPQRSTUVWXYZ23456789', ((i >> 35) & 31) + 1, 1) ||
 substr('ABCDEFGHJKLMNPQRSTUVWXYZ23456789', ((i >> 30) & 31) + 1, 1) ||
 substr('ABCDEFGHJKLMNPQRSTUVWXYZ23456789', ((i >> 25) & 31) + 1, 1) ||
 substr('ABCDEFGHJKLMNPQRSTUVWXYZ23456789', ((i >> 20) & 31) + 1, 1) ||
 substr('ABCDEFGHJKLMNPQRSTUVWXYZ23456789', ((i >> 15) & 31) + 1, 1) ||
 substr('ABCDEFGHJKLMNPQRSTUVWXYZ23456789', ((i >> 10) & 31) + 1, 1) ||
 substr('ABCDEFGHJKLMNPQRSTUVWXYZ23456789', ((i >> 5) & 31) + 1, 1) ||
 substr('ABCDEFGHJKLMNPQRSTUVWXYZ23456789', (i & 31) + 1, 1),
 'bulk-' || i, 'active', 0, 0 FROM n;
-- first certificate of every ID, bound on the platform
INSERT INTO certificates SELECT printf('B%015X', i), 'auth', 'psn_bulk',
 'card_bulk', NULL, 0, 4102444800, x'00',
 CASE WHEN i % 10 = 0 THEN 'revoked' ELSE 'good' END,
 CASE WHEN i % 10 = 0 THEN 0 END, CASE WHEN i % 10 = 0 THEN 4 END FROM n;
INSERT INTO mykey_bindings(mykey_id, cert_type, issuance_number, bound_at, via)
SELECT m.mykey_id, 'auth', printf('B%015X', n.i), 0, 'create'
 FROM n JOIN mykey_ids m ON m.subject_id = 'bulk-' || n.i;
-- 10%: renewed 1-3 times at J-LIS, never seen by the platform
CREATE TEMP TABLE r(i INTEGER, h INTEGER, PRIMARY KEY(i, h));
INSERT INTO r SELECT i, 1 FROM n WHERE i % 10 = 0;
INSERT INTO r SELECT i, 2 FROM n WHERE i % 10 = 0 AND (i / 10) % 3 >= 1;
INSERT INTO r SELECT i, 3 FROM n WHERE i % 10 = 0 AND (i / 10) % 3 = 2;
INSERT INTO certificates SELECT printf('C%X%014X', h, i), 'auth', 'psn_bulk',
 'card_bulk', NULL, 0, 4102444800, x'00',
 CASE WHEN EXISTS(SELECT 1 FROM r r2 WHERE r2.i = r.i AND r2.h = r.h + 1)
  THEN 'revoked' ELSE 'good' END, NULL, NULL FROM r;
UPDATE certificates SET revoked_at = 0, revocation_reason = 4
 WHERE status = 'revoked' AND revocation_reason IS NULL;
INSERT INTO cert_linkage SELECT CASE WHEN h = 1 THEN printf('B%015X', i)
 ELSE printf('C%X%014X', h - 1, i) END, printf('C%X%014X', h, i), 'auth',
 'renewal', 0 FROM r;
COMMIT;
SQL
	touch "$DB.filled"
	echo "# filled $IDS MyKey IDs in $(( $(date +%s) - t0 )) s"
fi
echo "# database: $(sqlite3 "$DB" 'SELECT count(*) FROM mykey_ids') MyKey IDs,"\
	"$(sqlite3 "$DB" 'SELECT count(*) FROM cert_linkage') linkage rows," \
	"$(du -m "$DB" | cut -f1) MB"
if [ "$TLS" = 1 ]; then
	SCHEME=https; PLAIN=""
else
	SCHEME=http; PLAIN=--plain-http
fi
# every bench connection comes from 127.0.0.1: no per-peer limit here
"$BIN" serve --db "$DB" --port $PORT $PLAIN --synchronous "$SYNC" \
	--per-ip-connections 0 \
	--log "$DIR/server.log" >/dev/null 2>&1 &
pid=$!
until curl -sk -X POST -o /dev/null "$SCHEME://127.0.0.1:$PORT/v1/token"; do
	sleep 0.02
done
echo "# $SCHEME, synchronous=$SYNC, $THREADS connections, $(nproc) CPUs"
MOCK_ADMIN_URL=$(cat "$DB.admin-url") MOCK_ADMIN_TOKEN=$(cat "$DB.admin-token")
export MOCK_ADMIN_URL MOCK_ADMIN_TOKEN
"$BENCH" "$SCHEME://127.0.0.1:$PORT" "$THREADS" "$REQS"
