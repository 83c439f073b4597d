#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# The MyKey Platform client end to end (mykey-mock-api.md §5.9): `jpki
# platform` (libjpki's platform client) against the real mykey-mock, with
# the card reached through the real pcscd and jpki-cardsim.  Runs under
# tests/lib/isolated.sh.  Card signatures are counted in the card's own
# APDU trace, HTTP requests in the server's log.
set -u

. "$(dirname "$0")/../lib/harness.sh"
h_init platform_e2e
. "$H_TOP/tests/e2e/platform_lib.sh"

LOG=$H_DIR/check.log
TRACE=$H_DIR/trace

# run CMD...: OUT (stdout), ERR (stderr text), RC; all logged
run() {
	echo "\$ $*" >> "$LOG"
	OUT=$("$@" 2> "$H_DIR/err")
	RC=$?
	ERR=$(cat "$H_DIR/err")
	printf '%s\n%s\n(exit %d)\n' "$OUT" "$ERR" "$RC" >> "$LOG"
}
# t DESC TEST...: one check
t() {
	desc=$1; shift
	if "$@" >> "$LOG" 2>&1; then h_ok "$desc"; else h_fail "$desc"; fi
}
gone() { ! kill -0 "$1" 2>/dev/null; }
has() { printf '%s' "$1" | grep -q -- "$2"; }
sigs() { grep -c '^> 80 2A' "$TRACE" 2>/dev/null || true; }
verifies() { grep -c '^> 00 20 00 .. 0[0-9A-F] <' "$TRACE" 2>/dev/null || true; }
mlog() { grep -c -- "$1" "$H_DIR/mock.log" 2>/dev/null || true; }
sq() { sqlite3 -cmd '.timeout 5000' "$Q" "$1"; }
pushes() {
	grep 'issuance-numbers:push 200' "$H_DIR/mock.log" 2>/dev/null |
		grep -vc replayed || true
}
jlis_count() {
	p_admin /admin/v1/jlis/query-log | p_json count
}
insert() {
	h_card_stop
	h_card_start "$1" --trace "$TRACE"
	p_pins "$1"
}

h_pcscd_start || exit 1
p_mock_start || exit 1
p_client || { h_fail "mykey-mock client add"; h_done; exit 1; }
PERSON=$(p_person "Shiken Taro")
CARD1=$(p_card_issue "$PERSON" "$H_DIR/card1")
A1=$(echo "$CARD1" | p_json auth_issuance_number)
S1=$(echo "$CARD1" | p_json sign_issuance_number)
t "mock issued a card to a synthetic person" test -n "$A1" -a -n "$S1"
insert "$H_DIR/card1"
p_consent "$H_DIR/consent.json"
p_consent "$H_DIR/consent-link.json" "jlis.validity jlis.linkage id.link"
C="--consent-file $H_DIR/consent.json"

# --- §5.9 (9) consent: nothing leaves without it -------------------------
q0=$(jlis_count)
run setsid -w "$H_BIN/jpki" platform login --url "$P_URL" --allow-http \
	--client-id "$P_ID" --pin-env JPKI_TEST_PIN
t "no consent and no terminal: refused locally (exit 2)" test "$RC" -eq 2
t "  ... and no J-LIS query was made" test "$(jlis_count)" = "$q0"
t "  ... and no signature on the card" test "$(sigs)" -eq 0
p_consent "$H_DIR/consent-old.json"
sed -i 's/mock-1/mock-0/' "$H_DIR/consent-old.json"
run p_plat login --consent-file "$H_DIR/consent-old.json"
t "unknown terms version: platform answers CONSENT_REQUIRED (exit 9)" \
	test "$RC" -eq 9 -a -n "$(has "$ERR" CONSENT_REQUIRED && echo y)"
t "  ... before J-LIS is queried" test "$(jlis_count)" = "$q0"

# --- §5.9 (1) happy path -------------------------------------------------
run p_plat register $C --json
M=$(echo "$OUT" | p_json mykey_id)
t "register: exit 0" test "$RC" -eq 0
t "register: a new 8-character MyKey ID" test "${#M}" -eq 8 -a \
	"$(echo "$OUT" | p_json created)" = true
t "register: both issuance numbers are the card's" \
	has "$OUT" "\"auth\":{\"issuance_number\":\"$A1\".*\"sign\":{\"issuance_number\":\"$S1\""
