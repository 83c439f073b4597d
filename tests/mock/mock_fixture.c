/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * mock_api: fixtures: clients, people with cards, the mock clock and
 * faults, and what the tests read from the server's database.
 */
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sqlite3.h>

#include "mock_api.h"

const char *dbpath;

int
new_client(struct client *c, const char *kind, const char *scopes)
{
	struct resp r;
	char s[512];

	memset(c, 0, sizeof(*c));
	(void)snprintf(s, sizeof(s), "%s", scopes);
	if (http("POST", "/admin/v1/clients", NULL, json_pack("{s:s,s:s}",
	    "kind", kind, "scopes", s), NULL, &r) != 0 || r.status != 201) {
		show(&r);
		resp_free(&r);
		return -1;
	}
	(void)snprintf(c->id, sizeof(c->id), "%s", jget(&r, "client_id"));
	(void)snprintf(c->secret, sizeof(c->secret), "%s",
	    jget(&r, "client_secret"));
	resp_free(&r);
	if (http("POST", "/v1/token", NULL, json_pack("{s:s,s:s,s:s}",
	    "grant_type", "client_credentials", "client_id", c->id,
	    "client_secret", c->secret), NULL, &r) != 0 || r.status != 200) {
		show(&r);
		resp_free(&r);
		return -1;
	}
	(void)snprintf(c->token, sizeof(c->token), "%s",
	    jget(&r, "access_token"));
	resp_free(&r);
	return 0;
}

static EVP_PKEY *
pem_key(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *k = b != NULL ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) :
	    NULL;

	BIO_free(b);
	return k;
}

void
card_clear(struct card *c)
{
	free(c->auth_cert);
	free(c->sign_cert);
	EVP_PKEY_free(c->auth_key);
	EVP_PKEY_free(c->sign_key);
	memset(c, 0, sizeof(*c));
}

int
card_from(const struct resp *r, struct card *c, const char *person)
{
	json_t *a = json_object_get(r->j, "auth"), *s = json_object_get(r->j,
	    "sign");

	card_clear(c);
	(void)snprintf(c->person, sizeof(c->person), "%s", person);
	(void)snprintf(c->card_id, sizeof(c->card_id), "%s", jget(r,
	    "card_id"));
	(void)snprintf(c->profile_dir, sizeof(c->profile_dir), "%s", jget(r,
	    "profile_dir"));
	if (!json_is_object(a))
		return -1;
	(void)snprintf(c->auth_serial, sizeof(c->auth_serial), "%s",
	    json_string_value(json_object_get(a, "issuance_number")));
	c->auth_cert = strdup(json_string_value(json_object_get(a,
	    "certificate")));
	c->auth_key = pem_key(json_string_value(json_object_get(a,
	    "private_key")));
	if (json_is_object(s)) {
		(void)snprintf(c->sign_serial, sizeof(c->sign_serial), "%s",
		    json_string_value(json_object_get(s, "issuance_number")));
		c->sign_cert = strdup(json_string_value(json_object_get(s,
		    "certificate")));
		c->sign_key = pem_key(json_string_value(json_object_get(s,
		    "private_key")));
	}
	return c->auth_key != NULL && c->auth_cert != NULL ? 0 : -1;
}

/* Synthetic person (fake name) and a first card. */
int
new_person_card(const char *name, struct card *c)
{
	struct resp r;
	char pid[48];
	int rc;

	if (http("POST", "/admin/v1/persons", NULL, json_pack("{s:s,s:s,s:s,"
	    "s:s}", "name", name, "birth_date", "19850412", "sex", "2",
	    "address", "東京都千代田区霞が関９－９－９"), NULL, &r) != 0 ||
	    r.status != 201) {
		show(&r);
		resp_free(&r);
		return -1;
	}
	(void)snprintf(pid, sizeof(pid), "%s", jget(&r, "person_id"));
	resp_free(&r);
	if (http("POST", "/admin/v1/cards", NULL, json_pack("{s:s}",
	    "person_id", pid), NULL, &r) != 0 || r.status != 201) {
		show(&r);
		resp_free(&r);
		return -1;
	}
	rc = card_from(&r, c, pid);
	resp_free(&r);
	return rc;
}

