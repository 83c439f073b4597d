/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Chain verification (src/cert_verify.c) on certificates made by
 * tests/data/gen-certs.sh, and the real J-LIS roots in data/jlis-roots/.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libgen.h>
#include <unistd.h>
#include <cmocka.h>

#include <jpki/cert.h>

static char dir[64];
static char cardsim[512];

/* gen-certs.sh: end entities 2025-03-02 00:00:00 JST .. 2030-02-17
 * 23:59:59 JST; CAs 2020-01-01 00:00:00 JST .. 2039-12-31 23:59:59 JST. */
#define EE_NB	1740841200LL
#define EE_NA	1897570799LL
#define CA_NB	1577804400LL
#define CA_NA	2208956399LL
#define MID	1780272000LL	/* 2026-06-01 */

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
	return c;
}

/* A verifier with the mock CAs as extra anchors, at time at. */
static jpki_verify_t *
mock_verifier(long long at, jpki_purpose_t p, unsigned flags)
{
	jpki_verify_t *v = NULL;

	assert_int_equal(jpki_verify_new(&v, flags), JPKI_OK);
	assert_int_equal(jpki_verify_add_anchor_file(v, path("auth-ca.pem")),
	    JPKI_OK);
	assert_int_equal(jpki_verify_add_anchor_file(v, path("sign-ca.der")),
	    JPKI_OK);
	jpki_verify_set_time(v, at);
	jpki_verify_set_purpose(v, p);
	return v;
}

static void
expect(const jpki_verify_t *v, const char *file, int rc, const char *why)
{
	jpki_verify_result_t res = { .size = sizeof(res) };
	jpki_cert_t *c = load(file);
	int r;

	r = jpki_cert_verify(v, c, &res);
	if (r != rc || res.rc != rc || (why != NULL &&
	    strstr(res.reason, why) == NULL))
		fail_msg("%s: rc %d (%s) reason \"%s\"; want %d \"%s\"", file,
		    r, jpki_strerror_name(r), res.reason, rc,
		    why != NULL ? why : "");
	assert_true(res.reason[0] != '\0');
	jpki_cert_free(&c);
}

static int
setup(void **state)
{
	const char *data = getenv("JPKI_TEST_DATA");
	char cmd[512];

	snprintf(dir, sizeof(dir), "/tmp/jpki-test-verify.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	/* The bundled roots, uninstalled. */
	setenv("JPKI_ROOTS_DIR", "data/jlis-roots", 1);
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
test_good_chains(void **state)
{
	jpki_verify_t *v = mock_verifier(MID, JPKI_PURPOSE_ANY, 0);
	jpki_verify_result_t res = { .size = sizeof(res) };
	jpki_cert_t *c = load("auth.der");

	assert_int_equal(jpki_cert_verify(v, c, &res), JPKI_OK);
	assert_string_equal(res.reason, "ok");
	assert_int_equal(res.hierarchy, JPKI_HIER_MOCK);
	assert_int_equal(res.type, JPKI_CERT_TYPE_AUTH);
	assert_non_null(strstr(res.anchor, "JPKI-MOCK for user auth"));
	jpki_cert_free(&c);
	c = load("sign.der");
	assert_int_equal(jpki_cert_verify(v, c, &res), JPKI_OK);
	assert_int_equal(res.type, JPKI_CERT_TYPE_SIGN);
	assert_int_equal(jpki_cert_verify(v, c, NULL), JPKI_OK);
	jpki_cert_free(&c);
	jpki_verify_free(&v);
	assert_null(v);
	jpki_verify_free(&v);

	v = mock_verifier(MID, JPKI_PURPOSE_AUTH, 0);
	expect(v, "auth.der", JPKI_OK, "ok");
	jpki_verify_free(&v);
	v = mock_verifier(MID, JPKI_PURPOSE_SIGN, 0);
	expect(v, "sign.der", JPKI_OK, "ok");
	expect(v, "serial20.der", JPKI_OK, "ok");
	jpki_verify_free(&v);
}

/* Expired (or not yet valid) by one second at each JST boundary. */
static void
test_jst_boundaries(void **state)
{
	static const struct {
		long long	 at;
		int		 rc;
		const char	*why;
	} v[] = {
		{ EE_NB - 1, JPKI_ERR_CERT_NOT_YET_VALID,
		    "not valid before 2025-03-02T00:00:00+09:00" },
		{ EE_NB, JPKI_OK, "ok" },
		{ EE_NA, JPKI_OK, "ok" },
		{ EE_NA + 1, JPKI_ERR_CERT_EXPIRED,
		    "expired at 2030-02-17T23:59:59+09:00" },
	};
	jpki_verify_t *vf;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		vf = mock_verifier(v[i].at, JPKI_PURPOSE_ANY, 0);
		expect(vf, "auth.der", v[i].rc, v[i].why);
		expect(vf, "sign.der", v[i].rc, v[i].why);
		jpki_verify_free(&vf);
	}
}

/* The CA's own boundaries, checked on the root alone. */
static void
test_ca_boundaries(void **state)
{
	static const struct {
		long long	 at;
		int		 rc;
		const char	*why;
	} v[] = {
		{ CA_NB - 1, JPKI_ERR_CERT_NOT_YET_VALID,
		    "not valid before 2020-01-01T00:00:00+09:00" },
		{ CA_NB, JPKI_OK, "ok" },
		{ CA_NA, JPKI_OK, "ok" },
		{ CA_NA + 1, JPKI_ERR_CERT_EXPIRED,
		    "expired at 2039-12-31T23:59:59+09:00" },
	};
	jpki_verify_t *vf;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		vf = mock_verifier(v[i].at, JPKI_PURPOSE_ANY, 0);
		expect(vf, "auth-ca.der", v[i].rc, v[i].why);
		jpki_verify_free(&vf);
	}
}

