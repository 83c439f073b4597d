/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * SQLite engine (store.h, api §5.8): WAL, foreign keys, busy handler,
 * versioned migrations and a per-connection statement cache.  Writers of
 * one process queue on a mutex; BEGIN IMMEDIATE orders them against other
 * processes (the CLI).
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "mock.h"

#define SQ_STMT_CACHE	160

struct sq_st {
	struct mm_st	 head;
	sqlite3_stmt	*s;
};

struct sq_db {
	struct mm_db	 head;
	sqlite3		*h;
	int		 ncache;
	struct {
		const char	*sql;	/* literal: compared by address */
		struct sq_st	 st;
	} cache[SQ_STMT_CACHE];
	struct sq_st	 scratch;	/* statement beyond the cache */
};

/* Migration 1 is the schema of the first release. */
static const char schema_v1[] =
"CREATE TABLE IF NOT EXISTS clients("
" client_id TEXT PRIMARY KEY, secret_hash TEXT NOT NULL,"
" kind TEXT NOT NULL CHECK(kind IN('municipality','business','government')),"
" scopes TEXT NOT NULL, name TEXT, created_at INTEGER NOT NULL);"
"CREATE TABLE IF NOT EXISTS access_tokens("
" token_hash TEXT PRIMARY KEY,"
" client_id TEXT NOT NULL REFERENCES clients(client_id),"
" expires_at INTEGER NOT NULL);"
"CREATE TABLE IF NOT EXISTS challenges("
" challenge_id TEXT PRIMARY KEY,"
" client_id TEXT NOT NULL REFERENCES clients(client_id),"
" nonce TEXT NOT NULL, purpose TEXT NOT NULL, mykey_id TEXT,"
" service_id TEXT, created_at INTEGER NOT NULL,"
" expires_at INTEGER NOT NULL, consumed_at INTEGER);"
"CREATE TABLE IF NOT EXISTS idempotency("
" client_id TEXT NOT NULL, idem_key TEXT NOT NULL,"
" request_sha256 TEXT NOT NULL,"
" state TEXT NOT NULL CHECK(state IN('in_flight','done')),"
" status_code INTEGER, response_body TEXT, created_at INTEGER NOT NULL,"
" PRIMARY KEY(client_id, idem_key));"
"CREATE TABLE IF NOT EXISTS mykey_ids("
" mykey_id TEXT PRIMARY KEY CHECK(length(mykey_id)=8),"
" subject_id TEXT NOT NULL UNIQUE,"
" state TEXT NOT NULL CHECK(state IN('active','awaiting_relink',"
"  'suspended','revoked')),"
" created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
" revoked_at INTEGER);"
"CREATE TABLE IF NOT EXISTS retired_mykey_ids(mykey_id TEXT PRIMARY KEY);"
"CREATE TABLE IF NOT EXISTS mykey_bindings("
" id INTEGER PRIMARY KEY,"
" mykey_id TEXT NOT NULL REFERENCES mykey_ids(mykey_id) ON UPDATE CASCADE,"
" cert_type TEXT NOT NULL CHECK(cert_type IN('auth','sign')),"
" issuance_number TEXT NOT NULL, bound_at INTEGER NOT NULL,"
" unbound_at INTEGER, unbind_reason TEXT,"
" via TEXT NOT NULL CHECK(via IN('create','relink','push','link_sign')),"
" linkage_hops INTEGER NOT NULL DEFAULT 0);"
"CREATE UNIQUE INDEX IF NOT EXISTS bind_active_type ON"
" mykey_bindings(mykey_id, cert_type) WHERE unbound_at IS NULL;"
"CREATE UNIQUE INDEX IF NOT EXISTS bind_active_serial ON"
" mykey_bindings(issuance_number) WHERE unbound_at IS NULL;"
"CREATE INDEX IF NOT EXISTS bind_serial ON mykey_bindings(issuance_number);"
"CREATE INDEX IF NOT EXISTS bind_mykey ON mykey_bindings(mykey_id);"
"CREATE TABLE IF NOT EXISTS services("
" service_id TEXT PRIMARY KEY,"
" owner_client_id TEXT NOT NULL REFERENCES clients(client_id),"
" name TEXT NOT NULL, kind TEXT NOT NULL, ppid_key BLOB NOT NULL,"
" created_at INTEGER NOT NULL);"
"CREATE TABLE IF NOT EXISTS service_links("
" service_id TEXT NOT NULL REFERENCES services(service_id),"
" mykey_id TEXT NOT NULL REFERENCES mykey_ids(mykey_id) ON UPDATE CASCADE,"
" ppid TEXT NOT NULL UNIQUE, service_user_number TEXT,"
" state TEXT NOT NULL, linked_at INTEGER NOT NULL, unlinked_at INTEGER,"
" PRIMARY KEY(service_id, mykey_id));"
"CREATE TABLE IF NOT EXISTS audit_log("
" id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, client_id TEXT,"
" request_id TEXT, action TEXT NOT NULL, mykey_id TEXT,"
" serial_sha256 TEXT, result_code TEXT NOT NULL);"
"CREATE INDEX IF NOT EXISTS audit_client ON audit_log(client_id, mykey_id);"
"CREATE TABLE IF NOT EXISTS consents("
" consent_id TEXT PRIMARY KEY,"
" client_id TEXT NOT NULL REFERENCES clients(client_id),"
" mykey_id TEXT, purpose TEXT NOT NULL, terms_version TEXT NOT NULL,"
" agreed_at INTEGER NOT NULL, first_seen_at INTEGER NOT NULL);"
"CREATE TABLE IF NOT EXISTS disclosures("
" id INTEGER PRIMARY KEY, mykey_id TEXT, recipient TEXT NOT NULL,"
" items TEXT NOT NULL, purpose TEXT NOT NULL,"
" consent_id TEXT NOT NULL REFERENCES consents(consent_id),"
" request_id TEXT NOT NULL, disclosed_at INTEGER NOT NULL);"
"CREATE INDEX IF NOT EXISTS disc_mykey ON disclosures(mykey_id, id);"
"CREATE INDEX IF NOT EXISTS disc_req ON disclosures(request_id);"
"CREATE TABLE IF NOT EXISTS persons("
" person_id TEXT PRIMARY KEY, name TEXT NOT NULL,"
" birth_date TEXT NOT NULL, sex TEXT NOT NULL CHECK(sex IN('1','2','9')),"
" address TEXT NOT NULL, mynumber TEXT NOT NULL,"
" updated_at INTEGER NOT NULL);"
"CREATE TABLE IF NOT EXISTS cards("
" card_id TEXT PRIMARY KEY,"
" person_id TEXT NOT NULL REFERENCES persons(person_id),"
" issued_at INTEGER NOT NULL, state TEXT NOT NULL, profile_dir TEXT);"
"CREATE TABLE IF NOT EXISTS certificates("
" issuance_number TEXT PRIMARY KEY,"
" cert_type TEXT NOT NULL CHECK(cert_type IN('auth','sign')),"
" person_id TEXT NOT NULL REFERENCES persons(person_id),"
" card_id TEXT NOT NULL REFERENCES cards(card_id),"
" subject_cn TEXT, not_before INTEGER NOT NULL,"
" not_after INTEGER NOT NULL, der BLOB NOT NULL,"
" status TEXT NOT NULL CHECK(status IN('good','revoked')),"
" revoked_at INTEGER, revocation_reason INTEGER);"
"CREATE INDEX IF NOT EXISTS cert_card ON certificates(card_id);"
"CREATE TABLE IF NOT EXISTS cert_linkage("
" old_issuance_number TEXT NOT NULL UNIQUE"
"  REFERENCES certificates(issuance_number),"
" new_issuance_number TEXT NOT NULL UNIQUE"
"  REFERENCES certificates(issuance_number),"
" cert_type TEXT NOT NULL, cause TEXT NOT NULL, linked_at INTEGER NOT NULL,"
" CHECK(old_issuance_number <> new_issuance_number));"
"CREATE TABLE IF NOT EXISTS jlis_query_log("
" id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, kind TEXT NOT NULL,"
" issuance_number TEXT, result TEXT NOT NULL, request_id TEXT);"
"CREATE TABLE IF NOT EXISTS sim_settings(key TEXT PRIMARY KEY, value TEXT);"
"CREATE TABLE IF NOT EXISTS faults("
" id INTEGER PRIMARY KEY, path_glob TEXT NOT NULL, status INTEGER,"
" delay_ms INTEGER NOT NULL DEFAULT 0, drop_conn INTEGER NOT NULL DEFAULT 0,"
" retry_after INTEGER NOT NULL DEFAULT 0, remaining INTEGER NOT NULL);";

