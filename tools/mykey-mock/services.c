/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Services and PPIDs (api §5.3, §5.8): a service sees only its PPID,
 * derived from the MyKey ID's internal subject ID, so it survives
 * renewals and ID changes and differs per service.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock.h"

int
h_services_create(struct mm_req *r)
{
	const char *name = NULL, *kind = NULL;
	char sid[40], t[32];
	uint8_t key[32];

	if (!req_scope(r, "services"))
		return req_problem(r, 403, "SCOPE_DENIED", "needs services");
	if (r->json == NULL || json_unpack(r->json, "{s:s,s:s}", "name", &name,
	    "kind", &kind) != 0)
		return req_problem(r, 400, "INVALID_REQUEST",
		    "name and kind (strings) required");
	if (strlen(name) == 0 || strlen(name) > 200 || (strcmp(kind,
	    "library") != 0 && strcmp(kind, "points") != 0 && strcmp(kind,
	    "other") != 0))
		return req_problem(r, 400, "INVALID_REQUEST",
		    "name 1-200 bytes; kind library, points or other");
	mm_new_id("svc_", sid, sizeof(sid));
	if (mm_random(key, sizeof(key)) != 0 || db_exec(r->db,
	    "INSERT INTO services(service_id, owner_client_id, name, kind, "
	    "ppid_key, created_at) VALUES(?,?,?,?,?,?)", "ssssbi", sid,
	    r->client_id, name, kind, key, sizeof(key), r->now) != 0)
		return req_problem(r, 500, "INTERNAL", NULL);
	mm_rfc3339(r->now, t);
	return req_ok(r, 201, json_pack("{s:s,s:s,s:s,s:s}", "service_id", sid,
	    "name", name, "kind", kind, "created_at", t));
}

/* 0 owned, -1 problem set (404 or 403).  key gets the PPID key. */
static int
service_owned(struct mm_req *r, const char *sid, uint8_t *key)
{
	struct mm_st *st;
	const void *kp;
	char owner[64] = "";
	size_t kn = 0;
	int found = 0;

	if (sid == NULL || strlen(sid) > 64)
		return req_problem(r, 404, "SERVICE_NOT_FOUND", NULL);
	st = db_q(r->db, "SELECT owner_client_id, ppid_key FROM services "
	    "WHERE service_id=?", "s", sid);
	if (st != NULL && db_row(st) == 1) {
		db_col(st, 0, owner, sizeof(owner));
		kp = db_blob(st, 1, &kn);
		if (key != NULL && kp != NULL && kn == 32)
			memcpy(key, kp, 32);
		found = 1;
	}
	db_end(st);
	if (!found)
		return req_problem(r, 404, "SERVICE_NOT_FOUND", NULL);
	if (strcmp(owner, r->client_id) != 0)
		return req_problem(r, 403, "SERVICE_NOT_OWNED", NULL);
	return 0;
}

