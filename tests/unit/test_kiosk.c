/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Unit tests for the kiosk's bookkeeping (src/kiosk.c is included to reach
 * its statics): monitor events to kiosk events, the TAP_FAILED owed to a
 * tap that never started, the service-lost fan-out, retap rules, cancel
 * before a wait, issuance number formatting.  No PC/SC: the paths run here
 * never touch the monitor's context.  The same code against real pcscd is
 * tests/e2e/kiosk_events.sh.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../src/kiosk.c"

static mon_event_t
mev(int kind, const char *reader)
{
	mon_event_t e;

	memset(&e, 0, sizeof(e));
	e.kind = kind;
	if (reader != NULL)
		snprintf(e.reader, sizeof(e.reader), "%s", reader);
	return e;
}

/* Feed one monitor event; returns the kiosk event type produced. */
static jpki_kiosk_ev_type_t
feed(jpki_kiosk_t *k, int kind, const char *reader, jpki_kiosk_event_t *ev)
{
	mon_event_t e = mev(kind, reader);

	JPKI_INIT(ev);
	if (!on_monitor(k, &e, ev))
		return JPKI_KIOSK_EV_NONE;
	return ev->type;
}

static jpki_kiosk_ev_type_t
next_queued(jpki_kiosk_t *k, jpki_kiosk_event_t *ev)
{
	JPKI_INIT(ev);
	return q_pop(k, ev) ? ev->type : JPKI_KIOSK_EV_NONE;
}

static void
test_new_args(void **state)
{
	jpki_kiosk_opts_t	 o = { .size = sizeof(o) };
	jpki_kiosk_t		*k = (jpki_kiosk_t *)1;

	(void)state;
	assert_int_equal(jpki_kiosk_new(NULL, NULL), JPKI_ERR_ARG);
	JPKI_INIT(&o);
	o.flags = 0x80;
	assert_int_equal(jpki_kiosk_new(&k, &o), JPKI_ERR_ARG);
	assert_null(k);
	o.flags = 0;
	o.budget_ms = -1;
	assert_int_equal(jpki_kiosk_new(&k, &o), JPKI_ERR_ARG);
	o.budget_ms = 0;
	assert_int_equal(jpki_kiosk_new(&k, &o), JPKI_OK);
	assert_non_null(k);
	assert_int_equal(k->opts.budget_ms, JPKI_KIOSK_DEFAULT_BUDGET_MS);
	jpki_kiosk_free(&k);
	assert_null(k);
	jpki_kiosk_free(&k);
	jpki_kiosk_free(NULL);
	jpki_kiosk_cancel(NULL);
	assert_int_equal(jpki_kiosk_wait(NULL, 0, NULL), JPKI_ERR_ARG);
	assert_int_equal(jpki_kiosk_retap(NULL, "x"), JPKI_ERR_ARG);
}

static void
test_names(void **state)
{
	int i;

	(void)state;
	for (i = JPKI_KIOSK_EV_READER_ADDED; i <= JPKI_KIOSK_EV_TAP_FAILED;
	    i++)
		assert_string_not_equal(
		    jpki_kiosk_ev_name((jpki_kiosk_ev_type_t)i), "none");
	assert_string_equal(jpki_kiosk_ev_name((jpki_kiosk_ev_type_t)99),
	    "none");
	assert_string_equal(jpki_kiosk_step_name(JPKI_KIOSK_STEP_READ),
	    "read");
	assert_string_equal(jpki_kiosk_step_name((jpki_kiosk_step_t)-3),
	    "none");
}

