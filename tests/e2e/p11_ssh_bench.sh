#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# Benchmark: one OpenSSH login with the card, through the real pcscd, a
# virtual card and a real sshd on loopback (p11_ssh_lib.sh).  For every run
# a fresh card is inserted with `jpki-cardsim --stats`; the card's own
# counters (APDUs, bytes) are the yardstick.  Wall time is the client's,
# median of BENCH_RUNS runs, on contact (no link delay) and on the
# cardsim's 424 kbit/s contactless link model.
#
#   ssh -I       one `ssh -I jpki-pkcs11.so` process: load the module, list
#                keys, askpass PIN, login, run `true`.  Physical minimum 4
#                APDUs: SELECT AP, one READ BINARY of the auth certificate,
#                VERIFY, COMPUTE DIGITAL SIGNATURE (jpki-card.md §3, §5.3)
#   ssh-add -s   loading the provider into ssh-agent (PIN from askpass);
#                minimum 3: SELECT, READ, VERIFY
#   agent login  `ssh` through that agent (no PIN); minimum 1: the SIGN.
#                The APDUs are those of ssh-add -s + login less ssh-add -s
#   file key     baseline: the same login with an RSA-2048 key in a file,
#                no card: what ssh and sshd cost by themselves
#
# Results: tests/tmp/p11_ssh_bench/results.txt.
set -u
H_TOP=${H_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$H_TOP/tests/lib/harness.sh"
. "$H_TOP/tests/e2e/p11_ssh_lib.sh"
h_init p11_ssh_bench

M=$(realpath "$H_TOP/$H_BUILD/pkcs11/jpki-pkcs11.so")
D=$H_DIR
PIN=1234
PORT=2223
RUNS=${BENCH_RUNS:-5}
AG=$D/agent.sock

h_pcscd_start || exit 1
P=$(h_profile bench --pin-auth $PIN) || exit 1
openssl x509 -inform DER -in "$P/auth.crt" -noout -pubkey > "$D/auth.pem"
ssh-keygen -i -m PKCS8 -f "$D/auth.pem" > "$D/id_jpki.pub"
ssh_setup || exit 1
# the baseline key, also authorised
ssh-keygen -q -t rsa -b 2048 -N '' -f "$D/id_file" -C bench-file-key
cat "$D/id_file.pub" >> "$D/authorized_keys"
sed "s|IdentityFile $D/id_jpki|IdentityFile $D/id_file|" "$D/ssh_config" \
	> "$D/ssh_config.file"

now_ms() { echo $(($(date +%s%N) / 1000000)); }
stat_field() { sed -n "s/.*\"$2\": *\([0-9]*\).*/\1/p" "$1"; }
median() {
	sort -n | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "-"; exit }
		print v[int((NR + 1) / 2)] }'
}
ssh_I() {
	env -u SSH_AUTH_SOCK timeout 60 ssh -n -I "$M" -F "$D/ssh_config" \
		jpki-test true
}
ssh_agent_login() {
	SSH_AUTH_SOCK=$AG timeout 60 ssh -n -F "$D/ssh_config" jpki-test true
}
agent_start() {
	rm -f "$AG"
	ssh-agent -D -a "$AG" -P "$M" > "$D/agent.log" 2>&1 &
	AGPID=$!
	i=0
	while [ ! -S "$AG" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	SSH_AUTH_SOCK=$AG timeout 60 ssh-add -s "$M" > "$D/add.out" 2>&1
}
agent_stop() {
	kill "$AGPID" 2>/dev/null
	wait "$AGPID" 2>/dev/null
}

# run_one SCENARIO LINK: prints "apdus bytes_in bytes_out ms", one fresh card
run_one() {
	opts=
	[ "$2" != - ] && opts="--link-kbps $2"
	rm -f "$D/stats.json"
	# shellcheck disable=SC2086
	h_card_start "$P" --stats "$D/stats.json" $opts || return 1
	rc=0
	case $1 in
	ssh-I)
		t0=$(now_ms); ssh_I > "$D/out" 2>&1 || rc=$?; t1=$(now_ms) ;;
	add)
		t0=$(now_ms); agent_start || rc=$?; t1=$(now_ms); agent_stop ;;
	add+login)
		agent_start || rc=$?
		t0=$(now_ms); ssh_agent_login > "$D/out" 2>&1 || rc=$?
		t1=$(now_ms); agent_stop ;;
	esac
	h_card_stop
	[ $rc -eq 0 ] || { echo "bench-ssh: $1 failed ($rc)" >&2; cat "$D/out" >&2; return 1; }
	echo "$(stat_field "$D/stats.json" commands) $(stat_field "$D/stats.json" bytes_in) $(stat_field "$D/stats.json" bytes_out) $((t1 - t0))"
}

# measure SCENARIO LINK: median over RUNS; sets R_APDUS R_IN R_OUT R_MS
measure() {
	: > "$D/runs"
	i=0
	while [ $i -lt "$RUNS" ]; do
		run_one "$1" "$2" >> "$D/runs" || { h_fail "$1 link $2"; return 1; }
		i=$((i + 1))
	done
	R_APDUS=$(cut -d' ' -f1 "$D/runs" | sort -n | tail -n 1)
	R_IN=$(cut -d' ' -f2 "$D/runs" | sort -n | tail -n 1)
	R_OUT=$(cut -d' ' -f3 "$D/runs" | sort -n | tail -n 1)
	R_MS=$(cut -d' ' -f4 "$D/runs" | median)
	if [ "$(cut -d' ' -f1 "$D/runs" | sort -u | wc -l)" -ne 1 ]; then
		echo "bench-ssh: $1: APDU count varies: $(cut -d' ' -f1 "$D/runs" | tr '\n' ' ')" >&2
	fi
	h_ok "$1 link $2" > /dev/null
}

row() {	# row NAME LINK APDUS IN OUT MS MIN
	printf '%-26s %5s %6s %7s %8s %8s | %4s\n' "$@" | tee -a "$D/results.txt"
}

: > "$D/results.txt"
echo "bench-ssh: $RUNS runs each, OpenSSH $(ssh -V 2>&1 | cut -d' ' -f1)"
echo "(card-side counts from jpki-cardsim --stats; 'in' = host to card)"
printf '%-26s %5s %6s %7s %8s %8s | %4s\n' scenario kbps APDUs "in" out \
	"ms(med)" min | tee -a "$D/results.txt"
for link in - 424; do
	measure ssh-I $link &&
		row "ssh -I login" $link $R_APDUS $R_IN $R_OUT $R_MS 4
	measure add $link &&
		row "ssh-add -s (agent load)" $link $R_APDUS $R_IN $R_OUT $R_MS 3
	a_apdus=${R_APDUS:-0} a_in=${R_IN:-0} a_out=${R_OUT:-0}
	measure add+login $link &&
		row "agent-backed login" $link $((R_APDUS - a_apdus)) \
			$((R_IN - a_in)) $((R_OUT - a_out)) $R_MS 1
done
: > "$D/times"
i=0
while [ $i -lt "$RUNS" ]; do
	t0=$(now_ms)
	env -u SSH_AUTH_SOCK timeout 60 ssh -n -F "$D/ssh_config.file" \
		jpki-test true > "$D/out" 2>&1 || { h_fail "file key login"; break; }
	t1=$(now_ms)
	echo $((t1 - t0)) >> "$D/times"
	i=$((i + 1))
done
row "file key login (no card)" - 0 0 0 "$(median < "$D/times")" 0
h_done > /dev/null || { echo "bench-ssh: failures" >&2; exit 1; }
