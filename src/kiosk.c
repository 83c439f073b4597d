/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Kiosk API (include/jpki/kiosk.h): reader and card events from the PC/SC
 * monitor of transport_pcsc.c (its own SCARDCONTEXT, house-style §2.7),
 * and the tap run on each inserted card, one step per jpki_kiosk_wait().
 * No PC/SC type appears here; card work goes through the public
 * jpki_card_* and jpki_cert_* API only.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jpki/jpki.h>
#include <jpki/cert.h>
#include <jpki/kiosk.h>

#include "abi.h"
#include "log.h"
#include "tlv.h"
#include "transport.h"

/*
 * The monitor is asked in slices this long, so that a cancel that races
 * with the start of SCardGetStatusChange (SCardCancel on a context that
 * is not blocked yet is a no-op in pcsc-lite) is still seen within the
 * 100 ms that kiosk.h promises.
 */
#define WAIT_SLICE_MS	80
/* While pcscd is down the monitor polls for it (connect, then a short
 * sleep); thinner slices keep the wake-up inside 100 ms there too. */
#define DOWN_SLICE_MS	40

/* Events queued ahead of the monitor's: SERVICE_LOST fan-out and the
 * TAP_FAILED of pending taps, at most three per reader. */
#define EVQ_LEN		(3 * JPKI_MAX_READERS + 8)

typedef struct {
	char		 name[128];
	int		 card;		/* a card is in */
	int		 pending;	/* a tap waits to start */
	unsigned	 tap_id;	/* of the pending tap */
	long long	 t0;		/* when its insertion was seen */
} reader_t;

typedef struct {
	int		 active;
	jpki_kiosk_step_t step;		/* last step completed */
	char		 reader[128];
	unsigned	 tap_id;
	long long	 t0, deadline;
	int		 contactless;
	char		 issuance[41];
	uint8_t		 serial[20];
	size_t		 serial_len;
	int		 head_only;
	int		 verified;
	char		 reason[320];
	jpki_cert_t	*cert;
} tap_t;

struct jpki_kiosk {
	jpki_kiosk_opts_t	 opts;
	jpki_verify_t		*own_verify;
	const jpki_verify_t	*verify;
	pcsc_monitor_t		*mon;
	jpki_card_t		*card;
	atomic_int		 cancelled;
	int			 down;		/* between SERVICE_LOST/BACK */
	unsigned		 next_tap;
	reader_t		 r[JPKI_MAX_READERS];
	size_t			 nr;
	tap_t			 tap;
	jpki_kiosk_event_t	 q[EVQ_LEN];
	size_t			 qh, qn;
};

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
ev_init(jpki_kiosk_event_t *ev, jpki_kiosk_ev_type_t type, const char *reader)
{
	memset(ev, 0, sizeof(*ev));
	ev->size = sizeof(*ev);	/* ours; jpki_kiosk_wait copies it out */
	ev->type = type;
	if (reader != NULL)
		snprintf(ev->reader, sizeof(ev->reader), "%s", reader);
}

static void
q_push(jpki_kiosk_t *k, const jpki_kiosk_event_t *ev)
{
	if (k->qn == EVQ_LEN) {		/* cannot happen by the sizing */
		log_debug("kiosk: event queue full, dropping the oldest");
		k->qh = (k->qh + 1) % EVQ_LEN;
		k->qn--;
	}
	k->q[(k->qh + k->qn) % EVQ_LEN] = *ev;
	k->qn++;
}

static int
q_pop(jpki_kiosk_t *k, jpki_kiosk_event_t *ev)
{
	if (k->qn == 0)
		return 0;
	*ev = k->q[k->qh];
	k->qh = (k->qh + 1) % EVQ_LEN;
	k->qn--;
	return 1;
}

static reader_t *
reader_find(jpki_kiosk_t *k, const char *name)
{
	size_t i;

	for (i = 0; i < k->nr; i++)
		if (strcmp(k->r[i].name, name) == 0)
			return &k->r[i];
	return NULL;
}

