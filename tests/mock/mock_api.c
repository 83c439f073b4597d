/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * API tests of mykey-mock over real HTTP (libcurl) against a server the
 * calling script started (tests/e2e/mock_api.sh).  Covers the scenarios
 * of mykey-mock-api.md §5.9 and the bad-input list of the issue.
 * Signatures are made in software with the profile's auth/sign keys.
 *
 *   mock_api BASE_URL DB_PATH scenarios
 *   mock_api BASE_URL DB_PATH durability ACK_FILE
 *
 * TAP-style output; exit status 1 if any check failed.
 */
#include <sys/wait.h>

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sqlite3.h>

static const char *base;
/* check-mock-cluster: a thread's own instance instead of base */
static _Thread_local const char *tbase;
static const char *dbpath;
static char admin_base[160], admin_token[80];
static int ntest, nfail;
static char rid_prefix[32] = "t";
static unsigned long rid_seq;

static void
ok(int cond, const char *fmt, ...)
{
	va_list ap;

	ntest++;
	if (!cond)
		nfail++;
	(void)printf("%s %d - ", cond ? "ok" : "not ok", ntest);
	va_start(ap, fmt);
	(void)vprintf(fmt, ap);
	va_end(ap);
	(void)printf("\n");
	(void)fflush(stdout);
}

/* ---- HTTP -------------------------------------------------------------- */

struct resp {
	long	 status;
	json_t	*j;
	char	 retry_after[16];
	char	 replayed[8];
	char	 reqid[96];
	char	*body;
	size_t	 len;
	int	 curl_rc;
};

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

static void
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
static int
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

static int
http(const char *method, const char *path, const char *token, json_t *body,
    const char **extra, struct resp *r)
{
	return http_ex(method, path, token, body, NULL, 0, extra, 0, r);
}

static const char *
jget(const struct resp *r, const char *key)
{
	json_t *v = json_object_get(r->j, key);

	return json_is_string(v) ? json_string_value(v) : "";
}

static int
is(const struct resp *r, long status, const char *code)
{
	if (r->status != status)
		return 0;
	return code == NULL || strcmp(jget(r, "code"), code) == 0;
}

static void
show(const struct resp *r)
{
	(void)printf("#   -> %ld %s\n", r->status, r->body != NULL ?
	    r->body : "(no body)");
}

#define CHECK(r, st, code, ...) do {					\
	int _c = is((r), (st), (code));					\
	ok(_c, __VA_ARGS__);						\
	if (!_c)							\
		show(r);						\
} while (0)

/* ---- fixtures ---------------------------------------------------------- */

struct client {
	char	id[64];
	char	secret[64];
	char	token[80];
};

struct card {
	char		 person[48];
	char		 card_id[48];
	char		 profile_dir[512];
	char		 auth_serial[48];
	char		 sign_serial[48];
	char		*auth_cert;	/* base64 DER */
	char		*sign_cert;
	EVP_PKEY	*auth_key;
	EVP_PKEY	*sign_key;
};

static int
new_client(struct client *c, const char *kind, const char *scopes)
{
	struct resp r;
	char s[512];

	memset(c, 0, sizeof(*c));
	(void)snprintf(s, sizeof(s), "%s", scopes);
	if (http("POST", "/admin/v1/clients", NULL, json_pack("{s:s,s:s}",
	    "kind", kind, "scopes", s), NULL, &r) != 0 || r.status != 201) {
		show(&r);
		resp_free(&r);
		return -1;
	}
	(void)snprintf(c->id, sizeof(c->id), "%s", jget(&r, "client_id"));
	(void)snprintf(c->secret, sizeof(c->secret), "%s",
	    jget(&r, "client_secret"));
	resp_free(&r);
	if (http("POST", "/v1/token", NULL, json_pack("{s:s,s:s,s:s}",
	    "grant_type", "client_credentials", "client_id", c->id,
	    "client_secret", c->secret), NULL, &r) != 0 || r.status != 200) {
		show(&r);
		resp_free(&r);
		return -1;
	}
	(void)snprintf(c->token, sizeof(c->token), "%s",
	    jget(&r, "access_token"));
	resp_free(&r);
	return 0;
}

static EVP_PKEY *
pem_key(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *k = b != NULL ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) :
	    NULL;

	BIO_free(b);
	return k;
}

static void
card_clear(struct card *c)
{
	free(c->auth_cert);
	free(c->sign_cert);
	EVP_PKEY_free(c->auth_key);
	EVP_PKEY_free(c->sign_key);
	memset(c, 0, sizeof(*c));
}

static int
card_from(const struct resp *r, struct card *c, const char *person)
{
	json_t *a = json_object_get(r->j, "auth"), *s = json_object_get(r->j,
	    "sign");

	card_clear(c);
	(void)snprintf(c->person, sizeof(c->person), "%s", person);
	(void)snprintf(c->card_id, sizeof(c->card_id), "%s", jget(r,
	    "card_id"));
	(void)snprintf(c->profile_dir, sizeof(c->profile_dir), "%s", jget(r,
	    "profile_dir"));
	if (!json_is_object(a))
		return -1;
	(void)snprintf(c->auth_serial, sizeof(c->auth_serial), "%s",
	    json_string_value(json_object_get(a, "issuance_number")));
	c->auth_cert = strdup(json_string_value(json_object_get(a,
	    "certificate")));
	c->auth_key = pem_key(json_string_value(json_object_get(a,
	    "private_key")));
	if (json_is_object(s)) {
		(void)snprintf(c->sign_serial, sizeof(c->sign_serial), "%s",
		    json_string_value(json_object_get(s, "issuance_number")));
		c->sign_cert = strdup(json_string_value(json_object_get(s,
		    "certificate")));
		c->sign_key = pem_key(json_string_value(json_object_get(s,
		    "private_key")));
	}
	return c->auth_key != NULL && c->auth_cert != NULL ? 0 : -1;
}

/* Synthetic person (fake name) and a first card. */
static int
new_person_card(const char *name, struct card *c)
{
	struct resp r;
	char pid[48];
	int rc;

	if (http("POST", "/admin/v1/persons", NULL, json_pack("{s:s,s:s,s:s,"
	    "s:s}", "name", name, "birth_date", "19850412", "sex", "2",
	    "address", "東京都千代田区霞が関９－９－９"), NULL, &r) != 0 ||
	    r.status != 201) {
		show(&r);
		resp_free(&r);
		return -1;
	}
	(void)snprintf(pid, sizeof(pid), "%s", jget(&r, "person_id"));
	resp_free(&r);
	if (http("POST", "/admin/v1/cards", NULL, json_pack("{s:s}",
	    "person_id", pid), NULL, &r) != 0 || r.status != 201) {
		show(&r);
		resp_free(&r);
		return -1;
	}
	rc = card_from(&r, c, pid);
	resp_free(&r);
	return rc;
}

static int
admin_card_op(const char *path, json_t *body, struct card *c)
{
	struct resp r;
	char person[48];
	int rc;

	(void)snprintf(person, sizeof(person), "%s", c->person);
	if (http("POST", path, NULL, body != NULL ? body : json_object(), NULL,
	    &r) != 0 || (r.status != 201 && r.status != 200)) {
		show(&r);
		resp_free(&r);
		return -1;
	}
	rc = card_from(&r, c, person);
	resp_free(&r);
	return rc;
}

static int
renew(struct card *c)
{
	char path[160];

	(void)snprintf(path, sizeof(path), "/admin/v1/certificates/%s:renew",
	    c->auth_serial);
	return admin_card_op(path, NULL, c);
}

static void
set_clock(const char *how, long long adv)
{
	struct resp r;

	(void)http("PUT", "/admin/v1/clock", NULL, how != NULL ?
	    json_pack("{s:b}", "real", 1) : json_pack("{s:I}", "advance_s",
	    (json_int_t)adv), NULL, &r);
	resp_free(&r);
}

static void
add_fault(const char *glob, int status, int delay_ms, int drop, int count,
    int retry_after)
{
	struct resp r;

	(void)http("PUT", "/admin/v1/faults", NULL, json_pack("{s:s,s:i,s:i,"
	    "s:b,s:i,s:i}", "path_glob", glob, "status", status, "delay_ms",
	    delay_ms, "drop", drop, "count", count, "retry_after",
	    retry_after), NULL, &r);
	if (r.status != 201)
		show(&r);
	resp_free(&r);
}

static long long
qlog_last(void)
{
	struct resp r;
	long long v = -1;

	if (http("GET", "/admin/v1/jlis/query-log?since_id=0", NULL, NULL,
	    NULL, &r) == 0)
		v = (long long)json_integer_value(json_object_get(r.j,
		    "last_id"));
	resp_free(&r);
	/* more than 1000 rows: page on */
	return v;
}

/*
 * One text value from PostgreSQL (check-mock-pg): psql, no shell, the
 * connection URI as given to the server.  Returns 0 and fills out.
 */
#define PSQL	"/usr/lib/postgresql/15/bin/psql"

static int
is_pg(void)
{
	return strncmp(dbpath, "postgresql://", 13) == 0 ||
	    strncmp(dbpath, "postgres://", 11) == 0;
}

static int
pg_scalar(const char *sql, char *out, size_t n)
{
	int fd[2], status;
	size_t o = 0;
	ssize_t k;
	pid_t pid;

	out[0] = '\0';
	if (pipe(fd) != 0)
		return -1;
	if ((pid = fork()) < 0) {
		(void)close(fd[0]);
		(void)close(fd[1]);
		return -1;
	}
	if (pid == 0) {
		(void)dup2(fd[1], 1);
		(void)close(fd[0]);
		(void)close(fd[1]);
		(void)execl(PSQL, "psql", "-X", "-q", "-At", "-v",
		    "ON_ERROR_STOP=1", "-d", dbpath, "-c", sql, (char *)NULL);
		_exit(127);
	}
	(void)close(fd[1]);
	while (o + 1 < n && (k = read(fd[0], out + o, n - o - 1)) > 0)
		o += (size_t)k;
	(void)close(fd[0]);
	out[o] = '\0';
	while (o > 0 && out[o - 1] == '\n')
		out[--o] = '\0';
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return -1;
	return 0;
}

/* Rows of jlis_query_log whose request id starts with prefix. */
static long long
qlog_count_prefix(const char *prefix)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	long long n = -1;
	char like[64];

	(void)snprintf(like, sizeof(like), "%s-%%", prefix);
	if (is_pg()) {
		char sql[160], v[32];

		/* prefix: a constant of this program */
		(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM "
		    "jlis_query_log WHERE request_id LIKE '%s'", like);
		return pg_scalar(sql, v, sizeof(v)) == 0 ? strtoll(v, NULL,
		    10) : -1;
	}
	if (sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL) ==
	    SQLITE_OK && sqlite3_prepare_v2(db, "SELECT count(*) FROM "
	    "jlis_query_log WHERE request_id LIKE ?", -1, &st, NULL) ==
	    SQLITE_OK && sqlite3_bind_text(st, 1, like, -1, SQLITE_STATIC) ==
	    SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

