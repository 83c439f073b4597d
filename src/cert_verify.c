/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Chain verification for JPKI certificates (jpki-card.md §9).  OpenSSL
 * builds the chain and checks the signatures; the JPKI rules are checked
 * here so that every failure gets its own code and a readable reason:
 * validity with inclusive bounds (notAfter is 23:59:59 JST, §9.2), CA
 * flags, key usage and the policy OID of the purpose.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <jpki/cert.h>

#include "abi.h"
#include "cert_int.h"
#include "log.h"

#ifndef JPKI_ROOTS_DIR
#define JPKI_ROOTS_DIR	"/usr/local/share/jpki/roots"
#endif

/* Caps: a roots directory holds a handful of files. */
#define MAX_ANCHORS	64
#define MAX_PEM_FILE	(256 * 1024)

struct jpki_verify {
	STACK_OF(X509)	*anchors;
	STACK_OF(X509)	*bundled;	/* subset of anchors */
	unsigned	 flags;
	long long	 at;
	jpki_purpose_t	 purpose;
};

static int
add_x509(jpki_verify_t *v, X509 *x, int bundled)
{
	int r = JPKI_ERR_CERT_NOT_CA;

	/* An anchor must be able to issue (§9.1: CA:TRUE, keyCertSign). */
	if (X509_check_ca(x) == 0) {
		log_debug("%s: not a CA certificate", __func__);
		goto out;
	}
	r = JPKI_ERR_TOO_LARGE;
	if (sk_X509_num(v->anchors) >= MAX_ANCHORS)
		goto out;
	r = JPKI_ERR_NOMEM;
	if (!X509_up_ref(x))
		goto out;
	if (sk_X509_push(v->anchors, x) <= 0) {
		X509_free(x);
		goto out;
	}
	if (bundled) {
		if (!X509_up_ref(x))
			goto out;
		if (sk_X509_push(v->bundled, x) <= 0) {
			X509_free(x);
			goto out;
		}
	}
	r = JPKI_OK;
out:
	return r;
}

int
jpki_verify_add_anchor(jpki_verify_t *v, const jpki_cert_t *ca)
{
	if (v == NULL || ca == NULL)
		return JPKI_ERR_ARG;
	return add_x509(v, ca->x, 0);
}

static int
add_file(jpki_verify_t *v, const char *path, int bundled)
{
	BIO *b = NULL;
	X509 *x = NULL;
	int n = 0, r = JPKI_ERR_IO;

	if ((b = BIO_new_file(path, "rb")) == NULL) {
		log_debug("%s: cannot open %s", __func__, path);
		goto out;
	}
	r = JPKI_ERR_PARSE;
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		if ((r = add_x509(v, x, bundled)) != JPKI_OK)
			goto out;
		X509_free(x);
		x = NULL;
		n++;
	}
	if (n == 0) {
		/* not PEM: one DER certificate */
		if (BIO_reset(b) < 0 || (x = d2i_X509_bio(b, NULL)) == NULL) {
			log_debug("%s: no certificate in %s", __func__, path);
			r = JPKI_ERR_PARSE;
			goto out;
		}
		if ((r = add_x509(v, x, bundled)) != JPKI_OK)
			goto out;
	}
	r = JPKI_OK;
out:
	ERR_clear_error();
	X509_free(x);
	BIO_free(b);
	return r;
}

int
jpki_verify_add_anchor_file(jpki_verify_t *v, const char *path)
{
	if (v == NULL || path == NULL)
		return JPKI_ERR_ARG;
	return add_file(v, path, 0);
}

static int
has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a > b && strcmp(s + a - b, suf) == 0;
}

