#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# What a packager or a user of the library gets (house-style §2.9):
#   - every public header compiles on its own, twice (include guard), as
#     strict C11 and as C++11, and declares its API extern "C";
#   - `make install DESTDIR=... PREFIX=/usr/local` stages the library with
#     its soname links, the headers and jpki.pc;
#   - a program built with `pkg-config --cflags --libs jpki` against the
#     staged tree links and runs, and the staged jpki finds its library
#     through its $ORIGIN-relative run path, not the build tree;
#   - a program linked with the staged libjpki.a through `pkg-config
#     --static` links and runs: jpki.pc names every library the archive
#     needs (issue 10: jansson and sqlite3 were missing);
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
t "libjpki.so.0 soname link" test -L "$pre/lib/libjpki.so.0"
t "libjpki.so development link" test -L "$pre/lib/libjpki.so"
t "real file behind the links" test -f "$(readlink -f "$pre/lib/libjpki.so")"
for h in include/jpki/*.h; do
	t "header $(basename "$h") installed" cmp -s "$h" \
		"$pre/include/jpki/$(basename "$h")"
done
t "jpki.pc installed" test -f "$pre/lib/pkgconfig/jpki.pc"
t "jpki.pc has prefix=/usr/local" grep -qx 'prefix=/usr/local' \
	"$pre/lib/pkgconfig/jpki.pc"
# pam_jpki: module, example configuration (SYSCONFDIR, not under PREFIX),
# man page; the module exports pam_sm_* and nothing else
t "pam_jpki.so installed in \$(LIBDIR)/security" test -f "$pre/lib/security/pam_jpki.so"
t "pam_jpki.so exports only pam_sm_*" sh -c \
	"nm -D --defined-only '$pre/lib/security/pam_jpki.so' | awk '\$2 != \"A\" {print \$3}' | grep -qvx 'pam_sm_[a-z_]*' && exit 1 || exit 0"
t "pam_jpki.conf installed in /etc/security" cmp -s pam/pam_jpki.conf \
	"$stage/etc/security/pam_jpki.conf"
t "pam_jpki.8 installed" test -f "$pre/share/man/man8/pam_jpki.8"

cat > "$tmp/use.c" <<'EOC'
#include <stdio.h>
#include <string.h>
#include <jpki/jpki.h>
#include <jpki/err.h>

int
main(void)
{
	/* a symbol from the library, not the header */
	return strcmp(jpki_strerror_name(JPKI_ERR_PIN_LOCKED),
	    "JPKI_ERR_PIN_LOCKED") != 0;
}
EOC
flags=$(PKG_CONFIG_PATH=$pre/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$stage \
	pkg-config --cflags --libs jpki 2>> "$tmp/log")
t "pkg-config --cflags --libs jpki" test -n "$flags"
# shellcheck disable=SC2086
t "program built with pkg-config flags links" $cc -std=c11 -o "$tmp/use" \
	"$tmp/use.c" $flags
t "program runs against the staged library" \
	env LD_LIBRARY_PATH="$pre/lib" "$tmp/use"
if [ -x "$pre/bin/jpki" ]; then
	t "staged jpki runs from its own lib (\$ORIGIN run path)" \
		"$pre/bin/jpki" --version
	t "staged jpki has no build-tree run path" \
		sh -c "! readelf -d '$pre/bin/jpki' | grep -q '$(pwd)'"
fi

# Static: libjpki.a from the staged tree, its dependencies from
# `pkg-config --static`.  The program reaches the SQLite queue and the
# platform client (libcurl, jansson), so every private dependency is needed.
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
	jpki_exit();
	return strcmp(jpki_strerror_name(JPKI_ERR_QUEUED), "JPKI_ERR_QUEUED");
}
EOC
t "libjpki.a installed" test -f "$pre/lib/libjpki.a"
sflags=$(PKG_CONFIG_PATH=$pre/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$stage \
	pkg-config --static --cflags --libs jpki 2>> "$tmp/log")
t "pkg-config --static --cflags --libs jpki" test -n "$sflags"
# -l:libjpki.a: the archive even though libjpki.so sits beside it
# shellcheck disable=SC2086
t "program linked statically with pkg-config --static links" \
	$cc -std=c11 -o "$tmp/static" "$tmp/static.c" \
	$(printf '%s\n' $sflags | sed 's/^-ljpki$/-l:libjpki.a/')
t "static program does not need libjpki.so" \
	sh -c "! readelf -d '$tmp/static' | grep -q 'libjpki\.so'"
t "static program runs (SQLite queue, platform client)" \
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
