/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * TAP-style checks shared by the mykey-mock test clients (mock_tap.h).
 */
#include <stdarg.h>
#include <stdio.h>

#include "mock_tap.h"

int ntest, nfail;

void
ok(int cond, const char *fmt, ...)
{
	va_list ap;

	ntest++;
	if (!cond)
		nfail++;
	(void)printf("%s %d - ", cond ? "ok" : "not ok", ntest);
	va_start(ap, fmt);
	(void)vprintf(fmt, ap);
	va_end(ap);
	(void)printf("\n");
	(void)fflush(stdout);
}
