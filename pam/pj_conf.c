/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * pam_jpki configuration and mapping files: bounded line splitter, strict
 * key/value checks, issuance-number normalisation.  Runs inside every
 * program that authenticates (su, sshd, login), often as root, on files an
 * administrator wrote: every length is checked and nothing is guessed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pj_conf.h"

static void seterr(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

void
pj_conf_defaults(struct pj_conf *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->map_file, sizeof(c->map_file), "%s", PJ_DEFAULT_MAP);
	c->bundled_roots = 1;
	c->revocation = PJ_REV_HARD;
	c->revocation_timeout = 5000;
	c->platform_timeout = 10000;
}

static int
set_str(char *dst, size_t dstlen, const char *v)
{
	size_t n = strlen(v);

	if (n >= dstlen)
		return -1;
	memcpy(dst, v, n + 1);
	return 0;
}

/* Absolute path, no control characters. */
static int
set_path(char *dst, size_t dstlen, const char *v)
{
	const unsigned char *p;

	if (*v != '/' && *v != '\0')
		return -1;
	for (p = (const unsigned char *)v; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return -1;
	return set_str(dst, dstlen, v);
}

static int
set_url(char *dst, size_t dstlen, const char *v)
{
	const unsigned char *p;

	if (*v != '\0' && strncmp(v, "http://", 7) != 0 &&
	    strncmp(v, "https://", 8) != 0)
		return -1;
	for (p = (const unsigned char *)v; *p != '\0'; p++)
		if (*p <= 0x20 || *p >= 0x7f)
			return -1;
	return set_str(dst, dstlen, v);
}

/* Printable ASCII without blanks: it goes into HTTP requests. */
static int
set_id(char *dst, size_t dstlen, const char *v)
{
	const unsigned char *p;

	for (p = (const unsigned char *)v; *p != '\0'; p++)
		if (*p <= 0x20 || *p >= 0x7f)
			return -1;
	return set_str(dst, dstlen, v);
}

static int
set_bool(int *dst, const char *v)
{
	if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 ||
	    strcmp(v, "1") == 0)
		*dst = 1;
	else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0 ||
	    strcmp(v, "0") == 0)
		*dst = 0;
	else
		return -1;
	return 0;
}

static int
set_int(int *dst, const char *v, long lo, long hi)
{
	char *end;
	long n;

	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < lo || n > hi)
		return -1;
	*dst = (int)n;
	return 0;
}

