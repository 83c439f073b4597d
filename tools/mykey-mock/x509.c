/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * OpenSSL side of the mock: the mock CA set (created through mkprofile,
 * loaded here for checking and revocation), proof checks, the
 * self-signed TLS certificate, DER CRLs and the OCSP responder (RFC 6960).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include "mkprofile.h"
#include "mock.h"

static X509 *
load_der(const char *dir, const char *name)
{
	char path[600];
	uint8_t *buf = NULL;
	const uint8_t *p;
	size_t n;
	X509 *x = NULL;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (mm_read_file(path, &buf, &n, MM_MAX_CERT) != 0)
		return NULL;
	p = buf;
	x = d2i_X509(NULL, &p, (long)n);
	free(buf);
	return x;
}

static EVP_PKEY *
load_key(const char *dir, const char *name)
{
	char path[600];
	FILE *f;
	EVP_PKEY *k;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "re")) == NULL)
		return NULL;
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	(void)fclose(f);
	return k;
}

void
ca_free(struct mm_ca **cap)
{
	struct mm_ca *ca;
	size_t i;

	if (cap == NULL || *cap == NULL)
		return;
	ca = *cap;
	for (i = 0; i < MM_CERT_CACHE; i++)
		X509_free(ca->cache[i].x);
	(void)pthread_mutex_destroy(&ca->mu);
	X509_free(ca->auth_crt);
	X509_free(ca->sign_crt);
	EVP_PKEY_free(ca->auth_key);
	EVP_PKEY_free(ca->sign_key);
	free(ca);
	*cap = NULL;
}

/* Load the CA set, creating it through mkprofile on first use. */
int
ca_load(const char *dir, struct mm_ca **out)
{
	struct mm_ca *ca = NULL;
	mkp_ca_t *mk = NULL;
	char path[600];
	FILE *f;
	int rc = -1;

	*out = NULL;
	if (mm_mkdirs(dir) != 0 || mkp_ca_open(dir, 1, &mk) != 0)
		goto out;
	if ((ca = calloc(1, sizeof(*ca))) == NULL)
		goto out;
	(void)pthread_mutex_init(&ca->mu, NULL);
	if ((ca->auth_crt = load_der(dir, "auth-ca.crt")) == NULL ||
	    (ca->sign_crt = load_der(dir, "sign-ca.crt")) == NULL ||
	    (ca->auth_key = load_key(dir, "auth-ca.key")) == NULL ||
	    (ca->sign_key = load_key(dir, "sign-ca.key")) == NULL)
		goto out;
	/* PEM copy of the auth CA: the trust list of the /login listener */
	(void)snprintf(path, sizeof(path), "%s/auth-ca.pem", dir);
	if ((f = fopen(path, "we")) == NULL)
		goto out;
	if (PEM_write_X509(f, ca->auth_crt) != 1) {
		(void)fclose(f);
		goto out;
	}
	if (fclose(f) != 0)
		goto out;
	*out = ca;
	ca = NULL;
	rc = 0;
out:
	mkp_ca_free(&mk);
	ca_free(&ca);
	return rc;
}

int
cert_serial_hex(X509 *x, char *out)
{
	BIGNUM *bn = NULL;
	char *h = NULL;
	int rc = -1;

	out[0] = '\0';
	if ((bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL)) ==
	    NULL || BN_is_negative(bn) || BN_is_zero(bn) ||
	    BN_num_bytes(bn) > 20 || (h = BN_bn2hex(bn)) == NULL)
		goto out;
	/* BN_bn2hex pads to whole bytes: strip leading zeros (api §5.1) */
	(void)snprintf(out, MM_SERIAL_MAX, "%s", h + strspn(h, "0"));
	rc = 0;
out:
	OPENSSL_free(h);
	BN_free(bn);
	return rc;
}

/*
 * Parse and classify a presented certificate: DER shape, mock JPKI
 * issuer of the wanted type, RSA-2048, key usage, CA signature.
 */
