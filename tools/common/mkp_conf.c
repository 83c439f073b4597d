/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * mkprofile: the parameters' checks and profile.conf, the file whose
 * presence marks a complete profile (docs/cardsim-profile.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpki/err.h>

#include "mkprofile.h"
#include "mkp_int.h"

static int
valid_text(const char *s, size_t max)
{
	size_t n;

	if (s == NULL || (n = strlen(s)) == 0 || n > max)
		return 0;
	return strpbrk(s, "\r\n") == NULL && s[0] != ' ' && s[n - 1] != ' ';
}

static int
digits(const char *s, size_t n)
{
	size_t i;

	if (s == NULL || strlen(s) != n)
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
	}
	return 1;
}

static int
valid_sign_pin(const char *s)
{
	size_t i, n = s != NULL ? strlen(s) : 0;

	if (n < 6 || n > 16)
		return 0;
	for (i = 0; i < n; i++) {
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' &&
		    s[i] <= '9')))
			return 0;
	}
	return 1;
}

int
mkp_write_conf(gen_t *g, const char *mynumber, const char *expiry)
{
	const mkp_params_t *p = g->p;
	char *buf = NULL, sc[5], cs[16], ts[17];
	int n, rc = JPKI_ERR_NOMEM;
	size_t cap = 8192;

	mkp_random_digits(&g->rng, sc, 4);
	mkp_random_digits(&g->rng, cs + 1, 14);
	cs[0] = '4';
	mkp_random_digits(&g->rng, ts, 16);
	if ((buf = malloc(cap)) == NULL)
		goto out;
	n = snprintf(buf, cap,
	    "# jpki-cardsim profile (synthetic test data only)\n"
	    "format = 1\n"
	    "token_serial = %s\n"
	    "pin.auth = %s\n"
	    "pin.sign = %s\n"
	    "pin.text = %s\n"
	    "mynumber = %s\n"
	    "name = %s\n"
	    "address = %s\n"
	    "birth = %s\n"
	    "sex = %s\n"
	    "expiry = %s\n"
	    "security_code = %s\n"
	    "card_serial = %s\n"
	    "municipality = %s\n",
	    ts,
	    p->pin_auth != NULL ? p->pin_auth : "1234",
	    p->pin_sign != NULL ? p->pin_sign : "ABC123",
	    p->pin_text != NULL ? p->pin_text : "1234",
	    mynumber, g->name, g->address, g->birth, g->sex, expiry, sc, cs,
	    g->muni);
	rc = JPKI_ERR_TOO_LARGE;
	if (n < 0 || (size_t)n >= cap)
		goto out;
	rc = mkp_write_file(p->out_dir, "profile.conf", buf, (size_t)n, 0600);
out:
	if (buf != NULL) {
		explicit_bzero(buf, cap);
		free(buf);
	}
	return rc;
}

int
mkp_check_params(const mkp_params_t *p)
{
	int y, m, d;

	if (p == NULL || p->out_dir == NULL)
		return JPKI_ERR_ARG;
	if ((p->name != NULL && !valid_text(p->name, 200)) ||
	    (p->address != NULL && !valid_text(p->address, 400)) ||
	    (p->birth != NULL && mkp_parse_date(p->birth, &y, &m, &d) !=
	    JPKI_OK) ||
	    (p->sex != NULL && strcmp(p->sex, "1") != 0 && strcmp(p->sex,
	    "2") != 0 && strcmp(p->sex, "9") != 0) ||
	    (p->mynumber != NULL && !mkp_mynumber_valid(p->mynumber)) ||
	    (p->pin_auth != NULL && !digits(p->pin_auth, 4)) ||
	    (p->pin_text != NULL && !digits(p->pin_text, 4)) ||
	    (p->pin_sign != NULL && !valid_sign_pin(p->pin_sign)) ||
	    (p->card_expiry != NULL && mkp_parse_date(p->card_expiry, &y, &m,
	    &d) != JPKI_OK) ||
	    (p->municipality != NULL && !digits(p->municipality, 5)))
		return JPKI_ERR_ARG;
	return JPKI_OK;
}
