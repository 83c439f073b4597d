/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Fuzz the offline queue's read-back path (src/queue.c): rows as they may
 * be found in the SQLite file (any column type, tampered or truncated
 * values) are inserted behind the library's back, then jpki_queue_count
 * and jpki_queue_flush read them and push each through the platform
 * client.  The network is replaced at link time: this harness defines
 * http_perform (src/http.h), so the library's http.o (curl) is not linked,
 * and its answers come from the input too, through the real platform.c
 * header and body handling.  Input: a row count byte, per row a state
 * byte and nine (type byte, chunk) columns, then per HTTP exchange a u16
 * status, a header-block chunk and a body chunk; when the input runs out
 * the network is down.  Seeds: rows written by jpki_queue_add and answers
 * of mykey-mock (tests/fuzz/record_e2e.sh).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include <jpki/platform.h>

#include "http.h"
#include "support/chunks.h"
#include "fuzz.h"

#define MAX_ROWS	4

static chunks_t	net;	/* what the "server" answers */
static unsigned	calls;

int
http_perform(const http_call_t *c, long *status, char **body,
    size_t *body_len)
{
	const uint8_t *h, *b, *nl;
	size_t nh, nb, l;
	unsigned tag;

	*status = 0;
	*body = NULL;
	*body_len = 0;
	calls++;
	if (c->url == NULL || c->method == NULL)
		abort();
	if (net.left < 2)
		return JPKI_ERR_NETWORK;
	*status = (long)chunks_byte(&net) << 8;
	*status |= chunks_byte(&net);
	if (!chunks_next(&net, &h, &nh, &tag))
		nh = 0;
	if (!chunks_next(&net, &b, &nb, &tag))
		nb = 0;
	while (nh > 0 && c->on_header != NULL) {
		nl = memchr(h, '\n', nh);
		l = nl != NULL ? (size_t)(nl - h) + 1 : nh;
		c->on_header((const char *)h, l, c->arg);
		h += l;
		nh -= l;
	}
	if (nb > c->max_body)
		return JPKI_ERR_TOO_LARGE;
	if ((*body = malloc(nb + 1)) == NULL)
		return JPKI_ERR_NOMEM;
	if (nb > 0)
		memcpy(*body, b, nb);
	(*body)[nb] = '\0';
	*body_len = nb;
	return JPKI_OK;
}

static char		 path[64];
static sqlite3		*raw;
static jpki_queue_t	*queue;
static jpki_platform_t	*plat;

static void
cleanup(void)
{
	char p[80];

	jpki_queue_free(&queue);
	sqlite3_close(raw);
	jpki_platform_free(&plat);
	(void)unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	(void)unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	(void)unlink(p);
}

static void
init(void)
{
	jpki_platform_opts_t o = { .size = sizeof(o) };
	int fd;

	snprintf(path, sizeof(path), "%s/jpki-fuzz-queue-XXXXXX",
	    access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if ((fd = mkstemp(path)) < 0)
		abort();
	close(fd);
	if (jpki_queue_new(&queue, path) != JPKI_OK ||
	    sqlite3_open(path, &raw) != SQLITE_OK)
		abort();
	JPKI_INIT(&o);
	o.url = "http://127.0.0.1:9";	/* never contacted: see http_perform */
	o.client_id = "fuzz-client";
	o.client_secret = "fuzz-secret";
	o.allow_http_loopback = 1;
	o.max_attempts = 1;		/* no retry sleeps */
	if (jpki_platform_new(&plat) != JPKI_OK ||
	    jpki_platform_configure(plat, &o) != JPKI_OK)
		abort();
	atexit(cleanup);
}

/* One column: type byte (0 text, 1 NULL, 2 integer, 3 blob), chunk. */
static void
bind_col(sqlite3_stmt *st, int i, chunks_t *ck)
{
	const uint8_t *p;
	size_t n;
	unsigned tag = 0;
	uint8_t type = chunks_byte(ck) % 4;

	if (!chunks_next(ck, &p, &n, &tag)) {
		p = (const uint8_t *)"";
		n = 0;
	}
	switch (type) {
	case 0:
		(void)sqlite3_bind_text(st, i, (const char *)p, (int)n,
		    SQLITE_TRANSIENT);
		break;
	case 1:
		(void)sqlite3_bind_null(st, i);
		break;
	case 2:
		(void)sqlite3_bind_int64(st, i, (sqlite3_int64)n * 1000003 -
		    (sqlite3_int64)tag);
		break;
	default:
		(void)sqlite3_bind_blob(st, i, p, (int)n, SQLITE_TRANSIENT);
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char ins[] =
	    "INSERT INTO push_queue(state, mykey_id, auth_issuance,"
	    " sign_issuance, consent_id, purpose, terms_version, agreed_at,"
	    " idem_key, created_at) VALUES(?,?,?,?,?,?,?,?,?,?)";
	jpki_queue_stats_t qs = { .size = sizeof(qs) };
	sqlite3_stmt *st;
	unsigned pending = 0, failed = 0, p2, f2, rows, i;
	int col, r;

	if (queue == NULL)
		init();
	if (sqlite3_exec(raw, "DELETE FROM push_queue", NULL, NULL, NULL) !=
	    SQLITE_OK)
		abort();
	chunks_init(&net, data, size);
	rows = chunks_byte(&net) % (MAX_ROWS + 1);
	for (i = 0; i < rows; i++) {
		if (sqlite3_prepare_v2(raw, ins, -1, &st, NULL) != SQLITE_OK)
			abort();
		(void)sqlite3_bind_text(st, 1, (chunks_byte(&net) & 1) ?
		    "failed" : "pending", -1, SQLITE_STATIC);
		for (col = 2; col <= 10; col++)
			bind_col(st, col, &net);
		(void)sqlite3_step(st);	/* constraints may refuse it */
		sqlite3_finalize(st);
	}
	/* the rest of the input is the platform's side */
	calls = 0;
	r = jpki_queue_count(queue, &pending, &failed);
	if (r != JPKI_OK || pending + failed > rows)
		abort();
	r = jpki_queue_flush(queue, plat, &qs);
	if (r == JPKI_ERR_PARSE)
		abort();	/* an unreadable row must not block the queue */
	if (qs.sent + qs.failed > pending)
		abort();
	if (jpki_queue_count(queue, &p2, &f2) != JPKI_OK ||
	    p2 + qs.sent + qs.failed != pending || f2 != failed + qs.failed)
		abort();	/* every entry sent, failed or still pending */
	if (r == JPKI_OK && p2 != 0)
		abort();
	return 0;
}
