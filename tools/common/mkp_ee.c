/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * mkprofile: the card's end-entity certificates, auth and sign, with
 * the extension set of a real card (jpki-card.md §9.2, §9.3).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <jpki/err.h>

#include "mkprofile.h"
#include "mkp_int.h"
#include "mkp_x509.h"

static const struct {
	const char	*code;
	const char	*roman;
} munis[] = {
	{ "13101", "Chiyoda-ku" },
	{ "13221", "Kiyose-shi" },
	{ "27100", "Osaka-shi" },
	{ "01100", "Sapporo-shi" },
};


/* 23-character opaque subject ID containing the municipality (§9.2). */
static void
subject_id(gen_t *g, char out[24])
{
	static const char hexd[] = "0123456789ABCDEF";
	int i;

	for (i = 0; i < 8; i++)
		out[i] = hexd[mkp_rng_digit(&g->rng, 16)];
	for (i = 8; i < 14; i++)
		out[i] = (char)('A' + mkp_rng_digit(&g->rng, 26));
	memcpy(out + 14, g->muni, 5);
	for (i = 19; i < 22; i++)
		out[i] = (char)('0' + mkp_rng_digit(&g->rng, 10));
	out[22] = 'A';
	out[23] = '\0';
}

/* '0' per character (UTF-8 code point) of s: substitution flags §9.3. */
static char *
zero_flags(const char *s)
{
	size_t n = 0, i;
	char *f;

	for (i = 0; s[i] != '\0'; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	}
	if ((f = malloc(n + 1)) == NULL)
		return NULL;
	memset(f, '0', n);
	f[n] = '\0';
	return f;
}

static int
sign_san(gen_t *g, X509 *x)
{
	GENERAL_NAMES *gs = NULL;
	char *nf = NULL, *af = NULL, birth[10];
	int era, ey, rc = JPKI_ERR_INTERNAL;

	if ((rc = mkp_era(g->birth, &era, &ey)) != JPKI_OK)
		goto out;
	rc = JPKI_ERR_NOMEM;
	birth[0] = (char)('0' + era);
	memcpy(birth + 1, g->birth, 9);
	if ((nf = zero_flags(g->name)) == NULL ||
	    (af = zero_flags(g->address)) == NULL ||
	    (gs = sk_GENERAL_NAME_new_null()) == NULL)
		goto out;
	/* order seen on a test card: 1, 4, 3, 5, 2, 6 (§9.3) */
	if ((rc = mkp_push_othername(gs, "1.2.392.200149.8.5.5.1", g->name)) !=
	    JPKI_OK ||
	    (rc = mkp_push_othername(gs, "1.2.392.200149.8.5.5.4", birth)) !=
	    JPKI_OK ||
	    (rc = mkp_push_othername(gs, "1.2.392.200149.8.5.5.3", g->sex)) !=
	    JPKI_OK ||
	    (rc = mkp_push_othername(gs, "1.2.392.200149.8.5.5.5",
	    g->address)) != JPKI_OK ||
	    (rc = mkp_push_othername(gs, "1.2.392.200149.8.5.5.2", nf)) !=
	    JPKI_OK ||
	    (rc = mkp_push_othername(gs, "1.2.392.200149.8.5.5.6", af)) !=
	    JPKI_OK)
		goto out;
	rc = JPKI_ERR_INTERNAL;
	if (X509_add1_ext_i2d(x, NID_subject_alt_name, gs, 0,
	    X509V3_ADD_DEFAULT) != 1)
		goto out;
	rc = JPKI_OK;
out:
	free(nf);
	free(af);
	GENERAL_NAMES_free(gs);
	return rc;
}

/*
 * Auth (sign = 0) or sign certificate.  The mock hierarchy uses the
 * production policy OIDs (jpki-card.md §9.2); the O=JPKI-MOCK issuer is
 * what tells it apart.
 */
