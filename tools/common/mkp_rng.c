/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * mkprofile: the generator of serials, subject IDs, the My Number and
 * the card numbers.  Seeded, a splitmix64 stream makes them repeatable;
 * unseeded, they come from the OpenSSL DRBG.  Never used for keys.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <openssl/rand.h>

#include <jpki/err.h>

#include "mkp_int.h"

int
mkp_rng_bytes(rng_t *r, unsigned char *b, size_t n)
{
	size_t i;
	uint64_t z;

	if (!r->seeded)
		return RAND_bytes(b, (int)n) == 1 ? JPKI_OK : JPKI_ERR_INTERNAL;
	for (i = 0; i < n; i++) {
		/* splitmix64 */
		r->s += 0x9e3779b97f4a7c15ULL;
		z = r->s;
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		z ^= z >> 31;
		b[i] = (unsigned char)z;
	}
	return JPKI_OK;
}

unsigned
mkp_rng_digit(rng_t *r, unsigned mod)
{
	unsigned char b[2];

	if (mkp_rng_bytes(r, b, sizeof(b)) != JPKI_OK)
		b[0] = b[1] = 0;
	return (unsigned)(((unsigned)b[0] << 8 | b[1]) % mod);
}

void
mkp_random_digits(rng_t *r, char *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = (char)('0' + mkp_rng_digit(r, 10));
	out[n] = '\0';
}

int
mkp_random_serial_hex(rng_t *r, char *hex)
{
	unsigned char b[8];
	int i, rc;

	if ((rc = mkp_rng_bytes(r, b, sizeof(b))) != JPKI_OK)
		return rc;
	/* positive, no leading zero byte */
	b[0] = (unsigned char)((b[0] & 0x7f) | 0x01);
	for (i = 0; i < 8; i++)
		(void)snprintf(hex + 2 * i, 3, "%02X", b[i]);
	return JPKI_OK;
}
