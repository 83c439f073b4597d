/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * JSON of the platform client (jansson): request bodies, answers and
 * RFC 9457 problem details (mykey-mock-api.md §5.6).  Bodies reaching
 * here are already capped by platform.c; jansson parses with
 * JSON_REJECT_DUPLICATES so an answer cannot say two things.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <jpki/platform.h>

#include "abi.h"
#include "log.h"
#include "platform_int.h"
#include "secure.h"

/* problem "code" → library error (§5.6; codes in err.h -100..-139). */
static const struct {
	const char	*code;
	int		 err;
} codetab[] = {
	{ "INVALID_REQUEST", JPKI_ERR_BAD_REQUEST },
	{ "INVALID_CERTIFICATE", JPKI_ERR_BAD_REQUEST },
	{ "UNSUPPORTED_CERTIFICATE", JPKI_ERR_BAD_REQUEST },
	{ "INVALID_MYKEY_ID_FORMAT", JPKI_ERR_BAD_REQUEST },
	{ "CONSENT_REQUIRED", JPKI_ERR_CONSENT_REQUIRED },
	{ "CLIENT_AUTH_FAILED", JPKI_ERR_PLATFORM_AUTH },
	{ "CHALLENGE_NOT_FOUND", JPKI_ERR_CHALLENGE },
	{ "CHALLENGE_EXPIRED", JPKI_ERR_CHALLENGE },
	{ "CHALLENGE_CONSUMED", JPKI_ERR_CHALLENGE },
	{ "CHALLENGE_MISMATCH", JPKI_ERR_CHALLENGE },
	{ "SIGNATURE_INVALID", JPKI_ERR_PROOF_REJECTED },
	{ "CHAIN_UNTRUSTED", JPKI_ERR_PROOF_REJECTED },
	{ "CERT_REVOKED", JPKI_ERR_PLATFORM_REVOKED },
	{ "CERT_EXPIRED", JPKI_ERR_PLATFORM_EXPIRED },
	{ "SCOPE_DENIED", JPKI_ERR_SCOPE },
	{ "SERVICE_NOT_OWNED", JPKI_ERR_SCOPE },
	{ "MYKEY_ID_NOT_FOUND", JPKI_ERR_MYKEY_NOT_FOUND },
	{ "SERVICE_NOT_FOUND", JPKI_ERR_NOT_FOUND },
	{ "LINK_NOT_FOUND", JPKI_ERR_NOT_FOUND },
	{ "MYKEY_ID_TAKEN", JPKI_ERR_MYKEY_TAKEN },
	{ "LINKAGE_CONFLICT", JPKI_ERR_LINKAGE },
	{ "LINKAGE_DEPTH_EXCEEDED", JPKI_ERR_LINKAGE },
	{ "IDEMPOTENCY_IN_PROGRESS", JPKI_ERR_IDEMPOTENCY },
	{ "IDEMPOTENCY_KEY_REUSED", JPKI_ERR_IDEMPOTENCY },
	{ "MYKEY_ID_REVOKED", JPKI_ERR_MYKEY_REVOKED },
	{ "RATE_LIMITED", JPKI_ERR_RATE_LIMITED },
	{ "JLIS_UNAVAILABLE", JPKI_ERR_JLIS_UNAVAILABLE },
	{ "MAINTENANCE", JPKI_ERR_MAINTENANCE },
	{ "INTERNAL", JPKI_ERR_SERVER },
};

int
platform_code_to_err(long status, const char *code)
{
	size_t i;

	if (code != NULL)
		for (i = 0; i < sizeof(codetab) / sizeof(codetab[0]); i++)
			if (strcmp(codetab[i].code, code) == 0)
				return codetab[i].err;
	/* an unknown or missing code: fall back on the status class */
	switch (status) {
	case 400:
	case 422:
		return JPKI_ERR_BAD_REQUEST;
	case 401:
		return JPKI_ERR_PLATFORM_AUTH;
	case 403:
		return JPKI_ERR_SCOPE;
	case 404:
		return JPKI_ERR_NOT_FOUND;
	case 429:
		return JPKI_ERR_RATE_LIMITED;
	case 502:
		return JPKI_ERR_JLIS_UNAVAILABLE;
	case 503:
		return JPKI_ERR_MAINTENANCE;
	default:
		return status >= 500 && status <= 599 ? JPKI_ERR_SERVER :
		    JPKI_ERR_HTTP;
	}
}

