/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Operations of the MyKey Platform client (mykey-mock-api.md §5.2, §5.3,
 * §5.10).  A proof-bearing operation runs, in this order:
 *   1. check the consent record locally (nothing leaves without one);
 *   2. read the auth certificate (no PIN);
 *   3. POST /v1/challenges;
 *   4. ask the caller for the PIN, VERIFY once (never retried), sign the
 *      SHA-256 of the TBS bytes with the card's key;
 *   5. send the body once, with a fresh Idempotency-Key that every retry
 *      reuses: the card signs exactly once per operation.
 * A card pulled out during 2-4 fails before anything is sent that could
 * change server state (the challenge merely expires).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpki/platform.h>

#include "abi.h"
#include "log.h"
#include "platform_int.h"
#include "secure.h"

#define SIG_MAX		512

typedef struct {
	char		 challenge_id[128];
	char		 nonce[128];
	uint8_t		*auth_cert;
	size_t		 auth_cert_len;
	uint8_t		 auth_sig[SIG_MAX];
	size_t		 auth_sig_len;
	uint8_t		*sign_cert;
	size_t		 sign_cert_len;
	uint8_t		 sign_sig[SIG_MAX];
	size_t		 sign_sig_len;
} proof_ctx_t;

static void
proof_ctx_free(proof_ctx_t *x)
{
	jpki_free(x->auth_cert);
	/* the sign cert carries the holder's 基本4情報: wipe it */
	if (x->sign_cert != NULL)
		jpki_free_secret(x->sign_cert, x->sign_cert_len);
	jpki_secure_zero(x, sizeof(*x));
}

int
jpki_platform_new(jpki_platform_t **out)
{
	jpki_platform_t *p;

	if (out == NULL)
		return JPKI_ERR_ARG;
	*out = NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return JPKI_ERR_NOMEM;
	p->problem.retry_after = -1;
	p->problem.revocation_reason = -1;
	p->problem.successor_known = -1;
	*out = p;
	return JPKI_OK;
}

static void
free_str(char **s, int secret)
{
	if (*s != NULL && secret)
		jpki_secure_zero(*s, strlen(*s));
	free(*s);
	*s = NULL;
}

void
jpki_platform_free(jpki_platform_t **pp)
{
	jpki_platform_t *p;

	if (pp == NULL || (p = *pp) == NULL)
		return;
	platform_drop_token(p);
	free_str(&p->url, 0);
	free_str(&p->client_id, 0);
	free_str(&p->client_secret, 1);
	free_str(&p->ca_file, 0);
	jpki_secure_zero(p, sizeof(*p));
	free(p);
	*pp = NULL;
}

int
jpki_platform_configure(jpki_platform_t *p, const jpki_platform_opts_t *in)
{
	jpki_platform_opts_t o_, *o = &o_;
	char	*url = NULL, *id = NULL, *sec = NULL, *ca = NULL;
	size_t	 n;
	int	 r;

	if ((r = JPKI_STRUCT_OK(in)) != JPKI_OK)
		return r;
	/* members the caller's header lacks read as 0: the defaults */
	JPKI_STRUCT_COPY_IN(o, in);
	r = JPKI_ERR_ARG;
	if (p == NULL || o->url == NULL ||
	    o->client_id == NULL || o->client_secret == NULL)
		goto out;
	if ((r = platform_url_check(o->url, o->allow_http_loopback)) !=
	    JPKI_OK)
		goto out;
	/* the client id goes into the TBS (§5.2): no '|' or spaces */
	r = JPKI_ERR_ARG;
	if (!platform_id_safe(o->client_id, 255) || *o->client_secret == '\0')
		goto out;
	r = JPKI_ERR_NOMEM;
	if ((url = strdup(o->url)) == NULL ||
	    (id = strdup(o->client_id)) == NULL ||
	    (sec = strdup(o->client_secret)) == NULL ||
	    (o->ca_file != NULL && (ca = strdup(o->ca_file)) == NULL))
		goto out;
	n = strlen(url);
	while (n > 0 && url[n - 1] == '/')
		url[--n] = '\0';
	platform_drop_token(p);
	free_str(&p->url, 0);
	free_str(&p->client_id, 0);
	free_str(&p->client_secret, 1);
	free_str(&p->ca_file, 0);
	p->url = url;
	p->client_id = id;
	p->client_secret = sec;
	p->ca_file = ca;
	url = id = sec = ca = NULL;
	p->allow_http = o->allow_http_loopback != 0;
	p->connect_timeout_ms = o->connect_timeout_ms > 0 ?
	    o->connect_timeout_ms : 10000;
	p->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 30000;
	p->max_response = o->max_response > 0 ? o->max_response :
	    JPKI_MAX_HTTP_BODY;
	p->max_attempts = o->max_attempts > 0 ? o->max_attempts : 5;
	p->backoff_base_ms = o->backoff_base_ms > 0 ? o->backoff_base_ms : 200;
	p->backoff_max_ms = o->backoff_max_ms > 0 ? o->backoff_max_ms : 5000;
	p->max_retry_after_s = o->max_retry_after_s > 0 ?
	    o->max_retry_after_s : 30;
	p->force_last_try = o->force_last_try != 0;
	r = JPKI_OK;
out:
	free(url);
	free(id);
	free_str(&sec, 1);
	free(ca);
	return r;
}

