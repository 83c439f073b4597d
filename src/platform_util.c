/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Pure helpers of the platform client: no network, no card.  Each is unit
 * tested in tests/unit/test_platform.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include <jpki/platform.h>

#include "abi.h"
#include "log.h"
#include "platform_int.h"
#include "tlv.h"

/*
 * URL policy (house-style §2.6): https with any host; http only when
 * allowed and only to a literal loopback address, so that a name in
 * /etc/hosts cannot turn "localhost" into a remote host.  Userinfo is
 * refused: "http://127.0.0.1@evil.example/" must not pass as loopback.
 */
int
platform_url_check(const char *url, int allow_http_loopback)
{
	char		 host[64];
	const char	*a, *end, *h, *he;
	size_t		 n;
	struct in_addr	 v4;
	struct in6_addr	 v6;
	int		 https, r = JPKI_ERR_ARG;

	if (url == NULL)
		goto out;
	if (strncasecmp(url, "https://", 8) == 0) {
		https = 1;
		a = url + 8;
	} else if (strncasecmp(url, "http://", 7) == 0) {
		https = 0;
		a = url + 7;
	} else
		goto out;
	end = a + strcspn(a, "/?#");
	if (end == a || memchr(a, '@', (size_t)(end - a)) != NULL)
		goto out;
	if (strpbrk(url, " \t\r\n") != NULL)
		goto out;
	if (*a == '[') {
		h = a + 1;
		if ((he = memchr(h, ']', (size_t)(end - h))) == NULL)
			goto out;
	} else {
		h = a;
		if ((he = memchr(h, ':', (size_t)(end - h))) == NULL)
			he = end;
	}
	n = (size_t)(he - h);
	if (n == 0 || n >= sizeof(host))
		goto out;
	if (https) {
		r = JPKI_OK;
		goto out;
	}
	if (!allow_http_loopback) {
		log_debug("%s: plain http refused (no loopback option)",
		    __func__);
		goto out;
	}
	memcpy(host, h, n);
	host[n] = '\0';
	if (inet_pton(AF_INET, host, &v4) == 1) {
		if ((ntohl(v4.s_addr) >> 24) == 127)
			r = JPKI_OK;
	} else if (inet_pton(AF_INET6, host, &v6) == 1) {
		if (IN6_IS_ADDR_LOOPBACK(&v6))
			r = JPKI_OK;
	}
	if (r != JPKI_OK)
		log_debug("%s: plain http only to a loopback address",
		    __func__);
out:
	return r;
}

/*
 * Exponential backoff with full jitter: the n-th retry (0-based) waits a
 * uniformly random time in [0, min(max, base * 2^n)].
 */
unsigned
platform_backoff_ms(unsigned attempt, unsigned base_ms, unsigned max_ms,
    uint32_t rnd)
{
	uint64_t cap;

	if (attempt > 20)
		attempt = 20;
	cap = (uint64_t)base_ms << attempt;
	if (cap > max_ms)
		cap = max_ms;
	return (unsigned)(rnd % (cap + 1));
}

/*
 * Which answers may be sent again with the same Idempotency-Key
 * (mykey-mock-api.md §5.1, §5.6): a transport failure before any response
 * (the server may or may not have seen the request: the key makes it
 * safe), 502 (J-LIS unavailable), 503 with a Retry-After we are willing to
 * wait, and 409 IDEMPOTENCY_IN_PROGRESS.  Nothing else: 4xx are final and
 * a 500 may have half-done work we should not hammer.
 */
int
platform_retryable(int transport_error, int got_response, long status,
    const char *code, int retry_after, unsigned max_retry_after_s)
{
	if (transport_error)
		return !got_response;
	if (status == 502)
		return 1;
	if (status == 503)
		return retry_after >= 0 &&
		    (unsigned)retry_after <= max_retry_after_s;
	if (status == 409 && code != NULL &&
	    strcmp(code, "IDEMPOTENCY_IN_PROGRESS") == 0)
		return 1;
	return 0;
}

