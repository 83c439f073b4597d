/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Small helpers: randomness, hex/base64/base32, IDs, RFC 3339 time, files
 * and the request log.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "mock.h"

#define JST	(9 * 3600)

int
mm_random(void *buf, size_t n)
{
	return RAND_bytes(buf, (int)n) == 1 ? 0 : -1;
}

void
mm_hex(const uint8_t *in, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = d[in[i] >> 4];
		out[2 * i + 1] = d[in[i] & 15];
	}
	out[2 * n] = '\0';
}

void
mm_sha256_hex(const void *in, size_t n, char out[65])
{
	uint8_t md[SHA256_DIGEST_LENGTH];

	SHA256(in, n, md);
	mm_hex(md, sizeof(md), out);
}

static int
b64val(int c, int url)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == (url ? '-' : '+'))
		return 62;
	if (c == (url ? '_' : '/'))
		return 63;
	return -1;
}

/*
 * Strict decoder: standard alphabet needs canonical padding, base64url
 * takes none.  Rejects whitespace and non-zero trailing bits.
 */
int
mm_b64_decode(const char *in, int url, uint8_t **out, size_t *outlen,
    size_t cap)
{
	size_t len, i, o = 0, pad = 0;
	uint8_t *buf = NULL;
	uint32_t acc = 0;
	int bits = 0, v, rc = -1;

	*out = NULL;
	*outlen = 0;
	len = strlen(in);
	if (!url) {
		if (len % 4 != 0)
			goto out;
		while (pad < 2 && len > pad && in[len - 1 - pad] == '=')
			pad++;
	} else if (len % 4 == 1) {
		goto out;
	}
	if ((len - pad) / 4 * 3 + 3 > cap + 3 || len == 0)
		goto out;
	if ((buf = malloc(len / 4 * 3 + 3)) == NULL)
		goto out;
	for (i = 0; i < len - pad; i++) {
		if ((v = b64val((unsigned char)in[i], url)) < 0)
			goto out;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf[o++] = (uint8_t)(acc >> bits);
		}
	}
	if ((acc & ((1u << bits) - 1)) != 0 || o > cap)
		goto out;
	*out = buf;
	*outlen = o;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	return rc;
}

char *
mm_b64_encode(const uint8_t *in, size_t n, int url)
{
	static const char s[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	static const char u[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const char *a = url ? u : s;
	char *out;
	size_t i, o = 0;
	uint32_t v;

	if ((out = malloc((n + 2) / 3 * 4 + 1)) == NULL)
		return NULL;
	for (i = 0; i + 2 < n; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = a[v >> 18];
		out[o++] = a[(v >> 12) & 63];
		out[o++] = a[(v >> 6) & 63];
		out[o++] = a[v & 63];
	}
	if (n - i == 1) {
		v = (uint32_t)in[i] << 16;
		out[o++] = a[v >> 18];
		out[o++] = a[(v >> 12) & 63];
		if (!url) {
			out[o++] = '=';
			out[o++] = '=';
		}
	} else if (n - i == 2) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = a[v >> 18];
		out[o++] = a[(v >> 12) & 63];
		out[o++] = a[(v >> 6) & 63];
		if (!url)
			out[o++] = '=';
	}
	out[o] = '\0';
	return out;
}

void
mm_uuid(char out[37])
{
	uint8_t b[16];
	char h[33];

	(void)mm_random(b, sizeof(b));
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
	mm_hex(b, sizeof(b), h);
	(void)snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12,
	    h + 16, h + 20);
}

int
mm_uuid_valid(const char *s)
{
	size_t i;

	if (strlen(s) != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (strchr("0123456789abcdefABCDEF", s[i]) == NULL ||
		    s[i] == '\0') {
			return 0;
		}
	}
	return 1;
}

void
mm_rfc3339(long long t, char out[32])
{
	time_t tt = (time_t)(t + JST);
	struct tm tm;

	(void)gmtime_r(&tt, &tm);
	(void)strftime(out, 32, "%Y-%m-%dT%H:%M:%S+09:00", &tm);
}