static enum mm_certerr
cert_check_full(const struct mm_ca *ca, const uint8_t *der, size_t n,
    const char *want_type, X509 **out, char *serial)
{
	const uint8_t *p = der;
	X509 *x = NULL, *issuer;
	EVP_PKEY *pk;
	uint32_t ku;
	int want_sign = strcmp(want_type, "sign") == 0;
	enum mm_certerr rc = MM_CERT_INVALID;

	*out = NULL;
	serial[0] = '\0';
	if (n == 0 || n > MM_MAX_CERT || (x = d2i_X509(NULL, &p, (long)n)) ==
	    NULL || p != der + n)
		goto out;
	if (cert_serial_hex(x, serial) != 0)
		goto out;
	issuer = want_sign ? ca->sign_crt : ca->auth_crt;
	rc = MM_CERT_UNSUPPORTED;
	if (X509_NAME_cmp(X509_get_issuer_name(x),
	    X509_get_subject_name(want_sign ? ca->auth_crt : ca->sign_crt)) ==
	    0)
		goto out;	/* mock JPKI, but the other certificate type */
	if ((pk = X509_get0_pubkey(x)) == NULL || EVP_PKEY_get_base_id(pk) !=
	    EVP_PKEY_RSA || EVP_PKEY_get_bits(pk) != 2048)
		goto out;
	ku = X509_get_key_usage(x);
	if (ku == UINT32_MAX || !(ku & (want_sign ? (KU_NON_REPUDIATION |
	    KU_DIGITAL_SIGNATURE) : KU_DIGITAL_SIGNATURE)) ||
	    (ku & KU_KEY_CERT_SIGN))
		goto out;
	rc = MM_CERT_UNTRUSTED;
	if (X509_NAME_cmp(X509_get_issuer_name(x),
	    X509_get_subject_name(issuer)) != 0 ||
	    X509_verify(x, X509_get0_pubkey(issuer)) != 1)
		goto out;
	*out = x;
	x = NULL;
	rc = MM_CERT_OK;
out:
	X509_free(x);
	return rc;
}

enum mm_certerr
cert_check(struct mm_ca *ca, const uint8_t *der, size_t n,
    const char *want_type, X509 **out, char *serial)
{
	uint8_t h[32];
	size_t slot;
	X509 *old = NULL;
	enum mm_certerr rc;

	*out = NULL;
	serial[0] = '\0';
	if (n == 0 || n > MM_MAX_CERT)
		return MM_CERT_INVALID;
	(void)SHA256(der, n, h);
	slot = ((size_t)h[0] << 8 | h[1]) % MM_CERT_CACHE;
	(void)pthread_mutex_lock(&ca->mu);
	if (ca->cache[slot].x != NULL && ca->cache[slot].type ==
	    want_type[0] && memcmp(ca->cache[slot].h, h, 32) == 0 &&
	    X509_up_ref(ca->cache[slot].x) == 1) {
		*out = ca->cache[slot].x;
		(void)snprintf(serial, MM_SERIAL_MAX, "%s",
		    ca->cache[slot].serial);
	}
	(void)pthread_mutex_unlock(&ca->mu);
	if (*out != NULL)
		return MM_CERT_OK;
	rc = cert_check_full(ca, der, n, want_type, out, serial);
	if (rc != MM_CERT_OK || X509_up_ref(*out) != 1)
		return rc;
	(void)pthread_mutex_lock(&ca->mu);
	old = ca->cache[slot].x;
	ca->cache[slot].x = *out;
	ca->cache[slot].type = want_type[0];
	memcpy(ca->cache[slot].h, h, 32);
	(void)snprintf(ca->cache[slot].serial, MM_SERIAL_MAX, "%s", serial);
	(void)pthread_mutex_unlock(&ca->mu);
	X509_free(old);
	return rc;
}

/* sha256WithRSAEncryption, PKCS#1 v1.5 (api §5.2). */
int
sig_verify(X509 *x, const void *tbs, size_t tbslen, const uint8_t *sig,
    size_t siglen)
{
	EVP_MD_CTX *md = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	int rc = -1;

	if ((md = EVP_MD_CTX_new()) == NULL)
		goto out;
	if (EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL,
	    X509_get0_pubkey(x)) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1)
		goto out;
	if (EVP_DigestVerify(md, sig, siglen, tbs, tbslen) == 1)
		rc = 0;
