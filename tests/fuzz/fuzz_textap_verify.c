/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Fuzz the text AP integrity check (src/cert_textap.c, jpki-card.md §6.4,
 * §6.5).  Input: u16 length + EF 0001, u16 length + EF 0002, u16 length +
 * EF 0003, the rest is EF 0004.  The CV issuer key is fixed below (public
 * key of a throwaway test key; the seed "authentic" is signed with it).
 * Invariants: JPKI_OK exactly when every check passed, a reason always.
 */
#include <stdlib.h>
#include <string.h>

#include <jpki/cert.h>

#include "buf.h"
#include "fuzz.h"

static const char issuer_pem[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA1QbUNAMFAMKyBp3COQ8v\n"
	"gSpnn2AGvaXJ4/CSRBV3hT9HK5dZ7ZJyTtUO+/bt4gmYxP3mTzb4OQcgBry3CV30\n"
	"idlnnoT1Jxg8zzTVPXlweILlr/JjjZxbUe+1oA4TlwDQYJ7NSBs7cb+xVP+PMaLr\n"
	"pS7YhgQfOmlimpgXx6lMUI6kRpOke/Ae+QVssuDi8WrFdPK8U/z/gVHz6k6pOFiP\n"
	"qZD4YOp8XlJjnsaI3X4bA+kn+X5G2To310FkWJwDyFdAK4kfYtJmCNE6gcZbbVo5\n"
	"Gpes+bxb6YNc6k3L7Tava75nGR7hEAtBY6FRFgwXUF4NP7mYc+XC7H6L5lbCSa+8\n"
	"zwIDAQAB\n"
	"-----END PUBLIC KEY-----\n";

static int
part(buf_rd_t *r, const uint8_t **p, size_t *n)
{
	uint16_t l;

	if (buf_get_u16(r, &l) != 0 || buf_get_view(r, p, l) != 0)
		return -1;
	*n = l;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	jpki_textap_result_t res = { .size = sizeof(res) };
	const uint8_t *e1, *e2, *e3, *e4;
	size_t n1, n2, n3, n4;
	buf_rd_t r;
	int rc;

	buf_rd_init(&r, data, size);
	if (part(&r, &e1, &n1) != 0 || part(&r, &e2, &n2) != 0 ||
	    part(&r, &e3, &n3) != 0)
		return 0;
	n4 = buf_rd_left(&r);
	if (buf_get_view(&r, &e4, n4) != 0)
		return 0;
	rc = jpki_textap_verify(e1, n1, e2, n2, e3, n3, e4, n4, issuer_pem,
	    sizeof(issuer_pem) - 1, &res);
	if ((rc == JPKI_OK) != (res.authentic != 0) || res.reason[0] == '\0')
		abort();
	if (rc == JPKI_OK && !(res.mynumber_hash_ok && res.attrs_hash_ok &&
	    res.cvc_ok && res.record_sig_ok))
		abort();
	if (rc != JPKI_OK && rc != JPKI_ERR_NOT_AUTHENTIC &&
	    rc != JPKI_ERR_PARSE && rc != JPKI_ERR_ARG)
		abort();
	return 0;
}
