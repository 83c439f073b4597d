/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * src/tlv.c: BER-TLV lengths in short, 81 and 82 form (83, 84 and the
 * indefinite form 80 rejected, house-style §2.6), tags of one to three
 * bytes (DF21, 7F21, 5F4E, FF20 of jpki-card.md §6.3), the boundary quartet
 * with the cursor unchanged on every failure, the iterator's filler and
 * callback rules, and build/parse round trips.
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
#include "tlv.h"

/* Read one TLV from (p, n) expecting failure and an unchanged cursor. */
static void
expect_bad(const uint8_t *p, size_t n)
{
	buf_rd_t r;
	tlv_t	 t;

	memset(&t, 0xee, sizeof(t));
	buf_rd_init(&r, p, n);
	assert_int_equal(tlv_read(&r, &t), JPKI_ERR_PARSE);
	assert_ptr_equal(r.p, p);
	assert_int_equal(r.len, n);
	assert_int_equal(t.tag, 0xeeeeeeeeU);	/* output untouched */
}

/* Read one TLV and check tag, header length and value length. */
static void
expect_tlv(const uint8_t *p, size_t n, uint32_t tag, int cons, size_t hdr,
    size_t len)
{
	buf_rd_t r;
	tlv_t	 t;

	buf_rd_init(&r, p, n);
	assert_int_equal(tlv_read(&r, &t), JPKI_OK);
	assert_int_equal(t.tag, tag);
	assert_int_equal(t.constructed, cons);
	assert_int_equal(t.hdr_len, hdr);
	assert_int_equal(t.len, len);
	assert_ptr_equal(t.value, p + hdr);
	assert_ptr_equal(r.p, p + hdr + len);
	assert_int_equal(r.len, n - hdr - len);
}

static void
test_short_form(void **state)
{
	const uint8_t ok[] = { 0x04, 0x03, 'a', 'b', 'c', 0x99 };
	const uint8_t empty[] = { 0x05, 0x00 };
	const uint8_t max[2 + 0x7f] = { 0x04, 0x7f };

	expect_tlv(ok, sizeof(ok), 0x04, 0, 2, 3);	/* normal */
	expect_tlv(ok, 5, 0x04, 0, 2, 3);		/* exact */
	expect_bad(ok, 4);				/* truncated */
	expect_bad(ok, 2);
	expect_bad(ok, 1);
	expect_bad(ok, 0);
	expect_tlv(empty, sizeof(empty), 0x05, 0, 2, 0);
	expect_tlv(max, sizeof(max), 0x04, 0, 2, 0x7f);
	expect_bad(max, sizeof(max) - 1);
}

static void
test_long_81(void **state)
{
	uint8_t p[3 + 0xff + 1];

	memset(p, 0x41, sizeof(p));
	p[0] = 0x04;
	p[1] = 0x81;
	p[2] = 0x80;
	expect_tlv(p, sizeof(p), 0x04, 0, 3, 0x80);
	expect_tlv(p, 3 + 0x80, 0x04, 0, 3, 0x80);	/* exact */
	expect_bad(p, 3 + 0x7f);			/* one short */
	expect_bad(p, 2);				/* length byte missing */
	p[2] = 0xff;					/* giant for 81 */
	expect_tlv(p, 3 + 0xff, 0x04, 0, 3, 0xff);
	expect_bad(p, 3 + 0xfe);
	/* BER allows 81 for a short value */
	p[2] = 0x05;
	expect_tlv(p, 8, 0x04, 0, 3, 5);
}

static void
test_long_82(void **state)
{
	uint8_t	*p;
	size_t	 n = 4 + 0xffff;

	p = calloc(1, n);
	assert_non_null(p);
	p[0] = 0x30;
	p[1] = 0x82;
	p[2] = 0x01;
	p[3] = 0x00;
	expect_tlv(p, n, 0x30, 1, 4, 0x100);
	expect_tlv(p, 4 + 0x100, 0x30, 1, 4, 0x100);	/* exact */
	expect_bad(p, 4 + 0xff);			/* truncated */
	expect_bad(p, 3);				/* half a length */
	/* giant: 82 FF FF over a short buffer, then over an exact one */
	p[2] = 0xff;
	p[3] = 0xff;
	expect_bad(p, 64);
	expect_bad(p, n - 1);
	expect_tlv(p, n, 0x30, 1, 4, 0xffff);
	free(p);
}

