/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * mkprofile: the mock JPKI CA set (jpki-card.md §9.1): auth CA, sign CA
 * and CV issuer key, loaded from a CA directory or created.
 */
#include <stdlib.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <jpki/err.h>

#include "mkprofile.h"
#include "mkp_int.h"
#include "mkp_x509.h"

static X509_NAME *
ca_name(int sign)
{
	X509_NAME *n;

	if ((n = X509_NAME_new()) == NULL)
		return NULL;
	if (mkp_name_add(n, "C", "JP") != JPKI_OK ||
	    mkp_name_add(n, "O", "JPKI-MOCK") != JPKI_OK ||
	    mkp_name_add(n, "OU", sign ? "JPKI-MOCK for digital signature" :
	    "JPKI-MOCK for user authentication") != JPKI_OK ||
	    mkp_name_add(n, "OU", "libjpki test hierarchy") != JPKI_OK) {
		X509_NAME_free(n);
		return NULL;
	}
	return n;
}

static int
make_ca_cert(int sign, EVP_PKEY *key, X509 **out)
{
	X509 *x = NULL;
	X509_NAME *n = NULL;
	char hex[17];
	rng_t r = { 0, 0 };
	long long nb;
	int y, m, d, rc = JPKI_ERR_INTERNAL;

	*out = NULL;
	if ((x = X509_new()) == NULL || X509_set_version(x, 2) != 1)
		goto out;
	if ((rc = mkp_random_serial_hex(&r, hex)) != JPKI_OK ||
	    (rc = mkp_set_serial_hex(x, hex)) != JPKI_OK)
		goto out;
	rc = JPKI_ERR_INTERNAL;
	/* like the J-LIS roots: ten years, ending 23:59:59 JST (§9.1) */
	mkp_jst_date((long long)time(NULL), &y, &m, &d);
	nb = mkp_jst_time(y, m, d, 0, 0, 0) - 86400LL * 365;
	if (ASN1_TIME_set(X509_getm_notBefore(x), (time_t)nb) == NULL ||
	    ASN1_TIME_set(X509_getm_notAfter(x), (time_t)(mkp_jst_time(y + 9, m,
	    d > 28 ? 28 : d, 23, 59, 59))) == NULL)
		goto out;
	if ((n = ca_name(sign)) == NULL || X509_set_subject_name(x, n) != 1 ||
	    X509_set_issuer_name(x, n) != 1 || X509_set_pubkey(x, key) != 1)
		goto out;
	if ((rc = mkp_add_ext(x, x, NID_key_usage,
	    "critical,keyCertSign,cRLSign")) != JPKI_OK ||
	    (rc = mkp_add_ext(x, x, NID_basic_constraints,
	    "critical,CA:TRUE")) != JPKI_OK ||
	    (rc = mkp_add_ext(x, x, NID_subject_key_identifier, "hash")) !=
	    JPKI_OK ||
	    (rc = mkp_add_dirname_ext(x, NID_subject_alt_name,
	    mkp_service_name())) != JPKI_OK ||
	    (rc = mkp_sign_x509(x, key)) != JPKI_OK)
		goto out;
	*out = x;
	x = NULL;
out:
	X509_NAME_free(n);
	X509_free(x);
	return rc;
}

void
mkp_ca_free(mkp_ca_t **ca)
{
	if (ca == NULL || *ca == NULL)
		return;
	EVP_PKEY_free((*ca)->auth_key);
	X509_free((*ca)->auth_crt);
	EVP_PKEY_free((*ca)->sign_key);
	X509_free((*ca)->sign_crt);
	EVP_PKEY_free((*ca)->cv_key);
	free(*ca);
	*ca = NULL;
}

static int
ca_pair(const char *dir, int create, int sign, EVP_PKEY **k, X509 **x)
{
	const char *kn = sign ? "sign-ca.key" : "auth-ca.key";
	const char *cn = sign ? "sign-ca.crt" : "auth-ca.crt";
	int rc;

	if (dir != NULL && mkp_file_exists(dir, kn) &&
	    mkp_file_exists(dir, cn)) {
		if ((rc = mkp_load_key(dir, kn, k)) != JPKI_OK ||
		    (rc = mkp_load_cert(dir, cn, x)) != JPKI_OK)
			return rc;
		return X509_check_private_key(*x, *k) == 1 ? JPKI_OK :
		    JPKI_ERR_PARSE;
	}
	if (!create)
		return JPKI_ERR_IO;
	if ((*k = mkp_gen_rsa()) == NULL)
		return JPKI_ERR_INTERNAL;
	if ((rc = make_ca_cert(sign, *k, x)) != JPKI_OK)
		return rc;
	if (dir == NULL)
		return JPKI_OK;
	if ((rc = mkp_write_key(dir, kn, *k, 1)) != JPKI_OK)
		return rc;
	return mkp_write_cert(dir, cn, *x);
}

int
mkp_ca_open(const char *dir, int create, mkp_ca_t **out)
{
	mkp_ca_t *ca = NULL;
	int rc = JPKI_ERR_ARG;

	if (out == NULL)
		return JPKI_ERR_ARG;
	*out = NULL;
	if (dir == NULL && !create)
		goto out;
	rc = JPKI_ERR_NOMEM;
	if ((ca = calloc(1, sizeof(*ca))) == NULL)
		goto out;
	if (dir != NULL && create && (rc = mkp_mkdir_p(dir)) != JPKI_OK)
		goto out;
	if ((rc = ca_pair(dir, create, 0, &ca->auth_key, &ca->auth_crt)) !=
	    JPKI_OK ||
	    (rc = ca_pair(dir, create, 1, &ca->sign_key, &ca->sign_crt)) !=
	    JPKI_OK)
		goto out;
	if (dir != NULL && mkp_file_exists(dir, "cv-ca.key")) {
		if ((rc = mkp_load_key(dir, "cv-ca.key", &ca->cv_key)) !=
		    JPKI_OK)
			goto out;
	} else if (create) {
		rc = JPKI_ERR_INTERNAL;
		if ((ca->cv_key = mkp_gen_rsa()) == NULL)
			goto out;
		if (dir != NULL &&
		    ((rc = mkp_write_key(dir, "cv-ca.key", ca->cv_key, 1)) !=
		    JPKI_OK ||
		    (rc = mkp_write_key(dir, "cv-ca.pub", ca->cv_key, 0)) !=
		    JPKI_OK))
			goto out;
	} else {
		rc = JPKI_ERR_IO;
		goto out;
	}
	*out = ca;
	ca = NULL;
	rc = JPKI_OK;
out:
	mkp_ca_free(&ca);
	return rc;
}