/* A digest of the stored state that bad input must not change. */
static char *
state_digest(void)
{
	static const char *q[] = {
		"SELECT count(*) || ':' || coalesce(group_concat(mykey_id || state), '') FROM mykey_ids",
		"SELECT count(*) || ':' || coalesce(sum(id), 0) || ':' || count(unbound_at) FROM mykey_bindings",
		"SELECT count(*) || ':' || coalesce(group_concat(ppid || state), '') FROM service_links",
		"SELECT count(*) FROM services",
		"SELECT count(*) FROM consents",
		"SELECT count(*) FROM disclosures",
		"SELECT count(*) FROM jlis_query_log",
		"SELECT count(*) || ':' || coalesce(group_concat(status), '') FROM certificates",
		"SELECT count(*) FROM clients",
		"SELECT count(consumed_at) FROM challenges",
	};
	sqlite3 *db = NULL;
	sqlite3_stmt *st;
	size_t i, o = 0, cap = 1 << 16;
	char *out = calloc(1, cap), sql[256], v[8192], *g;

	if (out != NULL && is_pg()) {
		/* the same digest; group_concat is string_agg there */
		for (i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
			(void)snprintf(sql, sizeof(sql), "%s", q[i]);
			if ((g = strstr(sql, "group_concat(")) != NULL) {
				char arg[64];
				const char *e = strchr(g, ')');

				(void)snprintf(arg, sizeof(arg), "%.*s",
				    (int)(e - g - 13), g + 13);
				(void)snprintf(sql, sizeof(sql), "%.*s"
				    "string_agg(%s, ',' ORDER BY %s)%s",
				    (int)(g - sql), q[i], arg, arg,
				    q[i] + (e - sql) + 1);
			}
			if (pg_scalar(sql, v, sizeof(v)) == 0 && o < cap)
				o += (size_t)snprintf(out + o, cap - o, "%s|",
				    v);
		}
		return out;
	}
	if (out == NULL || sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY,
	    NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return out;
	}
	for (i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		st = NULL;
		if (sqlite3_prepare_v2(db, q[i], -1, &st, NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW && o < cap)
			o += (size_t)snprintf(out + o, cap - o, "%s|",
			    (const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return out;
}

/* ---- proofs ------------------------------------------------------------ */

struct chl {
	char	id[64];
	char	tbs[512];
};

/* the last challenge request's answer (0: no answer), for stream() */
static _Thread_local long chl_status;
static _Thread_local char chl_retry_after[16];

static int
challenge(const struct client *cl, const char *purpose, const char *mykey,
    const char *sid, struct chl *out)
{
	struct resp r;
	json_t *b = json_pack("{s:s}", "purpose", purpose);
	int rc = -1;

	if (mykey != NULL)
		(void)json_object_set_new(b, "mykey_id", json_string(mykey));
	if (sid != NULL)
		(void)json_object_set_new(b, "service_id", json_string(sid));
	int got = http("POST", "/v1/challenges", cl->token, b, NULL, &r);

	chl_status = got == 0 ? r.status : 0;
	(void)snprintf(chl_retry_after, sizeof(chl_retry_after), "%s",
	    r.retry_after);
	if (got == 0 && r.status == 201) {
		(void)snprintf(out->id, sizeof(out->id), "%s", jget(&r,
		    "challenge_id"));
		/* rebuild the TBS as a client would (api §5.2) */
		(void)snprintf(out->tbs, sizeof(out->tbs),
		    "mykey-mock/v1|%s|%s|%s|%s|%s|%s", out->id, jget(&r,
		    "nonce"), purpose, cl->id, mykey != NULL ? mykey : "-",
		    sid != NULL ? sid : "-");
		rc = strcmp(out->tbs, jget(&r, "tbs")) == 0 ? 0 : -1;
	} else {
		show(&r);
	}
	resp_free(&r);
	return rc;
}

static char *
sign_b64(EVP_PKEY *k, const char *tbs)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char sig[512];
	size_t sl = sizeof(sig);
	char *out = NULL;
	int n;

	if (md != NULL && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k) ==
	    1 && EVP_DigestSign(md, sig, &sl, (const unsigned char *)tbs,
	    strlen(tbs)) == 1 && (out = malloc(4 * ((sl + 2) / 3) + 1)) != NULL)
		n = EVP_EncodeBlock((unsigned char *)out, sig, (int)sl);
	else
		n = -1;
	EVP_MD_CTX_free(md);
	if (n < 0) {
		free(out);
		return NULL;
	}
	return out;
}

static json_t *
proof(const struct chl *ch, const char *cert, EVP_PKEY *key)
{
	char *sig = sign_b64(key, ch->tbs);
	json_t *p = json_pack("{s:s,s:s,s:s,s:s}", "challenge_id", ch->id,
	    "certificate", cert, "signature", sig != NULL ? sig : "",
	    "signature_algorithm", "sha256WithRSAEncryption");

	free(sig);
	return p;
}

static const char *consent_uuid = "3f0c9a52-1b7e-4c1d-9a55-0d6f1e2b3c4d";

static json_t *
consent(const char *purpose)
{
	return json_pack("{s:s,s:s,s:s,s:s}", "consent_id", consent_uuid,
	    "purpose", purpose, "terms_version", "mock-1", "agreed_at",
	    "2026-04-01T09:00:00+09:00");
}

static json_t *
login_body(const struct chl *ch, const struct card *c)
{
	return json_pack("{s:o,s:o}", "auth", proof(ch, c->auth_cert,
	    c->auth_key), "consent", consent("jlis.validity jlis.linkage"));
}

/* create (1) or verify (0); returns the response (caller frees). */
static int
login(const struct client *cl, const struct card *c, int create,
    struct resp *r)
{
	struct chl ch;

	if (challenge(cl, create ? "mykey.create" : "mykey.verify", NULL,
	    NULL, &ch) != 0)
		return -1;
	return http("POST", create ? "/v1/mykey-ids" : "/v1/mykey-ids:verify",
	    cl->token, login_body(&ch, c), NULL, r);
}

static char *
b64url(const char *s)
{
	size_t n = strlen(s);
	char *o = malloc(4 * ((n + 2) / 3) + 1), *p;

	if (o == NULL)
		return NULL;
	(void)EVP_EncodeBlock((unsigned char *)o, (const unsigned char *)s,
	    (int)n);
	for (p = o; *p; p++) {
		if (*p == '+')
			*p = '-';
		else if (*p == '/')
			*p = '_';
		else if (*p == '=')
			*p = '\0';
	}
	return o;
}

/* GET …/disclosures with X-MyKey-Proof and X-MyKey-Consent. */
static int
disclosures(const struct client *cl, const struct card *c, const char *id,
    struct resp *r)
{
	struct chl ch;
	json_t *p;
	char *ps, *pe, *cs, *ce, h1[8192], h2[1024], path[128];
	const char *hdrs[3];

	if (challenge(cl, "mykey.verify", NULL, NULL, &ch) != 0)
		return -1;
	p = proof(&ch, c->auth_cert, c->auth_key);
	ps = json_dumps(p, JSON_COMPACT);
	json_decref(p);
	p = consent("jlis.validity jlis.linkage");
	cs = json_dumps(p, JSON_COMPACT);
	json_decref(p);
	pe = b64url(ps);
	ce = b64url(cs);
	(void)snprintf(h1, sizeof(h1), "X-MyKey-Proof: %s", pe);
	(void)snprintf(h2, sizeof(h2), "X-MyKey-Consent: %s", ce);
	hdrs[0] = h1;
	hdrs[1] = h2;
	hdrs[2] = NULL;
	(void)snprintf(path, sizeof(path), "/v1/mykey-ids/%s/disclosures?"
	    "limit=200", id);
	free(ps);
	free(pe);
	free(cs);
	free(ce);
	return http("GET", path, cl->token, NULL, hdrs, r);
}

/* ---- scenarios (api §5.9) -------------------------------------------- */

static struct client A, B;

static int
link_service(const struct client *cl, const struct card *c, const char *sid,
    const char *sun, struct resp *r)
{
	struct chl ch;
	char path[128];
	json_t *b;

	if (challenge(cl, "service.link", NULL, sid, &ch) != 0)
		return -1;
	b = json_pack("{s:o,s:o}", "auth", proof(&ch, c->auth_cert,
	    c->auth_key), "consent", consent("jlis.validity jlis.linkage "
	    "id.link"));
	if (sun != NULL)
		(void)json_object_set_new(b, "service_user_number",
		    json_string(sun));
	(void)snprintf(path, sizeof(path), "/v1/services/%s/links", sid);
	return http("PUT", path, cl->token, b, NULL, r);
}

static int
push_sign(const struct client *cl, const struct card *c, const char *id,
    struct resp *r)
{
	struct chl ch;
	char path[128];

	if (challenge(cl, "mykey.link_sign", id, NULL, &ch) != 0)
		return -1;
	(void)snprintf(path, sizeof(path), "/v1/mykey-ids/%s/certificates/sign",
	    id);
	return http("PUT", path, cl->token, json_pack("{s:o,s:o,s:o}", "auth",
	    proof(&ch, c->auth_cert, c->auth_key), "sign", proof(&ch,
	    c->sign_cert, c->sign_key), "consent",
	    consent("jlis.validity jlis.linkage")), NULL, r);
}

static char sid[64], mykey1[16], ppid1[40];
static struct card c1;

static void
s1_happy(void)
{
	struct resp r;
	char path[160];

	(void)printf("# scenario 1: happy path\n");
	ok(new_person_card("試験　一郎", &c1) == 0, "issue a card");
	(void)login(&A, &c1, 1, &r);
	CHECK(&r, 201, NULL, "POST /v1/mykey-ids creates (201)");
	(void)snprintf(mykey1, sizeof(mykey1), "%s", jget(&r, "mykey_id"));
	ok(strlen(mykey1) == 8 && strcmp(jget(&r, "state"), "active") == 0,
	    "8-character MyKey ID, active");
	resp_free(&r);
	(void)login(&A, &c1, 1, &r);
	ok(r.status == 200 && strcmp(jget(&r, "mykey_id"), mykey1) == 0,
	    "second create returns the existing ID (200)");
	resp_free(&r);
	(void)push_sign(&A, &c1, mykey1, &r);
	CHECK(&r, 200, NULL, "PUT certificates/sign binds the sign cert");
	resp_free(&r);
	(void)http("POST", "/v1/services", A.token, json_pack("{s:s,s:s}",
	    "name", "Mock City Library", "kind", "library"), NULL, &r);
	CHECK(&r, 201, NULL, "POST /v1/services");
	(void)snprintf(sid, sizeof(sid), "%s", jget(&r, "service_id"));
	resp_free(&r);
	(void)link_service(&A, &c1, sid, "LIB-0001", &r);
	CHECK(&r, 201, NULL, "PUT links gives a PPID (201)");
	(void)snprintf(ppid1, sizeof(ppid1), "%s", jget(&r, "ppid"));
	ok(strlen(ppid1) == 26 && json_object_get(r.j, "mykey_id") == NULL,
	    "26-char PPID; the service never sees the MyKey ID");
	resp_free(&r);
	(void)link_service(&A, &c1, sid, NULL, &r);
	ok(r.status == 200 && strcmp(jget(&r, "ppid"), ppid1) == 0,
	    "linking again: 200, same PPID");
	resp_free(&r);
	(void)snprintf(path, sizeof(path), "/v1/services/%s/links/%s", sid,
	    ppid1);
	(void)http("GET", path, A.token, NULL, NULL, &r);
	ok(r.status == 200 && strcmp(jget(&r, "state"), "active") == 0 &&
	    strcmp(jget(&r, "service_user_number"), "LIB-0001") == 0,
	    "GET link: active, service_user_number kept");
	resp_free(&r);
	(void)http("GET", path, B.token, NULL, NULL, &r);
	CHECK(&r, 403, "SERVICE_NOT_OWNED", "another client cannot read it");
	resp_free(&r);
	(void)snprintf(path, sizeof(path), "/v1/mykey-ids/%s", mykey1);
	(void)http("GET", path, A.token, NULL, NULL, &r);
	ok(r.status == 200 && strcmp(json_string_value(json_object_get(
	    json_object_get(json_object_get(r.j, "bindings"), "auth"),
	    "issuance_number")), c1.auth_serial) == 0,
	    "GET shows the auth binding to a client with issuance:read");
	resp_free(&r);
	/*
	 * Tenant check: B never saw this person (no link, no proof), so the
	 * ID answers as unknown, record and history alike; an unknown ID
	 * answers the same.
	 */
	(void)http("GET", path, B.token, NULL, NULL, &r);
	CHECK(&r, 404, "MYKEY_ID_NOT_FOUND", "another tenant's ID: 404 as "
	    "if unknown");
	resp_free(&r);
	(void)snprintf(path, sizeof(path), "/v1/mykey-ids/%s/history", mykey1);
	(void)http("GET", path, B.token, NULL, NULL, &r);
	CHECK(&r, 404, "MYKEY_ID_NOT_FOUND", "... and its history too");
	resp_free(&r);
	(void)http("GET", "/v1/mykey-ids/ZZZZZZZZ", B.token, NULL, NULL, &r);
	CHECK(&r, 404, "MYKEY_ID_NOT_FOUND", "same answer as an unknown ID");
	resp_free(&r);
	/* the NUL that cut "ID%00/history" down to "ID" */
	(void)snprintf(path, sizeof(path), "/v1/mykey-ids/%s%%00/history",
	    mykey1);
	(void)http("GET", path, A.token, NULL, NULL, &r);
	CHECK(&r, 400, "INVALID_REQUEST", "%%00 in the path: 400");
	resp_free(&r);
	(void)http("GET", "/v1/mykey-ids/%2e%2e/services", A.token, NULL, NULL,
	    &r);
	CHECK(&r, 400, "INVALID_REQUEST", "%%2e%%2e segment: 400");
	resp_free(&r);
	/* once the person proved the card to B, B sees it, masked */
	(void)login(&B, &c1, 0, &r);
	resp_free(&r);
	(void)snprintf(path, sizeof(path), "/v1/mykey-ids/%s", mykey1);
	(void)http("GET", path, B.token, NULL, NULL, &r);
	ok(r.status == 200 && strncmp(json_string_value(json_object_get(
	    json_object_get(json_object_get(r.j, "bindings"), "auth"),
	    "issuance_number")), "****", 4) == 0,
	    "after B's verify: visible, masked without issuance:read");
	resp_free(&r);
}

static void
s2_renewals(void)
{
	struct card c;
	struct resp r;
	char id[16], ppid[40];
	long long before, n;
	size_t i, jl = 0;
	json_t *v;
	int good = 1;

	memset(&c, 0, sizeof(c));
	(void)printf("# scenario 2: three renewals the platform never saw\n");
	(void)snprintf(rid_prefix, sizeof(rid_prefix), "s2");
	ok(new_person_card("試験　二郎", &c) == 0, "issue a card");
	(void)login(&A, &c, 1, &r);
	(void)snprintf(id, sizeof(id), "%s", jget(&r, "mykey_id"));
	resp_free(&r);
	(void)link_service(&A, &c, sid, NULL, &r);
	(void)snprintf(ppid, sizeof(ppid), "%s", jget(&r, "ppid"));
	resp_free(&r);
	ok(renew(&c) == 0 && renew(&c) == 0 && renew(&c) == 0,
	    "renew three times through admin");
	before = qlog_last();
	(void)login(&A, &c, 0, &r);
	CHECK(&r, 200, NULL, ":verify with the 4th card");
	ok(strcmp(jget(&r, "mykey_id"), id) == 0, "same MyKey ID");
	ok(json_integer_value(json_object_get(r.j, "linkage_hops")) == 3 &&
	    json_is_true(json_object_get(r.j, "relinked")),
	    "linkage_hops=3, relinked");
	ok(json_array_size(json_object_get(r.j, "superseded")) == 3,
	    "three superseded numbers");
	resp_free(&r);
	ok(qlog_last() - before == 4, "J-LIS saw 1 status + 3 one-hop "
	    "searches (%lld)", qlog_last() - before);
	(void)link_service(&A, &c, sid, NULL, &r);
	ok(r.status == 200 && strcmp(jget(&r, "ppid"), ppid) == 0,
	    "PPID unchanged across renewals");
	resp_free(&r);
	before = qlog_last();
	(void)login(&A, &c, 0, &r);
	ok(r.status == 200 && json_integer_value(json_object_get(r.j,
	    "linkage_hops")) == 0 && qlog_last() - before == 1,
	    "next login: bound directly, one status query");
	resp_free(&r);
	/* scenario 9, second half: one jlis disclosure per J-LIS query */
	(void)disclosures(&A, &c, id, &r);
	CHECK(&r, 200, NULL, "GET disclosures with X-MyKey-Proof");
	json_array_foreach(json_object_get(r.j, "disclosures"), i, v) {
		if (strcmp(json_string_value(json_object_get(v, "recipient")),
		    "jlis") != 0)
			continue;
		jl++;
		if (strcmp(json_string_value(json_object_get(v, "consent_id")),
		    consent_uuid) != 0)
			good = 0;
	}
	n = qlog_count_prefix("s2");
	ok(jl > 0 && (long long)jl == n, "one jlis disclosure per J-LIS query "
	    "(%zu disclosures, %lld queries)", jl, n);
	ok(good, "each names the consent it relied on");
	resp_free(&r);
	(void)disclosures(&B, &c1, id, &r);
	CHECK(&r, 404, "MYKEY_ID_NOT_FOUND", "another person's proof: 404");
	resp_free(&r);
	(void)snprintf(rid_prefix, sizeof(rid_prefix), "t");
	/* for the /login checks of tests/e2e/mock_api.sh */
	(void)printf("# s2-mykey %s %s %s\n", id, c.auth_serial,
	    c.profile_dir);
	card_clear(&c);
}

static void
s3_move(void)
{
	struct resp r;
	char path[160], old_sign[48];

	(void)printf("# scenario 3: move\n");
	(void)snprintf(old_sign, sizeof(old_sign), "%s", c1.sign_serial);
	(void)snprintf(path, sizeof(path), "/admin/v1/persons/%s:move",
	    c1.person);
	ok(admin_card_op(path, json_pack("{s:s}", "address",
	    "大阪府大阪市北区梅田９－９"), &c1) == 0 && strcmp(old_sign,
	    c1.sign_serial) != 0, "move: new sign cert on the same card");
	(void)http("POST", "/jlis/v1/status", NULL, json_pack("{s:s,s:s,s:o}",
	    "cert_type", "sign", "issuance_number", old_sign, "consent",
	    consent("jlis.validity")), NULL, &r);
	ok(r.status == 200 && strcmp(jget(&r, "status"), "revoked") == 0 &&
	    strcmp(jget(&r, "revocation_reason"), "affiliationChanged") == 0,
	    "old sign cert revoked affiliationChanged");
	resp_free(&r);
	(void)login(&A, &c1, 0, &r);
	ok(r.status == 200 && strcmp(jget(&r, "mykey_id"), mykey1) == 0,
	    ":verify with the untouched auth cert");
	resp_free(&r);
	(void)push_sign(&A, &c1, mykey1, &r);
	ok(r.status == 200 && json_is_true(json_object_get(r.j, "updated")),
	    "pushing the new sign cert re-binds the sign side");
	resp_free(&r);
}

static void
s4_lost(void)
{
	struct resp r;
	struct card old;
	char path[160];

	(void)printf("# scenario 4: lost card\n");
	memset(&old, 0, sizeof(old));
	old = c1;
	old.auth_cert = strdup(c1.auth_cert);
	old.sign_cert = c1.sign_cert != NULL ? strdup(c1.sign_cert) : NULL;
	(void)EVP_PKEY_up_ref(c1.auth_key);
	if (c1.sign_key != NULL)
		(void)EVP_PKEY_up_ref(c1.sign_key);
	ok(admin_card_op("/admin/v1/cards:reissue", json_pack("{s:s}",
	    "person_id", c1.person), &c1) == 0, "re-issue after loss");
	(void)login(&A, &old, 0, &r);
	CHECK(&r, 401, "CERT_REVOKED", "old card: CERT_REVOKED");
	ok(strcmp(jget(&r, "revocation_reason"), "keyCompromise") == 0 &&
	    json_is_true(json_object_get(r.j, "successor_known")),
	    "keyCompromise, successor_known");
	resp_free(&r);
	(void)snprintf(path, sizeof(path), "/v1/mykey-ids/%s", mykey1);
	(void)http("GET", path, A.token, NULL, NULL, &r);
	ok(strcmp(jget(&r, "state"), "suspended") == 0, "state suspended");
	resp_free(&r);
	(void)login(&A, &c1, 0, &r);
	ok(r.status == 200 && strcmp(jget(&r, "mykey_id"), mykey1) == 0 &&
	    strcmp(jget(&r, "state"), "active") == 0,
	    "new card relinks: same ID, active");
	resp_free(&r);
	card_clear(&old);
}

static void
s5_expiry(void)
{
	struct card c;
	struct resp r;
	char path[160], id[16];

	(void)printf("# scenario 5: expiry by the simulated clock\n");
	memset(&c, 0, sizeof(c));
	ok(new_person_card("試験　三郎", &c) == 0, "issue a card");
	(void)login(&A, &c, 1, &r);
	(void)snprintf(id, sizeof(id), "%s", jget(&r, "mykey_id"));
	resp_free(&r);
	set_clock(NULL, 6LL * 366 * 86400);
	(void)login(&A, &c, 0, &r);
	CHECK(&r, 401, "CERT_EXPIRED", "6 years later: CERT_EXPIRED");
	resp_free(&r);
	(void)snprintf(path, sizeof(path), "/v1/mykey-ids/%s", id);
	(void)http("GET", path, A.token, NULL, NULL, &r);
	ok(strcmp(jget(&r, "state"), "awaiting_relink") == 0,
	    "state awaiting_relink");
	resp_free(&r);
	set_clock("real", 0);
	card_clear(&c);
}

struct bg {
	const char	*key;
	json_t		*body;
	struct resp	 r;
};

static void *
bg_run(void *u)
{
	struct bg *b = u;
	char h[300];
	const char *hdr[2] = { h, NULL };

	(void)snprintf(h, sizeof(h), "Idempotency-Key: %s", b->key);
	(void)http("POST", "/v1/mykey-ids:verify", A.token, b->body, hdr,
	    &b->r);
	return NULL;
}

static void
s6_idempotency(void)
{
	struct chl ch;
	struct resp r1, r2;
	json_t *body;
	char *txt, h[300], k[64];
	const char *hdr[2] = { h, NULL };
	struct bg b;
	pthread_t t;

	(void)printf("# scenario 6: idempotent retry\n");
	(void)snprintf(k, sizeof(k), "a1b2c3d4-0000-4000-8000-%012d", 6);
	(void)snprintf(h, sizeof(h), "Idempotency-Key: %s", k);
	(void)challenge(&A, "mykey.verify", NULL, NULL, &ch);
	body = login_body(&ch, &c1);
	txt = json_dumps(body, JSON_COMPACT);
	/* the client gives up (timeout) while J-LIS is slow */
	add_fault("/jlis/v1/status", 0, 1500, 0, 1, 0);
	(void)http_ex("POST", "/v1/mykey-ids:verify", A.token, NULL, txt,
	    strlen(txt), hdr, 400, &r1);
	ok(r1.curl_rc != 0, "first attempt times out on the client side");
	resp_free(&r1);
	(void)usleep(1600000);
	(void)http_ex("POST", "/v1/mykey-ids:verify", A.token, NULL, txt,
	    strlen(txt), hdr, 0, &r2);
	ok(r2.status == 200 && strcmp(r2.replayed, "true") == 0 &&
	    strcmp(jget(&r2, "mykey_id"), mykey1) == 0,
	    "retry with the same key: replayed 200 without a new signature");
	resp_free(&r2);
	json_object_set_new(body, "extra", json_true());
	free(txt);
	txt = json_dumps(body, JSON_COMPACT);
	(void)http_ex("POST", "/v1/mykey-ids:verify", A.token, NULL, txt,
	    strlen(txt), hdr, 0, &r2);
	CHECK(&r2, 422, "IDEMPOTENCY_KEY_REUSED", "same key, other body: 422");
	resp_free(&r2);
	free(txt);
	json_decref(body);
	/* in flight */
	(void)challenge(&A, "mykey.verify", NULL, NULL, &ch);
	memset(&b, 0, sizeof(b));
	b.key = "in-flight-key-6";
	b.body = login_body(&ch, &c1);
	txt = json_dumps(b.body, JSON_COMPACT);
	add_fault("/jlis/v1/status", 0, 1200, 0, 1, 0);
	(void)pthread_create(&t, NULL, bg_run, &b);
	(void)usleep(400000);
	(void)snprintf(h, sizeof(h), "Idempotency-Key: %s", b.key);
	(void)http_ex("POST", "/v1/mykey-ids:verify", A.token, NULL, txt,
	    strlen(txt), hdr, 0, &r2);
	CHECK(&r2, 409, "IDEMPOTENCY_IN_PROGRESS", "key in flight: 409");
	ok(strcmp(r2.retry_after, "1") == 0, "... with Retry-After: 1");
	resp_free(&r2);
	(void)pthread_join(t, NULL);
	ok(b.r.status == 200, "the in-flight request completes");
	resp_free(&b.r);
	free(txt);
}

static void
s7_faults(void)
{
	struct chl ch;
	struct resp r;
	json_t *body;
	char *txt, h[80];
	const char *hdr[2] = { h, NULL };

	(void)printf("# scenario 7: J-LIS faults\n");
	(void)snprintf(h, sizeof(h), "Idempotency-Key: fault-7");
	(void)challenge(&A, "mykey.verify", NULL, NULL, &ch);
	body = login_body(&ch, &c1);
	txt = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	add_fault("/jlis/v1/status", 502, 0, 0, 1, 0);
	(void)http_ex("POST", "/v1/mykey-ids:verify", A.token, NULL, txt,
	    strlen(txt), hdr, 0, &r);
	CHECK(&r, 502, "JLIS_UNAVAILABLE", "J-LIS fault: 502 JLIS_UNAVAILABLE");
	resp_free(&r);
	(void)http_ex("POST", "/v1/mykey-ids:verify", A.token, NULL, txt,
	    strlen(txt), hdr, 0, &r);
	ok(r.status == 200 && strcmp(r.replayed, "true") != 0,
	    "retry with the same key and challenge succeeds");
	resp_free(&r);
	free(txt);
	add_fault("/v1/mykey-ids:verify", 503, 0, 0, 1, 7);
	(void)login(&A, &c1, 0, &r);
	CHECK(&r, 503, "MAINTENANCE", "503 MAINTENANCE");
	ok(strcmp(r.retry_after, "7") == 0, "... honours Retry-After: 7");
	resp_free(&r);
	(void)login(&A, &c1, 0, &r);
	CHECK(&r, 200, NULL, "then the retry succeeds");
	resp_free(&r);
	add_fault("/v1/mykey-ids/*/history", 0, 0, 1, 1, 0);
	(void)snprintf(h, sizeof(h), "/v1/mykey-ids/%s/history", mykey1);
	(void)http("GET", h, A.token, NULL, NULL, &r);
	ok(r.curl_rc != 0, "dropped connection fault");
	resp_free(&r);
	(void)http("GET", h, A.token, NULL, NULL, &r);
	ok(r.status == 200 && json_array_size(json_object_get(r.j,
	    "history")) >= 3, "history afterwards (old->new chain)");
	resp_free(&r);
}

static void
s8_challenges(void)
{
	struct chl ch;
	struct resp r;
	json_t *body;

	(void)printf("# scenario 8: challenge misuse\n");
	(void)challenge(&A, "mykey.verify", NULL, NULL, &ch);
	body = login_body(&ch, &c1);
	(void)http("POST", "/v1/mykey-ids:verify", A.token, json_incref(body),
	    NULL, &r);
	CHECK(&r, 200, NULL, "first use");
	resp_free(&r);
	(void)http("POST", "/v1/mykey-ids:verify", A.token, json_incref(body),
	    NULL, &r);
	CHECK(&r, 401, "CHALLENGE_CONSUMED", "reuse: CHALLENGE_CONSUMED");
	resp_free(&r);
	json_decref(body);
	(void)challenge(&B, "mykey.verify", NULL, NULL, &ch);
	/* the TBS names client B, signed by the card: still refused for A */
	(void)http("POST", "/v1/mykey-ids:verify", A.token, login_body(&ch,
	    &c1), NULL, &r);
	CHECK(&r, 401, "CHALLENGE_MISMATCH", "other client's challenge");
	resp_free(&r);
	(void)challenge(&A, "mykey.create", NULL, NULL, &ch);
	(void)http("POST", "/v1/mykey-ids:verify", A.token, login_body(&ch,
	    &c1), NULL, &r);
	CHECK(&r, 401, "CHALLENGE_MISMATCH", "wrong purpose");
	resp_free(&r);
	(void)challenge(&A, "mykey.verify", NULL, NULL, &ch);
	set_clock(NULL, 301);
	(void)http("POST", "/v1/mykey-ids:verify", A.token, login_body(&ch,
	    &c1), NULL, &r);
	CHECK(&r, 401, "CHALLENGE_EXPIRED", "301 s later: CHALLENGE_EXPIRED");
	resp_free(&r);
	set_clock("real", 0);
	(void)snprintf(ch.id, sizeof(ch.id), "chl_000000000000000000000000");
	(void)http("POST", "/v1/mykey-ids:verify", A.token, login_body(&ch,
	    &c1), NULL, &r);
	CHECK(&r, 401, "CHALLENGE_NOT_FOUND", "unknown challenge");
	resp_free(&r);
}

static void
s9_consent(void)
{
	struct chl ch;
	struct resp r;
	long long before;
	json_t *b;

	(void)printf("# scenario 9: consent\n");
	(void)challenge(&A, "mykey.verify", NULL, NULL, &ch);
	before = qlog_last();
	(void)http("POST", "/v1/mykey-ids:verify", A.token, json_pack("{s:o}",
	    "auth", proof(&ch, c1.auth_cert, c1.auth_key)), NULL, &r);
	CHECK(&r, 400, "CONSENT_REQUIRED", "no consent: CONSENT_REQUIRED");
	resp_free(&r);
	b = json_pack("{s:o,s:o}", "auth", proof(&ch, c1.auth_cert,
	    c1.auth_key), "consent", consent("jlis.validity"));
	(void)http("POST", "/v1/mykey-ids:verify", A.token, b, NULL, &r);
	CHECK(&r, 400, "CONSENT_REQUIRED", "purpose without jlis.linkage");
	resp_free(&r);
	b = json_pack("{s:o,s:{s:s,s:s,s:s,s:s}}", "auth", proof(&ch,
	    c1.auth_cert, c1.auth_key), "consent", "consent_id", consent_uuid,
	    "purpose", "jlis.validity jlis.linkage", "terms_version", "mock-0",
	    "agreed_at", "2026-04-01T09:00:00+09:00");
	(void)http("POST", "/v1/mykey-ids:verify", A.token, b, NULL, &r);
	CHECK(&r, 400, "CONSENT_REQUIRED", "unknown terms_version");
	resp_free(&r);
	ok(qlog_last() == before, "jlis_query_log unchanged");
	(void)http("POST", "/v1/mykey-ids:verify", A.token, login_body(&ch,
	    &c1), NULL, &r);
	CHECK(&r, 200, NULL, "with consent, the same challenge still works");
	resp_free(&r);
}

/* ---- bad input ------------------------------------------------------- */

static char *
selfsigned_b64(int ec)
{
	EVP_PKEY *k = ec ? EVP_EC_gen("P-256") : EVP_RSA_gen(2048);
	X509 *x = X509_new();
	unsigned char *der = NULL;
	char *out = NULL;
	int n;

	if (k == NULL || x == NULL)
		goto out;
	(void)X509_set_version(x, 2);
	(void)ASN1_INTEGER_set(X509_get_serialNumber(x), 4242);
	(void)X509_gmtime_adj(X509_getm_notBefore(x), 0);
	(void)X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	(void)X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN",
	    MBSTRING_ASC, (const unsigned char *)"not jpki", -1, -1, 0);
	(void)X509_set_issuer_name(x, X509_get_subject_name(x));
	(void)X509_set_pubkey(x, k);
	if (!ec) {
		/* JPKI-shaped (RSA-2048, digitalSignature) but untrusted */
		X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, NULL,
		    NID_key_usage, "critical,digitalSignature");

		(void)X509_add_ext(x, e, -1);
		X509_EXTENSION_free(e);
	}
	(void)X509_sign(x, k, EVP_sha256());
	if ((n = i2d_X509(x, &der)) <= 0 || (out = malloc(4 * (((size_t)n +
	    2) / 3) + 1)) == NULL)
		goto out;
	(void)EVP_EncodeBlock((unsigned char *)out, der, n);
out:
	OPENSSL_free(der);
	X509_free(x);
	EVP_PKEY_free(k);
	return out;
}

