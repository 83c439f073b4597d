/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Card profile generator: the mock JPKI hierarchy (jpki-card.md §9), end
 * entity certificates with the extension set of a real card (§9.2, §9.3),
 * CV certificates of the text and visual APs (§6.5) and profile.conf.
 * Everything generated here is synthetic test data.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <jpki/err.h>

#include "mkprofile.h"

#define JST_OFFSET	(9 * 3600)
#define MAX_FILE	(64 * 1024)

struct mkp_ca {
	EVP_PKEY	*auth_key;
	X509		*auth_crt;
	EVP_PKEY	*sign_key;
	X509		*sign_crt;
	EVP_PKEY	*cv_key;
};

/* Seeded generator for serials, IDs and the My Number (not for keys). */
typedef struct {
	uint64_t	s;
	int		seeded;
} rng_t;

static int
rng_bytes(rng_t *r, unsigned char *b, size_t n)
{
	size_t i;
	uint64_t z;

	if (!r->seeded)
		return RAND_bytes(b, (int)n) == 1 ? JPKI_OK : JPKI_ERR_INTERNAL;
	for (i = 0; i < n; i++) {
		/* splitmix64 */
		r->s += 0x9e3779b97f4a7c15ULL;
		z = r->s;
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		z ^= z >> 31;
		b[i] = (unsigned char)z;
	}
	return JPKI_OK;
}

static unsigned
rng_digit(rng_t *r, unsigned mod)
{
	unsigned char b[2];

	if (rng_bytes(r, b, sizeof(b)) != JPKI_OK)
		b[0] = b[1] = 0;
	return (unsigned)(((unsigned)b[0] << 8 | b[1]) % mod);
}

/* ---- small date helpers ------------------------------------------------ */

static int
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
parse_date(const char *s, int *y, int *m, int *d)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int i, v[3] = { 0, 0, 0 }, ml;

	if (s == NULL || strlen(s) != 8)
		return JPKI_ERR_ARG;
	for (i = 0; i < 8; i++) {
		if (s[i] < '0' || s[i] > '9')
			return JPKI_ERR_ARG;
	}
	for (i = 0; i < 4; i++)
		v[0] = v[0] * 10 + (s[i] - '0');
	v[1] = (s[4] - '0') * 10 + (s[5] - '0');
	v[2] = (s[6] - '0') * 10 + (s[7] - '0');
	if (v[0] < 1868 || v[1] < 1 || v[1] > 12 || v[2] < 1)
		return JPKI_ERR_ARG;
	ml = mdays[v[1] - 1] + (v[1] == 2 && is_leap(v[0]));
	if (v[2] > ml)
		return JPKI_ERR_ARG;
	*y = v[0];
	*m = v[1];
	*d = v[2];
	return JPKI_OK;
}

/* Unix time of y-m-d hh:mm:ss JST. */
static long long
jst_time(int y, int m, int d, int hh, int mm, int ss)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = hh;
	tm.tm_min = mm;
	tm.tm_sec = ss;
	return (long long)timegm(&tm) - JST_OFFSET;
}

static void
jst_date(long long t, int *y, int *m, int *d)
{
	struct tm tm;
	time_t tt = (time_t)(t + JST_OFFSET);

	gmtime_r(&tt, &tm);
	*y = tm.tm_year + 1900;
	*m = tm.tm_mon + 1;
	*d = tm.tm_mday;
}

int
mkp_era(const char *yyyymmdd, int *era, int *era_year)
{
	int y, m, d, rc;
	long v;

	if ((rc = parse_date(yyyymmdd, &y, &m, &d)) != JPKI_OK)
		return rc;
	v = (long)y * 10000 + m * 100 + d;
	/* era boundaries: jpki-card.md §9.3 (first day of each era) */
	if (v >= 20190501) {
		*era = 5;
		*era_year = y - 2018;
	} else if (v >= 19890108) {
		*era = 4;
		*era_year = y - 1988;
	} else if (v >= 19261225) {
		*era = 3;
		*era_year = y - 1925;
	} else if (v >= 19120730) {
		*era = 2;
		*era_year = y - 1911;
	} else {
		*era = 1;
		*era_year = y - 1867;
	}
	return JPKI_OK;
}

/* ---- My Number ---------------------------------------------------------- */

static int
mynumber_check(const char *s)
{
	int n, sum = 0, p, q, r;

	/* P_n counted from the right of the 11 payload digits */
	for (n = 1; n <= 11; n++) {
		p = s[11 - n] - '0';
		q = n <= 6 ? n + 1 : n - 5;
		sum += p * q;
	}
	r = sum % 11;
	return r <= 1 ? 0 : 11 - r;
}

int
mkp_mynumber_valid(const char *s)
{
	int i;

	if (s == NULL || strlen(s) != 12)
		return 0;
	for (i = 0; i < 12; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
	}
	return mynumber_check(s) == s[11] - '0';
}

/* ---- files -------------------------------------------------------------- */

static int
write_file(const char *dir, const char *name, const void *data, size_t len,
    mode_t mode)
{
	char path[4096], tmp[4200];
	int fd = -1, rc = JPKI_ERR_IO;
	const unsigned char *p = data;
	ssize_t n;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path))
		return JPKI_ERR_ARG;
	(void)snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    mode)) < 0)
		goto out;
	while (len > 0) {
		if ((n = write(fd, p, len)) < 0) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fsync(fd) != 0)
		goto out;
	if (close(fd) != 0) {
		fd = -1;
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto out;
	rc = JPKI_OK;
out:
	if (fd >= 0)
		close(fd);
	if (rc != JPKI_OK) {
		(void)unlink(tmp);
		fprintf(stderr, "mkprofile: %s: %s\n", path, strerror(errno));
	}
	return rc;
}

