/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Playback transport and library scripts for the card-layer fuzz harness
 * (card_script.h).  Every script goes through the public jpki_card_* API,
 * so the card layer's 61xx/6Cxx handling, the extended/short READ BINARY
 * fallback, reset recovery and each applet's response parsing see the
 * fuzzed answers exactly as they would from pcscd.
 */
#include <stdlib.h>
#include <string.h>

#include <jpki/jpki.h>

#include "card.h"
#include "card_script.h"

const char *const cs_op_names[CS_COUNT] = {
	"open", "token-info", "cert-avail", "read-cert", "read-serial",
	"pin-status", "verify-pin", "change-pin", "sign", "sign-pss",
	"text-mynumber", "text-attrs", "text-raw", "visual-read", "random",
	"logout", "transmit", "chain"
};

typedef struct {
	const uint8_t	*p;
	size_t		 left;
} playback_t;

static playback_t	pb;	/* one transport at a time (fuzzers are serial) */

/* Next answer: JPKI_OK with the bytes in *p and *n, or the transport error it stands for. */
static int
next(const uint8_t **p, size_t *n)
{
	static const int errs[] = { JPKI_ERR_CARD_RESET, JPKI_ERR_CARD_REMOVED,
	    JPKI_ERR_TRANSPORT, JPKI_ERR_TIMEOUT };
	size_t l;

	if (pb.left < 2)
		return JPKI_ERR_CARD_REMOVED;
	l = (size_t)pb.p[0] << 8 | pb.p[1];
	pb.p += 2;
	pb.left -= 2;
	if (l >= 0xFF00 && l <= 0xFF03)
		return errs[l - 0xFF00];
	if (l > pb.left)
		l = pb.left;
	*p = pb.p;
	*n = l;
	pb.p += l;
	pb.left -= l;
	return JPKI_OK;
}

static int
pb_transmit(transport_t *t, const uint8_t *cmd, size_t cmd_len, uint8_t *rsp,
    size_t *rsp_len)
{
	const uint8_t *p;
	size_t n;
	int r;

	(void)t;
	if (cmd == NULL || cmd_len < 4 || cmd_len > APDU_MAX_CMD)
		abort();	/* the card layer never sends such a command */
	if ((r = next(&p, &n)) != JPKI_OK)
		return r;
	/* as pcsc-lite: an answer larger than the buffer is an error */
	if (n > *rsp_len)
		return JPKI_ERR_TRANSPORT;
	memcpy(rsp, p, n);
	*rsp_len = n;
	return JPKI_OK;
}

static int
pb_begin(transport_t *t)
{
	(void)t;
	return JPKI_OK;
}

static void
pb_end(transport_t *t)
{
	(void)t;
}

static int
pb_reconnect(transport_t *t)
{
	(void)t;
	return JPKI_OK;
}

static void
pb_close(transport_t *t, int reset)
{
	(void)t;
	(void)reset;
}

/* The first chunk: asked once by jpki_card_open (card.c io_open). */
static int
pb_atr(transport_t *t, uint8_t *atr, size_t *len)
{
	const uint8_t *p;
	size_t n;
	int r;

	(void)t;
	if ((r = next(&p, &n)) != JPKI_OK)
		return r;
	if (n > *len)
		n = *len;
	memcpy(atr, p, n);
	*len = n;
	return JPKI_OK;
}

const transport_ops_t cs_playback_ops = {
	pb_transmit, pb_begin, pb_end, pb_reconnect, pb_close, NULL, pb_atr
};

void
cs_playback_start(const uint8_t *data, size_t len)
{
	pb.p = data;
	pb.left = len;
}

void
cs_playback_init(transport_t *t, const uint8_t *data, size_t len)
{
	size_t n = sizeof(t->atr);

	memset(t, 0, sizeof(*t));
	t->ops = &cs_playback_ops;
	t->ext_hint = -1;
	cs_playback_start(data, len);
	if (pb_atr(t, t->atr, &n) == JPKI_OK)
		t->atr_len = n;
}

static void
check_tries(int tries)
{
	if (tries < -1 || tries > 15)
		abort();	/* SW 63Cx carries 0..15 */
}

static void
check_str(const char *s, size_t cap)
{
	if (memchr(s, '\0', cap) == NULL)
		abort();
}

/* The PIN a script verifies for kind (the recorder's profile has these). */
static const char *
pin_for(jpki_pin_kind_t kind)
{
	switch (kind) {
	case JPKI_PIN_AUTH:
		return CS_PIN_AUTH;
	case JPKI_PIN_SIGN:
		return CS_PIN_SIGN;
	case JPKI_PIN_TEXT:
		return CS_PIN_TEXT;
	case JPKI_PIN_TEXT_A:
	case JPKI_PIN_VISUAL_A:
		return CS_MYNUMBER;
	default:
		return "12345678901234";	/* 照合番号B: wrong on purpose */
	}
}