const jpki_platform_problem_t *
jpki_platform_problem(const jpki_platform_t *p)
{
	return p != NULL ? &p->problem : NULL;
}

/* JPKI_ERR_ARG (logged) for a result struct below its 1.0 size. */
static int
result_init(jpki_platform_result_t *res)
{
	int r;

	if ((r = JPKI_STRUCT_OK(res)) != JPKI_OK)
		return r;
	JPKI_STRUCT_ZERO(res);
	res->hops = 0;
	res->pin_tries = -1;
	return JPKI_OK;
}

void
jpki_platform_result_clear(jpki_platform_result_t *r)
{
	/* a struct refused for its size was never filled */
	if (JPKI_STRUCT_OK(r) != JPKI_OK)
		return;
	if (r->json != NULL)
		jpki_free_secret(r->json, strlen(r->json));
	(void)result_init(r);
}

int
jpki_platform_card_issuance(jpki_card_t *card, jpki_cert_kind_t kind,
    char out[JPKI_ISSUANCE_MAX])
{
	uint8_t	serial[32];
	size_t	n = sizeof(serial);
	int	r;

	out[0] = '\0';
	if (card == NULL)
		return JPKI_ERR_ARG;
	if ((r = jpki_card_read_serial(card, kind, serial, &n)) != JPKI_OK)
		return r;
	return platform_serial_hex(serial, n, out);
}

int
jpki_platform_token(jpki_platform_t *p)
{
	if (p == NULL || p->url == NULL)
		return JPKI_ERR_ARG;
	return platform_ensure_token(p);
}

/*
 * Send one request with the Bearer token.  A 401 CLIENT_AUTH_FAILED on a
 * cached token gets one new token and one resend (same key, same body).
 * ok1/ok2 are the success statuses; anything else maps through §5.6.
 */
static int
call(jpki_platform_t *p, http_req_t *rq, long ok1, long ok2,
    jpki_platform_result_t *res)
{
	http_resp_t	rs;
	unsigned	att = 0;
	int		r, fresh, again;

	memset(&rs, 0, sizeof(rs));
	rq->bearer = 1;
	for (again = 0; again < 2; again++) {
		fresh = p->token == NULL;
		if ((r = platform_ensure_token(p)) != JPKI_OK)
			goto out;
		platform_http_resp_free(&rs);
		r = platform_http(p, rq, &rs, &att);
		if (res != NULL)
			res->attempts = att;
		if (r != JPKI_OK)
			goto out;
		if (rs.status == 401 &&
		    strcmp(p->problem.code, "CLIENT_AUTH_FAILED") == 0 &&
		    !fresh) {
			platform_drop_token(p);
			continue;
		}
		break;
	}
	if (rs.status != ok1 && rs.status != ok2) {
		r = platform_code_to_err(rs.status, p->problem.code);
		log_debug("%s: %s %s: HTTP %ld %s (%s)", __func__, rq->method,
		    rq->path, rs.status, p->problem.code, jpki_strerror(r));
		if (res != NULL)
			res->http_status = (int)rs.status;
		goto out;
	}
	r = res != NULL ? platform_result_parse(&rs, res) : JPKI_OK;
out:
	if (res != NULL) {
		res->requests = p->requests;
		if (rq->idem_key != NULL)
			snprintf(res->idempotency_key,
			    sizeof(res->idempotency_key), "%s", rq->idem_key);
	}
	platform_http_resp_free(&rs);
	return r;
}