static void
bad_proof(const char *what, const char *cert, const char *sig,
    const char *chid, long status, const char *code)
{
	struct chl ch;
	struct resp r;

	(void)challenge(&A, "mykey.verify", NULL, NULL, &ch);
	(void)http("POST", "/v1/mykey-ids:verify", A.token,
	    json_pack("{s:{s:s,s:s,s:s},s:o}", "auth", "challenge_id",
	    chid != NULL ? chid : ch.id, "certificate", cert, "signature", sig,
	    "consent", consent("jlis.validity jlis.linkage")), NULL, &r);
	CHECK(&r, status, code, "%s: %ld %s", what, status, code);
	resp_free(&r);
}

/*
 * Mutated bodies (a few random bytes of a valid request changed) sent to
 * every proof-bearing endpoint: each must get a 2xx or a documented 4xx
 * problem, never a 5xx or a dropped connection.
 */
static void
fuzz(void)
{
	static const char *ep[][2] = {
		{ "POST", "/v1/mykey-ids:verify" }, { "POST", "/v1/mykey-ids" },
		{ "POST", "/v1/challenges" }, { "POST", "/v1/services" },
		{ "POST", "/jlis/v1/status" },
		{ "POST", "/jlis/v1/old-issuance-numbers:search" },
		{ "POST", "/v1/mykey-ids/ZZZZZZZZ/issuance-numbers:push" },
		{ "POST", "/v1/mykey-ids/ZZZZZZZZ:check" },
		{ "PUT", "/v1/mykey-ids/ZZZZZZZZ/certificates/sign" },
	};
	struct chl ch;
	struct resp r;
	json_t *b;
	char *txt, *m;
	size_t n, i;
	int k, bad = 0, e;
	unsigned int seed = 42;

	(void)challenge(&A, "mykey.verify", NULL, NULL, &ch);
	b = login_body(&ch, &c1);
	(void)json_object_set_new(b, "purpose", json_string("mykey.verify"));
	(void)json_object_set_new(b, "cert_type", json_string("auth"));
	(void)json_object_set_new(b, "issuance_number",
	    json_string(c1.auth_serial));
	(void)json_object_set_new(b, "new_issuance_number",
	    json_string(c1.auth_serial));
	txt = json_dumps(b, JSON_COMPACT);
	json_decref(b);
	n = strlen(txt);
	for (i = 0; i < 300; i++) {
		m = strdup(txt);
		for (k = 0; k < 1 + (int)(rand_r(&seed) % 4); k++)
			m[(size_t)rand_r(&seed) % n] = (char)(0x20 +
			    rand_r(&seed) % 95);
		e = (int)((size_t)rand_r(&seed) % (sizeof(ep) / sizeof(ep[0])));
		(void)http_ex(ep[e][0], ep[e][1], A.token, NULL, m, n, NULL, 0,
		    &r);
		if (r.curl_rc != 0 || r.status >= 500 || r.status < 200 ||
		    (r.status >= 400 && json_object_get(r.j, "code") == NULL)) {
			if (bad++ < 3)
				show(&r);
		}
		resp_free(&r);
		free(m);
	}
	free(txt);
	ok(bad == 0, "300 mutated requests: no 5xx, no dropped connection "
	    "(%d bad)", bad);
}

