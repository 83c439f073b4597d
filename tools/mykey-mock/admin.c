/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Test-control plane /admin/v1 (api §5.5), loopback only (http.c).  The
 * same operations are CLI subcommands (cli.c) on the same database.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "mock.h"

static json_t *
file_b64(const char *dir, const char *name)
{
	char path[700], *b = NULL;
	uint8_t *buf = NULL;
	size_t n;
	json_t *j;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (mm_read_file(path, &buf, &n, 65536) != 0)
		return json_null();
	b = mm_b64_encode(buf, n, 0);
	free(buf);
	j = b != NULL ? json_string(b) : json_null();
	free(b);
	return j;
}

/* The PKCS#8 key is for a software "virtual card" in CI (api §5.5). */
static json_t *
file_text(const char *dir, const char *name)
{
	char path[700];
	uint8_t *buf = NULL;
	size_t n;
	json_t *j;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (mm_read_file(path, &buf, &n, 65536) != 0)
		return json_null();
	j = json_stringn((const char *)buf, n);
	OPENSSL_cleanse(buf, n);
	free(buf);
	return j;
}

json_t *
card_json(const struct card_out *c)
{
	json_t *o;

	o = json_pack("{s:s,s:s,s:{s:s,s:o,s:o}}", "card_id", c->card_id,
	    "profile_dir", c->profile_dir, "auth", "issuance_number",
	    c->auth_serial, "certificate", file_b64(c->profile_dir, "auth.crt"),
	    "private_key", file_text(c->profile_dir, "auth.key"));
	if (o != NULL && c->sign_serial[0] != '\0')
		(void)json_object_set_new(o, "sign", json_pack("{s:s,s:o,s:o}",
		    "issuance_number", c->sign_serial, "certificate",
		    file_b64(c->profile_dir, "sign.crt"), "private_key",
		    file_text(c->profile_dir, "sign.key")));
	return o;
}

