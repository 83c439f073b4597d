/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Load a card profile (docs/cardsim-profile.md) and build the card's file
 * system: JPKI AP (jpki-card.md §5), text AP (§6), visual AP (§7), common
 * AP and 住基AP (§8).  Records that a real card signs are signed here with
 * the profile's AP keys, so hosts can check them against cv-ca.pub.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <jpki/err.h>

#include "buf.h"
#include "secure.h"
#include "tlv.h"
#include "cardsim.h"
#include "../common/mkprofile.h"

#define MAX_FILE	(32 * 1024)	/* READ BINARY offsets are 15-bit */

static const uint8_t aid_jpki[] = { 0xd3, 0x92, 0xf0, 0x00, 0x26, 0x01,
	0x00, 0x00, 0x00, 0x01 };
static const uint8_t aid_text[] = { 0xd3, 0x92, 0x10, 0x00, 0x31, 0x00,
	0x01, 0x01, 0x04, 0x08 };
static const uint8_t aid_visual[] = { 0xd3, 0x92, 0x10, 0x00, 0x31, 0x00,
	0x01, 0x01, 0x04, 0x02 };
static const uint8_t aid_common[] = { 0xd3, 0x92, 0x10, 0x00, 0x31, 0x00,
	0x01, 0x01, 0x01, 0x00 };
static const uint8_t aid_juki[] = { 0xd3, 0x92, 0x10, 0x00, 0x31, 0x00,
	0x01, 0x01, 0x04, 0x01 };

/* 16-byte key reference of the mock hierarchy (jpki-card.md §6.5). */
static const uint8_t key_ref[16] = { '9', '0', '0', '0', '0', '0', '1',
	0x08, 0x05, '0', '0', '1', 0, 0, 0, 0 };

typedef struct {
	cardsim_t	*c;
	char		*err;
	size_t		 errlen;
} bctx_t;

static void
fail(bctx_t *b, const char *what, const char *name)
{
	if (b->err != NULL && b->errlen > 0)
		(void)snprintf(b->err, b->errlen, "%s%s%s", what,
		    name != NULL ? ": " : "", name != NULL ? name : "");
}

static int
read_all(const char *dir, const char *name, uint8_t **out, size_t *outlen)
{
	char path[4096];
	FILE *f = NULL;
	uint8_t *p = NULL;
	size_t n;
	int rc = JPKI_ERR_IO;

	*out = NULL;
	*outlen = 0;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path))
		return JPKI_ERR_ARG;
	if ((f = fopen(path, "rb")) == NULL)
		return JPKI_ERR_IO;
	if ((p = malloc(MAX_FILE + 1)) == NULL) {
		rc = JPKI_ERR_NOMEM;
		goto out;
	}
	n = fread(p, 1, MAX_FILE + 1, f);
	if (ferror(f))
		goto out;
	if (n > MAX_FILE || n == 0) {
		rc = JPKI_ERR_TOO_LARGE;
		goto out;
	}
	*out = p;
	*outlen = n;
	p = NULL;
	rc = JPKI_OK;
out:
	fclose(f);
	free(p);
	return rc;
}

static int
load_key(bctx_t *b, const char *name, EVP_PKEY **k)
{
	uint8_t *p = NULL;
	size_t n = 0;
	BIO *bio = NULL;
	int rc;

	if ((rc = read_all(b->c->dir, name, &p, &n)) != JPKI_OK) {
		fail(b, "cannot read", name);
		goto out;
	}
	rc = JPKI_ERR_PARSE;
	if ((bio = BIO_new_mem_buf(p, (int)n)) == NULL ||
	    (*k = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL)) == NULL ||
	    EVP_PKEY_get_base_id(*k) != EVP_PKEY_RSA ||
	    EVP_PKEY_get_bits(*k) != 2048) {
		fail(b, "not an RSA-2048 private key", name);
		goto out;
	}
	rc = JPKI_OK;
out:
	BIO_free(bio);
	jpki_free_secret(p, n);
	return rc;
}

/* A DER certificate whose key must match k; stored exactly (§5.3). */
static int
load_cert(bctx_t *b, const char *name, EVP_PKEY *k, uint8_t **der,
    size_t *len)
{
	const uint8_t *q;
	X509 *x = NULL;
	int rc;

	if ((rc = read_all(b->c->dir, name, der, len)) != JPKI_OK) {
		fail(b, "cannot read", name);
		return rc;
	}
	q = *der;
	rc = JPKI_ERR_PARSE;
	if ((x = d2i_X509(NULL, &q, (long)*len)) == NULL || q != *der +
	    *len || *len < 4 || (*der)[1] != 0x82) {
		/* OpenSC sizes the EF from a 30 82 HH LL header (§5.3) */
		fail(b, "not a DER certificate with a 2-byte length", name);
		goto out;
	}
	if (k != NULL && X509_check_private_key(x, k) != 1) {
		fail(b, "certificate does not match its key", name);
		goto out;
	}
	rc = JPKI_OK;
out:
	X509_free(x);
	if (rc != JPKI_OK) {
		free(*der);
		*der = NULL;
	}
	return rc;
}