static void
bad_input(void)
{
	struct resp r;
	struct chl ch;
	char *before, *after, *big, *ss, *ec, *sig, path[200];
	const char *sqlish = "x'); DROP TABLE mykey_ids; --\"%_";
	size_t i;

	(void)printf("# bad input\n");
	before = state_digest();
	big = malloc(70 * 1024 + 1);
	memset(big, 'a', 70 * 1024);
	big[70 * 1024] = '\0';
	(void)http_ex("POST", "/v1/mykey-ids:verify", A.token, NULL, big,
	    70 * 1024, NULL, 0, &r);
	CHECK(&r, 413, "INVALID_REQUEST", "oversized body: 413");
	resp_free(&r);
	free(big);
	(void)http_ex("POST", "/v1/mykey-ids:verify", A.token, NULL,
	    "{\"auth\":", 8, NULL, 0, &r);
	CHECK(&r, 400, "INVALID_REQUEST", "malformed JSON");
	resp_free(&r);
	(void)http_ex("POST", "/v1/mykey-ids:verify", A.token, NULL, "[1,2]", 5,
	    NULL, 0, &r);
	CHECK(&r, 400, "INVALID_REQUEST", "JSON that is not an object");
	resp_free(&r);
	(void)http("POST", "/v1/mykey-ids:verify", A.token, json_pack("{s:i,"
	    "s:o}", "auth", 5, "consent", consent("jlis.validity "
	    "jlis.linkage")), NULL, &r);
	CHECK(&r, 400, "INVALID_REQUEST", "wrong type for auth");
	resp_free(&r);
	(void)http("POST", "/v1/challenges", A.token, json_pack("{s:i}",
	    "purpose", 7), NULL, &r);
	CHECK(&r, 400, "INVALID_REQUEST", "wrong type for purpose");
	resp_free(&r);
	(void)http("POST", "/v1/challenges", A.token, json_pack("{s:s}",
	    "purpose", sqlish), NULL, &r);
	CHECK(&r, 400, "INVALID_REQUEST", "SQL-ish purpose");
	resp_free(&r);
	(void)http("POST", "/v1/challenges", A.token, json_pack("{s:s,s:s}",
	    "purpose", "mykey.verify", "mykey_id", sqlish), NULL, &r);
	CHECK(&r, 400, "INVALID_MYKEY_ID_FORMAT", "SQL-ish mykey_id");
	resp_free(&r);
	(void)challenge(&A, "mykey.verify", NULL, NULL, &ch);
	sig = sign_b64(c1.auth_key, ch.tbs);
	bad_proof("certificate not base64", "!!!notbase64!!!", sig, ch.id, 400,
	    "INVALID_REQUEST");
	bad_proof("signature not base64", c1.auth_cert, "@@@", NULL, 400,
	    "INVALID_REQUEST");
	bad_proof("DER garbage", "AAECAwQFBgcICQ==", sig, NULL, 400,
	    "INVALID_CERTIFICATE");
	bad_proof("sign cert as auth cert", c1.sign_cert, sig, NULL, 400,
	    "UNSUPPORTED_CERTIFICATE");
	ec = selfsigned_b64(1);
	bad_proof("EC certificate", ec, sig, NULL, 400,
	    "UNSUPPORTED_CERTIFICATE");
	ss = selfsigned_b64(0);
	bad_proof("self-signed RSA certificate", ss, sig, NULL, 401,
	    "CHAIN_UNTRUSTED");
	/* signature over the wrong bytes (another challenge's TBS) */
	bad_proof("signature over the wrong bytes", c1.auth_cert, sig, NULL,
	    401, "SIGNATURE_INVALID");
	bad_proof("SQL-ish challenge_id", c1.auth_cert, sig, sqlish, 401,
	    "CHALLENGE_NOT_FOUND");
	free(sig);
	free(ss);
	free(ec);
	(void)http("GET", "/v1/mykey-ids/ZZZZZZZZ", A.token, NULL, NULL, &r);
	CHECK(&r, 404, "MYKEY_ID_NOT_FOUND", "unknown MyKey ID");
	resp_free(&r);
	(void)http("GET", "/v1/mykey-ids/abc%27%3B--", A.token, NULL, NULL,
	    &r);
	CHECK(&r, 400, "INVALID_MYKEY_ID_FORMAT", "SQL-ish MyKey ID in path");
	resp_free(&r);
	(void)snprintf(path, sizeof(path), "/v1/services/%s/links/x%%27--", sid);
	(void)http("GET", path, A.token, NULL, NULL, &r);
	CHECK(&r, 404, "LINK_NOT_FOUND", "SQL-ish PPID");
	resp_free(&r);
	(void)http("GET", "/v1/services/svc_x%27%20OR%201=1--/links/a",
	    A.token, NULL, NULL, &r);
	CHECK(&r, 404, "SERVICE_NOT_FOUND", "SQL-ish service id");
	resp_free(&r);
	(void)challenge(&A, "mykey.verify", NULL, NULL, &ch);
	(void)http("POST", "/v1/mykey-ids:verify", A.token,
	    json_pack("{s:o,s:{s:s,s:s,s:s,s:s}}", "auth", proof(&ch,
	    c1.auth_cert, c1.auth_key), "consent", "consent_id", sqlish,
	    "purpose", "jlis.validity jlis.linkage", "terms_version", sqlish,
	    "agreed_at", sqlish), NULL, &r);
	CHECK(&r, 400, "CONSENT_REQUIRED", "SQL-ish consent fields");
	resp_free(&r);
	(void)http("POST", "/v1/mykey-ids", A.token, json_pack("{s:o,s:s,s:o}",
	    "auth", proof(&ch, c1.auth_cert, c1.auth_key), "requested_mykey_id",
	    sqlish, "consent", consent("jlis.validity jlis.linkage")), NULL,
	    &r);
	CHECK(&r, 400, "INVALID_MYKEY_ID_FORMAT", "SQL-ish requested_mykey_id");
	resp_free(&r);
	(void)http("POST", "/v1/token", NULL, json_pack("{s:s,s:s}",
	    "client_id", sqlish, "client_secret", sqlish), NULL, &r);
	CHECK(&r, 401, "CLIENT_AUTH_FAILED", "SQL-ish client credentials");
	resp_free(&r);
	(void)http("POST", "/v1/challenges", "x' OR '1'='1", json_pack("{s:s}",
	    "purpose", "mykey.verify"), NULL, &r);
	CHECK(&r, 401, "CLIENT_AUTH_FAILED", "SQL-ish bearer token");
	resp_free(&r);
	(void)http("POST", "/jlis/v1/status", NULL, json_pack("{s:s,s:s,s:o}",
	    "cert_type", "auth", "issuance_number", sqlish, "consent",
	    consent("jlis.validity")), NULL, &r);
	CHECK(&r, 400, "INVALID_REQUEST", "SQL-ish issuance number at J-LIS");
	resp_free(&r);
	for (i = 0; i < 2; i++) {
		(void)http("DELETE", "/v1/mykey-ids/ZZZZZZZZ", A.token,
		    json_pack("{s:i}", "auth", 1), NULL, &r);
		ok(r.status == 400 || r.status == 404, "DELETE with junk proof "
		    "refused (%ld)", r.status);
		resp_free(&r);
	}
	after = state_digest();
	ok(before != NULL && after != NULL && strcmp(before, after) == 0,
	    "no bad input changed stored data");
	if (before != NULL && after != NULL && strcmp(before, after) != 0)
		(void)printf("#   before %s\n#   after  %s\n", before, after);
	free(before);
	free(after);
	/* SQL-significant text is stored verbatim, not interpreted */
	(void)link_service(&A, &c1, sid, "O'Brien\"; DROP TABLE x;--", &r);
	ok(r.status == 200 && strcmp(jget(&r, "service_user_number"),
	    "O'Brien\"; DROP TABLE x;--") == 0, "quotes stored verbatim");
	resp_free(&r);
	fuzz();
	(void)http("GET", "/v1/does-not-exist", A.token, NULL, NULL, &r);
	ok(r.status == 404 && r.reqid[0] != '\0', "still alive; X-Request-Id "
	    "on every answer");
	resp_free(&r);
}

