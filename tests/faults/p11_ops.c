/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * PKCS#11 operations for the PC/SC fault sweep (tests/faults/sweep.sh):
 *
 *   p11_ops MODULE slots   C_Initialize, C_GetSlotList, C_GetTokenInfo
 *   p11_ops MODULE cert    ... C_OpenSession, C_FindObjects, the value
 *   p11_ops MODULE sign    ... C_Login (PIN from $P11_PIN: a synthetic
 *                          test PIN), C_SignInit, C_Sign
 *
 * Prints "OK" and exits 0, or "FAIL <function> <CKR hex>" and exits 1:
 * the sweep checks that every injected failure gives one clean CKR.
 * P11_HOLD_MS=N keeps the module initialised N ms after the operation.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <p11-kit/pkcs11.h>

static CK_FUNCTION_LIST_PTR f;

static int
fail(const char *fn, CK_RV rv)
{
	printf("FAIL %s 0x%08lx\n", fn, (unsigned long)rv);
	return 1;
}

#define CALL(fn, args) do {						\
	CK_RV rv_ = f->fn args;						\
	if (rv_ != CKR_OK) {						\
		r = fail(#fn, rv_);					\
		goto out;						\
	}								\
} while (0)

int
main(int argc, char **argv)
{
	CK_C_GetFunctionList	gfl;
	CK_SLOT_ID		slots[8];
	CK_ULONG		ns = 8, n;
	CK_TOKEN_INFO		ti;
	CK_SESSION_HANDLE	s;
	CK_OBJECT_HANDLE	o;
	CK_OBJECT_CLASS		cls;
	CK_ATTRIBUTE		t = { CKA_CLASS, &cls, sizeof(cls) };
	CK_ATTRIBUTE		v = { CKA_VALUE, NULL, 0 };
	CK_MECHANISM		m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_BYTE			sig[512], data[] = "fault sweep";
	CK_ULONG		sl = sizeof(sig), i;
	const char		*pin = getenv("P11_PIN");
	void			*dl;
	int			 r = 0, init = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: p11_ops MODULE slots|cert|sign\n");
		return 2;
	}
	if ((dl = dlopen(argv[1], RTLD_NOW)) == NULL ||
	    (gfl = (CK_C_GetFunctionList)dlsym(dl, "C_GetFunctionList")) ==
	    NULL || gfl(&f) != CKR_OK) {
		fprintf(stderr, "p11_ops: cannot load %s\n", argv[1]);
		return 2;
	}
	CALL(C_Initialize, (NULL));
	init = 1;
	CALL(C_GetSlotList, (CK_TRUE, slots, &ns));
	/* slot 0 is the auth token of the first reader: a probe that failed
	 * leaves it out of the list (the sign token's PIN rules differ) */
	if (ns == 0 || slots[0] != 0) {
		r = fail("C_GetSlotList(none)", CKR_TOKEN_NOT_PRESENT);
		goto out;
	}
	for (i = 0; i < ns; i++)
		CALL(C_GetTokenInfo, (slots[i], &ti));
	if (strcmp(argv[2], "slots") == 0)
		goto out;
	CALL(C_OpenSession, (slots[0], CKF_SERIAL_SESSION, NULL, NULL, &s));
	if (strcmp(argv[2], "sign") == 0) {
		if (pin == NULL)
			return 2;
		CALL(C_Login, (s, CKU_USER, (CK_UTF8CHAR_PTR)pin,
		    strlen(pin)));
		cls = CKO_PRIVATE_KEY;
	} else
		cls = CKO_CERTIFICATE;
	CALL(C_FindObjectsInit, (s, &t, 1));
	CALL(C_FindObjects, (s, &o, 1, &n));
	CALL(C_FindObjectsFinal, (s));
	if (n != 1) {
		r = fail("C_FindObjects(none)", CKR_OBJECT_HANDLE_INVALID);
		goto out;
	}
	if (cls == CKO_CERTIFICATE) {
		CALL(C_GetAttributeValue, (s, o, &v, 1));
		if ((v.pValue = malloc(v.ulValueLen)) == NULL)
			return 2;
		CALL(C_GetAttributeValue, (s, o, &v, 1));
		free(v.pValue);
		v.pValue = NULL;
	} else {
		CALL(C_SignInit, (s, &m, o));
		CALL(C_Sign, (s, data, sizeof(data) - 1, sig, &sl));
	}
	CALL(C_CloseSession, (s));
out:
	free(v.pValue);
	if (r == 0)
		printf("OK\n");
	fflush(stdout);
	/* P11_HOLD_MS: stay initialised that long after the operation, so
	 * that the sweep can check another program still gets the card */
	if (getenv("P11_HOLD_MS") != NULL)
		usleep((useconds_t)atoi(getenv("P11_HOLD_MS")) * 1000u);
	if (init)
		f->C_Finalize(NULL);
	dlclose(dl);
	return r;
}