static ef_t *
add_ef(df_t *d, uint16_t fid, int kind)
{
	ef_t *e;

	if (d->nef >= DF_MAX_EF)
		return NULL;
	e = &d->ef[d->nef++];
	memset(e, 0, sizeof(*e));
	e->fid = fid;
	e->kind = kind;
	e->acc[0] = ACC_FREE;
	e->acc[1] = e->acc[2] = -2;
	e->pin = e->key = e->key_pin = -1;
	return e;
}

static int
add_bin(df_t *d, uint16_t fid, uint8_t *data, size_t len, int a0, int a1,
    int a2)
{
	ef_t *e;

	if ((e = add_ef(d, fid, EF_BIN)) == NULL) {
		free(data);
		return JPKI_ERR_INTERNAL;
	}
	e->data = data;
	e->len = len;
	e->acc[0] = a0;
	e->acc[1] = a1;
	e->acc[2] = a2;
	return JPKI_OK;
}

static int
add_copy(df_t *d, uint16_t fid, const void *data, size_t len, int a0,
    int a1, int a2)
{
	uint8_t *p;

	if ((p = malloc(len)) == NULL)
		return JPKI_ERR_NOMEM;
	memcpy(p, data, len);
	return add_bin(d, fid, p, len, a0, a1, a2);
}

static int
add_pin(df_t *d, uint16_t fid, int pin)
{
	ef_t *e;

	if ((e = add_ef(d, fid, EF_PIN)) == NULL)
		return JPKI_ERR_INTERNAL;
	e->pin = pin;
	return JPKI_OK;
}

static int
add_key(df_t *d, uint16_t fid, int key, int pin)
{
	ef_t *e;

	if ((e = add_ef(d, fid, EF_KEY)) == NULL)
		return JPKI_ERR_INTERNAL;
	e->key = key;
	e->key_pin = pin;
	return JPKI_OK;
}

/* Move a writer's contents into a new EF. */
static int
add_wr(df_t *d, uint16_t fid, buf_wr_t *w, int a0, int a1, int a2)
{
	uint8_t *p;
	size_t n;

	if (!buf_wr_ok(w) || (p = buf_wr_take(w, &n)) == NULL)
		return JPKI_ERR_TOO_LARGE;
	return add_bin(d, fid, p, n, a0, a1, a2);
}

static int
sign_sha256(EVP_PKEY *k, const uint8_t *data, size_t len, uint8_t sig[256])
{
	EVP_MD_CTX *md = NULL;
	size_t sl = 256;
	int rc = JPKI_ERR_INTERNAL;

	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k) != 1 ||
	    EVP_DigestSign(md, sig, &sl, data, len) != 1 || sl != 256)
		goto out;
	rc = JPKI_OK;
out:
	EVP_MD_CTX_free(md);
	return rc;
}

static int
sha256(const uint8_t *data, size_t len, uint8_t out[32])
{
	unsigned int n = 32;

	return EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) == 1 ?
	    JPKI_OK : JPKI_ERR_INTERNAL;
}

/* 90 03 010001 91 82 0100 <modulus> (jpki-card.md §6.5). */
static int
put_pubkey(buf_wr_t *w, EVP_PKEY *k)
{
	static const uint8_t e[] = { 0x01, 0x00, 0x01 };
	uint8_t mod[256];
	BIGNUM *n = NULL;
	int rc = JPKI_ERR_INTERNAL;

	if (EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &n) != 1 ||
	    BN_bn2binpad(n, mod, 256) != 256)
		goto out;
	tlv_put(w, 0x90, e, sizeof(e));
	buf_put_u8(w, 0x91);
	buf_put_u8(w, 0x82);
	buf_put_u16(w, 256);
	buf_put_bytes(w, mod, 256);
	rc = JPKI_OK;
out:
	BN_free(n);
	return rc;
}

/* Tag + 82 HH LL: the long form real cards use even for short values. */
static void
put_hdr82(buf_wr_t *w, uint16_t tag, size_t len)
{
	buf_put_u16(w, tag);
	buf_put_u8(w, 0x82);
	buf_put_u16(w, (uint16_t)len);
}

static void
pad_ff(buf_wr_t *w, size_t to)
{
	while (buf_wr_ok(w) && w->len < to)
		buf_put_u8(w, 0xff);
}

/* ---- JPKI AP (§5) ---------------------------------------------------- */

static void
put_padded(buf_wr_t *w, const char *s, size_t n)
{
	size_t l = strlen(s);

	buf_put_bytes(w, s, l < n ? l : n);
	while (l++ < n)
		buf_put_u8(w, ' ');
}

