#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# The throwaway root of tests/e2e/packages.sh, run in a private mount
# namespace (unshare --mount --propagation private): an overlayfs over /
# whose upper layer is a tmpfs, so that dpkg inside writes only there and
# everything vanishes with the namespace.  Installs T/debs/*.deb with dpkg
# (a missing dependency is fetched with apt-get inside the overlay, never
# on the host), runs tests/e2e/packages_inside.sh in it (chroot, in its own
# network namespace for pcscd and vpcd), then purges the packages.
#
#   tests/e2e/packages_root.sh T VERSION "PACKAGES"
set -u
T=$1
v=$2
pkgs=$3
ok() { echo "ok - $*"; }
no() { echo "not ok - $*"; }
log=$T/root.log
: > "$log"
t() {
	td=$1; shift
	if "$@" >> "$log" 2>&1; then ok "$td"; else no "$td"; fi
}
die() { no "$*"; tail -n 30 "$log" | sed 's/^/    /'; exit 1; }

O=$T/ovl
mkdir -p "$O"
# overlayfs refuses an upper layer inside its lower one (/): the upper and
# work directories live on a tmpfs of their own.
mount -t tmpfs -o mode=0755,size=2g jpki-packages "$O" >> "$log" 2>&1 ||
	die "tmpfs for the overlay"
mkdir -p "$O/upper" "$O/work" "$O/root"
R=$O/root
mount -t overlay jpki-packages \
	-o "lowerdir=/,upperdir=$O/upper,workdir=$O/work" "$R" >> "$log" 2>&1 ||
	die "overlayfs over /"
# the kernel's file systems, and empty /tmp and /run (pcscd's socket)
if ! { mount --rbind /dev "$R/dev" && mount -t proc proc "$R/proc" &&
	mount --rbind /sys "$R/sys" && mount -t tmpfs tmp "$R/tmp" &&
	mount -t tmpfs -o mode=0755 run "$R/run"; } >> "$log" 2>&1; then
	die "/dev, /proc, /sys, /tmp, /run in the root"
fi
ok "throwaway root: overlayfs over / in a private mount namespace"

mkdir -p "$R/tmp/debs"
cp "$T"/debs/*.deb "$R/tmp/debs/"
# A missing dependency leaves the packages unpacked; apt-get -f inside the
# root fetches it there.  Either way every package must end up installed.
if ! chroot "$R" sh -c 'dpkg -i /tmp/debs/*.deb' >> "$log" 2>&1; then
	echo "    dpkg -i failed; apt-get -f install in the root" >> "$log"
	chroot "$R" env DEBIAN_FRONTEND=noninteractive apt-get -y -q -f \
		--no-install-recommends install >> "$log" 2>&1
fi
bad=""
for p in $pkgs; do
	st=$(chroot "$R" dpkg-query -W -f '${Status}' "$p" 2>> "$log")
	[ "$st" = "install ok installed" ] || bad="$bad $p"
done
[ -z "$bad" ] || die "dpkg -i: not installed:$bad"
ok "dpkg -i: $pkgs installed in the root"

# As a user: no build tree, only what the packages installed.
cp tests/e2e/packages_inside.sh "$R/tmp/inside.sh"
unshare --net -- sh -c 'ip link set lo up && exec chroot "$1" env -i \
	PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME=/tmp/home \
	LANG=C.UTF-8 /bin/sh /tmp/inside.sh "$2"' inside "$R" "$v"
rc=$?
[ "$rc" -eq 0 ] || echo "    (inside: exit $rc)"

# shellcheck disable=SC2086
t "dpkg --purge every package" chroot "$R" dpkg --purge $pkgs
t "after purge: no jpki package left" sh -c "! chroot '$R' dpkg -l | grep -q '^[ir][iU] .*jpki'"
t "after purge: library, module and p11-kit config gone" sh -c "
	! ls '$R'/usr/lib/*/libjpki.so* '$R'/usr/lib/*/pkcs11/jpki-pkcs11.so \
	     '$R'/usr/share/p11-kit/modules/jpki.module '$R'/usr/bin/jpki \
	     2>/dev/null | grep -q ."
t "after purge: p11-kit no longer lists jpki" sh -c \
	"! chroot '$R' p11-kit list-modules 2>/dev/null | grep -q '^jpki: '"
# (the namespace's end would unmount them too)
umount -R "$R" 2>> "$log" || true
umount "$O" 2>> "$log" || true
exit 0