run p_plat register $C --json --no-sign
t "register again: the same MyKey ID, not a new one" \
	test "$(echo "$OUT" | p_json mykey_id)" = "$M" -a \
	"$(echo "$OUT" | p_json created)" = false
TOKEN=$(curl -s -H 'Content-Type: application/json' -d \
	"{\"client_id\":\"$P_ID\",\"client_secret\":\"$JPKI_PLATFORM_CLIENT_SECRET\"}" \
	"$P_URL/v1/token" | p_json access_token)
SID=$(curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
	-d '{"name":"Test City Library","kind":"library"}' "$P_URL/v1/services" |
	p_json service_id)
t "a service exists to link to" test -n "$SID"
run p_plat link "$SID" $C
t "link without id.link consent: refused locally (exit 2)" test "$RC" -eq 2
run p_plat link "$SID" --consent-file "$H_DIR/consent-link.json" --json
PPID1=$(echo "$OUT" | p_json ppid)
t "link: a PPID for the service" test "$RC" -eq 0 -a -n "$PPID1"
run p_plat status --mykey-id "$M" --json
t "status: active" has "$OUT" '"state":"active"'
q0=$(jlis_count)
run p_plat status --mykey-id "$M" --check $C --json
t "status --check (現況確認): exit 0, statuses from J-LIS" \
	test "$RC" -eq 0 -a -n "$(has "$OUT" '"status":"good"' && echo y)" -a \
	"$(jlis_count)" -gt "$q0"

# --- transport: TLS verification, CA file, plain http only by option -------
T=$H_DIR/tls
mkdir -p "$T"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/ca.key" \
	-out "$T/ca.pem" -subj "/CN=libjpki test TLS CA" -days 2 \
	-addext basicConstraints=critical,CA:TRUE \
	-addext keyUsage=critical,keyCertSign > /dev/null 2>&1
