/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * PostgreSQL engine (store.h) through libpq, for several mykey-mock
 * instances on one database.  The handlers' SQL is SQLite's dialect
 * restricted to what both understand; this file only turns ? and ?N into
 * $N, and the schema gives the two tables that are ordered by rowid a
 * rowid column.
 *
 * Concurrency across instances: transactions run at the session's
 * isolation level, READ COMMITTED unless the URI sets another
 * (options=-c default_transaction_isolation=serializable).  The races
 * that matter are settled by the database, not by a read in the handler:
 * a challenge is consumed by UPDATE ... WHERE consumed_at IS NULL (the
 * second instance blocks on the row, then finds it consumed); the first
 * use of an Idempotency-Key, a bound serial, a MyKey ID are unique keys,
 * so the loser gets 23505 and the HTTP layer runs the request again
 * (mm_db.retry), now seeing the winner's row; counters are single UPDATE
 * statements.  40001/40P01 (SERIALIZABLE, deadlocks) are retried the same
 * way.  We measured SERIALIZABLE for every write: the :verify load lost
 * most transactions to false read/write conflicts on the shared insert-only
 * tables (docs/mykey-mock.md).  A lost server sets mm_db.down: the request
 * is answered 503 + Retry-After and the connection leaves the pool.
 * Parameters are typed (text, int8, bytea) and sent apart from the SQL;
 * results are text.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "mock.h"

#define PG_STMT_CACHE	192
#define PG_MAX_PARAMS	16
#define PG_SQL_MAX	2048
#define PG_MIGRATE_LOCK	"727001"	/* advisory lock: one migrator */

#define OID_BYTEA	17
#define OID_INT8	20
#define OID_TEXT	25

struct pg_st {
	struct mm_st	 head;
	PGresult	*res;
	int		 row, n;
	unsigned char	*blob;		/* last unescaped bytea */
};

struct pg_db {
	struct mm_db	 head;
	PGconn		*c;
	long long	 changes, total;
	int		 aborted;	/* a statement failed inside the tx */
	int		 nprep;
	const char	*prep[PG_STMT_CACHE];	/* literal: by address */
};