static int
add_dir(jpki_verify_t *v, const char *dir, int bundled)
{
	DIR *d = NULL;
	struct dirent *e;
	char p[4096];
	int n = 0, r = JPKI_ERR_IO;

	if ((d = opendir(dir)) == NULL) {
		log_debug("%s: cannot open %s", __func__, dir);
		goto out;
	}
	while ((e = readdir(d)) != NULL) {
		if (!has_suffix(e->d_name, ".pem") &&
		    !has_suffix(e->d_name, ".der") &&
		    !has_suffix(e->d_name, ".crt"))
			continue;
		if ((size_t)snprintf(p, sizeof(p), "%s/%s", dir,
		    e->d_name) >= sizeof(p))
			continue;
		if ((r = add_file(v, p, bundled)) != JPKI_OK)
			goto out;
		n++;
	}
	r = n > 0 ? JPKI_OK : JPKI_ERR_IO;
out:
	if (d != NULL)
		closedir(d);
	return r;
}

int
jpki_verify_add_anchor_dir(jpki_verify_t *v, const char *dir)
{
	if (v == NULL || dir == NULL)
		return JPKI_ERR_ARG;
	return add_dir(v, dir, 0);
}

/*
 * Where the bundled roots are: $JPKI_ROOTS_DIR, else the installed
 * directory, else share/jpki/roots beside the lib/ directory this library
 * was loaded from (the build tree has the installed layout).  Only
 * secure_getenv(): inside a set-user-ID program (su through pam_jpki) the
 * caller must not choose the trust anchors.
 */
static int
add_bundled(jpki_verify_t *v)
{
	Dl_info info;
	const char *dir;
	char lib[4096], alt[4200];
	int r;

	if ((dir = secure_getenv("JPKI_ROOTS_DIR")) != NULL && *dir != '\0')
		return add_dir(v, dir, 1);
	if ((r = add_dir(v, JPKI_ROOTS_DIR, 1)) != JPKI_ERR_IO)
		return r;
	memset(&info, 0, sizeof(info));
	if (dladdr((void *)(uintptr_t)add_bundled, &info) == 0 ||
	    info.dli_fname == NULL || strlen(info.dli_fname) >= sizeof(lib))
		return r;
	snprintf(lib, sizeof(lib), "%s", info.dli_fname);
	snprintf(alt, sizeof(alt), "%s/../share/jpki/roots", dirname(lib));
	log_debug("%s: %s missing, trying %s", __func__, JPKI_ROOTS_DIR, alt);
	return add_dir(v, alt, 1);
}

int
jpki_verify_new(jpki_verify_t **vp, unsigned flags)
{
	jpki_verify_t *v = NULL;
	int r = JPKI_ERR_ARG;

	if (vp == NULL)
		goto out;
	*vp = NULL;
	r = JPKI_ERR_NOMEM;
	if ((v = calloc(1, sizeof(*v))) == NULL ||
	    (v->anchors = sk_X509_new_null()) == NULL ||
	    (v->bundled = sk_X509_new_null()) == NULL)
		goto out;
	v->flags = flags;
	if ((flags & JPKI_VERIFY_NO_BUNDLED_ROOTS) == 0 &&
	    (r = add_bundled(v)) != JPKI_OK) {
		log_debug("%s: no bundled roots: %d", __func__, r);
		goto out;
	}
	*vp = v;
	v = NULL;
	r = JPKI_OK;
out:
	jpki_verify_free(&v);
	return r;
}

void
jpki_verify_free(jpki_verify_t **vp)
{
	jpki_verify_t *v;

	if (vp == NULL || (v = *vp) == NULL)
		return;
	sk_X509_pop_free(v->anchors, X509_free);
	sk_X509_pop_free(v->bundled, X509_free);
	free(v);
	*vp = NULL;
}

int
jpki_verify_set_time(jpki_verify_t *v, long long at)
{
	if (v == NULL || at < 0)
		return JPKI_ERR_ARG;
	v->at = at;
	return JPKI_OK;
}

