/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Hostile callers of jpki-pkcs11.so (issue 11 part 4), with a card
 * (jpki-cardsim behind the isolated pcscd of tests/e2e/p11_hostile.sh):
 * every function of the function list with NULL pointers, bad session,
 * slot and object handles, before C_Initialize and after C_Finalize;
 * templates with unknown and repeated attribute types, ulValueLen of
 * CK_UNAVAILABLE_INFORMATION and short buffers; huge counts and lengths;
 * operations out of order; C_Initialize with and without
 * CKF_OS_LOCKING_OK, the caller's mutex callbacks (also failing ones) and
 * pReserved; and 8 threads mixing sessions, logins and signatures while
 * the card is pulled and put back (run under TSan too: check-p11-hostile).
 * Return codes are PKCS#11 v3.0's (§5.1 ff.); where the standard leaves a
 * choice between two codes, either is accepted and the test says so.
 *
 *   p11_hostile [threads]   (P11_MODULE, P11_CARDSIM, P11_PROFILE)
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
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <p11-kit/pkcs11.h>

#define PIN	"1234"
#define BADH	((CK_SESSION_HANDLE)0x7ffff123)

static void			*dl;
static CK_FUNCTION_LIST_PTR	 f;
static pid_t			 card_pid;
extern char			**environ;

static int
card_present(void)
{
	CK_SLOT_ID	slots[8];
	CK_ULONG	n = 8;

	return f->C_GetSlotList(CK_TRUE, slots, &n) == CKR_OK && n > 0;
}

/* Start the virtual card in vpcd slot 0; wait for it (module initialised). */
static void
card_start(void)
{
	int i;

	char *av[] = { (char *)"jpki-cardsim", (char *)"--profile",
	    getenv("P11_PROFILE"),
	    (char *)"--port", (char *)"35963", NULL };

	/* posix_spawn, not fork(): a child forked from a threaded TSan
	 * process can hang before its exec */
	assert_int_equal(posix_spawn(&card_pid, getenv("P11_CARDSIM"), NULL,
	    NULL, av, environ), 0);
	for (i = 0; i < 100 && !card_present(); i++)
		usleep(100 * 1000);
	assert_true(card_present());
}

static void
card_stop(void)
{
	if (card_pid <= 0)
		return;
	int i;

	kill(card_pid, SIGTERM);
	for (i = 0; i < 100 && waitpid(card_pid, NULL, WNOHANG) == 0; i++)
		usleep(50 * 1000);
	if (i == 100) {
		print_message("cardsim %d ignored SIGTERM\n", (int)card_pid);
		kill(card_pid, SIGKILL);
		waitpid(card_pid, NULL, 0);
	}
	card_pid = 0;
}

static int
setup(void **state)
{
	CK_C_GetFunctionList gfl;

	(void)state;
	if ((dl = dlopen(getenv("P11_MODULE"), RTLD_NOW)) == NULL)
		return -1;
	gfl = (CK_C_GetFunctionList)dlsym(dl, "C_GetFunctionList");
	if (gfl == NULL || gfl(&f) != CKR_OK ||
	    f->C_Initialize(NULL) != CKR_OK)
		return -1;
	card_start();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	card_stop();
	(void)f->C_Finalize(NULL);
	dlclose(dl);
	return 0;
}

static CK_OBJECT_HANDLE
find1(CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls)
{
	CK_ATTRIBUTE		t = { CKA_CLASS, &cls, sizeof(cls) };
	CK_OBJECT_HANDLE	h = CK_INVALID_HANDLE;
	CK_ULONG		n = 0;

	if (f->C_FindObjectsInit(s, &t, 1) != CKR_OK)
		return CK_INVALID_HANDLE;
	if (f->C_FindObjects(s, &h, 1, &n) != CKR_OK)
		n = 0;
	(void)f->C_FindObjectsFinal(s);
	return n == 1 ? h : CK_INVALID_HANDLE;
}

/*
 * Every function of the list, with session/slot handle h and NULL
 * pointers everywhere.  rv[i] receives each result in list order.
 */