/*
 * Migration 2 (issue 11): indexes for lookups by person and for the
 * retention purge (purge.c), which deletes by age.
 */
static const char schema_v2[] =
"CREATE INDEX IF NOT EXISTS card_person ON cards(person_id);"
"CREATE INDEX IF NOT EXISTS cert_person ON certificates(person_id);"
"CREATE INDEX IF NOT EXISTS token_expiry ON access_tokens(expires_at);"
"CREATE INDEX IF NOT EXISTS chl_expiry ON challenges(expires_at);"
"CREATE INDEX IF NOT EXISTS idem_created ON idempotency(created_at);"
"CREATE INDEX IF NOT EXISTS audit_ts ON audit_log(ts);"
"CREATE INDEX IF NOT EXISTS jlisq_ts ON jlis_query_log(ts);"
"CREATE INDEX IF NOT EXISTS disc_at ON disclosures(disclosed_at);";

static const struct store_migration migrations[] = {
	{ 1, schema_v1 },
	{ 2, schema_v2 },
};

static int
bindv(sqlite3_stmt *st, const char *fmt, va_list ap)
{
	int i, rc = SQLITE_OK;
	const char *s;
	const void *p;
	size_t n;

	for (i = 1; fmt != NULL && *fmt != '\0' && rc == SQLITE_OK;
	    fmt++, i++) {
		switch (*fmt) {
		case 's':
			s = va_arg(ap, const char *);
			rc = s == NULL ? sqlite3_bind_null(st, i) :
			    sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
			break;
		case 'i':
			rc = sqlite3_bind_int64(st, i,
			    (sqlite3_int64)va_arg(ap, long long));
			break;
		case 'b':
			p = va_arg(ap, const void *);
			n = va_arg(ap, size_t);
			rc = sqlite3_bind_blob64(st, i, p, (sqlite3_uint64)n,
			    SQLITE_TRANSIENT);
			break;
		default:
			rc = sqlite3_bind_null(st, i);
			break;
		}
	}
	return rc == SQLITE_OK ? 0 : -1;
}