int
jpki_verify_set_purpose(jpki_verify_t *v, jpki_purpose_t p)
{
	if (v == NULL || (p != JPKI_PURPOSE_ANY && p != JPKI_PURPOSE_AUTH &&
	    p != JPKI_PURPOSE_SIGN))
		return JPKI_ERR_ARG;
	v->purpose = p;
	return JPKI_OK;
}

/* Short name for reasons: the CN, else the last OU, else the one-line DN. */
static void
who(const X509 *x, char *buf, size_t len)
{
	const X509_NAME *n = X509_get_subject_name(x);

	if (X509_NAME_get_text_by_NID(n, NID_commonName, buf,
	    (int)len) > 0)
		return;
	if (X509_NAME_get_text_by_NID(n, NID_organizationalUnitName, buf,
	    (int)len) > 0)
		return;
	X509_NAME_oneline(n, buf, (int)len);
}

static int
map_x509_error(int e)
{
	switch (e) {
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_CERT_UNTRUSTED:
	case X509_V_ERR_CERT_REJECTED:
		return JPKI_ERR_CERT_UNTRUSTED;
	case X509_V_ERR_CERT_SIGNATURE_FAILURE:
	case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
	case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
		return JPKI_ERR_CERT_SIGNATURE;
	case X509_V_ERR_INVALID_CA:
	case X509_V_ERR_PATH_LENGTH_EXCEEDED:
		return JPKI_ERR_CERT_NOT_CA;
	case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
		return JPKI_ERR_CERT_KEY_USAGE;
	case X509_V_ERR_CERT_HAS_EXPIRED:
		return JPKI_ERR_CERT_EXPIRED;
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return JPKI_ERR_CERT_NOT_YET_VALID;
	default:
		return JPKI_ERR_CERT_INVALID;
	}
}

/* Inclusive validity check of one chain element (RFC 5280 4.1.2.5). */
static int
check_time(const X509 *x, int depth, long long at, char *reason, size_t len)
{
	long long nb, na;
	char w[128], t[32];
	int r = JPKI_ERR_CERT_INVALID;

	who(x, w, sizeof(w));
	if (cert_time_to_unix(X509_get0_notBefore(x), &nb) != JPKI_OK ||
	    cert_time_to_unix(X509_get0_notAfter(x), &na) != JPKI_OK) {
		snprintf(reason, len, "%s (depth %d): unreadable validity",
		    w, depth);
		goto out;
	}
	if (at < nb) {
		cert_format_jst(nb, t, sizeof(t));
		snprintf(reason, len, "%s (depth %d) is not valid before %s",
		    w, depth, t);
		r = JPKI_ERR_CERT_NOT_YET_VALID;
		goto out;
	}
	if (at > na) {
		cert_format_jst(na, t, sizeof(t));
		snprintf(reason, len, "%s (depth %d) expired at %s", w,
		    depth, t);
		r = JPKI_ERR_CERT_EXPIRED;
		goto out;
	}
	r = JPKI_OK;
out:
	return r;
}

static int
check_issuer_flags(X509 *x, int depth, char *reason, size_t len)
{
	uint32_t fl = X509_get_extension_flags(x);
	char w[128];
	int r = JPKI_ERR_CERT_NOT_CA;

	who(x, w, sizeof(w));
	/* §9.1: BasicConstraints critical CA:TRUE on every JPKI CA. */
	if ((fl & EXFLAG_BCONS) == 0 || (fl & EXFLAG_CA) == 0) {
		snprintf(reason, len, "%s (depth %d) is not a CA "
		    "(basicConstraints CA:TRUE missing)", w, depth);
		goto out;
	}
	r = JPKI_ERR_CERT_KEY_USAGE;
	if ((fl & EXFLAG_KUSAGE) != 0 &&
	    (X509_get_key_usage(x) & KU_KEY_CERT_SIGN) == 0) {
		snprintf(reason, len, "%s (depth %d) key usage lacks "
		    "keyCertSign", w, depth);
		goto out;
	}
	r = JPKI_OK;
out:
	return r;
}

