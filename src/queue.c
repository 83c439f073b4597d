/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Offline queue of no-signature pushes for kiosks (docs/platform-client.md).
 * SQLite in WAL mode with synchronous=FULL: jpki_queue_add returns only
 * once the entry is on disk, so a crash or power loss after it loses
 * nothing.  Each entry keeps the Idempotency-Key of its first attempt, so
 * a flush interrupted between "sent" and "deleted" resends with the same
 * key and the platform replays its answer instead of acting twice
 * (mykey-mock-api.md §5.1; the server keeps keys for 24 h).
 *
 * Stored: MyKey ID, issuance numbers, the consent record, the key.  Never
 * a PIN, a signature, a certificate, My Number or holder attributes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include <jpki/platform.h>

#include "abi.h"
#include "log.h"
#include "platform_int.h"

struct jpki_queue {
	sqlite3	*db;
};

static const char schema[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=FULL;"
    "CREATE TABLE IF NOT EXISTS push_queue("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " mykey_id TEXT NOT NULL,"
    " auth_issuance TEXT NOT NULL,"
    " sign_issuance TEXT,"
    " consent_id TEXT NOT NULL,"
    " purpose TEXT NOT NULL,"
    " terms_version TEXT NOT NULL,"
    " agreed_at TEXT NOT NULL,"
    " idem_key TEXT NOT NULL UNIQUE,"
    " created_at TEXT NOT NULL,"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " state TEXT NOT NULL DEFAULT 'pending'"
    "  CHECK(state IN('pending','failed')),"
    " last_error TEXT);";

int
jpki_queue_new(jpki_queue_t **qp, const char *path)
{
	jpki_queue_t	*q = NULL;
	char		*msg = NULL;
	int		 fd, r = JPKI_ERR_ARG;

	if (qp == NULL)
		goto out;
	*qp = NULL;
	if (path == NULL)
		goto out;
	/* create it private: it names MyKey IDs and issuance numbers */
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0) {
		log_debug("%s: open %s: %s", __func__, path, strerror(errno));
		r = JPKI_ERR_IO;
		goto out;
	}
	close(fd);
	r = JPKI_ERR_NOMEM;
	if ((q = calloc(1, sizeof(*q))) == NULL)
		goto out;
	r = JPKI_ERR_IO;
	if (sqlite3_open_v2(path, &q->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		log_debug("%s: %s", __func__, sqlite3_errmsg(q->db));
		goto out;
	}
	(void)sqlite3_busy_timeout(q->db, 5000);
	if (sqlite3_exec(q->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
		log_debug("%s: schema: %s", __func__, msg);
		goto out;
	}
	*qp = q;
	q = NULL;
	r = JPKI_OK;
out:
	sqlite3_free(msg);
	jpki_queue_free(&q);
	return r;
}

void
jpki_queue_free(jpki_queue_t **qp)
{
	if (qp == NULL || *qp == NULL)
		return;
	sqlite3_close((*qp)->db);
	free(*qp);
	*qp = NULL;
}

static int
hex_ok(const char *s, int optional)
{
	if (s == NULL)
		return optional;
	return *s != '\0' && strlen(s) < JPKI_ISSUANCE_MAX &&
	    strspn(s, "0123456789ABCDEF") == strlen(s);
}

int
jpki_queue_add(jpki_queue_t *q, const char *mykey_id,
    const char *auth_issuance, const char *sign_issuance,
    const jpki_consent_t *consent, const char *idem_key)
{
	static const char sql[] =
	    "INSERT INTO push_queue(mykey_id, auth_issuance, sign_issuance,"
	    " consent_id, purpose, terms_version, agreed_at, idem_key,"
	    " created_at) VALUES(?,?,?,?,?,?,?,?,?)";
	sqlite3_stmt	*st = NULL;
	char		 key[37], now[40];
	int		 r = JPKI_ERR_ARG;

	if (q == NULL || !platform_id_safe(mykey_id, JPKI_MYKEY_ID_MAX - 1) ||
	    !hex_ok(auth_issuance, 0) || !hex_ok(sign_issuance, 1) ||
	    (idem_key != NULL && !platform_uuid_valid(idem_key)))
		goto out;
	/* never queue what could not be sent: §5.10 */
	if ((r = jpki_consent_check(consent, "jlis.validity jlis.linkage")) !=
	    JPKI_OK)
		goto out;
	if (idem_key != NULL)
		snprintf(key, sizeof(key), "%s", idem_key);
	else if ((r = platform_uuid4(key)) != JPKI_OK)
		goto out;
	if ((r = platform_rfc3339_now(now)) != JPKI_OK)
		goto out;
	r = JPKI_ERR_IO;
	if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_text(st, 1, mykey_id, -1, SQLITE_STATIC) !=
	    SQLITE_OK ||
	    sqlite3_bind_text(st, 2, auth_issuance, -1, SQLITE_STATIC) !=
	    SQLITE_OK ||
	    (sign_issuance != NULL ?
	    sqlite3_bind_text(st, 3, sign_issuance, -1, SQLITE_STATIC) :
	    sqlite3_bind_null(st, 3)) != SQLITE_OK ||
	    sqlite3_bind_text(st, 4, consent->consent_id, -1, SQLITE_STATIC) !=
	    SQLITE_OK ||
	    sqlite3_bind_text(st, 5, consent->purpose, -1, SQLITE_STATIC) !=
	    SQLITE_OK ||
	    sqlite3_bind_text(st, 6, consent->terms_version, -1,
	    SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 7, consent->agreed_at, -1, SQLITE_STATIC) !=
	    SQLITE_OK ||
	    sqlite3_bind_text(st, 8, key, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 9, now, -1, SQLITE_STATIC) != SQLITE_OK)
		goto out;
	if (sqlite3_step(st) != SQLITE_DONE) {
		log_debug("%s: %s", __func__, sqlite3_errmsg(q->db));
		goto out;
	}
	r = JPKI_OK;
out:
	sqlite3_finalize(st);
	return r;
}

int
jpki_queue_count(jpki_queue_t *q, unsigned *pending, unsigned *failed)
{
	static const char sql[] =
	    "SELECT COALESCE(SUM(state='pending'),0),"
	    " COALESCE(SUM(state='failed'),0) FROM push_queue";
	sqlite3_stmt	*st = NULL;
	int		 r = JPKI_ERR_ARG;

	if (q == NULL || pending == NULL || failed == NULL)
		goto out;
	*pending = *failed = 0;
	r = JPKI_ERR_IO;
	if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW)
		goto out;
	*pending = (unsigned)sqlite3_column_int(st, 0);
	*failed = (unsigned)sqlite3_column_int(st, 1);
	r = JPKI_OK;
out:
	sqlite3_finalize(st);
	return r;
}

