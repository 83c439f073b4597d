/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <string.h>

#include <jpki/err.h>

#include "apdu.h"

/*
 * The status-word table (jpki-card.md §4).  Entries with mask 0xFFFF match
 * exactly; 63Cx is handled before the table because it carries a counter.
 */
static const struct {
	uint16_t	sw;
	uint16_t	mask;
	int		err;
} swtab[] = {
	{ 0x9000, 0xffff, JPKI_OK },
	{ 0x6983, 0xffff, JPKI_ERR_PIN_LOCKED },	/* auth method blocked */
	{ 0x6984, 0xffff, JPKI_ERR_PIN_LOCKED },	/* reference data blocked */
	{ 0x6982, 0xffff, JPKI_ERR_SECURITY },
	{ 0x6A82, 0xffff, JPKI_ERR_FILE_NOT_FOUND },
	{ 0x6A83, 0xffff, JPKI_ERR_FILE_NOT_FOUND },	/* record not found */
	{ 0x6A88, 0xffff, JPKI_ERR_FILE_NOT_FOUND },	/* data object absent */
	{ 0x6700, 0xffff, JPKI_ERR_WRONG_LENGTH },
	{ 0x6C00, 0xff00, JPKI_ERR_WRONG_LENGTH },	/* unresolved 6Cxx */
	{ 0x6985, 0xffff, JPKI_ERR_CONDITIONS },
	{ 0x6A86, 0xffff, JPKI_ERR_BAD_P1P2 },
	{ 0x6B00, 0xffff, JPKI_ERR_BAD_P1P2 },		/* offset past EOF */
	{ 0x6A81, 0xffff, JPKI_ERR_INS_NOT_SUPPORTED },
	{ 0x6D00, 0xffff, JPKI_ERR_INS_NOT_SUPPORTED },
	{ 0x6E00, 0xffff, JPKI_ERR_INS_NOT_SUPPORTED },
	{ 0x6881, 0xffff, JPKI_ERR_INS_NOT_SUPPORTED },	/* logical channel */
	{ 0x6882, 0xffff, JPKI_ERR_INS_NOT_SUPPORTED },	/* secure messaging */
};

int
apdu_sw_to_err(uint16_t sw, int *tries)
{
	size_t i;

	*tries = -1;
	if ((sw & 0xfff0) == 0x63c0) {
		*tries = sw & 0x0f;
		return *tries == 0 ? JPKI_ERR_PIN_LOCKED :
		    JPKI_ERR_PIN_INCORRECT;
	}
	for (i = 0; i < sizeof(swtab) / sizeof(swtab[0]); i++)
		if ((sw & swtab[i].mask) == swtab[i].sw)
			return swtab[i].err;
	return JPKI_ERR_SW;
}
