/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Offline queue (src/queue.c) on a real SQLite file, with a real platform
 * handle pointed at a closed loopback port (connection refused): entries
 * survive close and reopen, keep their Idempotency-Key, are never lost
 * by a failed flush, and never hold a PIN, signature or certificate.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <sqlite3.h>

#include <jpki/platform.h>

#include "platform_int.h"

static char dir[] = "/tmp/jpki-queue-XXXXXX";
static char path[256];

static int
setup(void **state)
{
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/queue.db", dir);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static jpki_platform_t *
unreachable(void)
{
	jpki_platform_t		*p = NULL;
	jpki_platform_opts_t	 o = { .size = sizeof(o) };

	assert_int_equal(jpki_platform_new(&p), JPKI_OK);
	JPKI_INIT(&o);
	/* port 9 (discard) is closed on the test machine: refused at once */
	o.url = "http://127.0.0.1:9";
	o.allow_http_loopback = 1;
	o.client_id = "cli_test";
	o.client_secret = "secret";
	o.max_attempts = 2;
	o.backoff_base_ms = 1;
	o.backoff_max_ms = 2;
	assert_non_null(p);
	assert_int_equal(jpki_platform_configure(p, &o), JPKI_OK);
	return p;
}

static int
column_has(const char *needle)
{
	sqlite3		*db = NULL;
	sqlite3_stmt	*st = NULL;
	int		 found = 0, i;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT * FROM push_queue",
	    -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		for (i = 0; i < sqlite3_column_count(st); i++) {
			const unsigned char *t = sqlite3_column_text(st, i);

			if (t != NULL && strstr((const char *)t, needle))
				found = 1;
		}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return found;
}

static void
test_queue(void **state)
{
	jpki_queue_t		*q = NULL;
	jpki_platform_t		*p = unreachable();
	jpki_platform_result_t	 res = { .size = sizeof(res) };
	jpki_queue_stats_t	 st = { .size = sizeof(st) };
	jpki_consent_t		 c = { .size = sizeof(c) };
	jpki_consent_t		 bad = { .size = sizeof(bad) };
	unsigned		 pending = 9, failed = 9;
	struct stat		 sb;

	JPKI_INIT(&res);
	assert_int_equal(jpki_consent_mint(&c, JPKI_PURPOSE_PROOF,
	    JPKI_TERMS_VERSION), JPKI_OK);
	assert_int_equal(jpki_queue_new(&q, path), JPKI_OK);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 077, 0);
	assert_int_equal(jpki_queue_count(q, &pending, &failed), JPKI_OK);
	assert_int_equal(pending, 0);

	/* refused without consent or with bad numbers */
	JPKI_INIT(&bad);
	assert_int_equal(jpki_queue_add(q, "K7QF3M2A", "3F9A", NULL, &bad,
	    NULL), JPKI_ERR_CONSENT_REQUIRED);
	assert_int_equal(jpki_queue_add(q, "K7QF3M2A", "3f9a", NULL, &c,
	    NULL), JPKI_ERR_ARG);
	assert_int_equal(jpki_queue_add(q, "K7/../A", "3F9A", NULL, &c,
	    NULL), JPKI_ERR_ARG);

	/* the platform is down: push_or_queue stores it with its key */
	assert_int_equal(jpki_platform_push_or_queue(p, q, "K7QF3M2A",
	    "3F9A2C11D0E4B7", "5A5A01", &c, &res), JPKI_ERR_QUEUED);
	assert_true(platform_uuid_valid(res.idempotency_key));
	assert_int_equal(jpki_platform_problem(p)->http_status, 0);
	assert_int_equal(jpki_queue_add(q, "K7QF3M2A", "3F9A2C11D0E4B8",
	    NULL, &c, NULL), JPKI_OK);
	jpki_queue_free(&q);
	assert_null(q);
	assert_true(column_has(res.idempotency_key));
	assert_true(column_has(c.consent_id));

	/* reopened: both still there; a failed flush loses nothing */
	assert_int_equal(jpki_queue_new(&q, path), JPKI_OK);
	assert_int_equal(jpki_queue_count(q, &pending, &failed), JPKI_OK);
	assert_int_equal(pending, 2);
	assert_int_equal(failed, 0);
	assert_int_equal(jpki_queue_flush(q, p, &st), JPKI_ERR_NETWORK);
	assert_int_equal(st.sent, 0);
	assert_int_equal(st.pending, 2);
	assert_int_equal(jpki_queue_count(q, &pending, &failed), JPKI_OK);
	assert_int_equal(pending, 2);
	/* the key stored first is still the one the entry carries */
	assert_true(column_has(res.idempotency_key));
	jpki_queue_free(&q);
	jpki_platform_result_clear(&res);
	jpki_platform_free(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_queue),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
