/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * HTTP front end on libmicrohttpd: body cap, routing, client
 * authentication, idempotency (api §5.1), fault injection (api §5.5),
 * RFC 9457 problems, X-Request-Id and the request log.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "mock.h"

enum {
	R_AUTH = 1,	/* Bearer token required */
	R_IDEM = 2,	/* Idempotency-Key honoured */
	R_LOCAL = 4	/* loopback peers only */
};

struct route {
	const char	*method;
	const char	*pattern;	/* "*" = one segment, "*:x" = suffix */
	int		 flags;
	int		(*fn)(struct mm_req *);
};

static const struct route routes[] = {
	{ "POST", "/v1/token", 0, h_token },
	{ "POST", "/v1/challenges", R_AUTH, h_challenges },
	{ "POST", "/v1/mykey-ids", R_AUTH | R_IDEM, h_mykey_create },
	{ "POST", "/v1/mykey-ids:verify", R_AUTH | R_IDEM, h_mykey_verify },
	{ "GET", "/v1/mykey-ids/*", R_AUTH, h_mykey_get },
	{ "PATCH", "/v1/mykey-ids/*", R_AUTH | R_IDEM, h_mykey_patch },
	{ "DELETE", "/v1/mykey-ids/*", R_AUTH | R_IDEM, h_mykey_delete },
	{ "GET", "/v1/mykey-ids/*/history", R_AUTH, h_mykey_history },
	{ "GET", "/v1/mykey-ids/*/disclosures", R_AUTH, h_mykey_disclosures },
	{ "PUT", "/v1/mykey-ids/*/certificates/sign", R_AUTH | R_IDEM,
	    h_mykey_sign },
	{ "POST", "/v1/mykey-ids/*/issuance-numbers:push", R_AUTH | R_IDEM,
	    h_mykey_push },
	{ "POST", "/v1/mykey-ids/*:check", R_AUTH | R_IDEM, h_mykey_check },
	{ "POST", "/v1/services", R_AUTH | R_IDEM, h_services_create },
	{ "PUT", "/v1/services/*/links", R_AUTH | R_IDEM, h_links_put },
	{ "GET", "/v1/services/*/links/*", R_AUTH, h_links_get },
	{ "DELETE", "/v1/services/*/links/*", R_AUTH | R_IDEM,
	    h_links_delete },
	{ "GET", "/login", 0, h_login },
};

/* Handlers see headers and arguments through the transport's lookup. */
const char *
req_header(struct mm_req *r, const char *name)
{
	return r->lookup != NULL ? r->lookup(r, 0, name) : NULL;
}

const char *
req_arg(struct mm_req *r, const char *name)
{
	return r->lookup != NULL ? r->lookup(r, 1, name) : NULL;
}

static const char *
mhd_lookup(struct mm_req *r, int kind, const char *name)
{
	return MHD_lookup_connection_value(r->conn, kind == 0 ?
	    MHD_HEADER_KIND : MHD_GET_ARGUMENT_KIND, name);
}

int
req_problem(struct mm_req *r, unsigned int status, const char *code,
    const char *detail)
{
	static const struct {
		unsigned int	 status;
		const char	*title;
	} titles[] = {
		{ 400, "Bad Request" }, { 401, "Unauthorized" },
		{ 403, "Forbidden" }, { 404, "Not Found" },
		{ 405, "Method Not Allowed" }, { 409, "Conflict" },
		{ 410, "Gone" }, { 413, "Content Too Large" },
		{ 415, "Unsupported Media Type" },
		{ 422, "Unprocessable Content" }, { 429, "Too Many Requests" },
		{ 500, "Internal Server Error" }, { 502, "Bad Gateway" },
		{ 503, "Service Unavailable" },
	};
	const char *title = "Error";
	char type[96];
	size_t i;

	for (i = 0; i < sizeof(titles) / sizeof(titles[0]); i++) {
		if (titles[i].status == status)
			title = titles[i].title;
	}
	json_decref(r->resp);
	(void)snprintf(type, sizeof(type), "urn:mykey-mock:problem:%s", code);
	r->resp = json_pack("{s:s,s:s,s:i,s:s,s:s}", "type", type, "title",
	    title, "status", (int)status, "code", code, "request_id",
	    r->request_id);
	if (r->resp != NULL && detail != NULL)
		(void)json_object_set_new(r->resp, "detail",
		    json_string(detail));
	r->status = status;
	(void)snprintf(r->code, sizeof(r->code), "%s", code);
	return -1;
}

int
req_ok(struct mm_req *r, unsigned int status, json_t *body)
{
	json_decref(r->resp);
	r->resp = body;
	r->status = status;
	r->code[0] = '\0';
	if (body == NULL)
		return req_problem(r, 500, "INTERNAL", "out of memory");
	return 0;
}

/* Scopes are a space-separated list. */
int
req_scope(struct mm_req *r, const char *scope)
{
	const char *p = r->scopes;
	size_t n = strlen(scope);

	while ((p = strstr(p, scope)) != NULL) {
		if ((p == r->scopes || p[-1] == ' ') && (p[n] == '\0' ||
		    p[n] == ' '))
			return 1;
		p += n;
	}
	return 0;
}

