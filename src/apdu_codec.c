/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * ISO 7816-4 §5.1 command APDU encoding and decoding (apdu_codec.h).
 * Generic: nothing here knows an application, so the virtual card
 * (tools/cardsim) links this file for its own command parsing.
 */
#include <string.h>

#include <jpki/err.h>

#include "apdu_codec.h"

int
apdu_is_extended(const apdu_t *a)
{
	return a->extended || a->lc > 255 || a->le > 256;
}

int
apdu_encode(const apdu_t *a, uint8_t *out, size_t outsz, size_t *outlen)
{
	size_t	need, i = 0;
	int	ext;

	*outlen = 0;
	if (a->lc > APDU_MAX_LC || a->le > APDU_MAX_LE ||
	    (a->lc > 0 && a->data == NULL))
		return JPKI_ERR_ARG;
	ext = apdu_is_extended(a);
	need = 4;
	if (a->lc > 0)
		need += (ext ? 3 : 1) + a->lc;
	if (a->le > 0)
		need += ext ? (a->lc > 0 ? 2 : 3) : 1;
	if (need > outsz)
		return JPKI_ERR_ARG;
	out[i++] = a->cla;
	out[i++] = a->ins;
	out[i++] = a->p1;
	out[i++] = a->p2;
	if (a->lc > 0) {
		if (ext) {
			out[i++] = 0x00;
			out[i++] = (uint8_t)(a->lc >> 8);
		}
		out[i++] = (uint8_t)a->lc;
		memcpy(out + i, a->data, a->lc);
		i += a->lc;
	}
	if (a->le > 0) {
		/* 256 (short) and 65536 (extended) are encoded as zeros */
		if (ext) {
			if (a->lc == 0)
				out[i++] = 0x00;
			out[i++] = (uint8_t)((a->le >> 8) & 0xff);
			out[i++] = (uint8_t)(a->le & 0xff);
		} else {
			out[i++] = (uint8_t)(a->le & 0xff);
		}
	}
	*outlen = i;
	return JPKI_OK;
}

int
apdu_decode(const uint8_t *in, size_t len, apdu_t *a)
{
	size_t	body, lc;

	if (in == NULL || len < 4)
		return JPKI_ERR_PARSE;
	memset(a, 0, sizeof(*a));
	a->cla = in[0];
	a->ins = in[1];
	a->p1 = in[2];
	a->p2 = in[3];
	body = len - 4;
	in += 4;
	if (body == 0)				/* case 1 */
		return JPKI_OK;
	if (body == 1) {			/* case 2 short */
		a->le = in[0] == 0 ? 256 : in[0];
		return JPKI_OK;
	}
	if (in[0] != 0) {			/* short Lc: case 3/4 short */
		lc = in[0];
		if (body == 1 + lc) {
			a->lc = lc;
			a->data = in + 1;
			return JPKI_OK;
		}
		if (body == 2 + lc) {
			a->lc = lc;
			a->data = in + 1;
			a->le = in[1 + lc] == 0 ? 256 : in[1 + lc];
			return JPKI_OK;
		}
		return JPKI_ERR_PARSE;
	}
	/* extended: first byte 00 */
	a->extended = 1;
	if (body == 3) {			/* case 2 extended */
		a->le = ((size_t)in[1] << 8) | in[2];
		if (a->le == 0)
			a->le = 65536;
		return JPKI_OK;
	}
	if (body < 3)
		return JPKI_ERR_PARSE;
	lc = ((size_t)in[1] << 8) | in[2];
	if (lc == 0)
		return JPKI_ERR_PARSE;
	if (body == 3 + lc) {			/* case 3 extended */
		a->lc = lc;
		a->data = in + 3;
		return JPKI_OK;
	}
	if (body == 5 + lc) {			/* case 4 extended */
		a->lc = lc;
		a->data = in + 3;
		a->le = ((size_t)in[3 + lc] << 8) | in[4 + lc];
		if (a->le == 0)
			a->le = 65536;
		return JPKI_OK;
	}
	return JPKI_ERR_PARSE;
}
