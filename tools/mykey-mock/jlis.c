/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * J-LIS simulator (api §2, §5.4): status, one-hop old/new issuance-number
 * search, sign<->auth association, latest basic 4 info, OCSP and CRLs.
 * Every query is logged in jlis_query_log so tests can count hops; a
 * query made by the platform also records a disclosure (api §5.10).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock.h"

static const char *reasons[] = {
	"unspecified", "keyCompromise", "cACompromise", "affiliationChanged",
	"superseded", "cessationOfOperation", "certificateHold",
};

const char *
reason_name(int reason)
{
	if (reason < 0 || reason >= (int)(sizeof(reasons) / sizeof(reasons[0])))
		return "unspecified";
	return reasons[reason];
}

int
reason_from_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		if (strcmp(reasons[i], name) == 0)
			return (int)i;
	}
	return -1;
}

static int
qlog(struct mm_db *db, long long now, const char *kind, const char *serial,
    const char *result, const char *request_id)
{
	return db_exec(db, "INSERT INTO jlis_query_log(ts, kind, "
	    "issuance_number, result, request_id) VALUES(?,?,?,?,?)", "issss",
	    now, kind, serial, result, request_id);
}

int
jlis_log_ocsp(struct mm_db *db, const char *serial, const char *res)
{
	return qlog(db, db_now(db), "ocsp", serial, res, NULL);
}

/* The platform's own queries are provisions to J-LIS (api §5.10). */
static int
from_platform(struct mm_req *r)
{
	return strncmp(r->path, "/v1/", 4) == 0;
}

int
jlis_status(struct mm_req *r, const char *type, const char *serial,
    struct jlis_status *st)
{
	struct mm_st *q;
	char items[48];
	int rc = -1;

	memset(st, 0, sizeof(*st));
	st->reason = -1;
	(void)snprintf(st->status, sizeof(st->status), "unknown");
	q = db_q(r->db, "SELECT status, revoked_at, revocation_reason, "
	    "not_after, person_id, card_id FROM certificates WHERE "
	    "issuance_number=? AND cert_type=?", "ss", serial, type);
	if (q == NULL)
		goto out;
	if (db_row(q) == 1) {
		db_col(q, 0, st->status, sizeof(st->status));
		st->revoked_at = db_int(q, 1);
		if (!db_null(q, 2))
			st->reason = (int)db_int(q, 2);
		st->not_after = db_int(q, 3);
		db_col(q, 4, st->person_id, sizeof(st->person_id));
		db_col(q, 5, st->card_id, sizeof(st->card_id));
		/* expiry is a state of its own, not a CRL reason (§2.4) */
		if (strcmp(st->status, "good") == 0 && r->now > st->not_after)
			(void)snprintf(st->status, sizeof(st->status),
			    "expired");
	}
	db_end(q);
	if (qlog(r->db, r->now, "status", serial, st->status,
	    r->request_id) != 0)
		goto out;
	(void)snprintf(items, sizeof(items), "[\"%s.issuance_number\"]", type);
	if (from_platform(r) && disclose(r, NULL, "jlis", items,
	    "jlis.validity") != 0)
		goto out;
	rc = 0;
out:
	return rc;
}

static int
link_visible(struct mm_req *r, const char *cause)
{
	char v[8];

	if (strcmp(cause, "new_issuance_after_expiry") != 0)
		return 1;
	return strcmp(db_setting(r->db, "link_after_expiry", v, sizeof(v),
	    "true"), "true") == 0;
}

static int
search(struct mm_req *r, const char *type, const char *serial, int old,
    char *out, char *cause, size_t causelen)
{
	struct mm_st *q;
	char c[40] = "", items[48];
	int found = 0;

	out[0] = '\0';
	q = db_q(r->db, old ? "SELECT old_issuance_number, cause FROM "
	    "cert_linkage WHERE new_issuance_number=? AND cert_type=?" :
	    "SELECT new_issuance_number, cause FROM cert_linkage WHERE "
	    "old_issuance_number=? AND cert_type=?", "ss", serial, type);
	if (q == NULL)
		return -1;
	if (db_row(q) == 1) {
		db_col(q, 1, c, sizeof(c));
		if (link_visible(r, c)) {
			db_col(q, 0, out, MM_SERIAL_MAX);
			found = 1;
		}
	}
	db_end(q);
	if (cause != NULL)
		(void)snprintf(cause, causelen, "%s", c);
	if (qlog(r->db, r->now, old ? "old_search" : "new_search", serial,
	    found ? "found" : "none", r->request_id) != 0)
		return -1;
	(void)snprintf(items, sizeof(items), "[\"%s.issuance_number\"]", type);
	if (from_platform(r) && disclose(r, NULL, "jlis", items,
	    "jlis.linkage") != 0)
		return -1;
	return found;
}

int
jlis_old_search(struct mm_req *r, const char *type, const char *serial,
    char *old_out, char *cause, size_t causelen)
{
	return search(r, type, serial, 1, old_out, cause, causelen);
}

