/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * BER-TLV (ISO 7816-4 §5.2, X.690 §8.1) parse and build.  Tags of one to
 * three bytes; lengths in short form or 81/82 long form only: 83 and above
 * and the indefinite form are rejected (house-style §2.6).  Every length is
 * bounded by the enclosing buffer.  Generic helper, shared with jpki-cardsim.
 */
#ifndef JPKI_TLV_H
#define JPKI_TLV_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

typedef struct {
	uint32_t	 tag;		/* e.g. 0x30, 0xDF21, 0x7F21 */
	int		 constructed;
	const uint8_t	*value;		/* borrowed */
	size_t		 len;		/* value length */
	size_t		 hdr_len;	/* tag + length bytes */
} tlv_t;

/*
 * Read one TLV at the cursor.  On success the cursor moves past it; on
 * failure the cursor is unchanged and JPKI_ERR_PARSE is returned.
 */
int	tlv_read(buf_rd_t *r, tlv_t *t);

/*
 * Parse only a TLV header (tag and length) at the start of p, without
 * requiring the value to be present: used to learn a file's size from its
 * first bytes.  *total = hdr_len + len.
 */
int	tlv_header(const uint8_t *p, size_t len, uint32_t *tag, size_t *hdr_len,
	    size_t *total);

/*
 * Iterate over the TLVs of a constructed value, calling cb for each.  Stops
 * at the first non-zero return of cb and returns it.  Rejects trailing
 * garbage unless allow_trailing (filler bytes 00/FF after the last TLV).
 */
typedef int tlv_cb_t(const tlv_t *t, void *arg);
int	tlv_iterate(const uint8_t *p, size_t len, int allow_trailing,
	    tlv_cb_t *cb, void *arg);

/* Append tag, length and value. */
void	tlv_put(buf_wr_t *w, uint32_t tag, const void *value, size_t len);
/* Append only tag and length (value follows). */
void	tlv_put_hdr(buf_wr_t *w, uint32_t tag, size_t len);
/* Number of bytes tlv_put_hdr writes for len. */
size_t	tlv_len_size(size_t len);

#endif /* JPKI_TLV_H */
