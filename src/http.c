/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * One easy handle per exchange, CURLOPT_NOSIGNAL, no redirects, peer and
 * host verification always on, connect and total timeouts, a hard cap on
 * the body (curl dynbuf's "toobig"), and header copies wiped after use
 * (they may carry a Bearer token).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include <jpki/jpki.h>

#include "http.h"
#include "log.h"
#include "secure.h"

static pthread_once_t	once = PTHREAD_ONCE_INIT;
static CURLcode		init_rc = CURLE_FAILED_INIT;

/* curl_global_init is not thread-safe on every build: once, on first use */
static void
init_once(void)
{
	init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

typedef struct {
	char	*p;
	size_t	 len;
	size_t	 max;
	int	 toobig;
} sink_t;

static size_t
write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	sink_t	*s = arg;
	size_t	 n;
	char	*np;

	if (nmemb != 0 && size > SIZE_MAX / nmemb)
		return 0;
	n = size * nmemb;
	if (n > s->max - s->len) {
		s->toobig = 1;
		return 0;	/* aborts the transfer: CURLE_WRITE_ERROR */
	}
	if ((np = realloc(s->p, s->len + n + 1)) == NULL)
		return 0;
	s->p = np;
	memcpy(s->p + s->len, data, n);
	s->len += n;
	s->p[s->len] = '\0';
	return n;
}

static size_t
header_cb(char *line, size_t size, size_t nmemb, void *arg)
{
	const http_call_t *c = arg;

	if (nmemb != 0 && size > SIZE_MAX / nmemb)
		return 0;
	if (c->on_header != NULL)
		c->on_header(line, size * nmemb, c->arg);
	return size * nmemb;
}

static void
free_headers(struct curl_slist *h)
{
	struct curl_slist *i;

	for (i = h; i != NULL; i = i->next)
		if (i->data != NULL)
			jpki_secure_zero(i->data, strlen(i->data));
	curl_slist_free_all(h);
}

static int
curl_to_err(CURLcode cc, int toobig)
{
	if (toobig || cc == CURLE_FILESIZE_EXCEEDED)
		return JPKI_ERR_TOO_LARGE;
	switch (cc) {
	case CURLE_OPERATION_TIMEDOUT:
		return JPKI_ERR_TIMEOUT;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
		return JPKI_ERR_TLS;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return JPKI_ERR_ARG;
	default:
		return JPKI_ERR_NETWORK;
	}
}

int
http_perform(const http_call_t *c, long *status, char **body,
    size_t *body_len)
{
	CURL			*h = NULL;
	struct curl_slist	*hl = NULL, *nh;
	sink_t			 sink;
	size_t			 i;
	CURLcode		 cc;
	int			 r = JPKI_ERR_ARG;

	memset(&sink, 0, sizeof(sink));
	*status = 0;
	*body = NULL;
	*body_len = 0;
	if (c->url == NULL || c->method == NULL)
		goto out;
	r = JPKI_ERR_INTERNAL;
	if (pthread_once(&once, init_once) != 0 || init_rc != CURLE_OK)
		goto out;
	sink.max = c->max_body;
	r = JPKI_ERR_NOMEM;
	if ((h = curl_easy_init()) == NULL)
		goto out;
	for (i = 0; c->headers != NULL && c->headers[i] != NULL; i++) {
		if ((nh = curl_slist_append(hl, c->headers[i])) == NULL)
			goto out;
		hl = nh;
	}
	r = JPKI_ERR_INTERNAL;
	if (curl_easy_setopt(h, CURLOPT_URL, c->url) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR,
	    c->allow_http ? "http,https" : "https") != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
	    c->connect_timeout_ms) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms) !=
	    CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)c->max_body) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, c->method) !=
	    CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_cb) !=
	    CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_HEADERDATA, c) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_USERAGENT, "libjpki/"
	    JPKI_VERSION_STRING) != CURLE_OK)
		goto out;
	if (c->ca_file != NULL &&
	    curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file) != CURLE_OK)
		goto out;
	if (c->body != NULL &&
	    (curl_easy_setopt(h, CURLOPT_POSTFIELDS, c->body) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)c->body_len) != CURLE_OK))
		goto out;
	if (c->body == NULL && strcmp(c->method, "GET") == 0 &&
	    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L) != CURLE_OK)
		goto out;
	cc = curl_easy_perform(h);
	(void)curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	if (cc != CURLE_OK) {
		log_debug("%s: %s %s: %s", __func__, c->method, c->url,
		    curl_easy_strerror(cc));
		r = curl_to_err(cc, sink.toobig);
		goto out;
	}
	*body = sink.p;
	*body_len = sink.len;
	sink.p = NULL;
	r = JPKI_OK;
out:
	free(sink.p);
	free_headers(hl);
	if (h != NULL)
		curl_easy_cleanup(h);
	return r;
}
