/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <stdlib.h>
#include <string.h>

#include <jpki/jpki.h>

#include "abi.h"
#include "card.h"
#include "log.h"
#include "secure.h"
#include "tlv.h"

/* Application identifiers (jpki-card.md §2). */
static const struct {
	const char	*name;
	uint8_t		 aid[10];
} aps[AP_COUNT] = {
	[AP_JPKI] = { "JPKI", { 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00,
	    0x00, 0x00, 0x01 } },
	[AP_TEXT] = { "text", { 0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01,
	    0x01, 0x04, 0x08 } },
	[AP_VISUAL] = { "visual", { 0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01,
	    0x01, 0x04, 0x02 } },
	[AP_COMMON] = { "common", { 0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01,
	    0x01, 0x01, 0x00 } },
};

/* Bound on GET RESPONSE rounds for one command (61xx chains). */
#define MAX_GET_RESPONSE	300

int
jpki_card_new(jpki_card_t **out)
{
	jpki_card_t *c;

	if (out == NULL)
		return JPKI_ERR_ARG;
	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return JPKI_ERR_NOMEM;
	if ((c->cmd = malloc(APDU_MAX_CMD)) == NULL ||
	    (c->rsp = malloc(APDU_MAX_RSP)) == NULL) {
		free(c->cmd);
		free(c);
		return JPKI_ERR_NOMEM;
	}
	c->ext = -1;
	*out = c;
	return JPKI_OK;
}

void
jpki_card_close(jpki_card_t *c)
{
	if (c == NULL || c->t == NULL)
		return;
	while (c->tx_depth > 0)
		card_end(c);
	c->t->ops->close(c->t, c->reset_on_close);
	c->t = NULL;
	c->ap = AP_NONE;
	c->ext = -1;
}

void
jpki_card_free(jpki_card_t **cp)
{
	jpki_card_t *c;

	if (cp == NULL || (c = *cp) == NULL)
		return;
	jpki_card_close(c);
	jpki_free_secret(c->cmd, APDU_MAX_CMD);
	jpki_free_secret(c->rsp, APDU_MAX_RSP);
	free(c);
	*cp = NULL;
}

int
jpki_card_set_reset_on_close(jpki_card_t *c, int on)
{
	if (c == NULL)
		return JPKI_ERR_ARG;
	c->reset_on_close = on != 0;
	return JPKI_OK;
}

/* Take over an open transport; a failure closes it. */
static int
attach(jpki_card_t *c, transport_t *t, unsigned flags)
{
	int r;

	c->t = t;
	c->flags = flags;
	c->ap = AP_NONE;
	c->ext = (flags & JPKI_OPEN_SHORT_ONLY) ? 0 : c->t->ext_hint;
	c->ext_used = 0;
	if ((flags & JPKI_OPEN_NO_SELECT) == 0) {
		r = jpki_card_select_jpki(c);
		if (r != JPKI_OK) {
			jpki_card_close(c);
			return r;
		}
	}
	return JPKI_OK;
}

int
card_new_with_transport(jpki_card_t **out, const transport_ops_t *ops,
    void *ctx)
{
	jpki_card_t	*c = NULL;
	int		 r;

	if (out == NULL)
		return JPKI_ERR_ARG;
	*out = NULL;
	if (ops == NULL || ops->transmit == NULL || ops->begin == NULL ||
	    ops->end == NULL || ops->reconnect == NULL || ops->close == NULL)
		return JPKI_ERR_ARG;
	if ((r = jpki_card_new(&c)) != JPKI_OK)
		return r;
	c->io_ops = ops;
	c->io_ctx = ctx;
	*out = c;
	return JPKI_OK;
}

/* "Connect" to an injected backend: the card's own transport_t. */
static int
io_open(jpki_card_t *c, transport_t **out)
{
	static char	 name[] = "in-process";
	transport_t	*t = &c->io_t;
	size_t		 n = sizeof(t->atr);
	int		 r;

	memset(t, 0, sizeof(*t));
	t->ops = c->io_ops;
	t->priv = c->io_ctx;
	t->ext_hint = -1;
	t->reader = name;	/* never freed: io backends do not own t */
	if (t->ops->atr != NULL) {
		if ((r = t->ops->atr(t, t->atr, &n)) != JPKI_OK)
			return r;
		t->atr_len = n > sizeof(t->atr) ? sizeof(t->atr) : n;
	}
	*out = t;
	return JPKI_OK;
}

