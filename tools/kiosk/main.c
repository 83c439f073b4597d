/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * jpki-kiosk: an example counter kiosk on the kiosk API.  One person
 * after another taps or inserts a My Number Card; the kiosk reads the
 * issuance number (no PIN), asks the person once for consent (and for
 * their MyKey ID if the kiosk does not know it), pushes the number to the
 * MyKey Platform without a signature (queued when the platform is down)
 * and shows each step.
 *
 * Threads: the main thread owns the kiosk handle and the screen; a signal
 * thread and a keyboard thread only hand over what they got and wake the
 * main thread with jpki_kiosk_cancel() (kiosk.h, thread safety).
 */
#include <ctype.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jpki/cert.h>

#include "kiosk.h"

#define LINE_MAX_IN	64
#define IDLE_AFTER_S	15	/* result shown this long, then "ready" */

static const char usage[] =
"usage: jpki-kiosk [options]\n"
"\n"
"Counter kiosk for the My Number Card (個人番号カード): waits for cards on\n"
"every reader, reads the issuance number of the authentication\n"
"certificate (no PIN), asks the cardholder's consent once, and pushes the\n"
"number to the MyKey Platform (queued while the platform is unreachable).\n"
"\n"
"  -j, --json               one JSON object per line instead of the screen\n"
"      --full               read the whole certificate (default: its head)\n"
"      --verify             verify the certificate chain (J-LIS roots)\n"
"      --anchor FILE        trust anchor for --verify instead of the\n"
"                           bundled roots (repeatable; test CAs)\n"
"      --budget MS          time budget of one tap (5000)\n"
"      --platform URL       MyKey Platform base URL (none: only show)\n"
"      --client-id ID       platform client; the secret is read from\n"
"                           JPKI_PLATFORM_CLIENT_SECRET\n"
"      --allow-http         allow http:// to a loopback platform (tests)\n"
"      --queue FILE         offline queue (./jpki-kiosk-queue.db)\n"
"      --mykey-map FILE     known cards: lines \"ISSUANCE MYKEY-ID\"\n"
"      --flush-every S      retry queued pushes every S seconds (5)\n"
"  -h, --help               this text\n"
"\n"
"Keys for the person at the counter: y / n (consent), the MyKey ID, then\n"
"Enter.  Staff: r + Enter reads the card again, Ctrl-C stops.\n";

typedef struct {
	char		iss[41];
	char		mykey[16];
	int		consented;
	jpki_consent_t	consent;
} person_t;

typedef struct {
	kt_screen_t	 s;
	jpki_kiosk_t	*k;
	kt_push_t	 push;
	int		 have_push;
	person_t	 people[KT_PEOPLE];
	size_t		 npeople;
	person_t	*cur;		/* being asked */
	char		 last_reader[128];
	unsigned	 cur_tap;
	time_t		 state_since;
	time_t		 last_flush;
	int		 flush_every;
} app_t;

/* Handed from the helper threads to the main thread. */
static pthread_mutex_t	 g_lock = PTHREAD_MUTEX_INITIALIZER;
static char		 g_line[LINE_MAX_IN];
static int		 g_have_line;
static atomic_int	 g_quit;
static jpki_kiosk_t	*g_k;
static sigset_t		 g_sigs;

static void *
sig_thread(void *arg)
{
	int sig;

	(void)arg;
	if (sigwait(&g_sigs, &sig) == 0) {
		atomic_store(&g_quit, 1);
		jpki_kiosk_cancel(g_k);
	}
	return NULL;
}

static void *
input_thread(void *arg)
{
	char buf[LINE_MAX_IN];

	(void)arg;
	while (fgets(buf, sizeof(buf), stdin) != NULL) {
		buf[strcspn(buf, "\r\n")] = '\0';
		pthread_mutex_lock(&g_lock);
		snprintf(g_line, sizeof(g_line), "%s", buf);
		g_have_line = 1;
		/* under the lock: main clears g_k under it before the free */
		if (g_k != NULL)
			jpki_kiosk_cancel(g_k);
		pthread_mutex_unlock(&g_lock);
	}
	return NULL;
}

static person_t *
person(app_t *a, const char *iss, int add)
{
	size_t i;

	for (i = 0; i < a->npeople; i++)
		if (strcmp(a->people[i].iss, iss) == 0)
			return &a->people[i];
	if (!add)
		return NULL;
	if (a->npeople == KT_PEOPLE) {	/* forget the oldest */
		memmove(&a->people[0], &a->people[1],
		    sizeof(a->people[0]) * (KT_PEOPLE - 1));
		a->npeople--;
	}
	memset(&a->people[a->npeople], 0, sizeof(person_t));
	snprintf(a->people[a->npeople].iss, sizeof(a->people[0].iss), "%s",
	    iss);
	return &a->people[a->npeople++];
}

