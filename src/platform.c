/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * HTTP for the MyKey Platform client: the only file with curl calls
 * (house-style §2.1).  One easy handle per attempt, CURLOPT_NOSIGNAL,
 * HTTPS only with peer and host verification (plain http only to a
 * loopback address by explicit option), no redirects, connect and total
 * timeouts, and a hard cap on the response body (curl dynbuf "toobig").
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include <jpki/platform.h>

#include "log.h"
#include "platform_int.h"
#include "secure.h"

static pthread_once_t	curl_once = PTHREAD_ONCE_INIT;
static CURLcode		curl_init_rc = CURLE_FAILED_INIT;

/*
 * curl_global_init is not thread-safe on every build; do it once, the
 * first time a platform handle is used (jpki_init() predates this module).
 */
static void
curl_init_once(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
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

/* Copy a header value (trimmed) when name matches. */
static int
header_value(const char *line, size_t len, const char *name, char *out,
    size_t out_size)
{
	size_t nl = strlen(name), i, j;

	if (len <= nl || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return 0;
	i = nl + 1;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	j = len;
	while (j > i && (line[j - 1] == '\r' || line[j - 1] == '\n' ||
	    line[j - 1] == ' '))
		j--;
	if (j - i >= out_size)
		j = i + out_size - 1;
	memcpy(out, line + i, j - i);
	out[j - i] = '\0';
	return 1;
}

static size_t
header_cb(char *line, size_t size, size_t nmemb, void *arg)
{
	http_resp_t	*rs = arg;
	char		 v[32];
	char		*end;
	long		 n;
	size_t		 len;

	if (nmemb != 0 && size > SIZE_MAX / nmemb)
		return 0;
	len = size * nmemb;
	/* a new status line (100 Continue, then the final one) */
	if (len >= 5 && strncmp(line, "HTTP/", 5) == 0) {
		rs->replayed = 0;
		rs->retry_after = -1;
		rs->request_id[0] = '\0';
		rs->content_type[0] = '\0';
	}
	(void)header_value(line, len, "X-Request-Id", rs->request_id,
	    sizeof(rs->request_id));
	(void)header_value(line, len, "Content-Type", rs->content_type,
	    sizeof(rs->content_type));
	if (header_value(line, len, "Idempotency-Replayed", v, sizeof(v)))
		rs->replayed = strcasecmp(v, "true") == 0;
	/* delay-seconds only; an HTTP-date is treated as absent */
	if (header_value(line, len, "Retry-After", v, sizeof(v))) {
		n = strtol(v, &end, 10);
		if (end != v && *end == '\0' && n >= 0 && n < 86400)
			rs->retry_after = (int)n;
	}
	return len;
}

static struct curl_slist *
add_header(struct curl_slist *h, int *ok, const char *name, const char *val)
{
	struct curl_slist	*nh;
	char			*line;
	size_t			 n;

	if (!*ok)
		return h;
	n = strlen(name) + strlen(val) + 3;
	if ((line = malloc(n)) == NULL) {
		*ok = 0;
		return h;
	}
	snprintf(line, n, "%s: %s", name, val);
	nh = curl_slist_append(h, line);
	jpki_secure_zero(line, n);	/* may carry the Bearer token */
	free(line);
	if (nh == NULL)
		*ok = 0;
	return nh != NULL ? nh : h;
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

/*
 * One attempt.  *got_response is 1 once a status line arrived.  Returns
 * JPKI_OK with rs filled for any HTTP status, or a transport error.
 */
static int
perform(jpki_platform_t *p, const http_req_t *rq, http_resp_t *rs,
    int *got_response)
{
	CURL			*c = NULL;
	struct curl_slist	*h = NULL;
	sink_t			 sink;
	char			*url = NULL, *auth = NULL;
	size_t			 n;
	CURLcode		 cc;
	int			 ok = 1, r = JPKI_ERR_NOMEM;
	long			 status = 0;

	memset(&sink, 0, sizeof(sink));
	sink.max = p->max_response;
	*got_response = 0;
	rs->retry_after = -1;
	n = strlen(p->url) + strlen(rq->path) + 1;
	if ((url = malloc(n)) == NULL)
		goto out;
	snprintf(url, n, "%s%s", p->url, rq->path);
	if ((c = curl_easy_init()) == NULL)
		goto out;
	h = add_header(h, &ok, "Accept", "application/json");
	if (rq->body != NULL)
		h = add_header(h, &ok, "Content-Type", "application/json");
	if (rq->idem_key != NULL)
		h = add_header(h, &ok, "Idempotency-Key", rq->idem_key);
	if (rq->proof_hdr != NULL)
		h = add_header(h, &ok, "X-MyKey-Proof", rq->proof_hdr);
	if (rq->consent_hdr != NULL)
		h = add_header(h, &ok, "X-MyKey-Consent", rq->consent_hdr);
	if (rq->bearer && p->token != NULL) {
		n = strlen(p->token) + 8;
		if ((auth = malloc(n)) == NULL)
			goto out;
		snprintf(auth, n, "Bearer %s", p->token);
		h = add_header(h, &ok, "Authorization", auth);
	}
	/* no "Expect: 100-continue" round trip for our small bodies */
	h = add_header(h, &ok, "Expect", "");
	if (!ok)
		goto out;
	r = JPKI_ERR_INTERNAL;
	if (curl_easy_setopt(c, CURLOPT_URL, url) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR,
	    p->allow_http ? "http,https" : "https") != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	    p->connect_timeout_ms) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, p->timeout_ms) !=
	    CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)p->max_response) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, rq->method) !=
	    CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb) !=
	    CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_HEADERDATA, rs) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_USERAGENT, "libjpki/"
	    JPKI_VERSION_STRING) != CURLE_OK)
		goto out;
	if (p->ca_file != NULL &&
	    curl_easy_setopt(c, CURLOPT_CAINFO, p->ca_file) != CURLE_OK)
		goto out;
	if (rq->body != NULL &&
	    (curl_easy_setopt(c, CURLOPT_POSTFIELDS, rq->body) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)strlen(rq->body)) != CURLE_OK))
		goto out;
	if (strcmp(rq->method, "GET") == 0 &&
	    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L) != CURLE_OK)
		goto out;
	p->requests++;
	cc = curl_easy_perform(c);
	(void)curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	*got_response = status != 0;
	if (cc != CURLE_OK) {
		log_debug("%s: %s %s: %s", __func__, rq->method, rq->path,
		    curl_easy_strerror(cc));
		if (sink.toobig || cc == CURLE_FILESIZE_EXCEEDED)
			r = JPKI_ERR_TOO_LARGE;
		else if (cc == CURLE_OPERATION_TIMEDOUT)
			r = JPKI_ERR_TIMEOUT;
		else if (cc == CURLE_SSL_CONNECT_ERROR ||
		    cc == CURLE_PEER_FAILED_VERIFICATION ||
		    cc == CURLE_SSL_CACERT_BADFILE ||
		    cc == CURLE_SSL_CERTPROBLEM)
			r = JPKI_ERR_TLS;
		else if (cc == CURLE_UNSUPPORTED_PROTOCOL ||
		    cc == CURLE_URL_MALFORMAT)
			r = JPKI_ERR_ARG;
		else
			r = JPKI_ERR_NETWORK;
		goto out;
	}
	rs->status = status;
	rs->body = sink.p;
	rs->body_len = sink.len;
	sink.p = NULL;
	log_debug("%s: %s %s -> %ld (%zu bytes)%s", __func__, rq->method,
	    rq->path, status, rs->body_len, rs->replayed ? " replayed" : "");
	r = JPKI_OK;