/* Key usage and policy of the certificate itself for the purpose. */
static int
check_leaf(const jpki_verify_t *v, const jpki_cert_t *c,
    jpki_hierarchy_t hier, jpki_cert_type_t anchor_type,
    jpki_verify_result_t *res)
{
	jpki_purpose_t p = v->purpose;
	const char *pol;
	int r = JPKI_ERR_CERT_INVALID;

	if (c->is_ca) {
		snprintf(res->reason, sizeof(res->reason),
		    "end-entity certificate claims CA:TRUE");
		goto out;
	}
	r = JPKI_ERR_CERT_POLICY;
	if (p == JPKI_PURPOSE_ANY) {
		if (c->type == JPKI_CERT_TYPE_AUTH)
			p = JPKI_PURPOSE_AUTH;
		else if (c->type == JPKI_CERT_TYPE_SIGN)
			p = JPKI_PURPOSE_SIGN;
		else {
			snprintf(res->reason, sizeof(res->reason),
			    "certificate carries no JPKI policy OID that "
			    "matches its issuer");
			goto out;
		}
	}
	if (p == JPKI_PURPOSE_AUTH) {
		res->type = JPKI_CERT_TYPE_AUTH;
		pol = CERT_OID_POLICY_AUTH;
	} else {
		res->type = JPKI_CERT_TYPE_SIGN;
		/* §9.2: the J-LIS test hierarchy has its own sign policy;
		 * production and this project's mock share the real one. */
		pol = hier == JPKI_HIER_TEST ? CERT_OID_POLICY_SIGN_TEST :
		    CERT_OID_POLICY_SIGN;
	}
	if (!cert_has_policy(c, pol)) {
		snprintf(res->reason, sizeof(res->reason), "certificate "
		    "policy %s (%s) missing", pol, p == JPKI_PURPOSE_AUTH ?
		    "user authentication" : "digital signature");
		goto out;
	}
	if ((p == JPKI_PURPOSE_AUTH && anchor_type == JPKI_CERT_TYPE_SIGN_CA) ||
	    (p == JPKI_PURPOSE_SIGN && anchor_type == JPKI_CERT_TYPE_AUTH_CA)) {
		snprintf(res->reason, sizeof(res->reason), "issued by the "
		    "%s CA, not the CA of this purpose",
		    anchor_type == JPKI_CERT_TYPE_SIGN_CA ? "signature" :
		    "authentication");
		goto out;
	}
	r = JPKI_ERR_CERT_KEY_USAGE;
	if (!c->has_key_usage) {
		snprintf(res->reason, sizeof(res->reason),
		    "certificate has no keyUsage extension");
		goto out;
	}
	if (p == JPKI_PURPOSE_AUTH &&
	    (c->key_usage & JPKI_KU_DIGITAL_SIGNATURE) == 0) {
		snprintf(res->reason, sizeof(res->reason),
		    "key usage lacks digitalSignature (authentication)");
		goto out;
	}
	if (p == JPKI_PURPOSE_SIGN && (c->key_usage &
	    (JPKI_KU_DIGITAL_SIGNATURE | JPKI_KU_NON_REPUDIATION)) == 0) {
		snprintf(res->reason, sizeof(res->reason), "key usage lacks "
		    "digitalSignature and nonRepudiation (signature)");
		goto out;
	}
	r = JPKI_OK;
out:
	return r;
}

/*
 * Times are checked after chain building with inclusive bounds; OpenSSL's
 * own test treats notAfter as already expired.  The time is still given
 * to OpenSSL so that, of two roots with the same name (the 2015 and 2023
 * generations), it prefers the one valid at that time.
 */
static int
verify_cb(int ok, X509_STORE_CTX *ctx)
{
	int e = X509_STORE_CTX_get_error(ctx);

	if (!ok && (e == X509_V_ERR_CERT_HAS_EXPIRED ||
	    e == X509_V_ERR_CERT_NOT_YET_VALID))
		ok = 1;
	return ok;
}

