/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * jpki verify cert FILE|auth|sign, jpki verify --cms SIG --in FILE: chain
 * verification (jpki-card.md §9) against the bundled J-LIS roots plus the
 * --ca anchors, and revocation status (§9.4) by OCSP or CRL.  A CA
 * certificate read from the card is never an anchor: it may only serve as
 * the issuer for the revocation request once it verified as an anchor
 * itself.  Also the helpers that cert, sign and text share with it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jpki/platform.h>

#include "cli.h"

static const char usage[] =
"usage: jpki verify cert FILE|auth|sign [--ca FILE]... [--ocsp URL|--crl FILE]\n"
"                 [--tls-ca FILE] [--at TIME] [--production-only] [--json]\n"
"       jpki verify --cms SIG --in FILE [--ca FILE]... [--ocsp URL|--crl FILE]\n"
"                 [--tls-ca FILE] [--at TIME] [--production-only] [--json]\n"
"                 [--reader NAME|INDEX] [--wait SECONDS]\n"
"                 [--pin-fd N|--pin-env VAR] [--force-last-try]\n"
"\n"
"Verify a certificate, from a file (DER or PEM) or the card ('auth', or\n"
"'sign' after the signature password), or a detached CMS signature made by\n"
"'jpki sign --cms':\n"
"  chain       signatures up to a trust anchor, validity, key usage and\n"
"              policy: \"chain: ok (JPKI)\" or \"chain: FAILED: <reason>\"\n"
"  revocation  with --ocsp or --crl: good, revoked (reason, time) or\n"
"              unknown, and where the answer came from\n"
"\n"
"  --ca FILE          add the certificates of FILE (PEM or DER) as trust\n"
"                     anchors, besides the bundled J-LIS roots; repeatable.\n"
"                     The CA certificate on the card is never trusted.\n"
"  --ocsp URL         ask this OCSP responder (http:// or https://)\n"
"  --tls-ca FILE      an https:// --ocsp responder's TLS certificate must\n"
"                     chain to the CA certificates of FILE (PEM), not to the\n"
"                     system store (a responder with a private CA)\n"
"  --crl FILE         use this CRL (DER or PEM), signed by the issuer\n"
"  --at TIME          verify as of TIME: RFC 3339 (2026-04-01T09:00:00+09:00)\n"
"                     or unix seconds; default now\n"
"  --production-only  the chain must end in a production J-LIS root\n"
"  --cms SIG          the detached CMS (DER) to verify ...\n"
"  -i, --in FILE      ... over the content of FILE\n"
"  -j, --json         machine-readable result\n"
"\n"
"The revocation issuer is the --ca certificate (or the card's CA\n"
"certificate, only when it is itself a trust anchor) that issued it.\n"
"Exit status 8 when the chain or signature does not verify, the\n"
"certificate is revoked, or its status is unknown with --ocsp/--crl.\n"
"\n"
"Examples:\n"
"  jpki verify cert auth --ocsp http://127.0.0.1:8080/jlis/v1/ocsp\n"
"  jpki verify cert sign.pem --ca sign-ca.pem --crl sign.crl\n"
"  jpki verify --cms doc.p7s --in doc.pdf --ca sign-ca.pem\n"
"\n";

/* caps on what is read into memory */
#define CMS_MAX		(1024 * 1024)
#define CONTENT_MAX	(256L * 1024 * 1024)

enum {
	OPT_CA = OPT_CMD, OPT_OCSP, OPT_CRL, OPT_AT, OPT_PROD, OPT_CMS,
	OPT_TLS_CA
};

typedef struct {
	cli_ca_t	 ca;
	const char	*ocsp;
	const char	*crl;
	const char	*tls_ca;
	const char	*at_s;
	long long	 at;
	int		 prod;
	const char	*cms;
	const char	*in;
} verify_opts_t;

int
cli_ca_add(cli_ca_t *ca, const char *path, const char *use)
{
	if (ca->n >= CLI_MAX_CA) {
		cli_usage_error(use, "at most %d --ca files", CLI_MAX_CA);
		return -1;
	}
	ca->path[ca->n++] = path;
	return 0;
}

