/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * MyKey ID endpoints other than create/verify (api §5.3): read, history,
 * disclosures (§5.10), sign-certificate push (Art. 18(5) association),
 * the signature-less :push (Art. 38の4), :check (現況確認), change and
 * user-requested revocation.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock.h"

static int
path_id(struct mm_req *r, const char **id)
{
	*id = r->param[0];
	if (*id == NULL || !mm_mykey_id_valid(*id))
		return req_problem(r, 400, "INVALID_MYKEY_ID_FORMAT", NULL);
	return 0;
}

/*
 * Tenant check of the reads without a proof (GET, history): a client sees
 * an ID linked to one of its services, or one the person proved to this
 * client (create, verify and the other proof-bearing operations that
 * succeeded, from the audit log).  Anything else answers exactly like an
 * unknown ID (404), so the reads are no oracle of which IDs exist.
 * 1 visible, 0 not, -1 error.
 */
static int
tenant_visible(struct mm_req *r, const char *id)
{
	struct mm_st *st;
	int f;

	/* CASE: an integer on both engines (PostgreSQL's EXISTS is boolean) */
	st = db_q(r->db, "SELECT CASE WHEN EXISTS(SELECT 1 FROM service_links "
	    "l JOIN services s USING(service_id) WHERE l.mykey_id=? AND "
	    "s.owner_client_id=? AND l.unlinked_at IS NULL) OR EXISTS("
	    "SELECT 1 FROM audit_log WHERE client_id=? AND mykey_id=? AND "
	    "result_code='OK' AND action IN('mykey.create','mykey.verify',"
	    "'mykey.change','mykey.push','mykey.check','mykey.link_sign',"
	    "'service.link','login.page')) THEN 1 ELSE 0 END", "ssss", id,
	    r->client_id, r->client_id, id);
	if (st == NULL)
		return -1;
	f = db_row(st) == 1 ? db_int(st, 0) != 0 : -1;
	db_end(st);
	return f;
}

/* 1 exists (state copied), 0 not, -1 error. */
static int
mykey_state(struct mm_req *r, const char *id, char *state)
{
	struct mm_st *st;
	int f = 0;

	st = db_q(r->db, "SELECT state FROM mykey_ids WHERE mykey_id=?", "s",
	    id);
	if (st == NULL)
		return -1;
	if (db_row(st) == 1) {
		db_col(st, 0, state, 20);
		f = 1;
	}
	db_end(st);
	return f;
}

static int
current(struct mm_req *r, const char *id, const char *type, char *serial)
{
	struct mm_st *st;
	int f = 0;

	serial[0] = '\0';
	st = db_q(r->db, "SELECT issuance_number FROM mykey_bindings WHERE "
	    "mykey_id=? AND cert_type=? AND unbound_at IS NULL", "ss", id,
	    type);
	if (st == NULL)
		return -1;
	if (db_row(st) == 1) {
		db_col(st, 0, serial, MM_SERIAL_MAX);
		f = 1;
	}
	db_end(st);
	return f;
}

