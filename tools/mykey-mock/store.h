/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * mykey-mock storage interface: one SQL dialect (SQLite's, with ? or ?N
 * parameters) run by one of two engines chosen by the database name:
 *
 *   a path                          SQLite, WAL (store_sqlite.c)
 *   postgresql://... postgres://... PostgreSQL through libpq (store_pg.c)
 *
 * Handlers see a connection (struct mm_db), statements with a cursor
 * (struct mm_st) and transactions; store.c holds the engine-neutral
 * helpers and the connection pool.  Functions return 0 on success and a
 * negative value on failure unless documented otherwise.
 */
#ifndef MYKEY_STORE_H
#define MYKEY_STORE_H

#include <stdarg.h>
#include <stddef.h>

#define MM_SCHEMA_VERSION	2	/* highest migration this build knows */
#define MM_TX_RETRIES		8	/* reruns after a serialization failure */

struct mm_db;
struct mm_st;

/* One engine; every function is required. */
struct store_ops {
	const char	*name;
	int		 (*open)(const char *name, int sync_full,
			    struct mm_db **out);
	void		 (*close)(struct mm_db *db);
	int		 (*schema)(struct mm_db *db);
	struct mm_st	*(*q)(struct mm_db *db, const char *sql,
			    const char *fmt, va_list ap);
	int		 (*row)(struct mm_st *st);	/* 1 row, 0 end, -1 */
	const char	*(*text)(struct mm_st *st, int i);	/* NULL: NULL */
	long long	 (*i64)(struct mm_st *st, int i);
	const void	*(*blob)(struct mm_st *st, int i, size_t *n);
	void		 (*end)(struct mm_st *st);
	int		 (*begin)(struct mm_db *db);
	int		 (*commit)(struct mm_db *db);
	void		 (*rollback)(struct mm_db *db);
	long long	 (*changes)(struct mm_db *db);
	long long	 (*total_changes)(struct mm_db *db);
	long long	 (*last_id)(struct mm_db *db);
	int		 (*healthy)(struct mm_db *db);	/* fit to pool */
};

/* Common head of every engine's connection. */
struct mm_db {
	const struct store_ops	*ops;
	int			 in_tx;
	/*
	 * Set by the engine, read by the HTTP layer after a request:
	 * retry, the transaction lost a race to another instance
	 * (PostgreSQL 23505 inside a transaction, 40001, 40P01) and the
	 * request runs again; down, the database
	 * went away mid-request: the answer is 503 + Retry-After, never
	 * what the handler made of the missing rows.
	 */
	int			 retry;
	int			 down;
};

/* Common head of every engine's statement. */
struct mm_st {
	struct mm_db		*db;
};

extern const struct store_ops store_sqlite;
extern const struct store_ops store_pg;

/* 1 when name is a PostgreSQL connection URI. */
int	db_is_pg(const char *name);
/* tests only: the sqlite3 * of a SQLite database, NULL otherwise */
void	*store_sqlite_handle(struct mm_db *db);
int	db_open(const char *name, int sync_full, struct mm_db **out);
void	db_close(struct mm_db **db);
/* Create or migrate the schema (schema_version table). */
int	db_schema(struct mm_db *db);
/*
 * Prepare (cached per connection, keyed by the literal's address) and
 * bind.  fmt: one char per parameter: s text (NULL binds NULL), i int64
 * (long long), b blob (const void *, size_t), n NULL.  Call db_end()
 * after the last row.
 */
struct mm_st *db_q(struct mm_db *db, const char *sql, const char *fmt, ...);
int	db_row(struct mm_st *st);		/* 1 a row, 0 none, -1 error */
const char *db_text(struct mm_st *st, int i);	/* NULL for NULL */
long long db_int(struct mm_st *st, int i);
int	db_null(struct mm_st *st, int i);
const void *db_blob(struct mm_st *st, int i, size_t *n);
void	db_end(struct mm_st *st);
/* Prepare, bind, step to completion.  Returns 0, or -1 on error. */
int	db_exec(struct mm_db *db, const char *sql, const char *fmt, ...);
int	db_begin(struct mm_db *db);	/* a write transaction */
int	db_commit(struct mm_db *db);
void	db_rollback(struct mm_db *db);
long long db_changes(struct mm_db *db);	/* rows of the last statement */
long long db_total_changes(struct mm_db *db);
long long db_last_id(struct mm_db *db);	/* last generated integer key */
/* Text column copied into out (truncated to n); "" for NULL. */
void	db_col(struct mm_st *st, int i, char *out, size_t n);
const char *db_setting(struct mm_db *db, const char *key, char *out,
	    size_t n, const char *dflt);
int	db_set_setting(struct mm_db *db, const char *key, const char *value);
long long db_clock_offset(struct mm_db *db);
long long db_now(struct mm_db *db);	/* mock clock, unix seconds */

/* Connection pool, one connection per request in flight. */
struct mm_pool;
int	pool_new(const char *name, int sync_full, int max, struct mm_pool **p);
void	pool_free(struct mm_pool **p);
struct mm_db *pool_get(struct mm_pool *p);
void	pool_put(struct mm_pool *p, struct mm_db *db);
void	pool_durable(struct mm_pool *p);

/* Migrations: SQL per version, per engine (store_sqlite.c, store_pg.c). */
struct store_migration {
	int		 version;
	const char	*sql;
};

int	store_migrate(struct mm_db *db, const struct store_migration *m,
	    size_t n, int (*run)(struct mm_db *, const char *));

#endif /* MYKEY_STORE_H */