int
mkp_make_ee(gen_t *g, int sign, EVP_PKEY *issuer_key, X509 *issuer,
    EVP_PKEY *key, const char *serial_hex, X509 **out)
{
	X509 *x = NULL;
	X509_NAME *n = NULL, *san = NULL;
	char id[24], hex[17];
	const char *loc = NULL;
	size_t i;
	int rc = JPKI_ERR_INTERNAL;

	*out = NULL;
	if ((x = X509_new()) == NULL || X509_set_version(x, 2) != 1)
		goto out;
	if (serial_hex == NULL) {
		if ((rc = mkp_random_serial_hex(&g->rng, hex)) != JPKI_OK)
			goto out;
		serial_hex = hex;
	}
	if ((rc = mkp_set_serial_hex(x, serial_hex)) != JPKI_OK)
		goto out;
	rc = JPKI_ERR_INTERNAL;
	if (ASN1_TIME_set(X509_getm_notBefore(x), (time_t)g->nb) == NULL ||
	    ASN1_TIME_set(X509_getm_notAfter(x), (time_t)g->na) == NULL)
		goto out;
	subject_id(g, id);
	if ((n = X509_NAME_new()) == NULL || mkp_name_add(n, "C", "JP") !=
	    JPKI_OK)
		goto out;
	if (sign) {
		for (i = 0; i < sizeof(munis) / sizeof(munis[0]); i++) {
			if (strcmp(munis[i].code, g->muni) == 0)
				loc = munis[i].roman;
		}
		if (mkp_name_add(n, "L", loc != NULL ? loc : "Mock-shi") !=
		    JPKI_OK)
			goto out;
	}
	if (mkp_name_add(n, "CN", id) != JPKI_OK ||
	    X509_set_subject_name(x, n) != 1 ||
	    X509_set_issuer_name(x, X509_get_subject_name(issuer)) != 1 ||
	    X509_set_pubkey(x, key) != 1)
		goto out;
	if ((rc = mkp_add_ext(x, issuer, NID_subject_key_identifier, "hash")) !=
	    JPKI_OK ||
	    (rc = mkp_add_ext(x, issuer, NID_key_usage, sign ?
	    "critical,digitalSignature,nonRepudiation" :
	    "critical,digitalSignature")) != JPKI_OK)
		goto out;
	if (sign) {
		if ((rc = sign_san(g, x)) != JPKI_OK)
			goto out;
	} else {
		/* no personal data in the auth cert's SAN (§9.2) */
		rc = JPKI_ERR_INTERNAL;
		if ((san = X509_NAME_new()) == NULL || mkp_name_add(san, "C",
		    "JP") != JPKI_OK || mkp_name_add(san, "CN", id) != JPKI_OK)
			goto out;
		rc = mkp_add_dirname_ext(x, NID_subject_alt_name, san);
		san = NULL;
		if (rc != JPKI_OK)
			goto out;
	}
	if ((rc = mkp_add_dirname_ext(x, NID_issuer_alt_name,
	    mkp_service_name())) != JPKI_OK ||
	    (rc = mkp_add_ext(x, issuer, NID_basic_constraints, "CA:FALSE")) !=
	    JPKI_OK ||
	    (rc = mkp_add_ext(x, issuer, NID_crl_distribution_points, sign ?
	    "URI:http://127.0.0.1/jlis/v1/crl/sign.crl" :
	    "URI:http://127.0.0.1/jlis/v1/crl/auth.crl")) != JPKI_OK ||
	    (rc = mkp_add_policy(x, sign ? "1.2.392.200149.8.5.1.1.20" :
	    "1.2.392.200149.8.5.1.3.30")) != JPKI_OK ||
	    (rc = mkp_add_ext(x, issuer, NID_authority_key_identifier,
	    "keyid:always")) != JPKI_OK ||
	    (!sign && (rc = mkp_add_ext(x, issuer, NID_ext_key_usage,
	    "clientAuth")) != JPKI_OK) ||
	    (rc = mkp_add_ext(x, issuer, NID_info_access,
	    "OCSP;URI:http://127.0.0.1/jlis/v1/ocsp")) != JPKI_OK)
		goto out;
	if ((rc = mkp_sign_x509(x, issuer_key)) != JPKI_OK)
		goto out;
	*out = x;
	x = NULL;
out:
	X509_NAME_free(n);
	X509_NAME_free(san);
	X509_free(x);
	return rc;
}
