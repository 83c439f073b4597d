#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# Each shared library's ABI is exactly its public headers (house-style
# §2.9, libfido2 src/diff_exports.sh):
#   - libjpki exports exactly the jpki_* functions declared in
#     include/jpki/*.h other than platform.h, libjpki-platform exactly those
#     declared in platform.h (and not already in the others): nothing
#     internal leaks through src/libjpki.map or src/libjpki-platform.map,
#     and nothing sits in the wrong library;
#   - every function declared there is exported by its library (a
#     declaration without an implementation fails here, not in a user's
#     link).
#
#   tests/check-exports.sh LIBJPKI_SO LIBJPKI_PLATFORM_SO [CC]
#
# Declarations are taken from the preprocessed headers, so comments and
# macros cannot fake or hide one.
set -eu
so=$1
pso=$2
cc=${3:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for f in "$so" "$pso"; do
	[ -f "$f" ] || { echo "check-exports: $f not built" >&2; exit 1; }
done

# exported: defined dynamic symbols, version suffix dropped, version nodes
# (type A) skipped
exported() {
	nm -D --defined-only "$1" |
		awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }' | sort -u
}
exported "$so" > "$tmp/exported.lib"
exported "$pso" > "$tmp/exported.pf"

# declared: identifiers jpki_* directly followed by "(" in the headers
declared() {	# declared OUT HEADER...
	out=$1
	shift
	for h in "$@"; do
		echo "#include <jpki/$(basename "$h")>"
	done > "$tmp/all.c"
	$cc -E -P -Iinclude "$tmp/all.c" > "$tmp/all.i"
	grep -oE '(^|[^A-Za-z0-9_])jpki_[A-Za-z0-9_]+[[:space:]]*\(' \
	    "$tmp/all.i" | sed -E 's/^[^j]*//; s/[[:space:]]*\($//' |
	    sort -u > "$out"
}
declared "$tmp/declared.lib" $(ls include/jpki/*.h | grep -v '/platform\.h$')
declared "$tmp/declared.all" include/jpki/*.h
comm -23 "$tmp/declared.all" "$tmp/declared.lib" > "$tmp/declared.pf"

bad=0
check() {	# check NAME EXPORTED DECLARED
	leaked=$(comm -23 "$2" "$3")
	missing=$(comm -13 "$2" "$3")
	if [ -n "$leaked" ]; then
		echo "check-exports: $1 exports what its headers do not" \
		    "declare:" >&2
		echo "$leaked" | sed 's/^/  /' >&2
		bad=1
	fi
	if [ -n "$missing" ]; then
		echo "check-exports: declared for $1 but not exported" \
		    "(missing implementation, not in its SRCS or map):" >&2
		echo "$missing" | sed 's/^/  /' >&2
		bad=1
	fi
}
check libjpki "$tmp/exported.lib" "$tmp/declared.lib"
check libjpki-platform "$tmp/exported.pf" "$tmp/declared.pf"
if [ "$bad" -eq 0 ]; then
	echo "check-exports: libjpki $(wc -l < "$tmp/declared.lib")," \
	    "libjpki-platform $(wc -l < "$tmp/declared.pf") public functions," \
	    "all exported by their library, nothing else"
fi
exit $bad
