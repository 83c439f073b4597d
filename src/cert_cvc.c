/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Card-verifiable certificates of the text and visual APs (jpki-card.md
 * §6.5) and the small helpers their integrity checks share: TLV
 * expectations, SHA-256, sha256WithRSA PKCS#1 v1.5 verification, RSA keys
 * from raw modulus and exponent or from PEM.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <jpki/cert.h>

#include "buf.h"
#include "cert_int.h"
#include "tlv.h"

/* Read one TLV with the expected tag from r. */
int
cert_expect_tlv(buf_rd_t *r, uint32_t tag, tlv_t *t)
{
	if (tlv_read(r, t) != JPKI_OK || t->tag != tag)
		return JPKI_ERR_PARSE;
	return JPKI_OK;
}

/* The whole of p must be one TLV with tag (trailing filler allowed). */
int
cert_outer_tlv(const uint8_t *p, size_t len, uint32_t tag, tlv_t *t)
{
	buf_rd_t r;

	buf_rd_init(&r, p, len);
	return cert_expect_tlv(&r, tag, t);
}

void
cert_hex16(const uint8_t *p, char out[33])
{
	static const char d[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < CERT_KEY_ID_LEN; i++) {
		out[2 * i] = d[p[i] >> 4];
		out[2 * i + 1] = d[p[i] & 0x0f];
	}
	out[32] = '\0';
}

int
cert_sha256(const uint8_t *p, size_t len, uint8_t md[CERT_HASH_LEN])
{
	unsigned int n = 0;

	if (EVP_Digest(p, len, md, &n, EVP_sha256(), NULL) != 1 ||
	    n != CERT_HASH_LEN)
		return JPKI_ERR_INTERNAL;
	return JPKI_OK;
}

/* sha256WithRSAEncryption, PKCS#1 v1.5: 1 if it verifies. */
int
cert_sig_ok(EVP_PKEY *k, const uint8_t *data, size_t len, const uint8_t *sig,
    size_t siglen)
{
	EVP_MD_CTX *md;
	int ok = 0;

	if ((md = EVP_MD_CTX_new()) == NULL)
		return 0;
	if (EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, k) == 1 &&
	    EVP_DigestVerify(md, sig, siglen, data, len) == 1)
		ok = 1;
	EVP_MD_CTX_free(md);
	ERR_clear_error();
	return ok;
}

EVP_PKEY *
cert_rsa_from(const uint8_t *n, size_t nlen, const uint8_t *e, size_t elen)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *k = NULL;
	BIGNUM *bn = NULL, *be = NULL;

	if ((bn = BN_bin2bn(n, (int)nlen, NULL)) == NULL ||
	    (be = BN_bin2bn(e, (int)elen, NULL)) == NULL ||
	    (bld = OSSL_PARAM_BLD_new()) == NULL ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be) != 1 ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_PUBLIC_KEY, params) != 1)
		k = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn);
	BN_free(be);
	return k;
}

EVP_PKEY *
cert_pem_pubkey(const char *pem, size_t len)
{
	BIO *b;
	EVP_PKEY *k = NULL;

	if (len > 16384 || (b = BIO_new_mem_buf(pem, (int)len)) == NULL)
		return NULL;
	k = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
	BIO_free(b);
	if (k != NULL && EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA) {
		EVP_PKEY_free(k);
		k = NULL;
	}
	ERR_clear_error();
	return k;
}


/* 7F21 { 5F4E { ids 16+16, 90 e, 91 n }, 5F37 sig } (§6.5) */
int
cert_cvc_parse(const uint8_t *p, size_t len, struct cert_cvc *cv)
{
	tlv_t outer, body, sig, e, n;
	buf_rd_t r;

	if (cert_outer_tlv(p, len, 0x7f21, &outer) != JPKI_OK)
		return JPKI_ERR_PARSE;
	buf_rd_init(&r, outer.value, outer.len);
	if (cert_expect_tlv(&r, 0x5f4e, &body) != JPKI_OK ||
	    cert_expect_tlv(&r, 0x5f37, &sig) != JPKI_OK ||
	    sig.len != CERT_SIG_LEN ||
	    buf_rd_left(&r) != 0 || body.len < 2 * CERT_KEY_ID_LEN)
		return JPKI_ERR_PARSE;
	buf_rd_init(&r, body.value + 2 * CERT_KEY_ID_LEN,
	    body.len - 2 * CERT_KEY_ID_LEN);
	if (cert_expect_tlv(&r, 0x90, &e) != JPKI_OK || e.len == 0 ||
	    e.len > 8 || cert_expect_tlv(&r, 0x91, &n) != JPKI_OK ||
	    n.len != CERT_SIG_LEN || buf_rd_left(&r) != 0)
		return JPKI_ERR_PARSE;
	cv->body = body.value;
	cv->body_len = body.len;
	cv->sig = sig.value;
	cv->ids = body.value;
	cv->e = e.value;
	cv->e_len = e.len;
	cv->n = n.value;
	cv->n_len = n.len;
	return JPKI_OK;
}

int
cert_cvc_keys(const uint8_t *ef4, size_t ef4_len, const char *issuer_pem,
    size_t issuer_pem_len, struct cert_cvc *cv, char issuer_id[33],
    char subject_id[33], EVP_PKEY **ik, EVP_PKEY **ck, char *reason,
    size_t reason_sz)
{
	*ik = *ck = NULL;
	if (cert_cvc_parse(ef4, ef4_len, cv) != JPKI_OK) {
		snprintf(reason, reason_sz, "EF 0004 is not a "
		    "CV certificate 7F21 { 5F4E, 5F37 }");
		return JPKI_ERR_PARSE;
	}
	cert_hex16(cv->ids, issuer_id);
	cert_hex16(cv->ids + CERT_KEY_ID_LEN, subject_id);
	if ((*ik = cert_pem_pubkey(issuer_pem, issuer_pem_len)) == NULL) {
		snprintf(reason, reason_sz,
		    "issuer key is not an RSA PEM public key");
		return JPKI_ERR_PARSE;
	}
	if ((*ck = cert_rsa_from(cv->n, cv->n_len, cv->e, cv->e_len)) == NULL) {
		EVP_PKEY_free(*ik);
		*ik = NULL;
		snprintf(reason, reason_sz, "EF 0004 public key is unusable");
		return JPKI_ERR_PARSE;
	}
	return JPKI_OK;
}
