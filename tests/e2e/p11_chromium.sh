#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# Chromium logs in with the card's auth key through jpki-pkcs11.so: headful
# Chromium under Xvfb, NSS DB with the module (FRIENDLY), the client
# certificate chosen by policy, and the PIN typed by xdotool into Chromium's
# own "Unlock Security Device" dialog (testing-without-hardware.md §7).
# Servers: nginx (TLS 1.2, client certificate required), then the
# mykey-mock browser login page, which shows the MyKey ID of the card.
# Then a wrong PIN: the dialog comes back, the card has tries left, no
# request succeeds.  Screenshots go to tests/tmp/p11_chromium/.
#
# Runs inside tests/lib/isolated.sh: the Chromium policy directory and the
# X socket directory are private tmpfs mounts of this namespace.
set -u
H_TOP=${H_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$H_TOP/tests/lib/harness.sh"
h_init p11_chromium
. "$H_TOP/tests/e2e/platform_lib.sh"
. "$H_TOP/tests/lib/browser.sh"

M=$H_TOP/$H_BUILD/pkcs11/jpki-pkcs11.so
D=$H_DIR
PIN=1234
PORT=9445
PORT13=9446
LOGIN_PORT=18444
export HOME=$D/home
mkdir -p "$HOME"

for t in chromium Xvfb xdotool import nginx certutil modutil; do
	command -v $t >/dev/null 2>&1 || { echo "p11_chromium: $t missing (make deps)" >&2; exit 1; }
done

# private policy and X socket directories (we are in our own mount ns)
mkdir -p /etc/chromium/policies/managed /tmp/.X11-unix
mount -t tmpfs tmpfs /etc/chromium/policies/managed
mount -t tmpfs -o mode=1777 tmpfs /tmp/.X11-unix

h_pcscd_start || exit 1
P=$(h_profile card1 --pin-auth $PIN) || exit 1
h_card_start "$P" || exit 1

# --- server: nginx, TLS 1.2 only, client certificate required ------------
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$D/srv.key" \
	-out "$D/srv.crt" -subj /CN=127.0.0.1 -days 2 \
	-addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1
openssl x509 -inform DER -in "$P/auth-ca.crt" -out "$D/auth-ca.pem"
mkdir -p "$D/nginx"
cat > "$D/nginx/nginx.conf" <<EOC
worker_processes 1;
error_log $D/nginx/logs/error.log info;
pid $D/nginx/nginx.pid;
events { worker_connections 64; }
http {
	access_log off;
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
			return 200 "<html><body><h1>JPKI login</h1><p id=r>verify=\$ssl_client_verify</p><p>dn=\$ssl_client_s_dn</p><p>proto=\$ssl_protocol</p></body></html>\n";
		}
	}
	server {
		listen 127.0.0.1:$PORT13 ssl;
		access_log $D/nginx/logs/access13.log cc;
		ssl_certificate $D/srv.crt;
		ssl_certificate_key $D/srv.key;
		ssl_client_certificate $D/auth-ca.pem;
		ssl_verify_client on;
		ssl_protocols TLSv1.3;
		default_type text/html;
		location / { return 200 "verify=\$ssl_client_verify\n"; }
	}
}
EOC
b_nginx_start

# --- NSS DB with the module --------------------------------------------
NSSDB=sql:$HOME/.pki/nssdb
mkdir -p "$HOME/.pki/nssdb"
certutil -N -d $NSSDB --empty-password
echo | modutil -force -dbdir $NSSDB -add jpki -libfile "$M" >/dev/null 2>&1
# FRIENDLY (public certificates): NSS lists certificates without C_Login;
# must run while the tokens exist (testing-without-hardware.md §7.3).
echo | modutil -force -dbdir $NSSDB -default jpki -mechanisms FRIENDLY \
	>/dev/null 2>&1
h_check "NSS sees the module's two tokens" sh -c \
	"modutil -dbdir $NSSDB -list jpki 2>&1 | grep -q 'JPKI Digital Signature'"

