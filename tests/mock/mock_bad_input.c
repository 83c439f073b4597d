/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * mock_api: bad input: forged proofs, malformed requests, settings,
 * date and number ranges.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "mock_api.h"

/* mock_scenarios.c; not in mock_api.h, where it would shadow parameters */
extern char sid[64];

static char *
selfsigned_b64(int ec)
{
	EVP_PKEY *k = ec ? EVP_EC_gen("P-256") : EVP_RSA_gen(2048);
	X509 *x = X509_new();
	unsigned char *der = NULL;
	char *out = NULL;
	int n;

	if (k == NULL || x == NULL)
		goto out;
	(void)X509_set_version(x, 2);
	(void)ASN1_INTEGER_set(X509_get_serialNumber(x), 4242);
	(void)X509_gmtime_adj(X509_getm_notBefore(x), 0);
	(void)X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	(void)X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN",
	    MBSTRING_ASC, (const unsigned char *)"not jpki", -1, -1, 0);
	(void)X509_set_issuer_name(x, X509_get_subject_name(x));
	(void)X509_set_pubkey(x, k);
	if (!ec) {
		/* JPKI-shaped (RSA-2048, digitalSignature) but untrusted */
		X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, NULL,
		    NID_key_usage, "critical,digitalSignature");

		(void)X509_add_ext(x, e, -1);
		X509_EXTENSION_free(e);
	}
	(void)X509_sign(x, k, EVP_sha256());
	if ((n = i2d_X509(x, &der)) <= 0 || (out = malloc(4 * (((size_t)n +
	    2) / 3) + 1)) == NULL)
		goto out;
	(void)EVP_EncodeBlock((unsigned char *)out, der, n);
out:
	OPENSSL_free(der);
	X509_free(x);
	EVP_PKEY_free(k);
	return out;
}

static void
bad_proof(const char *what, const char *cert, const char *sig,
    const char *chid, long status, const char *code)
{
	struct chl ch;
	struct resp r;

	(void)challenge(&A, "mykey.verify", NULL, NULL, &ch);
	(void)http("POST", "/v1/mykey-ids:verify", A.token,
	    json_pack("{s:{s:s,s:s,s:s},s:o}", "auth", "challenge_id",
	    chid != NULL ? chid : ch.id, "certificate", cert, "signature", sig,
	    "consent", consent("jlis.validity jlis.linkage")), NULL, &r);
	CHECK(&r, status, code, "%s: %ld %s", what, status, code);
	resp_free(&r);
}

/*
 * Mutated bodies (a few random bytes of a valid request changed) sent to
 * every proof-bearing endpoint: each must get a 2xx or a documented 4xx
 * problem, never a 5xx or a dropped connection.
 */
static void
fuzz(void)
{
	static const char *ep[][2] = {
		{ "POST", "/v1/mykey-ids:verify" }, { "POST", "/v1/mykey-ids" },
		{ "POST", "/v1/challenges" }, { "POST", "/v1/services" },
		{ "POST", "/jlis/v1/status" },
		{ "POST", "/jlis/v1/old-issuance-numbers:search" },
		{ "POST", "/v1/mykey-ids/ZZZZZZZZ/issuance-numbers:push" },
		{ "POST", "/v1/mykey-ids/ZZZZZZZZ:check" },
		{ "PUT", "/v1/mykey-ids/ZZZZZZZZ/certificates/sign" },
	};
	struct chl ch;
	struct resp r;
	json_t *b;
	char *txt, *m;
	size_t n, i;
	int k, bad = 0, e;
	unsigned int seed = 42;

	(void)challenge(&A, "mykey.verify", NULL, NULL, &ch);
	b = login_body(&ch, &c1);
	(void)json_object_set_new(b, "purpose", json_string("mykey.verify"));
	(void)json_object_set_new(b, "cert_type", json_string("auth"));
	(void)json_object_set_new(b, "issuance_number",
	    json_string(c1.auth_serial));
	(void)json_object_set_new(b, "new_issuance_number",
	    json_string(c1.auth_serial));
	txt = json_dumps(b, JSON_COMPACT);
	json_decref(b);
	n = strlen(txt);
	for (i = 0; i < 300; i++) {
		m = strdup(txt);
		for (k = 0; k < 1 + (int)(rand_r(&seed) % 4); k++)
			m[(size_t)rand_r(&seed) % n] = (char)(0x20 +
			    rand_r(&seed) % 95);
		e = (int)((size_t)rand_r(&seed) % (sizeof(ep) / sizeof(ep[0])));
		(void)http_ex(ep[e][0], ep[e][1], A.token, NULL, m, n, NULL, 0,
		    &r);
		if (r.curl_rc != 0 || r.status >= 500 || r.status < 200 ||
		    (r.status >= 400 && json_object_get(r.j, "code") == NULL)) {
			if (bad++ < 3)
				show(&r);
		}
		resp_free(&r);
		free(m);
	}
	free(txt);
	ok(bad == 0, "300 mutated requests: no 5xx, no dropped connection "
	    "(%d bad)", bad);
}