static void
test_reject_forms(void **state)
{
	const uint8_t l83[] = { 0x04, 0x83, 0x00, 0x00, 0x01, 0xaa };
	const uint8_t l84[] = { 0x04, 0x84, 0x00, 0x00, 0x00, 0x01, 0xaa };
	const uint8_t indef[] = { 0x30, 0x80, 0x04, 0x00, 0x00, 0x00 };
	const uint8_t lff[] = { 0x04, 0xff, 0x00 };
	const uint8_t l85[] = { 0x04, 0x85, 0, 0, 0, 0, 1, 0xaa };

	expect_bad(l83, sizeof(l83));
	expect_bad(l84, sizeof(l84));
	expect_bad(indef, sizeof(indef));
	expect_bad(lff, sizeof(lff));
	expect_bad(l85, sizeof(l85));
}

static void
test_multibyte_tags(void **state)
{
	const uint8_t df21[] = { 0xdf, 0x21, 0x02, 0x00, 0x0e };
	const uint8_t x7f21[] = { 0x7f, 0x21, 0x03, 0x42, 0x01, 0x00 };
	const uint8_t x5f4e[] = { 0x5f, 0x4e, 0x01, 0x99 };
	/* EF 0002 of the text AP: FF20 (jpki-card.md §6.3) */
	const uint8_t ff20[] = { 0xff, 0x20, 0x01, 0x00 };
	/* three-byte tag: second byte has b8 set, third ends it */
	const uint8_t t3[] = { 0xdf, 0x81, 0x01, 0x01, 0x77 };
	/* four-byte tag: rejected */
	const uint8_t t4[] = { 0xdf, 0x81, 0x81, 0x01, 0x01, 0x77 };
	/* a tag that never ends within the buffer */
	const uint8_t topen[] = { 0x5f, 0x81 };

	expect_tlv(df21, sizeof(df21), 0xdf21, 0, 3, 2);
	expect_tlv(x7f21, sizeof(x7f21), 0x7f21, 1, 3, 3);
	expect_tlv(x5f4e, sizeof(x5f4e), 0x5f4e, 0, 3, 1);
	expect_tlv(ff20, sizeof(ff20), 0xff20, 1, 3, 1);
	expect_tlv(t3, sizeof(t3), 0xdf8101, 0, 4, 1);
	expect_bad(t4, sizeof(t4));
	expect_bad(topen, sizeof(topen));
	/* truncated after the tag: no length byte */
	expect_bad(df21, 2);
	/* truncated value */
	expect_bad(df21, 4);
	expect_bad(x7f21, sizeof(x7f21) - 1);
}

static void
test_zero_tag(void **state)
{
	/* 00 is filler, never a tag (ISO 7816-4 §5.2.2.1) */
	const uint8_t z[] = { 0x00, 0x00 };
	const uint8_t z1[] = { 0x00, 0x01, 0xaa };

	expect_bad(z, sizeof(z));
	expect_bad(z1, sizeof(z1));
}

static void
test_header(void **state)
{
	/* a certificate EF begins 30 82 06 2B: 1583 bytes (jpki-card.md §5.3) */
	const uint8_t cert[] = { 0x30, 0x82, 0x06, 0x2b };
	const uint8_t short_hdr[] = { 0x04, 0x10 };
	const uint8_t bad[] = { 0x30, 0x83, 0x00, 0x06, 0x2b };
	uint32_t tag = 0;
	size_t	 hdr = 0, total = 0;

	assert_int_equal(tlv_header(cert, sizeof(cert), &tag, &hdr, &total),
	    JPKI_OK);
	assert_int_equal(tag, 0x30);
	assert_int_equal(hdr, 4);
	assert_int_equal(total, 1583);
	/* three bytes are not enough for an 82 header; nothing written */
	tag = 7;
	hdr = total = 9;
	assert_int_equal(tlv_header(cert, 3, &tag, &hdr, &total),
	    JPKI_ERR_PARSE);
	assert_int_equal(tag, 7);
	assert_int_equal(hdr, 9);
	assert_int_equal(total, 9);
	assert_int_equal(tlv_header(short_hdr, sizeof(short_hdr), &tag, &hdr,
	    &total), JPKI_OK);
	assert_int_equal(total, 2 + 0x10);
	assert_int_equal(tlv_header(bad, sizeof(bad), &tag, &hdr, &total),
	    JPKI_ERR_PARSE);
	assert_int_equal(tlv_header(NULL, 4, &tag, &hdr, &total),
	    JPKI_ERR_ARG);
}

struct seen {
	uint32_t tags[8];
	size_t	 lens[8];
	size_t	 n;
	size_t	 fail_at;	/* 1-based call that returns fail_rc; 0 never */
	int	 fail_rc;
};

