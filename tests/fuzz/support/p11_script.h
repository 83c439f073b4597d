/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * The PKCS#11 module's object layer under fuzz (tests/fuzz/fuzz_pkcs11.c)
 * and the recorder of its seeds (tests/fuzz/record_card.c).  This file's
 * object replaces PC/SC at link time: it defines pcsc_reader_list (one
 * reader with a card) and pcsc_transport_open (the transport p11s_open
 * returns), so src/transport_pcsc.o is not linked.
 *
 * Script (the harness's first chunk): slot byte (0 auth token, 1 sign
 * token), then operations until the end: 0 find (template) and read each
 * object found (template), 1 read the attributes (template) of a handle
 * (u8), 2 C_CreateObject (template), 3 C_GetObjectSize of a handle (u8).
 * A template: count byte (at most 8), per attribute a u32 type, a length
 * byte (0xFF: pValue NULL, a size query) and, for find templates, that
 * many value bytes.
 */
#ifndef FUZZ_P11_SCRIPT_H
#define FUZZ_P11_SCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include "transport.h"

/* Set by the caller: the transport the card "in the reader" answers on. */
extern transport_t *(*p11s_open)(void);

/* Run a script against the module (C_Initialize .. C_Finalize). */
void	p11s_run(const uint8_t *script, size_t n);

#endif /* FUZZ_P11_SCRIPT_H */
