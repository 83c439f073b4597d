#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# make check-packages: the Debian packages as a user gets them.
#   1. make dist's tarball unpacked in tests/tmp/packages/ (not this tree)
#      and built there with dpkg-buildpackage -us -uc -b;
#   2. lintian on the .changes: no error (warnings are printed);
#   3. every binary package built, with what it must and must not hold
#      (no package installs the modprobe blacklist);
#   4. installed into a throwaway root -- an overlayfs over / in a private
#      mount namespace (tests/e2e/packages_root.sh) -- and used there as a
#      user would (tests/e2e/packages_inside.sh), then purged;
#   5. the host's package database and files untouched.
# Prints "ok - ..." / "not ok - ..." lines (counted by tests/lib/tap-count.sh).
# Needs root (unshare, mount, chroot).
#
#   tests/e2e/packages.sh VERSION
set -u
v=$1
top=$(pwd)
T=$top/tests/tmp/packages
arch=$(dpkg --print-architecture)
# the ABI number (Makefile SOVERSION): the library packages' suffix
so=$(sed -n 's/^SOVERSION[[:space:]]*:=[[:space:]]*//p' Makefile)
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - $*"; }
no() { fail=$((fail + 1)); echo "not ok - $*"; }
t() {	# t DESCRIPTION CMD...
	td=$1; shift
	if "$@" >> "$T/check.log" 2>&1; then ok "$td"; else no "$td"; fi
}
finish() {
	echo "packages: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
}
if [ "$(id -u)" -ne 0 ]; then
	echo "packages: needs root (unshare, mount, chroot)" >&2
	exit 2
fi
rm -rf "$T"
mkdir -p "$T"
: > "$T/check.log"

