#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# Benchmark: one pamtester authentication through pam_jpki.so (card found,
# certificate read and checked, PIN, challenge signed and verified), on a
# contact card and on the 424 kbit/s NFC model of jpki-cardsim
# (--link-kbps 424).  A fresh card per run; jpki-cardsim's --stats give
# the APDUs and bytes the card answered; wall time is the pamtester
# process, start to exit (median of PAM_BENCH_RUNS, default 5).
#
#   none   revocation = none
#   ocsp   revocation = hard against mykey-mock's OCSP responder on
#          loopback (adds the CA certificate read and one OCSP request)
#
# Beside it, the physical minimum: SELECT AP, one READ of the certificate,
# VERIFY, SIGN (4 APDUs) sent raw by tests/e2e/pam_min, a small libjpki
# program, through the same pcscd and card model.  /etc/pam.d and /etc/passwd are bind-mounted from the
# bench's directory in the private mount namespace.
# Results: tests/tmp/pam_bench/results.txt.
set -u
H_TOP=${H_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$H_TOP/tests/lib/harness.sh"
h_init pam_bench
. "$H_TOP/tests/e2e/platform_lib.sh"

MOD=$H_TOP/$H_BUILD/pam/pam_jpki.so
D=$H_DIR
RUNS=${PAM_BENCH_RUNS:-5}

h_pcscd_start || exit 1
p_mock_start || exit 1
p=$(p_person "試験　ベンチ") || exit 1
P=$D/profiles/card
p_card_issue "$p" "$P" > /dev/null || exit 1
PIN=$(sed -n 's/^pin.auth *= *//p' "$P/profile.conf")
SERIAL=$(openssl x509 -inform DER -in "$P/auth.crt" -noout -serial | cut -d= -f2)

mkdir -p "$D/pam.d" "$D/etc"
cp /etc/passwd "$D/etc/passwd"
echo "benchuser:x:61101:61101:synthetic:/nonexistent:/bin/sh" >> "$D/etc/passwd"
mount --bind "$D/pam.d" /etc/pam.d
mount --bind "$D/etc/passwd" /etc/passwd
: > "$D/devlog"
mount --bind "$D/devlog" /dev/log 2>/dev/null || true
echo "benchuser serial $SERIAL" > "$D/map"
printf 'map_file = %s\nca_file = %s\nbundled_roots = no\nocsp_url = %s\n' \
	"$D/map" "$D/mock-ca/auth-ca.crt" "$P_URL/jlis/v1/ocsp" > "$D/conf"
for r in none hard; do
	printf 'auth required %s config=%s revocation=%s\n' "$MOD" "$D/conf" \
		"$r" > "$D/pam.d/bench-$r"
done

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# measure NAME SERVICE [cardsim options]: prints "apdus bytes ms"
measure() {
	name=$1; svc=$2; shift 2
	h_card_start "$P" --stats "$D/$name.json" "$@" >/dev/null 2>&1 || return 1
	t0=$(now_ms)
	printf '%s\n' "$PIN" | pamtester "$svc" benchuser authenticate \
		> "$D/$name.out" 2>&1
	rc=$?
	t1=$(now_ms)
	h_card_stop
	[ $rc -eq 0 ] || { echo "measure $name: exit $rc" >&2; cat "$D/$name.out" >&2; return 1; }
	[ -s "$D/$name.json" ] || { echo "measure $name: no card stats" >&2; return 1; }
	apdus=$(grep -o '"commands": *[0-9]*' "$D/$name.json" | grep -o '[0-9]*$')
	bin=$(grep -o '"bytes_in": *[0-9]*' "$D/$name.json" | grep -o '[0-9]*$')
	bout=$(grep -o '"bytes_out": *[0-9]*' "$D/$name.json" | grep -o '[0-9]*$')
	echo "$apdus $((bin + bout)) $((t1 - t0))"
}

printf '%-8s %-8s %6s %7s %10s\n' link check apdus bytes "ms(median)" > "$D/results.txt"
for link in contact 424; do
	opt=""
	[ $link = 424 ] && opt="--link-kbps 424"
	for r in none hard; do
		: > "$D/$link.$r.runs"
		i=0
		while [ $i -lt "$RUNS" ]; do
			# shellcheck disable=SC2086
			m=$(measure "$link.$r.$i" "bench-$r" $opt) ||
				{ h_fail "$link $r run $i"; break; }
			echo "$m" >> "$D/$link.$r.runs"
			i=$((i + 1))
		done
		[ -s "$D/$link.$r.runs" ] || continue
		apdus=$(cut -d' ' -f1 "$D/$link.$r.runs" | sort -n | head -n 1)
		bytes=$(cut -d' ' -f2 "$D/$link.$r.runs" | sort -n | head -n 1)
		ms=$(cut -d' ' -f3 "$D/$link.$r.runs" | sort -n |
			awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
		name=$r; [ $r = hard ] && name=ocsp
		printf '%-8s %-8s %6s %7s %10s\n' $link $name "$apdus" "$bytes" "$ms" >> "$D/results.txt"
		h_ok "pamtester authentication, $link, revocation $name: $apdus APDUs, $ms ms"
	done
done

# The physical minimum: SELECT AP, one READ BINARY of the certificate,
# VERIFY, SIGN, sent raw by tests/e2e/pam_min (same pcscd path, no checks)
# h_card_start runs in this shell and uses $i: the counter is $run
export BENCH_PIN="$PIN"
for link in contact 424; do
	opt=""
	[ $link = 424 ] && opt="--link-kbps 424"
	: > "$D/$link.min.runs"
	run=0
	while [ $run -lt "$RUNS" ]; do
		# shellcheck disable=SC2086
		h_card_start "$P" --stats "$D/$link.min.$run.json" $opt \
			>/dev/null 2>&1 || { h_fail "minimum $link"; break; }
		t0=$(now_ms)
		"$H_TOP/$H_BUILD/tests/e2e/pam_min" BENCH_PIN > "$D/min.out" 2>&1
		rc=$?
		t1=$(now_ms)
		h_card_stop
		[ $rc -eq 0 ] || { h_fail "minimum $link: exit $rc"; break; }
		a=$(grep -o '"commands": *[0-9]*' "$D/$link.min.$run.json" | grep -o '[0-9]*$')
		bi=$(grep -o '"bytes_in": *[0-9]*' "$D/$link.min.$run.json" | grep -o '[0-9]*$')
		bo=$(grep -o '"bytes_out": *[0-9]*' "$D/$link.min.$run.json" | grep -o '[0-9]*$')
		echo "$a $((bi + bo)) $((t1 - t0))" >> "$D/$link.min.runs"
		run=$((run + 1))
	done
	[ -s "$D/$link.min.runs" ] || continue
	apdus=$(cut -d' ' -f1 "$D/$link.min.runs" | sort -n | head -n 1)
	bytes=$(cut -d' ' -f2 "$D/$link.min.runs" | sort -n | head -n 1)
	ms=$(cut -d' ' -f3 "$D/$link.min.runs" | sort -n |
		awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	printf '%-8s %-8s %6s %7s %10s\n' $link minimum "$apdus" "$bytes" "$ms" >> "$D/results.txt"
	h_ok "physical minimum, $link: $apdus APDUs, $ms ms"
done
cat "$D/results.txt"
p_mock_stop
h_done
