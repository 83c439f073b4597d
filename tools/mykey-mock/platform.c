/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Platform core (api §5.1-§5.3, §5.7, §5.10): token, challenges, proofs,
 * consent and disclosure records, the linkage walk, MyKey ID creation and
 * :verify.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "mock.h"

static const char *purpose_tokens[] = {
	"jlis.validity", "jlis.linkage", "id.link", "basic4.latest",
};

static int
has_token(const char *list, const char *tok)
{
	const char *p = list;
	size_t n = strlen(tok);

	while ((p = strstr(p, tok)) != NULL) {
		if ((p == list || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return 1;
		p += n;
	}
	return 0;
}

/*
 * api §5.10: the consent record travels in the body ("consent") or, for a
 * request without body, base64url JSON in X-MyKey-Consent.  need is a
 * space-separated list of purpose tokens.
 */
int
consent_check(struct mm_req *r, const char *need)
{
	json_t *c = NULL, *hdr = NULL;
	const char *h, *id, *purpose, *terms, *agreed, *p;
	char accepted[256], tok[32];
	uint8_t *raw = NULL;
	size_t rawlen, n, i;
	long long at;
	int ok;
	int rc = -1;

	if (r->json != NULL)
		c = json_object_get(r->json, "consent");
	if (c == NULL && (h = req_header(r, "X-MyKey-Consent")) != NULL) {
		if (mm_b64_decode(h, 1, &raw, &rawlen, 4096) != 0 ||
		    (hdr = json_loadb((const char *)raw, rawlen,
		    JSON_REJECT_DUPLICATES, NULL)) == NULL) {
			rc = req_problem(r, 400, "CONSENT_REQUIRED",
			    "X-MyKey-Consent is not base64url JSON");
			goto out;
		}
		c = hdr;
	}
	if (!json_is_object(c) || json_unpack(c, "{s:s,s:s,s:s,s:s}",
	    "consent_id", &id, "purpose", &purpose, "terms_version", &terms,
	    "agreed_at", &agreed) != 0) {
		rc = req_problem(r, 400, "CONSENT_REQUIRED",
		    "a consent record is required");
		goto out;
	}
	if (!mm_uuid_valid(id) || strlen(purpose) >=
	    sizeof(r->consent_purpose) || strlen(terms) >=
	    sizeof(r->consent_terms) || mm_parse_rfc3339(agreed, &at) != 0 ||
	    at > r->now + 300) {
		rc = req_problem(r, 400, "CONSENT_REQUIRED",
		    "consent record incomplete or malformed");
		goto out;
	}
	/* every purpose token known, every needed token present */
	for (p = purpose; *p != '\0'; p += n) {
		p += strspn(p, " ");
		n = strcspn(p, " ");
		if (n == 0)
			break;
		ok = 0;
		for (i = 0; i < sizeof(purpose_tokens) /
		    sizeof(purpose_tokens[0]); i++) {
			if (strlen(purpose_tokens[i]) == n &&
			    memcmp(purpose_tokens[i], p, n) == 0)
				ok = 1;
		}
		if (!ok) {
			rc = req_problem(r, 400, "CONSENT_REQUIRED",
			    "unknown purpose token");
			goto out;
		}
	}
	for (p = need; *p != '\0'; p += n) {
		p += strspn(p, " ");
		n = strcspn(p, " ");
		if (n == 0 || n >= sizeof(tok))
			break;
		memcpy(tok, p, n);
		tok[n] = '\0';
		if (!has_token(purpose, tok)) {
			rc = req_problem(r, 400, "CONSENT_REQUIRED",
			    "purpose does not cover this transfer");
			goto out;
		}
	}
	(void)db_setting(r->db, "terms_versions", accepted, sizeof(accepted),
	    "mock-1");
	if (!has_token(accepted, terms)) {
		rc = req_problem(r, 400, "CONSENT_REQUIRED",
		    "unknown terms_version");
		goto out;
	}
	(void)snprintf(r->consent_id, sizeof(r->consent_id), "%s", id);
	(void)snprintf(r->consent_purpose, sizeof(r->consent_purpose), "%s",
	    purpose);
	(void)snprintf(r->consent_terms, sizeof(r->consent_terms), "%s", terms);
	r->consent_at = at;
	rc = 0;
out:
	json_decref(hdr);
	free(raw);
	return rc;
}

/* First use stores the record; later uses keep the first one. */
static int
consent_store_row(struct mm_req *r)
{
	if (r->consent_id[0] == '\0')
		return -1;
	return db_exec(r->db, "INSERT INTO consents(consent_id, client_id, "
	    "purpose, terms_version, agreed_at, first_seen_at) "
	    "VALUES(?,?,?,?,?,?) ON CONFLICT(consent_id) DO NOTHING", "ssssii",
	    r->consent_id, r->client_id, r->consent_purpose, r->consent_terms,
	    r->consent_at, r->now);
}

/* Link this request's consent and disclosures to the resolved ID. */
int
consent_store(struct mm_req *r, const char *mykey_id)
{
	if (consent_store_row(r) != 0)
		return -1;
	if (mykey_id == NULL)
		return 0;
	if (db_exec(r->db, "UPDATE consents SET mykey_id=? WHERE "
	    "consent_id=? AND mykey_id IS NULL", "ss", mykey_id,
	    r->consent_id) != 0)
		return -1;
	return db_exec(r->db, "UPDATE disclosures SET mykey_id=? WHERE "
	    "request_id=? AND mykey_id IS NULL", "ss", mykey_id, r->request_id);
}

int
disclose(struct mm_req *r, const char *mykey_id, const char *recipient,
    const char *items, const char *purpose)
{
	if (consent_store_row(r) != 0)
		return -1;
	return db_exec(r->db, "INSERT INTO disclosures(mykey_id, recipient, "
	    "items, purpose, consent_id, request_id, disclosed_at) "
	    "VALUES(?,?,?,?,?,?,?)", "ssssssi", mykey_id, recipient, items,
	    purpose, r->consent_id, r->request_id, r->now);
}

/* Audit rows keep sha256(serial), never the serial (api §5.1). */
void
audit(struct mm_req *r, const char *action, const char *mykey_id,
    const char *serial, const char *result)
{
	char h[65];

	if (serial != NULL && *serial != '\0')
		mm_sha256_hex(serial, strlen(serial), h);
	(void)db_exec(r->db, "INSERT INTO audit_log(ts, client_id, request_id, "
	    "action, mykey_id, serial_sha256, result_code) "
	    "VALUES(?,?,?,?,?,?,?)", "issssss", r->now, r->client_id,
	    r->request_id, action, mykey_id, serial != NULL && *serial !=
	    '\0' ? h : NULL, result);
}

/* ---- token and challenges -------------------------------------------- */

int
h_token(struct mm_req *r)
{
	json_t *j = NULL;
	const char *id = NULL, *secret = NULL, *gt = NULL, *h;
	char *basic = NULL, *colon, stored[160], calc[65], scopes[256];
	char *tok = NULL, th[65];
	uint8_t raw[32], *dec = NULL;
	size_t declen;
	struct mm_st *st;
	long long now = (long long)time(NULL);
	int found = 0, rc = -1;

	h = req_header(r, "Authorization");
	if (h != NULL && strncasecmp(h, "Basic ", 6) == 0) {
		if (mm_b64_decode(h + 6, 0, &dec, &declen, 512) != 0 ||
		    (basic = strndup((const char *)dec, declen)) == NULL ||
		    (colon = strchr(basic, ':')) == NULL) {
			rc = req_problem(r, 401, "CLIENT_AUTH_FAILED",
			    "bad Basic credentials");
			goto out;
		}
		*colon = '\0';
		id = basic;
		secret = colon + 1;
	}
	if (r->body_len > 0) {
		if ((j = json_loadb(r->body, r->body_len,
		    JSON_REJECT_DUPLICATES, NULL)) == NULL ||
		    !json_is_object(j) || json_unpack(j, "{s?s,s?s,s?s}",
		    "grant_type", &gt, "client_id", id != NULL ? NULL : &id,
		    "client_secret", secret != NULL ? NULL : &secret) != 0) {
			rc = req_problem(r, 400, "INVALID_REQUEST",
			    "body must be a JSON object of strings");
			goto out;
		}
	}
	if (gt != NULL && strcmp(gt, "client_credentials") != 0) {
		rc = req_problem(r, 400, "INVALID_REQUEST",
		    "grant_type must be client_credentials");
		goto out;
	}
	if (id == NULL || secret == NULL || strlen(id) > 64 ||
	    strlen(secret) > 128) {
		rc = req_problem(r, 401, "CLIENT_AUTH_FAILED",
		    "client_id and client_secret are required");
		goto out;
	}
	st = db_q(r->db, "SELECT secret_hash, scopes FROM clients WHERE "
	    "client_id=?", "s", id);
	if (st != NULL && db_row(st) == 1) {
		db_col(st, 0, stored, sizeof(stored));
		db_col(st, 1, scopes, sizeof(scopes));
		found = 1;
	}
	db_end(st);
	if (found && ((colon = strchr(stored, '$')) == NULL ||
	    (*colon = '\0', mm_secret_hash(secret, stored, calc)) != 0 ||
	    strlen(colon + 1) != 64 || CRYPTO_memcmp(calc, colon + 1, 64) != 0))
		found = 0;
	if (!found) {
		rc = req_problem(r, 401, "CLIENT_AUTH_FAILED",
		    "unknown client or wrong secret");
		goto out;
	}
	(void)mm_random(raw, sizeof(raw));
	if ((tok = mm_b64_encode(raw, sizeof(raw), 1)) == NULL)
		goto fail;
	mm_sha256_hex(tok, strlen(tok), th);
	if (db_begin(r->db) != 0 ||
	    db_exec(r->db, "DELETE FROM access_tokens WHERE expires_at < ?",
	    "i", now) != 0 ||
	    db_exec(r->db, "INSERT INTO access_tokens VALUES(?,?,?)", "ssi", th,
	    id, now + MM_TOKEN_TTL) != 0 || db_commit(r->db) != 0)
		goto fail;
	rc = req_ok(r, 200, json_pack("{s:s,s:s,s:i,s:s}", "access_token", tok,
	    "token_type", "Bearer", "expires_in", MM_TOKEN_TTL, "scope",
	    scopes));
	goto out;
fail:
	db_rollback(r->db);
	rc = req_problem(r, 500, "INTERNAL", NULL);
out:
	if (tok != NULL) {
		OPENSSL_cleanse(tok, strlen(tok));
		free(tok);
	}
	if (basic != NULL) {
		OPENSSL_cleanse(basic, strlen(basic));
		free(basic);
	}
	if (dec != NULL) {
		OPENSSL_cleanse(dec, declen);
		free(dec);
	}
	json_decref(j);
	return rc;
}

static const char *challenge_purposes[] = {
	"mykey.create", "mykey.verify", "mykey.link_sign", "service.link",
};

int
h_challenges(struct mm_req *r)
{
	const char *purpose = NULL, *mykey = NULL, *sid = NULL;
	char id[40], exp[32], tbs[512];
	uint8_t raw[32];
	char *nonce = NULL;
	size_t i;
	int ok = 0, rc;

	if (r->json == NULL || json_unpack(r->json, "{s:s,s?s,s?s}",
	    "purpose", &purpose, "mykey_id", &mykey, "service_id", &sid) != 0)
		return req_problem(r, 400, "INVALID_REQUEST",
		    "purpose (string) required; mykey_id, service_id strings");
	for (i = 0; i < sizeof(challenge_purposes) /
	    sizeof(challenge_purposes[0]); i++) {
		if (strcmp(purpose, challenge_purposes[i]) == 0)
			ok = 1;
	}
	if (!ok)
		return req_problem(r, 400, "INVALID_REQUEST", "unknown purpose");
	if (mykey != NULL && !mm_mykey_id_valid(mykey))
		return req_problem(r, 400, "INVALID_MYKEY_ID_FORMAT", NULL);
	if (sid != NULL && (strlen(sid) == 0 || strlen(sid) > 64 ||
	    strchr(sid, '|') != NULL))
		return req_problem(r, 400, "INVALID_REQUEST", "service_id");
	mm_new_id("chl_", id, sizeof(id));
	(void)mm_random(raw, sizeof(raw));
	if ((nonce = mm_b64_encode(raw, sizeof(raw), 1)) == NULL)
		return req_problem(r, 500, "INTERNAL", NULL);
	if (db_exec(r->db, "INSERT INTO challenges(challenge_id, client_id, "
	    "nonce, purpose, mykey_id, service_id, created_at, expires_at) "
	    "VALUES(?,?,?,?,?,?,?,?)", "ssssssii", id, r->client_id, nonce,
	    purpose, mykey, sid, r->now, r->now + MM_CHALLENGE_TTL) != 0) {
		free(nonce);
		return req_problem(r, 500, "INTERNAL", NULL);
	}
	mm_rfc3339(r->now + MM_CHALLENGE_TTL, exp);
	(void)snprintf(tbs, sizeof(tbs), "mykey-mock/v1|%s|%s|%s|%s|%s|%s", id,
	    nonce, purpose, r->client_id, mykey != NULL ? mykey : "-",
	    sid != NULL ? sid : "-");
	rc = req_ok(r, 201, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}",
	    "challenge_id", id, "nonce", nonce, "purpose", purpose,
	    "expires_at", exp, "tbs_format", "mykey-mock/v1", "tbs", tbs));
	free(nonce);
	return rc;
}

