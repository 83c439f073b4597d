/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * One error space for the whole library (house-style §2.3): JPKI_OK is 0,
 * every error is negative.  Ranges are reserved per module so that codes
 * never move once published:
 *   -1  .. -19   generic
 *   -20 .. -39   PC/SC service, readers and card presence
 *   -40 .. -69   card and applet answers (status words, PINs)
 *   -70 .. -99   parsing and certificates
 *   -100.. -139  platform client (HTTP, problem+json codes)
 *   -140.. -159  kiosk
 */
#ifndef JPKI_ERR_H
#define JPKI_ERR_H

#ifdef __cplusplus
extern "C" {
#endif

#define JPKI_OK				0

/* generic */
#define JPKI_ERR_ARG			-1	/* bad argument from the caller */
#define JPKI_ERR_NOMEM			-2
#define JPKI_ERR_INTERNAL		-3
#define JPKI_ERR_NOT_SUPPORTED		-4	/* operation not offered */
#define JPKI_ERR_TIMEOUT		-5
#define JPKI_ERR_CANCELLED		-6
#define JPKI_ERR_IO			-7	/* local file I/O */
#define JPKI_ERR_BUSY			-8

/* PC/SC service, readers, card presence */
#define JPKI_ERR_NO_SERVICE		-20	/* pcscd not running */
#define JPKI_ERR_NO_READER		-21
#define JPKI_ERR_NO_CARD		-22
#define JPKI_ERR_CARD_REMOVED		-23
#define JPKI_ERR_CARD_RESET		-24	/* reset by someone else: PIN state lost */
#define JPKI_ERR_SHARING		-25	/* card held exclusively elsewhere */
#define JPKI_ERR_TRANSPORT		-26	/* other PC/SC failure */
#define JPKI_ERR_READER_NOT_FOUND	-27	/* named reader does not exist */
#define JPKI_ERR_UNRESPONSIVE		-28	/* card does not answer the ATR */

/* card and applet answers */
#define JPKI_ERR_NOT_JPKI		-40	/* JPKI AP could not be selected */
#define JPKI_ERR_FILE_NOT_FOUND		-41	/* SW 6A82 */
#define JPKI_ERR_SECURITY		-42	/* SW 6982: PIN not verified */
#define JPKI_ERR_PIN_INCORRECT		-43	/* SW 63Cx, x > 0 */
#define JPKI_ERR_PIN_LOCKED		-44	/* SW 63C0, 6983, 6984 */
#define JPKI_ERR_PIN_FORMAT		-45	/* refused before any APDU */
#define JPKI_ERR_PIN_LAST_TRY		-46	/* guard: one try left, not forced */
#define JPKI_ERR_WRONG_LENGTH		-47	/* SW 6700 / 6Cxx unresolved */
#define JPKI_ERR_CONDITIONS		-48	/* SW 6985 */
#define JPKI_ERR_BAD_P1P2		-49	/* SW 6A86, 6B00 */
#define JPKI_ERR_INS_NOT_SUPPORTED	-50	/* SW 6D00, 6E00, 6A81 */
#define JPKI_ERR_SW			-51	/* any other unexpected SW */
#define JPKI_ERR_NO_SIGN_CERT		-52	/* EF 0008: card has no sign cert */
#define JPKI_ERR_NOT_AUTHENTIC		-53	/* card data integrity check failed */

/* parsing and certificates */
#define JPKI_ERR_PARSE			-70	/* malformed data */
#define JPKI_ERR_TOO_LARGE		-71	/* exceeds a named cap */
#define JPKI_ERR_CERT_INVALID		-72	/* not a usable certificate */
#define JPKI_ERR_CERT_EXPIRED		-73
#define JPKI_ERR_CERT_NOT_YET_VALID	-74
#define JPKI_ERR_CERT_UNTRUSTED		-75	/* no chain to a trust anchor */
#define JPKI_ERR_CERT_SIGNATURE		-76	/* signature does not verify */
#define JPKI_ERR_CERT_KEY_USAGE		-77
#define JPKI_ERR_CERT_POLICY		-78
#define JPKI_ERR_CERT_REVOKED		-79
#define JPKI_ERR_CERT_STATUS_UNKNOWN	-80	/* revocation not determined */
#define JPKI_ERR_CERT_NOT_CA		-81
#define JPKI_ERR_CERT_HIERARCHY		-82	/* wrong hierarchy (prod/test/mock) */
#define JPKI_ERR_SIGNATURE_INVALID	-83	/* data signature does not verify */

/* platform client */
#define JPKI_ERR_HTTP			-100	/* unexpected HTTP answer */
#define JPKI_ERR_TLS			-101
#define JPKI_ERR_NETWORK		-102	/* cannot reach the server */
#define JPKI_ERR_CONSENT_REQUIRED	-103
#define JPKI_ERR_PLATFORM_AUTH		-104	/* CLIENT_AUTH_FAILED */
#define JPKI_ERR_CHALLENGE		-105	/* CHALLENGE_* */
#define JPKI_ERR_PROOF_REJECTED		-106	/* SIGNATURE_INVALID, CHAIN_UNTRUSTED */
#define JPKI_ERR_PLATFORM_REVOKED	-107	/* CERT_REVOKED */
#define JPKI_ERR_PLATFORM_EXPIRED	-108	/* CERT_EXPIRED */
#define JPKI_ERR_MYKEY_NOT_FOUND	-109
#define JPKI_ERR_MYKEY_REVOKED		-110
#define JPKI_ERR_MYKEY_TAKEN		-111
#define JPKI_ERR_LINKAGE		-112	/* LINKAGE_CONFLICT / DEPTH */
#define JPKI_ERR_IDEMPOTENCY		-113
#define JPKI_ERR_RATE_LIMITED		-114
#define JPKI_ERR_JLIS_UNAVAILABLE	-115
#define JPKI_ERR_MAINTENANCE		-116
#define JPKI_ERR_SERVER			-117	/* INTERNAL */
#define JPKI_ERR_SCOPE			-118	/* SCOPE_DENIED, SERVICE_NOT_OWNED */
#define JPKI_ERR_NOT_FOUND		-119	/* SERVICE/LINK_NOT_FOUND */
#define JPKI_ERR_BAD_REQUEST		-120	/* INVALID_REQUEST and friends */
#define JPKI_ERR_QUEUED			-121	/* stored in the offline queue */

/* kiosk */
#define JPKI_ERR_KIOSK_BUDGET		-140	/* time budget of a tap ran out */

/*
 * Return a human-readable description of err.  Never returns NULL; unknown
 * codes give "unknown error".
 */
const char *jpki_strerror(int err);

/* Return the symbolic name ("JPKI_ERR_PIN_LOCKED").  Never returns NULL. */
const char *jpki_strerror_name(int err);

#ifdef __cplusplus
}
#endif

#endif /* JPKI_ERR_H */
