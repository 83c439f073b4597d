#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# Benchmark: jpki-pkcs11.so against OpenSC's opensc-pkcs11.so on the same
# virtual card in the same run.  For each module and scenario a fresh card
# is inserted, one pkcs11-tool process runs (C_Initialize ... C_Finalize),
# the card is removed and jpki-cardsim's counters (--stats) give the APDUs
# the card answered.  Wall time is the client process, start to exit.
#
#   enumerate  pkcs11-tool -L then -O on the auth token (slots, tokens,
#              public objects: what a browser does at start-up)
#   sign       C_Initialize -> login -> first C_Sign (SHA256-RSA-PKCS)
#
# Default OpenSC configuration (its other card drivers probe first, as on a
# user's machine).  Results: tests/tmp/p11_bench/results.txt.
set -u
H_TOP=${H_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$H_TOP/tests/lib/harness.sh"
h_init p11_bench

JPKI=$H_TOP/$H_BUILD/pkcs11/jpki-pkcs11.so
OPENSC=$(find /usr/lib -name opensc-pkcs11.so -path '*x86_64*' 2>/dev/null | head -n 1)
[ -n "$OPENSC" ] || OPENSC=$(find /usr/lib -name opensc-pkcs11.so 2>/dev/null | head -n 1)
D=$H_DIR
PIN=1234
RUNS=${P11_BENCH_RUNS:-3}
echo "data" > "$D/data"

h_pcscd_start || exit 1
P=$(h_profile card1 --pin-auth $PIN) || exit 1

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# measure NAME CMD...: one fresh card, prints "apdus ms"
measure() {
	name=$1; shift
	h_card_start "$P" --stats "$D/$name.json" >/dev/null 2>&1 || return 1
	t0=$(now_ms)
	"$@" > "$D/$name.out" 2>&1
	rc=$?
	t1=$(now_ms)
	h_card_stop
	[ $rc -eq 0 ] || { echo "measure $name: exit $rc" >&2; cat "$D/$name.out" >&2; return 1; }
	apdus=$(grep -o '"commands": *[0-9]*' "$D/$name.json" | grep -o '[0-9]*$')
	echo "$apdus $((t1 - t0))"
}

run() {	# run MODULE TOKEN-LABEL SCENARIO
	case $3 in
	enumerate)
		sh -c "pkcs11-tool --module '$1' -L && pkcs11-tool --module '$1' --token-label '$2' -O" ;;
	sign)
		pkcs11-tool --module "$1" --token-label "$2" --login --pin $PIN \
			--sign -m SHA256-RSA-PKCS --id 01 -i "$D/data" \
			-o "$D/sig" ;;
	esac
}

printf '%-10s %-8s %8s %10s\n' scenario module apdus "ms(median)" > "$D/results.txt"
for sc in enumerate sign; do
	for mod in jpki opensc; do
		if [ $mod = jpki ]; then
			M=$JPKI; L="JPKI User Authentication"
		else
			M=$OPENSC; L="JPKI (User Authentication PIN)"
		fi
		: > "$D/$sc.$mod.runs"
		i=0
		while [ $i -lt $RUNS ]; do
			r=$(measure "$sc.$mod.$i" run "$M" "$L" $sc) || { h_fail "$sc $mod run $i"; break; }
			echo "$r" >> "$D/$sc.$mod.runs"
			i=$((i + 1))
		done
		apdus=$(cut -d' ' -f1 "$D/$sc.$mod.runs" | sort -n | head -n 1)
		ms=$(cut -d' ' -f2 "$D/$sc.$mod.runs" | sort -n |
			awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
		printf '%-10s %-8s %8s %10s\n' $sc $mod "$apdus" "$ms" >> "$D/results.txt"
		eval "A_${sc}_$mod=\${apdus:-0}"
	done
done
cat "$D/results.txt"
h_check "enumeration: fewer APDUs than OpenSC ($A_enumerate_jpki < $A_enumerate_opensc)" \
	test "$A_enumerate_jpki" -gt 0 -a "$A_enumerate_jpki" -lt "$A_enumerate_opensc"
h_check "first signature: fewer APDUs than OpenSC ($A_sign_jpki < $A_sign_opensc)" \
	test "$A_sign_jpki" -gt 0 -a "$A_sign_jpki" -lt "$A_sign_opensc"
h_done