static reader_t *
reader_add(jpki_kiosk_t *k, const char *name)
{
	reader_t *r;

	if ((r = reader_find(k, name)) != NULL)
		return r;
	if (k->nr == JPKI_MAX_READERS)
		return NULL;
	r = &k->r[k->nr++];
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	return r;
}

static void
reader_del(jpki_kiosk_t *k, reader_t *r)
{
	size_t i = (size_t)(r - k->r);

	memmove(&k->r[i], &k->r[i + 1], (k->nr - i - 1) * sizeof(k->r[0]));
	k->nr--;
}

/* The event that ends a tap that never started (card gone first). */
static void
fail_pending(jpki_kiosk_t *k, reader_t *r, int err)
{
	jpki_kiosk_event_t ev;

	if (!r->pending)
		return;
	ev_init(&ev, JPKI_KIOSK_EV_TAP_FAILED, r->name);
	ev.tap_id = r->tap_id;
	ev.error = err;
	ev.elapsed_ms = (long)(now_ms() - r->t0);
	r->pending = 0;
	q_push(k, &ev);
}

static void
start_pending(jpki_kiosk_t *k, reader_t *r, jpki_kiosk_event_t *ev)
{
	r->pending = 1;
	r->tap_id = ++k->next_tap;
	r->t0 = now_ms();
	ev->tap_id = r->tap_id;
}

int
jpki_kiosk_new(jpki_kiosk_t **out, const jpki_kiosk_opts_t *opts)
{
	jpki_kiosk_t	*k = NULL;
	int		 r = JPKI_ERR_NOMEM;

	if (out == NULL)
		return JPKI_ERR_ARG;
	*out = NULL;
	if (opts != NULL && (r = JPKI_STRUCT_OK(opts)) != JPKI_OK)
		return r;
	r = JPKI_ERR_NOMEM;
	if (opts != NULL && (opts->budget_ms < 0 ||
	    (opts->flags & ~(unsigned)(JPKI_KIOSK_FULL_CERT |
	    JPKI_KIOSK_VERIFY | JPKI_KIOSK_NO_TAP)) != 0))
		return JPKI_ERR_ARG;
	if ((k = calloc(1, sizeof(*k))) == NULL)
		goto fail;
	k->opts.size = sizeof(k->opts);
	if (opts != NULL)
		JPKI_STRUCT_COPY_IN(&k->opts, opts);
	if (k->opts.budget_ms == 0)
		k->opts.budget_ms = JPKI_KIOSK_DEFAULT_BUDGET_MS;
	if (k->opts.flags & JPKI_KIOSK_VERIFY)
		k->opts.flags |= JPKI_KIOSK_FULL_CERT;
	atomic_init(&k->cancelled, 0);
	if ((r = jpki_card_new(&k->card)) != JPKI_OK)
		goto fail;
	/* SCARD_RESET_CARD on every disconnect: nothing survives to the
	 * next person (peers.md §4) */
	jpki_card_set_reset_on_close(k->card, 1);
	if ((r = pcsc_monitor_new(&k->mon)) != JPKI_OK)
		goto fail;
	k->verify = k->opts.verify;
	if ((k->opts.flags & JPKI_KIOSK_VERIFY) && k->verify == NULL) {
		if ((r = jpki_verify_new(&k->own_verify, 0)) != JPKI_OK) {
			log_debug("jpki_kiosk_new: jpki_verify_new failed");
			goto fail;
		}
		jpki_verify_set_purpose(k->own_verify, JPKI_PURPOSE_AUTH);
		k->verify = k->own_verify;
	}
	*out = k;
	return JPKI_OK;
fail:
	jpki_kiosk_free(&k);
	return r;
}

static void
tap_clear(jpki_kiosk_t *k)
{
	jpki_cert_free(&k->tap.cert);
	memset(&k->tap, 0, sizeof(k->tap));
}

