/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * JPKI AP (公的個人認証AP, jpki-card.md §5): token information, certificate
 * reads, PIN status, VERIFY with the last-try guard, PIN change and
 * COMPUTE DIGITAL SIGNATURE.
 *
 * APDU economy: EFs are read by short EF identifier (READ BINARY with
 * P1 = 80|SFI selects and reads in one command), PINs are addressed by SFI
 * in VERIFY's P2 (80|SFI) and keys in COMPUTE DIGITAL SIGNATURE's P2, as
 * jsapdu and myna-browser-extension do on real cards (jpki-card.md §3).
 * Where a card refuses those forms the classic SELECT EF + P2=80 is used.
 */
#include <stdlib.h>
#include <string.h>

#include <jpki/jpki.h>

#include "abi.h"
#include "card.h"
#include "log.h"
#include "pin.h"
#include "secure.h"
#include "tlv.h"

/* Certificate EFs and their short identifiers (jpki-card.md §5.1). */
static int
cert_sfi(jpki_cert_kind_t kind, uint8_t *sfi)
{
	switch (kind) {
	case JPKI_CERT_AUTH:
		*sfi = 0x0A;
		return JPKI_OK;
	case JPKI_CERT_AUTH_CA:
		*sfi = 0x0B;
		return JPKI_OK;
	case JPKI_CERT_SIGN:
		*sfi = 0x01;
		return JPKI_OK;
	case JPKI_CERT_SIGN_CA:
		*sfi = 0x02;
		return JPKI_OK;
	default:
		return JPKI_ERR_ARG;
	}
}

/* Begin a transaction; a reset is harmless for reads that need no PIN. */
static int
begin_public(jpki_card_t *c)
{
	int r;

	if ((r = card_begin(c)) == JPKI_ERR_CARD_RESET)
		r = JPKI_OK;
	return r;
}

static void
field(char *dst, size_t dstsz, const uint8_t *src, size_t n)
{
	size_t i;

	if (n >= dstsz)
		n = dstsz - 1;
	for (i = 0; i < n; i++)
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? (char)src[i] : '?';
	dst[n] = '\0';
	/* trailing spaces and NULs are padding (jpki-card.md §5.2) */
	while (n > 0 && (dst[n - 1] == ' ' || src[n - 1] == 0x00))
		dst[--n] = '\0';
}

int
jpki_card_token_info(jpki_card_t *c, jpki_token_info_t *ti)
{
	uint8_t	b[256];
	size_t	n = 0;
	int	r;

	if (c == NULL || (r = JPKI_STRUCT_OK(ti)) != JPKI_OK)
		return c == NULL ? JPKI_ERR_ARG : r;
	JPKI_STRUCT_ZERO(ti);
	if ((r = begin_public(c)) != JPKI_OK)
		return r;
	if ((r = card_select_ap(c, AP_JPKI)) != JPKI_OK)
		goto out;
	/* EF 0006: a serialised CK_TOKEN_INFO of 160 bytes */
	if ((r = card_read_head(c, 0x06, 160, 0, b, &n)) != JPKI_OK)
		goto out;
	if (n < 32) {
		r = JPKI_ERR_PARSE;
		goto out;
	}
	field(ti->label, sizeof(ti->label), b, 32);
	if (n >= 124) {
		field(ti->manufacturer, sizeof(ti->manufacturer), b + 32, 32);
		field(ti->model, sizeof(ti->model), b + 64, 16);
		field(ti->serial, sizeof(ti->serial), b + 80, 16);
		ti->flags = BUF_PEEK_U32(b + 96);
		ti->max_pin_len = BUF_PEEK_U32(b + 116);
		ti->min_pin_len = BUF_PEEK_U32(b + 120);
	}
	if (n >= 144) {
		field(ti->hw_version, sizeof(ti->hw_version), b + 140, 2);
		field(ti->fw_version, sizeof(ti->fw_version), b + 142, 2);
	}
	r = JPKI_OK;
out:
	card_end(c);
	return r;
}