static int
build_jpki(bctx_t *b)
{
	cardsim_t *c = b->c;
	df_t *d = &c->df[DF_JPKI];
	uint8_t *der = NULL, avail[3];
	size_t n = 0;
	buf_wr_t w;
	int i, rc, has_sign;

	buf_wr_init(&w, 160, 0);
	d->name = "JPKI";
	memcpy(d->aid, aid_jpki, sizeof(aid_jpki));
	d->aidlen = sizeof(aid_jpki);
	d->def_key = -1;
	has_sign = c->key[K_SIGN] != NULL;
	if (has_sign) {
		if ((rc = load_cert(b, "sign.crt", c->key[K_SIGN], &der, &n)) !=
		    JPKI_OK || (rc = add_bin(d, 0x0001, der, n, P_SIGN, -2,
		    -2)) != JPKI_OK)
			goto out;
	}
	if ((rc = load_cert(b, "sign-ca.crt", NULL, &der, &n)) != JPKI_OK ||
	    (rc = add_bin(d, 0x0002, der, n, ACC_FREE, -2, -2)) != JPKI_OK)
		goto out;
	/* token information: CK_TOKEN_INFO, 160 bytes (§5.2) */
	put_padded(&w, c->conf.label, 32);
	put_padded(&w, "libjpki jpki-cardsim", 32);
	put_padded(&w, "CARDSIM1", 16);
	put_padded(&w, c->conf.token_serial, 16);
	buf_put_u32(&w, 0x0000040d);
	buf_put_u32(&w, 1);
	buf_put_u32(&w, 0);
	buf_put_u32(&w, 1);
	buf_put_u32(&w, 0);
	buf_put_u32(&w, 16);
	buf_put_u32(&w, 6);
	for (i = 0; i < 4; i++)
		buf_put_u32(&w, 0xffffffff);
	buf_put_bytes(&w, "0101", 4);	/* hardware, firmware version */
	put_padded(&w, "", 16);		/* utcTime: not set */
	if ((rc = add_wr(d, 0x0006, &w, ACC_FREE, -2, -2)) != JPKI_OK)
		goto out;
	avail[0] = has_sign ? 0x8f : 0x00;
	avail[1] = 0x8f;
	avail[2] = 0x00;
	if ((rc = add_copy(d, 0x0008, avail, 3, ACC_FREE, -2, -2)) !=
	    JPKI_OK)
		goto out;
	/* tamper = auth-key (test only): auth.key is not the certificate's
	 * key, as on a card carrying a copied certificate */
	if ((rc = load_cert(b, "auth.crt", strcmp(c->conf.tamper,
	    "auth-key") == 0 ? NULL : c->key[K_AUTH], &der, &n)) !=
	    JPKI_OK || (rc = add_bin(d, 0x000a, der, n, ACC_FREE, -2, -2)) !=
	    JPKI_OK)
		goto out;
	if ((rc = load_cert(b, "auth-ca.crt", NULL, &der, &n)) != JPKI_OK ||
	    (rc = add_bin(d, 0x000b, der, n, ACC_FREE, -2, -2)) != JPKI_OK)
		goto out;
	if ((rc = add_key(d, 0x0017, K_AUTH, P_AUTH)) != JPKI_OK ||
	    (rc = add_pin(d, 0x0018, P_AUTH)) != JPKI_OK ||
	    (has_sign && (rc = add_key(d, 0x001a, K_SIGN, P_SIGN)) !=
	    JPKI_OK) ||
	    (rc = add_pin(d, 0x001b, P_SIGN)) != JPKI_OK)
		goto out;
	rc = JPKI_OK;
out:
	buf_wr_free(&w);
	return rc;
}

/* ---- text AP (§6) ----------------------------------------------------- */

/*
 * EF 0002: FF20 { DF21 offsets, DF22 name, DF23 address, DF24 birth,
 * DF25 sex }, offsets of the DF22..DF25 tags counted from the file start,
 * short-form outer length when it fits (§6.3).  *body gets the DF22..DF25
 * TLVs (hashed into EF 0003, §6.4).
 */
static int
text_basic(const cs_conf_t *cf, const char *name, buf_wr_t *file,
    buf_wr_t *body)
{
	size_t inner, hdr, off;
	uint8_t *p;
	size_t n;

	tlv_put(body, 0xdf22, name, strlen(name));
	tlv_put(body, 0xdf23, cf->address, strlen(cf->address));
	tlv_put(body, 0xdf24, cf->birth, 8);
	tlv_put(body, 0xdf25, cf->sex, 1);
	if (!buf_wr_ok(body))
		return JPKI_ERR_TOO_LARGE;
	inner = 11 + body->len;
	hdr = 2 + tlv_len_size(inner);
	tlv_put_hdr(file, 0xff20, inner);
	tlv_put_hdr(file, 0xdf21, 8);
	off = hdr + 11;
	p = body->p;
	n = body->len;
	/* offsets of the four tags, walking the body's TLVs */
	{
		buf_rd_t r;
		tlv_t t;
		int i;

		buf_rd_init(&r, p, n);
		for (i = 0; i < 4; i++) {
			buf_put_u16(file, (uint16_t)off);
			if (tlv_read(&r, &t) != JPKI_OK)
				return JPKI_ERR_INTERNAL;
			off += t.hdr_len + t.len;
		}
	}
	buf_put_bytes(file, p, n);
	return buf_wr_ok(file) ? JPKI_OK : JPKI_ERR_TOO_LARGE;
}

