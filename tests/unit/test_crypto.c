/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * DigestInfo (RFC 8017 §9.2 note 1) for every hash the card is used with.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <jpki/jpki.h>

static void
test_digestinfo_sha256_abc(void **state)
{
	/* SHA-256("abc"), FIPS 180-2 appendix B.1 */
	static const uint8_t want[] = {
		0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
		0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41,
		0x40, 0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3,
		0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00,
		0x15, 0xad };
	uint8_t	md[64], di[128];
	size_t	mdl = sizeof(md), dil = sizeof(di);

	assert_int_equal(jpki_hash(JPKI_HASH_SHA256, (const uint8_t *)"abc", 3,
	    md, &mdl), JPKI_OK);
	assert_int_equal(mdl, 32);
	assert_int_equal(jpki_digestinfo(JPKI_HASH_SHA256, md, mdl, di, &dil),
	    JPKI_OK);
	assert_int_equal(dil, sizeof(want));
	assert_memory_equal(di, want, sizeof(want));
}

static void
test_all_hashes(void **state)
{
	static const struct {
		const char	*name;
		size_t		 mdlen, dilen;
	} v[] = {
		{ "sha1", 20, 35 }, { "sha224", 28, 47 }, { "sha256", 32, 51 },
		{ "SHA384", 48, 67 }, { "sha512", 64, 83 },
	};
	uint8_t		md[64], di[128];
	size_t		i, mdl, dil;
	jpki_hash_t	h;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(jpki_hash_from_name(v[i].name, &h), JPKI_OK);
		assert_int_equal(jpki_hash_len(h), v[i].mdlen);
		mdl = sizeof(md);
		assert_int_equal(jpki_hash(h, (const uint8_t *)"", 0, md, &mdl),
		    JPKI_OK);
		assert_int_equal(mdl, v[i].mdlen);
		dil = sizeof(di);
		assert_int_equal(jpki_digestinfo(h, md, mdl, di, &dil),
		    JPKI_OK);
		assert_int_equal(dil, v[i].dilen);
		/* outer SEQUENCE length covers the rest */
		assert_int_equal(di[0], 0x30);
		assert_int_equal(di[1], v[i].dilen - 2);
		/* exact output buffer works, one byte less does not */
		dil = v[i].dilen;
		assert_int_equal(jpki_digestinfo(h, md, mdl, di, &dil),
		    JPKI_OK);
		dil = v[i].dilen - 1;
		assert_int_equal(jpki_digestinfo(h, md, mdl, di, &dil),
		    JPKI_ERR_TOO_LARGE);
		/* wrong digest length */
		dil = sizeof(di);
		assert_int_equal(jpki_digestinfo(h, md, mdl - 1, di, &dil),
		    JPKI_ERR_ARG);
	}
	assert_int_equal(jpki_hash_from_name("md5", &h), JPKI_ERR_ARG);
	assert_int_equal(jpki_hash_len(JPKI_HASH_NONE), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_digestinfo_sha256_abc),
		cmocka_unit_test(test_all_hashes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
