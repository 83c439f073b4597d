/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * pam_jpki.so: log a local user in with the My Number Card's user
 * authentication certificate (利用者証明用電子証明書), pam_jpki(8).
 *
 *   card → authentication certificate → chain to the J-LIS roots (or the
 *   configured anchors) → mapping file (issuance number or subject → user)
 *   → revocation (OCSP/CRL, soft or hard) → PIN through the conversation
 *   (last-try guard) → a fresh host challenge signed by the card → that
 *   signature checked against the certificate.
 *
 *   A user with "mykey" lines and no line for this certificate: after
 *   revocation, the MyKey Platform's challenge is signed with the PIN
 *   typed in the conversation, the platform answers the MyKey ID (kept
 *   across renewals), which must be the user's (pj_platform.c); then the
 *   host challenge as above.
 *
 * Everything about the certificate is checked before the PIN is asked, so
 * that a card that cannot log this user in never costs a PIN try.  No PIN
 * is retried; the card is reset on close so that no verified PIN outlives
 * the call.  Syslog gets no personal data: no holder names (the auth
 * certificate has none anyway), no login names (the application logs
 * those), the issuance number only with debug.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "pj.h"

void
pj_error(struct pj *a, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pam_prompt(a->pamh, PAM_ERROR_MSG, NULL, "%s", msg);
}

void
pj_info(struct pj *a, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (a->silent)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pam_prompt(a->pamh, PAM_TEXT_INFO, NULL, "%s", msg);
}

/*
 * Card and transport errors.  No card, no reader, no pcscd, a card pulled
 * out: the information is unavailable and another module (a password) may
 * take over.  Anything the card said: a failure.
 */
int
pj_card_rc(int err)
{
	switch (err) {
	case JPKI_OK:
		return PAM_SUCCESS;
	case JPKI_ERR_NO_SERVICE:
	case JPKI_ERR_NO_READER:
	case JPKI_ERR_NO_CARD:
	case JPKI_ERR_CARD_REMOVED:
	case JPKI_ERR_CARD_RESET:
	case JPKI_ERR_SHARING:
	case JPKI_ERR_TRANSPORT:
	case JPKI_ERR_READER_NOT_FOUND:
	case JPKI_ERR_UNRESPONSIVE:
	case JPKI_ERR_TIMEOUT:
	case JPKI_ERR_NOT_JPKI:
		return PAM_AUTHINFO_UNAVAIL;
	case JPKI_ERR_NOMEM:
		return PAM_BUF_ERR;
	default:
		return PAM_AUTH_ERR;
	}
}

/*
 * Module arguments: config=PATH first (it names the file), then every
 * other KEY=VALUE overrides the file; "debug" alone is debug=yes.
 */
static int
load_conf(struct pj *a, int argc, const char **argv)
{
	const char *path = PJ_DEFAULT_CONFIG;
	char err[PJ_ERRLEN], key[64], *text = NULL;
	const char *eq;
	size_t len = 0;
	int i, r = PAM_SERVICE_ERR;

	pj_conf_defaults(&a->conf);
	for (i = 0; i < argc; i++)
		if (strncmp(argv[i], "config=", 7) == 0)
			path = argv[i] + 7;
	if (pj_read_file(path, &text, &len, err, sizeof(err)) != 0 ||
	    pj_conf_parse(&a->conf, text, len, err, sizeof(err)) != 0) {
		pam_syslog(a->pamh, LOG_ERR, "configuration: %s", err);
		goto out;
	}
	for (i = 0; i < argc; i++) {
		if (strncmp(argv[i], "config=", 7) == 0)
			continue;
		if (strcmp(argv[i], "debug") == 0) {
			a->conf.debug = 1;
			continue;
		}
		if ((eq = strchr(argv[i], '=')) == NULL ||
		    (size_t)(eq - argv[i]) >= sizeof(key)) {
			pam_syslog(a->pamh, LOG_ERR, "bad module argument");
			goto out;
		}
		memcpy(key, argv[i], (size_t)(eq - argv[i]));
		key[eq - argv[i]] = '\0';
		if (pj_conf_set(&a->conf, key, eq + 1, err,
		    sizeof(err)) != 0) {
			pam_syslog(a->pamh, LOG_ERR, "module argument: %s",
			    err);
			goto out;
		}
	}
	r = PAM_SUCCESS;
out:
	free(text);
	return r;
}