int
h_mykey_get(struct mm_req *r)
{
	const char *id;
	struct mm_st *st;
	json_t *o = NULL, *b;
	char state[20], t1[32], t2[32], type[8], serial[MM_SERIAL_MAX];
	long long depth = 0;
	int vis;

	if (path_id(r, &id) != 0)
		return -1;
	if ((vis = tenant_visible(r, id)) <= 0)
		return vis < 0 ? req_problem(r, 500, "INTERNAL", NULL) :
		    req_problem(r, 404, "MYKEY_ID_NOT_FOUND", NULL);
	st = db_q(r->db, "SELECT state, created_at, updated_at FROM mykey_ids "
	    "WHERE mykey_id=?", "s", id);
	if (st != NULL && db_row(st) == 1) {
		db_col(st, 0, state, sizeof(state));
		mm_rfc3339(db_int(st, 1), t1);
		mm_rfc3339(db_int(st, 2), t2);
		o = json_pack("{s:s,s:s,s:s,s:s,s:{}}", "mykey_id", id, "state",
		    state, "created_at", t1, "updated_at", t2, "bindings");
	}
	db_end(st);
	if (o == NULL)
		return req_problem(r, 404, "MYKEY_ID_NOT_FOUND", NULL);
	b = json_object_get(o, "bindings");
	st = db_q(r->db, "SELECT cert_type, issuance_number, bound_at, via, "
	    "linkage_hops FROM mykey_bindings WHERE mykey_id=? AND unbound_at "
	    "IS NULL", "s", id);
	while (st != NULL && db_row(st) == 1) {
		db_col(st, 0, type, sizeof(type));
		db_col(st, 1, serial, sizeof(serial));
		mm_rfc3339(db_int(st, 2), t1);
		(void)json_object_set_new(b, type, json_pack("{s:o,s:s,s:s,"
		    "s:i}", "issuance_number", serial_json(r, serial),
		    "bound_at", t1, "via", db_text(st,
		    3), "linkage_hops", (int)db_int(st, 4)));
	}
	db_end(st);
	/* renewals seen between the first and the current auth cert */
	st = db_q(r->db, "SELECT coalesce(sum(linkage_hops),0) FROM "
	    "mykey_bindings WHERE mykey_id=? AND cert_type='auth'", "s", id);
	if (st != NULL && db_row(st) == 1)
		depth = db_int(st, 0);
	db_end(st);
	(void)json_object_set_new(o, "linkage_depth", json_integer(depth));
	return req_ok(r, 200, o);
}

int
h_mykey_history(struct mm_req *r)
{
	const char *id;
	struct mm_st *st;
	json_t *arr, *e;
	char state[20], t[32], serial[MM_SERIAL_MAX];
	int f;

	if (path_id(r, &id) != 0)
		return -1;
	if ((f = tenant_visible(r, id)) <= 0)
		return f < 0 ? req_problem(r, 500, "INTERNAL", NULL) :
		    req_problem(r, 404, "MYKEY_ID_NOT_FOUND", NULL);
	if ((f = mykey_state(r, id, state)) <= 0)
		return f < 0 ? req_problem(r, 500, "INTERNAL", NULL) :
		    req_problem(r, 404, "MYKEY_ID_NOT_FOUND", NULL);
	if ((arr = json_array()) == NULL)
		return req_problem(r, 500, "INTERNAL", NULL);
	st = db_q(r->db, "SELECT cert_type, issuance_number, bound_at, "
	    "unbound_at, unbind_reason, via, linkage_hops FROM mykey_bindings "
	    "WHERE mykey_id=? ORDER BY id", "s", id);
	while (st != NULL && db_row(st) == 1) {
		db_col(st, 1, serial, sizeof(serial));
		mm_rfc3339(db_int(st, 2), t);
		e = json_pack("{s:s,s:o,s:s,s:s,s:i}", "cert_type",
		    db_text(st, 0), "issuance_number",
		    serial_json(r, serial), "bound_at", t, "via",
		    db_text(st, 5), "linkage_hops",
		    (int)db_int(st, 6));
		if (e != NULL && !db_null(st, 3)) {
			mm_rfc3339(db_int(st, 3), t);
			(void)json_object_set_new(e, "unbound_at",
			    json_string(t));
			(void)json_object_set_new(e, "unbind_reason",
			    json_string(db_text(st,
			    4)));
		}
		(void)json_array_append_new(arr, e);
	}
	db_end(st);
	return req_ok(r, 200, json_pack("{s:s,s:s,s:o}", "mykey_id", id,
	    "state", state, "history", arr));
}

/*
 * The proof of a request without body comes base64url-encoded in
 * X-MyKey-Proof (api §5.10).  *out is a new reference.
 */