void
jpki_kiosk_free(jpki_kiosk_t **kp)
{
	jpki_kiosk_t *k;

	if (kp == NULL || (k = *kp) == NULL)
		return;
	tap_clear(k);
	jpki_card_free(&k->card);	/* disconnects with a reset */
	pcsc_monitor_free(&k->mon);
	jpki_verify_free(&k->own_verify);
	free(k);
	*kp = NULL;
}

int
jpki_kiosk_cancel(jpki_kiosk_t *k)
{
	if (k == NULL)
		return JPKI_ERR_ARG;
	atomic_store(&k->cancelled, 1);
	pcsc_monitor_cancel(k->mon);
	return JPKI_OK;
}

int
jpki_kiosk_retap(jpki_kiosk_t *k, const char *reader)
{
	jpki_kiosk_event_t	 ev;
	reader_t		*r;

	if (k == NULL || reader == NULL)
		return JPKI_ERR_ARG;
	if ((k->opts.flags & JPKI_KIOSK_NO_TAP) != 0)
		return JPKI_ERR_NOT_SUPPORTED;
	if ((r = reader_find(k, reader)) == NULL)
		return JPKI_ERR_READER_NOT_FOUND;
	if (!r->card)
		return JPKI_ERR_NO_CARD;
	if (r->pending || (k->tap.active &&
	    strcmp(k->tap.reader, reader) == 0))
		return JPKI_ERR_BUSY;
	ev_init(&ev, JPKI_KIOSK_EV_CARD_INSERTED, reader);
	start_pending(k, r, &ev);
	q_push(k, &ev);
	return JPKI_OK;
}

/* Upper-case hex without leading zeros (mykey-mock-api.md §5.1). */
static void
issuance_hex(const uint8_t *s, size_t n, char out[41])
{
	static const char hx[] = "0123456789ABCDEF";
	size_t	i, o = 0;
	int	lead = 1;

	for (i = 0; i < n && i < 20; i++) {
		unsigned hi = s[i] >> 4, lo = s[i] & 0x0f;

		if (!(lead && hi == 0)) {
			out[o++] = hx[hi];
			lead = 0;
		}
		if (!(lead && lo == 0)) {
			out[o++] = hx[lo];
			lead = 0;
		}
	}
	if (o == 0)
		out[o++] = '0';
	out[o] = '\0';
}

/* Fill the cost and identity fields of a tap's event. */
static void
tap_event(jpki_kiosk_t *k, jpki_kiosk_event_t *ev, jpki_kiosk_ev_type_t type)
{
	jpki_stats_t st = { .size = sizeof(st) };

	ev_init(ev, type, k->tap.reader);
	ev->tap_id = k->tap.tap_id;
	ev->step = k->tap.step;
	ev->contactless = k->tap.contactless;
	memcpy(ev->issuance, k->tap.issuance, sizeof(ev->issuance));
	memcpy(ev->serial, k->tap.serial, sizeof(ev->serial));
	ev->serial_len = k->tap.serial_len;
	ev->head_only = k->tap.head_only;
	ev->verified = k->tap.verified;
	memcpy(ev->verify_reason, k->tap.reason, sizeof(ev->verify_reason));
	(void)jpki_card_stats(k->card, &st);
	ev->apdus = st.apdus;
	ev->bytes = st.bytes_sent + st.bytes_received;
	ev->elapsed_ms = (long)(now_ms() - k->tap.t0);
}

/* End the tap: reset the card, report the outcome. */
static void
tap_finish(jpki_kiosk_t *k, int err, jpki_kiosk_event_t *ev)
{
	tap_event(k, ev, err == JPKI_OK ? JPKI_KIOSK_EV_TAP_DONE :
	    JPKI_KIOSK_EV_TAP_FAILED);
	ev->error = err;
	jpki_card_close(k->card);	/* SCARD_RESET_CARD */
	ev->elapsed_ms = (long)(now_ms() - k->tap.t0);
	if (err != JPKI_OK)
		log_debug("kiosk: tap %u on %s failed after step %s: %s",
		    ev->tap_id, ev->reader, jpki_kiosk_step_name(ev->step),
		    jpki_strerror_name(err));
	tap_clear(k);
}

