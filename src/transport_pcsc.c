/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * PC/SC transport over pcsc-lite.  The only file that includes winscard.h
 * (house-style §2.1): every PC/SC type and return code stays here and is
 * turned into a JPKI_ERR_* before it leaves.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <winscard.h>
#include <reader.h>

#include <jpki/jpki.h>

#include "log.h"
#include "secure.h"
#include "transport.h"

/* Upper bound for the reader multi-string (libfido2 list_readers). */
#define READERS_MAX_BYTES	(64 * 1024)

typedef struct {
	SCARDCONTEXT	ctx;
	SCARDHANDLE	h;
	DWORD		proto;
	int		in_tx;
} pcsc_t;

static int
rv_to_err(LONG rv)
{
	switch (rv) {
	case SCARD_S_SUCCESS:
		return JPKI_OK;
	case SCARD_E_NO_SERVICE:
	case SCARD_E_SERVICE_STOPPED:
		return JPKI_ERR_NO_SERVICE;
	case SCARD_E_NO_READERS_AVAILABLE:
		return JPKI_ERR_NO_READER;
	case SCARD_E_UNKNOWN_READER:
	case SCARD_E_READER_UNAVAILABLE:
		return JPKI_ERR_READER_NOT_FOUND;
	case SCARD_E_NO_SMARTCARD:
		return JPKI_ERR_NO_CARD;
	case SCARD_W_REMOVED_CARD:
		return JPKI_ERR_CARD_REMOVED;
	case SCARD_W_RESET_CARD:
		return JPKI_ERR_CARD_RESET;
	case SCARD_E_SHARING_VIOLATION:
		return JPKI_ERR_SHARING;
	case SCARD_E_TIMEOUT:
		return JPKI_ERR_TIMEOUT;
	case SCARD_E_CANCELLED:
		return JPKI_ERR_CANCELLED;
	case SCARD_W_UNRESPONSIVE_CARD:
	case SCARD_W_UNPOWERED_CARD:
	case SCARD_W_UNSUPPORTED_CARD:
		return JPKI_ERR_UNRESPONSIVE;
	case SCARD_E_NO_MEMORY:
		return JPKI_ERR_NOMEM;
	case SCARD_E_INSUFFICIENT_BUFFER:
		return JPKI_ERR_TOO_LARGE;
	default:
		return JPKI_ERR_TRANSPORT;
	}
}

static int
establish(SCARDCONTEXT *ctx)
{
	LONG rv;

	rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, ctx);
	if (rv != SCARD_S_SUCCESS) {
		log_debug("SCardEstablishContext: %s", pcsc_stringify_error(rv));
		return rv_to_err(rv);
	}
	return JPKI_OK;
}

/*
 * Read and validate the reader multi-string: bounded size, every name
 * NUL-terminated, a final empty string, at most JPKI_MAX_READERS names.
 */
