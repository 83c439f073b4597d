/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Table-driven error strings (yubico-piv-tool lib/error.c).  A unit test
 * checks that every code in err.h has a row.
 */
#include <stddef.h>

#include <jpki/err.h>

static const struct {
	int		 code;
	const char	*name;
	const char	*desc;
} errtab[] = {
	{ JPKI_OK, "JPKI_OK", "success" },
	{ JPKI_ERR_ARG, "JPKI_ERR_ARG", "invalid argument" },
	{ JPKI_ERR_NOMEM, "JPKI_ERR_NOMEM", "out of memory" },
	{ JPKI_ERR_INTERNAL, "JPKI_ERR_INTERNAL", "internal error" },
	{ JPKI_ERR_NOT_SUPPORTED, "JPKI_ERR_NOT_SUPPORTED", "operation not supported" },
	{ JPKI_ERR_TIMEOUT, "JPKI_ERR_TIMEOUT", "timed out" },
	{ JPKI_ERR_CANCELLED, "JPKI_ERR_CANCELLED", "cancelled" },
	{ JPKI_ERR_IO, "JPKI_ERR_IO", "file input/output error" },
	{ JPKI_ERR_BUSY, "JPKI_ERR_BUSY", "resource busy" },
	{ JPKI_ERR_NO_SERVICE, "JPKI_ERR_NO_SERVICE", "PC/SC service (pcscd) is not running" },
	{ JPKI_ERR_NO_READER, "JPKI_ERR_NO_READER", "no smart-card reader found" },
	{ JPKI_ERR_NO_CARD, "JPKI_ERR_NO_CARD", "no card in the reader" },
	{ JPKI_ERR_CARD_REMOVED, "JPKI_ERR_CARD_REMOVED", "card was removed" },
	{ JPKI_ERR_CARD_RESET, "JPKI_ERR_CARD_RESET", "card was reset by another program; PIN state was lost" },
	{ JPKI_ERR_SHARING, "JPKI_ERR_SHARING", "card is in exclusive use by another program" },
	{ JPKI_ERR_TRANSPORT, "JPKI_ERR_TRANSPORT", "communication with the reader failed" },
	{ JPKI_ERR_READER_NOT_FOUND, "JPKI_ERR_READER_NOT_FOUND", "no reader with that name or index" },
	{ JPKI_ERR_UNRESPONSIVE, "JPKI_ERR_UNRESPONSIVE", "card does not respond (insert it the right way round)" },
	{ JPKI_ERR_NOT_JPKI, "JPKI_ERR_NOT_JPKI", "not a My Number Card (JPKI application not found)" },
	{ JPKI_ERR_FILE_NOT_FOUND, "JPKI_ERR_FILE_NOT_FOUND", "file or application not found on the card" },
	{ JPKI_ERR_SECURITY, "JPKI_ERR_SECURITY", "security status not satisfied (PIN not verified)" },
	{ JPKI_ERR_PIN_INCORRECT, "JPKI_ERR_PIN_INCORRECT", "incorrect PIN" },
	{ JPKI_ERR_PIN_LOCKED, "JPKI_ERR_PIN_LOCKED", "PIN is locked" },
	{ JPKI_ERR_PIN_FORMAT, "JPKI_ERR_PIN_FORMAT", "PIN has the wrong format" },
	{ JPKI_ERR_PIN_LAST_TRY, "JPKI_ERR_PIN_LAST_TRY", "only one PIN try left; refusing without an explicit override" },
	{ JPKI_ERR_WRONG_LENGTH, "JPKI_ERR_WRONG_LENGTH", "card rejected the length (SW 6700)" },
	{ JPKI_ERR_CONDITIONS, "JPKI_ERR_CONDITIONS", "conditions of use not satisfied (SW 6985)" },
	{ JPKI_ERR_BAD_P1P2, "JPKI_ERR_BAD_P1P2", "card rejected the parameters (offset or P1-P2)" },
	{ JPKI_ERR_INS_NOT_SUPPORTED, "JPKI_ERR_INS_NOT_SUPPORTED", "command not supported by the card" },
	{ JPKI_ERR_SW, "JPKI_ERR_SW", "unexpected status word from the card" },
	{ JPKI_ERR_NO_SIGN_CERT, "JPKI_ERR_NO_SIGN_CERT", "card carries no signature certificate" },
	{ JPKI_ERR_NOT_AUTHENTIC, "JPKI_ERR_NOT_AUTHENTIC", "card data failed its integrity check (not authentic)" },
	{ JPKI_ERR_PARSE, "JPKI_ERR_PARSE", "malformed data" },
	{ JPKI_ERR_TOO_LARGE, "JPKI_ERR_TOO_LARGE", "data exceeds the size limit" },
	{ JPKI_ERR_CERT_INVALID, "JPKI_ERR_CERT_INVALID", "invalid certificate" },
	{ JPKI_ERR_CERT_EXPIRED, "JPKI_ERR_CERT_EXPIRED", "certificate has expired" },
	{ JPKI_ERR_CERT_NOT_YET_VALID, "JPKI_ERR_CERT_NOT_YET_VALID", "certificate is not yet valid" },
	{ JPKI_ERR_CERT_UNTRUSTED, "JPKI_ERR_CERT_UNTRUSTED", "certificate does not chain to a trusted root" },
	{ JPKI_ERR_CERT_SIGNATURE, "JPKI_ERR_CERT_SIGNATURE", "certificate signature does not verify" },
	{ JPKI_ERR_CERT_KEY_USAGE, "JPKI_ERR_CERT_KEY_USAGE", "certificate key usage does not allow this purpose" },
	{ JPKI_ERR_CERT_POLICY, "JPKI_ERR_CERT_POLICY", "certificate policy does not match the purpose" },
	{ JPKI_ERR_CERT_REVOKED, "JPKI_ERR_CERT_REVOKED", "certificate is revoked" },
	{ JPKI_ERR_CERT_STATUS_UNKNOWN, "JPKI_ERR_CERT_STATUS_UNKNOWN", "certificate revocation status is unknown" },
	{ JPKI_ERR_CERT_NOT_CA, "JPKI_ERR_CERT_NOT_CA", "issuer is not a CA certificate" },
	{ JPKI_ERR_CERT_HIERARCHY, "JPKI_ERR_CERT_HIERARCHY", "certificate is from the wrong hierarchy" },
	{ JPKI_ERR_SIGNATURE_INVALID, "JPKI_ERR_SIGNATURE_INVALID", "signature does not verify" },
	{ JPKI_ERR_HTTP, "JPKI_ERR_HTTP", "unexpected HTTP response" },
	{ JPKI_ERR_TLS, "JPKI_ERR_TLS", "TLS error" },
	{ JPKI_ERR_NETWORK, "JPKI_ERR_NETWORK", "cannot reach the server" },
	{ JPKI_ERR_CONSENT_REQUIRED, "JPKI_ERR_CONSENT_REQUIRED", "the cardholder's consent is required" },
	{ JPKI_ERR_PLATFORM_AUTH, "JPKI_ERR_PLATFORM_AUTH", "platform rejected the client credentials" },
	{ JPKI_ERR_CHALLENGE, "JPKI_ERR_CHALLENGE", "challenge rejected (expired, consumed or mismatched)" },
	{ JPKI_ERR_PROOF_REJECTED, "JPKI_ERR_PROOF_REJECTED", "platform rejected the signature or certificate chain" },
	{ JPKI_ERR_PLATFORM_REVOKED, "JPKI_ERR_PLATFORM_REVOKED", "platform reports the certificate as revoked" },
	{ JPKI_ERR_PLATFORM_EXPIRED, "JPKI_ERR_PLATFORM_EXPIRED", "platform reports the certificate as expired" },
	{ JPKI_ERR_MYKEY_NOT_FOUND, "JPKI_ERR_MYKEY_NOT_FOUND", "no MyKey ID for this card" },
	{ JPKI_ERR_MYKEY_REVOKED, "JPKI_ERR_MYKEY_REVOKED", "MyKey ID was revoked" },
	{ JPKI_ERR_MYKEY_TAKEN, "JPKI_ERR_MYKEY_TAKEN", "requested MyKey ID is already taken" },
	{ JPKI_ERR_LINKAGE, "JPKI_ERR_LINKAGE", "issuance-number linkage conflict" },
	{ JPKI_ERR_IDEMPOTENCY, "JPKI_ERR_IDEMPOTENCY", "idempotency key conflict" },
	{ JPKI_ERR_RATE_LIMITED, "JPKI_ERR_RATE_LIMITED", "rate limited by the platform" },
	{ JPKI_ERR_JLIS_UNAVAILABLE, "JPKI_ERR_JLIS_UNAVAILABLE", "J-LIS is unavailable" },
	{ JPKI_ERR_MAINTENANCE, "JPKI_ERR_MAINTENANCE", "platform is in maintenance" },
	{ JPKI_ERR_SERVER, "JPKI_ERR_SERVER", "platform internal error" },
	{ JPKI_ERR_SCOPE, "JPKI_ERR_SCOPE", "client is not allowed to do this" },
	{ JPKI_ERR_NOT_FOUND, "JPKI_ERR_NOT_FOUND", "not found on the platform" },
	{ JPKI_ERR_BAD_REQUEST, "JPKI_ERR_BAD_REQUEST", "platform rejected the request as invalid" },
	{ JPKI_ERR_QUEUED, "JPKI_ERR_QUEUED", "stored in the offline queue for later delivery" },
	{ JPKI_ERR_KIOSK_BUDGET, "JPKI_ERR_KIOSK_BUDGET", "time budget for the tap ran out" },
};

const char *
jpki_strerror(int err)
{
	size_t i;

	for (i = 0; i < sizeof(errtab) / sizeof(errtab[0]); i++)
		if (errtab[i].code == err)
			return errtab[i].desc;
	return "unknown error";
}

const char *
jpki_strerror_name(int err)
{
	size_t i;

	for (i = 0; i < sizeof(errtab) / sizeof(errtab[0]); i++)
		if (errtab[i].code == err)
			return errtab[i].name;
	return "JPKI_ERR_UNKNOWN";
}
