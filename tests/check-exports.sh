#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# The shared library's ABI is exactly its public headers (house-style §2.9,
# libfido2 src/diff_exports.sh):
#   - every dynamic symbol is a jpki_* function declared in include/jpki/*.h
#     (nothing internal leaks through src/libjpki.map);
#   - every function declared there is exported (a declaration without an
#     implementation fails here, not in a user's link).
#
#   tests/check-exports.sh LIBJPKI_SO [CC]
#
# Declarations are taken from the preprocessed headers, so comments and
# macros cannot fake or hide one.
set -eu
so=$1
cc=${2:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

[ -f "$so" ] || { echo "check-exports: $so not built" >&2; exit 1; }

# exported: defined dynamic symbols, version suffix dropped, version nodes
# (type A) skipped
nm -D --defined-only "$so" | awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }' |
	sort -u > "$tmp/exported"

# declared: identifiers jpki_* directly followed by "(" in the headers
for h in include/jpki/*.h; do
	echo "#include <jpki/$(basename "$h")>"
done > "$tmp/all.c"
$cc -E -P -Iinclude "$tmp/all.c" > "$tmp/all.i"
grep -oE '(^|[^A-Za-z0-9_])jpki_[A-Za-z0-9_]+[[:space:]]*\(' "$tmp/all.i" |
	sed -E 's/^[^j]*//; s/[[:space:]]*\($//' | sort -u > "$tmp/declared"

bad=0
leaked=$(comm -23 "$tmp/exported" "$tmp/declared")
missing=$(comm -13 "$tmp/exported" "$tmp/declared")
if [ -n "$leaked" ]; then
	echo "check-exports: exported but not declared in include/jpki/*.h:" >&2
	echo "$leaked" | sed 's/^/  /' >&2
	bad=1
fi
if [ -n "$missing" ]; then
	echo "check-exports: declared in include/jpki/*.h but not exported" \
	    "(missing implementation or not in LIB_SRCS):" >&2
	echo "$missing" | sed 's/^/  /' >&2
	bad=1
fi
n=$(wc -l < "$tmp/declared")
if [ "$bad" -eq 0 ]; then
	echo "check-exports: $n public functions, all exported, nothing else"
fi
exit $bad
