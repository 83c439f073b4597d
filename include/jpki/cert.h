/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Certificate module: parse a DER certificate read from the card, report
 * its issuance number (発行番号 = the X.509 serial), classify it, read the
 * holder attributes of a signature certificate, and verify it.  OpenSSL is
 * used inside; no OpenSSL type appears here.
 *
 * Strings returned by the accessors are borrowed: valid until the
 * certificate is freed.
 */
#ifndef JPKI_CERT_H
#define JPKI_CERT_H

#include <stddef.h>
#include <stdint.h>

#include <jpki/jpki.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct jpki_cert jpki_cert_t;

typedef enum {
	JPKI_CERT_TYPE_UNKNOWN = 0,
	JPKI_CERT_TYPE_AUTH,
	JPKI_CERT_TYPE_SIGN,
	JPKI_CERT_TYPE_AUTH_CA,
	JPKI_CERT_TYPE_SIGN_CA
} jpki_cert_type_t;

typedef enum {
	JPKI_HIER_UNKNOWN = 0,
	JPKI_HIER_PRODUCTION,	/* O=JPKI */
	JPKI_HIER_TEST,		/* O=JPKI-TEST */
	JPKI_HIER_MOCK		/* O=JPKI-MOCK: this project's */
} jpki_hierarchy_t;

/* Parse DER (at most JPKI_MAX_CERT bytes).  The bytes are copied. */
int	jpki_cert_new(jpki_cert_t **cert, const uint8_t *der, size_t len);
/* Read one certificate from a file, DER or PEM (at most JPKI_MAX_CERT
 * bytes of DER).  JPKI_ERR_IO if it cannot be read. */
int	jpki_cert_new_file(jpki_cert_t **cert, const char *path);
void	jpki_cert_free(jpki_cert_t **cert);

/* DER of the whole certificate (borrowed). */
const uint8_t	*jpki_cert_der(const jpki_cert_t *c, size_t *len);

/* Issuance number: upper-case hex without leading zeros, and decimal. */
const char	*jpki_cert_serial_hex(const jpki_cert_t *c);
const char	*jpki_cert_serial_dec(const jpki_cert_t *c);
/* The serial's INTEGER contents as encoded (for PKCS#11 CKA_SERIAL_NUMBER
 * use jpki_cert_serial_der, which includes the tag and length). */
const uint8_t	*jpki_cert_serial_der(const jpki_cert_t *c, size_t *len);

/* RFC 2253 style one-line DNs, UTF-8. */
const char	*jpki_cert_subject(const jpki_cert_t *c);
const char	*jpki_cert_issuer(const jpki_cert_t *c);
/* DER-encoded Name structures (for PKCS#11 CKA_SUBJECT / CKA_ISSUER). */
const uint8_t	*jpki_cert_subject_der(const jpki_cert_t *c, size_t *len);
const uint8_t	*jpki_cert_issuer_der(const jpki_cert_t *c, size_t *len);

/* Validity as unix seconds, and as RFC 3339 in JST (+09:00). */
long long	 jpki_cert_not_before(const jpki_cert_t *c);
long long	 jpki_cert_not_after(const jpki_cert_t *c);
const char	*jpki_cert_not_before_str(const jpki_cert_t *c);
const char	*jpki_cert_not_after_str(const jpki_cert_t *c);

/* Public key. */
const char	*jpki_cert_key_type(const jpki_cert_t *c);	/* "RSA", "EC" */
unsigned	 jpki_cert_key_bits(const jpki_cert_t *c);
/* RSA modulus and public exponent, big-endian, no leading zero (borrowed). */
int		 jpki_cert_rsa_public(const jpki_cert_t *c,
		    const uint8_t **n, size_t *n_len,
		    const uint8_t **e, size_t *e_len);
/* SubjectPublicKeyInfo DER (borrowed). */
const uint8_t	*jpki_cert_spki_der(const jpki_cert_t *c, size_t *len);

/* Key usage bits as in RFC 5280 (bit 0 = digitalSignature = 0x80 of the
 * first byte is reported here as JPKI_KU_DIGITAL_SIGNATURE). */
