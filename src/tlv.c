/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <string.h>

#include <jpki/err.h>

#include "tlv.h"

static int
parse_hdr(const uint8_t *p, size_t n, uint32_t *tag, int *cons,
    size_t *hdr_len, size_t *len)
{
	size_t	 i = 0;
	uint32_t t;
	uint8_t	 b;

	if (n < 2)
		return JPKI_ERR_PARSE;
	b = p[i++];
	/* 00 is filler, not a tag (ISO 7816-4 §5.2.2.1); FF is used by the
	 * text AP's FF10/FF20 (jpki-card.md §6.2), so only 00 is refused. */
	if (b == 0x00)
		return JPKI_ERR_PARSE;
	t = b;
	*cons = (b & 0x20) != 0;
	if ((b & 0x1f) == 0x1f) {
		/* subsequent tag bytes: b8 set means more follow (X.690 8.1.2.4) */
		do {
			if (i >= n || i >= 3)
				return JPKI_ERR_PARSE;
			b = p[i++];
			t = (t << 8) | b;
		} while ((b & 0x80) != 0);
	}
	if (i >= n)
		return JPKI_ERR_PARSE;
	b = p[i++];
	if (b < 0x80) {
		*len = b;
	} else if (b == 0x81) {
		if (i + 1 > n)
			return JPKI_ERR_PARSE;
		*len = p[i];
		i += 1;
	} else if (b == 0x82) {
		if (i + 2 > n)
			return JPKI_ERR_PARSE;
		*len = ((size_t)p[i] << 8) | p[i + 1];
		i += 2;
	} else {
		return JPKI_ERR_PARSE;	/* indefinite or > 64 KiB */
	}
	*tag = t;
	*hdr_len = i;
	return JPKI_OK;
}

int
tlv_header(const uint8_t *p, size_t len, uint32_t *tag, size_t *hdr_len,
    size_t *total)
{
	uint32_t t;
	size_t	 h, l;
	int	 c, rc;

	if (p == NULL)
		return JPKI_ERR_ARG;
	if ((rc = parse_hdr(p, len, &t, &c, &h, &l)) != JPKI_OK)
		return rc;
	*tag = t;
	*hdr_len = h;
	*total = h + l;
	return JPKI_OK;
}

int
tlv_read(buf_rd_t *r, tlv_t *t)
{
	uint32_t tag;
	size_t	 h, l;
	int	 c, rc;

	if ((rc = parse_hdr(r->p, r->len, &tag, &c, &h, &l)) != JPKI_OK)
		return rc;
	if (l > r->len - h)	/* h <= r->len is guaranteed by parse_hdr */
		return JPKI_ERR_PARSE;
	t->tag = tag;
	t->constructed = c;
	t->hdr_len = h;
	t->len = l;
	t->value = r->p + h;
	r->p += h + l;
	r->len -= h + l;
	return JPKI_OK;
}

static int
all_filler(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != 0x00 && p[i] != 0xff)
			return 0;
	return 1;
}

int
tlv_iterate(const uint8_t *p, size_t len, int allow_trailing, tlv_cb_t *cb,
    void *arg)
{
	buf_rd_t r;
	tlv_t	 t;
	int	 rc;

	buf_rd_init(&r, p, len);
	while (buf_rd_left(&r) > 0) {
		if (allow_trailing && all_filler(r.p, r.len))
			return JPKI_OK;
		if ((rc = tlv_read(&r, &t)) != JPKI_OK)
			return rc;
		if ((rc = cb(&t, arg)) != 0)
			return rc;
	}
	return JPKI_OK;
}

size_t
tlv_len_size(size_t len)
{
	if (len < 0x80)
		return 1;
	if (len <= 0xff)
		return 2;
	return 3;
}

void
tlv_put_hdr(buf_wr_t *w, uint32_t tag, size_t len)
{
	/* refuse what parse_hdr could not read back, before writing anything */
	if (tag > 0xffffff || len > 0xffff) {
		if (w->err == 0)
			w->err = (tag > 0xffffff) ? JPKI_ERR_ARG :
			    JPKI_ERR_TOO_LARGE;
		return;
	}
	if (tag > 0xffff)
		buf_put_u8(w, (uint8_t)(tag >> 16));
	if (tag > 0xff)
		buf_put_u8(w, (uint8_t)(tag >> 8));
	buf_put_u8(w, (uint8_t)tag);
	if (len < 0x80) {
		buf_put_u8(w, (uint8_t)len);
	} else if (len <= 0xff) {
		buf_put_u8(w, 0x81);
		buf_put_u8(w, (uint8_t)len);
	} else {
		buf_put_u8(w, 0x82);
		buf_put_u16(w, (uint16_t)len);
	}
}

void
tlv_put(buf_wr_t *w, uint32_t tag, const void *value, size_t len)
{
	tlv_put_hdr(w, tag, len);
	buf_put_bytes(w, value, len);
}
