/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * jpki platform register|login|push|status|history|link|disclosures|
 * revoke|flush: the MyKey Platform client (include/jpki/platform.h,
 * mykey-mock-api.md §5).  Consent (§5.10) is asked interactively with the
 * terms shown, or read from --consent-file; nothing that carries an
 * issuance number is sent without it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jpki/platform.h>

#include "cli.h"

/* Exit codes of this command beyond jpki(1)'s 0-8. */
#define EX_PLATFORM		9	/* the platform refused or failed */
#define EX_PLATFORM_QUEUED	10	/* stored in the offline queue */

static const char usage[] =
"usage: jpki platform COMMAND [options]\n"
"\n"
"Talk to the MyKey Platform (マイキープラットフォーム): prove possession of\n"
"the card with its authentication key and push the issuance numbers of\n"
"its certificates, so the MyKey ID survives card renewals.\n"
"\n"
"Commands:\n"
"  register            create or find the MyKey ID; push both issuance\n"
"                      numbers (auth PIN, then signature password)\n"
"  login               identify: the MyKey ID, relinked after a renewal?\n"
"  push                push current issuance numbers without a signature;\n"
"                      --with-proof: push the sign certificate with proofs\n"
"  status              state of a MyKey ID; --check re-checks at J-LIS\n"
"  history             binding history (old-to-new chain)\n"
"  link SERVICE_ID     link the MyKey ID to a service, print the PPID\n"
"  disclosures         what was provided to whom, under which consent\n"
"  revoke              revoke the MyKey ID (terminal)\n"
"  flush               send what the offline queue holds\n"
"\n"
"Options:\n"
"  --url URL               platform base URL ($JPKI_PLATFORM_URL)\n"
"  --client-id ID          client id ($JPKI_PLATFORM_CLIENT_ID)\n"
"  --client-secret-env VAR read the client secret from $VAR\n"
"                          (default JPKI_PLATFORM_CLIENT_SECRET)\n"
"  --ca FILE               trust these CA certificates (PEM)\n"
"  --allow-http            permit plain http to a loopback address\n"
"  --consent-file FILE     the cardholder's consent record (JSON)\n"
"  --save-consent FILE     write the consent given interactively\n"
"  --mykey-id ID           MyKey ID (push, status, history, disclosures,\n"
"                          revoke)\n"
"  --queue FILE            offline queue (SQLite) for push and flush\n"
"  --auth-issuance HEX     push: this number instead of the card's\n"
"  --sign-issuance HEX     push: also this sign-cert number\n"
"  --with-sign             push: read the sign cert's number (sign PIN)\n"
"  --with-proof            push: PUT the sign certificate with proofs\n"
"  --no-sign               register: skip the signature certificate\n"
"  --check                 status: 現況確認 at J-LIS (needs consent)\n"
"  --user-number N         link: the service's own user number\n"
"  --sign-pin-env VAR      signature password from $VAR\n"
"  --timeout SECONDS       per HTTP attempt (default 30)\n"
"  --retries N             extra attempts where allowed (default 4)\n"
"  --max-response BYTES    cap on an answer's body (default 1 MiB)\n"
"  -r, --reader, -w, --wait, --pin-fd, --pin-env, -j, --json, -v, --stats\n"
"\n"
"Examples:\n"
"  export JPKI_PLATFORM_CLIENT_SECRET=...\n"
"  jpki platform register --url https://mykey.example --client-id kiosk1\n"
"  jpki platform login --consent-file consent.json --json\n"
"  jpki platform push --mykey-id K7QF3M2A --queue /var/lib/jpki/q.db\n"
"  jpki platform flush --queue /var/lib/jpki/q.db\n"
"\n"
"Extra exit status: 9 the platform refused or failed, 10 queued.\n";

enum {
	OPT_URL = OPT_CMD, OPT_CLIENT_ID, OPT_SECRET_ENV, OPT_CA,
	OPT_ALLOW_HTTP, OPT_CONSENT, OPT_SAVE_CONSENT, OPT_MYKEY,
	OPT_QUEUE, OPT_AUTH_IN, OPT_SIGN_IN, OPT_WITH_SIGN, OPT_WITH_PROOF,
	OPT_NO_SIGN, OPT_CHECK, OPT_USER_NUMBER, OPT_SIGN_PIN_ENV,
	OPT_TIMEOUT, OPT_RETRIES, OPT_MAX_RESPONSE
};

typedef struct {
	const char	*url;
	const char	*client_id;
	const char	*secret_env;
	const char	*ca;
	const char	*consent_file;
	const char	*save_consent;
	const char	*mykey_id;
	const char	*queue;
	const char	*auth_in;
	const char	*sign_in;
	const char	*user_number;
	const char	*sign_pin_env;
	int		 allow_http;
	int		 with_sign;
	int		 with_proof;
	int		 no_sign;
	int		 check;
	long		 timeout_s;
	long		 retries;
	long		 max_response;
} pf_opts_t;