#define JPKI_KU_DIGITAL_SIGNATURE	0x0001
#define JPKI_KU_NON_REPUDIATION		0x0002
#define JPKI_KU_KEY_ENCIPHERMENT	0x0004
#define JPKI_KU_KEY_CERT_SIGN		0x0020
#define JPKI_KU_CRL_SIGN		0x0040
unsigned	 jpki_cert_key_usage(const jpki_cert_t *c);
int		 jpki_cert_is_ca(const jpki_cert_t *c);
/* Number of certificatePolicies OIDs and the i-th as dotted text. */
size_t		 jpki_cert_policy_count(const jpki_cert_t *c);
const char	*jpki_cert_policy(const jpki_cert_t *c, size_t i);

jpki_cert_type_t  jpki_cert_type(const jpki_cert_t *c);
jpki_hierarchy_t  jpki_cert_hierarchy(const jpki_cert_t *c);
const char	 *jpki_cert_type_name(jpki_cert_type_t t);	/* "auth" ... */
const char	 *jpki_hierarchy_name(jpki_hierarchy_t h);	/* "JPKI-MOCK" */

/*
 * Holder attributes of a signature certificate (subjectAltName otherNames,
 * OID arc 1.2.392.200149.8.5.5, jpki-card.md §9.3).  Absent attributes are
 * NULL.  JPKI_ERR_PARSE for malformed ones (bad UTF-8, wrong type, unknown
 * OID in the arc); the reason is in jpki_cert_attrs_error().
 */
typedef struct {
	size_t		 size;	/* sizeof(*this), set by the caller */
	const char	*name;
	const char	*name_flags;	/* substitution positions */
	const char	*sex;		/* "1", "2", "9" */
	const char	*sex_name;	/* "male", "female", "not applicable" */
	const char	*birth_raw;	/* EYYYYMMDD */
	const char	*birth_iso;	/* YYYY-MM-DD */
	const char	*birth_era;	/* "Showa", ... */
	const char	*address;
	const char	*address_flags;
} jpki_cert_attrs_t;

int		 jpki_cert_attrs(const jpki_cert_t *c, jpki_cert_attrs_t *a);
const char	*jpki_cert_attrs_error(const jpki_cert_t *c);

/*
 * Check a PKCS#1 v1.5 signature made with c's RSA key (as
 * jpki_card_sign() returns it) over md, the digest of the given hash
 * algorithm (not JPKI_HASH_NONE).  Checks the key only, not the chain:
 * use jpki_cert_verify() for that.  JPKI_OK when it verifies,
 * JPKI_ERR_SIGNATURE_INVALID when not, JPKI_ERR_NOT_SUPPORTED for a
 * non-RSA key, JPKI_ERR_ARG for a wrong digest length.
 */
int	jpki_cert_verify_sig(const jpki_cert_t *c, jpki_hash_t hash,
	    const uint8_t *md, size_t md_len, const uint8_t *sig,
	    size_t sig_len);

/*
 * Chain verification (jpki-card.md §9).  A jpki_verify_t holds the trust
 * anchors and the options; one object can verify many certificates and is
 * not modified by jpki_cert_verify().
 *
 * jpki_verify_new() loads the bundled J-LIS roots (2015 and 2023
 * generations, both purposes) from JPKI_ROOTS_DIR, installed as
 * $(DATADIR)/jpki/roots; the environment variable JPKI_ROOTS_DIR overrides
 * the directory (tests), and when the installed directory is missing,
 * share/jpki/roots beside the lib/ directory of the loaded libjpki.so is
 * used (the build tree, $(BUILD)/share/jpki/roots).  It fails with
 * JPKI_ERR_IO when no root can be loaded, unless
 * JPKI_VERIFY_NO_BUNDLED_ROOTS is given.  With JPKI_VERIFY_PRODUCTION_ONLY
 * the chain must end in a bundled root of O=JPKI.
 */
#define JPKI_VERIFY_NO_BUNDLED_ROOTS	0x01
#define JPKI_VERIFY_PRODUCTION_ONLY	0x02

typedef struct jpki_verify jpki_verify_t;

typedef enum {
	JPKI_PURPOSE_ANY = 0,	/* as the certificate's policy says */
	JPKI_PURPOSE_AUTH,	/* user authentication, policy ...1.3.30 */
	JPKI_PURPOSE_SIGN	/* digital signature, ...1.1.20 / ...1.0.20 */
} jpki_purpose_t;

