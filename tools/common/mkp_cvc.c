/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * mkprofile: CV certificates of the text and visual APs (jpki-card.md
 * §6.5).
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <jpki/err.h>

#include "mkp_x509.h"

static int
rsa_modulus(EVP_PKEY *k, unsigned char mod[256])
{
	BIGNUM *n = NULL;
	int rc = JPKI_ERR_INTERNAL;

	if (EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &n) != 1)
		goto out;
	if (BN_bn2binpad(n, mod, 256) != 256)
		goto out;
	rc = JPKI_OK;
out:
	BN_free(n);
	return rc;
}

/*
 * 568 bytes: 7F21 { 5F4E { issuer key id 16, subject key id 16, 90 03
 * 010001, 91 82 0100 modulus }, 5F37 82 0100 sha256WithRSA PKCS#1 v1.5
 * signature over the 297-byte 5F4E value }.  Key IDs of the mock: "9"
 * prefix (production 5, J-LIS test 6).
 */
int
mkp_make_cvc(EVP_PKEY *ca, EVP_PKEY *subj, const char *subj_id,
    unsigned char out[568])
{
	static const unsigned char hdr[] = { 0x7f, 0x21, 0x82, 0x02, 0x33,
	    0x5f, 0x4e, 0x82, 0x01, 0x29 };
	static const unsigned char pub[] = { 0x90, 0x03, 0x01, 0x00, 0x01,
	    0x91, 0x82, 0x01, 0x00 };
	static const unsigned char sh[] = { 0x5f, 0x37, 0x82, 0x01, 0x00 };
	EVP_MD_CTX *md = NULL;
	unsigned char *p = out, *body;
	size_t siglen = 256;
	int rc = JPKI_ERR_INTERNAL;

	memcpy(p, hdr, sizeof(hdr));
	p += sizeof(hdr);
	body = p;
	/* issuer key id */
	memcpy(p, "9000001\x08\x05" "001\0\0\0\0", 16);
	p += 16;
	memcpy(p, subj_id, 7);
	memcpy(p + 7, "\x08\x05" "001\0\0\0\0", 9);
	p += 16;
	memcpy(p, pub, sizeof(pub));
	p += sizeof(pub);
	if ((rc = rsa_modulus(subj, p)) != JPKI_OK)
		goto out;
	p += 256;
	memcpy(p, sh, sizeof(sh));
	p += sizeof(sh);
	rc = JPKI_ERR_INTERNAL;
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, ca) != 1 ||
	    EVP_DigestSign(md, p, &siglen, body, 297) != 1 || siglen != 256)
		goto out;
	rc = JPKI_OK;
out:
	EVP_MD_CTX_free(md);
	return rc;
}