out:
	EVP_MD_CTX_free(md);
	return rc;
}

/* localhost certificate (ECDSA P-256, fast to make) for HTTPS. */
int
tls_selfsigned(const char *cert_path, const char *key_path)
{
	EVP_PKEY *k = NULL;
	X509 *x = NULL;
	X509V3_CTX ctx;
	X509_EXTENSION *ext = NULL;
	BIO *b = NULL;
	BUF_MEM *bm;
	uint8_t ser[8];
	BIGNUM *bn = NULL;
	int rc = -1;

	if ((k = EVP_EC_gen("P-256")) == NULL || (x = X509_new()) == NULL ||
	    X509_set_version(x, 2) != 1)
		goto out;
	(void)mm_random(ser, sizeof(ser));
	ser[0] &= 0x7f;
	if ((bn = BN_bin2bn(ser, sizeof(ser), NULL)) == NULL ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL)
		goto out;
	if (X509_gmtime_adj(X509_getm_notBefore(x), -3600) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 825) == NULL ||
	    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "O",
	    MBSTRING_ASC, (const unsigned char *)"JPKI-MOCK mykey-mock", -1,
	    -1, 0) != 1 ||
	    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN",
	    MBSTRING_ASC, (const unsigned char *)"localhost", -1, -1, 0) != 1 ||
	    X509_set_issuer_name(x, X509_get_subject_name(x)) != 1 ||
	    X509_set_pubkey(x, k) != 1)
		goto out;
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name,
	    "DNS:localhost,IP:127.0.0.1,IP:::1")) == NULL ||
	    X509_add_ext(x, ext, -1) != 1)
		goto out;
	if (X509_sign(x, k, EVP_sha256()) <= 0)
		goto out;
	if ((b = BIO_new(BIO_s_mem())) == NULL || PEM_write_bio_X509(b, x) !=
	    1)
		goto out;
	BIO_get_mem_ptr(b, &bm);
	if (mm_write_file(cert_path, bm->data, bm->length, 0644) != 0)
		goto out;
	BIO_free(b);
	if ((b = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL) != 1)
		goto out;
	BIO_get_mem_ptr(b, &bm);
	if (mm_write_file(key_path, bm->data, bm->length, 0600) != 0)
		goto out;
	rc = 0;
out:
	BIO_free(b);
	BN_free(bn);
	X509_EXTENSION_free(ext);
	X509_free(x);
	EVP_PKEY_free(k);
	return rc;
}

static ASN1_INTEGER *
serial_asn1(const char *hex)
{
	BIGNUM *bn = NULL;
	ASN1_INTEGER *ai;

	if (BN_hex2bn(&bn, hex) == 0)
		return NULL;
	ai = BN_to_ASN1_INTEGER(bn, NULL);
	BN_free(bn);
	return ai;
}

