/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Card face fields of the visual AP (src/ap_visual.c, jpki-card.md §7) and
 * the municipality code of its basic info EF 0003, on EFs built here from
 * the spec.  The signature is not checked here (test_cert_visualap.c does);
 * only the split into fields, and that every malformed input is refused.
 * Synthetic data only.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jpki/jpki.h>

#include "buf.h"
#include "tlv.h"

static const uint8_t png_a[] = { 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a,
    0x0a, 'n', 'a', 'm', 'e' };
static const uint8_t png_b[] = { 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a,
    0x0a, 'a', 'd', 'd', 'r' };
static const uint8_t photo[] = { 0, 0, 0, 0x0c, 'j', 'P', ' ', ' ', 0x0d,
    0x0a, 0x87, 0x0a, 1, 2, 3 };
static const uint8_t code[] = { 0x89, 'P', 'N', 'G', 'c' };

struct face_in {
	const char	*birth;
	const char	*sex;
	const char	*expiry;
	size_t		 sig_len;
	int		 drop;		/* leave out DF22 + drop (-1: none) */
};

/* FF20 { DF21 offsets, DF22 .. DF2A } */
static uint8_t *
build_face(const struct face_in *in, size_t *len)
{
	buf_wr_t	 body, w;
	uint8_t		 key[4 + 3 + 4 + 256], sig[256], off[18];
	uint8_t		*b, *out;
	size_t		 blen;
	int		 i;

	memset(off, 0, sizeof(off));
	memset(sig, 0x5a, sizeof(sig));
	/* DF24: 90 03 010001 91 82 0100 <256> */
	memcpy(key, "\x90\x03\x01\x00\x01\x91\x82\x01\x00", 9);
	memset(key + 9, 0xc3, 256);
	buf_wr_init(&body, 8192, 0);
	tlv_put(&body, 0xdf21, off, sizeof(off));
	for (i = 0; i < 9; i++) {
		if (i == in->drop)
			continue;
		switch (i) {
		case 0:
			tlv_put(&body, 0xdf22, in->birth, strlen(in->birth));
			break;
		case 1:
			tlv_put(&body, 0xdf23, in->sex, strlen(in->sex));
			break;
		case 2:
			tlv_put(&body, 0xdf24, key, 9 + 256);
			break;
		case 3:
			tlv_put(&body, 0xdf25, png_a, sizeof(png_a));
			break;
		case 4:
			tlv_put(&body, 0xdf26, png_b, sizeof(png_b));
			break;
		case 5:
			tlv_put(&body, 0xdf27, photo, sizeof(photo));
			break;
		case 6:
			tlv_put(&body, 0xdf28, sig, in->sig_len);
			break;
		case 7:
			tlv_put(&body, 0xdf29, in->expiry, strlen(in->expiry));
			break;
		default:
			tlv_put(&body, 0xdf2a, code, sizeof(code));
			break;
		}
	}
	assert_true(buf_wr_ok(&body));
	b = buf_wr_take(&body, &blen);
	buf_wr_init(&w, 8192, 0);
	tlv_put(&w, 0xff20, b, blen);
	assert_true(buf_wr_ok(&w));
	free(b);
	out = buf_wr_take(&w, len);
	return out;
}

static const struct face_in good = { "19890108", "2", "20340108", 256, -1 };

static void
test_fields(void **state)
{
	jpki_visual_face_t	 f = { .size = sizeof(f) };
	uint8_t			*ef;
	size_t			 len;

	(void)state;
	ef = build_face(&good, &len);
	assert_int_equal(jpki_visual_face_parse(ef, len, &f), JPKI_OK);
	assert_string_equal(f.birth, "19890108");
	assert_string_equal(f.expiry, "20340108");
	assert_int_equal(f.sex, '2');
	assert_int_equal(f.name_image.len, sizeof(png_a));
	assert_memory_equal(f.name_image.p, png_a, sizeof(png_a));
	assert_int_equal(f.address_image.len, sizeof(png_b));
	assert_memory_equal(f.address_image.p, png_b, sizeof(png_b));
	assert_int_equal(f.photo.len, sizeof(photo));
	assert_memory_equal(f.photo.p, photo, sizeof(photo));
	assert_int_equal(f.code_image.len, sizeof(code));
	assert_memory_equal(f.code_image.p, code, sizeof(code));
	assert_int_equal(f.signature.len, 256);
	assert_int_equal(f.key.len, 9 + 256);
	/* borrowed from the buffer */
	assert_true(f.photo.p > ef && f.photo.p + f.photo.len <= ef + len);
	/* filler after the object is allowed, as on the card */
	{
		uint8_t *big = malloc(len + 32);

		assert_non_null(big);
		memcpy(big, ef, len);
		memset(big + len, 0xff, 32);
		assert_int_equal(jpki_visual_face_parse(big, len + 32, &f),
		    JPKI_OK);
		free(big);
	}
	free(ef);
}