void
bad_input(void)
{
	struct resp r;
	struct chl ch;
	char *before, *after, *big, *ss, *ec, *sig, path[200];
	const char *sqlish = "x'); DROP TABLE mykey_ids; --\"%_";
	size_t i;

	(void)printf("# bad input\n");
	before = state_digest();
	big = malloc(70 * 1024 + 1);
	memset(big, 'a', 70 * 1024);
	big[70 * 1024] = '\0';
	(void)http_ex("POST", "/v1/mykey-ids:verify", A.token, NULL, big,
	    70 * 1024, NULL, 0, &r);
	CHECK(&r, 413, "INVALID_REQUEST", "oversized body: 413");
	resp_free(&r);
	free(big);
	(void)http_ex("POST", "/v1/mykey-ids:verify", A.token, NULL,
	    "{\"auth\":", 8, NULL, 0, &r);
	CHECK(&r, 400, "INVALID_REQUEST", "malformed JSON");
	resp_free(&r);
	(void)http_ex("POST", "/v1/mykey-ids:verify", A.token, NULL, "[1,2]", 5,
	    NULL, 0, &r);
	CHECK(&r, 400, "INVALID_REQUEST", "JSON that is not an object");
	resp_free(&r);
	(void)http("POST", "/v1/mykey-ids:verify", A.token, json_pack("{s:i,"
	    "s:o}", "auth", 5, "consent", consent("jlis.validity "
	    "jlis.linkage")), NULL, &r);
	CHECK(&r, 400, "INVALID_REQUEST", "wrong type for auth");
	resp_free(&r);
	(void)http("POST", "/v1/challenges", A.token, json_pack("{s:i}",
	    "purpose", 7), NULL, &r);
	CHECK(&r, 400, "INVALID_REQUEST", "wrong type for purpose");
	resp_free(&r);
	(void)http("POST", "/v1/challenges", A.token, json_pack("{s:s}",
	    "purpose", sqlish), NULL, &r);
	CHECK(&r, 400, "INVALID_REQUEST", "SQL-ish purpose");
	resp_free(&r);
	(void)http("POST", "/v1/challenges", A.token, json_pack("{s:s,s:s}",
	    "purpose", "mykey.verify", "mykey_id", sqlish), NULL, &r);
	CHECK(&r, 400, "INVALID_MYKEY_ID_FORMAT", "SQL-ish mykey_id");
	resp_free(&r);
	(void)challenge(&A, "mykey.verify", NULL, NULL, &ch);
	sig = sign_b64(c1.auth_key, ch.tbs);
	bad_proof("certificate not base64", "!!!notbase64!!!", sig, ch.id, 400,
	    "INVALID_REQUEST");
	bad_proof("signature not base64", c1.auth_cert, "@@@", NULL, 400,
	    "INVALID_REQUEST");
	bad_proof("DER garbage", "AAECAwQFBgcICQ==", sig, NULL, 400,
	    "INVALID_CERTIFICATE");
	bad_proof("sign cert as auth cert", c1.sign_cert, sig, NULL, 400,
	    "UNSUPPORTED_CERTIFICATE");
	ec = selfsigned_b64(1);
	bad_proof("EC certificate", ec, sig, NULL, 400,
	    "UNSUPPORTED_CERTIFICATE");
	ss = selfsigned_b64(0);
	bad_proof("self-signed RSA certificate", ss, sig, NULL, 401,
	    "CHAIN_UNTRUSTED");
	/* signature over the wrong bytes (another challenge's TBS) */
	bad_proof("signature over the wrong bytes", c1.auth_cert, sig, NULL,
	    401, "SIGNATURE_INVALID");
	bad_proof("SQL-ish challenge_id", c1.auth_cert, sig, sqlish, 401,
	    "CHALLENGE_NOT_FOUND");
	free(sig);
	free(ss);
	free(ec);
	(void)http("GET", "/v1/mykey-ids/ZZZZZZZZ", A.token, NULL, NULL, &r);
	CHECK(&r, 404, "MYKEY_ID_NOT_FOUND", "unknown MyKey ID");
	resp_free(&r);
	(void)http("GET", "/v1/mykey-ids/abc%27%3B--", A.token, NULL, NULL,
	    &r);
	CHECK(&r, 400, "INVALID_MYKEY_ID_FORMAT", "SQL-ish MyKey ID in path");
	resp_free(&r);
	(void)snprintf(path, sizeof(path), "/v1/services/%s/links/x%%27--", sid);
	(void)http("GET", path, A.token, NULL, NULL, &r);
	CHECK(&r, 404, "LINK_NOT_FOUND", "SQL-ish PPID");
	resp_free(&r);
	(void)http("GET", "/v1/services/svc_x%27%20OR%201=1--/links/a",
	    A.token, NULL, NULL, &r);
	CHECK(&r, 404, "SERVICE_NOT_FOUND", "SQL-ish service id");
	resp_free(&r);
	(void)challenge(&A, "mykey.verify", NULL, NULL, &ch);
	(void)http("POST", "/v1/mykey-ids:verify", A.token,
	    json_pack("{s:o,s:{s:s,s:s,s:s,s:s}}", "auth", proof(&ch,
	    c1.auth_cert, c1.auth_key), "consent", "consent_id", sqlish,
	    "purpose", "jlis.validity jlis.linkage", "terms_version", sqlish,
	    "agreed_at", sqlish), NULL, &r);
	CHECK(&r, 400, "CONSENT_REQUIRED", "SQL-ish consent fields");
	resp_free(&r);
	(void)http("POST", "/v1/mykey-ids", A.token, json_pack("{s:o,s:s,s:o}",
	    "auth", proof(&ch, c1.auth_cert, c1.auth_key), "requested_mykey_id",
	    sqlish, "consent", consent("jlis.validity jlis.linkage")), NULL,
	    &r);
	CHECK(&r, 400, "INVALID_MYKEY_ID_FORMAT", "SQL-ish requested_mykey_id");
	resp_free(&r);
	(void)http("POST", "/v1/token", NULL, json_pack("{s:s,s:s}",
	    "client_id", sqlish, "client_secret", sqlish), NULL, &r);
	CHECK(&r, 401, "CLIENT_AUTH_FAILED", "SQL-ish client credentials");
	resp_free(&r);
	(void)http("POST", "/v1/challenges", "x' OR '1'='1", json_pack("{s:s}",
	    "purpose", "mykey.verify"), NULL, &r);
	CHECK(&r, 401, "CLIENT_AUTH_FAILED", "SQL-ish bearer token");
	resp_free(&r);
	(void)http("POST", "/jlis/v1/status", NULL, json_pack("{s:s,s:s,s:o}",
	    "cert_type", "auth", "issuance_number", sqlish, "consent",
	    consent("jlis.validity")), NULL, &r);
	CHECK(&r, 400, "INVALID_REQUEST", "SQL-ish issuance number at J-LIS");
	resp_free(&r);
	for (i = 0; i < 2; i++) {
		(void)http("DELETE", "/v1/mykey-ids/ZZZZZZZZ", A.token,
		    json_pack("{s:i}", "auth", 1), NULL, &r);
		ok(r.status == 400 || r.status == 404, "DELETE with junk proof "
		    "refused (%ld)", r.status);
		resp_free(&r);
	}
	after = state_digest();
	ok(before != NULL && after != NULL && strcmp(before, after) == 0,
	    "no bad input changed stored data");
	if (before != NULL && after != NULL && strcmp(before, after) != 0)
		(void)printf("#   before %s\n#   after  %s\n", before, after);
	free(before);
	free(after);
	/* SQL-significant text is stored verbatim, not interpreted */
	(void)link_service(&A, &c1, sid, "O'Brien\"; DROP TABLE x;--", &r);
	ok(r.status == 200 && strcmp(jget(&r, "service_user_number"),
	    "O'Brien\"; DROP TABLE x;--") == 0, "quotes stored verbatim");
	resp_free(&r);
	fuzz();
	(void)http("GET", "/v1/does-not-exist", A.token, NULL, NULL, &r);
	ok(r.status == 404 && r.reqid[0] != '\0', "still alive; X-Request-Id "
	    "on every answer");
	resp_free(&r);
}

