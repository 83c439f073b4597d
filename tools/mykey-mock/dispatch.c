/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Routing of one request, transport-free: fault injection (api §5.5),
 * the admin and J-LIS paths, the route table, client authentication, the
 * rate limit, idempotency and the retry of a lost serialization race.
 */
#include <fnmatch.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

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
		if (req_body_check(r) != 0)
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
	if (req_body_check(r) != 0)
		return;
	/* /v1/token takes a form or JSON (login.c parses it itself) */
	if (rt->fn != h_token && req_body_json(r) != 0)
		return;
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