static int
wareki6(const char *birth, char out[7])
{
	int era, ey, rc;

	if ((rc = mkp_era(birth, &era, &ey)) != JPKI_OK)
		return rc;
	out[0] = (char)('0' + (ey / 10) % 10);
	out[1] = (char)('0' + ey % 10);
	memcpy(out + 2, birth + 4, 4);
	out[6] = '\0';
	return JPKI_OK;
}

static int
build_text(bctx_t *b)
{
	cardsim_t *c = b->c;
	df_t *d = &c->df[DF_TEXT];
	const cs_conf_t *cf = &c->conf;
	buf_wr_t f2, body, f3, rec, tmp;
	uint8_t ef1[17], h[32], sig[256], *cvc = NULL;
	size_t ncvc = 0;
	int rc = JPKI_ERR_INTERNAL;
	const int any[3] = { P_TEXT, P_TEXT_A, P_TEXT_B };

	buf_wr_init(&f2, MAX_FILE, 1);
	buf_wr_init(&body, MAX_FILE, 1);
	buf_wr_init(&f3, 512, 0);
	buf_wr_init(&rec, 512, 0);
	buf_wr_init(&tmp, MAX_FILE, 1);
	d->name = "text";
	memcpy(d->aid, aid_text, sizeof(aid_text));
	d->aidlen = sizeof(aid_text);
	d->def_key = K_TEXT;
	/* EF 0001: FF 10 0C <12 digits> FF FF, 17 bytes (§6.2) */
	ef1[0] = 0xff;
	ef1[1] = 0x10;
	ef1[2] = 0x0c;
	memcpy(ef1 + 3, cf->mynumber, 12);
	ef1[15] = ef1[16] = 0xff;
	if ((rc = text_basic(cf, cf->name, &f2, &body)) != JPKI_OK)
		goto out;
	/* EF 0003: DF31 H(EF0001), DF32 H(DF22..DF25), DF33 sig (§6.4) */
	if ((rc = sha256(ef1, sizeof(ef1), h)) != JPKI_OK)
		goto out;
	tlv_put(&rec, 0xdf31, h, 32);
	if ((rc = sha256(body.p, body.len, h)) != JPKI_OK)
		goto out;
	tlv_put(&rec, 0xdf32, h, 32);
	if (!buf_wr_ok(&rec) || (rc = sign_sha256(c->key[K_TEXT], rec.p,
	    rec.len, sig)) != JPKI_OK)
		goto out;
	put_hdr82(&f3, 0xff30, rec.len + 5 + 256);
	buf_put_bytes(&f3, rec.p, rec.len);
	put_hdr82(&f3, 0xdf33, 256);
	buf_put_bytes(&f3, sig, 256);
	if (strcmp(cf->tamper, "text-name") == 0) {
		/* test only: the data no longer matches EF 0003 */
		buf_wr_free(&f2);
		buf_wr_free(&body);
		if ((rc = text_basic(cf, "改竄\xe3\x80\x80太郎", &f2,
		    &body)) != JPKI_OK)
			goto out;
	}
	if ((rc = add_copy(d, 0x0001, ef1, sizeof(ef1), P_TEXT, P_TEXT_A,
	    -2)) != JPKI_OK ||
	    (rc = add_wr(d, 0x0002, &f2, P_TEXT, P_TEXT_B, -2)) != JPKI_OK ||
	    (rc = add_wr(d, 0x0003, &f3, any[0], any[1], any[2])) != JPKI_OK)
		goto out;
	if ((rc = read_all(c->dir, "text-ap.cvc", &cvc, &ncvc)) != JPKI_OK ||
	    ncvc != 568) {
		fail(b, "CV certificate must be 568 bytes", "text-ap.cvc");
		rc = JPKI_ERR_PARSE;
		goto out;
	}
	if ((rc = add_copy(d, 0x0004, cvc, ncvc, ACC_FREE, -2, -2)) !=
	    JPKI_OK)
		goto out;
	/* EF 0005: AP basic info, FF40 82 009F {...} + FF filler (§6.5) */
	put_hdr82(&tmp, 0xff40, 0x9f);
	tlv_put(&tmp, 0xdf41, "\x01\x03\x0e\x01", 4);
	tlv_put(&tmp, 0xdf42, key_ref, 16);
	put_hdr82(&tmp, 0xdf43, 128);
	buf_put_bytes(&tmp, key_ref, 16);
	buf_put_bytes(&tmp, key_ref, 16);
	pad_ff(&tmp, 256);
	if ((rc = add_wr(d, 0x0005, &tmp, ACC_FREE, -2, -2)) != JPKI_OK)
		goto out;
	/* EF 0006: SM key-delivery public key A1 { 90, 91 } (§6.1) */
	buf_wr_init(&tmp, 512, 0);
	buf_put_bytes(&tmp, "\xa1\x82\x01\x09", 4);
	if ((rc = put_pubkey(&tmp, c->key[K_TEXT])) != JPKI_OK ||
	    (rc = add_wr(d, 0x0006, &tmp, any[0], any[1], any[2])) !=
	    JPKI_OK)
		goto out;
	/* EF 0007: FF50 { DF51 AP public key, DF52 issuer signature } */
	buf_wr_init(&tmp, 1024, 0);
	put_hdr82(&tmp, 0xff50, 5 + 265 + 5 + 256);
	put_hdr82(&tmp, 0xdf51, 265);
	if ((rc = put_pubkey(&tmp, c->key[K_TEXT])) != JPKI_OK)
		goto out;
	put_hdr82(&tmp, 0xdf52, 256);
	buf_put_bytes(&tmp, cvc + 568 - 256, 256);
	if ((rc = add_wr(d, 0x0007, &tmp, any[0], any[1], any[2])) != JPKI_OK)
		goto out;
	memset(sig, 0xff, 16);
	if ((rc = add_copy(d, 0x0008, sig, 16, any[0], any[1], any[2])) !=
	    JPKI_OK)
		goto out;
	if ((rc = add_pin(d, 0x0011, P_TEXT)) != JPKI_OK ||
	    (rc = add_pin(d, 0x0012, P_TEXT_BLOCKED)) != JPKI_OK ||
	    (rc = add_key(d, 0x0013, K_TEXT, -1)) != JPKI_OK ||
	    (rc = add_pin(d, 0x0014, P_TEXT_A)) != JPKI_OK ||
	    (rc = add_pin(d, 0x0015, P_TEXT_B)) != JPKI_OK)
		goto out;
	rc = JPKI_OK;
out:
	jpki_secure_zero(ef1, sizeof(ef1));
	free(cvc);
	buf_wr_free(&f2);
	buf_wr_free(&body);
	buf_wr_free(&f3);
	buf_wr_free(&rec);
	buf_wr_free(&tmp);
	return rc;
}

