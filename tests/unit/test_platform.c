/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Pure pieces of the MyKey Platform client: TBS bytes (mykey-mock-api.md
 * §5.2), problem+json mapping (§5.6), consent validation (§5.10), the URL
 * policy, retry classification and backoff, issuance-number hex, base64.
 * Network behaviour is tested against the real mykey-mock in tests/e2e.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <jpki/platform.h>

#include "platform_int.h"

static void
test_tbs(void **state)
{
	char	out[PLATFORM_TBS_MAX], small[40];
	size_t	n = 99;

	assert_int_equal(platform_tbs("chl_01HV", "q3xABC-_", "mykey.create",
	    "cli123", NULL, NULL, out, sizeof(out), &n), JPKI_OK);
	assert_string_equal(out,
	    "mykey-mock/v1|chl_01HV|q3xABC-_|mykey.create|cli123|-|-");
	assert_int_equal(n, strlen(out));
	assert_int_equal(platform_tbs("c", "n", "service.link", "cli",
	    "K7QF3M2A", "svc_1", out, sizeof(out), &n), JPKI_OK);
	assert_string_equal(out,
	    "mykey-mock/v1|c|n|service.link|cli|K7QF3M2A|svc_1");
	/* a '|' or a space in a field would make the join ambiguous */
	assert_int_equal(platform_tbs("c|x", "n", "p", "cli", NULL, NULL, out,
	    sizeof(out), &n), JPKI_ERR_ARG);
	assert_int_equal(n, 0);
	assert_int_equal(platform_tbs("c", "n n", "p", "cli", NULL, NULL, out,
	    sizeof(out), &n), JPKI_ERR_ARG);
	assert_int_equal(platform_tbs("c", "", "p", "cli", NULL, NULL, out,
	    sizeof(out), &n), JPKI_ERR_ARG);
	assert_int_equal(platform_tbs("c", "n", "p", "cli", "", NULL, out,
	    sizeof(out), &n), JPKI_ERR_ARG);
	/* exact fit and one short */
	assert_int_equal(platform_tbs("c", "n", "p", "cli", NULL, NULL, small,
	    strlen("mykey-mock/v1|c|n|p|cli|-|-") + 1, &n), JPKI_OK);
	assert_int_equal(platform_tbs("c", "n", "p", "cli", NULL, NULL, small,
	    strlen("mykey-mock/v1|c|n|p|cli|-|-"), &n), JPKI_ERR_TOO_LARGE);
	assert_string_equal(small, "");
	assert_int_equal(n, 0);
}

static void
test_code_map(void **state)
{
	static const struct {
		const char	*code;
		long		 status;
		int		 err;
	} v[] = {
		{ "CONSENT_REQUIRED", 400, JPKI_ERR_CONSENT_REQUIRED },
		{ "INVALID_REQUEST", 400, JPKI_ERR_BAD_REQUEST },
		{ "CLIENT_AUTH_FAILED", 401, JPKI_ERR_PLATFORM_AUTH },
		{ "CHALLENGE_CONSUMED", 401, JPKI_ERR_CHALLENGE },
		{ "CHALLENGE_MISMATCH", 401, JPKI_ERR_CHALLENGE },
		{ "CHALLENGE_EXPIRED", 401, JPKI_ERR_CHALLENGE },
		{ "SIGNATURE_INVALID", 401, JPKI_ERR_PROOF_REJECTED },
		{ "CERT_REVOKED", 401, JPKI_ERR_PLATFORM_REVOKED },
		{ "CERT_EXPIRED", 401, JPKI_ERR_PLATFORM_EXPIRED },
		{ "SCOPE_DENIED", 403, JPKI_ERR_SCOPE },
		{ "MYKEY_ID_NOT_FOUND", 404, JPKI_ERR_MYKEY_NOT_FOUND },
		{ "LINK_NOT_FOUND", 404, JPKI_ERR_NOT_FOUND },
		{ "MYKEY_ID_TAKEN", 409, JPKI_ERR_MYKEY_TAKEN },
		{ "LINKAGE_CONFLICT", 409, JPKI_ERR_LINKAGE },
		{ "IDEMPOTENCY_IN_PROGRESS", 409, JPKI_ERR_IDEMPOTENCY },
		{ "MYKEY_ID_REVOKED", 410, JPKI_ERR_MYKEY_REVOKED },
		{ "IDEMPOTENCY_KEY_REUSED", 422, JPKI_ERR_IDEMPOTENCY },
		{ "LINKAGE_DEPTH_EXCEEDED", 422, JPKI_ERR_LINKAGE },
		{ "RATE_LIMITED", 429, JPKI_ERR_RATE_LIMITED },
		{ "JLIS_UNAVAILABLE", 502, JPKI_ERR_JLIS_UNAVAILABLE },
		{ "MAINTENANCE", 503, JPKI_ERR_MAINTENANCE },
		{ "INTERNAL", 500, JPKI_ERR_SERVER },
		/* unknown codes fall back on the status */
		{ "SOMETHING_NEW", 404, JPKI_ERR_NOT_FOUND },
		{ NULL, 503, JPKI_ERR_MAINTENANCE },
		{ NULL, 504, JPKI_ERR_SERVER },
		{ NULL, 302, JPKI_ERR_HTTP },
		{ "", 418, JPKI_ERR_HTTP },
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(platform_code_to_err(v[i].status, v[i].code),
		    v[i].err);
		/* every mapped code is in the platform range of err.h */
		assert_true(v[i].err <= -100 && v[i].err >= -139);
		assert_string_not_equal(jpki_strerror_name(v[i].err),
		    "JPKI_ERR_UNKNOWN");
	}
}

