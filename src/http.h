/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * One HTTP exchange over libcurl: the only file with curl calls
 * (house-style §2.1), used by the platform client (platform.c) and by the
 * revocation fetcher (http_fetch.c), which add their own policies.
 */
#ifndef JPKI_HTTP_H
#define JPKI_HTTP_H

#include <stddef.h>
#include <stdint.h>

/* Called for every response header line (as received, CRLF included). */
typedef void http_header_cb_t(const char *line, size_t len, void *arg);

typedef struct {
	const char		 *url;
	const char		 *method;	/* "GET", "POST", "PUT", ... */
	const char *const	 *headers;	/* "Name: value", NULL-ended */
	const uint8_t		 *body;		/* NULL: none */
	size_t			  body_len;
	int			  allow_http;	/* else https only */
	const char		 *ca_file;	/* NULL: system store */
	long			  connect_timeout_ms;
	long			  timeout_ms;
	size_t			  max_body;	/* hard cap on the response */
	http_header_cb_t	 *on_header;
	void			 *arg;
} http_call_t;

/*
 * Perform c.  Returns JPKI_OK with *status set for any HTTP status, and the
 * body (NUL-terminated, caller frees) in *body; or JPKI_ERR_TOO_LARGE,
 * JPKI_ERR_TIMEOUT, JPKI_ERR_TLS, JPKI_ERR_ARG (scheme not allowed, bad
 * URL), JPKI_ERR_NETWORK.  *status is 0 when no status line arrived.
 * Redirects are never followed; peer and host are always verified.
 */
int	http_perform(const http_call_t *c, long *status, char **body,
	    size_t *body_len);

#endif /* JPKI_HTTP_H */