typedef struct {
	long long	 id;
	char		 mykey_id[JPKI_MYKEY_ID_MAX];
	char		 auth_in[JPKI_ISSUANCE_MAX];
	char		 sign_in[JPKI_ISSUANCE_MAX];
	int		 has_sign;
	char		 key[37];
	jpki_consent_t	 consent;
} entry_t;

static int
col_copy(sqlite3_stmt *st, int i, char *out, size_t n)
{
	const unsigned char	*s = sqlite3_column_text(st, i);
	int			 w;

	out[0] = '\0';
	if (s == NULL)
		return 0;
	w = snprintf(out, n, "%s", (const char *)s);
	return w >= 0 && (size_t)w < n ? 1 : -1;
}

/* The oldest pending entry: 1 found, 0 none, <0 error. */
static int
next_entry(jpki_queue_t *q, entry_t *e)
{
	static const char sql[] =
	    "SELECT id, mykey_id, auth_issuance, sign_issuance, consent_id,"
	    " purpose, terms_version, agreed_at, idem_key FROM push_queue"
	    " WHERE state='pending' ORDER BY id LIMIT 1";
	sqlite3_stmt	*st = NULL;
	int		 rc, r = JPKI_ERR_IO;

	memset(e, 0, sizeof(*e));
	e->consent.size = sizeof(e->consent);
	if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) != SQLITE_OK)
		goto out;
	if ((rc = sqlite3_step(st)) == SQLITE_DONE) {
		r = 0;
		goto out;
	}
	if (rc != SQLITE_ROW)
		goto out;
	e->id = sqlite3_column_int64(st, 0);
	r = JPKI_ERR_PARSE;
	if (col_copy(st, 1, e->mykey_id, sizeof(e->mykey_id)) != 1 ||
	    col_copy(st, 2, e->auth_in, sizeof(e->auth_in)) != 1 ||
	    (e->has_sign = col_copy(st, 3, e->sign_in,
	    sizeof(e->sign_in))) < 0 ||
	    col_copy(st, 4, e->consent.consent_id,
	    sizeof(e->consent.consent_id)) != 1 ||
	    col_copy(st, 5, e->consent.purpose,
	    sizeof(e->consent.purpose)) != 1 ||
	    col_copy(st, 6, e->consent.terms_version,
	    sizeof(e->consent.terms_version)) != 1 ||
	    col_copy(st, 7, e->consent.agreed_at,
	    sizeof(e->consent.agreed_at)) != 1 ||
	    col_copy(st, 8, e->key, sizeof(e->key)) != 1)
		goto out;
	r = 1;
out:
	sqlite3_finalize(st);
	return r;
}

