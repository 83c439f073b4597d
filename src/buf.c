/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <stdlib.h>
#include <string.h>

#include <jpki/err.h>

#include "buf.h"
#include "secure.h"

void
buf_rd_init(buf_rd_t *r, const uint8_t *p, size_t len)
{
	r->p = p;
	r->len = (p == NULL) ? 0 : len;
}

size_t
buf_rd_left(const buf_rd_t *r)
{
	return r->len;
}

int
buf_get_bytes(buf_rd_t *r, void *out, size_t n)
{
	if (n > r->len)
		return JPKI_ERR_PARSE;
	if (n > 0)
		memcpy(out, r->p, n);
	r->p += n;
	r->len -= n;
	return JPKI_OK;
}

int
buf_get_view(buf_rd_t *r, const uint8_t **out, size_t n)
{
	if (n > r->len)
		return JPKI_ERR_PARSE;
	*out = r->p;
	r->p += n;
	r->len -= n;
	return JPKI_OK;
}

int
buf_skip(buf_rd_t *r, size_t n)
{
	if (n > r->len)
		return JPKI_ERR_PARSE;
	r->p += n;
	r->len -= n;
	return JPKI_OK;
}

int
buf_get_u8(buf_rd_t *r, uint8_t *v)
{
	return buf_get_bytes(r, v, 1);
}

int
buf_get_u16(buf_rd_t *r, uint16_t *v)
{
	if (r->len < 2)
		return JPKI_ERR_PARSE;
	*v = BUF_PEEK_U16(r->p);
	r->p += 2;
	r->len -= 2;
	return JPKI_OK;
}

int
buf_get_u32(buf_rd_t *r, uint32_t *v)
{
	if (r->len < 4)
		return JPKI_ERR_PARSE;
	*v = BUF_PEEK_U32(r->p);
	r->p += 4;
	r->len -= 4;
	return JPKI_OK;
}

void
buf_wr_init(buf_wr_t *w, size_t max, int secret)
{
	memset(w, 0, sizeof(*w));
	w->max = max;
	w->secret = secret;
}

int
buf_wr_ok(const buf_wr_t *w)
{
	return w->err == 0;
}

static int
reserve(buf_wr_t *w, size_t n)
{
	size_t	 need, ncap;
	uint8_t	*np;

	if (w->err != 0)
		return -1;
	if (n > w->max || w->len > w->max - n) {
		w->err = JPKI_ERR_TOO_LARGE;
		return -1;
	}
	need = w->len + n;
	if (need <= w->cap)
		return 0;
	ncap = w->cap < 64 ? 64 : w->cap;
	while (ncap < need)
		ncap = (ncap > w->max / 2) ? w->max : ncap * 2;
	if ((np = malloc(ncap)) == NULL) {
		w->err = JPKI_ERR_NOMEM;
		return -1;
	}
	if (w->len > 0)
		memcpy(np, w->p, w->len);
	if (w->p != NULL) {
		if (w->secret)
			jpki_secure_zero(w->p, w->cap);
		free(w->p);
	}
	w->p = np;
	w->cap = ncap;
	return 0;
}

void
buf_put_bytes(buf_wr_t *w, const void *p, size_t n)
{
	if (reserve(w, n) != 0 || n == 0)
		return;
	memcpy(w->p + w->len, p, n);
	w->len += n;
}

void
buf_put_u8(buf_wr_t *w, uint8_t v)
{
	buf_put_bytes(w, &v, 1);
}

void
buf_put_u16(buf_wr_t *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	buf_put_bytes(w, b, sizeof(b));
}

void
buf_put_u32(buf_wr_t *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 8), (uint8_t)v };

	buf_put_bytes(w, b, sizeof(b));
}

uint8_t *
buf_wr_take(buf_wr_t *w, size_t *len)
{
	uint8_t *p;

	if (w->err != 0) {
		buf_wr_free(w);
		*len = 0;
		return NULL;
	}
	if (w->p == NULL && (w->p = malloc(1)) == NULL) {
		*len = 0;
		return NULL;
	}
	p = w->p;
	*len = w->len;
	w->p = NULL;
	w->len = w->cap = 0;
	return p;
}

void
buf_wr_free(buf_wr_t *w)
{
	if (w->p != NULL) {
		if (w->secret)
			jpki_secure_zero(w->p, w->cap);
		free(w->p);
	}
	w->p = NULL;
	w->len = w->cap = 0;
}
