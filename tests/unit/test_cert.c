/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Certificate parsing and holder attributes (src/cert.c, src/cert_attrs.c)
 * on certificates that tests/data/gen-certs.sh makes with the openssl CLI,
 * and on the real J-LIS roots in data/jlis-roots/.
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

#include <jpki/cert.h>

#include "cert_int.h"
#include "utf8.h"

static char dir[64];

static const char *
path(const char *name)
{
	static char p[256];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static jpki_cert_t *
load(const char *name)
{
	jpki_cert_t *c = NULL;

	assert_int_equal(jpki_cert_new_file(&c, path(name)), JPKI_OK);
	assert_non_null(c);
	return c;
}

static int
setup(void **state)
{
	const char *data = getenv("JPKI_TEST_DATA");
	char cmd[512];

	snprintf(dir, sizeof(dir), "/tmp/jpki-test-cert.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(cmd, sizeof(cmd), "sh %s/gen-certs.sh %s >/dev/null",
	    data != NULL ? data : "tests/data", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
test_auth_fields(void **state)
{
	jpki_cert_t *c = load("auth.der");
	const uint8_t *n, *e, *d;
	size_t nl, el, dl;

	assert_string_equal(jpki_cert_serial_hex(c), "1");
	assert_string_equal(jpki_cert_serial_dec(c), "1");
	d = jpki_cert_serial_der(c, &dl);
	assert_int_equal(dl, 3);
	assert_memory_equal(d, "\x02\x01\x01", 3);
	assert_string_equal(jpki_cert_subject(c),
	    "CN=997794E9AGCIEG13101003A,C=JP");
	assert_string_equal(jpki_cert_issuer(c),
	    "OU=libjpki test hierarchy,OU=JPKI-MOCK for user authentication,"
	    "O=JPKI-MOCK,C=JP");
	/* 2025-03-02 00:00:00 JST and 2030-02-17 23:59:59 JST (§9.2) */
	assert_int_equal(jpki_cert_not_before(c), 1740841200LL);
	assert_int_equal(jpki_cert_not_after(c), 1897570799LL);
	assert_string_equal(jpki_cert_not_before_str(c),
	    "2025-03-02T00:00:00+09:00");
	assert_string_equal(jpki_cert_not_after_str(c),
	    "2030-02-17T23:59:59+09:00");
	assert_string_equal(jpki_cert_key_type(c), "RSA");
	assert_int_equal(jpki_cert_key_bits(c), 2048);
	assert_int_equal(jpki_cert_rsa_public(c, &n, &nl, &e, &el), JPKI_OK);
	assert_int_equal(nl, 256);
	assert_true((n[0] & 0x80) != 0);
	assert_int_equal(el, 3);
	assert_memory_equal(e, "\x01\x00\x01", 3);
	d = jpki_cert_spki_der(c, &dl);
	assert_non_null(d);
	assert_true(dl > 256 && d[0] == 0x30);
	assert_int_equal(jpki_cert_key_usage(c), JPKI_KU_DIGITAL_SIGNATURE);
	assert_false(jpki_cert_is_ca(c));
	assert_int_equal(jpki_cert_policy_count(c), 1);
	assert_string_equal(jpki_cert_policy(c, 0),
	    "1.2.392.200149.8.5.1.3.30");
	assert_null(jpki_cert_policy(c, 1));
	assert_int_equal(jpki_cert_type(c), JPKI_CERT_TYPE_AUTH);
	assert_int_equal(jpki_cert_hierarchy(c), JPKI_HIER_MOCK);
	assert_string_equal(jpki_hierarchy_name(jpki_cert_hierarchy(c)),
	    "JPKI-MOCK");
	assert_string_equal(jpki_cert_type_name(jpki_cert_type(c)), "auth");
	jpki_cert_free(&c);
	assert_null(c);
	jpki_cert_free(&c);
	jpki_cert_free(NULL);
}

static void
test_der_names(void **state)
{
	jpki_cert_t *c = load("auth.der"), *ca = load("auth-ca.der");
	const uint8_t *a, *b;
	size_t al, bl;

	a = jpki_cert_issuer_der(c, &al);
	b = jpki_cert_subject_der(ca, &bl);
	assert_int_equal(al, bl);
	assert_memory_equal(a, b, al);
	assert_int_equal(a[0], 0x30);
	jpki_cert_free(&c);
	jpki_cert_free(&ca);
}

static void
test_ca_fields(void **state)
{
	jpki_cert_t *c = load("sign-ca.der");

	assert_true(jpki_cert_is_ca(c));
	assert_int_equal(jpki_cert_key_usage(c),
	    JPKI_KU_KEY_CERT_SIGN | JPKI_KU_CRL_SIGN);
	assert_int_equal(jpki_cert_type(c), JPKI_CERT_TYPE_SIGN_CA);
	assert_int_equal(jpki_cert_hierarchy(c), JPKI_HIER_MOCK);
	assert_int_equal(jpki_cert_policy_count(c), 0);
	jpki_cert_free(&c);
	c = load("test-sign-ca.der");
	assert_int_equal(jpki_cert_hierarchy(c), JPKI_HIER_TEST);
	jpki_cert_free(&c);
	c = load("auth-ca.der");
	assert_int_equal(jpki_cert_type(c), JPKI_CERT_TYPE_AUTH_CA);
	jpki_cert_free(&c);
	c = load("other-ca.der");
	assert_int_equal(jpki_cert_type(c), JPKI_CERT_TYPE_UNKNOWN);
	assert_int_equal(jpki_cert_hierarchy(c), JPKI_HIER_UNKNOWN);
	jpki_cert_free(&c);
}

static void
test_classification(void **state)
{
	static const struct {
		const char		*file;
		jpki_cert_type_t	 type;
		jpki_hierarchy_t	 hier;
	} v[] = {
		{ "sign.der", JPKI_CERT_TYPE_SIGN, JPKI_HIER_MOCK },
		{ "sign-test.der", JPKI_CERT_TYPE_SIGN, JPKI_HIER_TEST },
		/* no policy: the issuing CA's purpose decides */
		{ "auth-nopol.der", JPKI_CERT_TYPE_AUTH, JPKI_HIER_MOCK },
		{ "auth-badpol.der", JPKI_CERT_TYPE_AUTH, JPKI_HIER_MOCK },
		/* sign policy under the auth CA: contradiction, not guessed */
		{ "auth-signpol.der", JPKI_CERT_TYPE_UNKNOWN, JPKI_HIER_MOCK },
		{ "auth-other.der", JPKI_CERT_TYPE_AUTH, JPKI_HIER_UNKNOWN },
	};
	jpki_cert_t *c;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		c = load(v[i].file);
		assert_int_equal(jpki_cert_type(c), v[i].type);
		assert_int_equal(jpki_cert_hierarchy(c), v[i].hier);
		jpki_cert_free(&c);
	}
}

static void
test_serials(void **state)
{
	static const struct {
		const char	*file;
		const char	*hex;
		const char	*dec;
		size_t		 der_len;
	} v[] = {
		/* 0x80 needs a leading zero byte: 02 02 00 80 */
		{ "sign.der", "80", "128", 4 },
		{ "serial1.der", "A", "10", 3 },
		{ "serial8.der", "102030405060708", "72623859790382856", 10 },
		{ "serial20.der", "7F0102030405060708090A0B0C0D0E0F10111213",
		    "725064303890588110203033396814564464046290047507", 22 },
		{ "serial20z.der", "FF0102030405060708090A0B0C0D0E0F101112",
		    "5686777822484529567597171145205882710446313746", 22 },
	};
	jpki_cert_t *c;
	const uint8_t *d;
	size_t i, dl;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		c = load(v[i].file);
		assert_string_equal(jpki_cert_serial_hex(c), v[i].hex);
		assert_string_equal(jpki_cert_serial_dec(c), v[i].dec);
		d = jpki_cert_serial_der(c, &dl);
		assert_int_equal(dl, v[i].der_len);
		assert_int_equal(d[0], 0x02);
		assert_int_equal(d[1], dl - 2);
		jpki_cert_free(&c);
	}
	c = load("sign.der");
	d = jpki_cert_serial_der(c, &dl);
	assert_memory_equal(d, "\x02\x02\x00\x80", 4);
	jpki_cert_free(&c);
	c = load("serial20z.der");
	d = jpki_cert_serial_der(c, &dl);
	assert_int_equal(d[2], 0x00);
	assert_int_equal(d[3], 0xff);
	jpki_cert_free(&c);
}

static void
test_attrs_full(void **state)
{
	jpki_cert_t *c = load("sign.der");
	jpki_cert_attrs_t a = { .size = sizeof(a) };

	assert_int_equal(jpki_cert_key_usage(c),
	    JPKI_KU_DIGITAL_SIGNATURE | JPKI_KU_NON_REPUDIATION);
	assert_int_equal(jpki_cert_attrs(c, &a), JPKI_OK);
	assert_null(jpki_cert_attrs_error(c));
	assert_string_equal(a.name, "山田　花子");
	assert_string_equal(a.name_flags, "00000");
	assert_string_equal(a.sex, "2");
	assert_string_equal(a.sex_name, "female");
	assert_string_equal(a.birth_raw, "319800217");
	assert_string_equal(a.birth_iso, "1980-02-17");
	assert_string_equal(a.birth_era, "Showa");
	assert_string_equal(a.address, "東京都千代田区千代田１－１");
	assert_string_equal(a.address_flags, "00000000000000");
	assert_string_equal(jpki_cert_subject(c),
	    "CN=997794E9AGCIEG13101004B,L=Chiyoda-ku,C=JP");
	jpki_cert_free(&c);
}

static void
test_attrs_none(void **state)
{
	jpki_cert_t *c = load("auth.der");
	jpki_cert_attrs_t a = { .size = sizeof(a) };

	memset(&a, 0xa5, sizeof(a));
	assert_int_equal(jpki_cert_attrs(c, &a), JPKI_OK);
	assert_null(a.name);
	assert_null(a.birth_iso);
	assert_null(a.address_flags);
	jpki_cert_free(&c);
}

static void
test_attrs_missing(void **state)
{
	jpki_cert_attrs_t a = { .size = sizeof(a) };
	jpki_cert_t *c;
	char f[32];
	int i;

	for (i = 1; i <= 6; i++) {
		snprintf(f, sizeof(f), "miss%d.der", i);
		c = load(f);
		assert_int_equal(jpki_cert_attrs(c, &a), JPKI_OK);
		assert_true((a.name == NULL) == (i == 1));
		assert_true((a.name_flags == NULL) == (i == 2));
		assert_true((a.sex == NULL) == (i == 3));
		assert_true((a.sex_name == NULL) == (i == 3));
		assert_true((a.birth_raw == NULL) == (i == 4));
		assert_true((a.birth_iso == NULL) == (i == 4));
		assert_true((a.birth_era == NULL) == (i == 4));
		assert_true((a.address == NULL) == (i == 5));
		assert_true((a.address_flags == NULL) == (i == 6));
		jpki_cert_free(&c);
	}
}

static void
test_attrs_malformed(void **state)
{
	static const struct {
		const char	*file;
		const char	*reason;
	} v[] = {
		{ "bad_utf8.der", "name is not valid UTF-8" },
		{ "bad_surrogate.der", "name is not valid UTF-8" },
		{ "bad_addr.der", "address is not valid UTF-8" },
		{ "bad_type.der", "sex is not a UTF8String" },
		{ "bad_oid.der",
		    "unknown attribute OID 1.2.392.200149.8.5.5.7" },
		{ "bad_era.der", "outside the Heisei era" },
		{ "bad_date.der", "birth date is not a valid date" },
		{ "bad_birthfmt.der", "birth date is not EYYYYMMDD" },
		{ "era_leap_bad.der", "birth date is not a valid date" },
		{ "bad_sex.der", "sex is not a JIS X 0303 code" },
		{ "bad_flags.der", "name substitution flags are not 0/1" },
		{ "bad_aflags.der", "address substitution flags are not 0/1" },
		{ "bad_dup.der", "name appears twice" },
		/* in the arc, however long: refused, the OID cut short */
		{ "bad_oid_long.der",
		    "unknown attribute OID 1.2.392.200149.8.5.5.1.4000000000" },
	};
	jpki_cert_attrs_t a = { .size = sizeof(a) };
	jpki_cert_t *c;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		c = load(v[i].file);
		memset(&a, 0xa5, sizeof(a));
		if (jpki_cert_attrs(c, &a) != JPKI_ERR_PARSE)
			fail_msg("%s: accepted", v[i].file);
		/* nothing half-written on failure */
		assert_null(a.name);
		assert_null(a.birth_iso);
		assert_non_null(jpki_cert_attrs_error(c));
		if (strstr(jpki_cert_attrs_error(c), v[i].reason) == NULL)
			fail_msg("%s: reason \"%s\", want \"%s\"", v[i].file,
			    jpki_cert_attrs_error(c), v[i].reason);
		/* the certificate itself still parses */
		assert_string_equal(jpki_cert_type_name(jpki_cert_type(c)),
		    "sign");
		jpki_cert_free(&c);
	}
}

