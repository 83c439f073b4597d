/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Kiosk API: one person after another taps or inserts a My Number Card;
 * the kiosk reports reader and card events for every reader (contact and
 * contactless) and, on each inserted card, runs a "tap": identify the card
 * by selecting the JPKI AP (never by ATR, whose contactless form the reader
 * makes up), read the issuance number of the auth certificate, optionally
 * verify the certificate chain, and reset the card before the next person.
 *
 * Pull model (house-style §2.7): the caller loops on jpki_kiosk_wait().
 * A tap runs inside jpki_kiosk_wait() one step per call, so a user
 * interface sees each step as it completes:
 *
 *	CARD_INSERTED -> PROGRESS(IDENTIFIED) -> PROGRESS(READ)
 *	    [-> PROGRESS(VERIFIED)] -> TAP_DONE | TAP_FAILED ... CARD_REMOVED
 *
 * Every CARD_INSERTED is followed by exactly one TAP_DONE or TAP_FAILED
 * with the same tap_id (unless JPKI_KIOSK_NO_TAP).  A card pulled out at
 * any point of the tap gives TAP_FAILED with JPKI_ERR_CARD_REMOVED (or
 * another transport error) and the kiosk goes on with the next card.
 *
 * Recovery: the kiosk waits on a PC/SC context of its own.  When pcscd
 * stops it reports SERVICE_LOST, then polls; when pcscd is back it reports
 * SERVICE_BACK and READER_ADDED (and CARD_INSERTED) for what is there.
 * Readers unplugged and plugged back give READER_REMOVED / READER_ADDED.
 *
 * Between people: the card is always disconnected with a reset (power
 * cycle, SCARD_RESET_CARD), so no PIN or security state of one person
 * survives to the next (jpki-card.md §2.1; peers.md §4).
 *
 * Thread safety:
 *   - jpki_kiosk_wait() and jpki_kiosk_retap() must be called by one thread
 *     at a time (the kiosk's "owner" thread);
 *   - jpki_kiosk_cancel() may be called from any thread at any time (not
 *     from a signal handler: it takes a mutex).  A waiting
 *     jpki_kiosk_wait() returns JPKI_ERR_CANCELLED within 100 ms; a cancel
 *     while nobody waits makes the next jpki_kiosk_wait() return at once,
 *     so a cancel is never lost.  A tap that was running is aborted: the
 *     card is reset and a TAP_FAILED (JPKI_ERR_CANCELLED) event follows on
 *     the next call;
 *   - jpki_kiosk_free() only after every other call on the handle returned.
 *   Other libjpki handles (jpki_card_t) are independent of the kiosk.
 */
#ifndef JPKI_KIOSK_H
#define JPKI_KIOSK_H

#include <stddef.h>
#include <stdint.h>

#include <jpki/jpki.h>
#include <jpki/cert.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct jpki_kiosk jpki_kiosk_t;

typedef enum {
	JPKI_KIOSK_EV_NONE = 0,
	JPKI_KIOSK_EV_READER_ADDED,
	JPKI_KIOSK_EV_READER_REMOVED,
	JPKI_KIOSK_EV_CARD_INSERTED,	/* a tap starts (tap_id set) */
	JPKI_KIOSK_EV_CARD_REMOVED,
	JPKI_KIOSK_EV_SERVICE_LOST,	/* pcscd stopped: all readers gone */
	JPKI_KIOSK_EV_SERVICE_BACK,
	JPKI_KIOSK_EV_PROGRESS,		/* a step of the tap completed */
	JPKI_KIOSK_EV_TAP_DONE,		/* issuance number read */
	JPKI_KIOSK_EV_TAP_FAILED	/* error says why; card was reset */
} jpki_kiosk_ev_type_t;

typedef enum {
	JPKI_KIOSK_STEP_NONE = 0,
	JPKI_KIOSK_STEP_IDENTIFIED,	/* JPKI AP selected: a My Number Card */
	JPKI_KIOSK_STEP_READ,		/* issuance number (or cert) read */
	JPKI_KIOSK_STEP_VERIFIED	/* chain verified (JPKI_KIOSK_VERIFY) */
} jpki_kiosk_step_t;

/* Options flags. */
#define JPKI_KIOSK_FULL_CERT	0x01	/* read the whole auth certificate */
#define JPKI_KIOSK_VERIFY	0x02	/* verify its chain (implies FULL_CERT) */
#define JPKI_KIOSK_NO_TAP	0x04	/* report events only, run no taps */

#define JPKI_KIOSK_DEFAULT_BUDGET_MS	5000

typedef struct {
	size_t		 size;	/* sizeof(*this), set by the caller */
	unsigned	 flags;		/* JPKI_KIOSK_* */
	/*
	 * Time budget of one tap, from the insertion being seen to the
	 * result, in ms; 0: JPKI_KIOSK_DEFAULT_BUDGET_MS.  Checked after
	 * every step: a tap over budget is aborted cleanly (card reset,
	 * TAP_FAILED with JPKI_ERR_KIOSK_BUDGET).
	 */
	int		 budget_ms;
	/*
	 * Verifier for JPKI_KIOSK_VERIFY (include/jpki/cert.h), borrowed:
	 * it must outlive the kiosk.  NULL with JPKI_KIOSK_VERIFY: the
	 * kiosk makes one with the bundled J-LIS roots.
	 */
	const jpki_verify_t *verify;
} jpki_kiosk_opts_t;

typedef struct {
	size_t		     size;	/* sizeof(*this), set by the caller */
	jpki_kiosk_ev_type_t type;
	char		 reader[128];	/* empty for SERVICE_* */
	unsigned	 tap_id;	/* CARD_INSERTED, PROGRESS, TAP_* */
	jpki_kiosk_step_t step;		/* PROGRESS: completed step;
					 * TAP_FAILED: last step completed */
	int		 error;		/* TAP_FAILED: JPKI_ERR_* */
	int		 contactless;	/* 1 if the reader reports a PICC */
	/* TAP_DONE (issuance also in PROGRESS(READ) and later) */
	char		 issuance[41];	/* upper-case hex, no leading zeros */
	uint8_t		 serial[20];	/* INTEGER contents as encoded */
	size_t		 serial_len;
	int		 head_only;	/* 1: head of the cert only */
	int		 verified;	/* 1: chain verified */
	char		 verify_reason[320];	/* TAP_*: verifier's reason */
	/* TAP_DONE / TAP_FAILED: cost of the tap */
	unsigned long	 apdus;
	unsigned long	 bytes;		/* sent + received */
	long		 elapsed_ms;	/* from insertion seen to this event */
} jpki_kiosk_event_t;

/*
 * Create a kiosk.  opts may be NULL (defaults).  The PC/SC context is made
 * lazily by the first jpki_kiosk_wait(), so a kiosk can be created while
 * pcscd is down.  *k is owned by the caller (jpki_kiosk_free).
 */
int	jpki_kiosk_new(jpki_kiosk_t **k, const jpki_kiosk_opts_t *opts);
void	jpki_kiosk_free(jpki_kiosk_t **k);

/*
 * Return the next event in *ev.  timeout_ms < 0 waits forever, 0 polls.
 * Returns JPKI_OK (event in *ev), JPKI_ERR_TIMEOUT, JPKI_ERR_CANCELLED or
 * JPKI_ERR_ARG.  A tap step runs inside the call and may take longer than
 * timeout_ms: a step under way (one or a few APDUs) is not interrupted, the
 * budget is checked after each.  A tap failure is an event, not a return
 * code.
 */
int	jpki_kiosk_wait(jpki_kiosk_t *k, int timeout_ms,
	    jpki_kiosk_event_t *ev);

/* Wake a jpki_kiosk_wait() from another thread (see Thread safety). */
int	jpki_kiosk_cancel(jpki_kiosk_t *k);

/*
 * Run another tap on the card in reader (still inserted), e.g. for an
 * operator's "read again" after a failed tap; the events follow from
 * jpki_kiosk_wait() as after an insertion.  JPKI_ERR_NO_CARD if no card
 * is known there, JPKI_ERR_BUSY if a tap is already pending there.
 */
int	jpki_kiosk_retap(jpki_kiosk_t *k, const char *reader);

/* Names for logs and JSON: "card-inserted", "identified", ... */
const char	*jpki_kiosk_ev_name(jpki_kiosk_ev_type_t type);
const char	*jpki_kiosk_step_name(jpki_kiosk_step_t step);

#ifdef __cplusplus
}
#endif

#endif /* JPKI_KIOSK_H */