/*
 * Fault rules (api §5.5): take one matching rule atomically.  Runs in its
 * own autocommit statement, before any request transaction, so a rolled
 * back request still uses up its fault.
 */
int
fault_take(struct mm_db *db, const char *path, int *status, int *delay_ms,
    int *drop, int *retry_after)
{
	struct mm_st *st;
	long long id = -1;
	char glob[256];
	int fired = 0;

	*status = 0;
	*delay_ms = *drop = *retry_after = 0;
	st = db_q(db, "SELECT id, path_glob FROM faults WHERE remaining > 0 "
	    "ORDER BY id", NULL);
	while (st != NULL && db_row(st) == 1) {
		db_col(st, 1, glob, sizeof(glob));
		if (fnmatch(glob, path, 0) == 0) {
			id = db_int(st, 0);
			break;
		}
	}
	db_end(st);
	if (id < 0)
		return 0;
	st = db_q(db, "UPDATE faults SET remaining = remaining - 1 WHERE id=? "
	    "AND remaining > 0 RETURNING status, delay_ms, drop_conn, "
	    "retry_after", "i", id);
	if (st != NULL && db_row(st) == 1) {
		*status = (int)db_int(st, 0);
		*delay_ms = (int)db_int(st, 1);
		*drop = (int)db_int(st, 2);
		*retry_after = (int)db_int(st, 3);
		fired = 1;
	}
	db_end(st);
	return fired;
}

static int
match(const char *pattern, const char *path, struct mm_req *r)
{
	const char *p = pattern, *s = path, *pe, *se, *suf;
	size_t pl, sl, suflen;
	int np = 0;

	for (;;) {
		if (*p != *s && !(*p == '*'))
			return 0;
		if (*p == '\0')
			return *s == '\0';
		if (*p != '*') {
			pe = p + strcspn(p, "/");
			se = s + strcspn(s, "/");
			pl = (size_t)(pe - p);
			sl = (size_t)(se - s);
			if (pl != sl || memcmp(p, s, pl) != 0)
				return 0;
			p = pe;
			s = se;
		} else {
			pe = p + strcspn(p, "/");
			se = s + strcspn(s, "/");
			suf = p + 1;
			suflen = (size_t)(pe - suf);
			sl = (size_t)(se - s);
			if (sl <= suflen || np >= 3 || sl - suflen >=
			    sizeof(r->parambuf[0]))
				return 0;
			if (memcmp(se - suflen, suf, suflen) != 0)
				return 0;
			/* a plain segment never contains ':' */
			if (memchr(s, ':', sl - suflen) != NULL)
				return 0;
			memcpy(r->parambuf[np], s, sl - suflen);
			r->parambuf[np][sl - suflen] = '\0';
			r->param[np] = r->parambuf[np];
			np++;
			p = pe;
			s = se;
		}
		if (*p == '\0' || *s == '\0')
			return *p == *s;
		if (*p != '/' || *s != '/')
			return 0;
		p++;
		s++;
	}
}

static int
client_auth(struct mm_req *r)
{
	const char *h = req_header(r, "Authorization");
	char hash[65];
	struct mm_st *st;
	int rc = -1;

	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0 || strlen(h + 7) >
	    200)
		return req_problem(r, 401, "CLIENT_AUTH_FAILED",
		    "a Bearer token is required");
	mm_sha256_hex(h + 7, strlen(h + 7), hash);
	st = db_q(r->db, "SELECT c.client_id, c.scopes FROM access_tokens t "
	    "JOIN clients c USING(client_id) WHERE t.token_hash=? AND "
	    "t.expires_at > ?", "si", hash, (long long)time(NULL));
	if (st != NULL && db_row(st) == 1) {
		db_col(st, 0, r->client_id, sizeof(r->client_id));
		db_col(st, 1, r->scopes, sizeof(r->scopes));
		rc = 0;
	}
	db_end(st);
	if (rc != 0)
		return req_problem(r, 401, "CLIENT_AUTH_FAILED",
		    "unknown or expired token");
	return 0;
}

/*
 * Token bucket per client (rate_limit requests/s, burst of one second).
 * The least recently used slot is reused for a new client.
 */
static int
rate_check(struct mm_req *r)
{
	struct mm_server *s = r->srv;
	double rate = s->cfg.rate_limit, now, wait = 0;
	struct timespec ts;
	size_t i, slot = 0;
	int found = 0;

	if (s->cfg.rate_limit <= 0)
		return 0;
	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	(void)pthread_mutex_lock(&s->rl_mu);
	for (i = 0; i < MM_RL_SLOTS; i++) {
		if (strcmp(s->rl[i].client, r->client_id) == 0) {
			slot = i;
			found = 1;
			break;
		}
		if (s->rl[i].last < s->rl[slot].last)
			slot = i;
	}
	if (!found) {
		(void)snprintf(s->rl[slot].client, sizeof(s->rl[slot].client),
		    "%s", r->client_id);
		s->rl[slot].tokens = rate;
		s->rl[slot].last = now;
	}
	s->rl[slot].tokens += (now - s->rl[slot].last) * rate;
	if (s->rl[slot].tokens > rate)
		s->rl[slot].tokens = rate;
	s->rl[slot].last = now;
	if (s->rl[slot].tokens >= 1.0)
		s->rl[slot].tokens -= 1.0;
	else
		wait = (1.0 - s->rl[slot].tokens) / rate;
	(void)pthread_mutex_unlock(&s->rl_mu);
	if (wait <= 0)
		return 0;
	(void)snprintf(r->retry_after, sizeof(r->retry_after), "%d",
	    (int)wait + 1);
	return req_problem(r, 429, "RATE_LIMITED", NULL);
}

