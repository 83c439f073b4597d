/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * The card layer over an in-process scripted transport (the libfido2
 * regress/mock.c pattern).  The virtual card behind real pcscd covers the
 * normal paths in the integration tests; this covers what a well-behaved
 * card never sends: 61xx chains, 6Cxx, refused extended length, truncated
 * files, giant headers, a reset by another process in the middle.  The
 * card is made with card_new_with_transport() and opened with
 * jpki_card_open(), as an application opens it: every test's script starts
 * with the SELECT of the JPKI AP that the open sends.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jpki/jpki.h>

#include "card.h"
#include "transport.h"

#define MAXSTEP 16

#define SELECT_JPKI	"00A4040C0AD392F000260100000001"

typedef struct {
	const char	*cmd;	/* expected C-APDU, hex; "*" matches anything */
	const char	*rsp;	/* R-APDU hex, or NULL with err */
	int		 err;	/* transport error to return */
} step_t;

typedef struct {
	step_t	steps[MAXSTEP];
	size_t	n, at;
	int	reconnects;
	int	begin_reset;	/* the next begin reports a reset */
	int	held;		/* transactions begun and not ended */
	uint8_t	big[4096];	/* bulk data appended to a "+" response */
	size_t	big_len;
	const char *atr;	/* hex, NULL: the backend knows none */
	int	closes, close_reset;
} script_t;

static size_t
unhex(const char *h, uint8_t *out, size_t max)
{
	size_t	 n = 0;
	unsigned v;

	while (h[0] != '\0' && h[1] != '\0' && n < max) {
		if (h[0] == ' ') {
			h++;
			continue;
		}
		sscanf(h, "%2x", &v);
		out[n++] = (uint8_t)v;
		h += 2;
	}
	return n;
}

static int
s_transmit(transport_t *t, const uint8_t *cmd, size_t cmd_len, uint8_t *rsp,
    size_t *rsp_len)
{
	script_t	*s = t->priv;
	step_t		*st;
	uint8_t		 want[512];
	size_t		 n, off = 0;

	assert_true(s->at < s->n);
	st = &s->steps[s->at++];
	if (strcmp(st->cmd, "*") != 0) {
		n = unhex(st->cmd, want, sizeof(want));
		assert_int_equal(cmd_len, n);
		assert_memory_equal(cmd, want, n);
	}
	if (st->rsp == NULL)
		return st->err;
	if (st->rsp[0] == '+') {	/* bulk data, then the SW */
		memcpy(rsp, s->big, s->big_len);
		off = s->big_len;
		n = unhex(st->rsp + 1, rsp + off, *rsp_len - off);
	} else {
		n = unhex(st->rsp, rsp, *rsp_len);
	}
	*rsp_len = off + n;
	return JPKI_OK;
}

static int
s_begin(transport_t *t)
{
	script_t *s = t->priv;

	if (s->begin_reset) {
		s->begin_reset = 0;
		return JPKI_ERR_CARD_RESET;
	}
	s->held++;
	return JPKI_OK;
}

static void
s_end(transport_t *t)
{
	((script_t *)t->priv)->held--;
}

static int
s_reconnect(transport_t *t)
{
	((script_t *)t->priv)->reconnects++;
	return JPKI_OK;
}

static void
s_close(transport_t *t, int reset)
{
	script_t *s = t->priv;

	s->closes++;
	s->close_reset = reset;
}

static int
s_atr(transport_t *t, uint8_t *atr, size_t *len)
{
	script_t *s = t->priv;

	*len = s->atr == NULL ? 0 : unhex(s->atr, atr, *len);
	return JPKI_OK;
}

static const transport_ops_t s_ops = {
	s_transmit, s_begin, s_end, s_reconnect, s_close, NULL, s_atr
};

/*
 * A card opened on script s.  ext 0: JPKI_OPEN_SHORT_ONLY, else the
 * default (extended READ BINARY first).  ap AP_JPKI: the open selects the
 * JPKI AP (a SELECT step is put in front of the script); AP_NONE:
 * JPKI_OPEN_NO_SELECT.
 */
