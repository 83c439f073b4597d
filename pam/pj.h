/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * pam_jpki internals: one authentication (struct pj) passed through the
 * steps of pam_jpki.c, the certificate checks of pj_cert.c and the card
 * steps of pj_card.c.  Every step returns a PAM code and has already told
 * the user (conversation) and the log (syslog, no personal data) why.
 */
#ifndef PJ_H
#define PJ_H

#include <security/pam_modules.h>

#include <jpki/cert.h>
#include <jpki/jpki.h>

#include "pj_conf.h"

struct pj {
	pam_handle_t	*pamh;
	int		 silent;	/* PAM_SILENT: no info messages */
	const char	*user;		/* borrowed from PAM */
	struct pj_conf	 conf;
	jpki_card_t	*card;
	jpki_cert_t	*cert;		/* the card's authentication cert */
	jpki_verify_t	*verify;	/* anchors, kept for the issuer */
	int		 by_mykey;	/* no serial/subject line: platform */
};

/* Tell the user (PAM_ERROR_MSG, or PAM_TEXT_INFO unless silent). */
void	pj_error(struct pj *a, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	pj_info(struct pj *a, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* The PAM code for a libjpki error of the card or transport. */
int	pj_card_rc(int err);

/* pj_cert.c: chain to the anchors, mapping to a->user, revocation. */
int	pj_check_chain(struct pj *a);
int	pj_check_map(struct pj *a);
int	pj_check_revocation(struct pj *a);

/* pj_card.c: PIN (conversation, guard, VERIFY), then the challenge. */
int	pj_verify_pin(struct pj *a);
int	pj_challenge(struct pj *a);
/* The steps of pj_verify_pin, for the platform path's PIN callback. */
int	pj_pin_guard(struct pj *a, int *tries);	/* locked, last try */
int	pj_pin_ask(struct pj *a, int tries, char *pin, size_t pin_size);
/* Tell why a PIN was refused (a libjpki PIN error); the PAM code. */
int	pj_pin_refused(struct pj *a, int err, int tries);

/*
 * pj_platform.c: the user is mapped by MyKey ID.  PIN through the
 * conversation, the card signs the platform's challenge, the platform's
 * MyKey ID must be one of the user's "mykey" lines.
 */
int	pj_platform_login(struct pj *a);

#endif /* PJ_H */