static int
collect(const tlv_t *t, void *arg)
{
	struct seen *s = arg;

	if (s->n >= 8)
		return JPKI_ERR_INTERNAL;
	s->tags[s->n] = t->tag;
	s->lens[s->n] = t->len;
	s->n++;
	if (s->fail_at != 0 && s->n == s->fail_at)
		return s->fail_rc;
	return 0;
}

/* The text AP EF 0002 inner value of jpki-card.md §6.3, synthetic. */
static const uint8_t attrs[] = {
	0xdf, 0x21, 0x08, 0x00, 0x0e, 0x00, 0x13, 0x00, 0x19, 0x00, 0x24,
	0xdf, 0x22, 0x02, 'N', 'M',
	0xdf, 0x23, 0x03, 'A', 'D', 'R',
	0xdf, 0x24, 0x08, '1', '9', '9', '0', '0', '1', '0', '1',
	0xdf, 0x25, 0x01, '9',
};

static void
test_iterate(void **state)
{
	struct seen s;

	memset(&s, 0, sizeof(s));
	assert_int_equal(tlv_iterate(attrs, sizeof(attrs), 0, collect, &s),
	    JPKI_OK);
	assert_int_equal(s.n, 5);
	assert_int_equal(s.tags[0], 0xdf21);
	assert_int_equal(s.tags[4], 0xdf25);
	assert_int_equal(s.lens[3], 8);
	/* empty input: no callback */
	memset(&s, 0, sizeof(s));
	assert_int_equal(tlv_iterate(attrs, 0, 0, collect, &s), JPKI_OK);
	assert_int_equal(s.n, 0);
	/* truncated last TLV */
	memset(&s, 0, sizeof(s));
	assert_int_equal(tlv_iterate(attrs, sizeof(attrs) - 1, 0, collect,
	    &s), JPKI_ERR_PARSE);
	assert_int_equal(s.n, 4);
}

static void
test_iterate_filler(void **state)
{
	uint8_t	    p[sizeof(attrs) + 3];
	struct seen s;
	const uint8_t ff[] = { 0xff, 0xff, 0xff };

	memcpy(p, attrs, sizeof(attrs));
	memcpy(p + sizeof(attrs), "\x00\xff\x00", 3);
	/* allowed: trailing 00/FF ignored */
	memset(&s, 0, sizeof(s));
	assert_int_equal(tlv_iterate(p, sizeof(p), 1, collect, &s), JPKI_OK);
	assert_int_equal(s.n, 5);
	/* disallowed: the filler is garbage */
	memset(&s, 0, sizeof(s));
	assert_int_equal(tlv_iterate(p, sizeof(p), 0, collect, &s),
	    JPKI_ERR_PARSE);
	/* two zero bytes of filler must not pass as a TLV "00 00" */
	p[sizeof(attrs) + 1] = 0x00;
	memset(&s, 0, sizeof(s));
	assert_int_equal(tlv_iterate(p, sizeof(attrs) + 2, 0, collect, &s),
	    JPKI_ERR_PARSE);
	assert_int_equal(s.n, 5);
	/* filler followed by data is not trailing */
	p[sizeof(attrs)] = 0x04;
	p[sizeof(attrs) + 1] = 0x00;
	p[sizeof(attrs) + 2] = 0x01;
	memset(&s, 0, sizeof(s));
	assert_int_equal(tlv_iterate(p, sizeof(p), 1, collect, &s),
	    JPKI_ERR_PARSE);
	/* a buffer of nothing but filler */
	memset(&s, 0, sizeof(s));
	assert_int_equal(tlv_iterate(ff, sizeof(ff), 1, collect, &s),
	    JPKI_OK);
	assert_int_equal(s.n, 0);
	assert_int_equal(tlv_iterate(ff, sizeof(ff), 0, collect, &s),
	    JPKI_ERR_PARSE);
}

static void
test_iterate_cb_error(void **state)
{
	struct seen s;

	/* the first non-zero callback result stops iteration and is returned */
	memset(&s, 0, sizeof(s));
	s.fail_at = 2;
	s.fail_rc = JPKI_ERR_NOT_AUTHENTIC;
	assert_int_equal(tlv_iterate(attrs, sizeof(attrs), 0, collect, &s),
	    JPKI_ERR_NOT_AUTHENTIC);
	assert_int_equal(s.n, 2);
	/* a positive value is propagated too (callers may use it as "stop") */
	memset(&s, 0, sizeof(s));
	s.fail_at = 1;
	s.fail_rc = 1;
	assert_int_equal(tlv_iterate(attrs, sizeof(attrs), 0, collect, &s), 1);
	assert_int_equal(s.n, 1);
}