static void
test_issuance_hex(void **state)
{
	static const struct {
		uint8_t		 in[20];
		size_t		 len;
		const char	*out;
	} v[] = {
		{ { 0x00, 0x9A }, 2, "9A" },
		{ { 0x01, 0x02 }, 2, "102" },
		{ { 0x00 }, 1, "0" },
		{ { 0x0F, 0x00, 0xBA }, 3, "F00BA" },
		{ { 0x1A, 0x2B, 0x3C, 0x4D }, 4, "1A2B3C4D" },
		{ { 0x00, 0x00, 0x10 }, 3, "10" },
	};
	uint8_t	all[20];
	char	out[41];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		issuance_hex(v[i].in, v[i].len, out);
		assert_string_equal(out, v[i].out);
	}
	memset(all, 0xFF, sizeof(all));
	issuance_hex(all, sizeof(all), out);
	assert_int_equal(strlen(out), 40);
	assert_true(strspn(out, "F") == 40);
}

/* insert, then the card goes before its tap started: the tap still ends
 * with one TAP_FAILED, before the CARD_REMOVED */
static void
test_pending_tap_removed(void **state)
{
	jpki_kiosk_t		*k = NULL;
	jpki_kiosk_event_t	 ev = { .size = sizeof(ev) };
	unsigned		 tap;

	(void)state;
	assert_int_equal(jpki_kiosk_new(&k, NULL), JPKI_OK);
	assert_int_equal(feed(k, MON_READER_ADDED, "R0", &ev),
	    JPKI_KIOSK_EV_READER_ADDED);
	assert_string_equal(ev.reader, "R0");
	assert_int_equal(feed(k, MON_CARD_INSERTED, "R0", &ev),
	    JPKI_KIOSK_EV_CARD_INSERTED);
	tap = ev.tap_id;
	assert_true(tap > 0);
	assert_int_equal(jpki_kiosk_retap(k, "R0"), JPKI_ERR_BUSY);
	assert_int_equal(feed(k, MON_CARD_REMOVED, "R0", &ev),
	    JPKI_KIOSK_EV_TAP_FAILED);
	assert_int_equal(ev.tap_id, tap);
	assert_int_equal(ev.error, JPKI_ERR_CARD_REMOVED);
	assert_int_equal(next_queued(k, &ev), JPKI_KIOSK_EV_CARD_REMOVED);
	assert_int_equal(next_queued(k, &ev), JPKI_KIOSK_EV_NONE);
	assert_int_equal(jpki_kiosk_retap(k, "R0"), JPKI_ERR_NO_CARD);
	assert_int_equal(jpki_kiosk_retap(k, "R9"),
	    JPKI_ERR_READER_NOT_FOUND);
	/* a re-insert seen before the first tap started: old tap fails,
	 * a new one begins */
	assert_int_equal(feed(k, MON_CARD_INSERTED, "R0", &ev),
	    JPKI_KIOSK_EV_CARD_INSERTED);
	tap = ev.tap_id;
	assert_int_equal(feed(k, MON_CARD_INSERTED, "R0", &ev),
	    JPKI_KIOSK_EV_TAP_FAILED);
	assert_int_equal(ev.tap_id, tap);
	assert_int_equal(next_queued(k, &ev), JPKI_KIOSK_EV_CARD_INSERTED);
	assert_int_equal(ev.tap_id, tap + 1);
	jpki_kiosk_free(&k);
}

/* every reader's REMOVED (and a pending tap's TAP_FAILED) follow a lost
 * service, so that each ADDED/INSERTED has its REMOVED */
