#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# check-sandbox: the README's "Sandbox for application developers"
# walkthrough, taken from README.md and run line by line as written
# (tests/e2e/sandbox_walk.sh), first as root from the build tree, then as
# an unprivileged user (nobody) from a copy laid out like an install, with
# /run/pcscd absent (a user cannot create it; the sandbox covers /run in its
# own namespace instead) and the state directory in $XDG_RUNTIME_DIR.  The commands run outside the sandbox's
# namespaces and reach pcscd through PCSCLITE_CSOCK_NAME.  After `down`:
# no process left, the state directory gone.  Then the robustness cases:
# a second `up`, a directory that is not a sandbox, a stale pid file naming
# a stranger, `down` after pcscd died.  Runs under tests/lib/isolated.sh,
# so that the sandbox's "host loopback" is this test's own.
set -u
H_TOP=${H_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$H_TOP/tests/lib/harness.sh"
h_init sandbox

LOG=$H_DIR/check.log
SB=$H_BIN/jpki-sandbox
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"
STAGE=
RUN_TMPFS=

# t DESC TEST...: one check
t() {
	desc=$1; shift
	if "$@" >> "$LOG" 2>&1; then h_ok "$desc"; else h_fail "$desc"; fi
}
has() { printf '%s' "$1" | grep -q -- "$2"; }
hasnt() { ! printf '%s' "$1" | grep -q -- "$2"; }
# gone, or a zombie that init has not reaped yet (in a container, PID 1
# may be slow to)
dead() {
	! kill -0 "$1" 2>/dev/null ||
		grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# Whatever a failed check left running is stopped, as its owner.
sb_cleanup() {
	for d in "$H_DIR/root-state" /run/user/65534/jpki-sandbox "$H_DIR/rb"; do
		[ -f "$d/.jpki-sandbox" ] || continue
		if [ "$(stat -c %u "$d")" = 0 ]; then
			"$SB" --dir "$d" down --keep > /dev/null 2>&1
		else
			$NOBODY "$STAGE/bin/jpki-sandbox" --dir "$d" down \
				> /dev/null 2>&1
		fi
	done
	[ -z "$STAGE" ] || rm -rf "$STAGE"
	[ -z "$RUN_TMPFS" ] || umount /run 2>/dev/null
	return 0
}
trap 'sb_cleanup; h_cleanup' EXIT

# --- the walkthrough, from README.md -------------------------------------
WALK=$H_DIR/walkthrough.sh
awk '/<!-- check-sandbox: walkthrough/ { m = 1; next }
	m == 1 && /^```sh$/ { m = 2; next }
	m == 2 && /^```$/ { exit }
	m == 2 { print }' "$H_TOP/README.md" > "$WALK"
t "README.md has the sandbox walkthrough" grep -q '^jpki-sandbox up' "$WALK"

# section K PATTERN: the output of the K-th walkthrough command whose text
# contains PATTERN (fixed string)
section() {
	awk -v k="$1" -v pat="$2" '
		/^=== [0-9]+ \$ / { if (index($0, pat)) { c++; on = (c == k) }
			else on = 0; next }
		/^=== [0-9]+ exit / { if (on) exit; next }
		on { print }' "$OUT"
}

# named STRING: live processes (other than this shell) whose command line
# contains STRING
named() {
	for f in /proc/[0-9]*/cmdline; do
		p=${f#/proc/}
		p=${p%/cmdline}
		[ "$p" != "$$" ] && ! dead "$p" || continue
		if tr '\0' ' ' < "$f" 2>/dev/null | grep -qF -- "$1"; then
			printf '%s: %s\n' "$p" "$(tr '\0' ' ' < "$f")"
		fi
	done
}

# walk NAME: check a finished walkthrough transcript $OUT
walk_checks() {
	w=$1
	n=$(grep -c '^=== [0-9]* exit ' "$OUT")
	t "$w: every command of the walkthrough ran ($n)" \
		test "$n" -eq "$(grep -c '^=== [0-9]* \$ ' "$OUT")" -a "$n" -ge 20
	grep '^=== [0-9]* exit ' "$OUT" | while read -r _ i _ rc _; do
		# the harness echoes its messages: keep backslashes literal
		c=$(sed -n "s/^=== $i \\$ //p" "$OUT" | head -n 1 |
			sed 's/\\/\\\\/g')
		if [ "$rc" -eq 0 ]; then
			printf 'ok - %s: $ %s\n' "$w" "$c"
		else
			printf 'not ok - %s: $ %s (exit %s)\n' "$w" "$c" "$rc"
		fi
	done > "$H_DIR/rc.$w"
	while read -r res; do
		case $res in
		ok*) h_ok "${res#ok - }" ;;
		*) h_fail "${res#not ok - }" ;;
		esac
	done < "$H_DIR/rc.$w"
	# seconds each command took, for the log
	awk '/^=== start / { t = substr($3, 2) + 0 }
		/^=== [0-9]+ \$ / { c = $0 }
		/^=== [0-9]+ exit / { e = substr($5, 2) + 0
			printf "# %5.1f s  %s\n", e - t, substr(c, 5); t = e }' \
		"$OUT" > "$H_DIR/times.$w"
	cat "$H_DIR/times.$w" >> "$LOG"
	s=$(section 1 'jpki-sandbox up')
	t "$w: up prints the PC/SC env line" has "$s" \
		'export PCSCLITE_CSOCK_NAME=/proc/[0-9]*/root/run/pcscd/pcscd.comm'
	t "$w: ... the reader, PINs, PKCS#11 module" test -n \
		"$(has "$s" 'reader  *Virtual PCD 00 00' &&
		has "$s" 'test PINs  *authentication PIN [0-9]\{4\}' &&
		has "$s" 'PKCS#11 module  */' && echo y)"
	t "$w: ... the platform URL, CA file, client credentials" test -n \
		"$(has "$s" 'URL  *https://127.0.0.1:18443' &&
		has "$s" 'TLS CA file  */.*tls.crt' &&
		has "$s" 'client id  *cli_' && has "$s" 'client secret  *.' &&
		echo y)"
	set -- $(cat "$OUT.ns" 2>/dev/null)
	t "$w: the commands ran outside the sandbox's network namespace" \
		test -n "${2:-}" -a "${1:-}" != "${2:-}"
	t "$w: jpki readers: a card in Virtual PCD 00 00" \
		has "$(section 1 'jpki readers')" '^0: Virtual PCD 00 00  \[card\]'
	t "$w: jpki info: a My Number Card" \
		has "$(section 1 'jpki info')" 'Applications:  JPKI yes'
	t "$w: jpki cert auth: chain ok to the mock CA" \
		has "$(section 1 'jpki cert auth --text')" 'chain: ok (JPKI-MOCK)'
	t "$w: pkcs11-tool -L: the JPKI tokens" \
		has "$(section 1 'pkcs11-tool')" 'JPKI User Authentication'
	t "$w: curl with the CA file: an access token" \
		has "$(section 1 'client_secret')" '"access_token":"'
	s=$(section 1 'jpki platform register')
	m1=$(printf '%s\n' "$s" | sed -n 's/^MyKey ID: *\([A-Z0-9]*\).*/\1/p')
	t "$w: register: a new MyKey ID ($m1)" has "$s" 'MyKey ID: .*(new)'
	t "$w: remove: the reader is empty" test -n \
		"$(has "$(section 2 'jpki readers')" '^0: Virtual PCD 00 00$' && echo y)"
	s=$(section 1 'jpki-sandbox renew')
	t "$w: renew: old and new issuance numbers" test -n \
		"$(has "$s" 'old auth issuance number  [0-9A-F]\{16\}' &&
		has "$s" 'new auth issuance number  [0-9A-F]\{16\}' && echo y)"
	s=$(section 1 'jpki platform login')
	t "$w: login with the renewed card: the same MyKey ID" \
		has "$s" "^MyKey ID: *$m1\$"
	t "$w: ... relinked: true, hops: 1" has "$s" 'relinked: true, hops: 1'
	s=$(section 1 'openssl ocsp -respin')
	t "$w: revoke: OCSP over TLS says revoked (keyCompromise)" test -n \
		"$(has "$s" 'Response verify OK' && has "$s" 'auth.pem: revoked' &&
		has "$s" 'Reason: keyCompromise' && echo y)"
	s=$(section 2 'jpki info')
	t "$w: fault card --fail-next 2: jpki info fails" \
		has "$s" 'jpki info failed, as asked'
	t "$w: fault platform --status 503: the next request gets 503" \
		has "$(section 1 'http_code')" '^503$'
	s=$(section 1 'jpki-sandbox status')
	t "$w: status after fault clear: all running, card in" test -n \
		"$(has "$s" 'pcscd  *running' && has "$s" 'card  *in the reader' &&
		has "$s" 'mykey-mock  *running' && echo y)"
	PIDS=$(printf '%s\n' "$s" | sed -n 's/.*(pid \([0-9]*\)).*/\1/p' | tr '\n' ' ')
	t "$w: down: says the state directory is removed" \
		has "$(section 1 'jpki-sandbox down')" 'removed'
	left=
	for p in $PIDS; do
		dead "$p" || left="$left $p"
	done
	t "$w: down: no process left (pids $PIDS)" \
		test -z "$left" -a "$(echo $PIDS | wc -w)" -eq 3
	named=$(named "$STATE")
	echo "processes naming $STATE: ${named:-none}" >> "$LOG"
	t "$w: down: no process names the state directory" test -z "$named"
	t "$w: down: the state directory is gone" test ! -e "$STATE"
}

