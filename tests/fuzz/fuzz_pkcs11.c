/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Fuzz the PKCS#11 module's attribute templates (C_FindObjectsInit,
 * C_GetAttributeValue, C_GetObjectSize, C_CreateObject) against its
 * object layer, with the card's answers from the input too: the first
 * chunk is a script (support/p11_script.h), the rest is what the card
 * answers (support/card_script.h: ATR, then one R-APDU per command).
 * Seeds are recorded from jpki-cardsim by tests/fuzz/record_card.c.
 * Invariants: no attribute claims more bytes than its buffer, nothing is
 * created on a read-only token, the module finalises cleanly.
 */
#include <stdlib.h>

#include "support/card_script.h"
#include "support/chunks.h"
#include "support/p11_script.h"
#include "fuzz.h"

static transport_t	 t;
static const uint8_t	*card;
static size_t		 card_len;

/* A connection to the card: the playback of the rest of the input. */
static transport_t *
open_card(void)
{
	cs_playback_init(&t, card, card_len);
	return &t;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *script;
	size_t n;
	unsigned tag;
	chunks_t ck;

	chunks_init(&ck, data, size);
	if (!chunks_next(&ck, &script, &n, &tag))
		return 0;
	card = ck.p;
	card_len = ck.left;
	p11s_open = open_card;
	p11s_run(script, n);
	return 0;
}
