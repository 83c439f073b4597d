/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * pam_jpki: what the certificate must be before the PIN is asked.  The
 * chain and revocation checks are libjpki's certificate module
 * (jpki_cert_verify, jpki_rev_check); the mapping file is pj_conf.c's.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <security/pam_ext.h>

#include <jpki/platform.h>

#include "pj.h"

#define MAX_CRL_FILES	64

int
pj_check_chain(struct pj *a)
{
	const struct pj_conf *c = &a->conf;
	jpki_verify_result_t res = { .size = sizeof(res) };
	unsigned fl = 0;
	int r, anchors = c->ca_file[0] != '\0' || c->ca_dir[0] != '\0';

	if (!c->bundled_roots)
		fl |= JPKI_VERIFY_NO_BUNDLED_ROOTS;
	if (c->production_only)
		fl |= JPKI_VERIFY_PRODUCTION_ONLY;
	r = jpki_verify_new(&a->verify, fl);
	if (r == JPKI_ERR_IO && anchors && !c->production_only) {
		pam_syslog(a->pamh, LOG_WARNING, "bundled J-LIS roots not "
		    "found: only ca_file/ca_dir are trusted");
		r = jpki_verify_new(&a->verify,
		    fl | JPKI_VERIFY_NO_BUNDLED_ROOTS);
	}
	if (r == JPKI_OK && c->ca_file[0] != '\0')
		r = jpki_verify_add_anchor_file(a->verify, c->ca_file);
	if (r == JPKI_OK && c->ca_dir[0] != '\0')
		r = jpki_verify_add_anchor_dir(a->verify, c->ca_dir);
	if (r != JPKI_OK) {
		pam_syslog(a->pamh, LOG_ERR, "trust anchors: %s",
		    jpki_strerror(r));
		pj_error(a, "pam_jpki has no usable trust anchors; ask an "
		    "administrator.");
		return PAM_SERVICE_ERR;
	}
	jpki_verify_set_purpose(a->verify, JPKI_PURPOSE_AUTH);
	JPKI_INIT(&res);
	if ((r = jpki_cert_verify(a->verify, a->cert, &res)) == JPKI_OK)
		return PAM_SUCCESS;
	pam_syslog(a->pamh, LOG_NOTICE, "certificate refused: %s",
	    jpki_strerror(r));
	if (c->debug)
		pam_syslog(a->pamh, LOG_DEBUG, "chain: %s", res.reason);
	switch (r) {
	case JPKI_ERR_CERT_EXPIRED:
		pj_error(a, "The card's certificate has expired.");
		break;
	case JPKI_ERR_CERT_NOT_YET_VALID:
		pj_error(a, "The card's certificate is not valid yet.");
		break;
	default:
		pj_error(a, "The card's certificate is not trusted (%s).",
		    jpki_strerror(r));
		break;
	}
	return r == JPKI_ERR_NOMEM ? PAM_BUF_ERR : PAM_AUTH_ERR;
}

int
pj_check_map(struct pj *a)
{
	char err[PJ_ERRLEN], *text = NULL;
	size_t len = 0;
	int res = PJ_MAP_NONE, mk = PJ_MAP_NONE, r = PAM_SERVICE_ERR;

	if (pj_read_file(a->conf.map_file, &text, &len, err,
	    sizeof(err)) != 0 || pj_map_lookup(text, len, a->user,
	    jpki_cert_serial_hex(a->cert), jpki_cert_subject(a->cert), &res,
	    err, sizeof(err)) != 0) {
		pam_syslog(a->pamh, LOG_ERR, "mapping file: %s", err);
		pj_error(a, "pam_jpki's mapping file is unusable; ask an "
		    "administrator.");
		goto out;
	}
	r = PAM_AUTH_ERR;
	if (res == PJ_MAP_USER)
		r = PAM_SUCCESS;
	else if (pj_map_mykey(text, len, a->user, NULL, &mk, err,
	    sizeof(err)) == 0 && mk == PJ_MAP_USER) {
		/* the MyKey Platform decides, after the PIN */
		a->by_mykey = 1;
		r = PAM_SUCCESS;
	} else {
		pam_syslog(a->pamh, LOG_NOTICE, "%s", res == PJ_MAP_OTHER ?
		    "certificate is mapped to another account" :
		    "certificate is not in the mapping file");
		pj_error(a, "This card is not registered for this account.");
	}
out:
	free(text);
	return r;
}

/*
 * The issuer of the card's certificate, for the OCSP CertID and the
 * response or CRL signature: the CA certificate on the card (EF 000B),
 * accepted only if it is one of the trust anchors and named as the
 * certificate's issuer.  The chain check has already proved that an
 * anchor issued the certificate.
 */
static int
issuer_of(struct pj *a, jpki_cert_t **ca)
{
	uint8_t *der = NULL;
	size_t len = 0;
	int r;

	*ca = NULL;
	if ((r = jpki_card_read_cert(a->card, JPKI_CERT_AUTH_CA, &der,
	    &len)) != JPKI_OK || (r = jpki_cert_new(ca, der, len)) != JPKI_OK)
		goto out;
	jpki_verify_set_purpose(a->verify, JPKI_PURPOSE_ANY);
	if ((r = jpki_cert_verify(a->verify, *ca, NULL)) != JPKI_OK ||
	    strcmp(jpki_cert_subject(*ca), jpki_cert_issuer(a->cert)) != 0) {
		if (r == JPKI_OK)
			r = JPKI_ERR_CERT_UNTRUSTED;
		jpki_cert_free(ca);
	}
out:
	jpki_free(der);
	return r;
}

