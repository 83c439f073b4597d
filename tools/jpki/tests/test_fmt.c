/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Unit tests of the CLI's JSON writer and formatting helpers (json.c,
 * fmt.c): escaping and UTF-8 handling, issuance-number hex and decimal,
 * base64 (RFC 4648 §10 vectors), PEM lines, the OpenSSH ssh-rsa line
 * (mpint sign padding, RFC 4251 §5) and My Number masking.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../cli.h"

/* Run the emitter into a memory buffer and return its text. */
static char	membuf[4096];

static FILE *
mem_open(void)
{
	FILE *f;

	memset(membuf, 0, sizeof(membuf));
	f = fmemopen(membuf, sizeof(membuf) - 1, "w");
	assert_non_null(f);
	return f;
}

static void
json_string(const char *in, size_t n, const char *want)
{
	json_t	j;
	FILE	*f = mem_open();

	json_init(&j, f);
	json_arr_begin(&j);
	json_strn(&j, in, n);
	json_arr_end(&j);
	assert_int_equal(json_end(&j), 0);
	fclose(f);
	assert_string_equal(membuf, want);
}

static void
test_json_escape(void **state)
{
	(void)state;
	json_string("plain", 5, "[\"plain\"]\n");
	json_string("q\"b\\", 4, "[\"q\\\"b\\\\\"]\n");
	json_string("a\nb\tc\r", 6, "[\"a\\nb\\tc\\r\"]\n");
	json_string("\x01\x1f\x7f", 3, "[\"\\u0001\\u001f\\u007f\"]\n");
	/* an embedded NUL is data, not the end */
	json_string("a\0b", 3, "[\"a\\u0000b\"]\n");
}

static void
test_json_utf8(void **state)
{
	(void)state;
	/* valid: passes through (試験, U+1F600) */
	json_string("\xe8\xa9\xa6\xe9\xa8\x93", 6,
	    "[\"\xe8\xa9\xa6\xe9\xa8\x93\"]\n");
	json_string("\xf0\x9f\x98\x80", 4, "[\"\xf0\x9f\x98\x80\"]\n");
	/* invalid: lone continuation, truncated, overlong, surrogate */
	json_string("\x80", 1, "[\"\\ufffd\"]\n");
	json_string("\xe8\xa9", 2, "[\"\\ufffd\\ufffd\"]\n");
	json_string("\xc0\xaf", 2, "[\"\\ufffd\\ufffd\"]\n");
	json_string("\xed\xa0\x80", 3, "[\"\\ufffd\\ufffd\\ufffd\"]\n");
	json_string("\xf4\x90\x80\x80", 4,
	    "[\"\\ufffd\\ufffd\\ufffd\\ufffd\"]\n");
	json_string("\xff", 1, "[\"\\ufffd\"]\n");
}

static void
test_json_shape(void **state)
{
	json_t	j;
	FILE	*f = mem_open();

	(void)state;
	json_init(&j, f);
	json_obj_begin(&j);
	json_key(&j, "readers");
	json_arr_begin(&j);
	json_obj_begin(&j);
	json_kv_int(&j, "index", 0);
	json_kv_str(&j, "name", "Virtual PCD 00 00");
	json_kv_bool(&j, "card", 1);
	json_obj_end(&j);
	json_obj_begin(&j);
	json_kv_int(&j, "index", 1);
	json_kv_str(&j, "name", NULL);
	json_kv_bool(&j, "card", 0);
	json_obj_end(&j);
	json_arr_end(&j);
	json_obj_end(&j);
	assert_int_equal(json_end(&j), 0);
	fclose(f);
	assert_string_equal(membuf, "{\"readers\":[{\"index\":0,\"name\":"
	    "\"Virtual PCD 00 00\",\"card\":true},{\"index\":1,\"name\":null,"
	    "\"card\":false}]}\n");
}

static void
test_json_misuse(void **state)
{
	json_t	j;
	FILE	*f = mem_open();

	(void)state;
	json_init(&j, f);
	json_obj_begin(&j);
	json_key(&j, "k");
	json_obj_end(&j);		/* key without a value */
	assert_int_equal(json_end(&j), -1);
	fclose(f);

	f = mem_open();
	json_init(&j, f);
	json_arr_begin(&j);		/* never closed */
	assert_int_equal(json_end(&j), -1);
	fclose(f);

	f = mem_open();
	json_init(&j, f);
	for (int i = 0; i < JSON_MAX_DEPTH + 2; i++)
		json_arr_begin(&j);
	assert_int_equal(json_end(&j), -1);
	fclose(f);
}