static void
more(void)
{
	struct resp r;
	struct chl ch;
	char path[160], newid[16] = "MYK22222";

	(void)printf("# check, push, change, revoke\n");
	(void)snprintf(path, sizeof(path), "/v1/mykey-ids/%s:check", mykey1);
	(void)http("POST", path, A.token, json_pack("{s:o}", "consent",
	    consent("jlis.validity")), NULL, &r);
	ok(r.status == 200 && strcmp(jget(&r, "state"), "active") == 0 &&
	    json_object_get(r.j, "auth") != NULL, ":check (現況確認)");
	resp_free(&r);
	(void)snprintf(path, sizeof(path),
	    "/v1/mykey-ids/%s/issuance-numbers:push", mykey1);
	(void)http("POST", path, A.token, json_pack("{s:{s:s},s:o}", "auth",
	    "issuance_number", c1.auth_serial, "consent",
	    consent("jlis.validity jlis.linkage")), NULL, &r);
	ok(r.status == 200, ":push of the bound number");
	resp_free(&r);
	(void)challenge(&A, "mykey.verify", NULL, NULL, &ch);
	(void)snprintf(path, sizeof(path), "/v1/mykey-ids/%s", mykey1);
	(void)http("PATCH", path, A.token, json_pack("{s:o,s:s,s:o}", "auth",
	    proof(&ch, c1.auth_cert, c1.auth_key), "new_mykey_id", newid,
	    "consent", consent("jlis.validity jlis.linkage")), NULL, &r);
	if (r.status == 409) {
		resp_free(&r);
		ok(1, "MYK22222 taken from an earlier run");
		return;
	}
	ok(r.status == 200 && strcmp(jget(&r, "mykey_id"), newid) == 0,
	    "PATCH changes the MyKey ID");
	resp_free(&r);
	(void)link_service(&A, &c1, sid, NULL, &r);
	ok(strcmp(jget(&r, "ppid"), ppid1) == 0, "PPID survives the change");
	resp_free(&r);
	(void)challenge(&A, "mykey.verify", NULL, NULL, &ch);
	(void)snprintf(path, sizeof(path), "/v1/mykey-ids/%s", newid);
	(void)http("DELETE", path, A.token, json_pack("{s:o,s:o}", "auth",
	    proof(&ch, c1.auth_cert, c1.auth_key), "consent",
	    consent("jlis.validity jlis.linkage")), NULL, &r);
	ok(r.status == 200 && strcmp(jget(&r, "state"), "revoked") == 0,
	    "DELETE revokes");
	resp_free(&r);
	(void)login(&A, &c1, 0, &r);
	CHECK(&r, 410, "MYKEY_ID_REVOKED", "verify after revocation: 410");
	resp_free(&r);
	(void)snprintf(path, sizeof(path), "/v1/services/%s/links/%s", sid,
	    ppid1);
	(void)http("GET", path, A.token, NULL, NULL, &r);
	ok(strcmp(jget(&r, "state"), "revoked") == 0, "link mirrors: revoked");
	resp_free(&r);
}