static struct sq_st *
prep(struct sq_db *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int i;

	for (i = 0; i < db->ncache; i++) {
		if (db->cache[i].sql == sql) {
			st = db->cache[i].st.s;
			(void)sqlite3_reset(st);
			(void)sqlite3_clear_bindings(st);
			return &db->cache[i].st;
		}
	}
	if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
	    NULL) != SQLITE_OK) {
		mm_log("db: prepare failed: %s", sqlite3_errmsg(db->h));
		return NULL;
	}
	if (db->ncache < SQ_STMT_CACHE) {
		db->cache[db->ncache].sql = sql;
		db->cache[db->ncache].st.head.db = &db->head;
		db->cache[db->ncache].st.s = st;
		return &db->cache[db->ncache++].st;
	}
	/* beyond the cache: one uncached statement at a time */
	if (db->scratch.s != NULL)
		(void)sqlite3_finalize(db->scratch.s);
	db->scratch.head.db = &db->head;
	db->scratch.s = st;
	return &db->scratch;
}

static struct mm_st *
sq_q(struct mm_db *d, const char *sql, const char *fmt, va_list ap)
{
	struct sq_db *db = (struct sq_db *)d;
	struct sq_st *st;

	if ((st = prep(db, sql)) == NULL)
		return NULL;
	if (bindv(st->s, fmt, ap) != 0) {
		(void)sqlite3_reset(st->s);
		(void)sqlite3_clear_bindings(st->s);
		return NULL;
	}
	return &st->head;
}

static int
sq_row(struct mm_st *s)
{
	struct sq_st *st = (struct sq_st *)s;
	int rc = sqlite3_step(st->s);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	mm_log("db: step failed: %s",
	    sqlite3_errmsg(((struct sq_db *)s->db)->h));
	return -1;
}

static const char *
sq_text(struct mm_st *s, int i)
{
	return (const char *)sqlite3_column_text(((struct sq_st *)s)->s, i);
}

static long long
sq_i64(struct mm_st *s, int i)
{
	return (long long)sqlite3_column_int64(((struct sq_st *)s)->s, i);
}

static const void *
sq_blob(struct mm_st *s, int i, size_t *n)
{
	sqlite3_stmt *st = ((struct sq_st *)s)->s;
	const void *p = sqlite3_column_blob(st, i);

	*n = (size_t)sqlite3_column_bytes(st, i);
	return p;
}

static void
sq_end(struct mm_st *s)
{
	sqlite3_stmt *st = ((struct sq_st *)s)->s;

	(void)sqlite3_reset(st);
	(void)sqlite3_clear_bindings(st);
}

static int
sq_run(struct sq_db *db, const char *sql)
{
	if (sqlite3_exec(db->h, sql, NULL, NULL, NULL) != SQLITE_OK) {
		mm_log("db: %s failed: %s", sql, sqlite3_errmsg(db->h));
		return -1;
	}
	return 0;
}

static void
reset_all(struct sq_db *db)
{
	int i;

	for (i = 0; i < db->ncache; i++)
		(void)sqlite3_reset(db->cache[i].st.s);
}

/*
 * Writers of this process queue on a mutex (woken in order) instead of
 * polling SQLite's lock; other processes (the CLI) still meet the busy
 * handler.  One write transaction per thread at a time.
 */
static pthread_mutex_t write_mu = PTHREAD_MUTEX_INITIALIZER;

static int
sq_begin(struct mm_db *d)
{
	struct sq_db *db = (struct sq_db *)d;

	reset_all(db);
	(void)pthread_mutex_lock(&write_mu);
	if (sq_run(db, "BEGIN IMMEDIATE") != 0) {
		(void)pthread_mutex_unlock(&write_mu);
		return -1;
	}
	d->in_tx = 1;
	return 0;
}

