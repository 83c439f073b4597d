/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Certificate parsing: issuance number (the X.509 serial), names,
 * validity, public key, key usage, policies, and the classification of a
 * JPKI certificate by policy OID and issuer (jpki-card.md §9).
 * Everything a caller reads is computed once here and kept as plain C
 * data, so that the accessors need no OpenSSL and cannot fail.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <jpki/cert.h>

#include "abi.h"
#include "cert_int.h"
#include "log.h"
#include "secure.h"

#define JST_OFFSET	(9 * 3600)

int
cert_time_to_unix(const ASN1_TIME *t, long long *out)
{
	struct tm tm;
	time_t u;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return JPKI_ERR_PARSE;
	if ((u = timegm(&tm)) == (time_t)-1)
		return JPKI_ERR_PARSE;
	*out = (long long)u;
	return JPKI_OK;
}

/* RFC 3339 in JST: the card's validity boundaries are JST days (§9.2). */
void
cert_format_jst(long long t, char *buf, size_t len)
{
	struct tm tm;
	time_t u;

	u = (time_t)(t + JST_OFFSET);
	if (gmtime_r(&u, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%S+09:00", &tm) == 0)
		snprintf(buf, len, "invalid");
}

static char *
name_oneline(const X509_NAME *n)
{
	BIO *b = NULL;
	BUF_MEM *m = NULL;
	char *s = NULL;
	/* RFC 2253 but keep UTF-8 bytes as they are (no \XX escapes). */
	unsigned long fl = XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB;

	if ((b = BIO_new(BIO_s_mem())) == NULL)
		goto out;
	if (X509_NAME_print_ex(b, n, 0, fl) < 0)
		goto out;
	BIO_get_mem_ptr(b, &m);
	if (m == NULL || (s = malloc(m->length + 1)) == NULL)
		goto out;
	memcpy(s, m->data, m->length);
	s[m->length] = '\0';
out:
	BIO_free(b);
	return s;
}

static int
name_der(const X509_NAME *n, uint8_t **out, size_t *len)
{
	const unsigned char *p = NULL;
	size_t l = 0;
	int r = JPKI_ERR_PARSE;

	if (X509_NAME_get0_der(n, &p, &l) != 1 || l == 0)
		goto out;
	if ((*out = malloc(l)) == NULL) {
		r = JPKI_ERR_NOMEM;
		goto out;
	}
	memcpy(*out, p, l);
	*len = l;
	r = JPKI_OK;
out:
	return r;
}

/* Upper-case hex of a big-endian magnitude without leading zero nibbles. */
static char *
hex_nolead(const uint8_t *p, size_t n, int neg)
{
	static const char digits[] = "0123456789ABCDEF";
	char *s;
	size_t i, o = 0;

	while (n > 0 && p[0] == 0) {
		p++;
		n--;
	}
	if ((s = malloc(n * 2 + 3)) == NULL)
		return NULL;
	if (neg && n > 0)
		s[o++] = '-';
	for (i = 0; i < n; i++) {
		if (i > 0 || (p[i] >> 4) != 0)
			s[o++] = digits[p[i] >> 4];
		s[o++] = digits[p[i] & 0x0f];
	}
	if (n == 0)
		s[o++] = '0';
	s[o] = '\0';
	return s;
}

static int
parse_serial(jpki_cert_t *c)
{
	const ASN1_INTEGER *sn;
	BIGNUM *bn = NULL;
	char *dec = NULL;
	unsigned char *d = NULL;
	int l, r = JPKI_ERR_PARSE;

	if ((sn = X509_get0_serialNumber(c->x)) == NULL)
		goto out;
	if ((l = i2d_ASN1_INTEGER(sn, &d)) <= 0)
		goto out;
	c->serial_der_len = (size_t)l;
	if ((c->serial_der = malloc(c->serial_der_len)) == NULL) {
		r = JPKI_ERR_NOMEM;
		goto out;
	}
	memcpy(c->serial_der, d, c->serial_der_len);
	/* ASN1_STRING data is the magnitude; the sign is in the type. */
	c->serial_hex = hex_nolead(ASN1_STRING_get0_data(sn),
	    (size_t)ASN1_STRING_length(sn),
	    ASN1_STRING_type(sn) == V_ASN1_NEG_INTEGER);
	if ((bn = ASN1_INTEGER_to_BN(sn, NULL)) == NULL ||
	    (dec = BN_bn2dec(bn)) == NULL || c->serial_hex == NULL) {
		r = JPKI_ERR_NOMEM;
		goto out;
	}
	if ((c->serial_dec = strdup(dec)) == NULL) {
		r = JPKI_ERR_NOMEM;
		goto out;
	}
	r = JPKI_OK;
out:
	OPENSSL_free(d);
	OPENSSL_free(dec);
	BN_free(bn);
	return r;
}

static int
bn_param(const EVP_PKEY *k, const char *name, uint8_t **out, size_t *len)
{
	BIGNUM *bn = NULL;
	int n, r = JPKI_ERR_PARSE;

	if (EVP_PKEY_get_bn_param(k, name, &bn) != 1 || bn == NULL)
		goto out;
	n = BN_num_bytes(bn);
	if (n <= 0)
		goto out;
	if ((*out = malloc((size_t)n)) == NULL) {
		r = JPKI_ERR_NOMEM;
		goto out;
	}
	if (BN_bn2bin(bn, *out) != n)
		goto out;
	*len = (size_t)n;
	r = JPKI_OK;
out:
	BN_free(bn);
	return r;
}

static int
parse_key(jpki_cert_t *c)
{
	EVP_PKEY *k;
	unsigned char *d = NULL;
	int l, bits, r = JPKI_ERR_PARSE;

	if ((k = X509_get0_pubkey(c->x)) == NULL) {
		log_debug("%s: unsupported or malformed public key", __func__);
		goto out;
	}
	if ((l = i2d_PUBKEY(k, &d)) <= 0)
		goto out;
	if ((c->spki = malloc((size_t)l)) == NULL) {
		r = JPKI_ERR_NOMEM;
		goto out;
	}
	memcpy(c->spki, d, (size_t)l);
	c->spki_len = (size_t)l;
	if ((bits = EVP_PKEY_get_bits(k)) <= 0)
		goto out;
	c->key_bits = (unsigned)bits;
	switch (EVP_PKEY_get_base_id(k)) {
	case EVP_PKEY_RSA:
		snprintf(c->key_type, sizeof(c->key_type), "RSA");
		if ((r = bn_param(k, OSSL_PKEY_PARAM_RSA_N, &c->rsa_n,
		    &c->rsa_n_len)) != JPKI_OK ||
		    (r = bn_param(k, OSSL_PKEY_PARAM_RSA_E, &c->rsa_e,
		    &c->rsa_e_len)) != JPKI_OK)
			goto out;
		break;
	case EVP_PKEY_EC:
		snprintf(c->key_type, sizeof(c->key_type), "EC");
		break;
	default:
		snprintf(c->key_type, sizeof(c->key_type), "other");
		break;
	}
	r = JPKI_OK;
out:
	OPENSSL_free(d);
	return r;
}

static void
parse_key_usage(jpki_cert_t *c)
{
	uint32_t ku, bit;
	unsigned i;

	c->has_key_usage =
	    (X509_get_extension_flags(c->x) & EXFLAG_KUSAGE) != 0;
	c->key_usage = 0;
	if (!c->has_key_usage)
		return;
	ku = X509_get_key_usage(c->x);
	/*
	 * OpenSSL numbers the first KeyUsage byte MSB-first (0x80 =
	 * digitalSignature); cert.h uses bit n = 1 << n (RFC 5280 4.2.1.3).
	 */
	for (i = 0; i < 8; i++) {
		bit = 0x80u >> i;
		if ((ku & bit) != 0)
			c->key_usage |= 1u << i;
	}
	if ((ku & KU_DECIPHER_ONLY) != 0)
		c->key_usage |= 1u << 8;
}

static int
parse_policies(jpki_cert_t *c)
{
	CERTIFICATEPOLICIES *cp = NULL;
	POLICYINFO *pi;
	char buf[128];
	int crit = 0, i, n, r = JPKI_ERR_PARSE;

	cp = X509_get_ext_d2i(c->x, NID_certificate_policies, &crit, NULL);
	if (cp == NULL) {
		/* -1: absent (fine for CA certificates); else malformed */
		r = crit == -1 ? JPKI_OK : JPKI_ERR_PARSE;
		goto out;
	}
	if ((n = sk_POLICYINFO_num(cp)) <= 0) {
		r = JPKI_OK;
		goto out;
	}
	if ((c->policies = calloc((size_t)n, sizeof(char *))) == NULL) {
		r = JPKI_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		pi = sk_POLICYINFO_value(cp, i);
		if (pi == NULL ||
		    OBJ_obj2txt(buf, (int)sizeof(buf), pi->policyid, 1) <= 0 ||
		    strlen(buf) >= sizeof(buf) - 1)
			goto out;
		if ((c->policies[i] = strdup(buf)) == NULL) {
			r = JPKI_ERR_NOMEM;
			goto out;
		}
		c->npolicies = (size_t)i + 1;
	}
	r = JPKI_OK;
out:
	CERTIFICATEPOLICIES_free(cp);
	return r;
}

/* UTF-8 value of the first attribute nid in n, or NULL. */
static char *
name_attr(const X509_NAME *n, int nid, int lastpos)
{
	const X509_NAME_ENTRY *e;
	unsigned char *u = NULL;
	char *s = NULL;
	int i, l;

	if ((i = X509_NAME_get_index_by_NID(n, nid, lastpos)) < 0)
		return NULL;
	if ((e = X509_NAME_get_entry(n, i)) == NULL)
		return NULL;
	if ((l = ASN1_STRING_to_UTF8(&u,
	    X509_NAME_ENTRY_get_data(e))) < 0)
		return NULL;
	if ((s = malloc((size_t)l + 1)) != NULL) {
		memcpy(s, u, (size_t)l);
		s[l] = '\0';
	}
	OPENSSL_free(u);
	return s;
}

/* The hierarchy is the O of the CA's name: JPKI, JPKI-TEST, JPKI-MOCK. */
jpki_hierarchy_t
cert_name_hierarchy(const X509_NAME *n)
{
	jpki_hierarchy_t h = JPKI_HIER_UNKNOWN;
	char *o;

	if ((o = name_attr(n, NID_organizationName, -1)) == NULL)
		return h;
	if (strcmp(o, "JPKI") == 0)
		h = JPKI_HIER_PRODUCTION;
	else if (strcmp(o, "JPKI-TEST") == 0)
		h = JPKI_HIER_TEST;
	else if (strcmp(o, "JPKI-MOCK") == 0)
		h = JPKI_HIER_MOCK;
	free(o);
	return h;
}

/* Which purpose the CA's OUs name (§9.1: "... for user authentication"). */
jpki_cert_type_t
cert_name_ca_purpose(const X509_NAME *n)
{
	jpki_cert_type_t t = JPKI_CERT_TYPE_UNKNOWN;
	char *ou;
	int pos = -1;

	while ((pos = X509_NAME_get_index_by_NID(n,
	    NID_organizationalUnitName, pos)) >= 0) {
		if ((ou = name_attr(n, NID_organizationalUnitName,
		    pos - 1)) == NULL)
			continue;
		if (strstr(ou, "for user authentication") != NULL)
			t = JPKI_CERT_TYPE_AUTH_CA;
		else if (strstr(ou, "for digital signature") != NULL)
			t = JPKI_CERT_TYPE_SIGN_CA;
		free(ou);
		if (t != JPKI_CERT_TYPE_UNKNOWN)
			break;
	}
	return t;
}

int
cert_has_policy(const jpki_cert_t *c, const char *oid)
{
	size_t i;

	for (i = 0; i < c->npolicies; i++)
		if (strcmp(c->policies[i], oid) == 0)
			return 1;
	return 0;
}

static void
classify(jpki_cert_t *c)
{
	const X509_NAME *iss = X509_get_issuer_name(c->x);
	jpki_cert_type_t by_issuer;

	c->hier = cert_name_hierarchy(c->is_ca ?
	    X509_get_subject_name(c->x) : iss);
	if (c->is_ca) {
		c->type = cert_name_ca_purpose(X509_get_subject_name(c->x));
		return;
	}
	by_issuer = cert_name_ca_purpose(iss);
	if (cert_has_policy(c, CERT_OID_POLICY_AUTH))
		c->type = JPKI_CERT_TYPE_AUTH;
	else if (cert_has_policy(c, CERT_OID_POLICY_SIGN) ||
	    cert_has_policy(c, CERT_OID_POLICY_SIGN_TEST))
		c->type = JPKI_CERT_TYPE_SIGN;
	else if (by_issuer == JPKI_CERT_TYPE_AUTH_CA)
		c->type = JPKI_CERT_TYPE_AUTH;
	else if (by_issuer == JPKI_CERT_TYPE_SIGN_CA)
		c->type = JPKI_CERT_TYPE_SIGN;
	/* A policy that contradicts the issuing CA is not guessed away. */
	if ((c->type == JPKI_CERT_TYPE_AUTH &&
	    by_issuer == JPKI_CERT_TYPE_SIGN_CA) ||
	    (c->type == JPKI_CERT_TYPE_SIGN &&
	    by_issuer == JPKI_CERT_TYPE_AUTH_CA))
		c->type = JPKI_CERT_TYPE_UNKNOWN;
}

static void
parse_attrs(jpki_cert_t *c)
{
	const ASN1_OCTET_STRING *v;
	X509_EXTENSION *e;
	int i;

	c->attrs_rc = JPKI_OK;
	if ((i = X509_get_ext_by_NID(c->x, NID_subject_alt_name, -1)) < 0)
		return;
	if (X509_get_ext_by_NID(c->x, NID_subject_alt_name, i) >= 0) {
		snprintf(c->attrs_err, sizeof(c->attrs_err),
		    "duplicate subjectAltName extension");
		c->attrs_rc = JPKI_ERR_PARSE;
		return;
	}
	e = X509_get_ext(c->x, i);
	v = X509_EXTENSION_get_data(e);
	c->attrs_rc = cert_attrs_parse(ASN1_STRING_get0_data(v),
	    (size_t)ASN1_STRING_length(v), &c->attrs, c->attrs_err,
	    sizeof(c->attrs_err));
}

int
jpki_cert_new(jpki_cert_t **cert, const uint8_t *der, size_t len)
{
	jpki_cert_t *c = NULL;
	const unsigned char *p;
	uint32_t fl;
	int r = JPKI_ERR_ARG;

	if (cert == NULL)
		goto out;
	*cert = NULL;
	if (der == NULL || len == 0)
		goto out;
	if (len > JPKI_MAX_CERT) {
		r = JPKI_ERR_TOO_LARGE;
		goto out;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->der = malloc(len)) == NULL) {
		r = JPKI_ERR_NOMEM;
		goto out;
	}
	memcpy(c->der, der, len);
	c->der_len = len;
	p = c->der;
	r = JPKI_ERR_PARSE;
	/* The whole input must be exactly one certificate. */
	if ((c->x = d2i_X509(NULL, &p, (long)len)) == NULL ||
	    p != c->der + len) {
		log_debug("%s: d2i_X509 failed or trailing data", __func__);
		goto out;
	}
	fl = X509_get_extension_flags(c->x);
	c->is_ca = (fl & EXFLAG_CA) != 0;
	if ((r = parse_serial(c)) != JPKI_OK ||
	    (r = parse_key(c)) != JPKI_OK ||
	    (r = parse_policies(c)) != JPKI_OK ||
	    (r = name_der(X509_get_subject_name(c->x), &c->subject_der,
	    &c->subject_der_len)) != JPKI_OK ||
	    (r = name_der(X509_get_issuer_name(c->x), &c->issuer_der,
	    &c->issuer_der_len)) != JPKI_OK) {
		log_debug("%s: field parse failed: %d", __func__, r);
		goto out;
	}
	r = JPKI_ERR_PARSE;
	if (cert_time_to_unix(X509_get0_notBefore(c->x),
	    &c->not_before) != JPKI_OK ||
	    cert_time_to_unix(X509_get0_notAfter(c->x),
	    &c->not_after) != JPKI_OK) {
		log_debug("%s: bad validity", __func__);
		goto out;
	}
	cert_format_jst(c->not_before, c->not_before_str,
	    sizeof(c->not_before_str));
	cert_format_jst(c->not_after, c->not_after_str,
	    sizeof(c->not_after_str));
	r = JPKI_ERR_NOMEM;
	if ((c->subject = name_oneline(X509_get_subject_name(c->x))) == NULL ||
	    (c->issuer = name_oneline(X509_get_issuer_name(c->x))) == NULL)
		goto out;
	parse_key_usage(c);
	classify(c);
	parse_attrs(c);
	*cert = c;
	c = NULL;
	r = JPKI_OK;
out:
	jpki_cert_free(&c);
	return r;
}

void
jpki_cert_free(jpki_cert_t **cert)
{
	jpki_cert_t *c;
	size_t i;

	if (cert == NULL || (c = *cert) == NULL)
		return;
	X509_free(c->x);
	/* a sign certificate carries the holder's name and address (§9.3) */
	jpki_free_secret(c->der, c->der_len);
	free(c->serial_hex);
	free(c->serial_dec);
	free(c->serial_der);
	free(c->subject);
	free(c->issuer);
	free(c->subject_der);
	free(c->issuer_der);
	free(c->rsa_n);
	free(c->rsa_e);
	free(c->spki);
	for (i = 0; i < c->npolicies; i++)
		free(c->policies[i]);
	free(c->policies);
	cert_attrs_clear(&c->attrs);
	free(c);
	*cert = NULL;
}

const uint8_t *
jpki_cert_der(const jpki_cert_t *c, size_t *len)
{
	if (len != NULL)
		*len = c != NULL ? c->der_len : 0;
	return c != NULL ? c->der : NULL;
}

const char *
jpki_cert_serial_hex(const jpki_cert_t *c)
{
	return c != NULL ? c->serial_hex : NULL;
}

const char *
jpki_cert_serial_dec(const jpki_cert_t *c)
{
	return c != NULL ? c->serial_dec : NULL;
}

const uint8_t *
jpki_cert_serial_der(const jpki_cert_t *c, size_t *len)
{
	if (len != NULL)
		*len = c != NULL ? c->serial_der_len : 0;
	return c != NULL ? c->serial_der : NULL;
}

const char *
jpki_cert_subject(const jpki_cert_t *c)
{
	return c != NULL ? c->subject : NULL;
}

const char *
jpki_cert_issuer(const jpki_cert_t *c)
{
	return c != NULL ? c->issuer : NULL;
}

const uint8_t *
jpki_cert_subject_der(const jpki_cert_t *c, size_t *len)
{
	if (len != NULL)
		*len = c != NULL ? c->subject_der_len : 0;
	return c != NULL ? c->subject_der : NULL;
}

const uint8_t *
jpki_cert_issuer_der(const jpki_cert_t *c, size_t *len)
{
	if (len != NULL)
		*len = c != NULL ? c->issuer_der_len : 0;
	return c != NULL ? c->issuer_der : NULL;
}

long long
jpki_cert_not_before(const jpki_cert_t *c)
{
	return c != NULL ? c->not_before : 0;
}

long long
jpki_cert_not_after(const jpki_cert_t *c)
{
	return c != NULL ? c->not_after : 0;
}

const char *
jpki_cert_not_before_str(const jpki_cert_t *c)
{
	return c != NULL ? c->not_before_str : NULL;
}

const char *
jpki_cert_not_after_str(const jpki_cert_t *c)
{
	return c != NULL ? c->not_after_str : NULL;
}

const char *
jpki_cert_key_type(const jpki_cert_t *c)
{
	return c != NULL ? c->key_type : NULL;
}

unsigned
jpki_cert_key_bits(const jpki_cert_t *c)
{
	return c != NULL ? c->key_bits : 0;
}

int
jpki_cert_rsa_public(const jpki_cert_t *c, const uint8_t **n, size_t *n_len,
    const uint8_t **e, size_t *e_len)
{
	int r = JPKI_ERR_ARG;

	if (c == NULL || n == NULL || n_len == NULL || e == NULL ||
	    e_len == NULL)
		goto out;
	*n = *e = NULL;
	*n_len = *e_len = 0;
	if (c->rsa_n == NULL || c->rsa_e == NULL) {
		r = JPKI_ERR_NOT_SUPPORTED;
		goto out;
	}
	*n = c->rsa_n;
	*n_len = c->rsa_n_len;
	*e = c->rsa_e;
	*e_len = c->rsa_e_len;
	r = JPKI_OK;
out:
	return r;
}

const uint8_t *
jpki_cert_spki_der(const jpki_cert_t *c, size_t *len)
{
	if (len != NULL)
		*len = c != NULL ? c->spki_len : 0;
	return c != NULL ? c->spki : NULL;
}

unsigned
jpki_cert_key_usage(const jpki_cert_t *c)
{
	return c != NULL ? c->key_usage : 0;
}

int
jpki_cert_is_ca(const jpki_cert_t *c)
{
	return c != NULL ? c->is_ca : 0;
}

size_t
jpki_cert_policy_count(const jpki_cert_t *c)
{
	return c != NULL ? c->npolicies : 0;
}

const char *
jpki_cert_policy(const jpki_cert_t *c, size_t i)
{
	if (c == NULL || i >= c->npolicies)
		return NULL;
	return c->policies[i];
}

jpki_cert_type_t
jpki_cert_type(const jpki_cert_t *c)
{
	return c != NULL ? c->type : JPKI_CERT_TYPE_UNKNOWN;
}

jpki_hierarchy_t
jpki_cert_hierarchy(const jpki_cert_t *c)
{
	return c != NULL ? c->hier : JPKI_HIER_UNKNOWN;
}

const char *
jpki_cert_type_name(jpki_cert_type_t t)
{
	switch (t) {
	case JPKI_CERT_TYPE_AUTH:
		return "auth";
	case JPKI_CERT_TYPE_SIGN:
		return "sign";
	case JPKI_CERT_TYPE_AUTH_CA:
		return "auth-ca";
	case JPKI_CERT_TYPE_SIGN_CA:
		return "sign-ca";
	default:
		return "unknown";
	}
}

const char *
jpki_hierarchy_name(jpki_hierarchy_t h)
{
	switch (h) {
	case JPKI_HIER_PRODUCTION:
		return "JPKI";
	case JPKI_HIER_TEST:
		return "JPKI-TEST";
	case JPKI_HIER_MOCK:
		return "JPKI-MOCK";
	default:
		return "unknown";
	}
}

int
jpki_cert_attrs(const jpki_cert_t *c, jpki_cert_attrs_t *a)
{
	int r = JPKI_ERR_ARG;

	if ((r = JPKI_STRUCT_OK(a)) != JPKI_OK)
		goto out;
	JPKI_STRUCT_ZERO(a);
	r = JPKI_ERR_ARG;
	if (c == NULL)
		goto out;
	if ((r = c->attrs_rc) != JPKI_OK)
		goto out;
	a->name = c->attrs.name;
	a->name_flags = c->attrs.name_flags;
	a->sex = c->attrs.sex;
	a->sex_name = c->attrs.sex_name;
	a->birth_raw = c->attrs.birth_raw;
	a->birth_iso = c->attrs.birth_iso;
	a->birth_era = c->attrs.birth_era;
	a->address = c->attrs.address;
	a->address_flags = c->attrs.address_flags;
out:
	return r;
}

const char *
jpki_cert_attrs_error(const jpki_cert_t *c)
{
	if (c == NULL || c->attrs_rc == JPKI_OK)
		return NULL;
	return c->attrs_err;
}

int
jpki_cert_new_file(jpki_cert_t **cert, const char *path)
{
	BIO *b = NULL;
	X509 *x = NULL;
	unsigned char *d = NULL;
	int l, r = JPKI_ERR_ARG;

	if (cert == NULL)
		goto out;
	*cert = NULL;
	if (path == NULL)
		goto out;
	r = JPKI_ERR_IO;
	if ((b = BIO_new_file(path, "rb")) == NULL) {
		log_debug("%s: cannot open %s", __func__, path);
		goto out;
	}
	/* PEM first; on failure rewind and try DER. */
	if ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) == NULL) {
		ERR_clear_error();
		if (BIO_reset(b) < 0)
			goto out;
		x = d2i_X509_bio(b, NULL);
	}
	r = JPKI_ERR_PARSE;
	if (x == NULL || (l = i2d_X509(x, &d)) <= 0)
		goto out;
	r = jpki_cert_new(cert, d, (size_t)l);
out:
	ERR_clear_error();
	if (d != NULL)
		OPENSSL_clear_free(d, (size_t)l);
	X509_free(x);
	BIO_free(b);
	return r;
}

int
cert_from_x509(X509 *x, jpki_cert_t **c)
{
	unsigned char *d = NULL;
	int l, r = JPKI_ERR_PARSE;

	*c = NULL;
	if ((l = i2d_X509(x, &d)) > 0) {
		r = jpki_cert_new(c, d, (size_t)l);
		OPENSSL_clear_free(d, (size_t)l);
	}
	return r;
}
