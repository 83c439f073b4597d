/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Formatting helpers: hex, decimal of a big-endian integer (the issuance
 * number), base64 and PEM, OpenSSH's public key line, and the masked My
 * Number.
 */
#include <string.h>

#include "cli.h"

static const char hexd[] = "0123456789ABCDEF";

/*
 * Upper-case hex without leading zero nibbles, as jpki_cert_serial_hex()
 * prints the issuance number ("0" for zero).
 */
int
fmt_hex(const uint8_t *p, size_t n, char *out, size_t outsz)
{
	size_t i, o = 0, need;

	while (n > 0 && p[0] == 0) {
		p++;
		n--;
	}
	if (n > (SIZE_MAX - 2) / 2)
		return -1;
	/* digits without a leading zero nibble, or "0"; then the NUL */
	need = n == 0 ? 2 : 2 * n + 1 - ((p[0] >> 4) == 0);
	if (outsz < need)
		return -1;
	for (i = 0; i < n; i++) {
		if (i > 0 || (p[i] >> 4) != 0)
			out[o++] = hexd[p[i] >> 4];
		out[o++] = hexd[p[i] & 0x0f];
	}
	if (n == 0)
		out[o++] = '0';
	out[o] = '\0';
	return 0;
}

/* "3B 8C 80 01": for ATRs. */
int
fmt_hex_spaced(const uint8_t *p, size_t n, char *out, size_t outsz)
{
	size_t i, o = 0;

	if (outsz == 0 || n > outsz / 3)
		return -1;
	for (i = 0; i < n; i++) {
		if (i > 0)
			out[o++] = ' ';
		out[o++] = hexd[p[i] >> 4];
		out[o++] = hexd[p[i] & 0x0f];
	}
	out[o] = '\0';
	return 0;
}

/*
 * Decimal of a big-endian unsigned integer of up to 64 bytes: repeated
 * division by 10 of a scratch copy (an issuance number is at most 20 bytes,
 * RFC 5280 §4.1.2.2).
 */
int
fmt_dec(const uint8_t *p, size_t n, char *out, size_t outsz)
{
	uint8_t	num[64];
	char	rev[160];
	size_t	len = 0, i, start = 0;
	int	rc = -1;

	while (n > 0 && p[0] == 0) {
		p++;
		n--;
	}
	if (n > sizeof(num))
		goto out;
	if (n > 0)
		memcpy(num, p, n);
	do {
		unsigned rem = 0;
		int	 nonzero = 0;

		for (i = start; i < n; i++) {
			unsigned cur = (rem << 8) | num[i];

			num[i] = (uint8_t)(cur / 10);
			rem = cur % 10;
			if (num[i] != 0)
				nonzero = 1;
		}
		rev[len++] = (char)('0' + rem);
		while (start < n && num[start] == 0)
			start++;
		if (!nonzero)
			break;
	} while (len < sizeof(rev));
	if (len + 1 > outsz)
		goto out;
	for (i = 0; i < len; i++)
		out[i] = rev[len - 1 - i];
	out[len] = '\0';
	rc = 0;
out:
	return rc;
}

size_t
fmt_b64_len(size_t n)
{
	return (n + 2) / 3 * 4 + 1;
}

