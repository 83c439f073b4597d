/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * RSASSA-PSS by the card: COMPUTE DIGITAL SIGNATURE with P1 04, a 32-byte
 * SHA-256 hash in, PSS with SHA-256 and MGF1-SHA-256 out (jpki-card.md
 * §5.6).  Observed by one public project only, so unverified on
 * production cards; callers offer it only when configured to.
 */
#include <string.h>

#include <jpki/jpki.h>

#include "card.h"
#include "log.h"

static int
pss_cmd(jpki_card_t *c, uint8_t p2, const uint8_t *md, rapdu_t *rr)
{
	apdu_t a;

	memset(&a, 0, sizeof(a));
	a.cla = 0x80;
	a.ins = 0x2A;
	a.p1 = 0x04;
	a.p2 = p2;
	a.data = md;
	a.lc = 32;
	a.le = 256;
	return card_cmd(c, &a, 0, rr);
}

int
jpki_card_sign_pss(jpki_card_t *c, jpki_key_t key, const uint8_t *md,
    size_t md_len, uint8_t *sig, size_t *sig_len)
{
	uint16_t	key_ef;
	rapdu_t		rr;
	int		r, t;

	if (c == NULL || c->t == NULL || md == NULL || md_len != 32 ||
	    sig == NULL || sig_len == NULL)
		return JPKI_ERR_ARG;
	if (key == JPKI_KEY_AUTH)
		key_ef = 0x0017;
	else if (key == JPKI_KEY_SIGN)
		key_ef = 0x001A;
	else
		return JPKI_ERR_ARG;
	if ((r = card_begin_pin(c)) != JPKI_OK)
		return r;	/* a reset lost the PIN: report it */
	if (c->ap != AP_JPKI) {
		r = JPKI_ERR_SECURITY;	/* selecting would clear the PIN */
		goto out;
	}
	/* key by SFI (P2 = 80 | SFI); else select the key EF, P2 = 80 */
	if ((r = pss_cmd(c, (uint8_t)(0x80 | key_ef), md, &rr)) != JPKI_OK)
		goto out;
	if (rr.sw == 0x6A86 || rr.sw == 0x6A82 || rr.sw == 0x6D00) {
		if ((r = card_select_ef(c, key_ef)) != JPKI_OK ||
		    (r = pss_cmd(c, 0x80, md, &rr)) != JPKI_OK)
			goto out;
	}
	if ((r = apdu_sw_to_err(rr.sw, &t)) != JPKI_OK) {
		log_debug("COMPUTE DIGITAL SIGNATURE (PSS): SW %04X", rr.sw);
		goto out;
	}
	if (rr.len != 256) {
		r = JPKI_ERR_PARSE;
		goto out;
	}
	if (*sig_len < rr.len) {
		r = JPKI_ERR_TOO_LARGE;
		goto out;
	}
	memcpy(sig, rr.data, rr.len);
	*sig_len = rr.len;
	r = JPKI_OK;
out:
	card_end(c);
	return r;
}
