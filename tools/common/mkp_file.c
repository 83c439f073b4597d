/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * mkprofile: files of a profile or CA directory: atomic writes (temporary
 * file, fsync, rename), bounded reads, mkdir -p.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jpki/err.h>

#include "mkp_int.h"

#define MAX_FILE	(64 * 1024)

int
mkp_write_file(const char *dir, const char *name, const void *data, size_t len,
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

int
mkp_read_file(const char *dir, const char *name, unsigned char **out,
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

int
mkp_file_exists(const char *dir, const char *name)
{
	char path[4096];
	struct stat st;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path))
		return 0;
	return stat(path, &st) == 0;
}

/* mkdir -p, mode 0700 for what it creates. */
int
mkp_mkdir_p(const char *dir)
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

void
mkp_remove_file(const char *dir, const char *name)
{
	char path[4096];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) <
	    sizeof(path))
		(void)unlink(path);
}
