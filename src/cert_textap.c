/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Integrity of the text AP's personal data (jpki-card.md §6.4, §6.5): the
 * hashes in EF 0003 against EF 0001 and EF 0002, the record's signature
 * under the key of the CV certificate in EF 0004, and that certificate's
 * signature under the configured issuer key.  Pure function on bytes; the
 * card reading is in src/ap_text.c.
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
#include "log.h"
#include "secure.h"
#include "tlv.h"

#define EF0001_LEN	17	/* FF 10 0C + 12 digits + FF FF (§6.2) */
#define HASH_LEN	32
#define SIG_LEN		256	/* RSA-2048 */
#define KEY_ID_LEN	16

/* Read one TLV with the expected tag from r. */
static int
expect_tlv(buf_rd_t *r, uint32_t tag, tlv_t *t)
{
	if (tlv_read(r, t) != JPKI_OK || t->tag != tag)
		return JPKI_ERR_PARSE;
	return JPKI_OK;
}

/* The whole of p must be one TLV with tag (trailing filler allowed). */
static int
outer_tlv(const uint8_t *p, size_t len, uint32_t tag, tlv_t *t)
{
	buf_rd_t r;

	buf_rd_init(&r, p, len);
	return expect_tlv(&r, tag, t);
}

static void
hex16(const uint8_t *p, char out[33])
{
	static const char d[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < KEY_ID_LEN; i++) {
		out[2 * i] = d[p[i] >> 4];
		out[2 * i + 1] = d[p[i] & 0x0f];
	}
	out[32] = '\0';
}

static int
sha256(const uint8_t *p, size_t len, uint8_t md[HASH_LEN])
{
	unsigned int n = 0;

	if (EVP_Digest(p, len, md, &n, EVP_sha256(), NULL) != 1 ||
	    n != HASH_LEN)
		return JPKI_ERR_INTERNAL;
	return JPKI_OK;
}

