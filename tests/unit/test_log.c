/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * src/log.c: with JPKI_DEBUG=1 the APDU trace shows headers and status
 * words but never the data of VERIFY, CHANGE REFERENCE DATA, CHANGE KEY or
 * RESET RETRY COUNTER (house-style §2.5, jpki-card.md §3), nor responses the
 * caller marks as personal data.  Without JPKI_DEBUG nothing is written.
 *
 * log.c is included to reset its cached JPKI_DEBUG state between tests.
 * stderr is captured by pointing fd 2 at a temporary file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../src/log.c"

static int	saved_fd = -1;
static FILE	*cap;
static char	out[8192];

static void
capture_begin(void)
{
	fflush(stderr);
	cap = tmpfile();
	assert_non_null(cap);
	saved_fd = dup(STDERR_FILENO);
	assert_true(saved_fd >= 0);
	assert_true(dup2(fileno(cap), STDERR_FILENO) >= 0);
}

/* Restore stderr and return what was written to it meanwhile. */
static const char *
capture_end(void)
{
	size_t n;

	fflush(stderr);
	assert_true(dup2(saved_fd, STDERR_FILENO) >= 0);
	close(saved_fd);
	saved_fd = -1;
	rewind(cap);
	n = fread(out, 1, sizeof(out) - 1, cap);
	out[n] = '\0';
	fclose(cap);
	cap = NULL;
	return out;
}

static int
debug_on(void **state)
{
	setenv("JPKI_DEBUG", "1", 1);
	log_state = -1;
	return 0;
}

static int
debug_off(void **state)
{
	unsetenv("JPKI_DEBUG");
	log_state = -1;
	return 0;
}

static void
assert_absent(const char *hay, const char *needle)
{
	if (strstr(hay, needle) != NULL)
		fail_msg("log leaked \"%s\": %s", needle, hay);
}

static void
assert_present(const char *hay, const char *needle)
{
	if (strstr(hay, needle) == NULL)
		fail_msg("log lacks \"%s\": %s", needle, hay);
}

static void
test_verify_redacted(void **state)
{
	/* VERIFY auth PIN "1234" (jpki-card.md §3) */
	const uint8_t v[] = { 0x00, 0x20, 0x00, 0x80, 0x04,
	    0x31, 0x32, 0x33, 0x34 };
	const char *s;

	assert_true(log_enabled());
	capture_begin();
	log_capdu(v, sizeof(v));
	s = capture_end();
	assert_present(s, "00 20 00 80 04");
	assert_present(s, "redacted");
	assert_absent(s, "31 32 33 34");
	assert_absent(s, "31");
	assert_absent(s, "1234");
}

static void
test_verify_extended_redacted(void **state)
{
	/* extended Lc 00 00 06, sign password "ABC123" */
	const uint8_t v[] = { 0x00, 0x20, 0x00, 0x80, 0x00, 0x00, 0x06,
	    0x41, 0x42, 0x43, 0x31, 0x32, 0x33 };
	const char *s;

	capture_begin();
	log_capdu(v, sizeof(v));
	s = capture_end();
	assert_present(s, "00 20 00 80 00 00 06");
	assert_absent(s, "41");
	assert_absent(s, "ABC");
	assert_absent(s, "33");
}

static void
test_pin_change_redacted(void **state)
{
	/* CHANGE REFERENCE DATA, CHANGE KEY, RESET RETRY COUNTER */
	const uint8_t crd[] = { 0x00, 0x24, 0x01, 0x80, 0x04,
	    0x35, 0x36, 0x37, 0x38 };
	const uint8_t ck[] = { 0x80, 0x32, 0x00, 0x80, 0x04,
	    0x35, 0x36, 0x37, 0x38 };
	const uint8_t rrc[] = { 0x00, 0x2c, 0x00, 0x80, 0x04,
	    0x35, 0x36, 0x37, 0x38 };
	const char *s;

	capture_begin();
	log_capdu(crd, sizeof(crd));
	log_capdu(ck, sizeof(ck));
	log_capdu(rrc, sizeof(rrc));
	s = capture_end();
	assert_present(s, "00 24 01 80 04");
	assert_present(s, "80 32 00 80 04");
	assert_present(s, "00 2C 00 80 04");
	assert_absent(s, "35");
	assert_absent(s, "38");
}

