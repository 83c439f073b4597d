/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * 券面事項入力補助AP (text AP, jpki-card.md §6): My Number (EF 0001) and
 * the basic four attributes (EF 0002).  Both are the most sensitive data the
 * card holds: responses are redacted in the debug log, every intermediate
 * buffer is wiped, and nothing is kept by the library.
 */
#include <stdlib.h>
#include <string.h>

#include <jpki/jpki.h>

#include "abi.h"
#include "card.h"
#include "secure.h"
#include "tlv.h"
#include "utf8.h"

/* cap for EF 0002: four short text fields */
#define TEXT_EF_MAX	4096

static int
all_digits(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return 0;
	return 1;
}

int
jpki_card_text_mynumber(jpki_card_t *c, char mynumber[13])
{
	uint8_t	 b[32];
	size_t	 n = 0;
	buf_rd_t rd;
	tlv_t	 t;
	int	 r;

	if (c == NULL || mynumber == NULL)
		return JPKI_ERR_ARG;
	memset(mynumber, 0, 13);
	if ((r = card_begin_pin(c)) != JPKI_OK)
		return r;
	if (c->ap != AP_TEXT) {
		/* selecting the AP now would clear the text PIN */
		r = JPKI_ERR_SECURITY;
		goto out;
	}
	/* EF 0001: FF 10 0C <12 digits> FF FF, 17 bytes (§6.2) */
	if ((r = card_read_head(c, 0x01, 17, CMD_REDACT, b, &n)) != JPKI_OK)
		goto out;
	buf_rd_init(&rd, b, n);
	if (tlv_read(&rd, &t) != JPKI_OK || t.tag != 0xFF10 || t.len != 12 ||
	    !all_digits(t.value, t.len)) {
		r = JPKI_ERR_PARSE;
		goto out;
	}
	memcpy(mynumber, t.value, 12);
	mynumber[12] = '\0';
	r = JPKI_OK;
out:
	jpki_secure_zero(b, sizeof(b));
	card_end(c);
	return r;
}

void
jpki_text_attrs_clear(jpki_text_attrs_t *a)
{
	/* a struct refused for its size was never filled */
	if (JPKI_STRUCT_OK(a) != JPKI_OK)
		return;
	if (a->name != NULL)
		jpki_free_secret(a->name, strlen(a->name));
	if (a->address != NULL)
		jpki_free_secret(a->address, strlen(a->address));
	JPKI_STRUCT_WIPE(a);
}