static int
open_card(struct pj *a)
{
	const char *reader = a->conf.reader[0] != '\0' ? a->conf.reader : NULL;
	uint8_t *der = NULL;
	size_t len = 0;
	int r, pr;

	if (jpki_card_new(&a->card) != JPKI_OK)
		return PAM_BUF_ERR;
	/* no verified PIN may outlive this call, whoever opens next */
	jpki_card_set_reset_on_close(a->card, 1);
	r = jpki_card_open(a->card, reader, a->conf.card_wait * 1000, 0);
	if (r != JPKI_OK) {
		pr = pj_card_rc(r);
		pam_syslog(a->pamh, LOG_INFO, "no usable card: %s",
		    jpki_strerror(r));
		if (pr == PAM_AUTHINFO_UNAVAIL)
			pj_info(a, "No My Number Card found (%s).",
			    jpki_strerror(r));
		else
			pj_error(a, "The card could not be used: %s.",
			    jpki_strerror(r));
		return pr;
	}
	if ((r = jpki_card_read_cert(a->card, JPKI_CERT_AUTH, &der,
	    &len)) != JPKI_OK || (r = jpki_cert_new(&a->cert, der,
	    len)) != JPKI_OK) {
		pam_syslog(a->pamh, LOG_NOTICE, "cannot read the "
		    "authentication certificate: %s", jpki_strerror(r));
		pj_error(a, "The card's certificate could not be read: %s.",
		    jpki_strerror(r));
		jpki_free(der);
		return pj_card_rc(r);
	}
	jpki_free(der);
	if (a->conf.debug)
		pam_syslog(a->pamh, LOG_DEBUG, "card issuance number %s",
		    jpki_cert_serial_hex(a->cert));
	return PAM_SUCCESS;
}

PAM_EXTERN int
pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc,
    const char **argv)
{
	struct pj a;
	int r, tries, inited = 0;

	memset(&a, 0, sizeof(a));
	a.pamh = pamh;
	a.silent = ((unsigned)flags & PAM_SILENT) != 0;
	if ((r = load_conf(&a, argc, argv)) != PAM_SUCCESS)
		goto out;
	if ((r = pam_get_user(pamh, &a.user, NULL)) != PAM_SUCCESS ||
	    a.user == NULL || *a.user == '\0') {
		if (r == PAM_SUCCESS)
			r = PAM_USER_UNKNOWN;
		goto out;
	}
	if (jpki_init() != JPKI_OK) {
		pam_syslog(pamh, LOG_ERR, "libjpki initialisation failed");
		r = PAM_SERVICE_ERR;
		goto out;
	}
	inited = 1;
	if ((r = open_card(&a)) != PAM_SUCCESS ||
	    (r = pj_check_chain(&a)) != PAM_SUCCESS ||
	    (r = pj_check_map(&a)) != PAM_SUCCESS ||
	    (r = pj_check_revocation(&a)) != PAM_SUCCESS)
		goto out;
	/*
	 * Mapped by MyKey ID: the PIN is asked when the card signs the
	 * platform's challenge; the host challenge then binds the card's key
	 * to the certificate checked here too (the platform checked it
	 * server-side).
	 */
	if (a.by_mykey) {
		if ((r = pj_pin_guard(&a, &tries)) != PAM_SUCCESS ||
		    (r = pj_platform_login(&a)) != PAM_SUCCESS ||
		    (r = pj_challenge(&a)) != PAM_SUCCESS)
			goto out;
	} else if ((r = pj_verify_pin(&a)) != PAM_SUCCESS ||
	    (r = pj_challenge(&a)) != PAM_SUCCESS)
		goto out;
	pam_syslog(pamh, LOG_INFO, "authenticated by My Number Card");
	r = PAM_SUCCESS;
out:
	jpki_cert_free(&a.cert);
	jpki_verify_free(&a.verify);
	if (a.card != NULL)
		jpki_card_close(a.card);
	jpki_card_free(&a.card);
	if (inited)
		jpki_exit();
	return r;
}

/* Nothing to hand over: the card proves who is there, no credential. */
PAM_EXTERN int
pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	return PAM_SUCCESS;
}
