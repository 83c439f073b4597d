/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Hashes and PKCS#1 v1.5 DigestInfo (RFC 8017 §9.2 note 1).  The card signs
 * a DigestInfo as given (P1 = 00, jpki-card.md §5.6), so the library builds
 * it.  OpenSSL is used only for the digest itself, including the
 * incremental form that PKCS#11 C_SignUpdate/C_DigestUpdate needs, and
 * for host random bytes (challenges a caller sends to the card).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <jpki/jpki.h>

#include "crypto_int.h"
#include "secure.h"

static const struct {
	jpki_hash_t	 h;
	const char	*name;
	size_t		 len;
	uint8_t		 prefix[19];
	size_t		 prefix_len;
} hashes[] = {
	{ JPKI_HASH_SHA1, "sha1", 20, { 0x30, 0x21, 0x30, 0x09, 0x06, 0x05,
	    0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14 }, 15 },
	{ JPKI_HASH_SHA224, "sha224", 28, { 0x30, 0x2d, 0x30, 0x0d, 0x06,
	    0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04, 0x05,
	    0x00, 0x04, 0x1c }, 19 },
	{ JPKI_HASH_SHA256, "sha256", 32, { 0x30, 0x31, 0x30, 0x0d, 0x06,
	    0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
	    0x00, 0x04, 0x20 }, 19 },
	{ JPKI_HASH_SHA384, "sha384", 48, { 0x30, 0x41, 0x30, 0x0d, 0x06,
	    0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05,
	    0x00, 0x04, 0x30 }, 19 },
	{ JPKI_HASH_SHA512, "sha512", 64, { 0x30, 0x51, 0x30, 0x0d, 0x06,
	    0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05,
	    0x00, 0x04, 0x40 }, 19 },
};

#define NHASH (sizeof(hashes) / sizeof(hashes[0]))

static int
find(jpki_hash_t h)
{
	size_t i;

	for (i = 0; i < NHASH; i++)
		if (hashes[i].h == h)
			return (int)i;
	return -1;
}

size_t
jpki_hash_len(jpki_hash_t h)
{
	int i = find(h);

	return i < 0 ? 0 : hashes[i].len;
}

const char *
jpki_hash_name(jpki_hash_t h)
{
	int i = find(h);

	return i < 0 ? "none" : hashes[i].name;
}

int
jpki_hash_from_name(const char *name, jpki_hash_t *h)
{
	size_t i;

	if (name == NULL || h == NULL)
		return JPKI_ERR_ARG;
	for (i = 0; i < NHASH; i++)
		if (strcasecmp(name, hashes[i].name) == 0) {
			*h = hashes[i].h;
			return JPKI_OK;
		}
	return JPKI_ERR_ARG;
}

const EVP_MD *
crypto_evp_md(jpki_hash_t h)
{
	switch (h) {
	case JPKI_HASH_SHA1:
		return EVP_sha1();
	case JPKI_HASH_SHA224:
		return EVP_sha224();
	case JPKI_HASH_SHA256:
		return EVP_sha256();
	case JPKI_HASH_SHA384:
		return EVP_sha384();
	case JPKI_HASH_SHA512:
		return EVP_sha512();
	default:
		return NULL;
	}
}

int
jpki_hash(jpki_hash_t h, const uint8_t *data, size_t len, uint8_t *md,
    size_t *md_len)
{
	const EVP_MD	*m;
	unsigned int	 n = 0;

	if ((data == NULL && len > 0) || md == NULL || md_len == NULL ||
	    (m = crypto_evp_md(h)) == NULL)
		return JPKI_ERR_ARG;
	if (*md_len < jpki_hash_len(h))
		return JPKI_ERR_TOO_LARGE;
	if (EVP_Digest(data, len, md, &n, m, NULL) != 1)
		return JPKI_ERR_INTERNAL;
	*md_len = n;
	return JPKI_OK;
}

int
jpki_digestinfo(jpki_hash_t h, const uint8_t *md, size_t md_len, uint8_t *out,
    size_t *out_len)
{
	int i = find(h);

	if (i < 0 || md == NULL || out == NULL || out_len == NULL ||
	    md_len != hashes[i].len)
		return JPKI_ERR_ARG;
	if (*out_len < hashes[i].prefix_len + md_len)
		return JPKI_ERR_TOO_LARGE;
	memcpy(out, hashes[i].prefix, hashes[i].prefix_len);
	memcpy(out + hashes[i].prefix_len, md, md_len);
	*out_len = hashes[i].prefix_len + md_len;
	return JPKI_OK;
}

/* Incremental hashing: an EVP_MD_CTX that never leaves the library. */
struct jpki_hash_ctx {
	jpki_hash_t	 alg;
	EVP_MD_CTX	*md;
};

int
jpki_hash_ctx_new(jpki_hash_ctx_t **ctx, jpki_hash_t alg)
{
	jpki_hash_ctx_t	*c = NULL;
	const EVP_MD	*m;
	int		 r = JPKI_ERR_ARG;

	if (ctx == NULL)
		goto out;
	*ctx = NULL;
	if ((m = crypto_evp_md(alg)) == NULL)
		goto out;
	r = JPKI_ERR_NOMEM;
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->md = EVP_MD_CTX_new()) == NULL)
		goto out;
	r = JPKI_ERR_INTERNAL;
	if (EVP_DigestInit_ex(c->md, m, NULL) != 1)
		goto out;
	c->alg = alg;
	*ctx = c;
	c = NULL;
	r = JPKI_OK;
out:
	jpki_hash_ctx_free(&c);
	return r;
}

int
jpki_hash_ctx_update(jpki_hash_ctx_t *ctx, const uint8_t *data, size_t len)
{
	if (ctx == NULL || ctx->md == NULL || (data == NULL && len > 0))
		return JPKI_ERR_ARG;
	if (len > 0 && EVP_DigestUpdate(ctx->md, data, len) != 1)
		return JPKI_ERR_INTERNAL;
	return JPKI_OK;
}

int
jpki_hash_ctx_final(jpki_hash_ctx_t *ctx, uint8_t *md, size_t *md_len)
{
	unsigned int	n = 0;

	if (ctx == NULL || ctx->md == NULL || md == NULL || md_len == NULL)
		return JPKI_ERR_ARG;
	if (*md_len < jpki_hash_len(ctx->alg))
		return JPKI_ERR_TOO_LARGE;
	if (EVP_DigestFinal_ex(ctx->md, md, &n) != 1)
		return JPKI_ERR_INTERNAL;
	*md_len = n;
	return JPKI_OK;
}

void
jpki_hash_ctx_free(jpki_hash_ctx_t **ctx)
{
	if (ctx == NULL || *ctx == NULL)
		return;
	EVP_MD_CTX_free((*ctx)->md);
	free(*ctx);
	*ctx = NULL;
}

/*
 * Host random bytes (OpenSSL's CSPRNG, seeded from the kernel), for a
 * challenge the card must sign: not the card's GET CHALLENGE, which a
 * verifier cannot trust to be fresh.
 */
int
jpki_random(uint8_t *out, size_t len)
{
	if (out == NULL && len > 0)
		return JPKI_ERR_ARG;
	if (len > INT_MAX)
		return JPKI_ERR_TOO_LARGE;
	if (len > 0 && RAND_bytes(out, (int)len) != 1)
		return JPKI_ERR_INTERNAL;
	return JPKI_OK;
}
