/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * jpki-cardsim profile.conf and state parser (docs/cardsim-profile.md):
 * good input, every rejection rule, and the atomic state/PIN writes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../tools/cardsim/conf.c"

/* Synthetic: 123456789018 has a valid check digit. */
#define GOOD \
	"# test profile\n" \
	"format = 1\n" \
	"pin.auth = 1234\n" \
	"pin.sign = ABC123\n" \
	"pin.text = 4321\n" \
	"mynumber = 123456789018\n" \
	"name = 試験\xe3\x80\x80花子\n" \
	"address = 東京都千代田区千代田１－１\n" \
	"birth = 19800217\n" \
	"sex = 2\n" \
	"expiry = 20350217\n"

static int
parse(const char *text, cs_conf_t *c, char *err, size_t errlen)
{
	return conf_parse(text, strlen(text), c, err, errlen);
}

/* GOOD with one line appended. */
static int
parse_plus(const char *line, char *err, size_t errlen)
{
	char buf[8192];
	cs_conf_t c;

	snprintf(buf, sizeof(buf), "%s%s\n", GOOD, line);
	return parse(buf, &c, err, errlen);
}

/* GOOD without the line starting with key. */
static int
parse_minus(const char *key, char *err, size_t errlen)
{
	char buf[8192], *p, *e;
	cs_conf_t c;

	snprintf(buf, sizeof(buf), "%s", GOOD);
	p = strstr(buf, key);
	assert_non_null(p);
	e = strchr(p, '\n');
	memmove(p, e + 1, strlen(e + 1) + 1);
	return parse(buf, &c, err, errlen);
}

static void
test_good(void **state)
{
	cs_conf_t c;
	char err[128];

	(void)state;
	assert_int_equal(parse(GOOD, &c, err, sizeof(err)), JPKI_OK);
	assert_int_equal(c.format, 1);
	assert_string_equal(c.pin_auth, "1234");
	assert_string_equal(c.pin_sign, "ABC123");
	assert_string_equal(c.pin_text, "4321");
	assert_string_equal(c.mynumber, "123456789018");
	assert_string_equal(c.birth, "19800217");
	/* defaults */
	assert_string_equal(c.label, "JPKIAPICCTOKEN2");
	assert_string_equal(c.token_serial, "0000000000000001");
	assert_string_equal(c.pin_juki, "4321");
	assert_string_equal(c.security_code, "0000");
	assert_string_equal(c.card_serial, "400000000000001");
	assert_string_equal(c.municipality, "13101");
	assert_int_equal(c.tries[TRY_AUTH], 3);
	assert_int_equal(c.tries[TRY_SIGN], 5);
	assert_int_equal(c.tries[TRY_TEXT], 3);
	assert_int_equal(c.tries[TRY_TEXT_A], 10);
	assert_string_equal(c.tamper, "");
}

static void
test_syntax_variants(void **state)
{
	const char *text =
	    "\r\n   \n\t# comment = ignored\n"
	    "format=1\r\n"
	    "  pin.auth\t=\t1234  \n"
	    "pin.sign = ABCDEFGHIJ123456\n"
	    "pin.text = 0000\n"
	    "mynumber = 123456789018\n"
	    "name = a = b\n"
	    "address = x\n"
	    "birth = 20000229\n"
	    "sex = 9\n"
	    "expiry = 20301231\n"
	    "tries.sign = 15\n"
	    "tries.text_b = 1\n"
	    "tamper = visual-photo";	/* no final newline */
	cs_conf_t c;
	char err[128];

	(void)state;
	assert_int_equal(parse(text, &c, err, sizeof(err)), JPKI_OK);
	assert_string_equal(c.pin_auth, "1234");
	assert_string_equal(c.name, "a = b");	/* value runs to EOL */
	assert_int_equal(c.tries[TRY_SIGN], 15);
	assert_int_equal(c.tries[TRY_TEXT_B], 1);
	assert_string_equal(c.tamper, "visual-photo");
}

static void
test_unknown_key(void **state)
{
	char err[128];

	(void)state;
	assert_int_equal(parse_plus("pin.atuh = 9876", err, sizeof(err)),
	    JPKI_ERR_PARSE);
	assert_non_null(strstr(err, "pin.atuh"));
	assert_non_null(strstr(err, "unknown key"));
	assert_null(strstr(err, "9876"));	/* never the value */
	assert_int_equal(parse_plus("tries.bogus = 3", err, sizeof(err)),
	    JPKI_ERR_PARSE);
}

