# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# A private PostgreSQL 15 for a test, sourced by tests/e2e/mock_*pg*.sh and
# mock_cluster.sh (run under tests/lib/isolated.sh, as root).  The cluster
# lives in $PGDIR, owned by the postgres user, and listens only on a unix
# socket in $PGDIR/sock (no TCP port: nothing else on the machine can
# reach it).  Local connections are trusted: the socket directory is the
# boundary.  Sets PG_URL (database "mock").
#
#   pg_start DIR   initdb (first time) and start; waits until ready
#   pg_stop        fast shutdown (committed transactions are durable)
#   pg_done        pg_stop, then remove the cluster if it went to /tmp
# The cluster lives in DIR unless the postgres user cannot reach it or the
# path is too long for a socket: then in a /tmp directory (PGDIR).
#   pg_restart     stop then start the same cluster
#   pg_sql SQL     one query, unaligned output
# PG_OPTS: more server settings ("-c shared_buffers=512MB" for the bench).
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PGDIR=""
PG_URL=""

pg_as() {
	runuser -u postgres -- "$@"
}

pg_up() {
	pg_as "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w \
	    -t 60 -o "-c listen_addresses='' -c unix_socket_directories=$PGDIR/sock -c max_connections=200 -c fsync=on ${PG_OPTS:-}" \
	    start >/dev/null
}

pg_start() {
	PGDIR=$1
	PG_TMP=""
	mkdir -p "$PGDIR/sock"
	chown -R postgres:postgres "$PGDIR"
	# the postgres user must reach it (a checkout under /root cannot),
	# and a unix socket path has at most 107 bytes
	if ! pg_as test -w "$PGDIR/sock" || [ ${#PGDIR} -gt 70 ]; then
		rm -rf "$PGDIR"
		PGDIR=$(mktemp -d /tmp/jpki-pg.XXXXXX)
		PG_TMP=$PGDIR
		mkdir -p "$PGDIR/sock"
		chown -R postgres:postgres "$PGDIR"
	fi
	chmod 0700 "$PGDIR/sock"
	if [ ! -f "$PGDIR/data/PG_VERSION" ]; then
		pg_as "$PGBIN/initdb" -D "$PGDIR/data" -U postgres \
		    --auth=trust -E UTF8 --locale=C.UTF-8 >"$PGDIR/initdb.log" 2>&1 ||
		    { cat "$PGDIR/initdb.log" >&2; return 1; }
	fi
	pg_up || { cat "$PGDIR/server.log" >&2; return 1; }
	PG_URL="postgresql:///mock?host=$PGDIR/sock&user=postgres"
	pg_as "$PGBIN/psql" -X -q -h "$PGDIR/sock" -U postgres -d postgres \
	    -c "CREATE DATABASE mock" 2>/dev/null || true
}

pg_stop() {
	[ -n "$PGDIR" ] && [ -f "$PGDIR/data/postmaster.pid" ] &&
	    pg_as "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast -w stop >/dev/null
	return 0
}

# pg_stop, and remove a cluster that had to live in /tmp
pg_done() {
	pg_stop
	[ -n "${PG_TMP:-}" ] && rm -rf "$PG_TMP"
	return 0
}

pg_restart() {
	pg_stop
	pg_up
}

pg_sql() {
	"$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -d "$PG_URL" -c "$1"
}
