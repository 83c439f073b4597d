/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * mock_api: HTTP to the server under test (libcurl): one request with
 * its answer parsed, the admin token for admin paths, the request
 * recorder for the fuzz corpus.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "mock_api.h"

const char *base;
/* check-mock-cluster: a thread's own instance instead of base */
_Thread_local const char *tbase;
char admin_base[160], admin_token[80];
char rid_prefix[32] = "t";
unsigned long rid_seq;

static size_t
on_body(char *p, size_t sz, size_t n, void *u)
{
	struct resp *r = u;
	char *nb;

	if ((nb = realloc(r->body, r->len + sz * n + 1)) == NULL)
		return 0;
	r->body = nb;
	memcpy(r->body + r->len, p, sz * n);
	r->len += sz * n;
	r->body[r->len] = '\0';
	return sz * n;
}

static void
hdr_copy(const char *line, size_t n, const char *name, char *out,
    size_t outlen)
{
	size_t k = strlen(name), l;

	if (n <= k || strncasecmp(line, name, k) != 0)
		return;
	line += k;
	n -= k;
	while (n > 0 && *line == ' ') {
		line++;
		n--;
	}
	l = strcspn(line, "\r\n");
	if (l > n)
		l = n;
	if (l >= outlen)
		l = outlen - 1;
	memcpy(out, line, l);
	out[l] = '\0';
}

static size_t
on_header(char *p, size_t sz, size_t n, void *u)
{
	struct resp *r = u;

	hdr_copy(p, sz * n, "Retry-After:", r->retry_after,
	    sizeof(r->retry_after));
	hdr_copy(p, sz * n, "Idempotency-Replayed:", r->replayed,
	    sizeof(r->replayed));
	hdr_copy(p, sz * n, "X-Request-Id:", r->reqid, sizeof(r->reqid));
	return sz * n;
}

void
resp_free(struct resp *r)
{
	json_decref(r->j);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

/*
 * The admin API and the J-LIS queries are on the admin listener, with
 * the Bearer token of <db>.admin-token; its URL is in <db>.admin-url.
 */
static int
admin_path(const char *path)
{
	return strncmp(path, "/admin/", 7) == 0 || (strncmp(path,
	    "/jlis/v1/", 9) == 0 && strcmp(path, "/jlis/v1/ocsp") != 0 &&
	    strncmp(path, "/jlis/v1/crl/", 13) != 0);
}

static void
read_line(const char *suffix, char *out, size_t n)
{
	char p[600];
	FILE *f;

	out[0] = '\0';
	/* beside the SQLite file; MOCK_STATE for PostgreSQL (<ca-dir>/../mock) */
	(void)snprintf(p, sizeof(p), "%s%s", getenv("MOCK_STATE") != NULL ?
	    getenv("MOCK_STATE") : dbpath, suffix);
	if ((f = fopen(p, "re")) == NULL)
		return;
	if (fgets(out, (int)n, f) == NULL)
		out[0] = '\0';
	out[strcspn(out, "\r\n")] = '\0';
	(void)fclose(f);
}

/*
 * MOCK_API_RECORD=DIR: every request is also written to DIR in the input
 * format of tests/fuzz/fuzz_mock_request.c (flag byte, request line,
 * headers, body), with that harness's tokens: its seed corpus.
 */
static void
record(const char *method, const char *path, const char *token,
    const char **extra, const char *body, size_t blen)
{
	const char *dir = getenv("MOCK_API_RECORD");
	static unsigned long seq;
	char fn[600];
	FILE *f;
	size_t i;

	if (dir == NULL)
		return;
	(void)snprintf(fn, sizeof(fn), "%s/req-%04lu", dir, ++seq);
	if ((f = fopen(fn, "we")) == NULL)
		return;
	(void)fputc(admin_path(path) ? 1 : 0, f);
	(void)fprintf(f, "%s %s\nContent-Type: application/json\n", method,
	    path);
	if (token != NULL)
		(void)fprintf(f, "Authorization: Bearer %s\n", admin_path(path) ?
		    "00112233445566778899aabbccddeeff" :
		    "fuzz-token-0123456789");
	for (i = 0; extra != NULL && extra[i] != NULL; i++)
		(void)fprintf(f, "%s\n", extra[i]);
	(void)fputc('\n', f);
	if (body != NULL)
		(void)fwrite(body, 1, blen, f);
	(void)fclose(f);
}

/*
 * One request.  body: JSON (stolen) or NULL; raw overrides it; extra:
 * NULL-terminated header lines.
 */
int
http_ex(const char *method, const char *path, const char *token,
    json_t *body, const char *raw, size_t rawlen, const char **extra,
    long timeout_ms, struct resp *r)
{
	CURL *c;
	struct curl_slist *h = NULL;
	char url[1024], line[2048], *txt = NULL;
	size_t i;

	memset(r, 0, sizeof(*r));
	if ((c = curl_easy_init()) == NULL)
		return -1;
	if (admin_base[0] == '\0') {
		read_line(".admin-url", admin_base, sizeof(admin_base));
		read_line(".admin-token", admin_token, sizeof(admin_token));
	}
	if (admin_path(path) && token == NULL)
		token = admin_token;
	(void)snprintf(url, sizeof(url), "%s%s", admin_path(path) ?
	    admin_base : tbase != NULL ? tbase : base, path);
	(void)curl_easy_setopt(c, CURLOPT_URL, url);
	(void)curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	(void)curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	(void)curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	(void)curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	(void)curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	(void)curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	(void)curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
	(void)curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	if (timeout_ms > 0)
		(void)curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Accept: application/json");
	(void)snprintf(line, sizeof(line), "X-Request-Id: %s-%lu", rid_prefix,
	    __atomic_add_fetch(&rid_seq, 1, __ATOMIC_RELAXED));
	h = curl_slist_append(h, line);
	if (token != NULL) {
		(void)snprintf(line, sizeof(line), "Authorization: Bearer %s",
		    token);
		h = curl_slist_append(h, line);
	}
	for (i = 0; extra != NULL && extra[i] != NULL; i++)
		h = curl_slist_append(h, extra[i]);
	(void)curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (raw != NULL) {
		(void)curl_easy_setopt(c, CURLOPT_POSTFIELDS, raw);
		(void)curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)rawlen);
	} else if (body != NULL) {
		txt = json_dumps(body, JSON_COMPACT);
		(void)curl_easy_setopt(c, CURLOPT_POSTFIELDS, txt);
	}
	record(method, path, token, extra, raw != NULL ? raw : txt, raw != NULL ?
	    rawlen : txt != NULL ? strlen(txt) : 0);
	r->curl_rc = (int)curl_easy_perform(c);
	(void)curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	if (r->body != NULL)
		r->j = json_loads(r->body, 0, NULL);
	free(txt);
	json_decref(body);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return r->curl_rc == 0 ? 0 : -1;
}

int
http(const char *method, const char *path, const char *token, json_t *body,
    const char **extra, struct resp *r)
{
	return http_ex(method, path, token, body, NULL, 0, extra, 0, r);
}

const char *
jget(const struct resp *r, const char *key)
{
	json_t *v = json_object_get(r->j, key);

	return json_is_string(v) ? json_string_value(v) : "";
}

int
is(const struct resp *r, long status, const char *code)
{
	if (r->status != status)
		return 0;
	return code == NULL || strcmp(jget(r, "code"), code) == 0;
}

void
show(const struct resp *r)
{
	(void)printf("#   -> %ld %s\n", r->status, r->body != NULL ?
	    r->body : "(no body)");
}