static void
test_problem(void **state)
{
	jpki_platform_problem_t	pb;
	http_resp_t		rs;
	char			body[] = "{\"type\":\"about:blank\","
	    "\"title\":\"Certificate revoked\",\"status\":401,"
	    "\"code\":\"CERT_REVOKED\",\"detail\":\"keyCompromise\","
	    "\"revocation_reason\":1,\"revoked_at\":\"2025-04-01T09:00:00+09:00\","
	    "\"successor_known\":true,\"request_id\":\"body-id\"}";
	char			dup[] = "{\"code\":\"A\",\"code\":\"B\"}";
	char			html[] = "<html>bad gateway</html>";

	memset(&rs, 0, sizeof(rs));
	rs.status = 401;
	rs.retry_after = -1;
	rs.body = body;
	rs.body_len = strlen(body);
	snprintf(rs.request_id, sizeof(rs.request_id), "hdr-id");
	assert_int_equal(platform_problem_parse(&rs, &pb), JPKI_OK);
	assert_int_equal(pb.http_status, 401);
	assert_string_equal(pb.code, "CERT_REVOKED");
	assert_string_equal(pb.title, "Certificate revoked");
	assert_string_equal(pb.detail, "keyCompromise");
	assert_int_equal(pb.revocation_reason, 1);
	assert_int_equal(pb.successor_known, 1);
	assert_string_equal(pb.revoked_at, "2025-04-01T09:00:00+09:00");
	/* the header wins over the body */
	assert_string_equal(pb.request_id, "hdr-id");
	assert_int_equal(pb.retry_after, -1);

	/* the reason may also come as its RFC 5280 name */
	{
		char named[] = "{\"code\":\"CERT_REVOKED\","
		    "\"revocation_reason\":\"superseded\"}";
		char odd[] = "{\"code\":\"CERT_REVOKED\","
		    "\"revocation_reason\":\"removeFromCRL\"}";

		rs.body = named;
		rs.body_len = strlen(named);
		assert_int_equal(platform_problem_parse(&rs, &pb), JPKI_OK);
		assert_int_equal(pb.revocation_reason, 4);
		rs.body = odd;
		rs.body_len = strlen(odd);
		assert_int_equal(platform_problem_parse(&rs, &pb), JPKI_OK);
		assert_int_equal(pb.revocation_reason, -1);
	}

	/* duplicate members are refused, status kept */
	rs.status = 400;
	rs.body = dup;
	rs.body_len = strlen(dup);
	assert_int_equal(platform_problem_parse(&rs, &pb), JPKI_ERR_PARSE);
	assert_int_equal(pb.http_status, 400);
	assert_string_equal(pb.code, "");

	/* a proxy's HTML: status and Retry-After still available */
	rs.status = 503;
	rs.retry_after = 7;
	rs.body = html;
	rs.body_len = strlen(html);
	assert_int_equal(platform_problem_parse(&rs, &pb), JPKI_ERR_PARSE);
	assert_int_equal(pb.http_status, 503);
	assert_int_equal(pb.retry_after, 7);
	assert_int_equal(pb.revocation_reason, -1);
	assert_int_equal(pb.successor_known, -1);
}

