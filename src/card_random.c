/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Random bytes from the card: GET CHALLENGE (00 84 00 00 Le, short Le
 * only, jpki-card.md §3).  It neither selects a file nor touches the
 * security status, so verified PINs stay valid (PKCS#11 C_GenerateRandom
 * between C_Login and C_Sign).
 */
#include <string.h>

#include <jpki/jpki.h>

#include "card.h"

int
jpki_card_random(jpki_card_t *c, uint8_t *out, size_t len)
{
	apdu_t	a;
	rapdu_t	rr;
	size_t	n = 0;
	int	r, t, began = 0;

	if (c == NULL || c->t == NULL || (out == NULL && len > 0))
		return JPKI_ERR_ARG;
	if ((r = card_begin(c)) != JPKI_OK && r != JPKI_ERR_CARD_RESET)
		goto out;
	began = 1;
	while (len > 0) {
		n = len > 256 ? 256 : len;
		memset(&a, 0, sizeof(a));
		a.ins = 0x84;
		a.le = n;
		if ((r = card_cmd(c, &a, 0, &rr)) != JPKI_OK)
			goto out;
		if ((r = apdu_sw_to_err(rr.sw, &t)) != JPKI_OK)
			goto out;
		/* the card must answer exactly Le bytes */
		if (rr.len != n) {
			r = JPKI_ERR_WRONG_LENGTH;
			goto out;
		}
		memcpy(out, rr.data, n);
		card_wipe_rsp(c, n);
		out += n;
		len -= n;
	}
	r = JPKI_OK;
out:
	if (began)
		card_end(c);
	return r;
}
