#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# Every error code #defined in include/jpki/err.h has its row in src/err.c
# ({ JPKI_ERR_X, "JPKI_ERR_X", ... }), so a new code without a description
# fails `make check` even before test_err runs (house-style §2.3).
set -eu
hdr=${1:-include/jpki/err.h}
tab=${2:-src/err.c}
names=$(sed -n 's/^#define[[:space:]]\{1,\}\(JPKI_ERR_[A-Z0-9_]*\)[[:space:]].*/\1/p' "$hdr")
[ -n "$names" ] || { echo "check-errtab: no codes found in $hdr" >&2; exit 1; }
n=0
bad=0
for c in $names; do
	n=$((n + 1))
	if ! grep -q "{ *$c, *\"$c\"," "$tab"; then
		echo "check-errtab: $c has no row { $c, \"$c\", ... } in $tab" >&2
		bad=1
	fi
done
[ "$bad" -eq 0 ] && echo "check-errtab: $n codes, each with its row in $tab"
exit $bad
