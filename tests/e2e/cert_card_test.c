/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * The certificate module on what a (virtual) card returns through real
 * pcscd: the issuance numbers, the holder attributes and the chain of the
 * certificates read from the card, the text AP integrity record
 * (jpki-card.md §6.4, §6.5) read raw from EF 0001..0004, the visual AP
 * card face (§7), and a detached CMS whose RSA operation the card does.
 * Run by tests/e2e/cert_card.sh; JPKI_TEST_PROFILE names the profile the
 * card serves, JPKI_CERTTEST the group: "authentic", "tampered" (tamper =
 * text-name) or "photo" (tamper = visual-photo).
 *
 * Links the static library to read raw EFs through the card layer
 * (src/card.h); all checks use the public API of include/jpki/cert.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jpki/cert.h>
#include <jpki/jpki.h>

#include "card.h"

static const char *profile;

static char *
slurp(const char *name, size_t *len)
{
	char p[1024], *b;
	FILE *f;
	long n;

	snprintf(p, sizeof(p), "%s/%s", profile, name);
	if ((f = fopen(p, "rb")) == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	b = malloc((size_t)n + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	b[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return b;
}

/* value of key in profile.conf (synthetic test data) */
static void
conf(const char *key, char *out, size_t outsz)
{
	size_t len, kl = strlen(key);
	char *c = slurp("profile.conf", &len), *line, *save = NULL, *v;

	assert_non_null(c);
	out[0] = '\0';
	for (line = strtok_r(c, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, key, kl) != 0)
			continue;
		v = line + kl;
		while (*v == ' ' || *v == '\t')
			v++;
		if (*v++ != '=')
			continue;
		while (*v == ' ' || *v == '\t')
			v++;
		snprintf(out, outsz, "%s", v);
		break;
	}
	free(c);
	assert_true(out[0] != '\0');
}

static char *
path(const char *name)
{
	static char p[1024];

	snprintf(p, sizeof(p), "%s/%s", profile, name);
	return p;
}

static jpki_card_t *
open_card(void)
{
	jpki_card_t *c = NULL;

	assert_int_equal(jpki_card_new(&c), JPKI_OK);
	assert_int_equal(jpki_card_open(c, "0", 3000, 0), JPKI_OK);
	return c;
}

static jpki_verify_t *
mock_verifier(jpki_purpose_t p)
{
	jpki_verify_t *v = NULL;

	/* the mock CAs of the profile; never the CA EF of the card itself */
	assert_int_equal(jpki_verify_new(&v, JPKI_VERIFY_NO_BUNDLED_ROOTS),
	    JPKI_OK);
	assert_int_equal(jpki_verify_add_anchor_file(v, path("auth-ca.crt")),
	    JPKI_OK);
	assert_int_equal(jpki_verify_add_anchor_file(v, path("sign-ca.crt")),
	    JPKI_OK);
	jpki_verify_set_purpose(v, p);
	return v;
}

/* Certificates from the card: issuance number, attributes, chain. */
static void
test_certs(void **state)
{
	jpki_card_t *c = open_card();
	jpki_verify_t *v = mock_verifier(JPKI_PURPOSE_ANY);
	jpki_verify_result_t res = { .size = sizeof(res) };
	jpki_cert_attrs_t a = { .size = sizeof(a) };
	jpki_cert_t *cert = NULL, *ca = NULL;
	uint8_t *der = NULL, serial[32];
	const uint8_t *sd;
	size_t len = 0, sl = sizeof(serial), sdl;
	char pin[32], want[512];
	int t;

	/* auth: free to read; its issuance number head-only and in full */
	assert_int_equal(jpki_card_read_cert(c, JPKI_CERT_AUTH, &der, &len),
	    JPKI_OK);
	assert_int_equal(jpki_cert_new(&cert, der, len), JPKI_OK);
	jpki_free(der);
	assert_int_equal(jpki_card_read_serial(c, JPKI_CERT_AUTH, serial,
	    &sl), JPKI_OK);
	sd = jpki_cert_serial_der(cert, &sdl);
	assert_int_equal(sdl - 2, sl);
	assert_memory_equal(sd + 2, serial, sl);
	assert_int_equal(jpki_cert_type(cert), JPKI_CERT_TYPE_AUTH);
	assert_int_equal(jpki_cert_verify(v, cert, &res), JPKI_OK);
	assert_int_equal(res.hierarchy, JPKI_HIER_MOCK);
	jpki_cert_free(&cert);
	/* the CA EF parses as the auth CA */
	assert_int_equal(jpki_card_read_cert(c, JPKI_CERT_AUTH_CA, &der,
	    &len), JPKI_OK);
	assert_int_equal(jpki_cert_new(&ca, der, len), JPKI_OK);
	jpki_free(der);
	assert_int_equal(jpki_cert_type(ca), JPKI_CERT_TYPE_AUTH_CA);
	jpki_cert_free(&ca);

	/* sign: after the sign PIN, with the holder attributes */
	conf("pin.sign", pin, sizeof(pin));
	assert_int_equal(jpki_card_verify_pin(c, JPKI_PIN_SIGN, pin, 0, &t),
	    JPKI_OK);
	jpki_secure_zero(pin, sizeof(pin));
	assert_int_equal(jpki_card_read_cert(c, JPKI_CERT_SIGN, &der, &len),
	    JPKI_OK);
	assert_int_equal(jpki_cert_new(&cert, der, len), JPKI_OK);
	jpki_free(der);
	assert_int_equal(jpki_cert_type(cert), JPKI_CERT_TYPE_SIGN);
	assert_int_equal(jpki_cert_verify(v, cert, &res), JPKI_OK);
	assert_string_equal(res.reason, "ok");
	assert_int_equal(jpki_cert_attrs(cert, &a), JPKI_OK);
	conf("name", want, sizeof(want));
	assert_string_equal(a.name, want);
	conf("address", want, sizeof(want));
	assert_string_equal(a.address, want);
	conf("birth", want, sizeof(want));
	assert_int_equal(strlen(a.birth_iso), 10);
	assert_memory_equal(a.birth_iso, want, 4);
	assert_memory_equal(a.birth_iso + 5, want + 4, 2);
	assert_memory_equal(a.birth_iso + 8, want + 6, 2);
	conf("sex", want, sizeof(want));
	assert_string_equal(a.sex, want);
	jpki_cert_free(&cert);
	jpki_verify_free(&v);
	jpki_card_free(&c);
}

/* The card signs, OpenSSL builds the CMS, the module verifies it. */
struct signer {
	jpki_card_t	*card;
};

static int
card_sign(void *arg, jpki_hash_t hash, const uint8_t *md, size_t md_len,
    uint8_t *sig, size_t *sig_len)
{
	struct signer *s = arg;

	return jpki_card_sign(s->card, JPKI_KEY_SIGN, hash, md, md_len, sig,
	    sig_len);
}

static void
test_cms(void **state)
{
	static const char msg[] = "synthetic document signed on the card\n";
	jpki_cms_verify_result_t res = { .size = sizeof(res) };
	struct signer s;
	jpki_verify_t *v = mock_verifier(JPKI_PURPOSE_SIGN);
	jpki_cert_t *cert = NULL, *ca = NULL;
	uint8_t *der = NULL, *cms = NULL;
	size_t len = 0, n = 0;
	char pin[32];
	int t;

	s.card = open_card();
	assert_int_equal(jpki_card_read_cert(s.card, JPKI_CERT_SIGN_CA, &der,
	    &len), JPKI_OK);
	assert_int_equal(jpki_cert_new(&ca, der, len), JPKI_OK);
	jpki_free(der);
	conf("pin.sign", pin, sizeof(pin));
	assert_int_equal(jpki_card_verify_pin(s.card, JPKI_PIN_SIGN, pin, 0,
	    &t), JPKI_OK);
	jpki_secure_zero(pin, sizeof(pin));
	assert_int_equal(jpki_card_read_cert(s.card, JPKI_CERT_SIGN, &der,
	    &len), JPKI_OK);
	assert_int_equal(jpki_cert_new(&cert, der, len), JPKI_OK);
	jpki_free(der);
	assert_int_equal(jpki_cms_sign(cert, ca, (const uint8_t *)msg,
	    strlen(msg), 0, card_sign, &s, &cms, &n), JPKI_OK);
	assert_int_equal(jpki_cms_verify(cms, n, (const uint8_t *)msg,
	    strlen(msg), v, NULL, &res), JPKI_OK);
	assert_string_equal(res.signer_serial_hex, jpki_cert_serial_hex(cert));
	jpki_free(cms);
	jpki_cert_free(&cert);
	jpki_cert_free(&ca);
	jpki_verify_free(&v);
	jpki_card_free(&s.card);
}

/* Raw EF 0001..0004 of the text AP and the integrity check. */
static int
textap(jpki_textap_result_t *res)
{
	jpki_card_t *c = open_card();
	uint8_t ef1[17], *ef2 = NULL, *ef3 = NULL, *ef4 = NULL;
	size_t n1 = 0, n2 = 0, n3 = 0, n4 = 0, pl;
	char pin[16], *pem;
	int t, r;

	conf("pin.text", pin, sizeof(pin));
	assert_int_equal(jpki_card_verify_pin(c, JPKI_PIN_TEXT, pin, 0, &t),
	    JPKI_OK);
	jpki_secure_zero(pin, sizeof(pin));
	assert_int_equal(card_begin(c), JPKI_OK);
	assert_int_equal(card_read_head(c, 0x01, sizeof(ef1), CMD_REDACT, ef1,
	    &n1), JPKI_OK);
	assert_int_equal(card_read_ef(c, 0x02, 4096, CMD_REDACT, &ef2, &n2),
	    JPKI_OK);
	assert_int_equal(card_read_ef(c, 0x03, 1024, 0, &ef3, &n3), JPKI_OK);
	assert_int_equal(card_read_ef(c, 0x04, 1024, 0, &ef4, &n4), JPKI_OK);
	card_end(c);
	assert_int_equal(n1, 17);
	assert_int_equal(n3, 336);
	assert_int_equal(n4, 568);
	pem = slurp("cv-ca.pub", &pl);
	assert_non_null(pem);
	r = jpki_textap_verify(ef1, n1, ef2, n2, ef3, n3, ef4, n4, pem, pl,
	    res);
	jpki_secure_zero(ef1, sizeof(ef1));
	jpki_free_secret(ef2, n2);
	free(ef3);
	free(ef4);
	free(pem);
	jpki_card_free(&c);
	return r;
}

static void
test_textap_authentic(void **state)
{
	jpki_textap_result_t res = { .size = sizeof(res) };

	assert_int_equal(textap(&res), JPKI_OK);
	assert_true(res.authentic);
	assert_string_equal(res.reason, "authentic");
}

static void
test_textap_tampered(void **state)
{
	jpki_textap_result_t res = { .size = sizeof(res) };

	assert_int_equal(textap(&res), JPKI_ERR_NOT_AUTHENTIC);
	assert_false(res.authentic);
	/* the name was changed after the record was signed */
	assert_false(res.attrs_hash_ok);
	assert_true(res.mynumber_hash_ok && res.cvc_ok && res.record_sig_ok);
	assert_non_null(strstr(res.reason, "EF 0002"));
}

/* Visual AP card face after 照合番号A (the My Number, synthetic). */
static int
visualap(jpki_visualap_result_t *res)
{
	jpki_card_t *c = open_card();
	uint8_t *ef2 = NULL, *ef4 = NULL;
	size_t n2 = 0, n4 = 0, pl;
	char mn[16], *pem;
	int t, r;

	conf("mynumber", mn, sizeof(mn));
	assert_int_equal(jpki_card_verify_pin(c, JPKI_PIN_VISUAL_A, mn, 0,
	    &t), JPKI_OK);
	jpki_secure_zero(mn, sizeof(mn));
	assert_int_equal(card_begin(c), JPKI_OK);
	assert_int_equal(card_read_ef(c, 0x02, JPKI_MAX_EF, CMD_REDACT, &ef2,
	    &n2), JPKI_OK);
	assert_int_equal(card_read_ef(c, 0x04, 1024, 0, &ef4, &n4), JPKI_OK);
	card_end(c);
	pem = slurp("cv-ca.pub", &pl);
	assert_non_null(pem);
	r = jpki_visualap_verify(ef2, n2, ef4, n4, pem, pl, res);
	jpki_free_secret(ef2, n2);
	free(ef4);
	free(pem);
	jpki_card_free(&c);
	return r;
}

static void
test_visual_authentic(void **state)
{
	jpki_visualap_result_t res = { .size = sizeof(res) };

	assert_int_equal(visualap(&res), JPKI_OK);
	assert_true(res.authentic);
}

static void
test_visual_tampered(void **state)
{
	jpki_visualap_result_t res = { .size = sizeof(res) };

	assert_int_equal(visualap(&res), JPKI_ERR_NOT_AUTHENTIC);
	assert_false(res.face_sig_ok);
	assert_true(res.cvc_ok && res.key_match);
}

int
main(void)
{
	const char *g = getenv("JPKI_CERTTEST");
	const struct CMUnitTest authentic[] = {
		cmocka_unit_test(test_certs),
		cmocka_unit_test(test_cms),
		cmocka_unit_test(test_textap_authentic),
		cmocka_unit_test(test_visual_authentic),
	};
	const struct CMUnitTest tampered[] = {
		cmocka_unit_test(test_textap_tampered),
		cmocka_unit_test(test_visual_authentic),
	};
	const struct CMUnitTest photo[] = {
		cmocka_unit_test(test_textap_authentic),
		cmocka_unit_test(test_visual_tampered),
	};

	profile = getenv("JPKI_TEST_PROFILE");
	if (profile == NULL || g == NULL) {
		fprintf(stderr, "set JPKI_TEST_PROFILE and JPKI_CERTTEST\n");
		return 2;
	}
	if (strcmp(g, "authentic") == 0)
		return cmocka_run_group_tests_name("cert authentic", authentic,
		    NULL, NULL);
	if (strcmp(g, "tampered") == 0)
		return cmocka_run_group_tests_name("cert tampered", tampered,
		    NULL, NULL);
	if (strcmp(g, "photo") == 0)
		return cmocka_run_group_tests_name("cert photo", photo, NULL,
		    NULL);
	fprintf(stderr, "unknown group %s\n", g);
	return 2;
}