/* ---- visual AP (§7) --------------------------------------------------- */

static int
load_or_png(cardsim_t *c, const char *name, const char *text, unsigned w,
    unsigned h, uint8_t **out, size_t *len)
{
	if (name != NULL && read_all(c->dir, name, out, len) == JPKI_OK)
		return JPKI_OK;
	return png_text(text, w, h, out, len);
}

/*
 * EF 0002 card face.  DF28 = sha256WithRSA (PKCS#1 v1.5, visual-ap.key)
 * over H1 || H2 || H3, H1 = SHA-256(DF22 DF23 DF24 TLVs), H2 =
 * SHA-256(DF25 DF26 TLVs), H3 = SHA-256(DF27 TLV) (docs/cardsim-profile.md).
 */
static int
visual_face(bctx_t *b, buf_wr_t *f)
{
	cardsim_t *c = b->c;
	const cs_conf_t *cf = &c->conf;
	buf_wr_t s1, s2, s3, rest;
	uint8_t *img = NULL, hh[96], sig[256];
	size_t nimg = 0, off, inner;
	const char *const imgs[] = { "face/name.png", "face/address.png" };
	const char *const txt[] = { cf->name, cf->address };
	int i, rc = JPKI_ERR_INTERNAL;
	uint32_t seed = 0;

	buf_wr_init(&s1, 1024, 1);
	buf_wr_init(&s2, MAX_FILE, 1);
	buf_wr_init(&s3, MAX_FILE, 1);
	buf_wr_init(&rest, 1024, 1);
	tlv_put(&s1, 0xdf22, cf->birth, 8);
	tlv_put(&s1, 0xdf23, cf->sex, 1);
	put_hdr82(&s1, 0xdf24, 265);
	if ((rc = put_pubkey(&s1, c->key[K_VISUAL])) != JPKI_OK)
		goto out;
	for (i = 0; i < 2; i++) {
		if ((rc = load_or_png(c, imgs[i], txt[i], 64, 28, &img,
		    &nimg)) != JPKI_OK)
			goto out;
		tlv_put(&s2, (uint32_t)(0xdf25 + i), img, nimg);
		free(img);
		img = NULL;
	}
	if (read_all(c->dir, "face/photo.jp2", &img, &nimg) != JPKI_OK) {
		for (i = 0; i < 12; i++)
			seed = seed * 31u + (uint8_t)cf->mynumber[i];
		if ((rc = png_photo(48, 60, seed, &img, &nimg)) != JPKI_OK)
			goto out;
	}
	tlv_put(&s3, 0xdf27, img, nimg);
	free(img);
	img = NULL;
	rc = JPKI_ERR_TOO_LARGE;
	if (!buf_wr_ok(&s1) || !buf_wr_ok(&s2) || !buf_wr_ok(&s3))
		goto out;
	if ((rc = sha256(s1.p, s1.len, hh)) != JPKI_OK ||
	    (rc = sha256(s2.p, s2.len, hh + 32)) != JPKI_OK ||
	    (rc = sha256(s3.p, s3.len, hh + 64)) != JPKI_OK ||
	    (rc = sign_sha256(c->key[K_VISUAL], hh, sizeof(hh), sig)) !=
	    JPKI_OK)
		goto out;
	if (strcmp(cf->tamper, "visual-photo") == 0) {
		/* test only: another valid photo, DF28 no longer matches */
		buf_wr_free(&s3);
		buf_wr_init(&s3, MAX_FILE, 1);
		if ((rc = png_photo(48, 60, seed ^ 0xa5a5a5a5u, &img,
		    &nimg)) != JPKI_OK)
			goto out;
		tlv_put(&s3, 0xdf27, img, nimg);
		free(img);
		img = NULL;
		rc = JPKI_ERR_TOO_LARGE;
		if (!buf_wr_ok(&s3))
			goto out;
	}
	put_hdr82(&rest, 0xdf28, 256);
	buf_put_bytes(&rest, sig, 256);
	tlv_put(&rest, 0xdf29, cf->expiry, 8);
	if ((rc = png_text(cf->security_code, 24, 12, &img, &nimg)) !=
	    JPKI_OK)
		goto out;
	tlv_put(&rest, 0xdf2a, img, nimg);
	rc = JPKI_ERR_TOO_LARGE;
	if (!buf_wr_ok(&rest))
		goto out;
	/* FF20 82 HH LL { DF21 12 <9 offsets> ... } */
	inner = 3 + 18 + s1.len + s2.len + s3.len + rest.len;
	put_hdr82(f, 0xff20, inner);
	tlv_put_hdr(f, 0xdf21, 18);
	off = 5 + 3 + 18;
	{
		const buf_wr_t *segs[] = { &s1, &s2, &s3, &rest };
		size_t si;

		for (si = 0; si < 4; si++) {
			buf_rd_t r;
			tlv_t t;

			buf_rd_init(&r, segs[si]->p, segs[si]->len);
			while (buf_rd_left(&r) > 0) {
				if (tlv_read(&r, &t) != JPKI_OK) {
					rc = JPKI_ERR_INTERNAL;
					goto out;
				}
				buf_put_u16(f, (uint16_t)off);
				off += t.hdr_len + t.len;
			}
		}
	}
	buf_put_bytes(f, s1.p, s1.len);
	buf_put_bytes(f, s2.p, s2.len);
	buf_put_bytes(f, s3.p, s3.len);
	buf_put_bytes(f, rest.p, rest.len);
	rc = buf_wr_ok(f) && f->len == inner + 5 ? JPKI_OK :
	    JPKI_ERR_TOO_LARGE;
out:
	free(img);
	buf_wr_free(&s1);
	buf_wr_free(&s2);
	buf_wr_free(&s3);
	buf_wr_free(&rest);
	return rc;
}