static void
put_setting(const char *key, int on)
{
	struct resp r;

	(void)http("PUT", "/admin/v1/settings", NULL, json_pack("{s:b}", key,
	    on), NULL, &r);
	if (r.status != 200)
		show(&r);
	resp_free(&r);
}

/* Simulator flags, requested IDs, the hop cap, disclosure pages. */
static void
extras(void)
{
	struct card c, d;
	struct resp r;
	struct chl ch;
	char want[9], id[16], path[200], cursor[40];
	int i, pages = 0, total = 0;

	(void)printf("# requested IDs, simulator flags, hop cap, paging\n");
	memset(&c, 0, sizeof(c));
	memset(&d, 0, sizeof(d));
	ok(new_person_card("試験　四郎", &c) == 0 &&
	    new_person_card("試験　五郎", &d) == 0, "two more cards");
	(void)snprintf(want, sizeof(want), "Q%c%c%cRST7", 'A' + (int)(rid_seq %
	    20), 'B' + (int)(rid_seq / 20 % 20), 'C');
	(void)challenge(&A, "mykey.create", NULL, NULL, &ch);
	(void)http("POST", "/v1/mykey-ids", A.token, json_pack("{s:o,s:s,s:o}",
	    "auth", proof(&ch, c.auth_cert, c.auth_key), "requested_mykey_id",
	    want, "consent", consent("jlis.validity jlis.linkage")), NULL, &r);
	ok(r.status == 201 && strcmp(jget(&r, "mykey_id"), want) == 0,
	    "requested_mykey_id honoured");
	resp_free(&r);
	(void)challenge(&A, "mykey.create", NULL, NULL, &ch);
	(void)http("POST", "/v1/mykey-ids", A.token, json_pack("{s:o,s:s,s:o}",
	    "auth", proof(&ch, d.auth_cert, d.auth_key), "requested_mykey_id",
	    want, "consent", consent("jlis.validity jlis.linkage")), NULL, &r);
	CHECK(&r, 409, "MYKEY_ID_TAKEN", "the same ID for another card: 409");
	resp_free(&r);
	/* link_on_reissue=false: the new card is a stranger */
	put_setting("link_on_reissue", 0);
	ok(admin_card_op("/admin/v1/cards:reissue", json_pack("{s:s}",
	    "person_id", c.person), &c) == 0, "re-issue with linking off");
	(void)login(&A, &c, 0, &r);
	CHECK(&r, 404, "MYKEY_ID_NOT_FOUND", "no linkage: MYKEY_ID_NOT_FOUND");
	resp_free(&r);
	put_setting("link_on_reissue", 1);
	/* link_after_expiry=false hides a renewal made after expiry */
	(void)login(&A, &d, 1, &r);
	(void)snprintf(id, sizeof(id), "%s", jget(&r, "mykey_id"));
	resp_free(&r);
	set_clock(NULL, 6LL * 366 * 86400);
	ok(renew(&d) == 0, "renewal after the old card expired");
	put_setting("link_after_expiry", 0);
	(void)login(&A, &d, 0, &r);
	CHECK(&r, 404, "MYKEY_ID_NOT_FOUND", "link_after_expiry=false: 404");
	resp_free(&r);
	put_setting("link_after_expiry", 1);
	(void)login(&A, &d, 0, &r);
	ok(r.status == 200 && strcmp(jget(&r, "mykey_id"), id) == 0,
	    "link_after_expiry=true: same ID");
	resp_free(&r);
	set_clock("real", 0);
	/* the hop cap: 11 renewals never seen -> LINKAGE_DEPTH_EXCEEDED */
	card_clear(&c);
	ok(new_person_card("試験　六郎", &c) == 0, "card for the hop cap");
	(void)login(&A, &c, 1, &r);
	resp_free(&r);
	for (i = 0; i < 11; i++) {
		if (renew(&c) != 0)
			break;
	}
	ok(i == 11, "renewed 11 times");
	(void)login(&A, &c, 0, &r);
	CHECK(&r, 422, "LINKAGE_DEPTH_EXCEEDED", "11 hops: 422");
	resp_free(&r);
	/* disclosures come in pages */
	cursor[0] = '\0';
	do {
		struct chl pc;
		char *ps, *pe, *cs, *ce, h1[8192], h2[1024];
		const char *hdrs[3] = { h1, h2, NULL };
		json_t *p;

		(void)challenge(&A, "mykey.verify", NULL, NULL, &pc);
		p = proof(&pc, d.auth_cert, d.auth_key);
		ps = json_dumps(p, JSON_COMPACT);
		json_decref(p);
		p = consent("jlis.validity jlis.linkage");
		cs = json_dumps(p, JSON_COMPACT);
		json_decref(p);
		pe = b64url(ps);
		ce = b64url(cs);
		(void)snprintf(h1, sizeof(h1), "X-MyKey-Proof: %s", pe);
		(void)snprintf(h2, sizeof(h2), "X-MyKey-Consent: %s", ce);
		free(ps);
		free(pe);
		free(cs);
		free(ce);
		(void)snprintf(path, sizeof(path), "/v1/mykey-ids/%s/disclosures"
		    "?limit=2%s%s", id, cursor[0] ? "&cursor=" : "", cursor);
		(void)http("GET", path, A.token, NULL, hdrs, &r);
		if (r.status != 200) {
			show(&r);
			resp_free(&r);
			break;
		}
		total += (int)json_array_size(json_object_get(r.j,
		    "disclosures"));
		pages++;
		(void)snprintf(cursor, sizeof(cursor), "%s", jget(&r,
		    "next_cursor"));
		resp_free(&r);
	} while (cursor[0] != '\0' && pages < 50);
	ok(pages > 1 && total > 2 && total <= 2 * pages,
	    "disclosures paged by 2 (%d in %d pages)", total, pages);
	card_clear(&c);
	card_clear(&d);
}

/* ---- durability ------------------------------------------------------ */

/*
 * Stream of writes; every acknowledged one is appended to ack (flushed
 * at once) so the script can check it after a SIGKILL of the server.
 */
static int
durability(const char *ackpath)
{
	FILE *ack = fopen(ackpath, "w");
	struct card cards[4];
	struct resp r;
	char cid[40];
	int i, n;

	if (ack == NULL)
		return 1;
	memset(cards, 0, sizeof(cards));
	for (i = 0; i < 4; i++) {
		if (new_person_card("耐久　試験", &cards[i]) != 0)
			return 1;
	}
	(void)printf("ready\n");
	(void)fflush(stdout);
	for (n = 0; n < 100000; n++) {
		struct chl ch;
		struct card *c = &cards[n % 4];
		json_t *cons;

		if (n < 4) {
			if (login(&A, c, 1, &r) != 0)
				break;
			if (r.status == 201)
				(void)fprintf(ack, "mykey %s %s\n", jget(&r,
				    "mykey_id"), c->auth_serial);
			resp_free(&r);
			(void)fflush(ack);
			continue;
		}
		if (challenge(&A, "service.link", NULL, sid, &ch) != 0)
			break;
		/* a fresh consent record per request */
		(void)snprintf(cid, sizeof(cid),
		    "%08x-0000-4000-8000-%012d", (unsigned)n, n);
		cons = json_pack("{s:s,s:s,s:s,s:s}", "consent_id", cid,
		    "purpose", "jlis.validity jlis.linkage id.link",
		    "terms_version", "mock-1", "agreed_at",
		    "2026-04-01T09:00:00+09:00");
		{
			char path[128];
			json_t *b = json_pack("{s:o,s:o,s:s}", "auth",
			    proof(&ch, c->auth_cert, c->auth_key), "consent",
			    cons, "service_user_number", cid);

			(void)snprintf(path, sizeof(path),
			    "/v1/services/%s/links", sid);
			if (http("PUT", path, A.token, b, NULL, &r) != 0)
				break;
		}
		if (r.status == 200 || r.status == 201)
			(void)fprintf(ack, "link %s %s %s\n", jget(&r, "ppid"),
			    cid, jget(&r, "service_user_number"));
		resp_free(&r);
		(void)fflush(ack);
	}
	(void)fclose(ack);
	for (i = 0; i < 4; i++)
		card_clear(&cards[i]);
	return 0;
}


/* ---- check-mock-cluster (tests/e2e/mock_cluster.sh) -------------------- */

#define RACE_ROUNDS	12

struct racer {
	const char	*inst;		/* instance base URL */
	const char	*path;
	const char	*txt;		/* request body */
	const char	*idem;		/* Idempotency-Key or NULL */
	pthread_barrier_t *go;
	struct resp	 r;
};

static void *
race_run(void *u)
{
	struct racer *x = u;
	char h[300];
	const char *hdr[2] = { h, NULL };

	tbase = x->inst;
	(void)snprintf(h, sizeof(h), "Idempotency-Key: %s", x->idem != NULL ?
	    x->idem : "");
	(void)pthread_barrier_wait(x->go);
	(void)http_ex("POST", x->path, A.token, NULL, x->txt, strlen(x->txt),
	    x->idem != NULL ? hdr : NULL, 0, &x->r);
	return NULL;
}

