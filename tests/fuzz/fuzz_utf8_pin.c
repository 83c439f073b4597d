/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Fuzz the UTF-8 validator (src/utf8.c; names and addresses from the
 * card and certificates) against an independent reference written from
 * the well-formed byte sequence table (Unicode §3.9 table 3-7), and the
 * PIN format checks (src/pin.c) of every kind against the format text
 * table.  First byte: which PIN kind; the rest is the text.
 */
#include <stdlib.h>
#include <string.h>

#include <jpki/jpki.h>

#include "utf8.h"
#include "fuzz.h"

/* Unicode table 3-7: lead byte range, then ranges of the next bytes. */
static size_t
ref_seq(const uint8_t *p, size_t n)
{
	static const struct { uint8_t lo, hi, n, b1lo, b1hi; } t[] = {
		{ 0xC2, 0xDF, 2, 0x80, 0xBF }, { 0xE0, 0xE0, 3, 0xA0, 0xBF },
		{ 0xE1, 0xEC, 3, 0x80, 0xBF }, { 0xED, 0xED, 3, 0x80, 0x9F },
		{ 0xEE, 0xEF, 3, 0x80, 0xBF }, { 0xF0, 0xF0, 4, 0x90, 0xBF },
		{ 0xF1, 0xF3, 4, 0x80, 0xBF }, { 0xF4, 0xF4, 4, 0x80, 0x8F },
	};
	size_t i, k;

	if (p[0] >= 0x20 && p[0] < 0x7F)
		return 1;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (p[0] < t[i].lo || p[0] > t[i].hi)
			continue;
		if (n < t[i].n || p[1] < t[i].b1lo || p[1] > t[i].b1hi)
			return 0;
		for (k = 2; k < t[i].n; k++)
			if (p[k] < 0x80 || p[k] > 0xBF)
				return 0;
		return t[i].n;
	}
	return 0;
}

static int
ref_valid(const uint8_t *p, size_t n)
{
	size_t i = 0, l;

	while (i < n) {
		if ((l = ref_seq(p + i, n - i)) == 0)
			return 0;
		i += l;
	}
	return 1;
}

/* The format the library states for kind, checked by hand. */
static int
ref_pin_ok(jpki_pin_kind_t kind, const char *s)
{
	size_t n = strlen(s), i, lo, hi;
	int alnum = kind == JPKI_PIN_SIGN;

	switch (kind) {
	case JPKI_PIN_AUTH: case JPKI_PIN_TEXT: lo = hi = 4; break;
	case JPKI_PIN_SIGN: lo = 6; hi = 16; break;
	case JPKI_PIN_TEXT_A: case JPKI_PIN_VISUAL_A: lo = hi = 12; break;
	default: lo = hi = 14; break;
	}
	if (n < lo || n > hi)
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			continue;
		/* the sign PIN is upper-cased before the check */
		if (alnum && ((s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= 'a' && s[i] <= 'z')))
			continue;
		return 0;
	}
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	jpki_pin_kind_t kind;
	char	*s, text[JPKI_PIN_FORMAT_TEXT_MAX];
	int	 r;

	if (utf8_valid(data, size) != ref_valid(data, size))
		abort();
	if (size < 1)
		return 0;
	kind = (jpki_pin_kind_t)(1 + data[0] % 7);
	if ((s = malloc(size)) == NULL)
		abort();
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	r = jpki_pin_check_format(kind, s);
	if ((r == JPKI_OK) != ref_pin_ok(kind, s) ||
	    (r != JPKI_OK && r != JPKI_ERR_PIN_FORMAT))
		abort();
	if (jpki_pin_format_text(kind, text, sizeof(text)) != JPKI_OK ||
	    strlen(text) == 0)
		abort();
	free(s);
	return 0;
}