/* Migration 1 is the schema of the first release (store_sqlite.c). */
static const char schema_v1[] =
"CREATE TABLE IF NOT EXISTS clients("
" client_id TEXT PRIMARY KEY, secret_hash TEXT NOT NULL,"
" kind TEXT NOT NULL CHECK(kind IN('municipality','business','government')),"
" scopes TEXT NOT NULL, name TEXT, created_at BIGINT NOT NULL);"
"CREATE TABLE IF NOT EXISTS access_tokens("
" token_hash TEXT PRIMARY KEY,"
" client_id TEXT NOT NULL REFERENCES clients(client_id),"
" expires_at BIGINT NOT NULL);"
"CREATE TABLE IF NOT EXISTS challenges("
" challenge_id TEXT PRIMARY KEY,"
" client_id TEXT NOT NULL REFERENCES clients(client_id),"
" nonce TEXT NOT NULL, purpose TEXT NOT NULL, mykey_id TEXT,"
" service_id TEXT, created_at BIGINT NOT NULL,"
" expires_at BIGINT NOT NULL, consumed_at BIGINT);"
"CREATE TABLE IF NOT EXISTS idempotency("
" client_id TEXT NOT NULL, idem_key TEXT NOT NULL,"
" request_sha256 TEXT NOT NULL,"
" state TEXT NOT NULL CHECK(state IN('in_flight','done')),"
" status_code BIGINT, response_body TEXT, created_at BIGINT NOT NULL,"
" PRIMARY KEY(client_id, idem_key));"
"CREATE TABLE IF NOT EXISTS mykey_ids("
" mykey_id TEXT PRIMARY KEY CHECK(length(mykey_id)=8),"
" subject_id TEXT NOT NULL UNIQUE,"
" state TEXT NOT NULL CHECK(state IN('active','awaiting_relink',"
"  'suspended','revoked')),"
" created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,"
" revoked_at BIGINT);"
"CREATE TABLE IF NOT EXISTS retired_mykey_ids(mykey_id TEXT PRIMARY KEY);"
"CREATE TABLE IF NOT EXISTS mykey_bindings("
" id BIGSERIAL PRIMARY KEY,"
" mykey_id TEXT NOT NULL REFERENCES mykey_ids(mykey_id) ON UPDATE CASCADE,"
" cert_type TEXT NOT NULL CHECK(cert_type IN('auth','sign')),"
" issuance_number TEXT NOT NULL, bound_at BIGINT NOT NULL,"
" unbound_at BIGINT, unbind_reason TEXT,"
" via TEXT NOT NULL CHECK(via IN('create','relink','push','link_sign')),"
" linkage_hops BIGINT NOT NULL DEFAULT 0);"
"CREATE UNIQUE INDEX IF NOT EXISTS bind_active_type ON"
" mykey_bindings(mykey_id, cert_type) WHERE unbound_at IS NULL;"
"CREATE UNIQUE INDEX IF NOT EXISTS bind_active_serial ON"
" mykey_bindings(issuance_number) WHERE unbound_at IS NULL;"
"CREATE INDEX IF NOT EXISTS bind_serial ON mykey_bindings(issuance_number);"
"CREATE INDEX IF NOT EXISTS bind_mykey ON mykey_bindings(mykey_id);"
"CREATE TABLE IF NOT EXISTS services("
" service_id TEXT PRIMARY KEY,"
" owner_client_id TEXT NOT NULL REFERENCES clients(client_id),"
" name TEXT NOT NULL, kind TEXT NOT NULL, ppid_key BYTEA NOT NULL,"
" created_at BIGINT NOT NULL);"
"CREATE TABLE IF NOT EXISTS service_links("
" service_id TEXT NOT NULL REFERENCES services(service_id),"
" mykey_id TEXT NOT NULL REFERENCES mykey_ids(mykey_id) ON UPDATE CASCADE,"
" ppid TEXT NOT NULL UNIQUE, service_user_number TEXT,"
" state TEXT NOT NULL, linked_at BIGINT NOT NULL, unlinked_at BIGINT,"
" PRIMARY KEY(service_id, mykey_id));"
"CREATE TABLE IF NOT EXISTS audit_log("
" id BIGSERIAL PRIMARY KEY, ts BIGINT NOT NULL, client_id TEXT,"
" request_id TEXT, action TEXT NOT NULL, mykey_id TEXT,"
" serial_sha256 TEXT, result_code TEXT NOT NULL);"
"CREATE INDEX IF NOT EXISTS audit_client ON audit_log(client_id, mykey_id);"
"CREATE TABLE IF NOT EXISTS consents("
" consent_id TEXT PRIMARY KEY,"
" client_id TEXT NOT NULL REFERENCES clients(client_id),"
" mykey_id TEXT, purpose TEXT NOT NULL, terms_version TEXT NOT NULL,"
" agreed_at BIGINT NOT NULL, first_seen_at BIGINT NOT NULL);"
"CREATE TABLE IF NOT EXISTS disclosures("
" id BIGSERIAL PRIMARY KEY, mykey_id TEXT, recipient TEXT NOT NULL,"
" items TEXT NOT NULL, purpose TEXT NOT NULL,"
" consent_id TEXT NOT NULL REFERENCES consents(consent_id),"
" request_id TEXT NOT NULL, disclosed_at BIGINT NOT NULL);"
"CREATE INDEX IF NOT EXISTS disc_mykey ON disclosures(mykey_id, id);"
"CREATE INDEX IF NOT EXISTS disc_req ON disclosures(request_id);"
"CREATE TABLE IF NOT EXISTS persons("
" person_id TEXT PRIMARY KEY, name TEXT NOT NULL,"
" birth_date TEXT NOT NULL, sex TEXT NOT NULL CHECK(sex IN('1','2','9')),"
" address TEXT NOT NULL, mynumber TEXT NOT NULL,"
" updated_at BIGINT NOT NULL);"
"CREATE TABLE IF NOT EXISTS cards(rowid BIGSERIAL,"
" card_id TEXT PRIMARY KEY,"
" person_id TEXT NOT NULL REFERENCES persons(person_id),"
" issued_at BIGINT NOT NULL, state TEXT NOT NULL, profile_dir TEXT);"
"CREATE TABLE IF NOT EXISTS certificates(rowid BIGSERIAL,"
" issuance_number TEXT PRIMARY KEY,"
" cert_type TEXT NOT NULL CHECK(cert_type IN('auth','sign')),"
" person_id TEXT NOT NULL REFERENCES persons(person_id),"
" card_id TEXT NOT NULL REFERENCES cards(card_id),"
" subject_cn TEXT, not_before BIGINT NOT NULL,"
" not_after BIGINT NOT NULL, der BYTEA NOT NULL,"
" status TEXT NOT NULL CHECK(status IN('good','revoked')),"
" revoked_at BIGINT, revocation_reason BIGINT);"
"CREATE INDEX IF NOT EXISTS cert_card ON certificates(card_id);"
"CREATE TABLE IF NOT EXISTS cert_linkage("
" old_issuance_number TEXT NOT NULL UNIQUE"
"  REFERENCES certificates(issuance_number),"
" new_issuance_number TEXT NOT NULL UNIQUE"
"  REFERENCES certificates(issuance_number),"
" cert_type TEXT NOT NULL, cause TEXT NOT NULL, linked_at BIGINT NOT NULL,"
" CHECK(old_issuance_number <> new_issuance_number));"
"CREATE TABLE IF NOT EXISTS jlis_query_log("
" id BIGSERIAL PRIMARY KEY, ts BIGINT NOT NULL, kind TEXT NOT NULL,"
" issuance_number TEXT, result TEXT NOT NULL, request_id TEXT);"
"CREATE TABLE IF NOT EXISTS sim_settings(key TEXT PRIMARY KEY, value TEXT);"
"CREATE TABLE IF NOT EXISTS faults("
" id BIGSERIAL PRIMARY KEY, path_glob TEXT NOT NULL, status BIGINT,"
" delay_ms BIGINT NOT NULL DEFAULT 0, drop_conn BIGINT NOT NULL DEFAULT 0,"
" retry_after BIGINT NOT NULL DEFAULT 0, remaining BIGINT NOT NULL);";

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

