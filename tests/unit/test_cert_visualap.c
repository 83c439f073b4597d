/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Visual AP card-face integrity (src/cert_visualap.c, jpki-card.md §7,
 * §6.5).  The card face is built here from the spec with throwaway keys
 * made by the openssl CLI, and once more with the keys and CV certificate
 * of a `jpki-cardsim gen-profile` profile.  Synthetic data only.
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

typedef struct {
	uint8_t	*p;
	size_t	 len;
} blob_t;

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

static void
put_pubkey(buf_wr_t *w, EVP_PKEY *k)
{
	BIGNUM *n = NULL;
	uint8_t mod[256];

	assert_int_equal(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &n),
	    1);
	assert_int_equal(BN_bn2binpad(n, mod, 256), 256);
	BN_free(n);
	buf_put_bytes(w, "\x90\x03\x01\x00\x01", 5);
	hdr82(w, 0x91, 256);
	buf_put_bytes(w, mod, 256);
}

/*
 * EF 0002: FF20 { DF21 offsets, DF22 birth, DF23 sex, DF24 key, DF25,
 * DF26 images, DF27 photo, DF28 sig, DF29 expiry, DF2A image }.  The
 * signature is made over photo_signed; the EF carries photo.
 */
static void
make_face(EVP_PKEY *signer, EVP_PKEY *df24_key, const char *photo_signed,
    const char *photo, const char *expiry, blob_t *out)
{
	buf_wr_t s1, s2, s3, rest, w;
	uint8_t hh[96], sig[256];
	size_t inner;
	int i;

	buf_wr_init(&s1, 1024, 0);
	tlv_put(&s1, 0xdf22, "19800217", 8);
	tlv_put(&s1, 0xdf23, "2", 1);
	hdr82(&s1, 0xdf24, 265);
	put_pubkey(&s1, df24_key);
	buf_wr_init(&s2, 4096, 0);
	tlv_put(&s2, 0xdf25, "\x89PNG name image (synthetic)", 27);
	tlv_put(&s2, 0xdf26, "\x89PNG address image (synthetic)", 30);
	for (i = 0; i < 2; i++) {
		buf_wr_init(&s3, 4096, 0);
		tlv_put(&s3, 0xdf27, i == 0 ? photo_signed : photo,
		    strlen(i == 0 ? photo_signed : photo));
		if (i == 0) {
			sha256(s1.p, s1.len, hh);
			sha256(s2.p, s2.len, hh + 32);
			sha256(s3.p, s3.len, hh + 64);
			sign256(signer, hh, sizeof(hh), sig);
			buf_wr_free(&s3);
		}
	}
	buf_wr_init(&rest, 1024, 0);
	hdr82(&rest, 0xdf28, 256);
	buf_put_bytes(&rest, sig, 256);
	tlv_put(&rest, 0xdf29, expiry, 8);
	tlv_put(&rest, 0xdf2a, "\x89PNG code", 9);
	inner = 3 + 18 + s1.len + s2.len + s3.len + rest.len;
	buf_wr_init(&w, 16384, 0);
	hdr82(&w, 0xff20, inner);
	tlv_put_hdr(&w, 0xdf21, 18);
	for (i = 0; i < 9; i++)	/* offsets: not part of the check */
		buf_put_u16(&w, 0);
	buf_put_bytes(&w, s1.p, s1.len);
	buf_put_bytes(&w, s2.p, s2.len);
	buf_put_bytes(&w, s3.p, s3.len);
	buf_put_bytes(&w, rest.p, rest.len);
	buf_put_bytes(&w, "\xff\xff", 2);	/* filler */
	buf_wr_free(&s1);
	buf_wr_free(&s2);
	buf_wr_free(&s3);
	buf_wr_free(&rest);
	take(&w, out);
}

struct set {
	blob_t	 ef2, ef4;
	char	*pem;
	size_t	 pem_len;
};

static void
set_free(struct set *s)
{
	free(s->ef2.p);
	free(s->ef4.p);
	free(s->pem);
	memset(s, 0, sizeof(*s));
}

static int
verify(const struct set *s, jpki_visualap_result_t *res)
{
	return jpki_visualap_verify(s->ef2.p, s->ef2.len, s->ef4.p,
	    s->ef4.len, s->pem, s->pem_len, res);
}

static void
build(struct set *s, const char *photo, const char *expiry, int other_key)
{
	EVP_PKEY *ca = load_key(path("cv-ca.key"));
	EVP_PKEY *ap = load_key(path("text.key"));
	EVP_PKEY *ot = load_key(path("other.key"));

	memset(s, 0, sizeof(*s));
	make_face(other_key ? ot : ap, other_key ? ot : ap, "JP2 photo bytes",
	    photo, expiry, &s->ef2);
	make_cvc(ca, ap, &s->ef4);
	s->pem = slurp(path("cv-ca.pub"), &s->pem_len);
	EVP_PKEY_free(ca);
	EVP_PKEY_free(ap);
	EVP_PKEY_free(ot);
}