int
jpki_card_cert_available(jpki_card_t *c, int *auth, int *sign)
{
	uint8_t	b[8];
	size_t	n = 0;
	int	r;

	if (c == NULL)
		return JPKI_ERR_ARG;
	if ((r = begin_public(c)) != JPKI_OK)
		return r;
	if ((r = card_select_ap(c, AP_JPKI)) != JPKI_OK)
		goto out;
	/* EF 0008: byte 0 sign certificate, byte 1 auth (8F = present) */
	if ((r = card_read_head(c, 0x08, 3, 0, b, &n)) != JPKI_OK)
		goto out;
	if (n < 2) {
		r = JPKI_ERR_PARSE;
		goto out;
	}
	if (sign != NULL)
		*sign = b[0] != 0x00;
	if (auth != NULL)
		*auth = b[1] != 0x00;
out:
	card_end(c);
	return r;
}

int
jpki_card_read_cert(jpki_card_t *c, jpki_cert_kind_t kind, uint8_t **der,
    size_t *der_len)
{
	uint8_t	 sfi = 0;
	unsigned fl;
	int	 r;

	if (der != NULL)
		*der = NULL;
	if (der_len != NULL)
		*der_len = 0;
	if (c == NULL || der == NULL || der_len == NULL ||
	    cert_sfi(kind, &sfi) != JPKI_OK)
		return JPKI_ERR_ARG;
	/* the sign certificate carries the holder's name and address */
	fl = (kind == JPKI_CERT_SIGN) ? CMD_REDACT : 0;
	r = kind == JPKI_CERT_SIGN ? card_begin_pin(c) : card_begin(c);
	if (r == JPKI_ERR_CARD_RESET && kind != JPKI_CERT_SIGN)
		r = JPKI_OK;
	if (r != JPKI_OK)
		return r;
	if ((r = card_select_ap(c, AP_JPKI)) != JPKI_OK)
		goto out;
	if ((r = card_read_ef(c, sfi, JPKI_MAX_CERT, fl, der, der_len)) !=
	    JPKI_OK)
		goto out;
	if ((*der)[0] != 0x30) {	/* a certificate is a SEQUENCE */
		/* what the sign EF holds is personal data, whatever it is */
		jpki_free_secret(*der, *der_len);
		*der = NULL;
		*der_len = 0;
		r = JPKI_ERR_PARSE;
	}
out:
	card_end(c);
	return r;
}

/*
 * Find the serial number in the first bytes of a certificate:
 * SEQUENCE { SEQUENCE { [0] version OPTIONAL, INTEGER serial, ...
 * (RFC 5280 §4.1).  Works on a prefix: only the headers and the serial
 * itself must be present.
 */
static int
serial_from_head(const uint8_t *p, size_t n, uint8_t *serial, size_t *len)
{
	uint32_t tag;
	size_t	 hdr, total, off = 0;

	if (tlv_header(p, n, &tag, &hdr, &total) != JPKI_OK || tag != 0x30)
		return JPKI_ERR_PARSE;
	off += hdr;
	if (tlv_header(p + off, n - off, &tag, &hdr, &total) != JPKI_OK ||
	    tag != 0x30)
		return JPKI_ERR_PARSE;
	off += hdr;
	if (tlv_header(p + off, n - off, &tag, &hdr, &total) != JPKI_OK)
		return JPKI_ERR_PARSE;
	if (tag == 0xA0) {
		if (total > n - off)
			return JPKI_ERR_PARSE;
		off += total;
		if (tlv_header(p + off, n - off, &tag, &hdr, &total) != JPKI_OK)
			return JPKI_ERR_PARSE;
	}
	/* RFC 5280 §4.1.2.2: at most 20 octets */
	if (tag != 0x02 || total - hdr == 0 || total - hdr > 20 ||
	    total > n - off || total - hdr > *len)
		return JPKI_ERR_PARSE;
	memcpy(serial, p + off + hdr, total - hdr);
	*len = total - hdr;
	return JPKI_OK;
}