/* DER CRL of one CA with RFC 5280 reason codes (api §5.4, §2.4). */
uint8_t *
crl_build(const struct mm_ca *ca, struct mm_db *db, int sign, long long now,
    size_t *len)
{
	X509_CRL *crl = NULL;
	X509_REVOKED *rv = NULL;
	ASN1_TIME *t = NULL;
	ASN1_INTEGER *ai = NULL;
	ASN1_ENUMERATED *reason = NULL;
	struct mm_st *st = NULL;
	uint8_t *der = NULL, *p;
	char serial[MM_SERIAL_MAX];
	int n, ok = 0;

	*len = 0;
	if ((crl = X509_CRL_new()) == NULL || X509_CRL_set_version(crl, 1) !=
	    1 || X509_CRL_set_issuer_name(crl, X509_get_subject_name(sign ?
	    ca->sign_crt : ca->auth_crt)) != 1 || (t = ASN1_TIME_new()) == NULL)
		goto out;
	if (ASN1_TIME_set(t, (time_t)now) == NULL ||
	    X509_CRL_set1_lastUpdate(crl, t) != 1 ||
	    ASN1_TIME_set(t, (time_t)(now + 86400)) == NULL ||
	    X509_CRL_set1_nextUpdate(crl, t) != 1)
		goto out;
	st = db_q(db, "SELECT issuance_number, revoked_at, revocation_reason "
	    "FROM certificates WHERE cert_type=? AND status='revoked'", "s",
	    sign ? "sign" : "auth");
	while (st != NULL && db_row(st) == 1) {
		db_col(st, 0, serial, sizeof(serial));
		if ((rv = X509_REVOKED_new()) == NULL ||
		    (ai = serial_asn1(serial)) == NULL ||
		    X509_REVOKED_set_serialNumber(rv, ai) != 1 ||
		    ASN1_TIME_set(t, (time_t)db_int(st, 1)) ==
		    NULL || X509_REVOKED_set_revocationDate(rv, t) != 1 ||
		    (reason = ASN1_ENUMERATED_new()) == NULL ||
		    ASN1_ENUMERATED_set(reason, (int)db_int(st, 2)) != 1 ||
		    X509_REVOKED_add1_ext_i2d(rv, NID_crl_reason, reason, 0,
		    0) != 1 || X509_CRL_add0_revoked(crl, rv) != 1)
			goto out;
		rv = NULL;
		ASN1_INTEGER_free(ai);
		ai = NULL;
		ASN1_ENUMERATED_free(reason);
		reason = NULL;
	}
	db_end(st);
	st = NULL;
	if ((ai = ASN1_INTEGER_new()) == NULL ||
	    ASN1_INTEGER_set_int64(ai, now) != 1 ||
	    X509_CRL_add1_ext_i2d(crl, NID_crl_number, ai, 0, 0) != 1)
		goto out;
	if (X509_CRL_sort(crl) != 1 || X509_CRL_sign(crl, sign ? ca->sign_key :
	    ca->auth_key, EVP_sha256()) <= 0)
		goto out;
	if ((n = i2d_X509_CRL(crl, NULL)) <= 0 || (der = malloc((size_t)n)) ==
	    NULL)
		goto out;
	p = der;
	(void)i2d_X509_CRL(crl, &p);
	*len = (size_t)n;
	ok = 1;
out:
	db_end(st);
	if (!ok) {
		free(der);
		der = NULL;
	}
	ASN1_ENUMERATED_free(reason);
	ASN1_INTEGER_free(ai);
	X509_REVOKED_free(rv);
	ASN1_TIME_free(t);
	X509_CRL_free(crl);
	return der;
}

/*
 * OCSP responder (RFC 6960): each CA signs the answers for its own
 * certificates.  Requests naming both CAs are refused (unauthorized):
 * one signer per response.  Expiry is not revocation (api §2.4).
 */