/* The same request sent at once to each instance; answers in x[]. */
static void
race(struct racer *x, int n, const char *path, const char *txt,
    const char *idem, char **inst)
{
	pthread_barrier_t go;
	pthread_t t[8];
	int i;

	(void)pthread_barrier_init(&go, NULL, (unsigned)n);
	for (i = 0; i < n; i++) {
		memset(&x[i], 0, sizeof(x[i]));
		x[i].inst = inst[i];
		x[i].path = path;
		x[i].txt = txt;
		x[i].idem = idem;
		x[i].go = &go;
		(void)pthread_create(&t[i], NULL, race_run, &x[i]);
	}
	for (i = 0; i < n; i++)
		(void)pthread_join(t[i], NULL);
	(void)pthread_barrier_destroy(&go);
}

/*
 * Races between instances: one challenge answered by two instances at
 * once (exactly one success, the other CHALLENGE_CONSUMED); one
 * Idempotency-Key on every instance at once (one execution; the others
 * 409 in progress or the same answer replayed; later replays from every
 * instance identical); a fault counter taken from every instance (no
 * lost update: exactly N fire).
 */
static int
cluster(int ninst, char **inst)
{
	struct racer x[8];
	struct card c;
	struct chl ch;
	struct resp r;
	json_t *body;
	char *txt, key[64], *first = NULL, path[96];
	int round, i, wins, consumed, bad, exec, same, fired, other;

	memset(&c, 0, sizeof(c));
	if (new_person_card("クラスタ　試験", &c) != 0 || login(&A, &c, 1, &r) !=
	    0 || r.status != 201) {
		(void)printf("not ok - cluster: cannot create a MyKey ID\n");
		return 1;
	}
	resp_free(&r);
	/* 1. a challenge consumed exactly once */
	wins = consumed = bad = 0;
	for (round = 0; round < RACE_ROUNDS; round++) {
		if (challenge(&A, "mykey.verify", NULL, NULL, &ch) != 0) {
			bad++;
			continue;
		}
		body = login_body(&ch, &c);
		txt = json_dumps(body, JSON_COMPACT);
		json_decref(body);
		race(x, 2, "/v1/mykey-ids:verify", txt, NULL, inst +
		    (round % ninst == ninst - 1 ? 0 : round % ninst));
		for (i = 0; i < 2; i++) {
			if (x[i].r.status == 200)
				wins++;
			else if (is(&x[i].r, 401, "CHALLENGE_CONSUMED"))
				consumed++;
			else {
				bad++;
				show(&x[i].r);
			}
			resp_free(&x[i].r);
		}
		free(txt);
	}
	ok(wins == RACE_ROUNDS && consumed == RACE_ROUNDS && bad == 0,
	    "one challenge, two instances at once, %d rounds: %d successes, "
	    "%d CHALLENGE_CONSUMED, %d other", RACE_ROUNDS, wins, consumed,
	    bad);
	/* 2. one Idempotency-Key on every instance at once */
	exec = bad = same = 0;
	for (round = 0; round < RACE_ROUNDS; round++) {
		int done = 0;

		if (challenge(&A, "mykey.verify", NULL, NULL, &ch) != 0) {
			bad++;
			continue;
		}
		(void)snprintf(key, sizeof(key),
		    "c1a5e7e0-0000-4000-8000-%012d", round);
		body = login_body(&ch, &c);
		txt = json_dumps(body, JSON_COMPACT);
		json_decref(body);
		race(x, ninst, "/v1/mykey-ids:verify", txt, key, inst);
		free(first);
		first = NULL;
		for (i = 0; i < ninst; i++) {
			if (x[i].r.status == 200 && strcmp(x[i].r.replayed,
			    "true") != 0) {
				exec++;
				done++;
				first = x[i].r.body != NULL ?
				    strdup(x[i].r.body) : NULL;
			} else if (!(x[i].r.status == 200 ||
			    is(&x[i].r, 409, "IDEMPOTENCY_IN_PROGRESS"))) {
				bad++;
				show(&x[i].r);
			}
		}
		/* replayed answers from the race itself are identical */
		for (i = 0; i < ninst; i++) {
			if (x[i].r.status == 200 && first != NULL &&
			    strcmp(x[i].r.body, first) != 0)
				bad++;
			resp_free(&x[i].r);
		}
		if (done != 1)
			bad++;
		/* afterwards every instance replays the same answer */
		for (i = 0; i < ninst && first != NULL; i++) {
			char h[300];
			const char *hdr[2] = { h, NULL };

			tbase = inst[i];
			(void)snprintf(h, sizeof(h), "Idempotency-Key: %s",
			    key);
			(void)http_ex("POST", "/v1/mykey-ids:verify", A.token,
			    NULL, txt, strlen(txt), hdr, 0, &r);
			tbase = NULL;
			if (r.status == 200 && strcmp(r.replayed, "true") ==
			    0 && r.body != NULL && strcmp(r.body, first) == 0)
				same++;
			else
				show(&r);
			resp_free(&r);
		}
		free(txt);
	}
	free(first);
	ok(exec == RACE_ROUNDS && bad == 0 && same == RACE_ROUNDS * ninst,
	    "one Idempotency-Key on %d instances at once, %d rounds: %d "
	    "executions, %d identical replays after, %d wrong", ninst,
	    RACE_ROUNDS, exec, same, bad);
	/* 3. a counter taken from every instance: exactly N fire */
	add_fault("/v1/cluster-probe/*", 502, 0, 0, 10, 0);
	fired = other = 0;
	for (round = 0; round < 6; round++) {
		(void)snprintf(path, sizeof(path), "/v1/cluster-probe/%d",
		    round);
		race(x, ninst, path, "{}", NULL, inst);
		for (i = 0; i < ninst; i++) {
			if (x[i].r.status == 502)
				fired++;
			else if (x[i].r.status != 404)
				other++;
			resp_free(&x[i].r);
		}
	}
	ok(fired == 10 && other == 0, "fault with count 10 hit by %d "
	    "requests over %d instances: fired %d times (no lost update)",
	    6 * ninst, ninst, fired);
	card_clear(&c);
	return nfail == 0 ? 0 : 1;
}

/*
 * A stream of writes through the balancer for a number of seconds,
 * going on over errors (an instance killed, PostgreSQL restarted).
 * Acknowledged writes go to ackpath; the answers are counted by kind.
 */
static int
stream(const char *ackpath, int seconds)
{
	FILE *ack = fopen(ackpath, "w");
	struct card cards[2];
	struct resp r;
	char cid[64], path[128];
	time_t end;
	long n, acked = 0, terr = 0, s503 = 0, s503ra = 0, other = 0;
	int i;

	if (ack == NULL)
		return 1;
	memset(cards, 0, sizeof(cards));
	for (i = 0; i < 2; i++) {
		if (new_person_card("流れ　試験", &cards[i]) != 0 ||
		    login(&A, &cards[i], 1, &r) != 0 || r.status != 201)
			return 1;
		resp_free(&r);
	}
	(void)printf("ready\n");
	(void)fflush(stdout);
	end = time(NULL) + seconds;
	for (n = 0; time(NULL) < end; n++) {
		struct chl ch;
		struct card *c = &cards[n % 2];
		json_t *cons, *b;

		memset(&ch, 0, sizeof(ch));
		if (challenge(&A, "service.link", NULL, sid, &ch) != 0) {
			if (chl_status == 503) {
				s503++;
				if (chl_retry_after[0] != '\0')
					s503ra++;
			} else if (chl_status == 0) {
				terr++;
			} else {
				other++;
			}
			(void)usleep(100000);
			continue;
		}
		(void)snprintf(cid, sizeof(cid), "%08lx-0000-4000-8000-%012ld",
		    (unsigned long)n, n);
		cons = json_pack("{s:s,s:s,s:s,s:s}", "consent_id", cid,
		    "purpose", "jlis.validity jlis.linkage id.link",
		    "terms_version", "mock-1", "agreed_at",
		    "2026-04-01T09:00:00+09:00");
		b = json_pack("{s:o,s:o,s:s}", "auth", proof(&ch, c->auth_cert,
		    c->auth_key), "consent", cons, "service_user_number", cid);
		(void)snprintf(path, sizeof(path), "/v1/services/%s/links",
		    sid);
		if (http("PUT", path, A.token, b, NULL, &r) != 0) {
			terr++;
		} else if (r.status == 200 || r.status == 201) {
			acked++;
			(void)fprintf(ack, "link %s %s %s\n", jget(&r, "ppid"),
			    cid, jget(&r, "service_user_number"));
			(void)fflush(ack);
		} else if (r.status == 503) {
			s503++;
			if (r.retry_after[0] != '\0')
				s503ra++;
			(void)usleep(100000);
		} else {
			other++;
			show(&r);
		}
		resp_free(&r);
	}
	(void)fclose(ack);
	(void)printf("stream %ld %ld %ld %ld %ld\n", acked, terr, s503, s503ra,
	    other);
	for (i = 0; i < 2; i++)
		card_clear(&cards[i]);
	return 0;
}

/* One count(*) from the server's database (SQLite or PostgreSQL). */
static long long
count_sql(const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	long long n = -1;
	char v[32];

	if (is_pg())
		return pg_scalar(sql, v, sizeof(v)) == 0 ? strtoll(v, NULL,
		    10) : -1;
	if (sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL) ==
	    SQLITE_OK && sqlite3_prepare_v2(db, sql, -1, &st, NULL) ==
	    SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static long long
clock_unix(void)
{
	struct resp r;
	long long t = -1;

	if (http("GET", "/admin/v1/clock", NULL, NULL, NULL, &r) == 0 &&
	    r.status == 200)
		t = (long long)json_integer_value(json_object_get(r.j,
		    "unix"));
	resp_free(&r);
	return t;
}

static long long
purge_now(const char *table)
{
	struct resp r;
	long long n = -1;

	if (http("POST", "/admin/v1/purge", NULL, json_object(), NULL, &r) ==
	    0 && r.status == 200)
		n = (long long)json_integer_value(json_object_get(
		    json_object_get(r.j, "deleted"), table));
	resp_free(&r);
	return n;
}

/*
 * Issue 11: retention.  With the mock clock moved past each period, the
 * rows older than it go and the newer ones stay (docs "Retention").
 */
static void
retention(void)
{
	struct chl old, fresh;
	struct resp r;
	char sql[256];
	long long t, cut, n;

	(void)printf("# issue 11: retention purge\n");
	set_clock("real", 0);
	ok(challenge(&A, "mykey.create", NULL, NULL, &old) == 0,
	    "a challenge at real time");
	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM challenges "
	    "WHERE challenge_id = '%s'", old.id);
	ok(count_sql(sql) == 1, "it is stored");
	/* expired at +300 s; at +2 h it is past the 1 h retention */
	set_clock(NULL, 7200);
	ok(challenge(&A, "mykey.create", NULL, NULL, &fresh) == 0,
	    "a challenge at +2 h");
	n = purge_now("challenges");
	ok(n >= 0, "POST /admin/v1/purge answers (%lld challenges)", n);
	ok(count_sql(sql) == 0, "challenge expired > 1 h ago purged");
	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM challenges "
	    "WHERE challenge_id = '%s'", fresh.id);
	ok(count_sql(sql) == 1, "the fresh challenge stays");

	/* logs: 90 days */
	set_clock("real", 0);
	t = clock_unix();
	cut = t + 91LL * 86400 - 90LL * 86400;
	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM "
	    "jlis_query_log WHERE ts < %lld", cut);
	ok(count_sql(sql) > 0, "J-LIS query log rows older than the cut-off "
	    "exist");
	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit_log "
	    "WHERE ts < %lld", cut);
	ok(count_sql(sql) > 0, "audit_log rows older than the cut-off exist");
	set_clock(NULL, 91LL * 86400);
	(void)http("POST", "/jlis/v1/status", NULL, json_pack("{s:s,s:s,s:o}",
	    "cert_type", "auth", "issuance_number", c1.auth_serial, "consent",
	    consent("jlis.validity")), NULL, &r);
	ok(r.status == 200, "a J-LIS query at +91 days (%ld)", r.status);
	resp_free(&r);
	t = clock_unix();
	cut = t - 90LL * 86400;
	(void)purge_now("audit_log");
	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM "
	    "jlis_query_log WHERE ts < %lld", cut);
	ok(count_sql(sql) == 0, "J-LIS query log older than 90 days purged");
	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit_log "
	    "WHERE ts < %lld", cut);
	ok(count_sql(sql) == 0, "audit_log older than 90 days purged");
	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM "
	    "jlis_query_log WHERE ts >= %lld", t - 60);
	ok(count_sql(sql) >= 1, "the new J-LIS query log row stays");
	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM disclosures "
	    "WHERE disclosed_at < %lld", cut);
	ok(count_sql(sql) > 0, "disclosures (kept 3 years) still there");

	/* disclosures: 1095 days */
	set_clock("real", 0);
	set_clock(NULL, 1096LL * 86400);
	t = clock_unix();
	cut = t - 1095LL * 86400;
	(void)purge_now("disclosures");
	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM disclosures "
	    "WHERE disclosed_at < %lld", cut);
	ok(count_sql(sql) == 0, "disclosures older than 1095 days purged");
	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM disclosures "
	    "WHERE disclosed_at >= %lld", cut);
	ok(count_sql(sql) > 0, "disclosures within 1095 days stay");
	set_clock("real", 0);
}

