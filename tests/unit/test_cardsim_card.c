/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * jpki-cardsim card core, in process (no pcscd): profiles made by
 * mkprofile, APDUs straight into cardsim_apdu().  Covers what the e2e
 * suite cannot reach easily: the visual AP's card-face offsets and DF28
 * signature, volatile state on power events, bounds, malformed APDUs,
 * CHANGE KEY, a minor's card and the short-form text AP record.
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
#include <zlib.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <jpki/err.h>

#include "../../tools/cardsim/cardsim.h"
#include "../../tools/common/mkprofile.h"

static char	 tmpdir[] = "/tmp/test_cardsim_cardXXXXXX";
static char	 prof_a[256], prof_b[256];

static const char *jpki_aid = "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01";
static const char *text_aid = "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08";
static const char *vis_aid = "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 02";
static const char *common_aid = "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 01 00";
static const char *juki_aid = "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 01";

static int
setup(void **state)
{
	mkp_ca_t *ca = NULL;
	mkp_params_t p;

	(void)state;
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(prof_a, sizeof(prof_a), "%s/a", tmpdir);
	snprintf(prof_b, sizeof(prof_b), "%s/b", tmpdir);
	if (mkp_ca_open(NULL, 1, &ca) != JPKI_OK)
		return -1;
	memset(&p, 0, sizeof(p));
	p.out_dir = prof_a;
	p.seed = 99;
	if (mkp_write_profile(ca, &p, NULL, NULL) != JPKI_OK)
		return -1;
	/* a minor's card with a short name: short-form text record */
	memset(&p, 0, sizeof(p));
	p.out_dir = prof_b;
	p.no_sign_cert = 1;
	p.name = "山田\xe3\x80\x80太郎";
	p.address = "東京都";
	p.birth = "20150505";
	p.sex = "1";
	p.mynumber = "123456789018";
	if (mkp_write_profile(ca, &p, NULL, NULL) != JPKI_OK)
		return -1;
	mkp_ca_free(&ca);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[512];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static size_t
unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	unsigned v;

	while (*s != '\0') {
		if (*s == ' ') {
			s++;
			continue;
		}
		assert_true(sscanf(s, "%2x", &v) == 1);
		assert_true(n < cap);
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

/* Send raw bytes; returns SW, data (if any) to out. */
static unsigned
txb(cardsim_t *c, const uint8_t *cmd, size_t len, uint8_t *out,
    size_t *outlen)
{
	static uint8_t rsp[CARDSIM_RSP_MAX];
	size_t n;

	n = cardsim_apdu(c, cmd, len, rsp, sizeof(rsp));
	assert_true(n >= 2);
	if (out != NULL)
		memcpy(out, rsp, n - 2);
	if (outlen != NULL)
		*outlen = n - 2;
	return (unsigned)rsp[n - 2] << 8 | rsp[n - 1];
}

static unsigned
tx(cardsim_t *c, const char *hex, uint8_t *out, size_t *outlen)
{
	uint8_t cmd[1024];

	return txb(c, cmd, unhex(hex, cmd, sizeof(cmd)), out, outlen);
}

static cardsim_t *
open_card(const char *dir, int no_ext)
{
	cardsim_t *c = NULL;
	char err[256];

	assert_int_equal(cardsim_open(dir, no_ext, 0, &c, err, sizeof(err)),
	    JPKI_OK);
	return c;
}

static EVP_PKEY *
load_pub(const char *dir, const char *name)
{
	char path[512];
	FILE *f;
	EVP_PKEY *k;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "r"));
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(k);
	return k;
}

static void
verify_sha256(EVP_PKEY *k, const uint8_t *data, size_t len,
    const uint8_t *sig, int want)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	assert_int_equal(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL,
	    k), 1);
	assert_int_equal(EVP_DigestVerify(md, sig, 256, data, len) == 1,
	    want);
	EVP_MD_CTX_free(md);
}

/*
 * A well-formed greyscale PNG: signature, IHDR, chunk CRCs, one IDAT that
 * inflates to exactly (row bytes + 1) x height, IEND.
 */