static int
read_file(const char *dir, const char *name, unsigned char **out,
    size_t *outlen)
{
	char path[4096];
	FILE *f = NULL;
	unsigned char *b = NULL;
	size_t n;
	int rc = JPKI_ERR_IO;

	*out = NULL;
	*outlen = 0;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path))
		return JPKI_ERR_ARG;
	if ((f = fopen(path, "rb")) == NULL)
		goto out;
	if ((b = malloc(MAX_FILE)) == NULL) {
		rc = JPKI_ERR_NOMEM;
		goto out;
	}
	n = fread(b, 1, MAX_FILE, f);
	if (ferror(f) || n == MAX_FILE) {
		rc = JPKI_ERR_TOO_LARGE;
		goto out;
	}
	*out = b;
	*outlen = n;
	b = NULL;
	rc = JPKI_OK;
out:
	if (f != NULL)
		fclose(f);
	free(b);
	return rc;
}

static int
file_exists(const char *dir, const char *name)
{
	char path[4096];
	struct stat st;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path))
		return 0;
	return stat(path, &st) == 0;
}

/* mkdir -p, mode 0700 for what it creates. */
static int
mkdir_p(const char *dir)
{
	char path[4096];
	size_t i, n = strlen(dir);

	if (n == 0 || n >= sizeof(path))
		return JPKI_ERR_ARG;
	memcpy(path, dir, n + 1);
	for (i = 1; i <= n; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST) {
			fprintf(stderr, "mkprofile: %s: %s\n", path,
			    strerror(errno));
			return JPKI_ERR_IO;
		}
		path[i] = i < n ? '/' : '\0';
	}
	return JPKI_OK;
}

static void
remove_file(const char *dir, const char *name)
{
	char path[4096];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) <
	    sizeof(path))
		(void)unlink(path);
}

static int
write_key(const char *dir, const char *name, EVP_PKEY *k, int priv)
{
	BIO *b = NULL;
	char *p = NULL;
	long n;
	int rc = JPKI_ERR_INTERNAL;

	if ((b = BIO_new(BIO_s_mem())) == NULL)
		goto out;
	if (priv ? !PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL) :
	    !PEM_write_bio_PUBKEY(b, k))
		goto out;
	if ((n = BIO_get_mem_data(b, &p)) <= 0)
		goto out;
	rc = write_file(dir, name, p, (size_t)n, priv ? 0600 : 0644);
out:
	BIO_free(b);	/* BIO_s_mem clears its buffer on free */
	return rc;
}

static int
write_cert(const char *dir, const char *name, X509 *x)
{
	unsigned char *der = NULL;
	int n, rc = JPKI_ERR_INTERNAL;

	if ((n = i2d_X509(x, &der)) <= 0)
		goto out;
	rc = write_file(dir, name, der, (size_t)n, 0644);
out:
	OPENSSL_free(der);
	return rc;
}

static int
load_key(const char *dir, const char *name, EVP_PKEY **k)
{
	unsigned char *b = NULL;
	size_t n;
	BIO *bio = NULL;
	int rc;

	*k = NULL;
	if ((rc = read_file(dir, name, &b, &n)) != JPKI_OK)
		goto out;
	rc = JPKI_ERR_PARSE;
	if ((bio = BIO_new_mem_buf(b, (int)n)) == NULL)
		goto out;
	if ((*k = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL)) == NULL)
		goto out;
	rc = JPKI_OK;
out:
	BIO_free(bio);
	if (b != NULL) {
		OPENSSL_cleanse(b, n);
		free(b);
	}
	return rc;
}

static int
load_cert(const char *dir, const char *name, X509 **x)
{
	unsigned char *b = NULL;
	const unsigned char *p;
	size_t n;
	int rc;

	*x = NULL;
	if ((rc = read_file(dir, name, &b, &n)) != JPKI_OK)
		goto out;
	p = b;
	if ((*x = d2i_X509(NULL, &p, (long)n)) == NULL)
		rc = JPKI_ERR_PARSE;
out:
	free(b);
	return rc;
}

/* ---- certificates ------------------------------------------------------- */

static EVP_PKEY *
gen_rsa(void)
{
	return EVP_RSA_gen(2048);
}

static int
name_add(X509_NAME *n, const char *field, const char *value)
{
	/* C is PrintableString by its string table; the rest UTF8String */
	return X509_NAME_add_entry_by_txt(n, field, MBSTRING_UTF8,
	    (const unsigned char *)value, -1, -1, 0) == 1 ? JPKI_OK :
	    JPKI_ERR_INTERNAL;
}

static X509_NAME *
ca_name(int sign)
{
	X509_NAME *n;

	if ((n = X509_NAME_new()) == NULL)
		return NULL;
	if (name_add(n, "C", "JP") != JPKI_OK ||
	    name_add(n, "O", "JPKI-MOCK") != JPKI_OK ||
	    name_add(n, "OU", sign ? "JPKI-MOCK for digital signature" :
	    "JPKI-MOCK for user authentication") != JPKI_OK ||
	    name_add(n, "OU", "libjpki test hierarchy") != JPKI_OK) {
		X509_NAME_free(n);
		return NULL;
	}
	return n;
}