static void
test_wrong_issuer(void **state)
{
	jpki_verify_t *v = mock_verifier(MID, JPKI_PURPOSE_ANY, 0);

	/* same issuer name, other key, no AKI: the signature fails */
	expect(v, "auth-evil-noaki.der", JPKI_ERR_CERT_SIGNATURE,
	    "signature does not verify");
	/* with an AKI that matches no anchor: OpenSSL finds no issuer, the
	 * anchor of that name does not verify it */
	expect(v, "auth-evil.der", JPKI_ERR_CERT_SIGNATURE,
	    "signature does not verify with the key of the trusted");
	expect(v, "auth-other.der", JPKI_ERR_CERT_UNTRUSTED,
	    "no trusted issuer");
	/* a mock CA that is not an anchor */
	expect(v, "test-sign-ca.der", JPKI_ERR_CERT_UNTRUSTED, NULL);
	jpki_verify_free(&v);
	/* bundled roots only: the mock chain is untrusted */
	assert_int_equal(jpki_verify_new(&v, 0), JPKI_OK);
	jpki_verify_set_time(v, MID);
	expect(v, "auth.der", JPKI_ERR_CERT_UNTRUSTED, "no trusted issuer");
	jpki_verify_free(&v);
}

static void
test_key_usage_policy(void **state)
{
	jpki_verify_t *v = mock_verifier(MID, JPKI_PURPOSE_ANY, 0);

	expect(v, "auth-badku.der", JPKI_ERR_CERT_KEY_USAGE,
	    "lacks digitalSignature");
	expect(v, "auth-badpol.der", JPKI_ERR_CERT_POLICY,
	    "1.2.392.200149.8.5.1.3.30");
	expect(v, "auth-nopol.der", JPKI_ERR_CERT_POLICY, "policy");
	expect(v, "auth-signpol.der", JPKI_ERR_CERT_POLICY,
	    "no JPKI policy OID");
	expect(v, "auth-isca.der", JPKI_ERR_CERT_INVALID, "CA:TRUE");
	jpki_verify_free(&v);
	/* purpose mismatch both ways */
	v = mock_verifier(MID, JPKI_PURPOSE_SIGN, 0);
	expect(v, "auth.der", JPKI_ERR_CERT_POLICY,
	    "1.2.392.200149.8.5.1.1.20");
	jpki_verify_free(&v);
	v = mock_verifier(MID, JPKI_PURPOSE_AUTH, 0);
	expect(v, "sign.der", JPKI_ERR_CERT_POLICY,
	    "1.2.392.200149.8.5.1.3.30");
	/* sign policy claimed under the auth CA */
	expect(v, "auth-signpol.der", JPKI_ERR_CERT_POLICY, NULL);
	jpki_verify_free(&v);
}

static void
test_test_hierarchy(void **state)
{
	jpki_verify_t *v = mock_verifier(MID, JPKI_PURPOSE_ANY, 0);
	jpki_verify_result_t res = { .size = sizeof(res) };
	jpki_cert_t *c = load("sign-test.der");

	assert_int_equal(jpki_verify_add_anchor_file(v,
	    path("test-sign-ca.pem")), JPKI_OK);
	assert_int_equal(jpki_cert_verify(v, c, &res), JPKI_OK);
	assert_int_equal(res.hierarchy, JPKI_HIER_TEST);
	jpki_cert_free(&c);
	/* the production sign policy in the test hierarchy is wrong */
	expect(v, "sign-test-prodpol.der", JPKI_ERR_CERT_POLICY,
	    "1.2.392.200149.8.5.1.0.20");
	jpki_verify_free(&v);
}

