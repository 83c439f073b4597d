/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * src/buf.c: the OpenSSH boundary quartet (house-style §2.8) for every
 * reader accessor -- normal, exact (capacity equals need), truncated and
 * giant length -- and every failure asserts that the cursor is unchanged.
 * The capped writer: sticky errors, the cap at exactly max, overflow-safe
 * size checks, take/free ownership.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jpki/err.h>

#include "buf.h"

static const uint8_t data[] = {
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09
};

/* Assert that r still points at (p, len): a failed read moved nothing. */
static void
assert_cursor(const buf_rd_t *r, const uint8_t *p, size_t len)
{
	assert_ptr_equal(r->p, p);
	assert_int_equal(r->len, len);
	assert_int_equal(buf_rd_left(r), len);
}

static void
test_rd_init(void **state)
{
	buf_rd_t r;

	buf_rd_init(&r, data, sizeof(data));
	assert_cursor(&r, data, sizeof(data));
	/* a NULL pointer never yields a non-empty reader */
	buf_rd_init(&r, NULL, 100);
	assert_int_equal(buf_rd_left(&r), 0);
}

static void
test_u8(void **state)
{
	buf_rd_t r;
	uint8_t	 v = 0xaa;

	/* normal */
	buf_rd_init(&r, data, sizeof(data));
	assert_int_equal(buf_get_u8(&r, &v), JPKI_OK);
	assert_int_equal(v, 0x01);
	assert_cursor(&r, data + 1, sizeof(data) - 1);
	/* exact */
	buf_rd_init(&r, data + 8, 1);
	assert_int_equal(buf_get_u8(&r, &v), JPKI_OK);
	assert_int_equal(v, 0x09);
	assert_cursor(&r, data + 9, 0);
	/* truncated (empty) */
	v = 0xaa;
	assert_int_equal(buf_get_u8(&r, &v), JPKI_ERR_PARSE);
	assert_int_equal(v, 0xaa);
	assert_cursor(&r, data + 9, 0);
}

static void
test_u16(void **state)
{
	buf_rd_t r;
	uint16_t v = 0xaaaa;

	buf_rd_init(&r, data, sizeof(data));
	assert_int_equal(buf_get_u16(&r, &v), JPKI_OK);
	assert_int_equal(v, 0x0102);	/* big-endian */
	assert_cursor(&r, data + 2, sizeof(data) - 2);
	buf_rd_init(&r, data + 7, 2);
	assert_int_equal(buf_get_u16(&r, &v), JPKI_OK);
	assert_int_equal(v, 0x0809);
	assert_cursor(&r, data + 9, 0);
	/* truncated: one byte short */
	buf_rd_init(&r, data + 8, 1);
	v = 0xaaaa;
	assert_int_equal(buf_get_u16(&r, &v), JPKI_ERR_PARSE);
	assert_int_equal(v, 0xaaaa);
	assert_cursor(&r, data + 8, 1);
	/* high bit set: no sign extension */
	{
		const uint8_t ff[] = { 0xff, 0xfe };

		buf_rd_init(&r, ff, sizeof(ff));
		assert_int_equal(buf_get_u16(&r, &v), JPKI_OK);
		assert_int_equal(v, 0xfffe);
	}
}

static void
test_u32(void **state)
{
	buf_rd_t r;
	uint32_t v = 0xaaaaaaaa;
	const uint8_t ff[] = { 0xff, 0xfe, 0xfd, 0xfc };

	buf_rd_init(&r, data, sizeof(data));
	assert_int_equal(buf_get_u32(&r, &v), JPKI_OK);
	assert_int_equal(v, 0x01020304);
	assert_cursor(&r, data + 4, sizeof(data) - 4);
	buf_rd_init(&r, data + 5, 4);
	assert_int_equal(buf_get_u32(&r, &v), JPKI_OK);
	assert_int_equal(v, 0x06070809);
	assert_cursor(&r, data + 9, 0);
	buf_rd_init(&r, data + 6, 3);
	v = 0xaaaaaaaa;
	assert_int_equal(buf_get_u32(&r, &v), JPKI_ERR_PARSE);
	assert_int_equal(v, 0xaaaaaaaa);
	assert_cursor(&r, data + 6, 3);
	buf_rd_init(&r, ff, sizeof(ff));
	assert_int_equal(buf_get_u32(&r, &v), JPKI_OK);
	assert_true(v == 0xfffefdfcU);
}