static int
list_names(SCARDCONTEXT ctx, char ***out, size_t *count)
{
	char	*ms = NULL, **names = NULL, *p;
	DWORD	 len = 0;
	LONG	 rv;
	size_t	 n = 0, i, off;
	int	 r = JPKI_ERR_INTERNAL;

	*out = NULL;
	*count = 0;
	/* a reader plugged in between the size query and the read makes
	 * the second call fail with SCARD_E_INSUFFICIENT_BUFFER: ask again
	 * (a few times: issue 11, found by tests/faults/sweep.sh) */
	for (i = 0;; i++) {
		len = 0;
		rv = SCardListReaders(ctx, NULL, NULL, &len);
		if (rv == SCARD_E_NO_READERS_AVAILABLE) {
			r = JPKI_ERR_NO_READER;
			goto out;
		}
		if (rv != SCARD_S_SUCCESS) {
			r = rv_to_err(rv);
			goto out;
		}
		if (len < 2 || len > READERS_MAX_BYTES) {
			r = JPKI_ERR_TRANSPORT;
			goto out;
		}
		free(ms);
		if ((ms = calloc(1, len)) == NULL) {
			r = JPKI_ERR_NOMEM;
			goto out;
		}
		rv = SCardListReaders(ctx, NULL, ms, &len);
		if (rv == SCARD_E_INSUFFICIENT_BUFFER && i < 3)
			continue;
		if (rv != SCARD_S_SUCCESS) {
			r = rv_to_err(rv);
			goto out;
		}
		break;
	}
	if (len < 2 || ms[len - 1] != '\0' || ms[len - 2] != '\0') {
		r = JPKI_ERR_TRANSPORT;
		goto out;
	}
	for (off = 0; off < len - 1 && ms[off] != '\0'; off += strlen(ms + off) + 1)
		n++;
	if (n == 0) {
		r = JPKI_ERR_NO_READER;
		goto out;
	}
	if (n > JPKI_MAX_READERS)
		n = JPKI_MAX_READERS;
	if ((names = calloc(n + 1, sizeof(*names))) == NULL) {
		r = JPKI_ERR_NOMEM;
		goto out;
	}
	for (i = 0, p = ms; i < n; i++, p += strlen(p) + 1) {
		if ((names[i] = strdup(p)) == NULL) {
			r = JPKI_ERR_NOMEM;
			goto out;
		}
	}
	*out = names;
	*count = n;
	names = NULL;
	r = JPKI_OK;
out:
	if (names != NULL) {
		for (i = 0; i < n; i++)
			free(names[i]);
		free(names);
	}
	free(ms);
	return r;
}

static void
free_names(char **names)
{
	size_t i;

	if (names == NULL)
		return;
	for (i = 0; names[i] != NULL; i++)
		free(names[i]);
	free(names);
}

/* Card presence for every reader, without waiting. */
static int
presence(SCARDCONTEXT ctx, char **names, size_t n, int *present)
{
	SCARD_READERSTATE	*st;
	size_t			 i;
	LONG			 rv;
	int			 r = JPKI_OK;

	if ((st = calloc(n, sizeof(*st))) == NULL)
		return JPKI_ERR_NOMEM;
	for (i = 0; i < n; i++) {
		st[i].szReader = names[i];
		st[i].dwCurrentState = SCARD_STATE_UNAWARE;
	}
	rv = SCardGetStatusChange(ctx, 0, st, (DWORD)n);
	if (rv != SCARD_S_SUCCESS && rv != SCARD_E_TIMEOUT) {
		r = rv_to_err(rv);
		goto out;
	}
	for (i = 0; i < n; i++)
		present[i] = (st[i].dwEventState & SCARD_STATE_PRESENT) != 0 &&
		    (st[i].dwEventState & SCARD_STATE_MUTE) == 0;
out:
	free(st);
	return r;
}

int
pcsc_reader_list(char ***names, size_t *count, int **present)
{
	SCARDCONTEXT	 ctx = 0;
	char		**nm = NULL;
	int		*pr = NULL;
	size_t		 n = 0;
	int		 r;

	*names = NULL;
	*count = 0;
	if (present != NULL)
		*present = NULL;
	if ((r = establish(&ctx)) != JPKI_OK)
		return r;
	if ((r = list_names(ctx, &nm, &n)) != JPKI_OK)
		goto out;
	if (present != NULL) {
		if ((pr = calloc(n + 1, sizeof(*pr))) == NULL) {
			r = JPKI_ERR_NOMEM;
			goto out;
		}
		if ((r = presence(ctx, nm, n, pr)) != JPKI_OK)
			goto out;
		*present = pr;
		pr = NULL;
	}
	*names = nm;
	*count = n;
	nm = NULL;
	r = JPKI_OK;
out:
	free(pr);
	free_names(nm);
	SCardReleaseContext(ctx);
	return r;
}

