/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Retention: rows that only grow (challenges, idempotency records,
 * expired access tokens, audit_log, jlis_query_log, disclosures) are
 * deleted once older than their configured period (docs/mykey-mock.md
 * "Retention").  Deletes go in bounded batches, each its own autocommit
 * statement, so a purge never holds the write lock for long; the same
 * SQL runs on both engines (row values need SQLite >= 3.15).  A thread
 * of the server runs it every purge_interval seconds on a pooled
 * connection; POST /admin/v1/purge runs it at once (tests).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mock.h"

#define PURGE_BATCH	500	/* rows per DELETE: the LIMIT in rules[] */
#define PURGE_ROUNDS	20	/* batches per table per run */

/*
 * Cut-off base: 0 the mock clock (rows stamped with it), 1 real time
 * (idempotency and tokens are stamped with real time, api §5.1).
 */
static const struct {
	const char	*table;
	const char	*sql;
	int		 real;
} rules[MM_PURGE_TABLES] = {
	{ "challenges", "DELETE FROM challenges WHERE challenge_id IN ("
	    "SELECT challenge_id FROM challenges WHERE expires_at < ? "
	    "LIMIT 500)", 0 },
	{ "idempotency", "DELETE FROM idempotency WHERE (client_id, idem_key) "
	    "IN (SELECT client_id, idem_key FROM idempotency WHERE "
	    "created_at < ? LIMIT 500)", 1 },
	{ "access_tokens", "DELETE FROM access_tokens WHERE token_hash IN ("
	    "SELECT token_hash FROM access_tokens WHERE expires_at < ? "
	    "LIMIT 500)", 1 },
	{ "audit_log", "DELETE FROM audit_log WHERE id IN (SELECT id FROM "
	    "audit_log WHERE ts < ? LIMIT 500)", 0 },
	{ "jlis_query_log", "DELETE FROM jlis_query_log WHERE id IN (SELECT "
	    "id FROM jlis_query_log WHERE ts < ? LIMIT 500)", 0 },
	{ "disclosures", "DELETE FROM disclosures WHERE id IN (SELECT id FROM "
	    "disclosures WHERE disclosed_at < ? LIMIT 500)", 0 },
};

const char *
purge_table(int i)
{
	return i >= 0 && i < MM_PURGE_TABLES ? rules[i].table : NULL;
}

static long long
keep_s(const struct mm_config *c, int i)
{
	switch (i) {
	case 0:
		return c->retain_challenges;
	case 1:
		return c->retain_idempotency;
	case 2:
		return c->retain_tokens;
	case 5:
		return (long long)c->retain_disclosures_days * 86400;
	default:
		return (long long)c->retain_logs_days * 86400;
	}
}

int
mm_purge(struct mm_db *db, const struct mm_config *c,
    long long n[MM_PURGE_TABLES])
{
	long long mock = db_now(db), real = (long long)time(NULL), cut, got;
	int i, k, rc = 0;

	for (i = 0; i < MM_PURGE_TABLES; i++) {
		n[i] = 0;
		cut = (rules[i].real ? real : mock) - keep_s(c, i);
		for (k = 0; k < PURGE_ROUNDS; k++) {
			if (db_exec(db, rules[i].sql, "i", cut) != 0) {
				rc = -1;
				break;
			}
			got = db_changes(db);
			n[i] += got;
			if (got < PURGE_BATCH)
				break;
		}
	}
	return rc;
}

/* ---- the server's purge thread ---------------------------------------- */

struct mm_purger {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	pthread_t	 th;
	int		 stop;
};

static void *
purge_run(void *arg)
{
	struct mm_server *s = arg;
	struct mm_purger *p = s->purger;
	long long n[MM_PURGE_TABLES];
	struct timespec ts;
	struct mm_db *db;

	(void)pthread_mutex_lock(&p->mu);
	while (!p->stop) {
		(void)clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += s->cfg.purge_interval;
		(void)pthread_cond_timedwait(&p->cv, &p->mu, &ts);
		if (p->stop)
			break;
		(void)pthread_mutex_unlock(&p->mu);
		if ((db = pool_get(s->pool)) != NULL) {
			if (mm_purge(db, &s->cfg, n) != 0)
				mm_log("purge: a batch failed; next run retries");
			pool_put(s->pool, db);
		}
		(void)pthread_mutex_lock(&p->mu);
	}
	(void)pthread_mutex_unlock(&p->mu);
	return NULL;
}

int
purge_start(struct mm_server *s)
{
	struct mm_purger *p;

	if (s->cfg.purge_interval == 0)
		return 0;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return -1;
	(void)pthread_mutex_init(&p->mu, NULL);
	(void)pthread_cond_init(&p->cv, NULL);
	s->purger = p;
	if (pthread_create(&p->th, NULL, purge_run, s) != 0) {
		s->purger = NULL;
		free(p);
		return -1;
	}
	return 0;
}

void
purge_stop(struct mm_server *s)
{
	struct mm_purger *p = s->purger;

	if (p == NULL)
		return;
	(void)pthread_mutex_lock(&p->mu);
	p->stop = 1;
	(void)pthread_cond_signal(&p->cv);
	(void)pthread_mutex_unlock(&p->mu);
	(void)pthread_join(p->th, NULL);
	(void)pthread_mutex_destroy(&p->mu);
	(void)pthread_cond_destroy(&p->cv);
	free(p);
	s->purger = NULL;
}
