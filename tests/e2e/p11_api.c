/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * jpki-pkcs11.so called directly, with a card (jpki-cardsim behind the
 * isolated pcscd of tests/e2e/p11_tool.sh's sibling p11_api.sh):
 * session-level argument checks and the size-query convention, login
 * rules (a repeated wrong PIN spends no second try), CKA_ALWAYS_AUTHENTICATE, concurrent signing from several threads,
 * a reset by another process (sessions report logged out), and removal and
 * re-insertion seen through C_WaitForSlotEvent.  This program starts and
 * stops the virtual card itself (P11_CARDSIM, P11_PROFILE, P11_PROFILE2).
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
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <p11-kit/pkcs11.h>

#include <jpki/jpki.h>

#define PIN	"1234"
#define SPIN	"ABC123"

static void			*dl;
static CK_FUNCTION_LIST_PTR	 f;
static pid_t			 card_pid;

/* Start the virtual card (profile) in vpcd slot 0 and wait for it. */
static void
card_start(const char *profile)
{
	CK_SLOT_ID	slots[8];
	CK_ULONG	n;
	int		i;

	card_pid = fork();
	assert_true(card_pid >= 0);
	if (card_pid == 0) {
		execl(getenv("P11_CARDSIM"), "jpki-cardsim", "--profile",
		    profile, "--port", "35963", (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 100; i++) {
		n = 8;
		if (f->C_GetSlotList(CK_TRUE, slots, &n) == CKR_OK && n > 0)
			return;
		usleep(100 * 1000);
	}
	fail_msg("card did not appear");
}

static void
card_stop(void)
{
	if (card_pid <= 0)
		return;
	kill(card_pid, SIGTERM);
	waitpid(card_pid, NULL, 0);
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
	card_start(getenv("P11_PROFILE"));
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
find(CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls, CK_BYTE id)
{
	CK_ATTRIBUTE		t[2] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_ID, &id, 1 }
	};
	CK_OBJECT_HANDLE	h = CK_INVALID_HANDLE;
	CK_ULONG		n = 0;

	assert_int_equal(f->C_FindObjectsInit(s, t, 2), CKR_OK);
	assert_int_equal(f->C_FindObjects(s, &h, 1, &n), CKR_OK);
	assert_int_equal(f->C_FindObjectsFinal(s), CKR_OK);
	return n == 1 ? h : CK_INVALID_HANDLE;
}

static void
session_args(void **state)
{
	CK_SESSION_HANDLE	s, ro;
	CK_SESSION_INFO		si;
	CK_OBJECT_HANDLE	cert, pub, priv;
	CK_MECHANISM		mech = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_MECHANISM		bad = { CKM_RSA_PKCS_OAEP, NULL, 0 };
	CK_BYTE			param[4], sig[300], data[32] = { 1 };
	CK_ULONG		len, n;
	CK_TOKEN_INFO		ti;
	CK_ATTRIBUTE		a[3];
	CK_BYTE			small[4];
	CK_BBOOL		b;
	CK_RV			rv;

	(void)state;
	assert_int_equal(f->C_OpenSession(0, CKF_SERIAL_SESSION |
	    CKF_RW_SESSION, NULL, NULL, &s), CKR_OK);
	assert_int_equal(f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL,
	    &ro), CKR_OK);
	assert_int_equal(f->C_GetSessionInfo(s, NULL), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->C_GetSessionInfo(s, &si), CKR_OK);
	assert_int_equal(si.state, CKS_RW_PUBLIC_SESSION);
	assert_int_equal(f->C_GetTokenInfo(0, &ti), CKR_OK);
	assert_int_equal(ti.ulSessionCount, 2);
	assert_int_equal(ti.ulRwSessionCount, 1);

	/* objects before login: no private key */
	assert_int_not_equal(cert = find(s, CKO_CERTIFICATE, 1),
	    CK_INVALID_HANDLE);
	assert_int_not_equal(pub = find(s, CKO_PUBLIC_KEY, 1),
	    CK_INVALID_HANDLE);
	assert_int_equal(find(s, CKO_PRIVATE_KEY, 1), CK_INVALID_HANDLE);
	assert_int_equal(f->C_FindObjectsInit(s, NULL, 1), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->C_FindObjectsInit(s, NULL, 0), CKR_OK);
	assert_int_equal(f->C_FindObjectsInit(s, NULL, 0),
	    CKR_OPERATION_ACTIVE);
	assert_int_equal(f->C_FindObjects(s, NULL, 1, &n), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->C_FindObjects(s, &priv, 1, NULL),
	    CKR_ARGUMENTS_BAD);
	assert_int_equal(f->C_FindObjectsFinal(s), CKR_OK);
	assert_int_equal(f->C_FindObjectsFinal(s),
	    CKR_OPERATION_NOT_INITIALIZED);

	/* attributes: size query, short buffer, unknown, object handle */
	memset(a, 0, sizeof(a));
	a[0].type = CKA_VALUE;
	assert_int_equal(f->C_GetAttributeValue(s, cert, a, 1), CKR_OK);
	assert_true(a[0].ulValueLen > 500 && a[0].ulValueLen < 4096);
	a[0].pValue = small;
	a[0].ulValueLen = sizeof(small);
	a[1].type = CKA_PRIVATE_EXPONENT;
	a[2].type = CKA_LABEL;
	/* PKCS#11 v2.40 §5.7: with both failures either code is right */
	rv = f->C_GetAttributeValue(s, cert, a, 3);
	assert_true(rv == CKR_BUFFER_TOO_SMALL ||
	    rv == CKR_ATTRIBUTE_TYPE_INVALID);
	assert_int_equal(a[0].ulValueLen, CK_UNAVAILABLE_INFORMATION);
	assert_int_equal(a[1].ulValueLen, CK_UNAVAILABLE_INFORMATION);
	assert_int_equal(a[2].ulValueLen, strlen(
	    "User Authentication Certificate"));
	assert_int_equal(f->C_GetAttributeValue(s, cert, NULL, 1),
	    CKR_ARGUMENTS_BAD);
	assert_int_equal(f->C_GetAttributeValue(s, 0x7777, a, 1),
	    CKR_OBJECT_HANDLE_INVALID);

	/* login rules */
	assert_int_equal(f->C_Login(s, CKU_SO, (CK_UTF8CHAR *)PIN, 4),
	    CKR_USER_TYPE_INVALID);
	assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR *)"123", 3),
	    CKR_PIN_LEN_RANGE);
	assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR *)"12a4", 4),
	    CKR_PIN_INCORRECT);
	assert_int_equal(f->C_Login(s, CKU_USER, NULL, 0), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->C_GetTokenInfo(0, &ti), CKR_OK);
	/* refused before any APDU: no try was spent */
	assert_int_equal(ti.flags & CKF_USER_PIN_COUNT_LOW, 0);
	assert_int_equal(f->C_Login(s, CKU_CONTEXT_SPECIFIC,
	    (CK_UTF8CHAR *)PIN, 4), CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(f->C_SignInit(s, &mech, pub),
	    CKR_KEY_FUNCTION_NOT_PERMITTED);
	assert_int_equal(f->C_SignInit(s, &mech, cert),
	    CKR_KEY_HANDLE_INVALID);
	/*
	 * A wrong PIN spends one try; the same wrong PIN again is refused
	 * without a VERIFY (NSS retries a password-file PIN), until a
	 * successful login forgets it.
	 */
	assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR *)"9999", 4),
	    CKR_PIN_INCORRECT);
	assert_int_equal(f->C_GetTokenInfo(0, &ti), CKR_OK);
	assert_int_not_equal(ti.flags & CKF_USER_PIN_COUNT_LOW, 0);
	assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR *)"9999", 4),
	    CKR_PIN_INCORRECT);
	assert_int_equal(f->C_GetTokenInfo(0, &ti), CKR_OK);
	assert_int_equal(ti.flags & CKF_USER_PIN_FINAL_TRY, 0);
	assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR *)PIN, 4),
	    CKR_OK);
	assert_int_equal(f->C_Logout(s), CKR_OK);
	assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR *)"9999", 4),
	    CKR_PIN_INCORRECT);
	assert_int_equal(f->C_GetTokenInfo(0, &ti), CKR_OK);
	assert_int_not_equal(ti.flags & CKF_USER_PIN_COUNT_LOW, 0);
	assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR *)PIN, 4),
	    CKR_OK);
	assert_int_equal(f->C_Login(ro, CKU_USER, (CK_UTF8CHAR *)PIN, 4),
	    CKR_USER_ALREADY_LOGGED_IN);
	assert_int_equal(f->C_GetSessionInfo(ro, &si), CKR_OK);
	assert_int_equal(si.state, CKS_RO_USER_FUNCTIONS);
	assert_int_not_equal(priv = find(s, CKO_PRIVATE_KEY, 1),
	    CK_INVALID_HANDLE);
	b = CK_TRUE;
	a[0].type = CKA_ALWAYS_AUTHENTICATE;
	a[0].pValue = &b;
	a[0].ulValueLen = sizeof(b);
	assert_int_equal(f->C_GetAttributeValue(s, priv, a, 1), CKR_OK);
	assert_int_equal(b, CK_FALSE);
	a[0].type = CKA_PRIVATE_EXPONENT;
	a[0].pValue = sig;
	a[0].ulValueLen = sizeof(sig);
	assert_int_equal(f->C_GetAttributeValue(s, priv, a, 1),
	    CKR_ATTRIBUTE_SENSITIVE);

	/* sign: mechanism checks, size query, short buffer */
	assert_int_equal(f->C_SignInit(s, NULL, priv), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->C_SignInit(s, &bad, priv), CKR_MECHANISM_INVALID);
	mech.pParameter = param;
	mech.ulParameterLen = sizeof(param);
	assert_int_equal(f->C_SignInit(s, &mech, priv),
	    CKR_MECHANISM_PARAM_INVALID);
	mech.pParameter = NULL;
	mech.ulParameterLen = 0;
	assert_int_equal(f->C_Sign(s, data, 32, sig, &len),
	    CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(f->C_SignInit(s, &mech, priv), CKR_OK);
	assert_int_equal(f->C_SignInit(s, &mech, priv), CKR_OPERATION_ACTIVE);
	assert_int_equal(f->C_Sign(s, data, 32, NULL, &len), CKR_OK);
	assert_int_equal(len, 256);
	len = 10;
	assert_int_equal(f->C_Sign(s, data, 32, sig, &len),
	    CKR_BUFFER_TOO_SMALL);
	assert_int_equal(len, 256);
	len = sizeof(sig);
	assert_int_equal(f->C_Sign(s, data, 32, sig, &len), CKR_OK);
	assert_int_equal(len, 256);
	assert_int_equal(f->C_Sign(s, data, 32, sig, &len),
	    CKR_OPERATION_NOT_INITIALIZED);
	/* CKM_RSA_PKCS: empty and oversize input */
	mech.mechanism = CKM_RSA_PKCS;
	assert_int_equal(f->C_SignInit(s, &mech, priv), CKR_OK);
	len = sizeof(sig);
	assert_int_equal(f->C_Sign(s, sig, 246, sig, &len),
	    CKR_DATA_LEN_RANGE);
	/* random bytes from the card keep the login (GET CHALLENGE) */
	memset(sig, 0, sizeof(sig));
	assert_int_equal(f->C_GenerateRandom(s, sig, 300), CKR_OK);
	assert_memory_not_equal(sig, sig + 150, 150);
	assert_int_equal(f->C_GenerateRandom(s, NULL, 4), CKR_ARGUMENTS_BAD);
	mech.mechanism = CKM_SHA256_RSA_PKCS;
	assert_int_equal(f->C_SignInit(s, &mech, priv), CKR_OK);
	len = sizeof(sig);
	assert_int_equal(f->C_Sign(s, data, 32, sig, &len), CKR_OK);
	assert_int_equal(f->C_SetPIN(ro, (CK_UTF8CHAR *)PIN, 4,
	    (CK_UTF8CHAR *)"5678", 4), CKR_SESSION_READ_ONLY);
	assert_int_equal(f->C_SetPIN(s, (CK_UTF8CHAR *)PIN, 4,
	    (CK_UTF8CHAR *)"56", 2), CKR_PIN_LEN_RANGE);

	/* digest: size query and result length */
	mech.mechanism = CKM_SHA256;
	assert_int_equal(f->C_DigestInit(s, &mech), CKR_OK);
	assert_int_equal(f->C_Digest(s, data, 32, NULL, &len), CKR_OK);
	assert_int_equal(len, 32);
	len = sizeof(sig);
	assert_int_equal(f->C_Digest(s, data, 32, sig, &len), CKR_OK);
	assert_int_equal(len, 32);

	assert_int_equal(f->C_Logout(s), CKR_OK);
	assert_int_equal(f->C_Logout(s), CKR_USER_NOT_LOGGED_IN);
	assert_int_equal(f->C_GetSessionInfo(ro, &si), CKR_OK);
	assert_int_equal(si.state, CKS_RO_PUBLIC_SESSION);
	assert_int_equal(f->C_CloseSession(ro), CKR_OK);
	assert_int_equal(f->C_CloseSession(ro), CKR_SESSION_HANDLE_INVALID);
	assert_int_equal(f->C_CloseSession(s), CKR_OK);
}