/* sha256WithRSAEncryption, PKCS#1 v1.5: 1 if it verifies. */
static int
sig_ok(EVP_PKEY *k, const uint8_t *data, size_t len, const uint8_t *sig,
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

static EVP_PKEY *
rsa_from(const uint8_t *n, size_t nlen, const uint8_t *e, size_t elen)
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

static EVP_PKEY *
issuer_key(const char *pem, size_t len)
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

struct cvc {
	const uint8_t	*body;		/* 5F4E value: what the issuer signed */
	size_t		 body_len;
	const uint8_t	*sig;
	const uint8_t	*ids;		/* issuer then subject key ID */
	const uint8_t	*n;
	size_t		 n_len;
	const uint8_t	*e;
	size_t		 e_len;
};

/* 7F21 { 5F4E { ids 16+16, 90 e, 91 n }, 5F37 sig } (§6.5) */
static int
parse_cvc(const uint8_t *p, size_t len, struct cvc *cv)
{
	tlv_t outer, body, sig, e, n;
	buf_rd_t r;

	if (outer_tlv(p, len, 0x7f21, &outer) != JPKI_OK)
		return JPKI_ERR_PARSE;
	buf_rd_init(&r, outer.value, outer.len);
	if (expect_tlv(&r, 0x5f4e, &body) != JPKI_OK ||
	    expect_tlv(&r, 0x5f37, &sig) != JPKI_OK || sig.len != SIG_LEN ||
	    buf_rd_left(&r) != 0 || body.len < 2 * KEY_ID_LEN)
		return JPKI_ERR_PARSE;
	buf_rd_init(&r, body.value + 2 * KEY_ID_LEN,
	    body.len - 2 * KEY_ID_LEN);
	if (expect_tlv(&r, 0x90, &e) != JPKI_OK || e.len == 0 ||
	    e.len > 8 || expect_tlv(&r, 0x91, &n) != JPKI_OK ||
	    n.len != SIG_LEN || buf_rd_left(&r) != 0)
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

struct record {
	const uint8_t	*h1;		/* DF31 value */
	const uint8_t	*h2;		/* DF32 value */
	const uint8_t	*signed_part;	/* DF31 and DF32 TLVs */
	size_t		 signed_len;
	const uint8_t	*sig;		/* DF33 value */
};

/* FF30 { DF31 32, DF32 32, DF33 256 } (§6.4) */
static int
parse_record(const uint8_t *p, size_t len, struct record *rec)
{
	tlv_t outer, h1, h2, sig;
	buf_rd_t r;

	if (outer_tlv(p, len, 0xff30, &outer) != JPKI_OK)
		return JPKI_ERR_PARSE;
	buf_rd_init(&r, outer.value, outer.len);
	if (expect_tlv(&r, 0xdf31, &h1) != JPKI_OK || h1.len != HASH_LEN ||
	    expect_tlv(&r, 0xdf32, &h2) != JPKI_OK || h2.len != HASH_LEN ||
	    expect_tlv(&r, 0xdf33, &sig) != JPKI_OK || sig.len != SIG_LEN ||
	    buf_rd_left(&r) != 0)
		return JPKI_ERR_PARSE;
	rec->h1 = h1.value;
	rec->h2 = h2.value;
	rec->signed_part = outer.value;
	rec->signed_len = h1.hdr_len + h1.len + h2.hdr_len + h2.len;
	rec->sig = sig.value;
	return JPKI_OK;
}

/* EF 0002 outer value without the DF21 offset table (§6.4). */
static int
attrs_hashed_part(const uint8_t *p, size_t len, const uint8_t **out,
    size_t *out_len)
{
	tlv_t outer, off;
	buf_rd_t r;

	if (outer_tlv(p, len, 0xff20, &outer) != JPKI_OK)
		return JPKI_ERR_PARSE;
	buf_rd_init(&r, outer.value, outer.len);
	if (expect_tlv(&r, 0xdf21, &off) != JPKI_OK || off.len != 8)
		return JPKI_ERR_PARSE;
	*out = outer.value + off.hdr_len + off.len;
	*out_len = buf_rd_left(&r);
	return JPKI_OK;
}

int
jpki_textap_verify(const uint8_t *ef1, size_t ef1_len, const uint8_t *ef2,
    size_t ef2_len, const uint8_t *ef3, size_t ef3_len, const uint8_t *ef4,
    size_t ef4_len, const char *issuer_pem, size_t issuer_pem_len,
    jpki_textap_result_t *out)
{
	jpki_textap_result_t res;
	struct record rec;
	struct cvc cv;
	EVP_PKEY *ik = NULL, *ck = NULL;
	const uint8_t *part;
	uint8_t md[HASH_LEN];
	size_t part_len;
	int r = JPKI_ERR_ARG;

	memset(&res, 0, sizeof(res));
	snprintf(res.reason, sizeof(res.reason), "invalid argument");
	if (ef1 == NULL || ef2 == NULL || ef3 == NULL || ef4 == NULL ||
	    issuer_pem == NULL)
		goto out;
	r = JPKI_ERR_PARSE;
	if (ef1_len != EF0001_LEN || ef1[0] != 0xff || ef1[1] != 0x10 ||
	    ef1[2] != 0x0c) {
		snprintf(res.reason, sizeof(res.reason), "EF 0001 is not the "
		    "17-byte My Number record");
		goto out;
	}
	if (attrs_hashed_part(ef2, ef2_len, &part, &part_len) != JPKI_OK) {
		snprintf(res.reason, sizeof(res.reason),
		    "EF 0002 is not FF20 { DF21 ... }");
		goto out;
	}
	if (parse_record(ef3, ef3_len, &rec) != JPKI_OK) {
		snprintf(res.reason, sizeof(res.reason),
		    "EF 0003 is not FF30 { DF31, DF32, DF33 }");
		goto out;
	}
	if (parse_cvc(ef4, ef4_len, &cv) != JPKI_OK) {
		snprintf(res.reason, sizeof(res.reason), "EF 0004 is not a "
		    "CV certificate 7F21 { 5F4E, 5F37 }");
		goto out;
	}
	hex16(cv.ids, res.issuer_key_id);
	hex16(cv.ids + KEY_ID_LEN, res.subject_key_id);
	if ((ik = issuer_key(issuer_pem, issuer_pem_len)) == NULL) {
		snprintf(res.reason, sizeof(res.reason),
		    "issuer key is not an RSA PEM public key");
		goto out;
	}
	if ((ck = rsa_from(cv.n, cv.n_len, cv.e, cv.e_len)) == NULL) {
		snprintf(res.reason, sizeof(res.reason),
		    "EF 0004 public key is unusable");
		goto out;
	}
	r = JPKI_ERR_INTERNAL;
	/* Every check runs, so that the result names each that failed. */
	if (sha256(ef1, ef1_len, md) != JPKI_OK)
		goto out;
	res.mynumber_hash_ok = memcmp(md, rec.h1, HASH_LEN) == 0;
	if (sha256(part, part_len, md) != JPKI_OK)
		goto out;
	res.attrs_hash_ok = memcmp(md, rec.h2, HASH_LEN) == 0;
	res.cvc_ok = sig_ok(ik, cv.body, cv.body_len, cv.sig, SIG_LEN);
	res.record_sig_ok = sig_ok(ck, rec.signed_part, rec.signed_len,
	    rec.sig, SIG_LEN);
	res.authentic = res.mynumber_hash_ok && res.attrs_hash_ok &&
	    res.cvc_ok && res.record_sig_ok;
	r = JPKI_ERR_NOT_AUTHENTIC;
	if (!res.cvc_ok)
		snprintf(res.reason, sizeof(res.reason), "CV certificate "
		    "(EF 0004) is not signed by the configured issuer key");
	else if (!res.record_sig_ok)
		snprintf(res.reason, sizeof(res.reason), "integrity record "
		    "(EF 0003) signature does not verify under the CV key");
	else if (!res.mynumber_hash_ok)
		snprintf(res.reason, sizeof(res.reason), "My Number (EF 0001) "
		    "does not match its hash in EF 0003");
	else if (!res.attrs_hash_ok)
		snprintf(res.reason, sizeof(res.reason), "basic 4 info "
		    "(EF 0002) does not match its hash in EF 0003");
	else {
		snprintf(res.reason, sizeof(res.reason), "authentic");
		r = JPKI_OK;
	}
out:
	jpki_secure_zero(md, sizeof(md));
	if (r != JPKI_OK)
		log_debug("%s: %s", __func__, res.reason);
	if (out != NULL)
		*out = res;
	EVP_PKEY_free(ik);
	EVP_PKEY_free(ck);
	return r;
}
