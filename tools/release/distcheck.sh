#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# make distcheck: the release tarball alone is enough to build, test and
# install.  Unpacked in a fresh directory outside this tree (not a git
# checkout), it must build (make -j2 all), pass TARGET (make check by
# default: the whole suite again, as long as the first run), install with
# DESTDIR, and `make clean` must leave exactly the files of the tarball.
# Prints "ok - ..." / "not ok - ..." lines.
#
#   tools/release/distcheck.sh TARBALL [TARGET]
set -u
tarball=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
target=${2:-check}	# one make target or several, space-separated
name=$(basename "$tarball" .tar.gz)
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - $*"; }
no() { fail=$((fail + 1)); echo "not ok - $*"; }
tmp=$(mktemp -d /tmp/libjpki-distcheck.XXXXXX)
# mktemp makes it 0700; parts of make check run as other users (nobody for
# the sandbox walkthrough, a synthetic user for su in check-pam) and must
# reach the unpacked tree as they reach a checkout
chmod 0755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
log=$tmp/log
step() {	# step DESCRIPTION CMD...: output to the terminal on failure
	sd=$1; shift
	if "$@" > "$log" 2>&1; then
		ok "$sd"
	else
		no "$sd"
		tail -n 40 "$log" | sed 's/^/    /'
	fi
}

tar -tzf "$tarball" | sed "s|^$name/||; /^\$/d; /\/\$/d" | sort > "$tmp/dist.list"
if grep -E '^(build|build-[a-z]+|tests/tmp)/|\.(o|d|a|so|deb)$' \
		"$tmp/dist.list" > "$tmp/gen"; then
	no "nothing generated in the tarball: $(head -n 3 "$tmp/gen" | tr '\n' ' ')"
else
	ok "nothing generated in the tarball ($(wc -l < "$tmp/dist.list") files)"
fi
step "unpacks outside the tree" tar -C "$tmp" -xzf "$tarball"
src=$tmp/$name
step "VERSION in the tarball names it" \
	test "libjpki-$(cat "$src/VERSION" 2>/dev/null)" = "$name"
step "make -j2 all in the unpacked tree" make -C "$src" -j2 all
# make check prints its own closing line; the summary goes to our output
# shellcheck disable=SC2086
# the inner counts stay in the unpacked tree (not in our JPKI_RESULTS)
if env -u JPKI_RESULTS make -C "$src" $target > "$log" 2>&1; then
	sum=$(grep -E "^check: [0-9]+ passed" "$log" | tail -n 1)
	ok "make $target in the unpacked tree${sum:+: $sum}"
else
	sum=$(grep -E "^check: [0-9]+ passed" "$log" | tail -n 1)
	no "make $target in the unpacked tree${sum:+: $sum}"
	mkdir -p tests/tmp && cp "$log" tests/tmp/distcheck-check.log &&
		echo "    (the whole log: tests/tmp/distcheck-check.log)"
	for f in "$src"/tests/tmp/*/check.log; do
		grep -q '^not ok' "$f" 2>/dev/null || continue
		k=tests/tmp/distcheck/${f#"$src"/tests/tmp/}
		mkdir -p "$(dirname "$k")" && cp "$f" "$k" &&
			echo "    (a failing suite's log: $k)"
	done
	tail -n 20 "$log" | sed 's/^/    /'
	grep -E '^(not ok|make check: .* FAILED)' "$log" | head -n 20 | sed 's/^/    /'
fi
step "make install DESTDIR=... PREFIX=/usr" \
	make -C "$src" install DESTDIR="$tmp/stage" PREFIX=/usr
step "installed jpki runs" sh -c "LD_LIBRARY_PATH='$tmp/stage/usr/lib' \
	'$tmp/stage/usr/bin/jpki' --version | grep -qx 'jpki $(cat "$src/VERSION")'"
step "make clean" make -C "$src" clean
(cd "$src" && find . -type f -o -type l) | sed 's|^\./||' | sort > "$tmp/left.list"
if cmp -s "$tmp/dist.list" "$tmp/left.list"; then
	ok "make clean leaves exactly the distributed files"
else
	no "make clean leaves exactly the distributed files"
	diff "$tmp/dist.list" "$tmp/left.list" | head -n 20 | sed 's/^/    /'
fi
echo "distcheck: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