static jpki_card_t *
card_with(script_t *s, int ext, int ap)
{
	jpki_card_t	*c = NULL;
	unsigned	 fl = 0;

	assert_int_equal(card_new_with_transport(&c, &s_ops, s), JPKI_OK);
	assert_non_null(c);
	if (ext == 0)
		fl |= JPKI_OPEN_SHORT_ONLY;
	if (ap == AP_JPKI) {
		assert_true(s->n < MAXSTEP);
		memmove(&s->steps[1], &s->steps[0], s->n * sizeof(s->steps[0]));
		s->steps[0].cmd = SELECT_JPKI;
		s->steps[0].rsp = "9000";
		s->steps[0].err = 0;
		s->n++;
	} else {
		fl |= JPKI_OPEN_NO_SELECT;
	}
	assert_int_equal(jpki_card_open(c, "ignored", 0, fl), JPKI_OK);
	assert_int_equal(s->held, 0);
	return c;
}

static void
done(jpki_card_t **c, script_t *s)
{
	assert_int_equal(s->at, s->n);	/* every scripted APDU was used */
	jpki_card_free(c);
	assert_int_equal(s->held, 0);	/* no transaction left behind */
	assert_int_equal(s->closes, 1);
}

/* The constructor checks its vtable; the open reads the ATR through it. */
static void
test_new_and_open(void **state)
{
	static const transport_ops_t no_tx = {
		NULL, s_begin, s_end, s_reconnect, s_close, NULL, NULL
	};
	script_t	 s = { .n = 0, .atr = "3B8880010000000000000000" "00" };
	jpki_card_t	*c = (jpki_card_t *)1;
	uint8_t		 atr[33];
	size_t		 n = sizeof(atr);

	(void)state;
	assert_int_equal(card_new_with_transport(&c, &no_tx, &s),
	    JPKI_ERR_ARG);
	assert_null(c);
	assert_int_equal(card_new_with_transport(NULL, &s_ops, &s),
	    JPKI_ERR_ARG);
	c = card_with(&s, -1, AP_JPKI);
	assert_string_equal(jpki_card_reader(c), "in-process");
	assert_int_equal(jpki_card_atr(c, atr, &n), JPKI_OK);
	assert_int_equal(n, 13);
	assert_true(jpki_card_is_contactless(c));
	jpki_card_set_reset_on_close(c, 1);
	jpki_card_close(c);
	assert_int_equal(s.closes, 1);
	assert_int_equal(s.close_reset, 1);
	/* closed: no transport, nothing sent */
	assert_null(jpki_card_reader(c));
	assert_int_equal(jpki_card_check(c), JPKI_ERR_NO_CARD);
	s.closes = 0;
	s.at = s.n = 0;
	/* reopen on the same backend, without the SELECT */
	assert_int_equal(jpki_card_open(c, NULL, 0, JPKI_OPEN_NO_SELECT),
	    JPKI_OK);
	done(&c, &s);
}

/* A card without the JPKI AP: the open fails and closes the transport. */
static void
test_open_not_jpki(void **state)
{
	script_t	 s = { .n = 1, .steps = {
		{ SELECT_JPKI, "6A82", 0 } } };
	script_t	 s2 = { .n = 1, .steps = {
		{ SELECT_JPKI, NULL, JPKI_ERR_CARD_REMOVED } } };
	jpki_card_t	*c = NULL;

	(void)state;
	assert_int_equal(card_new_with_transport(&c, &s_ops, &s), JPKI_OK);
	assert_int_equal(jpki_card_open(c, NULL, 0, 0), JPKI_ERR_NOT_JPKI);
	assert_int_equal(s.closes, 1);
	assert_null(jpki_card_reader(c));
	jpki_card_free(&c);
	assert_int_equal(s.closes, 1);
	assert_int_equal(s.held, 0);
	/* the card leaves during the SELECT */
	assert_int_equal(card_new_with_transport(&c, &s_ops, &s2), JPKI_OK);
	assert_int_equal(jpki_card_open(c, NULL, 0, 0), JPKI_ERR_CARD_REMOVED);
	jpki_card_free(&c);
	assert_int_equal(s2.closes, 1);
	assert_int_equal(s2.held, 0);
}

/* A 300-byte "certificate": 30 82 01 28 + 296 bytes. */
static void
cert300(script_t *s)
{
	size_t i;

	s->big[0] = 0x30;
	s->big[1] = 0x82;
	s->big[2] = 0x01;
	s->big[3] = 0x28;
	for (i = 4; i < 300; i++)
		s->big[i] = (uint8_t)i;
	s->big_len = 300;
}

