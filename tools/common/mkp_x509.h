/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * mkprofile internals on OpenSSL: the CA set, key and certificate files,
 * X.509 building blocks, end-entity and CV certificates.  Functions
 * returning int give JPKI_OK or a JPKI_ERR_*.
 */
#ifndef JPKI_MKP_X509_H
#define JPKI_MKP_X509_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "mkp_int.h"

struct mkp_ca {
	EVP_PKEY	*auth_key;
	X509		*auth_crt;
	EVP_PKEY	*sign_key;
	X509		*sign_crt;
	EVP_PKEY	*cv_key;
};

/* mkp_pem.c: keys PEM (priv: private, mode 0600), certificates DER */
int		mkp_write_key(const char *dir, const char *name, EVP_PKEY *k,
		    int priv);
int		mkp_write_cert(const char *dir, const char *name, X509 *x);
int		mkp_load_key(const char *dir, const char *name, EVP_PKEY **k);
int		mkp_load_cert(const char *dir, const char *name, X509 **x);

/* mkp_x509.c */
EVP_PKEY	*mkp_gen_rsa(void);
int		mkp_name_add(X509_NAME *n, const char *field,
		    const char *value);
X509_NAME	*mkp_service_name(void);
int		mkp_add_ext(X509 *x, X509 *issuer, int nid, const char *value);
int		mkp_add_policy(X509 *x, const char *oid);
int		mkp_add_dirname_ext(X509 *x, int nid, X509_NAME *n);
int		mkp_push_othername(GENERAL_NAMES *g, const char *oid,
		    const char *value);
int		mkp_set_serial_hex(X509 *x, const char *hex);
int		mkp_serial_out(X509 *x, char *out);
int		mkp_sign_x509(X509 *x, EVP_PKEY *k);

/* mkp_ee.c: auth (sign = 0) or sign certificate; serial_hex NULL: random */
int		mkp_make_ee(gen_t *g, int sign, EVP_PKEY *issuer_key,
		    X509 *issuer, EVP_PKEY *key, const char *serial_hex,
		    X509 **out);

/* mkp_cvc.c: 568-byte CV certificate of subj signed by ca */
int		mkp_make_cvc(EVP_PKEY *ca, EVP_PKEY *subj, const char *subj_id,
		    unsigned char out[568]);

#endif /* JPKI_MKP_X509_H */