/* ---- proofs (api §5.2) ------------------------------------------------ */

int
proof_check(struct mm_req *r, json_t *proof, const char *purpose,
    const char *want_type, const char *mykey_id, const char *service_id,
    char *serial, X509 **cert, char *challenge_id)
{
	const char *cid, *cb64, *sb64, *alg = NULL;
	uint8_t *der = NULL, *sig = NULL;
	size_t derlen, siglen;
	struct mm_st *st;
	char client[64], nonce[64], cpurpose[32], cmykey[16], csid[80];
	char tbs[512];
	long long expires = 0, consumed = -1;
	int second = challenge_id[0] != '\0', found = 0, rc = -1;
	enum mm_certerr ce;

	*cert = NULL;
	serial[0] = '\0';
	if (!json_is_object(proof) || json_unpack(proof, "{s:s,s:s,s:s,s?s}",
	    "challenge_id", &cid, "certificate", &cb64, "signature", &sb64,
	    "signature_algorithm", &alg) != 0) {
		rc = req_problem(r, 400, "INVALID_REQUEST", "malformed proof");
		goto out;
	}
	if (alg != NULL && strcmp(alg, "sha256WithRSAEncryption") != 0) {
		rc = req_problem(r, 400, "UNSUPPORTED_CERTIFICATE",
		    "signature_algorithm");
		goto out;
	}
	if (strlen(cid) > 60) {
		rc = req_problem(r, 401, "CHALLENGE_NOT_FOUND", NULL);
		goto out;
	}
	if (mm_b64_decode(cb64, 0, &der, &derlen, MM_MAX_CERT) != 0) {
		rc = req_problem(r, 400, "INVALID_REQUEST",
		    "certificate is not base64 DER");
		goto out;
	}
	if (mm_b64_decode(sb64, 0, &sig, &siglen, 1024) != 0) {
		rc = req_problem(r, 400, "INVALID_REQUEST",
		    "signature is not base64");
		goto out;
	}
	ce = cert_check(r->srv->ca, der, derlen, want_type, cert, serial);
	if (ce != MM_CERT_OK) {
		rc = ce == MM_CERT_INVALID ? req_problem(r, 400,
		    "INVALID_CERTIFICATE", NULL) : ce == MM_CERT_UNSUPPORTED ?
		    req_problem(r, 400, "UNSUPPORTED_CERTIFICATE", want_type) :
		    req_problem(r, 401, "CHAIN_UNTRUSTED", NULL);
		goto out;
	}
	if (second && strcmp(cid, challenge_id) != 0) {
		rc = req_problem(r, 401, "CHALLENGE_MISMATCH",
		    "both proofs must use the same challenge");
		goto out;
	}
	st = db_q(r->db, "SELECT client_id, nonce, purpose, mykey_id, "
	    "service_id, expires_at, consumed_at FROM challenges WHERE "
	    "challenge_id=?", "s", cid);
	if (st != NULL && db_row(st) == 1) {
		found = 1;
		db_col(st, 0, client, sizeof(client));
		db_col(st, 1, nonce, sizeof(nonce));
		db_col(st, 2, cpurpose, sizeof(cpurpose));
		db_col(st, 3, cmykey, sizeof(cmykey));
		db_col(st, 4, csid, sizeof(csid));
		expires = db_int(st, 5);
		if (!db_null(st, 6))
			consumed = db_int(st, 6);
	}
	db_end(st);
	if (!found) {
		rc = req_problem(r, 401, "CHALLENGE_NOT_FOUND", NULL);
		goto out;
	}
	if (strcmp(client, r->client_id) != 0) {
		rc = req_problem(r, 401, "CHALLENGE_MISMATCH",
		    "challenge of another client");
		goto out;
	}
	if (!second && consumed >= 0) {
		rc = req_problem(r, 401, "CHALLENGE_CONSUMED", NULL);
		goto out;
	}
	if (r->now > expires) {
		rc = req_problem(r, 401, "CHALLENGE_EXPIRED", NULL);
		goto out;
	}
	/* a challenge bound to an ID or service serves only that one */
	if (strcmp(cpurpose, purpose) != 0 || (mykey_id != NULL &&
	    cmykey[0] != '\0' && strcmp(cmykey, mykey_id) != 0) ||
	    (service_id != NULL && csid[0] != '\0' &&
	    strcmp(csid, service_id) != 0)) {
		rc = req_problem(r, 401, "CHALLENGE_MISMATCH",
		    "purpose or binding differs");
		goto out;
	}
	(void)snprintf(tbs, sizeof(tbs), "mykey-mock/v1|%s|%s|%s|%s|%s|%s",
	    cid, nonce, cpurpose, client, cmykey[0] ? cmykey : "-",
	    csid[0] ? csid : "-");
	if (sig_verify(*cert, tbs, strlen(tbs), sig, siglen) != 0) {
		rc = req_problem(r, 401, "SIGNATURE_INVALID", NULL);
		goto out;
	}
	/* consumed once, whichever instance gets there first */
	if (!second && db_exec(r->db, "UPDATE challenges SET consumed_at=? "
	    "WHERE challenge_id=? AND consumed_at IS NULL", "is", r->now,
	    cid) != 0) {
		rc = req_problem(r, 500, "INTERNAL", NULL);
		goto out;
	}
	if (!second && db_changes(r->db) != 1) {
		rc = req_problem(r, 401, "CHALLENGE_CONSUMED", NULL);
		goto out;
	}
	(void)snprintf(challenge_id, 64, "%s", cid);
	rc = 0;
out:
	if (rc != 0) {
		X509_free(*cert);
		*cert = NULL;
	}
	free(der);
	free(sig);
	return rc;
}