/* The CAs' SAN and the end entities' issuerAltName (jpki-card.md §9.1). */
static X509_NAME *
service_name(void)
{
	X509_NAME *n;

	if ((n = X509_NAME_new()) == NULL)
		return NULL;
	if (name_add(n, "C", "JP") != JPKI_OK ||
	    name_add(n, "O", "公的個人認証サービス (JPKI-MOCK)") != JPKI_OK) {
		X509_NAME_free(n);
		return NULL;
	}
	return n;
}

static int
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;
	int rc = JPKI_ERR_INTERNAL;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	if ((e = X509V3_EXT_nconf_nid(NULL, &ctx, nid, value)) == NULL)
		goto out;
	if (X509_add_ext(x, e, -1) != 1)
		goto out;
	rc = JPKI_OK;
out:
	X509_EXTENSION_free(e);
	return rc;
}

/* certificatePolicies with one policy OID, no qualifiers (§9.2). */
static int
add_policy(X509 *x, const char *oid)
{
	CERTIFICATEPOLICIES *cp = NULL;
	POLICYINFO *pi = NULL;
	int rc = JPKI_ERR_INTERNAL;

	if ((cp = sk_POLICYINFO_new_null()) == NULL ||
	    (pi = POLICYINFO_new()) == NULL)
		goto out;
	ASN1_OBJECT_free(pi->policyid);
	if ((pi->policyid = OBJ_txt2obj(oid, 1)) == NULL)
		goto out;
	if (sk_POLICYINFO_push(cp, pi) <= 0)
		goto out;
	pi = NULL;
	if (X509_add1_ext_i2d(x, NID_certificate_policies, cp, 0,
	    X509V3_ADD_DEFAULT) != 1)
		goto out;
	rc = JPKI_OK;
out:
	POLICYINFO_free(pi);
	CERTIFICATEPOLICIES_free(cp);
	return rc;
}

/* SAN / IAN with one dirName; takes ownership of n. */
static int
add_dirname_ext(X509 *x, int nid, X509_NAME *n)
{
	GENERAL_NAMES *g = NULL;
	GENERAL_NAME *gn = NULL;
	int rc = JPKI_ERR_INTERNAL;

	if (n == NULL)
		goto out;
	if ((g = sk_GENERAL_NAME_new_null()) == NULL ||
	    (gn = GENERAL_NAME_new()) == NULL)
		goto out;
	GENERAL_NAME_set0_value(gn, GEN_DIRNAME, n);
	n = NULL;
	if (sk_GENERAL_NAME_push(g, gn) <= 0)
		goto out;
	gn = NULL;
	if (X509_add1_ext_i2d(x, nid, g, 0, X509V3_ADD_DEFAULT) != 1)
		goto out;
	rc = JPKI_OK;
out:
	X509_NAME_free(n);
	GENERAL_NAME_free(gn);
	GENERAL_NAMES_free(g);
	return rc;
}

/* otherName { oid, [0] EXPLICIT UTF8String } (jpki-card.md §9.3) */
static int
push_othername(GENERAL_NAMES *g, const char *oid, const char *value)
{
	GENERAL_NAME *gn = NULL;
	ASN1_OBJECT *o = NULL;
	ASN1_TYPE *t = NULL;
	ASN1_UTF8STRING *u = NULL;
	int rc = JPKI_ERR_INTERNAL;

	if ((o = OBJ_txt2obj(oid, 1)) == NULL || (t = ASN1_TYPE_new()) ==
	    NULL || (u = ASN1_UTF8STRING_new()) == NULL ||
	    (gn = GENERAL_NAME_new()) == NULL)
		goto out;
	if (ASN1_STRING_set(u, value, (int)strlen(value)) != 1)
		goto out;
	ASN1_TYPE_set(t, V_ASN1_UTF8STRING, u);
	u = NULL;
	if (GENERAL_NAME_set0_othername(gn, o, t) != 1)
		goto out;
	o = NULL;
	t = NULL;
	if (sk_GENERAL_NAME_push(g, gn) <= 0)
		goto out;
	gn = NULL;
	rc = JPKI_OK;
out:
	ASN1_OBJECT_free(o);
	ASN1_TYPE_free(t);
	ASN1_UTF8STRING_free(u);
	GENERAL_NAME_free(gn);
	return rc;
}

static int
set_serial_hex(X509 *x, const char *hex)
{
	BIGNUM *bn = NULL;
	ASN1_INTEGER *ai = NULL;
	int rc = JPKI_ERR_ARG;
	size_t i, n = strlen(hex);

	if (n == 0 || n > 40)
		goto out;
	for (i = 0; i < n; i++) {
		if (strchr("0123456789abcdefABCDEF", hex[i]) == NULL)
			goto out;
	}
	if (BN_hex2bn(&bn, hex) != (int)n || BN_is_zero(bn))
		goto out;
	rc = JPKI_ERR_INTERNAL;
	if ((ai = BN_to_ASN1_INTEGER(bn, NULL)) == NULL ||
	    X509_set_serialNumber(x, ai) != 1)
		goto out;
	rc = JPKI_OK;
out:
	BN_free(bn);
	ASN1_INTEGER_free(ai);
	return rc;
}

/* Upper-case hex, no leading zeros, of x's serial; out >= 41. */
static int
serial_out(X509 *x, char *out)
{
	BIGNUM *bn = NULL;
	char *h = NULL, *p;
	int rc = JPKI_ERR_INTERNAL;

	if ((bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL)) ==
	    NULL || (h = BN_bn2hex(bn)) == NULL)
		goto out;
	for (p = h; *p == '0' && p[1] != '\0'; p++)
		;
	if (strlen(p) > 40)
		goto out;
	memcpy(out, p, strlen(p) + 1);
	rc = JPKI_OK;