int
jpki_card_read_serial(jpki_card_t *c, jpki_cert_kind_t kind, uint8_t *serial,
    size_t *serial_len)
{
	uint8_t	 head[48], sfi = 0, *der = NULL;
	size_t	 n = 0, der_len = 0, cap;
	unsigned fl;
	int	 r;

	if (c == NULL || serial == NULL || serial_len == NULL ||
	    cert_sfi(kind, &sfi) != JPKI_OK)
		return JPKI_ERR_ARG;
	cap = *serial_len;
	*serial_len = 0;
	fl = (kind == JPKI_CERT_SIGN) ? CMD_REDACT : 0;
	r = kind == JPKI_CERT_SIGN ? card_begin_pin(c) : card_begin(c);
	if (r == JPKI_ERR_CARD_RESET && kind != JPKI_CERT_SIGN)
		r = JPKI_OK;
	if (r != JPKI_OK)
		return r;
	if ((r = card_select_ap(c, AP_JPKI)) != JPKI_OK)
		goto out;
	/* 4 + 4 + 5 + 2 + 20 = 35 bytes cover the serial of any profile
	 * certificate; 48 leaves room for 3-byte lengths. */
	if ((r = card_read_head(c, sfi, sizeof(head), fl, head, &n)) != JPKI_OK)
		goto out;
	*serial_len = cap;
	if ((r = serial_from_head(head, n, serial, serial_len)) == JPKI_OK)
		goto out;
	/* not what the profile says: read the whole certificate */
	log_debug("certificate head not as expected; reading it whole");
	if ((r = card_read_ef(c, sfi, JPKI_MAX_CERT, fl, &der, &der_len)) !=
	    JPKI_OK)
		goto out;
	*serial_len = cap;
	r = serial_from_head(der, der_len, serial, serial_len);
out:
	if (r != JPKI_OK)
		*serial_len = 0;
	if (der != NULL)
		jpki_free_secret(der, der_len);
	jpki_secure_zero(head, sizeof(head));
	card_end(c);
	return r;
}

/*
 * VERIFY addressed by SFI (P2 = 80|SFI) or, after a SELECT of the PIN EF,
 * by the current EF (P2 = 80).  data NULL: the query form (case 1), which
 * returns 63Cx without consuming a try (jpki-card.md §5.4).
 */
static int
verify_cmd(jpki_card_t *c, const pin_kind_info_t *k, const pin_t *p,
    uint8_t p2, uint16_t *sw)
{
	apdu_t	a;
	rapdu_t	r;
	int	rc;

	memset(&a, 0, sizeof(a));
	a.ins = 0x20;
	a.p2 = p2;
	if (p != NULL) {
		a.data = (const uint8_t *)p->v;
		a.lc = p->len;
	}
	(void)k;
	rc = card_cmd(c, &a, p != NULL ? CMD_SECRET : 0, &r);
	*sw = r.sw;
	return rc;
}

/*
 * Ask for the retry counter and learn which VERIFY form this card takes.
 * *p2 receives the P2 to use for the real VERIFY.
 */
static int
query_tries(jpki_card_t *c, const pin_kind_info_t *k, uint8_t *p2,
    int *tries)
{
	uint16_t sw = 0;
	int	 rc, t;

	*tries = -1;
	*p2 = (uint8_t)(0x80 | (k->ef & 0x1F));
	if ((rc = verify_cmd(c, k, NULL, *p2, &sw)) != JPKI_OK)
		return rc;
	if (sw == 0x6A86 || sw == 0x6A82 || sw == 0x6D00 || sw == 0x6A81 ||
	    sw == 0x6B00) {
		/* SFI addressing refused: select the PIN EF instead */
		if ((rc = card_select_ef(c, k->ef)) != JPKI_OK)
			return rc;
		*p2 = 0x80;
		if ((rc = verify_cmd(c, k, NULL, *p2, &sw)) != JPKI_OK)
			return rc;
	}
	rc = apdu_sw_to_err(sw, &t);
	if (t >= 0) {			/* 63Cx: the answer we asked for */
		*tries = t;
		return JPKI_OK;
	}
	if (rc == JPKI_ERR_PIN_LOCKED) {	/* 6983 / 6984 */
		*tries = 0;
		return JPKI_OK;
	}
	if (rc == JPKI_OK)	/* some cards: 9000 while verified */
		return JPKI_OK;
	log_debug("PIN query for %s: SW %04X", k->desc, sw);
	return rc;
}

int
jpki_card_pin_status(jpki_card_t *c, jpki_pin_kind_t kind, int *tries_left)
{
	const pin_kind_info_t	*k;
	uint8_t			 p2;
	int			 r, t = -1;

	if (tries_left != NULL)
		*tries_left = -1;
	if (c == NULL || (k = pin_kind_info((int)kind)) == NULL)
		return JPKI_ERR_ARG;
	if ((r = card_begin(c)) != JPKI_OK && r != JPKI_ERR_CARD_RESET)
		return r;
	if ((r = card_select_ap(c, k->ap)) != JPKI_OK)
		goto out;
	r = query_tries(c, k, &p2, &t);
	if (r == JPKI_OK && tries_left != NULL)
		*tries_left = t;
out:
	card_end(c);
	return r;
}

