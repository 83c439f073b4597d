/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * mock_api: the scenarios of mykey-mock-api.md §5.9 and retention.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "mock_api.h"

struct client A, B;

int
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

char sid[64], mykey1[16], ppid1[40];
struct card c1;

void
s1_happy(void)
{
	struct resp r;
	char path[160];

	(void)printf("# scenario 1: happy path\n");
	ok(new_person_card("試験　一郎", &c1) == 0, "issue a card");
	(void)do_login(&A, &c1, 1, &r);
	CHECK(&r, 201, NULL, "POST /v1/mykey-ids creates (201)");
	(void)snprintf(mykey1, sizeof(mykey1), "%s", jget(&r, "mykey_id"));
	ok(strlen(mykey1) == 8 && strcmp(jget(&r, "state"), "active") == 0,
	    "8-character MyKey ID, active");
	resp_free(&r);
	(void)do_login(&A, &c1, 1, &r);
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
	(void)do_login(&B, &c1, 0, &r);
	resp_free(&r);
	(void)snprintf(path, sizeof(path), "/v1/mykey-ids/%s", mykey1);
	(void)http("GET", path, B.token, NULL, NULL, &r);
	ok(r.status == 200 && strncmp(json_string_value(json_object_get(
	    json_object_get(json_object_get(r.j, "bindings"), "auth"),
	    "issuance_number")), "****", 4) == 0,
	    "after B's verify: visible, masked without issuance:read");
	resp_free(&r);
}

void
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
	(void)do_login(&A, &c, 1, &r);
	(void)snprintf(id, sizeof(id), "%s", jget(&r, "mykey_id"));
	resp_free(&r);
	(void)link_service(&A, &c, sid, NULL, &r);
	(void)snprintf(ppid, sizeof(ppid), "%s", jget(&r, "ppid"));
	resp_free(&r);
	ok(renew(&c) == 0 && renew(&c) == 0 && renew(&c) == 0,
	    "renew three times through admin");
	before = qlog_last();
	(void)do_login(&A, &c, 0, &r);
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
	(void)do_login(&A, &c, 0, &r);
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

void
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
	(void)do_login(&A, &c1, 0, &r);
	ok(r.status == 200 && strcmp(jget(&r, "mykey_id"), mykey1) == 0,
	    ":verify with the untouched auth cert");
	resp_free(&r);
	(void)push_sign(&A, &c1, mykey1, &r);
	ok(r.status == 200 && json_is_true(json_object_get(r.j, "updated")),
	    "pushing the new sign cert re-binds the sign side");
	resp_free(&r);
}

void
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
	(void)do_login(&A, &old, 0, &r);
	CHECK(&r, 401, "CERT_REVOKED", "old card: CERT_REVOKED");
	ok(strcmp(jget(&r, "revocation_reason"), "keyCompromise") == 0 &&
	    json_is_true(json_object_get(r.j, "successor_known")),
	    "keyCompromise, successor_known");
	resp_free(&r);
	(void)snprintf(path, sizeof(path), "/v1/mykey-ids/%s", mykey1);
	(void)http("GET", path, A.token, NULL, NULL, &r);
	ok(strcmp(jget(&r, "state"), "suspended") == 0, "state suspended");
	resp_free(&r);
	(void)do_login(&A, &c1, 0, &r);
	ok(r.status == 200 && strcmp(jget(&r, "mykey_id"), mykey1) == 0 &&
	    strcmp(jget(&r, "state"), "active") == 0,
	    "new card relinks: same ID, active");
	resp_free(&r);
	card_clear(&old);
}

void
s5_expiry(void)
{
	struct card c;
	struct resp r;
	char path[160], id[16];

	(void)printf("# scenario 5: expiry by the simulated clock\n");
	memset(&c, 0, sizeof(c));
	ok(new_person_card("試験　三郎", &c) == 0, "issue a card");
	(void)do_login(&A, &c, 1, &r);
	(void)snprintf(id, sizeof(id), "%s", jget(&r, "mykey_id"));
	resp_free(&r);
	set_clock(NULL, 6LL * 366 * 86400);
	(void)do_login(&A, &c, 0, &r);
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

void
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

void
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
	(void)do_login(&A, &c1, 0, &r);
	CHECK(&r, 503, "MAINTENANCE", "503 MAINTENANCE");
	ok(strcmp(r.retry_after, "7") == 0, "... honours Retry-After: 7");
	resp_free(&r);
	(void)do_login(&A, &c1, 0, &r);
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

void
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

void
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

/*
 * Issue 11: retention.  With the mock clock moved past each period, the
 * rows older than it go and the newer ones stay (docs "Retention").
 */
void
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
