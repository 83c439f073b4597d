/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "utf8.h"

int
utf8_valid(const uint8_t *p, size_t n)
{
	size_t	 i = 0, k, need;
	uint32_t cp, min;

	while (i < n) {
		uint8_t b = p[i];

		if (b < 0x80) {
			if (b < 0x20 || b == 0x7f)
				return 0;
			i++;
			continue;
		}
		if ((b & 0xe0) == 0xc0) {
			need = 1; cp = b & 0x1fu; min = 0x80;
		} else if ((b & 0xf0) == 0xe0) {
			need = 2; cp = b & 0x0fu; min = 0x800;
		} else if ((b & 0xf8) == 0xf0) {
			need = 3; cp = b & 0x07u; min = 0x10000;
		} else {
			return 0;
		}
		if (need > n - i - 1)
			return 0;
		for (k = 1; k <= need; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i + k] & 0x3fu);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += need + 1;
	}
	return 1;
}