static void
test_bytes(void **state)
{
	buf_rd_t r;
	uint8_t	 out[16];

	/* normal */
	buf_rd_init(&r, data, sizeof(data));
	assert_int_equal(buf_get_bytes(&r, out, 3), JPKI_OK);
	assert_memory_equal(out, data, 3);
	assert_cursor(&r, data + 3, sizeof(data) - 3);
	/* zero bytes is a no-op that succeeds */
	assert_int_equal(buf_get_bytes(&r, out, 0), JPKI_OK);
	assert_cursor(&r, data + 3, sizeof(data) - 3);
	/* exact */
	assert_int_equal(buf_get_bytes(&r, out, sizeof(data) - 3), JPKI_OK);
	assert_memory_equal(out, data + 3, sizeof(data) - 3);
	assert_cursor(&r, data + sizeof(data), 0);
	/* truncated: one more than left, nothing copied */
	buf_rd_init(&r, data, 4);
	memset(out, 0xee, sizeof(out));
	assert_int_equal(buf_get_bytes(&r, out, 5), JPKI_ERR_PARSE);
	assert_int_equal(out[0], 0xee);
	assert_cursor(&r, data, 4);
	/* giant: a length that would wrap p + n */
	assert_int_equal(buf_get_bytes(&r, out, SIZE_MAX), JPKI_ERR_PARSE);
	assert_cursor(&r, data, 4);
	assert_int_equal(buf_get_bytes(&r, out, 0xffff), JPKI_ERR_PARSE);
	assert_cursor(&r, data, 4);
}

static void
test_view(void **state)
{
	buf_rd_t	 r;
	const uint8_t	*v = NULL;
	const uint8_t	*sentinel = (const uint8_t *)"x";

	buf_rd_init(&r, data, sizeof(data));
	assert_int_equal(buf_get_view(&r, &v, 2), JPKI_OK);
	assert_ptr_equal(v, data);
	assert_cursor(&r, data + 2, sizeof(data) - 2);
	assert_int_equal(buf_get_view(&r, &v, sizeof(data) - 2), JPKI_OK);
	assert_ptr_equal(v, data + 2);
	assert_cursor(&r, data + sizeof(data), 0);
	buf_rd_init(&r, data, 4);
	v = sentinel;
	assert_int_equal(buf_get_view(&r, &v, 5), JPKI_ERR_PARSE);
	assert_ptr_equal(v, sentinel);
	assert_cursor(&r, data, 4);
	assert_int_equal(buf_get_view(&r, &v, SIZE_MAX), JPKI_ERR_PARSE);
	assert_ptr_equal(v, sentinel);
	assert_cursor(&r, data, 4);
}

static void
test_skip(void **state)
{
	buf_rd_t r;

	buf_rd_init(&r, data, sizeof(data));
	assert_int_equal(buf_skip(&r, 4), JPKI_OK);
	assert_cursor(&r, data + 4, sizeof(data) - 4);
	assert_int_equal(buf_skip(&r, sizeof(data) - 4), JPKI_OK);
	assert_cursor(&r, data + sizeof(data), 0);
	assert_int_equal(buf_skip(&r, 0), JPKI_OK);
	assert_int_equal(buf_skip(&r, 1), JPKI_ERR_PARSE);
	assert_cursor(&r, data + sizeof(data), 0);
	buf_rd_init(&r, data, 4);
	assert_int_equal(buf_skip(&r, SIZE_MAX), JPKI_ERR_PARSE);
	assert_cursor(&r, data, 4);
	assert_int_equal(buf_skip(&r, SIZE_MAX - 3), JPKI_ERR_PARSE);
	assert_cursor(&r, data, 4);
}

static void
test_peek_macros(void **state)
{
	const uint8_t p[] = { 0x80, 0x01, 0xc0, 0xff };

	assert_int_equal(BUF_PEEK_U16(p), 0x8001);
	assert_true(BUF_PEEK_U32(p) == 0x8001c0ffU);
}

static void
test_wr_basic(void **state)
{
	buf_wr_t w;
	uint8_t	*p;
	size_t	 len = 99;
	const uint8_t want[] = {
		0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0xaa, 0xbb
	};

	buf_wr_init(&w, 64, 0);
	buf_put_u8(&w, 0x11);
	buf_put_u16(&w, 0x2233);
	buf_put_u32(&w, 0x44556677);
	buf_put_bytes(&w, "\xaa\xbb", 2);
	buf_put_bytes(&w, NULL, 0);
	assert_true(buf_wr_ok(&w));
	assert_int_equal(w.len, sizeof(want));
	p = buf_wr_take(&w, &len);
	assert_non_null(p);
	assert_int_equal(len, sizeof(want));
	assert_memory_equal(p, want, sizeof(want));
	/* take resets the writer: it no longer owns p */
	assert_null(w.p);
	assert_int_equal(w.len, 0);
	free(p);
	buf_wr_free(&w);
}

