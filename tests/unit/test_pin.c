/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * PIN formats are checked before any APDU (jpki-card.md §5.4, §6.1).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <jpki/jpki.h>

#include "pin.h"

static void
test_formats(void **state)
{
	static const struct {
		jpki_pin_kind_t	 k;
		const char	*pin;
		int		 ok;
	} v[] = {
		{ JPKI_PIN_AUTH, "1234", 1 },
		{ JPKI_PIN_AUTH, "0000", 1 },
		{ JPKI_PIN_AUTH, "123", 0 },
		{ JPKI_PIN_AUTH, "12345", 0 },
		{ JPKI_PIN_AUTH, "12a4", 0 },
		{ JPKI_PIN_AUTH, "", 0 },
		{ JPKI_PIN_AUTH, "12 4", 0 },
		{ JPKI_PIN_SIGN, "ABC123", 1 },
		{ JPKI_PIN_SIGN, "abc123", 1 },		/* upper-cased */
		{ JPKI_PIN_SIGN, "ABCDEFGHIJ123456", 1 },	/* 16 */
		{ JPKI_PIN_SIGN, "ABCDEFGHIJ1234567", 0 },	/* 17 */
		{ JPKI_PIN_SIGN, "AB12", 0 },
		{ JPKI_PIN_SIGN, "ABC-123", 0 },
		{ JPKI_PIN_SIGN, "ÄBC123", 0 },
		{ JPKI_PIN_TEXT, "9876", 1 },
		{ JPKI_PIN_TEXT_A, "123456789018", 1 },
		{ JPKI_PIN_TEXT_A, "12345678901", 0 },
		{ JPKI_PIN_TEXT_B, "55021720352285", 1 },
		{ JPKI_PIN_VISUAL_B, "5502172035228", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		assert_int_equal(jpki_pin_check_format(v[i].k, v[i].pin),
		    v[i].ok ? JPKI_OK : JPKI_ERR_PIN_FORMAT);
	assert_int_equal(jpki_pin_check_format(JPKI_PIN_AUTH, NULL),
	    JPKI_ERR_ARG);
	assert_int_equal(jpki_pin_check_format((jpki_pin_kind_t)99, "1234"),
	    JPKI_ERR_ARG);
}

static void
test_load_uppercases_and_wipes(void **state)
{
	pin_t	p;
	size_t	i;
	int	zero = 1;

	assert_int_equal(pin_load(&p, JPKI_PIN_SIGN, "abc123"), JPKI_OK);
	assert_int_equal(p.len, 6);
	assert_memory_equal(p.v, "ABC123", 6);
	pin_wipe(&p);
	for (i = 0; i < sizeof(p.v); i++)
		zero &= p.v[i] == 0;
	assert_true(zero);
	/* a refused PIN leaves nothing behind */
	assert_int_equal(pin_load(&p, JPKI_PIN_AUTH, "12x4"),
	    JPKI_ERR_PIN_FORMAT);
	for (i = 0; i < sizeof(p.v); i++)
		assert_int_equal(p.v[i], 0);
	/* an overlong input is not read past the cap */
	assert_int_equal(pin_load(&p, JPKI_PIN_SIGN,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"), JPKI_ERR_PIN_FORMAT);
}

/*
 * The one folding rule (jpki_pin_fold) and the rule for a new PIN
 * (jpki_pin_check_new) that the CLI, the PKCS#11 module and
 * jpki_card_change_pin share.
 */
static void
test_fold_and_new(void **state)
{
	char	s[] = "abc123xyz", a[] = "ab12";

	(void)state;
	assert_int_equal(jpki_pin_fold(JPKI_PIN_SIGN, s, 6), JPKI_OK);
	assert_string_equal(s, "ABC123xyz");	/* only len bytes */
	assert_int_equal(jpki_pin_fold(JPKI_PIN_AUTH, a, 4), JPKI_OK);
	assert_string_equal(a, "ab12");		/* other kinds: as typed */
	assert_int_equal(jpki_pin_fold(JPKI_PIN_SIGN, NULL, 0), JPKI_ERR_ARG);
	assert_int_equal(jpki_pin_fold((jpki_pin_kind_t)99, s, 1),
	    JPKI_ERR_ARG);
	/* folding is ASCII only: no locale, no other letters */
	assert_int_equal(jpki_pin_check_format(JPKI_PIN_SIGN, "abc12\xc3\xa9"),
	    JPKI_ERR_PIN_FORMAT);
	assert_int_equal(jpki_pin_check_format(JPKI_PIN_SIGN, "abc123"),
	    JPKI_OK);
	/* new sign password: >= 1 letter and >= 1 digit, after folding */
	assert_int_equal(jpki_pin_check_new(JPKI_PIN_SIGN, "abc123"), JPKI_OK);
	assert_int_equal(jpki_pin_check_new(JPKI_PIN_SIGN, "ABCDEF"),
	    JPKI_ERR_PIN_FORMAT);
	assert_int_equal(jpki_pin_check_new(JPKI_PIN_SIGN, "123456"),
	    JPKI_ERR_PIN_FORMAT);
	assert_int_equal(jpki_pin_check_new(JPKI_PIN_SIGN, "AB12"),
	    JPKI_ERR_PIN_FORMAT);
	assert_int_equal(jpki_pin_check_new(JPKI_PIN_AUTH, "1234"), JPKI_OK);
	assert_int_equal(jpki_pin_check_new(JPKI_PIN_AUTH, "12345"),
	    JPKI_ERR_PIN_FORMAT);
	assert_int_equal(jpki_pin_check_new(JPKI_PIN_AUTH, NULL), JPKI_ERR_ARG);
}

/* The limits a PKCS#11 token reports are the ones the check applies. */
static void
test_limits(void **state)
{
	size_t	mn = 0, mx = 0;

	(void)state;
	assert_int_equal(jpki_pin_limits(JPKI_PIN_AUTH, &mn, &mx), JPKI_OK);
	assert_int_equal(mn, 4);
	assert_int_equal(mx, 4);
	assert_int_equal(jpki_pin_limits(JPKI_PIN_SIGN, &mn, &mx), JPKI_OK);
	assert_int_equal(mn, 6);
	assert_int_equal(mx, 16);
	assert_int_equal(jpki_pin_check_format(JPKI_PIN_SIGN, "ABCDE1"),
	    JPKI_OK);
	assert_int_equal(jpki_pin_check_format(JPKI_PIN_SIGN, "ABCD1"),
	    JPKI_ERR_PIN_FORMAT);
	assert_int_equal(jpki_pin_check_format(JPKI_PIN_SIGN,
	    "ABCDEFGHIJKLMNO1"), JPKI_OK);
	assert_int_equal(jpki_pin_check_format(JPKI_PIN_SIGN,
	    "ABCDEFGHIJKLMNOP1"), JPKI_ERR_PIN_FORMAT);
	assert_int_equal(jpki_pin_limits((jpki_pin_kind_t)99, &mn, &mx),
	    JPKI_ERR_ARG);
	assert_int_equal(jpki_pin_limits(JPKI_PIN_AUTH, NULL, &mx),
	    JPKI_ERR_ARG);
}

/*
 * Issue 10: a badly formatted 照合番号A was answered "It is exactly 4
 * digits".  The words come from the kind's own rules, and they agree with
 * what jpki_pin_check_format() accepts: the lengths named pass, one more or
 * one less does not, a letter passes only where letters are named.
 */
static void
test_format_text(void **state)
{
	static const struct {
		jpki_pin_kind_t	 k;
		const char	*text;
		size_t		 min, max;
		int		 letters;
	} v[] = {
		{ JPKI_PIN_AUTH, "exactly 4 digits", 4, 4, 0 },
		{ JPKI_PIN_SIGN, "6 to 16 characters of A-Z and 0-9", 6, 16, 1 },
		{ JPKI_PIN_TEXT, "exactly 4 digits", 4, 4, 0 },
		{ JPKI_PIN_TEXT_A, "exactly 12 digits", 12, 12, 0 },
		{ JPKI_PIN_TEXT_B, "exactly 14 digits", 14, 14, 0 },
		{ JPKI_PIN_VISUAL_A, "exactly 12 digits", 12, 12, 0 },
		{ JPKI_PIN_VISUAL_B, "exactly 14 digits", 14, 14, 0 },
	};
	char buf[JPKI_PIN_FORMAT_TEXT_MAX], pin[JPKI_PIN_MAX + 2];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		memset(buf, 'x', sizeof(buf));
		assert_int_equal(jpki_pin_format_text(v[i].k, buf,
		    sizeof(buf)), JPKI_OK);
		assert_string_equal(buf, v[i].text);
		memset(pin, 0, sizeof(pin));
		memset(pin, '7', v[i].min);
		assert_int_equal(jpki_pin_check_format(v[i].k, pin), JPKI_OK);
		memset(pin, '7', v[i].max);
		assert_int_equal(jpki_pin_check_format(v[i].k, pin), JPKI_OK);
		pin[0] = 'A';
		assert_int_equal(jpki_pin_check_format(v[i].k, pin),
		    v[i].letters ? JPKI_OK : JPKI_ERR_PIN_FORMAT);
		memset(pin, '7', v[i].max + 1);
		assert_int_equal(jpki_pin_check_format(v[i].k, pin),
		    JPKI_ERR_PIN_FORMAT);
		memset(pin, 0, sizeof(pin));
		memset(pin, '7', v[i].min - 1);
		assert_int_equal(jpki_pin_check_format(v[i].k, pin),
		    JPKI_ERR_PIN_FORMAT);
	}
	/* too small a buffer: an error and an empty string, never cut */
	assert_int_equal(jpki_pin_format_text(JPKI_PIN_VISUAL_A, buf, 10),
	    JPKI_ERR_TOO_LARGE);
	assert_string_equal(buf, "");
	assert_int_equal(jpki_pin_format_text((jpki_pin_kind_t)99, buf,
	    sizeof(buf)), JPKI_ERR_ARG);
	assert_string_equal(buf, "");
	assert_int_equal(jpki_pin_format_text(JPKI_PIN_AUTH, NULL, 8),
	    JPKI_ERR_ARG);
	assert_int_equal(jpki_pin_format_text(JPKI_PIN_AUTH, buf, 0),
	    JPKI_ERR_ARG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_load_uppercases_and_wipes),
		cmocka_unit_test(test_format_text),
		cmocka_unit_test(test_fold_and_new),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