static int
setup(void **state)
{
	char cmd[1024];

	snprintf(dir, sizeof(dir), "/tmp/jpki-test-visual.XXXXXX");
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
	jpki_visualap_result_t res = { .size = sizeof(res) };
	struct set s;

	build(&s, "JP2 photo bytes", "20350217", 0);
	assert_int_equal(verify(&s, &res), JPKI_OK);
	assert_true(res.authentic && res.cvc_ok && res.key_match &&
	    res.face_sig_ok);
	assert_string_equal(res.reason, "authentic");
	assert_string_equal(res.subject_key_id,
	    "36303030303334080530303100000000");
	set_free(&s);
	/* the expiry (DF29) is not covered by the signature (§7) */
	build(&s, "JP2 photo bytes", "20990101", 0);
	assert_int_equal(verify(&s, &res), JPKI_OK);
	set_free(&s);
}

static void
test_tampered(void **state)
{
	jpki_visualap_result_t res = { .size = sizeof(res) };
	struct set s;

	/* another photo after signing: tamper = visual-photo */
	build(&s, "JP2 other photo", "20350217", 0);
	assert_int_equal(verify(&s, &res), JPKI_ERR_NOT_AUTHENTIC);
	assert_false(res.face_sig_ok);
	assert_true(res.cvc_ok && res.key_match);
	assert_non_null(strstr(res.reason, "DF28"));
	set_free(&s);
	/* birth date byte */
	build(&s, "JP2 photo bytes", "20350217", 0);
	s.ef2.p[5 + 3 + 18 + 3] ^= 0x01;
	assert_int_equal(verify(&s, &res), JPKI_ERR_NOT_AUTHENTIC);
	assert_false(res.face_sig_ok);
	set_free(&s);
	/* a face signed by a key the CV certificate does not certify */
	build(&s, "JP2 photo bytes", "20350217", 1);
	assert_int_equal(verify(&s, &res), JPKI_ERR_NOT_AUTHENTIC);
	assert_false(res.key_match);
	assert_true(res.face_sig_ok == 0 || res.key_match == 0);
	assert_non_null(strstr(res.reason, "DF24"));
	set_free(&s);
	/* wrong issuer key */
	build(&s, "JP2 photo bytes", "20350217", 0);
	free(s.pem);
	s.pem = slurp(path("other.pub"), &s.pem_len);
	assert_int_equal(verify(&s, &res), JPKI_ERR_NOT_AUTHENTIC);
	assert_false(res.cvc_ok);
	set_free(&s);
}

static void
test_malformed(void **state)
{
	jpki_visualap_result_t res = { .size = sizeof(res) };
	struct set s;
	size_t n;

	build(&s, "JP2 photo bytes", "20350217", 0);
	n = s.ef2.len;
	s.ef2.len = 40;
	assert_int_equal(verify(&s, &res), JPKI_ERR_PARSE);
	assert_non_null(strstr(res.reason, "EF 0002"));
	s.ef2.len = n;
	s.ef2.p[5 + 3 + 18 + 1] = 0x29;	/* DF22 -> DF29: out of order */
	assert_int_equal(verify(&s, &res), JPKI_ERR_PARSE);
	s.ef2.p[5 + 3 + 18 + 1] = 0x22;
	s.ef4.len--;
	assert_int_equal(verify(&s, &res), JPKI_ERR_PARSE);
	assert_non_null(strstr(res.reason, "EF 0004"));
	s.ef4.len++;
	assert_int_equal(verify(&s, &res), JPKI_OK);
	assert_int_equal(jpki_visualap_verify(NULL, 0, s.ef4.p, s.ef4.len,
	    s.pem, s.pem_len, &res), JPKI_ERR_ARG);
	set_free(&s);
}

/* The visual AP key and CV certificate of a jpki-cardsim profile. */
static void
test_cardsim_profile(void **state)
{
	jpki_visualap_result_t res = { .size = sizeof(res) };
	struct set s;
	EVP_PKEY *ap;
	char cmd[1024];

	if (access(cardsim, X_OK) != 0)
		skip();
	snprintf(cmd, sizeof(cmd), "%s gen-profile --out %s/prof --seed 9 "
	    ">/dev/null", cardsim, dir);
	assert_int_equal(system(cmd), 0);
	memset(&s, 0, sizeof(s));
	ap = load_key(path("prof/visual-ap.key"));
	make_face(ap, ap, "JP2", "JP2", "20350217", &s.ef2);
	EVP_PKEY_free(ap);
	s.ef4.p = (uint8_t *)slurp(path("prof/visual-ap.cvc"), &s.ef4.len);
	s.pem = slurp(path("prof/cv-ca.pub"), &s.pem_len);
	if (verify(&s, &res) != JPKI_OK)
		fail_msg("cardsim profile: %s", res.reason);
	set_free(&s);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_authentic),
		cmocka_unit_test(test_tampered),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_cardsim_profile),
	};
	char self[512];

	snprintf(self, sizeof(self), "%s", argv[0]);
	snprintf(cardsim, sizeof(cardsim), "%s/../../bin/jpki-cardsim",
	    dirname(self));
	(void)argc;
	return cmocka_run_group_tests(tests, setup, teardown);
}