/* Issue 11: birth_date as YYYYMMDD or YYYY-MM-DD, one stored form. */
static void
birth_dates(void)
{
	static const char *bad[] = { "19900230", "1990-02-30", "2023-02-29",
	    "1990-2-03", "1990/02/03", "1990-13-01", "0999-01-01", "1990-02-3a",
	    "19900203 ", "" };
	struct resp r;
	struct card c;
	char path[600], line[256], pid[48];
	FILE *f;
	int found;
	size_t i;

	(void)printf("# issue 11: birth_date forms\n");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		(void)http("POST", "/admin/v1/persons", NULL, json_pack("{s:s,"
		    "s:s,s:s,s:s}", "name", "Shiken Hanako", "birth_date",
		    bad[i], "sex", "2", "address", "Tokyo (synthetic)"), NULL,
		    &r);
		ok(r.status == 400, "birth_date \"%s\" -> 400 (got %ld)",
		    bad[i], r.status);
		resp_free(&r);
	}
	(void)http("POST", "/admin/v1/persons", NULL, json_pack("{s:s,s:s,"
	    "s:s,s:s}", "name", "Shiken Hanako", "birth_date", "2024-02-29",
	    "sex", "2", "address", "Tokyo (synthetic)"), NULL, &r);
	ok(r.status == 201, "birth_date 2024-02-29 (leap day) -> 201 (got "
	    "%ld)", r.status);
	(void)snprintf(pid, sizeof(pid), "%s", jget(&r, "person_id"));
	resp_free(&r);
	memset(&c, 0, sizeof(c));
	(void)http("POST", "/admin/v1/cards", NULL, json_pack("{s:s}",
	    "person_id", pid), NULL, &r);
	found = 0;
	if (r.status == 201 && card_from(&r, &c, pid) == 0) {
		(void)snprintf(path, sizeof(path), "%s/profile.conf",
		    c.profile_dir);
		if ((f = fopen(path, "r")) != NULL) {
			while (fgets(line, sizeof(line), f) != NULL)
				if (strcmp(line, "birth = 20240229\n") == 0)
					found = 1;
			(void)fclose(f);
		}
	}
	resp_free(&r);
	card_clear(&c);
	ok(found, "YYYY-MM-DD stored as YYYYMMDD (card profile birth = "
	    "20240229)");
	(void)http("POST", "/admin/v1/persons", NULL, json_pack("{s:s,s:s,"
	    "s:s,s:s}", "name", "Shiken Hanako", "birth_date", "20000229",
	    "sex", "2", "address", "Tokyo (synthetic)"), NULL, &r);
	ok(r.status == 201, "birth_date 20000229 -> 201 (got %ld)", r.status);
	resp_free(&r);
}

/* Issue 11: numbers from JSON are range-checked, never cast blindly. */
static void
json_ranges(void)
{
	struct resp r;
	json_int_t off;

	(void)printf("# issue 11: JSON integer ranges\n");
	set_clock("real", 0);
	(void)http("PUT", "/admin/v1/clock", NULL, json_pack("{s:I}",
	    "advance_s", (json_int_t)9000000000000000000LL), NULL, &r);
	ok(r.status == 400, "clock advance_s 9e18 -> 400 (got %ld)", r.status);
	resp_free(&r);
	(void)http("PUT", "/admin/v1/clock", NULL, json_pack("{s:I}",
	    "advance_s", (json_int_t)-9000000000000000000LL), NULL, &r);
	ok(r.status == 400, "clock advance_s -9e18 -> 400 (got %ld)",
	    r.status);
	resp_free(&r);
	(void)http("PUT", "/admin/v1/clock", NULL, json_pack("{s:f}",
	    "advance_s", 1.5), NULL, &r);
	ok(r.status == 400, "clock advance_s 1.5 -> 400 (got %ld)", r.status);
	resp_free(&r);
	(void)http("PUT", "/admin/v1/clock", NULL, json_pack("{s:s}",
	    "now", "9999-12-31T23:59:59Z"), NULL, &r);
	ok(r.status == 400, "clock now year 9999 -> 400 (got %ld)", r.status);
	resp_free(&r);
	(void)http("GET", "/admin/v1/clock", NULL, NULL, NULL, &r);
	off = r.j != NULL ? json_integer_value(json_object_get(r.j,
	    "offset_s")) : -1;
	ok(r.status == 200 && off == 0, "clock untouched by the refusals "
	    "(offset %lld)", (long long)off);
	resp_free(&r);
	/* two steps of 900 years each: the second would leave the span */
	(void)http("PUT", "/admin/v1/clock", NULL, json_pack("{s:I}",
	    "advance_s", (json_int_t)900 * 366 * 86400), NULL, &r);
	ok(r.status == 200, "clock advance 900 years -> 200 (got %ld)",
	    r.status);
	resp_free(&r);
	(void)http("PUT", "/admin/v1/clock", NULL, json_pack("{s:I}",
	    "advance_s", (json_int_t)900 * 366 * 86400), NULL, &r);
	ok(r.status == 400, "clock past 1000 years -> 400 (got %ld)",
	    r.status);
	resp_free(&r);
	set_clock("real", 0);
	(void)http("PUT", "/admin/v1/clock", NULL, json_pack("{s:I}",
	    "advance_s", (json_int_t)60), NULL, &r);
	off = r.j != NULL ? json_integer_value(json_object_get(r.j,
	    "offset_s")) : -1;
	ok(r.status == 200 && off >= 60 && off <= 61,
	    "clock advance_s 60 still works (offset %lld)", (long long)off);
	resp_free(&r);
	set_clock("real", 0);

	/* 2^32 + 1 would have become count 1; 2^32 + 500 status 500 */
	(void)http("PUT", "/admin/v1/faults", NULL, json_pack("{s:s,s:i,s:I}",
	    "path_glob", "/v1/nowhere", "status", 500, "count",
	    (json_int_t)4294967297LL), NULL, &r);
	ok(r.status == 400, "fault count 2^32+1 -> 400 (got %ld)", r.status);
	resp_free(&r);
	(void)http("PUT", "/admin/v1/faults", NULL, json_pack("{s:s,s:I}",
	    "path_glob", "/v1/nowhere", "status", (json_int_t)4294967796LL),
	    NULL, &r);
	ok(r.status == 400, "fault status 2^32+500 -> 400 (got %ld)",
	    r.status);
	resp_free(&r);
	(void)http("PUT", "/admin/v1/faults", NULL, json_pack("{s:s,s:i,s:s}",
	    "path_glob", "/v1/nowhere", "status", 500, "delay_ms", "10"),
	    NULL, &r);
	ok(r.status == 400, "fault delay_ms as a string -> 400 (got %ld)",
	    r.status);
	resp_free(&r);
	(void)http("DELETE", "/admin/v1/faults", NULL, NULL, NULL, &r);
	resp_free(&r);
}

int
main(int argc, char **argv)
{
	struct resp r;
	int rc;

	if (argc < 4) {
		(void)fprintf(stderr, "usage: mock_api BASE DB scenarios|"
		    "durability ACK|cluster INSTANCE...|stream ACK SECONDS\n");
		return 2;
	}
	base = argv[1];
	dbpath = argv[2];
	(void)curl_global_init(CURL_GLOBAL_DEFAULT);
	if (new_client(&A, "municipality", "mykey services issuance:read") !=
	    0 || new_client(&B, "business", "mykey services") != 0) {
		(void)fprintf(stderr, "mock_api: cannot set up clients\n");
		return 1;
	}
	if ((strcmp(argv[3], "cluster") == 0 && argc >= 6 && argc <= 12) ||
	    (strcmp(argv[3], "stream") == 0 && argc == 6)) {
		(void)snprintf(rid_prefix, sizeof(rid_prefix), "%s", argv[3]);
		(void)http("POST", "/v1/services", A.token, json_pack("{s:s,"
		    "s:s}", "name", "Cluster", "kind", "other"), NULL, &r);
		(void)snprintf(sid, sizeof(sid), "%s", jget(&r, "service_id"));
		resp_free(&r);
		rc = argv[3][0] == 'c' ? cluster(argc - 4, argv + 4) :
		    stream(argv[4], atoi(argv[5]));
		curl_global_cleanup();
		return rc;
	}
	if (strcmp(argv[3], "durability") == 0 && argc == 5) {
		(void)http("POST", "/v1/services", A.token, json_pack("{s:s,"
		    "s:s}", "name", "Durability", "kind", "other"), NULL, &r);
		(void)snprintf(sid, sizeof(sid), "%s", jget(&r, "service_id"));
		resp_free(&r);
		rc = durability(argv[4]);
		curl_global_cleanup();
		return rc;
	}
	s1_happy();
	s2_renewals();
	s3_move();
	s4_lost();
	s5_expiry();
	s6_idempotency();
	s7_faults();
	s8_challenges();
	s9_consent();
	bad_input();
	extras();
	more();
	json_ranges();
	birth_dates();
	retention();
	card_clear(&c1);
	curl_global_cleanup();
	(void)printf("1..%d\n# %d failed\n", ntest, nfail);
	return nfail == 0 ? 0 : 1;
}