int
platform_random(void *buf, size_t len)
{
	uint8_t	*p = buf;
	ssize_t	 n;

	while (len > 0) {
		n = getrandom(p, len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return JPKI_ERR_INTERNAL;
		}
		p += n;
		len -= (size_t)n;
	}
	return JPKI_OK;
}

int
platform_uuid4(char out[37])
{
	uint8_t	u[16];
	int	r;

	out[0] = '\0';
	if ((r = platform_random(u, sizeof(u))) != JPKI_OK)
		return r;
	u[6] = (uint8_t)((u[6] & 0x0f) | 0x40);	/* RFC 9562 version 4 */
	u[8] = (uint8_t)((u[8] & 0x3f) | 0x80);	/* variant 10 */
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2], u[3], u[4], u[5],
	    u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
	return JPKI_OK;
}

int
platform_uuid_valid(const char *s)
{
	size_t i;

	if (s == NULL || strlen(s) != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (strchr("0123456789abcdefABCDEF", s[i]) == NULL ||
		    s[i] == '\0')
			return 0;
	}
	return 1;
}

/* Standard base64 with padding, or base64url without (§5.1). */
char *
platform_b64(const uint8_t *in, size_t len, int url)
{
	static const char std[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	static const char urls[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const char	*t = url ? urls : std;
	char		*out, *o;
	size_t		 i;
	uint32_t	 v;

	if (len > (SIZE_MAX - 4) / 4 * 3)
		return NULL;
	if ((out = malloc((len + 2) / 3 * 4 + 1)) == NULL)
		return NULL;
	o = out;
	for (i = 0; i + 2 < len; i += 3) {
		v = ((uint32_t)in[i] << 16) | ((uint32_t)in[i + 1] << 8) |
		    in[i + 2];
		*o++ = t[(v >> 18) & 63];
		*o++ = t[(v >> 12) & 63];
		*o++ = t[(v >> 6) & 63];
		*o++ = t[v & 63];
	}
	if (len - i == 1) {
		v = (uint32_t)in[i] << 16;
		*o++ = t[(v >> 18) & 63];
		*o++ = t[(v >> 12) & 63];
		if (!url) {
			*o++ = '=';
			*o++ = '=';
		}
	} else if (len - i == 2) {
		v = ((uint32_t)in[i] << 16) | ((uint32_t)in[i + 1] << 8);
		*o++ = t[(v >> 18) & 63];
		*o++ = t[(v >> 12) & 63];
		*o++ = t[(v >> 6) & 63];
		if (!url)
			*o++ = '=';
	}
	*o = '\0';
	return out;
}

/*
 * Issuance number: upper-case hex of the serial without leading zeros
 * (§5.1).  RFC 5280 §4.1.2.2 caps serials at 20 octets.
 */
int
platform_serial_hex(const uint8_t *serial, size_t len,
    char out[JPKI_ISSUANCE_MAX])
{
	static const char hx[] = "0123456789ABCDEF";
	size_t	i = 0, o = 0;

	out[0] = '\0';
	if (serial == NULL || len == 0)
		return JPKI_ERR_ARG;
	while (i < len && serial[i] == 0)
		i++;
	if (len - i > 20)
		return JPKI_ERR_TOO_LARGE;
	if (i == len) {
		out[0] = '0';
		out[1] = '\0';
		return JPKI_OK;
	}
	if ((serial[i] >> 4) != 0)
		out[o++] = hx[serial[i] >> 4];
	out[o++] = hx[serial[i] & 15];
	for (i++; i < len; i++) {
		out[o++] = hx[serial[i] >> 4];
		out[o++] = hx[serial[i] & 15];
	}
	out[o] = '\0';
	return JPKI_OK;
}

/* A TBS field: printable ASCII without '|', so the join is unambiguous. */
static int
tbs_field_ok(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (*s < 0x21 || *s > 0x7e || *s == '|')
			return 0;
	return 1;
}

/*
 * To-be-signed bytes, exactly as mykey-mock-api.md §5.2: ASCII,
 * '|'-separated, no trailing newline:
 * mykey-mock/v1|<challenge_id>|<nonce>|<purpose>|<client_id>|<mykey_id or ->|<service_id or ->
 */
int
platform_tbs(const char *challenge_id, const char *nonce, const char *purpose,
    const char *client_id, const char *mykey_id, const char *service_id,
    char *out, size_t out_size, size_t *len)
{
	int n;

	if (len != NULL)
		*len = 0;
	if (out == NULL || out_size == 0)
		return JPKI_ERR_ARG;
	out[0] = '\0';
	if (mykey_id == NULL)
		mykey_id = "-";
	if (service_id == NULL)
		service_id = "-";
	if (!tbs_field_ok(challenge_id) || !tbs_field_ok(nonce) ||
	    !tbs_field_ok(purpose) || !tbs_field_ok(client_id) ||
	    !tbs_field_ok(mykey_id) || !tbs_field_ok(service_id))
		return JPKI_ERR_ARG;
	n = snprintf(out, out_size, "%s|%s|%s|%s|%s|%s|%s",
	    PLATFORM_TBS_FORMAT, challenge_id, nonce, purpose, client_id,
	    mykey_id, service_id);
	if (n < 0 || (size_t)n >= out_size) {
		out[0] = '\0';
		return JPKI_ERR_TOO_LARGE;
	}
	if (len != NULL)
		*len = (size_t)n;
	return JPKI_OK;
}

static int
digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* RFC 3339 date-time: YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM). */
int
platform_rfc3339_valid(const char *s)
{
	size_t n;

	if (s == NULL || strlen(s) < 20)
		return 0;
	if (!digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) ||
	    s[7] != '-' || !digits(s + 8, 2) ||
	    (s[10] != 'T' && s[10] != 't') || !digits(s + 11, 2) ||
	    s[13] != ':' || !digits(s + 14, 2) || s[16] != ':' ||
	    !digits(s + 17, 2))
		return 0;
	s += 19;
	if (*s == '.') {
		s++;
		n = strspn(s, "0123456789");
		if (n == 0)
			return 0;
		s += n;
	}
	if ((*s == 'Z' || *s == 'z') && s[1] == '\0')
		return 1;
	if ((*s == '+' || *s == '-') && digits(s + 1, 2) && s[3] == ':' &&
	    digits(s + 4, 2) && s[6] == '\0')
		return 1;
	return 0;
}

