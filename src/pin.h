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

/*
 * Copy, normalise (sign PIN upper-cased) and check; wiped on failure.  The
 * one place of the host's PIN rules (jpki-card.md §5.4): the library, the
 * CLI, the PKCS#11 module and PAM all come here through pin_load or the
 * public jpki_pin_fold / jpki_pin_check_format / jpki_pin_check_new.
 */
int	pin_load(pin_t *p, int kind, const char *src);
/* The registration rule for a new PIN (sign: >= 1 letter, >= 1 digit). */
int	pin_rule_new(const pin_t *p, int kind);
void	pin_wipe(pin_t *p);

#endif /* JPKI_PIN_H */
