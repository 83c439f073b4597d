/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Check a raw RSASSA-PKCS1-v1_5 signature, as jpki_card_sign() returns it,
 * against a certificate's public key: the proof of possession a verifier
 * (PAM, a login server) asks the card for over a challenge of its own.
 * The DigestInfo is rebuilt from the hash algorithm, so a signature over
 * another algorithm's digest, or with trailing data, does not verify.
 */
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <jpki/cert.h>

#include "cert_int.h"
#include "crypto_int.h"
#include "log.h"

int
jpki_cert_verify_sig(const jpki_cert_t *c, jpki_hash_t hash,
    const uint8_t *md, size_t md_len, const uint8_t *sig, size_t sig_len)
{
	EVP_PKEY_CTX	*ctx = NULL;
	EVP_PKEY	*pub;
	const EVP_MD	*m;
	int		 r = JPKI_ERR_ARG;

	if (c == NULL || c->x == NULL || md == NULL || sig == NULL ||
	    (m = crypto_evp_md(hash)) == NULL || md_len != jpki_hash_len(hash) ||
	    sig_len == 0)
		goto out;
	r = JPKI_ERR_NOT_SUPPORTED;
	if ((pub = X509_get0_pubkey(c->x)) == NULL ||
	    EVP_PKEY_get_base_id(pub) != EVP_PKEY_RSA)
		goto out;
	r = JPKI_ERR_INTERNAL;
	if ((ctx = EVP_PKEY_CTX_new(pub, NULL)) == NULL ||
	    EVP_PKEY_verify_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_signature_md(ctx, m) != 1) {
		log_debug("%s: verify setup failed", __func__);
		goto out;
	}
	r = JPKI_ERR_SIGNATURE_INVALID;
	if (EVP_PKEY_verify(ctx, sig, sig_len, md, md_len) != 1) {
		log_debug("%s: signature does not verify", __func__);
		goto out;
	}
	r = JPKI_OK;
out:
	ERR_clear_error();
	EVP_PKEY_CTX_free(ctx);
	return r;
}
