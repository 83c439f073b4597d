/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * The one table JPKI_ERR_* -> CKR_* (house-style §2.3).  Every code of
 * include/jpki/err.h has a row; tests/unit/test_p11_rv.c enumerates the
 * header and fails on a missing one.  Callers with more context (C_Login,
 * C_Sign after a reset) refine the result themselves.
 */
#include <stddef.h>

#include "p11_int.h"

static const struct {
	int	err;
	CK_RV	rv;
} rvtab[] = {
	{ JPKI_OK,			CKR_OK },
	/* generic */
	{ JPKI_ERR_ARG,			CKR_ARGUMENTS_BAD },
	{ JPKI_ERR_NOMEM,		CKR_HOST_MEMORY },
	{ JPKI_ERR_INTERNAL,		CKR_GENERAL_ERROR },
	{ JPKI_ERR_NOT_SUPPORTED,	CKR_FUNCTION_NOT_SUPPORTED },
	{ JPKI_ERR_TIMEOUT,		CKR_DEVICE_ERROR },
	{ JPKI_ERR_CANCELLED,		CKR_FUNCTION_CANCELED },
	{ JPKI_ERR_IO,			CKR_GENERAL_ERROR },
	{ JPKI_ERR_BUSY,		CKR_DEVICE_ERROR },
	/* PC/SC service, readers, card presence */
	{ JPKI_ERR_NO_SERVICE,		CKR_DEVICE_ERROR },
	{ JPKI_ERR_NO_READER,		CKR_SLOT_ID_INVALID },
	{ JPKI_ERR_NO_CARD,		CKR_TOKEN_NOT_PRESENT },
	{ JPKI_ERR_CARD_REMOVED,	CKR_DEVICE_REMOVED },
	/* PIN state was lost: the session is logged out now. */
	{ JPKI_ERR_CARD_RESET,		CKR_USER_NOT_LOGGED_IN },
	{ JPKI_ERR_SHARING,		CKR_DEVICE_ERROR },
	{ JPKI_ERR_TRANSPORT,		CKR_DEVICE_ERROR },
	{ JPKI_ERR_READER_NOT_FOUND,	CKR_SLOT_ID_INVALID },
	{ JPKI_ERR_UNRESPONSIVE,	CKR_TOKEN_NOT_RECOGNIZED },
	/* card and applet answers */
	{ JPKI_ERR_NOT_JPKI,		CKR_TOKEN_NOT_RECOGNIZED },
	{ JPKI_ERR_FILE_NOT_FOUND,	CKR_DEVICE_ERROR },
	{ JPKI_ERR_SECURITY,		CKR_USER_NOT_LOGGED_IN },
	{ JPKI_ERR_PIN_INCORRECT,	CKR_PIN_INCORRECT },
	{ JPKI_ERR_PIN_LOCKED,		CKR_PIN_LOCKED },
	{ JPKI_ERR_PIN_FORMAT,		CKR_PIN_LEN_RANGE },
	/*
	 * Last-try guard (README "PKCS#11"): the PIN is not locked and no try
	 * was spent.  NSS (Firefox, Chromium) shows CKR_PIN_LOCKED as "The
	 * password is locked", loops on a new prompt after CKR_PIN_INCORRECT,
	 * and calls CKR_PIN_LEN_RANGE / CKR_PIN_EXPIRED an invalid or expired
	 * password; CKR_FUNCTION_FAILED ends the login with "could not be
	 * performed, trying again might succeed" (nss lib/pk11wrap/pk11auth.c,
	 * pk11err.c).  CKF_USER_PIN_FINAL_TRY in the token flags says why.
	 */
	{ JPKI_ERR_PIN_LAST_TRY,	CKR_FUNCTION_FAILED },
	{ JPKI_ERR_WRONG_LENGTH,	CKR_DATA_LEN_RANGE },
	{ JPKI_ERR_CONDITIONS,		CKR_FUNCTION_REJECTED },
	{ JPKI_ERR_BAD_P1P2,		CKR_DEVICE_ERROR },
	{ JPKI_ERR_INS_NOT_SUPPORTED,	CKR_FUNCTION_NOT_SUPPORTED },
	{ JPKI_ERR_SW,			CKR_DEVICE_ERROR },
	{ JPKI_ERR_NO_SIGN_CERT,	CKR_KEY_HANDLE_INVALID },
	{ JPKI_ERR_NOT_AUTHENTIC,	CKR_DEVICE_ERROR },
	/* parsing and certificates */
	{ JPKI_ERR_PARSE,		CKR_DEVICE_ERROR },
	{ JPKI_ERR_TOO_LARGE,		CKR_DEVICE_MEMORY },
	{ JPKI_ERR_CERT_INVALID,	CKR_DEVICE_ERROR },
	{ JPKI_ERR_CERT_EXPIRED,	CKR_GENERAL_ERROR },
	{ JPKI_ERR_CERT_NOT_YET_VALID,	CKR_GENERAL_ERROR },
	{ JPKI_ERR_CERT_UNTRUSTED,	CKR_GENERAL_ERROR },
	{ JPKI_ERR_CERT_SIGNATURE,	CKR_SIGNATURE_INVALID },
	{ JPKI_ERR_CERT_KEY_USAGE,	CKR_KEY_FUNCTION_NOT_PERMITTED },
	{ JPKI_ERR_CERT_POLICY,		CKR_GENERAL_ERROR },
	{ JPKI_ERR_CERT_REVOKED,	CKR_GENERAL_ERROR },
	{ JPKI_ERR_CERT_STATUS_UNKNOWN,	CKR_GENERAL_ERROR },
	{ JPKI_ERR_CERT_NOT_CA,		CKR_GENERAL_ERROR },
	{ JPKI_ERR_CERT_HIERARCHY,	CKR_GENERAL_ERROR },
	{ JPKI_ERR_SIGNATURE_INVALID,	CKR_SIGNATURE_INVALID },
	/* platform client: never raised by the card calls the module makes */
	{ JPKI_ERR_HTTP,		CKR_GENERAL_ERROR },
	{ JPKI_ERR_TLS,			CKR_GENERAL_ERROR },
	{ JPKI_ERR_NETWORK,		CKR_GENERAL_ERROR },
	{ JPKI_ERR_CONSENT_REQUIRED,	CKR_GENERAL_ERROR },
	{ JPKI_ERR_PLATFORM_AUTH,	CKR_GENERAL_ERROR },
	{ JPKI_ERR_CHALLENGE,		CKR_GENERAL_ERROR },
	{ JPKI_ERR_PROOF_REJECTED,	CKR_GENERAL_ERROR },
	{ JPKI_ERR_PLATFORM_REVOKED,	CKR_GENERAL_ERROR },
	{ JPKI_ERR_PLATFORM_EXPIRED,	CKR_GENERAL_ERROR },
	{ JPKI_ERR_MYKEY_NOT_FOUND,	CKR_GENERAL_ERROR },
	{ JPKI_ERR_MYKEY_REVOKED,	CKR_GENERAL_ERROR },
	{ JPKI_ERR_MYKEY_TAKEN,		CKR_GENERAL_ERROR },
	{ JPKI_ERR_LINKAGE,		CKR_GENERAL_ERROR },
	{ JPKI_ERR_IDEMPOTENCY,		CKR_GENERAL_ERROR },
	{ JPKI_ERR_RATE_LIMITED,	CKR_GENERAL_ERROR },
	{ JPKI_ERR_JLIS_UNAVAILABLE,	CKR_GENERAL_ERROR },
	{ JPKI_ERR_MAINTENANCE,		CKR_GENERAL_ERROR },
	{ JPKI_ERR_SERVER,		CKR_GENERAL_ERROR },
	{ JPKI_ERR_SCOPE,		CKR_GENERAL_ERROR },
	{ JPKI_ERR_NOT_FOUND,		CKR_GENERAL_ERROR },
	{ JPKI_ERR_BAD_REQUEST,		CKR_GENERAL_ERROR },
	{ JPKI_ERR_QUEUED,		CKR_GENERAL_ERROR },
	/* kiosk */
	{ JPKI_ERR_KIOSK_BUDGET,	CKR_GENERAL_ERROR },
};

/* 1 if err has an explicit row (used by the unit test). */
int
p11_rv_mapped(int err)
{
	size_t i;

	for (i = 0; i < sizeof(rvtab) / sizeof(rvtab[0]); i++)
		if (rvtab[i].err == err)
			return 1;
	return 0;
}

CK_RV
p11_rv(int err)
{
	size_t i;

	for (i = 0; i < sizeof(rvtab) / sizeof(rvtab[0]); i++)
		if (rvtab[i].err == err)
			return rvtab[i].rv;
	/* A code added to err.h after this table: fail safe. */
	return CKR_GENERAL_ERROR;
}