static void
check_png(const uint8_t *p, size_t len)
{
	static uint8_t raw[1 << 20];
	uLongf rawlen = sizeof(raw);
	size_t off = 8, clen, row = 0;
	uint32_t w = 0, h = 0, depth = 0;
	int seen_iend = 0;

	assert_true(len > 8);
	assert_memory_equal(p, "\x89PNG\r\n\x1a\n", 8);
	while (off + 12 <= len && !seen_iend) {
		clen = (size_t)p[off] << 24 | (size_t)p[off + 1] << 16 |
		    (size_t)p[off + 2] << 8 | p[off + 3];
		assert_true(off + 12 + clen <= len);
		assert_int_equal(crc32(0, p + off + 4, (uInt)(clen + 4)),
		    (uLong)((uint32_t)p[off + 8 + clen] << 24 |
		    (uint32_t)p[off + 9 + clen] << 16 |
		    (uint32_t)p[off + 10 + clen] << 8 | p[off + 11 + clen]));
		if (memcmp(p + off + 4, "IHDR", 4) == 0) {
			w = (uint32_t)p[off + 8] << 24 | (uint32_t)p[off + 9] <<
			    16 | (uint32_t)p[off + 10] << 8 | p[off + 11];
			h = (uint32_t)p[off + 12] << 24 | (uint32_t)p[off + 13] <<
			    16 | (uint32_t)p[off + 14] << 8 | p[off + 15];
			depth = p[off + 16];
			assert_true(depth == 1 || depth == 8);
			assert_int_equal(p[off + 17], 0);	/* greyscale */
			row = depth == 1 ? (w + 7) / 8 : w;
		} else if (memcmp(p + off + 4, "IDAT", 4) == 0) {
			assert_int_equal(uncompress(raw, &rawlen, p + off + 8,
			    (uLong)clen), Z_OK);
			assert_int_equal(rawlen, (row + 1) * h);
		} else if (memcmp(p + off + 4, "IEND", 4) == 0) {
			seen_iend = 1;
		}
		off += 12 + clen;
	}
	assert_true(seen_iend);
	assert_int_equal(off, len);
}

/* Header length of a 2-byte-tag TLV. */
static size_t
hdrlen(const uint8_t *p)
{
	return p[2] == 0x82 ? 5 : p[2] == 0x81 ? 4 : 3;
}

/* Read the card face of dir's card and check layout and DF28 (§7). */
static void
check_face(const char *dir, int authentic)
{
	cardsim_t *c = open_card(dir, 0);
	static uint8_t d[65536];
	uint8_t h[96], cmd[64];
	size_t n, off[9], i;
	unsigned hl = 32;
	int era, ey;
	char b[15];
	EVP_PKEY *k;

	/* 照合番号B = 和暦 YYMMDD + expiry year + security code */
	assert_int_equal(mkp_era(c->conf.birth, &era, &ey), JPKI_OK);
	snprintf(b, sizeof(b), "%02d%.4s%.4s%.4s", ey, c->conf.birth + 4,
	    c->conf.expiry, c->conf.security_code);
	assert_int_equal(tx(c, vis_aid, NULL, NULL), 0x9000);
	assert_int_equal(tx(c, "00 B0 82 00 00 00 00", NULL, NULL), 0x6982);
	memcpy(cmd, "\x00\x20\x00\x92\x0e", 5);
	memcpy(cmd + 5, b, 14);
	assert_int_equal(txb(c, cmd, 19, NULL, NULL), 0x9000);
	assert_int_equal(tx(c, "00 B0 82 00 00 00 00", d, &n), 0x9000);
	assert_int_equal(d[0], 0xff);
	assert_int_equal(d[1], 0x20);
	assert_int_equal(d[2], 0x82);
	assert_int_equal(((size_t)d[3] << 8 | d[4]) + 5, n);
	assert_int_equal(d[5], 0xdf);
	assert_int_equal(d[6], 0x21);
	assert_int_equal(d[7], 18);
	for (i = 0; i < 9; i++) {
		off[i] = (size_t)d[8 + 2 * i] << 8 | d[9 + 2 * i];
		assert_true(off[i] + 2 < n);
		assert_int_equal(d[off[i]], 0xdf);
		assert_int_equal(d[off[i] + 1], 0x22 + i);
	}
	assert_memory_equal(d + off[0] + 3, c->conf.birth, 8);
	/* DF28 over H(DF22..DF24) || H(DF25 DF26) || H(DF27) */
	assert_int_equal(EVP_Digest(d + off[0], off[3] - off[0], h, &hl,
	    EVP_sha256(), NULL), 1);
	assert_int_equal(EVP_Digest(d + off[3], off[5] - off[3], h + 32, &hl,
	    EVP_sha256(), NULL), 1);
	assert_int_equal(EVP_Digest(d + off[5], off[6] - off[5], h + 64, &hl,
	    EVP_sha256(), NULL), 1);
	assert_memory_equal(d + off[6], "\xdf\x28\x82\x01\x00", 5);
	k = load_pub(dir, "visual-ap.key");
	verify_sha256(k, h, sizeof(h), d + off[6] + 5, authentic);
	/* the images are PNGs */
	for (i = 3; i < 9; i++) {
		if (i == 6 || i == 7)
			continue;	/* DF28 signature, DF29 expiry */
		check_png(d + off[i] + hdrlen(d + off[i]), (i == 8 ? n :
		    off[i + 1]) - off[i] - hdrlen(d + off[i]));
	}
	EVP_PKEY_free(k);
	cardsim_free(&c);
}