int
cli_verifier(const cli_ca_t *ca, int production_only, long long at,
    jpki_verify_t **v)
{
	size_t	i;
	int	r;

	*v = NULL;
	r = jpki_verify_new(v, production_only ?
	    JPKI_VERIFY_PRODUCTION_ONLY : 0);
	if (r == JPKI_ERR_IO && !production_only) {
		/* not installed: only --ca is trusted, and chains say so */
		cli_warnx("the bundled J-LIS roots were not found (set "
		    "JPKI_ROOTS_DIR); only --ca anchors are trusted");
		r = jpki_verify_new(v, JPKI_VERIFY_NO_BUNDLED_ROOTS);
	}
	if (r != JPKI_OK)
		return cli_fail(NULL, r, "loading the bundled J-LIS roots");
	for (i = 0; i < ca->n; i++) {
		r = jpki_verify_add_anchor_file(*v, ca->path[i]);
		if (r != JPKI_OK) {
			jpki_verify_free(v);
			return cli_fail(NULL, r, ca->path[i]);
		}
	}
	jpki_verify_set_time(*v, at);
	return EX_JPKI_OK;
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

static int
num(const char *s, size_t n)
{
	int	v = 0;
	size_t	i;

	for (i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM), or decimal seconds. */
int
cli_parse_time(const char *s, long long *at)
{
	struct tm	 tm;
	const char	*p;
	char		*end;
	long long	 off = 0, v;
	time_t		 t;
	size_t		 n = strlen(s);

	if (n > 0 && n <= 18 && digits(s, n)) {
		errno = 0;
		v = strtoll(s, &end, 10);
		if (errno != 0 || *end != '\0')
			return -1;
		*at = v;
		return 0;
	}
	if (n < 20 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) ||
	    s[7] != '-' || !digits(s + 8, 2) ||
	    (s[10] != 'T' && s[10] != 't') || !digits(s + 11, 2) ||
	    s[13] != ':' || !digits(s + 14, 2) || s[16] != ':' ||
	    !digits(s + 17, 2))
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = num(s, 4) - 1900;
	tm.tm_mon = num(s + 5, 2) - 1;
	tm.tm_mday = num(s + 8, 2);
	tm.tm_hour = num(s + 11, 2);
	tm.tm_min = num(s + 14, 2);
	tm.tm_sec = num(s + 17, 2);
	if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 ||
	    tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
	    tm.tm_sec > 60)
		return -1;
	p = s + 19;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
		off = 0;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 &&
	    digits(p + 1, 2) && p[3] == ':' && digits(p + 4, 2) &&
	    num(p + 1, 2) <= 23 && num(p + 4, 2) <= 59) {
		off = (long long)num(p + 1, 2) * 3600 + num(p + 4, 2) * 60;
		if (*p == '-')
			off = -off;
	} else {
		return -1;
	}
	if ((t = timegm(&tm)) == (time_t)-1)
		return -1;
	*at = (long long)t - off;
	return 0;
}