# --- 1. root, from the build tree ------------------------------------------
mkdir -p "$H_DIR/root-work"
STATE=$H_DIR/root-state
OUT=$H_DIR/walk-root.out
start=$(date +%s)
(cd "$H_DIR/root-work" && env -u XDG_RUNTIME_DIR JPKI_SANDBOX_DIR="$STATE" \
	PATH="$H_BIN:$PATH" sh "$H_TOP/tests/e2e/sandbox_walk.sh" "$WALK" "$OUT")
echo "# root walkthrough: $(($(date +%s) - start)) s" | tee -a "$LOG"
walk_checks root

# --- 2. an unprivileged user, from a copy laid out like an install --------
if $NOBODY unshare --user --map-root-user --mount --net true 2>>"$LOG"; then
	STAGE=$(mktemp -d /tmp/jpki-sandbox-check.XXXXXX)
	chmod 0755 "$STAGE"
	mkdir -p "$STAGE/bin" "$STAGE/lib/pkcs11" "$STAGE/work"
	for b in jpki-sandbox jpki jpki-cardsim mykey-mock; do
		cp "$H_BIN/$b" "$STAGE/bin/"
	done
	cp -P "$H_TOP/$H_BUILD"/lib/libjpki.so* \
	    "$H_TOP/$H_BUILD"/lib/libjpki-platform.so* "$STAGE/lib/"
	cp "$H_TOP/$H_BUILD/pkcs11/jpki-pkcs11.so" "$STAGE/lib/pkcs11/"
	chown 65534 "$STAGE/work"
	OUT=$STAGE/work/walk.out
	# No /run/pcscd: this namespace's /run is an empty tmpfs, so the
	# sandbox covers /run in its own; the state directory, by default in
	# $XDG_RUNTIME_DIR, is under that /run too (and private to this run).
	mount -t tmpfs -o mode=0755 tmpfs /run && RUN_TMPFS=1
	mkdir -p -m 0700 /run/user/65534
	chown 65534 /run/user/65534
	STATE=/run/user/65534/jpki-sandbox
	start=$(date +%s)
	# the walk script and the walkthrough too: nobody may not reach the
	# tree (a checkout or a distcheck under a 0700 directory)
	cp "$H_TOP/tests/e2e/sandbox_walk.sh" "$WALK" "$STAGE/"
	(cd "$STAGE/work" && $NOBODY env -i PATH="$STAGE/bin:/usr/bin:/bin" \
		HOME="$STAGE/work" LANG=C.UTF-8 XDG_RUNTIME_DIR=/run/user/65534 \
		JPKI_SANDBOX_PKCS11="$STAGE/lib/pkcs11/jpki-pkcs11.so" \
		sh "$STAGE/sandbox_walk.sh" "$STAGE/${WALK##*/}" "$OUT")
	echo "# nobody walkthrough: $(($(date +%s) - start)) s" | tee -a "$LOG"
	cp "$OUT" "$H_DIR/walk-nobody.out"
	walk_checks nobody
	t "nobody: the state directory defaults to \$XDG_RUNTIME_DIR/jpki-sandbox" \
		has "$(section 1 'jpki-sandbox up')" "state and logs in $STATE)"
	t "nobody: PKCS#11 module from \$JPKI_SANDBOX_PKCS11" \
		has "$(section 1 'jpki-sandbox up')" \
		"PKCS#11 module  *$STAGE/lib/pkcs11/jpki-pkcs11.so"
	umount /run && RUN_TMPFS=