out:
	OPENSSL_free(h);
	BN_free(bn);
	return rc;
}

static int
random_serial_hex(rng_t *r, char *hex)
{
	unsigned char b[8];
	int i, rc;

	if ((rc = rng_bytes(r, b, sizeof(b))) != JPKI_OK)
		return rc;
	/* positive, no leading zero byte */
	b[0] = (unsigned char)((b[0] & 0x7f) | 0x01);
	for (i = 0; i < 8; i++)
		(void)snprintf(hex + 2 * i, 3, "%02X", b[i]);
	return JPKI_OK;
}

static int
sign_x509(X509 *x, EVP_PKEY *k)
{
	return X509_sign(x, k, EVP_sha256()) > 0 ? JPKI_OK :
	    JPKI_ERR_INTERNAL;
}

static int
make_ca_cert(int sign, EVP_PKEY *key, X509 **out)
{
	X509 *x = NULL;
	X509_NAME *n = NULL;
	char hex[17];
	rng_t r = { 0, 0 };
	long long nb;
	int y, m, d, rc = JPKI_ERR_INTERNAL;

	*out = NULL;
	if ((x = X509_new()) == NULL || X509_set_version(x, 2) != 1)
		goto out;
	if ((rc = random_serial_hex(&r, hex)) != JPKI_OK ||
	    (rc = set_serial_hex(x, hex)) != JPKI_OK)
		goto out;
	rc = JPKI_ERR_INTERNAL;
	/* like the J-LIS roots: ten years, ending 23:59:59 JST (§9.1) */
	jst_date((long long)time(NULL), &y, &m, &d);
	nb = jst_time(y, m, d, 0, 0, 0) - 86400LL * 365;
	if (ASN1_TIME_set(X509_getm_notBefore(x), (time_t)nb) == NULL ||
	    ASN1_TIME_set(X509_getm_notAfter(x), (time_t)(jst_time(y + 9, m,
	    d > 28 ? 28 : d, 23, 59, 59))) == NULL)
		goto out;
	if ((n = ca_name(sign)) == NULL || X509_set_subject_name(x, n) != 1 ||
	    X509_set_issuer_name(x, n) != 1 || X509_set_pubkey(x, key) != 1)
		goto out;
	if ((rc = add_ext(x, x, NID_key_usage,
	    "critical,keyCertSign,cRLSign")) != JPKI_OK ||
	    (rc = add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE")) !=
	    JPKI_OK ||
	    (rc = add_ext(x, x, NID_subject_key_identifier, "hash")) !=
	    JPKI_OK ||
	    (rc = add_dirname_ext(x, NID_subject_alt_name, service_name())) !=
	    JPKI_OK ||
	    (rc = sign_x509(x, key)) != JPKI_OK)
		goto out;
	*out = x;
	x = NULL;
out:
	X509_NAME_free(n);
	X509_free(x);
	return rc;
}

/* ---- CA set ------------------------------------------------------------- */

void
mkp_ca_free(mkp_ca_t **ca)
{
	if (ca == NULL || *ca == NULL)
		return;
	EVP_PKEY_free((*ca)->auth_key);
	X509_free((*ca)->auth_crt);
	EVP_PKEY_free((*ca)->sign_key);
	X509_free((*ca)->sign_crt);
	EVP_PKEY_free((*ca)->cv_key);
	free(*ca);
	*ca = NULL;
}

static int
ca_pair(const char *dir, int create, int sign, EVP_PKEY **k, X509 **x)
{
	const char *kn = sign ? "sign-ca.key" : "auth-ca.key";
	const char *cn = sign ? "sign-ca.crt" : "auth-ca.crt";
	int rc;

	if (dir != NULL && file_exists(dir, kn) && file_exists(dir, cn)) {
		if ((rc = load_key(dir, kn, k)) != JPKI_OK ||
		    (rc = load_cert(dir, cn, x)) != JPKI_OK)
			return rc;
		return X509_check_private_key(*x, *k) == 1 ? JPKI_OK :
		    JPKI_ERR_PARSE;
	}
	if (!create)
		return JPKI_ERR_IO;
	if ((*k = gen_rsa()) == NULL)
		return JPKI_ERR_INTERNAL;
	if ((rc = make_ca_cert(sign, *k, x)) != JPKI_OK)
		return rc;
	if (dir == NULL)
		return JPKI_OK;
	if ((rc = write_key(dir, kn, *k, 1)) != JPKI_OK)
		return rc;
	return write_cert(dir, cn, *x);
}

int
mkp_ca_open(const char *dir, int create, mkp_ca_t **out)
{
	mkp_ca_t *ca = NULL;
	int rc = JPKI_ERR_ARG;

	if (out == NULL)
		return JPKI_ERR_ARG;
	*out = NULL;
	if (dir == NULL && !create)
		goto out;
	rc = JPKI_ERR_NOMEM;
	if ((ca = calloc(1, sizeof(*ca))) == NULL)
		goto out;
	if (dir != NULL && create && (rc = mkdir_p(dir)) != JPKI_OK)
		goto out;
	if ((rc = ca_pair(dir, create, 0, &ca->auth_key, &ca->auth_crt)) !=
	    JPKI_OK ||
	    (rc = ca_pair(dir, create, 1, &ca->sign_key, &ca->sign_crt)) !=
	    JPKI_OK)
		goto out;
	if (dir != NULL && file_exists(dir, "cv-ca.key")) {
		if ((rc = load_key(dir, "cv-ca.key", &ca->cv_key)) != JPKI_OK)
			goto out;
	} else if (create) {
		rc = JPKI_ERR_INTERNAL;
		if ((ca->cv_key = gen_rsa()) == NULL)
			goto out;
		if (dir != NULL &&
		    ((rc = write_key(dir, "cv-ca.key", ca->cv_key, 1)) !=
		    JPKI_OK ||
		    (rc = write_key(dir, "cv-ca.pub", ca->cv_key, 0)) !=
		    JPKI_OK))
			goto out;
	} else {
		rc = JPKI_ERR_IO;
		goto out;
	}
	*out = ca;
	ca = NULL;
	rc = JPKI_OK;
out:
	mkp_ca_free(&ca);
	return rc;
}

/* ---- end-entity certificates ------------------------------------------- */

typedef struct {
	const mkp_params_t	*p;
	const char		*name, *address, *birth, *sex, *muni;
	long long		 nb, na;
	rng_t			 rng;
} gen_t;

static const struct {
	const char	*code;
	const char	*roman;
} munis[] = {
	{ "13101", "Chiyoda-ku" },
	{ "13221", "Kiyose-shi" },
	{ "27100", "Osaka-shi" },
	{ "01100", "Sapporo-shi" },
};

/* 23-character opaque subject ID containing the municipality (§9.2). */
static void
subject_id(gen_t *g, char out[24])
{
	static const char hexd[] = "0123456789ABCDEF";
	int i;

	for (i = 0; i < 8; i++)
		out[i] = hexd[rng_digit(&g->rng, 16)];
	for (i = 8; i < 14; i++)
		out[i] = (char)('A' + rng_digit(&g->rng, 26));
	memcpy(out + 14, g->muni, 5);
	for (i = 19; i < 22; i++)
		out[i] = (char)('0' + rng_digit(&g->rng, 10));
	out[22] = 'A';
	out[23] = '\0';
}

/* '0' per character (UTF-8 code point) of s: substitution flags §9.3. */
static char *
zero_flags(const char *s)
{
	size_t n = 0, i;
	char *f;

	for (i = 0; s[i] != '\0'; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	}
	if ((f = malloc(n + 1)) == NULL)
		return NULL;
	memset(f, '0', n);
	f[n] = '\0';
	return f;
}

static int
sign_san(gen_t *g, X509 *x)
{
	GENERAL_NAMES *gs = NULL;
	char *nf = NULL, *af = NULL, birth[10];
	int era, ey, rc = JPKI_ERR_INTERNAL;

	if ((rc = mkp_era(g->birth, &era, &ey)) != JPKI_OK)
		goto out;
	rc = JPKI_ERR_NOMEM;
	birth[0] = (char)('0' + era);
	memcpy(birth + 1, g->birth, 9);
	if ((nf = zero_flags(g->name)) == NULL ||
	    (af = zero_flags(g->address)) == NULL ||
	    (gs = sk_GENERAL_NAME_new_null()) == NULL)
		goto out;
	/* order seen on a test card: 1, 4, 3, 5, 2, 6 (§9.3) */
	if ((rc = push_othername(gs, "1.2.392.200149.8.5.5.1", g->name)) !=
	    JPKI_OK ||
	    (rc = push_othername(gs, "1.2.392.200149.8.5.5.4", birth)) !=
	    JPKI_OK ||
	    (rc = push_othername(gs, "1.2.392.200149.8.5.5.3", g->sex)) !=
	    JPKI_OK ||
	    (rc = push_othername(gs, "1.2.392.200149.8.5.5.5", g->address)) !=
	    JPKI_OK ||
	    (rc = push_othername(gs, "1.2.392.200149.8.5.5.2", nf)) !=
	    JPKI_OK ||
	    (rc = push_othername(gs, "1.2.392.200149.8.5.5.6", af)) !=
	    JPKI_OK)
		goto out;
	rc = JPKI_ERR_INTERNAL;
	if (X509_add1_ext_i2d(x, NID_subject_alt_name, gs, 0,
	    X509V3_ADD_DEFAULT) != 1)
		goto out;
	rc = JPKI_OK;
out:
	free(nf);
	free(af);
	GENERAL_NAMES_free(gs);
	return rc;
}

/*
 * Auth (sign = 0) or sign certificate.  The mock hierarchy uses the
 * production policy OIDs (jpki-card.md §9.2); the O=JPKI-MOCK issuer is
 * what tells it apart.
 */
static int
make_ee(gen_t *g, int sign, EVP_PKEY *issuer_key, X509 *issuer,
    EVP_PKEY *key, const char *serial_hex, X509 **out)
{
	X509 *x = NULL;
	X509_NAME *n = NULL, *san = NULL;
	char id[24], hex[17];
	const char *loc = NULL;
	size_t i;
	int rc = JPKI_ERR_INTERNAL;

	*out = NULL;
	if ((x = X509_new()) == NULL || X509_set_version(x, 2) != 1)
		goto out;
	if (serial_hex == NULL) {
		if ((rc = random_serial_hex(&g->rng, hex)) != JPKI_OK)
			goto out;
		serial_hex = hex;
	}
	if ((rc = set_serial_hex(x, serial_hex)) != JPKI_OK)
		goto out;
	rc = JPKI_ERR_INTERNAL;
	if (ASN1_TIME_set(X509_getm_notBefore(x), (time_t)g->nb) == NULL ||
	    ASN1_TIME_set(X509_getm_notAfter(x), (time_t)g->na) == NULL)
		goto out;
	subject_id(g, id);
	if ((n = X509_NAME_new()) == NULL || name_add(n, "C", "JP") !=
	    JPKI_OK)
		goto out;
	if (sign) {
		for (i = 0; i < sizeof(munis) / sizeof(munis[0]); i++) {
			if (strcmp(munis[i].code, g->muni) == 0)
				loc = munis[i].roman;
		}
		if (name_add(n, "L", loc != NULL ? loc : "Mock-shi") !=
		    JPKI_OK)
			goto out;
	}
	if (name_add(n, "CN", id) != JPKI_OK ||
	    X509_set_subject_name(x, n) != 1 ||
	    X509_set_issuer_name(x, X509_get_subject_name(issuer)) != 1 ||
	    X509_set_pubkey(x, key) != 1)
		goto out;
	if ((rc = add_ext(x, issuer, NID_subject_key_identifier, "hash")) !=
	    JPKI_OK ||
	    (rc = add_ext(x, issuer, NID_key_usage, sign ?
	    "critical,digitalSignature,nonRepudiation" :
	    "critical,digitalSignature")) != JPKI_OK)
		goto out;
	if (sign) {
		if ((rc = sign_san(g, x)) != JPKI_OK)
			goto out;
	} else {
		/* no personal data in the auth cert's SAN (§9.2) */
		rc = JPKI_ERR_INTERNAL;
		if ((san = X509_NAME_new()) == NULL || name_add(san, "C",
		    "JP") != JPKI_OK || name_add(san, "CN", id) != JPKI_OK)
			goto out;
		rc = add_dirname_ext(x, NID_subject_alt_name, san);
		san = NULL;
		if (rc != JPKI_OK)
			goto out;
	}
	if ((rc = add_dirname_ext(x, NID_issuer_alt_name, service_name())) !=
	    JPKI_OK ||
	    (rc = add_ext(x, issuer, NID_basic_constraints, "CA:FALSE")) !=
	    JPKI_OK ||
	    (rc = add_ext(x, issuer, NID_crl_distribution_points, sign ?
	    "URI:http://127.0.0.1/jlis/v1/crl/sign.crl" :
	    "URI:http://127.0.0.1/jlis/v1/crl/auth.crl")) != JPKI_OK ||
	    (rc = add_policy(x, sign ? "1.2.392.200149.8.5.1.1.20" :
	    "1.2.392.200149.8.5.1.3.30")) != JPKI_OK ||
	    (rc = add_ext(x, issuer, NID_authority_key_identifier,
	    "keyid:always")) != JPKI_OK ||
	    (!sign && (rc = add_ext(x, issuer, NID_ext_key_usage,
	    "clientAuth")) != JPKI_OK) ||
	    (rc = add_ext(x, issuer, NID_info_access,
	    "OCSP;URI:http://127.0.0.1/jlis/v1/ocsp")) != JPKI_OK)
		goto out;
	if ((rc = sign_x509(x, issuer_key)) != JPKI_OK)
		goto out;
	*out = x;
	x = NULL;
out:
	X509_NAME_free(n);
	X509_NAME_free(san);
	X509_free(x);
	return rc;
}

/* ---- CV certificates (jpki-card.md §6.5) -------------------------------- */

static int
rsa_modulus(EVP_PKEY *k, unsigned char mod[256])
{
	BIGNUM *n = NULL;
	int rc = JPKI_ERR_INTERNAL;

	if (EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &n) != 1)
		goto out;
	if (BN_bn2binpad(n, mod, 256) != 256)
		goto out;
	rc = JPKI_OK;
out:
	BN_free(n);
	return rc;
}