/* The sign key needs C_Login(CKU_CONTEXT_SPECIFIC) for every signature. */
static void
always_authenticate(void **state)
{
	CK_SESSION_HANDLE	s;
	CK_OBJECT_HANDLE	priv;
	CK_MECHANISM		mech = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_BYTE			sig[256], data[8] = { 2 };
	CK_ULONG		len = sizeof(sig);

	(void)state;
	assert_int_equal(f->C_OpenSession(1, CKF_SERIAL_SESSION, NULL, NULL,
	    &s), CKR_OK);
	assert_int_equal(find(s, CKO_CERTIFICATE, 2), CK_INVALID_HANDLE);
	assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR *)"abc123", 6),
	    CKR_OK);	/* upper-cased, as every JPKI tool does */
	assert_int_not_equal(find(s, CKO_CERTIFICATE, 2), CK_INVALID_HANDLE);
	assert_int_not_equal(priv = find(s, CKO_PRIVATE_KEY, 2),
	    CK_INVALID_HANDLE);
	assert_int_equal(f->C_SignInit(s, &mech, priv), CKR_OK);
	assert_int_equal(f->C_Sign(s, data, 8, sig, &len),
	    CKR_USER_NOT_LOGGED_IN);
	assert_int_equal(f->C_SignInit(s, &mech, priv), CKR_OK);
	assert_int_equal(f->C_Login(s, CKU_CONTEXT_SPECIFIC,
	    (CK_UTF8CHAR *)SPIN, 6), CKR_OK);
	len = sizeof(sig);
	assert_int_equal(f->C_SignUpdate(s, data, 4), CKR_OK);
	assert_int_equal(f->C_SignUpdate(s, data + 4, 4), CKR_OK);
	assert_int_equal(f->C_SignFinal(s, sig, &len), CKR_OK);
	assert_int_equal(len, 256);
	/* the context login is spent */
	assert_int_equal(f->C_SignInit(s, &mech, priv), CKR_OK);
	assert_int_equal(f->C_Sign(s, data, 8, sig, &len),
	    CKR_USER_NOT_LOGGED_IN);
	assert_int_equal(f->C_CloseSession(s), CKR_OK);
}