static int
is_decimal(const char *s)
{
	if (*s == '\0' || strlen(s) > 3)
		return 0;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/*
 * Pick the reader: a name, an index, or (NULL) the first reader with a card.
 * *idx receives the chosen index or -1 when there is no card yet.
 */
static int
choose(SCARDCONTEXT ctx, char **names, size_t n, const char *want, int *idx)
{
	int	*pr;
	size_t	 i;
	int	 r;
	unsigned long v;

	*idx = -1;
	if (want != NULL) {
		if (is_decimal(want)) {
			v = strtoul(want, NULL, 10);
			if (v >= n)
				return JPKI_ERR_READER_NOT_FOUND;
			*idx = (int)v;
			return JPKI_OK;
		}
		for (i = 0; i < n; i++)
			if (strcmp(names[i], want) == 0) {
				*idx = (int)i;
				return JPKI_OK;
			}
		return JPKI_ERR_READER_NOT_FOUND;
	}
	if ((pr = calloc(n, sizeof(*pr))) == NULL)
		return JPKI_ERR_NOMEM;
	if ((r = presence(ctx, names, n, pr)) == JPKI_OK) {
		for (i = 0; i < n; i++)
			if (pr[i]) {
				*idx = (int)i;
				break;
			}
	}
	free(pr);
	return r;
}

/* Errors that waiting can cure: the card or the reader may still come. */
static int
not_yet(int r, const char *reader)
{
	return r == JPKI_ERR_NO_CARD || r == JPKI_ERR_NO_READER ||
	    r == JPKI_ERR_UNRESPONSIVE || r == JPKI_ERR_CARD_REMOVED ||
	    (r == JPKI_ERR_READER_NOT_FOUND && reader != NULL &&
	    !is_decimal(reader));
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Wait until something changes (a card or a reader appears) or the time is
 * up.  Uses the PnP pseudo-reader so a reader plugged in later is seen.
 */
static int
wait_change(SCARDCONTEXT ctx, char **names, size_t n, const char *want,
    int ms)
{
	SCARD_READERSTATE	*st;
	size_t			 i, k = 0;
	LONG			 rv;
	int			 r = JPKI_OK;

	if ((st = calloc(n + 1, sizeof(*st))) == NULL)
		return JPKI_ERR_NOMEM;
	for (i = 0; i < n; i++) {
		if (want != NULL && !is_decimal(want) &&
		    strcmp(want, names[i]) != 0)
			continue;
		st[k].szReader = names[i];
		st[k].dwCurrentState = SCARD_STATE_EMPTY;
		k++;
	}
	st[k].szReader = "\\\\?PnP?\\Notification";
	st[k].dwCurrentState = (DWORD)n << 16;
	k++;
	rv = SCardGetStatusChange(ctx, (DWORD)ms, st, (DWORD)k);
	if (rv != SCARD_S_SUCCESS && rv != SCARD_E_TIMEOUT)
		r = rv_to_err(rv);
	free(st);
	return r;
}

/*
 * Ask the reader (PC/SC part 10 §2.3, FEATURE_GET_TLV_PROPERTIES) for its
 * maximum APDU data size: 0 means short APDUs only.  Readers that do not
 * answer (vpcd, many NFC readers) leave the hint unknown, and the card
 * layer finds out by trying once.
 */
static int
ext_hint(SCARDHANDLE h)
{
	uint8_t	 buf[256];
	DWORD	 len = 0, ioctl_props = 0;
	size_t	 i;
	uint32_t v = 0;

	if (SCardControl(h, CM_IOCTL_GET_FEATURE_REQUEST, NULL, 0, buf,
	    sizeof(buf), &len) != SCARD_S_SUCCESS || len > sizeof(buf))
		return -1;
	for (i = 0; i + 6 <= len; i += 6) {
		if (buf[i + 1] != 4)
			return -1;
		if (buf[i] == FEATURE_GET_TLV_PROPERTIES)
			ioctl_props = ((DWORD)buf[i + 2] << 24) |
			    ((DWORD)buf[i + 3] << 16) |
			    ((DWORD)buf[i + 4] << 8) | buf[i + 5];
	}
	if (ioctl_props == 0)
		return -1;
	if (SCardControl(h, ioctl_props, NULL, 0, buf, sizeof(buf), &len) !=
	    SCARD_S_SUCCESS || len > sizeof(buf))
		return -1;
	/* TLV with 1-byte tag and length, little-endian values */
	for (i = 0; i + 2 <= len; i += 2u + buf[i + 1]) {
		size_t l = buf[i + 1], j;

		if (l > len - i - 2)
			return -1;
		if (buf[i] != PCSCv2_PART10_PROPERTY_dwMaxAPDUDataSize)
			continue;
		for (j = l; j > 0 && j <= 4; j--)
			v = (v << 8) | buf[i + 2 + j - 1];
		return v > 261 ? 1 : 0;
	}
	return -1;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* How long a failed exchange waits for pcscd to report a removal. */
#define REMOVAL_WAIT_MS	3000

/*
 * A card pulled out in the middle of an exchange often surfaces as
 * SCARD_E_NOT_TRANSACTED or a comm error rather than SCARD_W_REMOVED_CARD
 * (pcscd + vpcd do this), and pcscd reports the removal only at its next
 * presence poll: every 400 ms unloaded, seconds on a busy machine.  So
 * after such an error, wait for the reader's state to change instead of
 * sampling it on a fixed schedule; a card that stays put costs at most
 * REMOVAL_WAIT_MS before the error is called a transport failure.
 */
static int
after_failure(pcsc_t *p, LONG rv)
{
	char			name[MAX_READERNAME];
	SCARD_READERSTATE	rs;
	struct timespec		t0, t1;
	DWORD			rlen = sizeof(name), state = 0, proto = 0;
	DWORD			alen = 0;
	long			left;
	LONG			st;
	int			r = rv_to_err(rv);

	if (r != JPKI_ERR_TRANSPORT)
		return r;
	st = SCardStatus(p->h, name, &rlen, &state, &proto, NULL, &alen);
	if (st == SCARD_W_RESET_CARD)
		return JPKI_ERR_CARD_RESET;
	if (st == SCARD_W_REMOVED_CARD || st == SCARD_E_NO_SMARTCARD ||
	    st == SCARD_E_READER_UNAVAILABLE ||
	    (st == SCARD_S_SUCCESS && (state & SCARD_PRESENT) == 0))
		return JPKI_ERR_CARD_REMOVED;
	if (st != SCARD_S_SUCCESS || rlen == 0 || rlen > sizeof(name))
		return r;
	name[sizeof(name) - 1] = '\0';
	memset(&rs, 0, sizeof(rs));
	rs.szReader = name;
	rs.dwCurrentState = SCARD_STATE_UNAWARE;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		left = REMOVAL_WAIT_MS - ((t1.tv_sec - t0.tv_sec) * 1000L +
		    (t1.tv_nsec - t0.tv_nsec) / 1000000L);
		if (left <= 0)
			return r;
		st = SCardGetStatusChange(p->ctx, (DWORD)left, &rs, 1);
		if (st == SCARD_E_TIMEOUT)
			return r;
		if (st == SCARD_E_UNKNOWN_READER ||
		    st == SCARD_E_READER_UNAVAILABLE)
			return JPKI_ERR_CARD_REMOVED;
		if (st != SCARD_S_SUCCESS)
			return r;
		if (rs.dwEventState & (SCARD_STATE_EMPTY |
		    SCARD_STATE_UNAVAILABLE | SCARD_STATE_UNKNOWN))
			return JPKI_ERR_CARD_REMOVED;
		/* present, mute or in use by someone: wait for the next change */
		rs.dwCurrentState = rs.dwEventState & ~(DWORD)SCARD_STATE_CHANGED;
	}
}

static int
p_transmit(transport_t *t, const uint8_t *cmd, size_t cmd_len, uint8_t *rsp,
    size_t *rsp_len)
{
	pcsc_t			*p = t->priv;
	const SCARD_IO_REQUEST	*pci;
	DWORD			 rlen;
	LONG			 rv;

	if (cmd_len > UINT32_MAX || *rsp_len > UINT32_MAX)
		return JPKI_ERR_ARG;
	rlen = (DWORD)*rsp_len;
	pci = (p->proto == SCARD_PROTOCOL_T0) ? SCARD_PCI_T0 : SCARD_PCI_T1;
	rv = SCardTransmit(p->h, pci, cmd, (DWORD)cmd_len, NULL, rsp, &rlen);
	if (rv != SCARD_S_SUCCESS) {
		log_debug("SCardTransmit: %s", pcsc_stringify_error(rv));
		*rsp_len = 0;
		return after_failure(p, rv);
	}
	if (rlen > *rsp_len)
		return JPKI_ERR_TRANSPORT;
	if (rlen < 2) {
		/* vpcd answers an exchange cut by the card's departure with
		 * an empty "success": classify it like a failed one */
		log_debug("SCardTransmit: %lu-byte response",
		    (unsigned long)rlen);
		*rsp_len = 0;
		return after_failure(p, SCARD_F_COMM_ERROR);
	}
	*rsp_len = rlen;
	return JPKI_OK;
}

static int
p_begin(transport_t *t)
{
	pcsc_t	*p = t->priv;
	LONG	 rv;
	int	 i;

	/* SCardBeginTransaction can fail transiently while another client
	 * finishes (yubico-piv-tool retries too). */
	for (i = 0; i < 3; i++) {
		rv = SCardBeginTransaction(p->h);
		if (rv != SCARD_E_SHARING_VIOLATION)
			break;
	}
	if (rv != SCARD_S_SUCCESS) {
		log_debug("SCardBeginTransaction: %s", pcsc_stringify_error(rv));
		return after_failure(p, rv);
	}
	p->in_tx = 1;
	return JPKI_OK;
}

static void
p_end(transport_t *t)
{
	pcsc_t *p = t->priv;

	if (p->in_tx)
		SCardEndTransaction(p->h, SCARD_LEAVE_CARD);
	p->in_tx = 0;
}

static int
p_reconnect(transport_t *t)
{
	pcsc_t	*p = t->priv;
	LONG	 rv;

	rv = SCardReconnect(p->h, SCARD_SHARE_SHARED,
	    SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, SCARD_LEAVE_CARD, &p->proto);
	if (rv != SCARD_S_SUCCESS)
		log_debug("SCardReconnect: %s", pcsc_stringify_error(rv));
	return rv_to_err(rv);
}

static void
p_close(transport_t *t, int reset)
{
	pcsc_t *p;

	if (t == NULL)
		return;
	if ((p = t->priv) != NULL) {
		if (p->h != 0) {
			if (p->in_tx)
				SCardEndTransaction(p->h, SCARD_LEAVE_CARD);
			SCardDisconnect(p->h,
			    reset ? SCARD_RESET_CARD : SCARD_LEAVE_CARD);
		}
		if (p->ctx != 0)
			SCardReleaseContext(p->ctx);
		free(p);
	}
	free(t->reader);
	free(t);
}

/* SCardStatus reports a reset or a removal without sending an APDU. */
static int
p_status(transport_t *t)
{
	pcsc_t	*p = t->priv;
	DWORD	 rlen = 0, state = 0, proto = 0, alen = 0;
	LONG	 rv;

	rv = SCardStatus(p->h, NULL, &rlen, &state, &proto, NULL, &alen);
	if (rv == SCARD_S_SUCCESS && (state & SCARD_PRESENT) == 0)
		return JPKI_ERR_CARD_REMOVED;
	return rv_to_err(rv);
}

static const transport_ops_t pcsc_ops = {
	p_transmit, p_begin, p_end, p_reconnect, p_close, p_status,
	NULL	/* the ATR is read at connect time */
};

int
pcsc_transport_open(const char *reader, int wait_ms, transport_t **out)
{
	transport_t	 *t = NULL;
	pcsc_t		 *p = NULL;
	char		**names = NULL;
	size_t		  n = 0;
	int		  idx = -1, r;
	long long	  deadline;
	LONG		  rv;
	DWORD		  rlen, state, proto, alen;
	BYTE		  atr[MAX_ATR_SIZE];

	*out = NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (p = calloc(1, sizeof(*p))) == NULL) {
		r = JPKI_ERR_NOMEM;
		goto fail;
	}
	t->ops = &pcsc_ops;
	t->priv = p;
	t->ext_hint = -1;
	if ((r = establish(&p->ctx)) != JPKI_OK)
		goto fail;
	deadline = now_ms() + (wait_ms > 0 ? wait_ms : 0);
	for (;;) {
		free_names(names);
		names = NULL;
		r = list_names(p->ctx, &names, &n);
		if (r == JPKI_OK)
			r = choose(p->ctx, names, n, reader, &idx);
		if (r == JPKI_OK && idx >= 0) {
			rv = SCardConnect(p->ctx, names[idx], SCARD_SHARE_SHARED,
			    SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &p->h,
			    &p->proto);
			r = rv_to_err(rv);
			if (r == JPKI_OK)
				break;
		} else if (r == JPKI_OK) {
			r = JPKI_ERR_NO_CARD;
		}
		/* keep waiting only for "not there yet" */
		if (wait_ms == 0 || !not_yet(r, reader))
			goto fail;
		if (wait_ms > 0 && now_ms() >= deadline)
			goto fail;
		if (names != NULL && n > 0)
			r = wait_change(p->ctx, names, n, reader,
			    wait_ms < 0 ? 1000 :
			    (int)(deadline - now_ms() > 1000 ? 1000 :
			    deadline - now_ms()));
		else {
			struct timespec ts = { 0, 200 * 1000 * 1000 };
			nanosleep(&ts, NULL);
		}
		if (r == JPKI_ERR_NO_SERVICE)
			goto fail;
	}
	if ((t->reader = strdup(names[idx])) == NULL) {
		r = JPKI_ERR_NOMEM;
		goto fail;
	}
	rlen = 0;
	alen = sizeof(atr);
	rv = SCardStatus(p->h, NULL, &rlen, &state, &proto, atr, &alen);
	if (rv == SCARD_S_SUCCESS && alen <= sizeof(t->atr)) {
		memcpy(t->atr, atr, alen);
		t->atr_len = alen;
	}
	t->ext_hint = ext_hint(p->h);
	log_debug("connected to \"%s\" protocol T=%d extended hint %d",
	    t->reader, p->proto == SCARD_PROTOCOL_T0 ? 0 : 1, t->ext_hint);
	free_names(names);
	*out = t;
	return JPKI_OK;
fail:
	free_names(names);
	p_close(t, 0);
	if (t == NULL)
		free(p);
	return r;
}

/*
 * Event monitor for the kiosk API.  One SCARDCONTEXT of its own, a small
 * event queue (one status change can yield several events), and recovery
 * from a pcscd restart: the context is re-established every 100 ms until
 * the service is back.
 */
#define MON_QUEUE	(2 * JPKI_MAX_READERS + 8)

typedef struct {
	char	name[128];
	DWORD	state;		/* last dwEventState, CHANGED bit cleared */
	int	present;
} mon_reader_t;

struct pcsc_monitor {
	SCARDCONTEXT	 ctx;		/* 0 while the service is down */
	int		 up;
	int		 started;
	atomic_int	 cancelled;
	atomic_int	 in_wait;	/* a pcsc_monitor_wait() is running */
	pthread_mutex_t	 lock;		/* guards ctx against cancel() */
	mon_reader_t	 r[JPKI_MAX_READERS];
	size_t		 nr;
	DWORD		 pnp_state;
	mon_event_t	 q[MON_QUEUE];
	size_t		 qh, qn;
};

static void
mon_push(pcsc_monitor_t *m, int kind, const char *reader)
{
	mon_event_t *e;

	if (m->qn == MON_QUEUE)		/* full: drop the oldest */
		m->qh = (m->qh + 1) % MON_QUEUE, m->qn--;
	e = &m->q[(m->qh + m->qn) % MON_QUEUE];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	if (reader != NULL)
		snprintf(e->reader, sizeof(e->reader), "%s", reader);
	m->qn++;
}

static int
present_of(DWORD st)
{
	return (st & SCARD_STATE_PRESENT) != 0 && (st & SCARD_STATE_MUTE) == 0;
}

/* Compare the reader list with what we knew; queue the differences. */
static int
mon_rescan(pcsc_monitor_t *m)
{
	char		**names = NULL;
	size_t		  n = 0, i, j;
	int		  r, found;
	mon_reader_t	  nr[JPKI_MAX_READERS];
	size_t		  nn = 0;
	SCARD_READERSTATE st;

	r = list_names(m->ctx, &names, &n);
	if (r == JPKI_ERR_NO_READER) {
		n = 0;
		r = JPKI_OK;
	}
	if (r != JPKI_OK)
		return r;
	/* vanished readers (their card goes with them) */
	for (i = 0; i < m->nr; i++) {
		found = 0;
		for (j = 0; j < n; j++)
			if (strcmp(m->r[i].name, names[j]) == 0)
				found = 1;
		if (!found) {
			if (m->r[i].present)
				mon_push(m, MON_CARD_REMOVED, m->r[i].name);
			mon_push(m, MON_READER_REMOVED, m->r[i].name);
		}
	}
	for (j = 0; j < n && nn < JPKI_MAX_READERS; j++) {
		found = -1;
		for (i = 0; i < m->nr; i++)
			if (strcmp(m->r[i].name, names[j]) == 0)
				found = (int)i;
		if (found >= 0) {
			nr[nn++] = m->r[found];
			continue;
		}
		memset(&nr[nn], 0, sizeof(nr[nn]));
		snprintf(nr[nn].name, sizeof(nr[nn].name), "%s", names[j]);
		memset(&st, 0, sizeof(st));
		st.szReader = names[j];
		st.dwCurrentState = SCARD_STATE_UNAWARE;
		if (SCardGetStatusChange(m->ctx, 0, &st, 1) == SCARD_S_SUCCESS)
			nr[nn].state = st.dwEventState & ~(DWORD)SCARD_STATE_CHANGED;
		nr[nn].present = present_of(nr[nn].state);
		mon_push(m, MON_READER_ADDED, names[j]);
		if (nr[nn].present)
			mon_push(m, MON_CARD_INSERTED, names[j]);
		nn++;
	}
	memcpy(m->r, nr, nn * sizeof(nr[0]));
	m->nr = nn;
	free_names(names);
	return JPKI_OK;
}

int
pcsc_monitor_new(pcsc_monitor_t **out)
{
	pcsc_monitor_t *m;

	*out = NULL;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return JPKI_ERR_NOMEM;
	if (pthread_mutex_init(&m->lock, NULL) != 0) {
		free(m);
		return JPKI_ERR_INTERNAL;
	}
	*out = m;
	return JPKI_OK;
}

static void
mon_down(pcsc_monitor_t *m)
{
	pthread_mutex_lock(&m->lock);
	if (m->ctx != 0)
		SCardReleaseContext(m->ctx);
	m->ctx = 0;
	pthread_mutex_unlock(&m->lock);
	if (m->up)
		mon_push(m, MON_SERVICE_LOST, NULL);
	m->up = 0;
	/* the readers are gone with the service; re-added when it is back */
	m->nr = 0;
}


static int monitor_wait(pcsc_monitor_t *, int, mon_event_t *);

int
pcsc_monitor_wait(pcsc_monitor_t *m, int timeout_ms, mon_event_t *ev)
{
	int r;

	if (m == NULL || ev == NULL)
		return JPKI_ERR_ARG;
	atomic_store(&m->in_wait, 1);
	r = monitor_wait(m, timeout_ms, ev);
	atomic_store(&m->in_wait, 0);
	return r;
}

static int
monitor_wait(pcsc_monitor_t *m, int timeout_ms, mon_event_t *ev)
{
	SCARD_READERSTATE	 st[JPKI_MAX_READERS + 1];
	SCARDCONTEXT		 ctx;
	long long		 deadline, left;
	size_t			 i, k;
	LONG			 rv;
	int			 r;

	deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	for (;;) {
		if (m->qn > 0) {
			*ev = m->q[m->qh];
			m->qh = (m->qh + 1) % MON_QUEUE;
			m->qn--;
			return JPKI_OK;
		}
		if (atomic_exchange(&m->cancelled, 0) != 0)
			return JPKI_ERR_CANCELLED;
		left = deadline < 0 ? 1000 : deadline - now_ms();
		if (left <= 0)
			return JPKI_ERR_TIMEOUT;
		if (left > 1000)
			left = 1000;
		if (!m->up) {
			if (establish(&ctx) == JPKI_OK) {
				pthread_mutex_lock(&m->lock);
				m->ctx = ctx;
				pthread_mutex_unlock(&m->lock);
				if (m->started)
					mon_push(m, MON_SERVICE_BACK, NULL);
				m->up = 1;
				m->started = 1;
				if (mon_rescan(m) != JPKI_OK)
					mon_down(m);
			} else {
				if (!m->started) {	/* down from the start */
					m->started = 1;
					m->up = 1;	/* so that LOST is queued */
					mon_down(m);
				}
				sleep_ms(left < 40 ? left : 40);
			}
			continue;
		}
		for (i = 0, k = 0; i < m->nr; i++, k++) {
			memset(&st[k], 0, sizeof(st[k]));
			st[k].szReader = m->r[i].name;
			st[k].dwCurrentState = m->r[i].state;
		}
		memset(&st[k], 0, sizeof(st[k]));
		st[k].szReader = "\\\\?PnP?\\Notification";
		st[k].dwCurrentState = m->pnp_state;
		k++;
		rv = SCardGetStatusChange(m->ctx, (DWORD)left, st, (DWORD)k);
		switch (rv) {
		case SCARD_S_SUCCESS:
			break;
		case SCARD_E_TIMEOUT:
			continue;
		case SCARD_E_CANCELLED:
			continue;	/* the flag is checked above */
		case SCARD_E_NO_SERVICE:
		case SCARD_E_SERVICE_STOPPED:
		case SCARD_E_INVALID_HANDLE:
		case SCARD_F_COMM_ERROR:
			log_debug("monitor: PC/SC service lost (%s)",
			    pcsc_stringify_error(rv));
			mon_down(m);
			continue;
		default:
			/* a reader vanished between calls: rescan */
			if ((r = mon_rescan(m)) != JPKI_OK)
				mon_down(m);
			continue;
		}
		for (i = 0; i < m->nr; i++) {
			DWORD ns = st[i].dwEventState;
			int p = present_of(ns);

			if ((ns & SCARD_STATE_CHANGED) == 0)
				continue;
			if (ns & (SCARD_STATE_UNKNOWN | SCARD_STATE_IGNORE)) {
				(void)mon_rescan(m);
				break;
			}
			/* the event counter (high word) catches a remove and
			 * re-insert that happened between two calls */
			if (p && m->r[i].present &&
			    (ns >> 16) != (m->r[i].state >> 16)) {
				mon_push(m, MON_CARD_REMOVED, m->r[i].name);
				mon_push(m, MON_CARD_INSERTED, m->r[i].name);
			} else if (p != m->r[i].present) {
				mon_push(m, p ? MON_CARD_INSERTED :
				    MON_CARD_REMOVED, m->r[i].name);
			}
			m->r[i].present = p;
			m->r[i].state = ns & ~(DWORD)SCARD_STATE_CHANGED;
		}
		if (st[k - 1].dwEventState & SCARD_STATE_CHANGED) {
			m->pnp_state = st[k - 1].dwEventState &
			    ~(DWORD)SCARD_STATE_CHANGED;
			if ((r = mon_rescan(m)) != JPKI_OK)
				mon_down(m);
		}
	}
}

void
pcsc_monitor_cancel(pcsc_monitor_t *m)
{
	int i;

	if (m == NULL)
		return;
	atomic_store(&m->cancelled, 1);
	/* SCardCancel only wakes a call that is already blocked: one that
	 * starts just after the waiter checked the flag would sleep on.  So
	 * keep cancelling until the waiter has taken the flag or left
	 * (bounded: 50 x 2 ms). */
	for (i = 0; i < 50; i++) {
		if (atomic_load(&m->in_wait) == 0 ||
		    atomic_load(&m->cancelled) == 0)
			break;
		pthread_mutex_lock(&m->lock);
		if (m->ctx != 0)
			SCardCancel(m->ctx);
		pthread_mutex_unlock(&m->lock);
		sleep_ms(2);
	}
}

void
pcsc_monitor_free(pcsc_monitor_t **mp)
{
	pcsc_monitor_t *m;

	if (mp == NULL || (m = *mp) == NULL)
		return;
	if (m->ctx != 0)
		SCardReleaseContext(m->ctx);
	pthread_mutex_destroy(&m->lock);
	free(m);
	*mp = NULL;
}
