/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Command APDU encoding and decoding for the four ISO 7816-4 cases, short
 * and extended (ISO 7816-4 §5.1).  A generic helper: the host library and
 * the virtual card (tools/cardsim) share it; nothing JPKI-specific.
 */
#ifndef JPKI_APDU_CODEC_H
#define JPKI_APDU_CODEC_H

#include <stddef.h>
#include <stdint.h>

#define APDU_MAX_LC		65535
#define APDU_MAX_LE		65536
/* header + 3 Lc + data + 2 Le */
#define APDU_MAX_CMD		(4 + 3 + APDU_MAX_LC + 2)
/* data + SW1 SW2 */
#define APDU_MAX_RSP		(APDU_MAX_LE + 2)

typedef struct {
	uint8_t		 cla, ins, p1, p2;
	const uint8_t	*data;		/* NULL when lc == 0 */
	size_t		 lc;		/* 0..65535 */
	size_t		 le;		/* 0 = no Le field; 1..65536 */
	int		 extended;	/* force extended encoding */
} apdu_t;

/*
 * Encode a into out (outsz bytes).  Extended encoding is used when forced,
 * or when lc > 255 or le > 256.  Returns JPKI_OK or JPKI_ERR_ARG.
 */
int	apdu_encode(const apdu_t *a, uint8_t *out, size_t outsz,
	    size_t *outlen);

/*
 * Decode a C-APDU (the inverse of apdu_encode): CLA INS P1 P2, then Lc and
 * data and/or Le in short or extended form; Le 00 (short) and 00 00
 * (extended) mean 256 and 65536, a->extended says which form came.
 * a->data points into in (borrowed).  JPKI_ERR_PARSE if the length fields
 * do not add up to len (the card answers 6700 to that).
 */
int	apdu_decode(const uint8_t *in, size_t len, apdu_t *a);

/* 1 if the encoding of a uses extended length fields. */
int	apdu_is_extended(const apdu_t *a);

#endif /* JPKI_APDU_CODEC_H */