static int
header_proof(struct mm_req *r, json_t **out)
{
	const char *h = req_header(r, "X-MyKey-Proof");
	uint8_t *raw = NULL;
	size_t n;

	*out = NULL;
	if (r->json != NULL && json_object_get(r->json, "auth") != NULL) {
		*out = json_incref(json_object_get(r->json, "auth"));
		return 0;
	}
	if (h == NULL)
		return req_problem(r, 400, "INVALID_REQUEST",
		    "a mykey.verify proof is required (X-MyKey-Proof)");
	if (mm_b64_decode(h, 1, &raw, &n, 16384) != 0 || (*out =
	    json_loadb((const char *)raw, n, JSON_REJECT_DUPLICATES, NULL)) ==
	    NULL) {
		free(raw);
		return req_problem(r, 400, "INVALID_REQUEST",
		    "X-MyKey-Proof is not base64url JSON");
	}
	free(raw);
	return 0;
}

/*
 * Common start of proof-bearing ID operations: consent, J-LIS faults,
 * transaction, proof, resolution to the path's ID.  On success the
 * transaction is open.
 */
static int
id_proof(struct mm_req *r, json_t *proof, const char *purpose,
    const char *id, char *serial, struct resolve *res)
{
	X509 *cert = NULL;
	char chl[64] = "";
	int rc = -1;

	if (consent_check(r, "jlis.validity jlis.linkage") != 0 ||
	    jlis_faults(r) != 0)
		return -1;
	if (db_begin(r->db) != 0)
		return req_problem(r, 500, "INTERNAL", NULL);
	if (proof_check(r, proof, purpose, "auth", id, NULL, serial, &cert,
	    chl) != 0)
		goto out;
	if (resolve_auth(r, serial, 0, NULL, res) != 0)
		goto out;
	/* another person's proof learns nothing about this ID */
	if (strcmp(res->mykey_id, id) != 0) {
		(void)req_problem(r, 404, "MYKEY_ID_NOT_FOUND", NULL);
		goto out;
	}
	if (consent_store(r, id) != 0) {
		(void)req_problem(r, 500, "INTERNAL", NULL);
		goto out;
	}
	rc = 0;
out:
	X509_free(cert);
	return rc;
}

int
h_mykey_disclosures(struct mm_req *r)
{
	const char *id, *lim = req_arg(r, "limit"), *cur = req_arg(r, "cursor");
	char serial[MM_SERIAL_MAX] = "", t[32], did[40], next[40];
	struct resolve res;
	json_t *proof = NULL, *arr = NULL, *e, *items;
	struct mm_st *st;
	long long limit = 50, after = 0, last = 0;
	int n = 0, more = 0, rc = -1;

	memset(&res, 0, sizeof(res));
	if (path_id(r, &id) != 0)
		return -1;
	if (lim != NULL && (mm_parse_count(lim, 200, &limit) != 0 ||
	    limit < 1))
		return req_problem(r, 400, "INVALID_REQUEST", "limit");
	if (cur != NULL && (strncmp(cur, "dsc_", 4) != 0 ||
	    mm_parse_count(cur + 4, LLONG_MAX, &after) != 0))
		return req_problem(r, 400, "INVALID_REQUEST", "cursor");
	if (header_proof(r, &proof) != 0)
		return -1;
	if ((res.superseded = json_array()) == NULL || (arr = json_array()) ==
	    NULL) {
		rc = req_problem(r, 500, "INTERNAL", NULL);
		goto out;
	}
	if (id_proof(r, proof, "mykey.verify", id, serial, &res) != 0)
		goto done;
	st = db_q(r->db, "SELECT d.id, d.recipient, d.items, d.purpose, "
	    "d.consent_id, c.terms_version, d.disclosed_at, d.request_id FROM "
	    "disclosures d JOIN consents c USING(consent_id) WHERE "
	    "d.mykey_id=? AND d.id > ? ORDER BY d.id LIMIT ?", "sii", id, after,
	    limit + 1);
	while (st != NULL && db_row(st) == 1) {
		if (n == limit) {
			more = 1;	/* the (limit+1)th row exists */
			break;
		}
		last = db_int(st, 0);
		(void)snprintf(did, sizeof(did), "dsc_%lld", last);
		mm_rfc3339(db_int(st, 6), t);
		items = json_loads(db_text(st, 2), 0,
		    NULL);
		e = json_pack("{s:s,s:s,s:o,s:s,s:s,s:s,s:s,s:s}",
		    "disclosure_id", did, "recipient",
		    db_text(st, 1), "items",
		    items != NULL ? items : json_array(), "purpose",
		    db_text(st, 3), "consent_id",
		    db_text(st, 4), "terms_version",
		    db_text(st, 5), "disclosed_at", t,
		    "request_id", db_text(st, 7));
		(void)json_array_append_new(arr, e);
		n++;
	}
	if (more)
		(void)snprintf(next, sizeof(next), "dsc_%lld", last);
	else
		next[0] = '\0';
	db_end(st);
	rc = req_ok(r, 200, json_pack("{s:s,s:O,s:o}", "mykey_id", id,
	    "disclosures", arr, "next_cursor", next[0] ? json_string(next) :
	    json_null()));
done:
	rc = finish(r, rc, "mykey.disclosures", id, serial);
out:
	json_decref(arr);
	json_decref(proof);
	json_decref(res.superseded);
	return rc;
}

