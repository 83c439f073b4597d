/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * MyKey Platform client (mykey-mock-api.md §5).  Pushes the issuance
 * numbers (X.509 serials) of the card's certificates to the platform,
 * proves possession with the card's auth key, and reports the MyKey ID
 * that the platform keeps across renewals through J-LIS old-to-new
 * linkage.
 *
 * Transport: HTTPS only with peer and host verification; plain http only
 * to a loopback address and only with allow_http_loopback.  Every request
 * that transfers an issuance number takes a consent record (§5.10) and is
 * refused locally (JPKI_ERR_CONSENT_REQUIRED) without a valid one.
 *
 * Retries (§5.1, §5.6): 502, 503 with Retry-After, 409
 * IDEMPOTENCY_IN_PROGRESS and transport errors before any response are
 * retried with exponential backoff and full jitter, always with the same
 * Idempotency-Key and the same body, so a retry never needs a second card
 * signature and never creates a second MyKey ID.  PIN errors are never
 * retried.
 *
 * PINs: asked through the caller's callback right before the card signs,
 * verified once, never retried and never kept.  A handle remembers which
 * card it last verified the auth PIN on, so a second proof in a row (create
 * then push_sign) signs on the card's security state without a second
 * prompt; if the card refuses (6982) the PIN is asked as usual.
 *
 * Threads: a jpki_platform_t is used by one thread at a time.
 */
#ifndef JPKI_PLATFORM_H
#define JPKI_PLATFORM_H

#include <stddef.h>

#include <jpki/jpki.h>
#include <jpki/cert.h>

