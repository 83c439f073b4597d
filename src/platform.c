/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * HTTP for the MyKey Platform client, over http.c (the one file with curl
 * calls): HTTPS only with peer and host verification (plain http only to a
 * loopback address by explicit option), no redirects, connect and total
 * timeouts, a hard cap on the response body, and the retry rules of
 * mykey-mock-api.md §5.6 with the same Idempotency-Key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jpki/platform.h>

#include "http.h"
#include "log.h"
#include "platform_int.h"
#include "secure.h"

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

void
platform_header_line(const char *line, size_t len, void *arg)
{
	http_resp_t	*rs = arg;
	char		 v[32];
	char		*end;
	long		 n;

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
}

/* Append "name: value" to a NULL-ended list of at most HDR_MAX lines. */
#define HDR_MAX	10

static void
add_header(char **h, int *ok, const char *name, const char *val)
{
	size_t i, n;

	if (!*ok)
		return;
	for (i = 0; i < HDR_MAX - 1 && h[i] != NULL; i++)
		;
	n = strlen(name) + strlen(val) + 3;
	if (i == HDR_MAX - 1 || (h[i] = malloc(n)) == NULL) {
		*ok = 0;
		return;
	}
	snprintf(h[i], n, "%s: %s", name, val);
}

static void
free_headers(char **h)
{
	size_t i;

	/* a line may carry the Bearer token */
	for (i = 0; i < HDR_MAX && h[i] != NULL; i++)
		jpki_free_secret(h[i], strlen(h[i]));
}

/*
 * One attempt.  *got_response is 1 once a status line arrived.  Returns
 * JPKI_OK with rs filled for any HTTP status, or a transport error.
 */
static int
perform(jpki_platform_t *p, const http_req_t *rq, http_resp_t *rs,
    int *got_response)
{
	http_call_t	 c;
	char		*h[HDR_MAX] = { NULL };
	char		*url = NULL, *auth = NULL, *body = NULL;
	size_t		 n, body_len = 0;
	long		 status = 0;
	int		 ok = 1, r = JPKI_ERR_NOMEM;

	*got_response = 0;
	rs->retry_after = -1;
	n = strlen(p->url) + strlen(rq->path) + 1;
	if ((url = malloc(n)) == NULL)
		goto out;
	snprintf(url, n, "%s%s", p->url, rq->path);
	add_header(h, &ok, "Accept", "application/json");
	if (rq->body != NULL)
		add_header(h, &ok, "Content-Type", "application/json");
	if (rq->idem_key != NULL)
		add_header(h, &ok, "Idempotency-Key", rq->idem_key);
	if (rq->proof_hdr != NULL)
		add_header(h, &ok, "X-MyKey-Proof", rq->proof_hdr);
	if (rq->consent_hdr != NULL)
		add_header(h, &ok, "X-MyKey-Consent", rq->consent_hdr);
	if (rq->bearer && p->token != NULL) {
		n = strlen(p->token) + 8;
		if ((auth = malloc(n)) == NULL)
			goto out;
		snprintf(auth, n, "Bearer %s", p->token);
		add_header(h, &ok, "Authorization", auth);
	}
	/* no "Expect: 100-continue" round trip for our small bodies */
	add_header(h, &ok, "Expect", "");
	if (!ok)
		goto out;
	memset(&c, 0, sizeof(c));
	c.url = url;
	c.method = rq->method;
	c.headers = (const char *const *)h;
	c.body = (const uint8_t *)rq->body;
	c.body_len = rq->body != NULL ? strlen(rq->body) : 0;
	c.allow_http = p->allow_http;
	c.ca_file = p->ca_file;
	c.connect_timeout_ms = p->connect_timeout_ms;
	c.timeout_ms = p->timeout_ms;
	c.max_body = p->max_response;
	c.on_header = platform_header_line;
	c.arg = rs;
	p->requests++;
	r = http_perform(&c, &status, &body, &body_len);
	*got_response = status != 0;
	if (r != JPKI_OK) {
		log_debug("%s: %s %s: %s", __func__, rq->method, rq->path,
		    jpki_strerror(r));
		goto out;
	}
	rs->status = status;
	rs->body = body;
	rs->body_len = body_len;
	body = NULL;
	log_debug("%s: %s %s -> %ld (%zu bytes)%s", __func__, rq->method,
	    rq->path, status, rs->body_len, rs->replayed ? " replayed" : "");
out:
	free(body);
	if (auth != NULL)
		jpki_free_secret(auth, strlen(auth));
	free_headers(h);
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
	if ((r = platform_json_token_resp(rs.body, rs.body_len,
	    &tok, &ttl)) != JPKI_OK)
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