/* MyKey ID: 8 of [A-Z2-9] without I, O (mykey-mock-api.md §5.8). */
static int
mykey_ok(const char *s)
{
	size_t i;

	if (strlen(s) != 8)
		return 0;
	for (i = 0; i < 8; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z' && s[i] != 'I' &&
		    s[i] != 'O') || (s[i] >= '2' && s[i] <= '9')))
			return 0;
	return 1;
}

static int
load_map(app_t *a, const char *path)
{
	FILE		*f;
	char		 line[256], iss[64], id[32];
	person_t	*p;

	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "jpki-kiosk: %s: cannot open\n", path);
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		if (line[0] == '#' || sscanf(line, "%63s %31s", iss, id) != 2)
			continue;
		if (strlen(iss) > 40 || !mykey_ok(id))
			continue;
		if ((p = person(a, iss, 1)) != NULL)
			snprintf(p->mykey, sizeof(p->mykey), "%.8s", id);
	}
	fclose(f);
	return 0;
}

static void
set_state(app_t *a, kt_state_t st, const char *head, const char *detail)
{
	ui_state(&a->s, st, head, detail);
	a->state_since = time(NULL);
}

static void
refresh_queue(app_t *a)
{
	unsigned p = 0, f = 0;

	if (a->have_push && jpki_queue_count(a->push.q, &p, &f) == JPKI_OK)
		a->s.queued = p;
}

static void
do_push(app_t *a, person_t *p)
{
	char	msg[200], mask[16], n[16];
	int	r;

	ui_mask(p->iss, mask);
	set_state(a, KT_READING, "Sending to the MyKey Platform...",
	    "One moment please.");
	ui_draw(&a->s);
	r = push_one(&a->push, p->mykey, p->iss, &p->consent, msg,
	    sizeof(msg));
	refresh_queue(a);
	snprintf(n, sizeof(n), "%u", a->s.queued);
	if (r == JPKI_OK) {
		a->s.sent++;
		a->s.platform_online = 1;
		set_state(a, KT_DONE, "Done - thank you!", msg);
		ui_log(&a->s, "Pushed %s for %s: accepted", mask, p->mykey);
		ui_json(&a->s, "push", "result", "sent", "mykey_id", p->mykey,
		    "issuance", p->iss, "#queued", n, NULL);
	} else if (r == JPKI_ERR_QUEUED) {
		a->s.platform_online = 0;
		set_state(a, KT_DONE, "Done - thank you!", msg);
		ui_log(&a->s, "Platform unreachable: %s for %s saved (%u "
		    "waiting)", mask, p->mykey, a->s.queued);
		ui_json(&a->s, "push", "result", "queued", "mykey_id",
		    p->mykey, "issuance", p->iss, "#queued", n, NULL);
	} else {
		set_state(a, KT_ERROR, "The platform did not accept the "
		    "number.", msg);
		ui_log(&a->s, "Push of %s refused: %s", mask,
		    jpki_strerror_name(r));
		ui_json(&a->s, "push", "result", "refused", "mykey_id",
		    p->mykey, "issuance", p->iss, "error",
		    jpki_strerror_name(r), "message", msg, NULL);
	}
}

static void
ask_consent(app_t *a)
{
	char tap[16];

	set_state(a, KT_ASK_CONSENT, "May we send your card's issuance "
	    "number to the MyKey Platform?", "It is checked with J-LIS; "
	    "nothing else is read. Type y (yes) or n (no), then Enter.");
	snprintf(tap, sizeof(tap), "%u", a->cur_tap);
	ui_json(&a->s, "consent-needed", "#tap", tap, NULL);
}

static void
ask_mykey(app_t *a)
{
	set_state(a, KT_ASK_MYKEY, "Please type your MyKey ID (8 letters "
	    "and digits), then Enter.", "It is on your MyKey registration "
	    "slip.");
	ui_json(&a->s, "mykey-id-needed", NULL);
}

