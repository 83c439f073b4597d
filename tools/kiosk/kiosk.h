/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * jpki-kiosk: the example kiosk on the kiosk API.  main.c runs the event
 * loop and the per-person state (consent, MyKey ID); ui.c draws the
 * operator's screen or writes JSON lines; push.c talks to the platform
 * with the offline queue.
 */
#ifndef JPKI_KIOSK_TOOL_H
#define JPKI_KIOSK_TOOL_H

#include <stddef.h>

#include <jpki/jpki.h>
#include <jpki/kiosk.h>
#include <jpki/platform.h>

#define KT_READERS	8
#define KT_LOG_LINES	12
#define KT_PEOPLE	256	/* persons remembered in one session */

typedef enum {
	KT_IDLE = 0,		/* waiting for a card */
	KT_READING,		/* tap under way */
	KT_ASK_CONSENT,		/* waiting for y/n */
	KT_ASK_MYKEY,		/* waiting for the MyKey ID */
	KT_DONE,		/* result shown, waiting for the next person */
	KT_ERROR
} kt_state_t;

typedef struct {
	char	name[128];
	int	card;
} kt_reader_t;

/* What the screen shows; ui.c renders it. */
typedef struct {
	int		 json;
	int		 service_up;
	kt_reader_t	 r[KT_READERS];
	size_t		 nr;
	kt_state_t	 state;
	char		 headline[160];	/* one line for the person */
	char		 detail[200];	/* what to do next */
	char		 log[KT_LOG_LINES][160];
	size_t		 nlog;
	const char	*platform_url;	/* NULL: no platform */
	int		 platform_online;
	unsigned	 queued;	/* pushes waiting in the queue */
	unsigned	 sent;		/* pushes accepted this session */
} kt_screen_t;

/* ui.c */
void	ui_event(kt_screen_t *s, const jpki_kiosk_event_t *ev);
void	ui_log(kt_screen_t *s, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	ui_state(kt_screen_t *s, kt_state_t st, const char *headline,
	    const char *detail);
void	ui_draw(const kt_screen_t *s);
/* JSON line: {"event":name, then key/value pairs (k1, v1, ..., NULL)} */
void	ui_json(const kt_screen_t *s, const char *event, ...);
const char *ui_err_advice(int err);
void	ui_mask(const char *issuance, char out[16]);

/* push.c */
typedef struct {
	jpki_platform_t	*p;
	jpki_queue_t	*q;
	const char	*url;
} kt_push_t;

int	push_init(kt_push_t *k, const char *url, const char *client_id,
	    const char *queue_path, int allow_http);
void	push_fini(kt_push_t *k);
/*
 * Push one issuance number (no-signature push, queued when the platform
 * is unreachable).  Returns JPKI_OK, JPKI_ERR_QUEUED or the refusal;
 * msg gets a line for the screen.
 */
int	push_one(kt_push_t *k, const char *mykey_id, const char *issuance,
	    const jpki_consent_t *consent, char *msg, size_t msgsz);
/* Send what is queued; *pending is what is left.  JPKI_OK or an error. */
int	push_flush(kt_push_t *k, unsigned *sent, unsigned *pending);

#endif /* JPKI_KIOSK_TOOL_H */
