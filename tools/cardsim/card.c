/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * The card core: one C-APDU in, one R-APDU out, with the state a real My
 * Number Card keeps (selected DF/EF, verified PINs, persistent retry
 * counters).  Behaviour follows jpki-card.md §1-§8 and every MUST and
 * SHOULD of the emulator checklist §12.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <jpki/err.h>

#include "apdu_codec.h"	/* generic ISO 7816-4 decoder, shared with libjpki */
#include "secure.h"
#include "cardsim.h"

#define SW_OK			0x9000
#define SW_WRONG_LENGTH		0x6700
#define SW_MEMORY		0x6581
#define SW_CHANNEL		0x6881
#define SW_SM_UNSUPPORTED	0x6882
#define SW_INCOMPATIBLE		0x6981
#define SW_SECURITY		0x6982
#define SW_BLOCKED		0x6984
#define SW_CONDITIONS		0x6985
#define SW_NO_EF		0x6986
#define SW_SM_REFUSED		0x69fc
#define SW_WRONG_DATA		0x6a80
#define SW_FUNC_UNSUPPORTED	0x6a81
#define SW_NOT_FOUND		0x6a82
#define SW_RECORD_NOT_FOUND	0x6a83
#define SW_BAD_P1P2		0x6a86
#define SW_REF_NOT_FOUND	0x6a88
#define SW_OFFSET		0x6b00
#define SW_INS			0x6d00
#define SW_CLA			0x6e00

/* Contact ATR (jpki-card.md §1); GET DATA 5F51 returns it without TS. */
static const uint8_t atr_contact[] = { 0x3b, 0xe0, 0x00, 0xff, 0x81, 0x31,
	0xfe, 0x45, 0x14 };
/*
 * Contactless: PC/SC part 3 ATR a reader builds from a Type B ATQB,
 * 3B 88 80 01 + 4 bytes application data + 3 bytes protocol info + TCK;
 * the bytes of a real card's ATR seen by OpenSC (peers.md §2.1).
 */
static const uint8_t atr_b_body[] = { 0x3b, 0x88, 0x80, 0x01, 0x00, 0x00,
	0x05, 0xe0, 0xb3, 0x81, 0xa1, 0x00 };

static const uint8_t aid_isd[] = { 0xa0, 0x00, 0x00, 0x01, 0x51, 0x00,
	0x00 };

typedef struct {
	uint8_t		*p;
	size_t		 len;
	size_t		 cap;
} rsp_t;

static void
put(rsp_t *r, const void *p, size_t n)
{
	if (n > r->cap - 2 - r->len)
		n = r->cap - 2 - r->len;
	memcpy(r->p + r->len, p, n);
	r->len += n;
}

static df_t *
cur_df(cardsim_t *c)
{
	return c->cur_df >= 0 ? &c->df[c->cur_df] : NULL;
}

static ef_t *
find_ef(df_t *d, uint16_t fid)
{
	size_t i;

	if (d == NULL)
		return NULL;
	for (i = 0; i < d->nef; i++) {
		if (d->ef[i].fid == fid)
			return &d->ef[i];
	}
	return NULL;
}

static int
pin_blocked(const cardsim_t *c, int pin)
{
	int t = c->pin[pin].tries;

	return t < 0 || c->left[t] == 0;
}

static int
pin_left(const cardsim_t *c, int pin)
{
	int t = c->pin[pin].tries;

	return t < 0 ? 0 : c->left[t];
}

static int
may_read(const cardsim_t *c, const ef_t *e)
{
	int i;

	if (e->acc[0] == ACC_FREE)
		return 1;
	for (i = 0; i < ACC_MAX; i++) {
		if (e->acc[i] >= 0 && (c->verified & (1u << e->acc[i])))
			return 1;
	}
	return 0;
}

static int
save_state(cardsim_t *c)
{
	char path[4200];

	(void)snprintf(path, sizeof(path), "%s/state", c->dir);
	if (conf_state_save(path, &c->conf, c->left) != JPKI_OK) {
		fprintf(stderr, "jpki-cardsim: cannot write %s\n", path);
		return SW_MEMORY;
	}
	return SW_OK;
}

/* ---- SELECT (§2) ---------------------------------------------------- */

