/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Detached CMS with an external signer (src/cert_cms.c).  The "card" is a
 * callback holding the test key of tests/data/gen-certs.sh; the result is
 * checked by `openssl cms -verify` against the mock sign CA.
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

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <jpki/cert.h>

static char dir[64];

static const char *
path(const char *name)
{
	static char p[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
	return p[i];
}

static jpki_cert_t *
load(const char *name)
{
	jpki_cert_t *c = NULL;

	assert_int_equal(jpki_cert_new_file(&c, path(name)), JPKI_OK);
	return c;
}

static EVP_PKEY *
load_key(const char *name)
{
	FILE *f = fopen(path(name), "r");
	EVP_PKEY *k;

	assert_non_null(f);
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(k);
	return k;
}

struct card {
	EVP_PKEY	*key;
	int		 calls;
	int		 fail;
};

/* What the card does with a SHA-256 digest: PKCS#1 v1.5 over DigestInfo. */
static int
card_sign(void *arg, jpki_hash_t hash, const uint8_t *md, size_t md_len,
    uint8_t *sig, size_t *sig_len)
{
	struct card *c = arg;
	EVP_PKEY_CTX *ctx;
	int ok;

	c->calls++;
	if (c->fail)
		return JPKI_ERR_PIN_INCORRECT;
	assert_int_equal(hash, JPKI_HASH_SHA256);
	assert_int_equal(md_len, 32);
	ctx = EVP_PKEY_CTX_new(c->key, NULL);
	assert_non_null(ctx);
	ok = EVP_PKEY_sign_init(ctx) == 1 &&
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
	    EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) == 1 &&
	    EVP_PKEY_sign(ctx, sig, sig_len, md, md_len) == 1;
	EVP_PKEY_CTX_free(ctx);
	return ok ? JPKI_OK : JPKI_ERR_INTERNAL;
}

static void
write_file(const char *p, const void *d, size_t n)
{
	FILE *f = fopen(p, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(d, 1, n, f), n);
	fclose(f);
}