/*
 * 568 bytes: 7F21 { 5F4E { issuer key id 16, subject key id 16, 90 03
 * 010001, 91 82 0100 modulus }, 5F37 82 0100 sha256WithRSA PKCS#1 v1.5
 * signature over the 297-byte 5F4E value }.  Key IDs of the mock: "9"
 * prefix (production 5, J-LIS test 6).
 */
static int
make_cvc(EVP_PKEY *ca, EVP_PKEY *subj, const char *subj_id,
    unsigned char out[568])
{
	static const unsigned char hdr[] = { 0x7f, 0x21, 0x82, 0x02, 0x33,
	    0x5f, 0x4e, 0x82, 0x01, 0x29 };
	static const unsigned char pub[] = { 0x90, 0x03, 0x01, 0x00, 0x01,
	    0x91, 0x82, 0x01, 0x00 };
	static const unsigned char sh[] = { 0x5f, 0x37, 0x82, 0x01, 0x00 };
	EVP_MD_CTX *md = NULL;
	unsigned char *p = out, *body;
	size_t siglen = 256;
	int rc = JPKI_ERR_INTERNAL;

	memcpy(p, hdr, sizeof(hdr));
	p += sizeof(hdr);
	body = p;
	/* issuer key id */
	memcpy(p, "9000001\x08\x05" "001\0\0\0\0", 16);
	p += 16;
	memcpy(p, subj_id, 7);
	memcpy(p + 7, "\x08\x05" "001\0\0\0\0", 9);
	p += 16;
	memcpy(p, pub, sizeof(pub));
	p += sizeof(pub);
	if ((rc = rsa_modulus(subj, p)) != JPKI_OK)
		goto out;
	p += 256;
	memcpy(p, sh, sizeof(sh));
	p += sizeof(sh);
	rc = JPKI_ERR_INTERNAL;
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, ca) != 1 ||
	    EVP_DigestSign(md, p, &siglen, body, 297) != 1 || siglen != 256)
		goto out;
	rc = JPKI_OK;
