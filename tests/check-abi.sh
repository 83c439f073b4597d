#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# The ABI of libjpki.so and libjpki-platform.so against the baselines
# committed in tests/abi/ (abigail-tools: abidw, abidiff).  Only what the
# public headers declare counts (abidw --headers-dir include/jpki
# --drop-private-types), so an internal struct may change freely.
#   - no change: pass;
#   - only added functions or variables: pass, printed as "ABI additions,
#     update the baseline" (make abi-baseline) with abidiff's report;
#   - anything removed or changed (a function, a variable, a public
#     struct's layout, a parameter type): FAIL with abidiff's report.  An
#     intended break takes a new SOVERSION and a new baseline.
# Self-tests first, so that the check is known to be able to fail:
#   - libjpki's objects linked again with one function left out of the
#     version script: the comparison with the real library must FAIL (a
#     removal), and the reverse comparison must be additions only;
#   - a tiny library whose public struct grows by a member: must FAIL (a
#     changed type).
#
#   tests/check-abi.sh BUILD RESULTS_FILE        the check
#   tests/check-abi.sh --baseline BUILD          rewrite tests/abi/*.abi
#
# Environment (from make): ABI_LIB_OBJS, ABI_LIB_LIBS (libjpki's objects
# and libraries, for the self-test's relink), CC.
set -u
if [ "${1:-}" = "--baseline" ]; then
	baseline=1
	shift
else
	baseline=0
