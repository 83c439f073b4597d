/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * mkprofile internals without OpenSSL types: the seeded generator, dates,
 * the My Number, profile files and profile.conf.  mkp_x509.h has the
 * OpenSSL half.  Functions returning int give JPKI_OK or a JPKI_ERR_*.
 */
#ifndef JPKI_MKP_INT_H
#define JPKI_MKP_INT_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "mkprofile.h"

/* Seeded generator for serials, IDs and the My Number (not for keys). */
typedef struct {
	uint64_t	s;
	int		seeded;
} rng_t;

/* One profile being generated: parameters with defaults filled in. */
typedef struct {
	const mkp_params_t	*p;
	const char		*name, *address, *birth, *sex, *muni;
	long long		 nb, na;
	rng_t			 rng;
} gen_t;

/* mkp_rng.c */
int		mkp_rng_bytes(rng_t *r, unsigned char *b, size_t n);
unsigned	mkp_rng_digit(rng_t *r, unsigned mod);
void		mkp_random_digits(rng_t *r, char *out, size_t n); /* out n+1 */
int		mkp_random_serial_hex(rng_t *r, char *hex);	/* hex >= 17 */

/* mkp_date.c: YYYYMMDD dates, JST */
int		mkp_is_leap(int y);
int		mkp_parse_date(const char *s, int *y, int *m, int *d);
long long	mkp_jst_time(int y, int m, int d, int hh, int mm, int ss);
void		mkp_jst_date(long long t, int *y, int *m, int *d);

/* mkp_mynumber.c */
int		mkp_random_mynumber(rng_t *r, char out[13]);

/* mkp_file.c: name is a file inside dir */
int		mkp_write_file(const char *dir, const char *name,
		    const void *data, size_t len, mode_t mode);
/* *out: caller frees (and wipes what was secret) */
int		mkp_read_file(const char *dir, const char *name,
		    unsigned char **out, size_t *outlen);
int		mkp_file_exists(const char *dir, const char *name);
int		mkp_mkdir_p(const char *dir);
void		mkp_remove_file(const char *dir, const char *name);

/* mkp_conf.c */
int		mkp_check_params(const mkp_params_t *p);
int		mkp_write_conf(gen_t *g, const char *mynumber,
		    const char *expiry);

#endif /* JPKI_MKP_INT_H */