static void
consent_fill(jpki_consent_t *c, const char *purpose)
{
	JPKI_INIT(c);
	snprintf(c->consent_id, sizeof(c->consent_id),
	    "3f0c2a8e-1b7d-4c55-9a0e-0b1c2d3e4f50");
	snprintf(c->purpose, sizeof(c->purpose), "%s", purpose);
	snprintf(c->terms_version, sizeof(c->terms_version), "mock-1");
	snprintf(c->agreed_at, sizeof(c->agreed_at),
	    "2025-04-01T09:00:00+09:00");
}

static void
test_consent(void **state)
{
	jpki_consent_t	c = { .size = sizeof(c) }, d = { .size = sizeof(d) };
	char		path[] = "/tmp/jpki-consent-XXXXXX";
	int		fd;

	consent_fill(&c, "jlis.validity jlis.linkage");
	assert_int_equal(jpki_consent_check(&c, JPKI_PURPOSE_PROOF), JPKI_OK);
	assert_int_equal(jpki_consent_check(&c, "jlis.validity"), JPKI_OK);
	/* id.link is not covered */
	assert_int_equal(jpki_consent_check(&c, JPKI_PURPOSE_LINK),
	    JPKI_ERR_CONSENT_REQUIRED);
	/* a token must match whole, not as a prefix */
	consent_fill(&c, "jlis.validityX jlis.linkage");
	assert_int_equal(jpki_consent_check(&c, JPKI_PURPOSE_PROOF),
	    JPKI_ERR_CONSENT_REQUIRED);
	consent_fill(&c, "  jlis.linkage   jlis.validity id.link ");
	assert_int_equal(jpki_consent_check(&c, JPKI_PURPOSE_LINK), JPKI_OK);
	assert_int_equal(jpki_consent_check(NULL, NULL),
	    JPKI_ERR_CONSENT_REQUIRED);
	consent_fill(&c, JPKI_PURPOSE_PROOF);
	c.consent_id[8] = 'x';
	assert_int_equal(jpki_consent_check(&c, NULL),
	    JPKI_ERR_CONSENT_REQUIRED);
	consent_fill(&c, JPKI_PURPOSE_PROOF);
	c.terms_version[0] = '\0';
	assert_int_equal(jpki_consent_check(&c, NULL),
	    JPKI_ERR_CONSENT_REQUIRED);
	consent_fill(&c, JPKI_PURPOSE_PROOF);
	snprintf(c.agreed_at, sizeof(c.agreed_at), "yesterday");
	assert_int_equal(jpki_consent_check(&c, NULL),
	    JPKI_ERR_CONSENT_REQUIRED);
	/* not NUL-terminated */
	consent_fill(&c, JPKI_PURPOSE_PROOF);
	memset(c.purpose, 'a', sizeof(c.purpose));
	assert_int_equal(jpki_consent_check(&c, NULL),
	    JPKI_ERR_CONSENT_REQUIRED);

	/* minted records pass and differ */
	assert_int_equal(jpki_consent_mint(&c, JPKI_PURPOSE_LINK,
	    JPKI_TERMS_VERSION), JPKI_OK);
	assert_int_equal(jpki_consent_check(&c, JPKI_PURPOSE_LINK), JPKI_OK);
	assert_int_equal(jpki_consent_mint(&d, JPKI_PURPOSE_LINK,
	    JPKI_TERMS_VERSION), JPKI_OK);
	assert_string_not_equal(c.consent_id, d.consent_id);
	assert_int_equal(c.consent_id[14], '4');

	/* file round trip */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(jpki_consent_save(&c, path), JPKI_OK);
	assert_int_equal(jpki_consent_load(&d, path), JPKI_OK);
	assert_memory_equal(&c, &d, sizeof(c));
	unlink(path);
	assert_int_equal(jpki_consent_load(&d, path), JPKI_ERR_IO);
}

