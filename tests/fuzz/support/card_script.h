/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * The card layer under fuzz (tests/fuzz/fuzz_card.c) and the recorder of
 * its seeds (tests/fuzz/record_card.c) share this: an in-process transport
 * (src/transport.h) that plays back card answers from the fuzz input, and
 * the scripts of library calls that the input's first two bytes select.
 *
 * Input: op, arg, then chunks of a big-endian u16 length and that many
 * bytes: the ATR first, then one R-APDU (data || SW1 SW2) per C-APDU in
 * the order the library sends them.  A length of FF00..FF03 is a transport
 * error instead of an answer (card reset, removed, transport, timeout),
 * with no bytes after it; the end of input is a removed card.
 */
#ifndef FUZZ_CARD_SCRIPT_H
#define FUZZ_CARD_SCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include <jpki/jpki.h>

#include "transport.h"

/* Synthetic profile values the scripts use (record_card.c makes a card
 * profile with exactly these; no real card has them). */
#define CS_PIN_AUTH	"1234"
#define CS_PIN_SIGN	"ABC123"
#define CS_PIN_TEXT	"1234"
#define CS_MYNUMBER	"123456789018"

enum {
	CS_OPEN, CS_TOKEN_INFO, CS_CERT_AVAIL, CS_READ_CERT, CS_READ_SERIAL,
	CS_PIN_STATUS, CS_VERIFY_PIN, CS_CHANGE_PIN, CS_SIGN, CS_SIGN_PSS,
	CS_TEXT_MYNUMBER, CS_TEXT_ATTRS, CS_TEXT_RAW, CS_VISUAL_READ,
	CS_RANDOM, CS_LOGOUT, CS_TRANSMIT, CS_CHAIN, CS_COUNT
};

/* CS_CHAIN: one session as a signing application runs it, on one card:
 * token info, certificate availability, a certificate, its serial, the
 * PIN status, then VERIFY and a signature (arg bit 0: the sign key). */

extern const char *const cs_op_names[CS_COUNT];

/*
 * The playback transport: give cs_playback_ops (ctx unused) to
 * card_new_with_transport() and the input to cs_playback_start() (not
 * copied; must outlive the card).  Its atr op answers the first chunk.
 */
extern const transport_ops_t cs_playback_ops;
void	cs_playback_start(const uint8_t *data, size_t len);
/* The same as a ready transport_t, ATR taken (the PKCS#11 harness's
 * stand-in for pcsc_transport_open). */
void	cs_playback_init(transport_t *t, const uint8_t *data, size_t len);

/*
 * Open card c (made by card_new_with_transport) with jpki_card_open, the
 * flags from arg, and run script op.  Aborts when a result breaks an
 * invariant of the public API.  Returns the library's result (for the
 * recorder's log).
 */
int	cs_run(jpki_card_t *c, unsigned op, unsigned arg);

#endif /* FUZZ_CARD_SCRIPT_H */