int
jpki_card_open(jpki_card_t *c, const char *reader, int wait_ms,
    unsigned flags)
{
	transport_t *t;
	int r;

	if (c == NULL)
		return JPKI_ERR_ARG;
	jpki_card_close(c);
	if (c->io_ops != NULL)
		r = io_open(c, &t);
	else
		r = pcsc_transport_open(reader, wait_ms, &t);
	if (r != JPKI_OK)
		return r;
	return attach(c, t, flags);
}

const char *
jpki_card_reader(const jpki_card_t *c)
{
	return (c == NULL || c->t == NULL) ? NULL : c->t->reader;
}

int
jpki_card_atr(const jpki_card_t *c, uint8_t *atr, size_t *len)
{
	if (c == NULL || c->t == NULL || atr == NULL || len == NULL)
		return JPKI_ERR_ARG;
	if (*len < c->t->atr_len)
		return JPKI_ERR_TOO_LARGE;
	memcpy(atr, c->t->atr, c->t->atr_len);
	*len = c->t->atr_len;
	return JPKI_OK;
}

/*
 * PC/SC part 3 §3.1.3.2.3: a reader synthesises the ATR of an ISO 14443-4
 * card as 3B 8n 80 01 ...; a contact My Number Card sends 3B E0 00 ...
 */
int
jpki_card_is_contactless(const jpki_card_t *c)
{
	const uint8_t *a;

	if (c == NULL || c->t == NULL || c->t->atr_len < 4)
		return 0;
	a = c->t->atr;
	return a[0] == 0x3B && (a[1] & 0xF0) == 0x80 && a[2] == 0x80 &&
	    a[3] == 0x01;
}

int
jpki_card_stats(const jpki_card_t *c, jpki_stats_t *st)
{
	int r;

	if ((r = JPKI_STRUCT_OK(st)) != JPKI_OK)
		return r;
	if (c == NULL) {
		JPKI_STRUCT_ZERO(st);
		return JPKI_ERR_ARG;
	}
	JPKI_STRUCT_COPY(st, &c->st);
	return JPKI_OK;
}

int
jpki_card_stats_reset(jpki_card_t *c)
{
	if (c == NULL)
		return JPKI_ERR_ARG;
	memset(&c->st, 0, sizeof(c->st));
	return JPKI_OK;
}

int
jpki_card_extended_used(const jpki_card_t *c)
{
	return c != NULL && c->ext_used;
}

void
card_wipe_rsp(jpki_card_t *c, size_t len)
{
	jpki_secure_zero(c->rsp, len > APDU_MAX_RSP ? APDU_MAX_RSP : len);
}

static int
raw(jpki_card_t *c, const uint8_t *cmd, size_t cmd_len, uint8_t *rsp,
    size_t *rsp_len, unsigned fl, int ext)
{
	int r;

	if (c->t == NULL)
		return JPKI_ERR_NO_CARD;
	log_capdu(cmd, cmd_len);
	c->st.apdus++;
	c->st.bytes_sent += cmd_len;
	if (ext)
		c->st.extended_apdus++;
	r = c->t->ops->transmit(c->t, cmd, cmd_len, rsp, rsp_len);
	if (r != JPKI_OK) {
		log_debug("transmit failed: %s", jpki_strerror(r));
		return r;
	}
	c->st.bytes_received += *rsp_len;
	if (*rsp_len < 2) {
		log_debug("response of %zu bytes has no status word", *rsp_len);
		return JPKI_ERR_TRANSPORT;
	}
	log_rapdu(rsp, *rsp_len, (fl & CMD_REDACT) != 0);
	return JPKI_OK;
}

/* After SCARD_W_RESET_CARD: reconnect and re-select what was selected. */
static int
recover_reset(jpki_card_t *c)
{
	int prev = c->ap, r;

	log_debug("card was reset by another program; PIN state is lost");
	c->ap = AP_NONE;
	c->resets++;
	if (c->recovering)
		return JPKI_ERR_CARD_RESET;
	c->recovering = 1;
	r = c->t->ops->reconnect(c->t);
	if (r == JPKI_OK && prev != AP_NONE)
		r = card_select_ap(c, prev);
	c->recovering = 0;
	if (r == JPKI_OK || r == JPKI_ERR_CARD_RESET)
		return JPKI_ERR_CARD_RESET;
	return r;
}

