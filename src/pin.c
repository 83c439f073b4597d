/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * PIN kinds, formats and the fixed-size PIN holder (house-style §2.5).
 * Formats are checked before any APDU is sent (jpki-card.md §5.4, §6.1).
 */
#include <stdio.h>
#include <string.h>

#include <jpki/jpki.h>

#include "pin.h"
#include "secure.h"

static const pin_kind_info_t kinds[] = {
	/* kind            AP         EF     min max fmt           tries */
	{ JPKI_PIN_AUTH,     AP_JPKI,   0x0018, 4, 4,  PIN_DIGITS,   3,
	    "user-authentication PIN" },
	{ JPKI_PIN_SIGN,     AP_JPKI,   0x001B, 6, 16, PIN_ALNUM_UC, 5,
	    "signature password" },
	{ JPKI_PIN_TEXT,     AP_TEXT,   0x0011, 4, 4,  PIN_DIGITS,   3,
	    "text AP PIN" },
	{ JPKI_PIN_TEXT_A,   AP_TEXT,   0x0014, 12, 12, PIN_DIGITS,  10,
	    "text AP verification code A (My Number)" },
	{ JPKI_PIN_TEXT_B,   AP_TEXT,   0x0015, 14, 14, PIN_DIGITS,  10,
	    "text AP verification code B" },
	{ JPKI_PIN_VISUAL_A, AP_VISUAL, 0x0013, 12, 12, PIN_DIGITS,  10,
	    "visual AP verification code A (My Number)" },
	{ JPKI_PIN_VISUAL_B, AP_VISUAL, 0x0012, 14, 14, PIN_DIGITS,  10,
	    "visual AP verification code B" },
};

const pin_kind_info_t *
pin_kind_info(int kind)
{
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if ((int)kinds[i].kind == kind)
			return &kinds[i];
	return NULL;
}

static int
check(const pin_kind_info_t *k, const char *v, size_t len)
{
	size_t i;

	if (len < k->min_len || len > k->max_len)
		return JPKI_ERR_PIN_FORMAT;
	for (i = 0; i < len; i++) {
		if (v[i] >= '0' && v[i] <= '9')
			continue;
		if (k->fmt == PIN_ALNUM_UC && v[i] >= 'A' && v[i] <= 'Z')
			continue;
		return JPKI_ERR_PIN_FORMAT;
	}
	return JPKI_OK;
}

/* The card compares bytes; tools upper-case the sign PIN before sending
 * it (jpki-card.md §5.4).  ASCII only: no locale. */
static void
fold(const pin_kind_info_t *k, char *v, size_t n)
{
	size_t i;

	if (k->fmt != PIN_ALNUM_UC)
		return;
	for (i = 0; i < n; i++)
		if (v[i] >= 'a' && v[i] <= 'z')
			v[i] = (char)(v[i] - 'a' + 'A');
}

int
pin_load(pin_t *p, int kind, const char *src)
{
	const pin_kind_info_t	*k;
	size_t			 n;
	int			 r;

	memset(p, 0, sizeof(*p));
	if (src == NULL || (k = pin_kind_info(kind)) == NULL)
		return JPKI_ERR_ARG;
	n = strnlen(src, JPKI_PIN_MAX + 1);
	if (n > JPKI_PIN_MAX)
		return JPKI_ERR_PIN_FORMAT;
	memcpy(p->v, src, n);
	fold(k, p->v, n);
	p->len = n;
	if ((r = check(k, p->v, p->len)) != JPKI_OK)
		pin_wipe(p);
	return r;
}

void
pin_wipe(pin_t *p)
{
	jpki_secure_zero(p, sizeof(*p));
}

int
pin_rule_new(const pin_t *p, int kind)
{
	size_t	i;
	int	alpha = 0, digit = 0;

	if (kind != JPKI_PIN_SIGN)
		return JPKI_OK;
	/* sign-password registration rule: at least one letter and one
	 * digit (jpki-card.md §5.4) */
	for (i = 0; i < p->len; i++) {
		if (p->v[i] >= 'A' && p->v[i] <= 'Z')
			alpha = 1;
		else if (p->v[i] >= '0' && p->v[i] <= '9')
			digit = 1;
	}
	return (alpha && digit) ? JPKI_OK : JPKI_ERR_PIN_FORMAT;
}

int
jpki_pin_check_format(jpki_pin_kind_t kind, const char *pin)
{
	pin_t	p;
	int	r;

	r = pin_load(&p, (int)kind, pin);
	pin_wipe(&p);
	return r;
}

int
jpki_pin_check_new(jpki_pin_kind_t kind, const char *pin)
{
	pin_t	p;
	int	r;

	if ((r = pin_load(&p, (int)kind, pin)) == JPKI_OK)
		r = pin_rule_new(&p, (int)kind);
	pin_wipe(&p);
	return r;
}

int
jpki_pin_limits(jpki_pin_kind_t kind, size_t *min_len, size_t *max_len)
{
	const pin_kind_info_t *k;

	if (min_len == NULL || max_len == NULL ||
	    (k = pin_kind_info((int)kind)) == NULL)
		return JPKI_ERR_ARG;
	*min_len = k->min_len;
	*max_len = k->max_len;
	return JPKI_OK;
}

int
jpki_pin_fold(jpki_pin_kind_t kind, char *pin, size_t len)
{
	const pin_kind_info_t *k;

	if (pin == NULL || (k = pin_kind_info((int)kind)) == NULL)
		return JPKI_ERR_ARG;
	fold(k, pin, len);
	return JPKI_OK;
}

/* Messages about a PIN's format come from the same table as the check. */
int
jpki_pin_format_text(jpki_pin_kind_t kind, char *buf, size_t len)
{
	const pin_kind_info_t	*k;
	const char		*set;
	int			 n;

	if (buf == NULL || len == 0)
		return JPKI_ERR_ARG;
	buf[0] = '\0';
	if ((k = pin_kind_info((int)kind)) == NULL)
		return JPKI_ERR_ARG;
	set = k->fmt == PIN_ALNUM_UC ? "characters of A-Z and 0-9" : "digits";
	if (k->min_len == k->max_len)
		n = snprintf(buf, len, "exactly %zu %s", k->min_len, set);
	else
		n = snprintf(buf, len, "%zu to %zu %s", k->min_len, k->max_len,
		    set);
	if (n < 0 || (size_t)n >= len) {
		buf[0] = '\0';
		return JPKI_ERR_TOO_LARGE;
	}
	return JPKI_OK;
}
