/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * jpki-pkcs11.so entry: C_GetFunctionList, the PKCS#11 3.0 C_GetInterface
 * and C_GetInterfaceList, C_Initialize/C_Finalize with the caller's locking
 * choice (PKCS#11 v2.40 §5.4, as ykcs11 does: house-style §1.2 item 6), fork
 * detection by pid, the reader locks, and the only mutable globals of the
 * module.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "p11_int.h"
#include "log.h"

struct p11_global g_p11;

/*
 * The module lock: the caller's mutex callbacks, or a pthread mutex.
 * lock_active says which is in force: NULL for os_mutex, else &cb_lock.
 * C_Initialize sets it and C_Finalize clears it, both under os_mutex, so a
 * thread may find it changed between reading it and holding the lock.
 * Hence p11_lock() keeps, per thread, a copy of exactly what it locked and
 * p11_unlock() releases that copy (issue 10: reading the pointer again at
 * unlock time released a mutex the thread had never locked), and after
 * locking p11_lock() checks that its lock is still the one in force, else
 * it lets go and takes the new one: two threads never work inside the
 * module under two different locks.
 */
struct p11_mutex {
	void		*m;		/* NULL: os_mutex */
	CK_LOCKMUTEX	 lock;
	CK_UNLOCKMUTEX	 unlock;
};

static pthread_mutex_t	 os_mutex = PTHREAD_MUTEX_INITIALIZER;
static CK_C_INITIALIZE_ARGS cb;		/* callbacks in use, if any */
static struct p11_mutex	 cb_lock;	/* the caller's mutex, once created */
static struct p11_mutex	*lock_active;	/* atomic: &cb_lock or NULL */
static _Thread_local struct p11_mutex held;	/* what this thread locked */
static _Thread_local int lock_failed;	/* the caller's LockMutex failed */

static void
release(const struct p11_mutex *l)
{
	if (l->m != NULL)
		(void)l->unlock(l->m);
	else
		(void)pthread_mutex_unlock(&os_mutex);
}

void
p11_lock(void)
{
	struct p11_mutex *l;

	for (;;) {
		l = __atomic_load_n(&lock_active, __ATOMIC_ACQUIRE);
		if (l != NULL) {
			held = *l;
			/* the caller's LockMutex failed (CKR_MUTEX_BAD...):
			 * never call its UnlockMutex for a lock we do not
			 * hold (issue 11: p11_hostile init_args).  The call
			 * fails in p11_check_init(); the OS mutex stands in
			 * until p11_unlock() */
			if (held.lock(held.m) != CKR_OK) {
				log_debug("LockMutex failed");
				memset(&held, 0, sizeof(held));
				(void)pthread_mutex_lock(&os_mutex);
				lock_failed = 1;
			}
		} else {
			memset(&held, 0, sizeof(held));
			(void)pthread_mutex_lock(&os_mutex);
		}
		if (__atomic_load_n(&lock_active, __ATOMIC_ACQUIRE) == l)
			break;
		release(&held);
	}
}

void
p11_unlock(void)
{
	struct p11_mutex l = held;

	memset(&held, 0, sizeof(held));
	lock_failed = 0;
	release(&l);
}

/*
 * Reader locks: pthread mutexes whatever C_Initialize was given.  They are
 * inner to nothing the caller sees, and a caller's CreateMutex may hand
 * out one mutex for every call (p11_hostile's does), which would make the
 * reader lock and the module lock one non-recursive mutex.
 */
static pthread_mutex_t	 reader_mutex[P11_MAX_READERS];
static pthread_once_t	 reader_once = PTHREAD_ONCE_INIT;

static void
reader_mutex_init(void)
{
	size_t i;

	for (i = 0; i < P11_MAX_READERS; i++)
		(void)pthread_mutex_init(&reader_mutex[i], NULL);
}

int
p11_reader_lock(size_t i)
{
	(void)pthread_once(&reader_once, reader_mutex_init);
	return pthread_mutex_lock(&reader_mutex[i]) == 0 ? 0 : -1;
}

void
p11_reader_unlock(size_t i)
{
	(void)pthread_mutex_unlock(&reader_mutex[i]);
}

void
p11_trace(const char *fn, CK_RV rv)
{
	if (rv != CKR_OK)
		log_debug("%s: rv 0x%lx", fn, (unsigned long)rv);
}

/*
 * After fork() the child shares the parent's PC/SC sockets: it must not use
 * (or even close) them.  Forget everything without touching PC/SC and
 * report "not initialised" until the child calls C_Initialize itself.
 */
static void
forget_after_fork(void)
{
	memset(&g_p11, 0, sizeof(g_p11));
	__atomic_store_n(&lock_active, NULL, __ATOMIC_RELEASE);
	memset(&cb, 0, sizeof(cb));
	/* a parent's thread may have held a reader lock at fork() */
	(void)pthread_once(&reader_once, reader_mutex_init);
	reader_mutex_init();
}

CK_RV
p11_check_init(void)
{
	/* every entry point asks this first, under p11_lock() */
	if (lock_failed)
		return CKR_GENERAL_ERROR;
	if (g_p11.initialized && g_p11.pid != getpid())
		forget_after_fork();
	if (!g_p11.initialized || g_p11.finalizing)
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	return CKR_OK;
}

static CK_RV
check_init_args(const CK_C_INITIALIZE_ARGS *a)
{
	int n;

	if (a->pReserved != NULL)
		return CKR_ARGUMENTS_BAD;
	n = (a->CreateMutex != NULL) + (a->DestroyMutex != NULL) +
	    (a->LockMutex != NULL) + (a->UnlockMutex != NULL);
	if (n != 0 && n != 4)
		return CKR_ARGUMENTS_BAD;
	return CKR_OK;
}

CK_RV
C_Initialize(CK_VOID_PTR pInitArgs)
{
	CK_C_INITIALIZE_ARGS	*a = pInitArgs;
	void			*m = NULL;
	const char		*e;
	CK_RV			 rv;

	if (a != NULL && (rv = check_init_args(a)) != CKR_OK)
		goto fail;
	/*
	 * Callbacks without CKF_OS_LOCKING_OK: the application wants its own
	 * primitives used (PKCS#11 v2.40 §5.4 case 3).  With the flag we use
	 * the OS (case 2 and 4).
	 */
	if (a != NULL && a->CreateMutex != NULL &&
	    (a->flags & CKF_OS_LOCKING_OK) == 0) {
		if ((rv = a->CreateMutex(&m)) != CKR_OK)
			goto fail;
	}
	(void)pthread_mutex_lock(&os_mutex);
	if (g_p11.initialized && g_p11.pid != getpid())
		forget_after_fork();
	if (g_p11.initialized) {
		(void)pthread_mutex_unlock(&os_mutex);
		rv = CKR_CRYPTOKI_ALREADY_INITIALIZED;
		goto fail;
	}
	if (jpki_init() != JPKI_OK) {
		(void)pthread_mutex_unlock(&os_mutex);
		rv = CKR_GENERAL_ERROR;
		goto fail;
	}
	memset(&g_p11, 0, sizeof(g_p11));
	g_p11.pid = getpid();
	g_p11.next_handle = 1;
	e = getenv("JPKI_P11_ALLOW_LAST_TRY");
	g_p11.allow_last_try = e != NULL && strcmp(e, "1") == 0;
	/* the card's PSS scheme is unverified on production cards (man page) */
	e = getenv("JPKI_P11_PSS");
	g_p11.pss_enabled = e != NULL && strcmp(e, "1") == 0;
	g_p11.initialized = 1;
	/* Readers present now are not events for C_WaitForSlotEvent. */
	if (p11_refresh_readers() == CKR_OK) {
		size_t i;

		for (i = 0; i < g_p11.nreaders; i++)
			g_p11.readers[i].event_seen =
			    p11_reader_state(&g_p11.readers[i]);
	}
	if (m != NULL) {
		cb = *a;
		cb_lock.m = m;
		cb_lock.lock = a->LockMutex;
		cb_lock.unlock = a->UnlockMutex;
		__atomic_store_n(&lock_active, &cb_lock, __ATOMIC_RELEASE);
		m = NULL;
	}
	(void)pthread_mutex_unlock(&os_mutex);
	p11_trace("C_Initialize", CKR_OK);
	return CKR_OK;
fail:
	if (m != NULL)
		(void)a->DestroyMutex(m);
	p11_trace("C_Initialize", rv);
	return rv;
}

CK_RV
C_Finalize(CK_VOID_PTR pReserved)
{
	void			*m;
	CK_C_INITIALIZE_ARGS	 c;
	struct timespec		 ts = { 0, 10 * 1000 * 1000 };
	int			 i;
	CK_RV			 rv;

	if (pReserved != NULL)
		return CKR_ARGUMENTS_BAD;
	p11_lock();
	if ((rv = p11_check_init()) != CKR_OK) {
		p11_unlock();
		return rv;
	}
	/*
	 * New calls now fail with CKR_CRYPTOKI_NOT_INITIALIZED.  Let a
	 * blocked C_WaitForSlotEvent see it and leave (≤ 2 s), and wait for
	 * every call holding or awaiting a reader lock to finish: one in card
	 * I/O ends when its APDUs do (bounded by libjpki's transport), one
	 * waiting for a reader gives up as soon as it has it.  Only then are
	 * the handles they use freed.
	 */
	g_p11.finalizing = 1;
	for (i = 0; g_p11.active > 0 || (i < 200 && g_p11.waiters > 0);
	    i++) {
		p11_unlock();
		nanosleep(&ts, NULL);
		p11_lock();
	}
	p11_sessions_fini();
	p11_slots_fini();
	jpki_exit();
	memset(&g_p11, 0, sizeof(g_p11));
	/* back to os_mutex before letting go: a thread waiting for the
	 * caller's mutex sees the change and does not stay on it */
	/* the module's record, not held.m: a failed LockMutex left this
	 * thread on the OS mutex, yet the caller's mutex must still go */
	m = __atomic_load_n(&lock_active, __ATOMIC_ACQUIRE) != NULL ?
	    cb_lock.m : NULL;
	c = cb;
	if (m != NULL) {
		(void)pthread_mutex_lock(&os_mutex);
		__atomic_store_n(&lock_active, NULL, __ATOMIC_RELEASE);
		memset(&cb, 0, sizeof(cb));
		(void)pthread_mutex_unlock(&os_mutex);
	}
	p11_unlock();
	if (m != NULL)
		(void)c.DestroyMutex(m);
	return CKR_OK;
}

CK_RV
C_GetInfo(CK_INFO_PTR pInfo)
{
	struct p11_frame	f;
	CK_RV			rv;

	if ((rv = p11_begin(&f, "C_GetInfo", 0, 0, pInfo == NULL ?
	    CKR_ARGUMENTS_BAD : CKR_OK)) != CKR_OK)
		goto out;
	memset(pInfo, 0, sizeof(*pInfo));
	pInfo->cryptokiVersion.major = 2;
	pInfo->cryptokiVersion.minor = 40;
	p11_pad(pInfo->manufacturerID, sizeof(pInfo->manufacturerID),
	    "libjpki");
	p11_pad(pInfo->libraryDescription,
	    sizeof(pInfo->libraryDescription), "My Number Card (JPKI)");
	pInfo->libraryVersion.major = JPKI_VERSION_MAJOR;
	pInfo->libraryVersion.minor = JPKI_VERSION_MINOR * 10 +
	    JPKI_VERSION_PATCH;
	rv = CKR_OK;
out:
	return p11_end(&f, rv);
}

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR ppFunctionList);