int
card_cmd(jpki_card_t *c, const apdu_t *a, unsigned fl, rapdu_t *r)
{
	apdu_t	 again;
	uint8_t	 getrsp[5] = { 0x00, 0xC0, 0x00, 0x00, 0x00 };
	size_t	 cmd_len = 0, total = 0, n;
	int	 rc, rounds = 0, ext;
	uint8_t	 sw1, sw2;

	memset(r, 0, sizeof(*r));
	if ((rc = apdu_encode(a, c->cmd, APDU_MAX_CMD, &cmd_len)) != JPKI_OK)
		return rc;
	ext = apdu_is_extended(a);
	n = APDU_MAX_RSP;
	rc = raw(c, c->cmd, cmd_len, c->rsp, &n, fl, ext);
	if (rc == JPKI_OK && n >= 2 && c->rsp[n - 2] == 0x6C && a->le > 0) {
		/* 6Cxx: wrong Le, resend once with the exact length (T=0) */
		again = *a;
		again.le = c->rsp[n - 1] == 0 ? 256 : c->rsp[n - 1];
		if (fl & CMD_SECRET)
			jpki_secure_zero(c->cmd, cmd_len);
		if ((rc = apdu_encode(&again, c->cmd, APDU_MAX_CMD, &cmd_len)) ==
		    JPKI_OK) {
			n = APDU_MAX_RSP;
			rc = raw(c, c->cmd, cmd_len, c->rsp, &n, fl, ext);
		}
	}
	if (fl & CMD_SECRET)
		jpki_secure_zero(c->cmd, cmd_len);
	if (rc == JPKI_ERR_CARD_RESET)
		return recover_reset(c);
	if (rc != JPKI_OK)
		return rc;
	/* 61xx: more data waiting, fetch with GET RESPONSE (ISO 7816-4 §7.6) */
	for (;;) {
		sw1 = c->rsp[total + n - 2];
		sw2 = c->rsp[total + n - 1];
		total += n - 2;
		if (sw1 != 0x61)
			break;
		if (++rounds > MAX_GET_RESPONSE || total + 258 > APDU_MAX_RSP)
			return JPKI_ERR_TOO_LARGE;
		getrsp[4] = sw2;
		n = APDU_MAX_RSP - total;
		if ((rc = raw(c, getrsp, sizeof(getrsp), c->rsp + total, &n, fl,
		    0)) != JPKI_OK)
			return rc == JPKI_ERR_CARD_RESET ? recover_reset(c) : rc;
	}
	r->data = c->rsp;
	r->len = total;
	r->sw = SW(sw1, sw2);
	return JPKI_OK;
}

int
card_begin(jpki_card_t *c)
{
	int r;

	if (c == NULL || c->t == NULL)
		return JPKI_ERR_NO_CARD;
	if (c->tx_depth > 0) {
		c->tx_depth++;
		return JPKI_OK;
	}
	r = c->t->ops->begin(c->t);
	if (r == JPKI_ERR_CARD_RESET) {
		r = recover_reset(c);
		/* recovered: the transaction itself can now be taken.  Not
		 * after a failed recovery, whose callers return at once and
		 * would leave it held (issue 11) */
		if (r != JPKI_ERR_CARD_RESET)
			return r;
		if ((r = c->t->ops->begin(c->t)) != JPKI_OK)
			return r;
		c->tx_depth = 1;
		return JPKI_ERR_CARD_RESET;
	}
	if (r == JPKI_OK)
		c->tx_depth = 1;
	return r;
}

int
card_begin_pin(jpki_card_t *c)
{
	int r;

	/* the PIN is gone with the reset: report it, and let go of the
	 * transaction card_begin() took, which no card_end() would release
	 * (issue 11: another program's SCardBeginTransaction hung) */
	if ((r = card_begin(c)) == JPKI_ERR_CARD_RESET)
		card_end(c);
	return r;
}

void
card_end(jpki_card_t *c)
{
	if (c == NULL || c->t == NULL || c->tx_depth == 0)
		return;
	if (--c->tx_depth == 0)
		c->t->ops->end(c->t);
}

int
card_select_ap(jpki_card_t *c, int ap)
{
	apdu_t	a;
	rapdu_t	r;
	int	rc, tries;

	if (ap <= AP_NONE || ap >= AP_COUNT)
		return JPKI_ERR_ARG;
	if (c->ap == ap)
		return JPKI_OK;
	/* 00 A4 04 0C: select by DF name, no FCI (jpki-card.md §2.1) */
	memset(&a, 0, sizeof(a));
	a.ins = 0xA4;
	a.p1 = 0x04;
	a.p2 = 0x0C;
	a.data = aps[ap].aid;
	a.lc = sizeof(aps[ap].aid);
	c->ap = AP_NONE;
	if ((rc = card_cmd(c, &a, 0, &r)) != JPKI_OK)
		return rc;
	if ((rc = apdu_sw_to_err(r.sw, &tries)) != JPKI_OK) {
		log_debug("SELECT %s AP: SW %04X", aps[ap].name, r.sw);
		return rc;
	}
	c->ap = ap;
	return JPKI_OK;
}