fi
build=${1:-build}
res=${2:-}
cc=${CC:-cc}
libs="libjpki libjpki-platform"
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok $((pass + fail)) - $*"; }
no() { fail=$((fail + 1)); echo "not ok $((pass + fail)) - $*"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for t in abidw abidiff; do
	command -v $t > /dev/null || {
		echo "check-abi: $t missing (abigail-tools, make deps)" >&2
		exit 1
	}
done

# dump SO OUT [HEADERS_DIR]: the ABI of SO, public types only
dump() {
	abidw --no-corpus-path --drop-private-types \
	    --headers-dir "${3:-include/jpki}" --out-file "$2" "$1"
}

# compare OLD NEW REPORT: 0 same, 1 additions only, 2 break (removed or
# changed), 3 abidiff failed.  abidiff's exit status is a bit field (1
# error, 2 usage, 4 ABI change, 8 incompatible change); a change that is
# not flagged incompatible (a struct that grew) still counts as a break
# here unless its summary lines show only additions.
compare() {
	abidiff --no-show-locs "$1" "$2" > "$3" 2>&1
	rc=$?
	[ "$rc" -eq 0 ] && return 0
	[ $((rc & 3)) -ne 0 ] && return 3
	[ $((rc & 8)) -ne 0 ] && return 2
	# "Functions changes summary: 0 Removed, 1 Changed (2 filtered), 2
	# Added functions", the same for variables and for symbols without
	# debug info
	grep -E 'changes summary:' "$3" > "$3.sum"
	grep -qE '(^|[^0-9])[1-9][0-9]* (Removed|Changed)' "$3.sum" && return 2
	grep -qE '(^|[^0-9])[1-9][0-9]* Added' "$3.sum" && return 1
	return 2	# a change abidiff did not summarize: look at it
}

if [ "$baseline" -eq 1 ]; then
	mkdir -p tests/abi
	for l in $libs; do
		dump "$build/lib/$l.so" "tests/abi/$l.abi" || exit 1
		echo "check-abi: tests/abi/$l.abi written from $build/lib/$l.so"
	done
	exit 0
fi

# --- self-tests: the comparison can fail ----------------------------------
if [ -n "${ABI_LIB_OBJS:-}" ]; then
	# libjpki without jpki_strerror_name: a removed function
	node=$(sed -n 's/^\(JPKI_[0-9A-Z_]*\) {.*/\1/p' src/libjpki.map |
		tail -n 1)
	soname=$(readelf -d "$build/lib/libjpki.so" |
		sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
	printf '%s {\n\tglobal:\n' "$node" > "$tmp/broken.map"
	nm -D --defined-only "$build/lib/libjpki.so" |
		awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }' |
		grep -vx jpki_strerror_name | sed 's/^/\t\t/; s/$/;/' \
		>> "$tmp/broken.map"
	printf '\tlocal:\n\t\t*;\n};\n' >> "$tmp/broken.map"
	# shellcheck disable=SC2086
	if $cc -shared -o "$tmp/libjpki-broken.so" $ABI_LIB_OBJS \
	    -Wl,-soname,"$soname" -Wl,--version-script="$tmp/broken.map" \
	    $ABI_LIB_LIBS > "$tmp/link.log" 2>&1 &&
	    dump "$tmp/libjpki-broken.so" "$tmp/broken.abi" &&
	    dump "$build/lib/libjpki.so" "$tmp/real.abi"; then
		compare "$tmp/real.abi" "$tmp/broken.abi" "$tmp/self1.txt"
		rc=$?
		if [ "$rc" -eq 2 ] && grep -q jpki_strerror_name "$tmp/self1.txt"; then
			ok "self-test: a removed function (jpki_strerror_name) fails"
		else
			no "self-test: a removed function fails (got $rc)"
			sed 's/^/    /' "$tmp/self1.txt"
		fi
		compare "$tmp/broken.abi" "$tmp/real.abi" "$tmp/self2.txt"
		rc=$?
		if [ "$rc" -eq 1 ]; then
			ok "self-test: an added function is an addition, not a break"
		else
			no "self-test: an added function is an addition (got $rc)"
			sed 's/^/    /' "$tmp/self2.txt"
		fi
	else
		no "self-test: relink libjpki without one function"
		sed 's/^/    /' "$tmp/link.log"
	fi
else
	no "self-test: ABI_LIB_OBJS not set (run through make check-abi)"
fi

# a public struct that grows by a member
mkdir -p "$tmp/h1" "$tmp/h2"
for v in 1 2; do
	if [ "$v" -eq 1 ]; then m=""; else m="int added;"; fi
	printf 'struct abi_t { int a; %s };\nint abi_f(struct abi_t *);\n' \
		"$m" > "$tmp/h$v/abi.h"
	printf '#include "abi.h"\nint abi_f(struct abi_t *s) { return s->a; }\n' \
		> "$tmp/abi$v.c"
	$cc -shared -fPIC -g -I"$tmp/h$v" -o "$tmp/libabi$v.so" \
		"$tmp/abi$v.c" >> "$tmp/link.log" 2>&1 &&
		dump "$tmp/libabi$v.so" "$tmp/abi$v.abi" "$tmp/h$v"
done
compare "$tmp/abi1.abi" "$tmp/abi2.abi" "$tmp/self3.txt"
rc=$?
if [ "$rc" -eq 2 ] && grep -q 'abi_t' "$tmp/self3.txt"; then
	ok "self-test: a public struct that grew fails"
else
	no "self-test: a public struct that grew fails (got $rc)"
	sed 's/^/    /' "$tmp/self3.txt" "$tmp/link.log"
fi

# --- the libraries against their baselines --------------------------------
for l in $libs; do
	so=$build/lib/$l.so
	base=tests/abi/$l.abi
	if [ ! -f "$base" ]; then
		no "$l: no baseline $base (make abi-baseline)"
		continue
	fi
	if ! dump "$so" "$tmp/$l.abi" 2> "$tmp/$l.err"; then
		no "$l: abidw $so"
		sed 's/^/    /' "$tmp/$l.err"
		continue
	fi
	compare "$base" "$tmp/$l.abi" "$tmp/$l.txt"
	case $? in
	0)	ok "$l: ABI as in $base" ;;
	1)	ok "$l: ABI additions, update the baseline (make abi-baseline)"
		sed 's/^/    /' "$tmp/$l.txt" ;;
	2)	no "$l: ABI break against $base (removed or changed):"
		sed 's/^/    /' "$tmp/$l.txt" ;;
	*)	no "$l: abidiff failed"
		sed 's/^/    /' "$tmp/$l.txt" ;;
	esac
done

echo "abi: $pass passed, $fail failed"
if [ -n "$res" ]; then
	mkdir -p "$(dirname "$res")"
	echo "$pass $fail" > "$res"
fi
[ "$fail" -eq 0 ]
