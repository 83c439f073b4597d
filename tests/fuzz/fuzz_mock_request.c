/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Fuzz mykey-mock's request handling in process, without sockets:
 * mock_handle() (tools/mykey-mock/dispatch.c) gets method, path, headers and
 * body as the MHD adapter would hand them over, on a fresh in-memory
 * SQLite database per run (copied from a template holding one client,
 * its token and one MyKey ID).  Invariants:
 *   - every answer is a status with a JSON body (problem+json for >= 400)
 *     or a raw body (DER, the login page's HTML), and never a 5xx;
 *   - a 4xx answer changed no stored row (the logs excepted: audit_log,
 *     jlis_query_log, idempotency), unless the handler says a state
 *     change is kept on purpose (commit_on_error).
 *
 * Input: one flag byte (bit 0: the admin listener, bit 1: the /login
 * listener), then "METHOD PATH\n", header lines "Name: value\n", an empty
 * line, the body.  PATH is the decoded path; "?k=v&..." are arguments.
 * Seeds (tests/fuzz/corpus/mock_request/) are requests recorded from the
 * mock_api suite, with this harness's token.
 */
#include <sys/stat.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "mock.h"
#include "fuzz.h"

#define FUZZ_TOKEN	"fuzz-token-0123456789"
#define FUZZ_ADMIN	"00112233445566778899aabbccddeeff"
#define MAX_HDR		32
#define MAX_ARG		16

static struct mm_server srv;
static struct mm_db *tmpl_db;	/* kept open: every run copies it */
static sqlite3 *tmpl;
static unsigned char tmpl_hash[32];	/* every run starts from it */

struct kv {
	const char	*k[MAX_HDR], *v[MAX_HDR];
	int		 n;
};

static struct kv hdrs, args;

static const char *
lookup(struct mm_req *r, int kind, const char *name)
{
	const struct kv *t = kind == 0 ? &hdrs : &args;
	int i;

	(void)r;
	for (i = 0; i < t->n; i++) {
		if (kind == 0 ? strcasecmp(t->k[i], name) == 0 :
		    strcmp(t->k[i], name) == 0)
			return t->v[i];
	}
	return NULL;
}

static void	state_hash(sqlite3 *h, unsigned char out[32]);

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p);
}

/*
 * The CA is made once per machine (key generation is slow) and shared by
 * every harness process: made in a private directory, then renamed into
 * place; a process that loses the race keeps its own and removes it.
 */
static int
ca_open(const char *dir)
{
	char mine[600];
	struct stat st;

	if (stat(dir, &st) == 0)
		return ca_load(dir, &srv.ca);
	(void)snprintf(mine, sizeof(mine), "%s.%ld", dir, (long)getpid());
	if (ca_load(mine, &srv.ca) != 0)
		return -1;
	if (rename(mine, dir) != 0)
		(void)nftw(mine, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static void
close_tmpl(void)
{
	db_close(&tmpl_db);
	tmpl = NULL;
}

static void
init_once(void)
{
	struct mm_db *db = NULL;
	char dir[512], id[64], secret[64], th[65];
	const char *tmp = getenv("TMPDIR");

	cfg_defaults(&srv.cfg);
	(void)snprintf(srv.admin_token, sizeof(srv.admin_token), "%s",
	    FUZZ_ADMIN);
	(void)snprintf(dir, sizeof(dir), "%s/jpki-fuzz-mock-ca",
	    tmp != NULL ? tmp : "/tmp");
	if (ca_open(dir) != 0)
		abort();
	if (db_open(":memory:", 0, &db) != 0 || db_schema(db) != 0 ||
	    auth_client_add(db, "municipality", "mykey services "
	    "issuance:read", "fuzz", id, secret) != 0)
		abort();
	mm_sha256_hex(FUZZ_TOKEN, strlen(FUZZ_TOKEN), th);
	if (db_exec(db, "INSERT INTO access_tokens(token_hash, client_id, "
	    "expires_at) VALUES(?,?,?)", "ssi", th, id,
	    (long long)time(NULL) + 86400 * 365) != 0 ||
	    db_exec(db, "INSERT INTO mykey_ids(mykey_id, subject_id, state, "
	    "created_at, updated_at) VALUES('MYK22223','subj-fuzz','active',"
	    "0,0)", "") != 0)
		abort();
	tmpl_db = db;
	if ((tmpl = store_sqlite_handle(db)) == NULL || atexit(close_tmpl) != 0)
		abort();
	state_hash(tmpl, tmpl_hash);
}

/* SHA-256 over every stored row of the state tables. */
static void
state_hash(sqlite3 *h, unsigned char out[32])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	sqlite3_stmt *t = NULL, *q;
	char sql[200];
	unsigned int n = 0;
	int i;

	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
	    sqlite3_prepare_v2(h, "SELECT name FROM sqlite_master WHERE "
	    "type='table' AND name NOT IN('audit_log','jlis_query_log',"
	    "'idempotency') ORDER BY name", -1, &t, NULL) != SQLITE_OK)
		abort();
	while (sqlite3_step(t) == SQLITE_ROW) {
		(void)snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\"",
		    (const char *)sqlite3_column_text(t, 0));
		if (sqlite3_prepare_v2(h, sql, -1, &q, NULL) != SQLITE_OK)
			abort();
		(void)EVP_DigestUpdate(md, sql, strlen(sql));
		while (sqlite3_step(q) == SQLITE_ROW) {
			for (i = 0; i < sqlite3_column_count(q); i++) {
				const void *b = sqlite3_column_blob(q, i);

				(void)EVP_DigestUpdate(md, b != NULL ? b : "",
				    (size_t)sqlite3_column_bytes(q, i));
				(void)EVP_DigestUpdate(md, "|", 1);
			}
		}
		(void)sqlite3_finalize(q);
	}
	(void)sqlite3_finalize(t);
	(void)EVP_DigestFinal_ex(md, out, &n);
	EVP_MD_CTX_free(md);
}

