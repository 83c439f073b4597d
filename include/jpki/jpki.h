/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * libjpki: middleware for the Japanese My Number Card (個人番号カード) and
 * its public-key applet JPKI (公的個人認証).
 *
 * Thread safety: the library is thread-compatible.  A jpki_card_t must be
 * used by one thread at a time; distinct handles may be used concurrently.
 *
 * API conventions (the 1.0 ABI; libjpki(3) "API conventions"):
 *
 *   kind              form                                 on failure / NULL
 *   ----------------  -----------------------------------  -----------------
 *   object            int  jpki_X_new(jpki_X_t **out, ...)  *out = NULL
 *     constructor     (out-parameter first, JPKI_ERR_* returned)
 *   object            void jpki_X_free(jpki_X_t **p)        NULL and *p ==
 *     destructor                                            NULL accepted;
 *                                                           sets *p = NULL
 *   value struct      first member size_t size = sizeof    size below the
 *     (caller-owned)  (JPKI_INIT(&s), or = { .size =       1.0 layout:
 *                     sizeof s } in C)                     JPKI_ERR_ARG
 *   value struct      void jpki_X_clear(jpki_X_t *s)        wipes personal
 *     with allocated  (never free() its members)            data, keeps size
 *     members
 *   operation,        int  jpki_X_verb(...)                 JPKI_ERR_*
 *     setter
 *   accessor          value or borrowed pointer            "borrowed": valid
 *                                                           until the object
 *                                                           is freed/changed
 *   name lookup       const char *jpki_X_name(...)         never NULL
 *
 * Value structs grow at their end without an ABI break: the library
 * writes only within the caller's size and never past its own layout, so
 * old programs work with a newer library and new programs with this one.
 * Releases that cannot fail return void: the destructors and clears,
 * jpki_card_close(), jpki_exit(), jpki_free(), jpki_free_secret(),
 * jpki_secure_zero(), jpki_reader_list_free(), jpki_struct_init().
 * Without size: jpki_bytes_t (a pointer and a length, fixed forever) and
 * jpki_platform_problem_t (only ever a library-owned const pointer).
 *
 * Memory returned through an out-parameter of type uint8_t ** or char **
 * is owned by the caller and released with jpki_free() (secrets with
 * jpki_free_secret()).
 */
#ifndef JPKI_JPKI_H
#define JPKI_JPKI_H

#include <stddef.h>
#include <stdint.h>

#include <jpki/err.h>