int
h_links_put(struct mm_req *r)
{
	const char *sid = r->param[0], *sun = NULL;
	json_t *auth, *sunj;
	char serial[MM_SERIAL_MAX] = "", chl[64] = "", subject[40], ppid[27];
	char t[32], sidrec[96];
	uint8_t key[32];
	struct resolve res;
	struct mm_st *st;
	X509 *cert = NULL;
	int existed = 0, active = 0, rc = -1;

	memset(&res, 0, sizeof(res));
	auth = json_object_get(r->json, "auth");
	if (!json_is_object(auth))
		return req_problem(r, 400, "INVALID_REQUEST",
		    "auth proof required");
	if ((sunj = json_object_get(r->json, "service_user_number")) != NULL) {
		if (!json_is_string(sunj) || strlen(json_string_value(sunj)) ==
		    0 || strlen(json_string_value(sunj)) > 64)
			return req_problem(r, 400, "INVALID_REQUEST",
			    "service_user_number: string of 1-64 bytes");
		sun = json_string_value(sunj);
	}
	if (service_owned(r, sid, key) != 0 ||
	    consent_check(r, "jlis.validity jlis.linkage id.link") != 0 ||
	    jlis_faults(r) != 0)
		return -1;
	if ((res.superseded = json_array()) == NULL)
		return req_problem(r, 500, "INTERNAL", NULL);
	if (db_begin(r->db) != 0) {
		(void)req_problem(r, 500, "INTERNAL", NULL);
		goto done;
	}
	if (proof_check(r, auth, "service.link", "auth", NULL, sid, serial,
	    &cert, chl) != 0 || resolve_auth(r, serial, 0, NULL, &res) != 0)
		goto done;
	st = db_q(r->db, "SELECT subject_id FROM mykey_ids WHERE mykey_id=?",
	    "s", res.mykey_id);
	subject[0] = '\0';
	if (st != NULL && db_row(st) == 1)
		db_col(st, 0, subject, sizeof(subject));
	db_end(st);
	if (subject[0] == '\0') {
		(void)req_problem(r, 500, "INTERNAL", NULL);
		goto done;
	}
	mm_ppid(key, sizeof(key), subject, ppid);
	st = db_q(r->db, "SELECT unlinked_at IS NULL FROM service_links WHERE "
	    "service_id=? AND mykey_id=?", "ss", sid, res.mykey_id);
	if (st != NULL && db_row(st) == 1) {
		existed = 1;
		active = (int)db_int(st, 0);
	}
	db_end(st);
	if (db_exec(r->db, "INSERT INTO service_links(service_id, mykey_id, "
	    "ppid, service_user_number, state, linked_at) "
	    "VALUES(?1,?2,?3,?4,'active',?5) ON CONFLICT(service_id, mykey_id) "
	    "DO UPDATE SET state='active', unlinked_at=NULL, "
	    "service_user_number=coalesce(?4, "
	    "service_links.service_user_number), "
	    "linked_at=CASE WHEN service_links.unlinked_at IS NULL THEN "
	    "service_links.linked_at ELSE ?5 END", "ssssi", sid, res.mykey_id, ppid, sun, r->now) != 0) {
		(void)req_problem(r, 500, "INTERNAL", NULL);
		goto done;
	}
	/* handing the PPID to a service is a disclosure (api §5.10) */
	(void)snprintf(sidrec, sizeof(sidrec), "service:%s", sid);
	if (consent_store(r, res.mykey_id) != 0 || disclose(r, res.mykey_id,
	    sidrec, sun != NULL ? "[\"ppid\",\"service_user_number\"]" :
	    "[\"ppid\"]", "id.link") != 0) {
		(void)req_problem(r, 500, "INTERNAL", NULL);
		goto done;
	}
	st = db_q(r->db, "SELECT linked_at, service_user_number FROM "
	    "service_links WHERE service_id=? AND mykey_id=?", "ss", sid,
	    res.mykey_id);
	if (st != NULL && db_row(st) == 1) {
		mm_rfc3339(db_int(st, 0), t);
		rc = req_ok(r, existed && active ? 200 : 201,
		    json_pack("{s:s,s:s,s:s,s:s,s:b,s:i}", "service_id", sid,
		    "ppid", ppid, "state", "active", "linked_at", t,
		    "relinked", res.relinked, "linkage_hops", res.hops));
		if (rc == 0 && !db_null(st, 1))
			(void)json_object_set_new(r->resp,
			    "service_user_number", json_string((const char *)
			    db_text(st, 1)));
	} else {
		(void)req_problem(r, 500, "INTERNAL", NULL);
	}
	db_end(st);
done:
	rc = finish(r, rc, "service.link", res.mykey_id[0] ? res.mykey_id :
	    NULL, serial);
	X509_free(cert);
	json_decref(res.superseded);
	return rc;
}

/* A link's state mirrors its MyKey ID (api §5.7). */
int
h_links_get(struct mm_req *r)
{
	const char *sid = r->param[0], *ppid = r->param[1];
	struct mm_st *st;
	char t[32];
	json_t *o = NULL;

	if (service_owned(r, sid, NULL) != 0)
		return -1;
	st = db_q(r->db, "SELECT CASE WHEN l.state='revoked' THEN 'revoked' "
	    "ELSE m.state END, l.linked_at, l.service_user_number FROM "
	    "service_links l JOIN mykey_ids m USING(mykey_id) WHERE "
	    "l.service_id=? AND l.ppid=? AND l.unlinked_at IS NULL", "ss", sid,
	    ppid);
	if (st != NULL && db_row(st) == 1) {
		mm_rfc3339(db_int(st, 1), t);
		o = json_pack("{s:s,s:s,s:s,s:s}", "service_id", sid, "ppid",
		    ppid, "state", db_text(st, 0),
		    "linked_at", t);
		if (o != NULL && !db_null(st, 2))
			(void)json_object_set_new(o, "service_user_number",
			    json_string(db_text(st,
			    2)));
	}
	db_end(st);
	if (o == NULL)
		return req_problem(r, 404, "LINK_NOT_FOUND", NULL);
	return req_ok(r, 200, o);
}

int
h_links_delete(struct mm_req *r)
{
	const char *sid = r->param[0], *ppid = r->param[1];

	if (service_owned(r, sid, NULL) != 0)
		return -1;
	if (db_exec(r->db, "UPDATE service_links SET unlinked_at=?, "
	    "state='unlinked' WHERE service_id=? AND ppid=? AND unlinked_at IS "
	    "NULL", "iss", r->now, sid, ppid) != 0)
		return req_problem(r, 500, "INTERNAL", NULL);
	if (db_changes(r->db) == 0)
		return req_problem(r, 404, "LINK_NOT_FOUND", NULL);
	audit(r, "service.unlink", NULL, NULL, "OK");
	r->status = 204;
	json_decref(r->resp);
	r->resp = NULL;
	return 0;
}
