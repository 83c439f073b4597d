#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# Inside the throwaway root of tests/e2e/packages_root.sh (chroot, own
# network namespace, empty /tmp and /run): use the installed packages as a
# user would, with nothing from the build tree and no configuration.
# Prints "ok - ..." / "not ok - ..." lines.
#
#   /tmp/inside.sh VERSION
set -u
v=$1
W=/tmp/work
mkdir -p "$W" "$HOME"
ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null ||
	gcc -print-multiarch)
PIDS=""
ok() { echo "ok - $*"; }
no() { echo "not ok - $*"; sed 's/^/    /' "$W/out" | tail -n 15; }
t() {
	td=$1; shift
	if "$@" > "$W/out" 2>&1; then ok "$td"; else no "$td"; fi
}
cleanup() {
	for p in $PIDS; do kill -TERM "$p" 2>/dev/null; done
	for p in $PIDS; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1; i=$((i + 1))
		done
		kill -KILL "$p" 2>/dev/null
	done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- installed files -------------------------------------------------------
t "jpki --version prints $v" sh -c "jpki --version | grep -qx 'jpki $v'"
t "jpki, jpki-kiosk, jpki-cardsim, mykey-mock on PATH" \
	sh -c 'command -v jpki && command -v jpki-kiosk &&
	       command -v jpki-cardsim && command -v mykey-mock'
# (/lib is /usr/lib on Debian 12: ld.so's cache may name either)
t "tools use the library in the multiarch directory (no run path)" sh -c "
	ldd /usr/bin/jpki; readelf -d /usr/bin/jpki | grep PATH;
	ldd /usr/bin/jpki | grep -q -E 'libjpki.so.1 => (/usr)?/lib/$ma/libjpki.so.1' &&
	ldd /usr/bin/jpki | grep -q -E 'libjpki-platform.so.1 => (/usr)?/lib/$ma/libjpki-platform.so.1' &&
	! readelf -d /usr/bin/jpki | grep -q -E 'RPATH|RUNPATH'"
t "man pages: jpki(1), libjpki(3), jpki-pkcs11(8), jpki-cardsim(1)" sh -c '
	for m in man1/jpki.1 man3/libjpki.3 man8/jpki-pkcs11.8 \
		man1/jpki-cardsim.1 man1/mykey-mock.1 man1/jpki-kiosk.1; do
		test -f /usr/share/man/$m.gz || { echo "no $m"; exit 1; }
	done'
t "modprobe blacklist not installed, shipped as an example" sh -c '
	! ls /etc/modprobe.d/ | grep -q jpki &&
	test -f /usr/share/doc/jpki/examples/blacklist-jpki-nfc.conf'
t "bundled J-LIS roots in /usr/share/jpki/roots" \
	sh -c 'ls /usr/share/jpki/roots/*.pem | grep -q .'
if [ -d /tmp/debs ] && ls /tmp/debs/jpki-sandbox_* > /dev/null 2>&1 &&
		dpkg -L jpki-sandbox | grep -q '/usr/bin/jpki-sandbox$'; then
	t "jpki-sandbox --help" jpki-sandbox --help
fi
if dpkg -s libpam-jpki > /dev/null 2>&1; then
	t "pam_jpki.so in the PAM module directory, its config in /etc" sh -c "
		ls /lib/$ma/security/pam_jpki.so /usr/lib/$ma/security/pam_jpki.so \
			2>/dev/null | grep -q . && test -f /etc/security/pam_jpki.conf"
fi

# --- p11-kit: the module with no configuration -----------------------------
t "no PKCS#11 configuration besides the packages' (no env, no ~/.config)" \
	sh -c '! env | grep -q -i p11 && ! test -e "$HOME/.config/pkcs11" &&
	       ! ls /etc/pkcs11/modules 2>/dev/null | grep -q jpki'
p11-kit list-modules > "$W/p11" 2>&1
cp "$W/p11" "$W/out"
t "p11-kit list-modules shows the jpki module" sh -c "cat '$W/p11';
	grep -q '^jpki: jpki-pkcs11.so\$' '$W/p11' &&
	grep -q 'library-description: My Number Card (JPKI)' '$W/p11'"

# --- pkg-config: build and run a program against the installed library ----
cat > "$W/use.c" <<'EOC'
#include <stdio.h>
#include <string.h>
#include <jpki/jpki.h>
#include <jpki/err.h>

int
main(void)
{
	printf("%s %s\n", JPKI_VERSION_STRING,
	    jpki_strerror_name(JPKI_ERR_PIN_LOCKED));
	return strcmp(jpki_strerror_name(JPKI_ERR_PIN_LOCKED),
	    "JPKI_ERR_PIN_LOCKED") != 0;
}
EOC
t "pkg-config --cflags --libs jpki" sh -c 'pkg-config --cflags --libs jpki &&
	test "$(pkg-config --modversion jpki)" = '"$v"
t "a program built with pkg-config's flags links" sh -c \
	"cc -std=c11 -Wall -Werror -o '$W/use' '$W/use.c' \$(pkg-config --cflags --libs jpki)"
t "... and runs against /usr/lib/$ma/libjpki.so.1" sh -c "
	'$W/use'; ldd '$W/use';
	'$W/use' | grep -qx '$v JPKI_ERR_PIN_LOCKED' &&
	ldd '$W/use' | grep -q -E '(/usr)?/lib/$ma/libjpki.so.1'"
# issue 10: a card-only program pulls none of the platform's libraries
t "... and ldd shows no libjpki-platform, libcurl, libjansson, libsqlite3" \
	sh -c "ldd '$W/use' > '$W/use.ldd' &&
	! grep -E 'libjpki-platform|libcurl|libjansson|libsqlite3' '$W/use.ldd'"
cat > "$W/pf.c" <<'EOC'
#include <jpki/platform.h>

int
main(void)
{
	jpki_platform_t *p = NULL;

	if (jpki_platform_new(&p) != JPKI_OK)
		return 1;
	jpki_platform_free(&p);
	return 0;
}
EOC
t "a platform program built with pkg-config jpki-platform links and runs" \
	sh -c "cc -std=c11 -Wall -Werror -o '$W/pf' '$W/pf.c' \
		\$(pkg-config --cflags --libs jpki-platform) && '$W/pf'"

# --- a virtual card read by the installed tools ----------------------------
# card_up: pcscd with the vpcd driver and the installed jpki-cardsim on a
# synthetic profile, as tests/e2e/*.sh do.  When the jpki-sandbox package
# holds jpki-sandbox, `jpki-sandbox up` is tried at the end as well; it
# could replace this body (the checks below need only a card in the first
# reader, and PCSCLITE_CSOCK_NAME from `jpki-sandbox env`).
PORT=35963
card_up() {
	mkdir -p "$W/reader.conf.d" /run/pcscd
	cat > "$W/reader.conf.d/vpcd" <<EOC
FRIENDLYNAME "Virtual PCD"
DEVICENAME   /dev/null:$PORT
LIBPATH      /usr/lib/pcsc/drivers/serial/libifdvpcd.so
CHANNELID    $PORT
EOC
	pcscd --foreground -c "$W/reader.conf.d" > "$W/pcscd.log" 2>&1 &
	PIDS="$PIDS $!"
	i=0
	while ! ss -ltn 2>/dev/null | grep -q ":$PORT " && [ $i -lt 100 ]; do
		sleep 0.05; i=$((i + 1))
	done
	jpki-cardsim gen-profile --out "$W/profile" --auth-serial 5EED1234 \
		> "$W/gen.log" 2>&1 || return 1
	jpki-cardsim --profile "$W/profile" --port "$PORT" \
		> "$W/cardsim.log" 2>&1 &
	PIDS="$PIDS $!"
}
if card_up; then
	ok "pcscd + vpcd + the installed jpki-cardsim (synthetic profile)"
else
	cp "$W/gen.log" "$W/out"
	no "pcscd + vpcd + the installed jpki-cardsim (synthetic profile)"
fi
t "jpki info reads the card" sh -c "jpki info --wait 15 > '$W/info' 2>&1;
	cat '$W/info'; grep -q 'Applications:  JPKI yes' '$W/info'"
jpki doctor > "$W/doctor" 2>&1
rc=$?
cp "$W/doctor" "$W/out"
if [ "$rc" -eq 0 ] && grep -q 'a My Number Card' "$W/doctor"; then
	ok "jpki doctor: exit 0, sees pcscd and a My Number Card"
else
	no "jpki doctor: exit 0, sees pcscd and a My Number Card (exit $rc)"
fi
# a USB NFC driver loaded (a fake /proc/modules; usr/ is the real one): the
# packaged jpki points at the example the package ships, not at make
R=$W/sysroot
mkdir -p "$R/proc" "$R/etc/modprobe.d"
ln -s /usr "$R/usr"
printf 'pn533_usb 20480 0 - Live 0x0\n' > "$R/proc/modules"
t "jpki doctor with pn533_usb loaded: fix copies the packaged example" sh -c "
	JPKI_DOCTOR_SYSROOT='$R' jpki doctor > '$W/doc2' 2>&1; cat '$W/doc2';
	test -f /usr/share/doc/jpki/examples/blacklist-jpki-nfc.conf &&
	grep -q \"fix: 'cp /usr/share/doc/jpki/examples/blacklist-jpki-nfc.conf /etc/modprobe.d/'\" '$W/doc2' &&
	! grep -q 'make install-udev' '$W/doc2'"
t "p11-kit list-modules: the card's tokens under the jpki module" sh -c "
	p11-kit list-modules > '$W/p11' 2>&1; cat '$W/p11';
	sed -n '/^jpki: /,/^[^ ]/p' '$W/p11' |
		grep -q 'token: JPKI User Authentication'"
t "p11tool (GnuTLS, through p11-kit) lists the card's token" sh -c "
	p11tool --list-tokens > '$W/tok' 2>&1; cat '$W/tok';
	grep -q 'token=JPKI%20User%20Authentication' '$W/tok'"

# --- the same through the installed jpki-sandbox, once it is packaged -----
if command -v jpki-sandbox > /dev/null; then
	cleanup
	PIDS=""
	SB=$W/sandbox
	t "jpki-sandbox up" sh -c "timeout 120 jpki-sandbox --dir '$SB' up"
	t "jpki info reads the sandbox's card (eval \$(jpki-sandbox env))" sh -c "
		rm -f '$W/info'
		eval \"\$(jpki-sandbox --dir '$SB' env)\" || exit 1
		test -n \"\$PCSCLITE_CSOCK_NAME\" || exit 1
		jpki info --wait 15 > '$W/info' 2>&1; cat '$W/info';
		grep -q 'Applications:  JPKI yes' '$W/info'"
	t "jpki-sandbox down" sh -c "timeout 60 jpki-sandbox --dir '$SB' down"
fi
exit 0
