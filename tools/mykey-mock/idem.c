/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Idempotency-Key (api §5.1): the first answer to a key is stored and
 * replayed; the same key with another request is refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "mock.h"

int
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
void
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
