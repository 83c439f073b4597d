/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * The one table that maps status words to library errors (house-style
 * §2.3), over the generic APDU codec (apdu_codec.h).
 */
#ifndef JPKI_APDU_H
#define JPKI_APDU_H

#include <stddef.h>
#include <stdint.h>

#include "apdu_codec.h"

/*
 * Map a status word to JPKI_OK or a JPKI_ERR_* code.  *tries is set to the
 * retry counter when the SW carries one (SW1 = 63 and the high nibble of SW2
 * is C, jpki-card.md §4), else to -1.
 */
int	apdu_sw_to_err(uint16_t sw, int *tries);

#define SW(hi, lo)	((uint16_t)(((hi) << 8) | (lo)))

#endif /* JPKI_APDU_H */