int
cli_read_file(const char *path, size_t max, uint8_t **out, size_t *out_len)
{
	uint8_t	*p = NULL, *np;
	size_t	 cap = 0, n = 0;
	ssize_t	 k;
	int	 fd, ex = EX_JPKI_ERROR;

	*out = NULL;
	*out_len = 0;
	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		cli_warnx("%s: %s", path, strerror(errno));
		return EX_JPKI_ERROR;
	}
	for (;;) {
		if (n == cap) {
			if (cap >= max) {
				cli_warnx("%s: larger than %zu bytes", path,
				    max);
				goto out;
			}
			cap = cap == 0 ? 65536 : cap * 2;
			if (cap > max)
				cap = max;
			if ((np = realloc(p, cap)) == NULL) {
				cli_warnx("%s: out of memory", path);
				goto out;
			}
			p = np;
		}
		k = read(fd, p + n, cap - n);
		if (k == -1 && errno == EINTR)
			continue;
		if (k == -1) {
			cli_warnx("%s: %s", path, strerror(errno));
			goto out;
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	*out = p;
	*out_len = n;
	p = NULL;
	ex = EX_JPKI_OK;
out:
	free(p);
	if (fd != STDIN_FILENO)
		close(fd);
	return ex;
}

void
cli_chain_text(FILE *f, const jpki_verify_result_t *res)
{
	if (res->rc == JPKI_OK)
		fprintf(f, "chain: ok (%s)\n",
		    jpki_hierarchy_name(res->hierarchy));
	else
		fprintf(f, "chain: FAILED: %s\n", res->reason);
}

void
cli_chain_json(json_t *j, const jpki_verify_result_t *res)
{
	json_obj_begin(j);
	json_kv_bool(j, "ok", res->rc == JPKI_OK);
	json_kv_str(j, "hierarchy", res->rc == JPKI_OK ?
	    jpki_hierarchy_name(res->hierarchy) : NULL);
	json_kv_str(j, "anchor", res->anchor[0] != '\0' ? res->anchor : NULL);
	json_kv_str(j, "checked_as", jpki_cert_type_name(res->type));
	json_kv_str(j, "reason", res->reason);
	json_obj_end(j);
}

static const char *
rev_status(const jpki_rev_result_t *rr)
{
	switch (rr->status) {
	case JPKI_REV_GOOD:
		return "good";
	case JPKI_REV_REVOKED:
		return "revoked";
	default:
		return "unknown";
	}
}

static void
rev_text(FILE *f, const jpki_rev_result_t *rr)
{
	const char *src = rr->source[0] != '\0' ? rr->source : "none";

	switch (rr->status) {
	case JPKI_REV_GOOD:
		fprintf(f, "revocation: good (%s)\n", src);
		break;
	case JPKI_REV_REVOKED:
		fprintf(f, "revocation: revoked (%s, %s) (%s)\n",
		    rr->reason_name != NULL ? rr->reason_name : "unspecified",
		    rr->revoked_at_str, src);
		break;
	default:
		fprintf(f, "revocation: unknown (%s) (%s)\n",
		    rr->detail[0] != '\0' ? rr->detail : "no answer", src);
		break;
	}
}

static void
rev_json(json_t *j, const jpki_rev_result_t *rr)
{
	json_obj_begin(j);
	json_kv_str(j, "status", rev_status(rr));
	json_kv_str(j, "reason", rr->status == JPKI_REV_REVOKED ?
	    (rr->reason_name != NULL ? rr->reason_name : "unspecified") :
	    NULL);
	json_kv_str(j, "revoked_at", rr->status == JPKI_REV_REVOKED ?
	    rr->revoked_at_str : NULL);
	json_kv_str(j, "source", rr->source[0] != '\0' ? rr->source : NULL);
	json_kv_str(j, "detail", rr->detail[0] != '\0' ? rr->detail : NULL);
	json_obj_end(j);
}

static int
verify_opt(void *ctx, int id, const char *arg)
{
	verify_opts_t *o = ctx;

	switch (id) {
	case OPT_CA:
		return cli_ca_add(&o->ca, arg, usage);
	case OPT_OCSP:
		o->ocsp = arg;
		return 0;
	case OPT_CRL:
		o->crl = arg;
		return 0;
	case OPT_TLS_CA:
		o->tls_ca = arg;
		return 0;
	case OPT_AT:
		if (cli_parse_time(arg, &o->at) != 0) {
			cli_usage_error(usage, "--at: not RFC 3339 or unix "
			    "seconds: '%s'", arg);
			return -1;
		}
		o->at_s = arg;
		return 0;
	case OPT_PROD:
		o->prod = 1;
		return 0;
	case OPT_CMS:
		o->cms = arg;
		return 0;
	case 'i':
		o->in = arg;
		return 0;
	default:
		return -1;
	}
}

/* A revocation context for --ocsp / --crl, or NULL when neither. */
static int
rev_setup(const verify_opts_t *o, jpki_rev_t **rv)
{
	int r;

	*rv = NULL;
	if (o->ocsp == NULL && o->crl == NULL)
		return EX_JPKI_OK;
	if ((r = jpki_rev_new(rv)) != JPKI_OK)
		return cli_fail(NULL, r, "revocation");
	/* the OCSP URL over libjpki-platform's HTTP transfer */
	(void)jpki_rev_use_http(*rv);
	if (o->ocsp != NULL && (r = jpki_rev_set_ocsp_url(*rv, o->ocsp)) !=
	    JPKI_OK) {
		jpki_rev_free(rv);
		return cli_fail(NULL, r, o->ocsp);
	}
	if (o->crl != NULL && (r = jpki_rev_set_crl_file(*rv, o->crl)) !=
	    JPKI_OK) {
		jpki_rev_free(rv);
		return cli_fail(NULL, r, o->crl);
	}
	if (o->tls_ca != NULL && (r = jpki_rev_set_tls_ca(*rv, o->tls_ca)) !=
	    JPKI_OK) {
		jpki_rev_free(rv);
		return cli_fail(NULL, r, o->tls_ca);
	}
	jpki_rev_set_time(*rv, o->at);
	return EX_JPKI_OK;
}

/*
 * The issuer of c for the revocation request: an anchor given with --ca,
 * or the card's CA certificate only when it verifies as an anchor by
 * itself (a chain of one); NULL when none.  *owned gets what to free.
 */
static const jpki_cert_t *
find_issuer(const verify_opts_t *o, const jpki_verify_t *v,
    const jpki_cert_t *c, const jpki_cert_t *card_ca, jpki_cert_t **owned)
{
	jpki_cert_t	*cand = NULL;
	size_t		 i;

	*owned = NULL;
	for (i = 0; i < o->ca.n; i++) {
		if (jpki_cert_new_file(&cand, o->ca.path[i]) != JPKI_OK)
			continue;
		if (strcmp(jpki_cert_subject(cand), jpki_cert_issuer(c)) == 0 &&
		    jpki_cert_verify(v, cand, NULL) == JPKI_OK) {
			*owned = cand;
			return cand;
		}
		jpki_cert_free(&cand);
	}
	if (card_ca != NULL &&
	    strcmp(jpki_cert_subject(card_ca), jpki_cert_issuer(c)) == 0 &&
	    jpki_cert_verify(v, card_ca, NULL) == JPKI_OK)
		return card_ca;
	return NULL;
}

/* Read the certificate to verify: a card kind or a file. */
static int
load_cert(cli_t *cli, const char *what, jpki_cert_t **c, jpki_cert_t **ca)
{
	jpki_cert_kind_t kind, cakind;
	uint8_t		*der = NULL;
	size_t		 len = 0;
	int		 r, ex;

	*c = NULL;
	*ca = NULL;
	if (strcmp(what, "auth") == 0) {
		kind = JPKI_CERT_AUTH;
		cakind = JPKI_CERT_AUTH_CA;
	} else if (strcmp(what, "sign") == 0) {
		kind = JPKI_CERT_SIGN;
		cakind = JPKI_CERT_SIGN_CA;
	} else {
		if ((r = jpki_cert_new_file(c, what)) != JPKI_OK)
			return cli_fail(cli, r, what);
		return EX_JPKI_OK;
	}
	if ((ex = cli_open(cli, 0)) != EX_JPKI_OK)
		return ex;
	if (kind == JPKI_CERT_SIGN &&
	    ((ex = cli_need_sign_cert(cli)) != EX_JPKI_OK ||
	    (ex = cli_pin_verify(cli, JPKI_PIN_SIGN)) != EX_JPKI_OK))
		return ex;
	if ((r = jpki_card_read_cert(cli->card, kind, &der, &len)) !=
	    JPKI_OK)
		return cli_fail(cli, r, "reading the certificate");
	r = jpki_cert_new(c, der, len);
	/* the sign certificate is personal data */
	jpki_free_secret(der, len);
	der = NULL;
	if (r != JPKI_OK)
		return cli_fail(cli, r, "parsing the certificate");
	/* for the revocation request only, see find_issuer() */
	if (jpki_card_read_cert(cli->card, cakind, &der, &len) == JPKI_OK) {
		(void)jpki_cert_new(ca, der, len);
		jpki_free(der);
	}
	return EX_JPKI_OK;
}

static int
verify_cert(cli_t *cli, const verify_opts_t *o, const char *what)
{
	jpki_verify_t		*v = NULL;
	jpki_rev_t		*rv = NULL;
	jpki_cert_t		*c = NULL, *card_ca = NULL, *owned = NULL;
	const jpki_cert_t	*issuer;
	jpki_verify_result_t	 res = { .size = sizeof(res) };
	jpki_rev_result_t	 rr = { .size = sizeof(rr) };
	json_t			 j;
	int			 ex, checked = 0;

	JPKI_INIT(&res);
	JPKI_INIT(&rr);
	if ((ex = cli_verifier(&o->ca, o->prod, o->at, &v)) != EX_JPKI_OK ||
	    (ex = rev_setup(o, &rv)) != EX_JPKI_OK)
		goto out;
	if ((ex = load_cert(cli, what, &c, &card_ca)) != EX_JPKI_OK)
		goto out;
	/* the card is not needed for the network part */
	cli_close(cli);
	(void)jpki_cert_verify(v, c, &res);
	if (rv != NULL) {
		checked = 1;
		issuer = find_issuer(o, v, c, card_ca, &owned);
		if (issuer == NULL) {
			rr.status = JPKI_REV_UNKNOWN;
			rr.reason = -1;
			snprintf(rr.detail, sizeof(rr.detail), "the issuer "
			    "certificate is not a trust anchor: give it with "
			    "--ca FILE");
		} else {
			(void)jpki_rev_check(rv, c, issuer, &rr);
		}
	}
	if (cli->json) {
		json_init(&j, stdout);
		json_obj_begin(&j);
		json_key(&j, "certificate");
		json_obj_begin(&j);
		json_kv_str(&j, "source", what);
		json_kv_str(&j, "type", jpki_cert_type_name(jpki_cert_type(c)));
		json_kv_str(&j, "issuance_number", jpki_cert_serial_hex(c));
		json_kv_str(&j, "subject", jpki_cert_subject(c));
		json_kv_str(&j, "issuer", jpki_cert_issuer(c));
		json_kv_str(&j, "not_after", jpki_cert_not_after_str(c));
		json_obj_end(&j);
		json_key(&j, "verification");
		cli_chain_json(&j, &res);
		json_key(&j, "revocation");
		if (checked)
			rev_json(&j, &rr);
		else
			json_null(&j);
		json_obj_end(&j);
		if (json_end(&j) != 0) {
			ex = EX_JPKI_ERROR;
			goto out;
		}
	} else {
		printf("certificate: %s, issuance number %s\n",
		    jpki_cert_type_name(jpki_cert_type(c)),
		    jpki_cert_serial_hex(c));
		printf("subject: %s\n", jpki_cert_subject(c));
		if (o->at_s != NULL)
			printf("at: %s\n", o->at_s);
		cli_chain_text(stdout, &res);
		if (checked)
			rev_text(stdout, &rr);
	}
	if ((ex = cli_out_close(stdout, NULL)) != EX_JPKI_OK)
		goto out;
	if (res.rc != JPKI_OK ||
	    (checked && rr.status != JPKI_REV_GOOD))
		ex = EX_JPKI_VERIFY;
out:
	jpki_cert_free(&owned);
	jpki_cert_free(&card_ca);
	jpki_cert_free(&c);
	jpki_rev_free(&rv);
	jpki_verify_free(&v);
	cli_close(cli);
	return ex;
}

static int
verify_cms(cli_t *cli, const verify_opts_t *o)
{
	jpki_verify_t			*v = NULL;
	jpki_rev_t			*rv = NULL;
	jpki_cms_verify_result_t	 res = { .size = sizeof(res) };
	jpki_verify_result_t		 chain = { .size = sizeof(chain) };
	jpki_rev_result_t		 rev = { .size = sizeof(rev) };
	uint8_t				*cms = NULL, *data = NULL;
	size_t				 cms_len = 0, len = 0;
	json_t				 j;
	char				 when[32];
	struct tm			 tm;
	time_t				 t;
	int				 ex, r;

	JPKI_INIT(&res);
	res.chain = &chain;
	res.revocation = &rev;
	when[0] = '\0';
	if ((ex = cli_verifier(&o->ca, o->prod, o->at, &v)) != EX_JPKI_OK ||
	    (ex = rev_setup(o, &rv)) != EX_JPKI_OK)
		goto out;
	if ((ex = cli_read_file(o->cms, CMS_MAX, &cms, &cms_len)) !=
	    EX_JPKI_OK ||
	    (ex = cli_read_file(o->in, (size_t)CONTENT_MAX, &data, &len)) !=
	    EX_JPKI_OK)
		goto out;
	r = jpki_cms_verify(cms, cms_len, data, len, v, rv, &res);
	if (r == JPKI_ERR_NOMEM || r == JPKI_ERR_ARG) {
		ex = cli_fail(cli, r, "verifying the signature");
		goto out;
	}
	if (res.signing_time != 0) {
		t = (time_t)res.signing_time;
		if (gmtime_r(&t, &tm) != NULL)
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ",
			    &tm);
	}
	if (cli->json) {
		json_init(&j, stdout);
		json_obj_begin(&j);
		json_kv_bool(&j, "valid", r == JPKI_OK);
		json_kv_str(&j, "reason", res.reason);
		json_kv_str(&j, "signer_subject", res.signer_subject[0] !=
		    '\0' ? res.signer_subject : NULL);
		json_kv_str(&j, "signer_issuance_number",
		    res.signer_serial_hex[0] != '\0' ? res.signer_serial_hex :
		    NULL);
		json_kv_str(&j, "signing_time", when[0] != '\0' ? when :
		    NULL);
		json_key(&j, "verification");
		cli_chain_json(&j, &chain);
		json_key(&j, "revocation");
		if (res.revocation_checked)
			rev_json(&j, &rev);
		else
			json_null(&j);
		json_obj_end(&j);
		if (json_end(&j) != 0) {
			ex = EX_JPKI_ERROR;
			goto out;
		}
	} else {
		if (r == JPKI_OK)
			printf("signature: ok\n");
		else
			printf("signature: FAILED: %s\n", res.reason);
		if (res.signer_subject[0] != '\0')
			printf("signer: %s, issuance number %s\n",
			    res.signer_subject, res.signer_serial_hex);
		if (when[0] != '\0')
			printf("signing time: %s\n", when);
		/* the chain is checked only after the signature verified */
		if (chain.reason[0] != '\0')
			cli_chain_text(stdout, &chain);
		if (res.revocation_checked)
			rev_text(stdout, &rev);
	}
	if ((ex = cli_out_close(stdout, NULL)) != EX_JPKI_OK)
		goto out;
	if (r != JPKI_OK)
		ex = EX_JPKI_VERIFY;
out:
	/* the CMS carries the signer's certificate */
	jpki_free_secret(cms, cms_len);
	free(data);
	jpki_rev_free(&rv);
	jpki_verify_free(&v);
	cli_close(cli);
	return ex;
}

