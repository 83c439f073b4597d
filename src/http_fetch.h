/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * A minimal HTTP client for revocation data (OCSP POST, RFC 6960 A.1;
 * CRL GET).
 * OCSP responses are signed, so plain http is allowed here, unlike the
 * platform client (house-style §2.6); redirects are never followed.
 */
#ifndef JPKI_HTTP_FETCH_H
#define JPKI_HTTP_FETCH_H

#include <stddef.h>
#include <stdint.h>

/* Cap on a revocation response body (house-style §2.4). */
#define HTTP_FETCH_MAX_BODY	(1024 * 1024)

/*
 * POST body to url (http or https; ca_file: the PEM CAs an https server
 * must chain to, NULL for the system store) with the given Content-Type and
 * return the 200 response body in *out (caller frees with free()).
 * JPKI_ERR_NETWORK if the server cannot be reached, JPKI_ERR_TIMEOUT,
 * JPKI_ERR_HTTP for another status, JPKI_ERR_TOO_LARGE past max bytes,
 * JPKI_ERR_ARG for a URL of another scheme.
 */
int	http_fetch_post(const char *url, const char *ca_file, const char *ctype,
	    const uint8_t *body, size_t len, size_t max, long timeout_ms,
	    uint8_t **out, size_t *out_len);

/* GET url (http or https), same results (a CRL download, RFC 5280 4.2.1.13). */
int	http_fetch_get(const char *url, const char *ca_file, size_t max,
	    long timeout_ms,
	    uint8_t **out, size_t *out_len);

#endif /* JPKI_HTTP_FETCH_H */