/* YYYY-MM-DDTHH:MM:SS(.frac)?(Z|±HH:MM); also a bare unix time. */
int
mm_date_canon(const char *s, char out[9])
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };
	char d[9];
	int y, m, dd, leap;

	if (strlen(s) == 8 && strspn(s, "0123456789") == 8)
		memcpy(d, s, 8);
	else if (strlen(s) == 10 && s[4] == '-' && s[7] == '-' &&
	    strspn(s, "0123456789") == 4 && strspn(s + 5, "0123456789") == 2 &&
	    strspn(s + 8, "0123456789") == 2) {
		memcpy(d, s, 4);
		memcpy(d + 4, s + 5, 2);
		memcpy(d + 6, s + 8, 2);
	} else
		return -1;
	d[8] = '\0';
	y = (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 +
	    (d[3] - '0');
	m = (d[4] - '0') * 10 + (d[5] - '0');
	dd = (d[6] - '0') * 10 + (d[7] - '0');
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1000 || m < 1 || m > 12 || dd < 1 ||
	    dd > mdays[m - 1] + (m == 2 && leap))
		return -1;
	memcpy(out, d, 9);
	return 0;
}

int
mm_parse_count(const char *s, long long max, long long *out)
{
	char *end;
	long long v;

	*out = 0;
	/* strtoll alone takes " +12", "-1" and saturates on overflow */
	if (s == NULL || *s == '\0' || strspn(s, "0123456789") != strlen(s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}

int
mm_parse_rfc3339(const char *s, long long *t)
{
	struct tm tm;
	const char *p;
	char *end;
	long long v;
	int oh, om, sign;

	*t = 0;
	if (*s != '\0' && strspn(s, "0123456789-") == strlen(s) &&
	    strchr(s + 1, '-') == NULL) {
		errno = 0;
		v = strtoll(s, &end, 10);
		if (errno != 0 || *end != '\0')
			return -1;
		*t = v;
		return 0;
	}
	memset(&tm, 0, sizeof(tm));
	if ((p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
		return -1;
	if (*p == '.') {
		p++;
		if (strspn(p, "0123456789") == 0)
			return -1;
		p += strspn(p, "0123456789");
	}
	if (*p == 'Z' && p[1] == '\0') {
		oh = om = 0;
		sign = 1;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':' &&
	    sscanf(p + 1, "%2d:%2d", &oh, &om) == 2 && oh < 24 && om < 60) {
		sign = *p == '-' ? -1 : 1;
	} else {
		return -1;
	}
	*t = (long long)timegm(&tm) - sign * (oh * 3600LL + om * 60LL);
	return 0;
}

void
mm_new_id(const char *prefix, char *out, size_t n)
{
	uint8_t b[12];
	char h[25];

	(void)mm_random(b, sizeof(b));
	mm_hex(b, sizeof(b), h);
	(void)snprintf(out, n, "%s%s", prefix, h);
}

/* api §5.8: 8 characters of [A-Z2-9] without I, O, 0, 1. */
static const char mykey_alpha[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

void
mm_mykey_id_random(char out[9])
{
	uint8_t b[8];
	int i;

	(void)mm_random(b, sizeof(b));
	for (i = 0; i < 8; i++)
		out[i] = mykey_alpha[b[i] % 32];
	out[8] = '\0';
}

int
mm_mykey_id_valid(const char *s)
{
	size_t i;

	if (strlen(s) != 8)
		return 0;
	for (i = 0; i < 8; i++) {
		if (s[i] == '\0' || strchr(mykey_alpha, s[i]) == NULL)
			return 0;
	}
	return 1;
}

/* api §5.1: upper-case hex, no leading zeros, at most 20 bytes. */
int
mm_serial_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 40 || s[0] == '0')
		return 0;
	return strspn(s, "0123456789ABCDEF") == n;
}

/* Synthetic My Number with a valid check digit. */
void
mm_mynumber_random(char out[13])
{
	uint8_t b[11];
	int i, n, q, sum = 0, r;

	(void)mm_random(b, sizeof(b));
	for (i = 0; i < 11; i++)
		out[i] = (char)('0' + b[i] % 10);
	for (n = 1; n <= 11; n++) {
		q = n <= 6 ? n + 1 : n - 5;
		sum += (out[11 - n] - '0') * q;
	}
	r = sum % 11;
	out[11] = (char)('0' + (r <= 1 ? 0 : 11 - r));
	out[12] = '\0';
}

/* api §5.8: base32(HMAC-SHA256(ppid_key, subject_id))[:26]. */
void
mm_ppid(const uint8_t *key, size_t keylen, const char *subject,
    char out[27])
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	uint8_t md[32];
	unsigned int mdlen = 0;
	unsigned int acc = 0;
	int bits = 0, i, o = 0;

	(void)HMAC(EVP_sha256(), key, (int)keylen, (const uint8_t *)subject,
	    strlen(subject), md, &mdlen);
	for (i = 0; i < 32 && o < 26; i++) {
		acc = (acc << 8) | md[i];
		bits += 8;
		while (bits >= 5 && o < 26) {
			bits -= 5;
			out[o++] = a[(acc >> bits) & 31];
		}
	}
	out[o] = '\0';
}

/* PBKDF2-HMAC-SHA256 of a client secret (stored as salt$hash). */
int
mm_secret_hash(const char *secret, const char *salt_hex, char out[65])
{
	uint8_t dk[32];

	if (PKCS5_PBKDF2_HMAC(secret, (int)strlen(secret),
	    (const uint8_t *)salt_hex, (int)strlen(salt_hex), 10000,
	    EVP_sha256(), sizeof(dk), dk) != 1)
		return -1;
	mm_hex(dk, sizeof(dk), out);
	return 0;
}

/* Atomic write: temporary file, fsync, rename. */
int
mm_write_file(const char *path, const void *data, size_t n, int mode)
{
	char tmp[600];
	int fd = -1, rc = -1;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -1;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    (mode_t)mode)) < 0)
		goto out;
	if (write(fd, data, n) != (ssize_t)n || fsync(fd) != 0)
		goto out;
	if (close(fd) != 0) {
		fd = -1;
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto out;
	rc = 0;
out:
	if (fd >= 0)
		(void)close(fd);
	if (rc != 0)
		(void)unlink(tmp);
	return rc;
}