out:
	free(sink.p);
	if (auth != NULL)
		jpki_free_secret(auth, strlen(auth));
	free_headers(h);
	if (c != NULL)
		curl_easy_cleanup(c);
	free(url);
	return r;
}

void
platform_http_resp_free(http_resp_t *rs)
{
	if (rs == NULL)
		return;
	free(rs->body);
	memset(rs, 0, sizeof(*rs));
	rs->retry_after = -1;
}

static void
sleep_ms(unsigned ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0)
		;
}

/*
 * Send rq, retrying what §5.6 allows with the same key and body.  On
 * return rs holds the final HTTP answer (any status); p->problem is filled
 * for a status >= 400.  A transport failure after the last attempt is
 * returned as an error with p->problem.http_status = 0.
 */
int
platform_http(jpki_platform_t *p, const http_req_t *rq, http_resp_t *rs,
    unsigned *attempts)
{
	unsigned	 i, wait;
	uint32_t	 rnd;
	int		 got, r = JPKI_ERR_INTERNAL, retry;

	(void)pthread_once(&curl_once, curl_init_once);
	if (curl_init_rc != CURLE_OK)
		return JPKI_ERR_INTERNAL;
	memset(rs, 0, sizeof(*rs));
	rs->retry_after = -1;
	memset(&p->problem, 0, sizeof(p->problem));
	p->problem.retry_after = -1;
	p->problem.revocation_reason = -1;
	p->problem.successor_known = -1;
	for (i = 0; i < p->max_attempts; i++) {
		if (attempts != NULL)
			*attempts = i + 1;
		platform_http_resp_free(rs);
		r = perform(p, rq, rs, &got);
		if (r == JPKI_OK && rs->status >= 400)
			(void)platform_problem_parse(rs, &p->problem);
		if (r == JPKI_OK)
			retry = platform_retryable(0, 1, rs->status,
			    p->problem.code, rs->retry_after,
			    p->max_retry_after_s);
		else
			retry = (r == JPKI_ERR_NETWORK ||
			    r == JPKI_ERR_TIMEOUT) &&
			    platform_retryable(1, got, 0, NULL, -1, 0);
		if (!retry || i + 1 >= p->max_attempts)
			break;
		if (platform_random(&rnd, sizeof(rnd)) != JPKI_OK)
			rnd = 0;
		wait = platform_backoff_ms(i, p->backoff_base_ms,
		    p->backoff_max_ms, rnd);
		if (r == JPKI_OK && rs->retry_after >= 0 &&
		    (unsigned)rs->retry_after * 1000U > wait)
			wait = (unsigned)rs->retry_after * 1000U;
		log_debug("%s: retry %u of %s %s in %u ms (same key %s)",
		    __func__, i + 1, rq->method, rq->path, wait,
		    rq->idem_key != NULL ? rq->idem_key : "-");
		sleep_ms(wait);
	}
	if (r != JPKI_OK)
		platform_http_resp_free(rs);
	return r;
}