static int
challenge(jpki_platform_t *p, const char *purpose, const char *mykey_id,
    const char *service_id, proof_ctx_t *x)
{
	http_req_t	 rq;
	http_resp_t	 rs;
	char		*body = NULL;
	char		 key[37];
	int		 r;

	memset(&rs, 0, sizeof(rs));
	memset(&rq, 0, sizeof(rq));
	if ((r = platform_ensure_token(p)) != JPKI_OK)
		goto out;
	if ((r = platform_uuid4(key)) != JPKI_OK)
		goto out;
	if ((body = platform_json_challenge_req(purpose, mykey_id,
	    service_id)) == NULL) {
		r = JPKI_ERR_NOMEM;
		goto out;
	}
	rq.method = "POST";
	rq.path = "/v1/challenges";
	rq.body = body;
	rq.idem_key = key;
	rq.bearer = 1;
	if ((r = platform_http(p, &rq, &rs, NULL)) != JPKI_OK)
		goto out;
	if (rs.status != 201 && rs.status != 200) {
		r = platform_code_to_err(rs.status, p->problem.code);
		goto out;
	}
	r = platform_json_challenge_resp(rs.body, rs.body_len,
	    x->challenge_id,
	    sizeof(x->challenge_id), x->nonce, sizeof(x->nonce));
out:
	platform_http_resp_free(&rs);
	free(body);
	return r;
}

/* Ask the caller for a PIN and VERIFY it once.  Never retried. */
static int
verify_pin(jpki_card_t *card, jpki_pin_kind_t kind, unsigned flags,
    jpki_pin_cb_t cb, void *arg, int *tries_out)
{
	char	pin[JPKI_PIN_MAX + 1];
	int	tries = -1, r;

	memset(pin, 0, sizeof(pin));
	*tries_out = -1;
	if (cb == NULL)
		return JPKI_ERR_ARG;
	(void)jpki_card_pin_status(card, kind, &tries);
	if ((r = cb(arg, kind, tries, pin, sizeof(pin))) != JPKI_OK)
		goto out;
	if (memchr(pin, '\0', sizeof(pin)) == NULL) {
		r = JPKI_ERR_PIN_FORMAT;
		goto out;
	}
	tries = -1;
	/* the library's last-try guard stays on unless the caller lifts it */
	r = jpki_card_verify_pin(card, kind, pin, flags, &tries);
	*tries_out = tries;
out:
	jpki_secure_zero(pin, sizeof(pin));
	return r;
}

static unsigned
pin_flags(const jpki_platform_t *p)
{
	return p->force_last_try ? JPKI_PIN_FORCE_LAST_TRY : 0;
}

static int
sign_tbs(jpki_card_t *card, jpki_key_t key, const char *tbs, size_t tbs_len,
    uint8_t *sig, size_t *sig_len)
{
	uint8_t	md[32];
	size_t	md_len = sizeof(md);
	int	r;

	/* §5.2: SHA-256 of the TBS, DigestInfo built by the library */
	if ((r = jpki_hash(JPKI_HASH_SHA256, (const uint8_t *)tbs, tbs_len, md,
	    &md_len)) != JPKI_OK)
		return r;
	*sig_len = SIG_MAX;
	r = jpki_card_sign(card, key, JPKI_HASH_SHA256, md, md_len, sig,
	    sig_len);
	if (r != JPKI_OK)
		*sig_len = 0;
	return r;
}

/*
 * Steps 2-4 of the header comment.  With with_sign, the sign PIN is asked
 * too and the sign key signs the same TBS (PUT …/certificates/sign).
 */
