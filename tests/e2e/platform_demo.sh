# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# The MyKey Platform story of `make demo`, sourced by tests/demo/demo.sh
# after the card tour (pcscd is running, the tour's card is out): a card
# is registered on the mock platform, renewed by the mock issuing
# authority, and the new card logs in to the same MyKey ID.

. "$H_TOP/tests/e2e/platform_lib.sh"

# pstep TITLE EXPLANATION COMMAND...: like step, output kept in $PSTEP_OUT
pstep() {
	title=$1 text=$2
	shift 2
	H_STEP=$((${H_STEP:-0} + 1))
	printf '\n%s== %d. %s%s\n' "$B" "$H_STEP" "$title" "$N"
	printf '%s\n' "$text" | fold -s -w 76
	printf '\n  $ %s\n\n' "$(shown "$@" | sed -e "s|$H_DIR/||g")"
	PSTEP_OUT=$H_DIR/step$H_STEP.out
	"$@" > "$PSTEP_OUT"
	rc=$?
	sed 's/^/  /' "$PSTEP_OUT"
	if [ "$rc" -eq 0 ]; then
		h_ok "$title"
	else
		h_fail "$title"
		echo "demo: this step failed (exit $rc); logs in $H_DIR" >&2
	fi
	return $rc
}

field() {
	sed -n "s/^$1: *//p" "$2" | head -n 1 | sed 's/ .*//'
}

printf '\n%sPart 2: the MyKey Platform%s\n' "$B" "$N"
printf '%s\n' "A cardholder taps the card at a library kiosk.  The kiosk proves \
possession of the card with its authentication key and sends the \
certificates' issuance numbers to the MyKey Platform, which gives the \
cardholder a MyKey ID.  When the card is renewed, J-LIS links the old \
issuance number to the new one, and the platform keeps the same MyKey ID.  \
Everything runs locally: mykey-mock plays the platform, J-LIS and the \
issuing authority." | fold -s -w 76

PLAT_OK=1
pstep "Start the mock MyKey Platform" \
"mykey-mock serves the platform API and a J-LIS simulator from a SQLite \
database, here on a loopback port with plain http (the client refuses plain \
http anywhere else)." \
	p_mock_start || PLAT_OK=0

pstep "Register the kiosk as a platform client" \
"A municipality client id and secret; the secret travels only in an \
environment variable, never on a command line." \
	p_client || PLAT_OK=0

PERSON=$(p_person "Shiken Hanako")
pstep "The issuing authority issues a card" \
"A synthetic person gets a My Number Card from the mock authority: keys and \
certificates from the mock J-LIS CA, written as a jpki-cardsim profile." \
	"$H_BIN/mykey-mock" card issue --person "$PERSON" --out "$H_DIR/mycard" \
	    --db "$H_DIR/mock.db" --ca-dir "$H_DIR/mock-ca" \
	    --profiles-dir "$H_DIR/profiles" || PLAT_OK=0
A1=$(p_json auth_issuance_number < "$PSTEP_OUT")

pstep "Insert the card" \
"The new card goes into the virtual reader." \
	h_card_start "$H_DIR/mycard" || PLAT_OK=0
p_pins "$H_DIR/mycard"

p_consent "$H_DIR/consent.json"
pstep "The cardholder's consent" \
"Arts. 16, 17 and 20 of the platform's terms: the issuance number is sent \
to J-LIS to confirm validity, and after a renewal J-LIS searches the old \
number from the new one.  Run interactively, jpki platform shows the terms \
and asks; here the answer is recorded in a file." \
	cat "$H_DIR/consent.json"

pstep "Register: create the MyKey ID" \
"The card signs a one-time challenge with its authentication key (PIN), \
then with its signature key (signing password); the platform checks both \
at J-LIS and binds both issuance numbers to a new MyKey ID." \
	"$H_BIN/jpki" platform register --url "$P_URL" --allow-http \
	    --client-id "$P_ID" --consent-file "$H_DIR/consent.json" \
	    --pin-env JPKI_TEST_PIN --sign-pin-env JPKI_TEST_SIGN_PIN ||
	PLAT_OK=0
M1=$(field "MyKey ID" "$PSTEP_OUT")

pstep "Five years later: the card is renewed" \
"At the municipal office the authority issues a new card.  The old \
certificates are revoked as 'superseded' and J-LIS records old -> new.  \
The platform is not told." \
	"$H_BIN/mykey-mock" card renew --serial "$A1" --out "$H_DIR/mycard2" \
	    --db "$H_DIR/mock.db" --ca-dir "$H_DIR/mock-ca" \
	    --profiles-dir "$H_DIR/profiles" || PLAT_OK=0
A2=$(p_json auth_issuance_number < "$PSTEP_OUT")
h_card_stop

pstep "Insert the new card" \
"The old card is out; the new one goes in." \
	h_card_start "$H_DIR/mycard2" || PLAT_OK=0
p_pins "$H_DIR/mycard2"

pstep "Log in with the new card" \
"The platform has never seen this issuance number.  It asks J-LIS for the \
predecessor, finds the old number bound to the MyKey ID, and relinks." \
	"$H_BIN/jpki" platform login --url "$P_URL" --allow-http \
	    --client-id "$P_ID" --consent-file "$H_DIR/consent.json" \
	    --pin-env JPKI_TEST_PIN || PLAT_OK=0
M2=$(field "MyKey ID" "$PSTEP_OUT")
RL=$(sed -n 's/^relinked: //p' "$PSTEP_OUT")

printf '\n%sSummary%s\n' "$B" "$N"
printf '  old card  auth issuance number %s  MyKey ID %s\n' "$A1" "$M1"
printf '  new card  auth issuance number %s  MyKey ID %s\n' "$A2" "$M2"
printf '  login: relinked: %s\n' "$RL"
if [ "$PLAT_OK" = 1 ] && [ -n "$M1" ] && [ "$M1" = "$M2" ] &&
    [ "$RL" = "true, hops: 1" ]; then
	h_ok "same MyKey ID across the renewal"
	echo "  The cardholder keeps the MyKey ID across the renewal."
else
	h_fail "same MyKey ID across the renewal"
fi
h_card_stop
p_mock_stop