#define NFUNCS	66
static void
call_all(CK_SESSION_HANDLE h, CK_RV rv[NFUNCS])
{
	int i = 0;

	rv[i++] = f->C_GetInfo(NULL);
	rv[i++] = f->C_GetSlotList(CK_FALSE, NULL, NULL);
	rv[i++] = f->C_GetSlotInfo(h, NULL);
	rv[i++] = f->C_GetTokenInfo(h, NULL);
	rv[i++] = f->C_GetMechanismList(h, NULL, NULL);
	rv[i++] = f->C_GetMechanismInfo(h, CKM_RSA_PKCS, NULL);
	rv[i++] = f->C_InitToken(h, NULL, 0, NULL);
	rv[i++] = f->C_InitPIN(h, NULL, 0);
	rv[i++] = f->C_SetPIN(h, NULL, 0, NULL, 0);
	rv[i++] = f->C_OpenSession(h, CKF_SERIAL_SESSION, NULL, NULL, NULL);
	rv[i++] = f->C_CloseSession(h);
	rv[i++] = f->C_CloseAllSessions(h);
	rv[i++] = f->C_GetSessionInfo(h, NULL);
	rv[i++] = f->C_GetOperationState(h, NULL, NULL);
	rv[i++] = f->C_SetOperationState(h, NULL, 0, 0, 0);
	rv[i++] = f->C_Login(h, CKU_USER, NULL, 4);
	rv[i++] = f->C_Logout(h);
	rv[i++] = f->C_CreateObject(h, NULL, 1, NULL);
	rv[i++] = f->C_CopyObject(h, 1, NULL, 1, NULL);
	rv[i++] = f->C_DestroyObject(h, 1);
	rv[i++] = f->C_GetObjectSize(h, 1, NULL);
	rv[i++] = f->C_GetAttributeValue(h, 1, NULL, 1);
	rv[i++] = f->C_SetAttributeValue(h, 1, NULL, 1);
	rv[i++] = f->C_FindObjectsInit(h, NULL, 1);
	rv[i++] = f->C_FindObjects(h, NULL, 1, NULL);
	rv[i++] = f->C_FindObjectsFinal(h);
	rv[i++] = f->C_EncryptInit(h, NULL, 1);
	rv[i++] = f->C_Encrypt(h, NULL, 1, NULL, NULL);
	rv[i++] = f->C_EncryptUpdate(h, NULL, 1, NULL, NULL);
	rv[i++] = f->C_EncryptFinal(h, NULL, NULL);
	rv[i++] = f->C_DecryptInit(h, NULL, 1);
	rv[i++] = f->C_Decrypt(h, NULL, 1, NULL, NULL);
	rv[i++] = f->C_DecryptUpdate(h, NULL, 1, NULL, NULL);
	rv[i++] = f->C_DecryptFinal(h, NULL, NULL);
	rv[i++] = f->C_DigestInit(h, NULL);
	rv[i++] = f->C_Digest(h, NULL, 1, NULL, NULL);
	rv[i++] = f->C_DigestUpdate(h, NULL, 1);
	rv[i++] = f->C_DigestKey(h, 1);
	rv[i++] = f->C_DigestFinal(h, NULL, NULL);
	rv[i++] = f->C_SignInit(h, NULL, 1);
	rv[i++] = f->C_Sign(h, NULL, 1, NULL, NULL);
	rv[i++] = f->C_SignUpdate(h, NULL, 1);
	rv[i++] = f->C_SignFinal(h, NULL, NULL);
	rv[i++] = f->C_SignRecoverInit(h, NULL, 1);
	rv[i++] = f->C_SignRecover(h, NULL, 1, NULL, NULL);
	rv[i++] = f->C_VerifyInit(h, NULL, 1);
	rv[i++] = f->C_Verify(h, NULL, 1, NULL, 1);
	rv[i++] = f->C_VerifyUpdate(h, NULL, 1);
	rv[i++] = f->C_VerifyFinal(h, NULL, 1);
	rv[i++] = f->C_VerifyRecoverInit(h, NULL, 1);
	rv[i++] = f->C_VerifyRecover(h, NULL, 1, NULL, NULL);
	rv[i++] = f->C_DigestEncryptUpdate(h, NULL, 1, NULL, NULL);
	rv[i++] = f->C_DecryptDigestUpdate(h, NULL, 1, NULL, NULL);
	rv[i++] = f->C_SignEncryptUpdate(h, NULL, 1, NULL, NULL);
	rv[i++] = f->C_DecryptVerifyUpdate(h, NULL, 1, NULL, NULL);
	rv[i++] = f->C_GenerateKey(h, NULL, NULL, 1, NULL);
	rv[i++] = f->C_GenerateKeyPair(h, NULL, NULL, 1, NULL, 1, NULL, NULL);
	rv[i++] = f->C_WrapKey(h, NULL, 1, 1, NULL, NULL);
	rv[i++] = f->C_UnwrapKey(h, NULL, 1, NULL, 1, NULL, 1, NULL);
	rv[i++] = f->C_DeriveKey(h, NULL, 1, NULL, 1, NULL);
	rv[i++] = f->C_SeedRandom(h, NULL, 1);
	rv[i++] = f->C_GenerateRandom(h, NULL, 1);
	rv[i++] = f->C_GetFunctionStatus(h);
	rv[i++] = f->C_CancelFunction(h);
	rv[i++] = f->C_WaitForSlotEvent(CKF_DONT_BLOCK, NULL, NULL);
	rv[i++] = f->C_Finalize((void *)&i);
	assert_int_equal(i, NFUNCS);
}

