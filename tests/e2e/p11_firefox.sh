#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# Firefox ESR logs in with the card's auth key through jpki-pkcs11.so:
# headful Firefox under Xvfb, the PIN typed by xdotool into Firefox's own
# "Password Required" dialog.  The module is registered the two ways a user
# or an administrator would (README "Firefox"):
#   A. modutil on the profile's NSS database, plus FRIENDLY: TLS 1.2 client
#      authentication to nginx; the card pulled out and put back while
#      Firefox runs, then logging in again without a restart; a wrong PIN,
#      which must spend exactly one try;
#   B. enterprise policy (policies.json: SecurityDevices, and the server CA
#      by Certificates) with a profile Firefox creates itself: the
#      mykey-mock browser login page, which shows the card's MyKey ID.
# Screenshots go to tests/tmp/p11_firefox/.
#
# Runs inside tests/lib/isolated.sh: the X socket directory and Firefox's
# distribution directory (where it reads policies.json) are private mounts
# of this namespace; nothing of the host is changed.  Firefox runs as root
# with its sandboxes on: no MOZ_DISABLE_*_SANDBOX is needed.  The first
# policies.json Firefox looks for, /etc/firefox/policies/, is not used: the
# directory is not ours to create on the host (if it exists, it is hidden).
set -u
H_TOP=${H_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$H_TOP/tests/lib/harness.sh"
h_init p11_firefox
. "$H_TOP/tests/e2e/platform_lib.sh"
. "$H_TOP/tests/lib/browser.sh"

M=$H_TOP/$H_BUILD/pkcs11/jpki-pkcs11.so
D=$H_DIR
PORT=9447
LOGIN_PORT=18445
FF_DIST=/usr/lib/firefox-esr/distribution
export HOME=$D/home
mkdir -p "$HOME"

for t in firefox-esr Xvfb xdotool import nginx certutil modutil sqlite3; do
	command -v $t >/dev/null 2>&1 || { echo "p11_firefox: $t missing (make deps)" >&2; exit 1; }
done
[ -d "$FF_DIST" ] || { echo "p11_firefox: no $FF_DIST" >&2; exit 1; }

# private X socket directory (we are in our own mount namespace)
mkdir -p /tmp/.X11-unix
mount -t tmpfs -o mode=1777 tmpfs /tmp/.X11-unix

h_pcscd_start || exit 1

# --- server certificates: a test CA Firefox is told to trust ---------------
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$D/ca.key" \
	-out "$D/ca.crt" -subj "/CN=p11_firefox test server CA" -days 2 \
	-addext basicConstraints=critical,CA:TRUE \
	-addext keyUsage=critical,keyCertSign,cRLSign >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -keyout "$D/srv.key" -out "$D/srv.csr" \
	-subj /CN=127.0.0.1 >/dev/null 2>&1
printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' \
	> "$D/srv.ext"
openssl x509 -req -in "$D/srv.csr" -CA "$D/ca.crt" -CAkey "$D/ca.key" \
	-set_serial 2 -days 2 -extfile "$D/srv.ext" -out "$D/srv.crt" \
	>/dev/null 2>&1

# --- mykey-mock (its TLS 1.2 login page uses the server certificate) -------
b_mock_start $LOGIN_PORT --tls-cert "$D/srv.crt" --tls-key "$D/srv.key"

# --- the card: issued by the mock's authority and registered (MyKey ID) ---
CARD=$D/mockcard
b_mock_card "Shiken Taro" "$CARD"
h_check "card issued and registered at mykey-mock (MyKey ID $MYKEY)" \
	test -n "$MYKEY"
PIN=${JPKI_TEST_PIN:-}
SUBJ=$(openssl x509 -inform DER -in "$CARD/auth.crt" -noout -subject \
	-nameopt RFC2253 2>/dev/null | sed 's/^subject=//')

# Tries left of the auth (or sign) PIN, read by the jpki CLI (no try
# spent).  Only while Firefox is not running: the CLI re-selects the
# applet, which would log Firefox's session out on the card.
tries() {
	"$H_BIN/jpki" pin status --json 2>/dev/null |
		sed -n "s/.*\"${1:-auth}\": *{ *\"tries_left\": *\([0-9]*\).*/\1/p"
}

# --- nginx: TLS 1.2, the card's CA required -------------------------------
# No keep-alive and no session resumption: every request is a full
# handshake, so every login below really signs with the card.
openssl x509 -inform DER -in "$CARD/auth-ca.crt" -out "$D/auth-ca.pem"
mkdir -p "$D/nginx"
cat > "$D/nginx/nginx.conf" <<EOC
worker_processes 1;
error_log $D/nginx/logs/error.log info;
pid $D/nginx/nginx.pid;
events { worker_connections 64; }
http {
	access_log off;
	keepalive_timeout 0;
	ssl_session_cache off;
	ssl_session_tickets off;
	log_format cc '\$ssl_protocol verify=\$ssl_client_verify dn="\$ssl_client_s_dn" "\$request" \$status';
	server {
		listen 127.0.0.1:$PORT ssl;
		access_log $D/nginx/logs/access.log cc;
		ssl_certificate $D/srv.crt;
		ssl_certificate_key $D/srv.key;
		ssl_client_certificate $D/auth-ca.pem;
		ssl_verify_client on;
		ssl_protocols TLSv1.2;
		default_type text/html;
		location / {
			return 200 "<html><body><h1>JPKI login (Firefox)</h1><p id=r>verify=\$ssl_client_verify</p><p>dn=\$ssl_client_s_dn</p><p>proto=\$ssl_protocol</p></body></html>\n";
		}
	}
}
EOC
b_nginx_start

# --- Xvfb --------------------------------------------------------------
b_xvfb_start

# --- Firefox --------------------------------------------------------------
# A closed network: no updates, telemetry, first-run pages, safe-mode
# prompt or session restore; no top-sites thumbnails either (a hidden
# browser would load the last visited pages, client authentication and
# all).
user_js() {
	cat > "$1/user.js" <<'EOC'
user_pref("toolkit.startup.max_resumed_crashes", -1);
user_pref("browser.sessionstore.resume_from_crash", false);
user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("browser.startup.homepage_override.mstone", "ignore");
user_pref("startup.homepage_welcome_url", "");
user_pref("startup.homepage_welcome_url.additional", "");
user_pref("browser.aboutwelcome.enabled", false);
user_pref("trailhead.firstrun.didSeeAboutWelcome", true);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("datareporting.healthreport.uploadEnabled", false);
user_pref("toolkit.telemetry.enabled", false);
user_pref("toolkit.telemetry.unified", false);
user_pref("app.update.auto", false);
user_pref("app.update.disabledForTesting", true);
user_pref("app.normandy.enabled", false);
user_pref("extensions.update.enabled", false);
user_pref("browser.safebrowsing.malware.enabled", false);
user_pref("browser.safebrowsing.phishing.enabled", false);
user_pref("browser.safebrowsing.downloads.enabled", false);
user_pref("network.captive-portal-service.enabled", false);
user_pref("network.connectivity-service.enabled", false);
user_pref("browser.newtabpage.enabled", false);
user_pref("browser.startup.homepage", "about:blank");
user_pref("browser.newtab.preload", false);
user_pref("browser.newtabpage.activity-stream.feeds.topsites", false);
user_pref("browser.pagethumbnails.capturing_disabled", true);
user_pref("browser.tabs.warnOnClose", false);
EOC
}

export MOZ_DISABLE_AUTO_SAFE_MODE=1
export MOZ_CRASHREPORTER_DISABLE=1

# pipnss logging tells when the certificate list is ready (choose_cert).
ff_start() {	# ff_start PROFILE NAME URL
	MOZ_LOG=pipnss:4,sync MOZ_LOG_FILE="$D/moz-$2.log" \
	firefox-esr --no-remote --profile "$1" "$3" > "$D/firefox-$2.log" 2>&1 &
	FF_PID=$!
	H_PIDS="$H_PIDS $FF_PID"
}

# Quit Firefox (SIGTERM: a normal shutdown, the profile is unlocked) and
# wait for its content processes, which exit with the parent's IPC channels.
ff_stop() {
	kids=$(pgrep -P "$FF_PID" 2>/dev/null)
	kill -TERM "$FF_PID" 2>/dev/null
	i=0
	while kill -0 "$FF_PID" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
	kill -KILL "$FF_PID" 2>/dev/null
	wait "$FF_PID" 2>/dev/null || true
	for k in $kids; do
		i=0
		while kill -0 "$k" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1; i=$((i + 1))
		done
		kill -KILL "$k" 2>/dev/null
	done
}

# The main window (title "... Mozilla Firefox"), once mapped.
ff_window() {
	xdotool search --onlyvisible --name 'Mozilla Firefox$' 2>/dev/null |
		head -n 1
}

# Open URL in the running Firefox, as a user does (address bar).
ff_open() {
	w=$(ff_window)
	[ -n "$w" ] || return 1
	xdotool windowfocus --sync "$w" >/dev/null 2>&1
	xdotool key --clearmodifiers ctrl+l
	sleep 0.3
	printf '%s' "$1" | xdotool type --delay 20 --file -
	xdotool key Return
}

# Firefox's PK11 password prompt: a window "Password Required - Mozilla
# Firefox" saying "Please authenticate to the security device (<token>)".
wait_dialog() {	# wait_dialog SECONDS: window id of the PIN dialog
	i=0
	while [ $i -lt $(($1 * 5)) ]; do
		w=$(xdotool search --onlyvisible --name '^Password Required' \
			2>/dev/null | head -n 1)
		[ -n "$w" ] && { echo "$w"; return 0; }
		sleep 0.2; i=$((i + 1))
	done
	return 1
}

# wait_gone WINDOW SECONDS: that dialog has closed.  A dialog still mapped
# after Return must not be taken for the next one (and a key meant for it
# must not reach the browser window, where Escape stops the page load).
wait_gone() {
	i=0
	while [ $i -lt $(($2 * 5)) ]; do
		xdotool search --onlyvisible --name '^Password Required' \
			2>/dev/null | grep -qx "$1" || return 0
		sleep 0.2; i=$((i + 1))
	done
	return 1
}

# Focus the dialog and make sure it has the keyboard before typing.
dialog_focus() {
	xdotool windowfocus --sync "$1" >/dev/null 2>&1
	[ "$(xdotool getwindowfocus 2>/dev/null)" = "$1" ]
}

# The certificate selection ("Ask Every Time", Firefox's default) is a
# dialog inside the browser window, not an X window of its own: wait until
# NSS has returned the certificate list, then press OK (the default
# button, the first matching certificate is preselected).
choose_cert() {	# choose_cert NAME [SCREENSHOT]
	wait_log_glob "$D/moz-$1.log" 'FindClientCertificatesWithPrivateKeys' 40 &&
		wait_log_glob "$D/moz-$1.log" "keeping cert '$SUBJ'" 10 ||
		return 1
	sleep 1.5	# the dialog is drawn
	[ -n "${2:-}" ] && import -window root "$2" 2>/dev/null
	xdotool windowfocus --sync "$(ff_window)" >/dev/null 2>&1
	xdotool key Return
}

type_pin() {	# type_pin WINDOW PIN (typed from stdin, not xdotool's argv)
	dialog_focus "$1" || return 1
	printf '%s' "$2" | xdotool type --delay 60 --file -
	xdotool key Return
	wait_gone "$1" 10
}

cancel_dialog() {	# cancel_dialog WINDOW: the dialog's Cancel (Escape)
	dialog_focus "$1" || return 1
	xdotool key Escape
	wait_gone "$1" 10
}

wait_log() {	# wait_log FILE PATTERN SECONDS
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null && [ $i -lt $(($3 * 5)) ]; do
		sleep 0.2; i=$((i + 1))
	done
	grep -q "$2" "$1" 2>/dev/null
}

wait_log_glob() {	# wait_log_glob PREFIX PATTERN SECONDS (MOZ_LOG files)
	i=0
	while ! cat "$1".* 2>/dev/null | grep -q "$2" &&
	    [ $i -lt $(($3 * 5)) ]; do
		sleep 0.2; i=$((i + 1))
	done
	cat "$1".* 2>/dev/null | grep -q "$2"
}

ACC=$D/nginx/logs/access.log

# === A. module added with modutil ========================================
PA=$D/profile-modutil
mkdir -p "$PA"
certutil -N -d "sql:$PA" --empty-password
echo | modutil -force -dbdir "sql:$PA" -add "My Number Card" \
	-libfile "$M" >/dev/null 2>&1
# FRIENDLY (public certificates): NSS lists the certificates without
# C_Login; written per slot, so run it while the card is in
# (testing-without-hardware.md §7.3).
echo | modutil -force -dbdir "sql:$PA" -default "My Number Card" \
	-mechanisms FRIENDLY >/dev/null 2>&1
certutil -A -d "sql:$PA" -n "test server CA" -t "C,," -i "$D/ca.crt"
user_js "$PA"
h_check "modutil: the profile's NSS database lists the card's tokens" sh -c \
	"modutil -dbdir 'sql:$PA' -list 'My Number Card' 2>&1 | grep -q 'JPKI User Authentication'"

# --- A1. the right PIN ------------------------------------------------------
ff_start "$PA" ok "https://127.0.0.1:$PORT/ok"
h_check "Firefox lists the card's certificate for the selection dialog" \
	choose_cert ok "$D/cert-select.png"
W=$(wait_dialog 40) || W=""
h_check "Firefox asks for the PIN in its 'Password Required' dialog" \
	test -n "$W"
[ -n "$W" ] && import -window root "$D/pin-dialog.png" 2>/dev/null
[ -n "$W" ] && type_pin "$W" "$PIN"
wait_log "$ACC" 'verify=SUCCESS.*/ok ' 30
sleep 1
import -window root "$D/login-ok.png" 2>/dev/null
h_check "TLS 1.2 client authentication with the card succeeded" \
	grep -q 'TLSv1.2 verify=SUCCESS.*"GET /ok HTTP' "$ACC"
h_check "the server saw the card's auth certificate ($SUBJ)" \
	grep -qF "dn=\"$SUBJ\" \"GET /ok" "$ACC"
h_check "screenshot saved (login-ok.png)" test -s "$D/login-ok.png"
h_check "FRIENDLY: one prompt only (the signature token was not asked)" \
	test -z "$(xdotool search --onlyvisible --name '^Password Required' 2>/dev/null)"

# --- A2. card out and back in while Firefox runs ---------------------------
h_card_stop
sleep 1	# NSS's slot-event thread notices the removal
ff_open "https://127.0.0.1:$PORT/nocard"
wait_log "$ACC" '"GET /nocard ' 20
sleep 0.5
import -window root "$D/nocard.png" 2>/dev/null
h_check "card out: Firefox sends no client certificate (nginx 400)" \
	grep -q 'verify=NONE .*"GET /nocard HTTP[^"]*" 400' "$ACC"
h_check "card out: Firefox is still running" kill -0 "$FF_PID"
h_card_start "$CARD" || true
sleep 1
ff_open "https://127.0.0.1:$PORT/again"
# the certificate choice is remembered "for this session": no selection
W=$(wait_dialog 30) || W=""
h_check "card back in: Firefox asks for the PIN again (new card session)" \
	test -n "$W"
[ -n "$W" ] && type_pin "$W" "$PIN"
wait_log "$ACC" 'verify=SUCCESS.*/again ' 30
sleep 1
import -window root "$D/login-again.png" 2>/dev/null
h_check "card back in: login works without restarting Firefox" \
	grep -qF "dn=\"$SUBJ\" \"GET /again" "$ACC"
ff_stop

# --- A3. a wrong PIN: tries left shown, exactly one try spent --------------
T0=$(tries)
h_check "auth PIN tries before the wrong PIN: $T0 (jpki pin status)" \
	test "$T0" = 3
L0=$(wc -l < "$ACC")
ff_start "$PA" wrong "https://127.0.0.1:$PORT/wrong"
choose_cert wrong
W=$(wait_dialog 40) || W=""
h_check "new Firefox: PIN dialog" test -n "$W"
[ -n "$W" ] && type_pin "$W" 9999
# NSS asks again after CKR_PIN_INCORRECT; the module never retries itself
W2=$(wait_dialog 15) || W2=""
import -window root "$D/login-wrong.png" 2>/dev/null
h_check "after a wrong PIN Firefox asks again (no crash, no hang)" \
	test -n "$W2" -a "$W2" != "$W"
h_check "the dialog closes on Cancel" cancel_dialog "$W2"
sleep 1
import -window root "$D/login-wrong-cancelled.png" 2>/dev/null
h_check "Firefox is still running after the cancelled login" \
	kill -0 "$FF_PID"
h_expect_rc 1 "no request succeeded with the wrong PIN" \
	grep -q 'verify=SUCCESS.*/wrong ' "$ACC"
set +e	# h_expect_rc leaves errexit on
ff_stop
T1=$(tries)
jpki_status=$("$H_BIN/jpki" pin status 2>&1 | sed -n 1p)
h_check "the wrong PIN spent exactly one try ($T0 -> $T1; '$jpki_status')" \
	test "$T1" = $((T0 - 1))
h_check "after Cancel one request, without a certificate (nginx 400)" sh -c \
	"test \$(wc -l < '$ACC') = $((L0 + 1)) && tail -n 1 '$ACC' | grep -q 'verify=NONE .*GET /wrong .* 400'"
pkcs11-tool --module "$M" -T > "$D/T.txt" 2>&1 || true
h_check "the module reports the spent try (CKF_USER_PIN_COUNT_LOW)" \
	grep -q 'user PIN count low' "$D/T.txt"

# === B. module added by enterprise policy ==================================
# policies.json in Firefox's distribution directory: a bind mount of our
# own directory, private to this namespace.
mkdir -p "$D/distribution"
cat > "$D/distribution/policies.json" <<EOC
{
  "policies": {
    "SecurityDevices": { "Add": { "My Number Card": "$M" } },
    "Certificates": { "Install": [ "$D/ca.crt" ] }
  }
}
EOC
mount --bind "$D/distribution" "$FF_DIST"
# a host-wide policy would win over ours: hide it, in this namespace only
[ -d /etc/firefox/policies ] &&
	mount -t tmpfs tmpfs /etc/firefox/policies
PB=$D/profile-policy
mkdir -p "$PB"
user_js "$PB"
# here Firefox picks the certificate itself (no selection dialog)
echo 'user_pref("security.default_personal_cert", "Select Automatically");' \
	>> "$PB/user.js"
S0=$(tries sign)
ff_start "$PB" mock "https://127.0.0.1:$LOGIN_PORT/login"
W=$(wait_dialog 40) || W=""
h_check "policy: Firefox loaded the module and asks for the PIN" \
	test -n "$W"
h_check "policy: the module is in the profile Firefox created" \
	grep -qF "$M" "$PB/pkcs11.txt"
[ -n "$W" ] && type_pin "$W" "$PIN"
# Without FRIENDLY, NSS logs in to every token to look for certificates
# (slot order: the auth token first, then the signature token): the
# signature password is asked too, and the user cancels it.
n=0
while [ $n -lt 4 ] && W=$(wait_dialog 5); do
	n=$((n + 1))
	import -window root "$D/policy-sign-prompt-$n.png" 2>/dev/null
	cancel_dialog "$W" || break
done
# the mock's audit log records the page's answer (event, MyKey ID, result)
login_row() { b_login_row "$MYKEY"; }
i=0
while [ "$(login_row)" != 1 ] && [ $i -lt 150 ]; do
	sleep 0.2; i=$((i + 1))
done
sleep 1
import -window root "$D/mykey-login.png" 2>/dev/null
h_check "mykey-mock /login identified the card as MyKey ID $MYKEY" \
	test "$(login_row)" = 1
h_check "the login page was served with a 200" \
	grep -q "GET /login 200" "$D/mock.log"
h_check "login page screenshot saved (mykey-login.png)" \
	test -s "$D/mykey-login.png"
ff_stop
h_check "auth PIN tries back to 3 after the right PIN" test "$(tries)" = 3
h_check "policy: cancelling the signature token's prompt ($n times) spent no try ($S0 -> $(tries sign))" \
	test "$(tries sign)" = "$S0" -a "$n" -ge 1

# --- B2. the README's remedy: FRIENDLY on the policy's module -------------
echo | modutil -force -dbdir "sql:$PB" -default "My Number Card" \
	-mechanisms FRIENDLY >/dev/null 2>&1
ff_start "$PB" mock2 "https://127.0.0.1:$LOGIN_PORT/login"
W=$(wait_dialog 40) || W=""
h_check "policy + FRIENDLY: Firefox asks for the PIN" test -n "$W"
[ -n "$W" ] && type_pin "$W" "$PIN"
i=0
while [ "$(login_row)" != 2 ] && [ $i -lt 150 ]; do
	sleep 0.2; i=$((i + 1))
done
h_check "policy + FRIENDLY: logged in again at mykey-mock" \
	test "$(login_row)" = 2
h_check "policy + FRIENDLY: the signature password is not asked" \
	test -z "$(xdotool search --onlyvisible --name '^Password Required' 2>/dev/null)"
ff_stop
umount "$FF_DIST"
[ -d /etc/firefox/policies ] && umount /etc/firefox/policies

h_card_stop
h_done