/* PUT /v1/mykey-ids/{id}/certificates/sign (api §5.3, §5.7). */
int
h_mykey_sign(struct mm_req *r)
{
	const char *id;
	json_t *auth, *sign;
	char serial[MM_SERIAL_MAX] = "", sserial[MM_SERIAL_MAX] = "";
	char assoc[MM_SERIAL_MAX], cur[MM_SERIAL_MAX], chl[64] = "";
	char other[9], ostate[20];
	struct resolve res;
	struct jlis_status st;
	X509 *cert = NULL, *scert = NULL;
	int f, rc = -1, changed = 0;

	memset(&res, 0, sizeof(res));
	if (path_id(r, &id) != 0)
		return -1;
	auth = json_object_get(r->json, "auth");
	sign = json_object_get(r->json, "sign");
	if (!json_is_object(auth) || !json_is_object(sign))
		return req_problem(r, 400, "INVALID_REQUEST",
		    "auth and sign proofs required");
	if (consent_check(r, "jlis.validity jlis.linkage") != 0 ||
	    jlis_faults(r) != 0)
		return -1;
	if ((res.superseded = json_array()) == NULL)
		return req_problem(r, 500, "INTERNAL", NULL);
	if (db_begin(r->db) != 0) {
		rc = req_problem(r, 500, "INTERNAL", NULL);
		goto out;
	}
	if (proof_check(r, auth, "mykey.link_sign", "auth", id, NULL, serial,
	    &cert, chl) != 0 || proof_check(r, sign, "mykey.link_sign",
	    "sign", id, NULL, sserial, &scert, chl) != 0)
		goto done;
	if (resolve_auth(r, serial, 0, NULL, &res) != 0)
		goto done;
	if (strcmp(res.mykey_id, id) != 0) {
		(void)req_problem(r, 404, "MYKEY_ID_NOT_FOUND", NULL);
		goto done;
	}
	if (jlis_status(r, "sign", sserial, &st) != 0) {
		(void)req_problem(r, 500, "INTERNAL", NULL);
		goto done;
	}
	if (status_problem(r, "sign", sserial, &st) != 0) {
		r->commit_on_error = 0;
		goto done;
	}
	/* Art. 18(5): J-LIS must confirm the pair */
	if ((f = jlis_assoc(r, "auth", serial, assoc)) < 0) {
		(void)req_problem(r, 500, "INTERNAL", NULL);
		goto done;
	}
	if (f == 0 || strcmp(assoc, sserial) != 0) {
		(void)req_problem(r, 409, "LINKAGE_CONFLICT",
		    "sign certificate is not associated with the auth "
		    "certificate");
		goto done;
	}
	if ((f = current(r, id, "sign", cur)) < 0) {
		(void)req_problem(r, 500, "INTERNAL", NULL);
		goto done;
	}
	if (!f || strcmp(cur, sserial) != 0) {
		struct mm_st *q = db_q(r->db, "SELECT mykey_id FROM "
		    "mykey_bindings WHERE issuance_number=? AND unbound_at IS "
		    "NULL", "s", sserial);

		other[0] = '\0';
		if (q != NULL && db_row(q) == 1)
			db_col(q, 0, other, sizeof(other));
		db_end(q);
		(void)ostate;
		if (other[0] != '\0') {
			(void)req_problem(r, 409, "LINKAGE_CONFLICT",
			    "bound to another MyKey ID");
			goto done;
		}
		if (bind_serial(r, id, "sign", sserial, "link_sign", 0) != 0) {
			(void)req_problem(r, 500, "INTERNAL", NULL);
			goto done;
		}
		changed = 1;
	}
	if (consent_store(r, id) != 0) {
		(void)req_problem(r, 500, "INTERNAL", NULL);
		goto done;
	}
	rc = req_ok(r, 200, json_pack("{s:s,s:s,s:b,s:{s:s,s:s}}", "mykey_id",
	    id, "state", res.state, "updated", changed, "sign",
	    "issuance_number", sserial, "status", st.status));
done:
	rc = finish(r, rc, "mykey.link_sign", id, sserial);
out:
	X509_free(cert);
	X509_free(scert);
	json_decref(res.superseded);
	return rc;
}

