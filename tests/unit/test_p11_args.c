/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * jpki-pkcs11.so argument checks, through the real module (dlopen) with
 * PC/SC pointed at a socket that does not exist, so there are no slots:
 * NULL pointers, the size-query convention, initialisation rules (PKCS#11
 * v2.40 §5.4), the caller's mutex callbacks, fork detection, a
 * blocking C_WaitForSlotEvent woken by C_Finalize, and the module lock's
 * lock/unlock pairing while C_Initialize/C_Finalize swap it.  Card-level checks are
 * in tests/e2e/p11_api.c.
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
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <p11-kit/pkcs11.h>

#ifndef P11_MODULE_PATH
#define P11_MODULE_PATH	"build/pkcs11/jpki-pkcs11.so"
#endif

typedef struct {
	CK_CHAR		*pInterfaceName;
	CK_VOID_PTR	 pFunctionList;
	CK_FLAGS	 flags;
} iface_t;

typedef CK_RV (*getiflist_fn)(iface_t *, CK_ULONG *);
typedef CK_RV (*getif_fn)(CK_UTF8CHAR *, CK_VERSION *, iface_t **, CK_FLAGS);

static void			*dl;
static CK_FUNCTION_LIST_PTR	 f;

static int
setup(void **state)
{
	CK_C_GetFunctionList gfl;

	(void)state;
	/* no pcscd: the module sees zero readers whatever the host runs */
	setenv("PCSCLITE_CSOCK_NAME", "/nonexistent/pcscd.comm", 1);
	if ((dl = dlopen(P11_MODULE_PATH, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		fprintf(stderr, "dlopen: %s\n", dlerror());
		return -1;
	}
	gfl = (CK_C_GetFunctionList)dlsym(dl, "C_GetFunctionList");
	if (gfl == NULL || gfl(&f) != CKR_OK)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	if (f != NULL)
		(void)f->C_Finalize(NULL);
	dlclose(dl);
	return 0;
}

static void
exports(void **state)
{
	CK_C_GetFunctionList	gfl;

	(void)state;
	gfl = (CK_C_GetFunctionList)dlsym(dl, "C_GetFunctionList");
	assert_int_equal(gfl(NULL), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->version.major, 2);
	assert_int_equal(f->version.minor, 40);
	/* only the three entry points are exported */
	assert_null(dlsym(dl, "C_Initialize"));
	assert_null(dlsym(dl, "jpki_card_open"));
	assert_null(dlsym(dl, "p11_rv"));
}

static void
interfaces(void **state)
{
	getiflist_fn	 list = (getiflist_fn)dlsym(dl, "C_GetInterfaceList");
	getif_fn	 get = (getif_fn)dlsym(dl, "C_GetInterface");
	iface_t		 buf[2], *i = NULL;
	CK_ULONG	 n = 0;
	CK_VERSION	 v30 = { 3, 0 }, v240 = { 2, 40 };

	(void)state;
	assert_non_null(list);
	assert_non_null(get);
	assert_int_equal(list(NULL, NULL), CKR_ARGUMENTS_BAD);
	assert_int_equal(list(NULL, &n), CKR_OK);
	assert_int_equal(n, 1);
	n = 0;
	assert_int_equal(list(buf, &n), CKR_BUFFER_TOO_SMALL);
	assert_int_equal(n, 1);
	n = 2;
	assert_int_equal(list(buf, &n), CKR_OK);
	assert_int_equal(n, 1);
	assert_string_equal((char *)buf[0].pInterfaceName, "PKCS 11");
	assert_ptr_equal(buf[0].pFunctionList, f);
	assert_int_equal(get(NULL, NULL, NULL, 0), CKR_ARGUMENTS_BAD);
	assert_int_equal(get(NULL, NULL, &i, 0), CKR_OK);
	assert_ptr_equal(i->pFunctionList, f);
	assert_int_equal(get((CK_UTF8CHAR *)"PKCS 11", &v240, &i, 0), CKR_OK);
	assert_int_equal(get((CK_UTF8CHAR *)"PKCS 11", &v30, &i, 0),
	    CKR_ARGUMENTS_BAD);
	assert_int_equal(get((CK_UTF8CHAR *)"Vendor X", NULL, &i, 0),
	    CKR_ARGUMENTS_BAD);
	/* not fork-safe: asking for it fails */
	assert_int_equal(get(NULL, NULL, &i, 1), CKR_ARGUMENTS_BAD);
}

static void
not_initialized(void **state)
{
	CK_INFO			info;
	CK_ULONG		n = 0;
	CK_SESSION_HANDLE	h = 0;
	CK_SLOT_ID		slot;

	(void)state;
	assert_int_equal(f->C_GetInfo(&info), CKR_CRYPTOKI_NOT_INITIALIZED);
	assert_int_equal(f->C_GetSlotList(CK_FALSE, NULL, &n),
	    CKR_CRYPTOKI_NOT_INITIALIZED);
	assert_int_equal(f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL,
	    &h), CKR_CRYPTOKI_NOT_INITIALIZED);
	assert_int_equal(f->C_Sign(1, NULL, 0, NULL, &n),
	    CKR_CRYPTOKI_NOT_INITIALIZED);
	assert_int_equal(f->C_Encrypt(1, NULL, 0, NULL, &n),
	    CKR_CRYPTOKI_NOT_INITIALIZED);
	assert_int_equal(f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &slot, NULL),
	    CKR_CRYPTOKI_NOT_INITIALIZED);
	assert_int_equal(f->C_Finalize(NULL), CKR_CRYPTOKI_NOT_INITIALIZED);
}