/* ---- resolution (api §5.7) -------------------------------------------- */

/* Fault rules on the J-LIS paths this request will query (api §5.9.7). */
int
jlis_faults(struct mm_req *r)
{
	static const char *paths[] = {
		"/jlis/v1/status", "/jlis/v1/old-issuance-numbers:search",
		"/jlis/v1/associated-certificates:search",
	};
	int status, delay, drop, retry;
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		if (!fault_take(r->db, paths[i], &status, &delay, &drop,
		    &retry))
			continue;
		if (delay > 0)
			(void)usleep((useconds_t)delay * 1000u);
		if (drop || status > 0) {
			(void)snprintf(r->retry_after, sizeof(r->retry_after),
			    "%d", retry > 0 ? retry : 1);
			return req_problem(r, 502, "JLIS_UNAVAILABLE",
			    "the J-LIS simulator did not answer");
		}
	}
	return 0;
}

static int
set_state(struct mm_req *r, const char *mykey_id, const char *state)
{
	return db_exec(r->db, "UPDATE mykey_ids SET state=?, updated_at=? "
	    "WHERE mykey_id=? AND state <> 'revoked' AND state <> ?", "siss",
	    state, r->now, mykey_id, state);
}

static int
active_binding(struct mm_req *r, const char *type, const char *serial,
    char *mykey, char *state)
{
	struct mm_st *st;
	int found = 0;

	st = db_q(r->db, "SELECT b.mykey_id, m.state FROM mykey_bindings b "
	    "JOIN mykey_ids m USING(mykey_id) WHERE b.issuance_number=? AND "
	    "b.cert_type=? AND b.unbound_at IS NULL", "ss", serial, type);
	if (st == NULL)
		return -1;
	if (db_row(st) == 1) {
		db_col(st, 0, mykey, 9);
		db_col(st, 1, state, 20);
		found = 1;
	}
	db_end(st);
	return found;
}

