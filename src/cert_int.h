/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Internal view of the certificate module, shared by src/cert*.c and
 * src/revocation.c only (these are the files allowed to include OpenSSL).
 */
#ifndef JPKI_CERT_INT_H
#define JPKI_CERT_INT_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <jpki/cert.h>

#include "buf.h"
#include "tlv.h"

/* Policy OIDs, jpki-card.md §9.2. */
#define CERT_OID_POLICY_AUTH		"1.2.392.200149.8.5.1.3.30"
#define CERT_OID_POLICY_SIGN		"1.2.392.200149.8.5.1.1.20"
#define CERT_OID_POLICY_SIGN_TEST	"1.2.392.200149.8.5.1.0.20"
/* Holder attribute arc, jpki-card.md §9.3. */
#define CERT_OID_ATTR_ARC		"1.2.392.200149.8.5.5"

#define CERT_ERRLEN	160

/* Holder attributes, owned strings (NULL when absent). */
struct cert_attrs {
	char	*name;
	char	*name_flags;
	char	*sex;
	char	*birth_raw;
	char	*birth_iso;
	char	*address;
	char	*address_flags;
	const char *sex_name;	/* static */
	const char *birth_era;	/* static */
};

struct jpki_cert {
	X509		*x;
	uint8_t		*der;
	size_t		 der_len;
	char		*serial_hex;
	char		*serial_dec;
	uint8_t		*serial_der;
	size_t		 serial_der_len;
	char		*subject;
	char		*issuer;
	uint8_t		*subject_der;
	size_t		 subject_der_len;
	uint8_t		*issuer_der;
	size_t		 issuer_der_len;
	long long	 not_before;
	long long	 not_after;
	char		 not_before_str[32];
	char		 not_after_str[32];
	char		 key_type[8];
	unsigned	 key_bits;
	uint8_t		*rsa_n;
	size_t		 rsa_n_len;
	uint8_t		*rsa_e;
	size_t		 rsa_e_len;
	uint8_t		*spki;
	size_t		 spki_len;
	unsigned	 key_usage;
	int		 has_key_usage;
	int		 is_ca;
	char		**policies;
	size_t		 npolicies;
	jpki_cert_type_t type;
	jpki_hierarchy_t hier;
	/* Holder attributes are parsed once, at jpki_cert_new() time. */
	int		 attrs_rc;
	struct cert_attrs attrs;
	char		 attrs_err[CERT_ERRLEN];
};

/*
 * cert_attrs.c: parse a subjectAltName extension value (GeneralNames DER)
 * into holder attributes.  JPKI_OK with all fields NULL when there are
 * none; JPKI_ERR_PARSE with a reason in err (and a cleared *a) otherwise.
 */
int	cert_attrs_parse(const uint8_t *san, size_t len, struct cert_attrs *a,
	    char *err, size_t errlen);
void	cert_attrs_clear(struct cert_attrs *a);

/* cert.c: helpers for the other certificate files. */
int	cert_time_to_unix(const ASN1_TIME *t, long long *out);
void	cert_format_jst(long long t, char *buf, size_t len);
jpki_hierarchy_t cert_name_hierarchy(const X509_NAME *n);
/* AUTH_CA / SIGN_CA from the OU naming the purpose (§9.1), or UNKNOWN. */
jpki_cert_type_t cert_name_ca_purpose(const X509_NAME *n);
int	cert_has_policy(const jpki_cert_t *c, const char *oid);
/* A jpki_cert_t copy of x (caller frees). */
int	cert_from_x509(X509 *x, jpki_cert_t **c);

/* cert_verify.c: the anchor that issued x (name and signature), or NULL;
 * borrowed from v. */
X509	*cert_verify_find_issuer(const jpki_verify_t *v, X509 *x);

/* cert_cvc.c: card-verifiable certificates (§6.5) and shared helpers. */
#define CERT_HASH_LEN		32
#define CERT_SIG_LEN		256	/* RSA-2048 */
#define CERT_KEY_ID_LEN		16

struct cert_cvc {
	const uint8_t	*body;		/* 5F4E value: what the issuer signed */
	size_t		 body_len;
	const uint8_t	*sig;
	const uint8_t	*ids;		/* issuer then subject key ID */
	const uint8_t	*n;
	size_t		 n_len;
	const uint8_t	*e;
	size_t		 e_len;
};

int	cert_expect_tlv(buf_rd_t *r, uint32_t tag, tlv_t *t);
int	cert_outer_tlv(const uint8_t *p, size_t len, uint32_t tag, tlv_t *t);
void	cert_hex16(const uint8_t *p, char out[33]);
int	cert_sha256(const uint8_t *p, size_t len, uint8_t md[CERT_HASH_LEN]);
int	cert_sig_ok(EVP_PKEY *k, const uint8_t *data, size_t len,
	    const uint8_t *sig, size_t siglen);
EVP_PKEY *cert_rsa_from(const uint8_t *n, size_t nlen, const uint8_t *e,
	    size_t elen);
EVP_PKEY *cert_pem_pubkey(const char *pem, size_t len);
int	cert_cvc_parse(const uint8_t *p, size_t len, struct cert_cvc *cv);
/*
 * Parse the CV certificate ef4 (§6.5), report its key IDs, and load the
 * issuer's key (PEM) and the certified key.  On failure reason says what
 * was wrong and nothing needs freeing.
 */
int	cert_cvc_keys(const uint8_t *ef4, size_t ef4_len, const char *issuer_pem,
	    size_t issuer_pem_len, struct cert_cvc *cv, char issuer_id[33],
	    char subject_id[33], EVP_PKEY **ik, EVP_PKEY **ck, char *reason,
	    size_t reason_sz);

/* cert_visualap.c: card face EF 0002 (§7), f[i] = DF22 + i. */
#define CERT_FACE_FIELDS	9
int	cert_visual_face_parse(const uint8_t *p, size_t len,
	    tlv_t f[CERT_FACE_FIELDS]);

#endif /* JPKI_CERT_INT_H */