/* Base64 without line breaks (RFC 4648 §4), NUL-terminated. */
int
fmt_b64(const uint8_t *p, size_t n, char *out, size_t outsz)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0;

	if (n > (SIZE_MAX - 1) / 4 || outsz < fmt_b64_len(n))
		return -1;
	for (i = 0; i + 2 < n; i += 3) {
		out[o++] = tab[p[i] >> 2];
		out[o++] = tab[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
		out[o++] = tab[((p[i + 1] & 15) << 2) | (p[i + 2] >> 6)];
		out[o++] = tab[p[i + 2] & 63];
	}
	if (n - i == 1) {
		out[o++] = tab[p[i] >> 2];
		out[o++] = tab[(p[i] & 3) << 4];
		out[o++] = '=';
		out[o++] = '=';
	} else if (n - i == 2) {
		out[o++] = tab[p[i] >> 2];
		out[o++] = tab[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
		out[o++] = tab[(p[i + 1] & 15) << 2];
		out[o++] = '=';
	}
	out[o] = '\0';
	return 0;
}

/* PEM (RFC 7468): base64 in lines of 64 characters. */
int
fmt_pem(FILE *f, const char *label, const uint8_t *der, size_t n)
{
	/* a certificate is at most JPKI_MAX_CERT bytes */
	char	b64[(JPKI_MAX_CERT + 2) / 3 * 4 + 1];
	size_t	len, i;

	if (fmt_b64(der, n, b64, sizeof(b64)) != 0)
		return -1;
	len = strlen(b64);
	fprintf(f, "-----BEGIN %s-----\n", label);
	for (i = 0; i < len; i += 64)
		fprintf(f, "%.*s\n", (int)(len - i < 64 ? len - i : 64),
		    b64 + i);
	fprintf(f, "-----END %s-----\n", label);
	/* it may be the sign certificate: personal data */
	jpki_secure_zero(b64, sizeof(b64));
	return ferror(f) ? -1 : 0;
}

/*
 * "1234 5678 9018", or "**** **** 9018" unless show: the last four digits
 * identify a card to its holder without disclosing the number.
 */
void
fmt_mynumber(const char mn[13], int show, char out[15])
{
	size_t i, o = 0;

	for (i = 0; i < 12; i++) {
		if (i == 4 || i == 8)
			out[o++] = ' ';
		out[o++] = (show || i >= 8) ? mn[i] : '*';
	}
	out[o] = '\0';
}

/* SSH wire format (RFC 4251 §5): uint32 length, then the bytes. */
static size_t
ssh_put(uint8_t *b, size_t o, const uint8_t *p, size_t n, int mpint)
{
	/* an mpint with its top bit set needs a zero byte to stay positive */
	size_t pad = mpint && n > 0 && (p[0] & 0x80) != 0;
	size_t len = n + pad;

	b[o++] = (uint8_t)(len >> 24);
	b[o++] = (uint8_t)(len >> 16);
	b[o++] = (uint8_t)(len >> 8);
	b[o++] = (uint8_t)len;
	if (pad)
		b[o++] = 0;
	memcpy(b + o, p, n);
	return o + n;
}

/*
 * "ssh-rsa <base64 blob> <comment>" as in authorized_keys (RFC 4253 §6.6:
 * string "ssh-rsa", mpint e, mpint n).  n and e are big-endian without
 * leading zeros, as jpki_cert_rsa_public() gives them; up to 8192-bit
 * moduli and 8-byte exponents.
 */
int
fmt_ssh_rsa(FILE *f, const uint8_t *n, size_t n_len, const uint8_t *e,
    size_t e_len, const char *comment)
{
	static const char	 type[] = "ssh-rsa";
	uint8_t			 blob[4 + 7 + 4 + 1 + 8 + 4 + 1 + 1024];
	char			 b64[(sizeof(blob) + 2) / 3 * 4 + 1];
	size_t			 o = 0;

	if (n == NULL || e == NULL || n_len == 0 || n_len > 1024 ||
	    e_len == 0 || e_len > 8 || n[0] == 0 || e[0] == 0)
		return -1;
	o = ssh_put(blob, o, (const uint8_t *)type, sizeof(type) - 1, 0);
	o = ssh_put(blob, o, e, e_len, 1);
	o = ssh_put(blob, o, n, n_len, 1);
	if (fmt_b64(blob, o, b64, sizeof(b64)) != 0)
		return -1;
	fprintf(f, "%s %s%s%s\n", type, b64, comment != NULL && *comment ?
	    " " : "", comment != NULL ? comment : "");
	return ferror(f) ? -1 : 0;
}