static void
on_input(app_t *a, const char *in)
{
	char	v[LINE_MAX_IN];
	size_t	i;
	int	r;

	for (i = 0; in[i] != '\0' && i < sizeof(v) - 1; i++)
		v[i] = (char)toupper((unsigned char)in[i]);
	v[i] = '\0';
	if (strcmp(v, "R") == 0 && a->last_reader[0] != '\0') {
		r = jpki_kiosk_retap(a->k, a->last_reader);
		if (r != JPKI_OK)
			ui_log(&a->s, "Read again: %s", jpki_strerror(r));
		return;
	}
	if (a->cur == NULL)
		return;
	if (a->s.state == KT_ASK_CONSENT) {
		if (strcmp(v, "Y") == 0 || strcmp(v, "YES") == 0) {
			JPKI_INIT(&a->cur->consent);
			if (jpki_consent_mint(&a->cur->consent,
			    JPKI_PURPOSE_PROOF, JPKI_TERMS_VERSION) !=
			    JPKI_OK) {
				set_state(a, KT_ERROR, "Internal error",
				    "consent record");
				return;
			}
			a->cur->consented = 1;
			ui_log(&a->s, "Consent given");
			ui_json(&a->s, "consent", "given", "yes", NULL);
			if (a->cur->mykey[0] != '\0')
				do_push(a, a->cur);
			else
				ask_mykey(a);
		} else if (strcmp(v, "N") == 0 || strcmp(v, "NO") == 0) {
			ui_log(&a->s, "Consent declined: nothing sent");
			ui_json(&a->s, "consent", "given", "no", NULL);
			set_state(a, KT_DONE, "Nothing was sent. Thank you.",
			    "You may take your card.");
			a->cur = NULL;
		}
		return;
	}
	if (a->s.state == KT_ASK_MYKEY) {
		if (!mykey_ok(v)) {
			set_state(a, KT_ASK_MYKEY, "That is not a MyKey ID. "
			    "Please type the 8 characters again, then Enter.",
			    "Letters A-Z (no I or O) and digits 2-9.");
			return;
		}
		snprintf(a->cur->mykey, sizeof(a->cur->mykey), "%.8s", v);
		do_push(a, a->cur);
	}
}

static void
json_event(app_t *a, const jpki_kiosk_event_t *ev)
{
	char tap[16], apdus[24], ms[24], cl[8];

	snprintf(tap, sizeof(tap), "%u", ev->tap_id);
	snprintf(apdus, sizeof(apdus), "%lu", ev->apdus);
	snprintf(ms, sizeof(ms), "%ld", ev->elapsed_ms);
	snprintf(cl, sizeof(cl), "%s", ev->contactless ? "true" : "false");
	switch (ev->type) {
	case JPKI_KIOSK_EV_PROGRESS:
		ui_json(&a->s, "progress", "reader", ev->reader, "#tap", tap,
		    "step", jpki_kiosk_step_name(ev->step), NULL);
		break;
	case JPKI_KIOSK_EV_CARD_INSERTED:
		ui_json(&a->s, "card-inserted", "reader", ev->reader, "#tap",
		    tap, NULL);
		break;
	case JPKI_KIOSK_EV_TAP_DONE:
		ui_json(&a->s, "tap-done", "reader", ev->reader, "#tap", tap,
		    "issuance", ev->issuance, "#head_only",
		    ev->head_only ? "true" : "false", "#verified",
		    ev->verified ? "true" : "false", "#contactless", cl,
		    "#apdus", apdus, "#ms", ms, NULL);
		break;
	case JPKI_KIOSK_EV_TAP_FAILED:
		ui_json(&a->s, "tap-failed", "reader", ev->reader, "#tap",
		    tap, "step", jpki_kiosk_step_name(ev->step), "error",
		    jpki_strerror_name(ev->error), "advice",
		    ui_err_advice(ev->error), NULL);
		break;
	default:
		ui_json(&a->s, jpki_kiosk_ev_name(ev->type), "reader",
		    ev->reader[0] ? ev->reader : NULL, NULL);
		break;
	}
}