static void
test_wr_exact_cap(void **state)
{
	buf_wr_t w;
	uint8_t	 block[100];
	size_t	 i;

	memset(block, 0x5a, sizeof(block));
	/* max equals what is written: ok */
	buf_wr_init(&w, 300, 0);
	for (i = 0; i < 3; i++)
		buf_put_bytes(&w, block, sizeof(block));
	assert_true(buf_wr_ok(&w));
	assert_int_equal(w.len, 300);
	assert_true(w.cap >= 300);
	/* one more byte goes over the cap: sticky TOO_LARGE, length kept */
	buf_put_u8(&w, 1);
	assert_false(buf_wr_ok(&w));
	assert_int_equal(w.err, JPKI_ERR_TOO_LARGE);
	assert_int_equal(w.len, 300);
	buf_wr_free(&w);
	assert_null(w.p);
}

static void
test_wr_sticky(void **state)
{
	buf_wr_t w;
	size_t	 len = 99;

	buf_wr_init(&w, 4, 0);
	buf_put_u32(&w, 1);
	buf_put_u16(&w, 2);	/* over the cap */
	assert_false(buf_wr_ok(&w));
	buf_wr_free(&w);
	/* a later append that would fit is still a no-op */
	buf_wr_init(&w, 4, 0);
	buf_put_u16(&w, 1);
	buf_put_bytes(&w, "abc", 3);
	assert_int_equal(w.err, JPKI_ERR_TOO_LARGE);
	buf_put_u8(&w, 7);
	assert_int_equal(w.len, 2);
	assert_false(buf_wr_ok(&w));
	/* take after a failure gives nothing and frees */
	assert_null(buf_wr_take(&w, &len));
	assert_int_equal(len, 0);
	assert_null(w.p);
}

static void
test_wr_giant(void **state)
{
	buf_wr_t w;

	/* lengths near SIZE_MAX must not wrap the len + n check */
	buf_wr_init(&w, SIZE_MAX, 0);
	buf_put_u8(&w, 1);
	assert_true(buf_wr_ok(&w));
	buf_put_bytes(&w, "", SIZE_MAX);
	assert_false(buf_wr_ok(&w));
	assert_int_equal(w.len, 1);
	buf_wr_free(&w);

	buf_wr_init(&w, 16, 0);
	buf_put_bytes(&w, "", SIZE_MAX);
	assert_int_equal(w.err, JPKI_ERR_TOO_LARGE);
	assert_int_equal(w.len, 0);
	buf_wr_free(&w);
}

static void
test_wr_growth(void **state)
{
	buf_wr_t w;
	uint8_t	*p;
	size_t	 i, len;

	/* growth across several reallocations keeps the content */
	buf_wr_init(&w, 5000, 1);
	for (i = 0; i < 5000; i++)
		buf_put_u8(&w, (uint8_t)(i * 7));
	assert_true(buf_wr_ok(&w));
	assert_true(w.cap <= 5000);	/* capped allocation, not 8192 */
	p = buf_wr_take(&w, &len);
	assert_non_null(p);
	assert_int_equal(len, 5000);
	for (i = 0; i < 5000; i++)
		assert_int_equal(p[i], (uint8_t)(i * 7));
	free(p);
}

static void
test_wr_empty_take(void **state)
{
	buf_wr_t w;
	uint8_t	*p;
	size_t	 len = 99;

	/* an empty writer still hands out a freeable pointer */
	buf_wr_init(&w, 10, 0);
	p = buf_wr_take(&w, &len);
	assert_non_null(p);
	assert_int_equal(len, 0);
	free(p);
	/* zero cap: nothing fits, but empty appends are fine */
	buf_wr_init(&w, 0, 0);
	buf_put_bytes(&w, NULL, 0);
	assert_true(buf_wr_ok(&w));
	buf_put_u8(&w, 0);
	assert_false(buf_wr_ok(&w));
	buf_wr_free(&w);
	/* free twice is harmless */
	buf_wr_free(&w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rd_init),
		cmocka_unit_test(test_u8),
		cmocka_unit_test(test_u16),
		cmocka_unit_test(test_u32),
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_view),
		cmocka_unit_test(test_skip),
		cmocka_unit_test(test_peek_macros),
		cmocka_unit_test(test_wr_basic),
		cmocka_unit_test(test_wr_exact_cap),
		cmocka_unit_test(test_wr_sticky),
		cmocka_unit_test(test_wr_giant),
		cmocka_unit_test(test_wr_growth),
		cmocka_unit_test(test_wr_empty_take),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
