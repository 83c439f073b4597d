#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# pam_jpki.so end to end: pamtester (PIN on its standard input, through
# libpam's own conversation) and a real set-user-ID su run by a synthetic
# unprivileged user in tmux, the PIN typed at the prompt.  Cards are
# jpki-cardsim behind the real pcscd and vpcd; certificates are issued,
# revoked and checked by a real mykey-mock (OCSP responder, CRL).
#
# The host's files are never touched: /etc/pam.d, /etc/passwd, /etc/shadow
# and /etc/group are bind-mounted from this test's directory inside the
# private mount namespace of tests/lib/isolated.sh, and /dev/log is
# covered so the module's syslog lines stay out of the host's journal.
#
#   tests/lib/isolated.sh sh tests/e2e/pam.sh     (make check-pam)
set -u

. "${H_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/harness.sh"

h_init pam
pam_cleanup() {
	rc=$?
	tmux -S "$H_DIR/tmux.sock" kill-server 2>/dev/null
	(exit $rc)
	h_cleanup
}
trap pam_cleanup EXIT
. "$H_TOP/tests/e2e/platform_lib.sh"
MOD=$H_TOP/$H_BUILD/pam/pam_jpki.so
J=$H_BIN/jpki
OUT=$H_DIR/out
PAMD=$H_DIR/pam.d
CONF=$H_DIR/pam_jpki.conf
MAP=$H_DIR/pam_jpki_users
SOCK=$H_DIR/tmux.sock
TM="tmux -S $SOCK"

conf() {
	sed -n "s/^$2 *= *//p" "$1/profile.conf"
}

# --- private /etc: PAM services, synthetic users -----------------------------
mkdir -p "$PAMD" "$H_DIR/etc" "$H_DIR/home"
chmod 1777 "$H_DIR/home"
cp /etc/passwd /etc/group "$H_DIR/etc/"
cp /etc/shadow "$H_DIR/etc/shadow" 2>/dev/null || : > "$H_DIR/etc/shadow"
chmod 0640 "$H_DIR/etc/shadow"
uid=61001
for u in alice bob carol dave erin; do
	echo "$u:x:$uid:$uid:synthetic test user:$H_DIR/home:/bin/sh" >> "$H_DIR/etc/passwd"
	echo "$u:x:$uid:" >> "$H_DIR/etc/group"
	echo "$u:!:20000:0:99999:7:::" >> "$H_DIR/etc/shadow"
	uid=$((uid + 1))
done
# only pam_jpki decides: nothing else in the auth stack
for s in other su su-l; do
	printf 'auth required pam_deny.so\naccount required pam_permit.so\nsession required pam_permit.so\npassword required pam_deny.so\n' > "$PAMD/$s"
done
# su checks revocation against the offline CRL cache (filled below)
printf 'auth required %s config=%s ocsp_url= crl_dir=%s\naccount required pam_permit.so\nsession required pam_permit.so\n' \
	"$MOD" "$CONF" "$H_DIR/crl-cache" > "$PAMD/su"
mount --bind "$PAMD" /etc/pam.d
for f in passwd group shadow; do
	mount --bind "$H_DIR/etc/$f" "/etc/$f"
done
: > "$H_DIR/devlog"
mount --bind "$H_DIR/devlog" /dev/log 2>/dev/null || true
if [ "$(getent passwd alice | cut -d: -f1)" != alice ]; then
	h_fail "synthetic users visible in the private /etc/passwd"
	h_done; exit 1
fi

# svc NAME [module args...]: a pamtester service with only pam_jpki
svc() {
	n=$1; shift
	printf 'auth required %s config=%s %s\naccount required pam_permit.so\n' \
		"$MOD" "$CONF" "$*" > "$PAMD/$n"
}

