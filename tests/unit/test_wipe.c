/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Issue 10: personal data of the signature certificate reached free()
 * unwiped (jpki_card_read_cert's bad-tag path, cert_attrs_clear, the
 * PKCS#11 certificate cache).  One rule: the sign certificate's DER and
 * the holder attributes are freed with the wiping free (src/secure.c).
 *
 * This binary is linked with -Wl,--wrap=free (tests/module.mk), so every
 * free() made by libjpki, by the PKCS#11 module's objects and by this file
 * comes through __wrap_free, which looks into the block before releasing
 * it: a block that still holds the holder's name or address is counted.
 * OpenSSL's own frees (its copies inside X509 objects) are out of reach of
 * the rule; they go through a wiping allocator here so that a recycled
 * block cannot carry their bytes into one of ours.
 *
 * The certificate is tests/fuzz/corpus/cert_parse/mock-sign.der, a
 * synthetic sign certificate (tests/data/gen-certs.sh) whose attributes
 * are 山田　花子, 東京都千代田区千代田１－１.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <malloc.h>
#include <cmocka.h>

#include <openssl/crypto.h>

#include <jpki/jpki.h>
#include <jpki/cert.h>

#include "card.h"
#include "cert_int.h"
#include "transport.h"
#include "p11_int.h"

#define SIGN_DER	"tests/fuzz/corpus/cert_parse/mock-sign.der"

static const char *const marks[] = {
	"\xe5\xb1\xb1\xe7\x94\xb0",		/* 山田 */
	"\xe5\x8d\x83\xe4\xbb\xa3\xe7\x94\xb0",	/* 千代田 */
};

static int	unwiped;	/* blocks freed with a mark inside */
static int	scanned;	/* blocks looked into */

void	__real_free(void *);
void	__wrap_free(void *);

static int
has_mark(const void *p, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		if (memmem(p, n, marks[i], strlen(marks[i])) != NULL)
			return 1;
	return 0;
}

void
__wrap_free(void *p)
{
	if (p != NULL) {
		scanned++;
		if (has_mark(p, malloc_usable_size(p)))
			unwiped++;
	}
	__real_free(p);
}

/* OpenSSL's allocator: wipe everything, never scanned. */
static void *
ossl_malloc(size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	return malloc(n);
}

static void *
ossl_realloc(void *p, size_t n, const char *file, int line)
{
	void	*q;
	size_t	 old;

	(void)file;
	(void)line;
	if (p == NULL)
		return malloc(n);
	if ((q = malloc(n)) == NULL)
		return NULL;
	old = malloc_usable_size(p);
	memcpy(q, p, old < n ? old : n);
	explicit_bzero(p, old);
	__real_free(p);
	return q;
}

static void
ossl_free(void *p, const char *file, int line)
{
	(void)file;
	(void)line;
	if (p != NULL)
		explicit_bzero(p, malloc_usable_size(p));
	__real_free(p);
}

static uint8_t	sign_der[4096];
static size_t	sign_len;

static int
setup(void **state)
{
	FILE *f;

	(void)state;
	if ((f = fopen(SIGN_DER, "rb")) == NULL)
		return -1;
	sign_len = fread(sign_der, 1, sizeof(sign_der), f);
	fclose(f);
	if (sign_len == 0 || sign_len == sizeof(sign_der) ||
	    !has_mark(sign_der, sign_len))
		return -1;
	return 0;
}

/*
 * The test itself: the detector sees a plain free of personal data.  The
 * call goes through a volatile pointer, or the compiler drops the stores
 * into a block that is freed at once.
 */
static void (*volatile plain_free)(void *) = free;

static void
test_detector_works(void **state)
{
	char *p = malloc(64);

	(void)state;
	assert_non_null(p);
	snprintf(p, 64, "name: %s", marks[0]);
	unwiped = 0;
	plain_free(p);
	assert_int_equal(unwiped, 1);
	p = malloc(64);
	assert_non_null(p);
	snprintf(p, 64, "name: %s", marks[0]);
	unwiped = 0;
	jpki_free_secret(p, strlen(p));
	assert_int_equal(unwiped, 0);
}

/* A one-step scripted card (the test_card.c transport, reduced). */
typedef struct {
	const uint8_t	*data;
	size_t		 len;
	int		 calls;
} onefile_t;

static int
of_transmit(transport_t *t, const uint8_t *cmd, size_t cmd_len, uint8_t *rsp,
    size_t *rsp_len)
{
	onefile_t *o = t->priv;

	if (cmd_len > 2 && cmd[1] == 0xA4) {	/* the open's SELECT */
		rsp[0] = 0x90;
		rsp[1] = 0x00;
		*rsp_len = 2;
		return JPKI_OK;
	}
	assert_true(o->calls++ == 0);
	assert_true(o->len + 2 <= *rsp_len);
	memcpy(rsp, o->data, o->len);
	rsp[o->len] = 0x90;
	rsp[o->len + 1] = 0x00;
	*rsp_len = o->len + 2;
	return JPKI_OK;
}

static int
of_begin(transport_t *t)
{
	(void)t;
	return JPKI_OK;
}

static void
of_end(transport_t *t)
{
	(void)t;
}

static int
of_reconnect(transport_t *t)
{
	(void)t;
	return JPKI_OK;
}

static void
of_close(transport_t *t, int reset)
{
	(void)t;
	(void)reset;
}

static const transport_ops_t of_ops = {
	of_transmit, of_begin, of_end, of_reconnect, of_close, NULL, NULL
};

/*
 * The sign EF holds something that is not a SEQUENCE: refused, and what
 * was read is wiped before it is freed.
 */
static void
test_read_cert_bad_tag(void **state)
{
	static uint8_t	 bad[4096];
	onefile_t	 o;
	jpki_card_t	*c = NULL;
	uint8_t		*der = (uint8_t *)1;
	size_t		 len = 1;

	(void)state;
	memcpy(bad, sign_der, sign_len);
	bad[0] = 0x31;			/* SET, same length */
	o.data = bad;
	o.len = sign_len;
	o.calls = 0;
	/* opened as an application opens it: SELECT, then one extended
	 * READ BINARY (the default) */
	assert_int_equal(card_new_with_transport(&c, &of_ops, &o), JPKI_OK);
	assert_int_equal(jpki_card_open(c, NULL, 0, 0), JPKI_OK);
	unwiped = scanned = 0;
	assert_int_equal(jpki_card_read_cert(c, JPKI_CERT_SIGN, &der, &len),
	    JPKI_ERR_PARSE);
	assert_null(der);
	assert_int_equal(len, 0);
	assert_int_equal(o.calls, 1);
	assert_true(scanned > 0);
	assert_int_equal(unwiped, 0);
	jpki_card_free(&c);
	assert_int_equal(unwiped, 0);
}

/* A parsed sign certificate: its DER copy and its attributes. */
static void
test_cert_free(void **state)
{
	jpki_cert_t		*c = NULL;
	jpki_cert_attrs_t	 a = { .size = sizeof(a) };

	(void)state;
	unwiped = scanned = 0;
	assert_int_equal(jpki_cert_new(&c, sign_der, sign_len), JPKI_OK);
	assert_int_equal(jpki_cert_attrs(c, &a), JPKI_OK);
	assert_non_null(a.name);
	assert_true(has_mark(a.name, strlen(a.name)));
	jpki_cert_free(&c);
	assert_true(scanned > 0);
	assert_int_equal(unwiped, 0);
}

/* The attribute parser's failure path: the name read before the error. */
static void
test_attrs_error_path(void **state)
{
	/* SEQUENCE { name 山田, sex as a PrintableString: refused } */
	static const uint8_t san[] = {
		0x30, 0x2c,
		0xa0, 0x16, 0x06, 0x0a, 0x2a, 0x83, 0x08, 0x8c, 0x9b, 0x55,
		0x08, 0x05, 0x05, 0x01, 0xa0, 0x08, 0x0c, 0x06,
		0xe5, 0xb1, 0xb1, 0xe7, 0x94, 0xb0,
		0xa0, 0x12, 0x06, 0x0a, 0x2a, 0x83, 0x08, 0x8c, 0x9b, 0x55,
		0x08, 0x05, 0x05, 0x03, 0xa0, 0x04, 0x13, 0x02, 0x31, 0x32
	};
	struct cert_attrs	a;
	char			err[CERT_ERRLEN];

	(void)state;
	unwiped = scanned = 0;
	assert_int_equal(cert_attrs_parse(san, sizeof(san), &a, err,
	    sizeof(err)), JPKI_ERR_PARSE);
	assert_non_null(strstr(err, "sex is not a UTF8String"));
	assert_null(a.name);
	assert_true(scanned > 0);
	assert_int_equal(unwiped, 0);
}

/* The PKCS#11 module's per-insertion cache, dropped when a card goes. */
static void
test_p11_cache(void **state)
{
	struct p11_reader r;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.name = strdup("reader");
	assert_non_null(r.name);
	assert_non_null(r.der[P11_C_SIGN] = malloc(sign_len));
	memcpy(r.der[P11_C_SIGN], sign_der, sign_len);
	r.der_len[P11_C_SIGN] = sign_len;
	assert_int_equal(jpki_cert_new(&r.cert[P11_C_SIGN], sign_der,
	    sign_len), JPKI_OK);
	unwiped = scanned = 0;
	p11_reader_forget(&r);
	assert_null(r.der[P11_C_SIGN]);
	assert_null(r.cert[P11_C_SIGN]);
	assert_true(scanned >= 2);
	assert_int_equal(unwiped, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detector_works),
		cmocka_unit_test(test_read_cert_bad_tag),
		cmocka_unit_test(test_cert_free),
		cmocka_unit_test(test_attrs_error_path),
		cmocka_unit_test(test_p11_cache),
	};

	/* before OpenSSL allocates anything */
	if (CRYPTO_set_mem_functions(ossl_malloc, ossl_realloc,
	    ossl_free) != 1) {
		fprintf(stderr, "test_wipe: CRYPTO_set_mem_functions failed\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, setup, NULL);
}