static void
quiet(void *arg, const char *msg)
{
	/* "relation already exists, skipping" and the like */
}

/* Classify a failed result; sets retry/down on the connection. */
static void
pg_fail(struct pg_db *db, PGresult *res, const char *what)
{
	const char *state = res != NULL ? PQresultErrorField(res,
	    PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res != NULL ? PQresultErrorField(res,
	    PG_DIAG_MESSAGE_PRIMARY) : NULL;

	if (state == NULL)
		state = "";
	if (db->head.in_tx)
		db->aborted = 1;
	if (PQstatus(db->c) != CONNECTION_OK || strncmp(state, "08", 2) == 0 ||
	    strncmp(state, "57P", 3) == 0) {
		db->head.down = 1;
	} else if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") ==
	    0 || (db->head.in_tx && strcmp(state, "23505") == 0)) {
		/* a unique key taken by a concurrent transaction: run again */
		db->head.retry = 1;
	}
	/* primary message only: DETAIL lines quote key values */
	mm_log("db: %s failed: %s %s", what, state, msg != NULL ? msg :
	    PQerrorMessage(db->c));
}

static int
pg_run(struct pg_db *db, const char *sql)
{
	PGresult *res = PQexec(db->c, sql);
	ExecStatusType s = PQresultStatus(res);
	int rc = 0;

	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
		pg_fail(db, res, sql);
		rc = -1;
	}
	PQclear(res);
	return rc;
}

/* SQLite's ? and ?N as $N; a bare ? takes the largest number so far + 1. */
static int
translate(const char *sql, char *out, size_t cap, int *nparams)
{
	size_t o = 0;
	int quote = 0, max = 0, n;
	const char *p;
	char *end;

	for (p = sql; *p != '\0'; p++) {
		if (o + 8 >= cap)
			return -1;
		if (*p == '\'')
			quote = !quote;
		if (quote || *p != '?') {
			out[o++] = *p;
			continue;
		}
		if (p[1] >= '0' && p[1] <= '9') {
			n = (int)strtol(p + 1, &end, 10);
			p = end - 1;
		} else {
			n = max + 1;
		}
		if (n < 1 || n > PG_MAX_PARAMS)
			return -1;
		if (n > max)
			max = n;
		o += (size_t)snprintf(out + o, cap - o, "$%d", n);
	}
	out[o] = '\0';
	*nparams = max;
	return 0;
}

