/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Minimal PNG writer for the visual AP's card-face images (jpki-card.md §7:
 * 1-bit name/address/security-code images; the photo is JPEG 2000 on a
 * real card, a greyscale PNG here).  The glyphs are synthetic: digits use
 * a 3x5 font, every other character a 5x5 pattern taken from its code
 * point.  Readable by any PNG decoder; not meant to be read by a human.
 */
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include <jpki/err.h>

#include "buf.h"
#include "cardsim.h"

#define PNG_MAX_DIM	2048

static void
chunk(buf_wr_t *w, const char *type, const uint8_t *data, size_t len)
{
	uLong crc;

	buf_put_u32(w, (uint32_t)len);
	buf_put_bytes(w, type, 4);
	buf_put_bytes(w, data, len);
	crc = crc32(0L, (const Bytef *)type, 4);
	if (len > 0)
		crc = crc32(crc, data, (uInt)len);
	buf_put_u32(w, (uint32_t)crc);
}

int
png_encode(unsigned w, unsigned h, int depth, const uint8_t *pix,
    uint8_t **out, size_t *outlen)
{
	static const uint8_t sig[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a,
	    '\n' };
	uint8_t ihdr[13], *raw = NULL, *z = NULL;
	size_t row, rawlen, x, y;
	uLongf zlen;
	buf_wr_t wr;
	int rc = JPKI_ERR_ARG;

	*out = NULL;
	*outlen = 0;
	buf_wr_init(&wr, 1024 * 1024, 0);
	if (w == 0 || h == 0 || w > PNG_MAX_DIM || h > PNG_MAX_DIM ||
	    (depth != 1 && depth != 8))
		goto out;
	row = depth == 1 ? (w + 7) / 8 : w;
	rawlen = (row + 1) * h;
	rc = JPKI_ERR_NOMEM;
	if ((raw = calloc(1, rawlen)) == NULL)
		goto out;
	for (y = 0; y < h; y++) {
		uint8_t *r = raw + y * (row + 1) + 1;	/* filter byte 0 */

		for (x = 0; x < w; x++) {
			uint8_t v = pix[y * w + x];

			if (depth == 8)
				r[x] = v;
			else if (v == 0)	/* white: grey level 1 */
				r[x / 8] |= (uint8_t)(0x80u >> (x % 8));
		}
	}
	zlen = compressBound((uLong)rawlen);
	if ((z = malloc(zlen)) == NULL)
		goto out;
	rc = JPKI_ERR_INTERNAL;
	if (compress2(z, &zlen, raw, (uLong)rawlen, 9) != Z_OK)
		goto out;
	ihdr[0] = (uint8_t)(w >> 24);
	ihdr[1] = (uint8_t)(w >> 16);
	ihdr[2] = (uint8_t)(w >> 8);
	ihdr[3] = (uint8_t)w;
	ihdr[4] = (uint8_t)(h >> 24);
	ihdr[5] = (uint8_t)(h >> 16);
	ihdr[6] = (uint8_t)(h >> 8);
	ihdr[7] = (uint8_t)h;
	ihdr[8] = (uint8_t)depth;
	ihdr[9] = 0;	/* greyscale */
	ihdr[10] = ihdr[11] = ihdr[12] = 0;
	buf_put_bytes(&wr, sig, sizeof(sig));
	chunk(&wr, "IHDR", ihdr, sizeof(ihdr));
	chunk(&wr, "IDAT", z, (size_t)zlen);
	chunk(&wr, "IEND", NULL, 0);
	if (!buf_wr_ok(&wr)) {
		rc = JPKI_ERR_TOO_LARGE;
		goto out;
	}
	*out = buf_wr_take(&wr, outlen);
	rc = JPKI_OK;
out:
	buf_wr_free(&wr);
	free(raw);
	free(z);
	return rc;
}

/* 3x5 digit font, one row per nibble (bit 2 = left column). */
static const uint8_t font3x5[10][5] = {
	{ 7, 5, 5, 5, 7 }, { 2, 6, 2, 2, 7 }, { 7, 1, 7, 4, 7 },
	{ 7, 1, 7, 1, 7 }, { 5, 5, 7, 1, 1 }, { 7, 4, 7, 1, 7 },
	{ 7, 4, 7, 5, 7 }, { 7, 1, 1, 1, 1 }, { 7, 5, 7, 5, 7 },
	{ 7, 5, 7, 1, 7 },
};