else
	echo "# SKIP unprivileged walkthrough: user namespaces are disabled here"
fi

# --- 3. robustness ------------------------------------------------------------
D=$H_DIR/rb
run() {
	echo "\$ $*" >> "$LOG"
	OUT_RB=$("$@" 2>&1)
	RC=$?
	printf '%s\n(exit %d)\n' "$OUT_RB" "$RC" >> "$LOG"
}
run "$SB" --dir "$D" up --port 18500
t "up --dir --port: exit 0" test "$RC" -eq 0
run "$SB" --dir "$D" up --port 18501
t "a second up on the same directory: refused (exit 1)" \
	test "$RC" -eq 1 -a -n "$(has "$OUT_RB" 'already up' && echo y)"
run "$SB" --dir "$D" status
t "  ... and the first one still runs" test "$RC" -eq 0
mkdir -p "$H_DIR/notasandbox" && : > "$H_DIR/notasandbox/keep"
run "$SB" --dir "$H_DIR/notasandbox" up --port 18502
t "up in a non-empty directory that is no sandbox: refused" \
	test "$RC" -eq 1 -a -f "$H_DIR/notasandbox/keep"
run "$SB" --dir "$H_DIR/notasandbox" down
t "down there: refused, nothing deleted" \
	test "$RC" -eq 1 -a -f "$H_DIR/notasandbox/keep"