/*
 * Issue 10: an otherName outside the arc with a long OID (a dotted form
 * longer than any fixed buffer) is ignored like any other foreign name;
 * it used to fail the whole parse.
 */
static void
test_attrs_foreign_long_oid(void **state)
{
	jpki_cert_t *c = load("foreign_oid.der");
	jpki_cert_attrs_t a = { .size = sizeof(a) };

	assert_int_equal(jpki_cert_attrs(c, &a), JPKI_OK);
	assert_null(jpki_cert_attrs_error(c));
	assert_string_equal(a.name, "山田　花子");
	assert_string_equal(a.birth_iso, "1980-02-17");
	assert_string_equal(a.address, "東京都千代田区千代田１－１");
	assert_string_equal(a.address_flags, "00000000000000");
	jpki_cert_free(&c);
}

static void
test_attrs_eras(void **state)
{
	static const struct {
		const char	*file;
		const char	*iso;
		const char	*era;
	} v[] = {
		{ "era_showa.der", "1989-01-07", "Showa" },
		{ "era_heisei.der", "1989-01-08", "Heisei" },
		{ "era_reiwa.der", "2019-05-01", "Reiwa" },
		{ "era_unknown.der", "2000-02-29", "unknown" },
	};
	jpki_cert_attrs_t a = { .size = sizeof(a) };
	jpki_cert_t *c;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		c = load(v[i].file);
		assert_int_equal(jpki_cert_attrs(c, &a), JPKI_OK);
		assert_string_equal(a.birth_iso, v[i].iso);
		assert_string_equal(a.birth_era, v[i].era);
		jpki_cert_free(&c);
	}
}