# pt DESC WANT USER SERVICE [STDIN]: pamtester authenticate; WANT is
# ok, or the pam_strerror() text pamtester prints for the failure
pt() {
	desc=$1; want=$2; user=$3; service=$4; input=${5-}
	printf '%s\n' "$input" | timeout 30 pamtester -v "$service" "$user" \
		authenticate > "$OUT" 2>&1
	rc=$?
	cat "$OUT" >> "$H_DIR/check.log"
	if [ "$want" = ok ]; then
		if [ $rc -eq 0 ] && grep -q "successfully authenticated" "$OUT"; then
			h_ok "$desc"
		else
			h_fail "$desc (exit $rc)"; sed 's/^/#   /' "$OUT"
		fi
	elif [ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -qF -- "$want" "$OUT"; then
		h_ok "$desc"
	else
		h_fail "$desc (exit $rc, want '$want')"; sed 's/^/#   /' "$OUT"
	fi
}

# says TEXT: the last pamtester run printed TEXT
says() {
	if grep -qF -- "$1" "$OUT"; then h_ok "message: $1"; else
		h_fail "message: $1"; sed 's/^/#   /' "$OUT"; fi
}

not_asked() {
	if grep -q "PIN (user authentication" "$OUT"; then
		h_fail "$1: the PIN was asked"; else h_ok "$1: no PIN asked"; fi
}

tries() {
	"$J" pin status --json 2>/dev/null | jq -r .pins.auth.tries_left
}

expect_tries() {
	got=$(tries)
	if [ "$got" = "$1" ]; then h_ok "$2 (auth PIN: $1 tries left)"; else
		h_fail "$2 (auth PIN: $got tries left, want $1)"; fi
}

# card_in PROFILE [options]: insert a card.  On a loaded machine vpcd can
# be slow to take a new card right after one was pulled: one more try
# before the suite counts it as a failure.
card_in() {
	h_card_stop
	h_card_start "$@" 2>> "$H_DIR/check.log" && return 0
	h_card_stop
	sleep 1
	h_card_start "$@" || h_fail "card inserted ($1)"
}

UNAVAIL="Authentication service cannot retrieve authentication info"
AUTHERR="Authentication failure"

h_pcscd_start || { h_fail "pcscd start"; h_done; exit 1; }
p_mock_start || { h_fail "mykey-mock start"; h_done; exit 1; }

# --- cards: three issued by mykey-mock, one expired from gen-profile ---------
for who in A B C; do
	p=$(p_person "試験　$who") &&
	p_card_issue "$p" "$H_DIR/profiles/card$who" > /dev/null 2>> "$H_DIR/check.log" ||
		h_fail "mykey-mock card issue $who"
done
A=$H_DIR/profiles/cardA
B=$H_DIR/profiles/cardB
C=$H_DIR/profiles/cardC
E=$(h_profile expired --not-before 20200101 --not-after 20210101)
PIN_A=$(conf "$A" pin.auth)
PIN_B=$(conf "$B" pin.auth)
PIN_E=$(conf "$E" pin.auth)
serial() {
	openssl x509 -inform DER -in "$1/auth.crt" -noout -serial | cut -d= -f2
}
subject() {	# as jpki_cert_subject() prints it (RFC 2253)
	openssl x509 -inform DER -in "$1/auth.crt" -noout -subject \
		-nameopt RFC2253 | sed 's/^subject=//'
}
mkdir -p "$H_DIR/anchors"
cp "$H_DIR/mock-ca/auth-ca.crt" "$H_DIR/anchors/mock-auth-ca.der"
cp "$E/auth-ca.crt" "$H_DIR/anchors/gen-auth-ca.der"

# alice by issuance number (lower case, leading zeros: both normalised),
# bob by subject, dave has the expired card; C is nobody's
{
	echo "# synthetic test mapping"
	echo "alice serial 00$(serial "$A" | tr A-F a-f)"
	echo "bob   subject $(subject "$B")"
	echo "dave  serial $(serial "$E")"
} > "$MAP"
cat > "$CONF" <<EOF
# pam_jpki test configuration
map_file = $MAP
ca_dir = $H_DIR/anchors
bundled_roots = no
revocation = hard
ocsp_url = $P_URL/jlis/v1/ocsp
revocation_timeout = 2000
EOF
svc jpki
svc jpki-soft revocation=soft
svc jpki-none revocation=none
svc jpki-last allow_last_try=yes

# --- no card ------------------------------------------------------------------
pt "no card: PAM_AUTHINFO_UNAVAIL (other modules may take over)" "$UNAVAIL" alice jpki
says "No My Number Card found"

# --- right card, right PIN ----------------------------------------------------
card_in "$A"
pt "card A, alice, right PIN: authenticated" ok alice jpki "$PIN_A"
says "My Number Card PIN (user authentication, 4 digits):"
expect_tries 3 "after a success"

# --- wrong PIN: exactly one try, never retried --------------------------------
WRONG=0000
[ "$PIN_A" = 0000 ] && WRONG=1111
pt "wrong PIN: PAM_AUTH_ERR" "$AUTHERR" alice jpki "$WRONG"
says "Wrong PIN: 2 tries left."
expect_tries 2 "one wrong PIN spends exactly one try"
pt "PIN of the wrong format: refused before any VERIFY" "$AUTHERR" alice jpki 12345
says "The PIN is 4 digits"
expect_tries 2 "a malformed PIN spends nothing"
pt "no PIN entered: PAM_AUTHINFO_UNAVAIL" "$UNAVAIL" alice jpki ""
says "No PIN entered; the card was not used."
expect_tries 2 "an empty PIN spends nothing"
pt "right PIN after a wrong one" ok alice jpki "$PIN_A"
says "2 PIN tries left."
expect_tries 3 "the right PIN resets the counter"

# --- last-try guard -----------------------------------------------------------
pt "wrong PIN (1)" "$AUTHERR" alice jpki "$WRONG"
pt "wrong PIN (2)" "$AUTHERR" alice jpki "$WRONG"
says "Wrong PIN: 1 try left."
pt "one try left: refused without asking" "$AUTHERR" alice jpki "$PIN_A"
says "Only one PIN try is left on this card"
not_asked "last-try guard"
expect_tries 1 "the guard spends nothing"
pt "allow_last_try=yes: the right PIN on the last try" ok alice jpki-last "$PIN_A"
expect_tries 3 "after the last try was used"

# --- another person's card, an unmapped card ----------------------------------
h_card_stop
card_in "$B"
pt "card B (bob's) for alice: refused" "$AUTHERR" alice jpki "$PIN_B"
says "This card is not registered for this account."
not_asked "another person's card"
pt "card B for bob (subject mapping): authenticated" ok bob jpki "$PIN_B"
pt "card B for carol (no mapping at all): refused" "$AUTHERR" carol jpki "$PIN_B"
h_card_stop
card_in "$C"
pt "card C (in no mapping) for alice: refused" "$AUTHERR" alice jpki "$(conf "$C" pin.auth)"
not_asked "unmapped card"
expect_tries 3 "unmapped card: no try spent"
h_card_stop

# --- a card whose key is not its certificate's ------------------------------
# (a copied certificate on another card): everything checks out until the
# card has to sign the challenge
cp -r "$B" "$H_DIR/profiles/cardB-otherkey"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
	-out "$H_DIR/profiles/cardB-otherkey/auth.key" 2>/dev/null
echo "tamper = auth-key" >> "$H_DIR/profiles/cardB-otherkey/profile.conf"
card_in "$H_DIR/profiles/cardB-otherkey"
pt "certificate copied to a card with another key: refused" "$AUTHERR" bob jpki "$PIN_B"
says "The card did not prove that it holds its certificate's key."
h_card_stop

# --- expired certificate ------------------------------------------------------
card_in "$E"
pt "expired certificate: refused" "$AUTHERR" dave jpki-none "$PIN_E"
says "The card's certificate has expired."
not_asked "expired certificate"
h_card_stop

# --- revocation: OCSP, CRL file, CRL cache directory --------------------------
p_mm cert revoke --serial "$(serial "$A")" --reason keyCompromise \
	>> "$H_DIR/check.log" 2>&1 || h_fail "mykey-mock cert revoke"
curl -s -o "$H_DIR/auth.crl" "$P_URL/jlis/v1/crl/auth.crl" ||
	h_fail "CRL download"
mkdir -p "$H_DIR/crl-cache"
cp "$H_DIR/auth.crl" "$H_DIR/crl-cache/20-auth.crl"
cp "$E/auth-ca.crt" "$H_DIR/crl-cache/10-not-a-crl.der"
card_in "$A"
pt "revoked (OCSP, hard): refused" "$AUTHERR" alice jpki "$PIN_A"
says "The card's certificate has been revoked."
not_asked "revoked certificate"
pt "revoked (OCSP, soft): still refused" "$AUTHERR" alice jpki-soft "$PIN_A"
svc jpki-crl ocsp_url= crl_file=$H_DIR/auth.crl
pt "revoked (CRL file, no OCSP): refused" "$AUTHERR" alice jpki-crl "$PIN_A"
svc jpki-crldir ocsp_url= crl_dir=$H_DIR/crl-cache
pt "revoked (CRL cache directory): refused" "$AUTHERR" alice jpki-crldir "$PIN_A"
expect_tries 3 "revoked certificate: no try spent"
h_card_stop

# responder down: card B is good
p_mock_stop
card_in "$B"
pt "OCSP down, hard: PAM_AUTHINFO_UNAVAIL" "$UNAVAIL" bob jpki "$PIN_B"
says "could not be checked for revocation"
not_asked "OCSP down, hard"
pt "OCSP down, soft: authenticated (logged)" ok bob jpki-soft "$PIN_B"
svc jpki-cache crl_dir=$H_DIR/crl-cache
pt "OCSP down, hard, offline CRL cache says good: authenticated" ok bob jpki-cache "$PIN_B"
h_card_stop

# --- card pulled out mid-authentication ---------------------------------------
# APDUs of one run (revocation=none): 1 SELECT AP, 2 READ BINARY of the
# certificate, 3 empty VERIFY (tries, before the prompt), 4 empty VERIFY
# (libjpki's own last-try guard), 5 VERIFY, 6 SIGN; pull after 1 (at the
# certificate), 3 (after the PIN was typed) and 5 (the PIN verified, at
# the signature)
for n in 1 3 5; do
	card_in "$B" --drop-after "$n"
	t0=$(date +%s)
	pt "card pulled after APDU $n: clean failure" "ication" bob jpki-none "$PIN_B"
	t1=$(date +%s)
	if grep -qE "$UNAVAIL|$AUTHERR" "$OUT" && [ $((t1 - t0)) -lt 15 ]; then
		h_ok "card pulled after APDU $n: AUTHINFO_UNAVAIL or AUTH_ERR in $((t1 - t0)) s"
	else
		h_fail "card pulled after APDU $n ($((t1 - t0)) s)"
		sed 's/^/#   /' "$OUT"
	fi
	h_card_stop
done

# --- configuration errors -----------------------------------------------------
card_in "$B"
printf 'map_file = %s\nrevocaton = hard\n' "$MAP" > "$H_DIR/typo.conf"
printf 'auth required %s config=%s\n' "$MOD" "$H_DIR/typo.conf" > "$PAMD/jpki-typo"
pt "unknown option in the configuration: PAM_SERVICE_ERR" "Error in service module" bob jpki-typo "$PIN_B"
cp "$MAP" "$H_DIR/map-ww"
chmod 0666 "$H_DIR/map-ww"
svc jpki-ww revocation=none map_file=$H_DIR/map-ww
pt "world-writable mapping file: refused" "Error in service module" bob jpki-ww "$PIN_B"
not_asked "world-writable mapping file"
expect_tries 3 "configuration errors: no try spent"

# --- su as an unprivileged user, PIN typed at the prompt in tmux --------------
screen() {
	$TM capture-pane -p -t su 2>/dev/null
}
see() {
	i=0
	while ! screen | grep -qF -- "$1" && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
	screen | grep -qF -- "$1"
}
# What su's command writes as the target user goes to a directory of its
# own under /tmp: the target user may not reach the tree (a checkout or a
# distcheck under a 0700 directory).
SUOUT=$(mktemp -d /tmp/jpki-pam-su.XXXXXX)
chmod 1777 "$SUOUT"
su_run() {	# su_run TARGET [PIN]: carol runs su TARGET, types PIN
	rm -f "$SUOUT/su.out" "$H_DIR/su.rc"
	$TM kill-server 2>/dev/null
	while [ -S "$SOCK" ] && $TM has-session 2>/dev/null; do sleep 0.1; done
	$TM new-session -d -s su -x 160 -y 20 \
		"setpriv --reuid=carol --regid=carol --clear-groups env JPKI_DEBUG=1 JPKI_ROOTS_DIR=$H_DIR/home su $1 -c 'id -un > $SUOUT/su.out'; echo \$? > $H_DIR/su.rc; sleep 30"
	if [ -n "${2:-}" ] && see "My Number Card PIN"; then
		$TM send-keys -t su "$2" Enter
	fi
	i=0
	while [ ! -s "$H_DIR/su.rc" ] && [ $i -lt 150 ]; do
		sleep 0.1; i=$((i + 1))
	done
}
h_card_stop
card_in "$B"
su_run bob "$PIN_B"
if [ "$(cat "$H_DIR/su.rc" 2>/dev/null)" = 0 ] &&
    [ "$(cat "$SUOUT/su.out" 2>/dev/null)" = bob ]; then
	h_ok "su bob by carol (set-user-ID su, PIN typed): runs as bob"
else
	h_fail "su bob by carol"; screen | sed 's/^/#   | /'
fi
# libjpki inside set-user-ID su ignores the invoking user's JPKI_DEBUG
# (APDU log on stderr) and JPKI_ROOTS_DIR (trust anchors)
if screen | grep -q "^jpki: "; then
	h_fail "JPKI_DEBUG from the user honoured inside su"; screen | sed 's/^/#   | /'
else
	h_ok "JPKI_DEBUG and JPKI_ROOTS_DIR of the user ignored inside su"
fi
WRONG=0000
[ "$PIN_B" = 0000 ] && WRONG=1111
su_run bob $WRONG
if [ "$(cat "$H_DIR/su.rc" 2>/dev/null)" = 1 ] && [ ! -s "$SUOUT/su.out" ] &&
    screen | grep -qF "Wrong PIN: 2 tries left."; then
	h_ok "su with a wrong PIN: refused, tries left shown"
else
	h_fail "su with a wrong PIN"; screen | sed 's/^/#   | /'
fi
if screen | grep -qF "$WRONG"; then h_fail "the PIN was echoed"; else
	h_ok "the PIN typed at su's prompt is not echoed"; fi
su_run alice
if [ "$(cat "$H_DIR/su.rc" 2>/dev/null)" = 1 ] &&
    screen | grep -qF "not registered for this account"; then
	h_ok "su alice with bob's card: refused"
else
	h_fail "su alice with bob's card"; screen | sed 's/^/#   | /'
fi
$TM kill-server 2>/dev/null
rm -rf "$SUOUT"
h_card_stop

# --- mapping by MyKey ID through the MyKey Platform ---------------------------
# erin is mapped by the MyKey ID of card D (registered by its holder with
# `jpki platform register`), carol by card C's; the platform client uses
# the mock's plain http on loopback inside this namespace
p_mock_start || h_fail "mykey-mock restart"
p_client || h_fail "platform client"
printf '%s\n' "$JPKI_PLATFORM_CLIENT_SECRET" > "$H_DIR/platform.secret"
chmod 0600 "$H_DIR/platform.secret"
unset JPKI_PLATFORM_CLIENT_SECRET	# pam_jpki reads it from the file only
p_consent "$H_DIR/consent.json"
p=$(p_person "試験　D") &&
p_card_issue "$p" "$H_DIR/profiles/cardD" > "$H_DIR/cardD.json" 2>> "$H_DIR/check.log" ||
	h_fail "mykey-mock card issue D"
D=$H_DIR/profiles/cardD
PIN_D=$(conf "$D" pin.auth)
PIN_C=$(conf "$C" pin.auth)
register() {	# register PROFILE: the holder creates a MyKey ID (in $MK)
	card_in "$1"
	p_pins "$1"
	JPKI_PLATFORM_CLIENT_SECRET=$(cat "$H_DIR/platform.secret") \
		p_plat register --consent-file "$H_DIR/consent.json" --json \
		> "$H_DIR/register.json" 2>> "$H_DIR/check.log"
	unset JPKI_TEST_PIN JPKI_TEST_SIGN_PIN
	MK=$(p_json mykey_id < "$H_DIR/register.json")
}
register "$D"; MK_D=$MK
register "$C"; MK_C=$MK
h_card_stop
if [ ${#MK_D} -eq 8 ] && [ ${#MK_C} -eq 8 ] && [ "$MK_D" != "$MK_C" ]; then
	h_ok "MyKey IDs created for cards D and C"
else
	h_fail "MyKey IDs created for cards D and C ('$MK_D', '$MK_C')"
fi
{
	echo "erin  mykey $MK_D"
	echo "carol mykey $MK_C"
} >> "$MAP"
MKCONF=$H_DIR/pam_jpki-mykey.conf
{
	cat "$CONF"
	echo "platform_url = $P_URL"
	echo "platform_client_id = $P_ID"
	echo "platform_secret_file = $H_DIR/platform.secret"
	echo "consent_file = $H_DIR/consent.json"
	echo "platform_allow_http = yes"
	echo "platform_timeout = 3000"
} > "$MKCONF"
svcmk() {	# svcmk NAME [module args...]: pam_jpki with the platform keys
	n=$1; shift
	printf 'auth required %s config=%s %s\naccount required pam_permit.so\n' \
		"$MOD" "$MKCONF" "$*" > "$PAMD/$n"
}
svcmk jpki-mk
svcmk jpki-mk-norev revocation=none
verifies() {
	grep -c 'mykey-ids:verify' "$H_DIR/mock.log" 2>/dev/null || true
}

card_in "$D"
v0=$(verifies)
pt "MyKey ID mapped to erin, card D: authenticated" ok erin jpki-mk "$PIN_D"
says "My Number Card PIN (user authentication, 4 digits):"
if [ "$(verifies)" -gt "$v0" ]; then h_ok "  ... the platform's :verify was asked"
else h_fail "  ... the platform's :verify was asked"; fi
expect_tries 3 "MyKey login"
WRONG=0000
[ "$PIN_D" = 0000 ] && WRONG=1111
pt "MyKey mapping, wrong PIN: refused" "$AUTHERR" erin jpki-mk "$WRONG"
says "Wrong PIN: 2 tries left."
expect_tries 2 "MyKey mapping: one wrong PIN spends exactly one try"
pt "MyKey mapping, right PIN after a wrong one" ok erin jpki-mk "$PIN_D"
pt "card D for carol (her MyKey ID is another): refused" "$AUTHERR" carol jpki-mk "$PIN_D"
says "This card is not registered for this account."
h_card_stop
card_in "$C"
pt "card C (carol's MyKey ID) for erin: refused" "$AUTHERR" erin jpki-mk "$PIN_C"
says "This card is not registered for this account."
pt "card C for carol: authenticated" ok carol jpki-mk "$PIN_C"
h_card_stop

# renewal: the authority issues a successor card; the platform keeps the
# MyKey ID through J-LIS linkage, so the old mapping line still works
NEWD=$(p_mm card renew --serial "$(serial "$D")" --out "$H_DIR/profiles/cardD2" 2>> "$H_DIR/check.log")
D2=$H_DIR/profiles/cardD2
if [ -n "$NEWD" ] && [ "$(serial "$D2")" != "$(serial "$D")" ]; then
	h_ok "card D renewed (new issuance number)"
else
	h_fail "card D renewed"
fi
card_in "$D2"
pt "renewed card D, same mapping line: authenticated" ok erin jpki-mk "$(conf "$D2" pin.auth)"
pt "renewed card D for carol: refused" "$AUTHERR" carol jpki-mk "$(conf "$D2" pin.auth)"

# configuration the platform path needs
chmod 0644 "$H_DIR/platform.secret"
pt "client secret readable by others: PAM_SERVICE_ERR" "Error in service module" erin jpki-mk "$(conf "$D2" pin.auth)"
not_asked "client secret readable by others"
chmod 0600 "$H_DIR/platform.secret"
svcmk jpki-mk-noconsent consent_file=$H_DIR/no-such-consent.json
pt "no consent record: PAM_SERVICE_ERR" "Error in service module" erin jpki-mk-noconsent "$(conf "$D2" pin.auth)"
not_asked "no consent record"

# the platform down (revocation=none: the OCSP responder is the same mock)
p_mock_stop
pt "MyKey Platform down: PAM_AUTHINFO_UNAVAIL" "$UNAVAIL" erin jpki-mk-norev "$(conf "$D2" pin.auth)"
says "The MyKey Platform could not be reached"
not_asked "MyKey Platform down"
expect_tries 3 "MyKey Platform down: no try spent"
h_card_stop

h_done
