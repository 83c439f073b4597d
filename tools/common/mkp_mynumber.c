/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * mkprofile: the My Number check digit, its validation and random
 * valid numbers.
 */
#include <string.h>

#include <jpki/err.h>

#include "mkprofile.h"
#include "mkp_int.h"

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

int
mkp_random_mynumber(rng_t *r, char out[13])
{
	mkp_random_digits(r, out, 11);
	if (out[0] == '0')
		out[0] = '1';
	out[11] = (char)('0' + mynumber_check(out));
	out[12] = '\0';
	return JPKI_OK;
}
