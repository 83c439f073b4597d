/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Splitting a fuzz input into chunks, shared by the harnesses that feed a
 * sequence of messages (card responses, rows, HTTP bodies): each chunk is
 * a big-endian u16 length and that many bytes.  A short last chunk is cut
 * to what is there, so every input means something.
 */
#ifndef FUZZ_CHUNKS_H
#define FUZZ_CHUNKS_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
	const uint8_t	*p;
	size_t		 left;
} chunks_t;

static inline void
chunks_init(chunks_t *ck, const uint8_t *p, size_t n)
{
	ck->p = p;
	ck->left = n;
}

/* Next chunk: 1 with *p, *n set (*n may be 0), 0 at the end. *tag is the
 * raw length field, so callers can give 0xFFFF etc. a meaning. */
static inline int
chunks_next(chunks_t *ck, const uint8_t **p, size_t *n, unsigned *tag)
{
	size_t l;

	if (ck->left < 2)
		return 0;
	l = (size_t)ck->p[0] << 8 | ck->p[1];
	*tag = (unsigned)l;
	ck->p += 2;
	ck->left -= 2;
	if (l > ck->left)
		l = ck->left;
	*p = ck->p;
	*n = l;
	ck->p += l;
	ck->left -= l;
	return 1;
}

/* One byte, 0 when the input is exhausted. */
static inline uint8_t
chunks_byte(chunks_t *ck)
{
	uint8_t b;

	if (ck->left == 0)
		return 0;
	b = ck->p[0];
	ck->p++;
	ck->left--;
	return b;
}

#endif /* FUZZ_CHUNKS_H */
