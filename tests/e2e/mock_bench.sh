#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# make bench-platform: :verify throughput and latency of mykey-mock on a
# database of 1,000,000 MyKey IDs, 10% of them renewed one to three times
# (bulk rows written with sqlite3, schema created by mykey-mock itself),
# plus the time of a 10-hop linkage walk.  Runs under isolated.sh.
# Three set-ups in one run, the same data and load on each: SQLite, one
# instance on PostgreSQL, two instances on PostgreSQL behind HAProxy
# (mode tcp; PostgreSQL 15 private to the run, tests/lib/pg.sh).
#   MOCK_BENCH_IDS (1000000) MOCK_BENCH_THREADS (8) MOCK_BENCH_REQS (12000)
#   MOCK_BENCH_SYNC (group|full|normal, default group) MOCK_BENCH_TLS (0|1)
#   MOCK_BENCH_PG (1|0: the PostgreSQL set-ups)
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
PGON=${MOCK_BENCH_PG:-1}
. "$TOP/tests/lib/pg.sh"
pid="" pid2="" hpid=""
trap 'for p in $pid $pid2 $hpid; do kill $p 2>/dev/null; done; wait 2>/dev/null; pg_done; true' EXIT
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
echo "# -- SQLite, one instance"
MOCK_ADMIN_URL=$(cat "$DB.admin-url") MOCK_ADMIN_TOKEN=$(cat "$DB.admin-token")
export MOCK_ADMIN_URL MOCK_ADMIN_TOKEN
"$BENCH" "$SCHEME://127.0.0.1:$PORT" "$THREADS" "$REQS" | tee "$DIR/r-sqlite.out"
kill $pid; wait $pid 2>/dev/null || true; pid=""
[ "$PGON" = 1 ] || exit 0

# ---- PostgreSQL: the same rows, filled once per size
PGD=$DIR/pg-$IDS
export PG_OPTS="-c shared_buffers=512MB -c max_wal_size=4GB"
pg_start "$PGD" >/dev/null || { echo "# PostgreSQL did not start"; exit 1; }
if [ ! -f "$PGDIR/filled" ]; then
	"$BIN" clock set real --db "$PG_URL" --ca-dir "$DIR/pgca" >/dev/null
	t0=$(date +%s)
	sed "s/\$IDS/$IDS/g" <<'SQL' | "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 \
	    -d "$PG_URL" >/dev/null
SET synchronous_commit = off;
BEGIN;
CREATE FUNCTION pg_temp.mk(i bigint) RETURNS text IMMUTABLE LANGUAGE sql AS $f$
 SELECT substr('ABCDEFGHJKLMNPQRSTUVWXYZ23456789', ((i >> 35) & 31)::int + 1, 1) ||
 substr('ABCDEFGHJKLMNPQRSTUVWXYZ23456789', ((i >> 30) & 31)::int + 1, 1) ||
 substr('ABCDEFGHJKLMNPQRSTUVWXYZ23456789', ((i >> 25) & 31)::int + 1, 1) ||
 substr('ABCDEFGHJKLMNPQRSTUVWXYZ23456789', ((i >> 20) & 31)::int + 1, 1) ||
 substr('ABCDEFGHJKLMNPQRSTUVWXYZ23456789', ((i >> 15) & 31)::int + 1, 1) ||
 substr('ABCDEFGHJKLMNPQRSTUVWXYZ23456789', ((i >> 10) & 31)::int + 1, 1) ||
 substr('ABCDEFGHJKLMNPQRSTUVWXYZ23456789', ((i >> 5) & 31)::int + 1, 1) ||
 substr('ABCDEFGHJKLMNPQRSTUVWXYZ23456789', ((i >> 0) & 31)::int + 1, 1) $f$;
CREATE FUNCTION pg_temp.hx(i bigint, w int) RETURNS text IMMUTABLE LANGUAGE sql AS
 $f$ SELECT lpad(upper(to_hex(i)), w, '0') $f$;