int
jlis_new_search(struct mm_req *r, const char *type, const char *serial,
    char *new_out)
{
	return search(r, type, serial, 0, new_out, NULL, 0);
}

/* Art. 18(5): the counterpart on the same card, newest good one first. */
int
jlis_assoc(struct mm_req *r, const char *type, const char *serial,
    char *other_out)
{
	struct mm_st *q;
	int found = 0;

	other_out[0] = '\0';
	q = db_q(r->db, "SELECT o.issuance_number FROM certificates c JOIN "
	    "certificates o ON o.card_id = c.card_id AND o.cert_type <> "
	    "c.cert_type WHERE c.issuance_number=? AND c.cert_type=? "
	    "ORDER BY o.status='good' DESC, o.rowid DESC LIMIT 1", "ss", serial,
	    type);
	if (q == NULL)
		return -1;
	if (db_row(q) == 1) {
		db_col(q, 0, other_out, MM_SERIAL_MAX);
		found = 1;
	}
	db_end(q);
	if (qlog(r->db, r->now, "associated", serial, found ? "found" : "none",
	    r->request_id) != 0)
		return -1;
	if (from_platform(r) && disclose(r, NULL, "jlis",
	    "[\"auth.issuance_number\",\"sign.issuance_number\"]",
	    "jlis.linkage") != 0)
		return -1;
	return found;
}

/* ---- HTTP endpoints ------------------------------------------------- */

static int
body_str(struct mm_req *r, const char *key, const char **out)
{
	json_t *v = json_object_get(r->json, key);

	*out = NULL;
	if (!json_is_string(v))
		return req_problem(r, 400, "INVALID_REQUEST", key);
	*out = json_string_value(v);
	return 0;
}

static int
type_serial(struct mm_req *r, const char *skey, const char **type,
    const char **serial)
{
	if (body_str(r, "cert_type", type) != 0 || body_str(r, skey,
	    serial) != 0)
		return -1;
	if (strcmp(*type, "auth") != 0 && strcmp(*type, "sign") != 0)
		return req_problem(r, 400, "INVALID_REQUEST", "cert_type");
	if (!mm_serial_valid(*serial))
		return req_problem(r, 400, "INVALID_REQUEST",
		    "issuance numbers are upper-case hex without leading "
		    "zeros");
	return 0;
}

static int
ep_status(struct mm_req *r)
{
	const char *type, *serial;
	struct jlis_status st;
	char t1[32], t2[32], ra[32];
	json_t *o;

	if (consent_check(r, "jlis.validity") != 0 ||
	    type_serial(r, "issuance_number", &type, &serial) != 0)
		return -1;
	if (jlis_status(r, type, serial, &st) != 0)
		return req_problem(r, 500, "INTERNAL", NULL);
	mm_rfc3339(r->now, t1);
	mm_rfc3339(r->now + 86400, t2);
	o = json_pack("{s:s,s:s,s:s,s:s}", "status", st.status,
	    "this_update", t1, "next_update", t2, "source", "ocsp");
	if (o != NULL && strcmp(st.status, "revoked") == 0) {
		mm_rfc3339(st.revoked_at, ra);
		(void)json_object_set_new(o, "revocation_reason",
		    json_string(reason_name(st.reason)));
		(void)json_object_set_new(o, "revoked_at", json_string(ra));
	}
	return req_ok(r, 200, o);
}

static int
ep_search(struct mm_req *r, int old)
{
	const char *type, *serial;
	char other[MM_SERIAL_MAX], cause[40] = "", t[32];
	struct mm_st *q;
	int f;

	if (consent_check(r, "jlis.linkage") != 0 ||
	    type_serial(r, old ? "new_issuance_number" :
	    "old_issuance_number", &type, &serial) != 0)
		return -1;
	f = old ? jlis_old_search(r, type, serial, other, cause,
	    sizeof(cause)) : jlis_new_search(r, type, serial, other);
	if (f < 0)
		return req_problem(r, 500, "INTERNAL", NULL);
	if (f == 0)
		return req_problem(r, 404, old ? "NO_PREDECESSOR" :
		    "NO_SUCCESSOR", NULL);
	if (!old)
		return req_ok(r, 200, json_pack("{s:s}", "new_issuance_number",
		    other));
	t[0] = '\0';
	q = db_q(r->db, "SELECT linked_at FROM cert_linkage WHERE "
	    "new_issuance_number=?", "s", serial);
	if (q != NULL && db_row(q) == 1)
		mm_rfc3339(db_int(q, 0), t);
	db_end(q);
	return req_ok(r, 200, json_pack("{s:s,s:s,s:s}", "old_issuance_number",
	    other, "cause", cause, "linked_at", t));
}