static void
select_df(cardsim_t *c, int df)
{
	/* selecting an application clears the security status (§2.1) */
	c->cur_df = df;
	c->cur_ef = NULL;
	c->verified = 0;
}

static int
cmd_select(cardsim_t *c, const apdu_t *a)
{
	size_t i;
	ef_t *e;
	int p2ok = a->p2 == 0x0c || a->p2 == 0x00;

	switch (a->p1) {
	case 0x04:
		/* unknown AIDs: 6A82 whatever P2 (§12 MUST 2) */
		if (a->lc == 0)
			return SW_WRONG_LENGTH;
		for (i = 0; i < DF_COUNT; i++) {
			if (a->lc == c->df[i].aidlen && memcmp(a->data,
			    c->df[i].aid, a->lc) == 0) {
				if (!p2ok)
					return SW_BAD_P1P2;
				select_df(c, (int)i);
				return SW_OK;
			}
		}
		if (a->lc == sizeof(aid_isd) && memcmp(a->data, aid_isd,
		    a->lc) == 0) {
			if (!p2ok)
				return SW_BAD_P1P2;
			/* the ISD restores the power-on (MF) state (§1) */
			select_df(c, -1);
			return SW_OK;
		}
		return SW_NOT_FOUND;
	case 0x02:
		if (!p2ok)
			return SW_BAD_P1P2;
		if (a->lc != 2)
			return SW_WRONG_LENGTH;
		if ((e = find_ef(cur_df(c), (uint16_t)(a->data[0] << 8 |
		    a->data[1]))) == NULL)
			return SW_NOT_FOUND;
		c->cur_ef = e;
		return SW_OK;
	case 0x00:
		if (!p2ok)
			return SW_BAD_P1P2;
		/* the MF cannot really be selected (§1) */
		if (a->lc != 0)
			return SW_NOT_FOUND;
		return c->cur_df < 0 ? SW_BAD_P1P2 : SW_OK;
	default:
		return SW_BAD_P1P2;
	}
}

/* ---- READ BINARY / READ RECORD (§3, §5.3) ----------------------------- */

static int
cmd_read_binary(cardsim_t *c, const apdu_t *a, rsp_t *r)
{
	ef_t *e;
	size_t off, n;

	if (a->lc != 0 || a->le == 0)
		return SW_WRONG_LENGTH;
	if (a->p1 & 0x80) {
		/* SFI form: selects the EF, 8-bit offset */
		if (a->p1 & 0x60)
			return SW_BAD_P1P2;
		if ((e = find_ef(cur_df(c), a->p1 & 0x1f)) == NULL)
			return SW_NOT_FOUND;
		c->cur_ef = e;
		off = a->p2;
	} else {
		if ((e = c->cur_ef) == NULL)
			return SW_NO_EF;
		off = (size_t)a->p1 << 8 | a->p2;
	}
	if (e->kind != EF_BIN)
		return SW_INCOMPATIBLE;
	if (!may_read(c, e))
		return SW_SECURITY;
	if (off >= e->len)
		return SW_OFFSET;
	n = e->len - off;
	if (n > a->le)
		n = a->le;
	put(r, e->data + off, n);
	return SW_OK;
}

static int
cmd_read_record(cardsim_t *c, const apdu_t *a, rsp_t *r)
{
	ef_t *e;
	size_t n;

	if (a->lc != 0 || a->le == 0)
		return SW_WRONG_LENGTH;
	if ((a->p2 & 0x07) == 0x05)
		return SW_FUNC_UNSUPPORTED;	/* "P1 to last" (§3) */
	if ((a->p2 & 0x07) != 0x04 || a->p1 == 0)
		return SW_BAD_P1P2;
	if (a->p2 >> 3) {
		if ((e = find_ef(cur_df(c), (uint16_t)(a->p2 >> 3))) == NULL)
			return SW_NOT_FOUND;
		c->cur_ef = e;
	} else if ((e = c->cur_ef) == NULL) {
		return SW_NO_EF;
	}
	if (e->kind != EF_REC)
		return SW_INCOMPATIBLE;
	if (a->p1 != 1)
		return SW_RECORD_NOT_FOUND;
	n = e->len < a->le ? e->len : a->le;
	put(r, e->data, n);
	return SW_OK;
}

/* ---- VERIFY / CHANGE (§5.4) ------------------------------------------- */

