#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# The shared library's ABI is exactly its public headers (house-style §2.9,
# libfido2 src/diff_exports.sh).  Three lists must be the same set:
#   declared  the jpki_* functions declared in the public headers;
#   map       the names the version script lists, one by one (a wildcard
#             is refused: it would export whatever an internal function
#             happens to be called);
#   exported  the defined dynamic symbols of the built library.
# Any name in one list and not in another fails, with the list it is
# missing from: a declaration without an implementation fails here, not in
# a user's link; an internal function cannot leak.
#
#   tests/check-exports.sh LIB_SO [CC [MAP [HEADER... [-- NOT_HEADER...]]]]
#
# MAP defaults to src/libjpki.map and the headers to include/jpki/*.h.
# Each library is checked on its own (make check-exports runs this once for
# libjpki with every header but platform.h, once for libjpki-platform with
# platform.h): a header includes the others, so the functions declared in
# the NOT_HEADERs are taken out of the declared set, and a function in the
# wrong library fails as "not declared" in one run and "not exported" in
# the other.
#
# Declarations are taken from the preprocessed headers, so comments and
# macros cannot fake or hide one.
set -eu
so=$1
cc=${2:-cc}
map=${3:-src/libjpki.map}
[ $# -gt 3 ] && shift 3 || set -- include/jpki/*.h
hdrs=""; nots=""; seen=0
for a in "$@"; do
	if [ "$a" = -- ]; then seen=1
	elif [ $seen -eq 0 ]; then hdrs="$hdrs $a"
	else nots="$nots $a"; fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export LC_ALL=C

[ -f "$so" ] || { echo "check-exports: $so not built" >&2; exit 1; }
[ -f "$map" ] || { echo "check-exports: no version script $map" >&2; exit 1; }

# exported: defined dynamic symbols, version suffix dropped, version nodes
# (type A) skipped
nm -D --defined-only "$so" | awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }' |
	sort -u > "$tmp/exported"

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
# shellcheck disable=SC2086
declared "$tmp/declared.in" $hdrs
if [ -n "$nots" ]; then
	# shellcheck disable=SC2086
	declared "$tmp/declared.not" $nots
	comm -23 "$tmp/declared.in" "$tmp/declared.not" > "$tmp/declared"
else
	cp "$tmp/declared.in" "$tmp/declared"
fi

# map: the names of the global: section, comments stripped
bad=0
sed -e 's|/\*.*\*/||g' -e '/\/\*/,/\*\//d' "$map" |
	awk '/global:/ { g = 1; next } /local:/ { g = 0 } g' |
	tr -d ' \t' | tr ';' '\n' | sed '/^$/d' > "$tmp/map.raw"
if grep -q '[*?[]' "$tmp/map.raw"; then
	echo "check-exports: $map: a wildcard in global: ($(grep '[*?[]' \
	    "$tmp/map.raw" | tr '\n' ' ')); list every symbol by name" >&2
	bad=1
fi
grep -v '[*?[]' "$tmp/map.raw" | sort > "$tmp/map.sorted"
sort -u "$tmp/map.sorted" > "$tmp/map"
if ! cmp -s "$tmp/map.sorted" "$tmp/map"; then
	echo "check-exports: $map lists a name twice:" >&2
	uniq -d "$tmp/map.sorted" | sed 's/^/  /' >&2
	bad=1
fi

# report NAME-OF-A NAME-OF-B MESSAGE: names in list A missing from list B
report() {
	d=$(comm -23 "$tmp/$1" "$tmp/$2")
	[ -z "$d" ] && return 0
	echo "check-exports: $3:" >&2
	echo "$d" | sed 's/^/  /' >&2
	bad=1
}
report declared map "declared in the headers but not listed in $map"
report map declared "listed in $map but declared in no public header"
report exported declared "exported by $so but not declared in a header"
report declared exported "declared in the headers but not exported by $so (missing implementation or not in LIB_SRCS)"
report map exported "listed in $map but not exported by $so (missing implementation?)"

n=$(wc -l < "$tmp/declared")
if [ "$bad" -eq 0 ]; then
	echo "check-exports: $n public functions: headers = $map = exports"
fi
exit $bad
