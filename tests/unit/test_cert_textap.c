/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Text AP integrity (src/cert_textap.c, jpki-card.md §6.4, §6.5).  The
 * EFs are built here from the spec with throwaway keys made by the openssl
 * CLI, and once more around the CV certificate of a `jpki-cardsim
 * gen-profile` profile, so that the two implementations agree.
 * All personal data is synthetic.
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

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <jpki/cert.h>

#include "buf.h"
#include "tlv.h"

static char dir[64];
static char cardsim[512];

/* synthetic holder; 123456789018 has a valid check digit */
#define MYNUMBER	"123456789018"
#define NAME		"山田　花子"
#define ADDRESS		"東京都千代田区千代田１－１"
#define BIRTH		"19800217"

typedef struct {
	uint8_t	*p;
	size_t	 len;
} blob_t;

typedef struct {
	blob_t	ef1, ef2, ef3, ef4;
	char	*pem;
	size_t	 pem_len;
} efs_t;

static const char *
path(const char *name)
{
	static char p[2][256];
	static int i;

	i = !i;
	snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
	return p[i];
}

static char *
slurp(const char *file, size_t *len)
{
	FILE *f = fopen(file, "rb");
	char *b;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
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

static EVP_PKEY *
load_key(const char *file)
{
	FILE *f = fopen(file, "r");
	EVP_PKEY *k;

	assert_non_null(f);
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(k);
	return k;
}

static void
sign256(EVP_PKEY *k, const uint8_t *p, size_t n, uint8_t sig[256])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	size_t sl = 256;

	assert_non_null(md);
	assert_int_equal(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k),
	    1);
	assert_int_equal(EVP_DigestSign(md, sig, &sl, p, n), 1);
	assert_int_equal(sl, 256);
	EVP_MD_CTX_free(md);
}

static void
sha256(const uint8_t *p, size_t n, uint8_t md[32])
{
	unsigned int l = 0;

	assert_int_equal(EVP_Digest(p, n, md, &l, EVP_sha256(), NULL), 1);
}

static void
take(buf_wr_t *w, blob_t *b)
{
	assert_true(buf_wr_ok(w));
	b->p = buf_wr_take(w, &b->len);
}

/* 82-form header as the card writes it (§6.4, §6.5). */
static void
hdr82(buf_wr_t *w, uint32_t tag, size_t len)
{
	if (tag > 0xff)
		buf_put_u8(w, (uint8_t)(tag >> 8));
	buf_put_u8(w, (uint8_t)tag);
	buf_put_u8(w, 0x82);
	buf_put_u16(w, (uint16_t)len);
}

/* EF 0004: 7F21 { 5F4E { ids, 90 e, 91 n }, 5F37 sig } signed by ca. */
static void
make_cvc(EVP_PKEY *ca, EVP_PKEY *subj, blob_t *out)
{
	buf_wr_t body, w;
	BIGNUM *n = NULL;
	uint8_t mod[256], sig[256];

	assert_int_equal(EVP_PKEY_get_bn_param(subj, OSSL_PKEY_PARAM_RSA_N,
	    &n), 1);
	assert_int_equal(BN_bn2binpad(n, mod, 256), 256);
	BN_free(n);
	buf_wr_init(&body, 1024, 0);
	buf_put_bytes(&body, "6000033\x08\x05" "001\0\0\0\0", 16);
	buf_put_bytes(&body, "6000034\x08\x05" "001\0\0\0\0", 16);
	buf_put_bytes(&body, "\x90\x03\x01\x00\x01", 5);
	hdr82(&body, 0x91, 256);
	buf_put_bytes(&body, mod, 256);
	assert_int_equal(body.len, 297);
	sign256(ca, body.p, body.len, sig);
	buf_wr_init(&w, 1024, 0);
	hdr82(&w, 0x7f21, 5 + 297 + 5 + 256);
	hdr82(&w, 0x5f4e, 297);
	buf_put_bytes(&w, body.p, body.len);
	hdr82(&w, 0x5f37, 256);
	buf_put_bytes(&w, sig, 256);
	buf_wr_free(&body);
	take(&w, out);
	assert_int_equal(out->len, 568);
}