/* Closing one token's last session must not log the other token out. */
static void
close_keeps_other_token(void **state)
{
	CK_SESSION_HANDLE	a, b;
	CK_SESSION_INFO		si;

	(void)state;
	assert_int_equal(f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL,
	    &a), CKR_OK);
	assert_int_equal(f->C_OpenSession(1, CKF_SERIAL_SESSION, NULL, NULL,
	    &b), CKR_OK);
	assert_int_equal(f->C_Login(a, CKU_USER, (CK_UTF8CHAR *)PIN, 4),
	    CKR_OK);
	assert_int_equal(f->C_Login(b, CKU_USER, (CK_UTF8CHAR *)SPIN, 6),
	    CKR_OK);
	assert_int_equal(f->C_CloseSession(b), CKR_OK);
	assert_int_equal(f->C_GetSessionInfo(a, &si), CKR_OK);
	assert_int_equal(si.state, CKS_RO_USER_FUNCTIONS);
	assert_int_not_equal(find(a, CKO_PRIVATE_KEY, 1), CK_INVALID_HANDLE);
	assert_int_equal(f->C_OpenSession(1, CKF_SERIAL_SESSION, NULL, NULL,
	    &b), CKR_OK);
	assert_int_equal(f->C_GetSessionInfo(b, &si), CKR_OK);
	assert_int_equal(si.state, CKS_RO_PUBLIC_SESSION);
	assert_int_equal(f->C_CloseSession(b), CKR_OK);
	assert_int_equal(f->C_CloseSession(a), CKR_OK);
}

