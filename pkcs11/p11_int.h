/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * jpki-pkcs11.so internals: the module's global state (readers, slots,
 * sessions), shared by the p11_*.c files.  Only p11_module.c owns mutable
 * globals (house-style §2.4); the other files reach them through g_p11.
 *
 * Locking (jpki-pkcs11(8) "THREADS AND LOCKING"): two kinds of lock.
 *
 *   module lock  the caller's mutex callbacks or a pthread mutex
 *                (p11_module.c): g_p11's tables and counters, a reader's
 *                presence fields (name, present, card, gen, event_seen)
 *                and the session table's entries (h, slot, gen).  Held
 *                only for bookkeeping: never across card I/O, never while
 *                waiting for a reader lock.
 *   reader lock  one pthread mutex per reader, held across card I/O: the
 *                card handle and everything read from the card (the other
 *                fields of struct p11_reader) and the operation state of
 *                the sessions of the reader's two slots.  libjpki handles
 *                are thread-compatible, not thread-safe: one thread per
 *                card at a time.
 *
 * Order: reader lock, then module lock (a thread holding a reader lock may
 * take the module lock briefly; a thread holding the module lock never
 * waits for a reader lock).  So a slow card stalls only the callers of its
 * own reader.  Every entry point runs in a p11_begin()/p11_end() frame
 * that takes the locks it needs.
 */
#ifndef JPKI_P11_INT_H
#define JPKI_P11_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <p11-kit/pkcs11.h>

#include <jpki/jpki.h>
#include <jpki/cert.h>

/* PKCS#11 3.0 interface types, absent from p11-kit < 0.25's header. */
#ifndef CKF_INTERFACE_FORK_SAFE
#define P11_NEED_INTERFACE_TYPES	1
typedef struct CK_INTERFACE {
	CK_CHAR		*pInterfaceName;
	CK_VOID_PTR	 pFunctionList;
	CK_FLAGS	 flags;
} CK_INTERFACE;
typedef CK_INTERFACE *CK_INTERFACE_PTR;
typedef CK_INTERFACE_PTR *CK_INTERFACE_PTR_PTR;
#define CKF_INTERFACE_FORK_SAFE		0x00000001UL
#endif

#define P11_MAX_READERS		16	/* slot ids 0 .. 2*P11_MAX_READERS-1 */
#define P11_MAX_SESSIONS	256
#define P11_SIG_LEN		256	/* RSA-2048, jpki-card.md §1 */
#define P11_MAX_DIGESTINFO	245	/* k - 11, RFC 8017 §9.2 */

/* Two tokens per card (slot id = reader index * 2 + kind). */
enum p11_kind {
	P11_AUTH = 0,
	P11_SIGN = 1
};

/* Certificates, in jpki_cert_kind_t order minus one. */
enum p11_certidx {
	P11_C_AUTH = 0,
	P11_C_AUTH_CA,
	P11_C_SIGN,
	P11_C_SIGN_CA,
	P11_C_COUNT
};

/* Objects of a token; handle = slot id << 8 | (object + 1). */
enum p11_obj {
	P11_O_CERT = 0,		/* end-entity certificate */
	P11_O_PUB,		/* its public key */
	P11_O_PRIV,		/* the card's private key */
	P11_O_CA,		/* CA certificate */
	P11_O_COUNT
};

/* One reader and the card in it; both of its slots share this. */
/* The last PIN the card refused on a token (p11_badpin.c). */
struct p11_badpin {
	int		 set;
	int		 tries_left;	/* the counter the refusal left */
	uint8_t		 salt[16];
	uint8_t		 md[32];	/* SHA-256(salt, kind, PIN) */
};

struct p11_reader {
	char		*name;
	int		 present;	/* reader listed by PC/SC */
	int		 card;		/* card present (last poll) */
	unsigned long	 gen;		/* bumped on every insertion/removal */
	/* from here to event_seen: the reader lock's (see above) */
	unsigned long	 hgen;		/* gen the handle and cache belong to */
	int		 io_card;	/* card present, as of the frame's start */
	jpki_card_t	*h;		/* open handle, NULL if not connected */
	int		 not_jpki;	/* card present but no JPKI AP */
	int		 logged_in[2];	/* per token (auth, sign) */
	struct p11_badpin badpin[2];	/* per token */
	char		 serial[17];	/* token serial, "" until read */
	int		 avail_known;	/* cert availability read (EF 0008) */
	int		 has_sign;
	uint8_t		*der[P11_C_COUNT];	/* lazily read, per insertion */
	size_t		 der_len[P11_C_COUNT];
	jpki_cert_t	*cert[P11_C_COUNT];
	unsigned long	 event_seen;	/* C_WaitForSlotEvent; module lock */
};

/*
 * One open session.  h, slot, flags and gen: module lock; the rest: the
 * lock of the slot's reader.  A session whose card went (gen behind the
 * reader's) is released only by a thread holding both locks, so a thread
 * in card I/O on it never sees its entry reused.
 */
struct p11_session {
	CK_SESSION_HANDLE h;		/* 0 = free entry */
	CK_SLOT_ID	 slot;
	CK_FLAGS	 flags;
	unsigned long	 gen;		/* reader generation at open */
	/* C_FindObjects */
	int		 find_active;
	CK_OBJECT_HANDLE found[P11_O_COUNT];
	size_t		 nfound, findpos;
	/* C_Sign* */
	int		 sign_active;
	CK_MECHANISM_TYPE sign_mech;
	enum p11_kind	 sign_key;
	int		 sign_multi;	/* C_SignUpdate was used */
	int		 ctx_login;	/* CKU_CONTEXT_SPECIFIC done */
	jpki_hash_t	 sign_alg;
	int		 sign_pss;	/* card scheme P1 04 */
	jpki_hash_ctx_t	*sign_hash;	/* multi-part, hashing mechs */
	uint8_t		 sign_buf[245];	/* CKM_RSA_PKCS multi-part input */
	size_t		 sign_len;
	/* C_Digest* */
	int		 digest_active;
	jpki_hash_t	 digest_alg;
	jpki_hash_ctx_t	*digest_hash;
};

