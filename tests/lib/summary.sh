#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# Print the closing line of `make check`: the sum of the "PASS FAIL" counts
# every suite wrote to DIR/<build>/<suite>.count.
#
#   tests/lib/summary.sh FAILED_TARGETS [DIR]   (DIR: tests/tmp/results)
#
# FAILED_TARGETS is the number of check targets that exited non-zero; when
# they left no failure count of their own (a build error, say) each of them
# counts as one failure, so the line can never read "0 failed" after a
# failing run.  Exits non-zero unless everything passed.
set -u
failed_targets=${1:-0}
dir=${2:-tests/tmp/results}
pass=0
fail=0
for f in "$dir"/*/*.count; do
	[ -f "$f" ] || continue
	read -r p q < "$f" || continue
	printf '  %-40s %s passed, %s failed\n' \
		"$(echo "$f" | sed "s|^$dir/||; s|\\.count\$||")" "$p" "$q"
	pass=$((pass + p))
	fail=$((fail + q))
done
if [ "$failed_targets" -gt 0 ] && [ "$fail" -lt "$failed_targets" ]; then
	fail=$failed_targets
fi
echo "check: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