/* Any binding, active or closed, newest first. */
static int
any_binding(struct mm_req *r, const char *type, const char *serial,
    char *mykey, char *state)
{
	struct mm_st *st;
	int found = 0;

	st = db_q(r->db, "SELECT b.mykey_id, m.state FROM mykey_bindings b "
	    "JOIN mykey_ids m USING(mykey_id) WHERE b.issuance_number=? AND "
	    "b.cert_type=? ORDER BY b.id DESC LIMIT 1", "ss", serial, type);
	if (st == NULL)
		return -1;
	if (db_row(st) == 1) {
		db_col(st, 0, mykey, 9);
		db_col(st, 1, state, 20);
		found = 1;
	}
	db_end(st);
	return found;
}

/* Status problems; state changes they cause are kept (commit_on_error). */
int
status_problem(struct mm_req *r, const char *type, const char *serial,
    struct jlis_status *st)
{
	char mykey[9], state[20], succ[MM_SERIAL_MAX], t[32];
	int bound, known;

	if (strcmp(st->status, "unknown") == 0)
		return req_problem(r, 401, "CHAIN_UNTRUSTED",
		    "certificate unknown to J-LIS");
	if (strcmp(st->status, "good") == 0)
		return 0;
	if ((bound = active_binding(r, type, serial, mykey, state)) < 0)
		return req_problem(r, 500, "INTERNAL", NULL);
	if (strcmp(st->status, "expired") == 0) {
		if (bound && strcmp(type, "auth") == 0 && set_state(r, mykey,
		    "awaiting_relink") != 0)
			return req_problem(r, 500, "INTERNAL", NULL);
		r->commit_on_error = 1;
		return req_problem(r, 401, "CERT_EXPIRED", NULL);
	}
	/* revoked: superseded waits for a relink, the rest suspends */
	if (bound && strcmp(type, "auth") == 0 && set_state(r, mykey,
	    st->reason == 4 ? "awaiting_relink" : st->reason == 1 ||
	    st->reason == 2 || st->reason == 5 || st->reason == 6 ?
	    "suspended" : state) != 0)
		return req_problem(r, 500, "INTERNAL", NULL);
	if ((known = jlis_new_search(r, type, serial, succ)) < 0)
		return req_problem(r, 500, "INTERNAL", NULL);
	r->commit_on_error = 1;
	(void)req_problem(r, 401, "CERT_REVOKED", NULL);
	mm_rfc3339(st->revoked_at, t);
	(void)json_object_set_new(r->resp, "revocation_reason",
	    json_string(reason_name(st->reason)));
	(void)json_object_set_new(r->resp, "revoked_at", json_string(t));
	(void)json_object_set_new(r->resp, "successor_known",
	    json_boolean(known > 0));
	return -1;
}

