/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * pam_jpki: the PIN and the proof of possession.  The PIN comes from the
 * PAM conversation (echo off), is copied once into a stack buffer, sent in
 * one VERIFY and wiped; it is never retried and never logged.  With one try
 * left the card is not used unless allow_last_try is set (a wrong PIN
 * would lock it, and unlocking needs the municipal office).  The card then
 * signs a fresh host challenge with the authentication key, checked
 * against the certificate that passed the chain and mapping checks: a card
 * that answers with another key, or a reader that replays, fails here.
 */
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <security/pam_ext.h>

#include "pj.h"

#define AUTH_PIN_TRIES	3	/* jpki-card.md §5.4 */
#define CHALLENGE_LEN	32

/* Domain separation: what the card signs is never a bare random string. */
static const char challenge_tag[16] = "pam_jpki chal 1";

int
pj_pin_refused(struct pj *a, int r, int tries)
{
	switch (r) {
	case JPKI_ERR_PIN_INCORRECT:
		pam_syslog(a->pamh, LOG_NOTICE, "wrong PIN (%d %s left)",
		    tries, tries == 1 ? "try" : "tries");
		pj_error(a, "Wrong PIN: %d %s left.", tries,
		    tries == 1 ? "try" : "tries");
		return PAM_AUTH_ERR;
	case JPKI_ERR_PIN_LOCKED:
		pam_syslog(a->pamh, LOG_NOTICE, "PIN locked");
		pj_error(a, "The card's user authentication PIN is locked; "
		    "it can only be reset at the municipal office.");
		return PAM_MAXTRIES;
	case JPKI_ERR_PIN_LAST_TRY:
		pam_syslog(a->pamh, LOG_NOTICE, "one PIN try left: card not "
		    "used (allow_last_try = no)");
		pj_error(a, "Only one PIN try is left on this card: a wrong PIN "
		    "would lock it, so it is not used here. Check the PIN "
		    "with 'jpki pin status' or ask an administrator.");
		return PAM_AUTH_ERR;
	case JPKI_ERR_PIN_FORMAT:
		pj_error(a, "The PIN is 4 digits; the card was not used.");
		return PAM_AUTH_ERR;
	default:
		pam_syslog(a->pamh, LOG_NOTICE, "PIN verification: %s",
		    jpki_strerror(r));
		pj_error(a, "The card could not be used: %s.",
		    jpki_strerror(r));
		return pj_card_rc(r);
	}
}

int
pj_pin_guard(struct pj *a, int *tries_out)
{
	int r, tries = -1;

	r = jpki_card_pin_status(a->card, JPKI_PIN_AUTH, &tries);
	*tries_out = tries;
	if (r == JPKI_OK && tries == 0)
		r = JPKI_ERR_PIN_LOCKED;
	if (r == JPKI_OK && tries == 1 && !a->conf.allow_last_try)
		r = JPKI_ERR_PIN_LAST_TRY;
	if (r != JPKI_OK)
		return pj_pin_refused(a, r, tries);
	return PAM_SUCCESS;
}

int
pj_pin_ask(struct pj *a, int tries, char *pin, size_t pin_size)
{
	char *resp = NULL;
	size_t n;
	int pr;

	if (tries > 0 && tries < AUTH_PIN_TRIES)
		pj_info(a, "%d PIN tries left.", tries);
	pr = pam_prompt(a->pamh, PAM_PROMPT_ECHO_OFF, &resp,
	    "My Number Card PIN (user authentication, 4 digits): ");
	if (pr != PAM_SUCCESS || resp == NULL) {
		free(resp);
		return pr == PAM_SUCCESS ? PAM_CONV_ERR : pr;
	}
	n = strlen(resp);
	if (n == 0) {
		free(resp);
		pam_syslog(a->pamh, LOG_INFO, "no PIN entered");
		pj_error(a, "No PIN entered; the card was not used.");
		return PAM_AUTHINFO_UNAVAIL;
	}
	if (n >= pin_size || jpki_pin_check_format(JPKI_PIN_AUTH,
	    resp) != JPKI_OK) {
		jpki_secure_zero(resp, n);
		free(resp);
		return pj_pin_refused(a, JPKI_ERR_PIN_FORMAT, tries);
	}
	memcpy(pin, resp, n + 1);
	jpki_secure_zero(resp, n);
	free(resp);
	return PAM_SUCCESS;
}

int
pj_verify_pin(struct pj *a)
{
	char pin[JPKI_PIN_MAX + 1];
	int r, tries = -1, pr;

	if ((pr = pj_pin_guard(a, &tries)) != PAM_SUCCESS)
		return pr;
	if ((pr = pj_pin_ask(a, tries, pin, sizeof(pin))) != PAM_SUCCESS)
		return pr;
	r = jpki_card_verify_pin(a->card, JPKI_PIN_AUTH, pin,
	    a->conf.allow_last_try ? JPKI_PIN_FORCE_LAST_TRY : 0, &tries);
	jpki_secure_zero(pin, sizeof(pin));
	if (r != JPKI_OK)
		return pj_pin_refused(a, r, tries);
	return PAM_SUCCESS;
}

int
pj_challenge(struct pj *a)
{
	uint8_t chal[sizeof(challenge_tag) + CHALLENGE_LEN], md[32], sig[512];
	size_t mdlen = sizeof(md), siglen = sizeof(sig);
	int r;

	memcpy(chal, challenge_tag, sizeof(challenge_tag));
	if ((r = jpki_random(chal + sizeof(challenge_tag),
	    CHALLENGE_LEN)) != JPKI_OK ||
	    (r = jpki_hash(JPKI_HASH_SHA256, chal, sizeof(chal), md,
	    &mdlen)) != JPKI_OK) {
		pam_syslog(a->pamh, LOG_ERR, "challenge: %s",
		    jpki_strerror(r));
		return PAM_SERVICE_ERR;
	}
	if ((r = jpki_card_sign(a->card, JPKI_KEY_AUTH, JPKI_HASH_SHA256, md,
	    mdlen, sig, &siglen)) != JPKI_OK) {
		pam_syslog(a->pamh, LOG_NOTICE, "card signature: %s",
		    jpki_strerror(r));
		pj_error(a, "The card could not sign: %s.", jpki_strerror(r));
		return pj_card_rc(r);
	}
	if ((r = jpki_cert_verify_sig(a->cert, JPKI_HASH_SHA256, md, mdlen,
	    sig, siglen)) != JPKI_OK) {
		pam_syslog(a->pamh, LOG_WARNING, "card signature does not "
		    "verify against its certificate: %s", jpki_strerror(r));
		pj_error(a, "The card did not prove that it holds its "
		    "certificate's key.");
		return r == JPKI_ERR_NOMEM ? PAM_BUF_ERR : PAM_AUTH_ERR;
	}
	return PAM_SUCCESS;
}
