/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Regression driver for the fuzz harnesses without libFuzzer (p11-kit
 * fuzz/main.c): replays each file named on the command line, or stdin when
 * there is none, through LLVMFuzzerTestOneInput.  Every input is copied to
 * a heap block of exactly its size so that ASan sees any over-read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#define MAX_INPUT	(1024 * 1024)	/* libFuzzer's default -max_len is far less */

static int
run_stream(FILE *f, const char *name)
{
	uint8_t	*buf = NULL, *exact = NULL;
	size_t	 len = 0, n;
	int	 rc = -1;

	if ((buf = malloc(MAX_INPUT + 1)) == NULL) {
		fprintf(stderr, "%s: out of memory\n", name);
		goto out;
	}
	while ((n = fread(buf + len, 1, MAX_INPUT + 1 - len, f)) > 0)
		len += n;
	if (ferror(f)) {
		fprintf(stderr, "%s: read error\n", name);
		goto out;
	}
	if (len > MAX_INPUT) {
		fprintf(stderr, "%s: larger than %d bytes\n", name, MAX_INPUT);
		goto out;
	}
	/* malloc(0) may return NULL; keep one byte but pass len */
	if ((exact = malloc(len > 0 ? len : 1)) == NULL) {
		fprintf(stderr, "%s: out of memory\n", name);
		goto out;
	}
	if (len > 0)
		memcpy(exact, buf, len);
	(void)LLVMFuzzerTestOneInput(exact, len);
	rc = 0;
out:
	free(exact);
	free(buf);
	return rc;
}

int
main(int argc, char **argv)
{
	FILE	*f;
	int	 i, rc = 0;

	if (argc < 2)
		return run_stream(stdin, "<stdin>") == 0 ? 0 : 1;
	for (i = 1; i < argc; i++) {
		if ((f = fopen(argv[i], "rb")) == NULL) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
			rc = 1;
			continue;
		}
		if (run_stream(f, argv[i]) != 0)
			rc = 1;
		fclose(f);
	}
	return rc;
}
