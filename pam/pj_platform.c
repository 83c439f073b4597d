/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * pam_jpki: a user mapped by MyKey ID ("USER mykey ID").  The MyKey
 * Platform (libjpki's platform client, jpki/platform.h) sends a challenge,
 * the card signs it after the PIN was typed in the conversation, and the
 * platform's POST /v1/mykey-ids:verify checks the proof and answers the
 * MyKey ID it keeps for this person across renewals (J-LIS old-to-new
 * linkage).  That ID must be one of the user's "mykey" lines.
 *
 * Every transfer of the issuance number carries the cardholder's consent
 * record (consent_file, MyKey Platform Terms Arts. 16, 17, 20): without a
 * valid one nothing is sent.  A platform that cannot be reached, or says it
 * is unavailable, gives PAM_AUTHINFO_UNAVAIL, never a success.  The PIN is
 * asked by libjpki's callback right before the card signs, once; it is not
 * retried.  Syslog gets the MyKey ID only with debug.
 */
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <security/pam_ext.h>

#include <jpki/platform.h>

#include "pj.h"

struct pin_ctx {
	struct pj	*a;
	int		 asked;
	int		 pam_rc;	/* set when the conversation decided */
};

/* libjpki asks for the auth PIN: once, through the PAM conversation. */
static int
pin_cb(void *arg, jpki_pin_kind_t kind, int tries_left, char *pin,
    size_t pin_size)
{
	struct pin_ctx *x = arg;

	if (kind != JPKI_PIN_AUTH || x->asked++ > 0)
		return JPKI_ERR_CANCELLED;	/* never a second prompt */
	x->pam_rc = pj_pin_ask(x->a, tries_left, pin, pin_size);
	if (x->pam_rc != PAM_SUCCESS)
		return JPKI_ERR_CANCELLED;
	return JPKI_OK;
}

/* The client secret from its file (0600, root): first line, wiped. */
static int
configure(struct pj *a, jpki_platform_t *p)
{
	const struct pj_conf *c = &a->conf;
	jpki_platform_opts_t o = { .size = sizeof(o) };
	char err[PJ_ERRLEN], *secret = NULL;
	size_t len = 0;
	int r;

	if (c->platform_url[0] == '\0' || c->platform_client_id[0] == '\0' ||
	    c->platform_secret_file[0] == '\0' ||
	    c->consent_file[0] == '\0') {
		pam_syslog(a->pamh, LOG_ERR, "mykey mapping needs platform_url, "
		    "platform_client_id, platform_secret_file and "
		    "consent_file");
		return PAM_SERVICE_ERR;
	}
	if (pj_read_secret(c->platform_secret_file, &secret, &len, err,
	    sizeof(err)) != 0) {
		pam_syslog(a->pamh, LOG_ERR, "platform secret: %s", err);
		return PAM_SERVICE_ERR;
	}
	secret[strcspn(secret, "\r\n")] = '\0';
	JPKI_INIT(&o);
	o.url = c->platform_url;
	o.client_id = c->platform_client_id;
	o.client_secret = secret;
	o.ca_file = c->platform_ca_file[0] != '\0' ? c->platform_ca_file :
	    NULL;
	o.allow_http_loopback = c->platform_allow_http;
	o.connect_timeout_ms = c->platform_timeout;
	o.timeout_ms = c->platform_timeout;
	/* someone waits at a login prompt: one quick retry, no long waits */
	o.max_attempts = 2;
	o.backoff_base_ms = 200;
	o.backoff_max_ms = 500;
	o.max_retry_after_s = 2;
	o.force_last_try = c->allow_last_try;
	r = jpki_platform_configure(p, &o);
	jpki_secure_zero(secret, len);
	free(secret);
	if (r != JPKI_OK) {
		pam_syslog(a->pamh, LOG_ERR, "platform configuration: %s",
		    jpki_strerror(r));
		return PAM_SERVICE_ERR;
	}
	return PAM_SUCCESS;
}

/* The PAM code for what the platform client returned. */
static int
platform_rc(struct pj *a, int r, const jpki_platform_result_t *res)
{
	switch (r) {
	case JPKI_ERR_NETWORK:
	case JPKI_ERR_TLS:
	case JPKI_ERR_TIMEOUT:
	case JPKI_ERR_HTTP:
	case JPKI_ERR_SERVER:
	case JPKI_ERR_MAINTENANCE:
	case JPKI_ERR_JLIS_UNAVAILABLE:
	case JPKI_ERR_RATE_LIMITED:
	case JPKI_ERR_IDEMPOTENCY:
		pam_syslog(a->pamh, LOG_NOTICE, "MyKey Platform unavailable: "
		    "%s", jpki_strerror(r));
		pj_error(a, "The MyKey Platform could not be reached; try "
		    "again later.");
		return PAM_AUTHINFO_UNAVAIL;
	case JPKI_ERR_PLATFORM_AUTH:
	case JPKI_ERR_CONSENT_REQUIRED:
	case JPKI_ERR_SCOPE:
	case JPKI_ERR_BAD_REQUEST:
	case JPKI_ERR_NOT_FOUND:
		pam_syslog(a->pamh, LOG_ERR, "MyKey Platform refused the "
		    "client: %s", jpki_strerror(r));
		pj_error(a, "pam_jpki's MyKey Platform settings are unusable; "
		    "ask an administrator.");
		return PAM_SERVICE_ERR;
	case JPKI_ERR_PIN_INCORRECT:
	case JPKI_ERR_PIN_LOCKED:
	case JPKI_ERR_PIN_LAST_TRY:
	case JPKI_ERR_PIN_FORMAT:
		return pj_pin_refused(a, r, res->pin_tries);
	case JPKI_ERR_MYKEY_NOT_FOUND:
	case JPKI_ERR_MYKEY_REVOKED:
	case JPKI_ERR_PLATFORM_REVOKED:
	case JPKI_ERR_PLATFORM_EXPIRED:
	case JPKI_ERR_PROOF_REJECTED:
	case JPKI_ERR_LINKAGE:
	case JPKI_ERR_CHALLENGE:
		pam_syslog(a->pamh, LOG_NOTICE, "MyKey Platform: %s",
		    jpki_strerror(r));
		pj_error(a, "The MyKey Platform did not accept this card: %s.",
		    jpki_strerror(r));
		return PAM_AUTH_ERR;
	case JPKI_ERR_NOMEM:
		return PAM_BUF_ERR;
	default:
		pam_syslog(a->pamh, LOG_NOTICE, "MyKey Platform login: %s",
		    jpki_strerror(r));
		pj_error(a, "The card could not be used: %s.",
		    jpki_strerror(r));
		return pj_card_rc(r);
	}
}

int
pj_platform_login(struct pj *a)
{
	jpki_platform_t *p = NULL;
	jpki_platform_result_t res = { .size = sizeof(res) };
	jpki_consent_t consent = { .size = sizeof(consent) };
	struct pin_ctx x;
	char err[PJ_ERRLEN], *text = NULL;
	size_t len = 0;
	int r, pr, map = PJ_MAP_NONE;

	JPKI_INIT(&res);
	memset(&x, 0, sizeof(x));
	x.a = a;
	if (jpki_platform_new(&p) != JPKI_OK)
		return PAM_BUF_ERR;
	if ((pr = configure(a, p)) != PAM_SUCCESS)
		goto out;
	/* nothing is sent without the cardholder's consent (§5.10) */
	if ((r = jpki_consent_load(&consent, a->conf.consent_file)) !=
	    JPKI_OK || (r = jpki_consent_check(&consent,
	    JPKI_PURPOSE_PROOF)) != JPKI_OK) {
		pam_syslog(a->pamh, LOG_ERR, "consent_file: not a consent "
		    "record for \"%s\": %s", JPKI_PURPOSE_PROOF,
		    jpki_strerror(r));
		pj_error(a, "No consent record for the MyKey Platform; ask an "
		    "administrator.");
		pr = PAM_SERVICE_ERR;
		goto out;
	}
	r = jpki_platform_login(p, a->card, &consent, pin_cb, &x, &res);
	if (x.pam_rc != PAM_SUCCESS) {
		pr = x.pam_rc;	/* the conversation already said why */
		goto out;
	}
	if (r != JPKI_OK) {
		pr = platform_rc(a, r, &res);
		goto out;
	}
	if (a->conf.debug)
		pam_syslog(a->pamh, LOG_DEBUG, "MyKey ID %s%s", res.mykey_id,
		    res.relinked ? " (relinked after a renewal)" : "");
	/* read again: the answer decides, the file may have changed */
	pr = PAM_SERVICE_ERR;
	if (pj_read_file(a->conf.map_file, &text, &len, err,
	    sizeof(err)) != 0 || pj_map_mykey(text, len, a->user,
	    res.mykey_id, &map, err, sizeof(err)) != 0) {
		pam_syslog(a->pamh, LOG_ERR, "mapping file: %s", err);
		pj_error(a, "pam_jpki's mapping file is unusable; ask an "
		    "administrator.");
		goto out;
	}
	if (map != PJ_MAP_USER) {
		pam_syslog(a->pamh, LOG_NOTICE, "MyKey ID %s",
		    map == PJ_MAP_OTHER ? "is mapped to another account" :
		    "is not in the mapping file");
		pj_error(a, "This card is not registered for this account.");
		pr = PAM_AUTH_ERR;
		goto out;
	}
	pr = PAM_SUCCESS;
out:
	free(text);
	jpki_platform_result_clear(&res);
	jpki_platform_free(&p);
	return pr;
}