int
cmd_verify(cli_t *cli, int argc, char **argv)
{
	static const struct option extra[] = {
		{ "ca",		 required_argument,	NULL, OPT_CA },
		{ "ocsp",	 required_argument,	NULL, OPT_OCSP },
		{ "crl",	 required_argument,	NULL, OPT_CRL },
		{ "tls-ca",	 required_argument,	NULL, OPT_TLS_CA },
		{ "at",		 required_argument,	NULL, OPT_AT },
		{ "production-only", no_argument,	NULL, OPT_PROD },
		{ "cms",	 required_argument,	NULL, OPT_CMS },
		{ "in",		 required_argument,	NULL, 'i' },
		{ NULL,		 0,			NULL, 0 },
	};
	verify_opts_t	o;
	int		r;

	memset(&o, 0, sizeof(o));
	cli->groups = CLI_O_CARD | CLI_O_PIN;
	if ((r = cli_parse(cli, argc, argv, "i:", extra, verify_opt, &o,
	    usage)) != 0)
		return r == 1 ? EX_JPKI_OK : EX_JPKI_USAGE;
	if (o.ocsp != NULL && o.crl != NULL) {
		cli_usage_error(usage, "--ocsp or --crl, not both");
		return EX_JPKI_USAGE;
	}
	/* --crl is a file: the TLS CA would be silently unused */
	if (o.tls_ca != NULL && o.ocsp == NULL) {
		cli_usage_error(usage, "--tls-ca goes with --ocsp");
		return EX_JPKI_USAGE;
	}
	if (o.tls_ca != NULL && access(o.tls_ca, R_OK) != 0) {
		cli_usage_error(usage, "--tls-ca: cannot read '%s'", o.tls_ca);
		return EX_JPKI_USAGE;
	}
	if (o.cms != NULL) {
		if (optind != argc || o.in == NULL) {
			cli_usage_error(usage, "--cms SIG needs --in FILE "
			    "and no other operand");
			return EX_JPKI_USAGE;
		}
		return verify_cms(cli, &o);
	}
	if (o.in != NULL) {
		cli_usage_error(usage, "--in goes with --cms");
		return EX_JPKI_USAGE;
	}
	if (optind + 2 != argc || strcmp(argv[optind], "cert") != 0) {
		cli_usage_error(usage, "verify: 'cert FILE|auth|sign' or "
		    "'--cms SIG --in FILE'");
		return EX_JPKI_USAGE;
	}
	return verify_cert(cli, &o, argv[optind + 1]);
}