void
more(void)
{
	struct resp r;
	struct chl ch;
	char path[160], newid[16] = "MYK22222";

	(void)printf("# check, push, change, revoke\n");
	(void)snprintf(path, sizeof(path), "/v1/mykey-ids/%s:check", mykey1);
	(void)http("POST", path, A.token, json_pack("{s:o}", "consent",
	    consent("jlis.validity")), NULL, &r);
	ok(r.status == 200 && strcmp(jget(&r, "state"), "active") == 0 &&
	    json_object_get(r.j, "auth") != NULL, ":check (現況確認)");
	resp_free(&r);
	(void)snprintf(path, sizeof(path),
	    "/v1/mykey-ids/%s/issuance-numbers:push", mykey1);
	(void)http("POST", path, A.token, json_pack("{s:{s:s},s:o}", "auth",
	    "issuance_number", c1.auth_serial, "consent",
	    consent("jlis.validity jlis.linkage")), NULL, &r);
	ok(r.status == 200, ":push of the bound number");
	resp_free(&r);
	(void)challenge(&A, "mykey.verify", NULL, NULL, &ch);
	(void)snprintf(path, sizeof(path), "/v1/mykey-ids/%s", mykey1);
	(void)http("PATCH", path, A.token, json_pack("{s:o,s:s,s:o}", "auth",
	    proof(&ch, c1.auth_cert, c1.auth_key), "new_mykey_id", newid,
	    "consent", consent("jlis.validity jlis.linkage")), NULL, &r);
	if (r.status == 409) {
		resp_free(&r);
		ok(1, "MYK22222 taken from an earlier run");
		return;
	}
	ok(r.status == 200 && strcmp(jget(&r, "mykey_id"), newid) == 0,
	    "PATCH changes the MyKey ID");
	resp_free(&r);
	(void)link_service(&A, &c1, sid, NULL, &r);
	ok(strcmp(jget(&r, "ppid"), ppid1) == 0, "PPID survives the change");
	resp_free(&r);
	(void)challenge(&A, "mykey.verify", NULL, NULL, &ch);
	(void)snprintf(path, sizeof(path), "/v1/mykey-ids/%s", newid);
	(void)http("DELETE", path, A.token, json_pack("{s:o,s:o}", "auth",
	    proof(&ch, c1.auth_cert, c1.auth_key), "consent",
	    consent("jlis.validity jlis.linkage")), NULL, &r);
	ok(r.status == 200 && strcmp(jget(&r, "state"), "revoked") == 0,
	    "DELETE revokes");
	resp_free(&r);
	(void)do_login(&A, &c1, 0, &r);
	CHECK(&r, 410, "MYKEY_ID_REVOKED", "verify after revocation: 410");
	resp_free(&r);
	(void)snprintf(path, sizeof(path), "/v1/services/%s/links/%s", sid,
	    ppid1);
	(void)http("GET", path, A.token, NULL, NULL, &r);
	ok(strcmp(jget(&r, "state"), "revoked") == 0, "link mirrors: revoked");
	resp_free(&r);
}

