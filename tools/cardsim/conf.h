/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * profile.conf and state parser of jpki-cardsim (docs/cardsim-profile.md).
 */
#ifndef CARDSIM_CONF_H
#define CARDSIM_CONF_H

#include <stddef.h>
#include <stdint.h>

#define CONF_MAX_LINE	1024
#define CONF_MAX_TEXT	512	/* name, address: bytes of UTF-8 */
#define CONF_MAX_FILE	(64 * 1024)

/* Retry counters, in the order of conf_tries_keys[]. */
enum {
	TRY_AUTH, TRY_SIGN, TRY_TEXT, TRY_TEXT_A, TRY_TEXT_B, TRY_VISUAL_A,
	TRY_VISUAL_B, TRY_VISUAL_BIRTH, TRY_JUKI, TRY_COUNT
};
/* "tries.auth", ... */
extern const char *const conf_tries_keys[TRY_COUNT];

typedef struct {
	int	format;
	char	label[33];
	char	token_serial[17];
	char	pin_auth[17];
	char	pin_sign[17];
	char	pin_text[17];
	char	pin_juki[17];
	int	tries[TRY_COUNT];
	char	mynumber[13];
	char	name[CONF_MAX_TEXT];
	char	address[CONF_MAX_TEXT];
	char	birth[9];
	char	sex[2];
	char	expiry[9];
	char	security_code[5];
	char	card_serial[16];
	char	municipality[6];
	char	tamper[16];
} cs_conf_t;

/*
 * Parse a profile.conf text.  On error returns a negative JPKI_ERR_* and
 * writes a message (naming the line, never a value) to err.
 */
int	conf_parse(const char *text, size_t len, cs_conf_t *c, char *err,
	    size_t errlen);
int	conf_load(const char *path, cs_conf_t *c, char *err, size_t errlen);
void	conf_wipe(cs_conf_t *c);

/*
 * State file: "tries.X = n" lines.  left[] is filled with the limits from
 * c first, then overridden by the file (missing file = all at limit).
 */
int	conf_state_parse(const char *text, size_t len, const cs_conf_t *c,
	    int left[TRY_COUNT], char *err, size_t errlen);
int	conf_state_load(const char *path, const cs_conf_t *c,
	    int left[TRY_COUNT], char *err, size_t errlen);
/* Atomic write: tmp + fsync + rename + fsync of the directory. */
int	conf_state_save(const char *path, const cs_conf_t *c,
	    const int left[TRY_COUNT]);
/*
 * Replace the value of key in a conf file atomically (PIN change); a key
 * not in the file is appended.
 */
int	conf_set_value(const char *path, const char *key, const char *value);

int	conf_valid_date(const char *s);

/*
 * The card's own PIN rules (jpki-card.md §5.4), for CHANGE REFERENCE DATA
 * and for the PINs a profile stores: FMT_4DIGIT exactly 4 digits, FMT_SIGN
 * 6-16 of A-Z 0-9 (the card compares bytes and folds nothing: lower case
 * is refused here, unlike the host's jpki_pin_fold), FMT_ANY never.
 */
enum { FMT_4DIGIT, FMT_SIGN, FMT_ANY };
int	conf_pin_format_ok(int fmt, const uint8_t *v, size_t n);

#endif /* CARDSIM_CONF_H */