static void
test_consent_json(void **state)
{
	jpki_consent_t c = { .size = sizeof(c) };

	assert_int_equal(platform_json_consent_read("{\"consent\":{"
	    "\"consent_id\":\"3f0c2a8e-1b7d-4c55-9a0e-0b1c2d3e4f50\","
	    "\"purpose\":\"jlis.validity jlis.linkage\","
	    "\"terms_version\":\"mock-1\","
	    "\"agreed_at\":\"2025-04-01T09:00:00Z\"}}", &c), JPKI_OK);
	assert_string_equal(c.terms_version, "mock-1");
	/* missing member */
	assert_int_equal(platform_json_consent_read("{"
	    "\"consent_id\":\"3f0c2a8e-1b7d-4c55-9a0e-0b1c2d3e4f50\","
	    "\"purpose\":\"jlis.validity\",\"terms_version\":\"mock-1\"}", &c),
	    JPKI_ERR_CONSENT_REQUIRED);
	assert_string_equal(c.consent_id, "");
	/* over-long member */
	assert_int_equal(platform_json_consent_read("{"
	    "\"consent_id\":\"3f0c2a8e-1b7d-4c55-9a0e-0b1c2d3e4f50\","
	    "\"purpose\":\"jlis.validity\",\"terms_version\":"
	    "\"0123456789012345678901234567890123456789\","
	    "\"agreed_at\":\"2025-04-01T09:00:00Z\"}", &c),
	    JPKI_ERR_CONSENT_REQUIRED);
	assert_int_equal(platform_json_consent_read("[]", &c),
	    JPKI_ERR_CONSENT_REQUIRED);
}

static void
test_url_policy(void **state)
{
	static const struct {
		const char	*url;
		int		 allow;
		int		 want;
	} v[] = {
		{ "https://mykey.example.jp", 0, JPKI_OK },
		{ "HTTPS://mykey.example.jp:8443/base", 0, JPKI_OK },
		{ "http://127.0.0.1:8080", 0, JPKI_ERR_ARG },
		{ "http://127.0.0.1:8080", 1, JPKI_OK },
		{ "http://127.3.2.1/", 1, JPKI_OK },
		{ "http://[::1]:8080/", 1, JPKI_OK },
		{ "http://localhost:8080", 1, JPKI_ERR_ARG },
		{ "http://128.0.0.1", 1, JPKI_ERR_ARG },
		{ "http://10.0.0.1", 1, JPKI_ERR_ARG },
		{ "http://127.0.0.1@evil.example/", 1, JPKI_ERR_ARG },
		{ "http://evil.example/127.0.0.1", 1, JPKI_ERR_ARG },
		{ "http://127.0.0.1.evil.example", 1, JPKI_ERR_ARG },
		{ "http://[::2]/", 1, JPKI_ERR_ARG },
		{ "https://", 0, JPKI_ERR_ARG },
		{ "https://a b", 0, JPKI_ERR_ARG },
		{ "ftp://127.0.0.1", 1, JPKI_ERR_ARG },
		{ "file:///etc/passwd", 1, JPKI_ERR_ARG },
		{ "127.0.0.1:8080", 1, JPKI_ERR_ARG },
		{ NULL, 1, JPKI_ERR_ARG },
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		if (platform_url_check(v[i].url, v[i].allow) != v[i].want)
			fail_msg("url %s allow %d", v[i].url, v[i].allow);
	}
}

static void
test_configure(void **state)
{
	jpki_platform_t		*p = NULL;
	jpki_platform_opts_t	 o = { .size = sizeof(o) };

	assert_int_equal(jpki_platform_new(&p), JPKI_OK);
	assert_non_null(p);
	JPKI_INIT(&o);
	o.url = "http://127.0.0.1:1/";
	o.client_id = "cli_1";
	o.client_secret = "s3cret";
	assert_int_equal(jpki_platform_configure(p, &o), JPKI_ERR_ARG);
	o.allow_http_loopback = 1;
	assert_int_equal(jpki_platform_configure(p, &o), JPKI_OK);
	assert_string_equal(p->url, "http://127.0.0.1:1");
	assert_int_equal(p->max_attempts, 5);
	assert_int_equal(p->max_response, JPKI_MAX_HTTP_BODY);
	/* a client id with '|' would corrupt the TBS */
	o.client_id = "a|b";
	assert_int_equal(jpki_platform_configure(p, &o), JPKI_ERR_ARG);
	jpki_platform_free(&p);
	assert_null(p);
	jpki_platform_free(&p);
}