/* Several threads, one session each, signing at once. */
#define NTHREADS	4
#define NSIGS		10

struct worker {
	CK_OBJECT_HANDLE	priv;
	CK_BYTE			first[256];
	int			bad;
};

static void *
signer(void *arg)
{
	struct worker		*w = arg;
	CK_SESSION_HANDLE	 s;
	CK_MECHANISM		 mech = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_BYTE			 sig[256], data[] = "same data";
	CK_ULONG		 len;
	int			 i;

	if (f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &s) !=
	    CKR_OK) {
		w->bad++;
		return NULL;
	}
	for (i = 0; i < NSIGS; i++) {
		len = sizeof(sig);
		if (f->C_SignInit(s, &mech, w->priv) != CKR_OK ||
		    f->C_Sign(s, data, sizeof(data), sig, &len) != CKR_OK ||
		    len != 256 || memcmp(sig, w->first, 256) != 0)
			w->bad++;
	}
	(void)f->C_CloseSession(s);
	return NULL;
}

static void
threads(void **state)
{
	CK_SESSION_HANDLE	s;
	CK_MECHANISM		mech = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_BYTE			data[] = "same data";
	CK_ULONG		len = 256;
	struct worker		w[NTHREADS];
	pthread_t		t[NTHREADS];
	int			i;

	(void)state;
	assert_int_equal(f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL,
	    &s), CKR_OK);
	assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR *)PIN, 4),
	    CKR_OK);
	memset(w, 0, sizeof(w));
	w[0].priv = find(s, CKO_PRIVATE_KEY, 1);
	assert_int_equal(f->C_SignInit(s, &mech, w[0].priv), CKR_OK);
	assert_int_equal(f->C_Sign(s, data, sizeof(data), w[0].first, &len),
	    CKR_OK);
	for (i = 1; i < NTHREADS; i++)
		w[i] = w[0];
	/* PKCS#1 v1.5 is deterministic: every signature must be equal */
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, signer, &w[i]),
		    0);
	for (i = 0; i < NTHREADS; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(w[i].bad, 0);
	}
	assert_int_equal(f->C_CloseSession(s), CKR_OK);
}