static CK_FUNCTION_LIST function_list = {
	{ 2, 40 },
	C_Initialize,
	C_Finalize,
	C_GetInfo,
	C_GetFunctionList,
	C_GetSlotList,
	C_GetSlotInfo,
	C_GetTokenInfo,
	C_GetMechanismList,
	C_GetMechanismInfo,
	C_InitToken,
	C_InitPIN,
	C_SetPIN,
	C_OpenSession,
	C_CloseSession,
	C_CloseAllSessions,
	C_GetSessionInfo,
	C_GetOperationState,
	C_SetOperationState,
	C_Login,
	C_Logout,
	C_CreateObject,
	C_CopyObject,
	C_DestroyObject,
	C_GetObjectSize,
	C_GetAttributeValue,
	C_SetAttributeValue,
	C_FindObjectsInit,
	C_FindObjects,
	C_FindObjectsFinal,
	C_EncryptInit,
	C_Encrypt,
	C_EncryptUpdate,
	C_EncryptFinal,
	C_DecryptInit,
	C_Decrypt,
	C_DecryptUpdate,
	C_DecryptFinal,
	C_DigestInit,
	C_Digest,
	C_DigestUpdate,
	C_DigestKey,
	C_DigestFinal,
	C_SignInit,
	C_Sign,
	C_SignUpdate,
	C_SignFinal,
	C_SignRecoverInit,
	C_SignRecover,
	C_VerifyInit,
	C_Verify,
	C_VerifyUpdate,
	C_VerifyFinal,
	C_VerifyRecoverInit,
	C_VerifyRecover,
	C_DigestEncryptUpdate,
	C_DecryptDigestUpdate,
	C_SignEncryptUpdate,
	C_DecryptVerifyUpdate,
	C_GenerateKey,
	C_GenerateKeyPair,
	C_WrapKey,
	C_UnwrapKey,
	C_DeriveKey,
	C_SeedRandom,
	C_GenerateRandom,
	C_GetFunctionStatus,
	C_CancelFunction,
	C_WaitForSlotEvent
};