INSERT INTO persons VALUES('psn_bulk','負荷　一括','19800101','9','東京都','123456789018',0);
INSERT INTO cards(card_id, person_id, issued_at, state) VALUES('card_bulk','psn_bulk',0,'active');
INSERT INTO mykey_ids(mykey_id, subject_id, state, created_at, updated_at)
 SELECT pg_temp.mk(i), 'bulk-' || i, 'active', 0, 0 FROM generate_series(1, $IDS) i;
INSERT INTO certificates(issuance_number, cert_type, person_id, card_id, subject_cn, not_before, not_after, der, status, revoked_at, revocation_reason)
 SELECT 'B' || pg_temp.hx(i, 15), 'auth', 'psn_bulk', 'card_bulk', NULL, 0, 4102444800, '\x00'::bytea,
 CASE WHEN i % 10 = 0 THEN 'revoked' ELSE 'good' END,
 CASE WHEN i % 10 = 0 THEN 0 END, CASE WHEN i % 10 = 0 THEN 4 END FROM generate_series(1, $IDS) i;
INSERT INTO mykey_bindings(mykey_id, cert_type, issuance_number, bound_at, via)
 SELECT pg_temp.mk(i), 'auth', 'B' || pg_temp.hx(i, 15), 0, 'create' FROM generate_series(1, $IDS) i;
CREATE TEMP TABLE r(i bigint, h int, PRIMARY KEY(i, h));
INSERT INTO r SELECT i, 1 FROM generate_series(1, $IDS) i WHERE i % 10 = 0;
INSERT INTO r SELECT i, 2 FROM generate_series(1, $IDS) i WHERE i % 10 = 0 AND (i / 10) % 3 >= 1;
INSERT INTO r SELECT i, 3 FROM generate_series(1, $IDS) i WHERE i % 10 = 0 AND (i / 10) % 3 = 2;
INSERT INTO certificates(issuance_number, cert_type, person_id, card_id, subject_cn, not_before, not_after, der, status, revoked_at, revocation_reason)
 SELECT 'C' || upper(to_hex(h)) || pg_temp.hx(i, 14), 'auth', 'psn_bulk', 'card_bulk', NULL, 0, 4102444800, '\x00'::bytea,
 CASE WHEN EXISTS(SELECT 1 FROM r r2 WHERE r2.i = r.i AND r2.h = r.h + 1) THEN 'revoked' ELSE 'good' END,
 NULL, NULL FROM r;
UPDATE certificates SET revoked_at = 0, revocation_reason = 4
 WHERE status = 'revoked' AND revocation_reason IS NULL;
INSERT INTO cert_linkage SELECT CASE WHEN h = 1 THEN 'B' || pg_temp.hx(i, 15)
 ELSE 'C' || upper(to_hex(h - 1)) || pg_temp.hx(i, 14) END, 'C' || upper(to_hex(h)) || pg_temp.hx(i, 14), 'auth',
 'renewal', 0 FROM r;
COMMIT;
VACUUM ANALYZE;
SQL
	touch "$PGDIR/filled"
	echo "# PostgreSQL: filled $IDS MyKey IDs in $(( $(date +%s) - t0 )) s"
fi
echo "# PostgreSQL database: $(pg_sql 'SELECT count(*) FROM mykey_ids') MyKey IDs," \
	"$(pg_sql 'SELECT count(*) FROM cert_linkage') linkage rows," \
	"$(pg_sql "SELECT pg_database_size('mock') / 1048576") MB"