static void
test_hex_dec(void **state)
{
	static const uint8_t zero[] = { 0x00 };
	static const uint8_t lead[] = { 0x00, 0x0A, 0x1B };
	static const uint8_t s8[] = { 0x1D, 0xFF, 0x30, 0xE9, 0xBA, 0x5F,
	    0x47, 0x1D };
	static const uint8_t s16[] = { 0x5A, 0x1B, 0x2C, 0x3D, 0x4E, 0x5F,
	    0x60, 0x71, 0x82, 0x93, 0xA4, 0xB5, 0xC6, 0xD7, 0xE8, 0xF9 };
	uint8_t	ff[20];
	char	out[128], small[5];

	(void)state;
	assert_int_equal(fmt_hex(zero, 1, out, sizeof(out)), 0);
	assert_string_equal(out, "0");
	assert_int_equal(fmt_dec(zero, 1, out, sizeof(out)), 0);
	assert_string_equal(out, "0");
	assert_int_equal(fmt_dec(NULL, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "0");
	assert_int_equal(fmt_hex(lead, 3, out, sizeof(out)), 0);
	assert_string_equal(out, "A1B");
	assert_int_equal(fmt_dec(lead, 3, out, sizeof(out)), 0);
	assert_string_equal(out, "2587");
	assert_int_equal(fmt_hex(s8, sizeof(s8), out, sizeof(out)), 0);
	assert_string_equal(out, "1DFF30E9BA5F471D");
	assert_int_equal(fmt_dec(s8, sizeof(s8), out, sizeof(out)), 0);
	assert_string_equal(out, "2161500126573446941");
	assert_int_equal(fmt_dec(s16, sizeof(s16), out, sizeof(out)), 0);
	assert_string_equal(out, "119771608919018477110937991805746538745");
	/* the largest 20-byte serial, 2^160 - 1 */
	memset(ff, 0xFF, sizeof(ff));
	assert_int_equal(fmt_dec(ff, sizeof(ff), out, sizeof(out)), 0);
	assert_string_equal(out,
	    "1461501637330902918203684832716283019655932542975");
	/* exact fit and one byte short */
	assert_int_equal(fmt_dec(lead, 3, small, 5), 0);
	assert_int_equal(fmt_dec(lead, 3, small, 4), -1);
	assert_int_equal(fmt_hex(lead, 3, small, 4), 0);
	assert_string_equal(small, "A1B");
	assert_int_equal(fmt_hex(s8, sizeof(s8), small, sizeof(small)), -1);
}

static void
test_b64(void **state)
{
	static const struct {
		const char *in, *out;
	} v[] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" },
		{ "foo", "Zm9v" }, { "foob", "Zm9vYg==" },
		{ "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
	};
	char	out[16];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		size_t n = strlen(v[i].in);

		assert_int_equal(fmt_b64((const uint8_t *)v[i].in, n, out,
		    fmt_b64_len(n)), 0);
		assert_string_equal(out, v[i].out);
		if (n > 0)
			assert_int_equal(fmt_b64((const uint8_t *)v[i].in, n,
			    out, fmt_b64_len(n) - 1), -1);
	}
}

static void
test_pem_lines(void **state)
{
	uint8_t	der[100];
	FILE	*f = mem_open();
	char	*line2;

	(void)state;
	memset(der, 0xAB, sizeof(der));
	assert_int_equal(fmt_pem(f, "CERTIFICATE", der, sizeof(der)), 0);
	fclose(f);
	/* 100 bytes: 136 base64 characters in lines of 64, 64, 8 */
	assert_true(strncmp(membuf, "-----BEGIN CERTIFICATE-----\n", 28) == 0);
	line2 = membuf + 28;
	assert_int_equal(strchr(line2, '\n') - line2, 64);
	line2 = strchr(line2, '\n') + 1;
	assert_int_equal(strchr(line2, '\n') - line2, 64);
	line2 = strchr(line2, '\n') + 1;
	assert_int_equal(strchr(line2, '\n') - line2, 8);
	assert_string_equal(strchr(line2, '\n') + 1,
	    "-----END CERTIFICATE-----\n");
}

static void
test_ssh_rsa(void **state)
{
	static const uint8_t	e[] = { 0x01, 0x00, 0x01 }, e3[] = { 0x03 };
	static const uint8_t	n_hi[] = { 0x80, 0x01 }, n_lo[] = { 0x7F, 0x01 };
	static const uint8_t	big[1025] = { 0x01 };
	FILE			*f;

	(void)state;
	/* top bit set: a zero byte keeps the mpint positive */
	f = mem_open();
	assert_int_equal(fmt_ssh_rsa(f, n_hi, 2, e, 3, "JPKI auth 1A"), 0);
	fclose(f);
	assert_string_equal(membuf,
	    "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAAwCAAQ== JPKI auth 1A\n");
	/* top bit clear: no padding; no comment, no trailing space */
	f = mem_open();
	assert_int_equal(fmt_ssh_rsa(f, n_lo, 2, e3, 1, NULL), 0);
	fclose(f);
	assert_string_equal(membuf, "ssh-rsa AAAAB3NzaC1yc2EAAAABAwAAAAJ/AQ==\n");
	/* out of bounds or not minimal: refused, nothing written */
	f = mem_open();
	assert_int_equal(fmt_ssh_rsa(f, big, sizeof(big), e, 3, NULL), -1);
	assert_int_equal(fmt_ssh_rsa(f, n_lo, 0, e, 3, NULL), -1);
	assert_int_equal(fmt_ssh_rsa(f, n_lo, 2, e, 0, NULL), -1);
	assert_int_equal(fmt_ssh_rsa(f, n_lo, 2, big + 1, 3, NULL), -1);
	fclose(f);
	assert_string_equal(membuf, "");
}

static void
test_mynumber(void **state)
{
	char out[15];

	(void)state;
	fmt_mynumber("123456789018", 0, out);
	assert_string_equal(out, "**** **** 9018");
	fmt_mynumber("123456789018", 1, out);
	assert_string_equal(out, "1234 5678 9018");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_escape),
		cmocka_unit_test(test_json_utf8),
		cmocka_unit_test(test_json_shape),
		cmocka_unit_test(test_json_misuse),
		cmocka_unit_test(test_hex_dec),
		cmocka_unit_test(test_b64),
		cmocka_unit_test(test_pem_lines),
		cmocka_unit_test(test_ssh_rsa),
		cmocka_unit_test(test_mynumber),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