static void
roundtrip(uint32_t tag, size_t len, size_t want_hdr)
{
	buf_wr_t w;
	uint8_t	*val, *out;
	size_t	 n, i;
	buf_rd_t r;
	tlv_t	 t;

	val = malloc(len + 1);
	assert_non_null(val);
	for (i = 0; i < len; i++)
		val[i] = (uint8_t)(i ^ 0x5a);
	buf_wr_init(&w, 0x20000, 0);
	tlv_put(&w, tag, val, len);
	assert_true(buf_wr_ok(&w));
	out = buf_wr_take(&w, &n);
	assert_non_null(out);
	assert_int_equal(n, want_hdr + len);
	buf_rd_init(&r, out, n);
	assert_int_equal(tlv_read(&r, &t), JPKI_OK);
	assert_int_equal(t.tag, tag);
	assert_int_equal(t.hdr_len, want_hdr);
	assert_int_equal(t.len, len);
	assert_int_equal(buf_rd_left(&r), 0);
	if (len > 0)
		assert_memory_equal(t.value, val, len);
	free(out);
	free(val);
}

static void
test_put_roundtrip(void **state)
{
	roundtrip(0x04, 0, 2);
	roundtrip(0x04, 0x7f, 2);
	roundtrip(0x04, 0x80, 3);
	roundtrip(0x04, 0xff, 3);
	roundtrip(0x30, 0x100, 4);
	roundtrip(0x30, 0xffff, 4);
	roundtrip(0xdf21, 8, 3);
	roundtrip(0x7f21, 0x100, 5);
	roundtrip(0x5f4e, 0x80, 4);
	roundtrip(0xff20, 0x65, 3);
	roundtrip(0xdf8101, 1, 4);
	assert_int_equal(tlv_len_size(0), 1);
	assert_int_equal(tlv_len_size(0x7f), 1);
	assert_int_equal(tlv_len_size(0x80), 2);
	assert_int_equal(tlv_len_size(0xff), 2);
	assert_int_equal(tlv_len_size(0x100), 3);
	assert_int_equal(tlv_len_size(0xffff), 3);
}

static void
test_put_hdr(void **state)
{
	buf_wr_t w;
	const uint8_t want[] = { 0x30, 0x82, 0x06, 0x2b };

	buf_wr_init(&w, 16, 0);
	tlv_put_hdr(&w, 0x30, 0x62b);
	assert_true(buf_wr_ok(&w));
	assert_int_equal(w.len, sizeof(want));
	assert_memory_equal(w.p, want, sizeof(want));
	buf_wr_free(&w);
}

static void
test_put_too_large(void **state)
{
	buf_wr_t w;

	/* lengths beyond 82 form cannot be encoded: error, nothing written */
	buf_wr_init(&w, 0x30000, 0);
	tlv_put_hdr(&w, 0x04, 0x10000);
	assert_false(buf_wr_ok(&w));
	assert_int_equal(w.err, JPKI_ERR_TOO_LARGE);
	assert_int_equal(w.len, 0);
	buf_wr_free(&w);
	/* tags longer than three bytes cannot be encoded either */
	buf_wr_init(&w, 64, 0);
	tlv_put(&w, 0x1f818101, "x", 1);
	assert_false(buf_wr_ok(&w));
	assert_int_equal(w.len, 0);
	buf_wr_free(&w);
	/* the writer's cap applies to the whole TLV */
	buf_wr_init(&w, 4, 0);
	tlv_put(&w, 0x04, "abc", 3);
	assert_false(buf_wr_ok(&w));
	assert_int_equal(w.err, JPKI_ERR_TOO_LARGE);
	buf_wr_free(&w);
	buf_wr_init(&w, 5, 0);
	tlv_put(&w, 0x04, "abc", 3);
	assert_true(buf_wr_ok(&w));
	buf_wr_free(&w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short_form),
		cmocka_unit_test(test_long_81),
		cmocka_unit_test(test_long_82),
		cmocka_unit_test(test_reject_forms),
		cmocka_unit_test(test_multibyte_tags),
		cmocka_unit_test(test_zero_tag),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_iterate),
		cmocka_unit_test(test_iterate_filler),
		cmocka_unit_test(test_iterate_cb_error),
		cmocka_unit_test(test_put_roundtrip),
		cmocka_unit_test(test_put_hdr),
		cmocka_unit_test(test_put_too_large),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