/* EF 0001 .. 0003 for the given data, EF 0003 signed with ap_key. */
static void
make_efs(EVP_PKEY *ap_key, const char *mynumber, const char *name,
    const char *address, const char *birth, const char *sex,
    const char *signed_name, efs_t *e)
{
	buf_wr_t w, body, rec, tlvs;
	uint8_t h[32], h1[32], sig[256];
	size_t off, i, inner;
	buf_rd_t r;
	tlv_t t;

	buf_wr_init(&w, 64, 1);
	buf_put_bytes(&w, "\xff\x10\x0c", 3);
	buf_put_bytes(&w, mynumber, 12);
	buf_put_bytes(&w, "\xff\xff", 2);
	take(&w, &e->ef1);
	/* hash and sign over signed_name; the EF carries name (tamper) */
	for (i = 0; i < 2; i++) {
		buf_wr_init(&tlvs, 4096, 1);
		tlv_put(&tlvs, 0xdf22, i == 0 ? signed_name : name,
		    strlen(i == 0 ? signed_name : name));
		tlv_put(&tlvs, 0xdf23, address, strlen(address));
		tlv_put(&tlvs, 0xdf24, birth, 8);
		tlv_put(&tlvs, 0xdf25, sex, 1);
		assert_true(buf_wr_ok(&tlvs));
		if (i == 0) {
			sha256(tlvs.p, tlvs.len, h);
			buf_wr_free(&tlvs);
			continue;
		}
		buf_wr_init(&body, 4096, 1);
		inner = 11 + tlvs.len;	/* DF21 08 + 8 offset bytes */
		tlv_put_hdr(&body, 0xff20, inner);
		tlv_put_hdr(&body, 0xdf21, 8);
		off = 2 + tlv_len_size(inner) + 11;
		buf_rd_init(&r, tlvs.p, tlvs.len);
		while (tlv_read(&r, &t) == JPKI_OK) {
			buf_put_u16(&body, (uint16_t)off);
			off += t.hdr_len + t.len;
		}
		buf_put_bytes(&body, tlvs.p, tlvs.len);
		/* filler after the TLV, as on a card */
		buf_put_bytes(&body, "\xff\xff\xff", 3);
		buf_wr_free(&tlvs);
		take(&body, &e->ef2);
	}
	buf_wr_init(&rec, 512, 0);
	sha256(e->ef1.p, e->ef1.len, h1);
	tlv_put(&rec, 0xdf31, h1, 32);
	tlv_put(&rec, 0xdf32, h, 32);
	sign256(ap_key, rec.p, rec.len, sig);
	buf_wr_init(&w, 512, 0);
	hdr82(&w, 0xff30, rec.len + 5 + 256);
	buf_put_bytes(&w, rec.p, rec.len);
	hdr82(&w, 0xdf33, 256);
	buf_put_bytes(&w, sig, 256);
	buf_wr_free(&rec);
	take(&w, &e->ef3);
	assert_int_equal(e->ef3.len, 336);
}

static void
efs_free(efs_t *e)
{
	free(e->ef1.p);
	free(e->ef2.p);
	free(e->ef3.p);
	free(e->ef4.p);
	free(e->pem);
	memset(e, 0, sizeof(*e));
}

static int
verify(const efs_t *e, jpki_textap_result_t *res)
{
	return jpki_textap_verify(e->ef1.p, e->ef1.len, e->ef2.p, e->ef2.len,
	    e->ef3.p, e->ef3.len, e->ef4.p, e->ef4.len, e->pem, e->pem_len,
	    res);
}

/* A full authentic set built here. */
static void
authentic(efs_t *e, const char *signed_name)
{
	EVP_PKEY *ca = load_key(path("cv-ca.key"));
	EVP_PKEY *ap = load_key(path("text.key"));

	memset(e, 0, sizeof(*e));
	make_efs(ap, MYNUMBER, NAME, ADDRESS, BIRTH, "2", signed_name, e);
	make_cvc(ca, ap, &e->ef4);
	e->pem = slurp(path("cv-ca.pub"), &e->pem_len);
	EVP_PKEY_free(ca);
	EVP_PKEY_free(ap);
}