static int
prepare(struct pg_db *db, const char *sql, const char *fmt, char *name,
    size_t namelen)
{
	char tsql[PG_SQL_MAX];
	Oid types[PG_MAX_PARAMS];
	PGresult *res;
	int i, n = 0, np;

	for (i = 0; i < db->nprep; i++) {
		if (db->prep[i] == sql) {
			(void)snprintf(name, namelen, "s%d", i);
			return 0;
		}
	}
	if (db->nprep >= PG_STMT_CACHE || translate(sql, tsql, sizeof(tsql),
	    &np) != 0) {
		mm_log("db: statement cache full or SQL too long");
		return -1;
	}
	for (i = 0; i < np; i++) {
		char f = fmt != NULL && (size_t)i < strlen(fmt) ? fmt[i] : 'n';

		types[i] = f == 's' ? OID_TEXT : f == 'i' ? OID_INT8 :
		    f == 'b' ? OID_BYTEA : 0;
	}
	n = db->nprep;
	(void)snprintf(name, namelen, "s%d", n);
	res = PQprepare(db->c, name, tsql, np, types);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		pg_fail(db, res, "prepare");
		PQclear(res);
		return -1;
	}
	PQclear(res);
	db->prep[db->nprep++] = sql;
	return 0;
}

static struct mm_st *
pg_q(struct mm_db *d, const char *sql, const char *fmt, va_list ap)
{
	struct pg_db *db = (struct pg_db *)d;
	const char *vals[PG_MAX_PARAMS];
	int lens[PG_MAX_PARAMS], fmts[PG_MAX_PARAMS];
	char ibuf[PG_MAX_PARAMS][24], name[16];
	struct pg_st *st;
	PGresult *res;
	ExecStatusType s;
	int i, n = fmt != NULL ? (int)strlen(fmt) : 0;

	if (n > PG_MAX_PARAMS || prepare(db, sql, fmt, name,
	    sizeof(name)) != 0)
		return NULL;
	for (i = 0; i < n; i++) {
		lens[i] = fmts[i] = 0;
		vals[i] = NULL;
		switch (fmt[i]) {
		case 's':
			vals[i] = va_arg(ap, const char *);
			break;
		case 'i':
			(void)snprintf(ibuf[i], sizeof(ibuf[i]), "%lld",
			    va_arg(ap, long long));
			vals[i] = ibuf[i];
			break;
		case 'b':
			vals[i] = (const char *)va_arg(ap, const void *);
			lens[i] = (int)va_arg(ap, size_t);
			fmts[i] = 1;	/* binary */
			break;
		default:
			break;
		}
	}
	res = PQexecPrepared(db->c, name, n, vals, lens, fmts, 0);
	s = PQresultStatus(res);
	if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
		pg_fail(db, res, "statement");
		PQclear(res);
		return NULL;
	}
	db->changes = strtoll(PQcmdTuples(res), NULL, 10);
	if (s == PGRES_COMMAND_OK || strncmp(PQcmdStatus(res), "SELECT", 6) !=
	    0)
		db->total += db->changes;
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		PQclear(res);
		return NULL;
	}
	st->head.db = d;
	st->res = res;
	st->row = -1;
	st->n = PQntuples(res);
	return &st->head;
}

static int
pg_row(struct mm_st *s)
{
	struct pg_st *st = (struct pg_st *)s;

	if (st->row + 1 >= st->n)
		return 0;
	st->row++;
	return 1;
}

static const char *
pg_text(struct mm_st *s, int i)
{
	struct pg_st *st = (struct pg_st *)s;

	if (st->row < 0 || st->row >= st->n || i >= PQnfields(st->res) ||
	    PQgetisnull(st->res, st->row, i))
		return NULL;
	return PQgetvalue(st->res, st->row, i);
}

/* Integers, and booleans (t/f) as 1/0 like SQLite's. */
static long long
pg_i64(struct mm_st *s, int i)
{
	const char *t = pg_text(s, i);

	if (t == NULL)
		return 0;
	if (strcmp(t, "t") == 0)
		return 1;
	if (strcmp(t, "f") == 0)
		return 0;
	return strtoll(t, NULL, 10);
}

static const void *
pg_blob(struct mm_st *s, int i, size_t *n)
{
	struct pg_st *st = (struct pg_st *)s;
	const char *t = pg_text(s, i);

	*n = 0;
	if (t == NULL)
		return NULL;
	PQfreemem(st->blob);
	st->blob = PQunescapeBytea((const unsigned char *)t, n);
	return st->blob;
}

static void
pg_end(struct mm_st *s)
{
	struct pg_st *st = (struct pg_st *)s;

	PQfreemem(st->blob);
	PQclear(st->res);
	free(st);
}

static int
pg_begin(struct mm_db *d)
{
	struct pg_db *db = (struct pg_db *)d;

	db->aborted = 0;
	if (pg_run(db, "BEGIN") != 0)
		return -1;
	d->in_tx = 1;
	return 0;
}