static int
new_mykey(struct mm_req *r, const char *requested, char *out)
{
	struct mm_st *st;
	char id[9], subject[37];
	int tries, taken;

	for (tries = 0; tries < 16; tries++) {
		if (requested != NULL)
			(void)snprintf(id, sizeof(id), "%s", requested);
		else
			mm_mykey_id_random(id);
		st = db_q(r->db, "SELECT 1 FROM mykey_ids WHERE mykey_id=?1 "
		    "UNION ALL SELECT 1 FROM retired_mykey_ids WHERE "
		    "mykey_id=?1", "s", id);
		if (st == NULL)
			return req_problem(r, 500, "INTERNAL", NULL);
		taken = db_row(st) == 1;
		db_end(st);
		if (taken && requested != NULL)
			return req_problem(r, 409, "MYKEY_ID_TAKEN", NULL);
		if (!taken)
			break;
	}
	if (tries == 16)
		return req_problem(r, 500, "INTERNAL", "no free MyKey ID");
	mm_uuid(subject);
	if (db_exec(r->db, "INSERT INTO mykey_ids(mykey_id, subject_id, state, "
	    "created_at, updated_at) VALUES(?,?,'active',?,?)", "ssii", id,
	    subject, r->now, r->now) != 0)
		return req_problem(r, 500, "INTERNAL", NULL);
	memcpy(out, id, 9);
	return 0;
}