static void
test_visual_face(void **state)
{
	char path[512];
	FILE *f;

	(void)state;
	check_face(prof_a, 1);
	check_face(prof_b, 1);
	/* tamper = visual-photo: DF27 changed after DF28 was made */
	snprintf(path, sizeof(path), "%s/profile.conf", prof_b);
	assert_non_null(f = fopen(path, "a"));
	fputs("tamper = visual-photo\n", f);
	fclose(f);
	check_face(prof_b, 0);
}

static void
test_volatile_state(void **state)
{
	cardsim_t *c = open_card(prof_a, 0);
	const char *sign = "80 2A 00 80 03 01 02 03 00";

	(void)state;
	assert_int_equal(tx(c, jpki_aid, NULL, NULL), 0x9000);
	assert_int_equal(tx(c, "00 20 00 98 04 31 32 33 34", NULL, NULL),
	    0x9000);
	assert_int_equal(tx(c, "00 A4 02 0C 02 00 17", NULL, NULL), 0x9000);
	assert_int_equal(tx(c, sign, NULL, NULL), 0x9000);
	assert_int_equal(tx(c, sign, NULL, NULL), 0x9000);	/* PIN stays */
	cardsim_power(c);	/* reset */
	assert_int_equal(tx(c, "00 A4 02 0C 02 00 17", NULL, NULL), 0x6a82);
	assert_int_equal(tx(c, jpki_aid, NULL, NULL), 0x9000);
	assert_int_equal(tx(c, "00 A4 02 0C 02 00 17", NULL, NULL), 0x9000);
	assert_int_equal(tx(c, sign, NULL, NULL), 0x6982);
	assert_int_equal(tx(c, "00 20 00 98 04 31 32 33 34", NULL, NULL),
	    0x9000);
	assert_int_equal(tx(c, jpki_aid, NULL, NULL), 0x9000);	/* logout */
	assert_int_equal(tx(c, "80 2A 00 97 03 01 02 03 00", NULL, NULL),
	    0x6982);
	/* SELECT MF once an AP is selected: 9000, DF unchanged (§1) */
	assert_int_equal(tx(c, "00 A4 00 00", NULL, NULL), 0x9000);
	assert_int_equal(tx(c, "00 A4 02 0C 02 00 0A", NULL, NULL), 0x9000);
	cardsim_free(&c);
}