static void
sq_rollback(struct mm_db *d)
{
	struct sq_db *db = (struct sq_db *)d;

	reset_all(db);
	if (!sqlite3_get_autocommit(db->h))
		(void)sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	if (d->in_tx) {
		d->in_tx = 0;
		(void)pthread_mutex_unlock(&write_mu);
	}
}

static int
sq_commit(struct mm_db *d)
{
	struct sq_db *db = (struct sq_db *)d;

	reset_all(db);
	if (sq_run(db, "COMMIT") != 0) {
		sq_rollback(d);
		return -1;
	}
	if (d->in_tx) {
		d->in_tx = 0;
		(void)pthread_mutex_unlock(&write_mu);
	}
	return 0;
}

static long long
sq_changes(struct mm_db *d)
{
	return sqlite3_changes(((struct sq_db *)d)->h);
}

static long long
sq_total_changes(struct mm_db *d)
{
	return sqlite3_total_changes(((struct sq_db *)d)->h);
}

static long long
sq_last_id(struct mm_db *d)
{
	return (long long)sqlite3_last_insert_rowid(((struct sq_db *)d)->h);
}

static int
sq_healthy(struct mm_db *d)
{
	return 1;
}

/*
 * Busy handler: short fixed sleeps instead of SQLite's default back-off
 * (which sleeps up to 100 ms per retry and dominated p99 under load);
 * gives up after about 5 s, like busy_timeout=5000.
 */
static int
on_busy(void *u, int n)
{
	if (n >= 25000)
		return 0;
	(void)usleep(n < 50 ? 20 : 200);
	return 1;
}

static void
sq_close(struct mm_db *d)
{
	struct sq_db *db = (struct sq_db *)d;
	int i;

	for (i = 0; i < db->ncache; i++)
		(void)sqlite3_finalize(db->cache[i].st.s);
	if (db->scratch.s != NULL)
		(void)sqlite3_finalize(db->scratch.s);
	(void)sqlite3_close(db->h);
	free(db);
}

static int
sq_open(const char *path, int sync_full, struct mm_db **out)
{
	struct sq_db *db;

	*out = NULL;
	if ((db = calloc(1, sizeof(*db))) == NULL)
		return -1;
	db->head.ops = &store_sqlite;
	if (sqlite3_open_v2(path, &db->h, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		mm_log("db: cannot open %s: %s", path, db->h != NULL ?
		    sqlite3_errmsg(db->h) : "no memory");
		goto fail;
	}
	(void)sqlite3_busy_handler(db->h, on_busy, NULL);
	if (sq_run(db, "PRAGMA journal_mode=WAL;PRAGMA foreign_keys=ON;") != 0 ||
	    sq_run(db, sync_full == 1 ? "PRAGMA synchronous=FULL" :
	    "PRAGMA synchronous=NORMAL") != 0)
		goto fail;
	*out = &db->head;
	return 0;
fail:
	sq_close(&db->head);
	return -1;
}

/*
 * Tests only (tests/fuzz/fuzz_mock_request.c copies a template database
 * into each run's): the SQLite connection under a database of this
 * engine, NULL under another.
 */
void *
store_sqlite_handle(struct mm_db *d)
{
	return d != NULL && d->ops == &store_sqlite ?
	    (void *)((struct sq_db *)d)->h : NULL;
}

static int
sq_run_script(struct mm_db *d, const char *sql)
{
	return sq_run((struct sq_db *)d, sql);
}

/* Apply the migrations above the stored version, in one transaction. */
static int
sq_schema(struct mm_db *d)
{
	struct sq_db *db = (struct sq_db *)d;

	if (sq_begin(d) != 0)
		return -1;
	if (sq_run(db, "CREATE TABLE IF NOT EXISTS schema_version("
	    "version INTEGER NOT NULL)") != 0)
		goto fail;
	if (store_migrate(d, migrations, sizeof(migrations) /
	    sizeof(migrations[0]), sq_run_script) != 0)
		goto fail;
	return sq_commit(d);
fail:
	sq_rollback(d);
	return -1;
}

const struct store_ops store_sqlite = {
	.name		= "sqlite",
	.open		= sq_open,
	.close		= sq_close,
	.schema		= sq_schema,
	.q		= sq_q,
	.row		= sq_row,
	.text		= sq_text,
	.i64		= sq_i64,
	.blob		= sq_blob,
	.end		= sq_end,
	.begin		= sq_begin,
	.commit		= sq_commit,
	.rollback	= sq_rollback,
	.changes	= sq_changes,
	.total_changes	= sq_total_changes,
	.last_id	= sq_last_id,
	.healthy	= sq_healthy,
};
