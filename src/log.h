/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Debug log, off by default, enabled with JPKI_DEBUG=1 (house-style §2.3).
 * The APDU hexdump never shows PINs or personal data: the data field of
 * VERIFY, CHANGE REFERENCE DATA and CHANGE KEY is always redacted, and the
 * caller marks responses that carry personal data (text and visual AP).
 */
#ifndef JPKI_LOG_H
#define JPKI_LOG_H

#include <stddef.h>
#include <stdint.h>

int	log_enabled(void);
void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A C-APDU: redacts the data of PIN-carrying instructions. */
void	log_capdu(const uint8_t *apdu, size_t len);
/* An R-APDU: with redact, only the length and SW are shown. */
void	log_rapdu(const uint8_t *rsp, size_t len, int redact);

#endif /* JPKI_LOG_H */
