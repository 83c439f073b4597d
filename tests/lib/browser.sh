# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# Setup shared by the browser suites (tests/e2e/p11_firefox.sh,
# tests/e2e/p11_chromium.sh).  Source after tests/lib/harness.sh, h_init
# and tests/e2e/platform_lib.sh; everything lives in $H_DIR and every
# process started goes to H_PIDS (stopped by the harness).
#
#   b_xvfb_start                    Xvfb on a free display; exports DISPLAY
#   b_nginx_start                   nginx on $H_DIR/nginx/nginx.conf, which
#                                   the suite writes (logs in nginx/logs/)
#   b_mock_start LOGIN_PORT [ARGS]  mykey-mock: plain http on $P_PORT and
#                                   the TLS 1.2 browser login page
#   b_mock_card NAME DIR            a card issued by the mock's authority
#                                   into DIR, in the reader, registered;
#                                   sets MYKEY (empty if that failed)
#   b_login_row MYKEY               count of the login page's OK answers
#                                   for MYKEY in the mock's audit log

# Xvfb picks a free display itself: its lock files live in the shared /tmp.
# The X socket directory must be a private mount of the suite's namespace.
b_xvfb_start() {
	Xvfb -displayfd 3 -screen 0 1280x1024x24 -nolisten tcp \
		3> "$H_DIR/display" > "$H_DIR/xvfb.log" 2>&1 &
	H_PIDS="$H_PIDS $!"
	i=0
	while [ ! -s "$H_DIR/display" ] && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
	DISPLAY_NO=$(tr -dc 0-9 < "$H_DIR/display")
	export DISPLAY=:$DISPLAY_NO
	i=0
	while [ ! -S /tmp/.X11-unix/X$DISPLAY_NO ] && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
}

b_nginx_start() {
	mkdir -p "$H_DIR/nginx/logs"
	nginx -c "$H_DIR/nginx/nginx.conf" -p "$H_DIR/nginx" \
		-g 'daemon off;' > "$H_DIR/nginx/stdout.log" 2>&1 &
	H_PIDS="$H_PIDS $!"
}

b_mock_start() {
	_lp=$1; shift
	"$H_BIN/mykey-mock" serve --db "$H_DIR/mock.db" \
		--ca-dir "$H_DIR/mock-ca" --profiles-dir "$H_DIR/profiles" \
		--bind 127.0.0.1 --port "$P_PORT" --plain-http \
		--login-port "$_lp" --log "$H_DIR/mock.log" "$@" \
		>> "$H_DIR/mock.out" 2>&1 &
	H_PIDS="$H_PIDS $!"
	i=0
	while ! curl -s -o /dev/null "$P_URL/v1/token" && [ $i -lt 100 ]; do
		sleep 0.05; i=$((i + 1))
	done
}

# Not in a command substitution: the card's process must reach H_PIDS.
b_mock_card() {
	MYKEY=""
	p_client || return 0
	_person=$(p_person "$1")
	p_card_issue "$_person" "$2" > "$H_DIR/mockcard.json"
	h_card_stop
	h_card_start "$2" || true
	p_pins "$2"
	p_consent "$H_DIR/consent.json"
	p_plat register --consent-file "$H_DIR/consent.json" --no-sign \
		--json > "$H_DIR/register.json" 2>> "$H_DIR/register.err" ||
		true
	MYKEY=$(p_json mykey_id < "$H_DIR/register.json")
}

b_login_row() {
	sqlite3 "$H_DIR/mock.db" "SELECT count(*) FROM audit_log WHERE \
		action='login.page' AND mykey_id='$1' AND result_code='OK'" \
		2>/dev/null
}