/*
 * Why OpenSSL found no issuer: if an anchor has the issuer's name but its
 * key does not verify the signature, say so (a forged or wrong CA).
 */
static int
explain_untrusted(const jpki_verify_t *v, X509 *x, char *reason, size_t len)
{
	X509 *a;
	char w[128], aw[128];
	int i;

	for (i = 0; i < sk_X509_num(v->anchors); i++) {
		a = sk_X509_value(v->anchors, i);
		if (X509_NAME_cmp(X509_get_subject_name(a),
		    X509_get_issuer_name(x)) != 0)
			continue;
		if (X509_verify(x, X509_get0_pubkey(a)) == 1)
			continue;
		who(x, w, sizeof(w));
		who(a, aw, sizeof(aw));
		snprintf(reason, len, "%s: signature does not verify with "
		    "the key of the trusted %s", w, aw);
		return JPKI_ERR_CERT_SIGNATURE;
	}
	return JPKI_ERR_CERT_UNTRUSTED;
}

static int
in_stack(STACK_OF(X509) *sk, const X509 *x)
{
	int i;

	for (i = 0; i < sk_X509_num(sk); i++)
		if (X509_cmp(sk_X509_value(sk, i), x) == 0)
			return 1;
	return 0;
}

static int
verify_anchor(const jpki_cert_t *c, jpki_verify_result_t *res)
{
	char w[128];
	int r = JPKI_ERR_CERT_SIGNATURE;

	if (X509_verify(c->x, X509_get0_pubkey(c->x)) != 1) {
		who(c->x, w, sizeof(w));
		snprintf(res->reason, sizeof(res->reason), "%s: self-signature "
		    "does not verify", w);
		goto out;
	}
	r = JPKI_OK;
out:
	return r;
}

int
jpki_cert_verify(const jpki_verify_t *v, const jpki_cert_t *c,
    jpki_verify_result_t *out)
{
	jpki_verify_result_t res;
	X509_STORE *store = NULL;
	X509_STORE_CTX *ctx = NULL;
	STACK_OF(X509) *chain;
	X509 *top, *x;
	long long at;
	char w[128];
	int i, n, e, depth, r = JPKI_ERR_ARG;

	/* refuse a short result struct before any work */
	if (out != NULL && (r = JPKI_STRUCT_OK(out)) != JPKI_OK)
		return r;
	r = JPKI_ERR_ARG;
	memset(&res, 0, sizeof(res));
	snprintf(res.reason, sizeof(res.reason), "invalid argument");
	if (v == NULL || c == NULL)
		goto out;
	at = v->at != 0 ? v->at : (long long)time(NULL);
	r = JPKI_ERR_NOMEM;
	snprintf(res.reason, sizeof(res.reason), "out of memory");
	if ((store = X509_STORE_new()) == NULL ||
	    (ctx = X509_STORE_CTX_new()) == NULL)
		goto out;
	for (i = 0; i < sk_X509_num(v->anchors); i++)
		if (X509_STORE_add_cert(store, sk_X509_value(v->anchors,
		    i)) != 1)
			goto out;
	if (in_stack(v->anchors, c->x)) {
		/* A root checked against itself (§9.1 self-signed CAs). */
		if ((r = verify_anchor(c, &res)) != JPKI_OK)
			goto out;
		chain = NULL;	/* a chain of one: c itself */
		top = c->x;
		n = 1;
		goto checks;
	}
	if (X509_STORE_CTX_init(ctx, store, c->x, NULL) != 1)
		goto out;
	X509_STORE_CTX_set_verify_cb(ctx, verify_cb);
	X509_STORE_CTX_set_time(ctx, 0, (time_t)at);
	X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_CHECK_SS_SIGNATURE);
	if (X509_verify_cert(ctx) != 1) {
		e = X509_STORE_CTX_get_error(ctx);
		depth = X509_STORE_CTX_get_error_depth(ctx);
		x = X509_STORE_CTX_get_current_cert(ctx);
		if (x == NULL)
			x = c->x;
		who(x, w, sizeof(w));
		r = map_x509_error(e);
		if (r == JPKI_ERR_CERT_UNTRUSTED && (r = explain_untrusted(v,
		    x, res.reason, sizeof(res.reason))) ==
		    JPKI_ERR_CERT_SIGNATURE)
			goto out;
		if (r == JPKI_ERR_CERT_UNTRUSTED)
			snprintf(res.reason, sizeof(res.reason), "%s (depth "
			    "%d): no trusted issuer (%s)", w, depth,
			    X509_verify_cert_error_string(e));
		else if (r == JPKI_ERR_CERT_SIGNATURE)
			snprintf(res.reason, sizeof(res.reason), "%s (depth "
			    "%d): signature does not verify with the issuer's "
			    "key", w, depth);
		else
			snprintf(res.reason, sizeof(res.reason),
			    "%s (depth %d): %s", w, depth,
			    X509_verify_cert_error_string(e));
		goto out;
	}
	chain = X509_STORE_CTX_get0_chain(ctx);
	n = sk_X509_num(chain);
	r = JPKI_ERR_CERT_UNTRUSTED;
	if (n < 1 || (top = sk_X509_value(chain, n - 1)) == NULL)
		goto out;