/* {issuance_number} or {certificate}: the serial of one pushed cert. */
static int
pushed_serial(struct mm_req *r, json_t *o, const char *type, char *serial)
{
	const char *s = NULL, *c = NULL;
	uint8_t *der = NULL;
	size_t n;
	X509 *x = NULL;
	enum mm_certerr ce;

	if (!json_is_object(o) || json_unpack(o, "{s?s,s?s}",
	    "issuance_number", &s, "certificate", &c) != 0 ||
	    (s == NULL) == (c == NULL))
		return req_problem(r, 400, "INVALID_REQUEST",
		    "give issuance_number or certificate");
	if (s != NULL) {
		if (!mm_serial_valid(s))
			return req_problem(r, 400, "INVALID_REQUEST",
			    "issuance_number");
		(void)snprintf(serial, MM_SERIAL_MAX, "%s", s);
		return 0;
	}
	if (mm_b64_decode(c, 0, &der, &n, MM_MAX_CERT) != 0)
		return req_problem(r, 400, "INVALID_REQUEST", "certificate");
	ce = cert_check(r->srv->ca, der, n, type, &x, serial);
	free(der);
	X509_free(x);
	if (ce == MM_CERT_INVALID)
		return req_problem(r, 400, "INVALID_CERTIFICATE", NULL);
	if (ce == MM_CERT_UNSUPPORTED)
		return req_problem(r, 400, "UNSUPPORTED_CERTIFICATE", type);
	if (ce == MM_CERT_UNTRUSTED)
		return req_problem(r, 401, "CHAIN_UNTRUSTED", NULL);
	return 0;
}