static void
test_read_bounds(void **state)
{
	cardsim_t *c = open_card(prof_a, 0);
	uint8_t d[600], cmd[8];
	size_t n, size;

	(void)state;
	assert_int_equal(tx(c, jpki_aid, NULL, NULL), 0x9000);
	assert_int_equal(tx(c, "00 B0 00 00 04", NULL, NULL), 0x6986);
	assert_int_equal(tx(c, "00 A4 02 0C 02 00 0A", NULL, NULL), 0x9000);
	assert_int_equal(tx(c, "00 B0 00 00 04", d, &n), 0x9000);
	assert_int_equal(n, 4);
	size = ((size_t)d[2] << 8 | d[3]) + 4;
	memcpy(cmd, "\x00\xb0\x00\x00\x05", 5);
	cmd[2] = (uint8_t)((size - 1) >> 8);
	cmd[3] = (uint8_t)(size - 1);
	assert_int_equal(txb(c, cmd, 5, d, &n), 0x9000);
	assert_int_equal(n, 1);		/* fewer than Le at the end */
	cmd[2] = (uint8_t)(size >> 8);
	cmd[3] = (uint8_t)size;
	assert_int_equal(txb(c, cmd, 5, d, &n), 0x6b00);
	assert_int_equal(n, 0);
	/* key and PIN EFs are not binary */
	assert_int_equal(tx(c, "00 B0 97 00 04", NULL, NULL), 0x6981);
	assert_int_equal(tx(c, "00 B0 98 00 04", NULL, NULL), 0x6981);
	assert_int_equal(tx(c, "00 B0 C0 00 04", NULL, NULL), 0x6a86);
	/* common AP records */
	assert_int_equal(tx(c, common_aid, NULL, NULL), 0x9000);
	assert_int_equal(tx(c, "00 B2 01 0C 00", d, &n), 0x9000);
	assert_int_equal(n, 30);
	assert_memory_equal(d, "\x01\x1c", 2);
	assert_memory_equal(d + 17, c->conf.municipality, 5);
	assert_memory_equal(d + 22, c->conf.expiry, 8);
	assert_int_equal(tx(c, "00 B2 02 0C 00", NULL, NULL), 0x6a83);
	assert_int_equal(tx(c, "00 B2 01 0D 00", NULL, NULL), 0x6a81);
	assert_int_equal(tx(c, "00 B2 01 04 00", d, &n), 0x9000);
	cardsim_free(&c);
}

static void
test_malformed(void **state)
{
	cardsim_t *c = open_card(prof_a, 0);
	uint8_t cmd[300], d[16];
	size_t n;

	(void)state;
	assert_int_equal(tx(c, "00", NULL, NULL), 0x6700);
	assert_int_equal(tx(c, "00 A4 04", NULL, NULL), 0x6700);
	assert_int_equal(tx(c, "00 A4 04 0C 05 01 02", NULL, NULL), 0x6700);
	assert_int_equal(tx(c, "00 B0 00 00 00 01", NULL, NULL), 0x6700);
	assert_int_equal(tx(c, "00 A4 04 0C 00 00 00", NULL, NULL), 0x6700);
	/* unknown AID: 6A82 with any P2; a known one with a bad P2: 6A86 */
	assert_int_equal(tx(c, "00 A4 04 04 05 A0 00 00 00 01", NULL, NULL),
	    0x6a82);
	assert_int_equal(tx(c, "00 A4 04 0D 0A D3 92 F0 00 26 01 00 00 00 01",
	    NULL, NULL), 0x6a86);
	assert_int_equal(tx(c, jpki_aid, NULL, NULL), 0x9000);
	assert_int_equal(tx(c, "00 A4 02 0C 02 00 18", NULL, NULL), 0x9000);
	memset(cmd, '1', sizeof(cmd));
	memcpy(cmd, "\x00\x20\x00\x80\x11", 5);
	assert_int_equal(txb(c, cmd, 5 + 17, NULL, NULL), 0x6700);
	assert_int_equal(tx(c, "00 20 00 80", NULL, NULL), 0x63c3);
	assert_int_equal(tx(c, "00 20 01 80", NULL, NULL), 0x6a86);
	assert_int_equal(tx(c, "00 20 00 00", NULL, NULL), 0x6a86);
	/* sign: the PKCS#1 v1.5 input limit is k - 11 = 245 bytes */
	assert_int_equal(tx(c, "00 20 00 98 04 31 32 33 34", NULL, NULL),
	    0x9000);
	memset(cmd, 0x5a, sizeof(cmd));
	memcpy(cmd, "\x80\x2a\x00\x97\xf6", 5);
	cmd[5 + 246] = 0;
	assert_int_equal(txb(c, cmd, 5 + 246 + 1, NULL, NULL), 0x6700);
	cmd[4] = 245;
	cmd[5 + 245] = 0;
	assert_int_equal(txb(c, cmd, 5 + 245 + 1, NULL, NULL), 0x9000);
	assert_int_equal(tx(c, "80 2A 00 00 03 01 02 03 00", NULL, NULL),
	    0x6a86);	/* no AP default key in the JPKI AP */
	assert_int_equal(tx(c, "00 2A 00 97 03 01 02 03 00", NULL, NULL),
	    0x6e00);	/* proprietary INS needs CLA 80 */
	/* GET DATA at MF level with a too short Le: 6Cxx */
	assert_int_equal(tx(c, "00 A4 04 0C 07 A0 00 00 01 51 00 00", NULL,
	    NULL), 0x9000);
	assert_int_equal(tx(c, "00 CA 00 F0 02", NULL, NULL), 0x6c05);
	assert_int_equal(tx(c, "00 CA 00 F2 00", d, &n), 0x9000);
	assert_int_equal(n, 8);
	assert_int_equal(tx(c, "00 CA 01 01 00", NULL, NULL), 0x6a88);
	cardsim_free(&c);
}