static void
test_utf8(void **state)
{
	static const struct {
		const char	*s;
		size_t		 len;
		int		 ok;
		size_t		 ncp;
	} v[] = {
		{ "abc", 3, 1, 3 },
		{ "\xe3\x80\x80", 3, 1, 1 },		/* U+3000 */
		{ "\xf0\x9f\x98\x80", 4, 1, 1 },	/* U+1F600 */
		{ "\xc0\xaf", 2, 0, 0 },		/* overlong '/' */
		{ "\xe0\x80\xaf", 3, 0, 0 },		/* overlong */
		{ "\xed\xa0\x80", 3, 0, 0 },		/* surrogate */
		{ "\xf4\x90\x80\x80", 4, 0, 0 },	/* > U+10FFFF */
		{ "\xe3\x80", 2, 0, 0 },		/* truncated */
		{ "\x80", 1, 0, 0 },			/* lone continuation */
		{ "a\0b", 3, 0, 0 },			/* NUL */
		{ "", 0, 1, 0 },
	};
	size_t i, n;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		n = 99;
		assert_int_equal(utf8_check((const uint8_t *)v[i].s,
		    v[i].len, UTF8_CTRL, &n), v[i].ok);
		if (v[i].ok)
			assert_int_equal(n, v[i].ncp);
	}
}