static const char *
jstr(struct mm_req *r, const char *key)
{
	json_t *v = json_object_get(r->json, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* An int member within [lo,hi] (booleans count as 0/1 where lo..hi is). */
static int
jint(struct mm_req *r, const char *key, int lo, int hi, int dflt, int *out)
{
	json_t *v = json_object_get(r->json, key);
	long long x;

	if (json_is_boolean(v) && lo <= 0 && hi >= 1) {
		*out = json_is_true(v);
		return 0;
	}
	if (req_json_int(r->json, key, lo, hi, dflt, &x) < 0)
		return -1;
	*out = (int)x;
	return 0;
}

static int
a_clients(struct mm_req *r)
{
	const char *kind = jstr(r, "kind"), *name = jstr(r, "name");
	json_t *sc = json_object_get(r->json, "scopes"), *v;
	char scopes[256] = "", id[64], secret[64];
	size_t i, o = 0;
	int rc;

	if (kind == NULL)
		return req_problem(r, 400, "INVALID_REQUEST", "kind");
	if (json_is_array(sc)) {
		json_array_foreach(sc, i, v) {
			if (!json_is_string(v))
				return req_problem(r, 400, "INVALID_REQUEST",
				    "scopes");
			o += (size_t)snprintf(scopes + o, sizeof(scopes) - o,
			    "%s%s", o ? " " : "", json_string_value(v));
			if (o >= sizeof(scopes))
				return req_problem(r, 400, "INVALID_REQUEST",
				    "scopes");
		}
	} else if (json_is_string(sc)) {
		(void)snprintf(scopes, sizeof(scopes), "%s",
		    json_string_value(sc));
	}
	if (auth_client_add(r->db, kind, scopes, name, id, secret) != 0)
		return req_problem(r, 400, "INVALID_REQUEST",
		    "kind municipality|business|government; scopes");
	rc = req_ok(r, 201, json_pack("{s:s,s:s}", "client_id", id,
	    "client_secret", secret));
	OPENSSL_cleanse(secret, sizeof(secret));
	return rc;
}

static int
a_persons(struct mm_req *r)
{
	char id[48];

	if (auth_person_add(r->db, jstr(r, "name"), jstr(r, "birth_date"),
	    jstr(r, "sex"), jstr(r, "address"), id) != 0)
		return req_problem(r, 400, "INVALID_REQUEST",
		    "name, birth_date YYYYMMDD or YYYY-MM-DD, sex 1|2|9, address");
	return req_ok(r, 201, json_pack("{s:s}", "person_id", id));
}

static int
when(struct mm_req *r, const char *key, long long *t)
{
	const char *s = jstr(r, key);

	*t = 0;
	if (s == NULL)
		return 0;
	return mm_parse_rfc3339(s, t);
}

static int
a_cards(struct mm_req *r)
{
	const struct mm_config *c = &r->srv->cfg;
	struct card_out co;
	long long nb, na;
	const char *pid = jstr(r, "person_id");
	json_t *o;

	if (pid == NULL || when(r, "not_before", &nb) != 0 ||
	    when(r, "not_after", &na) != 0)
		return req_problem(r, 400, "INVALID_REQUEST",
		    "person_id; not_before/not_after RFC 3339");
	if (auth_card_issue(r->db, c->ca_dir, c->profiles_dir, pid,
	    jstr(r, "profile_dir"), r->now, nb, na, NULL, NULL, &co) != 0)
		return req_problem(r, 400, "INVALID_REQUEST",
		    "cannot issue (unknown person or bad profile_dir)");
	o = card_json(&co);
	return req_ok(r, 201, o);
}

static int
a_renew(struct mm_req *r, const char *serial)
{
	const struct mm_config *c = &r->srv->cfg;
	struct card_out co;

	if (auth_card_renew(r->db, c->ca_dir, c->profiles_dir, serial,
	    r->json != NULL ? jstr(r, "profile_dir") : NULL, r->now, &co) != 0)
		return req_problem(r, 404, "NOT_FOUND",
		    "unknown or already renewed certificate");
	return req_ok(r, 201, card_json(&co));
}

static int
a_revoke(struct mm_req *r, const char *serial)
{
	const char *rs = r->json != NULL ? jstr(r, "reason") : NULL;
	int reason = rs != NULL ? reason_from_name(rs) : -1;

	if (reason < 0)
		return req_problem(r, 400, "INVALID_REQUEST",
		    "reason: an RFC 5280 reason name");
	if (auth_cert_revoke(r->db, serial, reason, r->now) != 0)
		return req_problem(r, 404, "NOT_FOUND",
		    "unknown or already revoked certificate");
	return req_ok(r, 200, json_pack("{s:s,s:s,s:s}", "issuance_number",
	    serial, "status", "revoked", "revocation_reason", rs));
}

static int
a_move(struct mm_req *r, const char *pid)
{
	struct card_out co;

	if (auth_person_move(r->db, r->srv->cfg.ca_dir, pid, jstr(r,
	    "address"), r->now, &co) != 0)
		return req_problem(r, 400, "INVALID_REQUEST",
		    "unknown person, no active card or bad address");
	return req_ok(r, 200, card_json(&co));
}

static int
a_reissue(struct mm_req *r)
{
	const struct mm_config *c = &r->srv->cfg;
	struct card_out co;
	const char *pid = jstr(r, "person_id");

	if (pid == NULL || auth_card_reissue(r->db, c->ca_dir, c->profiles_dir,
	    pid, jstr(r, "profile_dir"), r->now, &co) != 0)
		return req_problem(r, 400, "INVALID_REQUEST",
		    "unknown person or no active card");
	return req_ok(r, 201, card_json(&co));
}

static int
a_clock(struct mm_req *r)
{
	char spec[40], t[32];
	json_t *v;
	long long adv;

	if (strcmp(r->method, "PUT") == 0) {
		if ((v = json_object_get(r->json, "now")) != NULL &&
		    json_is_string(v))
			(void)snprintf(spec, sizeof(spec), "%s",
			    json_string_value(v));
		else if ((v = json_object_get(r->json, "advance_s")) != NULL) {
			if (req_json_int(r->json, "advance_s", -MM_CLOCK_SPAN_S,
			    MM_CLOCK_SPAN_S, 0, &adv) <= 0)
				return req_problem(r, 400, "INVALID_REQUEST",
				    "advance_s: an integer within 1000 years");
			(void)snprintf(spec, sizeof(spec), "%+lld", adv);
		} else if (json_is_true(json_object_get(r->json, "real")))
			(void)snprintf(spec, sizeof(spec), "real");
		else
			return req_problem(r, 400, "INVALID_REQUEST",
			    "now (RFC 3339), advance_s or real:true");
		if (auth_clock_set(r->db, spec) != 0)
			return req_problem(r, 400, "INVALID_REQUEST", "clock");
	}
	r->now = db_now(r->db);
	mm_rfc3339(r->now, t);
	return req_ok(r, 200, json_pack("{s:s,s:I,s:I}", "now", t, "unix",
	    (json_int_t)r->now, "offset_s", (json_int_t)db_clock_offset(r->db)));
}

static int
a_faults(struct mm_req *r)
{
	int status, delay_ms, drop, count, retry_after;

	if (strcmp(r->method, "DELETE") == 0) {
		if (db_exec(r->db, "DELETE FROM faults", NULL) != 0)
			return req_problem(r, 500, "INTERNAL", NULL);
		return req_ok(r, 200, json_pack("{s:b}", "cleared", 1));
	}
	if (jint(r, "status", 0, 599, 0, &status) != 0 ||
	    jint(r, "delay_ms", 0, 60000, 0, &delay_ms) != 0 ||
	    jint(r, "drop", 0, 1, 0, &drop) != 0 ||
	    jint(r, "count", 1, 1000000, 1, &count) != 0 ||
	    jint(r, "retry_after", 0, 86400, 0, &retry_after) != 0 ||
	    auth_fault_add(r->db, jstr(r, "path_glob"), status, delay_ms, drop,
	    count, retry_after) != 0)
		return req_problem(r, 400, "INVALID_REQUEST",
		    "path_glob (/...), status 400-599, delay_ms, drop, count");
	return req_ok(r, 201, json_pack("{s:I}", "fault_id",
	    (json_int_t)db_last_id(r->db)));
}

static int
a_settings(struct mm_req *r)
{
	static const char *keys[] = {
		"link_after_expiry", "link_on_reissue", "terms_versions",
	};
	char v[256];
	json_t *o, *val;
	size_t i;

	if (strcmp(r->method, "PUT") == 0) {
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			if ((val = json_object_get(r->json, keys[i])) == NULL)
				continue;
			if (json_is_boolean(val))
				(void)snprintf(v, sizeof(v), "%s",
				    json_is_true(val) ? "true" : "false");
			else if (json_is_string(val) && i == 2 &&
			    strlen(json_string_value(val)) < sizeof(v))
				(void)snprintf(v, sizeof(v), "%s",
				    json_string_value(val));
			else
				return req_problem(r, 400, "INVALID_REQUEST",
				    keys[i]);
			if (db_set_setting(r->db, keys[i], v) != 0)
				return req_problem(r, 500, "INTERNAL", NULL);
		}
	}
	o = json_object();
	(void)json_object_set_new(o, keys[0], json_string(db_setting(r->db,
	    keys[0], v, sizeof(v), "true")));
	(void)json_object_set_new(o, keys[1], json_string(db_setting(r->db,
	    keys[1], v, sizeof(v), "true")));
	(void)json_object_set_new(o, keys[2], json_string(db_setting(r->db,
	    keys[2], v, sizeof(v), "mock-1")));
	return req_ok(r, 200, o);
}

/* Run the retention purge now (the server's thread does it periodically). */
static int
a_purge(struct mm_req *r)
{
	long long n[MM_PURGE_TABLES];
	json_t *o;
	int i;

	if (mm_purge(r->db, &r->srv->cfg, n) != 0)
		return req_problem(r, 500, "INTERNAL", "purge");
	if ((o = json_object()) == NULL)
		return req_problem(r, 500, "INTERNAL", NULL);
	for (i = 0; i < MM_PURGE_TABLES; i++)
		(void)json_object_set_new(o, purge_table(i),
		    json_integer((json_int_t)n[i]));
	return req_ok(r, 200, json_pack("{s:o}", "deleted", o));
}

/* Lets tests count J-LIS hops (api §5.8 jlis_query_log). */
static int
a_querylog(struct mm_req *r)
{
	const char *s = req_arg(r, "since_id");
	long long since = 0, last;
	struct mm_st *st;
	json_t *arr;
	int n = 0;

	if (s != NULL && mm_parse_count(s, LLONG_MAX, &since) != 0)
		return req_problem(r, 400, "INVALID_REQUEST", "since_id: not "
		    "a decimal id (0 or more)");
	last = since;
	if ((arr = json_array()) == NULL)
		return req_problem(r, 500, "INTERNAL", NULL);
	st = db_q(r->db, "SELECT id, kind, issuance_number, result, "
	    "request_id FROM jlis_query_log WHERE id > ? ORDER BY id LIMIT "
	    "1000", "i", since);
	while (st != NULL && db_row(st) == 1) {
		last = db_int(st, 0);
		(void)json_array_append_new(arr, json_pack("{s:I,s:s,s:s?,s:s,"
		    "s:s?}", "id", (json_int_t)last, "kind",
		    db_text(st, 1), "issuance_number",
		    db_text(st, 2), "result",
		    db_text(st, 3), "request_id",
		    db_text(st, 4)));
		n++;
	}
	db_end(st);
	return req_ok(r, 200, json_pack("{s:i,s:I,s:o}", "count", n, "last_id",
	    (json_int_t)last, "entries", arr));
}

int
h_admin(struct mm_req *r)
{
	const char *p = r->path + 9;	/* after "/admin/v1" */
	const char *m = r->method;
	char seg[128];
	size_t n;

	if (r->body_len > 0) {
		r->json = json_loadb(r->body, r->body_len,
		    JSON_REJECT_DUPLICATES, NULL);
		if (!json_is_object(r->json))
			return req_problem(r, 400, "INVALID_REQUEST",
			    "body is not a JSON object");
	}
	if (strcmp(m, "POST") == 0 && strcmp(p, "/clients") == 0)
		return a_clients(r);
	if (strcmp(m, "POST") == 0 && strcmp(p, "/persons") == 0)
		return a_persons(r);
	if (strcmp(m, "POST") == 0 && (strcmp(p, "/cards") == 0 ||
	    strcmp(p, "/certificates") == 0))
		return a_cards(r);
	if (strcmp(m, "POST") == 0 && strcmp(p, "/cards:reissue") == 0)
		return a_reissue(r);
	if (strcmp(p, "/clock") == 0 && (strcmp(m, "PUT") == 0 ||
	    strcmp(m, "GET") == 0))
		return a_clock(r);
	if (strcmp(p, "/faults") == 0 && (strcmp(m, "PUT") == 0 ||
	    strcmp(m, "POST") == 0 || strcmp(m, "DELETE") == 0))
		return a_faults(r);
	if (strcmp(p, "/settings") == 0 && (strcmp(m, "PUT") == 0 ||
	    strcmp(m, "GET") == 0))
		return a_settings(r);
	if (strcmp(p, "/jlis/query-log") == 0 && strcmp(m, "GET") == 0)
		return a_querylog(r);
	if (strcmp(p, "/purge") == 0 && strcmp(m, "POST") == 0)
		return a_purge(r);
	if (strcmp(m, "POST") == 0 && strncmp(p, "/certificates/", 14) == 0) {
		n = strcspn(p + 14, ":/");
		if (n == 0 || n >= sizeof(seg))
			return req_problem(r, 404, "NOT_FOUND", NULL);
		memcpy(seg, p + 14, n);
		seg[n] = '\0';
		if (!mm_serial_valid(seg))
			return req_problem(r, 400, "INVALID_REQUEST",
			    "issuance number");
		if (strcmp(p + 14 + n, ":renew") == 0)
			return a_renew(r, seg);
		if (strcmp(p + 14 + n, ":revoke") == 0)
			return a_revoke(r, seg);
	}
	if (strcmp(m, "POST") == 0 && strncmp(p, "/persons/", 9) == 0) {
		n = strcspn(p + 9, ":/");
		if (n > 0 && n < sizeof(seg) && strcmp(p + 9 + n, ":move") ==
		    0) {
			memcpy(seg, p + 9, n);
			seg[n] = '\0';
			return a_move(r, seg);
		}
	}
	return req_problem(r, 404, "NOT_FOUND", "no such admin endpoint");
}