static int
verify(jpki_card_t *c, jpki_pin_kind_t kind)
{
	int r, tries = -2;

	r = jpki_card_verify_pin(c, kind, pin_for(kind), 0, &tries);
	check_tries(tries);
	return r;
}

static int run_op(jpki_card_t *, unsigned, unsigned);

/* The steps of CS_CHAIN; it goes on after a failed step, as long as the
 * card is still open (an application retries another call). */
static int
chain(jpki_card_t *c, unsigned arg)
{
	static const unsigned steps[] = { CS_TOKEN_INFO, CS_CERT_AVAIL,
	    CS_READ_CERT, CS_READ_SERIAL, CS_PIN_STATUS, CS_SIGN };
	size_t	i;
	int	r = JPKI_OK, rr;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (jpki_card_reader(c) == NULL)
			break;
		/* the sign PIN's status before signing with the sign key */
		rr = run_op(c, steps[i], steps[i] == CS_PIN_STATUS ?
		    ((arg & 1) ? 1u : 0u) : arg);
		if (rr != JPKI_OK && r == JPKI_OK)
			r = rr;
	}
	return r;
}

static int
run_op(jpki_card_t *c, unsigned op, unsigned arg)
{
	jpki_token_info_t ti = { .size = sizeof(ti) };
	jpki_text_attrs_t ta = { .size = sizeof(ta) };
	jpki_text_raw_t	  tr = { .size = sizeof(tr) };
	jpki_visual_raw_t vr = { .size = sizeof(vr) };
	uint8_t		  buf[300], sig[256], *der = NULL;
	size_t		  n, i;
	char		  mn[13];
	int		  r, a, s, tries = -2;
	jpki_cert_kind_t  ck = (jpki_cert_kind_t)(1 + arg % 4);
	jpki_pin_kind_t	  pk = (jpki_pin_kind_t)(1 + arg % 7);
	jpki_key_t	  key = (arg & 1) ? JPKI_KEY_SIGN : JPKI_KEY_AUTH;

	switch (op) {
	case CS_OPEN:
		r = jpki_card_check(c);
		if (r == JPKI_OK || r == JPKI_ERR_CARD_RESET)
			r = jpki_card_select_jpki(c);
		return r;
	case CS_TOKEN_INFO:
		if ((r = jpki_card_token_info(c, &ti)) == JPKI_OK) {
			check_str(ti.label, sizeof(ti.label));
			check_str(ti.manufacturer, sizeof(ti.manufacturer));
			check_str(ti.model, sizeof(ti.model));
			check_str(ti.serial, sizeof(ti.serial));
			check_str(ti.hw_version, sizeof(ti.hw_version));
			check_str(ti.fw_version, sizeof(ti.fw_version));
		}
		return r;
	case CS_CERT_AVAIL:
		a = s = -5;
		r = jpki_card_cert_available(c, &a, &s);
		if (r == JPKI_OK && ((a != 0 && a != 1) || (s != 0 && s != 1)))
			abort();
		return r;
	case CS_READ_CERT:
		if (ck == JPKI_CERT_SIGN && (r = verify(c, JPKI_PIN_SIGN)) !=
		    JPKI_OK)
			return r;
		if ((r = jpki_card_read_cert(c, ck, &der, &n)) == JPKI_OK) {
			if (der == NULL || n == 0 || n > JPKI_MAX_CERT)
				abort();
			for (i = 0, a = 0; i < n; i++)
				a += der[i];	/* ASan: all n bytes are there */
			jpki_free_secret(der, n);
		} else if (der != NULL)
			abort();
		return r;
	case CS_READ_SERIAL:
		n = sizeof(buf);
		if ((r = jpki_card_read_serial(c, ck, buf, &n)) == JPKI_OK &&
		    (n == 0 || n > sizeof(buf)))
			abort();
		return r;
	case CS_PIN_STATUS:
		r = jpki_card_pin_status(c, pk, &tries);
		check_tries(tries);
		return r;
	case CS_VERIFY_PIN:
		return verify(c, pk);
	case CS_CHANGE_PIN:
		pk = (arg & 1) ? JPKI_PIN_SIGN : JPKI_PIN_AUTH;
		r = jpki_card_change_pin(c, pk, pin_for(pk),
		    pk == JPKI_PIN_AUTH ? "4321" : "XYZ789", 0, &tries);
		check_tries(tries);
		return r;
	case CS_SIGN:
		if ((r = verify(c, key == JPKI_KEY_SIGN ? JPKI_PIN_SIGN :
		    JPKI_PIN_AUTH)) != JPKI_OK)
			return r;
		memset(buf, 0x5A, 32);
		n = sizeof(sig);
		r = jpki_card_sign(c, key, JPKI_HASH_SHA256, buf, 32, sig, &n);
		if (r == JPKI_OK && (n == 0 || n > sizeof(sig)))
			abort();
		return r;
	case CS_SIGN_PSS:
		if ((r = verify(c, key == JPKI_KEY_SIGN ? JPKI_PIN_SIGN :
		    JPKI_PIN_AUTH)) != JPKI_OK)
			return r;
		memset(buf, 0xA5, 32);
		n = sizeof(sig);
		r = jpki_card_sign_pss(c, key, buf, 32, sig, &n);
		if (r == JPKI_OK && (n == 0 || n > sizeof(sig)))
			abort();
		return r;
	case CS_TEXT_MYNUMBER:
		if ((r = verify(c, JPKI_PIN_TEXT)) != JPKI_OK)
			return r;
		if ((r = jpki_card_text_mynumber(c, mn)) == JPKI_OK) {
			if (strlen(mn) != 12 ||
			    strspn(mn, "0123456789") != 12)
				abort();
		}
		jpki_secure_zero(mn, sizeof(mn));
		return r;
	case CS_TEXT_ATTRS:
		if ((r = verify(c, JPKI_PIN_TEXT)) != JPKI_OK)
			return r;
		JPKI_INIT(&ta);
		if ((r = jpki_card_text_attrs(c, &ta)) == JPKI_OK) {
			if (ta.name == NULL || ta.address == NULL)
				abort();
			check_str(ta.birth, sizeof(ta.birth));
		}
		jpki_text_attrs_clear(&ta);
		return r;
	case CS_TEXT_RAW:
		if ((r = verify(c, JPKI_PIN_TEXT)) != JPKI_OK)
			return r;
		JPKI_INIT(&tr);
		if ((r = jpki_card_text_raw(c, &tr)) == JPKI_OK) {
			for (i = 0; i < 4; i++)
				if (tr.ef[i] == NULL || tr.len[i] > JPKI_MAX_EF)
					abort();
		}
		jpki_text_raw_clear(&tr);
		return r;
	case CS_VISUAL_READ:
		if ((r = verify(c, JPKI_PIN_VISUAL_A)) != JPKI_OK)
			return r;
		JPKI_INIT(&vr);
		if ((r = jpki_card_visual_read(c, &vr)) == JPKI_OK) {
			if (vr.face == NULL || vr.info == NULL ||
			    vr.cvc == NULL || vr.face_len > JPKI_MAX_EF ||
			    vr.info_len > JPKI_MAX_EF ||
			    vr.cvc_len > JPKI_MAX_EF)
				abort();
		}
		jpki_visual_raw_clear(&vr);
		return r;
	case CS_RANDOM:
		return jpki_card_random(c, buf, 8 + arg % 292);
	case CS_LOGOUT:
		return jpki_card_logout(c);
	case CS_TRANSMIT:
		n = sizeof(buf);
		memcpy(buf, "\x00\x84\x00\x00\x08", 5);
		r = jpki_card_transmit(c, buf, 5, buf, &n);
		if (r == JPKI_OK && (n < 2 || n > sizeof(buf)))
			abort();
		return r;
	case CS_CHAIN:
		return chain(c, arg);
	default:
		return JPKI_ERR_ARG;
	}
}

int
cs_run(jpki_card_t *c, unsigned op, unsigned arg)
{
	unsigned flags = 0;
	int r;

	/* arg bit 7: short APDUs only (the chunked READ BINARY path) */
	if (arg & 0x80)
		flags |= JPKI_OPEN_SHORT_ONLY;
	/* the 券面 APs' scripts select their own AP */
	if (op == CS_TEXT_MYNUMBER || op == CS_TEXT_ATTRS ||
	    op == CS_TEXT_RAW || op == CS_VISUAL_READ ||
	    (op == CS_VERIFY_PIN && 1 + arg % 7 > JPKI_PIN_SIGN))
		flags |= JPKI_OPEN_NO_SELECT;
	if ((r = jpki_card_open(c, NULL, 0, flags)) != JPKI_OK)
		return r;
	r = run_op(c, op % CS_COUNT, arg);
	jpki_card_close(c);
	return r;
}