/* The attribute parser on raw SAN bytes: the OpenSSH quartet. */
static void
test_attrs_raw(void **state)
{
	/* SEQUENCE { [0] { OID ...5.5.3, [0] { UTF8String "1" } } } */
	static const uint8_t ok[] = {
		0x30, 0x13, 0xa0, 0x11, 0x06, 0x0a, 0x2a, 0x83, 0x08, 0x8c,
		0x9b, 0x55, 0x08, 0x05, 0x05, 0x03, 0xa0, 0x03, 0x0c, 0x01,
		0x31
	};
	struct cert_attrs a;
	static uint8_t big[70000];
	char err[CERT_ERRLEN];

	assert_int_equal(cert_attrs_parse(ok, sizeof(ok), &a, err,
	    sizeof(err)), JPKI_OK);
	assert_string_equal(a.sex, "1");
	assert_string_equal(a.sex_name, "male");
	cert_attrs_clear(&a);
	/* truncated */
	assert_int_equal(cert_attrs_parse(ok, sizeof(ok) - 1, &a, err,
	    sizeof(err)), JPKI_ERR_PARSE);
	assert_null(a.sex);
	/* trailing byte */
	memcpy(big, ok, sizeof(ok));
	big[sizeof(ok)] = 0;
	assert_int_equal(cert_attrs_parse(big, sizeof(ok) + 1, &a, err,
	    sizeof(err)), JPKI_ERR_PARSE);
	/* giant */
	memset(big, 0, sizeof(big));
	assert_int_equal(cert_attrs_parse(big, sizeof(big), &a, err,
	    sizeof(err)), JPKI_ERR_PARSE);
	assert_int_equal(cert_attrs_parse(NULL, 0, &a, err, sizeof(err)),
	    JPKI_ERR_PARSE);
}

