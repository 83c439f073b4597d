#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# What a packager or a user of the library gets (house-style §2.9):
#   - every public header compiles on its own, twice (include guard), as
#     strict C11 and as C++11, and declares its API extern "C";
#   - `make install DESTDIR=... PREFIX=/usr/local` stages the library with
#     its soname links, the headers and jpki.pc;
#   - a card-only program built with `pkg-config --cflags --libs jpki`
#     against the staged tree links and runs, and neither its NEEDED nor
#     ldd shows libcurl, libjansson or libsqlite3 (issue 10: they live in
#     libjpki-platform); the same program linked statically through
#     `pkg-config --static` (libjpki.a) runs and needs none of them either;
#   - a platform program linked with `pkg-config jpki-platform`, dynamically
#     and statically (libjpki-platform.a + libjpki.a), links and runs:
#     jpki-platform.pc names every library the archives need (issue 10:
#     jansson and sqlite3 were missing);
#   - the staged jpki finds its libraries through its $ORIGIN-relative run
#     path, not the build tree;
#   - `make uninstall` with the same DESTDIR PREFIX leaves DESTDIR empty
#     (issue 10: it was a no-op), and leaves alone a file it did not
#     install, and the directory holding it.
#
#   tests/check-install.sh BUILD RESULTS_FILE
set -u
build=${1:-build}
res=${2:-}
cc=${CC:-cc}
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok $((pass + fail)) - $*"; }
no() { fail=$((fail + 1)); echo "not ok $((pass + fail)) - $*"; }
t() {	# t DESCRIPTION CMD...
	d=$1; shift
	if "$@" >> "$tmp/log" 2>&1; then ok "$d"; else no "$d"; fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for h in include/jpki/*.h; do
	b=$(basename "$h")
	printf '#include <jpki/%s>\n#include <jpki/%s>\nint jpki_check_tu;\n' \
		"$b" "$b" > "$tmp/h.c"
	t "$b compiles alone as C11" $cc -std=c11 -Wall -Wextra -Werror \
		-pedantic -Iinclude -fsyntax-only "$tmp/h.c"
	if command -v g++ > /dev/null; then
		cp "$tmp/h.c" "$tmp/h.cc"
		t "$b compiles alone as C++11" g++ -std=c++11 -Wall -Wextra \
			-Werror -pedantic -Iinclude -fsyntax-only "$tmp/h.cc"
	fi
	t "$b declares its API extern \"C\"" grep -q 'extern "C"' "$h"
done

stage=$tmp/stage
pre=$stage/usr/local
t "make install DESTDIR PREFIX=/usr/local" \
	make --no-print-directory BUILD="$build" DESTDIR="$stage" \
	PREFIX=/usr/local install
so=$(sed -n 's/^SOVERSION[[:space:]]*:=[[:space:]]*//p' Makefile)
for l in libjpki libjpki-platform; do
	t "$l.so.$so soname link" test -L "$pre/lib/$l.so.$so"
	t "$l.so development link" test -L "$pre/lib/$l.so"
	t "$l: real file behind the links" \
		test -f "$(readlink -f "$pre/lib/$l.so")"
	t "$l.a installed" test -f "$pre/lib/$l.a"
done
for h in include/jpki/*.h; do
	t "header $(basename "$h") installed" cmp -s "$h" \
		"$pre/include/jpki/$(basename "$h")"
done
for pc in jpki jpki-platform; do
	t "$pc.pc installed" test -f "$pre/lib/pkgconfig/$pc.pc"
	t "$pc.pc has prefix=/usr/local" grep -qx 'prefix=/usr/local' \
		"$pre/lib/pkgconfig/$pc.pc"
done
# pam_jpki: module, example configuration (SYSCONFDIR, not under PREFIX),
# man page; the module exports pam_sm_* and nothing else
t "pam_jpki.so installed in \$(LIBDIR)/security" test -f "$pre/lib/security/pam_jpki.so"
t "pam_jpki.so exports only pam_sm_*" sh -c \
	"nm -D --defined-only '$pre/lib/security/pam_jpki.so' | awk '\$2 != \"A\" {print \$3}' | grep -qvx 'pam_sm_[a-z_]*' && exit 1 || exit 0"
t "pam_jpki.conf installed in /etc/security" cmp -s pam/pam_jpki.conf \
	"$stage/etc/security/pam_jpki.conf"
t "pam_jpki.8 installed" test -f "$pre/share/man/man8/pam_jpki.8"

pc() { PKG_CONFIG_PATH=$pre/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$stage \
	pkg-config "$@" 2>> "$tmp/log"; }
# static link of the staged archives: -l:libX.a even though libX.so sits
# beside it
static_libs() { printf '%s\n' "$@" |
	sed -e 's/^-ljpki$/-l:libjpki.a/' \
	    -e 's/^-ljpki-platform$/-l:libjpki-platform.a/'; }
# NEEDED entries and ldd's resolution of a program, one per line
needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
NET='libcurl|libjansson|libsqlite3'

# A card-only program: the card, certificates, revocation without a
# transport.  It must not pull the platform's dependencies.
cat > "$tmp/card.c" <<'EOC'
#include <string.h>
#include <jpki/jpki.h>
#include <jpki/err.h>
#include <jpki/cert.h>

int
main(void)
{
	jpki_rev_t *rv = NULL;

	if (jpki_init() != JPKI_OK || jpki_rev_new(&rv) != JPKI_OK)
		return 1;
	jpki_rev_free(&rv);
	jpki_exit();
	/* a symbol from the library, not the header */
	return strcmp(jpki_strerror_name(JPKI_ERR_PIN_LOCKED),
	    "JPKI_ERR_PIN_LOCKED") != 0;
}
EOC
flags=$(pc --cflags --libs jpki)
t "pkg-config --cflags --libs jpki" test -n "$flags"
# (the linker here drops unused -l flags by default, so a stray -lcurl in
# jpki.pc would not show in NEEDED: the .pc is read too)
{ pc --print-requires --print-requires-private jpki
  pc --static --libs jpki; } > "$tmp/jpki.pc.deps"
