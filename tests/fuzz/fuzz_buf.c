/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Fuzz src/buf.c as a tiny interpreter: the first half of the input is a
 * program of reader/writer operations, the second half the data they read
 * (house-style §2.6).  Invariants: a read never runs past the data, a
 * failed read leaves the cursor unchanged, the writer never exceeds its
 * cap and its errors are sticky, and what was written reads back.
 */
#include <stdlib.h>
#include <string.h>

#include <jpki/err.h>

#include "buf.h"
#include "fuzz.h"

static void
step(buf_rd_t *r, buf_wr_t *w, uint8_t op, uint8_t arg)
{
	const uint8_t *p0 = r->p, *v;
	size_t	 l0 = r->len, n;
	uint8_t	 tmp[256];
	uint16_t u16;
	uint32_t u32;
	int	 rc, werr0 = w->err;
	size_t	 wlen0 = w->len;

	switch (op % 9) {
	case 0:
		rc = buf_get_u8(r, tmp);
		n = 1;
		break;
	case 1:
		rc = buf_get_u16(r, &u16);
		if (rc == JPKI_OK && u16 != BUF_PEEK_U16(p0))
			abort();
		n = 2;
		break;
	case 2:
		rc = buf_get_u32(r, &u32);
		if (rc == JPKI_OK && u32 != BUF_PEEK_U32(p0))
			abort();
		n = 4;
		break;
	case 3:
		n = arg;
		rc = buf_get_bytes(r, tmp, n);
		if (rc == JPKI_OK && n > 0 && memcmp(tmp, p0, n) != 0)
			abort();
		break;
	case 4:
		n = arg;
		rc = buf_get_view(r, &v, n);
		if (rc == JPKI_OK && v != p0)
			abort();
		break;
	case 5:
		/* giant lengths: must fail without moving */
		n = (arg & 1) ? SIZE_MAX - arg : (size_t)0xffff + arg;
		rc = buf_skip(r, n);
		break;
	case 6:
		buf_put_u8(w, arg);
		goto wr;
	case 7:
		buf_put_u32(w, (uint32_t)arg * 0x01010101U);
		goto wr;
	default:
		n = l0 < arg ? l0 : arg;
		buf_put_bytes(w, p0, n);
		goto wr;
	}
	if (rc == JPKI_OK) {
		if (n > l0 || r->p != p0 + n || r->len != l0 - n)
			abort();
	} else if (rc != JPKI_ERR_PARSE || r->p != p0 || r->len != l0 ||
	    n <= l0) {
		abort();
	}
	return;
wr:
	if (w->len > w->max || (werr0 != 0 && (w->err != werr0 ||
	    w->len != wlen0)))
		abort();
	(void)buf_wr_ok(w);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	buf_rd_t r;
	buf_wr_t w;
	size_t	 half = size / 2, i, n;
	uint8_t	*out;

	buf_rd_init(&r, data + half, size - half);
	/* cap from the input so that exact and overflowing caps both occur */
	buf_wr_init(&w, size > 0 ? data[0] * 4u : 0, size > 1 && data[1] & 1);
	for (i = 0; i + 1 < half; i += 2)
		step(&r, &w, data[i], data[i + 1]);
	if (buf_rd_left(&r) > size - half)
		abort();
	out = buf_wr_take(&w, &n);
	if (out != NULL) {
		if (n > w.max)
			abort();
		free(out);
	} else if (n != 0) {
		abort();
	}
	buf_wr_free(&w);
	return 0;
}