static void
put_setting(const char *key, int on)
{
	struct resp r;

	(void)http("PUT", "/admin/v1/settings", NULL, json_pack("{s:b}", key,
	    on), NULL, &r);
	if (r.status != 200)
		show(&r);
	resp_free(&r);
}

/* Simulator flags, requested IDs, the hop cap, disclosure pages. */
void
extras(void)
{
	struct card c, d;
	struct resp r;
	struct chl ch;
	char want[9], id[16], path[200], cursor[40];
	int i, pages = 0, total = 0;

	(void)printf("# requested IDs, simulator flags, hop cap, paging\n");
	memset(&c, 0, sizeof(c));
	memset(&d, 0, sizeof(d));
	ok(new_person_card("試験　四郎", &c) == 0 &&
	    new_person_card("試験　五郎", &d) == 0, "two more cards");
	(void)snprintf(want, sizeof(want), "Q%c%c%cRST7", 'A' + (int)(rid_seq %
	    20), 'B' + (int)(rid_seq / 20 % 20), 'C');
	(void)challenge(&A, "mykey.create", NULL, NULL, &ch);
	(void)http("POST", "/v1/mykey-ids", A.token, json_pack("{s:o,s:s,s:o}",
	    "auth", proof(&ch, c.auth_cert, c.auth_key), "requested_mykey_id",
	    want, "consent", consent("jlis.validity jlis.linkage")), NULL, &r);
	ok(r.status == 201 && strcmp(jget(&r, "mykey_id"), want) == 0,
	    "requested_mykey_id honoured");
	resp_free(&r);
	(void)challenge(&A, "mykey.create", NULL, NULL, &ch);
	(void)http("POST", "/v1/mykey-ids", A.token, json_pack("{s:o,s:s,s:o}",
	    "auth", proof(&ch, d.auth_cert, d.auth_key), "requested_mykey_id",
	    want, "consent", consent("jlis.validity jlis.linkage")), NULL, &r);
	CHECK(&r, 409, "MYKEY_ID_TAKEN", "the same ID for another card: 409");
	resp_free(&r);
	/* link_on_reissue=false: the new card is a stranger */
	put_setting("link_on_reissue", 0);
	ok(admin_card_op("/admin/v1/cards:reissue", json_pack("{s:s}",
	    "person_id", c.person), &c) == 0, "re-issue with linking off");
	(void)do_login(&A, &c, 0, &r);
	CHECK(&r, 404, "MYKEY_ID_NOT_FOUND", "no linkage: MYKEY_ID_NOT_FOUND");
	resp_free(&r);
	put_setting("link_on_reissue", 1);
	/* link_after_expiry=false hides a renewal made after expiry */
	(void)do_login(&A, &d, 1, &r);
	(void)snprintf(id, sizeof(id), "%s", jget(&r, "mykey_id"));
	resp_free(&r);
	set_clock(NULL, 6LL * 366 * 86400);
	ok(renew(&d) == 0, "renewal after the old card expired");
	put_setting("link_after_expiry", 0);
	(void)do_login(&A, &d, 0, &r);
	CHECK(&r, 404, "MYKEY_ID_NOT_FOUND", "link_after_expiry=false: 404");
	resp_free(&r);
	put_setting("link_after_expiry", 1);
	(void)do_login(&A, &d, 0, &r);
	ok(r.status == 200 && strcmp(jget(&r, "mykey_id"), id) == 0,
	    "link_after_expiry=true: same ID");
	resp_free(&r);
	set_clock("real", 0);
	/* the hop cap: 11 renewals never seen -> LINKAGE_DEPTH_EXCEEDED */
	card_clear(&c);
	ok(new_person_card("試験　六郎", &c) == 0, "card for the hop cap");
	(void)do_login(&A, &c, 1, &r);
	resp_free(&r);
	for (i = 0; i < 11; i++) {
		if (renew(&c) != 0)
			break;
	}
	ok(i == 11, "renewed 11 times");
	(void)do_login(&A, &c, 0, &r);
	CHECK(&r, 422, "LINKAGE_DEPTH_EXCEEDED", "11 hops: 422");
	resp_free(&r);
	/* disclosures come in pages */
	cursor[0] = '\0';
	do {
		char h1[8192], h2[1024];
		const char *hdrs[3] = { h1, h2, NULL };

		if (disclosure_hdrs(&A, &d, h1, h2) != 0)
			break;
		(void)snprintf(path, sizeof(path), "/v1/mykey-ids/%s/disclosures"
		    "?limit=2%s%s", id, cursor[0] ? "&cursor=" : "", cursor);
		(void)http("GET", path, A.token, NULL, hdrs, &r);
		if (r.status != 200) {
			show(&r);
			resp_free(&r);
			break;
		}
		total += (int)json_array_size(json_object_get(r.j,
		    "disclosures"));
		pages++;
		(void)snprintf(cursor, sizeof(cursor), "%s", jget(&r,
		    "next_cursor"));
		resp_free(&r);
	} while (cursor[0] != '\0' && pages < 50);
	ok(pages > 1 && total > 2 && total <= 2 * pages,
	    "disclosures paged by 2 (%d in %d pages)", total, pages);
	card_clear(&c);
	card_clear(&d);
}