static int
make_proof(jpki_platform_t *p, jpki_card_t *card, const char *purpose,
    const char *mykey_id, const char *service_id, int with_sign,
    jpki_pin_cb_t cb, void *arg, proof_ctx_t *x,
    jpki_platform_result_t *res)
{
	char	tbs[PLATFORM_TBS_MAX];
	size_t	tbs_len = 0;
	int	r;

	if (card == NULL || cb == NULL)
		return JPKI_ERR_ARG;
	if ((r = jpki_card_read_cert(card, JPKI_CERT_AUTH, &x->auth_cert,
	    &x->auth_cert_len)) != JPKI_OK)
		goto out;
	if (platform_der_serial_hex(x->auth_cert, x->auth_cert_len,
	    res->auth_issuance) != JPKI_OK)
		res->auth_issuance[0] = '\0';
	if ((r = challenge(p, purpose, mykey_id, service_id, x)) != JPKI_OK)
		goto out;
	if ((r = platform_tbs(x->challenge_id, x->nonce, purpose, p->client_id,
	    mykey_id, service_id, tbs, sizeof(tbs), &tbs_len)) != JPKI_OK)
		goto out;
	r = JPKI_ERR_SECURITY;
	if (p->auth_verified == card)
		r = sign_tbs(card, JPKI_KEY_AUTH, tbs, tbs_len, x->auth_sig,
		    &x->auth_sig_len);
	p->auth_verified = NULL;
	if (r == JPKI_ERR_SECURITY) {
		if ((r = verify_pin(card, JPKI_PIN_AUTH, pin_flags(p), cb, arg,
		    &res->pin_tries)) != JPKI_OK)
			goto out;
		r = sign_tbs(card, JPKI_KEY_AUTH, tbs, tbs_len, x->auth_sig,
		    &x->auth_sig_len);
	}
	if (r != JPKI_OK)
		goto out;
	p->auth_verified = card;
	if (!with_sign)
		goto out;
	if ((r = verify_pin(card, JPKI_PIN_SIGN, pin_flags(p), cb,
	    arg,
	    &res->pin_tries)) != JPKI_OK)
		goto out;
	if ((r = jpki_card_read_cert(card, JPKI_CERT_SIGN, &x->sign_cert,
	    &x->sign_cert_len)) != JPKI_OK)
		goto out;
	if (platform_der_serial_hex(x->sign_cert, x->sign_cert_len,
	    res->sign_issuance) != JPKI_OK)
		res->sign_issuance[0] = '\0';
	r = sign_tbs(card, JPKI_KEY_SIGN, tbs, tbs_len, x->sign_sig,
	    &x->sign_sig_len);
out:
	if (r != JPKI_OK)
		log_debug("%s: %s: %s", __func__, purpose, jpki_strerror(r));
	jpki_secure_zero(tbs, sizeof(tbs));
	return r;
}

static void
proofs_of(const proof_ctx_t *x, platform_proof_t *a, platform_proof_t *s)
{
	a->challenge_id = x->challenge_id;
	a->cert = x->auth_cert;
	a->cert_len = x->auth_cert_len;
	a->sig = x->auth_sig;
	a->sig_len = x->auth_sig_len;
	s->challenge_id = x->challenge_id;
	s->cert = x->sign_cert;
	s->cert_len = x->sign_cert_len;
	s->sig = x->sign_sig;
	s->sig_len = x->sign_sig_len;
}

/*
 * The numbers read from the card (or pushed) win over the answer's: the
 * platform masks serials for clients without issuance:read (§5.3).
 */
static void
merge_local(jpki_platform_result_t *res, const char *auth_in,
    const char *sign_in)
{
	if (auth_in[0] != '\0')
		snprintf(res->auth_issuance, sizeof(res->auth_issuance), "%s",
		    auth_in);
	if (sign_in[0] != '\0')
		snprintf(res->sign_issuance, sizeof(res->sign_issuance), "%s",
		    sign_in);
}

typedef struct {
	const char	*purpose;	/* challenge purpose */
	const char	*need;		/* consent purposes */
	const char	*method;
	const char	*path;
	const char	*mykey_id;	/* in the challenge and TBS */
	const char	*service_id;
	const char	*extra_key;	/* extra string member of the body */
	const char	*extra_val;
	int		 with_sign;
	int		 body_in_header; /* GET: proof and consent as headers */
	long		 ok1, ok2;
} proof_op_t;

