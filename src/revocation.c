/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Revocation status of a JPKI certificate from a CRL file or an OCSP
 * responder (jpki-card.md §9.4; RFC 5280 §5, RFC 6960).  Both answers are
 * checked against the issuer's key before they are believed, and kept
 * until their nextUpdate.  The HTTP transfer is not here: libjpki has no
 * HTTP client (a program that only reads the card must not link libcurl),
 * so a URL source is fetched through the jpki_rev_fetch_cb_t the caller set
 * (libjpki-platform's jpki_rev_use_http, src/http_fetch.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <jpki/cert.h>

#include "abi.h"
#include "cert_int.h"
#include "log.h"

#define OCSP_CACHE_MAX		128
#define OCSP_SKEW		300	/* seconds of clock skew tolerated */
/* national CRLs are large */
#define CRL_MAX_BODY		(32 * 1024 * 1024)
/* Cap on an OCSP response body (house-style §2.4). */
#define OCSP_MAX_BODY		(1024 * 1024)

struct ocsp_entry {
	uint8_t			*key;	/* DER CertID */
	size_t			 key_len;
	jpki_rev_result_t	 res;	/* raw answer, before the time rule */
};

struct jpki_rev {
	char			*crl_path;	/* a file, or */
	char			*crl_url;	/* where to GET it */
	X509_CRL		*crl;	/* cached until its nextUpdate */
	char			*ocsp_url;
	char			*tls_ca;	/* NULL: system store */
	long long		 at;
	long			 timeout_ms;
	jpki_rev_fetch_cb_t	 fetch;	/* NULL: URL sources cannot answer */
	void			*fetch_arg;
	struct ocsp_entry	 ocsp[OCSP_CACHE_MAX];
	size_t			 nocsp;
	size_t			 next_slot;	/* round-robin eviction */
};

static const char *
reason_name(int r)
{
	static const char *const names[] = {
		"unspecified", "keyCompromise", "cACompromise",
		"affiliationChanged", "superseded", "cessationOfOperation",
		"certificateHold", "unused", "removeFromCRL",
		"privilegeWithdrawn", "aACompromise"
	};

	if (r < 0)
		return "unspecified";
	if ((size_t)r >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[r];
}

int
jpki_rev_new(jpki_rev_t **rv)
{
	if (rv == NULL)
		return JPKI_ERR_ARG;
	if ((*rv = calloc(1, sizeof(**rv))) == NULL)
		return JPKI_ERR_NOMEM;
	(*rv)->timeout_ms = 10000;
	return JPKI_OK;
}

void
jpki_rev_free(jpki_rev_t **rvp)
{
	jpki_rev_t *rv;
	size_t i;

	if (rvp == NULL || (rv = *rvp) == NULL)
		return;
	free(rv->crl_path);
	free(rv->crl_url);
	free(rv->ocsp_url);
	free(rv->tls_ca);
	X509_CRL_free(rv->crl);
	for (i = 0; i < rv->nocsp; i++)
		free(rv->ocsp[i].key);
	free(rv);
	*rvp = NULL;
}

static int
set_str(char **dst, const char *s)
{
	char *d;

	if ((d = strdup(s)) == NULL)
		return JPKI_ERR_NOMEM;
	free(*dst);
	*dst = d;
	return JPKI_OK;
}

int
jpki_rev_set_crl_file(jpki_rev_t *rv, const char *path)
{
	if (rv == NULL || path == NULL || *path == '\0')
		return JPKI_ERR_ARG;
	X509_CRL_free(rv->crl);
	rv->crl = NULL;
	free(rv->crl_url);
	rv->crl_url = NULL;
	return set_str(&rv->crl_path, path);
}

int
jpki_rev_set_crl_url(jpki_rev_t *rv, const char *url)
{
	if (rv == NULL || url == NULL || (strncmp(url, "http://", 7) != 0 &&
	    strncmp(url, "https://", 8) != 0))
		return JPKI_ERR_ARG;
	X509_CRL_free(rv->crl);
	rv->crl = NULL;
	free(rv->crl_path);
	rv->crl_path = NULL;
	return set_str(&rv->crl_url, url);
}

int
jpki_rev_set_ocsp_url(jpki_rev_t *rv, const char *url)
{
	if (rv == NULL || url == NULL || (strncmp(url, "http://", 7) != 0 &&
	    strncmp(url, "https://", 8) != 0))
		return JPKI_ERR_ARG;
	return set_str(&rv->ocsp_url, url);
}

int
jpki_rev_set_tls_ca(jpki_rev_t *rv, const char *path)
{
	if (rv == NULL || (path != NULL && *path == '\0'))
		return JPKI_ERR_ARG;
	if (path == NULL) {
		free(rv->tls_ca);
		rv->tls_ca = NULL;
		return JPKI_OK;
	}
	return set_str(&rv->tls_ca, path);
}

int
jpki_rev_set_fetch(jpki_rev_t *rv, jpki_rev_fetch_cb_t fn, void *arg)
{
	if (rv == NULL)
		return JPKI_ERR_ARG;
	rv->fetch = fn;
	rv->fetch_arg = arg;
	return JPKI_OK;
}

/* One transfer through the caller's fetcher; POST when body is set. */
static int
rev_fetch(jpki_rev_t *rv, const char *url, const char *ctype,
    const uint8_t *body, size_t len, size_t max, uint8_t **out,
    size_t *out_len)
{
	*out = NULL;
	*out_len = 0;
	if (rv->fetch == NULL) {
		log_debug("revocation: %s: no HTTP transfer set "
		    "(jpki_rev_set_fetch, jpki_rev_use_http)", url);
		return JPKI_ERR_NOT_SUPPORTED;
	}
	return rv->fetch(rv->fetch_arg, url, rv->tls_ca, ctype, body, len,
	    max, rv->timeout_ms, out, out_len);
}

int
jpki_rev_set_time(jpki_rev_t *rv, long long at)
{
	if (rv == NULL || at < 0)
		return JPKI_ERR_ARG;
	rv->at = at;
	return JPKI_OK;
}

/* ms <= 0 is refused and the timeout kept. */
int
jpki_rev_set_timeout(jpki_rev_t *rv, long ms)
{
	if (rv == NULL || ms <= 0)
		return JPKI_ERR_ARG;
	rv->timeout_ms = ms;
	return JPKI_OK;
}

static long long
now_or(long long at)
{
	return at != 0 ? at : (long long)time(NULL);
}

/* A certificate revoked after the time asked about was good then. */
static void
apply_time(jpki_rev_result_t *res, long long at)
{
	char t[32];

	if (res->status != JPKI_REV_REVOKED || res->revoked_at <= at)
		return;
	cert_format_jst(res->revoked_at, t, sizeof(t));
	res->status = JPKI_REV_GOOD;
	snprintf(res->detail, sizeof(res->detail), "good at the requested "
	    "time; revoked later, at %s (%s)", t, res->reason_name);
}

static void
set_revoked(jpki_rev_result_t *res, int reason, long long when)
{
	res->status = JPKI_REV_REVOKED;
	res->reason = reason;
	res->reason_name = reason_name(reason);
	res->revoked_at = when;
	cert_format_jst(when, res->revoked_at_str,
	    sizeof(res->revoked_at_str));
}

/* ---- CRL ---------------------------------------------------------- */

static int
crl_load(jpki_rev_t *rv, char *why, size_t len)
{
	BIO *b = NULL;
	X509_CRL *crl = NULL;
	uint8_t *body = NULL;
	size_t blen = 0;
	int r = JPKI_ERR_IO;

	if (rv->crl_url != NULL) {
		if ((r = rev_fetch(rv, rv->crl_url, NULL, NULL, 0,
		    CRL_MAX_BODY, &body, &blen)) != JPKI_OK) {
			snprintf(why, len, "cannot download the CRL: %s",
			    jpki_strerror(r));
			goto out;
		}
		r = JPKI_ERR_NOMEM;
		if ((b = BIO_new_mem_buf(body, (int)blen)) == NULL)
			goto out;
	} else if ((b = BIO_new_file(rv->crl_path, "rb")) == NULL) {
		snprintf(why, len, "cannot open the CRL file");
		goto out;
	}
	r = JPKI_ERR_PARSE;
	if ((crl = PEM_read_bio_X509_CRL(b, NULL, NULL, NULL)) == NULL) {
		ERR_clear_error();
		if (BIO_reset(b) < 0 ||
		    (crl = d2i_X509_CRL_bio(b, NULL)) == NULL) {
			snprintf(why, len, "no CRL in the %s",
			    rv->crl_url != NULL ? "download" : "file");
			goto out;
		}
	}
	X509_CRL_free(rv->crl);
	rv->crl = crl;
	crl = NULL;
	r = JPKI_OK;
out:
	ERR_clear_error();
	X509_CRL_free(crl);
	BIO_free(b);
	free(body);
	return r;
}

static int
crl_check(jpki_rev_t *rv, const jpki_cert_t *cert, const jpki_cert_t *issuer,
    long long at, jpki_rev_result_t *res)
{
	X509_REVOKED *rev = NULL;
	ASN1_ENUMERATED *reason = NULL;
	const ASN1_TIME *nu;
	long long tu = 0, nx = 0, when;
	int crit, rc, reload, r = JPKI_ERR_CERT_STATUS_UNKNOWN;

	snprintf(res->source, sizeof(res->source), "crl %s",
	    rv->crl_url != NULL ? rv->crl_url : rv->crl_path);
	res->cached = 0;
	/* Re-read only when there is no CRL or it is past its nextUpdate. */
	reload = rv->crl == NULL;
	if (!reload) {
		nu = X509_CRL_get0_nextUpdate(rv->crl);
		reload = nu == NULL || cert_time_to_unix(nu, &nx) != JPKI_OK ||
		    at > nx;
	}
	if (reload) {
		if (crl_load(rv, res->detail, sizeof(res->detail)) != JPKI_OK)
			goto out;
	} else {
		res->cached = 1;
	}
	if (X509_NAME_cmp(X509_CRL_get_issuer(rv->crl),
	    X509_get_subject_name(issuer->x)) != 0) {
		snprintf(res->detail, sizeof(res->detail),
		    "the CRL is not issued by the certificate's issuer");
		goto out;
	}
	if (X509_CRL_verify(rv->crl, X509_get0_pubkey(issuer->x)) != 1) {
		snprintf(res->detail, sizeof(res->detail),
		    "the CRL signature does not verify with the issuer's key");
		X509_CRL_free(rv->crl);
		rv->crl = NULL;
		goto out;
	}
	if (cert_time_to_unix(X509_CRL_get0_lastUpdate(rv->crl), &tu) !=
	    JPKI_OK) {
		snprintf(res->detail, sizeof(res->detail),
		    "the CRL thisUpdate is unreadable");
		goto out;
	}
	nx = 0;
	if ((nu = X509_CRL_get0_nextUpdate(rv->crl)) != NULL &&
	    cert_time_to_unix(nu, &nx) != JPKI_OK) {
		snprintf(res->detail, sizeof(res->detail),
		    "the CRL nextUpdate is unreadable");
		goto out;
	}
	res->this_update = tu;
	res->next_update = nx;
	if (nx != 0 && at > nx) {
		snprintf(res->detail, sizeof(res->detail), "the CRL is stale "
		    "(past its nextUpdate)");
		goto out;
	}
	/* A CRL issued after `at` still answers for it: entries carry
	 * their revocation dates (apply_time). */
	rc = X509_CRL_get0_by_serial(rv->crl, &rev,
	    X509_get0_serialNumber(cert->x));
	if (rc == 0 || rev == NULL) {
		res->status = JPKI_REV_GOOD;
		r = JPKI_OK;
		goto out;
	}
	if (cert_time_to_unix(X509_REVOKED_get0_revocationDate(rev),
	    &when) != JPKI_OK) {
		snprintf(res->detail, sizeof(res->detail),
		    "unreadable revocation date");
		goto out;
	}
	reason = X509_REVOKED_get_ext_d2i(rev, NID_crl_reason, &crit, NULL);
	if (reason == NULL && crit != -1) {
		snprintf(res->detail, sizeof(res->detail),
		    "malformed CRL reason code");
		goto out;
	}
	set_revoked(res, reason != NULL ? (int)ASN1_ENUMERATED_get(reason) :
	    -1, when);
	/* removeFromCRL only undoes a hold in a delta CRL (RFC 5280 5.3.1) */
	if (res->reason == 8) {
		res->status = JPKI_REV_GOOD;
		res->revoked_at = 0;
		res->revoked_at_str[0] = '\0';
	}
	r = JPKI_OK;
out:
	ASN1_ENUMERATED_free(reason);
	ERR_clear_error();
	return r;
}

/* ---- OCSP --------------------------------------------------------- */

static struct ocsp_entry *
cache_find(jpki_rev_t *rv, const uint8_t *key, size_t len)
{
	size_t i;

	for (i = 0; i < rv->nocsp; i++)
		if (rv->ocsp[i].key_len == len &&
		    memcmp(rv->ocsp[i].key, key, len) == 0)
			return &rv->ocsp[i];
	return NULL;
}

static void
cache_put(jpki_rev_t *rv, const uint8_t *key, size_t len,
    const jpki_rev_result_t *res)
{
	struct ocsp_entry *e;
	uint8_t *k;

	if ((e = cache_find(rv, key, len)) != NULL) {
		e->res = *res;
		return;
	}
	if ((k = malloc(len)) == NULL)
		return;	/* not caching is always safe */
	memcpy(k, key, len);
	if (rv->nocsp < OCSP_CACHE_MAX) {
		e = &rv->ocsp[rv->nocsp++];
	} else {
		e = &rv->ocsp[rv->next_slot];
		rv->next_slot = (rv->next_slot + 1) % OCSP_CACHE_MAX;
		free(e->key);
	}
	e->key = k;
	e->key_len = len;
	e->res = *res;
}

static int
ocsp_ask(jpki_rev_t *rv, OCSP_CERTID *id, const jpki_cert_t *issuer,
    jpki_rev_result_t *res)
{
	OCSP_REQUEST *req = NULL;
	OCSP_RESPONSE *resp = NULL;
	OCSP_BASICRESP *bs = NULL;
	OCSP_CERTID *idc = NULL;
	X509_STORE *store = NULL;
	STACK_OF(X509) *certs = NULL;
	ASN1_GENERALIZEDTIME *rev = NULL, *tu = NULL, *nu = NULL;
	unsigned char *der = NULL;
	const unsigned char *p;
	uint8_t *body = NULL;
	size_t blen = 0;
	long long t;
	int len, st, reason = -1, hr, r = JPKI_ERR_CERT_STATUS_UNKNOWN;

	snprintf(res->detail, sizeof(res->detail), "out of memory");
	if ((req = OCSP_REQUEST_new()) == NULL ||
	    (idc = OCSP_CERTID_dup(id)) == NULL)
		goto out;
	if (OCSP_request_add0_id(req, idc) == NULL)
		goto out;
	idc = NULL;
	/* A nonce binds the answer to this request (RFC 8954). */
	if (OCSP_request_add1_nonce(req, NULL, -1) != 1 ||
	    (len = i2d_OCSP_REQUEST(req, &der)) <= 0)
		goto out;
	hr = rev_fetch(rv, rv->ocsp_url, "application/ocsp-request", der,
	    (size_t)len, OCSP_MAX_BODY, &body, &blen);
	if (hr != JPKI_OK) {
		snprintf(res->detail, sizeof(res->detail), "responder not "
		    "usable: %s", jpki_strerror(hr));
		goto out;
	}
	p = body;
	if (blen > (size_t)OCSP_MAX_BODY ||
	    (resp = d2i_OCSP_RESPONSE(NULL, &p, (long)blen)) == NULL) {
		snprintf(res->detail, sizeof(res->detail),
		    "malformed OCSP response");
		goto out;
	}
	if ((st = OCSP_response_status(resp)) !=
	    OCSP_RESPONSE_STATUS_SUCCESSFUL) {
		snprintf(res->detail, sizeof(res->detail), "responder "
		    "answered %s", OCSP_response_status_str(st));
		goto out;
	}
	if ((bs = OCSP_response_get1_basic(resp)) == NULL) {
		snprintf(res->detail, sizeof(res->detail),
		    "OCSP response is not a basic response");
		goto out;
	}
	if (OCSP_check_nonce(req, bs) == 0) {
		snprintf(res->detail, sizeof(res->detail),
		    "OCSP nonce does not match the request");
		goto out;
	}
	/*
	 * Signed by the issuer itself, or by a responder certificate the
	 * issuer delegated (EKU OCSPSigning, checked by OpenSSL).
	 */
	if ((store = X509_STORE_new()) == NULL ||
	    X509_STORE_add_cert(store, issuer->x) != 1 ||
	    X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN) != 1 ||
	    (certs = sk_X509_new_null()) == NULL ||
	    sk_X509_push(certs, issuer->x) <= 0)
		goto out;
	if (OCSP_basic_verify(bs, certs, store, OCSP_TRUSTOTHER) <= 0) {
		snprintf(res->detail, sizeof(res->detail), "OCSP response "
		    "signature does not verify for this issuer");
		goto out;
	}
	if (OCSP_resp_find_status(bs, id, &st, &reason, &rev, &tu,
	    &nu) != 1) {
		snprintf(res->detail, sizeof(res->detail),
		    "OCSP response has no status for this certificate");
		goto out;
	}
	/* Freshness against the clock, not the requested time: OCSP says
	 * what is true now. */
	if (OCSP_check_validity(tu, nu, OCSP_SKEW, -1) != 1) {
		snprintf(res->detail, sizeof(res->detail),
		    "OCSP response is not fresh (thisUpdate/nextUpdate)");
		goto out;
	}
	if (cert_time_to_unix(tu, &res->this_update) != JPKI_OK ||
	    (nu != NULL && cert_time_to_unix(nu, &res->next_update) !=
	    JPKI_OK)) {
		snprintf(res->detail, sizeof(res->detail),
		    "OCSP response times are unreadable");
		goto out;
	}
	switch (st) {
	case V_OCSP_CERTSTATUS_GOOD:
		res->status = JPKI_REV_GOOD;
		break;
	case V_OCSP_CERTSTATUS_REVOKED:
		if (rev == NULL || cert_time_to_unix(rev, &t) != JPKI_OK) {
			snprintf(res->detail, sizeof(res->detail),
			    "OCSP revocation time is unreadable");
			goto out;
		}
		set_revoked(res, reason, t);
		break;
	default:
		snprintf(res->detail, sizeof(res->detail),
		    "responder does not know this certificate");
		goto out;
	}
	res->detail[0] = '\0';
	r = JPKI_OK;
out:
	ERR_clear_error();
	free(body);
	OPENSSL_free(der);
	OCSP_CERTID_free(idc);
	OCSP_REQUEST_free(req);
	OCSP_RESPONSE_free(resp);
	OCSP_BASICRESP_free(bs);
	X509_STORE_free(store);
	sk_X509_free(certs);
	return r;
}

static int
ocsp_check(jpki_rev_t *rv, const jpki_cert_t *cert,
    const jpki_cert_t *issuer, jpki_rev_result_t *res)
{
	OCSP_CERTID *id = NULL;
	struct ocsp_entry *e;
	unsigned char *key = NULL;
	long long now = (long long)time(NULL);
	int len, r = JPKI_ERR_CERT_STATUS_UNKNOWN;

	snprintf(res->source, sizeof(res->source), "ocsp %s", rv->ocsp_url);
	res->cached = 0;
	/* SHA-1 CertID: what RFC 6960 responders are required to accept. */
	if ((id = OCSP_cert_to_id(EVP_sha1(), cert->x, issuer->x)) == NULL ||
	    (len = i2d_OCSP_CERTID(id, &key)) <= 0) {
		snprintf(res->detail, sizeof(res->detail),
		    "cannot build the OCSP CertID");
		goto out;
	}
	if ((e = cache_find(rv, key, (size_t)len)) != NULL &&
	    e->res.next_update != 0 && now <= e->res.next_update) {
		*res = e->res;
		res->cached = 1;
		r = JPKI_OK;
		goto out;
	}
	if ((r = ocsp_ask(rv, id, issuer, res)) != JPKI_OK)
		goto out;
	if (res->next_update != 0)
		cache_put(rv, key, (size_t)len, res);
out:
	OPENSSL_free(key);
	OCSP_CERTID_free(id);
	return r;
}

int
jpki_rev_check(jpki_rev_t *rv, const jpki_cert_t *cert,
    const jpki_cert_t *issuer, jpki_rev_result_t *out)
{
	jpki_rev_result_t res, first;
	long long at;
	int crl, r = JPKI_ERR_ARG;

	/* refuse a short result struct before any work */
	if (out != NULL && (r = JPKI_STRUCT_OK(out)) != JPKI_OK)
		return r;
	r = JPKI_ERR_ARG;
	memset(&res, 0, sizeof(res));
	memset(&first, 0, sizeof(first));
	res.reason = -1;
	if (rv == NULL || cert == NULL || issuer == NULL)
		goto out;
	at = now_or(rv->at);
	r = JPKI_ERR_CERT_STATUS_UNKNOWN;
	crl = rv->crl_path != NULL || rv->crl_url != NULL;
	if (rv->ocsp_url == NULL && !crl) {
		snprintf(res.detail, sizeof(res.detail),
		    "no revocation source configured");
		goto out;
	}
	if (X509_NAME_cmp(X509_get_issuer_name(cert->x),
	    X509_get_subject_name(issuer->x)) != 0) {
		r = JPKI_ERR_ARG;
		snprintf(res.detail, sizeof(res.detail),
		    "the issuer given did not issue the certificate");
		goto out;
	}
	if (rv->ocsp_url != NULL) {
		if (ocsp_check(rv, cert, issuer, &res) == JPKI_OK)
			goto decided;
		first = res;
		memset(&res, 0, sizeof(res));
		res.reason = -1;
	}
	if (crl && crl_check(rv, cert, issuer, at, &res) == JPKI_OK)
		goto decided;
	/* Neither source could answer: say why for each. */
	if (rv->ocsp_url != NULL && crl) {
		char d[sizeof(res.detail)];

		snprintf(d, sizeof(d), "%s", res.detail);
		snprintf(res.detail, sizeof(res.detail), "ocsp: %.100s; crl: "
		    "%.100s", first.detail, d);
	} else if (rv->ocsp_url != NULL) {
		res = first;
	}
	res.status = JPKI_REV_UNKNOWN;
	goto out;
decided:
	apply_time(&res, at);
	r = res.status == JPKI_REV_GOOD ? JPKI_OK : JPKI_ERR_CERT_REVOKED;
out:
	if (res.reason_name == NULL)
		res.reason_name = res.status == JPKI_REV_REVOKED ?
		    reason_name(res.reason) : "";
	if (r != JPKI_OK)
		log_debug("%s: %s (%s)", __func__, jpki_strerror_name(r),
		    res.detail);
	if (out != NULL)
		JPKI_STRUCT_COPY(out, &res);
	return r;
}
