/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef JPKI_PIN_H
#define JPKI_PIN_H

#include <stddef.h>
#include <stdint.h>

#include <jpki/jpki.h>

#include "card.h"

enum { PIN_DIGITS = 1, PIN_ALNUM_UC };

typedef struct {
	jpki_pin_kind_t	 kind;
	int		 ap;		/* AP_* the PIN lives in */
	uint16_t	 ef;		/* key reference EF; SFI = low byte */
	size_t		 min_len, max_len;
	int		 fmt;
	int		 max_tries;
	const char	*desc;
} pin_kind_info_t;

const pin_kind_info_t *pin_kind_info(int kind);

/* A PIN on the stack: never on the heap, wiped at every exit. */
typedef struct {
	char	v[JPKI_PIN_MAX + 1];
	size_t	len;
} pin_t;

/* Copy, normalise (sign PIN upper-cased) and check; wiped on failure. */
int	pin_load(pin_t *p, int kind, const char *src);
void	pin_wipe(pin_t *p);

#endif /* JPKI_PIN_H */