static void
test_read_extended_one_apdu(void **state)
{
	script_t	 s = { .n = 1, .steps = {
		{ "00B08A00000000", "+9000", 0 } } };
	jpki_card_t	*c;
	uint8_t		*der = NULL;
	size_t		 len = 0;

	cert300(&s);
	c = card_with(&s, -1, AP_JPKI);
	assert_int_equal(jpki_card_read_cert(c, JPKI_CERT_AUTH, &der, &len),
	    JPKI_OK);
	assert_int_equal(len, 300);
	assert_memory_equal(der, s.big, 300);
	assert_true(jpki_card_extended_used(c));
	free(der);
	done(&c, &s);
}

static void
test_read_extended_refused_falls_back(void **state)
{
	script_t	 s = { .n = 3, .steps = {
		{ "00B08A00000000", "6700", 0 },
		{ "00B08A0000", NULL, 0 },	/* filled below */
		{ "00B001002C", NULL, 0 } } };
	jpki_card_t	*c;
	uint8_t		*der = NULL, first[258], rest[50];
	size_t		 len = 0;
	char		 h1[600], h2[120];
	size_t		 i;

	cert300(&s);
	/* first 256 bytes, then the remaining 44 at offset 0x0100 */
	memcpy(first, s.big, 256);
	memcpy(rest, s.big + 256, 44);
	for (i = 0; i < 256; i++)
		snprintf(h1 + 2 * i, 3, "%02X", first[i]);
	strcpy(h1 + 512, "9000");
	for (i = 0; i < 44; i++)
		snprintf(h2 + 2 * i, 3, "%02X", rest[i]);
	strcpy(h2 + 88, "9000");
	s.steps[1].rsp = h1;
	s.steps[2].rsp = h2;
	s.big_len = 0;
	c = card_with(&s, -1, AP_JPKI);
	assert_int_equal(jpki_card_read_cert(c, JPKI_CERT_AUTH, &der, &len),
	    JPKI_OK);
	assert_int_equal(len, 300);
	assert_int_equal(der[299], (uint8_t)299);
	assert_false(jpki_card_extended_used(c));
	assert_int_equal(c->ext, 0);	/* remembered for the next read */
	free(der);
	done(&c, &s);
}

static void
test_read_truncated_file(void **state)
{
	/* header claims 0x128 + 4 bytes but the EF ends after 8 */
	script_t	 s = { .n = 2, .steps = {
		{ "00B08B0000", "3082012801020304" "9000", 0 },
		{ "00B0000800", "6B00", 0 } } };
	jpki_card_t	*c;
	uint8_t		*der = NULL;
	size_t		 len = 99;

	c = card_with(&s, 0, AP_JPKI);
	assert_int_equal(jpki_card_read_cert(c, JPKI_CERT_AUTH_CA, &der, &len),
	    JPKI_ERR_PARSE);
	assert_null(der);
	assert_int_equal(len, 0);
	done(&c, &s);
}

static void
test_read_giant_header(void **state)
{
	script_t	 s = { .n = 1, .steps = {
		{ "00B0810000", "3084FFFFFFFF00" "9000", 0 } } };
	script_t	 s2 = { .n = 1, .steps = {
		{ "00B0810000", "3082FFF0" "9000", 0 } } };
	jpki_card_t	*c;
	uint8_t		*der = NULL;
	size_t		 len = 0;

	c = card_with(&s, 0, AP_JPKI);
	assert_int_equal(jpki_card_read_cert(c, JPKI_CERT_SIGN, &der, &len),
	    JPKI_ERR_PARSE);
	done(&c, &s);
	/* a well-formed length beyond JPKI_MAX_CERT */
	c = card_with(&s2, 0, AP_JPKI);
	assert_int_equal(jpki_card_read_cert(c, JPKI_CERT_SIGN, &der, &len),
	    JPKI_ERR_TOO_LARGE);
	assert_null(der);
	done(&c, &s2);
}