/* The PIN EF named by P2: 80 = current EF, 80|sfi = by SFI. */
static int
pin_ref(cardsim_t *c, uint8_t p2, int *pin)
{
	ef_t *e;

	if (p2 == 0x80)
		e = c->cur_ef;
	else if ((p2 & 0xe0) == 0x80)
		e = find_ef(cur_df(c), p2 & 0x1f);
	else
		return SW_BAD_P1P2;
	if (e == NULL || e->kind != EF_PIN)
		return SW_REF_NOT_FOUND;
	*pin = e->pin;
	return SW_OK;
}

static int
cmd_verify(cardsim_t *c, const apdu_t *a)
{
	pin_t *p;
	int pin, sw, t, ok;

	if (a->p1 != 0x00)
		return SW_BAD_P1P2;
	if ((sw = pin_ref(c, a->p2, &pin)) != SW_OK)
		return sw;
	p = &c->pin[pin];
	if (a->lc == 0) {
		/* query: 63Cx, also after a successful VERIFY (§5.4) */
		return 0x63c0 | pin_left(c, pin);
	}
	if (a->lc > 16)
		return SW_WRONG_LENGTH;
	if (pin_blocked(c, pin))
		return SW_BLOCKED;
	t = p->tries;
	ok = a->lc == p->len && CRYPTO_memcmp(a->data, p->val, p->len) == 0;
	if (ok) {
		c->verified |= 1u << pin;
		if (c->left[t] != c->conf.tries[t]) {
			c->left[t] = c->conf.tries[t];
			return save_state(c);
		}
		return SW_OK;
	}
	c->verified &= ~(1u << pin);
	c->left[t]--;
	if ((sw = save_state(c)) != SW_OK)
		return sw;
	return 0x63c0 | c->left[t];
}

/* CHANGE REFERENCE DATA 00 24 01 80 and CHANGE KEY 80 32 00 80 (§3). */
static int
cmd_change(cardsim_t *c, const apdu_t *a)
{
	char path[4200], val[17];
	pin_t *p;
	int pin, sw;

	if (a->ins == 0x24 ? a->p1 != 0x01 : a->p1 != 0x00)
		return SW_BAD_P1P2;
	if ((sw = pin_ref(c, a->p2, &pin)) != SW_OK)
		return sw;
	p = &c->pin[pin];
	if (p->change != a->ins)
		return SW_CONDITIONS;
	if (a->lc == 0 || a->lc > 16)
		return SW_WRONG_LENGTH;
	if (!(c->verified & (1u << pin)))
		return SW_SECURITY;
	if (!conf_pin_format_ok(p->fmt, a->data, a->lc))
		return SW_WRONG_DATA;
	memcpy(val, a->data, a->lc);
	val[a->lc] = '\0';
	(void)snprintf(path, sizeof(path), "%s/profile.conf", c->dir);
	/* the card's non-volatile memory is the profile (docs) */
	if (conf_set_value(path, p->conf_key, val) != JPKI_OK) {
		fprintf(stderr, "jpki-cardsim: cannot update %s\n", path);
		sw = SW_MEMORY;
	} else {
		jpki_secure_zero(p->val, sizeof(p->val));
		memcpy(p->val, val, a->lc + 1);
		p->len = a->lc;
		sw = SW_OK;
	}
	jpki_secure_zero(val, sizeof(val));
	return sw;
}

/* ---- COMPUTE DIGITAL SIGNATURE (§5.5, §5.6) --------------------------- */

static int
rsa_sign(EVP_PKEY *k, int pss, const EVP_MD *md, const uint8_t *in,
    size_t inlen, uint8_t *sig, size_t *siglen)
{
	EVP_PKEY_CTX *ctx = NULL;
	int rc = -1;

	if ((ctx = EVP_PKEY_CTX_new(k, NULL)) == NULL ||
	    EVP_PKEY_sign_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, pss ? RSA_PKCS1_PSS_PADDING :
	    RSA_PKCS1_PADDING) != 1)
		goto out;
	/* no md: PKCS#1 v1.5 type-1 padding of the input as given */
	if (md != NULL && EVP_PKEY_CTX_set_signature_md(ctx, md) != 1)
		goto out;
	if (pss && EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx,
	    RSA_PSS_SALTLEN_DIGEST) != 1)
		goto out;
	if (EVP_PKEY_sign(ctx, sig, siglen, in, inlen) != 1)
		goto out;
	rc = 0;