/* Query, apply the last-try guard, then VERIFY.  Inside a transaction. */
static int
verify_locked(jpki_card_t *c, const pin_kind_info_t *k, const pin_t *p,
    unsigned flags, int select_ef, int *tries_left)
{
	uint16_t sw = 0;
	uint8_t	 p2;
	int	 r, t = -1;

	if (select_ef) {
		if ((r = card_select_ef(c, k->ef)) != JPKI_OK)
			return r;
		p2 = 0x80;
		if ((r = verify_cmd(c, k, NULL, p2, &sw)) != JPKI_OK)
			return r;
		r = apdu_sw_to_err(sw, &t);
		if (r == JPKI_ERR_PIN_LOCKED)
			t = 0;
		else if (t < 0 && r != JPKI_OK)
			return r;
	} else if ((r = query_tries(c, k, &p2, &t)) != JPKI_OK) {
		return r;
	}
	*tries_left = t;
	if (t == 0)
		return JPKI_ERR_PIN_LOCKED;
	/* guard the last try: never spend it without the caller's say-so */
	if (t == 1 && (flags & JPKI_PIN_FORCE_LAST_TRY) == 0)
		return JPKI_ERR_PIN_LAST_TRY;
	if ((r = verify_cmd(c, k, p, p2, &sw)) != JPKI_OK)
		return r;
	r = apdu_sw_to_err(sw, &t);
	if (r == JPKI_OK) {
		*tries_left = k->max_tries;	/* a success resets it */
		return JPKI_OK;
	}
	if (r == JPKI_ERR_PIN_LOCKED)
		t = 0;
	*tries_left = t;
	log_debug("VERIFY %s: SW %04X", k->desc, sw);
	return r;
}

int
jpki_card_verify_pin(jpki_card_t *c, jpki_pin_kind_t kind, const char *pin,
    unsigned flags, int *tries_left)
{
	const pin_kind_info_t	*k;
	pin_t			 p;
	int			 r, t = -1;

	if (tries_left != NULL)
		*tries_left = -1;
	if (c == NULL || (k = pin_kind_info((int)kind)) == NULL)
		return JPKI_ERR_ARG;
	/* the format is checked before any APDU is sent */
	if ((r = pin_load(&p, (int)kind, pin)) != JPKI_OK)
		return r;
	if ((r = card_begin(c)) != JPKI_OK && r != JPKI_ERR_CARD_RESET)
		goto out;
	if ((r = card_select_ap(c, k->ap)) == JPKI_OK)
		r = verify_locked(c, k, &p, flags, 0, &t);
	card_end(c);
out:
	pin_wipe(&p);
	if (tries_left != NULL)
		*tries_left = t;
	return r;
}

int
jpki_card_change_pin(jpki_card_t *c, jpki_pin_kind_t kind, const char *old_pin,
    const char *new_pin, unsigned flags, int *tries_left)
{
	const pin_kind_info_t	*k;
	pin_t			 o, n;
	apdu_t			 a;
	rapdu_t			 rr;
	int			 r, t = -1;

	memset(&o, 0, sizeof(o));
	memset(&n, 0, sizeof(n));
	if (tries_left != NULL)
		*tries_left = -1;
	if (c == NULL || (k = pin_kind_info((int)kind)) == NULL)
		return JPKI_ERR_ARG;
	/* CHANGE REFERENCE DATA exists for these three (jpki-card.md §3) */
	if (kind != JPKI_PIN_AUTH && kind != JPKI_PIN_SIGN &&
	    kind != JPKI_PIN_TEXT)
		return JPKI_ERR_NOT_SUPPORTED;
	if ((r = pin_load(&o, (int)kind, old_pin)) != JPKI_OK ||
	    (r = pin_load(&n, (int)kind, new_pin)) != JPKI_OK)
		goto out;
	if ((r = pin_rule_new(&n, (int)kind)) != JPKI_OK)
		goto out;
	if ((r = card_begin(c)) != JPKI_OK && r != JPKI_ERR_CARD_RESET)
		goto out;
	if ((r = card_select_ap(c, k->ap)) != JPKI_OK)
		goto end;
	/* P2 = 80 names the current EF: VERIFY and CHANGE on the PIN EF */
	if ((r = verify_locked(c, k, &o, flags, 1, &t)) != JPKI_OK)
		goto end;
	memset(&a, 0, sizeof(a));
	a.ins = 0x24;
	a.p1 = 0x01;
	a.p2 = 0x80;
	a.data = (const uint8_t *)n.v;
	a.lc = n.len;
	if ((r = card_cmd(c, &a, CMD_SECRET, &rr)) != JPKI_OK)
		goto end;
	r = apdu_sw_to_err(rr.sw, &t);
	if (r != JPKI_OK)
		log_debug("CHANGE REFERENCE DATA: SW %04X", rr.sw);
	else
		t = k->max_tries;
end:
	card_end(c);
out:
	pin_wipe(&o);
	pin_wipe(&n);
	if (tries_left != NULL)
		*tries_left = t;
	return r;
}