static CK_RV cb_create(CK_VOID_PTR_PTR m) { (void)m; return CKR_OK; }

static void
initialize_args(void **state)
{
	CK_C_INITIALIZE_ARGS	a;
	int			dummy;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.pReserved = &dummy;
	assert_int_equal(f->C_Initialize(&a), CKR_ARGUMENTS_BAD);
	memset(&a, 0, sizeof(a));
	a.CreateMutex = cb_create;	/* some callbacks but not all */
	assert_int_equal(f->C_Initialize(&a), CKR_ARGUMENTS_BAD);
	memset(&a, 0, sizeof(a));
	a.flags = CKF_OS_LOCKING_OK;
	assert_int_equal(f->C_Initialize(&a), CKR_OK);
	assert_int_equal(f->C_Initialize(NULL),
	    CKR_CRYPTOKI_ALREADY_INITIALIZED);
	assert_int_equal(f->C_Finalize(&dummy), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->C_Finalize(NULL), CKR_OK);
	assert_int_equal(f->C_Finalize(NULL), CKR_CRYPTOKI_NOT_INITIALIZED);
}

static void
null_and_size_query(void **state)
{
	CK_INFO			info;
	CK_SLOT_INFO		si;
	CK_TOKEN_INFO		ti;
	CK_MECHANISM_INFO	mi;
	CK_SLOT_ID		slots[4], slot;
	CK_SESSION_HANDLE	h = 0;
	CK_ULONG		n = 99;
	CK_MECHANISM		mech = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_SESSION_INFO		sess;
	CK_BYTE			buf[8];

	(void)state;
	assert_int_equal(f->C_Initialize(NULL), CKR_OK);
	assert_int_equal(f->C_GetInfo(NULL), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->C_GetInfo(&info), CKR_OK);
	assert_int_equal(info.cryptokiVersion.major, 2);
	assert_int_equal(info.cryptokiVersion.minor, 40);
	assert_memory_equal(info.manufacturerID, "libjpki ", 8);
	assert_int_equal(f->C_GetSlotList(CK_FALSE, NULL, NULL),
	    CKR_ARGUMENTS_BAD);
	assert_int_equal(f->C_GetSlotList(CK_FALSE, NULL, &n), CKR_OK);
	assert_int_equal(n, 0);		/* no PC/SC service: no readers */
	n = 4;
	assert_int_equal(f->C_GetSlotList(CK_TRUE, slots, &n), CKR_OK);
	assert_int_equal(n, 0);
	assert_int_equal(f->C_GetSlotInfo(0, NULL), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->C_GetSlotInfo(0, &si), CKR_SLOT_ID_INVALID);
	assert_int_equal(f->C_GetTokenInfo(0, &ti), CKR_SLOT_ID_INVALID);
	assert_int_equal(f->C_GetTokenInfo(0, NULL), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->C_GetMechanismList(0, NULL, NULL),
	    CKR_ARGUMENTS_BAD);
	assert_int_equal(f->C_GetMechanismList(7, NULL, &n),
	    CKR_SLOT_ID_INVALID);
	assert_int_equal(f->C_GetMechanismInfo(0, CKM_RSA_PKCS, NULL),
	    CKR_ARGUMENTS_BAD);
	assert_int_equal(f->C_GetMechanismInfo(0, CKM_RSA_PKCS, &mi),
	    CKR_SLOT_ID_INVALID);
	assert_int_equal(f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL,
	    NULL), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->C_OpenSession(0, 0, NULL, NULL, &h),
	    CKR_SESSION_PARALLEL_NOT_SUPPORTED);
	assert_int_equal(f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL,
	    &h), CKR_SLOT_ID_INVALID);
	/* unknown session handles */
	assert_int_equal(f->C_CloseSession(0), CKR_SESSION_HANDLE_INVALID);
	assert_int_equal(f->C_CloseSession(42), CKR_SESSION_HANDLE_INVALID);
	assert_int_equal(f->C_GetSessionInfo(42, &sess),
	    CKR_SESSION_HANDLE_INVALID);
	assert_int_equal(f->C_Login(42, CKU_USER, (CK_UTF8CHAR *)"1234", 4),
	    CKR_SESSION_HANDLE_INVALID);
	assert_int_equal(f->C_Logout(42), CKR_SESSION_HANDLE_INVALID);
	assert_int_equal(f->C_SignInit(42, &mech, 1),
	    CKR_SESSION_HANDLE_INVALID);
	assert_int_equal(f->C_Sign(42, buf, 1, NULL, &n),
	    CKR_SESSION_HANDLE_INVALID);
	assert_int_equal(f->C_FindObjectsInit(42, NULL, 0),
	    CKR_SESSION_HANDLE_INVALID);
	assert_int_equal(f->C_DigestInit(42, &mech),
	    CKR_SESSION_HANDLE_INVALID);
	/* what the card cannot do */
	assert_int_equal(f->C_Encrypt(42, buf, 1, buf, &n),
	    CKR_FUNCTION_NOT_SUPPORTED);
	assert_int_equal(f->C_DecryptInit(42, &mech, 1),
	    CKR_FUNCTION_NOT_SUPPORTED);
	assert_int_equal(f->C_GenerateRandom(42, buf, 8),
	    CKR_SESSION_HANDLE_INVALID);
	assert_int_equal(f->C_SeedRandom(42, buf, 8),
	    CKR_RANDOM_SEED_NOT_SUPPORTED);
	assert_int_equal(f->C_InitToken(0, NULL, 0, NULL),
	    CKR_FUNCTION_NOT_SUPPORTED);
	/* slot events */
	assert_int_equal(f->C_WaitForSlotEvent(CKF_DONT_BLOCK, NULL, NULL),
	    CKR_ARGUMENTS_BAD);
	assert_int_equal(f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &slot, buf),
	    CKR_ARGUMENTS_BAD);
	assert_int_equal(f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &slot, NULL),
	    CKR_NO_EVENT);
	assert_int_equal(f->C_Finalize(NULL), CKR_OK);
}