int
pj_conf_set(struct pj_conf *c, const char *k, const char *v, char *err,
    size_t errlen)
{
	int r;

	if (strcmp(k, "map_file") == 0)
		r = *v == '\0' ? -1 :
		    set_path(c->map_file, sizeof(c->map_file), v);
	else if (strcmp(k, "ca_file") == 0)
		r = set_path(c->ca_file, sizeof(c->ca_file), v);
	else if (strcmp(k, "ca_dir") == 0)
		r = set_path(c->ca_dir, sizeof(c->ca_dir), v);
	else if (strcmp(k, "bundled_roots") == 0)
		r = set_bool(&c->bundled_roots, v);
	else if (strcmp(k, "production_only") == 0)
		r = set_bool(&c->production_only, v);
	else if (strcmp(k, "reader") == 0)
		r = set_str(c->reader, sizeof(c->reader), v);
	else if (strcmp(k, "card_wait") == 0)
		r = set_int(&c->card_wait, v, 0, 300);
	else if (strcmp(k, "revocation") == 0) {
		r = 0;
		if (strcmp(v, "none") == 0)
			c->revocation = PJ_REV_NONE;
		else if (strcmp(v, "soft") == 0)
			c->revocation = PJ_REV_SOFT;
		else if (strcmp(v, "hard") == 0)
			c->revocation = PJ_REV_HARD;
		else
			r = -1;
	} else if (strcmp(k, "ocsp_url") == 0)
		r = set_url(c->ocsp_url, sizeof(c->ocsp_url), v);
	else if (strcmp(k, "crl_url") == 0)
		r = set_url(c->crl_url, sizeof(c->crl_url), v);
	else if (strcmp(k, "crl_file") == 0)
		r = set_path(c->crl_file, sizeof(c->crl_file), v);
	else if (strcmp(k, "crl_dir") == 0)
		r = set_path(c->crl_dir, sizeof(c->crl_dir), v);
	else if (strcmp(k, "revocation_timeout") == 0)
		r = set_int(&c->revocation_timeout, v, 100, 60000);
	else if (strcmp(k, "allow_last_try") == 0)
		r = set_bool(&c->allow_last_try, v);
	else if (strcmp(k, "debug") == 0)
		r = set_bool(&c->debug, v);
	else if (strcmp(k, "platform_url") == 0)
		r = set_url(c->platform_url, sizeof(c->platform_url), v);
	else if (strcmp(k, "platform_client_id") == 0)
		r = set_id(c->platform_client_id,
		    sizeof(c->platform_client_id), v);
	else if (strcmp(k, "platform_secret_file") == 0)
		r = set_path(c->platform_secret_file,
		    sizeof(c->platform_secret_file), v);
	else if (strcmp(k, "platform_ca_file") == 0)
		r = set_path(c->platform_ca_file,
		    sizeof(c->platform_ca_file), v);
	else if (strcmp(k, "consent_file") == 0)
		r = set_path(c->consent_file, sizeof(c->consent_file), v);
	else if (strcmp(k, "platform_allow_http") == 0)
		r = set_bool(&c->platform_allow_http, v);
	else if (strcmp(k, "platform_timeout") == 0)
		r = set_int(&c->platform_timeout, v, 100, 60000);
	else {
		seterr(err, errlen, "unknown option '%.40s'", k);
		return -1;
	}
	if (r != 0) {
		seterr(err, errlen, "bad value for %.40s", k);
		return -1;
	}
	return 0;
}

/*
 * Next line of text[*off..len): copied into line (NUL-terminated, "\r\n"
 * or "\n" dropped).  1 with a line, 0 at the end, -1 for an over-long
 * line or a NUL byte.
 */
static int
next_line(const char *text, size_t len, size_t *off, char line[PJ_MAX_LINE])
{
	size_t i = *off, n;

	if (i >= len)
		return 0;
	for (n = 0; i + n < len && text[i + n] != '\n'; n++)
		if (text[i + n] == '\0' || n >= PJ_MAX_LINE - 1)
			return -1;
	memcpy(line, text + i, n);
	line[n] = '\0';
	if (n > 0 && line[n - 1] == '\r')
		line[n - 1] = '\0';
	*off = i + n + 1;	/* past the newline, or past the end */
	return 1;
}

static int
blank(int ch)
{
	return ch == ' ' || ch == '\t';
}

/* Strip leading and trailing blanks in place. */
static char *
trim(char *s)
{
	size_t n;

	while (blank(*s))
		s++;
	n = strlen(s);
	while (n > 0 && blank(s[n - 1]))
		s[--n] = '\0';
	return s;
}

int
pj_conf_parse(struct pj_conf *c, const char *text, size_t len, char *err,
    size_t errlen)
{
	struct pj_conf tmp = *c;
	char line[PJ_MAX_LINE], e[PJ_ERRLEN], *k, *v, *eq;
	size_t off = 0;
	unsigned lineno = 0;
	int r;

	if (len > PJ_MAX_FILE) {
		seterr(err, errlen, "file larger than %d bytes", PJ_MAX_FILE);
		return -1;
	}
	while ((r = next_line(text, len, &off, line)) == 1) {
		lineno++;
		k = trim(line);
		if (*k == '\0' || *k == '#')
			continue;
		if ((eq = strchr(k, '=')) == NULL) {
			seterr(err, errlen, "line %u: expected key = value",
			    lineno);
			return -1;
		}
		*eq = '\0';
		k = trim(k);
		v = trim(eq + 1);
		if (pj_conf_set(&tmp, k, v, e, sizeof(e)) != 0) {
			seterr(err, errlen, "line %u: %s", lineno, e);
			return -1;
		}
	}
	if (r < 0) {
		seterr(err, errlen, "line %u: too long or contains NUL",
		    lineno + 1);
		return -1;
	}
	*c = tmp;
	return 0;
}

