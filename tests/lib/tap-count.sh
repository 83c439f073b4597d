#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# Run a suite that prints TAP-style "ok ..." / "not ok ..." lines without
# tests/lib/harness.sh, and record its counts for the closing line of
# `make check` (tests/lib/summary.sh):
#
#   tests/lib/tap-count.sh NAME COMMAND [ARGS...]
#
# The output passes through unchanged.  Writes "PASSED FAILED" to
# ${JPKI_RESULTS:-tests/tmp/results}/${BUILD:-build}/NAME.count.  Exits
# with COMMAND's status, or 1 if it exited 0 but printed a "not ok" line.
set -u
name=$1
shift
res=${JPKI_RESULTS:-tests/tmp/results}/${BUILD:-build}
mkdir -p "$res"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
{ "$@"; echo $? > "$out.rc"; } | tee "$out"
rc=$(cat "$out.rc" 2>/dev/null || echo 1)
rm -f "$out.rc"
pass=$(grep -c '^ok\b' "$out" || true)
fail=$(grep -c '^not ok\b' "$out" || true)
if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
	fail=1	# died without saying what failed
fi
echo "$pass $fail" > "$res/$name.count"
if [ "$rc" -eq 0 ] && [ "$fail" -ne 0 ]; then
	rc=1
fi
exit "$rc"
