/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef JPKI_UTF8_H
#define JPKI_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * 1 if p[0..n) is well-formed UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF) without C0 controls or DEL.
 */
int	utf8_valid(const uint8_t *p, size_t n);

#endif /* JPKI_UTF8_H */
