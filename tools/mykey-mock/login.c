/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Browser login page GET /login on the TLS 1.2 listener (--login-port):
 * libmicrohttpd asks for a client certificate (MHD_OPTION_HTTPS_MEM_TRUST
 * makes GnuTLS send a CertificateRequest naming the mock auth CA); the TLS
 * handshake proves possession of the card's key.  Here: chain, J-LIS
 * status, MyKey ID resolution with the old->new walk (api §5.7), and an
 * HTML answer.  The page stands in for the platform's own consent screen:
 * presenting the card is the cardholder's agreement (api §5.10), recorded
 * under the reserved client "login-page".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <microhttpd.h>

#include "mock.h"

static void
page(struct mm_req *r, unsigned int status, const char *title,
    const char *body)
{
	char *html = NULL;
	int n;

	n = asprintf(&html, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\"><title>%s - mykey-mock</title></head>"
	    "<body><h1>%s</h1>%s<p><small>mykey-mock: a mock of the MyKey "
	    "Platform (O=JPKI-MOCK), not a real service.</small></p>"
	    "</body></html>\n", title, title, body);
	free(r->raw);
	r->raw = NULL;
	if (n < 0)
		return;
	r->raw = (uint8_t *)html;
	r->raw_len = (size_t)n;
	r->raw_type = "text/html; charset=utf-8";
	r->status = status;
}

static void
refuse(struct mm_req *r, unsigned int status, const char *code,
    const char *why)
{
	char body[512];

	(void)snprintf(body, sizeof(body), "<p id=\"result\" "
	    "data-code=\"%s\">Login refused: %s</p>", code, why);
	(void)snprintf(r->code, sizeof(r->code), "%s", code);
	page(r, status, "Login refused", body);
}

int
h_login(struct mm_req *r)
{
	const union MHD_ConnectionInfo *ci;
	const gnutls_datum_t *peers;
	unsigned int npeers = 0;
	char serial[MM_SERIAL_MAX] = "", body[1024];
	struct resolve res;
	X509 *x = NULL;
	enum mm_certerr ce;
	int rc = -1;

	memset(&res, 0, sizeof(res));
	if (!r->login)
		return req_problem(r, 404, "NOT_FOUND",
		    "the login page is served on the login port");
	/* no transport connection (mock_handle called in process) */
	ci = r->conn == NULL ? NULL : MHD_get_connection_info(r->conn,
	    MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (ci == NULL || ci->tls_session == NULL || (peers =
	    gnutls_certificate_get_peers((gnutls_session_t)ci->tls_session,
	    &npeers)) == NULL || npeers == 0) {
		refuse(r, 401, "NO_CLIENT_CERTIFICATE", "no card certificate "
		    "was presented in the TLS handshake");
		return -1;
	}
	ce = cert_check(r->srv->ca, peers[0].data, peers[0].size, "auth", &x,
	    serial);
	X509_free(x);
	if (ce != MM_CERT_OK) {
		refuse(r, 401, ce == MM_CERT_UNTRUSTED ? "CHAIN_UNTRUSTED" :
		    "UNSUPPORTED_CERTIFICATE", "not a JPKI-MOCK user "
		    "authentication certificate");
		return -1;
	}
	(void)snprintf(r->client_id, sizeof(r->client_id), "login-page");
	mm_uuid(r->consent_id);
	(void)snprintf(r->consent_purpose, sizeof(r->consent_purpose),
	    "jlis.validity jlis.linkage");
	(void)snprintf(r->consent_terms, sizeof(r->consent_terms), "mock-1");
	r->consent_at = r->now;
	if ((res.superseded = json_array()) == NULL || db_begin(r->db) != 0) {
		refuse(r, 500, "INTERNAL", "internal error");
		goto out;
	}
	if (db_exec(r->db, "INSERT INTO clients(client_id, secret_hash, kind, "
	    "scopes, name, created_at) VALUES('login-page', '!', "
	    "'government', '', 'browser login page', ?) ON CONFLICT DO "
	    "NOTHING", "i", r->now) != 0 ||
	    resolve_auth(r, serial, 0, NULL, &res) != 0 ||
	    consent_store(r, res.mykey_id) != 0) {
		if (r->status < 400)
			(void)req_problem(r, 500, "INTERNAL", NULL);
		goto done;
	}
	(void)snprintf(body, sizeof(body), "<dl id=\"result\" data-code=\"OK\">"
	    "<dt>MyKey ID</dt><dd id=\"mykey-id\">%s</dd>"
	    "<dt>Issuance number</dt><dd id=\"issuance-number\">%s</dd>"
	    "<dt>State</dt><dd id=\"state\">%s</dd>"
	    "<dt>Linkage hops</dt><dd id=\"linkage-hops\">%d</dd></dl>",
	    res.mykey_id, serial, res.state, res.hops);
	rc = 0;
done:
	{
		unsigned int st = r->status;
		char code[48];

		(void)snprintf(code, sizeof(code), "%s", r->code);
		rc = finish(r, rc, "login.page", res.mykey_id[0] ?
		    res.mykey_id : NULL, serial);
		json_decref(r->resp);
		r->resp = NULL;
		if (rc == 0)
			page(r, 200, "Logged in", body);
		else
			refuse(r, r->status >= 400 ? r->status : st,
			    r->code[0] ? r->code : code,
			    strcmp(r->code, "CERT_REVOKED") == 0 ?
			    "the certificate is revoked" :
			    strcmp(r->code, "CERT_EXPIRED") == 0 ?
			    "the certificate has expired" :
			    strcmp(r->code, "MYKEY_ID_NOT_FOUND") == 0 ?
			    "no MyKey ID for this card" : "see the code");
	}
out:
	json_decref(res.superseded);
	return rc;
}
