#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# check-mock-cluster: three mykey-mock instances on one PostgreSQL behind
# HAProxy, all started by this script inside its namespace.
#
# HAProxy runs in mode tcp (TLS passthrough): the instances terminate TLS
# with the one certificate they share (CA and TLS files by configuration),
# so a client sees the same server wherever it lands, the /login
# listener's client-certificate handshake would reach the instance
# untouched, and the balancer holds no key.  Each new connection goes to
# the next instance (roundrobin); the test client opens one connection
# per request, so its requests spread over the instances.
#
# Checks: races between instances on one challenge and on one
# Idempotency-Key, a shared counter (tests/mock/mock_cluster.c);
# a stream of writes while one instance is SIGKILLed (no acknowledged
# write lost, the others keep serving); a stream while PostgreSQL
# restarts (503 + Retry-After meanwhile, never a 500 or another answer,
# then writes again).
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
BIN=$TOP/$BUILD/bin/mykey-mock
CLIENT=$TOP/$BUILD/tests/mock/mock_api
DIR=$TOP/tests/tmp/mock_cluster
LB=18470
if [ "${JPKI_ISOLATED:-}" != 1 ]; then
	echo "mock_cluster.sh: run under tests/lib/isolated.sh" >&2
	exit 2
fi
. "$TOP/tests/lib/pg.sh"
rm -rf "$DIR"
mkdir -p "$DIR"
p1="" p2="" p3="" hpid="" spid=""
cleanup() {
	for p in $spid $p1 $p2 $p3 $hpid; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	pg_done
}
trap cleanup EXIT
fail=0
t0=$(date +%s)
pg_start "$DIR/pg" || { echo "not ok - PostgreSQL did not start"; exit 1; }
echo "ok - PostgreSQL 15 on a private socket"

# instance N listens on 1847N; all share the database, CA and TLS files
start() {
	"$BIN" serve --db "$PG_URL" --ca-dir "$DIR/ca" --port "1847$1" \
		--log "$DIR/inst$1.log" >>"$DIR/inst$1.out" 2>&1 &
	eval "p$1=\$!"
	i=0
	until curl -sk -o /dev/null "https://127.0.0.1:1847$1/v1/token"; do
		i=$((i + 1)); [ $i -gt 500 ] && return 1; sleep 0.02
	done
}
# the first creates the CA and the TLS certificate, the others read them
start 1 && start 2 && start 3 &&
	echo "ok - three instances on one database" ||
	{ echo "not ok - instances did not start"; exit 1; }
cat >"$DIR/haproxy.cfg" <<CFG
global
	maxconn 512
defaults
	mode tcp
	timeout connect 1s
	timeout client 30s
	timeout server 30s
	retries 3
	option redispatch
frontend mykey
	bind 127.0.0.1:$LB
	default_backend instances
backend instances
	balance roundrobin
	server m1 127.0.0.1:18471 check inter 200 fall 1 rise 2
	server m2 127.0.0.1:18472 check inter 200 fall 1 rise 2
	server m3 127.0.0.1:18473 check inter 200 fall 1 rise 2
CFG
haproxy -db -f "$DIR/haproxy.cfg" >"$DIR/haproxy.out" 2>&1 &
hpid=$!
i=0
until curl -sk -o /dev/null "https://127.0.0.1:$LB/v1/token"; do
	i=$((i + 1)); [ $i -gt 250 ] && break; sleep 0.02
done
[ $i -le 250 ] && echo "ok - HAProxy (mode tcp, TLS passthrough) in front" ||
	{ echo "not ok - HAProxy did not start"; cat "$DIR/haproxy.out"; exit 1; }
# same certificate whichever instance answers
fp() {
	openssl s_client -connect "127.0.0.1:$1" </dev/null 2>/dev/null |
	    openssl x509 -noout -fingerprint -sha256
}
[ "$(fp 18471)" = "$(fp 18473)" ] && [ "$(fp $LB)" = "$(fp 18472)" ] &&
	echo "ok - one TLS certificate on every instance and through HAProxy" ||
	{ echo "not ok - TLS certificates differ"; fail=1; }

# ---- races between instances
MOCK_STATE=$DIR/mock "$CLIENT" "https://127.0.0.1:$LB" "$PG_URL" cluster https://127.0.0.1:18471 \
	https://127.0.0.1:18472 https://127.0.0.1:18473 >"$DIR/races.out" 2>&1 ||
	fail=1
grep -e '^ok' -e '^not ok' -e '^#' "$DIR/races.out" || true
grep -q '^ok' "$DIR/races.out" || { echo "not ok - race client"; cat "$DIR/races.out"; fail=1; }