/* Login names as useradd accepts them by default, at most PJ_MAX_USER. */
static int
user_ok(const char *u)
{
	size_t n = strlen(u), i;

	if (n == 0 || n > PJ_MAX_USER || u[0] == '-')
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)u[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' ||
		    ch == '-' || (ch == '$' && i == n - 1)))
			return 0;
	}
	return 1;
}

/*
 * Canonical issuance number: upper case, no "0x", no leading zeros (as
 * jpki_cert_serial_hex() prints it; "0" for zero).  -1 if not hex.
 */
static int
serial_norm(const char *in, char out[PJ_MAX_SERIAL_HEX + 1])
{
	size_t n = 0;

	if (in[0] == '0' && (in[1] == 'x' || in[1] == 'X'))
		in += 2;
	if (*in == '\0')
		return -1;
	while (in[0] == '0' && in[1] != '\0')
		in++;
	for (; *in != '\0'; in++) {
		char ch = *in;

		if (ch >= 'a' && ch <= 'f')
			ch = (char)(ch - 'a' + 'A');
		else if (!((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'F')))
			return -1;
		if (n >= PJ_MAX_SERIAL_HEX)
			return -1;
		out[n++] = ch;
	}
	out[n] = '\0';
	return 0;
}

/* A MyKey ID as the platform writes it: PJ_MYKEY_LEN of A-Z and 0-9. */
static int
mykey_ok(const char *v)
{
	size_t i;

	for (i = 0; v[i] != '\0'; i++)
		if (i >= PJ_MYKEY_LEN || !((v[i] >= 'A' && v[i] <= 'Z') ||
		    (v[i] >= '0' && v[i] <= '9')))
			return 0;
	return i == PJ_MYKEY_LEN;
}

/* What map_scan compares "mykey" lines for. */
#define MK_IGNORE	0	/* syntax only */
#define MK_ANY		1	/* does user have one? */
#define MK_MATCH	2	/* is this ID the user's? */

