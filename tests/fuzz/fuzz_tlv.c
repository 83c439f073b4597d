/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Fuzz src/tlv.c: tlv_header over the input's first bytes, tlv_iterate with
 * and without trailing filler, recursing into constructed values (as the
 * text AP parser does with FF20, jpki-card.md §6.3), and the invariants:
 * values lie inside the input, a failed tlv_read leaves the cursor alone,
 * and every TLV read re-encodes with tlv_put to the same tag and value.
 */
#include <stdlib.h>
#include <string.h>

#include <jpki/err.h>

#include "buf.h"
#include "tlv.h"
#include "fuzz.h"

#define MAX_DEPTH	8

struct walk {
	const uint8_t	*base;
	size_t		 size;
	int		 depth;
	unsigned	 sum;	/* touch every value byte (ASan sees reads) */
};

static void
check_roundtrip(const tlv_t *t)
{
	buf_wr_t w;
	buf_rd_t r;
	tlv_t	 u;
	uint8_t	*p;
	size_t	 n;

	buf_wr_init(&w, 4 + 0xffff, 0);
	tlv_put(&w, t->tag, t->value, t->len);
	if ((p = buf_wr_take(&w, &n)) == NULL)
		abort();	/* everything tlv_read accepts is encodable */
	buf_rd_init(&r, p, n);
	if (tlv_read(&r, &u) != JPKI_OK || buf_rd_left(&r) != 0 ||
	    u.tag != t->tag || u.len != t->len ||
	    u.constructed != t->constructed ||
	    (t->len > 0 && memcmp(u.value, t->value, t->len) != 0))
		abort();
	free(p);
}

static int
visit(const tlv_t *t, void *arg)
{
	struct walk *wk = arg;
	size_t	 i;
	int	 rc = 0;

	if (t->value < wk->base || t->len > wk->size ||
	    (size_t)(t->value - wk->base) > wk->size - t->len)
		abort();
	if (t->hdr_len < 2 || t->hdr_len > 6)
		abort();
	for (i = 0; i < t->len; i++)
		wk->sum += t->value[i];
	check_roundtrip(t);
	if (t->constructed && wk->depth < MAX_DEPTH) {
		wk->depth++;
		/* errors inside are fine; only crashes and aborts matter */
		(void)tlv_iterate(t->value, t->len, 1, visit, wk);
		wk->depth--;
	}
	return rc;
}

static void
check_cursor(const uint8_t *data, size_t size)
{
	buf_rd_t r;
	tlv_t	 t;
	const uint8_t *p;
	size_t	 left;

	buf_rd_init(&r, data, size);
	for (;;) {
		p = r.p;
		left = r.len;
		if (tlv_read(&r, &t) != JPKI_OK) {
			if (r.p != p || r.len != left)
				abort();	/* cursor moved on failure */
			break;
		}
		if (r.len >= left || r.p != t.value + t.len ||
		    t.hdr_len + t.len != left - r.len)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct walk wk;
	uint32_t tag;
	size_t	 hdr, total;

	if (tlv_header(data, size, &tag, &hdr, &total) == JPKI_OK) {
		if (hdr > size || hdr < 2 || total < hdr)
			abort();
		/* the header agrees with a full read when the value is there */
		if (total <= size) {
			buf_rd_t r;
			tlv_t	 t;

			buf_rd_init(&r, data, size);
			if (tlv_read(&r, &t) != JPKI_OK || t.tag != tag ||
			    t.hdr_len != hdr || t.hdr_len + t.len != total)
				abort();
		}
	}
	check_cursor(data, size);
	memset(&wk, 0, sizeof(wk));
	wk.base = data;
	wk.size = size;
	(void)tlv_iterate(data, size, 0, visit, &wk);
	(void)tlv_iterate(data, size, 1, visit, &wk);
	return 0;
}
