/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Incremental hashing for multi-part signing (PKCS#11 C_SignUpdate and
 * C_DigestUpdate): a thin wrapper around an OpenSSL EVP_MD_CTX so that no
 * OpenSSL type leaves the library.
 */
#include <stdlib.h>

#include <openssl/evp.h>

#include <jpki/jpki.h>

struct jpki_hash_ctx {
	jpki_hash_t	 alg;
	EVP_MD_CTX	*md;
};

static const EVP_MD *
evp_of(jpki_hash_t h)
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
jpki_hash_ctx_new(jpki_hash_t alg, jpki_hash_ctx_t **ctx)
{
	jpki_hash_ctx_t	*c = NULL;
	const EVP_MD	*m;
	int		 r = JPKI_ERR_ARG;

	if (ctx == NULL)
		goto out;
	*ctx = NULL;
	if ((m = evp_of(alg)) == NULL)
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
