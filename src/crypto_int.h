/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Internal to the OpenSSL files (crypto.c, cert*.c): the one mapping of
 * the library's hash identifiers to OpenSSL digests.
 */
#ifndef JPKI_CRYPTO_INT_H
#define JPKI_CRYPTO_INT_H

#include <openssl/evp.h>

#include <jpki/jpki.h>

/* NULL for an identifier the library does not know. */
const EVP_MD	*crypto_evp_md(jpki_hash_t h);

#endif
