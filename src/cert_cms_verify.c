/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Verification of a detached CMS SignedData made with a JPKI signature
 * certificate: OpenSSL checks the signature and the content digest; the
 * signer's chain, purpose and (optionally) revocation are checked with
 * this module's own rules (cert_verify.c, revocation.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include <jpki/cert.h>

#include "abi.h"
#include "cert_int.h"
#include "log.h"

static long long
signing_time(CMS_SignerInfo *si)
{
	X509_ATTRIBUTE *a;
	ASN1_TYPE *t;
	long long u = 0;
	int i;

	if ((i = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime,
	    -1)) < 0 || (a = CMS_signed_get_attr(si, i)) == NULL ||
	    (t = X509_ATTRIBUTE_get0_type(a, 0)) == NULL)
		return 0;
	if (t->type == V_ASN1_UTCTIME &&
	    cert_time_to_unix(t->value.utctime, &u) == JPKI_OK)
		return u;
	if (t->type == V_ASN1_GENERALIZEDTIME &&
	    cert_time_to_unix(t->value.generalizedtime, &u) == JPKI_OK)
		return u;
	return 0;
}

/* The issuer of x among the CMS certificates, else among the anchors. */
static X509 *
find_issuer(CMS_ContentInfo *cms, const jpki_verify_t *v, X509 *x,
    STACK_OF(X509) **hold)
{
	X509 *c;
	int i;

	if ((*hold = CMS_get1_certs(cms)) != NULL) {
		for (i = 0; i < sk_X509_num(*hold); i++) {
			c = sk_X509_value(*hold, i);
			if (X509_NAME_cmp(X509_get_subject_name(c),
			    X509_get_issuer_name(x)) == 0 &&
			    X509_verify(x, X509_get0_pubkey(c)) == 1)
				return c;
		}
	}
	ERR_clear_error();
	return cert_verify_find_issuer(v, x);
}

