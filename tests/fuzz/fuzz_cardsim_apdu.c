/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Fuzz jpki-cardsim's command dispatcher (tools/cardsim/card.c): every
 * C-APDU parser of the virtual card (SELECT, READ BINARY/RECORD, VERIFY,
 * CHANGE, COMPUTE DIGITAL SIGNATURE, GET CHALLENGE, GET DATA), over one
 * session.  Input: a flags byte (bit 0 no extended APDUs, bit 1
 * contactless), then chunks (support/chunks.h) of one C-APDU each; an empty
 * chunk is a power cycle.  Seeds are the commands the library
 * sent in recorded sessions (tests/fuzz/record_card.c).  Invariant: every
 * answer has a status word and fits the buffer.
 */
#include <stdlib.h>

#include "support/cardsim_fixture.h"
#include "support/chunks.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t rsp[CARDSIM_RSP_MAX];
	cardsim_t *c = fx_cardsim();
	const uint8_t *p;
	chunks_t ck;
	unsigned tag;
	size_t n, r;
	uint8_t fl;

	chunks_init(&ck, data, size);
	fl = chunks_byte(&ck);
	c->no_extended = fl & 1;
	c->contactless = (fl >> 1) & 1;
	while (chunks_next(&ck, &p, &n, &tag)) {
		if (n == 0) {
			cardsim_power(c);
			continue;
		}
		r = cardsim_apdu(c, p, n, rsp, sizeof(rsp));
		if (r < 2 || r > sizeof(rsp))
			abort();
	}
	return 0;
}
