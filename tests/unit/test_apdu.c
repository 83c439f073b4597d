/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * APDU encoding (ISO 7816-4 §5.1 cases 1-4, short and extended), decoding,
 * and the status-word table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <jpki/err.h>

#include "apdu.h"

static uint8_t data300[300];

static void
enc(const apdu_t *a, const char *want_hex)
{
	uint8_t	out[512], want[512];
	size_t	n = 0, wn = 0, i;
	apdu_t	d;

	for (i = 0; want_hex[i] != '\0' && want_hex[i + 1] != '\0'; i += 2) {
		unsigned v;

		sscanf(want_hex + i, "%2x", &v);
		want[wn++] = (uint8_t)v;
	}
	assert_int_equal(apdu_encode(a, out, sizeof(out), &n), JPKI_OK);
	assert_int_equal(n, wn);
	assert_memory_equal(out, want, wn);
	/* the decoder is the inverse */
	assert_int_equal(apdu_decode(out, n, &d), JPKI_OK);
	assert_int_equal(d.cla, a->cla);
	assert_int_equal(d.ins, a->ins);
	assert_int_equal(d.lc, a->lc);
	assert_int_equal(d.le, a->le);
}

static void
test_case1(void **state)
{
	apdu_t a = { .cla = 0, .ins = 0x20, .p1 = 0, .p2 = 0x98 };

	enc(&a, "00200098");
}

static void
test_case2_short(void **state)
{
	apdu_t a = { .ins = 0xB0, .p1 = 0x8A, .le = 256 };

	enc(&a, "00B08A0000");
	a.le = 1;
	enc(&a, "00B08A0001");
	a.le = 255;
	enc(&a, "00B08A00FF");
}

static void
test_case2_extended(void **state)
{
	apdu_t a = { .ins = 0xB0, .p1 = 0x8A, .le = 65536, .extended = 1 };

	enc(&a, "00B08A00000000");
	a.le = 257;
	a.extended = 0;		/* implied by le > 256 */
	enc(&a, "00B08A00000101");
	a.le = 0x062F;
	a.extended = 1;
	enc(&a, "00B08A0000062F");
}

static void
test_case3(void **state)
{
	static const uint8_t aid[] = { 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01,
	    0x00, 0x00, 0x00, 0x01 };
	apdu_t a = { .ins = 0xA4, .p1 = 4, .p2 = 0x0C, .data = aid,
	    .lc = sizeof(aid) };

	enc(&a, "00A4040C0AD392F000260100000001");
}

static void
test_case4(void **state)
{
	static const uint8_t di[3] = { 1, 2, 3 };
	apdu_t a = { .cla = 0x80, .ins = 0x2A, .p2 = 0x97, .data = di,
	    .lc = 3, .le = 256 };
	uint8_t out[400];
	size_t n = 0;

	enc(&a, "802A009703010203" "00");
	a.extended = 1;
	a.le = 65536;
	enc(&a, "802A0097000003010203" "0000");
	/* Lc > 255 forces extended */
	a.extended = 0;
	a.data = data300;
	a.lc = 300;
	a.le = 256;
	assert_int_equal(apdu_encode(&a, out, sizeof(out), &n), JPKI_OK);
	assert_int_equal(n, 4 + 3 + 300 + 2);
	assert_int_equal(out[4], 0);
	assert_int_equal(out[5], 0x01);
	assert_int_equal(out[6], 0x2C);
	assert_int_equal(out[n - 2], 0x01);
	assert_int_equal(out[n - 1], 0x00);
}

static void
test_encode_bounds(void **state)
{
	apdu_t	a = { .ins = 0xB0, .le = 256 };
	uint8_t	out[8];
	size_t	n = 99;

	/* exact: 5 bytes into 5 */
	assert_int_equal(apdu_encode(&a, out, 5, &n), JPKI_OK);
	assert_int_equal(n, 5);
	/* one short */
	assert_int_equal(apdu_encode(&a, out, 4, &n), JPKI_ERR_ARG);
	assert_int_equal(n, 0);
	/* giant */
	a.le = 65537;
	assert_int_equal(apdu_encode(&a, out, sizeof(out), &n), JPKI_ERR_ARG);
	a.le = 0;
	a.lc = 65536;
	a.data = data300;
	assert_int_equal(apdu_encode(&a, out, sizeof(out), &n), JPKI_ERR_ARG);
	/* data missing */
	a.lc = 3;
	a.data = NULL;
	assert_int_equal(apdu_encode(&a, out, sizeof(out), &n), JPKI_ERR_ARG);
}