int
card_select_ef(jpki_card_t *c, uint16_t fid)
{
	uint8_t	f[2] = { (uint8_t)(fid >> 8), (uint8_t)fid };
	apdu_t	a;
	rapdu_t	r;
	int	rc, tries;

	memset(&a, 0, sizeof(a));
	a.ins = 0xA4;
	a.p1 = 0x02;
	a.p2 = 0x0C;
	a.data = f;
	a.lc = sizeof(f);
	if ((rc = card_cmd(c, &a, 0, &r)) != JPKI_OK)
		return rc;
	return apdu_sw_to_err(r.sw, &tries);
}

static void
read_binary(apdu_t *a, uint8_t p1, uint8_t p2, size_t le, int ext)
{
	memset(a, 0, sizeof(*a));
	a->ins = 0xB0;
	a->p1 = p1;
	a->p2 = p2;
	a->le = le;
	a->extended = ext;
}

/* SW answers after which an extended READ BINARY is retried short. */
static int
ext_refused(int rc)
{
	return rc == JPKI_ERR_WRONG_LENGTH || rc == JPKI_ERR_INS_NOT_SUPPORTED ||
	    rc == JPKI_ERR_BAD_P1P2 || rc == JPKI_ERR_TRANSPORT ||
	    rc == JPKI_ERR_CONDITIONS;
}

int
card_read_head(jpki_card_t *c, uint8_t sfi, size_t n, unsigned fl,
    uint8_t *out, size_t *len)
{
	apdu_t	a;
	rapdu_t	r;
	int	rc, tries;

	*len = 0;
	if (n == 0 || n > 256 || sfi == 0 || sfi > 30)
		return JPKI_ERR_ARG;
	/* P1 = 80 | SFI: read by short EF identifier, offset P2 (ISO
	 * 7816-4 §11.2.3); the EF becomes the current EF. */
	read_binary(&a, (uint8_t)(0x80 | sfi), 0, n, 0);
	if ((rc = card_cmd(c, &a, fl, &r)) != JPKI_OK)
		return rc;
	if ((rc = apdu_sw_to_err(r.sw, &tries)) != JPKI_OK)
		return rc;
	if (r.len == 0 || r.len > n)
		return JPKI_ERR_PARSE;
	memcpy(out, r.data, r.len);
	*len = r.len;
	if (fl & CMD_REDACT)
		card_wipe_rsp(c, r.len);
	return JPKI_OK;
}

/* Total size of the TLV object that starts the file, from its header. */
static int
object_size(const uint8_t *p, size_t n, size_t max, size_t *total)
{
	uint32_t tag;
	size_t	 hdr;

	if (tlv_header(p, n, &tag, &hdr, total) != JPKI_OK)
		return JPKI_ERR_PARSE;
	if (*total > max)
		return JPKI_ERR_TOO_LARGE;
	return JPKI_OK;
}

