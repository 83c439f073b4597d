/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * The frame of every entry point (p11_begin/p11_end): initialisation
 * check, session or slot lookup, the reader lock for card I/O, and the
 * trace of the result.  The lock order and what each lock guards are in
 * p11_int.h; in short a reader's lock is taken with the module lock let
 * go, so that a slow card never holds up the module lock and with it every
 * other reader.  Not framed: C_Initialize and C_Finalize, which set up and
 * tear down the module lock itself, and C_GetFunctionList,
 * C_GetInterface and C_GetInterfaceList, which touch no state.  p11_end
 * traces as the entry points always did (a failing call, JPKI_DEBUG=1).
 */
#include <string.h>

#include "p11_int.h"

void
p11_mlock(struct p11_frame *f)
{
	if (!f->mlocked) {
		p11_lock();
		f->mlocked = 1;
	}
}

void
p11_munlock(struct p11_frame *f)
{
	if (f->mlocked) {
		p11_unlock();
		f->mlocked = 0;
	}
}

/*
 * Module lock held on entry.  Counted in g_p11.active first, so that
 * C_Finalize waits for this frame; the module lock is let go while waiting
 * for r's lock (lock order), then taken again to bring the card-side state
 * up to date with the reader's presence and to release the sessions of a
 * card that went.  On success r's lock is held and the module lock is not;
 * on failure the module lock is held and r's lock is not.
 */
CK_RV
p11_reader_enter(struct p11_frame *f, struct p11_reader *r)
{
	CK_RV rv;

	if (!f->active) {
		g_p11.active++;
		f->active = 1;
	}
	p11_munlock(f);
	if (p11_reader_lock((size_t)(r - g_p11.readers)) != 0) {
		p11_mlock(f);
		return CKR_GENERAL_ERROR;
	}
	f->r = r;
	f->rlocked = 1;
	p11_mlock(f);
	/* C_Finalize may have begun while this thread waited */
	if ((rv = p11_check_init()) != CKR_OK) {
		p11_reader_unlock((size_t)(r - g_p11.readers));
		f->rlocked = 0;
		return rv;
	}
	p11_reader_sync(r);
	p11_sessions_reap(r);
	p11_munlock(f);
	return CKR_OK;
}

/*
 * Let go of the reader (held, module lock not held); the module lock is
 * held on return.  Sessions of a card that went during the call are
 * released here, before another thread may reuse their entries.
 */
void
p11_reader_leave(struct p11_frame *f)
{
	p11_mlock(f);
	p11_sessions_reap(f->r);
	p11_reader_unlock((size_t)(f->r - g_p11.readers));
	f->rlocked = 0;
}

CK_RV
p11_begin(struct p11_frame *f, const char *fn, unsigned flags, CK_ULONG id,
    CK_RV pre)
{
	struct p11_session	*s = NULL;
	struct p11_reader	*r = NULL;
	int			 stale = 0;
	CK_RV			 rv;

	memset(f, 0, sizeof(*f));
	f->fn = fn;
	p11_mlock(f);
	if ((rv = p11_check_init()) != CKR_OK || (rv = pre) != CKR_OK)
		return rv;
	if (flags & P11_F_SESSION) {
		flags |= P11_F_CARD;
		if ((s = p11_session_find(id)) == NULL)
			return CKR_SESSION_HANDLE_INVALID;
		f->slot = s->slot;
		stale = p11_session_stale(s);
	} else if (flags & P11_F_SLOT)
		f->slot = id;
	if (flags & (P11_F_SESSION | P11_F_SLOT)) {
		if ((r = p11_slot_reader(f->slot, &f->k)) == NULL)
			return (flags & P11_F_SESSION) ?
			    CKR_SESSION_HANDLE_INVALID : CKR_SLOT_ID_INVALID;
		f->r = r;
	}
	if ((flags & P11_F_CARD) == 0 || r == NULL)
		return CKR_OK;
	if ((rv = p11_reader_enter(f, r)) != CKR_OK)
		return rv;
	if (s == NULL)
		return CKR_OK;
	/*
	 * Look the session up again: it may have been closed while this
	 * thread waited for the reader, and a session of a card that went
	 * was released by p11_reader_enter (reported once as removed, then
	 * as an invalid handle, as before).
	 */
	p11_mlock(f);
	s = p11_session_find(id);
	if (s == NULL)
		rv = stale ? CKR_DEVICE_REMOVED : CKR_SESSION_HANDLE_INVALID;
	else if (p11_session_stale(s))
		rv = CKR_DEVICE_REMOVED;	/* released by p11_end */
	else
		f->s = s;
	p11_munlock(f);
	return rv;
}

CK_RV
p11_end(struct p11_frame *f, CK_RV rv)
{
	if (f->rlocked)
		p11_reader_leave(f);
	if (f->active) {
		p11_mlock(f);
		g_p11.active--;
		f->active = 0;
	}
	p11_munlock(f);
	p11_trace(f->fn, rv);
	return rv;
}
