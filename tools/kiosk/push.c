/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * The platform side of jpki-kiosk: the no-signature push of an issuance
 * number (mykey-mock-api.md §5.3, Art. 38の4 style), queued durably when
 * the platform cannot be reached and resent later with the same
 * Idempotency-Key, so nothing is lost and nothing is sent twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk.h"

int
push_init(kt_push_t *k, const char *url, const char *client_id,
    const char *queue_path, int allow_http)
{
	jpki_platform_opts_t	o = { .size = sizeof(o) };
	int			r;

	memset(k, 0, sizeof(*k));
	JPKI_INIT(&o);
	o.url = url;
	o.client_id = client_id;
	/* the secret never comes from argv (ps would show it) */
	o.client_secret = getenv("JPKI_PLATFORM_CLIENT_SECRET");
	o.allow_http_loopback = allow_http;
	/* a person waits at the counter: fail over to the queue quickly */
	o.connect_timeout_ms = 2000;
	o.timeout_ms = 5000;
	o.max_attempts = 2;
	o.backoff_base_ms = 100;
	o.backoff_max_ms = 500;
	o.max_retry_after_s = 2;
	if (jpki_platform_new(&k->p) != JPKI_OK)
		return JPKI_ERR_NOMEM;
	if ((r = jpki_platform_configure(k->p, &o)) != JPKI_OK)
		goto fail;
	if ((r = jpki_queue_new(&k->q, queue_path)) != JPKI_OK)
		goto fail;
	k->url = url;
	return JPKI_OK;
fail:
	push_fini(k);
	return r;
}

void
push_fini(kt_push_t *k)
{
	jpki_queue_free(&k->q);
	jpki_platform_free(&k->p);
}

int
push_one(kt_push_t *k, const char *mykey_id, const char *issuance,
    const jpki_consent_t *consent, char *msg, size_t msgsz)
{
	jpki_platform_result_t		 res = { .size = sizeof(res) };
	const jpki_platform_problem_t	*pb;
	int				 r;

	JPKI_INIT(&res);
	r = jpki_platform_push_or_queue(k->p, k->q, mykey_id, issuance, NULL,
	    consent, &res);
	if (r == JPKI_OK)
		snprintf(msg, msgsz, "Confirmed by the platform (MyKey ID %s, "
		    "%s%s)", mykey_id, res.state[0] ? res.state : "active",
		    res.relinked ? ", linked to your new card" : "");
	else if (r == JPKI_ERR_QUEUED)
		snprintf(msg, msgsz, "Platform unreachable: saved and will "
		    "be sent automatically");
	else {
		pb = jpki_platform_problem(k->p);
		snprintf(msg, msgsz, "Not accepted by the platform: %s%s%s",
		    pb != NULL && pb->code[0] ? pb->code : jpki_strerror(r),
		    pb != NULL && pb->detail[0] ? " - " : "",
		    pb != NULL ? pb->detail : "");
	}
	jpki_platform_result_clear(&res);
	return r;
}

int
push_flush(kt_push_t *k, unsigned *sent, unsigned *pending)
{
	jpki_queue_stats_t	st = { .size = sizeof(st) };
	unsigned		p = 0, f = 0;
	int			r;

	*sent = 0;
	JPKI_INIT(&st);
	if (jpki_queue_count(k->q, &p, &f) == JPKI_OK && p == 0) {
		*pending = 0;
		return JPKI_OK;
	}
	r = jpki_queue_flush(k->q, k->p, &st);
	*sent = st.sent;
	*pending = st.pending;
	return r;
}