static void
test_decode_bad(void **state)
{
	static const uint8_t short_hdr[] = { 0x00, 0xA4, 0x04 };
	static const uint8_t lc_too_long[] = { 0x00, 0xA4, 0x04, 0x0C, 0x05,
	    0x01 };
	static const uint8_t ext_lc_zero[] = { 0x00, 0xA4, 0x04, 0x0C, 0x00,
	    0x00, 0x00, 0x01 };
	static const uint8_t ext_trunc[] = { 0x00, 0xA4, 0x04, 0x0C, 0x00,
	    0x00 };
	apdu_t a;

	assert_int_equal(apdu_decode(short_hdr, sizeof(short_hdr), &a),
	    JPKI_ERR_PARSE);
	assert_int_equal(apdu_decode(lc_too_long, sizeof(lc_too_long), &a),
	    JPKI_ERR_PARSE);
	assert_int_equal(apdu_decode(ext_lc_zero, sizeof(ext_lc_zero), &a),
	    JPKI_ERR_PARSE);
	assert_int_equal(apdu_decode(ext_trunc, sizeof(ext_trunc), &a),
	    JPKI_ERR_PARSE);
	assert_int_equal(apdu_decode(NULL, 4, &a), JPKI_ERR_PARSE);
}

static void
test_sw_table(void **state)
{
	static const struct {
		uint16_t sw;
		int	 err;
		int	 tries;
	} v[] = {
		{ 0x9000, JPKI_OK, -1 },
		{ 0x63C3, JPKI_ERR_PIN_INCORRECT, 3 },
		{ 0x63C1, JPKI_ERR_PIN_INCORRECT, 1 },
		{ 0x63CF, JPKI_ERR_PIN_INCORRECT, 15 },
		{ 0x63C0, JPKI_ERR_PIN_LOCKED, 0 },
		/* 63 with a high nibble other than C carries no counter */
		{ 0x6300, JPKI_ERR_SW, -1 },
		{ 0x6381, JPKI_ERR_SW, -1 },
		{ 0x6383, JPKI_ERR_SW, -1 },
		/* OpenSC's slip: 6984 is not "4 tries left" */
		{ 0x6984, JPKI_ERR_PIN_LOCKED, -1 },
		{ 0x6983, JPKI_ERR_PIN_LOCKED, -1 },
		{ 0x6982, JPKI_ERR_SECURITY, -1 },
		{ 0x6A82, JPKI_ERR_FILE_NOT_FOUND, -1 },
		{ 0x6700, JPKI_ERR_WRONG_LENGTH, -1 },
		{ 0x6C10, JPKI_ERR_WRONG_LENGTH, -1 },
		{ 0x6985, JPKI_ERR_CONDITIONS, -1 },
		{ 0x6A86, JPKI_ERR_BAD_P1P2, -1 },
		{ 0x6B00, JPKI_ERR_BAD_P1P2, -1 },
		{ 0x6D00, JPKI_ERR_INS_NOT_SUPPORTED, -1 },
		{ 0x6E00, JPKI_ERR_INS_NOT_SUPPORTED, -1 },
		{ 0x6F00, JPKI_ERR_SW, -1 },
		{ 0x9001, JPKI_ERR_SW, -1 },
	};
	size_t	i;
	int	t;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		t = 99;
		assert_int_equal(apdu_sw_to_err(v[i].sw, &t), v[i].err);
		assert_int_equal(t, v[i].tries);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_case1),
		cmocka_unit_test(test_case2_short),
		cmocka_unit_test(test_case2_extended),
		cmocka_unit_test(test_case3),
		cmocka_unit_test(test_case4),
		cmocka_unit_test(test_encode_bounds),
		cmocka_unit_test(test_decode_bad),
		cmocka_unit_test(test_sw_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