typedef struct {
	cli_t		*cli;
	pf_opts_t	*o;
} pin_ctx_t;

static int
num(const char *s, long max, long *out)
{
	char	*end;
	long	 v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0 || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
pf_opt(void *ctx, int id, const char *arg)
{
	pf_opts_t *o = ctx;

	switch (id) {
	case OPT_URL: o->url = arg; return 0;
	case OPT_CLIENT_ID: o->client_id = arg; return 0;
	case OPT_SECRET_ENV: o->secret_env = arg; return 0;
	case OPT_CA: o->ca = arg; return 0;
	case OPT_ALLOW_HTTP: o->allow_http = 1; return 0;
	case OPT_CONSENT: o->consent_file = arg; return 0;
	case OPT_SAVE_CONSENT: o->save_consent = arg; return 0;
	case OPT_MYKEY: o->mykey_id = arg; return 0;
	case OPT_QUEUE: o->queue = arg; return 0;
	case OPT_AUTH_IN: o->auth_in = arg; return 0;
	case OPT_SIGN_IN: o->sign_in = arg; return 0;
	case OPT_WITH_SIGN: o->with_sign = 1; return 0;
	case OPT_WITH_PROOF: o->with_proof = 1; return 0;
	case OPT_NO_SIGN: o->no_sign = 1; return 0;
	case OPT_CHECK: o->check = 1; return 0;
	case OPT_USER_NUMBER: o->user_number = arg; return 0;
	case OPT_SIGN_PIN_ENV: o->sign_pin_env = arg; return 0;
	case OPT_TIMEOUT:
		if (num(arg, 3600, &o->timeout_s) != 0 || o->timeout_s == 0) {
			cli_usage_error(usage, "--timeout: 1-3600 seconds");
			return -1;
		}
		return 0;
	case OPT_RETRIES:
		if (num(arg, 20, &o->retries) != 0) {
			cli_usage_error(usage, "--retries: 0-20");
			return -1;
		}
		return 0;
	case OPT_MAX_RESPONSE:
		if (num(arg, 64L * 1024 * 1024, &o->max_response) != 0 ||
		    o->max_response == 0) {
			cli_usage_error(usage, "--max-response: 1-67108864 "
			    "bytes");
			return -1;
		}
		return 0;
	default:
		return -1;
	}
}

/* Arts. 16, 17 and 20 of the MyKey Platform Terms of Use, summarised. */
static const char terms_text[] =
"MyKey Platform Terms of Use (terms version " JPKI_TERMS_VERSION "), summary:\n"
"\n"
" Art. 16  To confirm that your user-identification certificate is valid,\n"
"          its issuance number is sent to J-LIS.  After your card is\n"
"          renewed, J-LIS searches the old issuance number from the new\n"
"          one so that you keep the account (MyKey ID) created before.\n"
" Art. 17  Linking your MyKey ID with a service's customer ID registers a\n"
"          service ID; to check whether your address etc. changed, the\n"
"          issuance number is sent to J-LIS and the validity of the\n"
"          linked signature certificate is confirmed.\n"
" Art. 20  For a PPID service: your certificate is sent to the platform,\n"
"          your PPID is managed together with the issuance number, and\n"
"          the issuance number is sent to J-LIS (validity, and the old\n"
"          number after a renewal).\n"
"\n"
"No PIN, My Number, name, address, birth date or sex is sent by this\n"
"program; the platform sees only issuance numbers and signatures.\n";

static int
ask_consent(const char *need, jpki_consent_t *c)
{
	FILE	*tty;
	char	 line[16];
	int	 ex = EX_JPKI_USAGE;

	if ((tty = fopen("/dev/tty", "r+e")) == NULL) {
		cli_warnx("the cardholder's consent is required: no terminal "
		    "to ask on;\n  give --consent-file FILE");
		return EX_JPKI_USAGE;
	}
	fputs(terms_text, tty);
	fprintf(tty, "\nPurpose of this transfer: %s\n", need);
	if (strstr(need, "jlis.validity") != NULL)
		fputs("  jlis.validity  send the issuance number to J-LIS to "
		    "confirm validity\n", tty);
	if (strstr(need, "jlis.linkage") != NULL)
		fputs("  jlis.linkage   old/new issuance-number search, "
		    "sign/auth association\n", tty);
	if (strstr(need, "id.link") != NULL)
		fputs("  id.link        link your MyKey ID to the service "
		    "(PPID)\n", tty);
	fputs("\nDo you agree? [y/N] ", tty);
	fflush(tty);
	if (fgets(line, sizeof(line), tty) == NULL ||
	    (line[0] != 'y' && line[0] != 'Y')) {
		fputs("Not agreed: nothing was sent.\n", tty);
		goto out;
	}
	if (jpki_consent_mint(c, need, JPKI_TERMS_VERSION) != JPKI_OK) {
		cli_warnx("could not record the consent");
		ex = EX_JPKI_ERROR;
		goto out;
	}
	fprintf(tty, "Consent %s recorded at %s.\n", c->consent_id,
	    c->agreed_at);
	ex = EX_JPKI_OK;
out:
	fclose(tty);
	return ex;
}

static int
get_consent(const pf_opts_t *o, const char *need, jpki_consent_t *c)
{
	int r, ex;

	if (o->consent_file != NULL) {
		r = jpki_consent_load(c, o->consent_file);
		if (r == JPKI_OK)
			r = jpki_consent_check(c, need);
		if (r != JPKI_OK) {
			cli_warnx("%s: not a consent record covering \"%s\" "
			    "(%s)", o->consent_file, need, jpki_strerror(r));
			return EX_JPKI_USAGE;
		}
		return EX_JPKI_OK;
	}
	if ((ex = ask_consent(need, c)) != EX_JPKI_OK)
		return ex;
	if (o->save_consent != NULL &&
	    jpki_consent_save(c, o->save_consent) != JPKI_OK) {
		cli_warnx("%s: cannot write the consent record",
		    o->save_consent);
		return EX_JPKI_ERROR;
	}
	return EX_JPKI_OK;
}

static const char *
reason_name(int r)
{
	static const char *names[] = { "unspecified (discarded before "
	    "delivery)", "keyCompromise (card reported lost or stolen)",
	    "cACompromise", "affiliationChanged (certificate contents "
	    "changed: move or name change)", "superseded (renewed)",
	    "cessationOfOperation (no longer needed)",
	    "certificateHold (suspended)" };

	if (r >= 0 && (size_t)r < sizeof(names) / sizeof(names[0]))
		return names[r];
	return "unknown reason";
}

/* Explain a failed platform call; returns the exit code. */
static int
pf_fail(cli_t *cli, jpki_platform_t *p, int err, const char *what,
    const jpki_platform_result_t *res)
{
	const jpki_platform_problem_t	*pb = jpki_platform_problem(p);
	json_t				 j;

	if (err == JPKI_ERR_PIN_INCORRECT && res != NULL &&
	    res->pin_tries >= 0) {
		cli_warnx("%s: incorrect PIN, %d %s left; not retried", what,
		    res->pin_tries, res->pin_tries == 1 ? "try" : "tries");
		if (res->pin_tries == 1)
			fputs("  one more wrong PIN locks it: unlock only at "
			    "the municipal office\n", stderr);
		return EX_JPKI_PIN;
	}
	/* card and local errors keep jpki(1)'s messages and exit codes;
	 * a timeout or an over-cap answer here comes from HTTP */
	if ((err > -100 || err < -139) && err != JPKI_ERR_TIMEOUT &&
	    err != JPKI_ERR_TOO_LARGE)
		return cli_fail(cli, err, what);
	if (cli->json) {
		json_init(&j, stdout);
		json_obj_begin(&j);
		json_kv_str(&j, "error", jpki_strerror_name(err));
		json_kv_str(&j, "message", jpki_strerror(err));
		if (pb != NULL && pb->http_status != 0) {
			json_kv_int(&j, "http_status", pb->http_status);
			json_kv_str(&j, "code", pb->code);
			json_kv_str(&j, "detail", pb->detail);
			json_kv_str(&j, "request_id", pb->request_id);
			if (pb->retry_after >= 0)
				json_kv_int(&j, "retry_after", pb->retry_after);
			if (pb->revocation_reason >= 0)
				json_kv_int(&j, "revocation_reason",
				    pb->revocation_reason);
			if (pb->successor_known >= 0)
				json_kv_bool(&j, "successor_known",
				    pb->successor_known);
		}
		json_obj_end(&j);
		(void)json_end(&j);
	}
	cli_warnx("%s: %s", what, jpki_strerror(err));
	if (pb != NULL && pb->http_status != 0)
		fprintf(stderr, "  platform: HTTP %d %s%s%s (request %s)\n",
		    pb->http_status, pb->code, pb->detail[0] ? ": " : "",
		    pb->detail, pb->request_id[0] ? pb->request_id : "-");
	switch (err) {
	case JPKI_ERR_PLATFORM_REVOKED:
		fprintf(stderr, "  the certificate is revoked: %s%s%s\n",
		    reason_name(pb->revocation_reason),
		    pb->revoked_at[0] ? " at " : "", pb->revoked_at);
		if (pb->successor_known == 1)
			fputs("  a newer card exists: tap the new card to "
			    "relink your MyKey ID\n", stderr);
		break;
	case JPKI_ERR_PLATFORM_EXPIRED:
		fputs("  the certificate has expired: renew it at the "
		    "municipal office, then log in\n  with the new card (the "
		    "MyKey ID is kept)\n", stderr);
		break;
	case JPKI_ERR_MYKEY_NOT_FOUND:
		fputs("  no MyKey ID for this card yet: run "
		    "'jpki platform register'\n", stderr);
		break;
	case JPKI_ERR_MYKEY_REVOKED:
		fputs("  this MyKey ID was revoked at the holder's request; "
		    "that is final\n", stderr);
		break;
	case JPKI_ERR_JLIS_UNAVAILABLE:
		fprintf(stderr, "  J-LIS did not answer (%u attempts with the "
		    "same request key);\n  try again later: repeating is "
		    "safe\n", res != NULL ? res->attempts : 0);
		break;
	case JPKI_ERR_MAINTENANCE:
		if (pb->retry_after >= 0)
			fprintf(stderr, "  the platform is in maintenance; "
			    "retry in %d s\n", pb->retry_after);
		else
			fputs("  the platform is in maintenance; retry "
			    "later\n", stderr);
		break;
	case JPKI_ERR_CONSENT_REQUIRED:
		fputs("  the platform needs the cardholder's consent "
		    "(--consent-file, or answer the prompt)\n", stderr);
		break;
	case JPKI_ERR_PLATFORM_AUTH:
		fputs("  check --client-id and the secret in "
		    "--client-secret-env\n", stderr);
		break;
	case JPKI_ERR_CHALLENGE:
		fputs("  the challenge was used, expired or not ours: run "
		    "the command again\n", stderr);
		break;
	case JPKI_ERR_NETWORK:
		fputs("  cannot reach the platform: check --url and the "
		    "network", stderr);
		fputs(res != NULL ? " (use --queue to keep pushes)\n" : "\n",
		    stderr);
		break;
	case JPKI_ERR_TLS:
		fputs("  TLS failed: check --ca and the server certificate\n",
		    stderr);
		break;
	case JPKI_ERR_TIMEOUT:
		fputs("  the platform did not answer in time (--timeout); "
		    "repeating is safe\n", stderr);
		break;
	case JPKI_ERR_TOO_LARGE:
		fputs("  the platform's answer was larger than the cap "
		    "(--max-response)\n", stderr);
		break;
	case JPKI_ERR_LINKAGE:
		fputs("  the certificate is bound to another MyKey ID; ask "
		    "the platform operator\n", stderr);
		break;
	default:
		break;
	}
	return EX_PLATFORM;
}

/* PIN callback of the library: tries shown, last try and lock refused. */
static int
pin_cb(void *arg, jpki_pin_kind_t kind, int tries, char *pin, size_t size)
{
	pin_ctx_t	*x = arg;
	cli_pin_t	 p;
	const char	*env_save = x->cli->new_pin_env;
	char		 prompt[160];
	int		 ex, which = 0, r = JPKI_ERR_CANCELLED;

	memset(&p, 0, sizeof(p));
	if (tries == 0)
		return JPKI_ERR_PIN_LOCKED;
	if (tries == 1 && !x->cli->force_last_try) {
		fprintf(stderr, "%s: only 1 try left; not asking (a wrong "
		    "PIN would lock it).\n  Use --force-last-try if you are "
		    "sure of it.\n", cli_pin_name(kind));
		return JPKI_ERR_PIN_LAST_TRY;
	}
	if (tries > 0)
		fprintf(stderr, "%s: %d tries left\n", cli_pin_name(kind),
		    tries);
	snprintf(prompt, sizeof(prompt), "Enter the %s: ",
	    cli_pin_name(kind));
	/* the signature password may come from its own variable */
	if (kind == JPKI_PIN_SIGN && x->o->sign_pin_env != NULL) {
		x->cli->new_pin_env = x->o->sign_pin_env;
		which = 1;
	}
	ex = cli_pin_read(x->cli, prompt, 0, which, &p);
	x->cli->new_pin_env = env_save;
	if (ex != EX_JPKI_OK)
		goto out;
	cli_pin_fold(kind, &p);
	if (p.len + 1 > size) {
		r = JPKI_ERR_PIN_FORMAT;
		goto out;
	}
	memcpy(pin, p.v, p.len);
	pin[p.len] = '\0';
	r = JPKI_OK;
out:
	cli_pin_wipe(&p);
	return r;
}

static void
print_result(cli_t *cli, const char *op, const jpki_platform_result_t *res)
{
	json_t j;

	if (cli->json) {
		json_init(&j, stdout);
		json_obj_begin(&j);
		json_kv_str(&j, "operation", op);
		if (res->mykey_id[0])
			json_kv_str(&j, "mykey_id", res->mykey_id);
		if (res->state[0])
			json_kv_str(&j, "state", res->state);
		json_kv_bool(&j, "created", res->created);
		json_kv_bool(&j, "relinked", res->relinked);
		json_kv_int(&j, "hops", res->hops);
		json_kv_bool(&j, "replayed", res->replayed);
		if (res->auth_issuance[0]) {
			json_key(&j, "auth");
			json_obj_begin(&j);
			json_kv_str(&j, "issuance_number", res->auth_issuance);
			if (res->auth_status[0])
				json_kv_str(&j, "status", res->auth_status);
			json_obj_end(&j);
		}
		if (res->sign_issuance[0]) {
			json_key(&j, "sign");
			json_obj_begin(&j);
			json_kv_str(&j, "issuance_number", res->sign_issuance);
			if (res->sign_status[0])
				json_kv_str(&j, "status", res->sign_status);
			json_obj_end(&j);
		}
		if (res->ppid[0])
			json_kv_str(&j, "ppid", res->ppid);
		json_kv_int(&j, "http_status", res->http_status);
		json_kv_int(&j, "http_requests", res->requests);
		json_obj_end(&j);
		(void)json_end(&j);
		return;
	}
	if (res->mykey_id[0])
		printf("MyKey ID:        %s%s\n", res->mykey_id,
		    res->created ? " (new)" : "");
	if (res->state[0])
		printf("State:           %s\n", res->state);
	if (res->auth_issuance[0])
		printf("Auth issuance:   %s%s%s\n", res->auth_issuance,
		    res->auth_status[0] ? "  " : "", res->auth_status);
	if (res->sign_issuance[0])
		printf("Sign issuance:   %s%s%s\n", res->sign_issuance,
		    res->sign_status[0] ? "  " : "", res->sign_status);
	if (strcmp(op, "login") == 0 || res->relinked)
		printf("relinked: %s, hops: %d\n", res->relinked ? "true" :
		    "false", res->hops);
	if (res->ppid[0])
		printf("PPID:            %s\n", res->ppid);
	if (strcmp(res->state, "awaiting_relink") == 0)
		puts("The platform is waiting for your renewed card: log in "
		    "with the new card to keep this MyKey ID.");
	else if (strcmp(res->state, "suspended") == 0)
		puts("This MyKey ID is suspended (card revoked): log in with "
		    "a reissued card to restore it.");
	if (res->replayed)
		puts("(answer replayed by the platform: the request had "
		    "already been processed)");
}

static int
need_mykey(const pf_opts_t *o, const char *cmd)
{
	if (o->mykey_id != NULL)
		return EX_JPKI_OK;
	cli_usage_error(usage, "%s needs --mykey-id ID", cmd);
	return EX_JPKI_USAGE;
}

static int
setup(cli_t *cli, pf_opts_t *o, jpki_platform_t **pp)
{
	jpki_platform_opts_t	 po = { .size = sizeof(po) };
	const char		*secret;
	int			 r;

	if (o->url == NULL)
		o->url = getenv("JPKI_PLATFORM_URL");
	if (o->client_id == NULL)
		o->client_id = getenv("JPKI_PLATFORM_CLIENT_ID");
	if (o->secret_env == NULL)
		o->secret_env = "JPKI_PLATFORM_CLIENT_SECRET";
	if (o->url == NULL || o->client_id == NULL) {
		cli_usage_error(usage, "--url and --client-id are required");
		return EX_JPKI_USAGE;
	}
	if ((secret = getenv(o->secret_env)) == NULL || *secret == '\0') {
		cli_usage_error(usage, "no client secret in $%s",
		    o->secret_env);
		return EX_JPKI_USAGE;
	}
	if ((r = jpki_init()) != JPKI_OK)
		return cli_fail(cli, r, "initialisation");
	if (jpki_platform_new(&*pp) != JPKI_OK)
		return cli_fail(cli, JPKI_ERR_NOMEM, NULL);
	JPKI_INIT(&po);
	po.url = o->url;
	po.client_id = o->client_id;
	po.client_secret = secret;
	po.ca_file = o->ca;
	po.allow_http_loopback = o->allow_http;
	po.timeout_ms = o->timeout_s * 1000;
	po.max_attempts = o->retries >= 0 ? (unsigned)o->retries + 1 : 0;
	po.force_last_try = cli->force_last_try;
	po.max_response = (size_t)o->max_response;
	if ((r = jpki_platform_configure(*pp, &po)) != JPKI_OK) {
		if (strncmp(o->url, "http:", 5) == 0)
			cli_warnx("%s: plain http is allowed only to a loopback "
			    "address, with --allow-http", o->url);
		else
			cli_warnx("%s: not a usable platform URL or client id",
			    o->url);
		return EX_JPKI_USAGE;
	}
	return EX_JPKI_OK;
}

static int
do_push(cli_t *cli, pf_opts_t *o, jpki_platform_t *p, pin_ctx_t *px,
    jpki_platform_result_t *res)
{
	jpki_queue_t	*q = NULL;
	jpki_consent_t	 c = { .size = sizeof(c) };
	char		 auth_in[JPKI_ISSUANCE_MAX], sign_in[JPKI_ISSUANCE_MAX];
	const char	*a = o->auth_in, *s = o->sign_in;
	int		 r, ex;

	auth_in[0] = sign_in[0] = '\0';
	if ((ex = need_mykey(o, "push")) != EX_JPKI_OK)
		return ex;
	if (o->with_proof) {
		if ((ex = get_consent(o, JPKI_PURPOSE_PROOF, &c)) != EX_JPKI_OK)
			return ex;
		if ((ex = cli_open(cli, 0)) != EX_JPKI_OK)
			return ex;
		cli->verified = 1;
		r = jpki_platform_push_sign(p, cli->card, o->mykey_id, &c,
		    pin_cb, px, res);
		return r == JPKI_OK ? EX_JPKI_OK :
		    pf_fail(cli, p, r, "pushing the sign certificate", res);
	}
	/* numbers first (the card may be gone by the time we queue) */
	if (a == NULL || (o->with_sign && s == NULL)) {
		if ((ex = cli_open(cli, 0)) != EX_JPKI_OK)
			return ex;
		if (a == NULL) {
			r = jpki_platform_card_issuance(cli->card,
			    JPKI_CERT_AUTH, auth_in);
			if (r != JPKI_OK)
				return cli_fail(cli, r, "reading the auth "
				    "certificate");
			a = auth_in;
		}
		if (o->with_sign && s == NULL) {
			if ((ex = cli_pin_verify(cli, JPKI_PIN_SIGN)) !=
			    EX_JPKI_OK)
				return ex;
			r = jpki_platform_card_issuance(cli->card,
			    JPKI_CERT_SIGN, sign_in);
			if (r != JPKI_OK)
				return cli_fail(cli, r, "reading the sign "
				    "certificate");
			s = sign_in;
		}
	}
	if ((ex = get_consent(o, JPKI_PURPOSE_PROOF, &c)) != EX_JPKI_OK)
		return ex;
	if (o->queue == NULL) {
		r = jpki_platform_push(p, o->mykey_id, a, s, &c, NULL, res);
		return r == JPKI_OK ? EX_JPKI_OK :
		    pf_fail(cli, p, r, "push", res);
	}
	if ((r = jpki_queue_new(&q, o->queue)) != JPKI_OK)
		return cli_fail(cli, r, o->queue);
	r = jpki_platform_push_or_queue(p, q, o->mykey_id, a, s, &c, res);
	jpki_queue_free(&q);
	if (r == JPKI_ERR_QUEUED) {
		cli_warnx("platform unreachable: push queued in %s (key %s); "
		    "send it later with 'jpki platform flush'", o->queue,
		    res->idempotency_key);
		if (cli->json) {
			json_t j;

			json_init(&j, stdout);
			json_obj_begin(&j);
			json_kv_str(&j, "operation", "push");
			json_kv_bool(&j, "queued", 1);
			json_kv_str(&j, "idempotency_key",
			    res->idempotency_key);
			json_obj_end(&j);
			(void)json_end(&j);
		}
		return EX_PLATFORM_QUEUED;
	}
	return r == JPKI_OK ? EX_JPKI_OK : pf_fail(cli, p, r, "push", res);
}

static int
do_flush(cli_t *cli, pf_opts_t *o, jpki_platform_t *p)
{
	jpki_queue_t		*q = NULL;
	jpki_queue_stats_t	 st = { .size = sizeof(st) };
	unsigned		 pending = 0, failed = 0;
	json_t			 j;
	int			 r;

	if (o->queue == NULL) {
		cli_usage_error(usage, "flush needs --queue FILE");
		return EX_JPKI_USAGE;
	}
	if ((r = jpki_queue_new(&q, o->queue)) != JPKI_OK)
		return cli_fail(cli, r, o->queue);
	r = jpki_queue_flush(q, p, &st);
	(void)jpki_queue_count(q, &pending, &failed);
	jpki_queue_free(&q);
	if (cli->json) {
		json_init(&j, stdout);
		json_obj_begin(&j);
		json_kv_str(&j, "operation", "flush");
		json_kv_int(&j, "sent", st.sent);
		json_kv_int(&j, "failed", st.failed);
		json_kv_int(&j, "pending", pending);
		json_kv_int(&j, "failed_total", failed);
		if (r != JPKI_OK)
			json_kv_str(&j, "error", jpki_strerror_name(r));
		json_obj_end(&j);
		(void)json_end(&j);
	} else {
		printf("Sent: %u, refused now: %u, still pending: %u, "
		    "failed (kept): %u\n", st.sent, st.failed, pending, failed);
	}
	if (r == JPKI_OK)
		return failed > 0 ? EX_PLATFORM : EX_JPKI_OK;
	cli->json = 0;	/* the JSON summary is already out */
	return pf_fail(cli, p, r, "flush", NULL);
}

static int
run(cli_t *cli, const char *cmd, const char *arg, pf_opts_t *o,
    jpki_platform_t *p, jpki_platform_result_t *res)
{
	pin_ctx_t	px = { cli, o };
	jpki_consent_t	c = { .size = sizeof(c) };
	int		r, ex;

	if (strcmp(cmd, "flush") == 0)
		return do_flush(cli, o, p);
	if (strcmp(cmd, "push") == 0) {
		if ((ex = do_push(cli, o, p, &px, res)) == EX_JPKI_OK)
			print_result(cli, cmd, res);
		return ex;
	}
	if (strcmp(cmd, "history") == 0) {
		if ((ex = need_mykey(o, cmd)) != EX_JPKI_OK)
			return ex;
		if ((r = jpki_platform_history(p, o->mykey_id, res)) !=
		    JPKI_OK)
			return pf_fail(cli, p, r, "history", res);
		if (res->json != NULL)
			printf("%s\n", res->json);
		return EX_JPKI_OK;
	}
	if (strcmp(cmd, "status") == 0) {
		if ((ex = need_mykey(o, cmd)) != EX_JPKI_OK)
			return ex;
		if (o->check && (ex = get_consent(o, "jlis.validity", &c)) !=
		    EX_JPKI_OK)
			return ex;
		r = jpki_platform_status(p, o->mykey_id, o->check ? &c : NULL,
		    res);
		if (r != JPKI_OK)
			return pf_fail(cli, p, r, "status", res);
		if (cli->json && res->json != NULL)
			printf("%s\n", res->json);
		else
			print_result(cli, cmd, res);
		return EX_JPKI_OK;
	}
	/* the rest prove possession with the card */
	if ((strcmp(cmd, "disclosures") == 0 || strcmp(cmd, "revoke") == 0) &&
	    (ex = need_mykey(o, cmd)) != EX_JPKI_OK)
		return ex;
	if ((ex = get_consent(o, strcmp(cmd, "link") == 0 ?
	    JPKI_PURPOSE_LINK : JPKI_PURPOSE_PROOF, &c)) != EX_JPKI_OK)
		return ex;
	if ((ex = cli_open(cli, 0)) != EX_JPKI_OK)
		return ex;
	cli->verified = 1;	/* log the card out when we close it */
	if (strcmp(cmd, "login") == 0) {
		r = jpki_platform_login(p, cli->card, &c, pin_cb, &px, res);
	} else if (strcmp(cmd, "register") == 0) {
		r = jpki_platform_create(p, cli->card, &c, pin_cb, &px, res);
		if (r == JPKI_OK && !o->no_sign) {
			jpki_platform_result_t	s = { .size = sizeof(s) };
			char			auth_in[JPKI_ISSUANCE_MAX];

			JPKI_INIT(&s);
			snprintf(auth_in, sizeof(auth_in), "%s",
			    res->auth_issuance);
			r = jpki_platform_push_sign(p, cli->card,
			    res->mykey_id, &c, pin_cb, &px, &s);
			if (r == JPKI_OK) {
				snprintf(res->sign_issuance,
				    sizeof(res->sign_issuance), "%s",
				    s.sign_issuance);
				snprintf(res->sign_status,
				    sizeof(res->sign_status), "%s",
				    s.sign_status);
				res->requests = s.requests;
			} else {
				/* the MyKey ID exists: say so, then why */
				print_result(cli, cmd, res);
				ex = pf_fail(cli, p, r, "pushing the sign "
				    "certificate", &s);
			}
			jpki_platform_result_clear(&s);
			if (r != JPKI_OK)
				return ex;
		}
	} else if (strcmp(cmd, "link") == 0) {
		r = jpki_platform_link(p, cli->card, arg, o->user_number, &c,
		    pin_cb, &px, res);
	} else if (strcmp(cmd, "disclosures") == 0) {
		r = jpki_platform_disclosures(p, cli->card, o->mykey_id, &c,
		    pin_cb, &px, res);
		if (r == JPKI_OK && res->json != NULL) {
			printf("%s\n", res->json);
			return EX_JPKI_OK;
		}
	} else {
		r = jpki_platform_revoke(p, cli->card, o->mykey_id, &c,
		    pin_cb, &px, res);
	}
	if (r != JPKI_OK)
		return pf_fail(cli, p, r, cmd, res);
	print_result(cli, cmd, res);
	return EX_JPKI_OK;
}

int
cmd_platform(cli_t *cli, int argc, char **argv)
{
	static const struct option extra[] = {
		{ "url",		required_argument, NULL, OPT_URL },
		{ "client-id",		required_argument, NULL, OPT_CLIENT_ID },
		{ "client-secret-env",	required_argument, NULL, OPT_SECRET_ENV },
		{ "ca",			required_argument, NULL, OPT_CA },
		{ "allow-http",		no_argument,	   NULL, OPT_ALLOW_HTTP },
		{ "consent-file",	required_argument, NULL, OPT_CONSENT },
		{ "save-consent",	required_argument, NULL,
		    OPT_SAVE_CONSENT },
		{ "mykey-id",		required_argument, NULL, OPT_MYKEY },
		{ "queue",		required_argument, NULL, OPT_QUEUE },
		{ "auth-issuance",	required_argument, NULL, OPT_AUTH_IN },
		{ "sign-issuance",	required_argument, NULL, OPT_SIGN_IN },
		{ "with-sign",		no_argument,	   NULL, OPT_WITH_SIGN },
		{ "with-proof",		no_argument,	   NULL, OPT_WITH_PROOF },
		{ "no-sign",		no_argument,	   NULL, OPT_NO_SIGN },
		{ "check",		no_argument,	   NULL, OPT_CHECK },
		{ "user-number",	required_argument, NULL,
		    OPT_USER_NUMBER },
		{ "sign-pin-env",	required_argument, NULL,
		    OPT_SIGN_PIN_ENV },
		{ "timeout",		required_argument, NULL, OPT_TIMEOUT },
		{ "retries",		required_argument, NULL, OPT_RETRIES },
		{ "max-response",	required_argument, NULL,
		    OPT_MAX_RESPONSE },
		{ NULL,			0,		   NULL, 0 },
	};
	static const char *cmds[] = { "register", "login", "push", "status",
	    "history", "link", "disclosures", "revoke", "flush" };
	jpki_platform_t		*p = NULL;
	jpki_platform_result_t	 res = { .size = sizeof(res) };
	pf_opts_t		 o;
	const char		*cmd, *arg = NULL;
	size_t			 i;
	int			 r, ex;

	memset(&o, 0, sizeof(o));
	JPKI_INIT(&res);
	o.retries = -1;
	cli->groups = CLI_O_CARD | CLI_O_PIN;
	if ((r = cli_parse(cli, argc, argv, "", extra, pf_opt, &o,
	    usage)) != 0)
		return r == 1 ? EX_JPKI_OK : EX_JPKI_USAGE;
	if (optind >= argc) {
		cli_usage_error(usage, "which platform command?");
		return EX_JPKI_USAGE;
	}
	cmd = argv[optind];
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(cmd, cmds[i]) == 0)
			break;
	if (i == sizeof(cmds) / sizeof(cmds[0])) {
		cli_usage_error(usage, "unknown platform command '%s'", cmd);
		return EX_JPKI_USAGE;
	}
	if (strcmp(cmd, "link") == 0) {
		if (optind + 2 != argc) {
			cli_usage_error(usage, "link needs SERVICE_ID");
			return EX_JPKI_USAGE;
		}
		arg = argv[optind + 1];
	} else if (optind + 1 != argc) {
		cli_usage_error(usage, "unexpected '%s'", argv[optind + 1]);
		return EX_JPKI_USAGE;
	}
	if ((ex = setup(cli, &o, &p)) == EX_JPKI_OK)
		ex = run(cli, cmd, arg, &o, p, &res);
	if (cli->stats) {
		jpki_stats_t st = { .size = sizeof(st) };

		JPKI_INIT(&st);
		if (cli->card != NULL)
			jpki_card_stats(cli->card, &st);
		/* at the platform's answer; cli_close adds the logout */
		fprintf(stderr, "stats: %u HTTP requests, %lu APDUs until the "
		    "answer\n", res.requests, st.apdus);
	}
	jpki_platform_result_clear(&res);
	jpki_platform_free(&p);
	cli_close(cli);
	return ex;
}
