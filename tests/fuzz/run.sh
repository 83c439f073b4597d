#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# Run fuzz harnesses over their corpora (tests/fuzz/module.mk).
#
#   run.sh driver    BUILD RESULTS NAME...   replay each corpus file with
#                                            the plain driver, one run per file
#   run.sh libfuzzer BUILD RESULTS NAME...   libFuzzer for $FUZZ_SECONDS
#                                            (and at most $FUZZ_RUNS runs)
#
# Writes "PASS FAIL" to RESULTS/fuzz-<mode>.count; exits non-zero on any
# failure.  A harness without a corpus directory is a failure: a fuzz
# target must ship seeds.
set -u
mode=$1 build=$2 res=$3
shift 3
pass=0
fail=0
mkdir -p "$res"
for name in "$@"; do
	bin=$build/tests/fuzz/fuzz_$name
	corpus=tests/fuzz/corpus/$name
	if [ ! -d "$corpus" ] || [ -z "$(ls -A "$corpus" 2>/dev/null)" ]; then
		echo "fuzz $name: no seed corpus in $corpus" >&2
		fail=$((fail + 1))
		continue
	fi
	case $mode in
	driver)
		n=0 bad=0
		for f in "$corpus"/*; do
			[ -f "$f" ] || continue
			n=$((n + 1))
			if ! "$bin" "$f" > /dev/null 2> "$build/tests/fuzz/$name.err"; then
				echo "fuzz $name: FAILED on $f" >&2
				cat "$build/tests/fuzz/$name.err" >&2
				bad=$((bad + 1))
			fi
		done
		echo "fuzz $name: $((n - bad)) of $n corpus files ok"
		pass=$((pass + n - bad))
		fail=$((fail + bad))
		;;
	libfuzzer)
		work=$build/corpus/$name
		art=$build/artifacts
		mkdir -p "$work" "$art"
		log=$build/fuzz-$name.log
		echo "fuzz $name: libFuzzer for ${FUZZ_SECONDS:-10} s"
		if "$bin" -max_total_time="${FUZZ_SECONDS:-10}" \
		    -runs="${FUZZ_RUNS:--1}" -max_len=8192 \
		    -artifact_prefix="$art/$name-" -print_final_stats=1 \
		    "$work" "$corpus" > "$log" 2>&1; then
			grep -E '^stat::number_of_executed_units|^Done' "$log" |
				sed "s/^/  /"
			pass=$((pass + 1))
		else
			echo "fuzz $name: FAILED (log $log, inputs in $art)" >&2
			tail -n 40 "$log" >&2
			fail=$((fail + 1))
		fi
		;;
	*)
		echo "run.sh: unknown mode $mode" >&2
		exit 2
		;;
	esac
done
echo "$pass $fail" > "$res/fuzz-$mode.count"
echo "fuzz ($mode): $pass passed, $fail failed"
[ "$fail" -eq 0 ]
