/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * The one UTF-8 validator of the project (library, jpki CLI, jpki-cardsim).
 * Well-formed means RFC 3629 / Unicode §3.9 table 3-7: no overlong forms,
 * no surrogates (U+D800..DFFF), nothing above U+10FFFF, no C0/C1 or F5+
 * lead bytes, no truncated sequence.  A generic helper: nothing here knows
 * the card, so the virtual card may link it.
 */
#ifndef JPKI_UTF8_H
#define JPKI_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* utf8_check flags */
#define UTF8_CTRL	0x01	/* accept C0 controls (but not NUL) and DEL */

/*
 * Length (1..4) of the well-formed sequence at p[0..n), 0 if there is none
 * or n is 0.  A NUL byte is a sequence of length 1 here.
 */
size_t	utf8_seq(const uint8_t *p, size_t n);

/*
 * 1 if p[0..n) is well-formed UTF-8 with no NUL, and, unless flags has
 * UTF8_CTRL, no C0 control or DEL either; else 0.  With ncp, the number of
 * code points is stored there on success.
 */
int	utf8_check(const uint8_t *p, size_t n, unsigned flags, size_t *ncp);

/* utf8_check(p, n, 0, NULL): text for display, no control characters. */
int	utf8_valid(const uint8_t *p, size_t n);

#endif /* JPKI_UTF8_H */