/* Another process resets the card: the PIN state is lost. */
static void
reset_by_other(void **state)
{
	CK_SESSION_HANDLE	s;
	CK_SESSION_INFO		si;
	CK_OBJECT_HANDLE	priv;
	CK_MECHANISM		mech = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_BYTE			sig[256], data[4] = { 3 };
	CK_ULONG		len = sizeof(sig);
	pid_t			pid;
	int			st = -1;

	(void)state;
	assert_int_equal(f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL,
	    &s), CKR_OK);
	assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR *)PIN, 4),
	    CKR_OK);
	priv = find(s, CKO_PRIVATE_KEY, 1);
	/* a separate program, as another application would be */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execl("/proc/self/exe", "p11_api", "reset", (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_int_equal(WEXITSTATUS(st), 0);
	/* the session reports logged out at once (SCardStatus, no APDU) */
	assert_int_equal(f->C_GetSessionInfo(s, &si), CKR_OK);
	assert_int_equal(si.state, CKS_RO_PUBLIC_SESSION);
	(void)sig;
	(void)len;
	(void)data;
	assert_int_equal(f->C_SignInit(s, &mech, priv),
	    CKR_USER_NOT_LOGGED_IN);
	/* a fresh login works again */
	assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR *)PIN, 4),
	    CKR_OK);
	assert_int_equal(f->C_CloseSession(s), CKR_OK);
}