static void
test_service_lost_fanout(void **state)
{
	jpki_kiosk_t		*k = NULL;
	jpki_kiosk_event_t	 ev = { .size = sizeof(ev) };

	(void)state;
	assert_int_equal(jpki_kiosk_new(&k, NULL), JPKI_OK);
	feed(k, MON_READER_ADDED, "R0", &ev);
	feed(k, MON_READER_ADDED, "R1", &ev);
	assert_int_equal(feed(k, MON_CARD_INSERTED, "R1", &ev),
	    JPKI_KIOSK_EV_CARD_INSERTED);
	assert_int_equal(feed(k, MON_SERVICE_LOST, NULL, &ev),
	    JPKI_KIOSK_EV_SERVICE_LOST);
	assert_int_equal(next_queued(k, &ev), JPKI_KIOSK_EV_READER_REMOVED);
	assert_string_equal(ev.reader, "R0");
	assert_int_equal(next_queued(k, &ev), JPKI_KIOSK_EV_TAP_FAILED);
	assert_int_equal(ev.error, JPKI_ERR_NO_SERVICE);
	assert_int_equal(next_queued(k, &ev), JPKI_KIOSK_EV_CARD_REMOVED);
	assert_string_equal(ev.reader, "R1");
	assert_int_equal(next_queued(k, &ev), JPKI_KIOSK_EV_READER_REMOVED);
	assert_string_equal(ev.reader, "R1");
	assert_int_equal(next_queued(k, &ev), JPKI_KIOSK_EV_NONE);
	assert_int_equal(k->nr, 0);
	assert_int_equal(feed(k, MON_SERVICE_BACK, NULL, &ev),
	    JPKI_KIOSK_EV_SERVICE_BACK);
	/* an event for a reader we never heard of is dropped */
	assert_int_equal(feed(k, MON_CARD_INSERTED, "R7", &ev),
	    JPKI_KIOSK_EV_NONE);
	jpki_kiosk_free(&k);
}

/* NO_TAP: insertions are reported without taps; retap refused */
static void
test_no_tap(void **state)
{
	jpki_kiosk_opts_t	 o = { .size = sizeof(o) };
	jpki_kiosk_t		*k = NULL;
	jpki_kiosk_event_t	 ev = { .size = sizeof(ev) };

	(void)state;
	JPKI_INIT(&o);
	o.flags = JPKI_KIOSK_NO_TAP;
	assert_int_equal(jpki_kiosk_new(&k, &o), JPKI_OK);
	feed(k, MON_READER_ADDED, "R0", &ev);
	assert_int_equal(feed(k, MON_CARD_INSERTED, "R0", &ev),
	    JPKI_KIOSK_EV_CARD_INSERTED);
	assert_int_equal(ev.tap_id, 0);
	assert_false(k->r[0].pending);
	assert_int_equal(jpki_kiosk_retap(k, "R0"), JPKI_ERR_NOT_SUPPORTED);
	assert_int_equal(feed(k, MON_CARD_REMOVED, "R0", &ev),
	    JPKI_KIOSK_EV_CARD_REMOVED);
	jpki_kiosk_free(&k);
}

/* a cancel with nobody waiting is not lost; queued events come first
 * after it */
static void
test_cancel_before_wait(void **state)
{
	jpki_kiosk_t		*k = NULL;
	jpki_kiosk_event_t	 ev = { .size = sizeof(ev) };

	(void)state;
	assert_int_equal(jpki_kiosk_new(&k, NULL), JPKI_OK);
	feed(k, MON_READER_ADDED, "R0", &ev);
	feed(k, MON_READER_ADDED, "R1", &ev);
	feed(k, MON_SERVICE_LOST, NULL, &ev);	/* leaves 2 queued */
	jpki_kiosk_cancel(k);
	assert_int_equal(jpki_kiosk_wait(k, 1000, &ev), JPKI_ERR_CANCELLED);
	assert_int_equal(jpki_kiosk_wait(k, 1000, &ev), JPKI_OK);
	assert_int_equal(ev.type, JPKI_KIOSK_EV_READER_REMOVED);
	assert_int_equal(jpki_kiosk_wait(k, 1000, &ev), JPKI_OK);
	assert_int_equal(ev.type, JPKI_KIOSK_EV_READER_REMOVED);
	jpki_kiosk_free(&k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_args),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_issuance_hex),
		cmocka_unit_test(test_pending_tap_removed),
		cmocka_unit_test(test_service_lost_fanout),
		cmocka_unit_test(test_no_tap),
		cmocka_unit_test(test_cancel_before_wait),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