/* The caller's mutex callbacks (no CKF_OS_LOCKING_OK) must be used. */
static int		 created, destroyed, locks, unlocks;
static pthread_mutex_t	 app_mutex = PTHREAD_MUTEX_INITIALIZER;

static CK_RV
app_create(CK_VOID_PTR_PTR m)
{
	created++;
	*m = &app_mutex;
	return CKR_OK;
}

static CK_RV
app_destroy(CK_VOID_PTR m)
{
	(void)m;
	destroyed++;
	return CKR_OK;
}

static CK_RV
app_lock(CK_VOID_PTR m)
{
	pthread_mutex_lock(m);
	locks++;
	return CKR_OK;
}

static CK_RV
app_unlock(CK_VOID_PTR m)
{
	unlocks++;
	pthread_mutex_unlock(m);
	return CKR_OK;
}

static void
caller_mutexes(void **state)
{
	CK_C_INITIALIZE_ARGS	a;
	CK_INFO			info;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.CreateMutex = app_create;
	a.DestroyMutex = app_destroy;
	a.LockMutex = app_lock;
	a.UnlockMutex = app_unlock;
	assert_int_equal(f->C_Initialize(&a), CKR_OK);
	assert_int_equal(created, 1);
	assert_int_equal(f->C_GetInfo(&info), CKR_OK);
	assert_true(locks >= 1);
	assert_int_equal(locks, unlocks);
	assert_int_equal(f->C_Finalize(NULL), CKR_OK);
	assert_int_equal(destroyed, 1);
	assert_int_equal(locks, unlocks);
}