int
bind_serial(struct mm_req *r, const char *mykey, const char *type,
    const char *serial, const char *via, int hops)
{
	if (db_exec(r->db, "UPDATE mykey_bindings SET unbound_at=?, "
	    "unbind_reason='superseded' WHERE mykey_id=? AND cert_type=? AND "
	    "unbound_at IS NULL", "iss", r->now, mykey, type) != 0 ||
	    db_exec(r->db, "INSERT INTO mykey_bindings(mykey_id, cert_type, "
	    "issuance_number, bound_at, via, linkage_hops) VALUES(?,?,?,?,?,?)",
	    "sssisi", mykey, type, serial, r->now, via, (long long)hops) != 0)
		return -1;
	return 0;
}

/*
 * Walk old<-new one J-LIS hop at a time (visited set, hop cap) until a
 * serial with a binding shows up.  1 found (mykey/state/hops set), 0 not
 * found, -1 problem set.
 */
int
walk_back(struct mm_req *r, const char *type, const char *serial,
    char *mykey, char *state, int *hops, json_t *superseded)
{
	char visited[MM_MAX_HOPS + 1][MM_SERIAL_MAX], cur[MM_SERIAL_MAX];
	char old[MM_SERIAL_MAX], cause[40];
	int n = 0, i, f;

	*hops = 0;
	(void)snprintf(cur, sizeof(cur), "%s", serial);
	(void)snprintf(visited[n++], MM_SERIAL_MAX, "%s", serial);
	if ((f = any_binding(r, type, cur, mykey, state)) != 0)
		return f < 0 ? req_problem(r, 500, "INTERNAL", NULL) : 1;
	for (;;) {
		if ((f = jlis_old_search(r, type, cur, old, cause,
		    sizeof(cause))) < 0)
			return req_problem(r, 500, "INTERNAL", NULL);
		if (f == 0)
			return 0;
		for (i = 0; i < n; i++) {
			if (strcmp(visited[i], old) == 0)
				return req_problem(r, 422,
				    "LINKAGE_DEPTH_EXCEEDED", "linkage cycle");
		}
		if (n > MM_MAX_HOPS)
			return req_problem(r, 422, "LINKAGE_DEPTH_EXCEEDED",
			    NULL);
		(void)snprintf(visited[n++], MM_SERIAL_MAX, "%s", old);
		(*hops)++;
		if (superseded != NULL)
			(void)json_array_append_new(superseded,
			    json_string(old));
		(void)snprintf(cur, sizeof(cur), "%s", old);
		if ((f = any_binding(r, type, cur, mykey, state)) < 0)
			return req_problem(r, 500, "INTERNAL", NULL);
		if (f)
			return 1;
	}
}

