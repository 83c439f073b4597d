/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * A slow card must not stall another reader (issue 10, jpki-pkcs11(8)
 * THREADS AND LOCKING).  Two virtual cards behind the isolated pcscd of
 * tests/e2e/p11_threads.sh: vpcd slot 0 answers COMPUTE DIGITAL SIGNATURE
 * only after P11_SLOW_MS (jpki-cardsim --delay-ms --delay-ins 2A), vpcd
 * slot 1 at once.  Thread A signs on the slow card; thread B, once A is
 * inside its C_Sign, signs NSIGN times on the fast card.  The evidence is
 * the order of events, not a time limit: all of B's signatures must
 * complete while A's first signature is still in flight.  With one module
 * lock held across card I/O, B's first C_Sign waits for A's and the test
 * fails.  Then C_Finalize while A is in card I/O: it waits for A, which
 * returns normally, and the module can be initialised again.
 *
 *   p11_threads   (P11_MODULE; tests/e2e/p11_threads.sh starts the cards)
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <p11-kit/pkcs11.h>

#define PIN	"1234"
#define NSIGN	10		/* B's signatures while A's one is in flight */

static void			*dl;
static CK_FUNCTION_LIST_PTR	 f;

struct card {
	const char		*vpcd;	/* "00 00": reader name part */
	CK_SLOT_ID		 slot;	/* its auth token */
	CK_SESSION_HANDLE	 s;
	CK_OBJECT_HANDLE	 key;
};
static struct card		 slow = { " 00 00", 0, 0, 0 };
static struct card		 fast = { " 00 01", 0, 0, 0 };

static atomic_int		 a_started;	/* A is about to call C_Sign */
static atomic_int		 a_done;	/* A's C_Signs returned */
static CK_RV			 a_rv;
static CK_RV			 b_rv;
static int			 b_before;	/* B's signs done while a_done == 0 */
static double			 b_max_ms;	/* slowest of B's C_Signs */

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* The auth slot of the reader whose name contains c->vpcd. */
static int
find_slot(struct card *c)
{
	CK_SLOT_ID	slots[32];
	CK_ULONG	n = 32, i;
	CK_SLOT_INFO	si;
	char		desc[65];

	if (f->C_GetSlotList(CK_TRUE, slots, &n) != CKR_OK)
		return -1;
	for (i = 0; i < n; i++) {
		if (f->C_GetSlotInfo(slots[i], &si) != CKR_OK)
			continue;
		memcpy(desc, si.slotDescription, 64);
		desc[64] = '\0';
		if (strstr(desc, c->vpcd) != NULL &&
		    strstr(desc, "(auth)") != NULL) {
			c->slot = slots[i];
			return 0;
		}
	}
	return -1;
}

static void
open_card(struct card *c)
{
	CK_OBJECT_CLASS	cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE	t = { CKA_CLASS, &cls, sizeof(cls) };
	CK_ULONG	n = 0;

	assert_int_equal(find_slot(c), 0);
	assert_int_equal(f->C_OpenSession(c->slot, CKF_SERIAL_SESSION, NULL,
	    NULL, &c->s), CKR_OK);
	assert_int_equal(f->C_Login(c->s, CKU_USER, (CK_UTF8CHAR_PTR)PIN, 4),
	    CKR_OK);
	assert_int_equal(f->C_FindObjectsInit(c->s, &t, 1), CKR_OK);
	assert_int_equal(f->C_FindObjects(c->s, &c->key, 1, &n), CKR_OK);
	assert_int_equal(f->C_FindObjectsFinal(c->s), CKR_OK);
	assert_int_equal(n, 1);
}

static CK_RV
sign(const struct card *c)
{
	CK_MECHANISM	m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_BYTE		data[] = "p11_threads", sig[256];
	CK_ULONG	len = sizeof(sig);
	CK_RV		rv;

	if ((rv = f->C_SignInit(c->s, &m, c->key)) != CKR_OK)
		return rv;
	rv = f->C_Sign(c->s, data, sizeof(data) - 1, sig, &len);
	if (rv == CKR_OK && len != sizeof(sig))
		rv = CKR_GENERAL_ERROR;
	return rv;
}