for n in good:IP:127.0.0.1 wrong:DNS:wrong.example; do
	name=${n%%:*}; san=${n#*:}
	printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$san" \
		> "$T/$name.ext"
	openssl req -newkey rsa:2048 -nodes -keyout "$T/$name.key" \
		-out "$T/$name.csr" -subj "/CN=mykey-mock" > /dev/null 2>&1
	openssl x509 -req -in "$T/$name.csr" -CA "$T/ca.pem" \
		-CAkey "$T/ca.key" -CAcreateserial -days 2 \
		-extfile "$T/$name.ext" -out "$T/$name.pem" > /dev/null 2>&1
done
for n in good:18444 wrong:18445; do
	"$H_BIN/mykey-mock" serve --db "$H_DIR/mock.db" \
		--ca-dir "$H_DIR/mock-ca" --profiles-dir "$H_DIR/profiles" \
		--bind 127.0.0.1 --port "${n#*:}" --tls-cert "$T/${n%%:*}.pem" \
		--tls-key "$T/${n%%:*}.key" --admin-url-file none \
		>> "$H_DIR/mock-tls.out" 2>&1 &
	H_PIDS="$H_PIDS $!"
done
i=0
while [ "$(grep -c '^ready https' "$H_DIR/mock-tls.out")" -lt 2 ] &&
    [ $i -lt 100 ]; do
	sleep 0.05; i=$((i + 1))
done
TLSARGS="--client-id $P_ID --mykey-id $M"
run "$H_BIN/jpki" platform status --url https://127.0.0.1:18444 $TLSARGS
t "https with an unknown CA: refused (exit 9, check --ca)" \
	test "$RC" -eq 9 -a -n "$(has "$ERR" 'check --ca' && echo y)"
run "$H_BIN/jpki" platform status --url https://127.0.0.1:18444 \
	--ca "$T/ca.pem" $TLSARGS --json
t "https with --ca: verified, exit 0" \
	test "$RC" -eq 0 -a -n "$(has "$OUT" '"state":"active"' && echo y)"
run "$H_BIN/jpki" platform status --url https://127.0.0.1:18445 \
	--ca "$T/ca.pem" $TLSARGS
t "https to a certificate for another host name: refused (exit 9)" \
	test "$RC" -eq 9 -a -n "$(has "$ERR" 'TLS' && echo y)"
run "$H_BIN/jpki" platform status --url "$P_URL" $TLSARGS
t "plain http without --allow-http: refused before connecting (exit 2)" \
	test "$RC" -eq 2 -a -n "$(has "$ERR" 'loopback address' && echo y)"

# --- §5.9 (2) three renewals the platform never saw ----------------------
A=$A1
for n in 2 3 4; do
	NEW=$(p_mm card renew --serial "$A" --out "$H_DIR/card$n")
	A=$(echo "$NEW" | p_json auth_issuance_number)
done
t "three renewals done at the authority only" test -n "$A" -a "$A" != "$A1"
insert "$H_DIR/card4"
q0=$(jlis_count)
run p_plat login $C --json
t "login with the 3rd successor: exit 0" test "$RC" -eq 0
t "  ... the same MyKey ID" test "$(echo "$OUT" | p_json mykey_id)" = "$M"
t "  ... relinked: true, hops: 3" has "$OUT" '"relinked":true,"hops":3'
t "  ... the new card's issuance number" has "$OUT" "\"issuance_number\":\"$A\""
t "  ... the platform walked J-LIS (queries made)" \
	test "$(jlis_count)" -gt "$q0"
run p_plat link "$SID" --consent-file "$H_DIR/consent-link.json" --json
t "the PPID survives the renewals" test "$(echo "$OUT" | p_json ppid)" = "$PPID1"
run p_plat disclosures --mykey-id "$M" $C
t "disclosures list J-LIS provisions" has "$OUT" '"recipient":"jlis"'
t "  ... each naming the consent it relied on" \
	has "$OUT" "$(sed -n 's/.*"consent_id":"\([^"]*\)".*/\1/p' "$H_DIR/consent.json")"
run p_plat history --mykey-id "$M"
t "history shows the superseded bindings" has "$OUT" superseded
h0=$(mlog "GET /v1/mykey-ids/$M/history")
run p_plat history --mykey-id "$M" --max-response 200
t "an answer over the response cap: exit 9, not retried" \
	test "$RC" -eq 9 -a -n "$(has "$ERR" 'larger than the cap' && echo y)" -a \
	"$(($(mlog "GET /v1/mykey-ids/$M/history") - h0))" -eq 1

# --- §5.9 (6) dropped answer and timeout: same MyKey ID, one signature --
s0=$(sigs); v0=$(mlog 'POST /v1/mykey-ids:verify')
p_mm fault add --path '/v1/mykey-ids:verify' --drop --count 1 > /dev/null
run p_plat login $C --json
t "connection dropped before the answer: retried, exit 0" test "$RC" -eq 0
t "  ... same MyKey ID" test "$(echo "$OUT" | p_json mykey_id)" = "$M"
t "  ... one card signature for two HTTP attempts" \
	test "$(($(sigs) - s0))" -eq 1 -a "$(($(mlog 'POST /v1/mykey-ids:verify') - v0))" -eq 2
s0=$(sigs); v1=$(mlog 'POST /v1/mykey-ids:verify')
p_mm fault add --path '/v1/mykey-ids:verify' --delay-ms 2500 --count 1 > /dev/null
run p_plat login $C --json --timeout 1
t "answer too slow (timeout 1 s): retried with the same key, exit 0" \
	test "$RC" -eq 0 -a "$(echo "$OUT" | p_json mykey_id)" = "$M"
t "  ... still one card signature" test "$(($(sigs) - s0))" -eq 1
# The abandoned first attempt is logged when the server finishes it, 2.5 s
# after it began: wait for that line, or the later checks that count
# :verify lines would see it arrive in their window.
i=0
while [ "$(($(mlog 'POST /v1/mykey-ids:verify') - v1))" -lt 2 ] && [ $i -lt 100 ]; do
	sleep 0.05; i=$((i + 1))
done

# --- §5.9 (7) J-LIS outage then recovery, maintenance ---------------------
s0=$(sigs); v0=$(mlog 'POST /v1/mykey-ids:verify')
p_mm fault add --path '/v1/mykey-ids:verify' --status 502 --count 2 > /dev/null
run p_plat login $C --json
t "502 JLIS_UNAVAILABLE twice, then success: exit 0, same ID" \
	test "$RC" -eq 0 -a "$(echo "$OUT" | p_json mykey_id)" = "$M"
t "  ... three attempts, one signature" \
	test "$(($(mlog 'POST /v1/mykey-ids:verify') - v0))" -eq 3 -a "$(($(sigs) - s0))" -eq 1
p_mm fault add --path '/v1/mykey-ids:verify' --status 502 --count 10 > /dev/null
run p_plat login $C --retries 2
t "J-LIS down for good: exit 9 with a clear message" \
	test "$RC" -eq 9 -a -n "$(has "$ERR" 'J-LIS did not answer (3 attempts' && echo y)"
p_admin /admin/v1/faults -X DELETE > /dev/null
p_mm fault add --path '/v1/mykey-ids:verify' --status 503 --retry-after 1 --count 1 > /dev/null
start=$(date +%s%N)
run p_plat login $C --json
el=$(( ($(date +%s%N) - start) / 1000000 ))
t "503 with Retry-After: 1 honoured (${el} ms), then success" \
	test "$RC" -eq 0 -a "$el" -ge 1000
v0=$(mlog 'POST /v1/mykey-ids:verify')
p_mm fault add --path '/v1/mykey-ids:verify' --status 503 --retry-after 120 --count 1 > /dev/null
run p_plat login $C
t "maintenance for 120 s: not waited for, exit 9, retry time shown" \
	test "$RC" -eq 9 -a -n "$(has "$ERR" 'retry in 120 s' && echo y)" -a \
	"$(($(mlog 'POST /v1/mykey-ids:verify') - v0))" -eq 1

# --- wrong PIN: tries shown, no retry by the library ----------------------
good=$JPKI_TEST_PIN
bad=1234; [ "$good" = 1234 ] && bad=4321
v0=$(verifies); c0=$(mlog 'POST /v1/mykey-ids:verify')
JPKI_TEST_PIN=$bad
run p_plat login $C
t "wrong PIN: exit 5, '2 tries left'" \
	test "$RC" -eq 5 -a -n "$(has "$ERR" '2 tries left' && echo y)"
t "  ... exactly one VERIFY, nothing sent to the platform" \
	test "$(($(verifies) - v0))" -eq 1 -a "$(mlog 'POST /v1/mykey-ids:verify')" -eq "$c0"
JPKI_TEST_PIN=$good
run p_plat login $C --json
t "right PIN afterwards: exit 0" test "$RC" -eq 0

# --- card pulled out between challenge and signature ----------------------
mkfifo "$H_DIR/pin.fifo"
ch0=$(mlog 'POST /v1/challenges'); v0=$(mlog 'POST /v1/mykey-ids:verify')
"$H_BIN/jpki" platform login --url "$P_URL" --allow-http --client-id "$P_ID" \
	$C --pin-fd 3 3< "$H_DIR/pin.fifo" > "$H_DIR/pull.out" 2>&1 &
LPID=$!
exec 4> "$H_DIR/pin.fifo"
i=0
while [ "$(mlog 'POST /v1/challenges')" -eq "$ch0" ] && [ $i -lt 100 ]; do
	sleep 0.05; i=$((i + 1))
done
h_card_stop
echo "$good" >&4
exec 4>&-
wait $LPID
RC=$?
cat "$H_DIR/pull.out" >> "$LOG"
rm -f "$H_DIR/pin.fifo"
t "card pulled after the challenge: exit 7 (card removed)" test "$RC" -eq 7
t "  ... nothing sent that changes the platform" \
	test "$(mlog 'POST /v1/mykey-ids:verify')" -eq "$v0"
insert "$H_DIR/card4"

# --- §5.9 (8) challenge misuse: an expired challenge -------------------------
# The client cannot reuse a challenge or take another client's (it fetches
# one per proof, for its own client id); what it can meet is expiry: the
# holder takes longer than 300 s between the challenge and the signature.
mkfifo "$H_DIR/pin.fifo"
ch0=$(mlog 'POST /v1/challenges'); s0=$(sigs)
"$H_BIN/jpki" platform login --url "$P_URL" --allow-http --client-id "$P_ID" \
	$C --pin-fd 3 3< "$H_DIR/pin.fifo" > "$H_DIR/slow.out" 2>&1 &
LPID=$!
exec 4> "$H_DIR/pin.fifo"
i=0
while [ "$(mlog 'POST /v1/challenges')" -eq "$ch0" ] && [ $i -lt 100 ]; do
	sleep 0.05; i=$((i + 1))
done
p_mm clock set +301 > /dev/null
echo "$good" >&4
exec 4>&-
wait $LPID
RC=$?
cat "$H_DIR/slow.out" >> "$LOG"
rm -f "$H_DIR/pin.fifo"
p_mm clock set real > /dev/null
t "challenge answered 301 s later: exit 9, CHALLENGE_EXPIRED" \
	test "$RC" -eq 9 -a -n "$(grep -l CHALLENGE_EXPIRED "$H_DIR/slow.out")"
t "  ... told to run the command again; one signature, not retried" \
	test -n "$(grep -l 'run the command again' "$H_DIR/slow.out")" -a \
	"$(($(sigs) - s0))" -eq 1
run p_plat login $C --json
t "a fresh challenge works" test "$RC" -eq 0

# --- §5.9 (3) move: sign cert revoked, auth untouched ---------------------
MOVE=$(p_mm person move --person "$PERSON" --address "大阪府大阪市北区1-1 (synthetic)")
S2=$(echo "$MOVE" | p_json sign_issuance_number)
t "the holder moved: a new sign certificate" test -n "$S2" -a "$S2" != "$S1"
insert "$(echo "$MOVE" | p_json profile_dir)"
run p_plat login $C --json
t "login after the move (auth cert untouched): same ID" \
	test "$RC" -eq 0 -a "$(echo "$OUT" | p_json mykey_id)" = "$M"
run p_plat push --with-proof --mykey-id "$M" $C --json
t "push the new sign certificate: re-bound" \
	test "$RC" -eq 0 -a -n "$(has "$OUT" "\"sign\":{\"issuance_number\":\"$S2\"" && echo y)"

# --- §5.9 (4) lost card and reissue ---------------------------------------
RE=$(p_mm card reissue --person "$PERSON" --out "$H_DIR/card5")
A5=$(echo "$RE" | p_json auth_issuance_number)
run p_plat login $C
t "login with the lost card: exit 9, revoked as keyCompromise" \
	test "$RC" -eq 9 -a -n "$(has "$ERR" keyCompromise && echo y)"
t "  ... and the holder is told a newer card exists" has "$ERR" 'newer card'
run p_plat status --mykey-id "$M" --json
t "the MyKey ID is suspended" has "$OUT" '"state":"suspended"'
insert "$H_DIR/card5"
run p_plat login $C --json
t "login with the reissued card: same ID, relinked" \
	test "$RC" -eq 0 -a "$(echo "$OUT" | p_json mykey_id)" = "$M" -a \
	-n "$(has "$OUT" '"relinked":true' && echo y)" -a \
	-n "$(has "$OUT" "$A5" && echo y)"
run p_plat status --mykey-id "$M" --json
t "the MyKey ID is active again" has "$OUT" '"state":"active"'

# --- §5.9 (5) expiry --------------------------------------------------------
p_mm clock set 2040-01-01T00:00:00+09:00 > /dev/null
run p_plat login $C
t "clock past not_after: exit 9, certificate expired" \
	test "$RC" -eq 9 -a -n "$(has "$ERR" 'expired' && echo y)"
p_mm clock set real > /dev/null
run p_plat login $C --json
t "clock back: login works again" test "$RC" -eq 0

# --- offline queue: server down, client killed, flushed once -------------
Q=$H_DIR/queue.db
p_mock_stop
run p_plat push --mykey-id "$M" $C --queue "$Q" --retries 1 --json
t "server down: push queued (exit 10)" test "$RC" -eq 10
KEY1=$(echo "$OUT" | p_json idempotency_key)
run p_plat push --mykey-id "$M" --auth-issuance "$A5" $C --queue "$Q" --retries 1
t "a second push queued" test "$RC" -eq 10
t "two entries on disk, with the key of the failed attempt" \
	test "$(sq 'SELECT count(*) FROM push_queue')" -eq 2 -a \
	"$(sq "SELECT count(*) FROM push_queue WHERE idem_key='$KEY1'")" -eq 1
t "the queue holds no PIN, signature or certificate" \
	test -z "$(sq 'SELECT * FROM push_queue' | grep -e "$good" -e MII)"
# jpki itself in the background (not a shell function: $! must be its pid)
"$H_BIN/jpki" platform flush --url "$P_URL" --allow-http --client-id "$P_ID" \
	--queue "$Q" --retries 20 > /dev/null 2>&1 &
FPID=$!
sleep 0.5
kill -KILL $FPID 2>/dev/null
wait $FPID 2>/dev/null
t "flush killed while the server is down: nothing lost" \
	test "$(sq 'SELECT count(*) FROM push_queue')" -eq 2
t "  ... the killed flush is really gone" gone $FPID
p_mock_start || exit 1
p0=$(pushes)
cp "$Q" "$H_DIR/queue-before-flush.db"
run p_plat flush --queue "$Q" --json
t "server back: flush sends both (exit 0)" \
	test "$RC" -eq 0 -a -n "$(has "$OUT" '"sent":2' && echo y)"
t "  ... the queue is empty" \
	test "$(sq 'SELECT count(*) FROM push_queue')" -eq 0
run p_plat flush --queue "$Q" --json
t "a second flush sends nothing" has "$OUT" '"sent":0'
t "the platform processed exactly two pushes" \
	test "$(($(pushes) - p0))" -eq 2
# a crash after sending but before the deletes reached the disk: the old
# file comes back, the entries go again with their stored keys
r0=$(mlog 'issuance-numbers:push 200 - .* replayed')
run p_plat flush --queue "$H_DIR/queue-before-flush.db" --json
t "crash before the deletes: resent with the stored keys, replayed" \
	test "$RC" -eq 0 -a \
	"$(($(mlog 'issuance-numbers:push 200 - .* replayed') - r0))" -eq 2
t "  ... and still only two pushes processed" \
	test "$(($(pushes) - p0))" -eq 2

# --- consent asked on the terminal (a pty from script(1)) -----------------
JPLAT="$H_BIN/jpki platform login --url $P_URL --allow-http --client-id $P_ID --pin-env JPKI_TEST_PIN"
ch0=$(mlog 'POST /v1/challenges')
run sh -c "printf 'n\n' | script -qec '$JPLAT' /dev/null"
t "consent declined on the terminal: exit 2, nothing sent" \
	test "$RC" -eq 2 -a "$(mlog 'POST /v1/challenges')" -eq "$ch0"
run sh -c "printf 'y\n' | script -qec '$JPLAT --save-consent $H_DIR/saved.json' /dev/null"
t "consent given on the terminal: terms shown (Arts. 16, 17, 20), exit 0" \
	test "$RC" -eq 0 -a -n "$(has "$OUT" 'Art. 16' && has "$OUT" 'Art. 20' && \
	has "$OUT" "MyKey ID: *$M" && echo y)"
t "  ... and recorded (--save-consent) for the next time" \
	test -n "$(grep -l '"terms_version": "mock-1"' "$H_DIR/saved.json")"
run p_plat login --consent-file "$H_DIR/saved.json" --json
t "the saved record is accepted" test "$RC" -eq 0

# --- the last PIN try is not spent unless asked for -------------------------
JPKI_TEST_PIN=$bad; run p_plat login $C
JPKI_TEST_PIN=$bad; run p_plat login $C
t "second wrong PIN: '1 try left' with a warning" \
	test "$RC" -eq 5 -a -n "$(has "$ERR" '1 try left' && echo y)"
v0=$(verifies)
JPKI_TEST_PIN=$good; run p_plat login $C
t "one try left: refused before the PIN prompt (exit 6), no VERIFY" \
	test "$RC" -eq 6 -a "$(verifies)" -eq "$v0"
JPKI_TEST_PIN=$good; run p_plat login $C --force-last-try --json
t "--force-last-try with the right PIN: exit 0, same ID" \
	test "$RC" -eq 0 -a "$(echo "$OUT" | p_json mykey_id)" = "$M"

# --- revocation (terminal) --------------------------------------------------
run p_plat revoke --mykey-id "$M" $C --json
t "revoke the MyKey ID: exit 0" test "$RC" -eq 0
run p_plat login $C
t "login after revocation: exit 9, revoked at the holder's request" \
	test "$RC" -eq 9 -a -n "$(has "$ERR" "holder's request" && echo y)"

h_done