cat > /etc/chromium/policies/managed/jpki-client-cert.json <<EOC
{ "AutoSelectCertificateForUrls": [
  "{\"pattern\":\"https://127.0.0.1:$PORT\",\"filter\":{\"ISSUER\":{\"O\":\"JPKI-MOCK\"}}}",
  "{\"pattern\":\"https://127.0.0.1:$PORT13\",\"filter\":{\"ISSUER\":{\"O\":\"JPKI-MOCK\"}}}",
  "{\"pattern\":\"https://127.0.0.1:$LOGIN_PORT\",\"filter\":{\"ISSUER\":{\"O\":\"JPKI-MOCK\"}}}" ] }
EOC

b_xvfb_start

chromium_start() {	# chromium_start NAME [URL]
	rm -rf "$D/ud-$1"
	url=${2:-https://127.0.0.1:$PORT/$1}
	chromium --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update \
		--disable-sync --disable-dev-shm-usage --ignore-certificate-errors \
		--user-data-dir="$D/ud-$1" --window-size=1200,900 \
		"$url" > "$D/chromium-$1.log" 2>&1 &
	CHROME_PID=$!
	H_PIDS="$H_PIDS $CHROME_PID"
}

chromium_stop() {
	kill -TERM "$CHROME_PID" 2>/dev/null
	i=0
	while kill -0 "$CHROME_PID" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1; i=$((i + 1))
	done
	kill -KILL "$CHROME_PID" 2>/dev/null
	wait "$CHROME_PID" 2>/dev/null || true
}

wait_dialog() {	# wait_dialog SECONDS: window id of the PIN dialog
	i=0
	while [ $i -lt $(($1 * 5)) ]; do
		w=$(xdotool search --name '^Unlock Security Device$' 2>/dev/null |
			head -n 1)
		[ -n "$w" ] && { echo "$w"; return 0; }
		sleep 0.2; i=$((i + 1))
	done
	return 1
}

type_pin() {	# type_pin WINDOW PIN (typed from stdin, not xdotool's argv)
	xdotool windowactivate --sync "$1" >/dev/null 2>&1 ||
		xdotool windowfocus --sync "$1" >/dev/null 2>&1
	printf '%s' "$2" | xdotool type --delay 60 --file -
	xdotool key Return
}

# --- 1. the right PIN ------------------------------------------------------
chromium_start ok
W=$(wait_dialog 40) || W=""
h_check "Chromium asks for the PIN in 'Unlock Security Device'" test -n "$W"
[ -n "$W" ] && import -window root "$D/pin-dialog.png" 2>/dev/null
[ -n "$W" ] && type_pin "$W" $PIN
i=0
while ! grep -q 'verify=SUCCESS.*/ok ' "$D/nginx/logs/access.log" 2>/dev/null &&
    [ $i -lt 150 ]; do
	sleep 0.2; i=$((i + 1))
done
sleep 1
import -window root "$D/login-ok.png" 2>/dev/null
h_check "TLS 1.2 client authentication with the card succeeded" \
	grep -q 'TLSv1.2 verify=SUCCESS.*"GET /ok HTTP' "$D/nginx/logs/access.log"
SUBJ=$(openssl x509 -inform DER -in "$P/auth.crt" -noout -subject \
	-nameopt RFC2253 | sed 's/^subject=//')
h_check "the server saw the card's auth certificate ($SUBJ)" \
	grep -qF "dn=\"$SUBJ\" \"GET /ok" "$D/nginx/logs/access.log"
h_check "screenshot saved" test -s "$D/login-ok.png"
chromium_stop

# --- 2. a wrong PIN --------------------------------------------------------
chromium_start wrong
W=$(wait_dialog 40) || W=""
h_check "PIN dialog again for a new browser" test -n "$W"
[ -n "$W" ] && type_pin "$W" 9999
sleep 2
W2=$(wait_dialog 15) || W2=""
import -window root "$D/login-wrong.png" 2>/dev/null
h_check "after a wrong PIN Chromium asks again (no crash, no hang)" test -n "$W2"
[ -n "$W2" ] && { xdotool windowactivate --sync "$W2" >/dev/null 2>&1; xdotool key Escape; }
sleep 2
import -window root "$D/login-wrong-cancelled.png" 2>/dev/null
h_expect_rc 1 "no request succeeded with the wrong PIN" \
	grep -q 'verify=SUCCESS.*/wrong ' "$D/nginx/logs/access.log"
set +e	# h_expect_rc leaves errexit on
chromium_stop
pkcs11-tool --module "$M" -T > "$D/T.txt" 2>&1 || true
h_check "the card counted one wrong PIN and has tries left" sh -c \
	"grep -q 'user PIN count low' '$D/T.txt' && ! grep -q 'final user PIN try\|user PIN locked' '$D/T.txt'"

# --- 3. TLS 1.3 only: no RSA-PSS on the card, the handshake fails cleanly --
chromium_start tls13 "https://127.0.0.1:$PORT13/tls13"
W=$(wait_dialog 15) || W=""
[ -n "$W" ] && type_pin "$W" $PIN
sleep 4
import -window root "$D/tls13.png" 2>/dev/null
h_expect_rc 1 "TLS 1.3 server: no request succeeded" \
	grep -q "verify=SUCCESS" "$D/nginx/logs/access13.log"
set +e
h_check "TLS 1.3: Chromium is still alive (clean failure, no hang)" \
	kill -0 "$CHROME_PID"
chromium_stop

# ... and with the card's PSS scheme enabled (JPKI_P11_PSS=1), TLS 1.3 works
export JPKI_P11_PSS=1
chromium_start tls13pss "https://127.0.0.1:$PORT13/tls13pss"
W=$(wait_dialog 40) || W=""
[ -n "$W" ] && type_pin "$W" $PIN
i=0
while ! grep -q 'verify=SUCCESS.*/tls13pss ' "$D/nginx/logs/access13.log" \
    2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.2; i=$((i + 1))
done
import -window root "$D/tls13-pss.png" 2>/dev/null
h_check "TLS 1.3 with JPKI_P11_PSS=1: Chromium logs in (RSA-PSS by the card)" \
	grep -q 'TLSv1.3 verify=SUCCESS.*"GET /tls13pss HTTP' \
	"$D/nginx/logs/access13.log"
chromium_stop
unset JPKI_P11_PSS

# --- 3. the mykey-mock browser login page ----------------------------------
# A card issued by the mock's authority and registered (MyKey ID) with
# `jpki platform register`; Chromium then opens /login on the mock's TLS 1.2
# listener, which identifies the cardholder from the client certificate.
b_mock_start $LOGIN_PORT
b_mock_card "Shiken Hanako" "$D/mockcard"
h_check "card registered at mykey-mock (MyKey ID $MYKEY)" test -n "$MYKEY"
chromium_start mock "https://127.0.0.1:$LOGIN_PORT/login"
W=$(wait_dialog 40) || W=""
h_check "mykey-mock login: Chromium asks for the PIN" test -n "$W"
[ -n "$W" ] && type_pin "$W" "$JPKI_TEST_PIN"
# the mock's audit log records the page's answer (event, MyKey ID, result)
login_row() { b_login_row "$MYKEY"; }
i=0
while [ "$(login_row)" != 1 ] && [ $i -lt 100 ]; do
	sleep 0.2; i=$((i + 1))
done
sleep 1
import -window root "$D/mykey-login.png" 2>/dev/null
h_check "mykey-mock /login identified the card as MyKey ID $MYKEY" \
	test "$(login_row)" = 1
h_check "the login page was served over TLS 1.2 with a 200" \
	grep -q "GET /login 200" "$D/mock.log"
h_check "login page screenshot saved" test -s "$D/mykey-login.png"
chromium_stop

h_card_stop
h_done