static int
proof_op(jpki_platform_t *p, jpki_card_t *card, const proof_op_t *op,
    const jpki_consent_t *consent, jpki_pin_cb_t cb, void *arg,
    jpki_platform_result_t *res)
{
	proof_ctx_t		 x;
	platform_proof_t	 a, s;
	http_req_t		 rq;
	char			*body = NULL, *ph = NULL, *ch = NULL;
	char			 key[37], auth_in[JPKI_ISSUANCE_MAX];
	char			 sign_in[JPKI_ISSUANCE_MAX];
	int			 r;

	memset(&x, 0, sizeof(x));
	memset(&rq, 0, sizeof(rq));
	if (res == NULL || result_init(res) != JPKI_OK)
		return JPKI_ERR_ARG;
	if (p == NULL || p->url == NULL)
		return JPKI_ERR_ARG;
	/* §5.10: refuse before any certificate leaves the card */
	if ((r = jpki_consent_check(consent, op->need)) != JPKI_OK)
		goto out;
	if ((r = make_proof(p, card, op->purpose, op->mykey_id,
	    op->service_id, op->with_sign, cb, arg, &x, res)) != JPKI_OK)
		goto out;
	snprintf(auth_in, sizeof(auth_in), "%s", res->auth_issuance);
	snprintf(sign_in, sizeof(sign_in), "%s", res->sign_issuance);
	proofs_of(&x, &a, &s);
	if ((r = platform_uuid4(key)) != JPKI_OK)
		goto out;
	r = JPKI_ERR_NOMEM;
	if (op->body_in_header) {
		if ((ph = platform_json_proof_b64url(&a)) == NULL ||
		    (ch = platform_json_consent_b64url(consent)) == NULL)
			goto out;
	}
	/* DELETE and PUT carry the body; DELETE also the headers (§5.10) */
	if (strcmp(op->method, "GET") != 0 &&
	    (body = platform_json_body(&a, op->with_sign ? &s : NULL, consent,
	    op->extra_key, op->extra_val)) == NULL)
		goto out;
	rq.method = op->method;
	rq.path = op->path;
	rq.body = body;
	rq.idem_key = strcmp(op->method, "GET") != 0 ? key : NULL;
	rq.proof_hdr = ph;
	rq.consent_hdr = ch;
	r = call(p, &rq, op->ok1, op->ok2, res);
	if (r == JPKI_OK)
		res->created = res->http_status == 201;
	merge_local(res, auth_in, sign_in);
out:
	free(body);
	free(ph);
	free(ch);
	proof_ctx_free(&x);
	return r;
}

static int
mykey_path(char *out, size_t n, const char *mykey_id, const char *suffix)
{
	int w;

	if (!platform_id_safe(mykey_id, JPKI_MYKEY_ID_MAX - 1))
		return JPKI_ERR_ARG;
	w = snprintf(out, n, "/v1/mykey-ids/%s%s", mykey_id, suffix);
	return w > 0 && (size_t)w < n ? JPKI_OK : JPKI_ERR_ARG;
}

int
jpki_platform_create(jpki_platform_t *p, jpki_card_t *card,
    const jpki_consent_t *consent, jpki_pin_cb_t pin_cb, void *pin_arg,
    jpki_platform_result_t *res)
{
	proof_op_t op;

	memset(&op, 0, sizeof(op));
	op.purpose = "mykey.create";
	op.need = JPKI_PURPOSE_PROOF;
	op.method = "POST";
	op.path = "/v1/mykey-ids";
	op.ok1 = 201;
	op.ok2 = 200;
	return proof_op(p, card, &op, consent, pin_cb, pin_arg, res);
}

int
jpki_platform_login(jpki_platform_t *p, jpki_card_t *card,
    const jpki_consent_t *consent, jpki_pin_cb_t pin_cb, void *pin_arg,
    jpki_platform_result_t *res)
{
	proof_op_t op;

	memset(&op, 0, sizeof(op));
	op.purpose = "mykey.verify";
	op.need = JPKI_PURPOSE_PROOF;
	op.method = "POST";
	op.path = "/v1/mykey-ids:verify";
	op.ok1 = 200;
	op.ok2 = 200;
	return proof_op(p, card, &op, consent, pin_cb, pin_arg, res);
}

