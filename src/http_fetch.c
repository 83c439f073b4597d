/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Fetching revocation data for src/revocation.c over http.c.  Its own
 * rules beside the platform client's: plain http is allowed because OCSP
 * responses and CRLs are signed; only a 200 answer counts.  Part of
 * libjpki-platform (the one library that links libcurl): revocation.c in
 * libjpki reaches it only through the fetcher jpki_rev_use_http sets.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jpki/err.h>
#include <jpki/cert.h>
#include <jpki/platform.h>

#include "http.h"
#include "log.h"

/* POST when body is not NULL, else GET. */
static int
fetch(const char *url, const char *ca_file, const char *ctype,
    const uint8_t *body, size_t len, size_t max, long timeout_ms,
    uint8_t **out, size_t *out_len)
{
	http_call_t	 c;
	char		 hdr[128], *resp = NULL;
	const char	*hdrs[2] = { NULL, NULL };
	size_t		 rlen = 0;
	long		 status = 0;
	int		 r = JPKI_ERR_ARG;

	if (out == NULL || out_len == NULL)
		return JPKI_ERR_ARG;
	*out = NULL;
	*out_len = 0;
	if (url == NULL || (body != NULL && (ctype == NULL || len == 0)) ||
	    (strncasecmp(url, "http://", 7) != 0 &&
	    strncasecmp(url, "https://", 8) != 0))
		return JPKI_ERR_ARG;
	memset(&c, 0, sizeof(c));
	c.url = url;
	c.method = body != NULL ? "POST" : "GET";
	if (body != NULL) {
		snprintf(hdr, sizeof(hdr), "Content-Type: %s", ctype);
		hdrs[0] = hdr;
	}
	c.headers = hdrs;
	c.body = body;
	c.body_len = len;
	c.allow_http = 1;
	c.ca_file = ca_file;
	c.connect_timeout_ms = timeout_ms;
	c.timeout_ms = timeout_ms;
	c.max_body = max;
	if ((r = http_perform(&c, &status, &resp, &rlen)) != JPKI_OK)
		return r;
	if (status != 200) {
		log_debug("%s: %s: HTTP %ld", __func__, url, status);
		free(resp);
		return JPKI_ERR_HTTP;
	}
	*out = (uint8_t *)resp;
	*out_len = rlen;
	return JPKI_OK;
}

/* jpki_rev_fetch_cb_t over fetch(): the body decides GET or POST. */
static int
rev_http_fetch(void *arg, const char *url, const char *tls_ca,
    const char *ctype, const uint8_t *body, size_t len, size_t max,
    long timeout_ms, uint8_t **out, size_t *out_len)
{
	(void)arg;
	return fetch(url, tls_ca, ctype, body, len, max, timeout_ms, out,
	    out_len);
}

int
jpki_rev_use_http(jpki_rev_t *rv)
{
	return jpki_rev_set_fetch(rv, rev_http_fetch, NULL);
}
