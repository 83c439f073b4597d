#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# OpenSSH with jpki-pkcs11.so: ssh-keygen -D against `jpki cert auth
# --ssh`, a real sshd started here on loopback (own host key, own config,
# authorized_keys from the card), `ssh -I` logging in with the PIN from an
# askpass program, ssh-agent -P + ssh-add -s (a second login without a
# PIN, ssh-add -e), wrong PINs (one try per PIN entered, the last-try
# guard), and a card pulled out and put back.  All against jpki-cardsim
# behind an isolated pcscd + vpcd.
#
#   tests/lib/isolated.sh sh tests/e2e/p11_ssh.sh
set -u
H_TOP=${H_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$H_TOP/tests/lib/harness.sh"
. "$H_TOP/tests/e2e/p11_ssh_lib.sh"
h_init p11_ssh

M=$(realpath "$H_TOP/$H_BUILD/pkcs11/jpki-pkcs11.so")
JPKI=$H_BIN/jpki
D=$H_DIR
PIN=1234
SPIN=ABC123
PORT=2222
SSHD=/usr/sbin/sshd

for t in $SSHD ssh ssh-keygen ssh-agent ssh-add; do
	command -v $t >/dev/null 2>&1 || { echo "p11_ssh: $t missing (make deps)" >&2; exit 1; }
done

# h_expect_rc leaves `set -e` on; these scripts check every step themselves
expect_rc() { h_expect_rc "$@"; set +e; }

h_pcscd_start || exit 1
P=$(h_profile card1 --pin-auth $PIN --pin-sign $SPIN) || exit 1
h_card_start "$P" || exit 1

# tries left for auth|sign, as the card reports them (no try spent)
tries() {
	timeout 30 "$JPKI" pin status --json 2>/dev/null |
		sed -n "s/.*\"$1\":{\"tries_left\":\([0-9]*\).*/\1/p"
}

# --- the authorized_keys line: jpki cert auth --ssh = ssh-keygen -D --------
timeout 30 "$JPKI" cert auth --ssh > "$D/id_jpki.pub" 2> "$D/cert-ssh.err"
h_check "jpki cert auth --ssh: an ssh-rsa line" \
	grep -Eq '^ssh-rsa AAAA[A-Za-z0-9+/=]+ JPKI auth [0-9A-F]+$' "$D/id_jpki.pub"
timeout 30 ssh-keygen -D "$M" > "$D/keygen-D.txt" 2> "$D/keygen-D.err"
cut -d' ' -f1,2 "$D/id_jpki.pub" > "$D/want.key"
h_check "ssh-keygen -D prints the same key as jpki cert auth --ssh" \
	grep -qxF "$(cat "$D/want.key") User Authentication Public Key" "$D/keygen-D.txt"
h_check "it is the auth certificate's key (openssl + ssh-keygen -i)" sh -c \
	"openssl x509 -inform DER -in '$P/auth.crt' -noout -pubkey > '$D/auth.pub.pem' &&
	 ssh-keygen -i -m PKCS8 -f '$D/auth.pub.pem' | cmp -s - '$D/want.key'"
# The signature key is CKA_PRIVATE until a sign-PIN login, which ssh never
# does without a PIN: it is not offered.  The two CA certificates are public
# objects, and OpenSSH turns every certificate into a key (label = subject).
openssl x509 -inform DER -in "$P/sign.crt" -noout -pubkey > "$D/sign.pub.pem"
ssh-keygen -i -m PKCS8 -f "$D/sign.pub.pem" > "$D/sign.key"
expect_rc 1 "ssh-keygen -D does not show the signature key" \
	grep -qF "$(cat "$D/sign.key")" "$D/keygen-D.txt"
h_check "ssh-keygen -D: auth key first, then the two CA keys (3 lines)" sh -c \
	"test \$(wc -l < '$D/keygen-D.txt') -eq 3 &&
	 head -n 1 '$D/keygen-D.txt' | grep -q 'User Authentication Public Key' &&
	 grep -q 'JPKI-MOCK for user authentication' '$D/keygen-D.txt' &&
	 grep -q 'JPKI-MOCK for digital signature' '$D/keygen-D.txt'"
expect_rc 2 "jpki cert sign --ssh refused (auth only)" \
	"$JPKI" cert sign --ssh

# --- sshd on loopback, client config, askpass (p11_ssh_lib.sh) ------------
ssh_setup || exit 1
asks() { wc -l < "$D/askpass.log"; }

# ssh_run NAME [-I]: ssh jpki-test echo ..., output in ssh.NAME.*; with
# -I the provider in the process (no agent), else the agent only
ssh_run() {
	n=$1; shift
	if [ $# -gt 0 ]; then
		set -- env -u SSH_AUTH_SOCK ssh -I "$M"
	else
		set -- env SSH_AUTH_SOCK="$AG" ssh
	fi
	timeout 60 "$@" -n -F "$D/ssh_config" jpki-test echo jpki-ssh-ok \
		> "$D/ssh.$n.out" 2> "$D/ssh.$n.err"
}
AG=$D/agent.sock

# --- ssh -I: PIN from askpass ----------------------------------------------
fp=$(ssh-keygen -lf "$D/id_jpki.pub" | cut -d' ' -f2)
h_check "ssh -I jpki-pkcs11.so logs in and runs a command" ssh_run I -I
h_check "the remote command ran" grep -qx jpki-ssh-ok "$D/ssh.I.out"
h_check "askpass asked once, for the auth token's PIN" sh -c \
	"test \$(wc -l < '$D/askpass.log') -eq 1 &&
	 grep -q \"Enter PIN for 'JPKI User Authentication'\" '$D/askpass.log'"
h_check "sshd accepted the card's key ($fp)" \
	grep -q "Accepted publickey for .* RSA $fp" "$D/sshd.log"
h_check "auth PIN tries back to 3" test "$(tries auth)" = 3

# --- wrong PIN: one try per PIN entered, never retried, last-try guard ----
printf '9999\n' > "$D/pin"
: > "$D/askpass.log"
expect_rc 255 "ssh -I with a wrong PIN: login refused" ssh_run W1 -I
h_check "wrong PIN: askpass asked once" test "$(asks)" -eq 1
h_check "wrong PIN: ssh says PIN incorrect" \
	grep -q "PIN incorrect" "$D/ssh.W1.err"
h_check "wrong PIN: exactly one try spent (2 left)" test "$(tries auth)" = 2
expect_rc 255 "second wrong PIN refused" ssh_run W2 -I
h_check "two wrong PINs entered: two asks" test "$(asks)" -eq 2
h_check "two wrong PINs entered: two tries spent (1 left)" test "$(tries auth)" = 1
printf '%s\n' $PIN > "$D/pin"
expect_rc 255 "last try: the guard refuses even the right PIN" ssh_run G -I
# CKR_FUNCTION_FAILED, not CKR_PIN_LOCKED (jpki-pkcs11(8)): ssh prints
# "PKCS#11 login failed: error 6", never that the PIN is locked.
h_check "last try: ssh reports the login failed" \
	grep -q "PKCS#11 login failed: error 6" "$D/ssh.G.err"
h_check "last try: ssh does not say the PIN is locked" \
	sh -c '! grep -qi "PIN locked" "$1"' sh "$D/ssh.G.err"
h_check "last try: still 1 left (no VERIFY sent)" test "$(tries auth)" = 1
# the user's explicit choice, as the module documents it
h_check "JPKI_P11_ALLOW_LAST_TRY=1 ssh -I: login with the last try" \
	env JPKI_P11_ALLOW_LAST_TRY=1 sh -c \
	"timeout 60 ssh -n -F '$D/ssh_config' -I '$M' jpki-test echo jpki-ssh-ok > '$D/ssh.L.out' 2> '$D/ssh.L.err'"
h_check "tries back to 3" test "$(tries auth)" = 3

# --- ssh-agent -P + ssh-add -s -------------------------------------------
ssh-agent -D -a "$AG" -P "$M" > "$D/agent.log" 2>&1 &
H_PIDS="$H_PIDS $!"
i=0
while [ ! -S "$AG" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
export SSH_AUTH_SOCK="$AG"
: > "$D/askpass.log"
sign0=$(tries sign)
h_check "ssh-add -s loads the provider (PIN from askpass)" \
	sh -c "timeout 60 ssh-add -s '$M' > '$D/add.out' 2>&1"
h_check "ssh-add -s: askpass asked once" test "$(asks)" -eq 1
h_check "ssh-add -s: the prompt is ssh-add's PKCS#11 one" \
	grep -q "PKCS#11" "$D/askpass.log"
timeout 30 ssh-add -L > "$D/agent-L.txt" 2>&1
h_check "agent holds the auth key" grep -qF "$(cat "$D/want.key")" "$D/agent-L.txt"
expect_rc 1 "agent does not hold the signature key" \
	grep -qF "$(cat "$D/sign.key")" "$D/agent-L.txt"
: > "$D/askpass.log"
h_check "login through the agent" ssh_run A1
h_check "login through the agent: remote command ran" \
	grep -qx jpki-ssh-ok "$D/ssh.A1.out"
h_check "second login through the agent" ssh_run A2
h_check "no PIN asked for the agent logins (askpass not called)" \
	test "$(asks)" -eq 0
h_check "sshd accepted the agent's key" sh -c \
	"test \$(grep -c 'Accepted publickey for .* RSA $fp' '$D/sshd.log') -ge 4"
# the agent logs in on every token with the one PIN: a 4-digit auth PIN is
# refused on the sign token by length (CKR_PIN_LEN_RANGE) before any VERIFY
h_check "sign PIN untouched by the agent's login ($sign0 tries)" \
	test "$(tries sign)" = "$sign0"
# jpki pin status just re-selected the APs: the card forgot the PIN.  The
# module reports CKR_USER_NOT_LOGGED_IN; ssh-pkcs11-helper never logs in
# again by itself, so the agent refuses (fast) until the key is re-added.
expect_rc 255 "card used by another program: agent login refused" ssh_run O
h_check "... as 'agent refused operation'" \
	grep -q "agent refused operation" "$D/ssh.O.err"
h_check "ssh-add -e / ssh-add -s (askpass) recovers" sh -c \
	"timeout 30 ssh-add -e '$M' >/dev/null 2>&1 && timeout 60 ssh-add -s '$M' > '$D/add1.out' 2>&1"
h_check "agent login again" ssh_run A3

# --- card removed, put back ---------------------------------------------
h_card_stop
t0=$(date +%s)
expect_rc 255 "card removed: agent login fails (no hang)" ssh_run R1
h_check "card removed: ssh says the agent could not sign" \
	grep -q "agent refused operation" "$D/ssh.R1.err"
expect_rc 255 "card removed: ssh -I fails (no hang)" ssh_run R2 -I
# OpenSSH says why only with -v ("provider ... returned no slots"); without
# it the user sees that there is no key to use
h_check "card removed: ssh -I: no identity, publickey denied" sh -c \
	"grep -q 'no such identity' '$D/ssh.R2.err' &&
	 grep -q 'Permission denied (publickey)' '$D/ssh.R2.err'"
t1=$(date +%s)
h_check "card removed: both failures within 30 s ($((t1 - t0)) s)" \
	test $((t1 - t0)) -lt 30
h_card_start "$P" || exit 1
: > "$D/askpass.log"
h_check "card back: ssh -I logs in again" ssh_run B1 -I
h_check "card back: askpass asked once" test "$(asks)" -eq 1
# ssh-pkcs11-helper keeps the sessions of the pulled card, which the
# module closed (CKR_SESSION_HANDLE_INVALID); it does not open new ones, so
# the agent refuses until the provider is re-added: ssh-add -e, ssh-add -s.
expect_rc 255 "card back: the agent refuses until re-added" ssh_run B2
h_check "ssh-add -e removes the provider" \
	sh -c "timeout 30 ssh-add -e '$M' > '$D/del.out' 2>&1"
h_check "agent empty after ssh-add -e" sh -c \
	"timeout 30 ssh-add -l 2>&1 | grep -q 'no identities'"
expect_rc 255 "no login through the empty agent" ssh_run E
h_check "ssh-add -s again after re-insertion" \
	sh -c "timeout 60 ssh-add -s '$M' > '$D/add2.out' 2>&1"
h_check "login through the agent after re-insertion" ssh_run B3

# --- ssh-add -s with a wrong PIN ------------------------------------------
timeout 30 ssh-add -e "$M" > /dev/null 2>&1
printf '9999\n' > "$D/pin"
: > "$D/askpass.log"
expect_rc 1 "ssh-add -s with a wrong PIN refused" \
	sh -c "timeout 60 ssh-add -s '$M' > '$D/addW.out' 2>&1"
h_check "ssh-add -s wrong PIN: askpass asked once" test "$(asks)" -eq 1
h_check "ssh-add -s wrong PIN: auth tries 2" test "$(tries auth)" = 2
h_check "ssh-add -s wrong PIN: sign tries untouched" \
	test "$(tries sign)" = "$sign0"
printf '%s\n' $PIN > "$D/pin"
h_check "ssh-add -s with the right PIN after it" \
	sh -c "timeout 60 ssh-add -s '$M' > '$D/addR.out' 2>&1"
h_check "tries back to 3" test "$(tries auth)" = 3

h_card_stop
h_done