t "host: no jpki package installed before" sh -c '! dpkg -l | grep -q jpki'
host_before=$(ls -d /usr/share/p11-kit/modules/jpki.module /usr/bin/jpki \
	/usr/lib/*/libjpki.so* 2>/dev/null)

# 1. the release tarball, built as a package outside this tree
t "make dist" sh tools/release/dist.sh "$v" "$T"
t "tarball unpacks" tar -C "$T" -xzf "$T/libjpki-$v.tar.gz"
if (cd "$T/libjpki-$v" && dpkg-buildpackage -us -uc -b -j2) \
		> "$T/build.log" 2>&1; then
	ok "dpkg-buildpackage -us -uc -b from the tarball"
else
	no "dpkg-buildpackage -us -uc -b from the tarball"
	tail -n 40 "$T/build.log" | sed 's/^/    /'
	finish
fi
changes=$T/libjpki_${v}_$arch.changes
if grep -q "symbols doesn't match completely" "$T/build.log"; then
	no "debian/libjpki$so.symbols, libjpki-platform$so.symbols list exactly the exports (run make symbols)"
	sed -n '/^--- debian\/libjpki.*\.symbols/,/^[^ +@-]/p' "$T/build.log" |
		grep '^[+-] ' | sed 's/^/    /'
else
	ok "debian/libjpki$so.symbols, libjpki-platform$so.symbols list exactly the exports"
fi
t ".changes written" test -f "$changes"

# 2. lintian: errors fail, warnings are shown
lintian --fail-on error --display-level '>=warning' "$changes" \
	> "$T/lintian.log" 2>&1
rc=$?
grep -v '^running with root privileges' "$T/lintian.log" | sed 's/^/    lintian: /'
if [ "$rc" -eq 0 ] && ! grep -q '^E: ' "$T/lintian.log"; then
	ok "lintian: no error ($(grep -c '^W: ' "$T/lintian.log") warnings)"
else
	no "lintian: no error (exit $rc)"
fi

# 3. the packages and what they hold
pkgs="libjpki$so libjpki-platform$so libjpki-data libjpki-dev libjpki-platform-dev jpki jpki-pkcs11 jpki-kiosk jpki-sandbox"
[ -f pam/module.mk ] && pkgs="$pkgs libpam-jpki"
debs=""
for p in $pkgs; do
	d=$T/${p}_${v}_$arch.deb
	[ "$p" = libjpki-data ] && d=$T/${p}_${v}_all.deb
	t "$p built" test -f "$d"
	debs="$debs $d"
	dpkg-deb -c "$d" 2>/dev/null | sed "s|^|$p |" >> "$T/contents"
done
has() { grep -q -E -- "^$1 .* \./$2( |\$)" "$T/contents"; }
t "no package installs the modprobe blacklist" \
	sh -c "! grep -q 'etc/modprobe.d' '$T/contents'"
t "jpki: the blacklist as an example" \
	has jpki usr/share/doc/jpki/examples/blacklist-jpki-nfc.conf
t "libjpki$so: shared library and soname link" \
	sh -c "grep -q '^libjpki$so .*libjpki.so.$v' '$T/contents' &&
	       grep -q '^libjpki$so .*libjpki.so.$so -> libjpki.so.$v' '$T/contents'"
t "libjpki-platform$so: shared library and soname link" \
	sh -c "grep -q '^libjpki-platform$so .*libjpki-platform.so.$v' '$T/contents' &&
	       grep -q '^libjpki-platform$so .*libjpki-platform.so.$so -> libjpki-platform.so.$v' '$T/contents'"
t "libjpki-data: the J-LIS roots, depended on by libjpki$so" sh -c "
	grep -q '^libjpki-data .*usr/share/jpki/roots/auth_ca_2023.pem' '$T/contents' &&
	dpkg-deb -f '$T/libjpki${so}_${v}_$arch.deb' Depends | grep -q 'libjpki-data (= $v)'"
t "libjpki$so, libjpki-platform$so: symbols files" sh -c "
	dpkg-deb -I '$T/libjpki${so}_${v}_$arch.deb' symbols | grep -q '^libjpki.so.$so libjpki$so' &&
	dpkg-deb -I '$T/libjpki-platform${so}_${v}_$arch.deb' symbols |
		grep -q '^libjpki-platform.so.$so libjpki-platform$so'"
# issue 10: the card library does not pull the platform's dependencies
t "libjpki$so depends on neither libcurl, jansson nor SQLite" sh -c "
	dpkg-deb -f '$T/libjpki${so}_${v}_$arch.deb' Depends > '$T/dep.lib';
	! grep -E 'curl|jansson|sqlite' '$T/dep.lib'"
t "libjpki-platform$so depends on libjpki$so, libcurl, jansson, SQLite" sh -c "
	dpkg-deb -f '$T/libjpki-platform${so}_${v}_$arch.deb' Depends > '$T/dep.pf';
	grep -q 'libjpki$so (>= $v)' '$T/dep.pf' && grep -q curl '$T/dep.pf' &&
	grep -q jansson '$T/dep.pf' && grep -q sqlite3 '$T/dep.pf'"
t "jpki-pkcs11 depends on no libjpki-platform, libcurl, jansson, SQLite" sh -c "
	! dpkg-deb -f '$T/jpki-pkcs11_${v}_$arch.deb' Depends |
		grep -E 'libjpki-platform|curl|jansson|sqlite'"
t "libjpki-dev: headers, jpki.pc, .so link, static archive, libjpki(3)" sh -c "
	grep -q '^libjpki-dev .*/libjpki.a\$' '$T/contents' &&
	grep -q '^libjpki-dev .*usr/include/jpki/jpki.h' '$T/contents' &&
	grep -q '^libjpki-dev .*usr/include/jpki/platform.h' '$T/contents' &&
	grep -q '^libjpki-dev .*pkgconfig/jpki.pc' '$T/contents' &&
	grep -q '^libjpki-dev .*/libjpki.so -> libjpki.so.$so' '$T/contents' &&
	grep -q '^libjpki-dev .*man3/libjpki.3' '$T/contents'"
t "libjpki-platform-dev: jpki-platform.pc, .so link, static archive" sh -c "
	grep -q '^libjpki-platform-dev .*/libjpki-platform.a\$' '$T/contents' &&
	grep -q '^libjpki-platform-dev .*pkgconfig/jpki-platform.pc' '$T/contents' &&
	grep -q '^libjpki-platform-dev .*/libjpki-platform.so -> libjpki-platform.so.$so' '$T/contents'"
t "jpki-pkcs11: module in the multiarch pkcs11 directory, p11-kit config" \
	sh -c "grep -q '^jpki-pkcs11 .*usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/pkcs11/jpki-pkcs11.so' '$T/contents' &&
	       grep -q '^jpki-pkcs11 .*usr/share/p11-kit/modules/jpki.module' '$T/contents'"
t "jpki: Recommends pcscd" sh -c \
	"dpkg-deb -f '$T/jpki_${v}_$arch.deb' Recommends | grep -q pcscd"
t "jpki-sandbox: jpki-cardsim and mykey-mock with man pages" sh -c "
	grep -q '^jpki-sandbox .*usr/bin/jpki-cardsim\$' '$T/contents' &&
	grep -q '^jpki-sandbox .*usr/bin/mykey-mock\$' '$T/contents' &&
	grep -q '^jpki-sandbox .*man1/jpki-cardsim.1.gz' '$T/contents' &&
	grep -q '^jpki-sandbox .*man1/mykey-mock.1.gz' '$T/contents'"
if [ -d tools/sandbox ]; then
	t "jpki-sandbox: jpki-sandbox and its man page" sh -c "
	grep -q '^jpki-sandbox .*usr/bin/jpki-sandbox\$' '$T/contents' &&
	grep -q '^jpki-sandbox .*man1/jpki-sandbox.1.gz' '$T/contents'"
fi
if [ -f pam/module.mk ]; then
	t "libpam-jpki: module, pam_jpki(8), /etc/security/pam_jpki.conf" sh -c "
	grep -q '^libpam-jpki .*/security/pam_jpki.so\$' '$T/contents' &&
	grep -q '^libpam-jpki .*man8/pam_jpki.8.gz' '$T/contents' &&
	grep -q '^libpam-jpki .*etc/security/pam_jpki.conf\$' '$T/contents'"
fi

# 4. a throwaway root: install, use, purge
mkdir -p "$T/debs"
# shellcheck disable=SC2086
cp $debs "$T/debs/"
unshare --mount --propagation private -- \
	sh tests/e2e/packages_root.sh "$T" "$v" "$pkgs" > "$T/root.out" 2>&1
rc=$?
cat "$T/root.out"
pass=$((pass + $(grep -c '^ok\b' "$T/root.out")))
fail=$((fail + $(grep -c '^not ok\b' "$T/root.out")))
[ "$rc" -eq 0 ] || grep -q '^not ok\b' "$T/root.out" ||
	no "throwaway root: exit $rc without a failure"

# 5. the host is as it was
t "host: no jpki package installed after (dpkg -l | grep jpki)" \
	sh -c '! dpkg -l | grep -q jpki'
host_after=$(ls -d /usr/share/p11-kit/modules/jpki.module /usr/bin/jpki \
	/usr/lib/*/libjpki.so* 2>/dev/null)
t "host: no package file appeared" test "$host_before" = "$host_after"
t "host: no overlay left mounted" sh -c "! grep -q '$T' /proc/mounts"
finish