static int
ep_assoc(struct mm_req *r)
{
	const char *type, *serial;
	char other[MM_SERIAL_MAX];
	const char *otype;
	struct jlis_status st;
	int f;

	if (consent_check(r, "jlis.linkage") != 0 ||
	    type_serial(r, "issuance_number", &type, &serial) != 0)
		return -1;
	if ((f = jlis_assoc(r, type, serial, other)) < 0)
		return req_problem(r, 500, "INTERNAL", NULL);
	if (f == 0)
		return req_problem(r, 404, "NO_ASSOCIATION", NULL);
	otype = strcmp(type, "auth") == 0 ? "sign" : "auth";
	if (jlis_status(r, otype, other, &st) != 0)
		return req_problem(r, 500, "INTERNAL", NULL);
	return req_ok(r, 200, json_pack("{s:s,s:s,s:s}", "cert_type", otype,
	    "issuance_number", other, "status", st.status));
}

/* Latest basic 4 info: needs a stored consent covering basic4.latest. */
static int
ep_basic4(struct mm_req *r)
{
	const char *serial, *cid;
	char purpose[128] = "", name[256], birth[16], sex[4], addr[512];
	struct mm_st *q;
	int ok = 0, found = 0;
	const char *p;

	if (body_str(r, "sign_issuance_number", &serial) != 0 ||
	    body_str(r, "consent_id", &cid) != 0)
		return -1;
	if (!mm_serial_valid(serial))
		return req_problem(r, 400, "INVALID_REQUEST",
		    "sign_issuance_number");
	q = db_q(r->db, "SELECT purpose FROM consents WHERE consent_id=?", "s",
	    cid);
	if (q != NULL && db_row(q) == 1) {
		db_col(q, 0, purpose, sizeof(purpose));
		for (p = purpose; (p = strstr(p, "basic4.latest")) != NULL;
		    p++) {
			if ((p == purpose || p[-1] == ' ') && (p[13] == '\0' ||
			    p[13] == ' '))
				ok = 1;
		}
	}
	db_end(q);
	if (!ok)
		return req_problem(r, 400, "CONSENT_REQUIRED",
		    "consent_id must name a stored consent for basic4.latest");
	q = db_q(r->db, "SELECT p.name, p.birth_date, p.sex, p.address FROM "
	    "certificates c JOIN persons p USING(person_id) WHERE "
	    "c.issuance_number=? AND c.cert_type='sign'", "s", serial);
	if (q != NULL && db_row(q) == 1) {
		db_col(q, 0, name, sizeof(name));
		db_col(q, 1, birth, sizeof(birth));
		db_col(q, 2, sex, sizeof(sex));
		db_col(q, 3, addr, sizeof(addr));
		found = 1;
	}
	db_end(q);
	if (qlog(r->db, r->now, "basic4", serial, found ? "found" : "none",
	    r->request_id) != 0)
		return req_problem(r, 500, "INTERNAL", NULL);
	if (!found)
		return req_problem(r, 404, "NOT_FOUND", "unknown sign cert");
	return req_ok(r, 200, json_pack("{s:s,s:s,s:s,s:s}", "name", name,
	    "birth_date", birth, "sex", sex, "address", addr));
}

int
h_jlis(struct mm_req *r)
{
	const char *p = r->path + 8;	/* after "/jlis/v1" */
	int post = strcmp(r->method, "POST") == 0;

	if (strcmp(p, "/ocsp") == 0 && post) {
		r->raw = ocsp_respond(r->srv->ca, r->db, (const uint8_t *)r->body,
		    r->body_len, r->now, &r->raw_len);
		if (r->raw == NULL)
			return req_problem(r, 500, "INTERNAL", NULL);
		r->raw_type = "application/ocsp-response";
		r->status = 200;
		return 0;
	}
	if ((strcmp(p, "/crl/auth.crl") == 0 || strcmp(p, "/crl/sign.crl") ==
	    0) && strcmp(r->method, "GET") == 0) {
		r->raw = crl_build(r->srv->ca, r->db, p[5] == 's', r->now,
		    &r->raw_len);
		if (r->raw == NULL)
			return req_problem(r, 500, "INTERNAL", NULL);
		r->raw_type = "application/pkix-crl";
		r->status = 200;
		return 0;
	}
	if (!post)
		return req_problem(r, 404, "NOT_FOUND", NULL);
	if (r->body_len > 0)
		r->json = json_loadb(r->body, r->body_len,
		    JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(r->json))
		return req_problem(r, 400, "INVALID_REQUEST",
		    "body is not a JSON object");
	if (strcmp(p, "/status") == 0)
		return ep_status(r);
	if (strcmp(p, "/old-issuance-numbers:search") == 0)
		return ep_search(r, 1);
	if (strcmp(p, "/new-issuance-numbers:search") == 0)
		return ep_search(r, 0);
	if (strcmp(p, "/associated-certificates:search") == 0)
		return ep_assoc(r);
	if (strcmp(p, "/basic4:latest") == 0)
		return ep_basic4(r);
	return req_problem(r, 404, "NOT_FOUND", NULL);
}