static int
step_identify(jpki_kiosk_t *k)
{
	int r;

	jpki_card_stats_reset(k->card);
	/* selecting the JPKI AP is the identification (jpki-card.md §2):
	 * JPKI_ERR_NOT_JPKI for any other card */
	if ((r = jpki_card_open(k->card, k->tap.reader, 0, 0)) != JPKI_OK)
		return r;
	jpki_card_set_reset_on_close(k->card, 1);
	k->tap.contactless = jpki_card_is_contactless(k->card) == 1;
	return JPKI_OK;
}

static int
step_read(jpki_kiosk_t *k)
{
	jpki_stats_t	 st0 = { .size = sizeof(st0) };
	jpki_stats_t	 st1 = { .size = sizeof(st1) };
	uint8_t		*der = NULL;
	const uint8_t	*s;
	size_t		 len = 0, slen = 0, hdr = 0, total = 0;
	uint32_t	 tag = 0;
	int		 r;

	if ((k->opts.flags & JPKI_KIOSK_FULL_CERT) == 0) {
		/* head only: one short READ BINARY up to the serial, with
		 * the full read as the card layer's fallback */
		jpki_card_stats(k->card, &st0);
		len = sizeof(k->tap.serial);
		r = jpki_card_read_serial(k->card, JPKI_CERT_AUTH,
		    k->tap.serial, &len);
		if (r != JPKI_OK)
			goto out;
		jpki_card_stats(k->card, &st1);
		k->tap.serial_len = len;
		k->tap.head_only = st1.apdus - st0.apdus == 1;
		issuance_hex(k->tap.serial, len, k->tap.issuance);
		goto out;
	}
	if ((r = jpki_card_read_cert(k->card, JPKI_CERT_AUTH, &der, &len)) !=
	    JPKI_OK)
		goto out;
	if ((r = jpki_cert_new(&k->tap.cert, der, len)) != JPKI_OK)
		goto out;
	/* the serial as a whole INTEGER TLV: keep its contents, bounded by
	 * RFC 5280 §4.1.2.2 (at most 20 octets) */
	if ((s = jpki_cert_serial_der(k->tap.cert, &slen)) == NULL ||
	    tlv_header(s, slen, &tag, &hdr, &total) != JPKI_OK ||
	    tag != 0x02 || total != slen || total - hdr == 0 ||
	    total - hdr > sizeof(k->tap.serial)) {
		r = JPKI_ERR_PARSE;
		goto out;
	}
	k->tap.serial_len = total - hdr;
	memcpy(k->tap.serial, s + hdr, k->tap.serial_len);
	issuance_hex(k->tap.serial, k->tap.serial_len, k->tap.issuance);
out:
	jpki_free(der);
	return r;
}

static int
step_verify(jpki_kiosk_t *k)
{
	jpki_verify_result_t	res = { .size = sizeof(res) };
	int			r;

	r = jpki_cert_verify(k->verify, k->tap.cert, &res);
	snprintf(k->tap.reason, sizeof(k->tap.reason), "%s", res.reason);
	k->tap.verified = r == JPKI_OK;
	return r;
}

/*
 * Run the next step of the active tap and put its event in *ev.  The
 * budget is checked after every step (an APDU under way cannot be
 * interrupted, so a step overruns by at most its own length).
 */
static void
tap_step(jpki_kiosk_t *k, jpki_kiosk_event_t *ev)
{
	jpki_kiosk_step_t next;
	int r;

	switch (k->tap.step) {
	case JPKI_KIOSK_STEP_NONE:
		next = JPKI_KIOSK_STEP_IDENTIFIED;
		r = step_identify(k);
		break;
	case JPKI_KIOSK_STEP_IDENTIFIED:
		next = JPKI_KIOSK_STEP_READ;
		r = step_read(k);
		break;
	case JPKI_KIOSK_STEP_READ:
		if (k->opts.flags & JPKI_KIOSK_VERIFY) {
			next = JPKI_KIOSK_STEP_VERIFIED;
			r = step_verify(k);
			break;
		}
		/* FALLTHROUGH */
	default:
		r = now_ms() > k->tap.deadline ? JPKI_ERR_KIOSK_BUDGET :
		    JPKI_OK;
		tap_finish(k, r, ev);
		return;
	}
	if (r == JPKI_OK && now_ms() > k->tap.deadline)
		r = JPKI_ERR_KIOSK_BUDGET;
	if (r != JPKI_OK) {
		tap_finish(k, r, ev);
		return;
	}
	k->tap.step = next;
	tap_event(k, ev, JPKI_KIOSK_EV_PROGRESS);
}

