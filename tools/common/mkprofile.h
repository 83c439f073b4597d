/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Card profile generator shared by jpki-cardsim (gen-profile) and
 * mykey-mock (card issue/renew/reissue).  Writes a profile directory as
 * docs/cardsim-profile.md describes: keys, certificates of the mock JPKI
 * hierarchy (jpki-card.md §9), CV certificates of the text and visual APs
 * (§6.5) and profile.conf with synthetic personal data.
 *
 * Functions return 0 (JPKI_OK) or a negative JPKI_ERR_* code.
 */
#ifndef JPKI_MKPROFILE_H
#define JPKI_MKPROFILE_H

#include <stddef.h>

/* Mock CA set: auth CA, sign CA, CV issuer.  Opaque. */
typedef struct mkp_ca mkp_ca_t;

/*
 * Load the CA set from dir (files per docs/cardsim-profile.md "CA
 * directory").  With create, missing CAs are generated and written.  dir
 * NULL (create must be set) gives an ephemeral CA set kept in memory.
 */
int	mkp_ca_open(const char *dir, int create, mkp_ca_t **ca);
void	mkp_ca_free(mkp_ca_t **ca);

typedef struct {
	/* created with its parents; must hold no profile unless overwrite */
	const char	*out_dir;
	int		 overwrite;
	const char	*auth_serial_hex; /* NULL: random 8 bytes, positive */
	const char	*sign_serial_hex; /* NULL: random */
	int		 no_sign_cert;
	/*
	 * Unix seconds; 0 = issuance today 00:00:00 JST, expiry 23:59:59 JST
	 * on the 5th birthday after issuance (jpki-card.md §9.2).
	 */
	long long	 not_before, not_after;
	const char	*name, *address, *birth /* YYYYMMDD */, *sex;
	const char	*mynumber;	/* NULL: random, valid check digit */
	/* NULL: 1234 / ABC123 / 1234 */
	const char	*pin_auth, *pin_sign, *pin_text;
	const char	*card_expiry;	/* YYYYMMDD; NULL: not_after (JST) */
	const char	*municipality;	/* NULL: 13101 */
	unsigned long	 seed;		/* 0: random; else repeatable IDs */
} mkp_params_t;

/*
 * Write a profile.  The serials actually used go to the out buffers
 * (upper-case hex, no leading zeros, NUL-terminated; each >= 41 bytes; may
 * be NULL).  RSA keys are always fresh, even with a seed.
 */
int	mkp_write_profile(const mkp_ca_t *ca, const mkp_params_t *p,
	    char *auth_serial_out, char *sign_serial_out);

/*
 * Japanese era of a Gregorian YYYYMMDD date: era digit (1 Meiji, 2 Taishō,
 * 3 Shōwa, 4 Heisei, 5 Reiwa; jpki-card.md §9.3) and year within the era.
 */
int	mkp_era(const char *yyyymmdd, int *era, int *era_year);

/* 12-digit My Number check: 1 if digits and check digit are valid. */
int	mkp_mynumber_valid(const char *s);

#endif /* JPKI_MKPROFILE_H */