checks:
	res.hierarchy = cert_name_hierarchy(X509_get_subject_name(top));
	X509_NAME_oneline(X509_get_subject_name(top), res.anchor,
	    (int)sizeof(res.anchor));
	for (i = 0; i < n; i++) {
		x = n == 1 ? c->x : sk_X509_value(chain, i);
		if ((r = check_time(x, i, at, res.reason,
		    sizeof(res.reason))) != JPKI_OK)
			goto out;
		if (i > 0 && (r = check_issuer_flags(x, i, res.reason,
		    sizeof(res.reason))) != JPKI_OK)
			goto out;
	}
	if ((v->flags & JPKI_VERIFY_PRODUCTION_ONLY) != 0 &&
	    (res.hierarchy != JPKI_HIER_PRODUCTION ||
	    !in_stack(v->bundled, top))) {
		r = JPKI_ERR_CERT_HIERARCHY;
		snprintf(res.reason, sizeof(res.reason), "chain ends in the "
		    "%s hierarchy, production (a bundled J-LIS root) "
		    "required", jpki_hierarchy_name(res.hierarchy));
		goto out;
	}
	if (n == 1) {
		/* A root checked against itself: only a CA may do that. */
		res.type = c->type;
		if ((r = check_issuer_flags(c->x, 0, res.reason,
		    sizeof(res.reason))) != JPKI_OK)
			goto out;
	} else if ((r = check_leaf(v, c, res.hierarchy,
	    cert_name_ca_purpose(X509_get_subject_name(top)), &res)) !=
	    JPKI_OK) {
		goto out;
	}
	r = JPKI_OK;
	snprintf(res.reason, sizeof(res.reason), "ok");
out:
	if (r != JPKI_OK)
		log_debug("%s: %s", __func__, res.reason);
	res.rc = r;
	if (out != NULL)
		JPKI_STRUCT_COPY(out, &res);
	ERR_clear_error();
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return r;
}

X509 *
cert_verify_find_issuer(const jpki_verify_t *v, X509 *x)
{
	X509 *a;
	int i;

	for (i = 0; v != NULL && i < sk_X509_num(v->anchors); i++) {
		a = sk_X509_value(v->anchors, i);
		if (X509_NAME_cmp(X509_get_subject_name(a),
		    X509_get_issuer_name(x)) == 0 &&
		    X509_verify(x, X509_get0_pubkey(a)) == 1)
			return a;
	}
	ERR_clear_error();
	return NULL;
}