static int
map_scan(const char *text, size_t len, const char *user,
    const char *serial_hex, const char *subject, int mk,
    const char *mykey_id, int *result, char *err, size_t errlen)
{
	char line[PJ_MAX_LINE], want[PJ_MAX_SERIAL_HEX + 1];
	char got[PJ_MAX_SERIAL_HEX + 1], *u, *kind, *val, *p;
	size_t off = 0;
	unsigned lineno = 0;
	int r, hit, res = PJ_MAP_NONE;

	*result = PJ_MAP_NONE;
	if (len > PJ_MAX_FILE) {
		seterr(err, errlen, "file larger than %d bytes", PJ_MAX_FILE);
		return -1;
	}
	if (serial_hex != NULL && serial_norm(serial_hex, want) != 0)
		serial_hex = NULL;
	while ((r = next_line(text, len, &off, line)) == 1) {
		lineno++;
		p = trim(line);
		if (*p == '\0' || *p == '#')
			continue;
		/* USER blanks KIND blanks VALUE */
		u = p;
		while (*p != '\0' && !blank(*p))
			p++;
		if (*p != '\0')
			*p++ = '\0';
		while (blank(*p))
			p++;
		kind = p;
		while (*p != '\0' && !blank(*p))
			p++;
		if (*p != '\0')
			*p++ = '\0';
		val = trim(p);
		if (!user_ok(u) || *val == '\0') {
			seterr(err, errlen, "line %u: expected USER serial HEX, "
			    "USER subject DN or USER mykey ID", lineno);
			return -1;
		}
		hit = 0;
		if (strcmp(kind, "serial") == 0) {
			if (serial_norm(val, got) != 0) {
				seterr(err, errlen, "line %u: issuance number "
				    "is not hex (at most %d digits)", lineno,
				    PJ_MAX_SERIAL_HEX);
				return -1;
			}
			hit = mk == MK_IGNORE && serial_hex != NULL &&
			    strcmp(got, want) == 0;
		} else if (strcmp(kind, "subject") == 0) {
			hit = mk == MK_IGNORE && subject != NULL &&
			    strcmp(val, subject) == 0;
		} else if (strcmp(kind, "mykey") == 0) {
			if (!mykey_ok(val)) {
				seterr(err, errlen, "line %u: MyKey ID is not "
				    "%d of A-Z and 0-9", lineno, PJ_MYKEY_LEN);
				return -1;
			}
			hit = (mk == MK_ANY && strcmp(u, user) == 0) ||
			    (mk == MK_MATCH && strcmp(val, mykey_id) == 0);
		} else {
			seterr(err, errlen, "line %u: unknown kind (serial, "
			    "subject or mykey)", lineno);
			return -1;
		}
		if (hit)
			res = strcmp(u, user) == 0 ? PJ_MAP_USER :
			    (res == PJ_MAP_USER ? PJ_MAP_USER : PJ_MAP_OTHER);
	}
	if (r < 0) {
		seterr(err, errlen, "line %u: too long or contains NUL",
		    lineno + 1);
		return -1;
	}
	*result = res;
	return 0;
}

int
pj_map_lookup(const char *text, size_t len, const char *user,
    const char *serial_hex, const char *subject, int *result, char *err,
    size_t errlen)
{
	return map_scan(text, len, user, serial_hex, subject, MK_IGNORE, NULL,
	    result, err, errlen);
}

int
pj_map_mykey(const char *text, size_t len, const char *user,
    const char *mykey_id, int *result, char *err, size_t errlen)
{
	return map_scan(text, len, user, NULL, NULL,
	    mykey_id == NULL ? MK_ANY : MK_MATCH, mykey_id, result, err,
	    errlen);
}

static int
read_file(const char *path, int secret, char **text, size_t *len, char *err,
    size_t errlen)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	ssize_t n;
	int fd = -1, r = -1;

	*text = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		seterr(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	/* whoever can write it decides who logs in */
	if ((st.st_uid != 0 && st.st_uid != geteuid()) ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		seterr(err, errlen, "%s: must be owned by root and not "
		    "writable by group or others", path);
		goto out;
	}
	/* a client secret others can read is no secret (mode 0600) */
	if (secret && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		seterr(err, errlen, "%s: a secret must not be readable by "
		    "group or others (mode 0600)", path);
		goto out;
	}
	if (st.st_size < 0 || st.st_size > PJ_MAX_FILE) {
		seterr(err, errlen, "%s: larger than %d bytes", path,
		    PJ_MAX_FILE);
		goto out;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		seterr(err, errlen, "%s: out of memory", path);
		goto out;
	}
	/* the file may change under us: never read past the cap */
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			seterr(err, errlen, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	*text = buf;
	*len = got;
	buf = NULL;
	r = 0;
out:
	if (buf != NULL)
		explicit_bzero(buf, got);	/* a partly read secret */
	free(buf);
	if (fd >= 0)
		close(fd);
	return r;
}

int
pj_read_file(const char *path, char **text, size_t *len, char *err,
    size_t errlen)
{
	return read_file(path, 0, text, len, err, errlen);
}

int
pj_read_secret(const char *path, char **text, size_t *len, char *err,
    size_t errlen)
{
	return read_file(path, 1, text, len, err, errlen);
}
