/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * SQLite store (api §5.8): WAL, foreign keys, busy timeout, a schema with
 * a version row, a per-connection statement cache and a connection pool.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mock.h"

static const char schema_sql[] =
"CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL);"
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

static sqlite3_stmt *
prep(struct mm_db *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int i;

	for (i = 0; i < db->ncache; i++) {
		if (db->cache[i].sql == sql) {
			st = db->cache[i].st;
			(void)sqlite3_reset(st);
			(void)sqlite3_clear_bindings(st);
			return st;
		}
	}
	if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
	    NULL) != SQLITE_OK) {
		mm_log("db: prepare failed: %s", sqlite3_errmsg(db->h));
		return NULL;
	}
	if (db->ncache < MM_STMT_CACHE) {
		db->cache[db->ncache].sql = sql;
		db->cache[db->ncache].st = st;
		db->ncache++;
	}
	return st;
}

sqlite3_stmt *
db_q(struct mm_db *db, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int rc;

	if ((st = prep(db, sql)) == NULL)
		return NULL;
	va_start(ap, fmt);
	rc = bindv(st, fmt, ap);
	va_end(ap);
	if (rc != 0) {
		db_end(st);
		return NULL;
	}
	return st;
}

void
db_end(sqlite3_stmt *st)
{
	if (st != NULL) {
		(void)sqlite3_reset(st);
		(void)sqlite3_clear_bindings(st);
	}
}

int
db_exec(struct mm_db *db, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int rc, s;

	if ((st = prep(db, sql)) == NULL)
		return -1;
	va_start(ap, fmt);
	rc = bindv(st, fmt, ap);
	va_end(ap);
	if (rc == 0) {
		while ((s = sqlite3_step(st)) == SQLITE_ROW)
			;
		if (s != SQLITE_DONE) {
			mm_log("db: step failed: %s", sqlite3_errmsg(db->h));
			rc = -1;
		}
	}
	db_end(st);
	return rc;
}

static void
reset_all(struct mm_db *db)
{
	int i;

	for (i = 0; i < db->ncache; i++)
		(void)sqlite3_reset(db->cache[i].st);
}

/*
 * Writers of this process queue on a mutex (woken in order) instead of
 * polling SQLite's lock; other processes (the CLI) still meet the busy
 * handler.  One write transaction per thread at a time.
 */
static pthread_mutex_t write_mu = PTHREAD_MUTEX_INITIALIZER;

int
db_begin(struct mm_db *db)
{
	reset_all(db);
	(void)pthread_mutex_lock(&write_mu);
	if (db_exec(db, "BEGIN IMMEDIATE", NULL) != 0) {
		(void)pthread_mutex_unlock(&write_mu);
		return -1;
	}
	db->in_tx = 1;
	return 0;
}

int
db_commit(struct mm_db *db)
{
	reset_all(db);
	if (db_exec(db, "COMMIT", NULL) != 0) {
		db_rollback(db);
		return -1;
	}
	if (db->in_tx) {
		db->in_tx = 0;
		(void)pthread_mutex_unlock(&write_mu);
	}
	return 0;
}

void
db_rollback(struct mm_db *db)
{
	reset_all(db);
	if (!sqlite3_get_autocommit(db->h))
		(void)sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	if (db->in_tx) {
		db->in_tx = 0;
		(void)pthread_mutex_unlock(&write_mu);
	}
}

void
db_col(sqlite3_stmt *st, int i, char *out, size_t n)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	(void)snprintf(out, n, "%s", t != NULL ? (const char *)t : "");
}

