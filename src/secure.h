/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Secrets (house-style §2.5): one wipe primitive.  Generic helper, shared
 * with jpki-cardsim.
 */
#ifndef JPKI_SECURE_H
#define JPKI_SECURE_H

#include <stddef.h>

void	jpki_secure_zero(void *p, size_t len);
void	jpki_free_secret(void *p, size_t len);

#endif /* JPKI_SECURE_H */
