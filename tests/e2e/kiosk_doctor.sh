#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# `jpki doctor` against real pcscd, vpcd and jpki-cardsim: a My Number
# Card and another card, the NFC-driver and USB-reader checks on a fake
# system tree (JPKI_DOCTOR_SYSROOT), and pcscd stopped.  Run under
# tests/lib/isolated.sh.
set -u
H_TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$H_TOP/tests/lib/harness.sh"
h_init "kiosk_doctor-$$"
H_NAME=kiosk_doctor
J=$H_BIN/jpki

doc() {
	"$J" doctor "$@" > "$H_DIR/out" 2>&1
	RC=$?
}
has() { grep -q -E -- "$1" "$H_DIR/out"; }
t() {
	desc=$1; shift
	if "$@"; then h_ok "$desc"; else h_fail "$desc"; sed 's/^/    /' "$H_DIR/out"; fi
}

h_pcscd_start || exit 1
P=$(h_profile doc --auth-serial 5EED1234)
h_card_start_slot 0 "$P" > /dev/null 2>&1
h_card_start_slot 1 "$P" --sw-at 1:6A82 > /dev/null 2>&1

doc
t "healthy setup: exit 0" test "$RC" -eq 0
t "  pcscd socket answers, pcscd running" \
	sh -c "grep -q -E '^\[ok  \] pcscd socket .*answers' '$H_DIR/out' && grep -q -E '^\[ok  \] pcscd  .*running' '$H_DIR/out'"
t "  two readers" has '^\[ok  \] readers +2 readers'
t "  slot 0: a My Number Card, issuance number tail shown" \
	has 'Virtual PCD 00 00: a My Number Card .*\.\.\.1234'
t "  slot 1: not a My Number Card, with a fix" \
	has 'Virtual PCD 00 01: the card is not a My Number Card'
doc --json
t "--json: one object, checks with status, no failure" \
	sh -c "jq -e '.failed == 0 and (.checks | length) >= 5 and ([.checks[] | select(.check == \"card\" and .status == \"ok\")] | length) >= 1' '$H_DIR/out' > /dev/null"

# a fake system: pn533_usb loaded, an RC-S380 and an RC-S300 on USB, our
# blacklist installed
R=$H_DIR/root
mkdir -p "$R/proc/42" "$R/etc/modprobe.d" "$R/sys/bus/usb/devices/1-1" \
	"$R/sys/bus/usb/devices/1-2"
echo pcscd > "$R/proc/42/comm"
printf 'pn533_usb 20480 0 - Live 0x0\npn533 45056 1 pn533_usb, Live 0x0\nnfc 135168 1 pn533, Live 0x0\n' > "$R/proc/modules"
cp "$H_TOP/udev/blacklist-jpki-nfc.conf" "$R/etc/modprobe.d/"
echo 054c > "$R/sys/bus/usb/devices/1-1/idVendor"
echo 06c3 > "$R/sys/bus/usb/devices/1-1/idProduct"
echo 054c > "$R/sys/bus/usb/devices/1-2/idVendor"
echo 0dc8 > "$R/sys/bus/usb/devices/1-2/idProduct"
JPKI_DOCTOR_SYSROOT=$R doc
t "fake system: exit 1 (an RC-S380 cannot work)" test "$RC" -eq 1
t "  RC-S380: no PC/SC driver, use an RC-S300" \
	has 'FAIL\] USB reader +Sony RC-S380 \(054c:06c3\)'
t "  RC-S300: fine with libccid" has 'ok  \] USB reader +Sony RC-S300/S'
t "  pn533_usb loaded: warned, with modprobe -r as the fix" \
	sh -c "grep -q 'module pn533_usb is loaded' '$H_DIR/out' && grep -q 'modprobe -r pn533_usb pn533 nfc' '$H_DIR/out'"
t "  installed blacklist recognised" has 'blacklist installed'
# the same drivers without the blacklist: the fix depends on where this
# jpki comes from
rm "$R/etc/modprobe.d/blacklist-jpki-nfc.conf"
JPKI_DOCTOR_SYSROOT=$R doc
t "no blacklist, jpki from the build tree: fix is make install-udev" \
	has "fix: 'make install-udev' in $(cd "$H_TOP" && pwd -P) "
# an installed jpki: the same binary outside any source tree
mkdir -p "$H_DIR/inst/bin"
cp "$J" "$H_DIR/inst/bin/jpki"
ln -s "$(cd "$H_BIN/../lib" && pwd)" "$H_DIR/inst/lib"
J_BUILD=$J
J=$H_DIR/inst/bin/jpki
JPKI_DOCTOR_SYSROOT=$R doc
t "installed jpki, no packaged example: the file of the sources, no make" \
	sh -c "grep -q 'fix: install udev/blacklist-jpki-nfc.conf of the jpki sources as /etc/modprobe.d/' '$H_DIR/out' && ! grep -q 'make install-udev' '$H_DIR/out'"
mkdir -p "$R/usr/share/doc/jpki/examples"
cp "$H_TOP/udev/blacklist-jpki-nfc.conf" "$R/usr/share/doc/jpki/examples/"
JPKI_DOCTOR_SYSROOT=$R doc
t "packaged jpki: fix copies the packaged example, no make install-udev" \
	sh -c "grep -q \"fix: 'cp /usr/share/doc/jpki/examples/blacklist-jpki-nfc.conf /etc/modprobe.d/' as root, then 'modprobe -r pn533_usb pn533 nfc'\" '$H_DIR/out' && ! grep -q 'make install-udev' '$H_DIR/out'"
J=$J_BUILD
rm "$R/proc/modules"
JPKI_DOCTOR_SYSROOT=$R doc
t "no module loaded, no blacklist: ok, the blacklist named as optional" \
	has 'ok  \] kernel NFC +no kernel NFC driver loaded \(blacklist not installed'

h_card_stop 0
h_card_stop 1
h_pcscd_stop
# other people's pcscd may run in other namespaces (same pid space): look
# at a /proc without any
rm -rf "$R/proc/42"
JPKI_DOCTOR_SYSROOT=$R doc
t "pcscd stopped: exit 1" test "$RC" -eq 1
t "  the socket check fails and says how to start pcscd" \
	has 'FAIL\] pcscd socket.*no socket'
t "  ... fix: install and start pcscd" has 'systemctl enable --now pcscd.socket'

[ "$H_FAIL" -eq 0 ] && rm -rf "$H_DIR"
h_done