#ifdef __cplusplus
extern "C" {
#endif

#define JPKI_VERSION_MAJOR	1
#define JPKI_VERSION_MINOR	0
#define JPKI_VERSION_PATCH	0
#define JPKI_VERSION_STRING	"1.0.0"

/* Caps on what the library accepts from a card (house-style §2.4). */
#define JPKI_MAX_CERT		8192	/* one DER certificate */
#define JPKI_MAX_EF		32768	/* any elementary file */
#define JPKI_MAX_READERS	64
#define JPKI_PIN_MAX		16

typedef struct jpki_card jpki_card_t;

typedef enum {
	JPKI_CERT_AUTH = 1,	/* 利用者証明用電子証明書, EF 000A */
	JPKI_CERT_AUTH_CA,	/* its CA certificate, EF 000B */
	JPKI_CERT_SIGN,		/* 署名用電子証明書, EF 0001 (sign PIN) */
	JPKI_CERT_SIGN_CA	/* its CA certificate, EF 0002 */
} jpki_cert_kind_t;

typedef enum {
	JPKI_PIN_AUTH = 1,	/* 4 digits, 3 tries, EF 0018 */
	JPKI_PIN_SIGN,		/* 6-16 of A-Z 0-9, 5 tries, EF 001B */
	JPKI_PIN_TEXT,		/* text AP 4 digits, 3 tries, EF 0011 */
	JPKI_PIN_TEXT_A,	/* text AP 照合番号A (12 digits), EF 0014 */
	JPKI_PIN_TEXT_B,	/* text AP 照合番号B (14 digits), EF 0015 */
	JPKI_PIN_VISUAL_A,	/* visual AP 照合番号A, EF 0013 */
	JPKI_PIN_VISUAL_B	/* visual AP 照合番号B, EF 0012 */
} jpki_pin_kind_t;

typedef enum {
	JPKI_KEY_AUTH = 1,	/* EF 0017, after the auth PIN */
	JPKI_KEY_SIGN		/* EF 001A, after the sign PIN */
} jpki_key_t;

typedef enum {
	JPKI_HASH_NONE = 0,	/* input is a complete DigestInfo */
	JPKI_HASH_SHA1,
	JPKI_HASH_SHA224,
	JPKI_HASH_SHA256,
	JPKI_HASH_SHA384,
	JPKI_HASH_SHA512
} jpki_hash_t;

/* Flags for jpki_card_open(). */
#define JPKI_OPEN_NO_SELECT	0x01	/* do not select the JPKI AP */
#define JPKI_OPEN_SHORT_ONLY	0x02	/* never send extended-length APDUs */

/* Flags for PIN operations. */
#define JPKI_PIN_FORCE_LAST_TRY	0x01	/* allow a VERIFY with one try left */

/* Token information, EF 0006 (a serialised CK_TOKEN_INFO, jpki-card §5.2). */
typedef struct {
	size_t		size;	/* sizeof(*this), set by the caller */
	char		label[33];	/* trimmed, NUL-terminated */
	char		manufacturer[33];
	char		model[17];
	char		serial[17];
	uint32_t	flags;
	uint32_t	max_pin_len;
	uint32_t	min_pin_len;
	char		hw_version[3];
	char		fw_version[3];
} jpki_token_info_t;

/* Transfer statistics, for benchmarks and diagnostics. */
typedef struct {
	size_t		size;	/* sizeof(*this), set by the caller */
	unsigned long	apdus;		/* SCardTransmit calls */
	unsigned long	bytes_sent;	/* C-APDU bytes */
	unsigned long	bytes_received;	/* R-APDU bytes incl. SW */
	unsigned long	extended_apdus;	/* of which extended length */
} jpki_stats_t;

/* Library initialisation (idempotent, reference counted). */
int	jpki_init(void);
void	jpki_exit(void);

/*
 * Zero a value struct and set its size member: JPKI_INIT(&st), usable in
 * C and C++ (in C, `jpki_stats_t st = { .size = sizeof st };` does the
 * same for a new variable).
 */
void	jpki_struct_init(void *p, size_t size);
#define JPKI_INIT(p)	jpki_struct_init((p), sizeof(*(p)))

void	jpki_free(void *p);
void	jpki_free_secret(void *p, size_t len);	/* wipes, then frees */
void	jpki_secure_zero(void *p, size_t len);

/*
 * Readers.  *names receives a NULL-terminated array of reader names owned by
 * the caller (jpki_reader_list_free).  *present, if not NULL, receives an
 * array of the same length: 1 where a card is present.
 */
int	jpki_reader_list(char ***names, size_t *count, int **present);
void	jpki_reader_list_free(char ***names, int **present);

/* Card handle.  *card is NULL on failure (JPKI_ERR_NOMEM, JPKI_ERR_ARG). */
int	jpki_card_new(jpki_card_t **card);
void	jpki_card_free(jpki_card_t **card);

/*
 * Connect to a card.  reader is a reader name, a decimal index into
 * jpki_reader_list(), or NULL for the first reader with a card.  With
 * wait_ms > 0, wait that long for a card to appear (-1: forever).  Unless
 * JPKI_OPEN_NO_SELECT is given the JPKI AP is selected and JPKI_ERR_NOT_JPKI
 * is returned if that fails.
 */
int	jpki_card_open(jpki_card_t *card, const char *reader, int wait_ms,
	    unsigned flags);
/* Disconnect; a release like jpki_X_free (cannot fail, NULL is a no-op). */
void	jpki_card_close(jpki_card_t *card);
/* Reset the card (power cycle) on the next close: no state survives. */
int	jpki_card_set_reset_on_close(jpki_card_t *card, int on);

const char	*jpki_card_reader(const jpki_card_t *card);	/* borrowed */
int		 jpki_card_atr(const jpki_card_t *card, uint8_t *atr,
		    size_t *len);
int		 jpki_card_is_contactless(const jpki_card_t *card);
/* JPKI_ERR_ARG without a card or with st->size too small. */
int		 jpki_card_stats(const jpki_card_t *card, jpki_stats_t *st);
int		 jpki_card_stats_reset(jpki_card_t *card);
/* 1 if the last long read used extended-length APDUs. */
int		 jpki_card_extended_used(const jpki_card_t *card);

/*
 * Is the card still there, and still in our hands?  Without sending an
 * APDU: JPKI_OK; JPKI_ERR_CARD_REMOVED; or JPKI_ERR_CARD_RESET when another
 * program reset the card since the last check (every verified PIN is lost;
 * the connection is already re-established).  For callers that keep login
 * state, such as a PKCS#11 module.
 */
int	jpki_card_check(jpki_card_t *card);

/* Send a raw APDU (diagnostics).  rsp receives data and SW1 SW2. */
int	jpki_card_transmit(jpki_card_t *card, const uint8_t *apdu,
	    size_t apdu_len, uint8_t *rsp, size_t *rsp_len);

/*
 * len random bytes from the card (GET CHALLENGE, 256 at a time).  Selects
 * nothing, so verified PINs stay valid.
 */
int	jpki_card_random(jpki_card_t *card, uint8_t *out, size_t len);

/* JPKI AP. */
int	jpki_card_select_jpki(jpki_card_t *card);
int	jpki_card_token_info(jpki_card_t *card, jpki_token_info_t *info);
int	jpki_card_cert_available(jpki_card_t *card, int *auth, int *sign);
/*
 * Read a certificate.  *der is owned by the caller (jpki_free; the sign
 * certificate carries the holder's name and address: jpki_free_secret).
 * The sign certificate needs the sign PIN (JPKI_ERR_SECURITY otherwise).
 */
int	jpki_card_read_cert(jpki_card_t *card, jpki_cert_kind_t kind,
	    uint8_t **der, size_t *der_len);
/*
 * Read only the head of a certificate, up to and including its serial
 * number (the issuance number): a few dozen bytes in one READ BINARY.
 * serial receives the INTEGER contents (big-endian, as encoded).
 */
int	jpki_card_read_serial(jpki_card_t *card, jpki_cert_kind_t kind,
	    uint8_t *serial, size_t *serial_len);

/* PINs.  tries_left is set when known, else -1. */
int	jpki_card_pin_status(jpki_card_t *card, jpki_pin_kind_t kind,
	    int *tries_left);
int	jpki_card_verify_pin(jpki_card_t *card, jpki_pin_kind_t kind,
	    const char *pin, unsigned flags, int *tries_left);
int	jpki_card_change_pin(jpki_card_t *card, jpki_pin_kind_t kind,
	    const char *old_pin, const char *new_pin, unsigned flags,
	    int *tries_left);
/* Check a PIN's format without any APDU.  Returns JPKI_ERR_PIN_FORMAT. */
int	jpki_pin_check_format(jpki_pin_kind_t kind, const char *pin);
/*
 * Fold the first len bytes of pin in place as the library does before
 * sending it: the signature password is upper-cased (a-z to A-Z; the card
 * compares bytes and does not fold), other kinds are left alone.  For
 * callers that compare or remember PINs themselves.  JPKI_ERR_ARG for an
 * unknown kind or a NULL pin.
 */
int	jpki_pin_fold(jpki_pin_kind_t kind, char *pin, size_t len);
/*
 * jpki_pin_check_format() for a new PIN, plus the registration rule that
 * jpki_card_change_pin() applies: a new signature password has at least
 * one letter and one digit.  Returns JPKI_ERR_PIN_FORMAT.
 */
int	jpki_pin_check_new(jpki_pin_kind_t kind, const char *pin);
/* The length range jpki_pin_check_format() allows for kind (bytes). */
int	jpki_pin_limits(jpki_pin_kind_t kind, size_t *min_len, size_t *max_len);
/*
 * The format jpki_pin_check_format() requires of kind, in words, e.g.
 * "exactly 4 digits", "exactly 12 digits" or "6 to 16 characters of A-Z and
 * 0-9", as a NUL-terminated string in buf (JPKI_PIN_FORMAT_TEXT_MAX bytes
 * always suffice).  JPKI_ERR_ARG for an unknown kind or no buffer,
 * JPKI_ERR_TOO_LARGE if it does not fit (buf then holds "").
 */
#define JPKI_PIN_FORMAT_TEXT_MAX	64
int	jpki_pin_format_text(jpki_pin_kind_t kind, char *buf, size_t len);
/* Forget all verified PINs (re-selects the AP). */
int	jpki_card_logout(jpki_card_t *card);

/*
 * COMPUTE DIGITAL SIGNATURE.  With JPKI_HASH_NONE, in is a complete
 * DigestInfo (at most 245 bytes); otherwise in is the digest of that
 * algorithm and the library builds the DigestInfo.  sig must hold 256 bytes;
 * *sig_len is in/out.
 */
int	jpki_card_sign(jpki_card_t *card, jpki_key_t key, jpki_hash_t hash,
	    const uint8_t *in, size_t in_len, uint8_t *sig, size_t *sig_len);

/*
 * RSASSA-PSS by the card's own scheme (P1 04): md is a SHA-256 hash (32
 * bytes); PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt.  Unverified on
 * production cards (jpki-card.md §5.6): offer it only by configuration.
 */
int	jpki_card_sign_pss(jpki_card_t *card, jpki_key_t key, const uint8_t *md,
	    size_t md_len, uint8_t *sig, size_t *sig_len);

/* Hashing and DigestInfo helpers (OpenSSL inside). */
size_t	jpki_hash_len(jpki_hash_t hash);
const char *jpki_hash_name(jpki_hash_t hash);
int	jpki_hash_from_name(const char *name, jpki_hash_t *hash);
int	jpki_hash(jpki_hash_t hash, const uint8_t *data, size_t len,
	    uint8_t *md, size_t *md_len);
int	jpki_digestinfo(jpki_hash_t hash, const uint8_t *md, size_t md_len,
	    uint8_t *out, size_t *out_len);

/*
 * len random bytes from the host's CSPRNG (OpenSSL RAND_bytes), e.g. a
 * challenge for the card to sign.  JPKI_ERR_INTERNAL if it has no entropy.
 */
int	jpki_random(uint8_t *out, size_t len);

/*
 * Incremental hashing (multi-part signing, e.g. PKCS#11 C_SignUpdate).
 * new: *ctx owned by the caller (jpki_hash_ctx_free).  final: md must hold
 * jpki_hash_len(hash) bytes, *md_len is in/out; the context is spent after.
 */
typedef struct jpki_hash_ctx jpki_hash_ctx_t;
int	jpki_hash_ctx_new(jpki_hash_ctx_t **ctx, jpki_hash_t hash);
int	jpki_hash_ctx_update(jpki_hash_ctx_t *ctx, const uint8_t *data,
	    size_t len);
int	jpki_hash_ctx_final(jpki_hash_ctx_t *ctx, uint8_t *md, size_t *md_len);
void	jpki_hash_ctx_free(jpki_hash_ctx_t **ctx);

/*
 * Text AP (券面事項入力補助AP).  Each needs the text PIN verified first
 * (jpki_card_verify_pin(JPKI_PIN_TEXT)).  My Number is returned in a buffer
 * of 13 bytes that the caller must wipe (jpki_secure_zero).
 */
int	jpki_card_text_mynumber(jpki_card_t *card, char mynumber[13]);

typedef struct {
	size_t	size;	/* sizeof(*this), set by the caller */
	char	*name;		/* UTF-8 */
	char	*address;	/* UTF-8 */
	char	 birth[9];	/* YYYYMMDD */
	char	 sex;		/* '1' male, '2' female, '9' n/a, '0' unknown */
} jpki_text_attrs_t;

int	jpki_card_text_attrs(jpki_card_t *card, jpki_text_attrs_t *attrs);
void	jpki_text_attrs_clear(jpki_text_attrs_t *attrs);	/* wipes */
/* Parse EF 0002 contents (exposed for tests and fuzzing). */
int	jpki_text_attrs_parse(const uint8_t *ef, size_t len,
	    jpki_text_attrs_t *attrs);

/*
 * The text AP's EFs as stored, for jpki_textap_verify() (jpki/cert.h,
 * jpki-card.md §6.4): ef[i] is EF 000(i+1): the 17-byte My Number record,
 * the basic 4 info, the integrity record and the CV certificate.  Needs
 * the text PIN.  EF 0001 and 0002 are personal data: release everything
 * with jpki_text_raw_clear(), which wipes.
 */
typedef struct {
	size_t	size;	/* sizeof(*this), set by the caller */
	uint8_t	*ef[4];
	size_t	 len[4];
} jpki_text_raw_t;

int	jpki_card_text_raw(jpki_card_t *card, jpki_text_raw_t *raw);
void	jpki_text_raw_clear(jpki_text_raw_t *raw);

/*
 * Visual AP (券面事項確認AP, jpki-card.md §7).  Verify 照合番号A or B first
 * (jpki_card_verify_pin(JPKI_PIN_VISUAL_A / _B), which selects the AP);
 * then jpki_card_visual_read() returns the card face EF 0002 (personal
 * data), the AP basic info EF 0003 and the CV certificate EF 0004, for
 * jpki_visualap_verify() and jpki_visual_face_parse().  Release with
 * jpki_visual_raw_clear(), which wipes.
 */
typedef struct {
	size_t	size;	/* sizeof(*this), set by the caller */
	uint8_t	*face;		/* EF 0002 */
	size_t	 face_len;
	uint8_t	*info;		/* EF 0003 */
	size_t	 info_len;
	uint8_t	*cvc;		/* EF 0004 */
	size_t	 cvc_len;
} jpki_visual_raw_t;

int	jpki_card_visual_read(jpki_card_t *card, jpki_visual_raw_t *raw);
void	jpki_visual_raw_clear(jpki_visual_raw_t *raw);

/* A byte range borrowed from the buffer that was parsed. */
typedef struct {
	const uint8_t	*p;
	size_t		 len;
} jpki_bytes_t;

/*
 * The card face EF 0002 split into its fields (DF22 .. DF2A).  Dates are
 * YYYYMMDD; images are as stored (PNG, or JPEG 2000 for a real photo) and
 * borrow from ef.  JPKI_ERR_PARSE when malformed.
 */
typedef struct {
	size_t		size;	/* sizeof(*this), set by the caller */
	char		birth[9];
	char		sex;		/* '1', '2', '9' */
	char		expiry[9];
	jpki_bytes_t	key;		/* DF24: 90 e, 91 n */
	jpki_bytes_t	name_image;	/* DF25 */
	jpki_bytes_t	address_image;	/* DF26 */
	jpki_bytes_t	photo;		/* DF27 */
	jpki_bytes_t	signature;	/* DF28 */
	jpki_bytes_t	code_image;	/* DF2A: security code */
} jpki_visual_face_t;

int	jpki_visual_face_parse(const uint8_t *ef, size_t len,
	    jpki_visual_face_t *face);
/* EF 0003 FF30 { .. DF34 municipality code .. }: 5 digits + NUL. */
int	jpki_visual_info_municipality(const uint8_t *ef, size_t len,
	    char code[6]);

#ifdef __cplusplus
}
#endif

#endif /* JPKI_JPKI_H */
