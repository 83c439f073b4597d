/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Fuzz every card response the library parses, through the card layer:
 * SELECT and its 61xx/6Cxx chains, token info (EF 0006), certificate
 * availability, certificates and their serials (extended and chunked READ
 * BINARY), PIN status and VERIFY/CHANGE answers, signatures, GET
 * CHALLENGE, the text AP (My Number, basic 4 info, raw EFs) and the visual
 * AP.  The input drives an in-process transport given to the card with
 * card_new_with_transport() (support/card_script.h: op, arg, then chunks:
 * the first is the ATR, each further one the R-APDU to one command), and
 * the card is opened with jpki_card_open() as an application opens it.
 * Seeds are recorded from jpki-cardsim by tests/fuzz/record_card.c
 * (`make fuzz-seeds`).
 */
#include <stdlib.h>

#include <jpki/jpki.h>

#include "card.h"
#include "support/card_script.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	jpki_card_t *c;

	if (size < 2)
		return 0;
	if (card_new_with_transport(&c, &cs_playback_ops, NULL) != JPKI_OK)
		abort();
	cs_playback_start(data + 2, size - 2);
	(void)cs_run(c, data[0], data[1]);
	jpki_card_free(&c);
	return 0;
}
