/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Slots and tokens.  One reader gives two slots (id = reader index * 2 +
 * {0 auth, 1 sign}): PKCS#11 has one token per slot and the card has two
 * PIN-protected keys (jpki-card.md §5.5).  Reader indexes are stable for the
 * life of the module (a reader that goes away keeps its index).
 *
 * Everything read from a card is cached per insertion and read lazily, so
 * that enumerating tokens costs only the APDUs it must: C_GetTokenInfo needs
 * the PIN counter (SELECT + empty VERIFY) and, once, the auth certificate's
 * issuance number for the serial (one short READ BINARY).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "p11_int.h"

/* Copy src into a blank-padded, not terminated PKCS#11 string field. */
void
p11_pad(CK_UTF8CHAR *dst, size_t n, const char *src)
{
	size_t l = strlen(src);

	memset(dst, ' ', n);
	memcpy(dst, src, l < n ? l : n);
}

static const char *const token_label[2] = {
	"JPKI User Authentication",
	"JPKI Digital Signature"
};

struct p11_reader *
p11_slot_reader(CK_SLOT_ID slot, enum p11_kind *kind)
{
	size_t i = (size_t)(slot / 2);

	if (slot >= 2 * (CK_SLOT_ID)g_p11.nreaders)
		return NULL;
	if (kind != NULL)
		*kind = (slot % 2) == 0 ? P11_AUTH : P11_SIGN;
	return &g_p11.readers[i];
}

/* Drop everything read from the card (not the reader itself). */
static void
cache_clear(struct p11_reader *r)
{
	size_t i;

	for (i = 0; i < P11_C_COUNT; i++) {
		jpki_cert_free(&r->cert[i]);
		/* the sign certificate is personal data (§9.3) */
		jpki_free_secret(r->der[i], r->der_len[i]);
		r->der[i] = NULL;
		r->der_len[i] = 0;
	}
	r->serial[0] = '\0';
	r->avail_known = 0;
	r->has_sign = 0;
	r->not_jpki = 0;
	r->logged_in[P11_AUTH] = r->logged_in[P11_SIGN] = 0;
	p11_badpin_forget(r, P11_AUTH);
	p11_badpin_forget(r, P11_SIGN);
}

/*
 * The card went away (or was swapped), seen by card I/O: the reader's lock
 * is held, the module lock is not.  Its sessions now report
 * CKR_DEVICE_REMOVED, then CKR_SESSION_HANDLE_INVALID (PKCS#11 v2.40 §5.6:
 * sessions end with the token); p11_end releases them.
 */
void
p11_card_gone(struct p11_reader *r)
{
	p11_lock();
	r->card = 0;
	r->gen++;
	g_p11.events++;
	r->hgen = r->gen;
	p11_unlock();
	r->io_card = 0;
	jpki_card_free(&r->h);
	cache_clear(r);
}

/*
 * Both locks held: a handle and cache of an earlier insertion go (the card
 * was pulled or swapped, as p11_refresh_readers saw under the module lock
 * alone, which must not touch them).
 */
void
p11_reader_sync(struct p11_reader *r)
{
	if (r->hgen != r->gen) {
		jpki_card_free(&r->h);
		cache_clear(r);
		r->hgen = r->gen;
	}
	r->io_card = r->present && r->card;
}

/* Reader state as seen by C_WaitForSlotEvent: changes on every event. */
unsigned long
p11_reader_state(const struct p11_reader *r)
{
	return 2 * r->gen + (unsigned long)(r->present != 0);
}

void
p11_reader_forget(struct p11_reader *r)
{
	jpki_card_free(&r->h);
	cache_clear(r);
	free(r->name);
	r->name = NULL;
}

void
p11_slots_fini(void)
{
	size_t i;

	for (i = 0; i < g_p11.nreaders; i++)
		p11_reader_forget(&g_p11.readers[i]);
	g_p11.nreaders = 0;
}

/*
 * Poll PC/SC for readers and card presence (no APDU), under the module
 * lock only: a change bumps the reader's generation, which ends its
 * sessions; the card handle and cache go at the next p11_reader_sync.  A
 * service that is down counts as "no readers": C_GetSlotList then reports
 * none.
 */
