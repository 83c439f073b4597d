/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "utf8.h"

size_t
utf8_seq(const uint8_t *p, size_t n)
{
	size_t	 need, k;
	uint32_t cp, min;
	uint8_t	 b;

	if (n == 0)
		return 0;
	b = p[0];
	if (b < 0x80)
		return 1;
	/* C0/C1 would only start overlong forms; F5+ is beyond U+10FFFF */
	if (b >= 0xc2 && b <= 0xdf) {
		need = 1;
		cp = b & 0x1fu;
		min = 0x80;
	} else if (b >= 0xe0 && b <= 0xef) {
		need = 2;
		cp = b & 0x0fu;
		min = 0x800;
	} else if (b >= 0xf0 && b <= 0xf4) {
		need = 3;
		cp = b & 0x07u;
		min = 0x10000;
	} else {
		return 0;	/* continuation byte, C0, C1, F5..FF */
	}
	if (need > n - 1)
		return 0;
	for (k = 1; k <= need; k++) {
		if ((p[k] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[k] & 0x3fu);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return need + 1;
}

int
utf8_check(const uint8_t *p, size_t n, unsigned flags, size_t *ncp)
{
	size_t i = 0, cps = 0, k;

	while (i < n) {
		if (p[i] == 0x00)
			return 0;
		if ((p[i] < 0x20 || p[i] == 0x7f) && (flags & UTF8_CTRL) == 0)
			return 0;
		if ((k = utf8_seq(p + i, n - i)) == 0)
			return 0;
		i += k;
		cps++;
	}
	if (ncp != NULL)
		*ncp = cps;
	return 1;
}

int
utf8_valid(const uint8_t *p, size_t n)
{
	return utf8_check(p, n, 0, NULL);
}