# acknowledged writes of a stream, all in the database?
acked_present() {
	vals=$(awk '$1 == "link" { printf "%s(\x27%s\x27,\x27%s\x27)", s, $2, $3; s = "," }' "$1")
	[ -n "$vals" ] || { echo 0; return; }
	pg_sql "SELECT count(*) FROM (VALUES $vals) a(ppid, cid) WHERE
	    EXISTS(SELECT 1 FROM service_links l WHERE l.ppid = a.ppid AND
	    l.unlinked_at IS NULL) AND
	    EXISTS(SELECT 1 FROM consents c WHERE c.consent_id = a.cid) AND
	    EXISTS(SELECT 1 FROM disclosures d WHERE d.consent_id = a.cid)"
}
# stream ACK SECONDS: in the background, waits until it is writing
stream() {
	MOCK_STATE=$DIR/mock "$CLIENT" "https://127.0.0.1:$LB" "$PG_URL" stream "$1" "$2" \
		>"$1.out" 2>&1 &
	spid=$!
	i=0
	until grep -q ready "$1.out" 2>/dev/null; do
		i=$((i + 1)); [ $i -gt 300 ] && break; sleep 0.05
	done
	sleep 1
}
# answers of one stream's requests in every instance log, other than
# 200, 201 and 503
odd_answers() {
	cat "$DIR"/inst*.log | awk -v p="$1" 'index($2, p) == 1 &&
	    $5 != 200 && $5 != 201 && $5 != 503' | wc -l
}

# ---- SIGKILL one instance mid-stream
stream "$DIR/ack1" 6
n0=$(wc -l <"$DIR/ack1")
kill -KILL "$p2"; wait "$p2" 2>/dev/null || true; p2=""
wait "$spid" || true; spid=""
set -- $(sed -n 's/^stream //p' "$DIR/ack1.out")
acked=${1:-0} terr=${2:-0} other=${5:-1}
n1=$(wc -l <"$DIR/ack1")
echo "# kill: $acked acknowledged ($n0 before the SIGKILL), $terr transport errors, $other other answers"
[ "$acked" -gt 0 ] && [ "$other" = 0 ] && [ "$n1" -gt $((n0 + 5)) ] &&
	echo "ok - instance 2 SIGKILLed mid-stream: the others keep serving" ||
	{ echo "not ok - stream after SIGKILL"; cat "$DIR/ack1.out"; fail=1; }
got=$(acked_present "$DIR/ack1")
[ "$got" = "$n1" ] && echo "ok - all $n1 acknowledged writes are in PostgreSQL" ||
	{ echo "not ok - $got of $n1 acknowledged writes found"; fail=1; }
for k in 1 3; do
	c=$(grep -c ' stream-' "$DIR/inst$k.log" || true)
	[ "$c" -gt 0 ] && echo "ok - instance $k served $c requests of the stream" ||
		{ echo "not ok - instance $k served none"; fail=1; }
done
start 2 && echo "ok - instance 2 back" || { echo "not ok - restart 2"; fail=1; }

# ---- PostgreSQL restarted under load
stream "$DIR/ack2" 9
n0=$(wc -l <"$DIR/ack2")
pg_stop
sleep 2
d0=$(wc -l <"$DIR/ack2")
pg_up || { echo "not ok - PostgreSQL restart"; fail=1; }
wait "$spid" || true; spid=""
set -- $(sed -n 's/^stream //p' "$DIR/ack2.out")
acked=${1:-0} terr=${2:-0} s503=${3:-0} s503ra=${4:-0} other=${5:-1}
n1=$(wc -l <"$DIR/ack2")
echo "# restart: $acked acknowledged ($n0 before, $((d0 - n0)) while down), $s503 answers 503 ($s503ra with Retry-After), $terr transport errors, $other other"
[ "$s503" -gt 0 ] && [ "$s503" = "$s503ra" ] &&
	echo "ok - PostgreSQL down: 503 with Retry-After" ||
	{ echo "not ok - no 503 + Retry-After while down"; fail=1; }
[ "$other" = 0 ] && [ "$(odd_answers stream-)" = 0 ] &&
	! grep -q ' 500 ' "$DIR"/inst*.log &&
	echo "ok - never a 500 nor another answer while PostgreSQL restarted" ||
	{ echo "not ok - odd answers during the restart"; fail=1; }
[ "$n1" -gt $((d0 + 5)) ] &&
	echo "ok - instances reconnected: $((n1 - d0)) writes after the restart" ||
	{ echo "not ok - no writes after the restart"; fail=1; }
got=$(acked_present "$DIR/ack2")
[ "$got" = "$n1" ] && echo "ok - all $n1 acknowledged writes are in PostgreSQL" ||
	{ echo "not ok - $got of $n1 acknowledged writes found"; fail=1; }
if grep -q -e 'Sanitizer' -e 'runtime error' "$DIR"/inst*.out; then
	echo "not ok - sanitizer report"; fail=1
fi
echo "# check-mock-cluster: $(( $(date +%s) - t0 )) s"
exit $fail
