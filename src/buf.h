/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Bounded cursor reader and capped writer (house-style §2.6).  Every read
 * checks the remaining length before copying and advances only on success,
 * so a failed read leaves the cursor unchanged.  Big-endian access goes
 * through these functions, never through pointer casts.
 *
 * Generic helpers: shared by libjpki and jpki-cardsim.
 */
#ifndef JPKI_BUF_H
#define JPKI_BUF_H

#include <stddef.h>
#include <stdint.h>

/* Read cursor over borrowed memory. */
typedef struct {
	const uint8_t	*p;
	size_t		 len;	/* bytes remaining */
} buf_rd_t;

void	buf_rd_init(buf_rd_t *r, const uint8_t *p, size_t len);
size_t	buf_rd_left(const buf_rd_t *r);
int	buf_get_u8(buf_rd_t *r, uint8_t *v);
int	buf_get_u16(buf_rd_t *r, uint16_t *v);
int	buf_get_u32(buf_rd_t *r, uint32_t *v);
int	buf_get_bytes(buf_rd_t *r, void *out, size_t n);
/* Borrow n bytes (pointer valid as long as the underlying memory). */
int	buf_get_view(buf_rd_t *r, const uint8_t **out, size_t n);
int	buf_skip(buf_rd_t *r, size_t n);

/*
 * Growable writer with a hard cap.  Errors are sticky: after the first
 * failure every append is a no-op and buf_wr_ok() returns 0, so a chain of
 * appends needs one check at the end (p11-kit's p11_buffer).
 */
typedef struct {
	uint8_t	*p;
	size_t	 len;
	size_t	 cap;	/* allocated */
	size_t	 max;	/* hard limit */
	int	 err;	/* 0 or a JPKI_ERR_* */
	int	 secret; /* wipe on growth and free */
} buf_wr_t;

void	buf_wr_init(buf_wr_t *w, size_t max, int secret);
int	buf_wr_ok(const buf_wr_t *w);
void	buf_put_u8(buf_wr_t *w, uint8_t v);
void	buf_put_u16(buf_wr_t *w, uint16_t v);
void	buf_put_u32(buf_wr_t *w, uint32_t v);
void	buf_put_bytes(buf_wr_t *w, const void *p, size_t n);
/* Hand the contents to the caller (jpki_free / free) and reset w. */
uint8_t	*buf_wr_take(buf_wr_t *w, size_t *len);
void	buf_wr_free(buf_wr_t *w);

#define BUF_PEEK_U16(p)	((uint16_t)(((uint16_t)(p)[0] << 8) | (p)[1]))
#define BUF_PEEK_U32(p)	(((uint32_t)(p)[0] << 24) | ((uint32_t)(p)[1] << 16) | \
			 ((uint32_t)(p)[2] << 8) | (uint32_t)(p)[3])

#endif /* JPKI_BUF_H */