static void
test_parse_errors(void **state)
{
	jpki_cert_t *c = load("auth.der"), *d = (jpki_cert_t *)1;
	const uint8_t *der;
	uint8_t *buf;
	size_t len;

	der = jpki_cert_der(c, &len);
	assert_non_null(der);
	assert_int_equal(jpki_cert_new(&d, der, len - 1), JPKI_ERR_PARSE);
	assert_null(d);
	buf = malloc(len + 1);
	assert_non_null(buf);
	memcpy(buf, der, len);
	buf[len] = 0;
	assert_int_equal(jpki_cert_new(&d, buf, len + 1), JPKI_ERR_PARSE);
	assert_int_equal(jpki_cert_new(&d, buf, len), JPKI_OK);
	jpki_cert_free(&d);
	assert_int_equal(jpki_cert_new(&d, buf, JPKI_MAX_CERT + 1),
	    JPKI_ERR_TOO_LARGE);
	assert_int_equal(jpki_cert_new(&d, NULL, 10), JPKI_ERR_ARG);
	assert_int_equal(jpki_cert_new(NULL, buf, len), JPKI_ERR_ARG);
	assert_int_equal(jpki_cert_new_file(&d, path("nonexistent")),
	    JPKI_ERR_IO);
	assert_int_equal(jpki_cert_new_file(&d, path("ca.cnf")),
	    JPKI_ERR_PARSE);
	free(buf);
	jpki_cert_free(&c);
}

static void
test_jlis_roots(void **state)
{
	static const struct {
		const char		*file;
		const char		*serial;
		jpki_cert_type_t	 type;
		const char		*not_after;
	} v[] = {
		{ "auth_ca_2015.pem", "1", JPKI_CERT_TYPE_AUTH_CA,
		    "2025-10-19T23:59:59+09:00" },
		{ "auth_ca_2023.pem", "6D18006", JPKI_CERT_TYPE_AUTH_CA,
		    "2033-07-15T23:59:59+09:00" },
		{ "sign_ca_2015.pem", "1", JPKI_CERT_TYPE_SIGN_CA,
		    "2025-10-19T23:59:59+09:00" },
		{ "sign_ca_2023.pem", "67C6A21", JPKI_CERT_TYPE_SIGN_CA,
		    "2033-07-15T23:59:59+09:00" },
	};
	jpki_cert_t *c;
	char p[256];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		snprintf(p, sizeof(p), "data/jlis-roots/%s", v[i].file);
		assert_int_equal(jpki_cert_new_file(&c, p), JPKI_OK);
		assert_string_equal(jpki_cert_serial_hex(c), v[i].serial);
		assert_int_equal(jpki_cert_type(c), v[i].type);
		assert_int_equal(jpki_cert_hierarchy(c), JPKI_HIER_PRODUCTION);
		assert_true(jpki_cert_is_ca(c));
		assert_int_equal(jpki_cert_key_bits(c), 2048);
		assert_string_equal(jpki_cert_not_after_str(c), v[i].not_after);
		assert_int_equal(jpki_cert_key_usage(c),
		    JPKI_KU_KEY_CERT_SIGN | JPKI_KU_CRL_SIGN);
		assert_non_null(strstr(jpki_cert_subject(c), "O=JPKI,C=JP"));
		jpki_cert_free(&c);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_auth_fields),
		cmocka_unit_test(test_der_names),
		cmocka_unit_test(test_ca_fields),
		cmocka_unit_test(test_classification),
		cmocka_unit_test(test_serials),
		cmocka_unit_test(test_attrs_full),
		cmocka_unit_test(test_attrs_none),
		cmocka_unit_test(test_attrs_missing),
		cmocka_unit_test(test_attrs_malformed),
		cmocka_unit_test(test_attrs_foreign_long_oid),
		cmocka_unit_test(test_attrs_eras),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_attrs_raw),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_jlis_roots),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
