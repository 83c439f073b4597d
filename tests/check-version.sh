#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# The release version has one place, the file VERSION (read by the
# Makefile: make dist, jpki.pc, the library's file name).  What cannot read
# it is held to it here: the version macros of <jpki/jpki.h> (and through
# them `jpki --version` and the HTTP User-Agent), debian/changelog, the
# newest entry of NEWS.  The ABI number SOVERSION is held to the sonames,
# the version nodes of src/libjpki.map and src/libjpki-platform.map, the
# Debian library packages' names and their symbols files.
#
#   tests/check-version.sh BUILD SOVERSION [RESULTS_FILE]
set -u
build=${1:-build}
so=${2:-0}
res=${3:-}
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok $((pass + fail)) - $*"; }
no() { fail=$((fail + 1)); echo "not ok $((pass + fail)) - $*"; }
same() {	# same DESCRIPTION GOT WANT
	if [ "$2" = "$3" ]; then ok "$1 ($2)"; else no "$1: '$2', want '$3'"; fi
}

v=$(cat VERSION 2>/dev/null)
if echo "$v" | grep -Eqx '[0-9]+\.[0-9]+\.[0-9]+'; then
	ok "VERSION is X.Y.Z ($v)"
else
	no "VERSION is X.Y.Z: '$v'"
fi
mac() { sed -n "s/^#define[[:space:]]*JPKI_VERSION_$1[[:space:]]*\"*\([0-9.]*\)\"*.*/\1/p" include/jpki/jpki.h; }
same "jpki.h JPKI_VERSION_STRING" "$(mac STRING)" "$v"
same "jpki.h MAJOR.MINOR.PATCH" "$(mac MAJOR).$(mac MINOR).$(mac PATCH)" "$v"
same "debian/changelog, newest entry" \
	"$(sed -n '1s/^[a-z0-9.+-]* (\([^)]*\)).*/\1/p' debian/changelog)" "$v"
same "NEWS, newest entry" \
	"$(sed -n 's/^libjpki \([0-9][0-9.]*\)\b.*/\1/p' NEWS | head -n 1)" "$v"
same "jpki.pc Version" "$(sed -n 's/^Version: //p' "$build/jpki.pc")" "$v"
same "jpki --version" "$("$build/bin/jpki" --version 2>&1)" "jpki $v"
same "library file name" \
	"$(basename "$(readlink -f "$build/lib/libjpki.so")")" "libjpki.so.$v"
same "SONAME" "$(readelf -d "$build/lib/libjpki.so" |
	sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')" "libjpki.so.$so"
same "version node of src/libjpki.map" \
	"$(sed -n 's/^\(JPKI_[0-9A-Z_]*\) {.*/\1/p' src/libjpki.map | tail -n 1)" \
	"JPKI_$so"
same "Debian library package" \
	"$(sed -n 's/^Package: \(libjpki[0-9][0-9a-z.-]*\)$/\1/p' debian/control)" \
	"libjpki$so"
same "debian/libjpki$so.symbols names the soname" \
	"$(head -n 1 "debian/libjpki$so.symbols" 2>/dev/null | cut -d' ' -f1,2)" \
	"libjpki.so.$so libjpki$so"

# libjpki-platform: the same VERSION and SOVERSION
same "jpki-platform.pc Version" \
	"$(sed -n 's/^Version: //p' "$build/jpki-platform.pc")" "$v"
same "jpki-platform.pc requires jpki = VERSION" \
	"$(sed -n 's/^Requires: //p' "$build/jpki-platform.pc")" "jpki = $v"
same "libjpki-platform file name" \
	"$(basename "$(readlink -f "$build/lib/libjpki-platform.so")")" \
	"libjpki-platform.so.$v"
same "libjpki-platform SONAME" \
	"$(readelf -d "$build/lib/libjpki-platform.so" |
	sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')" "libjpki-platform.so.$so"
same "version node of src/libjpki-platform.map" \
	"$(sed -n 's/^\(JPKI_[0-9A-Z_]*\) {.*/\1/p' src/libjpki-platform.map |
	tail -n 1)" "JPKI_PLATFORM_$so"
same "Debian platform library package" \
	"$(sed -n 's/^Package: \(libjpki-platform[0-9][0-9a-z.-]*\)$/\1/p' \
	debian/control)" "libjpki-platform$so"
same "debian/libjpki-platform$so.symbols names the soname" \
	"$(head -n 1 "debian/libjpki-platform$so.symbols" 2>/dev/null |
	cut -d' ' -f1,2)" "libjpki-platform.so.$so libjpki-platform$so"

echo "version: $pass passed, $fail failed"
if [ -n "$res" ]; then
	mkdir -p "$(dirname "$res")"
	echo "$pass $fail" > "$res"
fi
[ "$fail" -eq 0 ]
