#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# Run cmocka binaries, keep going after a failure, and record the summed
# test counts for `make check`'s closing line (tests/lib/summary.sh).
#
#   tests/lib/run-unit.sh RESULTS_FILE BINARY...
#
# A binary that dies before printing cmocka's summary counts as one failure.
set -u
res=$1; shift
pass=0
fail=0
bad=""
mkdir -p "$(dirname "$res")"
log=$(mktemp)
for t in "$@"; do
	echo "== $t"
	JPKI_TEST_DATA=tests/data "$t" > "$log" 2>&1
	rc=$?
	cat "$log"
	p=$(sed -n 's/^.*\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	f=$(sed -n 's/^.*\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	p=${p:-0}
	f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1	# crashed or exited early: no summary
	fi
	pass=$((pass + p))
	fail=$((fail + f))
	[ "$rc" -ne 0 ] && bad="$bad $(basename "$t")"
done
rm -f "$log"
echo "$pass $fail" > "$res"
echo "unit: $pass passed, $fail failed${bad:+ (in$bad)}"
[ "$fail" -eq 0 ] && [ -z "$bad" ]
