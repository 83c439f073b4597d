/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Driver for the kiosk integration tests (tests/e2e/kiosk_events.sh),
 * against real pcscd + vpcd + jpki-cardsim under tests/lib/isolated.sh.
 *
 *   kiosk_test watch [--full] [--verify CA.pem] [--budget MS]
 *	print one line per event until SIGTERM/SIGINT (which cancel the
 *	wait from a second thread) or --max N events
 *   kiosk_test cancel ROUNDS
 *	cancel a waiting jpki_kiosk_wait() from another thread; fails if a
 *	wake-up takes more than 100 ms
 *   kiosk_test bench N [--full] [--push URL CLIENT_ID MYKEY_ID]
 *	median tap time (and tap + platform acknowledgement) for make bench
 *   kiosk_test reset READER
 *	the card's state does not survive a tap (control without reset)
 *   kiosk_test taps N [--full]
 *	wait for a card, then N taps on it (jpki_kiosk_retap); fails on any
 *	failed tap or on growth of open descriptors or heap (in use, by
 *	mallinfo2) over the second half of the run
 *
 * Lines: "EV <name> reader=<r> tap=<id> step=<s> err=<NAME> iss=<hex>
 *	   head=<0|1> ver=<0|1> cl=<0|1> apdus=<n> bytes=<n> ms=<n>
 *	   fds=<n> heap=<bytes>"
 */
#include <dirent.h>
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jpki/jpki.h>
#include <jpki/cert.h>
#include <jpki/kiosk.h>
#include <jpki/platform.h>

static jpki_kiosk_t	*g_k;
static atomic_int	 g_stop;
static sigset_t		 g_sigs;

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int
count_fds(void)
{
	DIR		*d;
	struct dirent	*e;
	int		 n = 0;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the directory's own descriptor */
}