static void
test_backoff(void **state)
{
	unsigned i;

	assert_int_equal(platform_backoff_ms(0, 200, 5000, 0), 0);
	assert_int_equal(platform_backoff_ms(0, 200, 5000, 200), 200);
	assert_int_equal(platform_backoff_ms(0, 200, 5000, 201), 0);
	assert_int_equal(platform_backoff_ms(1, 200, 5000, 400), 400);
	assert_int_equal(platform_backoff_ms(2, 200, 5000, 800), 800);
	/* capped by max, and no overflow for silly attempt numbers */
	assert_int_equal(platform_backoff_ms(10, 200, 5000, 5000), 5000);
	assert_int_equal(platform_backoff_ms(1000, 200, 5000, 5000), 5000);
	assert_int_equal(platform_backoff_ms(31, 0xffffffffU, 0xffffffffU,
	    0xffffffffU), 0xffffffffU);
	for (i = 0; i < 12; i++)
		assert_true(platform_backoff_ms(i, 200, 5000, 0xffffffffU) <=
		    5000);
}

static void
test_retryable(void **state)
{
	/* transport error before any response: the key makes it safe */
	assert_true(platform_retryable(1, 0, 0, NULL, -1, 30));
	/* the response started (cap hit, cut body): not retried */
	assert_false(platform_retryable(1, 1, 200, NULL, -1, 30));
	assert_true(platform_retryable(0, 1, 502, "JLIS_UNAVAILABLE", -1, 30));
	assert_true(platform_retryable(0, 1, 503, "MAINTENANCE", 2, 30));
	assert_true(platform_retryable(0, 1, 503, "MAINTENANCE", 30, 30));
	assert_false(platform_retryable(0, 1, 503, "MAINTENANCE", 31, 30));
	assert_false(platform_retryable(0, 1, 503, "MAINTENANCE", -1, 30));
	assert_true(platform_retryable(0, 1, 409, "IDEMPOTENCY_IN_PROGRESS",
	    1, 30));
	assert_false(platform_retryable(0, 1, 409, "MYKEY_ID_TAKEN", -1, 30));
	assert_false(platform_retryable(0, 1, 409, NULL, -1, 30));
	assert_false(platform_retryable(0, 1, 500, "INTERNAL", -1, 30));
	assert_false(platform_retryable(0, 1, 429, "RATE_LIMITED", 1, 30));
	assert_false(platform_retryable(0, 1, 401, "CHALLENGE_CONSUMED", -1,
	    30));
	assert_false(platform_retryable(0, 1, 200, NULL, -1, 30));
}

static void
test_serial_hex(void **state)
{
	uint8_t	s[21];
	char	out[JPKI_ISSUANCE_MAX];

	memcpy(s, "\x00\x0a\xbc", 3);
	assert_int_equal(platform_serial_hex(s, 3, out), JPKI_OK);
	assert_string_equal(out, "ABC");
	memcpy(s, "\x3f\x9a\x2c\x11\xd0\xe4\xb7", 7);
	assert_int_equal(platform_serial_hex(s, 7, out), JPKI_OK);
	assert_string_equal(out, "3F9A2C11D0E4B7");
	s[0] = 0x01;
	assert_int_equal(platform_serial_hex(s, 1, out), JPKI_OK);
	assert_string_equal(out, "1");
	s[0] = 0;
	s[1] = 0;
	assert_int_equal(platform_serial_hex(s, 2, out), JPKI_OK);
	assert_string_equal(out, "0");
	/* 20 octets is the RFC 5280 maximum; a leading zero does not count */
	memset(s, 0xff, sizeof(s));
	assert_int_equal(platform_serial_hex(s, 20, out), JPKI_OK);
	assert_int_equal(strlen(out), 40);
	assert_int_equal(platform_serial_hex(s, 21, out), JPKI_ERR_TOO_LARGE);
	assert_string_equal(out, "");
	s[0] = 0;
	assert_int_equal(platform_serial_hex(s, 21, out), JPKI_OK);
	assert_int_equal(platform_serial_hex(s, 0, out), JPKI_ERR_ARG);
}

