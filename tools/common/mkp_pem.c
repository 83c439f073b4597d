/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * mkprofile: keys (PEM) and certificates (DER) to and from files.
 */
#include <stdlib.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <jpki/err.h>

#include "mkp_x509.h"

int
mkp_write_key(const char *dir, const char *name, EVP_PKEY *k, int priv)
{
	BIO *b = NULL;
	char *p = NULL;
	long n;
	int rc = JPKI_ERR_INTERNAL;

	if ((b = BIO_new(BIO_s_mem())) == NULL)
		goto out;
	if (priv ? !PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL) :
	    !PEM_write_bio_PUBKEY(b, k))
		goto out;
	if ((n = BIO_get_mem_data(b, &p)) <= 0)
		goto out;
	rc = mkp_write_file(dir, name, p, (size_t)n, priv ? 0600 : 0644);
out:
	BIO_free(b);	/* BIO_s_mem clears its buffer on free */
	return rc;
}

int
mkp_write_cert(const char *dir, const char *name, X509 *x)
{
	unsigned char *der = NULL;
	int n, rc = JPKI_ERR_INTERNAL;

	if ((n = i2d_X509(x, &der)) <= 0)
		goto out;
	rc = mkp_write_file(dir, name, der, (size_t)n, 0644);
out:
	OPENSSL_free(der);
	return rc;
}

int
mkp_load_key(const char *dir, const char *name, EVP_PKEY **k)
{
	unsigned char *b = NULL;
	size_t n;
	BIO *bio = NULL;
	int rc;

	*k = NULL;
	if ((rc = mkp_read_file(dir, name, &b, &n)) != JPKI_OK)
		goto out;
	rc = JPKI_ERR_PARSE;
	if ((bio = BIO_new_mem_buf(b, (int)n)) == NULL)
		goto out;
	if ((*k = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL)) == NULL)
		goto out;
	rc = JPKI_OK;
out:
	BIO_free(bio);
	if (b != NULL) {
		OPENSSL_cleanse(b, n);
		free(b);
	}
	return rc;
}

int
mkp_load_cert(const char *dir, const char *name, X509 **x)
{
	unsigned char *b = NULL;
	const unsigned char *p;
	size_t n;
	int rc;

	*x = NULL;
	if ((rc = mkp_read_file(dir, name, &b, &n)) != JPKI_OK)
		goto out;
	p = b;
	if ((*x = d2i_X509(NULL, &p, (long)n)) == NULL)
		rc = JPKI_ERR_PARSE;
out:
	free(b);
	return rc;
}