int
resolve_auth(struct mm_req *r, const char *serial, int create,
    const char *requested, struct resolve *out)
{
	int f;

	memset(out->mykey_id, 0, sizeof(out->mykey_id));
	out->hops = out->relinked = out->created = 0;
	if (jlis_status(r, "auth", serial, &out->st) != 0)
		return req_problem(r, 500, "INTERNAL", NULL);
	if (status_problem(r, "auth", serial, &out->st) != 0)
		return -1;
	if ((f = active_binding(r, "auth", serial, out->mykey_id,
	    out->state)) < 0)
		return req_problem(r, 500, "INTERNAL", NULL);
	if (f) {
		if (strcmp(out->state, "active") != 0) {
			if (set_state(r, out->mykey_id, "active") != 0)
				return req_problem(r, 500, "INTERNAL", NULL);
			(void)snprintf(out->state, sizeof(out->state),
			    "active");
		}
		return 0;
	}
	if ((f = walk_back(r, "auth", serial, out->mykey_id, out->state,
	    &out->hops, out->superseded)) < 0)
		return -1;
	if (f && strcmp(out->state, "revoked") == 0 && !create)
		return req_problem(r, 410, "MYKEY_ID_REVOKED", NULL);
	if (f && strcmp(out->state, "revoked") != 0) {
		/* one transaction: close, bind, record hops (api §5.7.4) */
		if (bind_serial(r, out->mykey_id, "auth", serial, "relink",
		    out->hops) != 0 || set_state(r, out->mykey_id,
		    "active") != 0)
			return req_problem(r, 500, "INTERNAL", NULL);
		(void)snprintf(out->state, sizeof(out->state), "active");
		out->relinked = 1;
		return 0;
	}
	if (!create)
		return req_problem(r, 404, "MYKEY_ID_NOT_FOUND", NULL);
	json_array_clear(out->superseded);
	out->hops = 0;
	if (new_mykey(r, requested, out->mykey_id) != 0)
		return -1;
	if (bind_serial(r, out->mykey_id, "auth", serial, "create", 0) != 0)
		return req_problem(r, 500, "INTERNAL", NULL);
	(void)snprintf(out->state, sizeof(out->state), "active");
	out->created = 1;
	return 0;
}