static void
test_no_extended(void **state)
{
	cardsim_t *c = open_card(prof_a, 1);

	(void)state;
	assert_int_equal(tx(c, jpki_aid, NULL, NULL), 0x9000);
	assert_int_equal(tx(c, "00 B0 8A 00 00 00 00", NULL, NULL), 0x6700);
	assert_int_equal(tx(c, "00 B0 8A 00 00", NULL, NULL), 0x9000);
	cardsim_free(&c);
}

static void
test_change_key(void **state)
{
	cardsim_t *c = open_card(prof_a, 0);
	cs_conf_t cf;
	char path[512], err[128];

	(void)state;
	assert_int_equal(tx(c, common_aid, NULL, NULL), 0x9000);
	assert_int_equal(tx(c, "80 32 00 9C 04 35 36 37 38", NULL, NULL),
	    0x6982);
	/* pin.juki defaults to pin.text (1234) */
	assert_int_equal(tx(c, "00 20 00 9C 04 31 32 33 34", NULL, NULL),
	    0x9000);
	assert_int_equal(tx(c, "00 24 01 9C 04 35 36 37 38", NULL, NULL),
	    0x6985);	/* this PIN changes with CHANGE KEY */
	assert_int_equal(tx(c, "80 32 00 9C 03 35 36 37", NULL, NULL),
	    0x6a80);
	assert_int_equal(tx(c, "80 32 00 9C 04 35 36 37 38", NULL, NULL),
	    0x9000);
	snprintf(path, sizeof(path), "%s/profile.conf", prof_a);
	assert_int_equal(conf_load(path, &cf, err, sizeof(err)), JPKI_OK);
	assert_string_equal(cf.pin_juki, "5678");
	assert_string_equal(cf.pin_text, "1234");
	conf_wipe(&cf);
	/* the 住基AP shares the PIN */
	assert_int_equal(tx(c, juki_aid, NULL, NULL), 0x9000);
	assert_int_equal(tx(c, "00 20 00 9C 04 31 32 33 34", NULL, NULL),
	    0x63c2);
	assert_int_equal(tx(c, "00 20 00 9C 04 35 36 37 38", NULL, NULL),
	    0x9000);
	cardsim_free(&c);
}

