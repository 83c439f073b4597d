/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Card profile generator: the mock JPKI hierarchy (jpki-card.md §9), end
 * entity certificates with the extension set of a real card (§9.2, §9.3),
 * CV certificates of the text and visual APs (§6.5) and profile.conf.
 * Everything generated here is synthetic test data.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <jpki/err.h>

#include "mkprofile.h"
#include "mkp_int.h"
#include "mkp_x509.h"

/* Validity per jpki-card.md §9.2. */
static int
validity(gen_t *g)
{
	int iy, im, id, by, bm, bd, y, d, rc;

	if ((rc = mkp_parse_date(g->birth, &by, &bm, &bd)) != JPKI_OK)
		return rc;
	g->nb = g->p->not_before;
	if (g->nb == 0) {
		mkp_jst_date((long long)time(NULL), &iy, &im, &id);
		g->nb = mkp_jst_time(iy, im, id, 0, 0, 0);
	}
	g->na = g->p->not_after;
	if (g->na == 0) {
		mkp_jst_date(g->nb, &iy, &im, &id);
		/* first birthday strictly after the issuance day, plus 4 */
		y = (bm > im || (bm == im && bd > id)) ? iy : iy + 1;
		y += 4;
		d = (bm == 2 && bd == 29 && !mkp_is_leap(y)) ? 28 : bd;
		g->na = mkp_jst_time(y, bm, d, 23, 59, 59);
	}
	return g->na > g->nb ? JPKI_OK : JPKI_ERR_ARG;
}

int
mkp_write_profile(const mkp_ca_t *ca, const mkp_params_t *p,
    char *auth_serial_out, char *sign_serial_out)
{
	gen_t g;
	EVP_PKEY *ak = NULL, *sk = NULL, *tk = NULL, *vk = NULL;
	X509 *ac = NULL, *sc = NULL;
	unsigned char cvc[568];
	char mynumber[13], expiry[9];
	int rc, y, m, d;

	if (auth_serial_out != NULL)
		auth_serial_out[0] = '\0';
	if (sign_serial_out != NULL)
		sign_serial_out[0] = '\0';
	if (ca == NULL || (rc = mkp_check_params(p)) != JPKI_OK)
		return JPKI_ERR_ARG;
	memset(&g, 0, sizeof(g));
	g.p = p;
	g.name = p->name != NULL ? p->name : "試験\xe3\x80\x80花子";
	g.address = p->address != NULL ? p->address :
	    "東京都千代田区千代田１－１－１";
	g.birth = p->birth != NULL ? p->birth : "19800217";
	g.sex = p->sex != NULL ? p->sex : "2";
	g.muni = p->municipality != NULL ? p->municipality : "13101";
	g.rng.seeded = p->seed != 0;
	g.rng.s = (uint64_t)p->seed;
	if ((rc = validity(&g)) != JPKI_OK)
		goto out;
	if ((rc = mkp_mkdir_p(p->out_dir)) != JPKI_OK)
		goto out;
	if (!p->overwrite && mkp_file_exists(p->out_dir, "profile.conf")) {
		fprintf(stderr, "mkprofile: %s already holds a profile\n",
		    p->out_dir);
		rc = JPKI_ERR_BUSY;
		goto out;
	}
	if (p->mynumber != NULL)
		memcpy(mynumber, p->mynumber, 13);
	else
		mkp_random_mynumber(&g.rng, mynumber);
	if (p->card_expiry != NULL) {
		memcpy(expiry, p->card_expiry, 9);
	} else {
		mkp_jst_date(g.na, &y, &m, &d);
		(void)snprintf(expiry, sizeof(expiry), "%04u%02u%02u",
		    (unsigned)y % 10000u, (unsigned)m % 100u,
		    (unsigned)d % 100u);
	}
	rc = JPKI_ERR_INTERNAL;
	if ((ak = mkp_gen_rsa()) == NULL || (tk = mkp_gen_rsa()) == NULL ||
	    (vk = mkp_gen_rsa()) == NULL)
		goto out;
	if ((rc = mkp_make_ee(&g, 0, ca->auth_key, ca->auth_crt, ak,
	    p->auth_serial_hex, &ac)) != JPKI_OK)
		goto out;
	if (!p->no_sign_cert) {
		rc = JPKI_ERR_INTERNAL;
		if ((sk = mkp_gen_rsa()) == NULL)
			goto out;
		if ((rc = mkp_make_ee(&g, 1, ca->sign_key, ca->sign_crt, sk,
		    p->sign_serial_hex, &sc)) != JPKI_OK)
			goto out;
	}
	/* a stale lockout or sign cert must not survive a re-issue */
	if (p->overwrite) {
		mkp_remove_file(p->out_dir, "state");
		mkp_remove_file(p->out_dir, "sign.crt");
		mkp_remove_file(p->out_dir, "sign.key");
	}
	if ((rc = mkp_write_key(p->out_dir, "auth.key", ak, 1)) != JPKI_OK ||
	    (rc = mkp_write_cert(p->out_dir, "auth.crt", ac)) != JPKI_OK ||
	    (rc = mkp_write_cert(p->out_dir, "auth-ca.crt", ca->auth_crt)) !=
	    JPKI_OK ||
	    (rc = mkp_write_cert(p->out_dir, "sign-ca.crt", ca->sign_crt)) !=
	    JPKI_OK ||
	    (sc != NULL && (rc = mkp_write_key(p->out_dir, "sign.key", sk,
	    1)) != JPKI_OK) ||
	    (sc != NULL && (rc = mkp_write_cert(p->out_dir, "sign.crt", sc)) !=
	    JPKI_OK) ||
	    (rc = mkp_write_key(p->out_dir, "text-ap.key", tk, 1)) != JPKI_OK ||
	    (rc = mkp_make_cvc(ca->cv_key, tk, "9000033", cvc)) != JPKI_OK ||
	    (rc = mkp_write_file(p->out_dir, "text-ap.cvc", cvc, sizeof(cvc),
	    0644)) != JPKI_OK ||
	    (rc = mkp_write_key(p->out_dir, "visual-ap.key", vk, 1)) !=
	    JPKI_OK ||
	    (rc = mkp_make_cvc(ca->cv_key, vk, "9000023", cvc)) != JPKI_OK ||
	    (rc = mkp_write_file(p->out_dir, "visual-ap.cvc", cvc, sizeof(cvc),
	    0644)) != JPKI_OK ||
	    (rc = mkp_write_key(p->out_dir, "cv-ca.pub", ca->cv_key, 0)) !=
	    JPKI_OK)
		goto out;
	/* profile.conf last: its presence marks a complete profile */
	if ((rc = mkp_write_conf(&g, mynumber, expiry)) != JPKI_OK)
		goto out;
	if (auth_serial_out != NULL && (rc = mkp_serial_out(ac,
	    auth_serial_out)) != JPKI_OK)
		goto out;
	if (sign_serial_out != NULL && sc != NULL && (rc = mkp_serial_out(sc,
	    sign_serial_out)) != JPKI_OK)
		goto out;
	rc = JPKI_OK;
out:
	OPENSSL_cleanse(mynumber, sizeof(mynumber));
	EVP_PKEY_free(ak);
	EVP_PKEY_free(sk);
	EVP_PKEY_free(tk);
	EVP_PKEY_free(vk);
	X509_free(ac);
	X509_free(sc);
	return rc;
}