/* One side of :push; continuity with this ID or nothing (Art. 38の4). */
static int
push_one(struct mm_req *r, const char *id, const char *type,
    const char *serial, json_t *out)
{
	struct jlis_status st;
	char mk[9], state[20], cur[MM_SERIAL_MAX], assoc[MM_SERIAL_MAX];
	int f, hops = 0;

	if (jlis_status(r, type, serial, &st) != 0)
		return req_problem(r, 500, "INTERNAL", NULL);
	if (status_problem(r, type, serial, &st) != 0) {
		r->commit_on_error = 0;
		return -1;
	}
	if ((f = walk_back(r, type, serial, mk, state, &hops, NULL)) < 0)
		return -1;
	if (f == 0 && strcmp(type, "sign") == 0) {
		/* a new sign cert: continuity through the auth binding */
		if (current(r, id, "auth", cur) <= 0 ||
		    (f = jlis_assoc(r, "sign", serial, assoc)) < 0)
			return req_problem(r, 500, "INTERNAL", NULL);
		if (f > 0 && strcmp(assoc, cur) == 0) {
			(void)snprintf(mk, sizeof(mk), "%s", id);
			hops = 0;
		} else {
			f = 0;
		}
	}
	if (f == 0 || strcmp(mk, id) != 0)
		return req_problem(r, 409, "LINKAGE_CONFLICT",
		    "no continuity with a number bound to this MyKey ID");
	if ((f = current(r, id, type, cur)) < 0)
		return req_problem(r, 500, "INTERNAL", NULL);
	if (f && strcmp(cur, serial) == 0) {
		(void)json_object_set_new(out, type, json_pack("{s:s,s:b,s:s}",
		    "issuance_number", serial, "updated", 0, "status",
		    st.status));
		return 0;
	}
	if (bind_serial(r, id, type, serial, "push", hops) != 0)
		return req_problem(r, 500, "INTERNAL", NULL);
	(void)json_object_set_new(out, type, json_pack("{s:s,s:b,s:s,s:i}",
	    "issuance_number", serial, "updated", 1, "status", st.status,
	    "linkage_hops", hops));
	return 0;
}

int
h_mykey_push(struct mm_req *r)
{
	const char *id;
	json_t *a, *s, *o = NULL;
	char as[MM_SERIAL_MAX] = "", ss[MM_SERIAL_MAX] = "", state[20];
	int f, rc = -1;

	if (path_id(r, &id) != 0)
		return -1;
	a = json_object_get(r->json, "auth");
	s = json_object_get(r->json, "sign");
	if (a == NULL && s == NULL)
		return req_problem(r, 400, "INVALID_REQUEST",
		    "auth and/or sign required");
	if ((a != NULL && pushed_serial(r, a, "auth", as) != 0) ||
	    (s != NULL && pushed_serial(r, s, "sign", ss) != 0))
		return -1;
	if (consent_check(r, "jlis.validity jlis.linkage") != 0 ||
	    jlis_faults(r) != 0)
		return -1;
	if (db_begin(r->db) != 0)
		return req_problem(r, 500, "INTERNAL", NULL);
	if ((f = mykey_state(r, id, state)) <= 0) {
		(void)(f < 0 ? req_problem(r, 500, "INTERNAL", NULL) :
		    req_problem(r, 404, "MYKEY_ID_NOT_FOUND", NULL));
		goto done;
	}
	if (strcmp(state, "revoked") == 0) {
		(void)req_problem(r, 410, "MYKEY_ID_REVOKED", NULL);
		goto done;
	}
	if ((o = json_pack("{s:s}", "mykey_id", id)) == NULL)
		goto done;
	if (as[0] != '\0') {
		if (push_one(r, id, "auth", as, o) != 0)
			goto done;
		/* a relinked good auth cert makes the ID usable again */
		if (db_exec(r->db, "UPDATE mykey_ids SET state='active', "
		    "updated_at=? WHERE mykey_id=? AND state <> 'active'", "is",
		    r->now, id) != 0)
			goto done;
		(void)snprintf(state, sizeof(state), "active");
	}
	if (ss[0] != '\0' && push_one(r, id, "sign", ss, o) != 0)
		goto done;
	if (consent_store(r, id) != 0)
		goto done;
	(void)json_object_set_new(o, "state", json_string(state));
	rc = req_ok(r, 200, o);
	o = NULL;
done:
	if (rc != 0 && r->status < 400)
		(void)req_problem(r, 500, "INTERNAL", NULL);
	json_decref(o);
	return finish(r, rc, "mykey.push", id, as[0] ? as : ss);
}