int
admin_card_op(const char *path, json_t *body, struct card *c)
{
	struct resp r;
	char person[48];
	int rc;

	(void)snprintf(person, sizeof(person), "%s", c->person);
	if (http("POST", path, NULL, body != NULL ? body : json_object(), NULL,
	    &r) != 0 || (r.status != 201 && r.status != 200)) {
		show(&r);
		resp_free(&r);
		return -1;
	}
	rc = card_from(&r, c, person);
	resp_free(&r);
	return rc;
}

int
renew(struct card *c)
{
	char path[160];

	(void)snprintf(path, sizeof(path), "/admin/v1/certificates/%s:renew",
	    c->auth_serial);
	return admin_card_op(path, NULL, c);
}

void
set_clock(const char *how, long long adv)
{
	struct resp r;

	(void)http("PUT", "/admin/v1/clock", NULL, how != NULL ?
	    json_pack("{s:b}", "real", 1) : json_pack("{s:I}", "advance_s",
	    (json_int_t)adv), NULL, &r);
	resp_free(&r);
}

void
add_fault(const char *glob, int status, int delay_ms, int drop, int count,
    int retry_after)
{
	struct resp r;

	(void)http("PUT", "/admin/v1/faults", NULL, json_pack("{s:s,s:i,s:i,"
	    "s:b,s:i,s:i}", "path_glob", glob, "status", status, "delay_ms",
	    delay_ms, "drop", drop, "count", count, "retry_after",
	    retry_after), NULL, &r);
	if (r.status != 201)
		show(&r);
	resp_free(&r);
}

long long
qlog_last(void)
{
	struct resp r;
	long long v = -1;

	if (http("GET", "/admin/v1/jlis/query-log?since_id=0", NULL, NULL,
	    NULL, &r) == 0)
		v = (long long)json_integer_value(json_object_get(r.j,
		    "last_id"));
	resp_free(&r);
	/* more than 1000 rows: page on */
	return v;
}

/*
 * One text value from PostgreSQL (check-mock-pg): psql, no shell, the
 * connection URI as given to the server.  Returns 0 and fills out.
 */
#define PSQL	"/usr/lib/postgresql/15/bin/psql"

static int
is_pg(void)
{
	return strncmp(dbpath, "postgresql://", 13) == 0 ||
	    strncmp(dbpath, "postgres://", 11) == 0;
}

static int
pg_scalar(const char *sql, char *out, size_t n)
{
	int fd[2], status;
	size_t o = 0;
	ssize_t k;
	pid_t pid;

	out[0] = '\0';
	if (pipe(fd) != 0)
		return -1;
	if ((pid = fork()) < 0) {
		(void)close(fd[0]);
		(void)close(fd[1]);
		return -1;
	}
	if (pid == 0) {
		(void)dup2(fd[1], 1);
		(void)close(fd[0]);
		(void)close(fd[1]);
		(void)execl(PSQL, "psql", "-X", "-q", "-At", "-v",
		    "ON_ERROR_STOP=1", "-d", dbpath, "-c", sql, (char *)NULL);
		_exit(127);
	}
	(void)close(fd[1]);
	while (o + 1 < n && (k = read(fd[0], out + o, n - o - 1)) > 0)
		o += (size_t)k;
	(void)close(fd[0]);
	out[o] = '\0';
	while (o > 0 && out[o - 1] == '\n')
		out[--o] = '\0';
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return -1;
	return 0;
}