/* Removal closes the sessions; re-insertion is an event too. */
static void
removal_and_events(void **state)
{
	CK_SESSION_HANDLE	s;
	CK_SESSION_INFO		si;
	CK_TOKEN_INFO		ti;
	CK_SLOT_ID		slot = 99;
	CK_ULONG		n = 0;
	char			serial1[17], serial2[17];

	(void)state;
	assert_int_equal(f->C_GetTokenInfo(0, &ti), CKR_OK);
	memcpy(serial1, ti.serialNumber, 16);
	serial1[16] = '\0';
	assert_int_equal(f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL,
	    &s), CKR_OK);
	/* the insertion at setup is still to be reported */
	while (f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &slot, NULL) == CKR_OK)
		;
	assert_int_equal(f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &slot, NULL),
	    CKR_NO_EVENT);
	card_stop();
	/* blocking wait: returns once pcscd reports the removal */
	assert_int_equal(f->C_WaitForSlotEvent(0, &slot, NULL), CKR_OK);
	assert_int_equal(slot, 0);
	assert_int_not_equal(f->C_GetSessionInfo(s, &si), CKR_OK);
	assert_int_equal(f->C_GetSlotList(CK_TRUE, NULL, &n), CKR_OK);
	assert_int_equal(n, 0);
	assert_int_equal(f->C_GetTokenInfo(0, &ti), CKR_TOKEN_NOT_PRESENT);
	assert_int_equal(f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL,
	    &s), CKR_TOKEN_NOT_PRESENT);
	/* another card: a new serial, derived from its certificate */
	card_start(getenv("P11_PROFILE2"));
	assert_int_equal(f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &slot, NULL),
	    CKR_OK);
	assert_int_equal(f->C_GetTokenInfo(0, &ti), CKR_OK);
	memcpy(serial2, ti.serialNumber, 16);
	serial2[16] = '\0';
	assert_string_not_equal(serial1, serial2);
	assert_string_equal(serial2, getenv("P11_SERIAL2"));
}

/* "p11_api reset": reset the card from another process and exit. */
static int
reset_card(void)
{
	jpki_card_t	*c = NULL;
	int		 r;

	if (jpki_card_new(&c) != JPKI_OK)
		return 1;
	r = jpki_card_open(c, NULL, 0, 0);
	if (r != JPKI_OK) {
		fprintf(stderr, "reset: %s\n", jpki_strerror(r));
		jpki_card_free(&c);
		return 1;
	}
	jpki_card_set_reset_on_close(c, 1);
	jpki_card_close(c);
	jpki_card_free(&c);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "reset") == 0)
		return reset_card();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(session_args),
		cmocka_unit_test(always_authenticate),
		cmocka_unit_test(close_keeps_other_token),
		cmocka_unit_test(threads),
		cmocka_unit_test(reset_by_other),
		cmocka_unit_test(removal_and_events),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
