/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Transport-free request checks: path bytes and dot segments, the
 * Content-Type of a JSON body, a JSON nesting cap applied before the
 * parser sees the body, range-checked integers out of a parsed body,
 * and the admin listener's Bearer token.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "mock.h"

int
req_path_ok(const char *path)
{
	const unsigned char *p = (const unsigned char *)path;
	const char *seg;
	size_t n;

	if (*p != '/')
		return -1;
	for (; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return -1;
	}
	/* "." and ".." segments (also decoded from %2e) never route */
	for (seg = path + 1;; seg += n + 1) {
		n = strcspn(seg, "/");
		if ((n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' &&
		    seg[1] == '.'))
			return -1;
		if (seg[n] == '\0')
			break;
	}
	return 0;
}

int
req_json_depth_ok(const char *b, size_t n, int max)
{
	size_t i;
	int depth = 0, in_str = 0;

	for (i = 0; i < n; i++) {
		if (in_str) {
			if (b[i] == '\\')
				i++;
			else if (b[i] == '"')
				in_str = 0;
			continue;
		}
		switch (b[i]) {
		case '"':
			in_str = 1;
			break;
		case '[':
		case '{':
			if (++depth > max)
				return 0;
			break;
		case ']':
		case '}':
			depth--;
			break;
		default:
			break;
		}
	}
	return 1;
}

/*
 * Every number the mock takes from JSON goes through here: json_int_t is
 * 64 bits, the fields are mostly int, and a bare cast turns 2^32+1 into 1
 * and 9e18 into an overflowing clock.
 */
int
req_json_int(const json_t *o, const char *key, long long min, long long max,
    long long dflt, long long *out)
{
	const json_t *v = json_object_get(o, key);
	json_int_t x;

	*out = dflt;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_integer(v))
		return -1;
	x = json_integer_value(v);
	if (x < min || x > max)
		return -1;
	*out = x;
	return 1;
}

int
req_is_json_type(const char *ct)
{
	size_t n;

	if (ct == NULL)
		return 0;
	ct += strspn(ct, " \t");
	n = strlen("application/json");
	if (strncasecmp(ct, "application/json", n) != 0)
		return 0;
	ct += n;
	ct += strspn(ct, " \t");
	return *ct == '\0' || *ct == ';';
}

int
admin_token_ok(const struct mm_server *s, const char *authz)
{
	size_t n = strlen(s->admin_token);

	if (authz == NULL || n == 0 || strncasecmp(authz, "Bearer ", 7) != 0)
		return 0;
	authz += 7;
	if (strlen(authz) != n)
		return 0;
	return CRYPTO_memcmp(authz, s->admin_token, n) == 0;
}

/*
 * Write a new token file without racing another server started on the
 * same database: a private temporary file, then link(2), which fails if
 * the other one was first (its token is then the one read).
 */
static int
token_create(const char *path, const char hex[65])
{
	char tmp[640];
	int fd, rc = -1;

	if (snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid()) >=
	    (int)sizeof(tmp))
		return -1;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) <
	    0)
		return -1;
	if (write(fd, hex, 65) == 65 && fsync(fd) == 0)
		rc = 0;
	if (close(fd) != 0)
		rc = -1;
	if (rc == 0 && link(tmp, path) != 0 && errno != EEXIST)
		rc = -1;
	(void)unlink(tmp);
	return rc;
}

/*
 * <db>.admin-token: 64 hex characters, mode 0600, made at first start.
 * A file readable by others is refused: the token is the admin API.
 */
int
admin_token_load(const char *db, char out[65])
{
	char path[600], hex[65];
	uint8_t raw[32], *data = NULL;
	struct stat st;
	size_t n = 0;
	int rc = -1;

	if (snprintf(path, sizeof(path), "%s.admin-token", db) >=
	    (int)sizeof(path))
		return -1;
	if (stat(path, &st) != 0) {
		if (errno != ENOENT || mm_random(raw, sizeof(raw)) != 0)
			return -1;
		mm_hex(raw, sizeof(raw), hex);
		OPENSSL_cleanse(raw, sizeof(raw));
		hex[64] = '\n';
		rc = token_create(path, hex);
		OPENSSL_cleanse(hex, sizeof(hex));
		if (rc != 0 || stat(path, &st) != 0)
			return -1;
		rc = -1;
	}
	if ((st.st_mode & 077) != 0) {
		(void)fprintf(stderr, "mykey-mock: %s is readable by others "
		    "(chmod 600)\n", path);
		return -1;
	}
	if (mm_read_file(path, &data, &n, 256) != 0)
		return -1;
	while (n > 0 && (data[n - 1] == '\n' || data[n - 1] == '\r'))
		n--;
	if (n >= 16 && n <= 64 && strspn((char *)data,
	    "0123456789abcdefABCDEF") >= n) {
		memcpy(out, data, n);
		out[n] = '\0';
		rc = 0;
	}
	OPENSSL_cleanse(data, n);
	free(data);
	return rc;
}
