/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Storage, engine-neutral part (store.h): the choice of engine, the
 * wrappers the handlers call, settings and the mock clock, and the
 * connection pool with SQLite's group commit.
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

int
db_is_pg(const char *name)
{
	return strncmp(name, "postgresql://", 13) == 0 ||
	    strncmp(name, "postgres://", 11) == 0;
}

int
db_open(const char *name, int sync_full, struct mm_db **out)
{
	*out = NULL;
	return db_is_pg(name) ? store_pg.open(name, sync_full, out) :
	    store_sqlite.open(name, sync_full, out);
}

void
db_close(struct mm_db **dbp)
{
	if (dbp == NULL || *dbp == NULL)
		return;
	(*dbp)->ops->close(*dbp);
	*dbp = NULL;
}

int
db_schema(struct mm_db *db)
{
	return db->ops->schema(db);
}

struct mm_st *
db_q(struct mm_db *db, const char *sql, const char *fmt, ...)
{
	struct mm_st *st;
	va_list ap;

	va_start(ap, fmt);
	st = db->ops->q(db, sql, fmt, ap);
	va_end(ap);
	return st;
}

int
db_row(struct mm_st *st)
{
	return st == NULL ? -1 : st->db->ops->row(st);
}

const char *
db_text(struct mm_st *st, int i)
{
	return st->db->ops->text(st, i);
}

long long
db_int(struct mm_st *st, int i)
{
	return st->db->ops->i64(st, i);
}

int
db_null(struct mm_st *st, int i)
{
	return st->db->ops->text(st, i) == NULL;
}

const void *
db_blob(struct mm_st *st, int i, size_t *n)
{
	return st->db->ops->blob(st, i, n);
}

void
db_end(struct mm_st *st)
{
	if (st != NULL)
		st->db->ops->end(st);
}

int
db_exec(struct mm_db *db, const char *sql, const char *fmt, ...)
{
	struct mm_st *st;
	va_list ap;
	int s;

	va_start(ap, fmt);
	st = db->ops->q(db, sql, fmt, ap);
	va_end(ap);
	if (st == NULL)
		return -1;
	while ((s = db->ops->row(st)) == 1)
		;
	db->ops->end(st);
	return s == 0 ? 0 : -1;
}

int
db_begin(struct mm_db *db)
{
	return db->ops->begin(db);
}

int
db_commit(struct mm_db *db)
{
	return db->ops->commit(db);
}

void
db_rollback(struct mm_db *db)
{
	db->ops->rollback(db);
}

long long
db_changes(struct mm_db *db)
{
	return db->ops->changes(db);
}

long long
db_total_changes(struct mm_db *db)
{
	return db->ops->total_changes(db);
}

long long
db_last_id(struct mm_db *db)
{
	return db->ops->last_id(db);
}

void
db_col(struct mm_st *st, int i, char *out, size_t n)
{
	const char *t = db_text(st, i);

	(void)snprintf(out, n, "%s", t != NULL ? t : "");
}

const char *
db_setting(struct mm_db *db, const char *key, char *out, size_t n,
    const char *dflt)
{
	struct mm_st *st;

	(void)snprintf(out, n, "%s", dflt != NULL ? dflt : "");
	st = db_q(db, "SELECT value FROM sim_settings WHERE key=?", "s", key);
	if (db_row(st) == 1 && !db_null(st, 0))
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
	/* PostgreSQL commits are durable when COMMIT returns */
	p->sync_full = db_is_pg(path) ? 1 : sync_full;
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
	db->retry = db->down = 0;
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

/* A connection that lost its server is closed, not pooled. */
void
pool_put(struct mm_pool *p, struct mm_db *db)
{
	if (db == NULL)
		return;
	db_rollback(db);
	(void)pthread_mutex_lock(&p->mu);
	if (p->n < p->max && !db->down && db->ops->healthy(db)) {
		p->free[p->n++] = db;
		db = NULL;
	}
	(void)pthread_mutex_unlock(&p->mu);
	db_close(&db);
}

/*
 * The migrations above the stored version, inside the transaction the
 * engine opened (after its lock and its schema_version table); run
 * executes one migration's SQL script on that engine.
 */
int
store_migrate(struct mm_db *d, const struct store_migration *m, size_t n,
    int (*run)(struct mm_db *, const char *))
{
	struct mm_st *st;
	long long v;
	size_t i;

	st = db_q(d, "SELECT coalesce(max(version),0) FROM schema_version",
	    NULL);
	if (db_row(st) != 1) {
		db_end(st);
		return -1;
	}
	v = db_int(st, 0);
	db_end(st);
	if (v > MM_SCHEMA_VERSION) {
		mm_log("db: schema version %lld is newer than %d", v,
		    MM_SCHEMA_VERSION);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (m[i].version <= v)
			continue;
		if (run(d, m[i].sql) != 0 ||
		    db_exec(d, "INSERT INTO schema_version VALUES(?)", "i",
		    (long long)m[i].version) != 0)
			return -1;
	}
	return 0;
}