/* ---- idempotency (api §5.1) ------------------------------------------- */

enum { IDEM_NONE, IDEM_RUN, IDEM_DONE };

static int
idem_begin(struct mm_req *r, const char *key, char *reqhash)
{
	EVP_MD_CTX *md = NULL;
	unsigned char d[32];
	unsigned int dl = 0;
	struct mm_st *st;
	char state[16], stored[65], *body = NULL;
	long long created = 0, now = (long long)time(NULL);
	int status = 0, found = 0, ret = -1;

	if (strlen(key) < 1 || strlen(key) > 255)
		return req_problem(r, 400, "INVALID_REQUEST",
		    "Idempotency-Key must be 1-255 characters");
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(md, r->method, strlen(r->method) + 1) != 1 ||
	    EVP_DigestUpdate(md, r->path, strlen(r->path) + 1) != 1 ||
	    EVP_DigestUpdate(md, r->body != NULL ? r->body : "",
	    r->body_len) != 1 || EVP_DigestFinal_ex(md, d, &dl) != 1) {
		EVP_MD_CTX_free(md);
		return req_problem(r, 500, "INTERNAL", NULL);
	}
	EVP_MD_CTX_free(md);
	mm_hex(d, 32, reqhash);
	if (db_begin(r->db) != 0)
		return req_problem(r, 500, "INTERNAL", NULL);
	st = db_q(r->db, "SELECT request_sha256, state, status_code, "
	    "response_body, created_at FROM idempotency WHERE client_id=? "
	    "AND idem_key=?", "ss", r->client_id, key);
	if (st != NULL && db_row(st) == 1) {
		found = 1;
		db_col(st, 0, stored, sizeof(stored));
		db_col(st, 1, state, sizeof(state));
		status = (int)db_int(st, 2);
		if (db_text(st, 3) != NULL)
			body = strdup(db_text(st, 3));
		created = db_int(st, 4);
	}
	db_end(st);
	/* expired keys and abandoned in-flight rows (crash) are forgotten */
	if (found && (created + MM_IDEM_TTL < now || (strcmp(state,
	    "in_flight") == 0 && created + 60 < now))) {
		found = 0;
		if (db_exec(r->db, "DELETE FROM idempotency WHERE client_id=? "
		    "AND idem_key=?", "ss", r->client_id, key) != 0)
			goto fail;
	}
	if (found && strcmp(stored, reqhash) != 0) {
		db_rollback(r->db);
		ret = req_problem(r, 422, "IDEMPOTENCY_KEY_REUSED",
		    "the key was used with a different request");
		goto out;
	}
	if (found && strcmp(state, "in_flight") == 0) {
		db_rollback(r->db);
		(void)snprintf(r->retry_after, sizeof(r->retry_after), "1");
		ret = req_problem(r, 409, "IDEMPOTENCY_IN_PROGRESS", NULL);
		goto out;
	}
	if (found) {
		db_rollback(r->db);
		json_decref(r->resp);
		r->resp = body != NULL ? json_loads(body, 0, NULL) : NULL;
		r->status = (unsigned int)status;
		r->replayed = 1;
		if (r->resp == NULL)
			ret = req_problem(r, 500, "INTERNAL", NULL);
		else
			ret = IDEM_DONE;
		goto out;
	}
	if (db_exec(r->db, "INSERT INTO idempotency(client_id, idem_key, "
	    "request_sha256, state, created_at) VALUES(?,?,?,'in_flight',?)",
	    "sssi", r->client_id, key, reqhash, now) != 0 ||
	    db_commit(r->db) != 0)
		goto fail;
	ret = IDEM_RUN;
	goto out;
fail:
	db_rollback(r->db);
	ret = req_problem(r, 500, "INTERNAL", NULL);
out:
	free(body);
	return ret;
}

/* Store final answers; forget retryable ones so a retry runs again. */
static void
idem_finish(struct mm_req *r, const char *key)
{
	char *body = NULL;

	if (r->status >= 500 || r->status == 429 || r->resp == NULL) {
		(void)db_exec(r->db, "DELETE FROM idempotency WHERE "
		    "client_id=? AND idem_key=?", "ss", r->client_id, key);
		return;
	}
	body = json_dumps(r->resp, JSON_COMPACT);
	(void)db_exec(r->db, "UPDATE idempotency SET state='done', "
	    "status_code=?, response_body=? WHERE client_id=? AND idem_key=?",
	    "isss", (long long)r->status, body, r->client_id, key);
	free(body);
}

/* ---- dispatch --------------------------------------------------------- */