static void
on_event(app_t *a, const jpki_kiosk_event_t *ev)
{
	person_t	*p;
	char		 mask[16], d[200];

	ui_event(&a->s, ev);
	json_event(a, ev);
	switch (ev->type) {
	case JPKI_KIOSK_EV_CARD_INSERTED:
		a->cur = NULL;	/* a new person: any question is void */
		a->cur_tap = ev->tap_id;
		snprintf(a->last_reader, sizeof(a->last_reader), "%s",
		    ev->reader);
		set_state(a, KT_READING, "Reading your card - please keep it "
		    "still.", ev->reader);
		ui_log(&a->s, "Card on %s", ev->reader);
		break;
	case JPKI_KIOSK_EV_PROGRESS:
		if (ev->step == JPKI_KIOSK_STEP_IDENTIFIED)
			ui_log(&a->s, "My Number Card recognised%s",
			    ev->contactless ? " (contactless)" : "");
		else if (ev->step == JPKI_KIOSK_STEP_VERIFIED)
			ui_log(&a->s, "Certificate verified");
		break;
	case JPKI_KIOSK_EV_TAP_DONE:
		ui_mask(ev->issuance, mask);
		ui_log(&a->s, "Issuance number %s read (%lu APDUs, %ld ms)",
		    mask, ev->apdus, ev->elapsed_ms);
		if (!a->have_push) {
			snprintf(d, sizeof(d), "Issuance number %s. You may "
			    "take your card.", mask);
			set_state(a, KT_DONE, "Card read - thank you!", d);
			break;
		}
		if ((p = person(a, ev->issuance, 1)) == NULL)
			break;
		a->cur = p;
		if (p->consented && p->mykey[0] != '\0')
			do_push(a, p);	/* asked once per person */
		else
			ask_consent(a);
		break;
	case JPKI_KIOSK_EV_TAP_FAILED:
		if (ev->error == JPKI_ERR_CANCELLED)
			break;
		ui_log(&a->s, "Read failed: %s", jpki_strerror(ev->error));
		set_state(a, KT_ERROR, "Sorry - the card could not be read.",
		    ui_err_advice(ev->error));
		break;
	case JPKI_KIOSK_EV_CARD_REMOVED:
		if (a->s.state == KT_READING)
			set_state(a, KT_ERROR, "The card was removed too "
			    "early.", "Please tap it again and hold it "
			    "still.");
		break;
	case JPKI_KIOSK_EV_SERVICE_LOST:
		set_state(a, KT_ERROR, "Out of service - please wait.",
		    "The card service stopped; reconnecting by itself.");
		break;
	case JPKI_KIOSK_EV_SERVICE_BACK:
		set_state(a, KT_IDLE, "Please tap or insert your My Number "
		    "Card.", "");
		break;
	default:
		break;
	}
}

static void
timers(app_t *a)
{
	unsigned	sent = 0, pending = 0;
	char		n1[16], n2[16];
	time_t		now = time(NULL);
	int		r;

	if ((a->s.state == KT_DONE || a->s.state == KT_ERROR) &&
	    now - a->state_since >= IDLE_AFTER_S) {
		a->cur = NULL;
		set_state(a, KT_IDLE, "Please tap or insert your My Number "
		    "Card.", "");
	}
	if (!a->have_push || a->s.queued == 0 ||
	    now - a->last_flush < a->flush_every)
		return;
	a->last_flush = now;
	r = push_flush(&a->push, &sent, &pending);
	a->s.queued = pending;
	a->s.platform_online = r == JPKI_OK;
	if (sent > 0) {
		a->s.sent += sent;
		ui_log(&a->s, "Platform back: %u saved push%s sent, %u "
		    "waiting", sent, sent == 1 ? "" : "es", pending);
		snprintf(n1, sizeof(n1), "%u", sent);
		snprintf(n2, sizeof(n2), "%u", pending);
		ui_json(&a->s, "flush", "#sent", n1, "#queued", n2, NULL);
	}
}

static int
run(app_t *a)
{
	jpki_kiosk_event_t	ev = { .size = sizeof(ev) };
	char			line[LINE_MAX_IN];
	int			r, have;

	set_state(a, KT_IDLE, "Please tap or insert your My Number Card.", "");
	ui_draw(&a->s);
	while (!atomic_load(&g_quit)) {
		r = jpki_kiosk_wait(a->k, 1000, &ev);
		if (r == JPKI_OK)
			on_event(a, &ev);
		else if (r != JPKI_ERR_TIMEOUT && r != JPKI_ERR_CANCELLED) {
			ui_log(&a->s, "kiosk: %s", jpki_strerror(r));
			ui_json(&a->s, "error", "error", jpki_strerror_name(r),
			    NULL);
		}
		pthread_mutex_lock(&g_lock);
		have = g_have_line;
		if (have)
			memcpy(line, g_line, sizeof(line));
		g_have_line = 0;
		pthread_mutex_unlock(&g_lock);
		if (have)
			on_input(a, line);
		timers(a);
		ui_draw(&a->s);
	}
	ui_json(&a->s, "stopped", NULL);
	return 0;
}

