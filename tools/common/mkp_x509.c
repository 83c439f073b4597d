/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * mkprofile: X.509 building blocks shared by the CA and end-entity
 * certificates: names, extensions, serials, signing.
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <jpki/err.h>

#include "mkp_x509.h"

EVP_PKEY *
mkp_gen_rsa(void)
{
	return EVP_RSA_gen(2048);
}

int
mkp_name_add(X509_NAME *n, const char *field, const char *value)
{
	/* C is PrintableString by its string table; the rest UTF8String */
	return X509_NAME_add_entry_by_txt(n, field, MBSTRING_UTF8,
	    (const unsigned char *)value, -1, -1, 0) == 1 ? JPKI_OK :
	    JPKI_ERR_INTERNAL;
}

/* The CAs' SAN and the end entities' issuerAltName (jpki-card.md §9.1). */
X509_NAME *
mkp_service_name(void)
{
	X509_NAME *n;

	if ((n = X509_NAME_new()) == NULL)
		return NULL;
	if (mkp_name_add(n, "C", "JP") != JPKI_OK ||
	    mkp_name_add(n, "O", "公的個人認証サービス (JPKI-MOCK)") !=
	    JPKI_OK) {
		X509_NAME_free(n);
		return NULL;
	}
	return n;
}

int
mkp_add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;
	int rc = JPKI_ERR_INTERNAL;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	if ((e = X509V3_EXT_nconf_nid(NULL, &ctx, nid, value)) == NULL)
		goto out;
	if (X509_add_ext(x, e, -1) != 1)
		goto out;
	rc = JPKI_OK;
out:
	X509_EXTENSION_free(e);
	return rc;
}

/* certificatePolicies with one policy OID, no qualifiers (§9.2). */
int
mkp_add_policy(X509 *x, const char *oid)
{
	CERTIFICATEPOLICIES *cp = NULL;
	POLICYINFO *pi = NULL;
	int rc = JPKI_ERR_INTERNAL;

	if ((cp = sk_POLICYINFO_new_null()) == NULL ||
	    (pi = POLICYINFO_new()) == NULL)
		goto out;
	ASN1_OBJECT_free(pi->policyid);
	if ((pi->policyid = OBJ_txt2obj(oid, 1)) == NULL)
		goto out;
	if (sk_POLICYINFO_push(cp, pi) <= 0)
		goto out;
	pi = NULL;
	if (X509_add1_ext_i2d(x, NID_certificate_policies, cp, 0,
	    X509V3_ADD_DEFAULT) != 1)
		goto out;
	rc = JPKI_OK;
out:
	POLICYINFO_free(pi);
	CERTIFICATEPOLICIES_free(cp);
	return rc;
}

/* SAN / IAN with one dirName; takes ownership of n. */
int
mkp_add_dirname_ext(X509 *x, int nid, X509_NAME *n)
{
	GENERAL_NAMES *g = NULL;
	GENERAL_NAME *gn = NULL;
	int rc = JPKI_ERR_INTERNAL;

	if (n == NULL)
		goto out;
	if ((g = sk_GENERAL_NAME_new_null()) == NULL ||
	    (gn = GENERAL_NAME_new()) == NULL)
		goto out;
	GENERAL_NAME_set0_value(gn, GEN_DIRNAME, n);
	n = NULL;
	if (sk_GENERAL_NAME_push(g, gn) <= 0)
		goto out;
	gn = NULL;
	if (X509_add1_ext_i2d(x, nid, g, 0, X509V3_ADD_DEFAULT) != 1)
		goto out;
	rc = JPKI_OK;
out:
	X509_NAME_free(n);
	GENERAL_NAME_free(gn);
	GENERAL_NAMES_free(g);
	return rc;
}

/* otherName { oid, [0] EXPLICIT UTF8String } (jpki-card.md §9.3) */
int
mkp_push_othername(GENERAL_NAMES *g, const char *oid, const char *value)
{
	GENERAL_NAME *gn = NULL;
	ASN1_OBJECT *o = NULL;
	ASN1_TYPE *t = NULL;
	ASN1_UTF8STRING *u = NULL;
	int rc = JPKI_ERR_INTERNAL;

	if ((o = OBJ_txt2obj(oid, 1)) == NULL || (t = ASN1_TYPE_new()) ==
	    NULL || (u = ASN1_UTF8STRING_new()) == NULL ||
	    (gn = GENERAL_NAME_new()) == NULL)
		goto out;
	if (ASN1_STRING_set(u, value, (int)strlen(value)) != 1)
		goto out;
	ASN1_TYPE_set(t, V_ASN1_UTF8STRING, u);
	u = NULL;
	if (GENERAL_NAME_set0_othername(gn, o, t) != 1)
		goto out;
	o = NULL;
	t = NULL;
	if (sk_GENERAL_NAME_push(g, gn) <= 0)
		goto out;
	gn = NULL;
	rc = JPKI_OK;
out:
	ASN1_OBJECT_free(o);
	ASN1_TYPE_free(t);
	ASN1_UTF8STRING_free(u);
	GENERAL_NAME_free(gn);
	return rc;
}

int
mkp_set_serial_hex(X509 *x, const char *hex)
{
	BIGNUM *bn = NULL;
	ASN1_INTEGER *ai = NULL;
	int rc = JPKI_ERR_ARG;
	size_t i, n = strlen(hex);

	if (n == 0 || n > 40)
		goto out;
	for (i = 0; i < n; i++) {
		if (strchr("0123456789abcdefABCDEF", hex[i]) == NULL)
			goto out;
	}
	if (BN_hex2bn(&bn, hex) != (int)n || BN_is_zero(bn))
		goto out;
	rc = JPKI_ERR_INTERNAL;
	if ((ai = BN_to_ASN1_INTEGER(bn, NULL)) == NULL ||
	    X509_set_serialNumber(x, ai) != 1)
		goto out;
	rc = JPKI_OK;
out:
	BN_free(bn);
	ASN1_INTEGER_free(ai);
	return rc;
}

/* Upper-case hex, no leading zeros, of x's serial; out >= 41. */
int
mkp_serial_out(X509 *x, char *out)
{
	BIGNUM *bn = NULL;
	char *h = NULL, *p;
	int rc = JPKI_ERR_INTERNAL;

	if ((bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL)) ==
	    NULL || (h = BN_bn2hex(bn)) == NULL)
		goto out;
	for (p = h; *p == '0' && p[1] != '\0'; p++)
		;
	if (strlen(p) > 40)
		goto out;
	memcpy(out, p, strlen(p) + 1);
	rc = JPKI_OK;
out:
	OPENSSL_free(h);
	BN_free(bn);
	return rc;
}

int
mkp_sign_x509(X509 *x, EVP_PKEY *k)
{
	return X509_sign(x, k, EVP_sha256()) > 0 ? JPKI_OK :
	    JPKI_ERR_INTERNAL;
}
