/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Fuzz harness entry point.  Each tests/fuzz/fuzz_<target>.c defines
 * LLVMFuzzerTestOneInput; it is linked either with libFuzzer (`make fuzz`,
 * clang) or with main.c, a plain driver that replays files (`make
 * check-fuzz`, gcc).  A harness reports a broken invariant with abort().
 */
#ifndef JPKI_FUZZ_H
#define JPKI_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* JPKI_FUZZ_H */