/* After fork() the child must C_Initialize again (PKCS#11 v2.40 §6.7.7). */
static void
fork_detection(void **state)
{
	CK_INFO	info;
	pid_t	pid;
	int	st = 0;

	(void)state;
	assert_int_equal(f->C_Initialize(NULL), CKR_OK);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int bad = 0;

		if (f->C_GetInfo(&info) != CKR_CRYPTOKI_NOT_INITIALIZED)
			bad |= 1;
		if (f->C_Initialize(NULL) != CKR_OK)
			bad |= 2;
		if (f->C_GetInfo(&info) != CKR_OK)
			bad |= 4;
		if (f->C_Finalize(NULL) != CKR_OK)
			bad |= 8;
		_exit(bad);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_int_equal(f->C_GetInfo(&info), CKR_OK);	/* parent unharmed */
	assert_int_equal(f->C_Finalize(NULL), CKR_OK);
}

static void *
waiter(void *arg)
{
	CK_SLOT_ID slot;

	*(CK_RV *)arg = f->C_WaitForSlotEvent(0, &slot, NULL);
	return NULL;
}

/* A blocked C_WaitForSlotEvent returns when another thread finalises. */
static void
wait_woken_by_finalize(void **state)
{
	pthread_t	t;
	CK_RV		rv = 0xFFFF;

	(void)state;
	assert_int_equal(f->C_Initialize(NULL), CKR_OK);
	assert_int_equal(pthread_create(&t, NULL, waiter, &rv), 0);
	usleep(300 * 1000);
	assert_int_equal(rv, 0xFFFF);	/* still blocked: no event */
	assert_int_equal(f->C_Finalize(NULL), CKR_OK);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(rv, CKR_CRYPTOKI_NOT_INITIALIZED);
}

/*
 * Issue 10: p11_lock() and p11_unlock() read the caller's mutex pointer
 * separately, so a thread whose call straddled C_Initialize or C_Finalize
 * unlocked a lock it had not locked and left its own locked.  These mutex
 * callbacks record an unlock by a thread that does not hold the mutex
 * (and then do nothing), and can hold one thread inside LockMutex, before
 * it locks, while the main thread swaps the module's locking.
 * C_Finalize during another thread's call is the application's fault
 * (PKCS#11 v2.40 §5.4), so the mutexes outlive DestroyMutex here; what is
 * checked is only that every unlock pairs with its lock.
 */
typedef struct {
	pthread_mutex_t	mu;
	pthread_t	owner;
	int		held;
} tmutex_t;

static tmutex_t		 tm_pool[128];
static int		 tm_n, bad_unlocks;
static pthread_t	 main_thread;
static pthread_mutex_t	 ev_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 ev_cv = PTHREAD_COND_INITIALIZER;
static int		 hook_armed, ev_in_lock, ev_go;

static CK_RV
tm_create(CK_VOID_PTR_PTR m)
{
	tmutex_t *t;

	if (tm_n == (int)(sizeof(tm_pool) / sizeof(tm_pool[0])))
		return CKR_HOST_MEMORY;
	t = &tm_pool[tm_n++];
	pthread_mutex_init(&t->mu, NULL);
	t->held = 0;
	*m = t;
	return CKR_OK;
}

static CK_RV
tm_destroy(CK_VOID_PTR m)
{
	(void)m;	/* kept: a straddling call may still use it */
	return CKR_OK;
}

static CK_RV
tm_lock(CK_VOID_PTR m)
{
	tmutex_t *t = m;

	pthread_mutex_lock(&ev_mu);
	if (hook_armed && !pthread_equal(pthread_self(), main_thread)) {
		hook_armed = 0;
		ev_in_lock = 1;
		pthread_cond_broadcast(&ev_cv);
		while (!ev_go)
			pthread_cond_wait(&ev_cv, &ev_mu);
	}
	pthread_mutex_unlock(&ev_mu);
	pthread_mutex_lock(&t->mu);
	t->owner = pthread_self();
	__atomic_store_n(&t->held, 1, __ATOMIC_SEQ_CST);
	return CKR_OK;
}

static CK_RV
tm_unlock(CK_VOID_PTR m)
{
	tmutex_t *t = m;

	if (!__atomic_load_n(&t->held, __ATOMIC_SEQ_CST) ||
	    !pthread_equal(t->owner, pthread_self())) {
		__atomic_add_fetch(&bad_unlocks, 1, __ATOMIC_SEQ_CST);
		return CKR_MUTEX_NOT_LOCKED;
	}
	__atomic_store_n(&t->held, 0, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&t->mu);
	return CKR_OK;
}

static void
tm_args(CK_C_INITIALIZE_ARGS *a)
{
	memset(a, 0, sizeof(*a));
	a->CreateMutex = tm_create;
	a->DestroyMutex = tm_destroy;
	a->LockMutex = tm_lock;
	a->UnlockMutex = tm_unlock;
}