int
jpki_cms_verify(const uint8_t *der, size_t der_len, const uint8_t *data,
    size_t len, const jpki_verify_t *v, jpki_rev_t *rv,
    jpki_cms_verify_result_t *out)
{
	jpki_cms_verify_result_t res;
	jpki_verify_result_t chain;
	jpki_rev_result_t rev;
	CMS_ContentInfo *cms = NULL;
	STACK_OF(CMS_SignerInfo) *sis;
	STACK_OF(X509) *signers = NULL, *certs = NULL;
	jpki_cert_t *signer = NULL, *issuer = NULL;
	const unsigned char *p = der;
	X509 *x, *ix;
	BIO *b = NULL, *mem = NULL;
	int r = JPKI_ERR_ARG;

	/* refuse a short result struct before any work */
	if (out != NULL && ((r = JPKI_STRUCT_OK(out)) != JPKI_OK ||
	    (out->chain != NULL && (r = JPKI_STRUCT_OK(out->chain)) !=
	    JPKI_OK) || (out->revocation != NULL &&
	    (r = JPKI_STRUCT_OK(out->revocation)) != JPKI_OK)))
		return r;
	memset(&res, 0, sizeof(res));
	chain.size = sizeof(chain);
	rev.size = sizeof(rev);
	JPKI_STRUCT_ZERO(&chain);
	JPKI_STRUCT_ZERO(&rev);
	/* the caller's optional sub-results */
	res.chain = out != NULL ? out->chain : NULL;
	res.revocation = out != NULL ? out->revocation : NULL;
	r = JPKI_ERR_ARG;
	snprintf(res.reason, sizeof(res.reason), "invalid argument");
	if (der == NULL || der_len == 0 || (data == NULL && len > 0) ||
	    v == NULL || len > 0x7fffffff || der_len > 0x7fffffff)
		goto out;
	r = JPKI_ERR_PARSE;
	if ((cms = d2i_CMS_ContentInfo(NULL, &p, (long)der_len)) == NULL ||
	    p != der + der_len) {
		snprintf(res.reason, sizeof(res.reason),
		    "not a DER CMS ContentInfo");
		goto out;
	}
	if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed ||
	    (sis = CMS_get0_SignerInfos(cms)) == NULL ||
	    sk_CMS_SignerInfo_num(sis) != 1) {
		snprintf(res.reason, sizeof(res.reason),
		    "not a SignedData with exactly one signer");
		goto out;
	}
	if (CMS_is_detached(cms) != 1) {
		snprintf(res.reason, sizeof(res.reason),
		    "the CMS carries its content; a detached one is expected");
		goto out;
	}
	/*
	 * The content goes in through a buffering filter, not a bare memory
	 * BIO: for a memory BIO, CMS_verify (OpenSSL 3.0) makes a private
	 * copy and leaks it when it cannot set up the digests (a SignedData
	 * with an unusable digest algorithm; found by fuzz_cms_verify).
	 */
	r = JPKI_ERR_NOMEM;
	if ((mem = BIO_new_mem_buf(data != NULL ? data :
	    (const uint8_t *)"", (int)len)) == NULL ||
	    (b = BIO_new(BIO_f_buffer())) == NULL)
		goto out;
	b = BIO_push(b, mem);
	mem = NULL;
	r = JPKI_ERR_SIGNATURE_INVALID;
	/* The signer certificate is checked below with the JPKI rules. */
	if (CMS_verify(cms, NULL, NULL, b, NULL, CMS_NO_SIGNER_CERT_VERIFY |
	    CMS_BINARY) != 1) {
		snprintf(res.reason, sizeof(res.reason), "the signature or "
		    "the content digest does not verify");
		goto out;
	}
	res.signing_time = signing_time(sk_CMS_SignerInfo_value(sis, 0));
	if ((signers = CMS_get0_signers(cms)) == NULL ||
	    (x = sk_X509_value(signers, 0)) == NULL ||
	    (r = cert_from_x509(x, &signer)) != JPKI_OK) {
		r = JPKI_ERR_PARSE;
		snprintf(res.reason, sizeof(res.reason),
		    "signer certificate unusable");
		goto out;
	}
	snprintf(res.signer_serial_hex, sizeof(res.signer_serial_hex), "%s",
	    jpki_cert_serial_hex(signer));
	snprintf(res.signer_subject, sizeof(res.signer_subject), "%s",
	    jpki_cert_subject(signer));
	if ((r = jpki_cert_verify(v, signer, &chain)) != JPKI_OK) {
		snprintf(res.reason, sizeof(res.reason), "signer certificate: "
		    "%.290s", chain.reason);
		goto out;
	}
	if (rv != NULL) {
		r = JPKI_ERR_CERT_STATUS_UNKNOWN;
		if ((ix = find_issuer(cms, v, x, &certs)) == NULL ||
		    cert_from_x509(ix, &issuer) != JPKI_OK) {
			snprintf(res.reason, sizeof(res.reason), "revocation: "
			    "the signer's issuer certificate is not available");
			goto out;
		}
		res.revocation_checked = 1;
		if ((r = jpki_rev_check(rv, signer, issuer, &rev)) !=
		    JPKI_OK) {
			snprintf(res.reason, sizeof(res.reason), "revocation: "
			    "%s %s%.200s", rev.status == JPKI_REV_REVOKED ?
			    "revoked" : "unknown", rev.status ==
			    JPKI_REV_REVOKED ? rev.reason_name : "",
			    rev.status == JPKI_REV_REVOKED ? "" : rev.detail);
			goto out;
		}
	}
	snprintf(res.reason, sizeof(res.reason), "ok");
	r = JPKI_OK;
out:
	if (r != JPKI_OK)
		log_debug("%s: %s", __func__, res.reason);
	res.rc = r;
	if (out != NULL) {
		JPKI_STRUCT_COPY(out, &res);
		if (res.chain != NULL)
			JPKI_STRUCT_COPY(res.chain, &chain);
		if (res.revocation != NULL)
			JPKI_STRUCT_COPY(res.revocation, &rev);
	}
	ERR_clear_error();
	jpki_cert_free(&signer);
	jpki_cert_free(&issuer);
	sk_X509_pop_free(certs, X509_free);
	sk_X509_free(signers);
	BIO_free(mem);
	BIO_free_all(b);
	CMS_ContentInfo_free(cms);
	return r;
}