static void
expect_bad(const struct face_in *in)
{
	jpki_visual_face_t	 f = { .size = sizeof(f) };
	uint8_t			*ef;
	size_t			 len;

	ef = build_face(in, &len);
	assert_int_equal(jpki_visual_face_parse(ef, len, &f),
	    JPKI_ERR_PARSE);
	/* nothing is left pointing into the buffer */
	assert_null(f.photo.p);
	free(ef);
}

static void
test_malformed(void **state)
{
	struct face_in	 in;
	jpki_visual_face_t f = { .size = sizeof(f) };
	uint8_t		*ef;
	size_t		 len, cut;

	(void)state;
	in = good;
	in.birth = "1989010";
	expect_bad(&in);
	in = good;
	in.birth = "1989O108";
	expect_bad(&in);
	in = good;
	in.expiry = "203401081";
	expect_bad(&in);
	in = good;
	in.sex = "3";
	expect_bad(&in);
	in = good;
	in.sex = "12";
	expect_bad(&in);
	in = good;
	in.sig_len = 255;
	expect_bad(&in);
	for (in = good, in.drop = 0; in.drop < 9; in.drop++)
		expect_bad(&in);
	/* every truncation of a good face is refused */
	ef = build_face(&good, &len);
	for (cut = 0; cut < len; cut++)
		assert_int_equal(jpki_visual_face_parse(ef, cut, &f),
		    JPKI_ERR_PARSE);
	assert_int_equal(jpki_visual_face_parse(NULL, len, &f), JPKI_ERR_ARG);
	assert_int_equal(jpki_visual_face_parse(ef, len, NULL), JPKI_ERR_ARG);
	free(ef);
}

static uint8_t *
build_info(const char *muni, size_t *len)
{
	buf_wr_t	 body, w;
	uint8_t		*b, *out;
	size_t		 blen;

	buf_wr_init(&body, 1024, 0);
	tlv_put(&body, 0xdf31, "\x06\x03\x0e\x01", 4);
	tlv_put(&body, 0xdf32, "0123456789abcdef", 16);
	tlv_put(&body, 0xdf33, "\x01", 1);
	if (muni != NULL)
		tlv_put(&body, 0xdf34, muni, strlen(muni));
	b = buf_wr_take(&body, &blen);
	buf_wr_init(&w, 1024, 0);
	tlv_put(&w, 0xff30, b, blen);
	free(b);
	out = buf_wr_take(&w, len);
	assert_non_null(out);
	return out;
}

static void
test_municipality(void **state)
{
	char	 c[6];
	uint8_t	*ef;
	size_t	 len;

	(void)state;
	ef = build_info("13101", &len);
	assert_int_equal(jpki_visual_info_municipality(ef, len, c), JPKI_OK);
	assert_string_equal(c, "13101");
	assert_int_equal(jpki_visual_info_municipality(ef, len - 1, c),
	    JPKI_ERR_PARSE);
	free(ef);
	ef = build_info("1310", &len);
	assert_int_equal(jpki_visual_info_municipality(ef, len, c),
	    JPKI_ERR_PARSE);
	free(ef);
	ef = build_info("1310A", &len);
	assert_int_equal(jpki_visual_info_municipality(ef, len, c),
	    JPKI_ERR_PARSE);
	free(ef);
	ef = build_info(NULL, &len);
	assert_int_equal(jpki_visual_info_municipality(ef, len, c),
	    JPKI_ERR_PARSE);
	assert_string_equal(c, "");
	free(ef);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_municipality),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