run "$SB" --dir "$D" remove
sleep 300 &
STRANGER=$!
echo "$STRANGER" > "$D/card.pid"
run "$SB" --dir "$D" remove
t "a stale card.pid naming another process: it is not signalled" \
	test "$RC" -eq 0 -a -n "$(kill -0 "$STRANGER" 2>/dev/null && echo y)"
kill "$STRANGER"; wait "$STRANGER" 2>/dev/null
run "$SB" --dir "$D" insert
t "insert after that: the card is back" test "$RC" -eq 0
run "$SB" --dir "$D" fault card --drop-after 1
t "fault card --drop-after 1" test "$RC" -eq 0
run env PCSCLITE_CSOCK_NAME="/proc/$(cat "$D/pcscd.pid")/root/run/pcscd/pcscd.comm" \
	"$H_BIN/jpki" info
t "  ... jpki info: the card leaves during the command (exit 3 or 7)" \
	test "$RC" -eq 3 -o "$RC" -eq 7
run "$SB" --dir "$D" status
t "  ... status: card not in the reader" \
	has "$OUT_RB" 'card  *not in the reader'
run "$SB" --dir "$D" fault card --sw-at 1:XYZ
t "fault card --sw-at with a bad status word: usage error (exit 2)" \
	test "$RC" -eq 2
run "$SB" --dir "$D" frobnicate
t "unknown command: exit 2" test "$RC" -eq 2
run "$SB" --dir "$D" up --port 99999
t "up --port out of range: exit 2" test "$RC" -eq 2
run "$SB" --help
t "--help: usage with every command" test "$RC" -eq 0 -a -n \
	"$(for c in up env status insert remove renew revoke 'fault card' \
	    'fault platform' 'fault clear' down; do
		has "$OUT_RB" "^  $c" || exit 0; done; echo y)"
PIDS="$(cat "$D/pcscd.pid") $(cat "$D/mock.pid")"
kill -KILL "$(cat "$D/pcscd.pid")"
sleep 0.2
run "$SB" --dir "$D" status
t "pcscd killed: status exit 1" test "$RC" -eq 1
run "$SB" --dir "$D" down
left=
for p in $PIDS; do dead "$p" || left="$left $p"; done
t "down after pcscd died: exit 0, nothing left, directory gone" \
	test "$RC" -eq 0 -a -z "$left" -a ! -e "$D"
run "$SB" --dir "$D" status
t "status without a sandbox: exit 3" test "$RC" -eq 3

h_done