static size_t
heap_used(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

static void
print_ev(const jpki_kiosk_event_t *ev)
{
	printf("EV %s reader=\"%s\" tap=%u step=%s err=%s iss=%s head=%d "
	    "ver=%d cl=%d apdus=%lu bytes=%lu ms=%ld fds=%d heap=%zu\n",
	    jpki_kiosk_ev_name(ev->type), ev->reader, ev->tap_id,
	    jpki_kiosk_step_name(ev->step),
	    ev->error != 0 ? jpki_strerror_name(ev->error) : "-",
	    ev->issuance[0] != '\0' ? ev->issuance : "-", ev->head_only,
	    ev->verified, ev->contactless, ev->apdus, ev->bytes,
	    ev->elapsed_ms, count_fds(), heap_used());
	if (ev->type == JPKI_KIOSK_EV_TAP_FAILED && ev->verify_reason[0])
		printf("# verify: %s\n", ev->verify_reason);
	fflush(stdout);
}

/* Signals are taken by this thread, which cancels the waiter. */
static void *
sig_thread(void *arg)
{
	int sig;

	(void)arg;
	if (sigwait(&g_sigs, &sig) == 0) {
		atomic_store(&g_stop, 1);
		jpki_kiosk_cancel(g_k);
	}
	return NULL;
}

static int
make_kiosk(int argc, char **argv, int i, jpki_verify_t **v, int *max)
{
	jpki_kiosk_opts_t o = { .size = sizeof(o) };
	int r;

	JPKI_INIT(&o);
	for (; i < argc; i++) {
		if (strcmp(argv[i], "--full") == 0)
			o.flags |= JPKI_KIOSK_FULL_CERT;
		else if (strcmp(argv[i], "--budget") == 0 && i + 1 < argc)
			o.budget_ms = atoi(argv[++i]);
		else if (strcmp(argv[i], "--max") == 0 && i + 1 < argc)
			*max = atoi(argv[++i]);
		else if (strcmp(argv[i], "--verify") == 0 && i + 1 < argc) {
			o.flags |= JPKI_KIOSK_VERIFY;
			if ((r = jpki_verify_new(v,
			    JPKI_VERIFY_NO_BUNDLED_ROOTS)) != JPKI_OK ||
			    (r = jpki_verify_add_anchor_file(*v,
			    argv[++i])) != JPKI_OK) {
				fprintf(stderr, "verifier: %s\n",
				    jpki_strerror(r));
				return r;
			}
			jpki_verify_set_purpose(*v, JPKI_PURPOSE_AUTH);
			o.verify = *v;
		} else {
			fprintf(stderr, "unknown option %s\n", argv[i]);
			return JPKI_ERR_ARG;
		}
	}
	if ((r = jpki_kiosk_new(&g_k, &o)) != JPKI_OK)
		fprintf(stderr, "jpki_kiosk_new: %s\n", jpki_strerror(r));
	return r;
}

static int
do_watch(int argc, char **argv)
{
	jpki_kiosk_event_t	 ev = { .size = sizeof(ev) };
	jpki_verify_t		*v = NULL;
	pthread_t		 th;
	int			 r, n = 0, max = -1;

	if (make_kiosk(argc, argv, 2, &v, &max) != JPKI_OK)
		return 1;
	pthread_create(&th, NULL, sig_thread, NULL);
	while (max < 0 || n < max) {
		r = jpki_kiosk_wait(g_k, -1, &ev);
		if (r == JPKI_ERR_CANCELLED && atomic_load(&g_stop))
			break;
		if (r != JPKI_OK) {
			printf("WAIT %s\n", jpki_strerror_name(r));
			fflush(stdout);
			continue;
		}
		print_ev(&ev);
		n++;
	}
	printf("END\n");
	fflush(stdout);
	/* wake the signal thread with its own signal rather than
	 * pthread_cancel(), which ASan's sigaltstack interceptor reports as
	 * a stack-buffer-underflow at thread exit (check-faults under ASan) */
	pthread_kill(th, SIGTERM);
	pthread_join(th, NULL);
	jpki_kiosk_free(&g_k);
	jpki_verify_free(&v);
	return 0;
}

typedef struct {
	long		 delay_ms;
	long long	 t_cancel;
} canceller_t;

static void *
cancel_thread(void *arg)
{
	canceller_t *c = arg;

	sleep_ms(c->delay_ms);
	c->t_cancel = now_ms();
	jpki_kiosk_cancel(g_k);
	return NULL;
}

/*
 * Cancel a waiter blocked in SCardGetStatusChange (or in the service-down
 * poll) at varied moments; every wake-up must come within 100 ms.  A
 * cancel with nobody waiting must make the next wait return at once.
 */
static int
do_cancel(int rounds)
{
	jpki_kiosk_event_t	 ev = { .size = sizeof(ev) };
	canceller_t		 c;
	pthread_t		 th;
	long long		 t, worst = 0;
	int			 i, r, bad = 0;

	if (jpki_kiosk_new(&g_k, NULL) != JPKI_OK)
		return 1;
	/* drain the initial state */
	while (jpki_kiosk_wait(g_k, 300, &ev) == JPKI_OK)
		;
	for (i = 0; i < rounds; i++) {
		c.delay_ms = 20 + (i * 37) % 250;
		c.t_cancel = 0;
		pthread_create(&th, NULL, cancel_thread, &c);
		do {
			r = jpki_kiosk_wait(g_k, 10000, &ev);
		} while (r == JPKI_OK);
		t = now_ms();
		pthread_join(th, NULL);
		if (r != JPKI_ERR_CANCELLED) {
			printf("round %d: %s\n", i, jpki_strerror_name(r));
			bad++;
			continue;
		}
		if (t - c.t_cancel > worst)
			worst = t - c.t_cancel;
		if (t - c.t_cancel > 100)
			bad++;
	}
	/* cancel before the wait: not lost */
	jpki_kiosk_cancel(g_k);
	t = now_ms();
	r = jpki_kiosk_wait(g_k, 5000, &ev);
	if (r != JPKI_ERR_CANCELLED || now_ms() - t > 100) {
		printf("early cancel: %s after %lld ms\n",
		    jpki_strerror_name(r), now_ms() - t);
		bad++;
	}
	printf("cancel: %d rounds, worst wake-up %lld ms, %d bad\n", rounds,
	    worst, bad);
	jpki_kiosk_free(&g_k);
	return bad != 0;
}

static int
do_taps(int argc, char **argv)
{
	jpki_kiosk_event_t	 ev = { .size = sizeof(ev) };
	jpki_verify_t		*v = NULL;
	char			 reader[128] = "", first[41] = "";
	int			 n, r, max = -1, done = 0, bad = 0;
	int			 fd0 = 0, fd1;
	size_t			 heap0 = 0, heap1;
	long long		 t0, t1;
	long			 worst = 0;

	n = atoi(argv[2]);
	if (make_kiosk(argc, argv, 3, &v, &max) != JPKI_OK)
		return 1;
	t0 = now_ms();
	/* the first tap comes from the insertion */
	while (done < n && now_ms() - t0 < 600000) {
		r = jpki_kiosk_wait(g_k, 10000, &ev);
		if (r != JPKI_OK) {
			printf("wait: %s\n", jpki_strerror_name(r));
			bad++;
			break;
		}
		if (ev.type == JPKI_KIOSK_EV_CARD_REMOVED ||
		    ev.type == JPKI_KIOSK_EV_SERVICE_LOST) {
			print_ev(&ev);
			bad++;
			break;
		}
		if (ev.type == JPKI_KIOSK_EV_TAP_FAILED) {
			print_ev(&ev);
			bad++;
		}
		if (ev.type != JPKI_KIOSK_EV_TAP_DONE &&
		    ev.type != JPKI_KIOSK_EV_TAP_FAILED)
			continue;
		done++;
		if (ev.type == JPKI_KIOSK_EV_TAP_DONE) {
			if (first[0] == '\0')
				memcpy(first, ev.issuance, sizeof(first));
			else if (strcmp(first, ev.issuance) != 0) {
				print_ev(&ev);
				bad++;
			}
			if (ev.elapsed_ms > worst)
				worst = ev.elapsed_ms;
		}
		snprintf(reader, sizeof(reader), "%s", ev.reader);
		/* measured over the second half: the allocator and OpenSSL
		 * settle during the first taps (valgrind: nothing leaks) */
		if (done == n / 2) {
			fd0 = count_fds();
			heap0 = heap_used();
			t1 = now_ms();
		}
		if (done < n && (r = jpki_kiosk_retap(g_k, reader)) !=
		    JPKI_OK) {
			printf("retap: %s\n", jpki_strerror_name(r));
			bad++;
			break;
		}
	}
	fd1 = count_fds();
	heap1 = heap_used();
	t1 = now_ms() - t0;
	printf("taps: %d done, %d bad, %lld ms, worst tap %ld ms, "
	    "fds %d -> %d, heap %zu -> %zu\n", done, bad, t1, worst, fd0,
	    fd1, heap0, heap1);
	if (done != n || fd1 != fd0 || heap1 > heap0 + 4096)
		bad++;
	jpki_kiosk_free(&g_k);
	jpki_verify_free(&v);
	return bad != 0;
}

static long long
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

static long
median_of(long *v, int n)
{
	qsort(v, (size_t)n, sizeof(v[0]), cmp_long);
	return n == 0 ? -1 : v[n / 2];
}

/*
 * kiosk_test bench N [--full] [--push URL CLIENT_ID MYKEY_ID]: N taps on
 * the card in place (the first from its insertion); prints one line with
 * the median tap time (insertion seen -> TAP_DONE, in us resolution ms),
 * APDUs and bytes of a tap, and with --push the median of tap + the
 * platform's answer to the no-signature push of the number read.
 */
static int
do_bench(int argc, char **argv)
{
	jpki_kiosk_event_t	 ev = { .size = sizeof(ev) };
	jpki_kiosk_opts_t	 o = { .size = sizeof(o) };
	jpki_platform_t		*p = NULL;
	jpki_platform_opts_t	 po = { .size = sizeof(po) };
	jpki_platform_result_t	 res = { .size = sizeof(res) };
	jpki_consent_t		 consent = { .size = sizeof(consent) };
	const char		*mykey = NULL;
	long			*tap, *ack;
	long long		 t0, tr = 0;
	unsigned long		 apdus = 0, bytes = 0;
	int			 n, i, done = 0, r, bad = 0;

	n = atoi(argv[2]);
	JPKI_INIT(&o);
	JPKI_INIT(&po);
	for (i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--full") == 0)
			o.flags |= JPKI_KIOSK_FULL_CERT;
		else if (strcmp(argv[i], "--push") == 0 && i + 3 < argc) {
			po.url = argv[++i];
			po.client_id = argv[++i];
			mykey = argv[++i];
		}
	}
	if (n <= 0 || (tap = calloc((size_t)n + 1, sizeof(long))) == NULL ||
	    (ack = calloc((size_t)n + 1, sizeof(long))) == NULL)
		return 2;
	if (mykey != NULL) {
		po.client_secret = getenv("JPKI_PLATFORM_CLIENT_SECRET");
		po.allow_http_loopback = 1;
		po.max_attempts = 1;
		if (jpki_platform_new(&p) != JPKI_OK ||
		    jpki_platform_configure(p, &po) != JPKI_OK ||
		    jpki_consent_mint(&consent, JPKI_PURPOSE_PROOF,
		    JPKI_TERMS_VERSION) != JPKI_OK ||
		    jpki_platform_token(p) != JPKI_OK) {
			fprintf(stderr, "bench: platform setup failed\n");
			return 1;
		}
	}
	if (jpki_kiosk_new(&g_k, &o) != JPKI_OK)
		return 1;
	t0 = now_ms();
	n++;	/* one more: the insertion's tap is the warm-up */
	while (done < n && now_ms() - t0 < 120000) {
		if ((r = jpki_kiosk_wait(g_k, 10000, &ev)) != JPKI_OK) {
			bad++;
			break;
		}
		if (ev.type == JPKI_KIOSK_EV_TAP_FAILED) {
			print_ev(&ev);
			bad++;
			break;
		}
		if (ev.type != JPKI_KIOSK_EV_TAP_DONE)
			continue;
		/* the first tap (from the insertion) warms up; the others
		 * run from jpki_kiosk_retap() to TAP_DONE, in us */
		tap[done] = (long)(now_us() - tr);
		apdus = ev.apdus;
		bytes = ev.bytes;
		if (p != NULL) {
			long long t1 = now_us();

			JPKI_INIT(&res);
			r = jpki_platform_push(p, mykey, ev.issuance, NULL,
			    &consent, NULL, &res);
			jpki_platform_result_clear(&res);
			if (r != JPKI_OK) {
				fprintf(stderr, "bench: push: %s\n",
				    jpki_strerror_name(r));
				bad++;
				break;
			}
			ack[done] = tap[done] + (long)(now_us() - t1);
		}
		done++;
		tr = now_us();
		if (done < n && jpki_kiosk_retap(g_k, ev.reader) != JPKI_OK) {
			bad++;
			break;
		}
	}
	/* tap[0]/ack[0] came from the insertion: not counted */
	printf("BENCH taps=%d apdus=%lu bytes=%lu tap_us=%ld ack_us=%ld\n",
	    done - 1, apdus, bytes, median_of(tap + 1, done - 1),
	    p != NULL ? median_of(ack + 1, done - 1) : -1L);
	jpki_kiosk_free(&g_k);
	jpki_platform_free(&p);
	free(tap);
	free(ack);
	return bad != 0 || done != n;
}

/* READ BINARY of 4 bytes by SFI 0A (auth cert) with whatever DF the card
 * has selected now: 9000 only while the JPKI AP is still selected. */
static int
read_sfi_sw(const char *reader, unsigned *sw)
{
	static const uint8_t rb[] = { 0x00, 0xB0, 0x8A, 0x00, 0x04 };
	jpki_card_t	*c;
	uint8_t		 rsp[32];
	size_t		 len = sizeof(rsp);
	int		 r;

	*sw = 0;
	if (jpki_card_new(&c) != JPKI_OK)
		return JPKI_ERR_NOMEM;
	if ((r = jpki_card_open(c, reader, 0, JPKI_OPEN_NO_SELECT)) ==
	    JPKI_OK &&
	    (r = jpki_card_transmit(c, rb, sizeof(rb), rsp, &len)) ==
	    JPKI_OK && len >= 2)
		*sw = (unsigned)rsp[len - 2] << 8 | rsp[len - 1];
	jpki_card_free(&c);	/* plain disconnect: SCARD_LEAVE_CARD */
	return r;
}

/*
 * kiosk_test reset READER: the kiosk leaves no card state to the next
 * person.  Control first: after a plain disconnect the JPKI AP is still
 * selected (a READ BINARY by SFI answers 9000), so the probe can see
 * state that survives.  Then one kiosk tap, and the same probe must fail:
 * the card was reset (jpki-card.md §1: back to the MF-level state).
 */
static int
do_reset(const char *reader)
{
	jpki_kiosk_event_t	 ev = { .size = sizeof(ev) };
	jpki_card_t		*c;
	unsigned		 sw = 0;
	int			 r, bad = 0, done = 0;

	if (jpki_card_new(&c) != JPKI_OK ||
	    (r = jpki_card_open(c, reader, 0, 0)) != JPKI_OK) {
		printf("open: failed\n");
		return 1;
	}
	jpki_card_free(&c);
	r = read_sfi_sw(reader, &sw);
	printf("control, after a plain disconnect: %s, SW %04X\n",
	    jpki_strerror_name(r), sw);
	if (r != JPKI_OK || sw != 0x9000)
		bad++;
	if (jpki_kiosk_new(&g_k, NULL) != JPKI_OK)
		return 1;
	while (!done && jpki_kiosk_wait(g_k, 10000, &ev) == JPKI_OK)
		if ((ev.type == JPKI_KIOSK_EV_TAP_DONE ||
		    ev.type == JPKI_KIOSK_EV_TAP_FAILED) &&
		    strcmp(ev.reader, reader) == 0) {
			print_ev(&ev);
			done = ev.type == JPKI_KIOSK_EV_TAP_DONE;
			if (!done)
				break;
		}
	jpki_kiosk_free(&g_k);
	r = read_sfi_sw(reader, &sw);
	printf("after a kiosk tap: %s, SW %04X\n", jpki_strerror_name(r),
	    sw);
	if (!done || r != JPKI_OK || sw == 0x9000)
		bad++;
	return bad != 0;
}

int
main(int argc, char **argv)
{
	int rc = 2;

	if (argc < 2) {
		fprintf(stderr, "usage: kiosk_test watch|cancel|taps ...\n");
		return 2;
	}
	sigemptyset(&g_sigs);
	sigaddset(&g_sigs, SIGTERM);
	sigaddset(&g_sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &g_sigs, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(argv[1], "watch") == 0)
		rc = do_watch(argc, argv);
	else if (strcmp(argv[1], "cancel") == 0 && argc > 2)
		rc = do_cancel(atoi(argv[2]));
	else if (strcmp(argv[1], "taps") == 0 && argc > 2)
		rc = do_taps(argc, argv);
	else if (strcmp(argv[1], "bench") == 0 && argc > 2)
		rc = do_bench(argc, argv);
	else if (strcmp(argv[1], "reset") == 0 && argc > 2)
		rc = do_reset(argv[2]);
	return rc;
}