int
jpki_card_logout(jpki_card_t *c)
{
	int r, ap;

	if (c == NULL)
		return JPKI_ERR_ARG;
	/* selecting an AP clears its security status (jpki-card.md §2.1) */
	ap = c->ap == AP_NONE ? AP_JPKI : c->ap;
	if ((r = card_begin(c)) != JPKI_OK && r != JPKI_ERR_CARD_RESET)
		return r;
	c->ap = AP_NONE;
	r = card_select_ap(c, ap);
	card_end(c);
	return r;
}

static int
sign_cmd(jpki_card_t *c, uint8_t p2, const uint8_t *di, size_t di_len,
    rapdu_t *rr)
{
	apdu_t a;

	/* COMPUTE DIGITAL SIGNATURE, CLA 80, P1 00 = PKCS#1 v1.5 over the
	 * DigestInfo as given (jpki-card.md §5.6) */
	memset(&a, 0, sizeof(a));
	a.cla = 0x80;
	a.ins = 0x2A;
	a.p1 = 0x00;
	a.p2 = p2;
	a.data = di;
	a.lc = di_len;
	a.le = 256;
	return card_cmd(c, &a, 0, rr);
}

int
jpki_card_sign(jpki_card_t *c, jpki_key_t key, jpki_hash_t hash,
    const uint8_t *in, size_t in_len, uint8_t *sig, size_t *sig_len)
{
	uint8_t		 di[128];
	const uint8_t	*data;
	size_t		 data_len, di_len = sizeof(di);
	uint16_t	 key_ef;
	rapdu_t		 rr;
	int		 r, t;

	if (c == NULL || in == NULL || sig == NULL || sig_len == NULL)
		return JPKI_ERR_ARG;
	if (key == JPKI_KEY_AUTH)
		key_ef = 0x0017;
	else if (key == JPKI_KEY_SIGN)
		key_ef = 0x001A;
	else
		return JPKI_ERR_ARG;
	if (hash == JPKI_HASH_NONE) {
		/* k - 11 for RSA-2048 (RFC 8017 §9.2) */
		if (in_len == 0 || in_len > 245)
			return JPKI_ERR_ARG;
		data = in;
		data_len = in_len;
	} else {
		if ((r = jpki_digestinfo(hash, in, in_len, di, &di_len)) !=
		    JPKI_OK)
			return r;
		data = di;
		data_len = di_len;
	}
	if ((r = card_begin_pin(c)) != JPKI_OK)
		return r;	/* a reset lost the PIN: report it */
	if (c->ap != AP_JPKI) {
		/* selecting now would clear any verified PIN anyway */
		r = JPKI_ERR_SECURITY;
		goto out;
	}
	if ((r = sign_cmd(c, (uint8_t)(0x80 | key_ef), data, data_len, &rr)) !=
	    JPKI_OK)
		goto out;
	if (rr.sw == 0x6A86 || rr.sw == 0x6A82 || rr.sw == 0x6D00) {
		/* key addressing by SFI refused: select the key EF */
		if ((r = card_select_ef(c, key_ef)) != JPKI_OK ||
		    (r = sign_cmd(c, 0x80, data, data_len, &rr)) != JPKI_OK)
			goto out;
	}
	if ((r = apdu_sw_to_err(rr.sw, &t)) != JPKI_OK) {
		log_debug("COMPUTE DIGITAL SIGNATURE: SW %04X", rr.sw);
		goto out;
	}
	if (rr.len == 0 || rr.len > 512) {
		r = JPKI_ERR_PARSE;
		goto out;
	}
	if (rr.len > *sig_len) {
		r = JPKI_ERR_TOO_LARGE;
		goto out;
	}
	memcpy(sig, rr.data, rr.len);
	*sig_len = rr.len;
	r = JPKI_OK;
out:
	jpki_secure_zero(di, sizeof(di));
	card_end(c);
	return r;
}