int	jpki_verify_new(jpki_verify_t **v, unsigned flags);
void	jpki_verify_free(jpki_verify_t **v);
/* Add a trust anchor (a copy is kept).  It must be a CA certificate. */
int	jpki_verify_add_anchor(jpki_verify_t *v, const jpki_cert_t *ca);
/* Add every certificate of a PEM file (or the one of a DER file). */
int	jpki_verify_add_anchor_file(jpki_verify_t *v, const char *path);
/* Add every *.pem and *.der file of a directory. */
int	jpki_verify_add_anchor_dir(jpki_verify_t *v, const char *dir);
/* Verification time, unix seconds; 0 (the default) means now. */
int	jpki_verify_set_time(jpki_verify_t *v, long long at);
int	jpki_verify_set_purpose(jpki_verify_t *v, jpki_purpose_t p);

typedef struct {
	size_t		 size;	/* sizeof(*this), set by the caller */
	int		 rc;		/* as returned */
	jpki_hierarchy_t hierarchy;	/* of the trust anchor reached */
	jpki_cert_type_t type;		/* what it was checked as */
	char		 anchor[256];	/* subject of the trust anchor */
	char		 reason[320];	/* "ok" or why it failed, never empty */
} jpki_verify_result_t;

/*
 * Verify c: signatures up to a trust anchor, validity at the set time
 * (both bounds inclusive, so a certificate ending 23:59:59 JST is valid
 * through that second, §9.2), CA flags and key usage of the issuers, key
 * usage and policy OID of c for the purpose, and the hierarchy.  A CA
 * certificate that is itself an anchor verifies as a chain of one (root
 * self-check).  Returns JPKI_OK or one JPKI_ERR_CERT_* code; res (may be
 * NULL) gets the details.
 */
int	jpki_cert_verify(const jpki_verify_t *v, const jpki_cert_t *c,
	    jpki_verify_result_t *res);

/*
 * Revocation status (jpki-card.md §9.4) from a CRL file and/or an OCSP
 * responder (HTTP POST, RFC 6960).  With both set, OCSP is asked first
 * and the CRL decides when OCSP cannot.  Answers are cached inside the
 * jpki_rev_t until their nextUpdate (answers without one are not
 * cached); a CRL past its nextUpdate is re-read, and if still stale gives
 * "unknown".  A jpki_rev_t is used by one thread at a time.
 */
typedef struct jpki_rev jpki_rev_t;

typedef enum {
	JPKI_REV_UNKNOWN = 0,
	JPKI_REV_GOOD,
	JPKI_REV_REVOKED
} jpki_rev_status_t;

int	jpki_rev_new(jpki_rev_t **rv);
void	jpki_rev_free(jpki_rev_t **rv);
/* DER or PEM CRL, signed by the certificate's issuer, from a file or
 * downloaded (http/https GET) when needed; the last one set is used. */
int	jpki_rev_set_crl_file(jpki_rev_t *rv, const char *path);
int	jpki_rev_set_crl_url(jpki_rev_t *rv, const char *url);
/* http:// or https:// URL of an OCSP responder. */
int	jpki_rev_set_ocsp_url(jpki_rev_t *rv, const char *url);
/* CA certificates (PEM file) that an https:// OCSP responder or CRL URL
 * must chain to, instead of the system store; NULL: the system store. */
int	jpki_rev_set_tls_ca(jpki_rev_t *rv, const char *path);
/* Time the status is wanted for, unix seconds; 0 (default) = now.  A
 * certificate revoked after that time is reported good for it. */
int	jpki_rev_set_time(jpki_rev_t *rv, long long at);
/* OCSP and CRL download timeout, milliseconds (default 10000). */
int	jpki_rev_set_timeout(jpki_rev_t *rv, long ms);