pgserve() {
	"$BIN" serve --db "$PG_URL" --ca-dir "$DIR/pgca" --port "$1" $PLAIN --per-ip-connections 0 \
		--log "$DIR/server-$1.log" >/dev/null 2>&1 &
	until curl -sk -X POST -o /dev/null "$SCHEME://127.0.0.1:$1/v1/token"; do
		sleep 0.02
	done
}
pgserve $PORT; pid=$!
# the instances' admin API: <ca-dir>/../mock.admin-{url,token}
MOCK_ADMIN_URL=$(cat "$DIR/mock.admin-url") MOCK_ADMIN_TOKEN=$(cat "$DIR/mock.admin-token")
# CPU ticks (1/100 s) of PostgreSQL's processes and of the given pids
ticks() {
	for p in "$@"; do cat "/proc/$p/stat" 2>/dev/null; done |
	    sed 's/^.*) //' | awk '{ s += $12 + $13 } END { print s + 0 }'
}
pm=$(head -1 "$PGDIR/data/postmaster.pid")
snap() {
	set -- $(pg_sql "SELECT pg_current_wal_lsn() - '0/0', xact_commit
	    FROM pg_stat_database WHERE datname = 'mock'" | tr '|' ' ')
	echo "$1 $2 $(ticks $(pgrep -P "$pm") "$pm") $(ticks $pid $pid2)"
}
# what one API request costs PostgreSQL (whole client run: setup, one
# challenge and one :verify per timed request)
cost() {
	set -- $1 $2
	awk -v a="$1 $2 $3 $4" -v b="$5 $6 $7 $8" -v n=$((2 * REQS)) 'BEGIN {
	    split(a, x, " "); split(b, y, " ");
	    printf "# per API request (%d): %.0f bytes WAL, %.2f commits, %.2f ms CPU in PostgreSQL, %.2f ms in mykey-mock\n",
	    n, (y[1] - x[1]) / n, (y[2] - x[2]) / n, (y[3] - x[3]) * 10 / n, (y[4] - x[4]) * 10 / n }'
}
echo "# -- PostgreSQL, one instance"
s0=$(snap)
"$BENCH" "$SCHEME://127.0.0.1:$PORT" "$THREADS" "$REQS" | tee "$DIR/r-pg1.out"
cost "$s0" "$(snap)" | tee -a "$DIR/r-pg1.out"
pgserve 18448; pid2=$!
cat >"$DIR/haproxy.cfg" <<CFG
defaults
	mode tcp
	timeout connect 1s
	timeout client 60s
	timeout server 60s
frontend mykey
	bind 127.0.0.1:18449
	default_backend instances
backend instances
	balance roundrobin
	server m1 127.0.0.1:$PORT
	server m2 127.0.0.1:18448
CFG
haproxy -db -f "$DIR/haproxy.cfg" >"$DIR/haproxy.out" 2>&1 &
hpid=$!
until curl -sk -X POST -o /dev/null "$SCHEME://127.0.0.1:18449/v1/token"; do
	sleep 0.02
done
echo "# -- PostgreSQL, two instances behind HAProxy (mode tcp)"
s0=$(snap)
"$BENCH" "$SCHEME://127.0.0.1:18449" "$THREADS" "$REQS" | tee "$DIR/r-pg2.out"
cost "$s0" "$(snap)" | tee -a "$DIR/r-pg2.out"
# the table of docs/mykey-mock.md
row() {
	sed -n 's/^10-hop linkage walk: \([0-9.]*\) ms.*/\1/p' "$2" | head -1 >"$DIR/w"
	sed -n 's/.* \([0-9]*\) req\/s, p50 \([0-9.]*\) ms, p99 \([0-9.]*\) ms/\1 \2 \3/p' "$2" |
	    { read -r rps p50 p99; echo "| $1 | $rps | $p50 | $p99 | $(cat "$DIR/w") |"; }
}
echo "# $IDS MyKey IDs, $REQS :verify over $THREADS connections, $SCHEME"
echo "| set-up | req/s | p50 ms | p99 ms | 10-hop walk ms |"
echo "| --- | --- | --- | --- | --- |"
row "SQLite, 1 instance" "$DIR/r-sqlite.out"
row "PostgreSQL, 1 instance" "$DIR/r-pg1.out"
row "PostgreSQL, 2 instances + HAProxy" "$DIR/r-pg2.out"
