/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Fuzz jpki-cardsim's profile.conf and state parsers (tools/cardsim/
 * conf.c): the input is parsed as a profile.conf and as a state file
 * (against the limits of the profile it parsed to, or the defaults).
 * Seeds: a profile.conf written by gen-profile (tests/fuzz/record_card.c)
 * and hand-made state files.  Invariants: every string field terminated,
 * an error message whenever the parse fails, retry counters in range.
 */
#include <stdlib.h>
#include <string.h>

#include <jpki/err.h>

#include "../../tools/cardsim/conf.h"
#include "fuzz.h"

#define TERMINATED(f)	(memchr((f), '\0', sizeof(f)) != NULL)

static void
check_conf(const cs_conf_t *c)
{
	if (!TERMINATED(c->label) || !TERMINATED(c->token_serial) ||
	    !TERMINATED(c->pin_auth) || !TERMINATED(c->pin_sign) ||
	    !TERMINATED(c->pin_text) || !TERMINATED(c->pin_juki) ||
	    !TERMINATED(c->mynumber) || !TERMINATED(c->name) ||
	    !TERMINATED(c->address) || !TERMINATED(c->birth) ||
	    !TERMINATED(c->sex) || !TERMINATED(c->expiry) ||
	    !TERMINATED(c->security_code) || !TERMINATED(c->card_serial) ||
	    !TERMINATED(c->municipality) || !TERMINATED(c->tamper))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static cs_conf_t c;
	char err[256];
	int left[TRY_COUNT], rc, i;

	rc = conf_parse((const char *)data, size, &c, err, sizeof(err));
	if (rc == JPKI_OK)
		check_conf(&c);
	else if (err[0] == '\0' || !TERMINATED(err))
		abort();
	if (rc != JPKI_OK)
		(void)conf_parse("", 0, &c, NULL, 0);	/* the defaults */
	rc = conf_state_parse((const char *)data, size, &c, left, err,
	    sizeof(err));
	if (rc == JPKI_OK) {
		for (i = 0; i < TRY_COUNT; i++)
			if (left[i] < 0 || left[i] > c.tries[i])
				abort();
	} else if (!TERMINATED(err))
		abort();
	conf_wipe(&c);
	return 0;
}