int
card_read_ef(jpki_card_t *c, uint8_t sfi, size_t max, unsigned fl,
    uint8_t **out, size_t *len)
{
	buf_wr_t w;
	apdu_t	 a;
	rapdu_t	 r;
	size_t	 total = 0, got, chunk, outlen;
	int	 rc, tries;

	*out = NULL;
	*len = 0;
	if (sfi == 0 || sfi > 30 || max == 0 || max > JPKI_MAX_EF)
		return JPKI_ERR_ARG;
	buf_wr_init(&w, max, (fl & CMD_REDACT) != 0);
	/* 1. the whole file in one extended READ BINARY (Le = 65536) */
	if (c->ext != 0) {
		read_binary(&a, (uint8_t)(0x80 | sfi), 0, APDU_MAX_LE, 1);
		rc = card_cmd(c, &a, fl, &r);
		if (rc == JPKI_OK)
			rc = apdu_sw_to_err(r.sw, &tries);
		if (rc == JPKI_OK) {
			c->ext = 1;
			c->ext_used = 1;
			if ((rc = object_size(r.data, r.len, max, &total)) !=
			    JPKI_OK)
				goto out;
			if (total > r.len) {
				rc = JPKI_ERR_PARSE;
				goto out;
			}
			buf_put_bytes(&w, r.data, total);
			goto done;
		}
		if (!ext_refused(rc))
			goto out;
		log_debug("extended READ BINARY refused (%s); using short APDUs",
		    jpki_strerror_name(rc));
		c->ext = 0;
	}
	/* 2. short: the first 256 bytes tell the size, then offset reads */
	read_binary(&a, (uint8_t)(0x80 | sfi), 0, 256, 0);
	if ((rc = card_cmd(c, &a, fl, &r)) != JPKI_OK)
		goto out;
	if ((rc = apdu_sw_to_err(r.sw, &tries)) != JPKI_OK)
		goto out;
	if ((rc = object_size(r.data, r.len, max, &total)) != JPKI_OK)
		goto out;
	got = r.len < total ? r.len : total;
	buf_put_bytes(&w, r.data, got);
	while (got < total) {
		chunk = total - got > 256 ? 256 : total - got;
		if (got > 0x7FFF) {	/* 15-bit offset, jpki-card.md §1 */
			rc = JPKI_ERR_TOO_LARGE;
			goto out;
		}
		read_binary(&a, (uint8_t)(got >> 8), (uint8_t)got, chunk, 0);
		if ((rc = card_cmd(c, &a, fl, &r)) != JPKI_OK)
			goto out;
		if ((rc = apdu_sw_to_err(r.sw, &tries)) != JPKI_OK) {
			if (r.sw == 0x6B00)	/* EOF before the object ended */
				rc = JPKI_ERR_PARSE;
			goto out;
		}
		if (r.len == 0 || r.len > chunk) {
			rc = JPKI_ERR_PARSE;
			goto out;
		}
		buf_put_bytes(&w, r.data, r.len);
		got += r.len;
	}
done:
	if (!buf_wr_ok(&w)) {
		rc = w.err;
		goto out;
	}
	if ((*out = buf_wr_take(&w, &outlen)) == NULL) {
		rc = JPKI_ERR_NOMEM;
		goto out;
	}
	*len = outlen;
	rc = JPKI_OK;
out:
	if (fl & CMD_REDACT)
		card_wipe_rsp(c, APDU_MAX_RSP);
	buf_wr_free(&w);
	return rc;
}

int
jpki_card_transmit(jpki_card_t *c, const uint8_t *apdu, size_t apdu_len,
    uint8_t *rsp, size_t *rsp_len)
{
	size_t	n = APDU_MAX_RSP;
	int	r;

	if (c == NULL || apdu == NULL || rsp == NULL || rsp_len == NULL ||
	    apdu_len < 4 || apdu_len > APDU_MAX_CMD)
		return JPKI_ERR_ARG;
	if ((r = raw(c, apdu, apdu_len, c->rsp, &n, 0, apdu_len > 261)) !=
	    JPKI_OK)
		return r == JPKI_ERR_CARD_RESET ? recover_reset(c) : r;
	if (n > *rsp_len)
		return JPKI_ERR_TOO_LARGE;
	memcpy(rsp, c->rsp, n);
	*rsp_len = n;
	/* a raw command may select anything: forget what we knew */
	c->ap = AP_NONE;
	return JPKI_OK;
}

int
jpki_card_select_jpki(jpki_card_t *c)
{
	int r;

	if (c == NULL)
		return JPKI_ERR_ARG;
	if ((r = card_begin(c)) != JPKI_OK && r != JPKI_ERR_CARD_RESET)
		return r;
	c->ap = AP_NONE;	/* an explicit select always goes to the card */
	r = card_select_ap(c, AP_JPKI);
	card_end(c);
	if (r == JPKI_ERR_FILE_NOT_FOUND || r == JPKI_ERR_INS_NOT_SUPPORTED ||
	    r == JPKI_ERR_BAD_P1P2 || r == JPKI_ERR_SW)
		r = JPKI_ERR_NOT_JPKI;
	return r;
}

int
jpki_card_check(jpki_card_t *c)
{
	int r = JPKI_OK;

	if (c == NULL || c->t == NULL)
		return JPKI_ERR_NO_CARD;
	if (c->t->ops->status != NULL)
		r = c->t->ops->status(c->t);
	if (r == JPKI_ERR_CARD_RESET)
		r = recover_reset(c);
	/* also report a reset that a PIN-free call recovered from silently */
	if (r == JPKI_OK && c->resets != c->resets_told)
		r = JPKI_ERR_CARD_RESET;
	if (r == JPKI_ERR_CARD_RESET)
		c->resets_told = c->resets;
	return r;
}
