/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * pkcs11/p11_rv.c: every JPKI_ERR_* code maps to a CKR_* (house-style
 * §2.3).  The codes are enumerated twice: from include/jpki/err.h itself
 * (so a code added to the header without a row fails here) and from
 * libjpki's own error table (jpki_strerror_name).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../pkcs11/p11_rv.c"


static void
every_header_code_is_mapped(void **state)
{
	const char	*path = getenv("JPKI_ERR_H");
	char		 line[512], name[128];
	int		 code, n = 0;
	FILE		*f;

	(void)state;
	if (path == NULL)
		path = "include/jpki/err.h";
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "#define %127s %d", name, &code) != 2 ||
		    strncmp(name, "JPKI_ERR_", 9) != 0)
			continue;
		if (!p11_rv_mapped(code))
			fail_msg("%s (%d) has no CKR_* row", name, code);
		assert_int_not_equal(p11_rv(code), CKR_OK);
		n++;
	}
	fclose(f);
	/* err.h had 68 error codes when this test was written */
	assert_true(n >= 68);
}

static void
every_library_code_is_mapped(void **state)
{
	int code, n = 0;

	(void)state;
	for (code = -1; code > -1000; code--) {
		if (strcmp(jpki_strerror_name(code), "JPKI_ERR_UNKNOWN") == 0)
			continue;
		if (!p11_rv_mapped(code))
			fail_msg("%s has no CKR_* row",
			    jpki_strerror_name(code));
		n++;
	}
	assert_true(n >= 68);
}

static void
key_mappings(void **state)
{
	(void)state;
	assert_int_equal(p11_rv(JPKI_OK), CKR_OK);
	assert_int_equal(p11_rv(JPKI_ERR_ARG), CKR_ARGUMENTS_BAD);
	assert_int_equal(p11_rv(JPKI_ERR_NOMEM), CKR_HOST_MEMORY);
	assert_int_equal(p11_rv(JPKI_ERR_NO_CARD), CKR_TOKEN_NOT_PRESENT);
	assert_int_equal(p11_rv(JPKI_ERR_CARD_REMOVED), CKR_DEVICE_REMOVED);
	assert_int_equal(p11_rv(JPKI_ERR_CARD_RESET), CKR_USER_NOT_LOGGED_IN);
	assert_int_equal(p11_rv(JPKI_ERR_SECURITY), CKR_USER_NOT_LOGGED_IN);
	assert_int_equal(p11_rv(JPKI_ERR_PIN_INCORRECT), CKR_PIN_INCORRECT);
	assert_int_equal(p11_rv(JPKI_ERR_PIN_LOCKED), CKR_PIN_LOCKED);
	assert_int_equal(p11_rv(JPKI_ERR_PIN_LAST_TRY), CKR_FUNCTION_FAILED);
	assert_int_equal(p11_rv(JPKI_ERR_PIN_FORMAT), CKR_PIN_LEN_RANGE);
	assert_int_equal(p11_rv(JPKI_ERR_NOT_JPKI), CKR_TOKEN_NOT_RECOGNIZED);
	assert_int_equal(p11_rv(JPKI_ERR_NO_SERVICE), CKR_DEVICE_ERROR);
	assert_int_equal(p11_rv(JPKI_ERR_TRANSPORT), CKR_DEVICE_ERROR);
	assert_int_equal(p11_rv(JPKI_ERR_WRONG_LENGTH), CKR_DATA_LEN_RANGE);
}

/*
 * The last-try guard refused before any APDU: the PIN is neither locked nor
 * wrong.  None of the codes that browsers (NSS) turn into "locked",
 * "incorrect, try again" (a prompt loop), "invalid" or "expired".
 */
static void
last_try_not_locked(void **state)
{
	CK_RV rv = p11_rv(JPKI_ERR_PIN_LAST_TRY);

	(void)state;
	assert_int_not_equal(rv, CKR_PIN_LOCKED);
	assert_int_not_equal(rv, CKR_PIN_INCORRECT);
	assert_int_not_equal(rv, CKR_PIN_INVALID);
	assert_int_not_equal(rv, CKR_PIN_LEN_RANGE);
	assert_int_not_equal(rv, CKR_PIN_EXPIRED);
	assert_int_not_equal(rv, CKR_OK);
	/* a locked PIN still says so */
	assert_int_equal(p11_rv(JPKI_ERR_PIN_LOCKED), CKR_PIN_LOCKED);
}

static void
unknown_codes_fail_safe(void **state)
{
	(void)state;
	assert_false(p11_rv_mapped(-9999));
	assert_int_equal(p11_rv(-9999), CKR_GENERAL_ERROR);
	assert_int_equal(p11_rv(12345), CKR_GENERAL_ERROR);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_header_code_is_mapped),
		cmocka_unit_test(every_library_code_is_mapped),
		cmocka_unit_test(key_mappings),
		cmocka_unit_test(last_try_not_locked),
		cmocka_unit_test(unknown_codes_fail_safe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
