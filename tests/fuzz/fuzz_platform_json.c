/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Fuzz every answer of the MyKey Platform the client parses
 * (src/platform_json.c, src/platform.c): response header lines, problem
 * details (RFC 9457), operation results, the token and challenge answers,
 * and a consent file (jpki_consent_load's parser).  Input: a selector
 * byte, a big-endian u16 HTTP status, then chunks (support/chunks.h): the
 * header block (one header per line) and the body.  Seeds are bodies
 * mykey-mock answered in the platform e2e suite.  Invariants: every
 * string field NUL-terminated within its buffer, nothing kept from a
 * rejected answer, a token never carries CR/LF.
 */
#include <stdlib.h>
#include <string.h>

#include <jpki/platform.h>

#include "platform_int.h"
#include "support/chunks.h"
#include "fuzz.h"

#define TERMINATED(f)	(memchr((f), '\0', sizeof(f)) != NULL)

static void
headers(const uint8_t *p, size_t n, http_resp_t *rs)
{
	const uint8_t *nl;
	size_t l;

	while (n > 0) {
		nl = memchr(p, '\n', n);
		l = nl != NULL ? (size_t)(nl - p) + 1 : n;
		platform_header_line((const char *)p, l, rs);
		p += l;
		n -= l;
	}
	if (!TERMINATED(rs->request_id) || !TERMINATED(rs->content_type) ||
	    rs->retry_after < -1 || rs->retry_after >= 86400)
		abort();
}

static void
problem(const http_resp_t *rs)
{
	jpki_platform_problem_t pb;

	(void)platform_problem_parse(rs, &pb);
	if (!TERMINATED(pb.code) || !TERMINATED(pb.title) ||
	    !TERMINATED(pb.detail) || !TERMINATED(pb.request_id) ||
	    !TERMINATED(pb.revoked_at) || pb.revocation_reason < -1 ||
	    pb.revocation_reason > 10 || pb.successor_known < -1 ||
	    pb.successor_known > 1)
		abort();
	(void)platform_code_to_err(rs->status, pb.code);
	(void)platform_retryable(0, 1, rs->status, pb.code, pb.retry_after,
	    60);
}

static void
result(const http_resp_t *rs)
{
	jpki_platform_result_t res = { .size = sizeof(res) };
	int r;

	JPKI_INIT(&res);
	r = platform_result_parse(rs, &res);
	if (!TERMINATED(res.mykey_id) || !TERMINATED(res.state) ||
	    !TERMINATED(res.auth_issuance) || !TERMINATED(res.auth_status) ||
	    !TERMINATED(res.sign_issuance) || !TERMINATED(res.sign_status) ||
	    !TERMINATED(res.ppid))
		abort();
	if (r == JPKI_OK && res.mykey_id[0] != '\0' &&
	    !platform_id_safe(res.mykey_id, JPKI_MYKEY_ID_MAX - 1))
		abort();
	if (r != JPKI_OK && res.json != NULL)
		abort();
	jpki_platform_result_clear(&res);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	http_resp_t rs;
	jpki_consent_t cs = { .size = sizeof(cs) };
	chunks_t ck;
	const uint8_t *p;
	char *body, *tok, id[64], nonce[128];
	size_t n;
	unsigned tag;
	long ttl;
	uint8_t sel;
	int r;

	chunks_init(&ck, data, size);
	sel = chunks_byte(&ck);
	memset(&rs, 0, sizeof(rs));
	rs.retry_after = -1;
	rs.status = (long)chunks_byte(&ck) << 8;
	rs.status |= chunks_byte(&ck);
	if (chunks_next(&ck, &p, &n, &tag))
		headers(p, n, &rs);
	if (!chunks_next(&ck, &p, &n, &tag)) {
		p = (const uint8_t *)"";
		n = 0;
	}
	/* curl hands over the body NUL-terminated (platform.c caps it) */
	if ((body = malloc(n + 1)) == NULL)
		abort();
	memcpy(body, p, n);
	body[n] = '\0';
	rs.body = body;
	rs.body_len = n;
	switch (sel % 5) {
	case 0:
		problem(&rs);
		break;
	case 1:
		result(&rs);
		break;
	case 2:
		r = platform_json_token_resp(body, n, &tok, &ttl);
		if (r == JPKI_OK && (tok == NULL || tok[0] == '\0' ||
		    strpbrk(tok, "\r\n") != NULL))
			abort();
		if (r != JPKI_OK && tok != NULL)
			abort();
		free(tok);
		break;
	case 3:
		r = platform_json_challenge_resp(body, n, id, sizeof(id), nonce,
		    sizeof(nonce));
		if (!TERMINATED(id) || !TERMINATED(nonce) ||
		    (r != JPKI_OK && (id[0] != '\0' || nonce[0] != '\0')))
			abort();
		break;
	default:
		r = platform_json_consent_read(body, &cs);
		if (!TERMINATED(cs.consent_id) || !TERMINATED(cs.purpose) ||
		    !TERMINATED(cs.terms_version) ||
		    !TERMINATED(cs.agreed_at))
			abort();
		if (r == JPKI_OK && jpki_consent_check(&cs, NULL) != JPKI_OK)
			abort();
		break;
	}
	free(body);
	return 0;
}