static int
setup(void **state)
{
	char cmd[1024];

	snprintf(dir, sizeof(dir), "/tmp/jpki-test-textap.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(cmd, sizeof(cmd), "cd %s && for k in cv-ca text other; do "
	    "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 "
	    "-out $k.key 2>/dev/null && openssl pkey -in $k.key -pubout "
	    "-out $k.pub || exit 1; done", dir);
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
test_authentic(void **state)
{
	jpki_textap_result_t res = { .size = sizeof(res) };
	efs_t e;

	authentic(&e, NAME);
	assert_int_equal(verify(&e, &res), JPKI_OK);
	assert_true(res.authentic);
	assert_true(res.mynumber_hash_ok && res.attrs_hash_ok &&
	    res.cvc_ok && res.record_sig_ok);
	assert_string_equal(res.reason, "authentic");
	assert_string_equal(res.issuer_key_id,
	    "36303030303333080530303100000000");
	assert_string_equal(res.subject_key_id,
	    "36303030303334080530303100000000");
	assert_int_equal(verify(&e, NULL), JPKI_OK);
	efs_free(&e);
}

/* The tampered profile's case: the name changed after signing. */
static void
test_tampered_name(void **state)
{
	jpki_textap_result_t res = { .size = sizeof(res) };
	efs_t e;

	authentic(&e, "改竄　太郎");
	assert_int_equal(verify(&e, &res), JPKI_ERR_NOT_AUTHENTIC);
	assert_false(res.authentic);
	assert_false(res.attrs_hash_ok);
	assert_true(res.mynumber_hash_ok && res.cvc_ok && res.record_sig_ok);
	assert_non_null(strstr(res.reason, "EF 0002"));
	efs_free(&e);
}

/* Flip one byte of each part: each is caught by its own check. */
static void
test_tampered_bytes(void **state)
{
	jpki_textap_result_t res = { .size = sizeof(res) };
	efs_t e;

	authentic(&e, NAME);
	e.ef1.p[5] ^= 0x01;	/* a My Number digit */
	assert_int_equal(verify(&e, &res), JPKI_ERR_NOT_AUTHENTIC);
	assert_false(res.mynumber_hash_ok);
	assert_true(res.attrs_hash_ok);
	assert_non_null(strstr(res.reason, "EF 0001"));
	e.ef1.p[5] ^= 0x01;
	e.ef3.p[10] ^= 0x01;	/* DF31 hash: record signature breaks */
	assert_int_equal(verify(&e, &res), JPKI_ERR_NOT_AUTHENTIC);
	assert_false(res.record_sig_ok);
	assert_false(res.mynumber_hash_ok);
	e.ef3.p[10] ^= 0x01;
	e.ef3.p[335] ^= 0x01;	/* DF33 signature */
	assert_int_equal(verify(&e, &res), JPKI_ERR_NOT_AUTHENTIC);
	assert_false(res.record_sig_ok);
	assert_true(res.mynumber_hash_ok && res.attrs_hash_ok);
	e.ef3.p[335] ^= 0x01;
	e.ef4.p[100] ^= 0x01;	/* CV modulus: issuer signature breaks */
	assert_int_equal(verify(&e, &res), JPKI_ERR_NOT_AUTHENTIC);
	assert_false(res.cvc_ok);
	assert_false(res.record_sig_ok);
	assert_non_null(strstr(res.reason, "EF 0004"));
	e.ef4.p[100] ^= 0x01;
	e.ef2.p[e.ef2.len - 1] = 0x00;	/* filler is not covered */
	assert_int_equal(verify(&e, &res), JPKI_OK);
	efs_free(&e);
}

static void
test_wrong_issuer(void **state)
{
	jpki_textap_result_t res = { .size = sizeof(res) };
	efs_t e;

	authentic(&e, NAME);
	free(e.pem);
	e.pem = slurp(path("other.pub"), &e.pem_len);
	assert_int_equal(verify(&e, &res), JPKI_ERR_NOT_AUTHENTIC);
	assert_false(res.cvc_ok);
	assert_true(res.record_sig_ok);
	assert_non_null(strstr(res.reason, "issuer key"));
	/* not a PEM public key at all */
	free(e.pem);
	e.pem = slurp(path("other.key"), &e.pem_len);
	assert_int_equal(verify(&e, &res), JPKI_ERR_PARSE);
	efs_free(&e);
}

static void
test_malformed(void **state)
{
	jpki_textap_result_t res = { .size = sizeof(res) };
	efs_t e;
	size_t n;

	authentic(&e, NAME);
	/* truncated, one at a time */
	n = e.ef1.len;
	e.ef1.len = 15;
	assert_int_equal(verify(&e, &res), JPKI_ERR_PARSE);
	assert_non_null(strstr(res.reason, "EF 0001"));
	e.ef1.len = n;
	n = e.ef2.len;
	e.ef2.len = 20;
	assert_int_equal(verify(&e, &res), JPKI_ERR_PARSE);
	assert_non_null(strstr(res.reason, "EF 0002"));
	e.ef2.len = n;
	n = e.ef3.len;
	e.ef3.len = 335;
	assert_int_equal(verify(&e, &res), JPKI_ERR_PARSE);
	assert_non_null(strstr(res.reason, "EF 0003"));
	e.ef3.len = n;
	n = e.ef4.len;
	e.ef4.len = 567;
	assert_int_equal(verify(&e, &res), JPKI_ERR_PARSE);
	assert_non_null(strstr(res.reason, "EF 0004"));
	e.ef4.len = n;
	/* wrong tags */
	e.ef3.p[5] = 0xdf;
	e.ef3.p[6] = 0x39;
	assert_int_equal(verify(&e, &res), JPKI_ERR_PARSE);
	e.ef3.p[6] = 0x31;
	e.ef4.p[1] = 0x22;
	assert_int_equal(verify(&e, &res), JPKI_ERR_PARSE);
	e.ef4.p[1] = 0x21;
	assert_int_equal(verify(&e, &res), JPKI_OK);
	assert_int_equal(jpki_textap_verify(NULL, 0, e.ef2.p, e.ef2.len,
	    e.ef3.p, e.ef3.len, e.ef4.p, e.ef4.len, e.pem, e.pem_len, &res),
	    JPKI_ERR_ARG);
	efs_free(&e);
}

/* The CV certificate and keys of a jpki-cardsim profile (interop). */
static void
test_cardsim_profile(void **state)
{
	jpki_textap_result_t res = { .size = sizeof(res) };
	char cmd[1024], line[512], *name = NULL, *addr = NULL, *v;
	char mynumber[13] = "", birth[9] = "", sex[2] = "";
	EVP_PKEY *ap;
	FILE *f;
	efs_t e;

	if (access(cardsim, X_OK) != 0)
		skip();
	snprintf(cmd, sizeof(cmd), "%s gen-profile --out %s/prof --seed 7 "
	    ">/dev/null", cardsim, dir);
	assert_int_equal(system(cmd), 0);
	assert_non_null(f = fopen(path("prof/profile.conf"), "r"));
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if ((v = strstr(line, " = ")) == NULL)
			continue;
		*v = '\0';
		v += 3;
		if (strcmp(line, "mynumber") == 0)
			snprintf(mynumber, sizeof(mynumber), "%s", v);
		else if (strcmp(line, "name") == 0)
			name = strdup(v);
		else if (strcmp(line, "address") == 0)
			addr = strdup(v);
		else if (strcmp(line, "birth") == 0)
			snprintf(birth, sizeof(birth), "%s", v);
		else if (strcmp(line, "sex") == 0)
			snprintf(sex, sizeof(sex), "%s", v);
	}
	fclose(f);
	assert_non_null(name);
	assert_non_null(addr);
	assert_int_equal(strlen(mynumber), 12);
	memset(&e, 0, sizeof(e));
	ap = load_key(path("prof/text-ap.key"));
	make_efs(ap, mynumber, name, addr, birth, sex, name, &e);
	EVP_PKEY_free(ap);
	e.ef4.p = (uint8_t *)slurp(path("prof/text-ap.cvc"), &e.ef4.len);
	e.pem = slurp(path("prof/cv-ca.pub"), &e.pem_len);
	if (verify(&e, &res) != JPKI_OK)
		fail_msg("cardsim profile: %s", res.reason);
	/* and the profile's CV certificate is not ours */
	free(e.pem);
	e.pem = slurp(path("cv-ca.pub"), &e.pem_len);
	assert_int_equal(verify(&e, &res), JPKI_ERR_NOT_AUTHENTIC);
	efs_free(&e);
	free(name);
	free(addr);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_authentic),
		cmocka_unit_test(test_tampered_name),
		cmocka_unit_test(test_tampered_bytes),
		cmocka_unit_test(test_wrong_issuer),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_cardsim_profile),
	};
	char self[512];

	/* <BUILD>/tests/unit/test_cert_textap -> <BUILD>/bin/jpki-cardsim */
	snprintf(self, sizeof(self), "%s", argv[0]);
	snprintf(cardsim, sizeof(cardsim), "%s/../../bin/jpki-cardsim",
	    dirname(self));
	(void)argc;
	return cmocka_run_group_tests(tests, setup, teardown);
}