/* Split "Name: value" lines and "?k=v&k=v" in place. */
static void
parse_args(char *q)
{
	char *p, *eq;

	args.n = 0;
	while (q != NULL && *q != '\0' && args.n < MAX_ARG) {
		p = strchr(q, '&');
		if (p != NULL)
			*p++ = '\0';
		if ((eq = strchr(q, '=')) != NULL) {
			*eq = '\0';
			args.k[args.n] = q;
			args.v[args.n++] = eq + 1;
		}
		q = p;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mm_req *r;
	struct mm_db *db = NULL;
	sqlite3_backup *bk;
	unsigned char h1[32];
	char *in, *line, *nl, *sp, *q, *colon;
	size_t hl;
	int flags;

	if (size < 1 || size > 70000)
		return 0;
	if (tmpl == NULL)
		init_once();
	flags = data[0];
	if ((in = malloc(size)) == NULL)
		return 0;
	memcpy(in, data + 1, size - 1);
	in[size - 1] = '\0';
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		free(in);
		return 0;
	}
	/* request line */
	if ((nl = memchr(in, '\n', size - 1)) == NULL ||
	    (sp = memchr(in, ' ', (size_t)(nl - in))) == NULL)
		goto out;
	*nl = '\0';
	*sp = '\0';
	(void)snprintf(r->method, sizeof(r->method), "%s", in);
	if ((q = strchr(sp + 1, '?')) != NULL)
		*q++ = '\0';
	parse_args(q);
	if (strlen(sp + 1) >= sizeof(r->path))
		r->too_big = 1;
	else
		(void)snprintf(r->path, sizeof(r->path), "%s", sp + 1);
	/* headers up to an empty line; the rest is the body */
	hdrs.n = 0;
	line = nl + 1;
	while ((size_t)(line - in) < size - 1) {
		nl = memchr(line, '\n', size - 1 - (size_t)(line - in));
		if (nl == NULL)
			break;
		*nl = '\0';
		if (line == nl) {
			line = nl + 1;
			break;
		}
		if ((colon = strchr(line, ':')) != NULL && hdrs.n < MAX_HDR) {
			*colon = '\0';
			hdrs.k[hdrs.n] = line;
			hdrs.v[hdrs.n++] = colon + 1 + strspn(colon + 1, " ");
		}
		line = nl + 1;
	}
	hl = (size_t)(line - in);
	if (hl < size - 1) {
		r->body_len = size - 1 - hl;
		if (r->body_len > (size_t)srv.cfg.max_body) {
			r->too_big = 1;
			r->body_len = 0;
		} else if ((r->body = malloc(r->body_len + 1)) != NULL) {
			memcpy(r->body, data + 1 + hl, r->body_len);
			r->body[r->body_len] = '\0';
		} else {
			r->body_len = 0;
		}
	}
	/* a fresh database: the template copied into a new :memory: one */
	if (db_open(":memory:", 0, &db) != 0 ||
	    (bk = sqlite3_backup_init(store_sqlite_handle(db), "main", tmpl,
	    "main")) == NULL)
		abort();
	(void)sqlite3_backup_step(bk, -1);
	(void)sqlite3_backup_finish(bk);

	r->srv = &srv;
	r->db = db;
	r->lookup = lookup;
	r->admin = flags & 1;
	r->login = (flags >> 1) & 1;
	r->loopback = 1;
	mock_handle(r);
	if (r->drop)
		goto done;
	if (r->status < 100 || r->status > 599)
		abort();
	/* answered: a JSON body or a raw one, problem+json for errors */
	if (r->status >= 400 && r->raw == NULL && (r->resp == NULL ||
	    json_object_get(r->resp, "code") == NULL))
		abort();
	if (r->status >= 500)
		abort();
	if (r->status >= 400 && !r->commit_on_error) {
		state_hash(store_sqlite_handle(db), h1);
		if (memcmp(tmpl_hash, h1, sizeof(h1)) != 0)
			abort();
	}
done:
	db_close(&db);
out:
	mock_req_clear(r);
	free(r);
	free(in);
	return 0;
}