out:
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

static int
cmd_sign(cardsim_t *c, const apdu_t *a, rsp_t *r)
{
	df_t *d = cur_df(c);
	ef_t *e = NULL;
	uint8_t h[32], sig[512];
	unsigned int hl = 32;
	size_t sl = sizeof(sig);
	const uint8_t *in = a->data;
	size_t inlen = a->lc;
	int key, kpin, sw = SW_CONDITIONS;

	if (d == NULL)
		return SW_CONDITIONS;
	if (a->p2 == 0x00) {
		/* AP default key: 券面 APs only, no credential (§7) */
		if (d->def_key < 0)
			return SW_BAD_P1P2;
		key = d->def_key;
		kpin = -1;
	} else {
		if (a->p2 == 0x80)
			e = c->cur_ef;
		else if ((a->p2 & 0xe0) == 0x80)
			e = find_ef(d, a->p2 & 0x1f);
		else
			return SW_BAD_P1P2;
		if (e == NULL || e->kind != EF_KEY)
			return SW_REF_NOT_FOUND;
		key = e->key;
		kpin = e->key_pin;
	}
	if (a->p1 > 0x05)
		return SW_BAD_P1P2;
	if (kpin >= 0 && !(c->verified & (1u << kpin)))
		return SW_SECURITY;
	if (c->key[key] == NULL)
		return SW_REF_NOT_FOUND;
	switch (a->p1) {
	case 0x00:
		if (inlen < 1 || inlen > 245)
			return SW_WRONG_LENGTH;
		break;
	case 0x02:
	case 0x04:
		if (inlen != 32)
			return SW_WRONG_LENGTH;
		break;
	default:	/* 01, 03, 05: the card hashes the message */
		if (inlen < 1 || inlen > 255)
			return SW_WRONG_LENGTH;
		if (EVP_Digest(in, inlen, h, &hl, EVP_sha256(), NULL) != 1)
			return SW_MEMORY;
		in = h;
		inlen = 32;
		break;
	}
	switch (a->p1) {
	case 0x00:
	case 0x01:
		sw = rsa_sign(c->key[key], 0, NULL, in, inlen, sig, &sl);
		break;
	case 0x02:
	case 0x03:
		sw = rsa_sign(c->key[key], 0, EVP_sha256(), in, inlen, sig,
		    &sl);
		break;
	default:
		sw = rsa_sign(c->key[key], 1, EVP_sha256(), in, inlen, sig,
		    &sl);
		break;
	}
	if (sw != 0 || sl != 256)
		return SW_CONDITIONS;
	put(r, sig, sl);
	return SW_OK;
}

/* ---- GET CHALLENGE, GET DATA (§3, §8.3) ------------------------------ */

static int
cmd_get_challenge(cardsim_t *c, const apdu_t *a, rsp_t *r)
{
	uint8_t b[256];

	(void)c;
	if (a->p1 != 0 || a->p2 != 0)
		return SW_BAD_P1P2;
	if (a->extended)
		return SW_CONDITIONS;
	if (a->lc != 0 || a->le == 0)
		return SW_WRONG_LENGTH;
	if (RAND_bytes(b, (int)a->le) != 1)
		return SW_MEMORY;
	put(r, b, a->le);
	return SW_OK;
}

static int
cmd_get_data(cardsim_t *c, const apdu_t *a, rsp_t *r)
{
	const cs_conf_t *cf = &c->conf;
	uint16_t tag = (uint16_t)(a->p1 << 8 | a->p2);
	const void *v = NULL;
	size_t n = 0;

	if (a->lc != 0 || a->le == 0)
		return SW_WRONG_LENGTH;
	if (tag == 0x5f51) {
		v = atr_contact + 1;
		n = sizeof(atr_contact) - 1;
	} else if (c->cur_df < 0) {
		switch (tag) {
		case 0x0042:
			v = "9000001\x08\x05" "001\0\0\0\0";
			n = 16;
			break;
		case 0x0045:
			v = cf->card_serial;
			n = 15;
			break;
		case 0x00f0:
			v = cf->municipality;
			n = 5;
			break;
		case 0x00f2:
			v = cf->expiry;
			n = 8;
			break;
		default:
			break;
		}
	}
	if (v == NULL)
		return SW_REF_NOT_FOUND;
	if (n > a->le)
		return 0x6c00 | (int)n;
	put(r, v, n);
	return SW_OK;
}

