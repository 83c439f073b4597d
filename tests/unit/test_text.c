/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Text AP EF 0002 parser (jpki-card.md §6.3): valid, exact, every
 * truncation, giant lengths, bad offset tables, bad encodings.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jpki/jpki.h>

#include "buf.h"
#include "tlv.h"

/* synthetic person */
#define NAME	"試験\xe3\x80\x80太郎"	/* U+3000 between family and given */
#define ADDR	"東京都千代田区霞が関１－１"
#define BIRTH	"19800217"

typedef struct {
	uint8_t	b[1024];
	size_t	len;
} ef_t;

/* Build FF20 { DF21 offsets, DF22..DF25 } with optional damage. */
static void
build(ef_t *e, const char *name, const char *addr, const char *birth,
    const char *sex, int bad_off)
{
	buf_wr_t w, v;
	uint8_t	*vp, *out;
	size_t	 vlen, n, hdr, off[4], pos;
	const char *f[4] = { name, addr, birth, sex };
	int	 i;

	/* value without the table first, to learn the field offsets */
	buf_wr_init(&v, 1024, 0);
	for (i = 0; i < 4; i++)
		tlv_put(&v, 0xDF22 + (uint32_t)i, f[i], strlen(f[i]));
	vp = buf_wr_take(&v, &vlen);
	hdr = 2 + tlv_len_size(vlen + 11);	/* FF20 + length */
	pos = hdr + 11;				/* DF21 08 + 8 bytes */
	for (i = 0, n = 0; i < 4; i++) {
		tlv_t	 t;
		buf_rd_t r;

		off[i] = pos + n;
		buf_rd_init(&r, vp + n, vlen - n);
		assert_int_equal(tlv_read(&r, &t), JPKI_OK);
		n += t.hdr_len + t.len;
	}
	if (bad_off == 1)
		off[1] = off[2];		/* points at the wrong tag */
	if (bad_off == 2)
		off[3] = 0x7000;		/* outside the file */
	if (bad_off == 3)
		off[0] = 0;			/* points at the outer tag */
	buf_wr_init(&w, 1024, 0);
	tlv_put_hdr(&w, 0xFF20, vlen + 11);
	tlv_put_hdr(&w, 0xDF21, 8);
	for (i = 0; i < 4; i++)
		buf_put_u16(&w, (uint16_t)off[i]);
	buf_put_bytes(&w, vp, vlen);
	out = buf_wr_take(&w, &e->len);
	assert_non_null(out);
	memcpy(e->b, out, e->len);
	free(out);
	free(vp);
}

static void
test_valid(void **state)
{
	jpki_text_attrs_t a = { .size = sizeof(a) };
	ef_t e;

	build(&e, NAME, ADDR, BIRTH, "1", 0);
	/* trailing filler after the object is normal (§6.3) */
	memset(e.b + e.len, 0xFF, 16);
	assert_int_equal(jpki_text_attrs_parse(e.b, e.len + 16, &a), JPKI_OK);
	assert_string_equal(a.name, NAME);
	assert_string_equal(a.address, ADDR);
	assert_string_equal(a.birth, BIRTH);
	assert_int_equal(a.sex, '1');
	jpki_text_attrs_clear(&a);
	assert_null(a.name);
	/* exact length */
	assert_int_equal(jpki_text_attrs_parse(e.b, e.len, &a), JPKI_OK);
	jpki_text_attrs_clear(&a);
}

static void
test_truncated(void **state)
{
	jpki_text_attrs_t a = { .size = sizeof(a) };
	ef_t e;
	size_t n;

	build(&e, NAME, ADDR, BIRTH, "2", 0);
	for (n = 0; n < e.len; n++) {
		assert_int_equal(jpki_text_attrs_parse(e.b, n, &a),
		    JPKI_ERR_PARSE);
		assert_null(a.name);
		assert_null(a.address);
	}
}

static void
test_giant(void **state)
{
	static const uint8_t giant[] = { 0xFF, 0x20, 0x82, 0xFF, 0xFF, 0xDF,
	    0x21, 0x08 };
	static const uint8_t huge_len[] = { 0xFF, 0x20, 0x84, 0xFF, 0xFF,
	    0xFF, 0xFF };
	jpki_text_attrs_t a = { .size = sizeof(a) };
	uint8_t *big;

	assert_int_equal(jpki_text_attrs_parse(giant, sizeof(giant), &a),
	    JPKI_ERR_PARSE);
	assert_int_equal(jpki_text_attrs_parse(huge_len, sizeof(huge_len), &a),
	    JPKI_ERR_PARSE);
	big = calloc(1, 70000);
	assert_non_null(big);
	assert_int_equal(jpki_text_attrs_parse(big, 70000, &a),
	    JPKI_ERR_TOO_LARGE);
	free(big);
}

static void
test_bad_fields(void **state)
{
	jpki_text_attrs_t a = { .size = sizeof(a) };
	ef_t e;

	build(&e, NAME, ADDR, BIRTH, "1", 1);
	assert_int_equal(jpki_text_attrs_parse(e.b, e.len, &a), JPKI_ERR_PARSE);
	build(&e, NAME, ADDR, BIRTH, "1", 2);
	assert_int_equal(jpki_text_attrs_parse(e.b, e.len, &a), JPKI_ERR_PARSE);
	build(&e, NAME, ADDR, BIRTH, "1", 3);
	assert_int_equal(jpki_text_attrs_parse(e.b, e.len, &a), JPKI_ERR_PARSE);
	build(&e, "\xc0\xaf", ADDR, BIRTH, "1", 0);	/* overlong UTF-8 */
	assert_int_equal(jpki_text_attrs_parse(e.b, e.len, &a), JPKI_ERR_PARSE);
	build(&e, NAME, "\xed\xa0\x80", BIRTH, "1", 0);	/* surrogate */
	assert_int_equal(jpki_text_attrs_parse(e.b, e.len, &a), JPKI_ERR_PARSE);
	build(&e, NAME, ADDR, "1980021X", "1", 0);
	assert_int_equal(jpki_text_attrs_parse(e.b, e.len, &a), JPKI_ERR_PARSE);
	build(&e, NAME, ADDR, "1980021", "1", 0);
	assert_int_equal(jpki_text_attrs_parse(e.b, e.len, &a), JPKI_ERR_PARSE);
	build(&e, NAME, ADDR, BIRTH, "3", 0);
	assert_int_equal(jpki_text_attrs_parse(e.b, e.len, &a), JPKI_ERR_PARSE);
	build(&e, NAME, ADDR, BIRTH, "12", 0);
	assert_int_equal(jpki_text_attrs_parse(e.b, e.len, &a), JPKI_ERR_PARSE);
	/* wrong outer tag */
	build(&e, NAME, ADDR, BIRTH, "1", 0);
	e.b[1] = 0x21;
	assert_int_equal(jpki_text_attrs_parse(e.b, e.len, &a), JPKI_ERR_PARSE);
	assert_int_equal(jpki_text_attrs_parse(NULL, 10, &a), JPKI_ERR_ARG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_giant),
		cmocka_unit_test(test_bad_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