enum {
	O_FULL = 256, O_VERIFY, O_ANCHOR, O_BUDGET, O_PLATFORM, O_CLIENT,
	O_HTTP, O_QUEUE, O_MAP, O_FLUSH
};

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json",	no_argument,		NULL, 'j' },
		{ "full",	no_argument,		NULL, O_FULL },
		{ "verify",	no_argument,		NULL, O_VERIFY },
		{ "anchor",	required_argument,	NULL, O_ANCHOR },
		{ "budget",	required_argument,	NULL, O_BUDGET },
		{ "platform",	required_argument,	NULL, O_PLATFORM },
		{ "client-id",	required_argument,	NULL, O_CLIENT },
		{ "allow-http",	no_argument,		NULL, O_HTTP },
		{ "queue",	required_argument,	NULL, O_QUEUE },
		{ "mykey-map",	required_argument,	NULL, O_MAP },
		{ "flush-every", required_argument,	NULL, O_FLUSH },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL,		0,			NULL, 0 }
	};
	static app_t		 a;
	jpki_kiosk_opts_t	 ko = { .size = sizeof(ko) };
	jpki_verify_t		*v = NULL;
	const char		*url = NULL, *client = NULL, *map = NULL;
	const char		*queue = "jpki-kiosk-queue.db";
	pthread_t		 st, it;
	int			 c, r, http = 0, rc = 1, verify = 0;

	JPKI_INIT(&ko);
	a.flush_every = 5;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			a.s.json = 1;
			break;
		case O_FULL:
			ko.flags |= JPKI_KIOSK_FULL_CERT;
			break;
		case O_VERIFY:
			verify = 1;
			break;
		case O_ANCHOR:
			verify = 1;
			if (v == NULL && (r = jpki_verify_new(&v,
			    JPKI_VERIFY_NO_BUNDLED_ROOTS)) != JPKI_OK)
				goto verr;
			if ((r = jpki_verify_add_anchor_file(v, optarg)) !=
			    JPKI_OK)
				goto verr;
			break;
		case O_BUDGET:
			ko.budget_ms = atoi(optarg);
			break;
		case O_PLATFORM:
			url = optarg;
			break;
		case O_CLIENT:
			client = optarg;
			break;
		case O_HTTP:
			http = 1;
			break;
		case O_QUEUE:
			queue = optarg;
			break;
		case O_MAP:
			map = optarg;
			break;
		case O_FLUSH:
			a.flush_every = atoi(optarg) > 0 ? atoi(optarg) : 5;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind != argc || (url != NULL && client == NULL)) {
		fputs(usage, stderr);
		return 2;
	}
	if (verify) {
		ko.flags |= JPKI_KIOSK_VERIFY;
		ko.verify = v;	/* NULL: the kiosk loads the J-LIS roots */
	}
	if (map != NULL && load_map(&a, map) != 0)
		goto out;
	if (url != NULL) {
		if ((r = push_init(&a.push, url, client, queue, http)) !=
		    JPKI_OK) {
			fprintf(stderr, "jpki-kiosk: platform %s: %s\n", url,
			    jpki_strerror(r));
			goto out;
		}
		a.have_push = 1;
		a.s.platform_url = url;
		a.s.platform_online = 1;
		refresh_queue(&a);
	}
	if ((r = jpki_kiosk_new(&a.k, &ko)) != JPKI_OK) {
		fprintf(stderr, "jpki-kiosk: %s\n", jpki_strerror(r));
		goto out;
	}
	g_k = a.k;
	sigemptyset(&g_sigs);
	sigaddset(&g_sigs, SIGINT);
	sigaddset(&g_sigs, SIGTERM);
	sigaddset(&g_sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &g_sigs, NULL);
	setvbuf(stdout, NULL, _IOFBF, 16384);
	pthread_create(&st, NULL, sig_thread, NULL);
	pthread_create(&it, NULL, input_thread, NULL);
	pthread_detach(it);	/* blocked in fgets; ends with the process */
	rc = run(&a);
	pthread_join(st, NULL);
	if (!a.s.json)
		fputs("\njpki-kiosk stopped.\n", stdout);
	fflush(stdout);
	pthread_mutex_lock(&g_lock);
	g_k = NULL;
	pthread_mutex_unlock(&g_lock);
	jpki_kiosk_free(&a.k);
out:
	if (a.have_push)
		push_fini(&a.push);
	jpki_verify_free(&v);
	return rc;
verr:
	fprintf(stderr, "jpki-kiosk: --anchor %s: %s\n", optarg,
	    jpki_strerror(r));
	jpki_verify_free(&v);
	return 2;
}