/* Issue 11: birth_date as YYYYMMDD or YYYY-MM-DD, one stored form. */
void
birth_dates(void)
{
	static const char *bad[] = { "19900230", "1990-02-30", "2023-02-29",
	    "1990-2-03", "1990/02/03", "1990-13-01", "0999-01-01", "1990-02-3a",
	    "19900203 ", "" };
	struct resp r;
	struct card c;
	char path[600], line[256], pid[48];
	FILE *f;
	int found;
	size_t i;

	(void)printf("# issue 11: birth_date forms\n");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		(void)http("POST", "/admin/v1/persons", NULL, json_pack("{s:s,"
		    "s:s,s:s,s:s}", "name", "Shiken Hanako", "birth_date",
		    bad[i], "sex", "2", "address", "Tokyo (synthetic)"), NULL,
		    &r);
		ok(r.status == 400, "birth_date \"%s\" -> 400 (got %ld)",
		    bad[i], r.status);
		resp_free(&r);
	}
	(void)http("POST", "/admin/v1/persons", NULL, json_pack("{s:s,s:s,"
	    "s:s,s:s}", "name", "Shiken Hanako", "birth_date", "2024-02-29",
	    "sex", "2", "address", "Tokyo (synthetic)"), NULL, &r);
	ok(r.status == 201, "birth_date 2024-02-29 (leap day) -> 201 (got "
	    "%ld)", r.status);
	(void)snprintf(pid, sizeof(pid), "%s", jget(&r, "person_id"));
	resp_free(&r);
	memset(&c, 0, sizeof(c));
	(void)http("POST", "/admin/v1/cards", NULL, json_pack("{s:s}",
	    "person_id", pid), NULL, &r);
	found = 0;
	if (r.status == 201 && card_from(&r, &c, pid) == 0) {
		(void)snprintf(path, sizeof(path), "%s/profile.conf",
		    c.profile_dir);
		if ((f = fopen(path, "r")) != NULL) {
			while (fgets(line, sizeof(line), f) != NULL)
				if (strcmp(line, "birth = 20240229\n") == 0)
					found = 1;
			(void)fclose(f);
		}
	}
	resp_free(&r);
	card_clear(&c);
	ok(found, "YYYY-MM-DD stored as YYYYMMDD (card profile birth = "
	    "20240229)");
	(void)http("POST", "/admin/v1/persons", NULL, json_pack("{s:s,s:s,"
	    "s:s,s:s}", "name", "Shiken Hanako", "birth_date", "20000229",
	    "sex", "2", "address", "Tokyo (synthetic)"), NULL, &r);
	ok(r.status == 201, "birth_date 20000229 -> 201 (got %ld)", r.status);
	resp_free(&r);
}