/*
 * How a CRL URL (GET: body NULL) or an OCSP responder (POST of body with
 * Content-Type ctype) is reached.  libjpki has no HTTP client, so that a
 * program that only reads the card links no libcurl: without a fetcher (the
 * default) a URL source answers "unknown" (JPKI_ERR_NOT_SUPPORTED in the
 * detail).  libjpki-platform's jpki_rev_use_http() (jpki/platform.h) sets
 * its libcurl transfer; an application may pass its own.  A fetcher
 * returns JPKI_OK with the 200 response body in *out (malloc'd, at most
 * max bytes; libjpki frees it with free()), or a JPKI_ERR_* code.
 * tls_ca is what jpki_rev_set_tls_ca() set (NULL: the system store).
 */
typedef int (*jpki_rev_fetch_cb_t)(void *arg, const char *url,
    const char *tls_ca, const char *ctype, const uint8_t *body, size_t len,
    size_t max, long timeout_ms, uint8_t **out, size_t *out_len);
int	jpki_rev_set_fetch(jpki_rev_t *rv, jpki_rev_fetch_cb_t fn, void *arg);

typedef struct {
	size_t		  size;	/* sizeof(*this), set by the caller */
	jpki_rev_status_t status;
	int		 reason;	/* RFC 5280 CRLReason, -1 if none */
	const char	*reason_name;	/* "affiliationChanged", ... (static) */
	long long	 revoked_at;	/* unix seconds, 0 if not revoked */
	char		 revoked_at_str[32];	/* RFC 3339 JST */
	long long	 this_update;
	long long	 next_update;	/* 0 if the source gave none */
	char		 source[300];	/* "ocsp <url>", "crl <path or url>" */
	int		 cached;	/* answered from the cache */
	char		 detail[256];	/* why, when unknown */
} jpki_rev_result_t;

/*
 * Status of cert, issued by issuer (needed for the OCSP CertID and to
 * check the CRL or OCSP signature).  Returns JPKI_OK for good,
 * JPKI_ERR_CERT_REVOKED, JPKI_ERR_CERT_STATUS_UNKNOWN (also when no
 * source is set or none can answer), or JPKI_ERR_ARG / JPKI_ERR_NOMEM.
 */
int	jpki_rev_check(jpki_rev_t *rv, const jpki_cert_t *cert,
	    const jpki_cert_t *issuer, jpki_rev_result_t *res);

/*
 * Text AP (券面事項入力補助AP) integrity, jpki-card.md §6.4 and §6.5: a pure
 * function on the raw EF contents as read from the card.
 *   ef0001  My Number EF, exactly its 17 physical bytes (FF 10 0C ... FF FF)
 *   ef0002  basic 4 info EF (FF20 { DF21 offsets, DF22..DF25 }), filler
 *           after the TLV allowed
 *   ef0003  integrity record FF30 { DF31 H(EF 0001), DF32 H(DF22..DF25),
 *           DF33 signature over the DF31 and DF32 TLVs }
 *   ef0004  CV certificate 7F21 { 5F4E body, 5F37 signature over it }
 *   issuer_pem  the CV issuer's public key, PEM "PUBLIC KEY" (SPKI)
 * Signatures are sha256WithRSAEncryption, PKCS#1 v1.5.  Nothing is kept;
 * the My Number is only hashed.  Returns JPKI_OK when authentic,
 * JPKI_ERR_NOT_AUTHENTIC when a hash or signature does not match,
 * JPKI_ERR_PARSE for malformed EFs or key; res (may be NULL) tells which
 * check failed.
 */
typedef struct {
	size_t	 size;	/* sizeof(*this), set by the caller */
	int	 authentic;		/* every check below passed */
	int	 mynumber_hash_ok;	/* DF31 = SHA-256(EF 0001) */
	int	 attrs_hash_ok;		/* DF32 = SHA-256(EF 0002 DF22..DF25) */
	int	 cvc_ok;		/* EF 0004 signed by the issuer key */
	int	 record_sig_ok;		/* DF33 verifies under the CV key */
	char	 issuer_key_id[33];	/* EF 0004 key IDs, hex */
	char	 subject_key_id[33];
	char	 reason[160];		/* "authentic" or the first failure */
} jpki_textap_result_t;

int	jpki_textap_verify(const uint8_t *ef0001, size_t ef0001_len,
	    const uint8_t *ef0002, size_t ef0002_len,
	    const uint8_t *ef0003, size_t ef0003_len,
	    const uint8_t *ef0004, size_t ef0004_len,
	    const char *issuer_pem, size_t issuer_pem_len,
	    jpki_textap_result_t *res);

