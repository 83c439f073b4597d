/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * The one UTF-8 validator (src/utf8.c), used by the library (text AP,
 * certificate attributes), the jpki CLI's JSON output and jpki-cardsim's
 * profile parser: the edges of Unicode §3.9 table 3-7, one row each.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "utf8.h"

static const struct {
	const char	*s;
	size_t		 len;
	int		 seq;	/* utf8_seq of the first byte(s) */
	int		 ok;	/* utf8_valid (no controls) */
	int		 ok_ctrl;	/* utf8_check with UTF8_CTRL */
	size_t		 ncp;
} v[] = {
	{ "", 0, 0, 1, 1, 0 },
	{ "A", 1, 1, 1, 1, 1 },
	{ "\x7e", 1, 1, 1, 1, 1 },
	{ "\xc2\x80", 2, 2, 1, 1, 1 },			/* U+0080, smallest 2 */
	{ "\xdf\xbf", 2, 2, 1, 1, 1 },			/* U+07FF */
	{ "\xe0\xa0\x80", 3, 3, 1, 1, 1 },		/* U+0800 */
	{ "\xed\x9f\xbf", 3, 3, 1, 1, 1 },		/* U+D7FF */
	{ "\xee\x80\x80", 3, 3, 1, 1, 1 },		/* U+E000 */
	{ "\xef\xbf\xbf", 3, 3, 1, 1, 1 },		/* U+FFFF */
	{ "\xf0\x90\x80\x80", 4, 4, 1, 1, 1 },		/* U+10000 */
	{ "\xf4\x8f\xbf\xbf", 4, 4, 1, 1, 1 },		/* U+10FFFF */
	{ "試験 花子", 13, 3, 1, 1, 5 },
	/* overlong forms */
	{ "\xc0\xaf", 2, 0, 0, 0, 0 },
	{ "\xc1\xbf", 2, 0, 0, 0, 0 },
	{ "\xe0\x80\xaf", 3, 0, 0, 0, 0 },
	{ "\xe0\x9f\xbf", 3, 0, 0, 0, 0 },
	{ "\xf0\x8f\xbf\xbf", 4, 0, 0, 0, 0 },
	{ "\xc0\x80", 2, 0, 0, 0, 0 },			/* "modified" NUL */
	/* surrogates */
	{ "\xed\xa0\x80", 3, 0, 0, 0, 0 },		/* U+D800 */
	{ "\xed\xbf\xbf", 3, 0, 0, 0, 0 },		/* U+DFFF */
	/* beyond U+10FFFF, and lead bytes that cannot start anything */
	{ "\xf4\x90\x80\x80", 4, 0, 0, 0, 0 },
	{ "\xf5\x80\x80\x80", 4, 0, 0, 0, 0 },
	{ "\xff", 1, 0, 0, 0, 0 },
	{ "\x80", 1, 0, 0, 0, 0 },			/* lone continuation */
	/* truncated, and a bad continuation */
	{ "\xe3\x80", 2, 0, 0, 0, 0 },
	{ "\xf0\x9f\x98", 3, 0, 0, 0, 0 },
	{ "\xe3\x41\x80", 3, 0, 0, 0, 0 },
	/* NUL never, controls only with UTF8_CTRL */
	{ "a\0b", 3, 1, 0, 0, 0 },
	{ "a\tb", 3, 1, 0, 1, 3 },
	{ "\x1f", 1, 1, 0, 1, 1 },
	{ "\x7f", 1, 1, 0, 1, 1 },
	{ "\xc2\x85", 2, 2, 1, 1, 1 },	/* C1 control U+0085: a code point */
};

static void
test_table(void **state)
{
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		const uint8_t *p = (const uint8_t *)v[i].s;

		print_message("row %zu\n", i);
		assert_int_equal(utf8_seq(p, v[i].len), v[i].seq);
		assert_int_equal(utf8_valid(p, v[i].len), v[i].ok);
		n = 99;
		assert_int_equal(utf8_check(p, v[i].len, UTF8_CTRL, &n),
		    v[i].ok_ctrl);
		/* unchanged on failure */
		assert_int_equal(n, v[i].ok_ctrl ? v[i].ncp : 99);
	}
}

/* The length bound is the caller's n, not a NUL: no read past it. */
static void
test_bounded(void **state)
{
	const uint8_t four[] = { 0xf0, 0x9f, 0x98, 0x80 };
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(four); k++)
		assert_int_equal(utf8_seq(four, k), 0);
	assert_int_equal(utf8_seq(four, sizeof(four)), 4);
	assert_int_equal(utf8_valid(four, 3), 0);
	assert_int_equal(utf8_valid(four, 4), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