#ifdef __cplusplus
extern "C" {
#endif

#define JPKI_MAX_HTTP_BODY	(1024 * 1024)	/* default response cap */
#define JPKI_ISSUANCE_MAX	41	/* 20-byte serial in hex + NUL */
#define JPKI_MYKEY_ID_MAX	16
#define JPKI_PPID_MAX		64

/* Terms shown to the cardholder; accepted by mykey-mock (§5.10). */
#define JPKI_TERMS_VERSION	"mock-1"
/* Purposes a proof-bearing request needs (§5.10). */
#define JPKI_PURPOSE_PROOF	"jlis.validity jlis.linkage"
#define JPKI_PURPOSE_LINK	"jlis.validity jlis.linkage id.link"

typedef struct jpki_platform jpki_platform_t;

typedef struct {
	size_t		 size;	/* sizeof(*this), set by the caller */
	const char	*url;		/* base URL, "https://host[:port]" */
	const char	*client_id;
	const char	*client_secret;	/* copied; wiped on free */
	const char	*ca_file;	/* PEM bundle; NULL: system store */
	int		 allow_http_loopback; /* permit http://127.0.0.1 etc. */
	long		 connect_timeout_ms;	/* 0: 10000 */
	long		 timeout_ms;		/* whole attempt; 0: 30000 */
	size_t		 max_response;	/* 0: JPKI_MAX_HTTP_BODY */
	unsigned	 max_attempts;	/* incl. the first; 0: 5, 1: no retry */
	unsigned	 backoff_base_ms;	/* 0: 200 */
	unsigned	 backoff_max_ms;	/* 0: 5000 */
	unsigned	 max_retry_after_s;	/* longer Retry-After: give up; 0: 30 */
	int		 force_last_try;	/* VERIFY even with one try left */
} jpki_platform_opts_t;

/*
 * Consent record (§5.10).  All fields are NUL-terminated text.  agreed_at
 * is RFC 3339.  purpose is a space-separated list of purpose tokens.
 */
typedef struct {
	size_t	size;	/* sizeof(*this), set by the caller */
	char	consent_id[37];		/* UUID minted when the holder agreed */
	char	purpose[96];
	char	terms_version[32];
	char	agreed_at[40];
} jpki_consent_t;

/*
 * Mint a consent record now into c (c->size set by the caller): new UUID
 * v4, local time with offset.
 */
int	jpki_consent_mint(jpki_consent_t *c, const char *purpose,
	    const char *terms_version);
/*
 * Check a record locally: UUID syntax, non-empty terms version, RFC 3339
 * time, and every token of need (space-separated) present in purpose.
 * Returns JPKI_OK or JPKI_ERR_CONSENT_REQUIRED.
 */
int	jpki_consent_check(const jpki_consent_t *c, const char *need);
/*
 * Load a consent record from a JSON file ({"consent_id":..,"purpose":..,
 * "terms_version":..,"agreed_at":..}) / write one.
 */
int	jpki_consent_load(jpki_consent_t *c, const char *path);
int	jpki_consent_save(const jpki_consent_t *c, const char *path);

/*
 * PIN callback.  Write the PIN (NUL-terminated) into pin, at most pin_size
 * bytes including the NUL; tries_left is the card's counter or -1.  Return
 * JPKI_OK, or an error (e.g. JPKI_ERR_CANCELLED) to stop.  The library
 * wipes pin after use.
 */
typedef int (*jpki_pin_cb_t)(void *arg, jpki_pin_kind_t kind,
	    int tries_left, char *pin, size_t pin_size);

/* Result of a platform call.  Release with jpki_platform_result_clear. */
typedef struct {
	size_t	 size;	/* sizeof(*this), set by the caller */
	int	 http_status;
	int	 replayed;		/* Idempotency-Replayed: true */
	int	 created;		/* 201 on POST /v1/mykey-ids */
	int	 relinked;
	int	 hops;			/* linkage_hops */
	unsigned attempts;		/* HTTP attempts of the last request */
	unsigned requests;		/* HTTP requests of the whole call */
	int	 pin_tries;		/* after a PIN error: tries left, or -1 */
	char	 mykey_id[JPKI_MYKEY_ID_MAX];
	char	 state[24];		/* active, awaiting_relink, ... */
	char	 auth_issuance[JPKI_ISSUANCE_MAX];
	char	 auth_status[16];	/* good, revoked, expired, ... */
	char	 sign_issuance[JPKI_ISSUANCE_MAX];
	char	 sign_status[16];
	char	 ppid[JPKI_PPID_MAX];
	char	 idempotency_key[37];	/* of the mutating request */
	char	*json;			/* raw body of the final answer */
} jpki_platform_result_t;

void	jpki_platform_result_clear(jpki_platform_result_t *r);

/* Server problem details of the last failed call (RFC 9457, §5.6). */
typedef struct {
	int	 http_status;		/* 0: no HTTP answer */
	int	 retry_after;		/* seconds, -1 if absent */
	int	 revocation_reason;	/* RFC 5280 CRLReason, -1 if absent */
	int	 successor_known;	/* -1 absent, else 0/1 */
	char	 code[48];		/* "CERT_REVOKED" */
	char	 title[128];
	char	 detail[256];
	char	 request_id[80];	/* X-Request-Id */
	char	 revoked_at[40];
} jpki_platform_problem_t;

/* *p is NULL on failure. */
int		 jpki_platform_new(jpki_platform_t **p);
void		 jpki_platform_free(jpki_platform_t **p);
/* Validate the options (URL policy, consent-free) and copy them. */
int		 jpki_platform_configure(jpki_platform_t *p,
		    const jpki_platform_opts_t *opts);
/* Borrowed view of the last problem; valid until the next call on p. */
const jpki_platform_problem_t *jpki_platform_problem(const jpki_platform_t *p);
/* Issuance number of a certificate as the platform writes it (§5.1). */
int	jpki_platform_card_issuance(jpki_card_t *card, jpki_cert_kind_t kind,
	    char out[JPKI_ISSUANCE_MAX]);

/* Fetch a Bearer token now (otherwise done lazily by every call). */
int	jpki_platform_token(jpki_platform_t *p);

/*
 * マイキーID作成 (POST /v1/mykey-ids): read the auth cert, get a
 * mykey.create challenge, ask for the auth PIN, sign on the card and send
 * the proof.  res->created tells a new ID (201) from an existing one (200).
 */
int	jpki_platform_create(jpki_platform_t *p, jpki_card_t *card,
	    const jpki_consent_t *consent, jpki_pin_cb_t pin_cb, void *pin_arg,
	    jpki_platform_result_t *res);
/* Login (POST /v1/mykey-ids:verify): relinked and hops in res. */
int	jpki_platform_login(jpki_platform_t *p, jpki_card_t *card,
	    const jpki_consent_t *consent, jpki_pin_cb_t pin_cb, void *pin_arg,
	    jpki_platform_result_t *res);
/*
 * Push the sign certificate (PUT /v1/mykey-ids/{id}/certificates/sign):
 * auth and sign proofs over one mykey.link_sign challenge.  Asks for the
 * auth PIN and the sign PIN.
 */
int	jpki_platform_push_sign(jpki_platform_t *p, jpki_card_t *card,
	    const char *mykey_id, const jpki_consent_t *consent,
	    jpki_pin_cb_t pin_cb, void *pin_arg, jpki_platform_result_t *res);
/*
 * No-signature push (POST …/issuance-numbers:push, Art. 38の4 style).
 * sign_issuance may be NULL.  idem_key may be NULL (a new one is minted)
 * or a stored key (the offline queue).
 */
int	jpki_platform_push(jpki_platform_t *p, const char *mykey_id,
	    const char *auth_issuance, const char *sign_issuance,
	    const jpki_consent_t *consent, const char *idem_key,
	    jpki_platform_result_t *res);
/* GET /v1/mykey-ids/{id}; with consent != NULL, POST …:check (現況確認). */
int	jpki_platform_status(jpki_platform_t *p, const char *mykey_id,
	    const jpki_consent_t *consent, jpki_platform_result_t *res);
/* GET /v1/mykey-ids/{id}/history: the raw JSON is in res->json. */
int	jpki_platform_history(jpki_platform_t *p, const char *mykey_id,
	    jpki_platform_result_t *res);
/* PUT /v1/services/{sid}/links: res->ppid.  user_number may be NULL. */
int	jpki_platform_link(jpki_platform_t *p, jpki_card_t *card,
	    const char *service_id, const char *user_number,
	    const jpki_consent_t *consent, jpki_pin_cb_t pin_cb, void *pin_arg,
	    jpki_platform_result_t *res);
/* GET …/disclosures with a mykey.verify proof: raw JSON in res->json. */
int	jpki_platform_disclosures(jpki_platform_t *p, jpki_card_t *card,
	    const char *mykey_id, const jpki_consent_t *consent,
	    jpki_pin_cb_t pin_cb, void *pin_arg, jpki_platform_result_t *res);
/* DELETE /v1/mykey-ids/{id} with a proof: user-requested 失効, terminal. */
int	jpki_platform_revoke(jpki_platform_t *p, jpki_card_t *card,
	    const char *mykey_id, const jpki_consent_t *consent,
	    jpki_pin_cb_t pin_cb, void *pin_arg, jpki_platform_result_t *res);

/*
 * Offline queue for no-signature pushes (SQLite, docs/platform-client.md).
 * It stores MyKey ID, issuance numbers, the consent record and the
 * Idempotency-Key; never a PIN, a signature, My Number or holder data.
 */
typedef struct jpki_queue jpki_queue_t;

typedef struct {
	size_t		size;	/* sizeof(*this), set by the caller */
	unsigned	sent;		/* accepted by the platform */
	unsigned	failed;		/* permanently refused, kept as failed */
	unsigned	pending;	/* still queued (platform unreachable) */
} jpki_queue_stats_t;

/* Open (create) the queue database at path; *q is NULL on failure. */
int	jpki_queue_new(jpki_queue_t **q, const char *path);
void	jpki_queue_free(jpki_queue_t **q);
/*
 * Append an entry durably (fsync'd transaction).  idem_key is the key of
 * an attempt that may have reached the server, or NULL to mint one; it is
 * stored with the entry and reused by every flush.
 */
int	jpki_queue_add(jpki_queue_t *q, const char *mykey_id,
	    const char *auth_issuance, const char *sign_issuance,
	    const jpki_consent_t *consent, const char *idem_key);
int	jpki_queue_count(jpki_queue_t *q, unsigned *pending, unsigned *failed);
/*
 * Send every pending entry in order with its stored Idempotency-Key.  An
 * entry is removed only after the platform answered 2xx; a permanent
 * refusal marks it failed (kept for the operator); a network failure
 * stops the flush and returns JPKI_ERR_NETWORK with the rest pending.
 */
int	jpki_queue_flush(jpki_queue_t *q, jpki_platform_t *p,
	    jpki_queue_stats_t *st);
/*
 * No-signature push that falls back to the queue: on a network failure
 * (after retries) the entry is queued and JPKI_ERR_QUEUED is returned.
 */
int	jpki_platform_push_or_queue(jpki_platform_t *p, jpki_queue_t *q,
	    const char *mykey_id, const char *auth_issuance,
	    const char *sign_issuance, const jpki_consent_t *consent,
	    jpki_platform_result_t *res);

/*
 * Revocation over HTTP: make rv fetch its CRL URL and OCSP responder with
 * this library's libcurl transfer (http or https, no redirects, the
 * timeout of jpki_rev_set_timeout; jpki_rev_set_fetch in jpki/cert.h).
 * It lives here, not in libjpki, so that a card-only program links no
 * HTTP client.  JPKI_ERR_ARG if rv is NULL.
 */
int	jpki_rev_use_http(jpki_rev_t *rv);

#ifdef __cplusplus
}
#endif

#endif /* JPKI_PLATFORM_H */