static void
test_minor_short_record(void **state)
{
	cardsim_t *c = open_card(prof_b, 0);
	uint8_t d[512];
	size_t n, i, off;

	(void)state;
	assert_int_equal(tx(c, jpki_aid, NULL, NULL), 0x9000);
	assert_int_equal(tx(c, "00 B0 88 00 03", d, &n), 0x9000);
	assert_memory_equal(d, "\x00\x8f\x00", 3);
	assert_int_equal(tx(c, "00 A4 02 0C 02 00 01", NULL, NULL), 0x6a82);
	assert_int_equal(tx(c, "00 A4 02 0C 02 00 1A", NULL, NULL), 0x6a82);
	assert_int_equal(tx(c, "00 A4 02 0C 02 00 1B", NULL, NULL), 0x9000);
	/* text AP EF 0002 with short-form outer length (§6.3) */
	assert_int_equal(tx(c, text_aid, NULL, NULL), 0x9000);
	assert_int_equal(tx(c, "00 20 00 91 04 31 32 33 34", NULL, NULL),
	    0x9000);
	assert_int_equal(tx(c, "00 B0 82 00 00", d, &n), 0x9000);
	assert_memory_equal(d, "\xff\x20", 2);
	assert_true(d[2] < 0x80);
	assert_int_equal(d[2] + 3, n);
	assert_memory_equal(d + 3, "\xdf\x21\x08", 3);
	for (i = 0; i < 4; i++) {
		off = (size_t)d[6 + 2 * i] << 8 | d[7 + 2 * i];
		assert_int_equal(d[off], 0xdf);
		assert_int_equal(d[off + 1], 0x22 + i);
	}
	/* the tag after DF21: name, 15 bytes of UTF-8 */
	assert_memory_equal(d + 14, "\xdf\x22\x0f", 3);
	assert_memory_equal(d + n - 4, "\xdf\x25\x01", 3);
	assert_int_equal(d[n - 1], '1');
	/* 照合番号A opens EF 0001 but not EF 0002 */
	assert_int_equal(tx(c, text_aid, NULL, NULL), 0x9000);
	assert_int_equal(tx(c, "00 20 00 94 0C 31 32 33 34 35 36 37 38 39 30 "
	    "31 38", NULL, NULL), 0x9000);
	assert_int_equal(tx(c, "00 B0 81 00 11", d, &n), 0x9000);
	assert_memory_equal(d, "\xff\x10\x0c" "123456789018\xff\xff", 17);
	assert_int_equal(tx(c, "00 B0 82 00 00", NULL, NULL), 0x6982);
	assert_int_equal(tx(c, "00 B0 83 00 00", NULL, NULL), 0x9000);
	/* the text AP's own key signs with P2=00, no credential (§6.1) */
	assert_int_equal(tx(c, text_aid, NULL, NULL), 0x9000);
	assert_int_equal(tx(c, "80 2A 00 00 03 01 02 03 00", d, &n), 0x9000);
	assert_int_equal(n, 256);
	cardsim_free(&c);
}

/*
 * Random APDUs (seeded): every answer is a well-formed R-APDU; ASan and
 * UBSan (make asan) watch the parser and the handlers.
 */
static void
test_random_apdus(void **state)
{
	static const uint8_t clas[] = { 0x00, 0x80, 0x0c, 0x01, 0x84, 0xa0 };
	static const uint8_t inss[] = { 0xa4, 0xb0, 0xb2, 0x20, 0x24, 0x32,
	    0x2a, 0x84, 0xca, 0x88, 0xcb };
	const char *aids[] = { jpki_aid, text_aid, vis_aid, common_aid,
	    juki_aid };
	static uint8_t rsp[CARDSIM_RSP_MAX];
	cardsim_t *c = open_card(prof_b, 0);
	uint8_t cmd[300];
	size_t len, n, i, j;

	(void)state;
	srand(1234);
	for (i = 0; i < 20000; i++) {
		if (i % 50 == 0)
			assert_int_equal(tx(c, aids[(i / 50) % 5], NULL, NULL),
			    0x9000);
		len = 4 + (size_t)rand() % 270;
		for (j = 0; j < len; j++)
			cmd[j] = (uint8_t)rand();
		cmd[0] = clas[(size_t)rand() % sizeof(clas)];
		cmd[1] = inss[(size_t)rand() % sizeof(inss)];
		if (cmd[1] == 0x20 || cmd[1] == 0x24 || cmd[1] == 0x32)
			cmd[3] = 0x81;	/* spare the PIN counters' files */
		if (rand() % 3 == 0 && len > 5) {
			/* make the length byte consistent half the time */
			cmd[4] = (uint8_t)(len - 5 > 255 ? 255 : len - 5);
			len = 5 + cmd[4];
		}
		n = cardsim_apdu(c, cmd, len, rsp, sizeof(rsp));
		assert_true(n >= 2 && n <= sizeof(rsp));
		assert_true(rsp[n - 2] >= 0x61 && rsp[n - 2] <= 0x90);
		if (n > 2)
			assert_int_equal(rsp[n - 2] << 8 | rsp[n - 1], 0x9000);
	}
	cardsim_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_visual_face),
		cmocka_unit_test(test_volatile_state),
		cmocka_unit_test(test_read_bounds),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_no_extended),
		cmocka_unit_test(test_change_key),
		cmocka_unit_test(test_minor_short_record),
		cmocka_unit_test(test_random_apdus),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