void
platform_drop_token(jpki_platform_t *p)
{
	if (p->token != NULL)
		jpki_free_secret(p->token, strlen(p->token));
	p->token = NULL;
	p->token_expires = 0;
}

/* POST /v1/token (§5.1): client credentials → Bearer, TTL 3600 s. */
int
platform_ensure_token(jpki_platform_t *p)
{
	http_req_t	 rq;
	http_resp_t	 rs;
	char		*body = NULL, *tok = NULL;
	long		 ttl = 0;
	time_t		 now = time(NULL);
	int		 r;

	memset(&rs, 0, sizeof(rs));
	if (p->token != NULL && now + 30 < p->token_expires)
		return JPKI_OK;
	platform_drop_token(p);
	if ((body = platform_json_token_req(p->client_id,
	    p->client_secret)) == NULL)
		return JPKI_ERR_NOMEM;
	memset(&rq, 0, sizeof(rq));
	rq.method = "POST";
	rq.path = "/v1/token";
	rq.body = body;
	if ((r = platform_http(p, &rq, &rs, NULL)) != JPKI_OK)
		goto out;
	if (rs.status != 200) {
		r = platform_code_to_err(rs.status, p->problem.code);
		goto out;
	}
	if ((r = platform_json_token_resp(rs.body, &tok, &ttl)) != JPKI_OK)
		goto out;
	if (ttl <= 0 || ttl > 86400)
		ttl = 3600;
	p->token = tok;
	p->token_expires = now + ttl;
	tok = NULL;
out:
	if (rs.body != NULL)
		jpki_secure_zero(rs.body, rs.body_len);
	platform_http_resp_free(&rs);
	jpki_free_secret(body, strlen(body));
	return r;
}