static void
test_get_response_chain(void **state)
{
	script_t	 s = { .n = 3, .steps = {
		{ "00B0880003", "6102", 0 },
		{ "00C0000002", "8F8F" "6101", 0 },
		{ "00C0000001", "00" "9000", 0 } } };
	jpki_card_t	*c;
	int		 auth = -1, sign = -1;

	c = card_with(&s, 0, AP_JPKI);
	assert_int_equal(jpki_card_cert_available(c, &auth, &sign), JPKI_OK);
	assert_int_equal(auth, 1);
	assert_int_equal(sign, 1);
	done(&c, &s);
}

static void
test_wrong_le_6c(void **state)
{
	script_t	 s = { .n = 2, .steps = {
		{ "00B0880003", "6C02", 0 },
		{ "00B0880002", "8F00" "9000", 0 } } };
	jpki_card_t	*c;
	int		 auth = -1, sign = -1;

	c = card_with(&s, 0, AP_JPKI);
	assert_int_equal(jpki_card_cert_available(c, &auth, &sign), JPKI_OK);
	assert_int_equal(auth, 0);
	assert_int_equal(sign, 1);
	done(&c, &s);
}

static void
test_last_try_guard(void **state)
{
	/* one try left: the PIN must not be sent */
	script_t	 s = { .n = 1, .steps = {
		{ "00200098", "63C1", 0 } } };
	script_t	 s2 = { .n = 2, .steps = {
		{ "00200098", "63C1", 0 },
		{ "0020009804 31323334", "9000", 0 } } };
	jpki_card_t	*c;
	int		 t = 0;

	c = card_with(&s, 0, AP_JPKI);
	assert_int_equal(jpki_card_verify_pin(c, JPKI_PIN_AUTH, "1234", 0, &t),
	    JPKI_ERR_PIN_LAST_TRY);
	assert_int_equal(t, 1);
	done(&c, &s);
	c = card_with(&s2, 0, AP_JPKI);
	assert_int_equal(jpki_card_verify_pin(c, JPKI_PIN_AUTH, "1234",
	    JPKI_PIN_FORCE_LAST_TRY, &t), JPKI_OK);
	assert_int_equal(t, 3);
	done(&c, &s2);
}

static void
test_wrong_pin_and_locked(void **state)
{
	script_t	 s = { .n = 2, .steps = {
		{ "002000980", "63C3", 0 },
		{ "0020009804 31313131", "63C2", 0 } } };
	script_t	 s2 = { .n = 1, .steps = {
		{ "0020009B", "63C0", 0 } } };
	script_t	 s3 = { .n = 0 };
	jpki_card_t	*c;
	int		 t = 0;

	s.steps[0].cmd = "00200098";
	c = card_with(&s, 0, AP_JPKI);
	assert_int_equal(jpki_card_verify_pin(c, JPKI_PIN_AUTH, "1111", 0, &t),
	    JPKI_ERR_PIN_INCORRECT);
	assert_int_equal(t, 2);
	done(&c, &s);
	c = card_with(&s2, 0, AP_JPKI);
	assert_int_equal(jpki_card_verify_pin(c, JPKI_PIN_SIGN, "ABC123", 0,
	    &t), JPKI_ERR_PIN_LOCKED);
	assert_int_equal(t, 0);
	done(&c, &s2);
	/* a malformed PIN never reaches the card */
	c = card_with(&s3, 0, AP_JPKI);
	assert_int_equal(jpki_card_verify_pin(c, JPKI_PIN_SIGN, "AB", 0, &t),
	    JPKI_ERR_PIN_FORMAT);
	done(&c, &s3);
}

static void
test_reset_by_other_process(void **state)
{
	/* the reset surfaces on a transmit: reconnect, re-select, report */
	script_t	 s = { .n = 3, .steps = {
		{ "*", NULL, JPKI_ERR_CARD_RESET },
		{ "00A4040C0AD392F000260100000001", "9000", 0 },
		{ "00B08A0030", "3082010030820100A003020102020401020304" "9000",
		    0 } } };
	jpki_card_t	*c;
	uint8_t		 serial[20];
	size_t		 n = sizeof(serial);
	int		 t;

	c = card_with(&s, 0, AP_JPKI);
	assert_int_equal(jpki_card_sign(c, JPKI_KEY_AUTH, JPKI_HASH_NONE,
	    (const uint8_t *)"x", 1, serial, &n), JPKI_ERR_CARD_RESET);
	assert_int_equal(s.reconnects, 1);
	assert_int_equal(c->ap, AP_JPKI);
	/* nothing needing a PIN was replayed; a public read goes on */
	n = sizeof(serial);
	assert_int_equal(jpki_card_read_serial(c, JPKI_CERT_AUTH, serial, &n),
	    JPKI_OK);
	assert_int_equal(n, 4);
	assert_int_equal(serial[3], 0x04);
	/* the reset is reported once to a caller that keeps login state */
	assert_int_equal(jpki_card_check(c), JPKI_ERR_CARD_RESET);
	assert_int_equal(jpki_card_check(c), JPKI_OK);
	(void)t;
	done(&c, &s);
}

