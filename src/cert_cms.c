/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Detached CMS SignedData (RFC 5652) signed by the card.  OpenSSL builds
 * the structure with the certificate's public key standing in for the
 * private key (it is only compared with the certificate); the signed
 * attributes are DER-encoded here, their SHA-256 digest goes to the
 * caller's signer (the card's COMPUTE DIGITAL SIGNATURE, jpki-card.md
 * §5.6), and the returned signature is inserted and checked by OpenSSL
 * before the CMS is handed out.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include <jpki/cert.h>

#include "cert_int.h"
#include "log.h"

#define MAX_ATTRS	16
#define MAX_SIG		512	/* RSA-4096; the card's keys are 2048 */

struct enc {
	unsigned char	*p;
	int		 len;
};

static int
enc_cmp(const void *a, const void *b)
{
	const struct enc *x = a, *y = b;
	int n = x->len < y->len ? x->len : y->len, c;

	if ((c = memcmp(x->p, y->p, (size_t)n)) != 0)
		return c;
	return x->len - y->len;
}

/*
 * DER of the signed attributes as they are signed: SET OF Attribute with
 * the explicit SET tag (RFC 5652 5.4), elements in DER order (X.690 11.6).
 */
static int
signed_attrs_der(CMS_SignerInfo *si, uint8_t **out, size_t *out_len)
{
	struct enc e[MAX_ATTRS];
	uint8_t *p = NULL;
	size_t body = 0, hl, o;
	int i, n, r = JPKI_ERR_INTERNAL;

	memset(e, 0, sizeof(e));
	n = CMS_signed_get_attr_count(si);
	if (n <= 0 || n > MAX_ATTRS)
		goto out;
	for (i = 0; i < n; i++) {
		if ((e[i].len = i2d_X509_ATTRIBUTE(CMS_signed_get_attr(si, i),
		    &e[i].p)) <= 0)
			goto out;
		body += (size_t)e[i].len;
	}
	qsort(e, (size_t)n, sizeof(e[0]), enc_cmp);
	if (body > 0xffff)
		goto out;
	hl = body < 0x80 ? 2 : body < 0x100 ? 3 : 4;
	r = JPKI_ERR_NOMEM;
	if ((p = malloc(hl + body)) == NULL)
		goto out;
	p[0] = 0x31;
	if (hl == 2) {
		p[1] = (uint8_t)body;
	} else if (hl == 3) {
		p[1] = 0x81;
		p[2] = (uint8_t)body;
	} else {
		p[1] = 0x82;
		p[2] = (uint8_t)(body >> 8);
		p[3] = (uint8_t)body;
	}
	o = hl;
	for (i = 0; i < n; i++) {
		memcpy(p + o, e[i].p, (size_t)e[i].len);
		o += (size_t)e[i].len;
	}
	*out = p;
	*out_len = o;
	p = NULL;
	r = JPKI_OK;
out:
	for (i = 0; i < MAX_ATTRS; i++)
		OPENSSL_free(e[i].p);
	free(p);
	return r;
}

static int
add_attrs(CMS_SignerInfo *si, const uint8_t *data, size_t len,
    long long when)
{
	ASN1_TIME *t = NULL;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int r = JPKI_ERR_INTERNAL;

	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1)
		goto out;
	/* ASN1_TIME_set picks UTCTime up to 2049, as RFC 5652 11.3 asks */
	if ((t = ASN1_TIME_set(NULL, (time_t)when)) == NULL)
		goto out;
	if (CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType,
	    V_ASN1_OBJECT, OBJ_nid2obj(NID_pkcs7_data), -1) != 1 ||
	    CMS_signed_add1_attr_by_NID(si, NID_pkcs9_signingTime,
	    ASN1_STRING_type(t), t, -1) != 1 ||
	    CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest,
	    V_ASN1_OCTET_STRING, md, (int)mdlen) != 1)
		goto out;
	r = JPKI_OK;
out:
	ASN1_TIME_free(t);
	return r;
}

int
jpki_cms_sign(const jpki_cert_t *signer, const jpki_cert_t *ca,
    const uint8_t *data, size_t len, long long signing_time,
    jpki_sign_cb_t sign, void *arg, uint8_t **out, size_t *out_len)
{
	const unsigned int fl = CMS_DETACHED | CMS_PARTIAL | CMS_BINARY |
	    CMS_NOSMIMECAP;
	CMS_ContentInfo *cms = NULL;
	CMS_SignerInfo *si;
	ASN1_OCTET_STRING *sigstr;
	EVP_PKEY *pub;
	uint8_t *attrs = NULL, md[32], sig[MAX_SIG];
	unsigned char *der = NULL;
	size_t alen = 0, siglen = sizeof(sig);
	unsigned int mdlen = 0;
	int l, r = JPKI_ERR_ARG;

	if (out == NULL || out_len == NULL)
		goto out;
	*out = NULL;
	*out_len = 0;
	if (signer == NULL || (data == NULL && len > 0) || sign == NULL)
		goto out;
	if (signing_time == 0)
		signing_time = (long long)time(NULL);
	r = JPKI_ERR_NOT_SUPPORTED;
	if ((pub = X509_get0_pubkey(signer->x)) == NULL ||
	    EVP_PKEY_get_base_id(pub) != EVP_PKEY_RSA)
		goto out;
	r = JPKI_ERR_INTERNAL;
	if ((cms = CMS_sign(NULL, NULL, NULL, NULL, fl)) == NULL ||
	    (si = CMS_add1_signer(cms, signer->x, pub, EVP_sha256(),
	    fl)) == NULL ||
	    (ca != NULL && CMS_add1_cert(cms, ca->x) != 1)) {
		log_debug("%s: CMS setup failed", __func__);
		goto out;
	}
	if ((r = add_attrs(si, data != NULL ? data : (const uint8_t *)"",
	    len, signing_time)) != JPKI_OK ||
	    (r = signed_attrs_der(si, &attrs, &alen)) != JPKI_OK)
		goto out;
	r = JPKI_ERR_INTERNAL;
	if (EVP_Digest(attrs, alen, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != sizeof(md))
		goto out;
	if ((r = sign(arg, JPKI_HASH_SHA256, md, sizeof(md), sig,
	    &siglen)) != JPKI_OK) {
		log_debug("%s: signer failed: %d", __func__, r);
		goto out;
	}
	r = JPKI_ERR_SIGNATURE_INVALID;
	if (siglen == 0 || siglen > sizeof(sig) ||
	    (sigstr = CMS_SignerInfo_get0_signature(si)) == NULL ||
	    ASN1_STRING_set(sigstr, sig, (int)siglen) != 1)
		goto out;
	/* OpenSSL re-encodes the attributes itself: this also proves that
	 * what was signed is what the CMS carries. */
	if (CMS_SignerInfo_verify(si) != 1) {
		log_debug("%s: signature does not verify with the signer "
		    "certificate (wrong key?)", __func__);
		goto out;
	}
	r = JPKI_ERR_INTERNAL;
	if ((l = i2d_CMS_ContentInfo(cms, &der)) <= 0)
		goto out;
	r = JPKI_ERR_NOMEM;
	if ((*out = malloc((size_t)l)) == NULL)
		goto out;
	memcpy(*out, der, (size_t)l);
	*out_len = (size_t)l;
	r = JPKI_OK;
out:
	ERR_clear_error();
	/* the CMS carries the signer's certificate, personal data for the
	 * sign key */
	if (der != NULL)
		OPENSSL_clear_free(der, (size_t)l);
	free(attrs);
	CMS_ContentInfo_free(cms);
	return r;
}