t "jpki.pc names no libcurl, jansson, SQLite (also --static)" \
	sh -c "! grep -Eq 'curl|jansson|sqlite' '$tmp/jpki.pc.deps'"
# shellcheck disable=SC2086
t "card-only program built with pkg-config jpki links" \
	$cc -std=c11 -o "$tmp/card" "$tmp/card.c" $flags
t "card-only program runs against the staged library" \
	env LD_LIBRARY_PATH="$pre/lib" "$tmp/card"
needed "$tmp/card" > "$tmp/card.needed"
t "card-only program NEEDs libjpki.so.$so" grep -qx "libjpki.so.$so" \
	"$tmp/card.needed"
t "card-only program NEEDs no libjpki-platform, libcurl, jansson, SQLite" \
	sh -c "! grep -E 'libjpki-platform|$NET' '$tmp/card.needed'"
LD_LIBRARY_PATH="$pre/lib" ldd "$tmp/card" > "$tmp/card.ldd" 2>&1
t "ldd resolves the card-only program's libjpki to the staged one" \
	grep -q "libjpki.so.$so => $pre/lib/" "$tmp/card.ldd"
t "ldd of the card-only program: no libcurl, libjansson, libsqlite3" \
	sh -c "! grep -E '$NET' '$tmp/card.ldd'"
sflags=$(pc --static --cflags --libs jpki)
t "pkg-config --static --cflags --libs jpki" test -n "$sflags"
# shellcheck disable=SC2046,SC2086
t "card-only program linked statically (pkg-config --static jpki)" \
	$cc -std=c11 -o "$tmp/card-static" "$tmp/card.c" $(static_libs $sflags)
t "static card-only program runs" "$tmp/card-static"
needed "$tmp/card-static" > "$tmp/card-static.needed"
t "static card-only program NEEDs no libjpki, libcurl, jansson, SQLite" \
	sh -c "! grep -E 'libjpki|$NET' '$tmp/card-static.needed'"