static int
build_visual(bctx_t *b)
{
	cardsim_t *c = b->c;
	df_t *d = &c->df[DF_VISUAL];
	const cs_conf_t *cf = &c->conf;
	buf_wr_t w, sub;
	uint8_t sig[256], *cvc = NULL, *img = NULL;
	size_t ncvc = 0, nimg = 0;
	int rc = JPKI_ERR_INTERNAL;

	buf_wr_init(&w, MAX_FILE, 1);
	buf_wr_init(&sub, 2048, 1);
	d->name = "visual";
	memcpy(d->aid, aid_visual, sizeof(aid_visual));
	d->aidlen = sizeof(aid_visual);
	d->def_key = K_VISUAL;
	/* EF 0001 age record FF10 { DF11 birth, DF12 key, DF13 sig } */
	tlv_put(&sub, 0xdf11, cf->birth, 8);
	put_hdr82(&sub, 0xdf12, 265);
	if ((rc = put_pubkey(&sub, c->key[K_VISUAL])) != JPKI_OK ||
	    !buf_wr_ok(&sub) || (rc = sign_sha256(c->key[K_VISUAL], sub.p,
	    sub.len, sig)) != JPKI_OK)
		goto out;
	put_hdr82(&w, 0xff10, sub.len + 5 + 256);
	buf_put_bytes(&w, sub.p, sub.len);
	put_hdr82(&w, 0xdf13, 256);
	buf_put_bytes(&w, sig, 256);
	if ((rc = add_wr(d, 0x0001, &w, P_VIS_BIRTH, -2, -2)) != JPKI_OK)
		goto out;
	buf_wr_init(&w, MAX_FILE, 1);
	if ((rc = visual_face(b, &w)) != JPKI_OK ||
	    (rc = add_wr(d, 0x0002, &w, P_VIS_A, P_VIS_B, -2)) != JPKI_OK)
		goto out;
	/* EF 0003 basic info FF30 { DF31..DF35 } (free) */
	buf_wr_init(&w, 1024, 0);
	put_hdr82(&w, 0xff30, 7 + 19 + 4 + 8 + 5 + 272);
	tlv_put(&w, 0xdf31, "\x06\x03\x0e\x01", 4);
	tlv_put(&w, 0xdf32, key_ref, 16);
	tlv_put(&w, 0xdf33, "\x01", 1);
	tlv_put(&w, 0xdf34, cf->municipality, 5);
	put_hdr82(&w, 0xdf35, 272);
	buf_put_bytes(&w, key_ref, 16);
	memset(sig, 0xff, sizeof(sig));
	buf_put_bytes(&w, sig, 256);
	if ((rc = add_wr(d, 0x0003, &w, ACC_FREE, -2, -2)) != JPKI_OK)
		goto out;
	if ((rc = read_all(c->dir, "visual-ap.cvc", &cvc, &ncvc)) !=
	    JPKI_OK || ncvc != 568) {
		fail(b, "CV certificate must be 568 bytes", "visual-ap.cvc");
		rc = JPKI_ERR_PARSE;
		goto out;
	}
	if ((rc = add_copy(d, 0x0004, cvc, ncvc, ACC_FREE, -2, -2)) !=
	    JPKI_OK)
		goto out;
	/* EF 0005 My Number image FF40 { DF41 PNG 72x12, DF42 key, DF43 } */
	buf_wr_free(&sub);
	buf_wr_init(&sub, 2048, 1);
	if ((rc = png_text(cf->mynumber, 72, 12, &img, &nimg)) != JPKI_OK)
		goto out;
	tlv_put(&sub, 0xdf41, img, nimg);
	put_hdr82(&sub, 0xdf42, 265);
	if ((rc = put_pubkey(&sub, c->key[K_VISUAL])) != JPKI_OK ||
	    !buf_wr_ok(&sub) || (rc = sign_sha256(c->key[K_VISUAL], sub.p,
	    sub.len, sig)) != JPKI_OK)
		goto out;
	buf_wr_init(&w, 4096, 1);
	put_hdr82(&w, 0xff40, sub.len + 5 + 256);
	buf_put_bytes(&w, sub.p, sub.len);
	put_hdr82(&w, 0xdf43, 256);
	buf_put_bytes(&w, sig, 256);
	if ((rc = add_wr(d, 0x0005, &w, P_VIS_A, -2, -2)) != JPKI_OK)
		goto out;
	memset(sig, 0xff, 16);
	if ((rc = add_copy(d, 0x0006, sig, 16, P_VIS_A, P_VIS_B, -2)) !=
	    JPKI_OK)
		goto out;
	if ((rc = add_pin(d, 0x0011, P_VIS_BIRTH)) != JPKI_OK ||
	    (rc = add_pin(d, 0x0012, P_VIS_B)) != JPKI_OK ||
	    (rc = add_pin(d, 0x0013, P_VIS_A)) != JPKI_OK)
		goto out;
	rc = JPKI_OK;
out:
	free(cvc);
	free(img);
	buf_wr_free(&w);
	buf_wr_free(&sub);
	return rc;
}