static uint32_t
next_cp(const char **s)
{
	const unsigned char *p = (const unsigned char *)*s;
	uint32_t cp;
	int n, i;

	if (p[0] < 0x80) {
		cp = p[0];
		n = 0;
	} else if ((p[0] & 0xe0) == 0xc0) {
		cp = p[0] & 0x1fu;
		n = 1;
	} else if ((p[0] & 0xf0) == 0xe0) {
		cp = p[0] & 0x0fu;
		n = 2;
	} else {
		cp = p[0] & 0x07u;
		n = 3;
	}
	for (i = 1; i <= n && (p[i] & 0xc0) == 0x80; i++)
		cp = cp << 6 | (p[i] & 0x3fu);
	*s += i;
	return cp;
}

int
png_text(const char *text, unsigned min_w, unsigned h, uint8_t **out,
    size_t *outlen)
{
	const char *s;
	uint8_t *pix = NULL;
	unsigned scale, w = 0, x0, gx, gy, sx, sy, gw;
	uint32_t cp, bits;
	int rc = JPKI_ERR_NOMEM;

	scale = h >= 14 ? h / 7 : 1;
	for (s = text; *s != '\0';) {
		cp = next_cp(&s);
		w += ((cp >= '0' && cp <= '9') ? 4 : 6) * scale;
	}
	w += scale;
	if (w < min_w)
		w = min_w;
	if (w > PNG_MAX_DIM)
		w = PNG_MAX_DIM;
	if ((pix = calloc(1, (size_t)w * h)) == NULL)
		goto out;
	x0 = scale;
	for (s = text; *s != '\0';) {
		cp = next_cp(&s);
		gw = (cp >= '0' && cp <= '9') ? 3 : 5;
		if (x0 + gw * scale > w)
			break;
		for (gy = 0; gy < 5; gy++) {
			if (cp >= '0' && cp <= '9')
				bits = font3x5[cp - '0'][gy];
			else if (cp == ' ' || cp == 0x3000)
				bits = 0;
			else	/* pattern from the code point, framed */
				bits = gy == 0 || gy == 4 ? 0x1f :
				    (0x11u | ((cp >> (gy * 3)) & 0x0eu));
			for (gx = 0; gx < gw; gx++) {
				if (!(bits & (1u << (gw - 1 - gx))))
					continue;
				for (sy = 0; sy < scale; sy++) {
					for (sx = 0; sx < scale; sx++) {
						size_t yy = (size_t)(h - 5 *
						    scale) / 2 + gy * scale + sy;
						size_t xx = x0 + gx * scale + sx;

						if (yy < h && xx < w)
							pix[yy * w + xx] = 1;
					}
				}
			}
		}
		x0 += (gw + 1) * scale;
	}
	rc = png_encode(w, h, 1, pix, out, outlen);
out:
	free(pix);
	return rc;
}

int
png_photo(unsigned w, unsigned h, uint32_t seed, uint8_t **out,
    size_t *outlen)
{
	uint8_t *pix;
	unsigned x, y;
	long dx, dy;
	int rc;

	if ((pix = malloc((size_t)w * h)) == NULL)
		return JPKI_ERR_NOMEM;
	for (y = 0; y < h; y++) {
		for (x = 0; x < w; x++) {
			/* a pale background with a darker "head" ellipse */
			dx = (long)x - (long)w / 2;
			dy = (long)y - (long)h * 2 / 5;
			if (dx * dx * 4 * (long)h * (long)h / ((long)w *
			    (long)w) + dy * dy < (long)h * (long)h / 9)
				pix[y * w + x] = (uint8_t)(90 + ((seed + x) &
				    0x1f));
			else
				pix[y * w + x] = (uint8_t)(200 + ((x + y +
				    seed) & 0x1f));
		}
	}
	rc = png_encode(w, h, 8, pix, out, outlen);
	free(pix);
	return rc;
}