static void
test_der_serial(void **state)
{
	/* Certificate{TBS{[0]{INTEGER 2}, INTEGER 0x00 0x8F 0x01}} */
	static const uint8_t v3[] = { 0x30, 0x0c, 0x30, 0x0a, 0xa0, 0x03,
	    0x02, 0x01, 0x02, 0x02, 0x03, 0x00, 0x8f, 0x01 };
	/* v1 certificate: no [0] version */
	static const uint8_t v1[] = { 0x30, 0x05, 0x30, 0x03, 0x02, 0x01,
	    0x2a };
	static const uint8_t notint[] = { 0x30, 0x05, 0x30, 0x03, 0x04, 0x01,
	    0x2a };
	char	out[JPKI_ISSUANCE_MAX];
	size_t	i;

	assert_int_equal(platform_der_serial_hex(v3, sizeof(v3), out),
	    JPKI_OK);
	assert_string_equal(out, "8F01");
	assert_int_equal(platform_der_serial_hex(v1, sizeof(v1), out),
	    JPKI_OK);
	assert_string_equal(out, "2A");
	/* every truncation fails cleanly */
	for (i = 0; i < sizeof(v3); i++)
		assert_int_equal(platform_der_serial_hex(v3, i, out),
		    JPKI_ERR_PARSE);
	assert_int_equal(platform_der_serial_hex(notint, sizeof(notint), out),
	    JPKI_ERR_PARSE);
	assert_int_equal(platform_der_serial_hex(NULL, 0, out),
	    JPKI_ERR_PARSE);
}

static void
test_b64(void **state)
{
	static const struct {
		const char *in, *std, *url;
	} v[] = {	/* RFC 4648 §10 */
		{ "", "", "" },
		{ "f", "Zg==", "Zg" },
		{ "fo", "Zm8=", "Zm8" },
		{ "foo", "Zm9v", "Zm9v" },
		{ "foob", "Zm9vYg==", "Zm9vYg" },
		{ "fooba", "Zm9vYmE=", "Zm9vYmE" },
		{ "foobar", "Zm9vYmFy", "Zm9vYmFy" },
		{ "\xfb\xff", "+/8=", "-_8" },
	};
	size_t	 i;
	char	*s;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		s = platform_b64((const uint8_t *)v[i].in, strlen(v[i].in), 0);
		assert_non_null(s);
		assert_string_equal(s, v[i].std);
		free(s);
		s = platform_b64((const uint8_t *)v[i].in, strlen(v[i].in), 1);
		assert_non_null(s);
		assert_string_equal(s, v[i].url);
		free(s);
	}
}

static void
test_uuid_time(void **state)
{
	char	u[37], t[40];

	assert_int_equal(platform_uuid4(u), JPKI_OK);
	assert_true(platform_uuid_valid(u));
	assert_int_equal(u[14], '4');
	assert_true(strchr("89ab", u[19]) != NULL);
	assert_false(platform_uuid_valid("3f0c2a8e-1b7d-4c55-9a0e-0b1c2d3e4f5"));
	assert_false(platform_uuid_valid("3f0c2a8e-1b7d-4c55-9a0e-0b1c2d3e4f5g"));
	assert_false(platform_uuid_valid("3f0c2a8e11b7d-4c55-9a0e-0b1c2d3e4f50"));
	assert_int_equal(platform_rfc3339_now(t), JPKI_OK);
	assert_true(platform_rfc3339_valid(t));
	assert_true(platform_rfc3339_valid("2025-04-01T09:00:00+09:00"));
	assert_true(platform_rfc3339_valid("2025-04-01T00:00:00.123Z"));
	assert_false(platform_rfc3339_valid("2025-04-01 09:00:00+09:00"));
	assert_false(platform_rfc3339_valid("2025-04-01T09:00:00"));
	assert_false(platform_rfc3339_valid("2025-04-01T09:00:00+0900"));
	assert_false(platform_rfc3339_valid("2025-04-01T09:00:00.Z"));
	assert_false(platform_rfc3339_valid("2025-04-01T09:00:00Zjunk"));
}

static void
test_json_answers(void **state)
{
	jpki_platform_result_t	 res = { .size = sizeof(res) };
	jpki_platform_problem_t	 pb;
	http_resp_t		 rs;
	char			 id[128], nonce[128];
	char			*tok = NULL;
	long			 ttl;
	char			 verify[] = "{\"mykey_id\":\"K7QF3M2A\","
	    "\"state\":\"active\",\"relinked\":true,\"linkage_hops\":2,"
	    "\"auth\":{\"issuance_number\":\"3F9A2C11D0E4B7\","
	    "\"status\":\"good\"},\"superseded\":[\"1B22\",\"2C90\"]}";
	char			 evil[] = "{\"mykey_id\":\"../admin\"}";

#define CHL(lit, ...) platform_json_challenge_resp(lit, sizeof(lit) - 1, \
	    __VA_ARGS__)