/* Start the oldest pending tap, if any. */
static int
tap_start(jpki_kiosk_t *k)
{
	reader_t	*r = NULL;
	size_t		 i;

	for (i = 0; i < k->nr; i++)
		if (k->r[i].pending && (r == NULL ||
		    k->r[i].tap_id < r->tap_id))
			r = &k->r[i];
	if (r == NULL)
		return 0;
	tap_clear(k);
	k->tap.active = 1;
	snprintf(k->tap.reader, sizeof(k->tap.reader), "%s", r->name);
	k->tap.tap_id = r->tap_id;
	k->tap.t0 = r->t0;
	k->tap.deadline = r->t0 + k->opts.budget_ms;
	r->pending = 0;
	return 1;
}

/*
 * Translate one monitor event.  Returns 1 with *ev filled, 0 when the
 * event only changed the bookkeeping.
 */
static int
on_monitor(jpki_kiosk_t *k, const mon_event_t *me, jpki_kiosk_event_t *ev)
{
	jpki_kiosk_event_t	 e;
	reader_t		*r;
	size_t			 i;

	switch (me->kind) {
	case MON_READER_ADDED:
		if (reader_add(k, me->reader) == NULL) {
			log_debug("kiosk: more than %d readers, ignoring %s",
			    JPKI_MAX_READERS, me->reader);
			return 0;
		}
		ev_init(ev, JPKI_KIOSK_EV_READER_ADDED, me->reader);
		return 1;
	case MON_READER_REMOVED:
		if ((r = reader_find(k, me->reader)) == NULL)
			return 0;
		fail_pending(k, r, JPKI_ERR_CARD_REMOVED);
		reader_del(k, r);
		ev_init(&e, JPKI_KIOSK_EV_READER_REMOVED, me->reader);
		q_push(k, &e);
		return q_pop(k, ev);
	case MON_CARD_INSERTED:
		if ((r = reader_find(k, me->reader)) == NULL)
			return 0;
		r->card = 1;
		ev_init(ev, JPKI_KIOSK_EV_CARD_INSERTED, me->reader);
		if ((k->opts.flags & JPKI_KIOSK_NO_TAP) == 0) {
			/* a re-insert before the last tap started: that tap
			 * ends, a new one begins */
			fail_pending(k, r, JPKI_ERR_CARD_REMOVED);
			start_pending(k, r, ev);
		}
		q_push(k, ev);
		return q_pop(k, ev);
	case MON_CARD_REMOVED:
		if ((r = reader_find(k, me->reader)) == NULL)
			return 0;
		r->card = 0;
		fail_pending(k, r, JPKI_ERR_CARD_REMOVED);
		ev_init(&e, JPKI_KIOSK_EV_CARD_REMOVED, me->reader);
		q_push(k, &e);
		return q_pop(k, ev);
	case MON_SERVICE_LOST:
		/* every reader went with the service: say so per reader, so
		 * that each ADDED/INSERTED has its REMOVED */
		k->down = 1;
		ev_init(&e, JPKI_KIOSK_EV_SERVICE_LOST, NULL);
		q_push(k, &e);
		for (i = 0; i < k->nr; i++) {
			fail_pending(k, &k->r[i], JPKI_ERR_NO_SERVICE);
			if (k->r[i].card) {
				ev_init(&e, JPKI_KIOSK_EV_CARD_REMOVED,
				    k->r[i].name);
				q_push(k, &e);
			}
			ev_init(&e, JPKI_KIOSK_EV_READER_REMOVED,
			    k->r[i].name);
			q_push(k, &e);
		}
		k->nr = 0;
		return q_pop(k, ev);
	case MON_SERVICE_BACK:
		k->down = 0;
		ev_init(ev, JPKI_KIOSK_EV_SERVICE_BACK, NULL);
		return 1;
	default:
		return 0;
	}
}