int
jpki_platform_push_sign(jpki_platform_t *p, jpki_card_t *card,
    const char *mykey_id, const jpki_consent_t *consent,
    jpki_pin_cb_t pin_cb, void *pin_arg, jpki_platform_result_t *res)
{
	proof_op_t	op;
	char		path[80];

	if (res != NULL && result_init(res) != JPKI_OK)
		return JPKI_ERR_ARG;
	if (mykey_path(path, sizeof(path), mykey_id, "/certificates/sign") !=
	    JPKI_OK)
		return JPKI_ERR_ARG;
	memset(&op, 0, sizeof(op));
	op.purpose = "mykey.link_sign";
	op.need = JPKI_PURPOSE_PROOF;
	op.method = "PUT";
	op.path = path;
	op.mykey_id = mykey_id;
	op.with_sign = 1;
	op.ok1 = 200;
	op.ok2 = 201;
	return proof_op(p, card, &op, consent, pin_cb, pin_arg, res);
}

int
jpki_platform_link(jpki_platform_t *p, jpki_card_t *card,
    const char *service_id, const char *user_number,
    const jpki_consent_t *consent, jpki_pin_cb_t pin_cb, void *pin_arg,
    jpki_platform_result_t *res)
{
	proof_op_t	op;
	char		path[320];

	if (res != NULL && result_init(res) != JPKI_OK)
		return JPKI_ERR_ARG;
	if (!platform_id_safe(service_id, 255))
		return JPKI_ERR_ARG;
	snprintf(path, sizeof(path), "/v1/services/%s/links", service_id);
	memset(&op, 0, sizeof(op));
	op.purpose = "service.link";
	op.need = JPKI_PURPOSE_LINK;
	op.method = "PUT";
	op.path = path;
	op.service_id = service_id;
	op.extra_key = user_number != NULL ? "service_user_number" : NULL;
	op.extra_val = user_number;
	op.ok1 = 201;
	op.ok2 = 200;
	return proof_op(p, card, &op, consent, pin_cb, pin_arg, res);
}

int
jpki_platform_disclosures(jpki_platform_t *p, jpki_card_t *card,
    const char *mykey_id, const jpki_consent_t *consent,
    jpki_pin_cb_t pin_cb, void *pin_arg, jpki_platform_result_t *res)
{
	proof_op_t	op;
	char		path[80];

	if (res != NULL && result_init(res) != JPKI_OK)
		return JPKI_ERR_ARG;
	if (mykey_path(path, sizeof(path), mykey_id, "/disclosures") !=
	    JPKI_OK)
		return JPKI_ERR_ARG;
	memset(&op, 0, sizeof(op));
	op.purpose = "mykey.verify";
	op.need = JPKI_PURPOSE_PROOF;
	op.method = "GET";
	op.path = path;
	op.mykey_id = mykey_id;
	op.body_in_header = 1;
	op.ok1 = 200;
	op.ok2 = 200;
	return proof_op(p, card, &op, consent, pin_cb, pin_arg, res);
}

int
jpki_platform_revoke(jpki_platform_t *p, jpki_card_t *card,
    const char *mykey_id, const jpki_consent_t *consent,
    jpki_pin_cb_t pin_cb, void *pin_arg, jpki_platform_result_t *res)
{
	proof_op_t	op;
	char		path[80];

	if (res != NULL && result_init(res) != JPKI_OK)
		return JPKI_ERR_ARG;
	if (mykey_path(path, sizeof(path), mykey_id, "") != JPKI_OK)
		return JPKI_ERR_ARG;
	memset(&op, 0, sizeof(op));
	op.purpose = "mykey.verify";
	op.need = JPKI_PURPOSE_PROOF;
	op.method = "DELETE";
	op.path = path;
	op.mykey_id = mykey_id;
	op.body_in_header = 1;
	op.ok1 = 200;
	op.ok2 = 204;
	return proof_op(p, card, &op, consent, pin_cb, pin_arg, res);
}