/*
 * Issue 11 (tests/faults/sweep.sh): a reset seen by SCardBeginTransaction
 * before an operation that needs the PIN returned JPKI_ERR_CARD_RESET with
 * the transaction still held, so another program's transaction waited for
 * as long as this one kept the card open (a PKCS#11 module in a browser).
 */
static void
test_reset_at_begin_releases_transaction(void **state)
{
	script_t	 s = { .n = 2, .steps = {
		{ "00A4040C0AD392F000260100000001", "9000", 0 },
		{ "00A4040C0AD392F000260100000001", "9000", 0 } } };
	jpki_card_t	*c;
	uint8_t		 sig[256], der[8], *cert = NULL;
	size_t		 n = sizeof(sig), cert_len = 0;

	(void)der;
	c = card_with(&s, 0, AP_JPKI);
	s.begin_reset = 1;
	assert_int_equal(jpki_card_sign(c, JPKI_KEY_AUTH, JPKI_HASH_NONE,
	    (const uint8_t *)"x", 1, sig, &n), JPKI_ERR_CARD_RESET);
	assert_int_equal(s.reconnects, 1);
	assert_int_equal(s.held, 0);
	assert_int_equal(c->tx_depth, 0);
	/* the sign certificate needs the PIN too */
	s.begin_reset = 1;
	assert_int_equal(jpki_card_read_cert(c, JPKI_CERT_SIGN, &cert,
	    &cert_len), JPKI_ERR_CARD_RESET);
	assert_null(cert);
	assert_int_equal(s.held, 0);
	assert_int_equal(c->tx_depth, 0);
	done(&c, &s);
}

static void
test_sign_builds_digestinfo(void **state)
{
	char		 want[200];
	uint8_t		 md[32], sig[256];
	size_t		 n = sizeof(sig), i;
	script_t	 s = { .n = 1 };
	jpki_card_t	*c;

	memset(md, 0xAB, sizeof(md));
	strcpy(want, "802A0097333031300D060960864801650304020105000420");
	for (i = 0; i < 32; i++)
		strcat(want, "AB");
	strcat(want, "00");
	s.steps[0].cmd = want;
	s.steps[0].rsp = "+9000";
	memset(s.big, 0x5A, 256);
	s.big_len = 256;
	c = card_with(&s, 0, AP_JPKI);
	assert_int_equal(jpki_card_sign(c, JPKI_KEY_AUTH, JPKI_HASH_SHA256, md,
	    sizeof(md), sig, &n), JPKI_OK);
	assert_int_equal(n, 256);
	assert_int_equal(sig[255], 0x5A);
	/* wrong digest length is refused before any APDU */
	n = sizeof(sig);
	assert_int_equal(jpki_card_sign(c, JPKI_KEY_AUTH, JPKI_HASH_SHA256, md,
	    31, sig, &n), JPKI_ERR_ARG);
	done(&c, &s);
}