/*
 * Parse exactly len bytes.  A NUL inside the body is refused outright:
 * json_loads() would stop there and accept the prefix, and res->json
 * (a C string copy) would silently lose the rest.
 */
static json_t *
parse(const char *body, size_t len)
{
	json_error_t	e;
	json_t		*j;

	if (body == NULL || memchr(body, '\0', len) != NULL)
		return NULL;
	j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &e);
	if (j == NULL)
		log_debug("json: %s at line %d", e.text, e.line);
	return j;
}

/* Copy a string member into a fixed buffer; refuse what does not fit. */
static int
get_str(json_t *o, const char *key, char *out, size_t out_size)
{
	json_t		*v = json_object_get(o, key);
	const char	*s;
	size_t		 n;

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -1;
	s = json_string_value(v);
	n = json_string_length(v);
	if (n >= out_size || memchr(s, '\0', n) != NULL)
		return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return 1;
}

/* RFC 5280 §5.3.1 CRLReason names, as in mykey-mock-api.md §2.4. */
static int
reason_from_name(const char *s)
{
	static const char *names[] = { "unspecified", "keyCompromise",
	    "cACompromise", "affiliationChanged", "superseded",
	    "cessationOfOperation", "certificateHold" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

/*
 * Fill pb from an error answer.  The problem body is optional (a proxy
 * may answer with HTML): the status and headers are kept regardless.
 */
int
platform_problem_parse(const http_resp_t *rs, jpki_platform_problem_t *pb)
{
	json_t	*j = NULL, *v;
	int	 r = JPKI_OK;

	memset(pb, 0, sizeof(*pb));
	pb->http_status = (int)rs->status;
	pb->retry_after = rs->retry_after;
	pb->revocation_reason = -1;
	pb->successor_known = -1;
	snprintf(pb->request_id, sizeof(pb->request_id), "%s", rs->request_id);
	if (rs->body == NULL || rs->body_len == 0)
		goto out;
	if ((j = parse(rs->body, rs->body_len)) == NULL || !json_is_object(j)) {
		r = JPKI_ERR_PARSE;
		goto out;
	}
	if (get_str(j, "code", pb->code, sizeof(pb->code)) < 0 ||
	    get_str(j, "title", pb->title, sizeof(pb->title)) < 0 ||
	    get_str(j, "revoked_at", pb->revoked_at,
	    sizeof(pb->revoked_at)) < 0)
		r = JPKI_ERR_PARSE;
	/* detail may be long: keep what fits */
	if ((v = json_object_get(j, "detail")) != NULL && json_is_string(v))
		snprintf(pb->detail, sizeof(pb->detail), "%s",
		    json_string_value(v));
	if (pb->request_id[0] == '\0')
		(void)get_str(j, "request_id", pb->request_id,
		    sizeof(pb->request_id));
	/* §5.6 leaves the type open: an RFC 5280 number or its name */
	if ((v = json_object_get(j, "revocation_reason")) != NULL) {
		if (json_is_integer(v) && json_integer_value(v) >= 0 &&
		    json_integer_value(v) <= 10)
			pb->revocation_reason = (int)json_integer_value(v);
		else if (json_is_string(v))
			pb->revocation_reason =
			    reason_from_name(json_string_value(v));
	}
	if ((v = json_object_get(j, "successor_known")) != NULL &&
	    json_is_boolean(v))
		pb->successor_known = json_is_true(v) ? 1 : 0;
	if (pb->retry_after < 0 &&
	    (v = json_object_get(j, "retry_after")) != NULL &&
	    json_is_integer(v) && json_integer_value(v) >= 0 &&
	    json_integer_value(v) < 86400)
		pb->retry_after = (int)json_integer_value(v);
out:
	json_decref(j);
	return r;
}

/* Certificate status block {"issuance_number","status",...}. */
static int
get_cert(json_t *o, const char *key, char *in, size_t in_sz, char *st,
    size_t st_sz)
{
	json_t *c = json_object_get(o, key);

	if (c == NULL || json_is_null(c))
		return 0;
	if (!json_is_object(c))
		return -1;
	if (get_str(c, "issuance_number", in, in_sz) < 0 ||
	    get_str(c, "status", st, st_sz) < 0)
		return -1;
	return 1;
}

/*
 * A success answer.  Only members the operation defines are read; the
 * raw body is handed to the caller in res->json for anything else
 * (history, disclosures).
 */
int
platform_result_parse(const http_resp_t *rs, jpki_platform_result_t *res)
{
	json_t	*j = NULL, *v;
	int	 r = JPKI_ERR_PARSE;

	res->http_status = (int)rs->status;
	res->replayed = rs->replayed;
	if (rs->body == NULL || rs->body_len == 0) {
		r = JPKI_OK;
		goto out;
	}
	if ((j = parse(rs->body, rs->body_len)) == NULL || !json_is_object(j))
		goto out;
	if (get_str(j, "mykey_id", res->mykey_id, sizeof(res->mykey_id)) < 0 ||
	    get_str(j, "state", res->state, sizeof(res->state)) < 0 ||
	    get_str(j, "ppid", res->ppid, sizeof(res->ppid)) < 0 ||
	    get_cert(j, "auth", res->auth_issuance, sizeof(res->auth_issuance),
	    res->auth_status, sizeof(res->auth_status)) < 0 ||
	    get_cert(j, "sign", res->sign_issuance, sizeof(res->sign_issuance),
	    res->sign_status, sizeof(res->sign_status)) < 0)
		goto out;
	if ((v = json_object_get(j, "relinked")) != NULL && json_is_boolean(v))
		res->relinked = json_is_true(v) ? 1 : 0;
	if ((v = json_object_get(j, "linkage_hops")) != NULL &&
	    json_is_integer(v) && json_integer_value(v) >= 0 &&
	    json_integer_value(v) <= 1000)
		res->hops = (int)json_integer_value(v);
	if (res->mykey_id[0] != '\0' &&
	    !platform_id_safe(res->mykey_id, JPKI_MYKEY_ID_MAX - 1))
		goto out;
	if ((res->json = strdup(rs->body)) == NULL) {
		r = JPKI_ERR_NOMEM;
		goto out;
	}
	r = JPKI_OK;
out:
	json_decref(j);
	return r;
}

static char *
dump(json_t *j)
{
	char *s = NULL;

	if (j != NULL)
		s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return s;
}

char *
platform_json_token_req(const char *client_id, const char *secret)
{
	/* form of OAuth 2.0 client credentials, carried as JSON (§5.1) */
	return dump(json_pack("{s:s, s:s, s:s}", "grant_type",
	    "client_credentials", "client_id", client_id, "client_secret",
	    secret));
}

int
platform_json_token_resp(const char *body, size_t body_len, char **token, long *expires_in)
{
	json_t		*j, *v;
	const char	*t;
	int		 r = JPKI_ERR_PARSE;

	*token = NULL;
	*expires_in = 0;
	if ((j = parse(body, body_len)) == NULL || !json_is_object(j))
		goto out;
	v = json_object_get(j, "access_token");
	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    json_string_length(v) > 4096)
		goto out;
	t = json_string_value(v);
	/* a header value: no CR/LF smuggling */
	if (strpbrk(t, "\r\n") != NULL)
		goto out;
	v = json_object_get(j, "expires_in");
	*expires_in = json_is_integer(v) ? (long)json_integer_value(v) : 3600;
	if ((*token = strdup(t)) == NULL) {
		r = JPKI_ERR_NOMEM;
		goto out;
	}
	r = JPKI_OK;
out:
	json_decref(j);
	return r;
}

char *
platform_json_challenge_req(const char *purpose, const char *mykey_id,
    const char *service_id)
{
	json_t *j = json_pack("{s:s}", "purpose", purpose);

	if (j != NULL && mykey_id != NULL)
		json_object_set_new(j, "mykey_id", json_string(mykey_id));
	if (j != NULL && service_id != NULL)
		json_object_set_new(j, "service_id", json_string(service_id));
	return dump(j);
}

int
platform_json_challenge_resp(const char *body, size_t body_len, char *id, size_t id_sz,
    char *nonce, size_t nonce_sz)
{
	json_t	*j;
	char	 fmt[32] = "";
	int	 r = JPKI_ERR_PARSE;

	id[0] = nonce[0] = '\0';
	if ((j = parse(body, body_len)) == NULL || !json_is_object(j))
		goto out;
	if (get_str(j, "challenge_id", id, id_sz) != 1 ||
	    get_str(j, "nonce", nonce, nonce_sz) != 1)
		goto out;
	/* §5.2: sign only a TBS format we know how to build */
	if (get_str(j, "tbs_format", fmt, sizeof(fmt)) == 1 &&
	    strcmp(fmt, PLATFORM_TBS_FORMAT) != 0) {
		log_debug("%s: unknown tbs_format %s", __func__, fmt);
		r = JPKI_ERR_NOT_SUPPORTED;
		goto out;
	}
	r = JPKI_OK;
out:
	if (r != JPKI_OK)
		id[0] = nonce[0] = '\0';
	json_decref(j);
	return r;
}

static json_t *
proof_obj(const platform_proof_t *pr)
{
	char	*cert = NULL, *sig = NULL;
	json_t	*j = NULL;

	if ((cert = platform_b64(pr->cert, pr->cert_len, 0)) == NULL ||
	    (sig = platform_b64(pr->sig, pr->sig_len, 0)) == NULL)
		goto out;
	j = json_pack("{s:s, s:s, s:s, s:s}", "challenge_id",
	    pr->challenge_id, "certificate", cert, "signature", sig,
	    "signature_algorithm", "sha256WithRSAEncryption");
out:
	free(cert);
	free(sig);
	return j;
}

static json_t *
consent_obj(const jpki_consent_t *c)
{
	return json_pack("{s:s, s:s, s:s, s:s}", "consent_id", c->consent_id,
	    "purpose", c->purpose, "terms_version", c->terms_version,
	    "agreed_at", c->agreed_at);
}

/* {auth: Proof, sign?: Proof, consent, extra_key?: extra_val} */
char *
platform_json_body(const platform_proof_t *auth, const platform_proof_t *sign,
    const jpki_consent_t *consent, const char *extra_key,
    const char *extra_val)
{
	json_t *j = json_object(), *o;

	if (j == NULL)
		return NULL;
	if (auth != NULL) {
		if ((o = proof_obj(auth)) == NULL)
			goto fail;
		json_object_set_new(j, "auth", o);
	}
	if (sign != NULL) {
		if ((o = proof_obj(sign)) == NULL)
			goto fail;
		json_object_set_new(j, "sign", o);
	}
	if (consent != NULL) {
		if ((o = consent_obj(consent)) == NULL)
			goto fail;
		json_object_set_new(j, "consent", o);
	}
	if (extra_key != NULL && extra_val != NULL)
		json_object_set_new(j, extra_key, json_string(extra_val));
	return dump(j);
fail:
	json_decref(j);
	return NULL;
}

static char *
b64url_of(json_t *j)
{
	char	*s, *out;

	if ((s = dump(j)) == NULL)
		return NULL;
	out = platform_b64((const uint8_t *)s, strlen(s), 1);
	free(s);
	return out;
}

char *
platform_json_proof_b64url(const platform_proof_t *pr)
{
	return b64url_of(proof_obj(pr));
}

char *
platform_json_consent_b64url(const jpki_consent_t *c)
{
	return b64url_of(consent_obj(c));
}

/*
 * No-signature push body.  §5.3 leaves the shape open; we mirror the
 * :verify answer: {"auth":{"issuance_number":..},"sign":{..},"consent"}.
 */
char *
platform_json_push(const char *auth_in, const char *sign_in,
    const jpki_consent_t *consent)
{
	json_t *j;

	j = json_pack("{s:{s:s}, s:o}", "auth", "issuance_number", auth_in,
	    "consent", consent_obj(consent));
	if (j != NULL && sign_in != NULL)
		json_object_set_new(j, "sign",
		    json_pack("{s:s}", "issuance_number", sign_in));
	return dump(j);
}

int
platform_json_consent_read(const char *text, jpki_consent_t *c)
{
	json_t	*j = NULL, *o;
	int	 r;

	if ((r = JPKI_STRUCT_OK(c)) != JPKI_OK)
		return r;
	JPKI_STRUCT_ZERO(c);
	r = JPKI_ERR_CONSENT_REQUIRED;
	if (text == NULL || (j = parse(text, strlen(text))) == NULL ||
	    !json_is_object(j))
		goto out;
	/* accept the record itself or {"consent": record} */
	o = json_object_get(j, "consent");
	if (o == NULL)
		o = j;
	if (!json_is_object(o) ||
	    get_str(o, "consent_id", c->consent_id,
	    sizeof(c->consent_id)) != 1 ||
	    get_str(o, "purpose", c->purpose, sizeof(c->purpose)) != 1 ||
	    get_str(o, "terms_version", c->terms_version,
	    sizeof(c->terms_version)) != 1 ||
	    get_str(o, "agreed_at", c->agreed_at, sizeof(c->agreed_at)) != 1)
		goto out;
	r = jpki_consent_check(c, NULL);
out:
	if (r != JPKI_OK)
		JPKI_STRUCT_ZERO(c);
	json_decref(j);
	return r;
}

char *
platform_json_consent_write(const jpki_consent_t *c)
{
	json_t *j = consent_obj(c);
	char *s = NULL;

	if (j != NULL)
		s = json_dumps(j, JSON_INDENT(2));
	json_decref(j);
	return s;
}

int
jpki_consent_load(jpki_consent_t *c, const char *path)
{
	FILE	*f = NULL;
	char	 buf[4096];
	size_t	 n;
	int	 r = JPKI_ERR_IO;

	if ((r = JPKI_STRUCT_OK(c)) != JPKI_OK)
		return r;
	JPKI_STRUCT_ZERO(c);
	r = JPKI_ERR_IO;
	if (path == NULL)
		return JPKI_ERR_ARG;
	if ((f = fopen(path, "re")) == NULL)
		goto out;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	if (ferror(f))
		goto out;
	if (n == sizeof(buf) - 1) {
		r = JPKI_ERR_TOO_LARGE;
		goto out;
	}
	buf[n] = '\0';
	r = platform_json_consent_read(buf, c);
out:
	if (f != NULL)
		fclose(f);
	return r;
}

int
jpki_consent_save(const jpki_consent_t *c, const char *path)
{
	FILE	*f = NULL;
	char	*s = NULL;
	int	 r = JPKI_ERR_ARG;

	if (c == NULL || path == NULL ||
	    jpki_consent_check(c, NULL) != JPKI_OK)
		goto out;
	r = JPKI_ERR_NOMEM;
	if ((s = platform_json_consent_write(c)) == NULL)
		goto out;
	r = JPKI_ERR_IO;
	if ((f = fopen(path, "we")) == NULL)
		goto out;
	if (fputs(s, f) < 0 || fputc('\n', f) == EOF)
		goto out;
	r = JPKI_OK;
out:
	if (f != NULL && fclose(f) != 0)
		r = JPKI_ERR_IO;
	free(s);
	return r;
}