/*
 * The event is built in a full-size struct of ours and copied out within
 * the caller's size (src/abi.h).
 */
static int
kiosk_wait(jpki_kiosk_t *k, int timeout_ms, jpki_kiosk_event_t *ev)
{
	mon_event_t	 me;
	long long	 deadline, left, slice;
	int		 r, asked = 0;

	ev_init(ev, JPKI_KIOSK_EV_NONE, NULL);
	deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	for (;;) {
		if (atomic_exchange(&k->cancelled, 0) != 0) {
			if (k->tap.active) {
				jpki_kiosk_event_t e;

				tap_finish(k, JPKI_ERR_CANCELLED, &e);
				q_push(k, &e);
			}
			return JPKI_ERR_CANCELLED;
		}
		if (q_pop(k, ev))
			return JPKI_OK;
		if (k->tap.active || tap_start(k)) {
			tap_step(k, ev);
			return JPKI_OK;
		}
		slice = k->down ? DOWN_SLICE_MS : WAIT_SLICE_MS;
		left = deadline < 0 ? slice : deadline - now_ms();
		if (left <= 0) {
			if (asked)
				return JPKI_ERR_TIMEOUT;
			left = 1;	/* a poll still asks the monitor once */
		}
		if (left > slice)
			left = slice;
		asked = 1;
		r = pcsc_monitor_wait(k->mon, (int)left, &me);
		if (r == JPKI_OK) {
			if (on_monitor(k, &me, ev))
				return JPKI_OK;
			continue;
		}
		/* on CANCELLED our own flag decides: the monitor's may be
		 * left over from a cancel we already reported */
		if (r != JPKI_ERR_TIMEOUT && r != JPKI_ERR_CANCELLED)
			return r;
	}
}

int
jpki_kiosk_wait(jpki_kiosk_t *k, int timeout_ms, jpki_kiosk_event_t *out)
{
	jpki_kiosk_event_t	ev;
	int			r;

	if (k == NULL)
		return JPKI_ERR_ARG;
	if ((r = JPKI_STRUCT_OK(out)) != JPKI_OK)
		return r;
	r = kiosk_wait(k, timeout_ms, &ev);
	JPKI_STRUCT_COPY(out, &ev);
	return r;
}

const char *
jpki_kiosk_ev_name(jpki_kiosk_ev_type_t type)
{
	switch (type) {
	case JPKI_KIOSK_EV_READER_ADDED:	return "reader-added";
	case JPKI_KIOSK_EV_READER_REMOVED:	return "reader-removed";
	case JPKI_KIOSK_EV_CARD_INSERTED:	return "card-inserted";
	case JPKI_KIOSK_EV_CARD_REMOVED:	return "card-removed";
	case JPKI_KIOSK_EV_SERVICE_LOST:	return "service-lost";
	case JPKI_KIOSK_EV_SERVICE_BACK:	return "service-back";
	case JPKI_KIOSK_EV_PROGRESS:		return "progress";
	case JPKI_KIOSK_EV_TAP_DONE:		return "tap-done";
	case JPKI_KIOSK_EV_TAP_FAILED:		return "tap-failed";
	default:				return "none";
	}
}

const char *
jpki_kiosk_step_name(jpki_kiosk_step_t step)
{
	switch (step) {
	case JPKI_KIOSK_STEP_IDENTIFIED:	return "identified";
	case JPKI_KIOSK_STEP_READ:		return "read";
	case JPKI_KIOSK_STEP_VERIFIED:		return "verified";
	default:				return "none";
	}
}