static void
pg_rollback(struct mm_db *d)
{
	struct pg_db *db = (struct pg_db *)d;
	PGresult *res;

	if (PQstatus(db->c) == CONNECTION_OK &&
	    PQtransactionStatus(db->c) != PQTRANS_IDLE) {
		res = PQexec(db->c, "ROLLBACK");
		PQclear(res);
	}
	d->in_tx = 0;
	db->aborted = 0;
}

/* COMMIT of an aborted transaction "succeeds" as ROLLBACK: a failure. */
static int
pg_commit(struct mm_db *d)
{
	struct pg_db *db = (struct pg_db *)d;
	PGresult *res;
	int rc = -1;

	if (db->aborted) {
		pg_rollback(d);
		return -1;
	}
	res = PQexec(db->c, "COMMIT");
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		pg_fail(db, res, "COMMIT");
	else if (strcmp(PQcmdStatus(res), "COMMIT") == 0)
		rc = 0;
	PQclear(res);
	if (rc != 0)
		pg_rollback(d);
	d->in_tx = 0;
	return rc;
}

static long long
pg_changes(struct mm_db *d)
{
	return ((struct pg_db *)d)->changes;
}

static long long
pg_total_changes(struct mm_db *d)
{
	return ((struct pg_db *)d)->total;
}

static long long
pg_last_id(struct mm_db *d)
{
	struct pg_db *db = (struct pg_db *)d;
	PGresult *res = PQexec(db->c, "SELECT lastval()");
	long long v = 0;

	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		v = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return v;
}

static int
pg_healthy(struct mm_db *d)
{
	struct pg_db *db = (struct pg_db *)d;

	return PQstatus(db->c) == CONNECTION_OK &&
	    PQtransactionStatus(db->c) == PQTRANS_IDLE;
}

static void
pg_close(struct mm_db *d)
{
	struct pg_db *db = (struct pg_db *)d;

	PQfinish(db->c);
	free(db);
}

/* The URI is never logged: it may hold a password. */
static int
pg_open(const char *uri, int sync_full, struct mm_db **out)
{
	static const char *const keys[] = { "dbname", "connect_timeout",
	    "application_name", NULL };
	const char *vals[] = { uri, "3", "mykey-mock", NULL };
	struct pg_db *db;

	*out = NULL;
	if ((db = calloc(1, sizeof(*db))) == NULL)
		return -1;
	db->head.ops = &store_pg;
	db->c = PQconnectdbParams(keys, vals, 1);
	if (db->c == NULL || PQstatus(db->c) != CONNECTION_OK) {
		mm_log("db: cannot connect to PostgreSQL: %s", db->c != NULL ?
		    PQerrorMessage(db->c) : "no memory");
		pg_close(&db->head);
		return -1;
	}
	(void)PQsetNoticeProcessor(db->c, quiet, NULL);
	*out = &db->head;
	return 0;
}

static int
pg_run_script(struct mm_db *d, const char *sql)
{
	return pg_run((struct pg_db *)d, sql);
}

/*
 * Apply the migrations above the stored version.  Instances starting
 * together queue on an advisory lock, so one migrates and the others
 * find the version already there.
 */
static int
pg_schema(struct mm_db *d)
{
	struct pg_db *db = (struct pg_db *)d;

	if (pg_run(db, "BEGIN") != 0)
		return -1;
	d->in_tx = 1;
	if (pg_run(db, "SELECT pg_advisory_xact_lock(" PG_MIGRATE_LOCK ")") !=
	    0 || pg_run(db, "CREATE TABLE IF NOT EXISTS schema_version("
	    "version BIGINT NOT NULL)") != 0)
		goto fail;
	if (store_migrate(d, migrations, sizeof(migrations) /
	    sizeof(migrations[0]), pg_run_script) != 0)
		goto fail;
	return pg_commit(d);
fail:
	pg_rollback(d);
	return -1;
}

const struct store_ops store_pg = {
	.name		= "postgresql",
	.open		= pg_open,
	.close		= pg_close,
	.schema		= pg_schema,
	.q		= pg_q,
	.row		= pg_row,
	.text		= pg_text,
	.i64		= pg_i64,
	.blob		= pg_blob,
	.end		= pg_end,
	.begin		= pg_begin,
	.commit		= pg_commit,
	.rollback	= pg_rollback,
	.changes	= pg_changes,
	.total_changes	= pg_total_changes,
	.last_id	= pg_last_id,
	.healthy	= pg_healthy,
};
