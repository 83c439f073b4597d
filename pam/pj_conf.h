/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * pam_jpki's configuration file and mapping file (pam_jpki(8)).  Pure
 * parsers over a bounded buffer, so that the unit tests and the fuzz
 * harness reach them without PAM, a card or the file system; the loader
 * adds the file checks (regular file, owned by root, not writable by
 * others, size cap).  Neither needs libjpki.
 */
#ifndef PJ_CONF_H
#define PJ_CONF_H

#include <stddef.h>

#define PJ_DEFAULT_CONFIG	"/etc/security/pam_jpki.conf"
#define PJ_DEFAULT_MAP		"/etc/security/pam_jpki_users"
#define PJ_MAX_FILE		65536	/* config or mapping file */
#define PJ_MAX_LINE		1024
#define PJ_MAX_PATH		512
#define PJ_MAX_USER		32	/* login name in the mapping file */
#define PJ_MAX_SERIAL_HEX	40	/* 20-byte X.509 serial */
#define PJ_MYKEY_LEN		8	/* MyKey ID, mykey-mock-api.md */
#define PJ_MAX_ID		128	/* platform client id */
#define PJ_ERRLEN		160

typedef enum {
	PJ_REV_NONE = 0,	/* no revocation check */
	PJ_REV_SOFT,		/* status unknown: accept, with a warning */
	PJ_REV_HARD		/* status unknown: refuse */
} pj_rev_mode_t;

struct pj_conf {
	char		map_file[PJ_MAX_PATH];
	char		ca_file[PJ_MAX_PATH];
	char		ca_dir[PJ_MAX_PATH];
	int		bundled_roots;
	int		production_only;
	char		reader[PJ_MAX_PATH];
	int		card_wait;		/* seconds */
	pj_rev_mode_t	revocation;
	char		ocsp_url[PJ_MAX_PATH];
	char		crl_file[PJ_MAX_PATH];
	char		crl_dir[PJ_MAX_PATH];
	char		crl_url[PJ_MAX_PATH];
	int		revocation_timeout;	/* milliseconds */
	int		allow_last_try;
	int		debug;
	/* MyKey Platform, for "USER mykey ID" lines (pam_jpki(8)) */
	char		platform_url[PJ_MAX_PATH];
	char		platform_client_id[PJ_MAX_ID];
	char		platform_secret_file[PJ_MAX_PATH];
	char		platform_ca_file[PJ_MAX_PATH];
	char		consent_file[PJ_MAX_PATH];
	int		platform_allow_http;	/* http:// to loopback only */
	int		platform_timeout;	/* milliseconds */
};

/* Defaults: pam_jpki(8) OPTIONS. */
void	pj_conf_defaults(struct pj_conf *c);
/* One "key = value" setting (also module arguments).  0 or -1 + err. */
int	pj_conf_set(struct pj_conf *c, const char *key, const char *value,
	    char *err, size_t errlen);
/*
 * Parse a whole configuration file's text.  Lines: "key = value",
 * blank, or "#" comments.  Unknown keys, bad values, NUL bytes and lines
 * over PJ_MAX_LINE are errors (a typo must not weaken a security
 * setting silently).  On error err names the line and c is unchanged.
 */
int	pj_conf_parse(struct pj_conf *c, const char *text, size_t len,
	    char *err, size_t errlen);

/* Result of a mapping look-up. */
#define PJ_MAP_NONE	0	/* the certificate is not in the file */
#define PJ_MAP_USER	1	/* mapped to the user */
#define PJ_MAP_OTHER	2	/* mapped, but only to other accounts */

/*
 * Look a certificate up in a mapping file's text.  Lines:
 *   USER serial HEX        the issuance number, hex (case and leading
 *                          zeros do not matter, "0x" allowed)
 *   USER subject DN        the subject exactly as jpki_cert_subject()
 *                          prints it (rest of the line, trailing blanks
 *                          dropped)
 *   USER mykey ID          a MyKey ID (8 of A-Z 0-9), checked through the
 *                          MyKey Platform after the card proved
 *                          possession there (pj_map_mykey); never matched
 *                          here
 * blank lines and "#" comments.  The whole file is checked: a malformed
 * line is an error (-1, err names the line) whatever else matches.
 * serial_hex and subject may be NULL (not compared).
 */
int	pj_map_lookup(const char *text, size_t len, const char *user,
	    const char *serial_hex, const char *subject, int *result,
	    char *err, size_t errlen);

/*
 * MyKey ID lines of a mapping file's text.  With mykey_id NULL: *result
 * is PJ_MAP_USER if user has at least one "mykey" line (the platform
 * decides), else PJ_MAP_NONE.  Otherwise as pj_map_lookup for that ID.
 * The whole file is checked as by pj_map_lookup.
 */
int	pj_map_mykey(const char *text, size_t len, const char *user,
	    const char *mykey_id, int *result, char *err, size_t errlen);

/*
 * Read a configuration or mapping file: a regular file (symlinks not
 * followed), owned by root or the effective user, not writable by group
 * or others, at most PJ_MAX_FILE bytes.  *text is NUL-terminated and
 * owned by the caller (free).
 */
int	pj_read_file(const char *path, char **text, size_t *len, char *err,
	    size_t errlen);
/* The same for a secret: also not readable by group or others (0600). */
int	pj_read_secret(const char *path, char **text, size_t *len, char *err,
	    size_t errlen);

#endif /* PJ_CONF_H */