/*
 * Detached CMS SignedData (RFC 5652) whose RSA operation is done by the
 * caller, usually the card: sign gets the SHA-256 digest of the DER
 * signed attributes and must return a PKCS#1 v1.5 signature (at most
 * *sig_len bytes, set to the length written), e.g. by calling
 * jpki_card_sign(card, key, hash, md, md_len, sig, sig_len).  The result
 * carries the signer certificate and, if given, its CA certificate, and
 * the signed attributes contentType, messageDigest and signingTime
 * (signing_time unix seconds, 0 = now).  The signature is checked against
 * the signer certificate's key before the CMS is returned.  *cms is DER
 * owned by the caller (jpki_free).
 */
typedef int (*jpki_sign_cb_t)(void *arg, jpki_hash_t hash,
	    const uint8_t *md, size_t md_len, uint8_t *sig, size_t *sig_len);

int	jpki_cms_sign(const jpki_cert_t *signer, const jpki_cert_t *ca,
	    const uint8_t *data, size_t len, long long signing_time,
	    jpki_sign_cb_t sign, void *arg, uint8_t **cms, size_t *cms_len);

/*
 * Verify a detached CMS SignedData over data: the signature and content
 * digest, then the signer certificate's chain with v (set its purpose,
 * e.g. JPKI_PURPOSE_SIGN, and time), then, when rv is not NULL, the
 * signer's revocation status (issuer from the CMS certificates or v's
 * anchors).  Returns JPKI_OK, JPKI_ERR_SIGNATURE_INVALID, JPKI_ERR_PARSE,
 * or the chain or revocation error; res (may be NULL) gets the details,
 * and res->chain / res->revocation, when set, those of the signer.
 */
typedef struct {
	size_t			 size;	/* sizeof(*this), set by the caller */
	int			 rc;
	long long		 signing_time;	/* signed attr., 0: none */
	char			 signer_serial_hex[48];
	char			 signer_subject[256];
	/*
	 * Optional, caller-owned (each with its own size set), NULL: not
	 * wanted.  Pointers, not members, so both structs can grow.
	 */
	jpki_verify_result_t	*chain;
	int			 revocation_checked;
	jpki_rev_result_t	*revocation;
	char			 reason[320];	/* "ok" or why not */
} jpki_cms_verify_result_t;

int	jpki_cms_verify(const uint8_t *cms, size_t cms_len,
	    const uint8_t *data, size_t len, const jpki_verify_t *v,
	    jpki_rev_t *rv, jpki_cms_verify_result_t *res);

/*
 * Visual AP (券面事項確認AP) card face, jpki-card.md §7: EF 0002 as read
 * (FF20 { DF21 offsets, DF22 birth, DF23 sex, DF24 public key, DF25 name
 * image, DF26 address image, DF27 photo, DF28 signature, DF29 expiry,
 * DF2A security-code image }) and the AP's CV certificate EF 0004.
 * Authentic when EF 0004 is signed by the issuer key (PEM), DF24 is the
 * key EF 0004 certifies, and DF28 is its sha256WithRSA PKCS#1 v1.5
 * signature over SHA-256(DF22..DF24 TLVs) || SHA-256(DF25..DF26 TLVs) ||
 * SHA-256(DF27 TLV).  DF29 and DF2A are not covered by the signature.
 * Returns as jpki_textap_verify().
 */
typedef struct {
	size_t	 size;	/* sizeof(*this), set by the caller */
	int	 authentic;
	int	 cvc_ok;		/* EF 0004 signed by the issuer key */
	int	 key_match;		/* DF24 = the key EF 0004 certifies */
	int	 face_sig_ok;		/* DF28 verifies under that key */
	char	 issuer_key_id[33];
	char	 subject_key_id[33];
	char	 reason[160];
} jpki_visualap_result_t;

int	jpki_visualap_verify(const uint8_t *ef0002, size_t ef0002_len,
	    const uint8_t *ef0004, size_t ef0004_len,
	    const char *issuer_pem, size_t issuer_pem_len,
	    jpki_visualap_result_t *res);

#ifdef __cplusplus
}
#endif

#endif /* JPKI_CERT_H */