static void
test_duplicate_key(void **state)
{
	char err[128];

	(void)state;
	assert_int_equal(parse_plus("pin.auth = 5678", err, sizeof(err)),
	    JPKI_ERR_PARSE);
	assert_non_null(strstr(err, "duplicate"));
	assert_null(strstr(err, "5678"));
	assert_int_equal(parse_plus("format = 1", err, sizeof(err)),
	    JPKI_ERR_PARSE);
	assert_int_equal(parse_plus("tries.auth = 3\ntries.auth = 3", err,
	    sizeof(err)), JPKI_ERR_PARSE);
}

static void
test_missing_required(void **state)
{
	static const char *const req[] = { "format", "pin.auth", "pin.sign",
	    "pin.text", "mynumber", "name", "address", "birth", "sex",
	    "expiry" };
	char err[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(req) / sizeof(req[0]); i++) {
		assert_int_equal(parse_minus(req[i], err, sizeof(err)),
		    JPKI_ERR_PARSE);
		assert_non_null(strstr(err, "missing"));
		assert_non_null(strstr(err, req[i]));
	}
	{
		cs_conf_t c;

		assert_int_equal(parse("", &c, err, sizeof(err)),
		    JPKI_ERR_PARSE);
	}
}

static void
test_overlong(void **state)
{
	char line[CONF_MAX_LINE + 64], err[128];
	size_t n;

	(void)state;
	/* a line over the cap */
	n = (size_t)snprintf(line, sizeof(line), "address = ");
	memset(line + n, 'x', sizeof(line) - n - 1);
	line[sizeof(line) - 1] = '\0';
	assert_int_equal(parse_plus(line, err, sizeof(err)), JPKI_ERR_PARSE);
	assert_non_null(strstr(err, "too long"));
	/* a value over its field (name: CONF_MAX_TEXT - 1 bytes max) */
	{
		char buf[8192];
		cs_conf_t c;

		n = (size_t)snprintf(buf, sizeof(buf), "%s", GOOD);
		n -= strlen(strstr(buf, "name ="));
		snprintf(buf + n, sizeof(buf) - n, "name = ");
		n += 7;
		memset(buf + n, 'y', CONF_MAX_TEXT);
		n += CONF_MAX_TEXT;
		snprintf(buf + n, sizeof(buf) - n, "\naddress = x\n"
		    "birth = 19800217\nsex = 2\nexpiry = 20350217\n");
		assert_int_equal(parse(buf, &c, err, sizeof(err)),
		    JPKI_ERR_PARSE);
		assert_non_null(strstr(err, "too long"));
	}
	assert_int_equal(parse_plus("label = 0123456789012345678901234567"
	    "890123", err, sizeof(err)), JPKI_ERR_PARSE);
	assert_int_equal(parse_plus("token_serial = 00000000000000012", err,
	    sizeof(err)), JPKI_ERR_PARSE);
}

static void
test_bad_values(void **state)
{
	static const char *const bad[] = {
		"format = 2",
		"pin.auth = 123",
		"pin.auth = 12345",
		"pin.auth = 12a4",
		"pin.sign = abc123",		/* lower case */
		"pin.sign = ABC12",		/* too short */
		"pin.sign = ABCDEFGHIJ1234567",	/* 17 */
		"pin.text = ",
		"mynumber = 123456789012",	/* wrong check digit */
		"mynumber = 12345678901",
		"birth = 19800230",
		"birth = 1980021",
		"expiry = 20351301",
		"sex = 3",
		"security_code = 123",
		"card_serial = 4000000000000011",
		"municipality = 1310",
		"tamper = everything",
		"tries.auth = 0",
		"tries.auth = 16",
		"tries.auth = -1",
		"tries.auth = 3x",
		"name = \xff\xfe",		/* not UTF-8 */
		"name = \xe8\xa9",		/* truncated UTF-8 */
		"just a line without equals",
		" = value",
	};
	char buf[8192], err[128], key[64];
	cs_conf_t c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *eq = strchr(bad[i], '=');
		char *p;

		/* replace the key's line of GOOD, or append */
		snprintf(buf, sizeof(buf), "%s", GOOD);
		if (eq != NULL && eq > bad[i]) {
			snprintf(key, sizeof(key), "\n%.*s", (int)(eq -
			    bad[i]), bad[i]);
			if ((p = strstr(buf, key)) != NULL) {
				char *e = strchr(p + 1, '\n');

				memmove(p, e, strlen(e) + 1);
			}
		}
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
		    "%s\n", bad[i]);
		assert_int_equal(parse(buf, &c, err, sizeof(err)),
		    JPKI_ERR_PARSE);
		/* the parse failed: nothing of the profile is left behind */
		assert_int_equal(c.pin_auth[0], 0);
	}
}