static json_t *
status_json(struct mm_req *r, const char *type, const char *serial,
    struct jlis_status *st)
{
	char t[32], succ[MM_SERIAL_MAX];
	json_t *o;

	mm_rfc3339(st->not_after, t);
	o = json_pack("{s:o,s:s,s:s}", "issuance_number", serial_json(r,
	    serial), "status", st->status, "not_after", t);
	if (o != NULL && strcmp(st->status, "revoked") == 0) {
		mm_rfc3339(st->revoked_at, t);
		(void)json_object_set_new(o, "revocation_reason",
		    json_string(reason_name(st->reason)));
		(void)json_object_set_new(o, "revoked_at", json_string(t));
		(void)json_object_set_new(o, "successor_known",
		    json_boolean(jlis_new_search(r, type, serial, succ) > 0));
	}
	return o;
}

/* POST /v1/mykey-ids/{id}:check: 現況確認 of the bound certificates. */
int
h_mykey_check(struct mm_req *r)
{
	const char *id;
	char state[20], newstate[20], serial[MM_SERIAL_MAX], t[32];
	struct jlis_status st;
	json_t *o = NULL;
	int f, rc = -1;
	int i;

	if (path_id(r, &id) != 0)
		return -1;
	if (consent_check(r, "jlis.validity") != 0 || jlis_faults(r) != 0)
		return -1;
	if (db_begin(r->db) != 0)
		return req_problem(r, 500, "INTERNAL", NULL);
	if ((f = mykey_state(r, id, state)) <= 0) {
		(void)(f < 0 ? req_problem(r, 500, "INTERNAL", NULL) :
		    req_problem(r, 404, "MYKEY_ID_NOT_FOUND", NULL));
		goto done;
	}
	if (strcmp(state, "revoked") == 0) {
		(void)req_problem(r, 410, "MYKEY_ID_REVOKED", NULL);
		goto done;
	}
	mm_rfc3339(r->now, t);
	if ((o = json_pack("{s:s,s:s,s:s}", "mykey_id", id, "checked_at", t,
	    "check_method", "ocsp")) == NULL)
		goto fail;
	snprintf(newstate, sizeof(newstate), "%s", state);
	for (i = 0; i < 2; i++) {
		const char *type = i == 0 ? "auth" : "sign";

		if ((f = current(r, id, type, serial)) < 0)
			goto fail;
		if (f == 0)
			continue;
		if (jlis_status(r, type, serial, &st) != 0)
			goto fail;
		(void)json_object_set_new(o, type, status_json(r, type, serial,
		    &st));
		if (i != 0)
			continue;
		if (strcmp(st.status, "good") == 0)
			(void)snprintf(newstate, sizeof(newstate), "active");
		else if (strcmp(st.status, "expired") == 0 || st.reason == 4)
			(void)snprintf(newstate, sizeof(newstate),
			    "awaiting_relink");
		else if (st.reason != 3 && st.reason != 0)
			(void)snprintf(newstate, sizeof(newstate), "suspended");
	}
	if (strcmp(newstate, state) != 0 && db_exec(r->db, "UPDATE mykey_ids "
	    "SET state=?, updated_at=? WHERE mykey_id=?", "sis", newstate,
	    r->now, id) != 0)
		goto fail;
	if (consent_store(r, id) != 0)
		goto fail;
	(void)json_object_set_new(o, "state", json_string(newstate));
	rc = req_ok(r, 200, o);
	o = NULL;
	goto done;
fail:
	(void)req_problem(r, 500, "INTERNAL", NULL);
done:
	json_decref(o);
	return finish(r, rc, "mykey.check", id, NULL);
}

