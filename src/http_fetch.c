/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * libcurl POST for the revocation checker (src/revocation.c).  Kept apart
 * from the platform client: different rules (plain http allowed for signed
 * OCSP data), same hygiene (one easy handle per call, NOSIGNAL, no
 * redirects, a body cap).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include <jpki/err.h>

#include "http_fetch.h"
#include "log.h"

static pthread_once_t	once = PTHREAD_ONCE_INIT;
static CURLcode		init_rc = CURLE_FAILED_INIT;

static void
init_once(void)
{
	/* reference-counted inside libcurl: safe beside platform.c's call */
	init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

typedef struct {
	uint8_t	*p;
	size_t	 len;
	size_t	 max;
	int	 toobig;
} sink_t;

static size_t
write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	sink_t *s = arg;
	uint8_t *np;
	size_t n;

	if (nmemb != 0 && size > SIZE_MAX / nmemb)
		return 0;
	n = size * nmemb;
	if (n > s->max - s->len) {
		s->toobig = 1;
		return 0;	/* aborts with CURLE_WRITE_ERROR */
	}
	if (n == 0)
		return 0;
	if ((np = realloc(s->p, s->len + n)) == NULL)
		return 0;
	s->p = np;
	memcpy(s->p + s->len, data, n);
	s->len += n;
	return n;
}

/* POST when body is not NULL, else GET. */
static int
fetch(const char *url, const char *ctype, const uint8_t *body,
    size_t len, size_t max, long timeout_ms, uint8_t **out, size_t *out_len)
{
	CURL *c = NULL;
	struct curl_slist *h = NULL;
	sink_t sink = { NULL, 0, max, 0 };
	char hdr[128];
	CURLcode cr;
	long status = 0;
	int r = JPKI_ERR_ARG;

	if (out == NULL || out_len == NULL)
		goto out;
	*out = NULL;
	*out_len = 0;
	if (url == NULL || (body != NULL && (ctype == NULL || len == 0)) ||
	    (strncasecmp(url, "http://", 7) != 0 &&
	    strncasecmp(url, "https://", 8) != 0))
		goto out;
	r = JPKI_ERR_INTERNAL;
	if (pthread_once(&once, init_once) != 0 || init_rc != CURLE_OK)
		goto out;
	snprintf(hdr, sizeof(hdr), "Content-Type: %s",
	    ctype != NULL ? ctype : "application/octet-stream");
	r = JPKI_ERR_NOMEM;
	if ((c = curl_easy_init()) == NULL ||
	    (h = curl_slist_append(h, hdr)) == NULL)
		goto out;
	if (body == NULL) {
		curl_slist_free_all(h);
		h = NULL;
	}
	r = JPKI_ERR_INTERNAL;
	if (curl_easy_setopt(c, CURLOPT_URL, url) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") !=
	    CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)max) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_USERAGENT, "libjpki") != CURLE_OK)
		goto out;
	if (body != NULL &&
	    (curl_easy_setopt(c, CURLOPT_HTTPHEADER, h) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)len) != CURLE_OK))
		goto out;
	if ((cr = curl_easy_perform(c)) != CURLE_OK) {
		log_debug("%s: %s: %s", __func__, url, curl_easy_strerror(cr));
		if (sink.toobig || cr == CURLE_FILESIZE_EXCEEDED)
			r = JPKI_ERR_TOO_LARGE;
		else if (cr == CURLE_OPERATION_TIMEDOUT)
			r = JPKI_ERR_TIMEOUT;
		else if (cr == CURLE_SSL_CONNECT_ERROR ||
		    cr == CURLE_PEER_FAILED_VERIFICATION)
			r = JPKI_ERR_TLS;
		else
			r = JPKI_ERR_NETWORK;
		goto out;
	}
	if (curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status) !=
	    CURLE_OK || status != 200) {
		log_debug("%s: %s: HTTP %ld", __func__, url, status);
		r = JPKI_ERR_HTTP;
		goto out;
	}
	*out = sink.p;
	*out_len = sink.len;
	sink.p = NULL;
	r = JPKI_OK;
out:
	free(sink.p);
	curl_slist_free_all(h);
	if (c != NULL)
		curl_easy_cleanup(c);
	return r;
}

int
http_fetch_post(const char *url, const char *ctype, const uint8_t *body,
    size_t len, size_t max, long timeout_ms, uint8_t **out, size_t *out_len)
{
	if (body == NULL)
		return JPKI_ERR_ARG;
	return fetch(url, ctype, body, len, max, timeout_ms, out, out_len);
}

int
http_fetch_get(const char *url, size_t max, long timeout_ms, uint8_t **out,
    size_t *out_len)
{
	return fetch(url, NULL, NULL, 0, max, timeout_ms, out, out_len);
}