/* Mask serials for clients without issuance:read (api §5.3). */
json_t *
serial_json(struct mm_req *r, const char *serial)
{
	char m[MM_SERIAL_MAX + 8];
	size_t n = strlen(serial);

	if (req_scope(r, "issuance:read"))
		return json_string(serial);
	(void)snprintf(m, sizeof(m), "****%s", n > 4 ? serial + n - 4 : "");
	return json_string(m);
}

/* Shared ending: commit on success (or kept state change), else undo. */
int
finish(struct mm_req *r, int rc, const char *action, const char *mykey,
    const char *serial)
{
	if (rc == 0 || r->commit_on_error) {
		audit(r, action, mykey, serial, rc == 0 ? "OK" : r->code);
		if (db_commit(r->db) != 0) {
			json_decref(r->resp);
			r->resp = NULL;
			return req_problem(r, 500, "INTERNAL", NULL);
		}
		return rc;
	}
	db_rollback(r->db);
	audit(r, action, NULL, serial, r->code);
	return rc;
}

static int
login_common(struct mm_req *r, int create)
{
	json_t *auth, *req = NULL, *o;
	const char *requested = NULL;
	char serial[MM_SERIAL_MAX] = "", chl[64] = "", t[32];
	struct resolve res;
	X509 *cert = NULL;
	int rc = -1;

	memset(&res, 0, sizeof(res));
	auth = json_object_get(r->json, "auth");
	if (!json_is_object(auth))
		return req_problem(r, 400, "INVALID_REQUEST",
		    "auth proof required");
	if (create && (req = json_object_get(r->json,
	    "requested_mykey_id")) != NULL) {
		if (!json_is_string(req))
			return req_problem(r, 400, "INVALID_REQUEST",
			    "requested_mykey_id");
		requested = json_string_value(req);
		if (!mm_mykey_id_valid(requested))
			return req_problem(r, 400, "INVALID_MYKEY_ID_FORMAT",
			    NULL);
	}
	if (consent_check(r, "jlis.validity jlis.linkage") != 0 ||
	    jlis_faults(r) != 0)
		return -1;
	if ((res.superseded = json_array()) == NULL)
		return req_problem(r, 500, "INTERNAL", NULL);
	if (db_begin(r->db) != 0) {
		rc = req_problem(r, 503, "MAINTENANCE", "database busy");
		(void)snprintf(r->retry_after, sizeof(r->retry_after), "1");
		goto out;
	}
	if (proof_check(r, auth, create ? "mykey.create" : "mykey.verify",
	    "auth", NULL, NULL, serial, &cert, chl) != 0)
		goto done;
	if (resolve_auth(r, serial, create, requested, &res) != 0)
		goto done;
	if (consent_store(r, res.mykey_id) != 0) {
		(void)req_problem(r, 500, "INTERNAL", NULL);
		goto done;
	}
	mm_rfc3339(r->now, t);
	if (create) {
		o = json_pack("{s:s,s:s,s:b,s:b,s:i,s:{s:s,s:s}}", "mykey_id",
		    res.mykey_id, "state", res.state, "created",
		    res.created, "relinked", res.relinked, "linkage_hops",
		    res.hops, "auth", "issuance_number", serial, "status",
		    res.st.status);
	} else {
		char na[32], *s;
		size_t i;
		json_t *v, *sup = json_array();

		mm_rfc3339(res.st.not_after, na);
		json_array_foreach(res.superseded, i, v) {
			s = (char *)(uintptr_t)json_string_value(v);
			(void)json_array_append_new(sup, serial_json(r, s));
		}
		o = json_pack("{s:s,s:s,s:b,s:i,s:{s:s,s:s,s:s},s:o,s:s,s:s}",
		    "mykey_id", res.mykey_id, "state", res.state, "relinked",
		    res.relinked, "linkage_hops", res.hops, "auth",
		    "issuance_number", serial, "status", res.st.status,
		    "not_after", na, "superseded", sup, "checked_at", t,
		    "check_method", "ocsp");
	}
	rc = req_ok(r, create && res.created ? 201 : 200, o);
done:
	rc = finish(r, rc, create ? "mykey.create" : "mykey.verify",
	    res.mykey_id[0] ? res.mykey_id : NULL, serial);
out:
	json_decref(res.superseded);
	X509_free(cert);
	return rc;
}

int
h_mykey_create(struct mm_req *r)
{
	return login_common(r, 1);
}

int
h_mykey_verify(struct mm_req *r)
{
	return login_common(r, 0);
}