/* ---- common AP and 住基AP (§8) ---------------------------------------- */

static int
build_common(bctx_t *b)
{
	cardsim_t *c = b->c;
	df_t *d = &c->df[DF_COMMON], *j = &c->df[DF_JUKI];
	uint8_t rec[30];
	ef_t *e;
	int rc;

	d->name = "common";
	memcpy(d->aid, aid_common, sizeof(aid_common));
	d->aidlen = sizeof(aid_common);
	d->def_key = -1;
	/* record 1: 01 1C serial(15) municipality(5) expiry(8) (§8.1) */
	rec[0] = 0x01;
	rec[1] = 0x1c;
	memcpy(rec + 2, c->conf.card_serial, 15);
	memcpy(rec + 17, c->conf.municipality, 5);
	memcpy(rec + 22, c->conf.expiry, 8);
	if ((e = add_ef(d, 0x0001, EF_REC)) == NULL ||
	    (e->data = malloc(sizeof(rec))) == NULL)
		return JPKI_ERR_NOMEM;
	memcpy(e->data, rec, sizeof(rec));
	e->len = sizeof(rec);
	if ((rc = add_copy(d, 0x0002, key_ref, 16, ACC_FREE, -2, -2)) !=
	    JPKI_OK || (rc = add_pin(d, 0x001c, P_JUKI)) != JPKI_OK)
		return rc;
	j->name = "juki";
	memcpy(j->aid, aid_juki, sizeof(aid_juki));
	j->aidlen = sizeof(aid_juki);
	j->def_key = -1;
	if ((rc = add_copy(j, 0x0002, key_ref, 16, ACC_FREE, -2, -2)) !=
	    JPKI_OK || (rc = add_pin(j, 0x001c, P_JUKI)) != JPKI_OK)
		return rc;
	return JPKI_OK;
}

/* ---- PINs -------------------------------------------------------------- */

