/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * One jpki-cardsim card for the cardsim harnesses.  Making a profile
 * generates RSA keys (seconds), too slow for one process per corpus file,
 * so the profile is made once and kept beside the harness binary
 * (cardsim-profile/); each process writes what the card changes (retry
 * state, a changed PIN) to a scratch copy of its own.
 */
#ifndef FUZZ_CARDSIM_FIXTURE_H
#define FUZZ_CARDSIM_FIXTURE_H

#include "../../../tools/cardsim/cardsim.h"

/* The card, freshly powered with every PIN and retry counter as in the
 * profile.  Aborts when the profile cannot be made. */
cardsim_t	*fx_cardsim(void);

#endif /* FUZZ_CARDSIM_FIXTURE_H */