static int
exec_id(jpki_queue_t *q, const char *sql, long long id, const char *text)
{
	sqlite3_stmt	*st = NULL;
	int		 r = JPKI_ERR_IO;

	if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 1, id) != SQLITE_OK ||
	    (text != NULL && sqlite3_bind_text(st, 2, text, -1,
	    SQLITE_STATIC) != SQLITE_OK) ||
	    sqlite3_step(st) != SQLITE_DONE)
		goto out;
	r = JPKI_OK;
out:
	sqlite3_finalize(st);
	return r;
}

/* Errors after which the platform may accept the same entry later. */
static int
transient(int err)
{
	return err == JPKI_ERR_NETWORK || err == JPKI_ERR_TIMEOUT ||
	    err == JPKI_ERR_JLIS_UNAVAILABLE || err == JPKI_ERR_MAINTENANCE ||
	    err == JPKI_ERR_RATE_LIMITED || err == JPKI_ERR_SERVER ||
	    err == JPKI_ERR_TLS;
}

int
jpki_queue_flush(jpki_queue_t *q, jpki_platform_t *p, jpki_queue_stats_t *st)
{
	jpki_platform_result_t	res = { .size = sizeof(res) };
	entry_t			e;
	unsigned		pending, failed;
	int			r = JPKI_ERR_ARG, pr, found;

	if (st != NULL) {
		if ((r = JPKI_STRUCT_OK(st)) != JPKI_OK)
			return r;
		JPKI_STRUCT_ZERO(st);
		r = JPKI_ERR_ARG;
	}
	if (q == NULL || p == NULL)
		goto out;
	for (;;) {
		if ((found = next_entry(q, &e)) == JPKI_ERR_PARSE) {
			/*
			 * A row we cannot read (a damaged or edited file)
			 * would stay first in line and block every later
			 * entry: keep it as failed for the operator.
			 */
			log_debug("%s: entry %lld unreadable", __func__, e.id);
			if ((r = exec_id(q, "UPDATE push_queue SET"
			    " state='failed', last_error=?2 WHERE id=?1", e.id,
			    jpki_strerror_name(JPKI_ERR_PARSE))) != JPKI_OK)
				goto out;
			if (st != NULL)
				st->failed++;
			continue;
		}
		if (found < 0) {
			r = found;
			goto out;
		}
		if (found == 0)
			break;
		/* count the attempt durably before anything is sent */
		if ((r = exec_id(q, "UPDATE push_queue SET attempts=attempts+1"
		    " WHERE id=?", e.id, NULL)) != JPKI_OK)
			goto out;
		pr = jpki_platform_push(p, e.mykey_id, e.auth_in,
		    e.has_sign ? e.sign_in : NULL, &e.consent, e.key, &res);
		jpki_platform_result_clear(&res);
		if (pr == JPKI_OK) {
			if ((r = exec_id(q, "DELETE FROM push_queue WHERE id=?",
			    e.id, NULL)) != JPKI_OK)
				goto out;
			if (st != NULL)
				st->sent++;
			continue;
		}
		if (transient(pr)) {
			(void)exec_id(q, "UPDATE push_queue SET last_error=?2"
			    " WHERE id=?1", e.id, jpki_strerror_name(pr));
			r = pr;
			goto out;
		}
		log_debug("%s: entry %lld refused: %s", __func__, e.id,
		    jpki_strerror_name(pr));
		if ((r = exec_id(q, "UPDATE push_queue SET state='failed',"
		    " last_error=?2 WHERE id=?1", e.id,
		    jpki_strerror_name(pr))) != JPKI_OK)
			goto out;
		if (st != NULL)
			st->failed++;
	}
	r = JPKI_OK;
out:
	if (st != NULL && jpki_queue_count(q, &pending, &failed) == JPKI_OK)
		st->pending = pending;
	return r;
}

int
jpki_platform_push_or_queue(jpki_platform_t *p, jpki_queue_t *q,
    const char *mykey_id, const char *auth_issuance,
    const char *sign_issuance, const jpki_consent_t *consent,
    jpki_platform_result_t *res)
{
	char	key[37];
	int	r;

	if (res == NULL || q == NULL)
		return JPKI_ERR_ARG;
	/* the key of this attempt travels into the queue with the entry */
	if ((r = platform_uuid4(key)) != JPKI_OK)
		return r;
	r = jpki_platform_push(p, mykey_id, auth_issuance, sign_issuance,
	    consent, key, res);
	if (!transient(r))
		return r;
	if (jpki_queue_add(q, mykey_id, auth_issuance, sign_issuance, consent,
	    key) != JPKI_OK)
		return r;
	return JPKI_ERR_QUEUED;
}