/* Issue 11: numbers from JSON are range-checked, never cast blindly. */
void
json_ranges(void)
{
	struct resp r;
	json_int_t off;

	(void)printf("# issue 11: JSON integer ranges\n");
	set_clock("real", 0);
	(void)http("PUT", "/admin/v1/clock", NULL, json_pack("{s:I}",
	    "advance_s", (json_int_t)9000000000000000000LL), NULL, &r);
	ok(r.status == 400, "clock advance_s 9e18 -> 400 (got %ld)", r.status);
	resp_free(&r);
	(void)http("PUT", "/admin/v1/clock", NULL, json_pack("{s:I}",
	    "advance_s", (json_int_t)-9000000000000000000LL), NULL, &r);
	ok(r.status == 400, "clock advance_s -9e18 -> 400 (got %ld)",
	    r.status);
	resp_free(&r);
	(void)http("PUT", "/admin/v1/clock", NULL, json_pack("{s:f}",
	    "advance_s", 1.5), NULL, &r);
	ok(r.status == 400, "clock advance_s 1.5 -> 400 (got %ld)", r.status);
	resp_free(&r);
	(void)http("PUT", "/admin/v1/clock", NULL, json_pack("{s:s}",
	    "now", "9999-12-31T23:59:59Z"), NULL, &r);
	ok(r.status == 400, "clock now year 9999 -> 400 (got %ld)", r.status);
	resp_free(&r);
	(void)http("GET", "/admin/v1/clock", NULL, NULL, NULL, &r);
	off = r.j != NULL ? json_integer_value(json_object_get(r.j,
	    "offset_s")) : -1;
	ok(r.status == 200 && off == 0, "clock untouched by the refusals "
	    "(offset %lld)", (long long)off);
	resp_free(&r);
	/* two steps of 900 years each: the second would leave the span */
	(void)http("PUT", "/admin/v1/clock", NULL, json_pack("{s:I}",
	    "advance_s", (json_int_t)900 * 366 * 86400), NULL, &r);
	ok(r.status == 200, "clock advance 900 years -> 200 (got %ld)",
	    r.status);
	resp_free(&r);
	(void)http("PUT", "/admin/v1/clock", NULL, json_pack("{s:I}",
	    "advance_s", (json_int_t)900 * 366 * 86400), NULL, &r);
	ok(r.status == 400, "clock past 1000 years -> 400 (got %ld)",
	    r.status);
	resp_free(&r);
	set_clock("real", 0);
	(void)http("PUT", "/admin/v1/clock", NULL, json_pack("{s:I}",
	    "advance_s", (json_int_t)60), NULL, &r);
	off = r.j != NULL ? json_integer_value(json_object_get(r.j,
	    "offset_s")) : -1;
	ok(r.status == 200 && off >= 60 && off <= 61,
	    "clock advance_s 60 still works (offset %lld)", (long long)off);
	resp_free(&r);
	set_clock("real", 0);

	/* 2^32 + 1 would have become count 1; 2^32 + 500 status 500 */
	(void)http("PUT", "/admin/v1/faults", NULL, json_pack("{s:s,s:i,s:I}",
	    "path_glob", "/v1/nowhere", "status", 500, "count",
	    (json_int_t)4294967297LL), NULL, &r);
	ok(r.status == 400, "fault count 2^32+1 -> 400 (got %ld)", r.status);
	resp_free(&r);
	(void)http("PUT", "/admin/v1/faults", NULL, json_pack("{s:s,s:I}",
	    "path_glob", "/v1/nowhere", "status", (json_int_t)4294967796LL),
	    NULL, &r);
	ok(r.status == 400, "fault status 2^32+500 -> 400 (got %ld)",
	    r.status);
	resp_free(&r);
	(void)http("PUT", "/admin/v1/faults", NULL, json_pack("{s:s,s:i,s:s}",
	    "path_glob", "/v1/nowhere", "status", 500, "delay_ms", "10"),
	    NULL, &r);
	ok(r.status == 400, "fault delay_ms as a string -> 400 (got %ld)",
	    r.status);
	resp_free(&r);
	(void)http("DELETE", "/admin/v1/faults", NULL, NULL, NULL, &r);
	resp_free(&r);
}