static void *
thread_a(void *arg)
{
	(void)arg;
	atomic_store(&a_started, 1);
	a_rv = sign(&slow);
	atomic_fetch_add(&a_done, 1);
	return NULL;
}

static void *
thread_b(void *arg)
{
	struct timespec	settle = { 0, 300 * 1000 * 1000 };
	double		t;
	int		i;

	(void)arg;
	while (!atomic_load(&a_started))
		sched_yield();
	/* let A get through C_SignInit into the card's slow answer; not a
	 * pass/fail threshold: the checks below are on order alone */
	nanosleep(&settle, NULL);
	for (i = 0; i < NSIGN; i++) {
		t = now_ms();
		if ((b_rv = sign(&fast)) != CKR_OK)
			break;
		t = now_ms() - t;
		if (t > b_max_ms)
			b_max_ms = t;
		if (atomic_load(&a_done) == 0)
			b_before++;
	}
	return NULL;
}

static int
setup(void **state)
{
	CK_C_GetFunctionList	gfl;
	CK_C_INITIALIZE_ARGS	a;

	(void)state;
	if ((dl = dlopen(getenv("P11_MODULE"), RTLD_NOW)) == NULL)
		return -1;
	gfl = (CK_C_GetFunctionList)dlsym(dl, "C_GetFunctionList");
	memset(&a, 0, sizeof(a));
	a.flags = CKF_OS_LOCKING_OK;
	if (gfl == NULL || gfl(&f) != CKR_OK || f->C_Initialize(&a) != CKR_OK)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	(void)f->C_Finalize(NULL);
	dlclose(dl);
	return 0;
}

/* B's NSIGN signatures all complete while A's one is on the slow card. */
static void
slow_reader_does_not_block(void **state)
{
	pthread_t	ta, tb;
	double		t;

	(void)state;
	open_card(&slow);
	open_card(&fast);
	/* the slow card's signing delay, for the record */
	t = now_ms();
	assert_int_equal(sign(&slow), CKR_OK);
	print_message("slow card: one C_Sign %.0f ms\n", now_ms() - t);

	assert_int_equal(pthread_create(&ta, NULL, thread_a, NULL), 0);
	assert_int_equal(pthread_create(&tb, NULL, thread_b, NULL), 0);
	assert_int_equal(pthread_join(tb, NULL), 0);
	assert_int_equal(pthread_join(ta, NULL), 0);
	print_message("fast card: %d of %d C_Sign done during the slow one, "
	    "slowest %.0f ms\n", b_before, NSIGN, b_max_ms);
	assert_int_equal(a_rv, CKR_OK);
	assert_int_equal(b_rv, CKR_OK);
	assert_int_equal(b_before, NSIGN);
}

/*
 * C_Finalize while A is in card I/O: C_Finalize waits for A's C_Sign,
 * which completes (its card handle is not freed under it: ASan and TSan
 * runs would see it), new calls fail, and the module initialises again.
 */
static void *
thread_a_final(void *arg)
{
	(void)arg;
	atomic_store(&a_started, 1);
	a_rv = sign(&slow);
	return NULL;
}

static void
finalize_during_io(void **state)
{
	struct timespec	settle = { 0, 300 * 1000 * 1000 };
	CK_INFO		info;
	pthread_t	ta;

	(void)state;
	atomic_store(&a_started, 0);
	assert_int_equal(pthread_create(&ta, NULL, thread_a_final, NULL), 0);
	while (!atomic_load(&a_started))
		sched_yield();
	nanosleep(&settle, NULL);
	assert_int_equal(f->C_Finalize(NULL), CKR_OK);
	assert_int_equal(pthread_join(ta, NULL), 0);
	assert_true(a_rv == CKR_OK || a_rv == CKR_CRYPTOKI_NOT_INITIALIZED);
	print_message("C_Sign during C_Finalize: rv 0x%lx\n",
	    (unsigned long)a_rv);
	assert_int_equal(f->C_GetInfo(&info), CKR_CRYPTOKI_NOT_INITIALIZED);
	assert_int_equal(f->C_Initialize(NULL), CKR_OK);
	open_card(&fast);
	assert_int_equal(sign(&fast), CKR_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(slow_reader_does_not_block),
		cmocka_unit_test(finalize_during_io),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