static void
test_not_ca(void **state)
{
	jpki_verify_t *v = mock_verifier(MID, JPKI_PURPOSE_ANY, 0);
	jpki_cert_t *c = load("auth.der");

	/* an end entity is refused as an anchor */
	assert_int_equal(jpki_verify_add_anchor(v, c), JPKI_ERR_CERT_NOT_CA);
	assert_int_equal(jpki_verify_add_anchor_file(v, path("auth.der")),
	    JPKI_ERR_CERT_NOT_CA);
	jpki_cert_free(&c);
	/* keyCertSign but no basicConstraints: accepted by OpenSSL as an
	 * anchor, refused by the JPKI rule (§9.1) */
	assert_int_equal(jpki_verify_add_anchor_file(v,
	    path("notca-ca.pem")), JPKI_OK);
	expect(v, "auth-notca.der", JPKI_ERR_CERT_NOT_CA, "not a CA");
	jpki_verify_free(&v);
}

static void
test_production_only(void **state)
{
	jpki_verify_t *v = mock_verifier(MID, JPKI_PURPOSE_ANY,
	    JPKI_VERIFY_PRODUCTION_ONLY);

	expect(v, "auth.der", JPKI_ERR_CERT_HIERARCHY,
	    "chain ends in the JPKI-MOCK hierarchy");
	/* O=JPKI but not a bundled root */
	assert_int_equal(jpki_verify_add_anchor_file(v,
	    path("fakeprod-ca.pem")), JPKI_OK);
	expect(v, "auth-fakeprod.der", JPKI_ERR_CERT_HIERARCHY,
	    "chain ends in the JPKI hierarchy, production");
	jpki_verify_free(&v);
	/* without the flag the same chain is fine */
	v = mock_verifier(MID, JPKI_PURPOSE_ANY, 0);
	assert_int_equal(jpki_verify_add_anchor_file(v,
	    path("fakeprod-ca.pem")), JPKI_OK);
	expect(v, "auth-fakeprod.der", JPKI_OK, "ok");
	jpki_verify_free(&v);
}

/* The real J-LIS roots parse and verify against themselves. */
static void
test_jlis_roots(void **state)
{
	static const struct {
		const char	*file;
		long long	 at;
		int		 rc;
	} v[] = {
		{ "auth_ca_2015.pem", 1704067200LL, JPKI_OK },
		{ "sign_ca_2015.pem", 1704067200LL, JPKI_OK },
		{ "auth_ca_2023.pem", MID, JPKI_OK },
		{ "sign_ca_2023.pem", MID, JPKI_OK },
		/* 2025-10-19 23:59:59 JST is the 2015 roots' last second */
		{ "auth_ca_2015.pem", 1760885999LL, JPKI_OK },
		{ "auth_ca_2015.pem", 1760886000LL, JPKI_ERR_CERT_EXPIRED },
	};
	jpki_verify_result_t res = { .size = sizeof(res) };
	jpki_verify_t *vf = NULL;
	jpki_cert_t *c;
	char p[128];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(jpki_verify_new(&vf,
		    JPKI_VERIFY_PRODUCTION_ONLY), JPKI_OK);
		jpki_verify_set_time(vf, v[i].at);
		snprintf(p, sizeof(p), "data/jlis-roots/%s", v[i].file);
		assert_int_equal(jpki_cert_new_file(&c, p), JPKI_OK);
		if (jpki_cert_verify(vf, c, &res) != v[i].rc)
			fail_msg("%s: %s", v[i].file, res.reason);
		if (v[i].rc == JPKI_OK) {
			assert_int_equal(res.hierarchy, JPKI_HIER_PRODUCTION);
			assert_non_null(strstr(res.anchor, "/O=JPKI/"));
		}
		jpki_cert_free(&c);
		jpki_verify_free(&vf);
	}
}

static void
test_bundled_roots_missing(void **state)
{
	jpki_verify_t *v = (jpki_verify_t *)1;
	char p[512];

	setenv("JPKI_ROOTS_DIR", "/nonexistent/jpki-roots", 1);
	assert_int_equal(jpki_verify_new(&v, 0), JPKI_ERR_IO);
	assert_null(v);
	assert_int_equal(jpki_verify_new(&v, JPKI_VERIFY_NO_BUNDLED_ROOTS),
	    JPKI_OK);
	jpki_verify_set_time(v, MID);
	/* no anchors at all */
	expect(v, "auth.der", JPKI_ERR_CERT_UNTRUSTED, NULL);
	snprintf(p, sizeof(p), "mkdir %s/anchors && cp %s/auth-ca.pem "
	    "%s/sign-ca.der %s/anchors/", dir, dir, dir, dir);
	assert_int_equal(system(p), 0);
	assert_int_equal(jpki_verify_add_anchor_dir(v, path("anchors")),
	    JPKI_OK);
	expect(v, "auth.der", JPKI_OK, NULL);
	jpki_verify_free(&v);
	setenv("JPKI_ROOTS_DIR", "data/jlis-roots", 1);
	assert_int_equal(jpki_verify_new(NULL, 0), JPKI_ERR_ARG);
	assert_int_equal(jpki_cert_verify(NULL, NULL, NULL), JPKI_ERR_ARG);
}