static int
is_loopback(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci;
	const struct sockaddr *sa;
	const struct sockaddr_in6 *s6;

	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || (sa = ci->client_addr) == NULL)
		return 0;
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)(const void *)sa)->
		    sin_addr.s_addr) >> 24) == 127;
	if (sa->sa_family == AF_INET6) {
		s6 = (const struct sockaddr_in6 *)(const void *)sa;
		return IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr) ||
		    (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr) &&
		    s6->sin6_addr.s6_addr[12] == 127);
	}
	return 0;
}

/*
 * A JSON body must say so (415 otherwise) and stay within the nesting
 * cap (400): the parser is never handed 100,000 brackets.
 */
static int
body_check(struct mm_req *r)
{
	if (r->body_len == 0)
		return 0;
	if (!req_is_json_type(req_header(r, "Content-Type")))
		return req_problem(r, 415, "UNSUPPORTED_MEDIA_TYPE",
		    "the body must be application/json");
	if (!req_json_depth_ok(r->body, r->body_len, r->srv->cfg.json_depth))
		return req_problem(r, 400, "INVALID_REQUEST",
		    "JSON nested too deeply");
	return 0;
}

/* Forget a response before the request runs again (store.h retry). */
static void
req_reset(struct mm_req *r)
{
	json_decref(r->resp);
	r->resp = NULL;
	free(r->raw);
	r->raw = NULL;
	r->raw_len = 0;
	r->raw_type = NULL;
	r->status = 500;
	r->code[0] = r->retry_after[0] = '\0';
	r->replayed = r->drop = r->commit_on_error = 0;
	r->consent_id[0] = r->consent_purpose[0] = r->consent_terms[0] = '\0';
	r->consent_at = 0;
}

static void
dispatch(struct mm_req *r)
{
	const struct route *rt = NULL;
	const char *key;
	char reqhash[65];
	int fstatus, fdelay, fdrop, fretry, allowed = 0, idem, attempt;
	size_t i;

	/* faults on this path (api §5.5) */
	if (fault_take(r->db, r->path, &fstatus, &fdelay, &fdrop, &fretry)) {
		if (fdelay > 0)
			(void)usleep((useconds_t)fdelay * 1000u);
		if (fdrop) {
			r->drop = 1;
			return;
		}
		if (fstatus > 0) {
			if (fretry > 0 || fstatus == 503 || fstatus == 429)
				(void)snprintf(r->retry_after,
				    sizeof(r->retry_after), "%d",
				    fretry > 0 ? fretry : 1);
			(void)req_problem(r, (unsigned int)fstatus,
			    fstatus == 502 ? "JLIS_UNAVAILABLE" :
			    fstatus == 503 ? "MAINTENANCE" :
			    fstatus == 429 ? "RATE_LIMITED" : "INTERNAL",
			    "injected fault");
			return;
		}
	}
	/*
	 * The admin API and the J-LIS queries answer on the admin listener
	 * only, with its Bearer token; OCSP and the CRLs stay public on the
	 * main listener, as a real responder's are.
	 */
	if (r->admin || strncmp(r->path, "/admin/v1/", 10) == 0 ||
	    (strncmp(r->path, "/jlis/v1/", 9) == 0 &&
	    strcmp(r->path, "/jlis/v1/ocsp") != 0 &&
	    strncmp(r->path, "/jlis/v1/crl/", 13) != 0)) {
		if (!r->admin || (strncmp(r->path, "/admin/v1/", 10) != 0 &&
		    strncmp(r->path, "/jlis/v1/", 9) != 0)) {
			(void)req_problem(r, 404, "NOT_FOUND", r->admin ?
			    "the admin listener serves /admin/v1 and /jlis/v1" :
			    "served on the admin listener");
			return;
		}
		if (!admin_token_ok(r->srv, req_header(r, "Authorization"))) {
			(void)req_problem(r, 401, "CLIENT_AUTH_FAILED",
			    "the admin token is required (Bearer)");
			return;
		}
		if (body_check(r) != 0)
			return;
		if (r->path[1] == 'a')
			(void)h_admin(r);
		else
			(void)h_jlis(r);
		return;
	}
	if (strncmp(r->path, "/jlis/v1/", 9) == 0) {
		(void)h_jlis(r);
		return;
	}
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		memset(r->param, 0, sizeof(r->param));
		if (!match(routes[i].pattern, r->path, r))
			continue;
		allowed = 1;
		if (strcmp(routes[i].method, r->method) == 0) {
			rt = &routes[i];
			break;
		}
	}
	if (rt == NULL) {
		(void)req_problem(r, allowed ? 405 : 404, allowed ?
		    "INVALID_REQUEST" : "NOT_FOUND", allowed ?
		    "method not allowed" : "no such endpoint");
		return;
	}
	if ((rt->flags & R_AUTH) && (client_auth(r) != 0 ||
	    rate_check(r) != 0))
		return;
	if (body_check(r) != 0)
		return;
	if (r->body_len > 0 && rt->fn != h_token) {
		r->json = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES,
		    NULL);
		if (r->json == NULL || !json_is_object(r->json)) {
			(void)req_problem(r, 400, "INVALID_REQUEST",
			    "body is not a JSON object");
			return;
		}
	}
	key = req_header(r, "Idempotency-Key");
	for (attempt = 0;; attempt++) {
		r->db->retry = 0;
		idem = IDEM_NONE;
		if ((rt->flags & R_IDEM) && key != NULL)
			idem = idem_begin(r, key, reqhash);
		if (idem == IDEM_NONE || idem == IDEM_RUN)
			(void)rt->fn(r);
		if (idem == IDEM_RUN)
			idem_finish(r, key);
		/* lost a serialization race to another instance: run again */
		if (!r->db->retry || r->db->down || attempt >= MM_TX_RETRIES)
			break;
		req_reset(r);
		(void)usleep((useconds_t)(1000u << (attempt < 6 ? attempt :
		    6)));
	}
}

