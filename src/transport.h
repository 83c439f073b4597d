/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Transport interface (libfido2's fido_dev_io_t pattern): the card layer
 * talks to a card only through these operations, so PC/SC, an in-process
 * test backend or a fuzzer can sit underneath.  All errors are JPKI_ERR_*.
 *
 * Ownership: a backend's close() releases what the backend allocated.  The
 * PC/SC backend allocates its transport_t (pcsc_transport_open) and frees
 * it there; a backend given to card_new_with_transport() (card.h) is
 * handed a transport_t that the card owns, with priv = the caller's ctx.
 */
#ifndef JPKI_TRANSPORT_H
#define JPKI_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

typedef struct transport transport_t;

typedef struct {
	/* Send one C-APDU and receive the R-APDU (data || SW1 SW2). */
	int	(*transmit)(transport_t *t, const uint8_t *cmd, size_t cmd_len,
		    uint8_t *rsp, size_t *rsp_len);
	/* Exclusive access for a multi-APDU sequence. */
	int	(*begin)(transport_t *t);
	void	(*end)(transport_t *t);
	/* Re-establish the connection after a reset by someone else. */
	int	(*reconnect)(transport_t *t);
	/* Disconnect; with reset, power-cycle the card (no state survives). */
	void	(*close)(transport_t *t, int reset);
	/* Presence and reset state without an APDU (may be NULL). */
	int	(*status)(transport_t *t);
	/*
	 * The card's ATR, asked once when the card is opened (may be NULL).
	 * Only for backends given to card_new_with_transport(); the PC/SC
	 * backend fills t->atr itself.  *len holds the buffer size on entry.
	 */
	int	(*atr)(transport_t *t, uint8_t *atr, size_t *len);
} transport_ops_t;

struct transport {
	const transport_ops_t	*ops;
	void			*priv;
	/* 1 reader supports extended APDUs, 0 it does not, -1 unknown */
	int			 ext_hint;
	uint8_t			 atr[33];
	size_t			 atr_len;
	char			*reader;	/* owned */
};

/* PC/SC backend (transport_pcsc.c). */
int	pcsc_transport_open(const char *reader, int wait_ms, transport_t **t);
int	pcsc_reader_list(char ***names, size_t *count, int **present);


/*
 * Reader and card events for the kiosk API, on a PC/SC context of its own
 * (pcsc-lite serialises calls per context, house-style §2.7).
 */
enum {
	MON_READER_ADDED = 1,
	MON_READER_REMOVED,
	MON_CARD_INSERTED,
	MON_CARD_REMOVED,
	MON_SERVICE_LOST,
	MON_SERVICE_BACK
};

typedef struct {
	int	kind;
	char	reader[128];
} mon_event_t;

typedef struct pcsc_monitor pcsc_monitor_t;

int	pcsc_monitor_new(pcsc_monitor_t **m);
/*
 * Wait for the next event.  timeout_ms < 0 waits forever.  Returns JPKI_OK
 * with *ev filled, JPKI_ERR_TIMEOUT, or JPKI_ERR_CANCELLED.  Initial state:
 * readers present at creation are reported as MON_READER_ADDED, cards
 * already inserted as MON_CARD_INSERTED.
 */
int	pcsc_monitor_wait(pcsc_monitor_t *m, int timeout_ms, mon_event_t *ev);
/* Wake a waiting pcsc_monitor_wait() from any thread. */
void	pcsc_monitor_cancel(pcsc_monitor_t *m);
void	pcsc_monitor_free(pcsc_monitor_t **m);

#endif /* JPKI_TRANSPORT_H */