out:
	EVP_MD_CTX_free(md);
	return rc;
}

/* ---- profile.conf ------------------------------------------------------- */

static int
valid_text(const char *s, size_t max)
{
	size_t n;

	if (s == NULL || (n = strlen(s)) == 0 || n > max)
		return 0;
	return strpbrk(s, "\r\n") == NULL && s[0] != ' ' && s[n - 1] != ' ';
}

static int
digits(const char *s, size_t n)
{
	size_t i;

	if (s == NULL || strlen(s) != n)
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
	}
	return 1;
}

static int
valid_sign_pin(const char *s)
{
	size_t i, n = s != NULL ? strlen(s) : 0;

	if (n < 6 || n > 16)
		return 0;
	for (i = 0; i < n; i++) {
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' &&
		    s[i] <= '9')))
			return 0;
	}
	return 1;
}

static void
random_digits(rng_t *r, char *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = (char)('0' + rng_digit(r, 10));
	out[n] = '\0';
}

static int
write_conf(gen_t *g, const char *mynumber, const char *expiry)
{
	const mkp_params_t *p = g->p;
	char *buf = NULL, sc[5], cs[16], ts[17];
	int n, rc = JPKI_ERR_NOMEM;
	size_t cap = 8192;

	random_digits(&g->rng, sc, 4);
	random_digits(&g->rng, cs + 1, 14);
	cs[0] = '4';
	random_digits(&g->rng, ts, 16);
	if ((buf = malloc(cap)) == NULL)
		goto out;
	n = snprintf(buf, cap,
	    "# jpki-cardsim profile (synthetic test data only)\n"
	    "format = 1\n"
	    "token_serial = %s\n"
	    "pin.auth = %s\n"
	    "pin.sign = %s\n"
	    "pin.text = %s\n"
	    "mynumber = %s\n"
	    "name = %s\n"
	    "address = %s\n"
	    "birth = %s\n"
	    "sex = %s\n"
	    "expiry = %s\n"
	    "security_code = %s\n"
	    "card_serial = %s\n"
	    "municipality = %s\n",
	    ts,
	    p->pin_auth != NULL ? p->pin_auth : "1234",
	    p->pin_sign != NULL ? p->pin_sign : "ABC123",
	    p->pin_text != NULL ? p->pin_text : "1234",
	    mynumber, g->name, g->address, g->birth, g->sex, expiry, sc, cs,
	    g->muni);
	rc = JPKI_ERR_TOO_LARGE;
	if (n < 0 || (size_t)n >= cap)
		goto out;
	rc = write_file(p->out_dir, "profile.conf", buf, (size_t)n, 0600);
out:
	if (buf != NULL) {
		OPENSSL_cleanse(buf, cap);
		free(buf);
	}
	return rc;
}