/* Exported (jpki-pkcs11.map). */
CK_RV
C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR ppFunctionList)
{
	if (ppFunctionList == NULL)
		return CKR_ARGUMENTS_BAD;
	*ppFunctionList = &function_list;
	return CKR_OK;
}

/*
 * PKCS#11 3.0 §5.2: one interface, "PKCS 11", whose function list is the
 * v2.40 one above (its version field says so).  Not fork-safe.
 */
static CK_INTERFACE interfaces[] = {
	{ (CK_CHAR *)(uintptr_t)"PKCS 11", &function_list, 0 }
};
#define NINTERFACES	(sizeof(interfaces) / sizeof(interfaces[0]))

CK_RV C_GetInterfaceList(CK_INTERFACE_PTR pInterfacesList,
    CK_ULONG_PTR pulCount);
CK_RV C_GetInterface(CK_UTF8CHAR_PTR pInterfaceName, CK_VERSION_PTR pVersion,
    CK_INTERFACE_PTR_PTR ppInterface, CK_FLAGS flags);

CK_RV
C_GetInterfaceList(CK_INTERFACE_PTR pInterfacesList, CK_ULONG_PTR pulCount)
{
	CK_RV rv = CKR_OK;

	if (pulCount == NULL)
		return CKR_ARGUMENTS_BAD;
	if (pInterfacesList != NULL) {
		if (*pulCount < NINTERFACES)
			rv = CKR_BUFFER_TOO_SMALL;
		else
			memcpy(pInterfacesList, interfaces, sizeof(interfaces));
	}
	*pulCount = NINTERFACES;
	return rv;
}

CK_RV
C_GetInterface(CK_UTF8CHAR_PTR pInterfaceName, CK_VERSION_PTR pVersion,
    CK_INTERFACE_PTR_PTR ppInterface, CK_FLAGS flags)
{
	if (ppInterface == NULL)
		return CKR_ARGUMENTS_BAD;
	if (pInterfaceName != NULL &&
	    strcmp((const char *)pInterfaceName, "PKCS 11") != 0)
		return CKR_ARGUMENTS_BAD;
	if (pVersion != NULL && (pVersion->major != 2 ||
	    pVersion->minor != 40))
		return CKR_ARGUMENTS_BAD;
	if ((flags & ~interfaces[0].flags) != 0)
		return CKR_ARGUMENTS_BAD;
	*ppInterface = &interfaces[0];
	return CKR_OK;
}