struct listener {
	struct mm_server	*srv;
	int			 login;
	int			 admin;
};

static void
request_id(struct mm_req *r)
{
	const char *h = req_header(r, "X-Request-Id");
	size_t i, n;

	if (h != NULL && (n = strlen(h)) > 0 && n < sizeof(r->request_id)) {
		for (i = 0; i < n; i++) {
			if (h[i] < 0x21 || h[i] > 0x7e)
				break;
		}
		if (i == n) {
			memcpy(r->request_id, h, n + 1);
			return;
		}
	}
	mm_new_id("req_", r->request_id, sizeof(r->request_id));
}

static enum MHD_Result
send_response(struct mm_req *r)
{
	struct MHD_Response *resp;
	char *txt = NULL;
	enum MHD_Result ret;

	if (r->raw != NULL) {
		resp = MHD_create_response_from_buffer(r->raw_len, r->raw,
		    MHD_RESPMEM_MUST_COPY);
		if (resp != NULL)
			(void)MHD_add_response_header(resp, "Content-Type",
			    r->raw_type);
	} else if (r->status == 204 || r->resp == NULL) {
		resp = MHD_create_response_from_buffer(0, (void *)(uintptr_t)"",
		    MHD_RESPMEM_PERSISTENT);
	} else {
		txt = json_dumps(r->resp, JSON_COMPACT);
		resp = MHD_create_response_from_buffer(txt != NULL ?
		    strlen(txt) : 0, txt != NULL ? txt : (void *)(uintptr_t)"",
		    MHD_RESPMEM_MUST_COPY);
		if (resp != NULL)
			(void)MHD_add_response_header(resp, "Content-Type",
			    r->status >= 400 ? "application/problem+json" :
			    "application/json");
	}
	free(txt);
	if (resp == NULL)
		return MHD_NO;
	(void)MHD_add_response_header(resp, "X-Request-Id", r->request_id);
	(void)MHD_add_response_header(resp, "Cache-Control", "no-store");
	if (r->replayed)
		(void)MHD_add_response_header(resp, "Idempotency-Replayed",
		    "true");
	if (r->retry_after[0] != '\0')
		(void)MHD_add_response_header(resp, "Retry-After",
		    r->retry_after);
	ret = MHD_queue_response(r->conn, r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/*
 * Answer one request, transport-free (the fuzz harness calls this
 * directly): path checks, then routing.  r->db is the caller's.
 */
void
mock_handle(struct mm_req *r)
{
	if (r->status == 0)
		r->status = 500;
	if (r->request_id[0] == '\0')
		mm_new_id("req_", r->request_id, sizeof(r->request_id));
	if (r->too_big) {
		(void)req_problem(r, 413, "INVALID_REQUEST",
		    "body or URL over the cap");
		return;
	}
	/* a decoded %00 would cut the path: it arrives as 0x7f, refused */
	if (r->bad_path || req_path_ok(r->path) != 0) {
		(void)req_problem(r, 400, "INVALID_REQUEST",
		    "control byte or dot segment in the path");
		return;
	}
	if (r->login && strcmp(r->path, "/login") != 0) {
		(void)req_problem(r, 404, "NOT_FOUND", "login listener");
		return;
	}
	r->now = db_now(r->db);
	dispatch(r);
}

void
mock_req_clear(struct mm_req *r)
{
	json_decref(r->json);
	json_decref(r->resp);
	free(r->body);
	free(r->raw);
	r->json = r->resp = NULL;
	r->body = NULL;
	r->raw = NULL;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct listener *l = cls;
	struct mm_req *r = *con_cls;
	const char *cl;
	struct timespec t0, t1;
	unsigned long long cap, cln;
	enum MHD_Result ret;
	long long ch0;

	if (r == NULL) {
		if ((r = calloc(1, sizeof(*r))) == NULL)
			return MHD_NO;
		*con_cls = r;
		r->srv = l->srv;
		r->conn = c;
		r->lookup = mhd_lookup;
		r->login = l->login;
		r->admin = l->admin;
		r->loopback = is_loopback(c);
		r->status = 500;
		watch_phase(c, WATCH_BODY);
		request_id(r);
		(void)snprintf(r->method, sizeof(r->method), "%s", method);
		if (strlen(url) >= sizeof(r->path))
			r->too_big = 1;
		else
			(void)snprintf(r->path, sizeof(r->path), "%s", url);
		/*
		 * Over the cap: up to 16 times the cap the body is read and
		 * dropped, so the client sees the 413 (a close with unread
		 * data resets the connection); far over it, answer at once
		 * and let MHD close the connection, without reading 100 MB
		 * into the request (limits.c drains what follows, bounded,
		 * so a client writing the whole body still reads the 413).
		 */
		cap = (unsigned long long)r->srv->cfg.max_body;
		/* libmicrohttpd has already answered 400 to a malformed
		 * Content-Length and 413 to one past 2^64 */
		cl = req_header(r, "Content-Length");
		cln = cl != NULL ? strtoull(cl, NULL, 10) : 0;
		if (cln > cap)
			r->too_big = 1;
		if (!r->too_big || cln <= 16 * cap)
			return MHD_YES;
		(void)req_problem(r, 413, "INVALID_REQUEST",
		    "body or URL over the cap");
		watch_linger(c);
		return send_response(r);
	}
	if (*upload_size > 0) {
		cap = (unsigned long long)r->srv->cfg.max_body;
		if (!r->too_big && r->body_len + *upload_size <= cap) {
			char *nb = realloc(r->body, r->body_len + *upload_size +
			    1);

			if (nb == NULL)
				return MHD_NO;
			r->body = nb;
			memcpy(r->body + r->body_len, upload, *upload_size);
			r->body_len += *upload_size;
			r->body[r->body_len] = '\0';
		} else {
			r->too_big = 1;
			r->dropped += *upload_size;
		}
		*upload_size = 0;
		/* chunked, no Content-Length: stop reading far over the cap */
		if (r->too_big && r->dropped > 16 * cap) {
			(void)req_problem(r, 413, "INVALID_REQUEST",
			    "body over the cap");
			watch_linger(c);
			return send_response(r);
		}
		return MHD_YES;
	}
	watch_phase(c, WATCH_BUSY);
	(void)clock_gettime(CLOCK_MONOTONIC, &t0);
	if (r->too_big) {
		(void)req_problem(r, 413, "INVALID_REQUEST",
		    "body over the cap");
	} else if ((r->db = pool_get(r->srv->pool)) == NULL) {
		(void)req_problem(r, 503, "MAINTENANCE", "database busy");
		(void)snprintf(r->retry_after, sizeof(r->retry_after), "1");
	} else {
		ch0 = db_total_changes(r->db);
		mock_handle(r);
		/*
		 * The database went away (PostgreSQL restart, failover): what
		 * the handler made of the missing rows is not an answer.
		 */
		if (r->db->down || r->db->retry) {
			req_reset(r);
			r->drop = 0;
			(void)req_problem(r, 503, "MAINTENANCE",
			    "database unavailable");
			(void)snprintf(r->retry_after, sizeof(r->retry_after),
			    "1");
		}
		/* an acknowledged write is on disk (synchronous=group) */
		if (db_total_changes(r->db) != ch0)
			pool_durable(r->srv->pool);
	}
	if (r->db != NULL)
		pool_put(r->srv->pool, r->db);
	r->db = NULL;
	(void)clock_gettime(CLOCK_MONOTONIC, &t1);
	/* no bodies, certificates, names or addresses here */
	mm_log("%s %s %s %u %s %ldus%s", r->request_id, r->method,
	    r->bad_path || req_path_ok(r->path) != 0 ? "(bad path)" : r->path,
	    r->drop ? 0 : r->status, r->code[0] ? r->code : "-",
	    (long)((t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec -
	    t0.tv_nsec) / 1000), r->replayed ? " replayed" : "");
	if (r->drop)
		return MHD_NO;
	ret = send_response(r);
	return ret;
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct mm_req *r = *con_cls;

	watch_phase(c, WATCH_IDLE);
	if (r == NULL)
		return;
	mock_req_clear(r);
	free(r);
	*con_cls = NULL;
}

static int
bind_addr(const char *host, int port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)(void *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)(void *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		return (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		return IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr);
	}
	return -1;
}

/*
 * Decode %XX in place like MHD does, except that a decoded NUL becomes
 * 0x7f: a NUL would silently cut the path ("ID%00/history" served as
 * "ID"), while 0x7f is a control byte that req_path_ok refuses.
 */
static size_t
unescape(void *cls, struct MHD_Connection *c, char *s)
{
	char *w = s, *rd = s, h[3];
	unsigned long v;

	(void)cls;
	(void)c;
	while (*rd != '\0') {
		if (rd[0] == '%' && isxdigit((unsigned char)rd[1]) &&
		    isxdigit((unsigned char)rd[2])) {
			h[0] = rd[1];
			h[1] = rd[2];
			h[2] = '\0';
			v = strtoul(h, NULL, 16);
			*w++ = v == 0 ? (char)0x7f : (char)v;
			rd += 3;
		} else {
			*w++ = *rd++;
		}
	}
	*w = '\0';
	return (size_t)(w - s);
}

static struct MHD_Daemon *
start_daemon(struct listener *l, struct sockaddr_storage *ss, int port,
    const char *cert, const char *key, const char *trust,
    const char *prio)
{
	const struct mm_config *c = &l->srv->cfg;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG;
	struct MHD_OptionItem o[16];
	int n = 0;

#define OPT(k, v, p) do { o[n].option = (k); o[n].value = (intptr_t)(v); \
	o[n].ptr_value = (void *)(uintptr_t)(p); n++; } while (0)
	if (ss->ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (cert != NULL)
		flags |= MHD_USE_TLS;
	/* first, so that MHD's own messages go there too */
	OPT(MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)watch_mhd_log, NULL);
	OPT(MHD_OPTION_SOCK_ADDR, 0, ss);
	OPT(MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, NULL);
	OPT(MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)watch_notify, l->srv);
	OPT(MHD_OPTION_UNESCAPE_CALLBACK, (intptr_t)unescape, NULL);
	OPT(MHD_OPTION_CONNECTION_TIMEOUT, c->idle_timeout, NULL);
	OPT(MHD_OPTION_CONNECTION_LIMIT, c->max_conns, NULL);
	OPT(MHD_OPTION_PER_IP_CONNECTION_LIMIT, c->per_ip_conns, NULL);
	if (cert != NULL) {
		OPT(MHD_OPTION_HTTPS_MEM_CERT, 0, cert);
		OPT(MHD_OPTION_HTTPS_MEM_KEY, 0, key);
		OPT(MHD_OPTION_HTTPS_PRIORITIES, 0, prio);
	}
	if (trust != NULL)
		OPT(MHD_OPTION_HTTPS_MEM_TRUST, 0, trust);
	OPT(MHD_OPTION_END, 0, NULL);