/* ---- dispatch ---------------------------------------------------------- */

static int
dispatch(cardsim_t *c, const apdu_t *a, rsp_t *r)
{
	/* channel bits of an interindustry CLA (§1: channel 0 only) */
	if ((a->cla & 0x70) == 0 && (a->cla & 0x03) != 0)
		return SW_CHANNEL;
	if (a->cla == 0x08 || a->cla == 0x0c) {
		/* secure messaging is not offered (§1, §6.6) */
		return a->ins == 0xa4 ? SW_SM_UNSUPPORTED : SW_SM_REFUSED;
	}
	if (a->cla != 0x00 && a->cla != 0x80)
		return SW_CLA;
	switch (a->ins) {
	case 0xa4:
	case 0xb0:
	case 0xb2:
	case 0x20:
	case 0x24:
	case 0x84:
	case 0xca:
		if (a->cla != 0x00)
			return SW_CLA;
		break;
	case 0x2a:
	case 0x32:
		if (a->cla != 0x80)
			return SW_CLA;
		break;
	default:
		return SW_INS;
	}
	switch (a->ins) {
	case 0xa4:
		return cmd_select(c, a);
	case 0xb0:
		return cmd_read_binary(c, a, r);
	case 0xb2:
		return cmd_read_record(c, a, r);
	case 0x20:
		return cmd_verify(c, a);
	case 0x24:
	case 0x32:
		return cmd_change(c, a);
	case 0x2a:
		return cmd_sign(c, a, r);
	case 0x84:
		return cmd_get_challenge(c, a, r);
	default:
		return cmd_get_data(c, a, r);
	}
}

size_t
cardsim_apdu(cardsim_t *c, const uint8_t *cmd, size_t len, uint8_t *out,
    size_t cap)
{
	apdu_t a;
	rsp_t r;
	int sw;

	r.p = out;
	r.len = 0;
	r.cap = cap;
	if (cap < 2)
		return 0;
	if (apdu_decode(cmd, len, &a) != JPKI_OK)
		sw = SW_WRONG_LENGTH;
	else if (a.extended && c->no_extended)
		sw = SW_WRONG_LENGTH;	/* a card/reader without it */
	else
		sw = dispatch(c, &a, &r);
	if (sw != SW_OK)
		r.len = 0;	/* data only with 9000 */
	out[r.len] = (uint8_t)(sw >> 8);
	out[r.len + 1] = (uint8_t)sw;
	return r.len + 2;
}

void
cardsim_power(cardsim_t *c)
{
	select_df(c, -1);
}

size_t
cardsim_atr(const cardsim_t *c, uint8_t *out, size_t cap)
{
	size_t i, n;
	uint8_t tck = 0;

	if (!c->contactless) {
		if (cap < sizeof(atr_contact))
			return 0;
		memcpy(out, atr_contact, sizeof(atr_contact));
		return sizeof(atr_contact);
	}
	n = sizeof(atr_b_body);
	if (cap < n + 1)
		return 0;
	memcpy(out, atr_b_body, n);
	/* TCK: XOR of T0 .. last historical byte (ISO 7816-3 §8.2.5) */
	for (i = 1; i < n; i++)
		tck ^= atr_b_body[i];
	out[n] = tck;
	return n + 1;
}

int
cardsim_open(const char *dir, int no_extended, int contactless,
    cardsim_t **out, char *err, size_t errlen)
{
	cardsim_t *c;
	int rc;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return JPKI_ERR_NOMEM;
	if ((rc = cs_build(c, dir, err, errlen)) != JPKI_OK) {
		cs_destroy(c);
		free(c);
		return rc;
	}
	c->no_extended = no_extended;
	c->contactless = contactless;
	cardsim_power(c);
	*out = c;
	return JPKI_OK;
}

void
cardsim_free(cardsim_t **c)
{
	if (c == NULL || *c == NULL)
		return;
	cs_destroy(*c);
	free(*c);
	*c = NULL;
}
