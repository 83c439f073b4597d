/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Card layer: one APDU with 61xx/6Cxx handling, transactions with reset
 * recovery, application selection and whole-file reads.  Applet code
 * (ap_jpki.c, ap_text.c) is written on top of these.
 */
#ifndef JPKI_CARD_H
#define JPKI_CARD_H

#include <stddef.h>
#include <stdint.h>

#include <jpki/jpki.h>

#include "apdu.h"
#include "transport.h"

enum {
	AP_NONE = 0,
	AP_JPKI,	/* 公的個人認証AP */
	AP_TEXT,	/* 券面事項入力補助AP */
	AP_VISUAL,	/* 券面事項確認AP */
	AP_COMMON,	/* 共通カードAP */
	AP_COUNT
};

struct jpki_card {
	transport_t	*t;
	unsigned	 flags;		/* JPKI_OPEN_* */
	int		 ap;		/* AP selected now (AP_NONE: unknown) */
	int		 ext;		/* extended READ BINARY: -1 ?, 0 no, 1 yes */
	int		 ext_used;
	int		 reset_on_close;
	int		 tx_depth;
	int		 recovering;
	unsigned long	 resets;	/* resets recovered from */
	unsigned long	 resets_told;	/* of which reported by check */
	jpki_stats_t	 st;
	/* card_new_with_transport: the backend jpki_card_open connects to
	 * instead of PC/SC (NULL: PC/SC), and the transport it gets */
	const transport_ops_t	*io_ops;
	void			*io_ctx;
	transport_t		 io_t;
	uint8_t		*cmd;		/* APDU_MAX_CMD bytes, wiped after use */
	uint8_t		*rsp;		/* APDU_MAX_RSP bytes, wiped after use */
};

/*
 * A card whose jpki_card_open() connects through ops instead of PC/SC
 * (libfido2's fido_dev_set_io_functions): the unit tests' scripted card
 * and the fuzzers' playback drive the whole card layer in process,
 * including jpki_card_open's AP selection and JPKI_OPEN_* flags.  ops and
 * ctx are borrowed and must outlive the card; the transport_t the ops get
 * belongs to the card (t->priv == ctx).  The reader argument of
 * jpki_card_open is ignored; jpki_card_reader() reports "in-process".
 * Free with jpki_card_free().  Internal: not exported (libjpki.map).
 */
int	card_new_with_transport(jpki_card_t **out, const transport_ops_t *ops,
	    void *ctx);

/* card_cmd flags */
#define CMD_REDACT	0x01	/* the response carries personal data */
#define CMD_SECRET	0x02	/* the command carries a PIN */

/* A response: data points into card->rsp, valid until the next command. */
typedef struct {
	const uint8_t	*data;
	size_t		 len;
	uint16_t	 sw;
} rapdu_t;

/* Send one command; transport errors are returned, SWs are in r->sw. */
int	card_cmd(jpki_card_t *c, const apdu_t *a, unsigned fl, rapdu_t *r);
/* Wipe the response buffer (after personal data was copied out). */
void	card_wipe_rsp(jpki_card_t *c, size_t len);

/*
 * Transactions (nestable).  card_begin returns JPKI_ERR_CARD_RESET after
 * recovering from a reset by another process: the connection is back and
 * the AP re-selected, but every verified PIN is gone; the transaction is
 * held then (as with JPKI_OK) and the caller must card_end() it.  On any
 * other error nothing is held.  card_begin_pin() is for operations that
 * stop at a reset (they need a verified PIN): it holds nothing unless it
 * returns JPKI_OK.
 */
int	card_begin(jpki_card_t *c);
int	card_begin_pin(jpki_card_t *c);
void	card_end(jpki_card_t *c);

int	card_select_ap(jpki_card_t *c, int ap);
int	card_select_ef(jpki_card_t *c, uint16_t fid);

/*
 * Read a whole EF that holds one BER-TLV object (a certificate, a text AP
 * record) of at most max bytes, by its SFI.  Extended-length READ BINARY
 * when possible, else short chunks; the fallback is automatic.  *out is
 * owned by the caller (free; jpki_free_secret with CMD_REDACT).
 */
int	card_read_ef(jpki_card_t *c, uint8_t sfi, size_t max, unsigned fl,
	    uint8_t **out, size_t *len);
/* One short READ BINARY of n (1..256) bytes at offset 0 of EF sfi. */
int	card_read_head(jpki_card_t *c, uint8_t sfi, size_t n, unsigned fl,
	    uint8_t *out, size_t *len);

#endif /* JPKI_CARD_H */