/* PATCH: change the ID string; PPIDs keep (subject_id is unchanged). */
int
h_mykey_patch(struct mm_req *r)
{
	const char *id, *nid = NULL;
	char serial[MM_SERIAL_MAX] = "";
	struct resolve res;
	struct mm_st *st;
	int taken, rc = -1;

	memset(&res, 0, sizeof(res));
	if (path_id(r, &id) != 0)
		return -1;
	if (r->json == NULL || json_unpack(r->json, "{s:s}", "new_mykey_id",
	    &nid) != 0)
		return req_problem(r, 400, "INVALID_REQUEST",
		    "new_mykey_id required");
	if (!mm_mykey_id_valid(nid))
		return req_problem(r, 400, "INVALID_MYKEY_ID_FORMAT", NULL);
	if ((res.superseded = json_array()) == NULL)
		return req_problem(r, 500, "INTERNAL", NULL);
	if (id_proof(r, json_object_get(r->json, "auth"), "mykey.verify", id,
	    serial, &res) != 0)
		goto done;
	st = db_q(r->db, "SELECT 1 FROM mykey_ids WHERE mykey_id=?1 UNION ALL "
	    "SELECT 1 FROM retired_mykey_ids WHERE mykey_id=?1", "s", nid);
	taken = st == NULL || db_row(st) == 1;
	db_end(st);
	if (taken) {
		(void)req_problem(r, 409, "MYKEY_ID_TAKEN", NULL);
		goto done;
	}
	if (db_exec(r->db, "UPDATE mykey_ids SET mykey_id=?, updated_at=? "
	    "WHERE mykey_id=?", "sis", nid, r->now, id) != 0 ||
	    db_exec(r->db, "INSERT INTO retired_mykey_ids VALUES(?)", "s",
	    id) != 0 ||
	    db_exec(r->db, "UPDATE consents SET mykey_id=? WHERE mykey_id=?",
	    "ss", nid, id) != 0 ||
	    db_exec(r->db, "UPDATE disclosures SET mykey_id=? WHERE "
	    "mykey_id=?", "ss", nid, id) != 0) {
		(void)req_problem(r, 500, "INTERNAL", NULL);
		goto done;
	}
	rc = req_ok(r, 200, json_pack("{s:s,s:s,s:s}", "mykey_id", nid,
	    "previous_mykey_id", id, "state", res.state));
done:
	rc = finish(r, rc, "mykey.change", nid, serial);
	json_decref(res.superseded);
	return rc;
}

/* DELETE: user-requested 失効; terminal, the string is never reused. */
int
h_mykey_delete(struct mm_req *r)
{
	const char *id;
	char serial[MM_SERIAL_MAX] = "", t[32];
	struct resolve res;
	json_t *proof = NULL;
	int rc = -1;

	memset(&res, 0, sizeof(res));
	if (path_id(r, &id) != 0)
		return -1;
	if (header_proof(r, &proof) != 0)
		return -1;
	if ((res.superseded = json_array()) == NULL) {
		json_decref(proof);
		return req_problem(r, 500, "INTERNAL", NULL);
	}
	if (id_proof(r, proof, "mykey.verify", id, serial, &res) != 0)
		goto done;
	if (db_exec(r->db, "UPDATE mykey_ids SET state='revoked', "
	    "updated_at=?1, revoked_at=?1 WHERE mykey_id=?2", "is", r->now,
	    id) != 0 ||
	    db_exec(r->db, "UPDATE mykey_bindings SET unbound_at=?, "
	    "unbind_reason='mykey_revoked' WHERE mykey_id=? AND unbound_at IS "
	    "NULL", "is", r->now, id) != 0 ||
	    db_exec(r->db, "UPDATE service_links SET state='revoked' WHERE "
	    "mykey_id=? AND unlinked_at IS NULL", "s", id) != 0) {
		(void)req_problem(r, 500, "INTERNAL", NULL);
		goto done;
	}
	mm_rfc3339(r->now, t);
	rc = req_ok(r, 200, json_pack("{s:s,s:s,s:s}", "mykey_id", id, "state",
	    "revoked", "revoked_at", t));
done:
	rc = finish(r, rc, "mykey.revoke", id, serial);
	json_decref(proof);
	json_decref(res.superseded);
	return rc;
}