/* One try: OCSP and/or one CRL source.  JPKI_OK, _REVOKED or _UNKNOWN. */
static int
ask(struct pj *a, const jpki_cert_t *ca, const char *ocsp, const char *crl,
    int crl_is_url, jpki_rev_result_t *res)
{
	jpki_rev_t *rv = NULL;
	int r;

	JPKI_INIT(res);
	if ((r = jpki_rev_new(&rv)) != JPKI_OK)
		return r;
	/* URL sources over libjpki-platform's HTTP transfer */
	(void)jpki_rev_use_http(rv);
	jpki_rev_set_timeout(rv, a->conf.revocation_timeout);
	if (ocsp != NULL && *ocsp != '\0')
		r = jpki_rev_set_ocsp_url(rv, ocsp);
	if (r == JPKI_OK && crl != NULL && *crl != '\0')
		r = crl_is_url ? jpki_rev_set_crl_url(rv, crl) :
		    jpki_rev_set_crl_file(rv, crl);
	if (r == JPKI_OK)
		r = jpki_rev_check(rv, a->cert, ca, res);
	jpki_rev_free(&rv);
	return r;
}

static int
regular(const struct dirent *d)
{
	return d->d_name[0] != '.' &&
	    (d->d_type == DT_REG || d->d_type == DT_UNKNOWN);
}

/* The offline CRL cache: every file of crl_dir until one knows. */
static int
ask_dir(struct pj *a, const jpki_cert_t *ca, jpki_rev_result_t *res)
{
	struct dirent **ents = NULL;
	char path[PJ_MAX_PATH + 256];
	int n, i, r = JPKI_ERR_CERT_STATUS_UNKNOWN;

	if ((n = scandir(a->conf.crl_dir, &ents, regular, alphasort)) < 0) {
		pam_syslog(a->pamh, LOG_WARNING, "crl_dir cannot be read");
		return r;
	}
	for (i = 0; i < n && i < MAX_CRL_FILES; i++) {
		if (r != JPKI_ERR_CERT_STATUS_UNKNOWN)
			break;
		snprintf(path, sizeof(path), "%s/%s", a->conf.crl_dir,
		    ents[i]->d_name);
		r = ask(a, ca, NULL, path, 0, res);
	}
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	return r;
}

int
pj_check_revocation(struct pj *a)
{
	const struct pj_conf *c = &a->conf;
	jpki_rev_result_t res = { .size = sizeof(res) };
	jpki_cert_t *ca = NULL;
	const char *crl;
	int r, pr = PAM_AUTH_ERR;

	if (c->revocation == PJ_REV_NONE) {
		if (c->debug)
			pam_syslog(a->pamh, LOG_DEBUG, "revocation not checked "
			    "(revocation = none)");
		return PAM_SUCCESS;
	}
	JPKI_INIT(&res);
	if ((r = issuer_of(a, &ca)) != JPKI_OK) {
		if (pj_card_rc(r) == PAM_AUTHINFO_UNAVAIL) {
			pj_error(a, "The card could not be read: %s.",
			    jpki_strerror(r));
			return PAM_AUTHINFO_UNAVAIL;
		}
		snprintf(res.detail, sizeof(res.detail), "the card's CA "
		    "certificate is not a trust anchor: %s", jpki_strerror(r));
		r = JPKI_ERR_CERT_STATUS_UNKNOWN;
	} else {
		crl = c->crl_file[0] != '\0' ? c->crl_file : c->crl_url;
		r = ask(a, ca, c->ocsp_url, crl, c->crl_file[0] == '\0', &res);
		if (r == JPKI_ERR_CERT_STATUS_UNKNOWN && c->crl_dir[0] != '\0')
			r = ask_dir(a, ca, &res);
	}
	jpki_cert_free(&ca);
	switch (r) {
	case JPKI_OK:
		if (c->debug)
			pam_syslog(a->pamh, LOG_DEBUG, "revocation: good (%s)",
			    res.source);
		return PAM_SUCCESS;
	case JPKI_ERR_CERT_REVOKED:
		pam_syslog(a->pamh, LOG_NOTICE, "certificate refused: revoked "
		    "(%s)", res.reason_name != NULL ? res.reason_name :
		    "no reason given");
		pj_error(a, "The card's certificate has been revoked.");
		return PAM_AUTH_ERR;
	case JPKI_ERR_CERT_STATUS_UNKNOWN:
		break;
	default:
		pam_syslog(a->pamh, LOG_ERR, "revocation check: %s",
		    jpki_strerror(r));
		return r == JPKI_ERR_NOMEM ? PAM_BUF_ERR : PAM_SERVICE_ERR;
	}
	if (c->revocation == PJ_REV_SOFT) {
		pam_syslog(a->pamh, LOG_WARNING, "revocation status unknown "
		    "(%s): accepted, revocation = soft", res.detail);
		return PAM_SUCCESS;
	}
	pam_syslog(a->pamh, LOG_NOTICE, "revocation status unknown (%s): "
	    "refused, revocation = hard", res.detail);
	pj_error(a, "The card's certificate could not be checked for "
	    "revocation.");
	pr = PAM_AUTHINFO_UNAVAIL;
	return pr;
}
