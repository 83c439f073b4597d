/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Integrity of the visual AP's card face (jpki-card.md §7): the DF28
 * signature over three separately hashed segments of EF 0002, under the
 * key in DF24, which must be the key the CV certificate in EF 0004
 * certifies, itself signed by the configured issuer key (§6.5).  Pure
 * function on bytes.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include <jpki/cert.h>

#include "abi.h"
#include "buf.h"
#include "cert_int.h"
#include "log.h"
#include "tlv.h"

#define NFIELDS		CERT_FACE_FIELDS	/* DF22 .. DF2A */

/*
 * FF20 { DF21, DF22 .. DF2A } in this order; filler after it allowed.
 * Also used by src/ap_visual.c to hand the fields to callers.
 */
int
cert_visual_face_parse(const uint8_t *p, size_t len, tlv_t f[NFIELDS])
{
	tlv_t outer, off;
	buf_rd_t r;
	size_t i;

	if (cert_outer_tlv(p, len, 0xff20, &outer) != JPKI_OK)
		return JPKI_ERR_PARSE;
	buf_rd_init(&r, outer.value, outer.len);
	if (cert_expect_tlv(&r, 0xdf21, &off) != JPKI_OK)
		return JPKI_ERR_PARSE;
	for (i = 0; i < NFIELDS; i++)
		if (cert_expect_tlv(&r, 0xdf22 + (uint32_t)i, &f[i]) !=
		    JPKI_OK)
			return JPKI_ERR_PARSE;
	if (buf_rd_left(&r) != 0 || f[6].len != CERT_SIG_LEN)
		return JPKI_ERR_PARSE;
	return JPKI_OK;
}

/* Bytes from the start of TLV a to the end of TLV b (same buffer). */
static int
span_hash(const tlv_t *a, const tlv_t *b, uint8_t md[CERT_HASH_LEN])
{
	const uint8_t *start = a->value - a->hdr_len;
	const uint8_t *end = b->value + b->len;

	return cert_sha256(start, (size_t)(end - start), md);
}

/* DF24 value: 90 e, 91 n, compared with the CV certificate's key. */
static int
same_key(const tlv_t *df24, const struct cert_cvc *cv)
{
	tlv_t e, n;
	buf_rd_t r;

	buf_rd_init(&r, df24->value, df24->len);
	if (cert_expect_tlv(&r, 0x90, &e) != JPKI_OK ||
	    cert_expect_tlv(&r, 0x91, &n) != JPKI_OK || buf_rd_left(&r) != 0)
		return 0;
	return e.len == cv->e_len && n.len == cv->n_len &&
	    memcmp(e.value, cv->e, e.len) == 0 &&
	    memcmp(n.value, cv->n, n.len) == 0;
}

int
jpki_visualap_verify(const uint8_t *ef2, size_t ef2_len, const uint8_t *ef4,
    size_t ef4_len, const char *issuer_pem, size_t issuer_pem_len,
    jpki_visualap_result_t *out)
{
	jpki_visualap_result_t res;
	struct cert_cvc cv;
	tlv_t f[NFIELDS];
	EVP_PKEY *ik = NULL, *ck = NULL;
	uint8_t hh[3 * CERT_HASH_LEN];
	int r = JPKI_ERR_ARG;

	/* refuse a short result struct before any work */
	if (out != NULL && (r = JPKI_STRUCT_OK(out)) != JPKI_OK)
		return r;
	r = JPKI_ERR_ARG;
	memset(&res, 0, sizeof(res));
	snprintf(res.reason, sizeof(res.reason), "invalid argument");
	if (ef2 == NULL || ef4 == NULL || issuer_pem == NULL)
		goto out;
	r = JPKI_ERR_PARSE;
	if (cert_visual_face_parse(ef2, ef2_len, f) != JPKI_OK) {
		snprintf(res.reason, sizeof(res.reason), "EF 0002 is not a "
		    "card face FF20 { DF21, DF22 .. DF2A }");
		goto out;
	}
	if (cert_cvc_keys(ef4, ef4_len, issuer_pem, issuer_pem_len, &cv,
	    res.issuer_key_id, res.subject_key_id, &ik, &ck, res.reason,
	    sizeof(res.reason)) != JPKI_OK)
		goto out;
	r = JPKI_ERR_INTERNAL;
	/* DF22..DF24, DF25..DF26, DF27 (§7) */
	if (span_hash(&f[0], &f[2], hh) != JPKI_OK ||
	    span_hash(&f[3], &f[4], hh + CERT_HASH_LEN) != JPKI_OK ||
	    span_hash(&f[5], &f[5], hh + 2 * CERT_HASH_LEN) != JPKI_OK)
		goto out;
	res.cvc_ok = cert_sig_ok(ik, cv.body, cv.body_len, cv.sig,
	    CERT_SIG_LEN);
	res.key_match = same_key(&f[2], &cv);
	res.face_sig_ok = cert_sig_ok(ck, hh, sizeof(hh), f[6].value,
	    f[6].len);
	res.authentic = res.cvc_ok && res.key_match && res.face_sig_ok;
	r = JPKI_ERR_NOT_AUTHENTIC;
	if (!res.cvc_ok)
		snprintf(res.reason, sizeof(res.reason), "CV certificate "
		    "(EF 0004) is not signed by the configured issuer key");
	else if (!res.key_match)
		snprintf(res.reason, sizeof(res.reason), "card face key "
		    "(DF24) is not the key of the CV certificate");
	else if (!res.face_sig_ok)
		snprintf(res.reason, sizeof(res.reason), "card face "
		    "signature (DF28) does not verify: data changed");
	else {
		snprintf(res.reason, sizeof(res.reason), "authentic");
		r = JPKI_OK;
	}
out:
	if (r != JPKI_OK)
		log_debug("%s: %s", __func__, res.reason);
	if (out != NULL)
		JPKI_STRUCT_COPY(out, &res);
	EVP_PKEY_free(ik);
	EVP_PKEY_free(ck);
	return r;
}
