/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Sessions, login and PIN change.
 *
 * Login state is per token and application-wide (PKCS#11 v2.40 §4.3), and
 * on the card it is per AP: C_Logout re-selects the JPKI AP
 * (jpki_card_logout), which forgets BOTH PINs, so logging out of one of a
 * card's two tokens logs the other out too.  PINs are copied to a stack
 * buffer, checked for length and characters before any APDU, and wiped on
 * every exit; they are never cached (house-style §2.5).
 */
#include <stdlib.h>
#include <string.h>

#include "p11_int.h"

void
p11_session_release(struct p11_session *s)
{
	p11_sign_reset(s);
	p11_digest_reset(s);
	memset(s, 0, sizeof(*s));
}

void
p11_sessions_close_slot(CK_SLOT_ID slot)
{
	size_t i;

	for (i = 0; i < P11_MAX_SESSIONS; i++)
		if (g_p11.sessions[i].h != 0 && g_p11.sessions[i].slot == slot)
			p11_session_release(&g_p11.sessions[i]);
}

void
p11_sessions_fini(void)
{
	size_t i;

	for (i = 0; i < P11_MAX_SESSIONS; i++)
		if (g_p11.sessions[i].h != 0)
			p11_session_release(&g_p11.sessions[i]);
}

int
p11_session_count(CK_SLOT_ID slot, int rw_only)
{
	size_t	i;
	int	n = 0;

	for (i = 0; i < P11_MAX_SESSIONS; i++)
		if (g_p11.sessions[i].h != 0 && g_p11.sessions[i].slot == slot &&
		    (!rw_only || (g_p11.sessions[i].flags & CKF_RW_SESSION)))
			n++;
	return n;
}

/* Module lock held. */
struct p11_session *
p11_session_find(CK_SESSION_HANDLE h)
{
	size_t i;

	if (h == 0)
		return NULL;
	for (i = 0; i < P11_MAX_SESSIONS; i++)
		if (g_p11.sessions[i].h == h)
			return &g_p11.sessions[i];
	return NULL;
}

/* A session of a card that has gone (module lock held). */
int
p11_session_stale(const struct p11_session *s)
{
	struct p11_reader *r = p11_slot_reader(s->slot, NULL);

	return r == NULL || r->gen != s->gen || !r->card;
}

/*
 * Release the stale sessions of r's two slots: both locks held, so no
 * other thread is inside one of them.
 */
void
p11_sessions_reap(struct p11_reader *r)
{
	CK_SLOT_ID	base = (CK_SLOT_ID)(r - g_p11.readers) * 2;
	size_t		i;

	for (i = 0; i < P11_MAX_SESSIONS; i++) {
		struct p11_session *s = &g_p11.sessions[i];

		if (s->h != 0 && (s->slot == base || s->slot == base + 1) &&
		    p11_session_stale(s))
			p11_session_release(s);
	}
}

/*
 * PKCS#11 v2.40 §5.6: closing a token's last session logs it out.  The card
 * forgets PINs only all at once (re-selecting the AP), so it is told only
 * when the card's other token has no session either; until then the other
 * token's login stays usable.
 */
static void
last_session_closed(struct p11_frame *f)
{
	struct p11_reader	*r = f->r;
	CK_SLOT_ID		 other = f->slot ^ 1;
	int			 n;

	r->logged_in[f->slot % 2] = 0;
	p11_mlock(f);
	n = p11_session_count(other, 0);
	p11_munlock(f);
	if (n > 0)
		return;
	r->logged_in[other % 2] = 0;
	if (r->h != NULL)
		(void)jpki_card_logout(r->h);
}

CK_RV
C_OpenSession(CK_SLOT_ID slotID, CK_FLAGS flags, CK_VOID_PTR pApplication,
    CK_NOTIFY Notify, CK_SESSION_HANDLE_PTR phSession)
{
	struct p11_frame	 f;
	struct p11_reader	*r;
	struct p11_session	*s = NULL;
	size_t			 i;
	CK_RV			 rv;

	rv = phSession == NULL ? CKR_ARGUMENTS_BAD :
	    (flags & CKF_SERIAL_SESSION) == 0 ?
	    CKR_SESSION_PARALLEL_NOT_SUPPORTED : CKR_OK;
	if ((rv = p11_begin(&f, "C_OpenSession", P11_F_SLOT | P11_F_CARD,
	    slotID, rv)) != CKR_OK)
		goto out;
	r = f.r;
	if ((rv = p11_card_ready(r)) != CKR_OK)
		goto out;
	p11_mlock(&f);
	for (i = 0; i < P11_MAX_SESSIONS && s == NULL; i++)
		if (g_p11.sessions[i].h == 0)
			s = &g_p11.sessions[i];
	rv = CKR_SESSION_COUNT;
	if (s == NULL)
		goto out;
	memset(s, 0, sizeof(*s));
	s->h = g_p11.next_handle++;
	if (g_p11.next_handle == 0)
		g_p11.next_handle = 1;
	s->slot = slotID;
	s->flags = flags & (CKF_SERIAL_SESSION | CKF_RW_SESSION);
	/* the insertion the handle belongs to: stale at once if the card
	 * was swapped since p11_begin */
	s->gen = r->hgen;
	*phSession = s->h;
	rv = CKR_OK;
out:
	return p11_end(&f, rv);
}

CK_RV
C_CloseSession(CK_SESSION_HANDLE hSession)
{
	struct p11_frame	 f;
	int			 n;
	CK_RV			 rv;

	if ((rv = p11_begin(&f, "C_CloseSession", P11_F_SESSION, hSession,
	    CKR_OK)) != CKR_OK)
		goto out;
	p11_mlock(&f);
	p11_session_release(f.s);
	n = p11_session_count(f.slot, 0);
	p11_munlock(&f);
	if (n == 0)
		last_session_closed(&f);
	rv = CKR_OK;
out:
	return p11_end(&f, rv);
}

CK_RV
C_CloseAllSessions(CK_SLOT_ID slotID)
{
	struct p11_frame	 f;
	CK_RV			 rv;

	if ((rv = p11_begin(&f, "C_CloseAllSessions", P11_F_SLOT | P11_F_CARD,
	    slotID, CKR_OK)) != CKR_OK)
		goto out;
	p11_mlock(&f);
	p11_sessions_close_slot(slotID);
	p11_munlock(&f);
	last_session_closed(&f);
	rv = CKR_OK;
out:
	return p11_end(&f, rv);
}

CK_RV
C_GetSessionInfo(CK_SESSION_HANDLE hSession, CK_SESSION_INFO_PTR pInfo)
{
	struct p11_frame	 f;
	struct p11_session	*s;
	struct p11_reader	*r;
	enum p11_kind		 k;
	int			 rw;
	CK_RV			 rv;

	if ((rv = p11_begin(&f, "C_GetSessionInfo", P11_F_SESSION, hSession,
	    pInfo == NULL ? CKR_ARGUMENTS_BAD : CKR_OK)) != CKR_OK)
		goto out;
	s = f.s;
	r = f.r;
	k = f.k;
	/*
	 * A reset by another process loses the card's PIN state: ask the
	 * card layer (SCardStatus, no APDU) so that the session reports
	 * logged out at once, not only at the next C_Sign.
	 */
	if (r->logged_in[k] && r->h != NULL &&
	    jpki_card_check(r->h) == JPKI_ERR_CARD_RESET)
		r->logged_in[P11_AUTH] = r->logged_in[P11_SIGN] = 0;
	rw = (s->flags & CKF_RW_SESSION) != 0;
	pInfo->slotID = s->slot;
	pInfo->flags = s->flags;
	pInfo->ulDeviceError = 0;
	if (r->logged_in[k])
		pInfo->state = rw ? CKS_RW_USER_FUNCTIONS :
		    CKS_RO_USER_FUNCTIONS;
	else
		pInfo->state = rw ? CKS_RW_PUBLIC_SESSION :
		    CKS_RO_PUBLIC_SESSION;
	rv = CKR_OK;
out:
	return p11_end(&f, rv);
}

/* A PIN from the caller, bounded and NUL-terminated; wiped by the caller. */
struct p11_pin {
	char	v[JPKI_PIN_MAX + 1];
	size_t	len;
};

/*
 * Copy and check a PIN (jpki-card.md §5.4): auth 4 digits, sign 6-16 of
 * A-Z 0-9.  The sign password is upper-cased first, as the card compares
 * bytes and every tool upper-cases it.
 */
static CK_RV
pin_load(struct p11_pin *p, enum p11_kind k, CK_UTF8CHAR_PTR pin,
    CK_ULONG len)
{
	size_t	min = 0, max = 0;

	memset(p, 0, sizeof(*p));
	if (pin == NULL)
		return CKR_ARGUMENTS_BAD;	/* no PIN pad path (jpki-pkcs11.8) */
	if (jpki_pin_limits(k == P11_AUTH ? JPKI_PIN_AUTH : JPKI_PIN_SIGN,
	    &min, &max) != JPKI_OK || max > JPKI_PIN_MAX)
		return CKR_GENERAL_ERROR;
	if (len < min || len > max)
		return CKR_PIN_LEN_RANGE;
	memcpy(p->v, pin, len);
	p->len = len;
	/* folded here too: the bad-PIN memory compares what the card gets */
	(void)jpki_pin_fold(k == P11_AUTH ? JPKI_PIN_AUTH : JPKI_PIN_SIGN,
	    p->v, p->len);
	if (jpki_pin_check_format(k == P11_AUTH ? JPKI_PIN_AUTH :
	    JPKI_PIN_SIGN, p->v) != JPKI_OK)
		return CKR_PIN_INCORRECT;	/* could never match: no APDU */
	return CKR_OK;
}

static CK_RV
verify(struct p11_reader *r, enum p11_kind k, const struct p11_pin *p)
{
	int	tries = -1, err;
	unsigned flags = g_p11.allow_last_try ? JPKI_PIN_FORCE_LAST_TRY : 0;

	/* the same wrong PIN again: refused without spending a try */
	if (p11_badpin_known(r, k, p->v, p->len))
		return CKR_PIN_INCORRECT;
	err = jpki_card_verify_pin(r->h, k == P11_AUTH ? JPKI_PIN_AUTH :
	    JPKI_PIN_SIGN, p->v, flags, &tries);
	if (err == JPKI_ERR_PIN_INCORRECT)
		p11_badpin_remember(r, k, p->v, p->len, tries);
	if (err == JPKI_OK) {
		p11_badpin_forget(r, k);
		return CKR_OK;
	}
	if (err == JPKI_ERR_PIN_INCORRECT || err == JPKI_ERR_PIN_LOCKED ||
	    err == JPKI_ERR_PIN_LAST_TRY || err == JPKI_ERR_PIN_FORMAT)
		return p11_rv(err);
	return p11_card_error(r, err);
}

CK_RV
C_Login(CK_SESSION_HANDLE hSession, CK_USER_TYPE userType,
    CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen)
{
	struct p11_frame	 f;
	struct p11_session	*s;
	struct p11_reader	*r;
	struct p11_pin		 p;
	enum p11_kind		 k;
	CK_RV			 rv;

	memset(&p, 0, sizeof(p));
	if ((rv = p11_begin(&f, "C_Login", P11_F_SESSION, hSession,
	    CKR_OK)) != CKR_OK)
		goto out;
	s = f.s;
	r = f.r;
	k = f.k;
	rv = CKR_USER_TYPE_INVALID;
	if (userType != CKU_USER && userType != CKU_CONTEXT_SPECIFIC)
		goto out;
	if (userType == CKU_CONTEXT_SPECIFIC) {
		rv = CKR_OPERATION_NOT_INITIALIZED;
		if (!s->sign_active)
			goto out;
		rv = CKR_USER_NOT_LOGGED_IN;
		if (!r->logged_in[k])
			goto out;
	} else {
		rv = CKR_USER_ALREADY_LOGGED_IN;
		if (r->logged_in[k])
			goto out;
	}
	if ((rv = pin_load(&p, k, pPin, ulPinLen)) != CKR_OK)
		goto out;
	if ((rv = p11_card_ready(r)) != CKR_OK)
		goto out;
	if ((rv = verify(r, k, &p)) != CKR_OK) {
		if (rv != CKR_DEVICE_REMOVED && userType ==
		    CKU_CONTEXT_SPECIFIC)
			s->ctx_login = 0;
		goto out;
	}
	if (userType == CKU_CONTEXT_SPECIFIC)
		s->ctx_login = 1;
	else
		r->logged_in[k] = 1;
	rv = CKR_OK;
out:
	jpki_secure_zero(&p, sizeof(p));
	return p11_end(&f, rv);
}

CK_RV
C_Logout(CK_SESSION_HANDLE hSession)
{
	struct p11_frame	 f;
	struct p11_reader	*r;
	enum p11_kind		 k;
	int			 err;
	CK_RV			 rv;

	if ((rv = p11_begin(&f, "C_Logout", P11_F_SESSION, hSession,
	    CKR_OK)) != CKR_OK)
		goto out;
	r = f.r;
	k = f.k;
	rv = CKR_USER_NOT_LOGGED_IN;
	if (!r->logged_in[k])
		goto out;
	/* Both PINs are forgotten by the card (see the file comment). */
	r->logged_in[P11_AUTH] = r->logged_in[P11_SIGN] = 0;
	rv = CKR_OK;
	if (r->h != NULL && (err = jpki_card_logout(r->h)) != JPKI_OK &&
	    err != JPKI_ERR_CARD_RESET)
		rv = p11_card_error(r, err);
out:
	return p11_end(&f, rv);
}

CK_RV
C_SetPIN(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pOldPin,
    CK_ULONG ulOldLen, CK_UTF8CHAR_PTR pNewPin, CK_ULONG ulNewLen)
{
	struct p11_frame	 f;
	struct p11_session	*s;
	struct p11_reader	*r;
	struct p11_pin		 o, n;
	enum p11_kind		 k;
	unsigned		 flags;
	int			 tries = -1, err;
	CK_RV			 rv;

	memset(&o, 0, sizeof(o));
	memset(&n, 0, sizeof(n));
	if ((rv = p11_begin(&f, "C_SetPIN", P11_F_SESSION, hSession,
	    CKR_OK)) != CKR_OK)
		goto out;
	s = f.s;
	r = f.r;
	k = f.k;
	rv = CKR_SESSION_READ_ONLY;
	if ((s->flags & CKF_RW_SESSION) == 0)
		goto out;
	if ((rv = pin_load(&o, k, pOldPin, ulOldLen)) != CKR_OK)
		goto out;
	if ((rv = pin_load(&n, k, pNewPin, ulNewLen)) != CKR_OK) {
		if (rv == CKR_PIN_INCORRECT)
			rv = CKR_PIN_INVALID;
		goto out;
	}
	if ((rv = p11_card_ready(r)) != CKR_OK)
		goto out;
	flags = g_p11.allow_last_try ? JPKI_PIN_FORCE_LAST_TRY : 0;
	err = jpki_card_change_pin(r->h, k == P11_AUTH ? JPKI_PIN_AUTH :
	    JPKI_PIN_SIGN, o.v, n.v, flags, &tries);
	if (err == JPKI_ERR_PIN_FORMAT)
		rv = CKR_PIN_INVALID;	/* e.g. no letter or no digit */
	else if (err == JPKI_ERR_PIN_INCORRECT || err == JPKI_ERR_PIN_LOCKED ||
	    err == JPKI_ERR_PIN_LAST_TRY)
		rv = p11_rv(err);
	else if (err != JPKI_OK)
		rv = p11_card_error(r, err);
	else {
		p11_badpin_forget(r, k);
		rv = CKR_OK;
	}
out:
	jpki_secure_zero(&o, sizeof(o));
	jpki_secure_zero(&n, sizeof(n));
	return p11_end(&f, rv);
}
