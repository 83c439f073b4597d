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

#include <openssl/evp.h>

#include <jpki/cert.h>

#include "abi.h"
#include "buf.h"
#include "cert_int.h"
#include "log.h"
#include "secure.h"
#include "tlv.h"

#define EF0001_LEN	17	/* FF 10 0C + 12 digits + FF FF (§6.2) */

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

	if (cert_outer_tlv(p, len, 0xff30, &outer) != JPKI_OK)
		return JPKI_ERR_PARSE;
	buf_rd_init(&r, outer.value, outer.len);
	if (cert_expect_tlv(&r, 0xdf31, &h1) != JPKI_OK ||
	    h1.len != CERT_HASH_LEN ||
	    cert_expect_tlv(&r, 0xdf32, &h2) != JPKI_OK ||
	    h2.len != CERT_HASH_LEN ||
	    cert_expect_tlv(&r, 0xdf33, &sig) != JPKI_OK ||
	    sig.len != CERT_SIG_LEN ||
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

	if (cert_outer_tlv(p, len, 0xff20, &outer) != JPKI_OK)
		return JPKI_ERR_PARSE;
	buf_rd_init(&r, outer.value, outer.len);
	if (cert_expect_tlv(&r, 0xdf21, &off) != JPKI_OK || off.len != 8)
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
	struct cert_cvc cv;
	EVP_PKEY *ik = NULL, *ck = NULL;
	const uint8_t *part;
	uint8_t md[CERT_HASH_LEN];
	size_t part_len;
	int r = JPKI_ERR_ARG;

	/* refuse a short result struct before any work */
	if (out != NULL && (r = JPKI_STRUCT_OK(out)) != JPKI_OK)
		return r;
	r = JPKI_ERR_ARG;
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
	if (cert_cvc_keys(ef4, ef4_len, issuer_pem, issuer_pem_len, &cv,
	    res.issuer_key_id, res.subject_key_id, &ik, &ck, res.reason,
	    sizeof(res.reason)) != JPKI_OK)
		goto out;
	r = JPKI_ERR_INTERNAL;
	/* Every check runs, so that the result names each that failed. */
	if (cert_sha256(ef1, ef1_len, md) != JPKI_OK)
		goto out;
	res.mynumber_hash_ok = memcmp(md, rec.h1, CERT_HASH_LEN) == 0;
	if (cert_sha256(part, part_len, md) != JPKI_OK)
		goto out;
	res.attrs_hash_ok = memcmp(md, rec.h2, CERT_HASH_LEN) == 0;
	res.cvc_ok = cert_sig_ok(ik, cv.body, cv.body_len, cv.sig,
	    CERT_SIG_LEN);
	res.record_sig_ok = cert_sig_ok(ck, rec.signed_part, rec.signed_len,
	    rec.sig, CERT_SIG_LEN);
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
		JPKI_STRUCT_COPY(out, &res);
	EVP_PKEY_free(ik);
	EVP_PKEY_free(ck);
	return r;
}