struct p11_global {
	int		 initialized;
	pid_t		 pid;
	struct p11_reader readers[P11_MAX_READERS];
	size_t		 nreaders;
	struct p11_session sessions[P11_MAX_SESSIONS];
	CK_SESSION_HANDLE next_handle;
	unsigned long	 events;	/* total slot events so far */
	int		 waiters;
	int		 active;	/* frames holding or awaiting a reader lock */
	int		 finalizing;
	int		 allow_last_try;
	int		 pss_enabled;	/* JPKI_P11_PSS=1 */
};

extern struct p11_global g_p11;

/* p11_module.c */
void	p11_lock(void);
void	p11_unlock(void);
/* Precondition of every entry point: initialised and same process. */
CK_RV	p11_check_init(void);
void	p11_trace(const char *fn, CK_RV rv);
int	p11_reader_lock(size_t i);
void	p11_reader_unlock(size_t i);

/*
 * p11_frame.c: the frame of every entry point.
 *
 *   struct p11_frame f;
 *   if ((rv = p11_begin(&f, "C_Sign", P11_F_SESSION, hSession,
 *       pre)) != CKR_OK)
 *           goto out;
 *   ...
 * out:
 *   return p11_end(&f, rv);
 *
 * p11_begin checks initialisation, answers pre if it is not CKR_OK (the
 * caller's argument checks that PKCS#11 ranks before a handle's validity),
 * looks the session or slot up, and with
 * P11_F_SESSION or P11_F_CARD takes the reader's lock and lets go of the
 * module lock: the body may do card I/O and, for module state, takes the
 * module lock briefly (p11_mlock/p11_munlock).  Without those flags the
 * body runs under the module lock and must not do card I/O.  p11_end
 * releases what is held and traces the result.
 */
#define P11_F_SLOT	0x1	/* id is a slot id */
#define P11_F_SESSION	0x2	/* id is a session handle; implies P11_F_CARD */
#define P11_F_CARD	0x4	/* lock the reader for card I/O */

struct p11_frame {
	const char		*fn;
	int			 mlocked;	/* module lock held */
	int			 active;	/* counted in g_p11.active */
	struct p11_reader	*r;		/* the slot's or session's reader */
	int			 rlocked;	/* r's lock held */
	struct p11_session	*s;		/* P11_F_SESSION */
	CK_SLOT_ID		 slot;
	enum p11_kind		 k;
};

CK_RV	p11_begin(struct p11_frame *f, const char *fn, unsigned flags,
	    CK_ULONG id, CK_RV pre);
CK_RV	p11_end(struct p11_frame *f, CK_RV rv);
CK_RV	p11_reader_enter(struct p11_frame *f, struct p11_reader *r);
void	p11_reader_leave(struct p11_frame *f);
void	p11_mlock(struct p11_frame *f);
void	p11_munlock(struct p11_frame *f);

/* p11_rv.c */
CK_RV	p11_rv(int jpki_err);
int	p11_rv_mapped(int jpki_err);

/* p11_slot.c */
CK_RV	p11_refresh_readers(void);
struct p11_reader *p11_slot_reader(CK_SLOT_ID slot, enum p11_kind *kind);
CK_RV	p11_card_ready(struct p11_reader *r);
void	p11_card_gone(struct p11_reader *r);
void	p11_reader_sync(struct p11_reader *r);
CK_RV	p11_card_error(struct p11_reader *r, int err);
CK_RV	p11_load_cert(struct p11_reader *r, enum p11_certidx i);
void	p11_reader_forget(struct p11_reader *r);
unsigned long p11_reader_state(const struct p11_reader *r);
void	p11_slots_fini(void);
int	p11_mech_supported(CK_MECHANISM_TYPE m, CK_FLAGS *flags);
int	p11_mech_is_pss(CK_MECHANISM_TYPE m);
void	p11_pad(CK_UTF8CHAR *dst, size_t n, const char *src);

/* p11_session.c */
struct p11_session *p11_session_find(CK_SESSION_HANDLE h);
int	p11_session_stale(const struct p11_session *s);
void	p11_sessions_reap(struct p11_reader *r);
void	p11_session_release(struct p11_session *s);
void	p11_sessions_close_slot(CK_SLOT_ID slot);
void	p11_sessions_fini(void);
int	p11_session_count(CK_SLOT_ID slot, int rw_only);

/* p11_object.c */
int	p11_obj_decode(CK_OBJECT_HANDLE h, CK_SLOT_ID *slot,
	    enum p11_obj *o);
CK_OBJECT_HANDLE p11_obj_handle(CK_SLOT_ID slot, enum p11_obj o);
int	p11_obj_visible(struct p11_reader *r, enum p11_kind k,
	    enum p11_obj o);

/* p11_sign.c */
void	p11_sign_reset(struct p11_session *s);

/* p11_badpin.c */
void	p11_badpin_forget(struct p11_reader *r, enum p11_kind k);
void	p11_badpin_remember(struct p11_reader *r, enum p11_kind k,
	    const char *pin, size_t len, int tries_left);
int	p11_badpin_known(struct p11_reader *r, enum p11_kind k,
	    const char *pin, size_t len);
void	p11_digest_reset(struct p11_session *s);

#endif /* JPKI_P11_INT_H */