static void
test_state(void **state)
{
	cs_conf_t c;
	int left[TRY_COUNT];
	char err[128], dir[] = "/tmp/test_cardsim_confXXXXXX", path[128];
	char tmp[160];
	const char *s = "# x\ntries.auth = 0\ntries.sign = 4\n";

	(void)state;
	assert_int_equal(parse(GOOD, &c, err, sizeof(err)), JPKI_OK);
	assert_int_equal(conf_state_parse(s, strlen(s), &c, left, err,
	    sizeof(err)), JPKI_OK);
	assert_int_equal(left[TRY_AUTH], 0);
	assert_int_equal(left[TRY_SIGN], 4);
	assert_int_equal(left[TRY_TEXT], 3);
	s = "tries.auth = 4\n";	/* above the limit of 3 */
	assert_int_equal(conf_state_parse(s, strlen(s), &c, left, err,
	    sizeof(err)), JPKI_ERR_PARSE);
	s = "pin.auth = 1234\n";	/* PINs never live in state */
	assert_int_equal(conf_state_parse(s, strlen(s), &c, left, err,
	    sizeof(err)), JPKI_ERR_PARSE);

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/state", dir);
	/* no file: all counters at their limits */
	assert_int_equal(conf_state_load(path, &c, left, err, sizeof(err)),
	    JPKI_OK);
	assert_int_equal(left[TRY_SIGN], 5);
	left[TRY_SIGN] = 2;
	left[TRY_TEXT_B] = 0;
	assert_int_equal(conf_state_save(path, &c, left), JPKI_OK);
	memset(left, 0x55, sizeof(left));
	assert_int_equal(conf_state_load(path, &c, left, err, sizeof(err)),
	    JPKI_OK);
	assert_int_equal(left[TRY_SIGN], 2);
	assert_int_equal(left[TRY_TEXT_B], 0);
	assert_int_equal(left[TRY_AUTH], 3);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	assert_int_not_equal(access(tmp, F_OK), 0);	/* renamed away */
	unlink(path);
	rmdir(dir);
}

static void
test_set_value(void **state)
{
	char dir[] = "/tmp/test_cardsim_confXXXXXX", path[128], err[128];
	cs_conf_t c;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/profile.conf", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs(GOOD, f);
	fputs("pin.authx = 1\n", f);	/* a prefix must not match */
	fclose(f);
	assert_int_equal(conf_set_value(path, "pin.text", "9999"), JPKI_OK);
	assert_int_equal(conf_set_value(path, "pin.juki", "1111"),
	    JPKI_OK);	/* absent key: appended */
	assert_int_equal(conf_set_value(path, "pin.auth", "2222"), JPKI_OK);
	/* pin.authx stays: the file no longer parses because of it */
	assert_int_equal(conf_load(path, &c, err, sizeof(err)),
	    JPKI_ERR_PARSE);
	assert_non_null(strstr(err, "pin.authx"));
	assert_int_equal(conf_set_value(path, "pin.authx", "x"), JPKI_OK);
	unlink(path);
	assert_non_null(f = fopen(path, "w"));
	fputs(GOOD, f);
	fclose(f);
	assert_int_equal(conf_set_value(path, "pin.text", "9999"), JPKI_OK);
	assert_int_equal(conf_load(path, &c, err, sizeof(err)), JPKI_OK);
	assert_int_equal(conf_set_value(path, "pin.juki", "5555"), JPKI_OK);
	assert_int_equal(conf_load(path, &c, err, sizeof(err)), JPKI_OK);
	assert_string_equal(c.pin_text, "9999");
	assert_string_equal(c.pin_juki, "5555");
	assert_string_equal(c.pin_auth, "1234");
	assert_string_equal(c.name, "試験\xe3\x80\x80花子");
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_syntax_variants),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_duplicate_key),
		cmocka_unit_test(test_missing_required),
		cmocka_unit_test(test_overlong),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_state),
		cmocka_unit_test(test_set_value),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