static int
check_params(const mkp_params_t *p)
{
	int y, m, d;

	if (p == NULL || p->out_dir == NULL)
		return JPKI_ERR_ARG;
	if ((p->name != NULL && !valid_text(p->name, 200)) ||
	    (p->address != NULL && !valid_text(p->address, 400)) ||
	    (p->birth != NULL && parse_date(p->birth, &y, &m, &d) !=
	    JPKI_OK) ||
	    (p->sex != NULL && strcmp(p->sex, "1") != 0 && strcmp(p->sex,
	    "2") != 0 && strcmp(p->sex, "9") != 0) ||
	    (p->mynumber != NULL && !mkp_mynumber_valid(p->mynumber)) ||
	    (p->pin_auth != NULL && !digits(p->pin_auth, 4)) ||
	    (p->pin_text != NULL && !digits(p->pin_text, 4)) ||
	    (p->pin_sign != NULL && !valid_sign_pin(p->pin_sign)) ||
	    (p->card_expiry != NULL && parse_date(p->card_expiry, &y, &m,
	    &d) != JPKI_OK) ||
	    (p->municipality != NULL && !digits(p->municipality, 5)))
		return JPKI_ERR_ARG;
	return JPKI_OK;
}

/* Validity per jpki-card.md §9.2. */
static int
validity(gen_t *g)
{
	int iy, im, id, by, bm, bd, y, d, rc;

	if ((rc = parse_date(g->birth, &by, &bm, &bd)) != JPKI_OK)
		return rc;
	g->nb = g->p->not_before;
	if (g->nb == 0) {
		jst_date((long long)time(NULL), &iy, &im, &id);
		g->nb = jst_time(iy, im, id, 0, 0, 0);
	}
	g->na = g->p->not_after;
	if (g->na == 0) {
		jst_date(g->nb, &iy, &im, &id);
		/* first birthday strictly after the issuance day, plus 4 */
		y = (bm > im || (bm == im && bd > id)) ? iy : iy + 1;
		y += 4;
		d = (bm == 2 && bd == 29 && !is_leap(y)) ? 28 : bd;
		g->na = jst_time(y, bm, d, 23, 59, 59);
	}
	return g->na > g->nb ? JPKI_OK : JPKI_ERR_ARG;
}

static int
random_mynumber(rng_t *r, char out[13])
{
	random_digits(r, out, 11);
	if (out[0] == '0')
		out[0] = '1';
	out[11] = (char)('0' + mynumber_check(out));
	out[12] = '\0';
	return JPKI_OK;
}