/*
 * Two trusted CAs with the same name, like the 2015 and 2023 J-LIS
 * generations (§9.1): each certificate chains to the one that signed it,
 * with or without an authorityKeyIdentifier, in either anchor order.
 */
static void
test_same_name_generations(void **state)
{
	static const char *const order[2][2] = {
		{ "auth-ca.pem", "evil-ca.pem" },
		{ "evil-ca.pem", "auth-ca.pem" },
	};
	jpki_verify_t *v;
	int i;

	for (i = 0; i < 2; i++) {
		v = NULL;
		assert_int_equal(jpki_verify_new(&v,
		    JPKI_VERIFY_NO_BUNDLED_ROOTS), JPKI_OK);
		assert_int_equal(jpki_verify_add_anchor_file(v,
		    path(order[i][0])), JPKI_OK);
		assert_int_equal(jpki_verify_add_anchor_file(v,
		    path(order[i][1])), JPKI_OK);
		jpki_verify_set_time(v, MID);
		expect(v, "auth.der", JPKI_OK, "ok");
		expect(v, "auth-evil.der", JPKI_OK, "ok");
		expect(v, "auth-evil-noaki.der", JPKI_OK, "ok");
		jpki_verify_free(&v);
	}
}

/* Certificates of a `jpki-cardsim gen-profile` card (interop). */
static void
test_cardsim_profile(void **state)
{
	jpki_verify_result_t res = { .size = sizeof(res) };
	jpki_cert_attrs_t a = { .size = sizeof(a) };
	jpki_verify_t *v = NULL;
	jpki_cert_t *c = NULL;
	char cmd[1024];

	if (access(cardsim, X_OK) != 0)
		skip();
	snprintf(cmd, sizeof(cmd), "%s gen-profile --out %s/prof --seed 5 "
	    "--name '試験　次郎' --birth 20190501 --sex 1 >/dev/null", cardsim,
	    dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(jpki_verify_new(&v, JPKI_VERIFY_NO_BUNDLED_ROOTS),
	    JPKI_OK);
	assert_int_equal(jpki_verify_add_anchor_file(v,
	    path("prof/auth-ca.crt")), JPKI_OK);
	assert_int_equal(jpki_verify_add_anchor_file(v,
	    path("prof/sign-ca.crt")), JPKI_OK);
	assert_int_equal(jpki_cert_new_file(&c, path("prof/sign.crt")),
	    JPKI_OK);
	assert_int_equal(jpki_cert_type(c), JPKI_CERT_TYPE_SIGN);
	assert_int_equal(jpki_cert_verify(v, c, &res), JPKI_OK);
	assert_int_equal(res.hierarchy, JPKI_HIER_MOCK);
	assert_int_equal(jpki_cert_attrs(c, &a), JPKI_OK);
	assert_string_equal(a.name, "試験　次郎");
	assert_string_equal(a.birth_iso, "2019-05-01");
	assert_string_equal(a.birth_era, "Reiwa");
	assert_string_equal(a.sex_name, "male");
	assert_non_null(a.address);
	jpki_cert_free(&c);
	assert_int_equal(jpki_cert_new_file(&c, path("prof/auth.crt")),
	    JPKI_OK);
	assert_int_equal(jpki_cert_type(c), JPKI_CERT_TYPE_AUTH);
	assert_int_equal(jpki_cert_verify(v, c, &res), JPKI_OK);
	jpki_cert_free(&c);
	jpki_verify_free(&v);
}

int
main(int argc, char **argv)
{
	char self[512];

	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_chains),
		cmocka_unit_test(test_jst_boundaries),
		cmocka_unit_test(test_ca_boundaries),
		cmocka_unit_test(test_wrong_issuer),
		cmocka_unit_test(test_key_usage_policy),
		cmocka_unit_test(test_test_hierarchy),
		cmocka_unit_test(test_not_ca),
		cmocka_unit_test(test_production_only),
		cmocka_unit_test(test_jlis_roots),
		cmocka_unit_test(test_bundled_roots_missing),
		cmocka_unit_test(test_same_name_generations),
		cmocka_unit_test(test_cardsim_profile),
	};

	/* <BUILD>/tests/unit/test_cert_verify -> <BUILD>/bin/jpki-cardsim */
	snprintf(self, sizeof(self), "%s", argv[0]);
	snprintf(cardsim, sizeof(cardsim), "%s/../../bin/jpki-cardsim",
	    dirname(self));
	(void)argc;

	return cmocka_run_group_tests(tests, setup, teardown);
}
