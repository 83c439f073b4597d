#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# make dist: OUTDIR/libjpki-VERSION.tar.gz holding exactly the files git
# tracks (git ls-files), as they are in the work tree, under the directory
# libjpki-VERSION/.  Nothing generated goes in: the build, tests/tmp and
# packages are untracked.  Owners, order and times are fixed (the last
# commit's time), so the same tree gives the same tarball.
#
#   tools/release/dist.sh VERSION [OUTDIR]
set -eu
v=$1
out=${2:-.}
name=libjpki-$v
if ! git rev-parse --is-inside-work-tree > /dev/null 2>&1; then
	echo "dist: not a git checkout: the file list is 'git ls-files'" >&2
	exit 1
fi
top=$(git rev-parse --show-toplevel)
if [ "$(cat "$top/VERSION")" != "$v" ]; then
	echo "dist: VERSION says $(cat "$top/VERSION"), asked for $v" >&2
	exit 1
fi
if [ -n "$(git -C "$top" status --porcelain --untracked-files=no)" ]; then
	echo "dist: warning: uncommitted changes to tracked files go in" >&2
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# tracked files deleted in the work tree are left out
git -C "$top" ls-files -z | (cd "$top" && xargs -0 -r sh -c \
	'for f; do [ -e "$f" ] || [ -L "$f" ] && printf "%s\0" "$f"; done' sh) \
	> "$tmp/list"
mtime=$(git -C "$top" log -1 --format=%ct 2>/dev/null || date +%s)
(cd "$top" && tar --null -T "$tmp/list" --sort=name --owner=0 --group=0 \
	--numeric-owner --mtime="@$mtime" --mode='u+rw,go-w,a+rX' \
	--transform "flags=r;s|^|$name/|" -cf "$tmp/$name.tar")
gzip -n -9 < "$tmp/$name.tar" > "$out/$name.tar.gz.tmp"
mv "$out/$name.tar.gz.tmp" "$out/$name.tar.gz"
echo "dist: $out/$name.tar.gz ($(tr -cd '\0' < "$tmp/list" | wc -c) files)"