static int
sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static int
setup(void **state)
{
	const char *data = getenv("JPKI_TEST_DATA");
	char cmd[512];

	snprintf(dir, sizeof(dir), "/tmp/jpki-test-cms.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(cmd, sizeof(cmd), "sh %s/gen-certs.sh %s >/dev/null",
	    data != NULL ? data : "tests/data", dir);
	if (system(cmd) != 0)
		return -1;
	/* the sign certificate (issuance number 80) is revoked */
	snprintf(cmd, sizeof(cmd), "(cd %s && export CADIR=$PWD/db-sign-ca && "
	    "O='-config ca.cnf -cert sign-ca.pem -keyfile sign-ca.key' && "
	    "openssl ca $O -revoke sign.pem -crl_reason keyCompromise && "
	    "openssl ca $O -gencrl -crldays 2 -out crl.pem) >/dev/null 2>&1",
	    dir);
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
test_sign_verify(void **state)
{
	static const char msg[] = "申請書 2026-11-23: synthetic\n";
	struct card card = { NULL, 0, 0 };
	jpki_cert_t *c = load("sign.der"), *ca = load("sign-ca.der");
	uint8_t *cms = NULL;
	size_t n = 0;

	card.key = load_key("ee.key");
	/* 2026-11-23 12:00:00 UTC */
	assert_int_equal(jpki_cms_sign(c, ca, (const uint8_t *)msg,
	    strlen(msg), 1795435200LL, card_sign, &card, &cms, &n), JPKI_OK);
	assert_int_equal(card.calls, 1);
	assert_non_null(cms);
	assert_true(n > 1000 && cms[0] == 0x30);
	write_file(path("msg.txt"), msg, strlen(msg));
	write_file(path("msg.p7s"), cms, n);
	assert_int_equal(sh("openssl cms -verify -binary -inform DER -in %s "
	    "-content %s -CAfile %s -purpose any -out /dev/null 2>/dev/null",
	    path("msg.p7s"), path("msg.txt"), path("sign-ca.pem")), 0);
	/* detached: no content inside; both certificates; signing time */
	assert_int_equal(sh("openssl cms -cmsout -print -inform DER -in %s "
	    "> %s", path("msg.p7s"), path("print.txt")), 0);
	assert_int_equal(sh("grep -q 'eContent: <ABSENT>' %s",
	    path("print.txt")), 0);
	assert_int_equal(sh("grep -q 'UTCTIME:Nov 23 12:00:00 2026 GMT' %s",
	    path("print.txt")), 0);
	assert_int_equal(sh("grep -c 'JPKI-MOCK for digital signature' %s | "
	    "grep -q '^[3-9]'", path("print.txt")), 0);
	/* other content does not verify */
	write_file(path("other.txt"), "x", 1);
	assert_int_not_equal(sh("openssl cms -verify -binary -inform DER -in "
	    "%s -content %s -CAfile %s -purpose any -out /dev/null "
	    "2>/dev/null", path("msg.p7s"), path("other.txt"),
	    path("sign-ca.pem")), 0);
	free(cms);
	EVP_PKEY_free(card.key);
	jpki_cert_free(&c);
	jpki_cert_free(&ca);
}

static void
test_empty_and_no_ca(void **state)
{
	struct card card = { NULL, 0, 0 };
	jpki_cert_t *c = load("sign.der");
	uint8_t *cms = NULL;
	size_t n = 0;

	card.key = load_key("ee.key");
	assert_int_equal(jpki_cms_sign(c, NULL, NULL, 0, 0, card_sign, &card,
	    &cms, &n), JPKI_OK);
	write_file(path("empty.txt"), "", 0);
	write_file(path("empty.p7s"), cms, n);
	assert_int_equal(sh("openssl cms -verify -binary -inform DER -in %s "
	    "-content %s -CAfile %s -purpose any -out /dev/null 2>/dev/null",
	    path("empty.p7s"), path("empty.txt"), path("sign-ca.pem")), 0);
	free(cms);
	EVP_PKEY_free(card.key);
	jpki_cert_free(&c);
}

static void
test_signer_errors(void **state)
{
	struct card card = { NULL, 0, 0 };
	jpki_cert_t *c = load("sign.der");
	uint8_t *cms = (uint8_t *)1;
	size_t n = 7;

	/* the card refuses: its error comes back, nothing is returned */
	card.key = load_key("ee.key");
	card.fail = 1;
	assert_int_equal(jpki_cms_sign(c, NULL, (const uint8_t *)"a", 1, 0,
	    card_sign, &card, &cms, &n), JPKI_ERR_PIN_INCORRECT);
	assert_null(cms);
	assert_int_equal(n, 0);
	EVP_PKEY_free(card.key);
	/* a key that does not belong to the certificate (the wrong one of
	 * the card's two keys) */
	card.key = load_key("auth-ca.key");
	card.fail = 0;
	assert_int_equal(jpki_cms_sign(c, NULL, (const uint8_t *)"a", 1, 0,
	    card_sign, &card, &cms, &n), JPKI_ERR_SIGNATURE_INVALID);
	assert_null(cms);
	EVP_PKEY_free(card.key);
	assert_int_equal(jpki_cms_sign(c, NULL, (const uint8_t *)"a", 1, 0,
	    NULL, NULL, &cms, &n), JPKI_ERR_ARG);
	assert_int_equal(jpki_cms_sign(NULL, NULL, (const uint8_t *)"a", 1, 0,
	    card_sign, &card, &cms, &n), JPKI_ERR_ARG);
	jpki_cert_free(&c);
}

/* Sign with the "card" for the certificate file, return the CMS. */
static uint8_t *
make_cms(const char *cert, const char *msg, size_t *n)
{
	struct card card = { NULL, 0, 0 };
	jpki_cert_t *c = load(cert), *ca = load("sign-ca.der");
	uint8_t *cms = NULL;

	card.key = load_key("ee.key");
	assert_int_equal(jpki_cms_sign(c, ca, (const uint8_t *)msg,
	    strlen(msg), 1795435200LL, card_sign, &card, &cms, n), JPKI_OK);
	EVP_PKEY_free(card.key);
	jpki_cert_free(&c);
	jpki_cert_free(&ca);
	return cms;
}

static jpki_verify_t *
verifier(const char *anchor)
{
	jpki_verify_t *v = NULL;

	assert_int_equal(jpki_verify_new(&v, JPKI_VERIFY_NO_BUNDLED_ROOTS),
	    JPKI_OK);
	assert_int_equal(jpki_verify_add_anchor_file(v, path(anchor)),
	    JPKI_OK);
	jpki_verify_set_purpose(v, JPKI_PURPOSE_SIGN);
	jpki_verify_set_time(v, 1795435200LL);
	return v;
}

static void
test_cms_verify(void **state)
{
	static const char msg[] = "synthetic contract text\n";
	jpki_cms_verify_result_t res = { .size = sizeof(res) };
	jpki_verify_result_t chain = { .size = sizeof(chain) };
	jpki_rev_result_t rev = { .size = sizeof(rev) };
	jpki_verify_t *v = verifier("sign-ca.der");
	jpki_rev_t *rv = NULL;
	uint8_t *cms;
	size_t n;

	cms = make_cms("serial1.der", msg, &n);
	res.chain = &chain;
	res.revocation = &rev;
	assert_int_equal(jpki_cms_verify(cms, n, (const uint8_t *)msg,
	    strlen(msg), v, NULL, &res), JPKI_OK);
	assert_string_equal(res.reason, "ok");
	assert_int_equal(res.signing_time, 1795435200LL);
	assert_string_equal(res.signer_serial_hex, "A");
	assert_int_equal(chain.hierarchy, JPKI_HIER_MOCK);
	assert_false(res.revocation_checked);
	/* with the CRL: good */
	assert_int_equal(jpki_rev_new(&rv), JPKI_OK);
	assert_int_equal(jpki_rev_set_crl_file(rv, path("crl.pem")), JPKI_OK);
	assert_int_equal(jpki_cms_verify(cms, n, (const uint8_t *)msg,
	    strlen(msg), v, rv, &res), JPKI_OK);
	assert_true(res.revocation_checked);
	assert_int_equal(rev.status, JPKI_REV_GOOD);
	/* other content */
	assert_int_equal(jpki_cms_verify(cms, n, (const uint8_t *)"x", 1, v,
	    NULL, &res), JPKI_ERR_SIGNATURE_INVALID);
	/* a flipped bit in the signature (the CMS ends with it) */
	cms[n - 1] ^= 0x01;
	assert_int_equal(jpki_cms_verify(cms, n, (const uint8_t *)msg,
	    strlen(msg), v, NULL, &res), JPKI_ERR_SIGNATURE_INVALID);
	cms[n - 1] ^= 0x01;
	/* truncated, garbage */
	assert_int_equal(jpki_cms_verify(cms, n - 1, (const uint8_t *)msg,
	    strlen(msg), v, NULL, &res), JPKI_ERR_PARSE);
	assert_int_equal(jpki_cms_verify((const uint8_t *)"\x30\x00", 2,
	    NULL, 0, v, NULL, &res), JPKI_ERR_PARSE);
	jpki_verify_free(&v);
	/* signer not under the anchors */
	v = verifier("auth-ca.der");
	assert_int_equal(jpki_cms_verify(cms, n, (const uint8_t *)msg,
	    strlen(msg), v, NULL, &res), JPKI_ERR_CERT_UNTRUSTED);
	assert_non_null(strstr(res.reason, "signer certificate"));
	jpki_verify_free(&v);
	/* purpose: an auth verifier rejects the sign policy */
	v = verifier("sign-ca.der");
	jpki_verify_set_purpose(v, JPKI_PURPOSE_AUTH);
	assert_int_equal(jpki_cms_verify(cms, n, (const uint8_t *)msg,
	    strlen(msg), v, NULL, &res), JPKI_ERR_CERT_POLICY);
	jpki_verify_free(&v);
	free(cms);

	/* the revoked signer */
	v = verifier("sign-ca.der");
	cms = make_cms("sign.der", msg, &n);
	assert_int_equal(jpki_cms_verify(cms, n, (const uint8_t *)msg,
	    strlen(msg), v, NULL, &res), JPKI_OK);
	assert_int_equal(jpki_cms_verify(cms, n, (const uint8_t *)msg,
	    strlen(msg), v, rv, &res), JPKI_ERR_CERT_REVOKED);
	assert_string_equal(rev.reason_name, "keyCompromise");
	assert_non_null(strstr(res.reason, "revoked keyCompromise"));
	free(cms);
	jpki_verify_free(&v);
	jpki_rev_free(&rv);
}

/* jpki_cert_verify_sig (src/cert_sig.c): a raw card signature over a
 * challenge of the verifier's own (jpki_random), as pam_jpki checks it. */
static void
test_verify_sig(void **state)
{
	struct card card = { NULL, 0, 0 };
	jpki_cert_t *c = load("sign.der"), *ca = load("sign-ca.der");
	uint8_t chal[32], chal2[32], md[64], sig[512];
	size_t mdlen = sizeof(md), siglen = sizeof(sig);

	card.key = load_key("ee.key");
	assert_int_equal(jpki_random(chal, sizeof(chal)), JPKI_OK);
	assert_int_equal(jpki_random(chal2, sizeof(chal2)), JPKI_OK);
	assert_memory_not_equal(chal, chal2, sizeof(chal));
	assert_int_equal(jpki_random(NULL, 0), JPKI_OK);
	assert_int_equal(jpki_random(NULL, 1), JPKI_ERR_ARG);
	assert_int_equal(jpki_hash(JPKI_HASH_SHA256, chal, sizeof(chal), md,
	    &mdlen), JPKI_OK);
	assert_int_equal(card_sign(&card, JPKI_HASH_SHA256, md, mdlen, sig,
	    &siglen), JPKI_OK);
	assert_int_equal(jpki_cert_verify_sig(c, JPKI_HASH_SHA256, md, mdlen,
	    sig, siglen), JPKI_OK);
	/* another key (the CA's certificate), another digest, a flipped bit,
	 * a truncated signature, the digest read as another algorithm */
	assert_int_equal(jpki_cert_verify_sig(ca, JPKI_HASH_SHA256, md, mdlen,
	    sig, siglen), JPKI_ERR_SIGNATURE_INVALID);
	md[0] ^= 1;
	assert_int_equal(jpki_cert_verify_sig(c, JPKI_HASH_SHA256, md, mdlen,
	    sig, siglen), JPKI_ERR_SIGNATURE_INVALID);
	md[0] ^= 1;
	sig[siglen - 1] ^= 0x80;
	assert_int_equal(jpki_cert_verify_sig(c, JPKI_HASH_SHA256, md, mdlen,
	    sig, siglen), JPKI_ERR_SIGNATURE_INVALID);
	sig[siglen - 1] ^= 0x80;
	assert_int_equal(jpki_cert_verify_sig(c, JPKI_HASH_SHA256, md, mdlen,
	    sig, siglen - 1), JPKI_ERR_SIGNATURE_INVALID);
	assert_int_equal(jpki_cert_verify_sig(c, JPKI_HASH_SHA384, md, mdlen,
	    sig, siglen), JPKI_ERR_ARG);
	assert_int_equal(jpki_cert_verify_sig(c, JPKI_HASH_NONE, md, mdlen,
	    sig, siglen), JPKI_ERR_ARG);
	assert_int_equal(jpki_cert_verify_sig(NULL, JPKI_HASH_SHA256, md,
	    mdlen, sig, siglen), JPKI_ERR_ARG);
	assert_int_equal(jpki_cert_verify_sig(c, JPKI_HASH_SHA256, md, mdlen,
	    sig, 0), JPKI_ERR_ARG);
	assert_int_equal(jpki_cert_verify_sig(c, JPKI_HASH_SHA256, md, mdlen,
	    sig, siglen), JPKI_OK);
	EVP_PKEY_free(card.key);
	jpki_cert_free(&c);
	jpki_cert_free(&ca);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sign_verify),
		cmocka_unit_test(test_empty_and_no_ca),
		cmocka_unit_test(test_signer_errors),
		cmocka_unit_test(test_cms_verify),
		cmocka_unit_test(test_verify_sig),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