int
jpki_platform_push(jpki_platform_t *p, const char *mykey_id,
    const char *auth_issuance, const char *sign_issuance,
    const jpki_consent_t *consent, const char *idem_key,
    jpki_platform_result_t *res)
{
	http_req_t	 rq;
	char		 path[80], key[37];
	char		*body = NULL;
	int		 r;

	if (res == NULL || result_init(res) != JPKI_OK)
		return JPKI_ERR_ARG;
	memset(&rq, 0, sizeof(rq));
	if (p == NULL || p->url == NULL || auth_issuance == NULL ||
	    strlen(auth_issuance) >= JPKI_ISSUANCE_MAX ||
	    strspn(auth_issuance, "0123456789ABCDEF") !=
	    strlen(auth_issuance) || *auth_issuance == '\0' ||
	    (sign_issuance != NULL &&
	    (strlen(sign_issuance) >= JPKI_ISSUANCE_MAX ||
	    *sign_issuance == '\0' || strspn(sign_issuance,
	    "0123456789ABCDEF") != strlen(sign_issuance))) ||
	    (idem_key != NULL && !platform_uuid_valid(idem_key)))
		return JPKI_ERR_ARG;
	if ((r = mykey_path(path, sizeof(path), mykey_id,
	    "/issuance-numbers:push")) != JPKI_OK)
		return r;
	if ((r = jpki_consent_check(consent, "jlis.validity jlis.linkage")) !=
	    JPKI_OK)
		return r;
	if (idem_key != NULL)
		snprintf(key, sizeof(key), "%s", idem_key);
	else if ((r = platform_uuid4(key)) != JPKI_OK)
		return r;
	if ((body = platform_json_push(auth_issuance, sign_issuance,
	    consent)) == NULL)
		return JPKI_ERR_NOMEM;
	rq.method = "POST";
	rq.path = path;
	rq.body = body;
	rq.idem_key = key;
	r = call(p, &rq, 202, 200, res);
	snprintf(res->idempotency_key, sizeof(res->idempotency_key), "%s",
	    key);
	merge_local(res, auth_issuance, sign_issuance != NULL ?
	    sign_issuance : "");
	free(body);
	return r;
}

int
jpki_platform_status(jpki_platform_t *p, const char *mykey_id,
    const jpki_consent_t *consent, jpki_platform_result_t *res)
{
	http_req_t	 rq;
	char		 path[80], key[37];
	char		*body = NULL;
	int		 r;

	if (res == NULL || result_init(res) != JPKI_OK)
		return JPKI_ERR_ARG;
	memset(&rq, 0, sizeof(rq));
	if (p == NULL || p->url == NULL)
		return JPKI_ERR_ARG;
	if ((r = mykey_path(path, sizeof(path), mykey_id,
	    consent != NULL ? ":check" : "")) != JPKI_OK)
		return r;
	rq.path = path;
	if (consent == NULL) {
		rq.method = "GET";
		return call(p, &rq, 200, 200, res);
	}
	/* :check makes the platform send stored numbers to J-LIS (§5.10) */
	if ((r = jpki_consent_check(consent, "jlis.validity")) != JPKI_OK)
		return r;
	if ((r = platform_uuid4(key)) != JPKI_OK)
		return r;
	if ((body = platform_json_body(NULL, NULL, consent, NULL, NULL)) ==
	    NULL)
		return JPKI_ERR_NOMEM;
	rq.method = "POST";
	rq.body = body;
	rq.idem_key = key;
	r = call(p, &rq, 200, 200, res);
	free(body);
	return r;
}

int
jpki_platform_history(jpki_platform_t *p, const char *mykey_id,
    jpki_platform_result_t *res)
{
	http_req_t	rq;
	char		path[80];
	int		r;

	if (res == NULL || result_init(res) != JPKI_OK)
		return JPKI_ERR_ARG;
	memset(&rq, 0, sizeof(rq));
	if (p == NULL || p->url == NULL)
		return JPKI_ERR_ARG;
	if ((r = mykey_path(path, sizeof(path), mykey_id, "/history")) !=
	    JPKI_OK)
		return r;
	rq.method = "GET";
	rq.path = path;
	return call(p, &rq, 200, 200, res);
}