/* Rows of jlis_query_log whose request id starts with prefix. */
long long
qlog_count_prefix(const char *prefix)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	long long n = -1;
	char like[64];

	(void)snprintf(like, sizeof(like), "%s-%%", prefix);
	if (is_pg()) {
		char sql[160], v[32];

		/* prefix: a constant of this program */
		(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM "
		    "jlis_query_log WHERE request_id LIKE '%s'", like);
		return pg_scalar(sql, v, sizeof(v)) == 0 ? strtoll(v, NULL,
		    10) : -1;
	}
	if (sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL) ==
	    SQLITE_OK && sqlite3_prepare_v2(db, "SELECT count(*) FROM "
	    "jlis_query_log WHERE request_id LIKE ?", -1, &st, NULL) ==
	    SQLITE_OK && sqlite3_bind_text(st, 1, like, -1, SQLITE_STATIC) ==
	    SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

/* A digest of the stored state that bad input must not change. */
char *
state_digest(void)
{
	static const char *q[] = {
		"SELECT count(*) || ':' || coalesce(group_concat(mykey_id || state), '') FROM mykey_ids",
		"SELECT count(*) || ':' || coalesce(sum(id), 0) || ':' || count(unbound_at) FROM mykey_bindings",
		"SELECT count(*) || ':' || coalesce(group_concat(ppid || state), '') FROM service_links",
		"SELECT count(*) FROM services",
		"SELECT count(*) FROM consents",
		"SELECT count(*) FROM disclosures",
		"SELECT count(*) FROM jlis_query_log",
		"SELECT count(*) || ':' || coalesce(group_concat(status), '') FROM certificates",
		"SELECT count(*) FROM clients",
		"SELECT count(consumed_at) FROM challenges",
	};
	sqlite3 *db = NULL;
	sqlite3_stmt *st;
	size_t i, o = 0, cap = 1 << 16;
	char *out = calloc(1, cap), sql[256], v[8192], *g;

	if (out != NULL && is_pg()) {
		/* the same digest; group_concat is string_agg there */
		for (i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
			(void)snprintf(sql, sizeof(sql), "%s", q[i]);
			if ((g = strstr(sql, "group_concat(")) != NULL) {
				char arg[64];
				const char *e = strchr(g, ')');

				(void)snprintf(arg, sizeof(arg), "%.*s",
				    (int)(e - g - 13), g + 13);
				(void)snprintf(sql, sizeof(sql), "%.*s"
				    "string_agg(%s, ',' ORDER BY %s)%s",
				    (int)(g - sql), q[i], arg, arg,
				    q[i] + (e - sql) + 1);
			}
			if (pg_scalar(sql, v, sizeof(v)) == 0 && o < cap)
				o += (size_t)snprintf(out + o, cap - o, "%s|",
				    v);
		}
		return out;
	}
	if (out == NULL || sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY,
	    NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return out;
	}
	for (i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		st = NULL;
		if (sqlite3_prepare_v2(db, q[i], -1, &st, NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW && o < cap)
			o += (size_t)snprintf(out + o, cap - o, "%s|",
			    (const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return out;
}

/* One count(*) from the server's database (SQLite or PostgreSQL). */
long long
count_sql(const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	long long n = -1;
	char v[32];

	if (is_pg())
		return pg_scalar(sql, v, sizeof(v)) == 0 ? strtoll(v, NULL,
		    10) : -1;
	if (sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL) ==
	    SQLITE_OK && sqlite3_prepare_v2(db, sql, -1, &st, NULL) ==
	    SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

long long
clock_unix(void)
{
	struct resp r;
	long long t = -1;

	if (http("GET", "/admin/v1/clock", NULL, NULL, NULL, &r) == 0 &&
	    r.status == 200)
		t = (long long)json_integer_value(json_object_get(r.j,
		    "unix"));
	resp_free(&r);
	return t;
}

long long
purge_now(const char *table)
{
	struct resp r;
	long long n = -1;

	if (http("POST", "/admin/v1/purge", NULL, json_object(), NULL, &r) ==
	    0 && r.status == 200)
		n = (long long)json_integer_value(json_object_get(
		    json_object_get(r.j, "deleted"), table));
	resp_free(&r);
	return n;
}
