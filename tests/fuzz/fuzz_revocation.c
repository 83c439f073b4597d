/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Fuzz the revocation answers the library reads from the network or a
 * file (src/revocation.c): an OCSP response (RFC 6960) and a CRL (PEM or
 * DER), from a download or a file.  The network is replaced through the
 * fetcher seam (jpki_rev_set_fetch): this harness's fetcher hands back
 * the fuzzed body.  Input: a selector byte (0 OCSP, 1 CRL download, 2 CRL
 * file), then chunks: the certificate, its issuer (DER), the body.
 * Seeds: answers of mykey-mock's J-LIS simulator for a card it issued
 * (tests/fuzz/record_e2e.sh; the OCSP request had no nonce, so the
 * recorded answer has none and passes the nonce check).  Invariants:
 * JPKI_OK exactly for GOOD, JPKI_ERR_CERT_REVOKED exactly for REVOKED
 * (with a reason name and time), a detail with every UNKNOWN.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jpki/cert.h>

#include "support/chunks.h"
#include "fuzz.h"

static const uint8_t	*body;
static size_t		 body_len;

static int
give(size_t max, uint8_t **out, size_t *out_len)
{
	*out = NULL;
	*out_len = 0;
	if (body_len > max)
		return JPKI_ERR_TOO_LARGE;
	if ((*out = malloc(body_len > 0 ? body_len : 1)) == NULL)
		return JPKI_ERR_NOMEM;
	if (body_len > 0)
		memcpy(*out, body, body_len);
	*out_len = body_len;
	return JPKI_OK;
}

/* The jpki_rev_fetch_cb_t: POST (OCSP) always carries a request. */
static int
fetch(void *arg, const char *url, const char *tls_ca, const char *ctype,
    const uint8_t *req, size_t len, size_t max, long timeout_ms,
    uint8_t **out, size_t *out_len)
{
	(void)arg;
	(void)url;
	(void)tls_ca;
	(void)timeout_ms;
	if (ctype != NULL && (req == NULL || len == 0))
		abort();	/* an OCSP request is always sent */
	return give(max, out, out_len);
}

/* The CRL file: on tmpfs when there is one, removed at exit. */
static char	crl_path[64];

static void
crl_cleanup(void)
{
	if (crl_path[0] != '\0')
		(void)unlink(crl_path);
}

static const char *
crl_file(const uint8_t *p, size_t n)
{
	FILE *f;
	int fd;

	if (crl_path[0] == '\0') {
		snprintf(crl_path, sizeof(crl_path), "%s/jpki-fuzz-crl-XXXXXX",
		    access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
		if ((fd = mkstemp(crl_path)) < 0)
			abort();
		close(fd);
		atexit(crl_cleanup);
	}
	if ((f = fopen(crl_path, "wb")) == NULL ||
	    (n > 0 && fwrite(p, 1, n, f) != n) || fclose(f) != 0)
		abort();
	return crl_path;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	jpki_rev_result_t res = { .size = sizeof(res) };
	jpki_cert_t *cert = NULL, *issuer = NULL;
	jpki_rev_t *rv = NULL;
	const uint8_t *c, *i;
	size_t nc, ni;
	chunks_t ck;
	unsigned tag;
	uint8_t sel;
	int r;

	chunks_init(&ck, data, size);
	sel = chunks_byte(&ck) % 3;
	if (!chunks_next(&ck, &c, &nc, &tag) ||
	    !chunks_next(&ck, &i, &ni, &tag) ||
	    !chunks_next(&ck, &body, &body_len, &tag))
		return 0;
	if (jpki_cert_new(&cert, c, nc) != JPKI_OK ||
	    jpki_cert_new(&issuer, i, ni) != JPKI_OK)
		goto out;
	if (jpki_rev_new(&rv) != JPKI_OK)
		abort();
	(void)jpki_rev_set_fetch(rv, fetch, NULL);
	if (sel == 0)
		r = jpki_rev_set_ocsp_url(rv, "http://ocsp.fuzz.invalid/");
	else if (sel == 1)
		r = jpki_rev_set_crl_url(rv, "http://crl.fuzz.invalid/x.crl");
	else
		r = jpki_rev_set_crl_file(rv, crl_file(body, body_len));
	if (r != JPKI_OK)
		abort();
	JPKI_INIT(&res);
	r = jpki_rev_check(rv, cert, issuer, &res);
	if ((res.status == JPKI_REV_GOOD) != (r == JPKI_OK) ||
	    (res.status == JPKI_REV_REVOKED) != (r == JPKI_ERR_CERT_REVOKED))
		abort();
	if (res.status == JPKI_REV_REVOKED && (res.reason_name == NULL ||
	    res.revoked_at_str[0] == '\0'))
		abort();
	if (res.status == JPKI_REV_UNKNOWN && res.detail[0] == '\0')
		abort();
	if (memchr(res.detail, '\0', sizeof(res.detail)) == NULL ||
	    memchr(res.source, '\0', sizeof(res.source)) == NULL)
		abort();
out:
	jpki_rev_free(&rv);
	jpki_cert_free(&cert);
	jpki_cert_free(&issuer);
	return 0;
}