int
platform_rfc3339_now(char out[40])
{
	struct tm	tm;
	time_t		now = time(NULL);
	long		off;
	char		sign = '+';

	out[0] = '\0';
	if (localtime_r(&now, &tm) == NULL)
		return JPKI_ERR_INTERNAL;
	off = tm.tm_gmtoff / 60;
	if (off < 0) {
		sign = '-';
		off = -off;
	}
	if (strftime(out, 40, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		return JPKI_ERR_INTERNAL;
	snprintf(out + 19, 21, "%c%02ld:%02ld", sign, off / 60, off % 60);
	return JPKI_OK;
}

/* Identifiers that go into a URL path: [A-Za-z0-9_-], 1..max chars. */
int
platform_id_safe(const char *s, size_t max)
{
	size_t n;

	if (s == NULL)
		return 0;
	n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_-");
	return n > 0 && n <= max && s[n] == '\0';
}

/* Is tok one of the space-separated tokens of list? */
static int
has_token(const char *list, const char *tok, size_t tlen)
{
	const char	*p = list;
	size_t		 n;

	while (*p != '\0') {
		p += strspn(p, " ");
		n = strcspn(p, " ");
		if (n == tlen && n > 0 && memcmp(p, tok, n) == 0)
			return 1;
		p += n;
	}
	return 0;
}

/* §5.10: refuse locally what the platform would refuse. */
int
jpki_consent_check(const jpki_consent_t *c, const char *need)
{
	const char	*p;
	size_t		 n;
	int		 r = JPKI_ERR_CONSENT_REQUIRED;

	if (c == NULL)
		goto out;
	if (JPKI_STRUCT_OK(c) != JPKI_OK)
		return JPKI_ERR_ARG;
	if (memchr(c->consent_id, '\0', sizeof(c->consent_id)) == NULL ||
	    memchr(c->purpose, '\0', sizeof(c->purpose)) == NULL ||
	    memchr(c->terms_version, '\0', sizeof(c->terms_version)) == NULL ||
	    memchr(c->agreed_at, '\0', sizeof(c->agreed_at)) == NULL)
		goto out;
	if (!platform_uuid_valid(c->consent_id) ||
	    !platform_id_safe(c->terms_version, sizeof(c->terms_version) - 1) ||
	    !platform_rfc3339_valid(c->agreed_at))
		goto out;
	for (p = (need != NULL) ? need : ""; *p != '\0'; p += n) {
		p += strspn(p, " ");
		n = strcspn(p, " ");
		if (n > 0 && !has_token(c->purpose, p, n)) {
			log_debug("%s: purpose lacks %.*s", __func__, (int)n, p);
			goto out;
		}
	}
	r = JPKI_OK;
out:
	return r;
}

int
jpki_consent_mint(jpki_consent_t *c, const char *purpose,
    const char *terms_version)
{
	int r;

	if ((r = JPKI_STRUCT_OK(c)) != JPKI_OK)
		return r;
	JPKI_STRUCT_ZERO(c);
	r = JPKI_ERR_ARG;
	if (purpose == NULL || terms_version == NULL ||
	    strlen(purpose) >= sizeof(c->purpose) ||
	    strlen(terms_version) >= sizeof(c->terms_version))
		goto out;
	strcpy(c->purpose, purpose);
	strcpy(c->terms_version, terms_version);
	if ((r = platform_uuid4(c->consent_id)) != JPKI_OK ||
	    (r = platform_rfc3339_now(c->agreed_at)) != JPKI_OK)
		goto out;
	r = jpki_consent_check(c, NULL);
out:
	if (r != JPKI_OK)
		JPKI_STRUCT_ZERO(c);
	return r;
}

/*
 * Issuance number of a DER certificate: Certificate → TBSCertificate →
 * [0] version (optional) → serialNumber INTEGER (RFC 5280 §4.1).
 */
int
platform_der_serial_hex(const uint8_t *der, size_t len,
    char out[JPKI_ISSUANCE_MAX])
{
	uint32_t	tag;
	size_t		hdr, total, off = 0;

	out[0] = '\0';
	if (der == NULL ||
	    tlv_header(der, len, &tag, &hdr, &total) != JPKI_OK ||
	    tag != 0x30)
		return JPKI_ERR_PARSE;
	off += hdr;
	if (tlv_header(der + off, len - off, &tag, &hdr, &total) != JPKI_OK ||
	    tag != 0x30)
		return JPKI_ERR_PARSE;
	off += hdr;
	if (tlv_header(der + off, len - off, &tag, &hdr, &total) != JPKI_OK)
		return JPKI_ERR_PARSE;
	if (tag == 0xA0) {
		if (total > len - off)
			return JPKI_ERR_PARSE;
		off += total;
		if (tlv_header(der + off, len - off, &tag, &hdr, &total) !=
		    JPKI_OK)
			return JPKI_ERR_PARSE;
	}
	if (tag != 0x02 || total > len - off || total - hdr == 0)
		return JPKI_ERR_PARSE;
	return platform_serial_hex(der + off + hdr, total - hdr, out);
}