int
mkp_write_profile(const mkp_ca_t *ca, const mkp_params_t *p,
    char *auth_serial_out, char *sign_serial_out)
{
	gen_t g;
	EVP_PKEY *ak = NULL, *sk = NULL, *tk = NULL, *vk = NULL;
	X509 *ac = NULL, *sc = NULL;
	unsigned char cvc[568];
	char mynumber[13], expiry[9];
	int rc, y, m, d;

	if (auth_serial_out != NULL)
		auth_serial_out[0] = '\0';
	if (sign_serial_out != NULL)
		sign_serial_out[0] = '\0';
	if (ca == NULL || (rc = check_params(p)) != JPKI_OK)
		return JPKI_ERR_ARG;
	memset(&g, 0, sizeof(g));
	g.p = p;
	g.name = p->name != NULL ? p->name : "試験\xe3\x80\x80花子";
	g.address = p->address != NULL ? p->address :
	    "東京都千代田区千代田１－１－１";
	g.birth = p->birth != NULL ? p->birth : "19800217";
	g.sex = p->sex != NULL ? p->sex : "2";
	g.muni = p->municipality != NULL ? p->municipality : "13101";
	g.rng.seeded = p->seed != 0;
	g.rng.s = (uint64_t)p->seed;
	if ((rc = validity(&g)) != JPKI_OK)
		goto out;
	if ((rc = mkdir_p(p->out_dir)) != JPKI_OK)
		goto out;
	if (!p->overwrite && file_exists(p->out_dir, "profile.conf")) {
		fprintf(stderr, "mkprofile: %s already holds a profile\n",
		    p->out_dir);
		rc = JPKI_ERR_BUSY;
		goto out;
	}
	if (p->mynumber != NULL)
		memcpy(mynumber, p->mynumber, 13);
	else
		random_mynumber(&g.rng, mynumber);
	if (p->card_expiry != NULL) {
		memcpy(expiry, p->card_expiry, 9);
	} else {
		jst_date(g.na, &y, &m, &d);
		(void)snprintf(expiry, sizeof(expiry), "%04u%02u%02u",
		    (unsigned)y % 10000u, (unsigned)m % 100u,
		    (unsigned)d % 100u);
	}
	rc = JPKI_ERR_INTERNAL;
	if ((ak = gen_rsa()) == NULL || (tk = gen_rsa()) == NULL ||
	    (vk = gen_rsa()) == NULL)
		goto out;
	if ((rc = make_ee(&g, 0, ca->auth_key, ca->auth_crt, ak,
	    p->auth_serial_hex, &ac)) != JPKI_OK)
		goto out;
	if (!p->no_sign_cert) {
		rc = JPKI_ERR_INTERNAL;
		if ((sk = gen_rsa()) == NULL)
			goto out;
		if ((rc = make_ee(&g, 1, ca->sign_key, ca->sign_crt, sk,
		    p->sign_serial_hex, &sc)) != JPKI_OK)
			goto out;
	}
	/* a stale lockout or sign cert must not survive a re-issue */
	if (p->overwrite) {
		remove_file(p->out_dir, "state");
		remove_file(p->out_dir, "sign.crt");
		remove_file(p->out_dir, "sign.key");
	}
	if ((rc = write_key(p->out_dir, "auth.key", ak, 1)) != JPKI_OK ||
	    (rc = write_cert(p->out_dir, "auth.crt", ac)) != JPKI_OK ||
	    (rc = write_cert(p->out_dir, "auth-ca.crt", ca->auth_crt)) !=
	    JPKI_OK ||
	    (rc = write_cert(p->out_dir, "sign-ca.crt", ca->sign_crt)) !=
	    JPKI_OK ||
	    (sc != NULL && (rc = write_key(p->out_dir, "sign.key", sk, 1)) !=
	    JPKI_OK) ||
	    (sc != NULL && (rc = write_cert(p->out_dir, "sign.crt", sc)) !=
	    JPKI_OK) ||
	    (rc = write_key(p->out_dir, "text-ap.key", tk, 1)) != JPKI_OK ||
	    (rc = make_cvc(ca->cv_key, tk, "9000033", cvc)) != JPKI_OK ||
	    (rc = write_file(p->out_dir, "text-ap.cvc", cvc, sizeof(cvc),
	    0644)) != JPKI_OK ||
	    (rc = write_key(p->out_dir, "visual-ap.key", vk, 1)) != JPKI_OK ||
	    (rc = make_cvc(ca->cv_key, vk, "9000023", cvc)) != JPKI_OK ||
	    (rc = write_file(p->out_dir, "visual-ap.cvc", cvc, sizeof(cvc),
	    0644)) != JPKI_OK ||
	    (rc = write_key(p->out_dir, "cv-ca.pub", ca->cv_key, 0)) !=
	    JPKI_OK)
		goto out;
	/* profile.conf last: its presence marks a complete profile */
	if ((rc = write_conf(&g, mynumber, expiry)) != JPKI_OK)
		goto out;
	if (auth_serial_out != NULL && (rc = serial_out(ac,
	    auth_serial_out)) != JPKI_OK)
		goto out;
	if (sign_serial_out != NULL && sc != NULL && (rc = serial_out(sc,
	    sign_serial_out)) != JPKI_OK)
		goto out;
	rc = JPKI_OK;
out:
	OPENSSL_cleanse(mynumber, sizeof(mynumber));
	EVP_PKEY_free(ak);
	EVP_PKEY_free(sk);
	EVP_PKEY_free(tk);
	EVP_PKEY_free(vk);
	X509_free(ac);
	X509_free(sc);
	return rc;
}