/* Short-only mode: no extended APDU, chunks of 256 at growing offsets. */
static void
test_short_only_chunks(void **state)
{
	script_t	 s = { .n = 3, .steps = {
		{ "00B08A0000", NULL, 0 },
		{ "00B0010000", NULL, 0 },
		{ "00B0020004", NULL, 0 } } };
	static char	 h[3][600];
	uint8_t		 file[516], *der = NULL;
	size_t		 len = 0, i, off, k;
	jpki_card_t	*c;

	(void)state;
	file[0] = 0x30;
	file[1] = 0x82;
	file[2] = 0x02;
	file[3] = 0x00;			/* 4 + 512 bytes */
	for (i = 4; i < sizeof(file); i++)
		file[i] = (uint8_t)(i * 7);
	for (k = 0, off = 0; k < 3; k++) {
		size_t m = k < 2 ? 256 : 4;

		for (i = 0; i < m; i++)
			snprintf(h[k] + 2 * i, 3, "%02X", file[off + i]);
		strcpy(h[k] + 2 * m, "9000");
		s.steps[k].rsp = h[k];
		off += m;
	}
	c = card_with(&s, 0, AP_JPKI);
	assert_int_equal(jpki_card_read_cert(c, JPKI_CERT_AUTH, &der, &len),
	    JPKI_OK);
	assert_int_equal(len, sizeof(file));
	assert_memory_equal(der, file, sizeof(file));
	assert_false(jpki_card_extended_used(c));
	free(der);
	done(&c, &s);
}

/* The card leaves between two READ BINARY chunks: nothing half-read. */
static void
test_card_removed_mid_read(void **state)
{
	script_t	 s = { .n = 2, .steps = {
		{ "00B08A0000", "+9000", 0 },
		{ "00B0010000", NULL, JPKI_ERR_CARD_REMOVED } } };
	uint8_t		*der = (uint8_t *)1;
	size_t		 len = 1, i;
	jpki_card_t	*c;

	(void)state;
	s.big[0] = 0x30;
	s.big[1] = 0x82;
	s.big[2] = 0x02;
	s.big[3] = 0x00;
	for (i = 4; i < 256; i++)
		s.big[i] = (uint8_t)i;
	s.big_len = 256;
	c = card_with(&s, 0, AP_JPKI);
	assert_int_equal(jpki_card_read_cert(c, JPKI_CERT_AUTH, &der, &len),
	    JPKI_ERR_CARD_REMOVED);
	assert_null(der);
	assert_int_equal(len, 0);
	done(&c, &s);
}

/* Sign with the sign key: PIN verified, then COMPUTE DIGITAL SIGNATURE. */
static void
test_verify_then_sign(void **state)
{
	char		 want[200];
	uint8_t		 md[32], sig[256];
	size_t		 n = sizeof(sig), i;
	int		 t = -1;
	script_t	 s = { .n = 3, .steps = {
		{ "0020009B", "63C5", 0 },
		{ "0020009B06 414243313233", "9000", 0 },
		{ NULL, "+9000", 0 } } };
	jpki_card_t	*c;

	(void)state;
	memset(md, 0x11, sizeof(md));
	strcpy(want, "802A009A333031300D060960864801650304020105000420");
	for (i = 0; i < 32; i++)
		strcat(want, "11");
	strcat(want, "00");
	s.steps[2].cmd = want;
	memset(s.big, 0xC3, 256);
	s.big_len = 256;
	c = card_with(&s, -1, AP_JPKI);
	assert_int_equal(jpki_card_verify_pin(c, JPKI_PIN_SIGN, "abc123", 0,
	    &t), JPKI_OK);
	assert_int_equal(t, 5);
	assert_int_equal(jpki_card_sign(c, JPKI_KEY_SIGN, JPKI_HASH_SHA256, md,
	    sizeof(md), sig, &n), JPKI_OK);
	assert_int_equal(n, 256);
	assert_int_equal(sig[0], 0xC3);
	done(&c, &s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_and_open),
		cmocka_unit_test(test_open_not_jpki),
		cmocka_unit_test(test_short_only_chunks),
		cmocka_unit_test(test_card_removed_mid_read),
		cmocka_unit_test(test_verify_then_sign),
		cmocka_unit_test(test_read_extended_one_apdu),
		cmocka_unit_test(test_read_extended_refused_falls_back),
		cmocka_unit_test(test_read_truncated_file),
		cmocka_unit_test(test_read_giant_header),
		cmocka_unit_test(test_get_response_chain),
		cmocka_unit_test(test_wrong_le_6c),
		cmocka_unit_test(test_last_try_guard),
		cmocka_unit_test(test_wrong_pin_and_locked),
		cmocka_unit_test(test_reset_by_other_process),
		cmocka_unit_test(test_reset_at_begin_releases_transaction),
		cmocka_unit_test(test_sign_builds_digestinfo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
