/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * jpki-cardsim internals: the virtual card's file system and state
 * (jpki-card.md §2-§8, emulator checklist §12).
 */
#ifndef CARDSIM_H
#define CARDSIM_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "conf.h"

/* Private keys of the card. */
enum { K_AUTH, K_SIGN, K_TEXT, K_VISUAL, K_COUNT };

/* PINs and 照合番号 (key references), across all APs. */
enum {
	P_AUTH,		/* JPKI 0018 */
	P_SIGN,		/* JPKI 001B */
	P_TEXT,		/* text AP 0011 */
	P_TEXT_BLOCKED,	/* text AP 0012: blocked on every card (§6.1) */
	P_TEXT_A,	/* text AP 0014: 照合番号A = My Number */
	P_TEXT_B,	/* text AP 0015: 照合番号B */
	P_VIS_BIRTH,	/* visual AP 0011: 和暦 YYMMDD */
	P_VIS_B,	/* visual AP 0012 */
	P_VIS_A,	/* visual AP 0013 */
	P_JUKI,		/* common AP / 住基AP 001C (one PIN) */
	P_COUNT
};

enum { EF_BIN, EF_REC, EF_PIN, EF_KEY };

#define ACC_MAX		3
#define ACC_FREE	(-1)	/* acc[0] == ACC_FREE: readable by anyone */

typedef struct {
	uint16_t	 fid;
	int		 kind;
	uint8_t		*data;		/* EF_BIN; EF_REC: record 1 */
	size_t		 len;
	int		 acc[ACC_MAX];	/* any of these; -2 unused */
	int		 pin;		/* EF_PIN: P_* */
	int		 key;		/* EF_KEY: K_* */
	int		 key_pin;	/* EF_KEY: P_* needed, -1 none */
} ef_t;

#define DF_MAX_EF	24

typedef struct {
	const char	*name;
	uint8_t		 aid[16];
	size_t		 aidlen;
	ef_t		 ef[DF_MAX_EF];
	size_t		 nef;
	int		 def_key;	/* key for P2=00 signing, -1 none */
} df_t;

enum { DF_JPKI, DF_TEXT, DF_VISUAL, DF_COMMON, DF_JUKI, DF_COUNT };

typedef struct {
	char		 val[17];
	size_t		 len;
	int		 tries;		/* TRY_*; -1 always blocked */
	int		 fmt;
	int		 change;	/* INS that changes it: 24, 32 or 0 */
	const char	*conf_key;	/* profile.conf key on change */
} pin_t;

typedef struct cardsim {
	char		*dir;
	cs_conf_t	 conf;
	df_t		 df[DF_COUNT];
	pin_t		 pin[P_COUNT];
	int		 left[TRY_COUNT];
	EVP_PKEY	*key[K_COUNT];
	int		 no_extended;
	int		 contactless;
	/* volatile state, cleared by power events */
	int		 cur_df;	/* -1: MF level */
	ef_t		*cur_ef;
	uint32_t	 verified;	/* bit per P_* since DF select */
} cardsim_t;

/* build.c: load the profile and build every EF (caller zeroes c). */
int	cs_build(cardsim_t *c, const char *dir, char *err, size_t errlen);
void	cs_destroy(cardsim_t *c);

/* card.c */
int	cardsim_open(const char *dir, int no_extended, int contactless,
	    cardsim_t **out, char *err, size_t errlen);
void	cardsim_free(cardsim_t **c);
void	cardsim_power(cardsim_t *c);
size_t	cardsim_atr(const cardsim_t *c, uint8_t *out, size_t cap);
/* Process one C-APDU; returns the R-APDU length (>= 2) written to rsp. */
size_t	cardsim_apdu(cardsim_t *c, const uint8_t *cmd, size_t len,
	    uint8_t *rsp, size_t cap);
#define CARDSIM_RSP_MAX	(65536 + 2)

/* png.c: w x h image, one byte per pixel (depth 1: 1 = black; depth 8:
 * grey level).  *out malloc'ed. */
int	png_encode(unsigned w, unsigned h, int depth, const uint8_t *pix,
	    uint8_t **out, size_t *outlen);
/* Render ASCII digits / UTF-8 text as a 1-bit PNG (synthetic glyphs). */
int	png_text(const char *text, unsigned min_w, unsigned h, uint8_t **out,
	    size_t *outlen);
/* Greyscale synthetic "photo" (w x h), pattern derived from seed. */
int	png_photo(unsigned w, unsigned h, uint32_t seed, uint8_t **out,
	    size_t *outlen);

#endif /* CARDSIM_H */