static void
set_pin(pin_t *p, const char *val, int tries, int fmt, int change,
    const char *conf_key)
{
	size_t n = strlen(val);

	if (n > 16)
		n = 16;
	memcpy(p->val, val, n);
	p->val[n] = '\0';
	p->len = n;
	p->tries = tries;
	p->fmt = fmt;
	p->change = change;
	p->conf_key = conf_key;
}

static int
build_pins(cardsim_t *c)
{
	const cs_conf_t *cf = &c->conf;
	char b[17], era6[7];
	int rc;

	set_pin(&c->pin[P_AUTH], cf->pin_auth, TRY_AUTH, FMT_4DIGIT, 0x24,
	    "pin.auth");
	set_pin(&c->pin[P_SIGN], cf->pin_sign, TRY_SIGN, FMT_SIGN, 0x24,
	    "pin.sign");
	set_pin(&c->pin[P_TEXT], cf->pin_text, TRY_TEXT, FMT_4DIGIT, 0x24,
	    "pin.text");
	set_pin(&c->pin[P_TEXT_BLOCKED], "", -1, FMT_ANY, 0, NULL);
	set_pin(&c->pin[P_TEXT_A], cf->mynumber, TRY_TEXT_A, FMT_ANY, 0,
	    NULL);
	set_pin(&c->pin[P_VIS_A], cf->mynumber, TRY_VISUAL_A, FMT_ANY, 0,
	    NULL);
	/* 照合番号B: 和暦 YYMMDD + expiry year + security code (§6.1) */
	if ((rc = wareki6(cf->birth, era6)) != JPKI_OK)
		return rc;
	memcpy(b, era6, 6);
	memcpy(b + 6, cf->expiry, 4);
	memcpy(b + 10, cf->security_code, 4);
	b[14] = '\0';
	set_pin(&c->pin[P_TEXT_B], b, TRY_TEXT_B, FMT_ANY, 0, NULL);
	set_pin(&c->pin[P_VIS_B], b, TRY_VISUAL_B, FMT_ANY, 0, NULL);
	set_pin(&c->pin[P_VIS_BIRTH], era6, TRY_VISUAL_BIRTH, FMT_ANY, 0,
	    NULL);
	set_pin(&c->pin[P_JUKI], cf->pin_juki, TRY_JUKI, FMT_4DIGIT, 0x32,
	    "pin.juki");
	jpki_secure_zero(b, sizeof(b));
	return JPKI_OK;
}

int
cs_build(cardsim_t *c, const char *dir, char *err, size_t errlen)
{
	bctx_t b;
	char path[4096], e2[200];
	int rc;

	b.c = c;
	b.err = err;
	b.errlen = errlen;
	if ((c->dir = strdup(dir)) == NULL)
		return JPKI_ERR_NOMEM;
	(void)snprintf(path, sizeof(path), "%s/profile.conf", dir);
	if ((rc = conf_load(path, &c->conf, e2, sizeof(e2))) != JPKI_OK) {
		fail(&b, "profile.conf", e2);
		return rc;
	}
	(void)snprintf(path, sizeof(path), "%s/state", dir);
	if ((rc = conf_state_load(path, &c->conf, c->left, e2, sizeof(e2))) !=
	    JPKI_OK) {
		fail(&b, "state", e2);
		return rc;
	}
	if ((rc = load_key(&b, "auth.key", &c->key[K_AUTH])) != JPKI_OK ||
	    (rc = load_key(&b, "text-ap.key", &c->key[K_TEXT])) != JPKI_OK ||
	    (rc = load_key(&b, "visual-ap.key", &c->key[K_VISUAL])) !=
	    JPKI_OK)
		return rc;
	(void)snprintf(path, sizeof(path), "%s/sign.crt", dir);
	if (access(path, F_OK) == 0 &&
	    (rc = load_key(&b, "sign.key", &c->key[K_SIGN])) != JPKI_OK)
		return rc;
	if ((rc = build_pins(c)) != JPKI_OK ||
	    (rc = build_jpki(&b)) != JPKI_OK ||
	    (rc = build_text(&b)) != JPKI_OK ||
	    (rc = build_visual(&b)) != JPKI_OK ||
	    (rc = build_common(&b)) != JPKI_OK) {
		if (err != NULL && errlen > 0 && err[0] == '\0')
			(void)snprintf(err, errlen,
			    "cannot build the card (error %d)", rc);
		return rc;
	}
	return JPKI_OK;
}

void
cs_destroy(cardsim_t *c)
{
	size_t i, j;

	for (i = 0; i < DF_COUNT; i++) {
		for (j = 0; j < c->df[i].nef; j++) {
			ef_t *e = &c->df[i].ef[j];

			/* personal data: wipe before free */
			jpki_free_secret(e->data, e->len);
		}
	}
	for (i = 0; i < K_COUNT; i++)
		EVP_PKEY_free(c->key[i]);
	jpki_secure_zero(c->pin, sizeof(c->pin));
	conf_wipe(&c->conf);
	free(c->dir);
	memset(c, 0, sizeof(*c));
}