#undef OPT
	return MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, on_request,
	    l, MHD_OPTION_ARRAY, o, MHD_OPTION_END);
}

int
serve(struct mm_config *cfg)
{
	struct mm_server srv;
	struct listener main_l, login_l, admin_l;
	struct MHD_Daemon *d = NULL, *dl = NULL, *da = NULL;
	struct sockaddr_storage ss, ssl, ssa;
	const union MHD_DaemonInfo *dinfo;
	int aport;
	struct mm_db *db = NULL;
	struct sigaction sa;
	sigset_t set;
	int sig;
	uint8_t *cert = NULL, *key = NULL, *trust = NULL;
	size_t n;
	char path[600], url[160], state[520];
	int loop, rc = 1;

	memset(&srv, 0, sizeof(srv));
	srv.cfg = *cfg;
	(void)pthread_mutex_init(&srv.rl_mu, NULL);
	mm_log_open(cfg->log_path);
	if ((loop = bind_addr(cfg->bind, cfg->port, &ss)) < 0) {
		(void)fprintf(stderr, "mykey-mock: bad bind address %s\n",
		    cfg->bind);
		goto out;
	}
	aport = cfg->admin_port;	/* 0: the kernel picks one */
	if (bind_addr(cfg->admin_bind, aport, &ssa) < 0) {
		(void)fprintf(stderr, "mykey-mock: bad admin address %s:%d\n",
		    cfg->admin_bind, aport);
		goto out;
	}
	if (bind_addr(cfg->admin_bind, aport, &ssa) != 1 &&
	    !cfg->admin_remote) {
		(void)fprintf(stderr, "mykey-mock: the admin listener is "
		    "loopback only unless --admin-remote true\n");
		goto out;
	}
	if (cfg->plain_http && !loop) {
		(void)fprintf(stderr, "mykey-mock: --plain-http needs a "
		    "loopback bind address\n");
		goto out;
	}
	if (db_open(cfg->db, cfg->sync_full == 0 ? 0 : 1, &db) != 0 ||
	    db_schema(db) != 0)
		goto out;
	if (cfg->clock[0] != '\0' && auth_clock_set(db, cfg->clock) != 0) {
		(void)fprintf(stderr, "mykey-mock: bad --clock\n");
		goto out;
	}
	db_close(&db);
	if (ca_load(cfg->ca_dir, &srv.ca) != 0) {
		(void)fprintf(stderr, "mykey-mock: cannot load CA from %s\n",
		    cfg->ca_dir);
		goto out;
	}
	if (!cfg->plain_http || cfg->login_port > 0) {
		if (cfg->tls_cert[0] == '\0') {
			/* PostgreSQL: beside the CA, shared by the instances */
			(void)snprintf(cfg->tls_cert, sizeof(cfg->tls_cert),
			    db_is_pg(cfg->db) ? "%.500s/../tls.crt" :
			    "%.500s.tls.crt", db_is_pg(cfg->db) ? cfg->ca_dir :
			    cfg->db);
			(void)snprintf(cfg->tls_key, sizeof(cfg->tls_key),
			    db_is_pg(cfg->db) ? "%.500s/../tls.key" :
			    "%.500s.tls.key", db_is_pg(cfg->db) ? cfg->ca_dir :
			    cfg->db);
			if (access(cfg->tls_cert, R_OK) != 0 &&
			    tls_selfsigned(cfg->tls_cert, cfg->tls_key) != 0) {
				(void)fprintf(stderr, "mykey-mock: cannot "
				    "create a TLS certificate\n");
				goto out;
			}
		}
		if (mm_read_file(cfg->tls_cert, &cert, &n, 65536) != 0 ||
		    mm_read_file(cfg->tls_key, &key, &n, 65536) != 0) {
			(void)fprintf(stderr, "mykey-mock: cannot read TLS "
			    "certificate or key\n");
			goto out;
		}
	}
	if (pool_new(cfg->db, cfg->sync_full, cfg->threads, &srv.pool) != 0)
		goto out;
	/*
	 * The admin token and URL files sit beside the database; a
	 * PostgreSQL URI is no path, so there beside the CA directory, as
	 * the TLS files are: <ca-dir>/../mock.admin-token, shared by every
	 * instance of the cluster.
	 */
	(void)snprintf(state, sizeof(state), db_is_pg(cfg->db) ?
	    "%.500s/../mock" : "%.500s", db_is_pg(cfg->db) ? cfg->ca_dir :
	    cfg->db);
	if (admin_token_load(state, srv.admin_token) != 0) {
		(void)fprintf(stderr, "mykey-mock: cannot create or read "
		    "%s.admin-token\n", state);
		goto out;
	}
	srv.cfg = *cfg;
	if (watch_start(&srv) != 0)
		goto out;
	if (purge_start(&srv) != 0)
		goto out;
	/* only this thread takes SIGINT/SIGTERM; MHD threads inherit */
	(void)sigemptyset(&set);
	(void)sigaddset(&set, SIGINT);
	(void)sigaddset(&set, SIGTERM);
	(void)pthread_sigmask(SIG_BLOCK, &set, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &sa, NULL);
	memset(&main_l, 0, sizeof(main_l));
	memset(&login_l, 0, sizeof(login_l));
	memset(&admin_l, 0, sizeof(admin_l));
	main_l.srv = login_l.srv = admin_l.srv = &srv;
	login_l.login = 1;
	admin_l.admin = 1;
	/* admin first: its URL file is there once the main port answers */
	da = start_daemon(&admin_l, &ssa, aport, cfg->plain_http ? NULL :
	    (const char *)cert, (const char *)key, NULL,
	    "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2");
	if (da != NULL && aport == 0 && (dinfo = MHD_get_daemon_info(da,
	    MHD_DAEMON_INFO_BIND_PORT)) != NULL)
		aport = dinfo->port;
	if (cfg->admin_url_file[0] != '\0')
		(void)snprintf(path, sizeof(path), "%s", cfg->admin_url_file);
	else
		(void)snprintf(path, sizeof(path), "%.500s.admin-url", state);
	(void)snprintf(url, sizeof(url), "%s://%s%s%s:%d\n", cfg->plain_http ?
	    "http" : "https", strchr(cfg->admin_bind, ':') ? "[" : "",
	    cfg->admin_bind, strchr(cfg->admin_bind, ':') ? "]" : "", aport);
	/* a second server on the same database says "none" */
	if (da == NULL || (strcmp(path, "none") != 0 && mm_write_file(path,
	    url, strlen(url), 0644) != 0)) {
		(void)fprintf(stderr, "mykey-mock: cannot start the admin "
		    "listener on %s:%d\n", cfg->admin_bind, aport);
		goto out;
	}
	d = start_daemon(&main_l, &ss, cfg->port, cfg->plain_http ? NULL :
	    (const char *)cert, (const char *)key, NULL,
	    "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2");
	if (d == NULL) {
		(void)fprintf(stderr, "mykey-mock: cannot listen on %s:%d\n",
		    cfg->bind, cfg->port);
		goto out;
	}
	if (cfg->login_port > 0) {
		/*
		 * TLS 1.2 only: the card signs PKCS#1 v1.5, which TLS 1.3
		 * CertificateVerify does not allow (RSA-PSS only).
		 */
		(void)snprintf(path, sizeof(path), "%s/auth-ca.pem",
		    cfg->ca_dir);
		if (mm_read_file(path, &trust, &n, 65536) != 0 ||
		    bind_addr(cfg->bind, cfg->login_port, &ssl) < 0 ||
		    (dl = start_daemon(&login_l, &ssl, cfg->login_port,
		    (const char *)cert, (const char *)key, (const char *)trust,
		    "NORMAL:-VERS-ALL:+VERS-TLS1.2")) == NULL) {
			(void)fprintf(stderr, "mykey-mock: cannot start the "
			    "login listener on %d\n", cfg->login_port);
			goto out;
		}
	}
	mm_log("mykey-mock: listening on %s://%s:%d db=%s",
	    cfg->plain_http ? "http" : "https", cfg->bind, cfg->port, cfg->db);
	(void)printf("ready %s://%s:%d admin %s", cfg->plain_http ? "http" :
	    "https", cfg->bind, cfg->port, url);
	(void)fflush(stdout);
	while (sigwait(&set, &sig) != 0)
		;
	mm_log("mykey-mock: signal %d, stopping", sig);
	rc = 0;
out:
	if (da != NULL)
		MHD_stop_daemon(da);
	if (dl != NULL)
		MHD_stop_daemon(dl);
	if (d != NULL)
		MHD_stop_daemon(d);
	purge_stop(&srv);
	watch_stop(&srv);
	OPENSSL_cleanse(srv.admin_token, sizeof(srv.admin_token));
	pool_free(&srv.pool);
	ca_free(&srv.ca);
	(void)pthread_mutex_destroy(&srv.rl_mu);
	db_close(&db);
	if (key != NULL) {
		OPENSSL_cleanse(key, strlen((char *)key));
		free(key);
	}
	free(cert);
	free(trust);
	return rc;
}
