/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * 券面事項確認AP (visual AP, jpki-card.md §7): the card face EF 0002 after
 * 照合番号A or B, the AP basic info EF 0003 and the CV certificate EF 0004.
 * The face is personal data (name, address, photo): its READ BINARY
 * responses are redacted in the debug log and every copy is wiped.  The
 * face is split with the parser of src/cert_visualap.c, which the
 * signature check uses too.
 */
#include <stdlib.h>
#include <string.h>

#include <jpki/jpki.h>

#include "abi.h"
#include "card.h"
#include "cert_int.h"
#include "secure.h"
#include "tlv.h"

/* EF 0003 FF30 { DF31..DF35 } and EF 0004 (568 bytes) are small */
#define VISUAL_SMALL_MAX	1024

void
jpki_visual_raw_clear(jpki_visual_raw_t *raw)
{
	/* a struct refused for its size was never filled */
	if (JPKI_STRUCT_OK(raw) != JPKI_OK)
		return;
	if (raw->face != NULL)
		jpki_free_secret(raw->face, raw->face_len);
	if (raw->info != NULL)
		jpki_free_secret(raw->info, raw->info_len);
	if (raw->cvc != NULL)
		jpki_free_secret(raw->cvc, raw->cvc_len);
	JPKI_STRUCT_WIPE(raw);
}

int
jpki_card_visual_read(jpki_card_t *c, jpki_visual_raw_t *raw)
{
	int r;

	if (c == NULL || (r = JPKI_STRUCT_OK(raw)) != JPKI_OK)
		return c == NULL ? JPKI_ERR_ARG : r;
	JPKI_STRUCT_ZERO(raw);
	if ((r = card_begin_pin(c)) != JPKI_OK)
		return r;
	if (c->ap != AP_VISUAL) {
		/* selecting the AP now would clear 照合番号A/B (§7) */
		r = JPKI_ERR_SECURITY;
		goto out;
	}
	if ((r = card_read_ef(c, 0x02, JPKI_MAX_EF, CMD_REDACT, &raw->face,
	    &raw->face_len)) != JPKI_OK ||
	    (r = card_read_ef(c, 0x03, VISUAL_SMALL_MAX, 0, &raw->info,
	    &raw->info_len)) != JPKI_OK ||
	    (r = card_read_ef(c, 0x04, VISUAL_SMALL_MAX, 0, &raw->cvc,
	    &raw->cvc_len)) != JPKI_OK)
		goto out;
	r = JPKI_OK;
out:
	if (r != JPKI_OK)
		jpki_visual_raw_clear(raw);
	card_end(c);
	return r;
}

static int
date8(const tlv_t *t, char out[9])
{
	size_t i;

	if (t->len != 8)
		return JPKI_ERR_PARSE;
	for (i = 0; i < 8; i++)
		if (t->value[i] < '0' || t->value[i] > '9')
			return JPKI_ERR_PARSE;
	memcpy(out, t->value, 8);
	out[8] = '\0';
	return JPKI_OK;
}

static void
span(const tlv_t *t, jpki_bytes_t *b)
{
	b->p = t->value;
	b->len = t->len;
}

/* f[i] = DF22 + i: birth, sex, key, name, address, photo, sig, expiry,
 * security code (§7). */
int
jpki_visual_face_parse(const uint8_t *ef, size_t len, jpki_visual_face_t *fc)
{
	tlv_t	f[CERT_FACE_FIELDS];
	int	r = JPKI_ERR_PARSE;

	if ((r = JPKI_STRUCT_OK(fc)) != JPKI_OK)
		return r;
	JPKI_STRUCT_ZERO(fc);
	r = JPKI_ERR_PARSE;
	if (ef == NULL)
		return JPKI_ERR_ARG;
	if (cert_visual_face_parse(ef, len, f) != JPKI_OK)
		goto out;
	if (date8(&f[0], fc->birth) != JPKI_OK ||
	    date8(&f[7], fc->expiry) != JPKI_OK)
		goto out;
	if (f[1].len != 1 || (f[1].value[0] != '1' &&
	    f[1].value[0] != '2' && f[1].value[0] != '9'))
		goto out;
	fc->sex = (char)f[1].value[0];
	span(&f[2], &fc->key);
	span(&f[3], &fc->name_image);
	span(&f[4], &fc->address_image);
	span(&f[5], &fc->photo);
	span(&f[6], &fc->signature);
	span(&f[8], &fc->code_image);
	r = JPKI_OK;
out:
	if (r != JPKI_OK)
		JPKI_STRUCT_WIPE(fc);
	return r;
}

/* EF 0003 (§7): FF30 { DF31 layout, DF32 key id, DF33 version, DF34
 * municipality (5 ASCII digits), DF35 }; fields found by tag. */
int
jpki_visual_info_municipality(const uint8_t *ef, size_t len, char code[6])
{
	buf_rd_t rd;
	tlv_t	 outer, t;
	size_t	 i;

	if (ef == NULL || code == NULL)
		return JPKI_ERR_ARG;
	memset(code, 0, 6);
	if (cert_outer_tlv(ef, len, 0xff30, &outer) != JPKI_OK)
		return JPKI_ERR_PARSE;
	buf_rd_init(&rd, outer.value, outer.len);
	while (buf_rd_left(&rd) > 0) {
		if (tlv_read(&rd, &t) != JPKI_OK)
			return JPKI_ERR_PARSE;
		if (t.tag != 0xdf34)
			continue;
		if (t.len != 5)
			return JPKI_ERR_PARSE;
		for (i = 0; i < 5; i++)
			if (t.value[i] < '0' || t.value[i] > '9')
				return JPKI_ERR_PARSE;
		memcpy(code, t.value, 5);
		return JPKI_OK;
	}
	return JPKI_ERR_PARSE;
}