#define TOK(lit, ...) platform_json_token_resp(lit, sizeof(lit) - 1, \
	    __VA_ARGS__)
	assert_int_equal(CHL("{\"challenge_id\":"
	    "\"chl_1\",\"nonce\":\"abc\",\"purpose\":\"mykey.create\","
	    "\"tbs_format\":\"mykey-mock/v1\"}", id, sizeof(id), nonce,
	    sizeof(nonce)), JPKI_OK);
	assert_string_equal(id, "chl_1");
	assert_string_equal(nonce, "abc");
	assert_int_equal(CHL("{\"challenge_id\":"
	    "\"chl_1\",\"nonce\":\"abc\",\"tbs_format\":\"mykey-mock/v2\"}",
	    id, sizeof(id), nonce, sizeof(nonce)), JPKI_ERR_NOT_SUPPORTED);
	assert_string_equal(id, "");
	assert_int_equal(CHL("{\"challenge_id\":"
	    "\"chl_1\"}", id, sizeof(id), nonce, sizeof(nonce)),
	    JPKI_ERR_PARSE);
	/* issue 11: a NUL must not cut the body to a valid-looking prefix */
	assert_int_equal(CHL("{\"challenge_id\":\"chl_1\",\"nonce\":\"abc\"}"
	    "\0garbage", id, sizeof(id), nonce, sizeof(nonce)), JPKI_ERR_PARSE);

	assert_int_equal(TOK("{\"access_token\":\"t0k\","
	    "\"token_type\":\"Bearer\",\"expires_in\":3600}", &tok, &ttl),
	    JPKI_OK);
	assert_string_equal(tok, "t0k");
	assert_int_equal(ttl, 3600);
	free(tok);
	tok = NULL;
	assert_int_equal(TOK("{\"access_token\":"
	    "\"a\\r\\nX-Evil: 1\"}", &tok, &ttl), JPKI_ERR_PARSE);
	assert_null(tok);
	assert_int_equal(TOK("{\"access_token\":\"t0k\",\"expires_in\":60}"
	    "\0{\"x\":1}", &tok, &ttl), JPKI_ERR_PARSE);
	assert_null(tok);
#undef CHL
#undef TOK

	JPKI_INIT(&res);
	memset(&rs, 0, sizeof(rs));
	rs.status = 200;
	rs.replayed = 1;
	rs.body = verify;
	rs.body_len = strlen(verify);
	assert_int_equal(platform_result_parse(&rs, &res), JPKI_OK);
	assert_string_equal(res.mykey_id, "K7QF3M2A");
	assert_string_equal(res.state, "active");
	assert_int_equal(res.relinked, 1);
	assert_int_equal(res.hops, 2);
	assert_int_equal(res.replayed, 1);
	assert_string_equal(res.auth_issuance, "3F9A2C11D0E4B7");
	assert_string_equal(res.auth_status, "good");
	assert_string_equal(res.json, verify);
	jpki_platform_result_clear(&res);
	assert_null(res.json);
	/* a MyKey ID that would escape the URL path is refused */
	rs.body = evil;
	rs.body_len = strlen(evil);
	assert_int_equal(platform_result_parse(&rs, &res), JPKI_ERR_PARSE);
	jpki_platform_result_clear(&res);
	/* issue 11: the body length counts, not the first NUL */
	{
		char nul[] = "{\"mykey_id\":\"K7QF3M2A\",\"state\":\"active\"}"
		    "\0garbage";

		rs.body = nul;
		rs.body_len = sizeof(nul) - 1;
		assert_int_equal(platform_result_parse(&rs, &res),
		    JPKI_ERR_PARSE);
		assert_null(res.json);
		jpki_platform_result_clear(&res);
		rs.status = 400;
		assert_int_equal(platform_problem_parse(&rs, &pb),
		    JPKI_ERR_PARSE);
		assert_int_equal(pb.http_status, 400);
		assert_string_equal(pb.code, "");
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tbs),
		cmocka_unit_test(test_code_map),
		cmocka_unit_test(test_problem),
		cmocka_unit_test(test_consent),
		cmocka_unit_test(test_consent_json),
		cmocka_unit_test(test_url_policy),
		cmocka_unit_test(test_configure),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_retryable),
		cmocka_unit_test(test_serial_hex),
		cmocka_unit_test(test_der_serial),
		cmocka_unit_test(test_b64),
		cmocka_unit_test(test_uuid_time),
		cmocka_unit_test(test_json_answers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
