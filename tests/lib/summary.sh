#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# Print the closing line of `make check`: the sum of the "PASS FAIL" counts
# the suites wrote to DIR/**/<suite>.count.
#
#   tests/lib/summary.sh DIR [FAILED_TARGET...]
#
# `make check` gives every target its own DIR/<target>/ (JPKI_RESULTS) and
# names the targets that exited non-zero.  A failed target that recorded no
# failure of its own (a build error, a suite without counts) adds one, so
# the line can never read "0 failed" after a failing run.  Exits non-zero
# unless everything passed.
set -u
dir=${1:-tests/tmp/results}
shift $(($# > 0 ? 1 : 0))
pass=0
fail=0
for f in $(find "$dir" -name '*.count' 2>/dev/null | sort); do
	read -r p q < "$f" || continue
	printf '  %-44s %s passed, %s failed\n' \
		"$(echo "$f" | sed "s|^$dir/||; s|\\.count\$||")" "$p" "$q"
	pass=$((pass + p))
	fail=$((fail + q))
done
for t in "$@"; do
	own=0
	for f in $(find "$dir/$t" -name '*.count' 2>/dev/null); do
		read -r p q < "$f" || continue
		own=$((own + q))
	done
	if [ "$own" -eq 0 ]; then
		printf '  %-44s failed without a count of its own\n' "$t"
		fail=$((fail + 1))
	fi
done
echo "check: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