uint8_t *
ocsp_respond(const struct mm_ca *ca, struct mm_db *db, const uint8_t *req,
    size_t reqlen, long long now, size_t *len)
{
	const uint8_t *p = req;
	OCSP_REQUEST *rq = NULL;
	OCSP_RESPONSE *resp = NULL;
	OCSP_BASICRESP *bs = NULL;
	OCSP_CERTID *id, *aid = NULL, *sid = NULL;
	ASN1_INTEGER *ser;
	ASN1_TIME *thisupd = NULL, *nextupd = NULL, *rev = NULL;
	BIGNUM *bn = NULL;
	struct mm_st *st;
	char *hex = NULL, serial[MM_SERIAL_MAX];
	uint8_t *der = NULL, *q;
	int i, n, status = OCSP_RESPONSE_STATUS_MALFORMEDREQUEST, signer = -1;
	int cs, reason;

	*len = 0;
	if (reqlen == 0 || (rq = d2i_OCSP_REQUEST(NULL, &p, (long)reqlen)) ==
	    NULL || p != req + reqlen ||
	    (n = OCSP_request_onereq_count(rq)) <= 0 || n > 16)
		goto respond;
	status = OCSP_RESPONSE_STATUS_INTERNALERROR;
	if ((aid = OCSP_cert_to_id(EVP_sha1(), NULL, ca->auth_crt)) == NULL ||
	    (sid = OCSP_cert_to_id(EVP_sha1(), NULL, ca->sign_crt)) == NULL ||
	    (bs = OCSP_BASICRESP_new()) == NULL ||
	    (thisupd = ASN1_TIME_new()) == NULL ||
	    (nextupd = ASN1_TIME_new()) == NULL ||
	    (rev = ASN1_TIME_new()) == NULL ||
	    ASN1_TIME_set(thisupd, (time_t)now) == NULL ||
	    ASN1_TIME_set(nextupd, (time_t)(now + 86400)) == NULL)
		goto respond;
	for (i = 0; i < n; i++) {
		id = OCSP_onereq_get0_id(OCSP_request_onereq_get0(rq, i));
		if (OCSP_id_issuer_cmp(id, aid) == 0)
			cs = 0;
		else if (OCSP_id_issuer_cmp(id, sid) == 0)
			cs = 1;
		else
			cs = -1;
		if (cs < 0 || (signer >= 0 && signer != cs)) {
			status = OCSP_RESPONSE_STATUS_UNAUTHORIZED;
			goto respond;
		}
		signer = cs;
		ser = NULL;
		(void)OCSP_id_get0_info(NULL, NULL, NULL, &ser, id);
		BN_free(bn);
		OPENSSL_free(hex);
		hex = NULL;
		if (ser == NULL || (bn = ASN1_INTEGER_to_BN(ser, NULL)) ==
		    NULL || (hex = BN_bn2hex(bn)) == NULL)
			goto respond;
		(void)snprintf(serial, sizeof(serial), "%s",
		    hex + strspn(hex, "0"));
		cs = V_OCSP_CERTSTATUS_UNKNOWN;
		reason = -1;
		st = db_q(db, "SELECT status, revoked_at, revocation_reason "
		    "FROM certificates WHERE issuance_number=? AND "
		    "cert_type=?", "ss", serial, signer ? "sign" : "auth");
		if (st != NULL && db_row(st) == 1) {
			if (strcmp(db_text(st, 0),
			    "revoked") == 0) {
				cs = V_OCSP_CERTSTATUS_REVOKED;
				(void)ASN1_TIME_set(rev,
				    (time_t)db_int(st, 1));
				reason = (int)db_int(st, 2);
			} else {
				cs = V_OCSP_CERTSTATUS_GOOD;
			}
		}
		db_end(st);
		(void)jlis_log_ocsp(db, serial, cs == V_OCSP_CERTSTATUS_GOOD ?
		    "good" : cs == V_OCSP_CERTSTATUS_REVOKED ? "revoked" :
		    "unknown");
		if (OCSP_basic_add1_status(bs, id, cs, reason, cs ==
		    V_OCSP_CERTSTATUS_REVOKED ? rev : NULL, thisupd,
		    nextupd) == NULL)
			goto respond;
	}
	if (OCSP_copy_nonce(bs, rq) <= 0)
		goto respond;
	if (OCSP_basic_sign(bs, signer ? ca->sign_crt : ca->auth_crt, signer ?
	    ca->sign_key : ca->auth_key, EVP_sha256(), NULL,
	    OCSP_NOCERTS) != 1)
		goto respond;
	status = OCSP_RESPONSE_STATUS_SUCCESSFUL;
respond:
	if ((resp = OCSP_response_create(status, status ==
	    OCSP_RESPONSE_STATUS_SUCCESSFUL ? bs : NULL)) != NULL &&
	    (n = i2d_OCSP_RESPONSE(resp, NULL)) > 0 &&
	    (der = malloc((size_t)n)) != NULL) {
		q = der;
		(void)i2d_OCSP_RESPONSE(resp, &q);
		*len = (size_t)n;
	}
	OPENSSL_free(hex);
	BN_free(bn);
	ASN1_TIME_free(thisupd);
	ASN1_TIME_free(nextupd);
	ASN1_TIME_free(rev);
	OCSP_CERTID_free(aid);
	OCSP_CERTID_free(sid);
	OCSP_BASICRESP_free(bs);
	OCSP_RESPONSE_free(resp);
	OCSP_REQUEST_free(rq);
	return der;
}
