/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * mock_api: challenges and proofs signed with a card's keys, consent,
 * login and disclosures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "mock_api.h"

/* the last challenge request's answer (0: no answer), for stream() */
_Thread_local long chl_status;
_Thread_local char chl_retry_after[16];

int
challenge(const struct client *cl, const char *purpose, const char *mykey,
    const char *sid, struct chl *out)
{
	struct resp r;
	json_t *b = json_pack("{s:s}", "purpose", purpose);
	int rc = -1;

	if (mykey != NULL)
		(void)json_object_set_new(b, "mykey_id", json_string(mykey));
	if (sid != NULL)
		(void)json_object_set_new(b, "service_id", json_string(sid));
	int got = http("POST", "/v1/challenges", cl->token, b, NULL, &r);

	chl_status = got == 0 ? r.status : 0;
	(void)snprintf(chl_retry_after, sizeof(chl_retry_after), "%s",
	    r.retry_after);
	if (got == 0 && r.status == 201) {
		(void)snprintf(out->id, sizeof(out->id), "%s", jget(&r,
		    "challenge_id"));
		/* rebuild the TBS as a client would (api §5.2) */
		(void)snprintf(out->tbs, sizeof(out->tbs),
		    "mykey-mock/v1|%s|%s|%s|%s|%s|%s", out->id, jget(&r,
		    "nonce"), purpose, cl->id, mykey != NULL ? mykey : "-",
		    sid != NULL ? sid : "-");
		rc = strcmp(out->tbs, jget(&r, "tbs")) == 0 ? 0 : -1;
	} else {
		show(&r);
	}
	resp_free(&r);
	return rc;
}

char *
sign_b64(EVP_PKEY *k, const char *tbs)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char sig[512];
	size_t sl = sizeof(sig);
	char *out = NULL;
	int n;

	if (md != NULL && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k) ==
	    1 && EVP_DigestSign(md, sig, &sl, (const unsigned char *)tbs,
	    strlen(tbs)) == 1 && (out = malloc(4 * ((sl + 2) / 3) + 1)) != NULL)
		n = EVP_EncodeBlock((unsigned char *)out, sig, (int)sl);
	else
		n = -1;
	EVP_MD_CTX_free(md);
	if (n < 0) {
		free(out);
		return NULL;
	}
	return out;
}

json_t *
proof(const struct chl *ch, const char *cert, EVP_PKEY *key)
{
	char *sig = sign_b64(key, ch->tbs);
	json_t *p = json_pack("{s:s,s:s,s:s,s:s}", "challenge_id", ch->id,
	    "certificate", cert, "signature", sig != NULL ? sig : "",
	    "signature_algorithm", "sha256WithRSAEncryption");

	free(sig);
	return p;
}

const char *consent_uuid = "3f0c9a52-1b7e-4c1d-9a55-0d6f1e2b3c4d";

json_t *
consent(const char *purpose)
{
	return json_pack("{s:s,s:s,s:s,s:s}", "consent_id", consent_uuid,
	    "purpose", purpose, "terms_version", "mock-1", "agreed_at",
	    "2026-04-01T09:00:00+09:00");
}

json_t *
login_body(const struct chl *ch, const struct card *c)
{
	return json_pack("{s:o,s:o}", "auth", proof(ch, c->auth_cert,
	    c->auth_key), "consent", consent("jlis.validity jlis.linkage"));
}

/* create (1) or verify (0); returns the response (caller frees). */
int
do_login(const struct client *cl, const struct card *c, int create,
    struct resp *r)
{
	struct chl ch;

	if (challenge(cl, create ? "mykey.create" : "mykey.verify", NULL,
	    NULL, &ch) != 0)
		return -1;
	return http("POST", create ? "/v1/mykey-ids" : "/v1/mykey-ids:verify",
	    cl->token, login_body(&ch, c), NULL, r);
}

static char *
b64url(const char *s)
{
	size_t n = strlen(s);
	char *o = malloc(4 * ((n + 2) / 3) + 1), *p;

	if (o == NULL)
		return NULL;
	(void)EVP_EncodeBlock((unsigned char *)o, (const unsigned char *)s,
	    (int)n);
	for (p = o; *p; p++) {
		if (*p == '+')
			*p = '-';
		else if (*p == '/')
			*p = '_';
		else if (*p == '=')
			*p = '\0';
	}
	return o;
}

/*
 * The X-MyKey-Proof and X-MyKey-Consent headers of a disclosures GET,
 * "Name: value" into h1 and h2 (8192 and 1024 bytes), for a fresh
 * challenge signed with c's auth key.
 */
int
disclosure_hdrs(const struct client *cl, const struct card *c,
    char h1[8192], char h2[1024])
{
	struct chl ch;
	json_t *p;
	char *ps, *pe, *cs, *ce;

	if (challenge(cl, "mykey.verify", NULL, NULL, &ch) != 0)
		return -1;
	p = proof(&ch, c->auth_cert, c->auth_key);
	ps = json_dumps(p, JSON_COMPACT);
	json_decref(p);
	p = consent("jlis.validity jlis.linkage");
	cs = json_dumps(p, JSON_COMPACT);
	json_decref(p);
	pe = b64url(ps);
	ce = b64url(cs);
	(void)snprintf(h1, 8192, "X-MyKey-Proof: %s", pe);
	(void)snprintf(h2, 1024, "X-MyKey-Consent: %s", ce);
	free(ps);
	free(pe);
	free(cs);
	free(ce);
	return 0;
}

/* GET …/disclosures with X-MyKey-Proof and X-MyKey-Consent. */
int
disclosures(const struct client *cl, const struct card *c, const char *id,
    struct resp *r)
{
	char h1[8192], h2[1024], path[128];
	const char *hdrs[3] = { h1, h2, NULL };

	if (disclosure_hdrs(cl, c, h1, h2) != 0)
		return -1;
	(void)snprintf(path, sizeof(path), "/v1/mykey-ids/%s/disclosures?"
	    "limit=200", id);
	return http("GET", path, cl->token, NULL, hdrs, r);
}