CK_RV
p11_refresh_readers(void)
{
	char		**names = NULL;
	int		 *present = NULL;
	size_t		  n = 0, i, j;
	int		  seen[P11_MAX_READERS];
	int		  err;
	CK_RV		  rv = CKR_OK;

	memset(seen, 0, sizeof(seen));
	err = jpki_reader_list(&names, &n, &present);
	if (err != JPKI_OK) {
		n = 0;
		if (err == JPKI_ERR_NOMEM) {
			rv = CKR_HOST_MEMORY;
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		struct p11_reader *r = NULL;

		for (j = 0; j < g_p11.nreaders; j++)
			if (strcmp(g_p11.readers[j].name, names[i]) == 0)
				r = &g_p11.readers[j];
		if (r == NULL) {
			if (g_p11.nreaders == P11_MAX_READERS)
				continue;	/* cap: later readers unseen */
			r = &g_p11.readers[g_p11.nreaders];
			memset(r, 0, sizeof(*r));
			if ((r->name = strdup(names[i])) == NULL) {
				rv = CKR_HOST_MEMORY;
				goto out;
			}
			g_p11.nreaders++;
			g_p11.events++;
		}
		seen[r - g_p11.readers] = 1;
		r->present = 1;
		if ((present != NULL && present[i]) != (r->card != 0)) {
			r->gen++;
			g_p11.events++;
			r->card = present != NULL && present[i];
		}
	}
	for (j = 0; j < g_p11.nreaders; j++) {
		struct p11_reader *r = &g_p11.readers[j];

		if (seen[j])
			continue;
		if (r->card)
			r->gen++;
		if (r->present)
			g_p11.events++;
		r->present = 0;
		r->card = 0;
	}
out:
	jpki_reader_list_free(&names, &present);
	return rv;
}

/*
 * Connect to the card of r if not connected yet (one SELECT of the AP).
 * The reader's lock is held.
 */
CK_RV
p11_card_ready(struct p11_reader *r)
{
	jpki_card_t	*h = NULL;
	int		 err;
	CK_RV		 rv = CKR_TOKEN_NOT_PRESENT;

	if (!r->io_card)
		goto out;
	rv = CKR_TOKEN_NOT_RECOGNIZED;
	if (r->not_jpki)
		goto out;
	rv = CKR_OK;
	if (r->h != NULL)
		goto out;
	rv = CKR_HOST_MEMORY;
	if (jpki_card_new(&h) != JPKI_OK)
		goto out;
	err = jpki_card_open(h, r->name, 0, 0);
	if (err == JPKI_ERR_NOT_JPKI || err == JPKI_ERR_UNRESPONSIVE) {
		r->not_jpki = 1;
		rv = CKR_TOKEN_NOT_RECOGNIZED;
		goto out;
	}
	if (err == JPKI_ERR_NO_CARD || err == JPKI_ERR_CARD_REMOVED) {
		p11_card_gone(r);
		rv = CKR_TOKEN_NOT_PRESENT;
		goto out;
	}
	if ((rv = p11_rv(err)) != CKR_OK)
		goto out;
	r->h = h;
	h = NULL;
out:
	jpki_card_free(&h);
	return rv;
}

/*
 * Turn a library error from a card call into a CKR_* and update the reader
 * state: a removed card closes the sessions; a reset by another process
 * (PIN state lost, jpki-card.md §2.1) logs both tokens out.
 */
CK_RV
p11_card_error(struct p11_reader *r, int err)
{
	if (err == JPKI_ERR_CARD_REMOVED || err == JPKI_ERR_NO_CARD) {
		p11_card_gone(r);
		return CKR_DEVICE_REMOVED;
	}
	if (err == JPKI_ERR_CARD_RESET || err == JPKI_ERR_SECURITY)
		r->logged_in[P11_AUTH] = r->logged_in[P11_SIGN] = 0;
	return p11_rv(err);
}

static const jpki_cert_kind_t certkind[P11_C_COUNT] = {
	[P11_C_AUTH] = JPKI_CERT_AUTH,
	[P11_C_AUTH_CA] = JPKI_CERT_AUTH_CA,
	[P11_C_SIGN] = JPKI_CERT_SIGN,
	[P11_C_SIGN_CA] = JPKI_CERT_SIGN_CA
};

/* Read and parse a certificate once per insertion. */
CK_RV
p11_load_cert(struct p11_reader *r, enum p11_certidx i)
{
	uint8_t	*der = NULL;
	size_t	 len = 0;
	int	 err, tries;
	CK_RV	 rv;

	if (r->cert[i] != NULL)
		return CKR_OK;
	if ((rv = p11_card_ready(r)) != CKR_OK)
		goto out;
	/* A reset by someone else re-selects the AP; one retry is safe. */
	for (tries = 0; tries < 2; tries++) {
		err = jpki_card_read_cert(r->h, certkind[i], &der, &len);
		if (err != JPKI_ERR_CARD_RESET)
			break;
		r->logged_in[P11_AUTH] = r->logged_in[P11_SIGN] = 0;
	}
	if (err != JPKI_OK) {
		rv = p11_card_error(r, err);
		goto out;
	}
	if ((err = jpki_cert_new(&r->cert[i], der, len)) != JPKI_OK) {
		rv = p11_rv(err);
		goto out;
	}
	r->der[i] = der;
	r->der_len[i] = len;
	der = NULL;
	rv = CKR_OK;
out:
	jpki_free_secret(der, len);
	return rv;
}

/* Token serial: last 16 hex digits of the auth certificate's serial. */
static CK_RV
load_serial(struct p11_reader *r)
{
	uint8_t	sn[64];
	char	hex[2 * sizeof(sn) + 1];
	size_t	snlen = sizeof(sn), i, l;
	int	err;
	CK_RV	rv = CKR_OK;

	if (r->serial[0] != '\0')
		goto out;
	if (r->cert[P11_C_AUTH] != NULL) {
		const char *s = jpki_cert_serial_hex(r->cert[P11_C_AUTH]);

		snprintf(hex, sizeof(hex), "%s", s);
	} else {
		err = jpki_card_read_serial(r->h, JPKI_CERT_AUTH, sn, &snlen);
		if (err != JPKI_OK) {
			rv = p11_card_error(r, err);
			goto out;
		}
		for (i = 0; i < snlen; i++)
			snprintf(hex + 2 * i, 3, "%02X", sn[i]);
		hex[2 * snlen] = '\0';
	}
	l = strlen(hex);
	memset(r->serial, '0', 16);
	if (l >= 16)
		memcpy(r->serial, hex + l - 16, 16);
	else
		memcpy(r->serial + 16 - l, hex, l);
	r->serial[16] = '\0';
out:
	return rv;
}

/* Does the card carry a signature certificate (EF 0008, once)? */
static CK_RV
load_avail(struct p11_reader *r)
{
	int	auth = 0, sign = 0, err;

	if (r->avail_known)
		return CKR_OK;
	if ((err = jpki_card_cert_available(r->h, &auth, &sign)) != JPKI_OK)
		return p11_card_error(r, err);
	r->has_sign = sign;
	r->avail_known = 1;
	return CKR_OK;
}

/* Is there a usable token in this slot?  May send APDUs (sign slot). */
static int
token_present(struct p11_reader *r, enum p11_kind k)
{
	if (p11_card_ready(r) != CKR_OK)
		return 0;
	if (k == P11_SIGN && (load_avail(r) != CKR_OK || !r->has_sign))
		return 0;
	return 1;
}

CK_RV
C_GetSlotList(CK_BBOOL tokenPresent, CK_SLOT_ID_PTR pSlotList,
    CK_ULONG_PTR pulCount)
{
	struct p11_frame f;
	CK_SLOT_ID	list[2 * P11_MAX_READERS];
	size_t		present[P11_MAX_READERS];
	CK_ULONG	n = 0;
	size_t		i, np = 0;
	int		k;
	CK_RV		rv;

	if ((rv = p11_begin(&f, "C_GetSlotList", 0, 0, pulCount == NULL ?
	    CKR_ARGUMENTS_BAD : CKR_OK)) != CKR_OK)
		goto out;
	if ((rv = p11_refresh_readers()) != CKR_OK)
		goto out;
	for (i = 0; i < g_p11.nreaders; i++)
		if (g_p11.readers[i].present)
			present[np++] = i;
	/* with tokenPresent, each card is asked under its own lock only */
	for (i = 0; i < np; i++) {
		struct p11_reader *r = &g_p11.readers[present[i]];

		if (tokenPresent && (rv = p11_reader_enter(&f, r)) != CKR_OK)
			goto out;
		for (k = 0; k < 2; k++) {
			if (tokenPresent && !token_present(r, (enum p11_kind)k))
				continue;
			list[n++] = (CK_SLOT_ID)(2 * present[i] + (size_t)k);
		}
		if (tokenPresent)
			p11_reader_leave(&f);
	}
	rv = CKR_OK;
	if (pSlotList != NULL) {
		if (*pulCount < n)
			rv = CKR_BUFFER_TOO_SMALL;
		else
			memcpy(pSlotList, list, n * sizeof(list[0]));
	}
	*pulCount = n;
out:
	return p11_end(&f, rv);
}

CK_RV
C_GetSlotInfo(CK_SLOT_ID slotID, CK_SLOT_INFO_PTR pInfo)
{
	struct p11_frame	 f;
	struct p11_reader	*r;
	enum p11_kind		 k;
	char			 desc[80];
	CK_FLAGS		 fl;
	CK_RV			 rv;

	if ((rv = p11_begin(&f, "C_GetSlotInfo", P11_F_SLOT, slotID,
	    pInfo == NULL ? CKR_ARGUMENTS_BAD : CKR_OK)) != CKR_OK)
		goto out;
	r = f.r;
	k = f.k;
	if ((rv = p11_refresh_readers()) != CKR_OK)
		goto out;
	fl = CKF_REMOVABLE_DEVICE | CKF_HW_SLOT;
	/* asks the card (sign slot): under the reader's lock only */
	if (r->present && r->card) {
		if ((rv = p11_reader_enter(&f, r)) != CKR_OK)
			goto out;
		if (token_present(r, k))
			fl |= CKF_TOKEN_PRESENT;
		p11_reader_leave(&f);
	}
	memset(pInfo, 0, sizeof(*pInfo));
	snprintf(desc, sizeof(desc), "%s (%s)", r->name,
	    k == P11_AUTH ? "auth" : "sign");
	p11_pad(pInfo->slotDescription, sizeof(pInfo->slotDescription), desc);
	p11_pad(pInfo->manufacturerID, sizeof(pInfo->manufacturerID),
	    "libjpki");
	pInfo->flags = fl;
	pInfo->hardwareVersion.major = 0;
	pInfo->hardwareVersion.minor = 0;
	pInfo->firmwareVersion.major = JPKI_VERSION_MAJOR;
	pInfo->firmwareVersion.minor = JPKI_VERSION_MINOR;
	rv = CKR_OK;
out:
	return p11_end(&f, rv);
}

/* Live PIN counter -> CKF_USER_PIN_* flags (jpki-card.md §5.4). */
static CK_RV
pin_flags(struct p11_reader *r, enum p11_kind k, CK_FLAGS *flags)
{
	int	tries = -1, err, max = k == P11_AUTH ? 3 : 5;

	err = jpki_card_pin_status(r->h, k == P11_AUTH ? JPKI_PIN_AUTH :
	    JPKI_PIN_SIGN, &tries);
	if (err == JPKI_ERR_CARD_RESET) {
		r->logged_in[P11_AUTH] = r->logged_in[P11_SIGN] = 0;
		err = jpki_card_pin_status(r->h, k == P11_AUTH ?
		    JPKI_PIN_AUTH : JPKI_PIN_SIGN, &tries);
	}
	if (err == JPKI_ERR_PIN_LOCKED)
		tries = 0;
	else if (err != JPKI_OK)
		return p11_card_error(r, err);
	if (tries == 0)
		*flags |= CKF_USER_PIN_LOCKED;
	else if (tries == 1)
		*flags |= CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_COUNT_LOW;
	else if (tries > 0 && tries < max)
		*flags |= CKF_USER_PIN_COUNT_LOW;
	return CKR_OK;
}

CK_RV
C_GetTokenInfo(CK_SLOT_ID slotID, CK_TOKEN_INFO_PTR pInfo)
{
	struct p11_frame	 f;
	struct p11_reader	*r;
	enum p11_kind		 k;
	CK_FLAGS		 fl;
	CK_RV			 rv;
	size_t			 pmin = 0, pmax = 0;

	if ((rv = p11_begin(&f, "C_GetTokenInfo", P11_F_SLOT | P11_F_CARD,
	    slotID, pInfo == NULL ? CKR_ARGUMENTS_BAD : CKR_OK)) != CKR_OK)
		goto out;
	r = f.r;
	k = f.k;
	if ((rv = p11_card_ready(r)) != CKR_OK)
		goto out;
	if (k == P11_SIGN) {
		if ((rv = load_avail(r)) != CKR_OK)
			goto out;
		rv = CKR_TOKEN_NOT_PRESENT;
		if (!r->has_sign)
			goto out;
	}
	if ((rv = load_serial(r)) != CKR_OK)
		goto out;
	fl = CKF_RNG | CKF_LOGIN_REQUIRED | CKF_USER_PIN_INITIALIZED |
	    CKF_TOKEN_INITIALIZED;
	if ((rv = pin_flags(r, k, &fl)) != CKR_OK)
		goto out;
	memset(pInfo, 0, sizeof(*pInfo));
	p11_pad(pInfo->label, sizeof(pInfo->label), token_label[k]);
	p11_pad(pInfo->manufacturerID, sizeof(pInfo->manufacturerID),
	    "J-LIS");
	p11_pad(pInfo->model, sizeof(pInfo->model), "My Number Card");
	p11_pad(pInfo->serialNumber, sizeof(pInfo->serialNumber), r->serial);
	pInfo->flags = fl;
	pInfo->ulMaxSessionCount = CK_EFFECTIVELY_INFINITE;
	pInfo->ulMaxRwSessionCount = CK_EFFECTIVELY_INFINITE;
	p11_mlock(&f);
	pInfo->ulSessionCount = (CK_ULONG)p11_session_count(slotID, 0);
	pInfo->ulRwSessionCount = (CK_ULONG)p11_session_count(slotID, 1);
	p11_munlock(&f);
	/* jpki-card.md §5.4, from the library's one table */
	(void)jpki_pin_limits(k == P11_AUTH ? JPKI_PIN_AUTH : JPKI_PIN_SIGN,
	    &pmin, &pmax);
	pInfo->ulMaxPinLen = (CK_ULONG)pmax;
	pInfo->ulMinPinLen = (CK_ULONG)pmin;
	pInfo->ulTotalPublicMemory = CK_UNAVAILABLE_INFORMATION;
	pInfo->ulFreePublicMemory = CK_UNAVAILABLE_INFORMATION;
	pInfo->ulTotalPrivateMemory = CK_UNAVAILABLE_INFORMATION;
	pInfo->ulFreePrivateMemory = CK_UNAVAILABLE_INFORMATION;
	pInfo->hardwareVersion.major = 0;
	pInfo->firmwareVersion.major = JPKI_VERSION_MAJOR;
	pInfo->firmwareVersion.minor = JPKI_VERSION_MINOR;
	memset(pInfo->utcTime, ' ', sizeof(pInfo->utcTime));
	rv = CKR_OK;
out:
	return p11_end(&f, rv);
}

/*
 * Hot-plug: poll PC/SC presence (no APDU) every 200 ms.  The module lock is
 * released while sleeping so other threads (and C_Finalize) go on.
 */
CK_RV
C_WaitForSlotEvent(CK_FLAGS flags, CK_SLOT_ID_PTR pSlot, CK_VOID_PTR pRsvd)
{
	struct p11_frame f;
	size_t		 i;
	CK_RV		 rv;
	struct timespec	 ts = { 0, 200 * 1000 * 1000 };

	if ((rv = p11_begin(&f, "C_WaitForSlotEvent", 0, 0, pSlot == NULL ||
	    pRsvd != NULL ? CKR_ARGUMENTS_BAD : CKR_OK)) != CKR_OK)
		goto out;
	g_p11.waiters++;
	/*
	 * A change not yet reported to any waiter is an event: compare each
	 * reader's state with the one last reported (event_seen).  The event
	 * names the reader's auth slot; its sign slot changes with it.
	 */
	for (;;) {
		if ((rv = p11_refresh_readers()) != CKR_OK)
			break;
		for (i = 0; i < g_p11.nreaders; i++) {
			struct p11_reader *r = &g_p11.readers[i];

			if (r->event_seen != p11_reader_state(r)) {
				r->event_seen = p11_reader_state(r);
				*pSlot = (CK_SLOT_ID)(2 * i);
				rv = CKR_OK;
				goto done;
			}
		}
		rv = CKR_NO_EVENT;
		if (flags & CKF_DONT_BLOCK)
			break;
		/* no lock at all while sleeping */
		p11_munlock(&f);
		nanosleep(&ts, NULL);
		p11_mlock(&f);
		if (!g_p11.initialized || g_p11.finalizing) {
			rv = CKR_CRYPTOKI_NOT_INITIALIZED;
			break;
		}
	}
done:
	g_p11.waiters--;
out:
	return p11_end(&f, rv);
}

/*
 * Mechanisms (PKCS#11 v2.40 §2.1): PKCS#1 v1.5 signing and digests; the
 * card's RSA-PSS scheme (SHA-256 only) when JPKI_P11_PSS=1.
 */
static const struct {
	CK_MECHANISM_TYPE	m;
	CK_ULONG		min, max;
	CK_FLAGS		flags;
	int			pss;
} mechs[] = {
	{ CKM_RSA_PKCS,		2048, 2048, CKF_HW | CKF_SIGN, 0 },
	{ CKM_SHA1_RSA_PKCS,	2048, 2048, CKF_HW | CKF_SIGN, 0 },
	{ CKM_SHA256_RSA_PKCS,	2048, 2048, CKF_HW | CKF_SIGN, 0 },
	{ CKM_SHA384_RSA_PKCS,	2048, 2048, CKF_HW | CKF_SIGN, 0 },
	{ CKM_SHA512_RSA_PKCS,	2048, 2048, CKF_HW | CKF_SIGN, 0 },
	{ CKM_RSA_PKCS_PSS,	2048, 2048, CKF_HW | CKF_SIGN, 1 },
	{ CKM_SHA256_RSA_PKCS_PSS, 2048, 2048, CKF_HW | CKF_SIGN, 1 },
	{ CKM_SHA_1,		0, 0, CKF_DIGEST, 0 },
	{ CKM_SHA256,		0, 0, CKF_DIGEST, 0 },
	{ CKM_SHA384,		0, 0, CKF_DIGEST, 0 },
	{ CKM_SHA512,		0, 0, CKF_DIGEST, 0 },
};
#define NMECHS	(sizeof(mechs) / sizeof(mechs[0]))

/* Offered now: PSS only by configuration. */
static int
mech_offered(size_t i)
{
	return !mechs[i].pss || g_p11.pss_enabled;
}

int
p11_mech_is_pss(CK_MECHANISM_TYPE m)
{
	return m == CKM_RSA_PKCS_PSS || m == CKM_SHA256_RSA_PKCS_PSS;
}

int
p11_mech_supported(CK_MECHANISM_TYPE m, CK_FLAGS *flags)
{
	size_t	i;
	int	found = 0;

	for (i = 0; i < NMECHS && !found; i++)
		if (mechs[i].m == m && mech_offered(i)) {
			if (flags != NULL)
				*flags = mechs[i].flags;
			found = 1;
		}
	return found;
}

CK_RV
C_GetMechanismList(CK_SLOT_ID slotID, CK_MECHANISM_TYPE_PTR pList,
    CK_ULONG_PTR pulCount)
{
	struct p11_frame	f;
	CK_MECHANISM_TYPE	list[NMECHS];
	CK_ULONG		n = 0;
	size_t			i;
	CK_RV			rv;

	if ((rv = p11_begin(&f, "C_GetMechanismList", P11_F_SLOT, slotID,
	    pulCount == NULL ? CKR_ARGUMENTS_BAD : CKR_OK)) != CKR_OK)
		goto out;
	for (i = 0; i < NMECHS; i++)
		if (mech_offered(i))
			list[n++] = mechs[i].m;
	rv = CKR_OK;
	if (pList != NULL) {
		if (*pulCount < n)
			rv = CKR_BUFFER_TOO_SMALL;
		else
			memcpy(pList, list, n * sizeof(list[0]));
	}
	*pulCount = n;
out:
	return p11_end(&f, rv);
}

CK_RV
C_GetMechanismInfo(CK_SLOT_ID slotID, CK_MECHANISM_TYPE type,
    CK_MECHANISM_INFO_PTR pInfo)
{
	struct p11_frame f;
	size_t		 i;
	CK_RV		 rv;

	if ((rv = p11_begin(&f, "C_GetMechanismInfo", P11_F_SLOT, slotID,
	    pInfo == NULL ? CKR_ARGUMENTS_BAD : CKR_OK)) != CKR_OK)
		goto out;
	rv = CKR_MECHANISM_INVALID;
	for (i = 0; i < NMECHS; i++)
		if (mechs[i].m == type && mech_offered(i)) {
			pInfo->ulMinKeySize = mechs[i].min;
			pInfo->ulMaxKeySize = mechs[i].max;
			pInfo->flags = mechs[i].flags;
			rv = CKR_OK;
		}
out:
	return p11_end(&f, rv);
}