static char *
dup_utf8(const uint8_t *p, size_t n)
{
	char *s;

	if (n == 0 || !utf8_valid(p, n) || (s = malloc(n + 1)) == NULL)
		return NULL;
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/*
 * EF 0002 (§6.3): FF20 { DF21 offsets(4 x u16), DF22 name, DF23 address,
 * DF24 birth YYYYMMDD, DF25 sex }.  Each field is located through the
 * DF21 offset table (offsets from the start of the file pointing at the
 * tag) and must lie inside the outer object.
 */
int
jpki_text_attrs_parse(const uint8_t *ef, size_t len, jpki_text_attrs_t *a)
{
	buf_rd_t	 rd, in;
	tlv_t		 outer, tab, f[4];
	size_t		 vstart, vend, off, i;
	int		 r = JPKI_ERR_PARSE;

	if ((r = JPKI_STRUCT_OK(a)) != JPKI_OK)
		return r;
	JPKI_STRUCT_ZERO(a);
	r = JPKI_ERR_PARSE;
	if (ef == NULL)
		return JPKI_ERR_ARG;
	if (len > TEXT_EF_MAX)
		return JPKI_ERR_TOO_LARGE;
	buf_rd_init(&rd, ef, len);
	if (tlv_read(&rd, &outer) != JPKI_OK || outer.tag != 0xFF20)
		goto out;
	vstart = outer.hdr_len;
	vend = vstart + outer.len;
	buf_rd_init(&in, outer.value, outer.len);
	if (tlv_read(&in, &tab) != JPKI_OK || tab.tag != 0xDF21 ||
	    tab.len != 8)
		goto out;
	for (i = 0; i < 4; i++) {
		off = BUF_PEEK_U16(tab.value + 2 * i);
		if (off < vstart || off >= vend)
			goto out;
		buf_rd_init(&in, ef + off, vend - off);
		if (tlv_read(&in, &f[i]) != JPKI_OK ||
		    f[i].tag != 0xDF22 + i)
			goto out;
	}
	if (f[2].len != 8 || !all_digits(f[2].value, 8) || f[3].len != 1 ||
	    strchr("0129", f[3].value[0]) == NULL || f[3].value[0] == '\0')
		goto out;
	if ((a->name = dup_utf8(f[0].value, f[0].len)) == NULL ||
	    (a->address = dup_utf8(f[1].value, f[1].len)) == NULL)
		goto out;
	memcpy(a->birth, f[2].value, 8);
	a->birth[8] = '\0';
	a->sex = (char)f[3].value[0];
	r = JPKI_OK;
out:
	if (r != JPKI_OK)
		jpki_text_attrs_clear(a);
	return r;
}

int
jpki_card_text_attrs(jpki_card_t *c, jpki_text_attrs_t *a)
{
	uint8_t	*ef = NULL;
	size_t	 n = 0;
	int	 r;

	if (c == NULL || (r = JPKI_STRUCT_OK(a)) != JPKI_OK)
		return c == NULL ? JPKI_ERR_ARG : r;
	JPKI_STRUCT_ZERO(a);
	if ((r = card_begin_pin(c)) != JPKI_OK)
		return r;
	if (c->ap != AP_TEXT) {
		r = JPKI_ERR_SECURITY;
		goto out;
	}
	if ((r = card_read_ef(c, 0x02, TEXT_EF_MAX, CMD_REDACT, &ef, &n)) !=
	    JPKI_OK)
		goto out;
	r = jpki_text_attrs_parse(ef, n, a);
out:
	if (ef != NULL)
		jpki_free_secret(ef, n);
	card_end(c);
	return r;
}

void
jpki_text_raw_clear(jpki_text_raw_t *raw)
{
	size_t i;

	/* a struct refused for its size was never filled */
	if (JPKI_STRUCT_OK(raw) != JPKI_OK)
		return;
	for (i = 0; i < 4; i++)
		if (raw->ef[i] != NULL)
			jpki_free_secret(raw->ef[i], raw->len[i]);
	JPKI_STRUCT_WIPE(raw);
}

/*
 * EF 0001..0004 as stored, for jpki_textap_verify() (§6.4, §6.5).  EF 0001
 * is exactly its 17 bytes (one short READ BINARY: the EF is not a single
 * TLV, FF FF follows the FF10 object); the others are whole TLV objects.
 */
int
jpki_card_text_raw(jpki_card_t *c, jpki_text_raw_t *raw)
{
	uint8_t	 b[17];
	size_t	 n = 0;
	int	 r;

	if (c == NULL || (r = JPKI_STRUCT_OK(raw)) != JPKI_OK)
		return c == NULL ? JPKI_ERR_ARG : r;
	JPKI_STRUCT_ZERO(raw);
	memset(b, 0, sizeof(b));
	if ((r = card_begin_pin(c)) != JPKI_OK)
		return r;
	if (c->ap != AP_TEXT) {
		/* selecting the AP now would clear the text PIN */
		r = JPKI_ERR_SECURITY;
		goto out;
	}
	if ((r = card_read_head(c, 0x01, sizeof(b), CMD_REDACT, b, &n)) !=
	    JPKI_OK)
		goto out;
	if (n != sizeof(b)) {
		r = JPKI_ERR_PARSE;
		goto out;
	}
	if ((raw->ef[0] = malloc(n)) == NULL) {
		r = JPKI_ERR_NOMEM;
		goto out;
	}
	memcpy(raw->ef[0], b, n);
	raw->len[0] = n;
	if ((r = card_read_ef(c, 0x02, TEXT_EF_MAX, CMD_REDACT, &raw->ef[1],
	    &raw->len[1])) != JPKI_OK ||
	    (r = card_read_ef(c, 0x03, TEXT_EF_MAX, 0, &raw->ef[2],
	    &raw->len[2])) != JPKI_OK ||
	    (r = card_read_ef(c, 0x04, TEXT_EF_MAX, 0, &raw->ef[3],
	    &raw->len[3])) != JPKI_OK)
		goto out;
	r = JPKI_OK;
out:
	jpki_secure_zero(b, sizeof(b));
	if (r != JPKI_OK)
		jpki_text_raw_clear(raw);
	card_end(c);
	return r;
}