static int
rv_in(CK_RV rv, ...)
{
	va_list	ap;
	CK_RV	r;
	int	in = 0;

	va_start(ap, rv);
	while ((r = va_arg(ap, CK_RV)) != (CK_RV)-1)
		if (r == rv)
			in = 1;
	va_end(ap);
	return in;
}
#define RV_IN(rv, ...)	rv_in((rv), __VA_ARGS__, (CK_RV)-1)

/* Not initialised (before C_Initialize, after C_Finalize): every call. */
static void
uninitialised(void **state)
{
	CK_RV	rv[NFUNCS];
	int	i, bad = 0;

	(void)state;
	card_stop();
	assert_int_equal(f->C_Finalize(NULL), CKR_OK);
	assert_int_equal(f->C_Finalize(NULL), CKR_CRYPTOKI_NOT_INITIALIZED);
	call_all(BADH, rv);
	for (i = 0; i < NFUNCS; i++) {
		/* §5.1: CKR_CRYPTOKI_NOT_INITIALIZED; an argument check
		 * first (NULL where a pointer is needed) is allowed too */
		if (!RV_IN(rv[i], CKR_CRYPTOKI_NOT_INITIALIZED,
		    CKR_ARGUMENTS_BAD)) {
			print_message("function #%d: rv 0x%lx\n", i, rv[i]);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
	assert_int_equal(f->C_Initialize(NULL), CKR_OK);
	assert_int_equal(f->C_Initialize(NULL),
	    CKR_CRYPTOKI_ALREADY_INITIALIZED);
	card_start();
}

/* Bad session/slot handles with NULL pointers: a clean refusal each. */
static void
bad_handles(void **state)
{
	CK_RV			rv[NFUNCS];
	CK_SESSION_HANDLE	s;
	int			i, bad = 0;

	(void)state;
	call_all(BADH, rv);
	for (i = 0; i < NFUNCS; i++) {
		if (!RV_IN(rv[i], CKR_ARGUMENTS_BAD, CKR_SESSION_HANDLE_INVALID,
		    CKR_SLOT_ID_INVALID, CKR_FUNCTION_NOT_SUPPORTED,
		    CKR_RANDOM_SEED_NOT_SUPPORTED, CKR_FUNCTION_NOT_PARALLEL)) {
			print_message("function #%d: rv 0x%lx\n", i, rv[i]);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
	/* a live session, NULL pointers: nothing may crash or succeed */
	assert_int_equal(f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL,
	    &s), CKR_OK);
	call_all(s, rv);
	for (i = 0; i < NFUNCS; i++) {
		if (i == 10 || i == 11 || i == 16 || i == 25 || i == 65)
			continue;	/* Close*, Logout, FindFinal, Finalize */
		if (rv[i] == CKR_OK || rv[i] == CKR_GENERAL_ERROR) {
			print_message("session: function #%d: rv 0x%lx\n", i,
			    rv[i]);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
	/* call_all closed s (#10) and all sessions of slot s (#11) */
	assert_int_equal(f->C_CloseSession(s), CKR_SESSION_HANDLE_INVALID);
	assert_int_equal(f->C_OpenSession(999, CKF_SERIAL_SESSION, NULL,
	    NULL, &s), CKR_SLOT_ID_INVALID);
	assert_int_equal(f->C_CloseAllSessions(999), CKR_SLOT_ID_INVALID);
}

/* Calls out of order on a live session. */
static void
out_of_order(void **state)
{
	CK_SESSION_HANDLE	s;
	CK_OBJECT_HANDLE	h[4];
	CK_BYTE			buf[512];
	CK_ULONG		n = sizeof(buf);
	CK_SESSION_HANDLE	s1;
	CK_OBJECT_HANDLE	k, c1;
	CK_MECHANISM		mech = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_ATTRIBUTE		a = { CKA_LABEL, NULL, 0 };
	CK_RV			rv;

	(void)state;
	assert_int_equal(f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL,
	    &s), CKR_OK);
	assert_int_equal(f->C_Sign(s, buf, 32, buf, &n),
	    CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(f->C_SignUpdate(s, buf, 32),
	    CKR_OPERATION_NOT_INITIALIZED);
	n = sizeof(buf);
	assert_int_equal(f->C_SignFinal(s, buf, &n),
	    CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(f->C_FindObjects(s, h, 4, &n),
	    CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(f->C_FindObjectsFinal(s),
	    CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(f->C_DigestUpdate(s, buf, 4),
	    CKR_OPERATION_NOT_INITIALIZED);
	n = sizeof(buf);
	assert_int_equal(f->C_DigestFinal(s, buf, &n),
	    CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(f->C_Logout(s), CKR_USER_NOT_LOGGED_IN);
	/* a private key's handle kept past C_Logout: invisible again */
	assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR *)PIN, 4),
	    CKR_OK);
	assert_int_not_equal(k = find1(s, CKO_PRIVATE_KEY), CK_INVALID_HANDLE);
	assert_int_equal(f->C_Logout(s), CKR_OK);
	rv = f->C_SignInit(s, &mech, k);
	assert_true(rv == CKR_KEY_HANDLE_INVALID ||
	    rv == CKR_USER_NOT_LOGGED_IN);
	a.pValue = NULL;
	rv = f->C_GetAttributeValue(s, k, &a, 1);
	assert_true(rv == CKR_OBJECT_HANDLE_INVALID ||
	    rv == CKR_USER_NOT_LOGGED_IN);
	/* the other token's object in this token's session */
	assert_int_equal(f->C_OpenSession(1, CKF_SERIAL_SESSION, NULL, NULL,
	    &s1), CKR_OK);
	assert_int_not_equal(c1 = find1(s1, CKO_CERTIFICATE),
	    CK_INVALID_HANDLE);
	a.pValue = NULL;
	rv = f->C_GetAttributeValue(s, c1, &a, 1);
	if (rv == CKR_OK)	/* handles may be module-wide: same object */
		assert_true(a.ulValueLen > 0);
	else
		assert_int_equal(rv, CKR_OBJECT_HANDLE_INVALID);
	assert_int_equal(f->C_SignInit(s, &mech, c1), CKR_KEY_HANDLE_INVALID);
	assert_int_equal(f->C_CloseSession(s1), CKR_OK);
	assert_int_equal(f->C_CloseSession(s), CKR_OK);
	/* the closed session is gone for every function */
	assert_int_equal(f->C_FindObjectsInit(s, NULL, 0),
	    CKR_SESSION_HANDLE_INVALID);
}

/* Templates: unknown, repeated, CK_UNAVAILABLE_INFORMATION, short. */
static void
templates(void **state)
{
	CK_SESSION_HANDLE	s;
	CK_OBJECT_HANDLE	cert, h[32];
	CK_OBJECT_CLASS		cc = CKO_CERTIFICATE, pk = CKO_PUBLIC_KEY;
	CK_BYTE			big[8192], small[4], lab[64];
	CK_ULONG		n, vlen;
	CK_ATTRIBUTE		t[4];
	CK_RV			rv;

	(void)state;
	assert_int_equal(f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL,
	    &s), CKR_OK);
	assert_int_not_equal(cert = find1(s, CKO_CERTIFICATE),
	    CK_INVALID_HANDLE);

	/* find: an unknown type matches nothing (or is refused, §5.9) */
	t[0] = (CK_ATTRIBUTE){ CKA_VENDOR_DEFINED + 0x4242, big, 4 };
	rv = f->C_FindObjectsInit(s, t, 1);
	assert_true(rv == CKR_OK || rv == CKR_ATTRIBUTE_TYPE_INVALID);
	if (rv == CKR_OK) {
		assert_int_equal(f->C_FindObjects(s, h, 32, &n), CKR_OK);
		assert_int_equal(n, 0);
		assert_int_equal(f->C_FindObjectsFinal(s), CKR_OK);
	}
	/* repeated CKA_CLASS with two values: no object has both */
	t[0] = (CK_ATTRIBUTE){ CKA_CLASS, &cc, sizeof(cc) };
	t[1] = (CK_ATTRIBUTE){ CKA_CLASS, &pk, sizeof(pk) };
	rv = f->C_FindObjectsInit(s, t, 2);
	assert_true(rv == CKR_OK || rv == CKR_TEMPLATE_INCONSISTENT);
	if (rv == CKR_OK) {
		assert_int_equal(f->C_FindObjects(s, h, 32, &n), CKR_OK);
		assert_int_equal(n, 0);
		assert_int_equal(f->C_FindObjectsFinal(s), CKR_OK);
	}
	/* a value length of CK_UNAVAILABLE_INFORMATION is never read */
	t[0] = (CK_ATTRIBUTE){ CKA_CLASS, &cc, CK_UNAVAILABLE_INFORMATION };
	rv = f->C_FindObjectsInit(s, t, 1);
	assert_true(rv == CKR_OK || rv == CKR_ATTRIBUTE_VALUE_INVALID);
	if (rv == CKR_OK) {
		assert_int_equal(f->C_FindObjects(s, h, 32, &n), CKR_OK);
		assert_int_equal(n, 0);
		assert_int_equal(f->C_FindObjectsFinal(s), CKR_OK);
	}
	/* a length without a value */
	t[0] = (CK_ATTRIBUTE){ CKA_LABEL, NULL, 16 };
	rv = f->C_FindObjectsInit(s, t, 1);
	assert_true(rv == CKR_OK || rv == CKR_ARGUMENTS_BAD ||
	    rv == CKR_ATTRIBUTE_VALUE_INVALID);
	if (rv == CKR_OK) {
		assert_int_equal(f->C_FindObjects(s, h, 32, &n), CKR_OK);
		assert_int_equal(n, 0);
		assert_int_equal(f->C_FindObjectsFinal(s), CKR_OK);
	}
	/* a huge count with a short array: only what exists is written */
	assert_int_equal(f->C_FindObjectsInit(s, NULL, 0), CKR_OK);
	assert_int_equal(f->C_FindObjects(s, h, 32, &n), CKR_OK);
	assert_true(n > 0 && n < 32);
	assert_int_equal(f->C_FindObjects(s, h, (CK_ULONG)-1, &n), CKR_OK);
	assert_int_equal(n, 0);
	assert_int_equal(f->C_FindObjectsFinal(s), CKR_OK);
	assert_int_equal(f->C_FindObjectsInit(s, NULL, (CK_ULONG)-1),
	    CKR_ARGUMENTS_BAD);

	/* get: repeated type, unknown type, short buffer (§5.7) */
	t[0] = (CK_ATTRIBUTE){ CKA_LABEL, lab, sizeof(lab) };
	t[1] = (CK_ATTRIBUTE){ CKA_LABEL, NULL, 0 };
	t[2] = (CK_ATTRIBUTE){ CKA_VALUE, big, sizeof(big) };
	assert_int_equal(f->C_GetAttributeValue(s, cert, t, 3), CKR_OK);
	assert_int_equal(t[0].ulValueLen, t[1].ulValueLen);
	vlen = t[2].ulValueLen;
	assert_true(vlen > 500 && vlen < sizeof(big));
	t[0] = (CK_ATTRIBUTE){ CKA_VENDOR_DEFINED + 0x4242, lab, sizeof(lab) };
	t[1] = (CK_ATTRIBUTE){ CKA_VALUE, big, sizeof(big) };
	assert_int_equal(f->C_GetAttributeValue(s, cert, t, 2),
	    CKR_ATTRIBUTE_TYPE_INVALID);
	assert_int_equal(t[0].ulValueLen, CK_UNAVAILABLE_INFORMATION);
	assert_int_equal(t[1].ulValueLen, vlen);	/* still filled */
	t[0] = (CK_ATTRIBUTE){ CKA_VALUE, small, sizeof(small) };
	t[1] = (CK_ATTRIBUTE){ CKA_LABEL, lab, sizeof(lab) };
	assert_int_equal(f->C_GetAttributeValue(s, cert, t, 2),
	    CKR_BUFFER_TOO_SMALL);
	assert_int_equal(t[0].ulValueLen, CK_UNAVAILABLE_INFORMATION);
	assert_true(t[1].ulValueLen > 0 && t[1].ulValueLen < sizeof(lab));
	/* ulValueLen CK_UNAVAILABLE_INFORMATION on input: a size query
	 * with a NULL value, a (huge) buffer length otherwise */
	t[0] = (CK_ATTRIBUTE){ CKA_VALUE, NULL, CK_UNAVAILABLE_INFORMATION };
	assert_int_equal(f->C_GetAttributeValue(s, cert, t, 1), CKR_OK);
	assert_int_equal(t[0].ulValueLen, vlen);
	assert_int_equal(f->C_GetAttributeValue(s, cert, NULL, 0), CKR_OK);
	assert_int_equal(f->C_GetAttributeValue(s, cert, NULL, 5),
	    CKR_ARGUMENTS_BAD);
	assert_int_equal(f->C_GetAttributeValue(s, 0, t, 1),
	    CKR_OBJECT_HANDLE_INVALID);
	assert_int_equal(f->C_GetAttributeValue(s, (CK_OBJECT_HANDLE)-1, t, 1),
	    CKR_OBJECT_HANDLE_INVALID);
	/* a read-only token: no changes */
	t[0] = (CK_ATTRIBUTE){ CKA_LABEL, lab, 4 };
	rv = f->C_SetAttributeValue(s, cert, t, 1);
	assert_true(rv == CKR_FUNCTION_NOT_SUPPORTED ||
	    rv == CKR_SESSION_READ_ONLY || rv == CKR_ACTION_PROHIBITED ||
	    rv == CKR_TOKEN_WRITE_PROTECTED);
	assert_int_equal(f->C_CloseSession(s), CKR_OK);
}

/* Lengths and counts that would make a careless module read too far. */
static void
huge_lengths(void **state)
{
	CK_SESSION_HANDLE	s;
	CK_OBJECT_HANDLE	priv;
	CK_MECHANISM		raw = { CKM_RSA_PKCS, NULL, 0 };
	CK_MECHANISM		mech = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_MECHANISM_TYPE	ml[1];
	CK_SLOT_ID		sl[1];
	CK_BYTE			pin[4] = { '1', '2', '3', '4' }, buf[300];
	CK_ULONG		n;
	CK_TOKEN_INFO		ti;

	(void)state;
	assert_int_equal(f->C_OpenSession(0, CKF_SERIAL_SESSION |
	    CKF_RW_SESSION, NULL, NULL, &s), CKR_OK);
	/* a PIN length far beyond the buffer: refused before any read */
	assert_int_equal(f->C_Login(s, CKU_USER, pin, (CK_ULONG)-1),
	    CKR_PIN_LEN_RANGE);
	assert_int_equal(f->C_Login(s, CKU_USER, pin, 1u << 20),
	    CKR_PIN_LEN_RANGE);
	assert_int_equal(f->C_SetPIN(s, pin, (CK_ULONG)-1, pin, 4),
	    CKR_PIN_LEN_RANGE);
	assert_int_equal(f->C_GetTokenInfo(0, &ti), CKR_OK);
	assert_int_equal(ti.flags & CKF_USER_PIN_COUNT_LOW, 0);
	/* mechanism and slot lists: a zero count is a size query failure */
	n = 0;
	assert_int_equal(f->C_GetMechanismList(0, ml, &n),
	    CKR_BUFFER_TOO_SMALL);
	assert_true(n > 1);
	n = 0;
	assert_int_equal(f->C_GetSlotList(CK_FALSE, sl, &n),
	    CKR_BUFFER_TOO_SMALL);
	assert_true(n >= 1);
	/* raw RSA: the input length is checked before the data is read */
	assert_int_equal(f->C_Login(s, CKU_USER, pin, 4), CKR_OK);
	assert_int_not_equal(priv = find1(s, CKO_PRIVATE_KEY),
	    CK_INVALID_HANDLE);
	assert_int_equal(f->C_SignInit(s, &raw, priv), CKR_OK);
	n = sizeof(buf);
	assert_int_equal(f->C_Sign(s, buf, (CK_ULONG)-1, buf, &n),
	    CKR_DATA_LEN_RANGE);
	/* the failed C_Sign ended the operation (§5.12) */
	n = sizeof(buf);
	assert_int_equal(f->C_Sign(s, buf, 32, buf, &n),
	    CKR_OPERATION_NOT_INITIALIZED);
	/* NULL data with a length */
	assert_int_equal(f->C_SignInit(s, &mech, priv), CKR_OK);
	n = sizeof(buf);
	assert_int_equal(f->C_Sign(s, NULL, 32, buf, &n), CKR_ARGUMENTS_BAD);
	/* a mechanism parameter length without a parameter */
	mech.ulParameterLen = (CK_ULONG)-1;
	assert_int_equal(f->C_SignInit(s, &mech, priv),
	    CKR_MECHANISM_PARAM_INVALID);
	assert_int_equal(f->C_GenerateRandom(s, NULL, 4), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->C_GenerateRandom(s, NULL, 0), CKR_OK);
	assert_int_equal(f->C_Logout(s), CKR_OK);
	assert_int_equal(f->C_CloseSession(s), CKR_OK);
}

/* C_Initialize: locking choices, failing callbacks, pReserved. */
static int	cb_fail_create, cb_fail_lock_after, cb_calls, cb_unpaired;
static pthread_mutex_t	cb_mu = PTHREAD_MUTEX_INITIALIZER;
static int	cb_depth;

static CK_RV
h_create(CK_VOID_PTR_PTR m)
{
	cb_calls++;
	if (cb_fail_create)
		return CKR_HOST_MEMORY;
	*m = &cb_mu;
	return CKR_OK;
}

static CK_RV
h_destroy(CK_VOID_PTR m)
{
	(void)m;
	cb_calls++;
	return CKR_OK;
}

static CK_RV
h_lock(CK_VOID_PTR m)
{
	cb_calls++;
	if (cb_fail_lock_after > 0 && --cb_fail_lock_after == 0)
		return CKR_MUTEX_BAD;
	pthread_mutex_lock(m);
	cb_depth++;
	return CKR_OK;
}

static CK_RV
h_unlock(CK_VOID_PTR m)
{
	cb_calls++;
	if (cb_depth == 0) {
		cb_unpaired++;
		return CKR_MUTEX_NOT_LOCKED;
	}
	cb_depth--;
	pthread_mutex_unlock(m);
	return CKR_OK;
}

static void
init_args(void **state)
{
	CK_C_INITIALIZE_ARGS	a;
	CK_INFO			info;
	CK_SLOT_ID		slot;
	CK_RV			rv;
	int			i;

	(void)state;
	card_stop();
	assert_int_equal(f->C_Finalize(NULL), CKR_OK);
	memset(&a, 0, sizeof(a));
	a.CreateMutex = h_create;
	a.DestroyMutex = h_destroy;
	a.LockMutex = h_lock;
	a.UnlockMutex = h_unlock;

	/* a failing CreateMutex fails C_Initialize, which can be redone */
	cb_fail_create = 1;
	rv = f->C_Initialize(&a);
	assert_int_not_equal(rv, CKR_OK);
	assert_int_equal(f->C_GetInfo(&info), CKR_CRYPTOKI_NOT_INITIALIZED);
	cb_fail_create = 0;

	/* callbacks with CKF_OS_LOCKING_OK: the module may use either; the
	 * calls stay paired */
	a.flags = CKF_OS_LOCKING_OK;
	assert_int_equal(f->C_Initialize(&a), CKR_OK);
	assert_int_equal(f->C_GetInfo(&info), CKR_OK);
	assert_int_equal(f->C_Finalize(NULL), CKR_OK);
	assert_int_equal(cb_unpaired, 0);
	assert_int_equal(cb_depth, 0);

	/* the caller's callbacks, and LockMutex failing at the i-th call:
	 * that call fails with CKR_GENERAL_ERROR (§5.1: the only code left
	 * for a broken mutex), the others work, and UnlockMutex is never
	 * called for a lock that was not taken */
	a.flags = 0;
	for (i = 1; i <= 4; i++) {
		CK_RV r[4];
		int j, nfail = 0;

		cb_fail_lock_after = 0;
		assert_int_equal(f->C_Initialize(&a), CKR_OK);
		cb_fail_lock_after = i;
		r[0] = f->C_GetInfo(&info);
		r[1] = f->C_GetInfo(&info);
		r[2] = f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &slot, NULL);
		r[3] = f->C_GetInfo(&info);
		for (j = 0; j < 4; j++) {
			if (r[j] == CKR_GENERAL_ERROR)
				nfail++;
			else
				assert_true(r[j] == CKR_OK ||
				    (j == 2 && r[j] == CKR_NO_EVENT));
		}
		assert_int_equal(nfail, 1);
		cb_fail_lock_after = 0;
		assert_int_equal(f->C_GetInfo(&info), CKR_OK);
		assert_int_equal(f->C_Finalize(NULL), CKR_OK);
		assert_int_equal(cb_unpaired, 0);
		assert_int_equal(cb_depth, 0);
	}

	/* pReserved must be NULL everywhere it exists */
	a.pReserved = &a;
	assert_int_equal(f->C_Initialize(&a), CKR_ARGUMENTS_BAD);
	memset(&a, 0, sizeof(a));
	a.LockMutex = h_lock;	/* one callback alone */
	assert_int_equal(f->C_Initialize(&a), CKR_ARGUMENTS_BAD);
	memset(&a, 0, sizeof(a));
	assert_int_equal(f->C_Initialize(&a), CKR_OK);	/* no callbacks */
	assert_int_equal(f->C_Initialize(&a), CKR_CRYPTOKI_ALREADY_INITIALIZED);
	assert_int_equal(f->C_Finalize(&a), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &slot, &a),
	    CKR_ARGUMENTS_BAD);
	assert_int_equal(f->C_Finalize(NULL), CKR_OK);
	assert_int_equal(f->C_Initialize(NULL), CKR_OK);
	card_start();
}

/*
 * 8 threads, each with its own sessions, logging in, finding the key and
 * signing in a loop, while the main thread pulls the card and puts it
 * back.  Every result must be a clean PKCS#11 code; afterwards a login
 * and a signature work again.
 */
#define NTHREADS	8
static atomic_int	stop_threads;
static CK_RV		seen_bad[NTHREADS];
static int		nsigs[NTHREADS];
static atomic_int	n_removed, n_gone;	/* removal seen, sessions gone */

static int
clean_rv(CK_RV rv)
{
	return RV_IN(rv, CKR_OK, CKR_DEVICE_REMOVED, CKR_TOKEN_NOT_PRESENT,
	    CKR_DEVICE_ERROR, CKR_SESSION_HANDLE_INVALID, CKR_SESSION_CLOSED,
	    CKR_USER_NOT_LOGGED_IN, CKR_USER_ALREADY_LOGGED_IN,
	    CKR_SLOT_ID_INVALID, CKR_TOKEN_NOT_RECOGNIZED,
	    CKR_KEY_HANDLE_INVALID, CKR_OBJECT_HANDLE_INVALID,
	    CKR_OPERATION_NOT_INITIALIZED, CKR_DEVICE_MEMORY);
}

static void *
mixer(void *arg)
{
	int			 id = (int)(intptr_t)arg, i = 0;
	CK_SESSION_HANDLE	 s;
	CK_OBJECT_HANDLE	 k;
	CK_MECHANISM		 mech = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_BYTE			 sig[256], data[] = "mixed";
	CK_ULONG		 len;
	CK_SESSION_INFO		 si;
	CK_TOKEN_INFO		 ti;
	CK_RV			 rv;

#define CHK(x) do { rv = (x); if (!clean_rv(rv)) { seen_bad[id] = rv;	\
	print_message("thread %d: %s: 0x%lx\n", id, #x, rv); }		\
	if (rv == CKR_DEVICE_REMOVED || rv == CKR_TOKEN_NOT_PRESENT)	\
		atomic_fetch_add(&n_removed, 1);				\
	if (rv == CKR_SESSION_HANDLE_INVALID || rv == CKR_SESSION_CLOSED) \
		atomic_fetch_add(&n_gone, 1); } while (0)
	while (!atomic_load(&stop_threads)) {
		i++;
		CHK(f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &s));
		if (rv != CKR_OK) {
			usleep(20 * 1000);
			continue;
		}
		if (i % 3 == 0)
			CHK(f->C_GetTokenInfo(0, &ti));
		CHK(f->C_Login(s, CKU_USER, (CK_UTF8CHAR *)PIN, 4));
		CHK(f->C_GetSessionInfo(s, &si));
		k = find1(s, CKO_PRIVATE_KEY);
		if (k != CK_INVALID_HANDLE) {
			CHK(f->C_SignInit(s, &mech, k));
			if (rv == CKR_OK) {
				len = sizeof(sig);
				CHK(f->C_Sign(s, data, sizeof(data), sig,
				    &len));
				if (rv == CKR_OK)
					nsigs[id]++;
			}
		}
		if (i % 4 == 0)
			CHK(f->C_Logout(s));
		if (i % 5 == 0)
			CHK(f->C_CloseAllSessions(0));
		else
			CHK(f->C_CloseSession(s));
	}
#undef CHK
	return NULL;
}

static void
threads_and_removal(void **state)
{
	pthread_t		t[NTHREADS];
	CK_SESSION_HANDLE	s;
	CK_OBJECT_HANDLE	k;
	CK_MECHANISM		mech = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_BYTE			sig[256], data[] = "after";
	CK_ULONG		len = sizeof(sig);
	int			i, round, total = 0;

	(void)state;
	atomic_store(&stop_threads, 0);
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, mixer,
		    (void *)(intptr_t)i), 0);
	for (round = 0; round < 2; round++) {
		usleep(700 * 1000);
		card_stop();		/* pulled while they work */
		usleep(400 * 1000);
		card_start();
	}
	usleep(500 * 1000);
	atomic_store(&stop_threads, 1);
	for (i = 0; i < NTHREADS; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(seen_bad[i], 0);
		total += nsigs[i];
	}
	print_message("threads: %d signatures over 2 removals; %d calls saw "
	    "the removal, %d a session gone with it\n", total,
	    atomic_load(&n_removed), atomic_load(&n_gone));
	assert_true(total > 0);
	/* the pulls happened while the threads were at work */
	assert_true(atomic_load(&n_removed) + atomic_load(&n_gone) > 0);
	/* the module is sane afterwards */
	assert_int_equal(f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL,
	    &s), CKR_OK);
	assert_true(RV_IN(f->C_Login(s, CKU_USER, (CK_UTF8CHAR *)PIN, 4),
	    CKR_OK, CKR_USER_ALREADY_LOGGED_IN));
	assert_int_not_equal(k = find1(s, CKO_PRIVATE_KEY), CK_INVALID_HANDLE);
	assert_int_equal(f->C_SignInit(s, &mech, k), CKR_OK);
	assert_int_equal(f->C_Sign(s, data, sizeof(data), sig, &len), CKR_OK);
	assert_int_equal(f->C_CloseSession(s), CKR_OK);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest all[] = {
		cmocka_unit_test(uninitialised),
		cmocka_unit_test(bad_handles),
		cmocka_unit_test(out_of_order),
		cmocka_unit_test(templates),
		cmocka_unit_test(huge_lengths),
		cmocka_unit_test(init_args),
		cmocka_unit_test(threads_and_removal),
	};
	const struct CMUnitTest thr[] = {
		cmocka_unit_test(threads_and_removal),
	};

	if (argc > 1 && strcmp(argv[1], "threads") == 0)
		return cmocka_run_group_tests(thr, setup, teardown);
	return cmocka_run_group_tests(all, setup, teardown);
}
