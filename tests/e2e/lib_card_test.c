/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * libjpki against the virtual card through real pcscd and vpcd.  Run by
 * tests/e2e/lib_card.sh, which starts pcscd and jpki-cardsim and selects a
 * group with JPKI_LIBTEST:
 *   basic     every public read, PIN and signing path; APDU counts
 *   short     the same reads with extended length refused by the card
 *   removal   the card vanishes in the middle of a certificate read
 *   reset     another process resets the card between VERIFY and SIGN
 *   lockout   three wrong auth PINs lock the key
 *   locked    after a card restart the lock is still there
 * JPKI_TEST_PROFILE names the card profile (for the expected values).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <jpki/jpki.h>

static const char *profile;

static char *
slurp(const char *name, size_t *len)
{
	char	 path[1024];
	FILE	*f;
	char	*p;
	long	 n;

	snprintf(path, sizeof(path), "%s/%s", profile, name);
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = malloc((size_t)n + 1);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
	p[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return p;
}

/* A value from profile.conf (test data: synthetic PINs and identity). */
static void
conf(const char *key, char *out, size_t outsz)
{
	size_t	 len, kl = strlen(key);
	char	*c = slurp("profile.conf", &len), *line, *save = NULL, *v;

	assert_non_null(c);
	out[0] = '\0';
	for (line = strtok_r(c, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		while (*line == ' ' || *line == '\t')
			line++;
		if (strncmp(line, key, kl) != 0)
			continue;
		v = line + kl;
		while (*v == ' ' || *v == '\t')
			v++;
		if (*v != '=')
			continue;
		v++;
		while (*v == ' ' || *v == '\t')
			v++;
		snprintf(out, outsz, "%s", v);
		len = strlen(out);
		while (len > 0 && (out[len - 1] == ' ' || out[len - 1] == '\r'))
			out[--len] = '\0';
		break;
	}
	free(c);
	assert_true(out[0] != '\0');
}

static jpki_card_t *
open_card(unsigned flags)
{
	jpki_card_t *c = NULL;

	assert_int_equal(jpki_card_new(&c), JPKI_OK);
	assert_int_equal(jpki_card_open(c, "0", 3000, flags), JPKI_OK);
	return c;
}

static void
same_as_file(jpki_card_t *c, jpki_cert_kind_t kind, const char *file)
{
	uint8_t	*der = NULL;
	char	*want;
	size_t	 len = 0, wlen = 0;

	want = slurp(file, &wlen);
	assert_non_null(want);
	assert_int_equal(jpki_card_read_cert(c, kind, &der, &len), JPKI_OK);
	assert_int_equal(len, wlen);
	assert_memory_equal(der, want, wlen);
	jpki_free(der);
	free(want);
}

/* Verify an RSA PKCS#1 v1.5 signature with the certificate's key. */
static void
check_sig(const char *certfile, const char *md, const uint8_t *msg,
    size_t msglen, const uint8_t *sig, size_t siglen)
{
	size_t		 len;
	char		*der = slurp(certfile, &len);
	const uint8_t	*p = (const uint8_t *)der;
	X509		*x;
	EVP_MD_CTX	*ctx;

	assert_non_null(der);
	x = d2i_X509(NULL, &p, (long)len);
	assert_non_null(x);
	ctx = EVP_MD_CTX_new();
	assert_int_equal(EVP_DigestVerifyInit(ctx, NULL, EVP_get_digestbyname(md),
	    NULL, X509_get0_pubkey(x)), 1);
	assert_int_equal(EVP_DigestVerify(ctx, sig, siglen, msg, msglen), 1);
	EVP_MD_CTX_free(ctx);
	X509_free(x);
	free(der);
}

static void
sign_and_check(jpki_card_t *c, jpki_key_t key, jpki_hash_t h,
    const char *certfile)
{
	static const uint8_t msg[] = "libjpki integration test message";
	uint8_t	md[64], sig[512];
	size_t	mdl = sizeof(md), sl = sizeof(sig);

	assert_int_equal(jpki_hash(h, msg, sizeof(msg), md, &mdl), JPKI_OK);
	assert_int_equal(jpki_card_sign(c, key, h, md, mdl, sig, &sl), JPKI_OK);
	assert_int_equal(sl, 256);
	check_sig(certfile, jpki_hash_name(h), msg, sizeof(msg), sig, sl);
}

static void
test_basic(void **state)
{
	jpki_card_t		*c;
	jpki_token_info_t	 ti = { .size = sizeof(ti) };
	jpki_stats_t		 st = { .size = sizeof(st) };
	jpki_text_attrs_t	 at = { .size = sizeof(at) };
	char			 pin[32], want[256], mn[13];
	uint8_t			 serial[32], *der = NULL, sig[256], di[64];
	size_t			 sl, len;
	int			 auth = -1, sign = -1, t = -1;
	const jpki_hash_t	 all[] = { JPKI_HASH_SHA1, JPKI_HASH_SHA224,
	    JPKI_HASH_SHA256, JPKI_HASH_SHA384, JPKI_HASH_SHA512 };
	size_t			 i;

	c = open_card(0);
	assert_false(jpki_card_is_contactless(c));
	assert_int_equal(jpki_card_token_info(c, &ti), JPKI_OK);
	assert_string_equal(ti.label, "JPKIAPICCTOKEN2");
	assert_int_equal(jpki_card_cert_available(c, &auth, &sign), JPKI_OK);
	assert_int_equal(auth, 1);
	assert_int_equal(sign, 1);

	/* the auth certificate in one APDU when extended length works */
	jpki_card_stats_reset(c);
	same_as_file(c, JPKI_CERT_AUTH, "auth.crt");
	jpki_card_stats(c, &st);
	assert_int_equal(st.apdus, 1);
	assert_int_equal(st.extended_apdus, 1);
	assert_true(jpki_card_extended_used(c));
	same_as_file(c, JPKI_CERT_AUTH_CA, "auth-ca.crt");
	same_as_file(c, JPKI_CERT_SIGN_CA, "sign-ca.crt");

	/* serial only: one short READ BINARY */
	jpki_card_stats_reset(c);
	sl = sizeof(serial);
	assert_int_equal(jpki_card_read_serial(c, JPKI_CERT_AUTH, serial, &sl),
	    JPKI_OK);
	jpki_card_stats(c, &st);
	assert_int_equal(st.apdus, 1);
	assert_int_equal(st.extended_apdus, 0);
	{
		char		*d = slurp("auth.crt", &len);
		const uint8_t	*p = (const uint8_t *)d;
		X509		*x = d2i_X509(NULL, &p, (long)len);
		BIGNUM		*bn = ASN1_INTEGER_to_BN(
		    X509_get0_serialNumber(x), NULL);
		uint8_t		 mag[32];
		int		 ml = BN_bn2bin(bn, mag);
		const uint8_t	*sp = serial;

		/* the card gives the INTEGER contents: strip a sign byte */
		if (sl > 1 && serial[0] == 0x00) {
			sp++;
			sl--;
		}
		assert_int_equal(sl, (size_t)ml);
		assert_memory_equal(sp, mag, sl);
		BN_free(bn);
		X509_free(x);
		free(d);
	}

	/* PIN counters without spending a try */
	assert_int_equal(jpki_card_pin_status(c, JPKI_PIN_AUTH, &t), JPKI_OK);
	assert_int_equal(t, 3);
	assert_int_equal(jpki_card_pin_status(c, JPKI_PIN_SIGN, &t), JPKI_OK);
	assert_int_equal(t, 5);
	assert_int_equal(jpki_card_pin_status(c, JPKI_PIN_TEXT, &t), JPKI_OK);
	assert_int_equal(t, 3);
	assert_int_equal(jpki_card_select_jpki(c), JPKI_OK);

	/* the sign certificate and key need the sign PIN */
	assert_int_equal(jpki_card_read_cert(c, JPKI_CERT_SIGN, &der, &len),
	    JPKI_ERR_SECURITY);
	sl = sizeof(sig);
	memset(di, 0x11, 32);
	assert_int_equal(jpki_card_sign(c, JPKI_KEY_SIGN, JPKI_HASH_SHA256, di,
	    32, sig, &sl), JPKI_ERR_SECURITY);
	conf("pin.sign", pin, sizeof(pin));
	/* lower case is accepted: the library upper-cases the password */
	for (i = 0; pin[i] != '\0'; i++)
		if (pin[i] >= 'A' && pin[i] <= 'Z')
			pin[i] = (char)(pin[i] - 'A' + 'a');
	assert_int_equal(jpki_card_verify_pin(c, JPKI_PIN_SIGN, pin, 0, &t),
	    JPKI_OK);
	assert_int_equal(t, 5);
	same_as_file(c, JPKI_CERT_SIGN, "sign.crt");
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		sign_and_check(c, JPKI_KEY_SIGN, all[i], "sign.crt");
	/* the auth key is still closed */
	sl = sizeof(sig);
	assert_int_equal(jpki_card_sign(c, JPKI_KEY_AUTH, JPKI_HASH_SHA256, di,
	    32, sig, &sl), JPKI_ERR_SECURITY);

	/* a wrong auth PIN costs one try and says so; no automatic retry */
	assert_int_equal(jpki_card_verify_pin(c, JPKI_PIN_AUTH, "0000", 0, &t),
	    JPKI_ERR_PIN_INCORRECT);
	assert_int_equal(t, 2);
	conf("pin.auth", pin, sizeof(pin));
	assert_int_equal(jpki_card_verify_pin(c, JPKI_PIN_AUTH, pin, 0, &t),
	    JPKI_OK);
	assert_int_equal(t, 3);
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		sign_and_check(c, JPKI_KEY_AUTH, all[i], "auth.crt");
	/* a caller-supplied DigestInfo */
	{
		static const uint8_t msg[] = "raw";
		uint8_t md[32], dinfo[64];
		size_t	ml = sizeof(md), dl = sizeof(dinfo);

		assert_int_equal(jpki_hash(JPKI_HASH_SHA256, msg, 3, md, &ml),
		    JPKI_OK);
		assert_int_equal(jpki_digestinfo(JPKI_HASH_SHA256, md, ml,
		    dinfo, &dl), JPKI_OK);
		sl = sizeof(sig);
		assert_int_equal(jpki_card_sign(c, JPKI_KEY_AUTH,
		    JPKI_HASH_NONE, dinfo, dl, sig, &sl), JPKI_OK);
		check_sig("auth.crt", "sha256", msg, 3, sig, sl);
	}
	/* logout forgets every PIN */
	assert_int_equal(jpki_card_logout(c), JPKI_OK);
	sl = sizeof(sig);
	assert_int_equal(jpki_card_sign(c, JPKI_KEY_AUTH, JPKI_HASH_SHA256, di,
	    32, sig, &sl), JPKI_ERR_SECURITY);

	/* text AP: My Number and the basic four after the text PIN */
	conf("pin.text", pin, sizeof(pin));
	assert_int_equal(jpki_card_text_mynumber(c, mn), JPKI_ERR_SECURITY);
	assert_int_equal(jpki_card_verify_pin(c, JPKI_PIN_TEXT, pin, 0, &t),
	    JPKI_OK);
	assert_int_equal(jpki_card_text_mynumber(c, mn), JPKI_OK);
	conf("mynumber", want, sizeof(want));
	assert_string_equal(mn, want);
	jpki_secure_zero(mn, sizeof(mn));
	assert_int_equal(jpki_card_text_attrs(c, &at), JPKI_OK);
	conf("name", want, sizeof(want));
	assert_string_equal(at.name, want);
	conf("address", want, sizeof(want));
	assert_string_equal(at.address, want);
	conf("birth", want, sizeof(want));
	assert_string_equal(at.birth, want);
	conf("sex", want, sizeof(want));
	assert_int_equal(at.sex, want[0]);
	jpki_text_attrs_clear(&at);
	jpki_card_free(&c);
	assert_null(c);
}

static void
test_short(void **state)
{
	jpki_card_t	*c;
	jpki_stats_t	 st = { .size = sizeof(st) };

	c = open_card(0);
	jpki_card_stats_reset(c);
	same_as_file(c, JPKI_CERT_AUTH, "auth.crt");
	jpki_card_stats(c, &st);
	assert_false(jpki_card_extended_used(c));
	/* the refused extended try, then ceil(size / 256) short reads */
	assert_true(st.apdus >= 3);
	jpki_card_stats_reset(c);
	same_as_file(c, JPKI_CERT_AUTH_CA, "auth-ca.crt");
	jpki_card_stats(c, &st);
	assert_int_equal(st.extended_apdus, 0);	/* the refusal is remembered */
	jpki_card_free(&c);
	/* JPKI_OPEN_SHORT_ONLY never tries extended */
	c = open_card(JPKI_OPEN_SHORT_ONLY);
	jpki_card_stats_reset(c);
	same_as_file(c, JPKI_CERT_SIGN_CA, "sign-ca.crt");
	jpki_card_stats(c, &st);
	assert_int_equal(st.extended_apdus, 0);
	jpki_card_free(&c);
}

static void
test_removal(void **state)
{
	jpki_card_t	*c = NULL;
	uint8_t		*der = NULL;
	size_t		 len = 0;
	struct timespec	 a, b;
	int		 r;

	assert_int_equal(jpki_card_new(&c), JPKI_OK);
	/* the card drops the connection a few APDUs in */
	clock_gettime(CLOCK_MONOTONIC, &a);
	r = jpki_card_open(c, "0", 3000, JPKI_OPEN_SHORT_ONLY);
	if (r == JPKI_OK)
		r = jpki_card_read_cert(c, JPKI_CERT_AUTH, &der, &len);
	clock_gettime(CLOCK_MONOTONIC, &b);
	print_message("removal: %s\n", jpki_strerror_name(r));
	assert_true(r == JPKI_ERR_CARD_REMOVED || r == JPKI_ERR_NO_CARD);
	assert_null(der);
	assert_true(b.tv_sec - a.tv_sec < 10);	/* a clear error, no hang */
	jpki_card_free(&c);
}

static void
test_reset(void **state)
{
	jpki_card_t	*c, *o;
	char		 pin[32];
	uint8_t		 md[32], sig[256];
	size_t		 sl = sizeof(sig);
	int		 t, status;
	pid_t		 pid;

	memset(md, 0x42, sizeof(md));
	conf("pin.auth", pin, sizeof(pin));
	c = open_card(0);
	assert_int_equal(jpki_card_verify_pin(c, JPKI_PIN_AUTH, pin, 0, &t),
	    JPKI_OK);
	/* another process resets the card */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (jpki_card_new(&o) != JPKI_OK || jpki_card_open(o, "0", 3000,
		    JPKI_OPEN_NO_SELECT) != JPKI_OK)
			_exit(1);
		jpki_card_set_reset_on_close(o, 1);
		jpki_card_free(&o);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* the PIN state is gone and the library says so, never replaying */
	assert_int_equal(jpki_card_sign(c, JPKI_KEY_AUTH, JPKI_HASH_SHA256, md,
	    32, sig, &sl), JPKI_ERR_CARD_RESET);
	sl = sizeof(sig);
	assert_int_equal(jpki_card_sign(c, JPKI_KEY_AUTH, JPKI_HASH_SHA256, md,
	    32, sig, &sl), JPKI_ERR_SECURITY);
	assert_int_equal(jpki_card_verify_pin(c, JPKI_PIN_AUTH, pin, 0, &t),
	    JPKI_OK);
	sl = sizeof(sig);
	assert_int_equal(jpki_card_sign(c, JPKI_KEY_AUTH, JPKI_HASH_SHA256, md,
	    32, sig, &sl), JPKI_OK);
	jpki_card_free(&c);
}

static void
test_lockout(void **state)
{
	jpki_card_t	*c = open_card(0);
	int		 t = -1;

	assert_int_equal(jpki_card_verify_pin(c, JPKI_PIN_AUTH, "0001", 0, &t),
	    JPKI_ERR_PIN_INCORRECT);
	assert_int_equal(t, 2);
	assert_int_equal(jpki_card_verify_pin(c, JPKI_PIN_AUTH, "0002", 0, &t),
	    JPKI_ERR_PIN_INCORRECT);
	assert_int_equal(t, 1);
	/* the guard: the last try is not spent without JPKI_PIN_FORCE_... */
	assert_int_equal(jpki_card_verify_pin(c, JPKI_PIN_AUTH, "0003", 0, &t),
	    JPKI_ERR_PIN_LAST_TRY);
	assert_int_equal(t, 1);
	assert_int_equal(jpki_card_pin_status(c, JPKI_PIN_AUTH, &t), JPKI_OK);
	assert_int_equal(t, 1);
	assert_int_equal(jpki_card_verify_pin(c, JPKI_PIN_AUTH, "0003",
	    JPKI_PIN_FORCE_LAST_TRY, &t), JPKI_ERR_PIN_LOCKED);
	assert_int_equal(t, 0);
	jpki_card_free(&c);
}

static void
test_locked(void **state)
{
	jpki_card_t	*c = open_card(0);
	char		 pin[32];
	int		 t = -1;

	conf("pin.auth", pin, sizeof(pin));
	assert_int_equal(jpki_card_pin_status(c, JPKI_PIN_AUTH, &t), JPKI_OK);
	assert_int_equal(t, 0);
	/* even the right PIN: the key stays blocked */
	assert_int_equal(jpki_card_verify_pin(c, JPKI_PIN_AUTH, pin,
	    JPKI_PIN_FORCE_LAST_TRY, &t), JPKI_ERR_PIN_LOCKED);
	/* the sign PIN is independent */
	assert_int_equal(jpki_card_pin_status(c, JPKI_PIN_SIGN, &t), JPKI_OK);
	assert_int_equal(t, 5);
	jpki_card_free(&c);
}

int
main(void)
{
	const char *g = getenv("JPKI_LIBTEST");
	const struct CMUnitTest basic[] = { cmocka_unit_test(test_basic) };
	const struct CMUnitTest shrt[] = { cmocka_unit_test(test_short) };
	const struct CMUnitTest removal[] = { cmocka_unit_test(test_removal) };
	const struct CMUnitTest reset[] = { cmocka_unit_test(test_reset) };
	const struct CMUnitTest lockout[] = { cmocka_unit_test(test_lockout) };
	const struct CMUnitTest locked[] = { cmocka_unit_test(test_locked) };

	profile = getenv("JPKI_TEST_PROFILE");
	if (profile == NULL || g == NULL) {
		fprintf(stderr, "set JPKI_TEST_PROFILE and JPKI_LIBTEST\n");
		return 2;
	}
	if (strcmp(g, "basic") == 0)
		return cmocka_run_group_tests_name("lib basic", basic, NULL, NULL);
	if (strcmp(g, "short") == 0)
		return cmocka_run_group_tests_name("lib short", shrt, NULL, NULL);
	if (strcmp(g, "removal") == 0)
		return cmocka_run_group_tests_name("lib removal", removal, NULL,
		    NULL);
	if (strcmp(g, "reset") == 0)
		return cmocka_run_group_tests_name("lib reset", reset, NULL, NULL);
	if (strcmp(g, "lockout") == 0)
		return cmocka_run_group_tests_name("lib lockout", lockout, NULL,
		    NULL);
	if (strcmp(g, "locked") == 0)
		return cmocka_run_group_tests_name("lib locked", locked, NULL,
		    NULL);
	fprintf(stderr, "unknown group %s\n", g);
	return 2;
}