const char *
db_setting(struct mm_db *db, const char *key, char *out, size_t n,
    const char *dflt)
{
	sqlite3_stmt *st;

	(void)snprintf(out, n, "%s", dflt != NULL ? dflt : "");
	st = db_q(db, "SELECT value FROM sim_settings WHERE key=?", "s", key);
	if (st != NULL && sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		db_col(st, 0, out, n);
	db_end(st);
	return out;
}

int
db_set_setting(struct mm_db *db, const char *key, const char *value)
{
	return db_exec(db, "INSERT INTO sim_settings(key,value) VALUES(?,?) "
	    "ON CONFLICT(key) DO UPDATE SET value=excluded.value", "ss", key,
	    value);
}

long long
db_clock_offset(struct mm_db *db)
{
	char v[32];

	return strtoll(db_setting(db, "clock_offset", v, sizeof(v), "0"), NULL,
	    10);
}

long long
db_now(struct mm_db *db)
{
	return (long long)time(NULL) + db_clock_offset(db);
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

int
db_open(const char *path, int sync_full, struct mm_db **out)
{
	struct mm_db *db = NULL;
	int rc = -1;

	*out = NULL;
	if ((db = calloc(1, sizeof(*db))) == NULL)
		goto out;
	if (sqlite3_open_v2(path, &db->h, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		mm_log("db: cannot open %s: %s", path, db->h != NULL ?
		    sqlite3_errmsg(db->h) : "no memory");
		goto out;
	}
	(void)sqlite3_busy_handler(db->h, on_busy, NULL);
	if (sqlite3_exec(db->h, "PRAGMA journal_mode=WAL;"
	    "PRAGMA foreign_keys=ON;", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(db->h, sync_full == 1 ? "PRAGMA synchronous=FULL" :
	    "PRAGMA synchronous=NORMAL", NULL, NULL, NULL) != SQLITE_OK) {
		mm_log("db: pragmas failed: %s", sqlite3_errmsg(db->h));
		goto out;
	}
	*out = db;
	db = NULL;
	rc = 0;
out:
	db_close(&db);
	return rc;
}

void
db_close(struct mm_db **dbp)
{
	struct mm_db *db;
	int i;

	if (dbp == NULL || *dbp == NULL)
		return;
	db = *dbp;
	for (i = 0; i < db->ncache; i++)
		(void)sqlite3_finalize(db->cache[i].st);
	(void)sqlite3_close(db->h);
	free(db);
	*dbp = NULL;
}

/* Create the schema once; the version row allows later migrations. */
int
db_schema(struct mm_db *db)
{
	sqlite3_stmt *st;
	long long v = -1;
	int rc = -1;

	if (db_begin(db) != 0)
		return -1;
	if (sqlite3_exec(db->h, schema_sql, NULL, NULL, NULL) != SQLITE_OK) {
		mm_log("db: schema failed: %s", sqlite3_errmsg(db->h));
		goto out;
	}
	st = db_q(db, "SELECT max(version) FROM schema_version", NULL);
	if (st != NULL && sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	db_end(st);
	if (v < 0 && db_exec(db, "INSERT INTO schema_version VALUES(?)", "i",
	    (long long)MM_SCHEMA_VERSION) != 0)
		goto out;
	if (v > MM_SCHEMA_VERSION) {
		mm_log("db: schema version %lld is newer than %d", v,
		    MM_SCHEMA_VERSION);
		goto out;
	}
	rc = db_commit(db);
out:
	if (rc != 0)
		db_rollback(db);
	return rc;
}

/* ---- pool ------------------------------------------------------------- */

struct mm_pool {
	pthread_mutex_t	 mu;
	char		 path[512];
	int		 sync_full;	/* 1 full, 0 normal, 2 group */
	int		 max, n;
	struct mm_db	*free[64];
	/* group commit: one fdatasync of the WAL for all waiting requests */
	pthread_mutex_t	 dmu;
	pthread_cond_t	 dcv;
	unsigned long long dreq, ddone;
	int		 dbusy;
	int		 walfd;
	char		 walpath[520];
};

int
pool_new(const char *path, int sync_full, int max, struct mm_pool **out)
{
	struct mm_pool *p;

	*out = NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return -1;
	(void)pthread_mutex_init(&p->mu, NULL);
	(void)pthread_mutex_init(&p->dmu, NULL);
	(void)pthread_cond_init(&p->dcv, NULL);
	p->walfd = -1;
	(void)snprintf(p->path, sizeof(p->path), "%s", path);
	(void)snprintf(p->walpath, sizeof(p->walpath), "%s-wal", path);
	p->sync_full = sync_full;
	p->max = max < 1 ? 1 : max > 64 ? 64 : max;
	*out = p;
	return 0;
}

void
pool_free(struct mm_pool **pp)
{
	struct mm_pool *p;

	if (pp == NULL || *pp == NULL)
		return;
	p = *pp;
	while (p->n > 0)
		db_close(&p->free[--p->n]);
	if (p->walfd >= 0)
		(void)close(p->walfd);
	(void)pthread_cond_destroy(&p->dcv);
	(void)pthread_mutex_destroy(&p->dmu);
	(void)pthread_mutex_destroy(&p->mu);
	free(p);
	*pp = NULL;
}

struct mm_db *
pool_get(struct mm_pool *p)
{
	struct mm_db *db = NULL;

	(void)pthread_mutex_lock(&p->mu);
	if (p->n > 0)
		db = p->free[--p->n];
	(void)pthread_mutex_unlock(&p->mu);
	if (db == NULL && db_open(p->path, p->sync_full, &db) != 0)
		return NULL;
	return db;
}

/*
 * Flush the WAL file.  With synchronous=NORMAL SQLite writes committed
 * frames without fsync and syncs the WAL before each checkpoint (and the
 * database after it), so one fdatasync of the current WAL file makes every
 * earlier commit durable.  The file is reopened when SQLite replaced it.
 */
static int
wal_sync(struct mm_pool *p)
{
	struct stat st, fst;

	if (stat(p->walpath, &st) != 0)
		return 0;	/* no WAL: everything is in the synced database */
	if (p->walfd >= 0 && (fstat(p->walfd, &fst) != 0 || fst.st_ino !=
	    st.st_ino || fst.st_dev != st.st_dev)) {
		(void)close(p->walfd);
		p->walfd = -1;
	}
	if (p->walfd < 0 && (p->walfd = open(p->walpath, O_RDONLY |
	    O_CLOEXEC)) < 0)
		return -1;
	return fdatasync(p->walfd);
}

/*
 * synchronous=group: called after a request's commits and before its
 * answer.  The first waiter syncs for everyone registered so far (group
 * commit); the others wait for a sync that started after their commit.
 */
void
pool_durable(struct mm_pool *p)
{
	unsigned long long my, target;

	if (p->sync_full != 2)
		return;
	(void)pthread_mutex_lock(&p->dmu);
	my = ++p->dreq;
	while (p->ddone < my) {
		if (p->dbusy) {
			(void)pthread_cond_wait(&p->dcv, &p->dmu);
			continue;
		}
		p->dbusy = 1;
		target = p->dreq;
		(void)pthread_mutex_unlock(&p->dmu);
		if (wal_sync(p) != 0)
			mm_log("db: WAL fdatasync failed");
		(void)pthread_mutex_lock(&p->dmu);
		if (target > p->ddone)
			p->ddone = target;
		p->dbusy = 0;
		(void)pthread_cond_broadcast(&p->dcv);
	}
	(void)pthread_mutex_unlock(&p->dmu);
}

void
pool_put(struct mm_pool *p, struct mm_db *db)
{
	if (db == NULL)
		return;
	db_rollback(db);
	(void)pthread_mutex_lock(&p->mu);
	if (p->n < p->max) {
		p->free[p->n++] = db;
		db = NULL;
	}
	(void)pthread_mutex_unlock(&p->mu);
	db_close(&db);
}