if [ -x "$pre/bin/jpki" ]; then
	t "staged jpki runs from its own lib (\$ORIGIN run path)" \
		"$pre/bin/jpki" --version
	t "staged jpki has no build-tree run path" \
		sh -c "! readelf -d '$pre/bin/jpki' | grep -q '$(pwd)'"
fi

# A platform program reaches the SQLite queue and the platform client
# (libcurl, jansson): jpki-platform.pc, dynamically and statically.
cat > "$tmp/static.c" <<'EOC'
#include <stdio.h>
#include <string.h>
#include <jpki/jpki.h>
#include <jpki/err.h>
#include <jpki/platform.h>

int
main(int argc, char **argv)
{
	jpki_queue_t *q = NULL;
	jpki_platform_t *p = NULL;
	jpki_rev_t *rv = NULL;
	unsigned pending = 1, failed = 1;

	if (argc != 2 || jpki_init() != JPKI_OK)
		return 1;
	if (jpki_queue_new(&q, argv[1]) != JPKI_OK ||
	    jpki_queue_count(q, &pending, &failed) != JPKI_OK ||
	    pending != 0 || failed != 0)
		return 2;
	jpki_queue_free(&q);
	if (jpki_platform_new(&p) != JPKI_OK)
		return 3;
	jpki_platform_free(&p);
	if (jpki_rev_new(&rv) != JPKI_OK || jpki_rev_use_http(rv) != JPKI_OK)
		return 4;
	jpki_rev_free(&rv);
	jpki_exit();
	return strcmp(jpki_strerror_name(JPKI_ERR_QUEUED), "JPKI_ERR_QUEUED");
}
EOC
pflags=$(pc --cflags --libs jpki-platform)
t "pkg-config --cflags --libs jpki-platform" test -n "$pflags"
# shellcheck disable=SC2086
t "platform program built with pkg-config jpki-platform links" \
	$cc -std=c11 -o "$tmp/plat" "$tmp/static.c" $pflags
t "platform program runs against the staged libraries" \
	env LD_LIBRARY_PATH="$pre/lib" "$tmp/plat" "$tmp/queue1.db"
sflags=$(pc --static --cflags --libs jpki-platform)
t "pkg-config --static --cflags --libs jpki-platform" test -n "$sflags"
# shellcheck disable=SC2046,SC2086
t "platform program linked statically (pkg-config --static) links" \
	$cc -std=c11 -o "$tmp/static" "$tmp/static.c" $(static_libs $sflags)
t "static platform program does not need libjpki*.so" \
	sh -c "! readelf -d '$tmp/static' | grep -q 'libjpki'"
t "static platform program runs (SQLite queue, platform client)" \
	"$tmp/static" "$tmp/queue.db"

# Uninstall: DESTDIR left empty; a file it did not install stays.
t "make uninstall DESTDIR PREFIX=/usr/local" \
	make --no-print-directory BUILD="$build" DESTDIR="$stage" \
	PREFIX=/usr/local uninstall
t "uninstall leaves DESTDIR empty" \
	sh -c "[ -z \"\$(find '$stage' -mindepth 1 | head -n 5 | tee -a '$tmp/log')\" ]"
t "make install again" \
	make --no-print-directory BUILD="$build" DESTDIR="$stage" \
	PREFIX=/usr/local install
echo "not ours" > "$pre/bin/other-tool"
t "make uninstall with a foreign file in bin" \
	make --no-print-directory BUILD="$build" DESTDIR="$stage" \
	PREFIX=/usr/local uninstall
t "uninstall keeps the foreign file" test -f "$pre/bin/other-tool"
t "uninstall removed the rest" \
	sh -c "[ \"\$(find '$stage' -type f -o -type l)\" = '$pre/bin/other-tool' ]"

if [ "$fail" -ne 0 ]; then
	echo "check-install: log:"
	sed 's/^/  /' "$tmp/log" | tail -n 40
fi
echo "install: $pass passed, $fail failed"
if [ -n "$res" ]; then
	mkdir -p "$(dirname "$res")"
	echo "$pass $fail" > "$res"
fi
[ "$fail" -eq 0 ]