static void *
getinfo_thread(void *arg)
{
	CK_INFO info;

	*(CK_RV *)arg = f->C_GetInfo(&info);
	return NULL;
}

/*
 * Deterministic: a thread enters C_GetInfo under the caller's mutex m and
 * is held in LockMutex(m); meanwhile C_Finalize and C_Initialize(NULL)
 * switch the module to its own mutex.  The thread must unlock m, the mutex
 * it locked, and leave nothing locked.
 */
static void
lock_pairs_across_finalize(void **state)
{
	CK_C_INITIALIZE_ARGS	a;
	pthread_t		t;
	tmutex_t		*m;
	CK_RV			rv = 0xFFFF;

	(void)state;
	main_thread = pthread_self();
	bad_unlocks = 0;
	tm_args(&a);
	assert_int_equal(f->C_Initialize(&a), CKR_OK);
	m = &tm_pool[tm_n - 1];
	pthread_mutex_lock(&ev_mu);
	hook_armed = 1;
	ev_in_lock = ev_go = 0;
	pthread_mutex_unlock(&ev_mu);
	assert_int_equal(pthread_create(&t, NULL, getinfo_thread, &rv), 0);
	pthread_mutex_lock(&ev_mu);
	while (!ev_in_lock)
		pthread_cond_wait(&ev_cv, &ev_mu);
	pthread_mutex_unlock(&ev_mu);
	/* the thread has read the lock in force and is about to take it */
	assert_int_equal(f->C_Finalize(NULL), CKR_OK);
	assert_int_equal(f->C_Initialize(NULL), CKR_OK);
	pthread_mutex_lock(&ev_mu);
	ev_go = 1;
	pthread_cond_broadcast(&ev_cv);
	pthread_mutex_unlock(&ev_mu);
	assert_int_equal(pthread_join(t, NULL), 0);
	/* finalise first, so that a failure leaves the next test a clean
	 * module */
	assert_int_equal(f->C_Finalize(NULL), CKR_OK);
	assert_int_equal(rv, CKR_OK);
	assert_int_equal(bad_unlocks, 0);
	if (m->held)
		fail_msg("the caller's mutex was left locked by the thread");
}

static int spinning;

static void *
spinner(void *arg)
{
	CK_INFO		info;
	unsigned long	n;

	(void)arg;
	for (n = 0; n < 50000000UL; n++) {
		if (f->C_GetInfo(&info) != CKR_CRYPTOKI_NOT_INITIALIZED)
			break;
		if (n == 1000)
			__atomic_store_n(&spinning, 1, __ATOMIC_SEQ_CST);
	}
	__atomic_store_n(&spinning, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/*
 * The same race without a hook: a thread calls C_GetInfo in a loop while
 * C_Initialize installs the caller's mutex.  Before the fix, a call that
 * had taken the module's own mutex released the caller's one, which it did
 * not hold, and left the module's mutex locked for good (so the binary
 * stops at once: nothing after could run).  Probabilistic: the
 * deterministic test above is the one that always catches it.
 */
static void
lock_pairs_across_initialize(void **state)
{
	CK_C_INITIALIZE_ARGS	a;
	pthread_t		t;
	int			i;

	(void)state;
	bad_unlocks = 0;
	for (i = 0; i < 40 && tm_n < (int)(sizeof(tm_pool) /
	    sizeof(tm_pool[0])); i++) {
		tm_args(&a);
		spinning = 0;
		assert_int_equal(pthread_create(&t, NULL, spinner, NULL), 0);
		while (!__atomic_load_n(&spinning, __ATOMIC_SEQ_CST))
			sched_yield();
		assert_int_equal(f->C_Initialize(&a), CKR_OK);
		assert_int_equal(pthread_join(t, NULL), 0);
		if (bad_unlocks != 0) {
			fprintf(stderr, "lock_pairs_across_initialize: round "
			    "%d: an unlock of a mutex the thread did not "
			    "lock; the module lock is now stuck\n", i);
			_exit(1);
		}
		assert_int_equal(f->C_Finalize(NULL), CKR_OK);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exports),
		cmocka_unit_test(interfaces),
		cmocka_unit_test(not_initialized),
		cmocka_unit_test(initialize_args),
		cmocka_unit_test(null_and_size_query),
		cmocka_unit_test(caller_mutexes),
		cmocka_unit_test(fork_detection),
		cmocka_unit_test(wait_woken_by_finalize),
		cmocka_unit_test(lock_pairs_across_finalize),
		cmocka_unit_test(lock_pairs_across_initialize),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