static void
test_other_apdus_shown(void **state)
{
	/* the tries query (no data) and SELECT are logged in full */
	const uint8_t q[] = { 0x00, 0x20, 0x00, 0x80 };
	const uint8_t sel[] = { 0x00, 0xa4, 0x04, 0x0c, 0x0a, 0xd3, 0x92,
	    0xf0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01 };
	const char *s;

	capture_begin();
	log_capdu(q, sizeof(q));
	log_capdu(sel, sizeof(sel));
	s = capture_end();
	assert_present(s, "jpki: > 00 20 00 80\n");
	assert_present(s, "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01");
	assert_absent(s, "redacted");
}

static void
test_response_redacted(void **state)
{
	/* My Number EF 0001 answer (jpki-card.md §6.2), synthetic digits */
	const uint8_t r[] = { 0xff, 0x10, 0x0c, '1', '2', '3', '4', '5', '6',
	    '7', '8', '9', '0', '1', '8', 0xff, 0xff, 0x90, 0x00 };
	const char *s;

	capture_begin();
	log_rapdu(r, sizeof(r), 1);
	s = capture_end();
	assert_present(s, "17 bytes");
	assert_present(s, "redacted");
	assert_present(s, "SW 9000");
	assert_absent(s, "FF 10");
	assert_absent(s, "31 32");
	assert_absent(s, "123");
}

static void
test_response_shown(void **state)
{
	const uint8_t r[] = { 0x30, 0x82, 0x06, 0x2b, 0x90, 0x00 };
	const uint8_t sw[] = { 0x63, 0xc2 };
	uint8_t	 big[2 + 200];
	const char *s;

	memset(big, 0xab, sizeof(big));
	big[200] = 0x90;
	big[201] = 0x00;
	capture_begin();
	log_rapdu(r, sizeof(r), 0);
	log_rapdu(sw, sizeof(sw), 1);	/* a bare SW has nothing to redact */
	log_rapdu(big, sizeof(big), 0);
	s = capture_end();
	assert_present(s, "jpki: < 30 82 06 2B SW 9000\n");
	assert_present(s, "jpki: < SW 63C2\n");
	assert_present(s, "(200 bytes)");
}

static void
test_debug_line(void **state)
{
	const char *s;

	capture_begin();
	log_debug("%s: %s failed", "jpki_card_open", "SCardConnect");
	s = capture_end();
	assert_string_equal(s, "jpki: jpki_card_open: SCardConnect failed\n");
}

static void
test_null_and_short(void **state)
{
	const uint8_t one[] = { 0x6f };
	const char *s;

	capture_begin();
	log_capdu(NULL, 5);
	log_rapdu(NULL, 2, 0);
	log_rapdu(one, sizeof(one), 1);
	s = capture_end();
	assert_string_equal(s, "jpki: < 6F\n");
}

static void
test_disabled(void **state)
{
	const uint8_t v[] = { 0x00, 0xa4, 0x04, 0x0c, 0x00 };
	const char *s;

	assert_false(log_enabled());
	capture_begin();
	log_debug("hello");
	log_capdu(v, sizeof(v));
	log_rapdu(v, sizeof(v), 0);
	s = capture_end();
	assert_string_equal(s, "");
}

static void
test_zero_is_off(void **state)
{
	setenv("JPKI_DEBUG", "0", 1);
	log_state = -1;
	assert_false(log_enabled());
	setenv("JPKI_DEBUG", "", 1);
	log_state = -1;
	assert_false(log_enabled());
	setenv("JPKI_DEBUG", "2", 1);
	log_state = -1;
	assert_true(log_enabled());
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_verify_redacted, debug_on),
		cmocka_unit_test_setup(test_verify_extended_redacted, debug_on),
		cmocka_unit_test_setup(test_pin_change_redacted, debug_on),
		cmocka_unit_test_setup(test_other_apdus_shown, debug_on),
		cmocka_unit_test_setup(test_response_redacted, debug_on),
		cmocka_unit_test_setup(test_response_shown, debug_on),
		cmocka_unit_test_setup(test_debug_line, debug_on),
		cmocka_unit_test_setup(test_null_and_short, debug_on),
		cmocka_unit_test_setup(test_disabled, debug_off),
		cmocka_unit_test_setup(test_zero_is_off, debug_off),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