int
mm_read_file(const char *path, uint8_t **out, size_t *n, size_t cap)
{
	FILE *f = NULL;
	uint8_t *buf = NULL;
	size_t got;
	int rc = -1;

	*out = NULL;
	*n = 0;
	if ((f = fopen(path, "rbe")) == NULL)
		goto out;
	if ((buf = malloc(cap + 1)) == NULL)
		goto out;
	got = fread(buf, 1, cap + 1, f);
	if (ferror(f) || got > cap)
		goto out;
	buf[got] = '\0';
	*out = buf;
	*n = got;
	buf = NULL;
	rc = 0;
out:
	if (f != NULL)
		(void)fclose(f);
	free(buf);
	return rc;
}

int
mm_mkdirs(const char *path)
{
	char tmp[600];
	size_t i;

	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
		return -1;
	for (i = 1; tmp[i] != '\0'; i++) {
		if (tmp[i] != '/')
			continue;
		tmp[i] = '\0';
		if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
			return -1;
		tmp[i] = '/';
	}
	if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

static FILE *logf_;
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;

void
mm_log_open(const char *path)
{
	if (path != NULL && *path != '\0' && strcmp(path, "-") != 0)
		logf_ = fopen(path, "ae");
}

/* One line per call; callers never pass certificates, names, addresses. */
void
mm_log(const char *fmt, ...)
{
	va_list ap;
	FILE *f = logf_ != NULL ? logf_ : stderr;
	struct timespec ts;
	struct tm tm;
	char t[32];

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	(void)gmtime_r(&ts.tv_sec, &tm);
	(void)strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%S", &tm);
	(void)pthread_mutex_lock(&log_mu);
	(void)fprintf(f, "%s.%03ldZ ", t, ts.tv_nsec / 1000000);
	va_start(ap, fmt);
	(void)vfprintf(f, fmt, ap);
	va_end(ap);
	(void)fputc('\n', f);
	(void)fflush(f);
	(void)pthread_mutex_unlock(&log_mu);
}
