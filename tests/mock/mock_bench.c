/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Load generator for `make bench-platform` (tests/e2e/mock_bench.sh):
 * verified logins (POST /v1/mykey-ids:verify) against a running
 * mykey-mock whose database the script filled with 1,000,000 MyKey IDs.
 *
 *   mock_bench BASE [threads] [requests] [cards]
 *
 * Setup (not timed): a client, real cards through the admin API, one
 * MyKey ID per card, one card renewed 10 times behind the platform's
 * back (its first login times the 10-hop walk), then one pre-signed
 * challenge per request (the card's RSA signing is the client's cost,
 * not the platform's).  Timed: each thread sends its :verify requests
 * over one keep-alive connection.  Prints requests/s, p50, p99.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

static const char *base;
static char token[128];

struct buf {
	char	*p;
	size_t	 n;
};

static size_t
on_body(char *p, size_t sz, size_t n, void *u)
{
	struct buf *b = u;
	char *q = realloc(b->p, b->n + sz * n + 1);

	if (q == NULL)
		return 0;
	b->p = q;
	memcpy(b->p + b->n, p, sz * n);
	b->n += sz * n;
	b->p[b->n] = '\0';
	return sz * n;
}

/* One request on handle c (kept alive by the caller).  Returns status. */
static long
req(CURL *c, const char *method, const char *path, const char *body,
    json_t **out)
{
	char url[512], auth[200];
	struct curl_slist *h = NULL;
	struct buf b = { NULL, 0 };
	long st = 0;

	const char *ab = getenv("MOCK_ADMIN_URL");
	const char *at = getenv("MOCK_ADMIN_TOKEN");
	int adm = strncmp(path, "/admin/", 7) == 0;

	/* the admin API is on its own listener (mock_bench.sh passes it) */
	(void)snprintf(url, sizeof(url), "%s%s", adm && ab != NULL ? ab : base,
	    path);
	(void)snprintf(auth, sizeof(auth), "Authorization: Bearer %s",
	    adm && at != NULL ? at : token);
	h = curl_slist_append(h, "Content-Type: application/json");
	if (token[0] != '\0' || adm)
		h = curl_slist_append(h, auth);
	(void)curl_easy_setopt(c, CURLOPT_URL, url);
	(void)curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	(void)curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	(void)curl_easy_setopt(c, CURLOPT_POSTFIELDS, body != NULL ? body :
	    "");
	(void)curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	(void)curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	(void)curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	(void)curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
	(void)curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	if (curl_easy_perform(c) == CURLE_OK)
		(void)curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &st);
	if (out != NULL)
		*out = b.p != NULL ? json_loads(b.p, 0, NULL) : NULL;
	free(b.p);
	curl_slist_free_all(h);
	return st;
}

static long
reqj(CURL *c, const char *method, const char *path, json_t *body,
    json_t **out)
{
	char *s = json_dumps(body, JSON_COMPACT);
	long st = req(c, method, path, s, out);

	free(s);
	json_decref(body);
	return st;
}

struct card {
	char		*cert;
	EVP_PKEY	*key;
	char		 serial[48];
	char		 person[48];
};

static int
card_from(json_t *j, struct card *c)
{
	json_t *a = json_object_get(j, "auth");
	BIO *b;

	free(c->cert);
	EVP_PKEY_free(c->key);
	c->cert = strdup(json_string_value(json_object_get(a, "certificate")));
	(void)snprintf(c->serial, sizeof(c->serial), "%s",
	    json_string_value(json_object_get(a, "issuance_number")));
	b = BIO_new_mem_buf(json_string_value(json_object_get(a,
	    "private_key")), -1);
	c->key = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	BIO_free(b);
	return c->key != NULL ? 0 : -1;
}

static int
new_card(CURL *c, struct card *cd, int i)
{
	json_t *j = NULL;
	char name[64];

	(void)snprintf(name, sizeof(name), "負荷　試験%d", i);
	if (reqj(c, "POST", "/admin/v1/persons", json_pack("{s:s,s:s,s:s,s:s}",
	    "name", name, "birth_date", "19900101", "sex", "1", "address",
	    "東京都千代田区１－１"), &j) != 201)
		return -1;
	(void)snprintf(cd->person, sizeof(cd->person), "%s",
	    json_string_value(json_object_get(j, "person_id")));
	json_decref(j);
	if (reqj(c, "POST", "/admin/v1/cards", json_pack("{s:s}", "person_id",
	    cd->person), &j) != 201) {
		json_decref(j);
		return -1;
	}
	(void)card_from(j, cd);
	json_decref(j);
	return 0;
}

static char *
signed_body(CURL *c, struct card *cd, const char *purpose)
{
	json_t *j = NULL, *b;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char sig[256];
	char tbs[512], sigb64[400], *out;
	size_t sl = sizeof(sig);

	if (reqj(c, "POST", "/v1/challenges", json_pack("{s:s}", "purpose",
	    purpose), &j) != 201) {
		json_decref(j);
		EVP_MD_CTX_free(md);
		return NULL;
	}
	(void)snprintf(tbs, sizeof(tbs), "%s", json_string_value(
	    json_object_get(j, "tbs")));
	(void)EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, cd->key);
	(void)EVP_DigestSign(md, sig, &sl, (unsigned char *)tbs, strlen(tbs));
	EVP_MD_CTX_free(md);
	(void)EVP_EncodeBlock((unsigned char *)sigb64, sig, (int)sl);
	b = json_pack("{s:{s:s,s:s,s:s},s:{s:s,s:s,s:s,s:s}}", "auth",
	    "challenge_id", json_string_value(json_object_get(j,
	    "challenge_id")), "certificate", cd->cert, "signature", sigb64,
	    "consent", "consent_id", "0f0c9a52-1b7e-4c1d-9a55-0d6f1e2b3c4d",
	    "purpose", "jlis.validity jlis.linkage", "terms_version", "mock-1",
	    "agreed_at", "2026-04-01T09:00:00+09:00");
	out = json_dumps(b, JSON_COMPACT);
	json_decref(b);
	json_decref(j);
	return out;
}

static double
now_ms(void)
{
	struct timespec t;

	(void)clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

struct worker {
	char	**bodies;
	int	  n;
	double	 *lat;
	int	  ok;
};

static void *
work(void *u)
{
	struct worker *w = u;
	CURL *c = curl_easy_init();
	double t0;
	int i;

	for (i = 0; i < w->n; i++) {
		t0 = now_ms();
		if (req(c, "POST", "/v1/mykey-ids:verify", w->bodies[i],
		    NULL) == 200)
			w->ok++;
		w->lat[i] = now_ms() - t0;
	}
	curl_easy_cleanup(c);
	return NULL;
}

static int
cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	int threads = argc > 2 ? atoi(argv[2]) : 4;
	int nreq = argc > 3 ? atoi(argv[3]) : 12000;
	int ncards = argc > 4 ? atoi(argv[4]) : 16;
	struct card *cards, chain;
	struct worker *w;
	pthread_t *tid;
	CURL *c;
	json_t *j = NULL;
	char path[160], *body;
	double t0, t1, *all;
	int i, k, okc = 0;

	if (argc < 2 || threads < 1 || nreq < threads || ncards < 1) {
		(void)fprintf(stderr, "usage: mock_bench BASE [threads] "
		    "[requests] [cards]\n");
		return 2;
	}
	base = argv[1];
	(void)curl_global_init(CURL_GLOBAL_DEFAULT);
	c = curl_easy_init();
	if (reqj(c, "POST", "/admin/v1/clients", json_pack("{s:s}", "kind",
	    "municipality"), &j) != 201)
		return 1;
	{
		json_t *t = NULL;

		if (reqj(c, "POST", "/v1/token", json_pack("{s:s,s:s}",
		    "client_id", json_string_value(json_object_get(j,
		    "client_id")), "client_secret", json_string_value(
		    json_object_get(j, "client_secret"))), &t) != 200)
			return 1;
		(void)snprintf(token, sizeof(token), "%s", json_string_value(
		    json_object_get(t, "access_token")));
		json_decref(t);
	}
	json_decref(j);
	cards = calloc((size_t)ncards, sizeof(*cards));
	for (i = 0; i < ncards; i++) {
		if (new_card(c, &cards[i], i) != 0 || (body = signed_body(c,
		    &cards[i], "mykey.create")) == NULL ||
		    req(c, "POST", "/v1/mykey-ids", body, NULL) != 201) {
			(void)fprintf(stderr, "mock_bench: card setup failed\n");
			return 1;
		}
		free(body);
	}
	/* the 10-hop walk: renewals the platform never saw */
	memset(&chain, 0, sizeof(chain));
	if (new_card(c, &chain, 999) != 0 || (body = signed_body(c, &chain,
	    "mykey.create")) == NULL || req(c, "POST", "/v1/mykey-ids", body,
	    NULL) != 201)
		return 1;
	free(body);
	for (k = 0; k < 10; k++) {
		(void)snprintf(path, sizeof(path),
		    "/admin/v1/certificates/%s:renew", chain.serial);
		if (reqj(c, "POST", path, json_object(), &j) != 201)
			return 1;
		(void)card_from(j, &chain);
		json_decref(j);
	}
	body = signed_body(c, &chain, "mykey.verify");
	t0 = now_ms();
	if (req(c, "POST", "/v1/mykey-ids:verify", body, &j) != 200)
		return 1;
	t1 = now_ms();
	(void)printf("10-hop linkage walk: %.2f ms (linkage_hops=%lld); "
	    "next login of that card: ", t1 - t0, (long long)
	    json_integer_value(json_object_get(j, "linkage_hops")));
	json_decref(j);
	free(body);
	body = signed_body(c, &chain, "mykey.verify");
	t0 = now_ms();
	(void)req(c, "POST", "/v1/mykey-ids:verify", body, NULL);
	(void)printf("%.2f ms\n", now_ms() - t0);
	free(body);
	/* pre-signed challenges, round robin over the cards */
	w = calloc((size_t)threads, sizeof(*w));
	tid = calloc((size_t)threads, sizeof(*tid));
	for (i = 0; i < threads; i++) {
		w[i].n = nreq / threads;
		w[i].bodies = calloc((size_t)w[i].n, sizeof(char *));
		w[i].lat = calloc((size_t)w[i].n, sizeof(double));
		for (k = 0; k < w[i].n; k++) {
			w[i].bodies[k] = signed_body(c, &cards[(i * w[i].n +
			    k) % ncards], "mykey.verify");
			if (w[i].bodies[k] == NULL)
				return 1;
		}
	}
	curl_easy_cleanup(c);
	t0 = now_ms();
	for (i = 0; i < threads; i++)
		(void)pthread_create(&tid[i], NULL, work, &w[i]);
	for (i = 0; i < threads; i++)
		(void)pthread_join(tid[i], NULL);
	t1 = now_ms();
	all = calloc((size_t)nreq, sizeof(double));
	for (i = 0, k = 0; i < threads; i++) {
		memcpy(all + k, w[i].lat, (size_t)w[i].n * sizeof(double));
		k += w[i].n;
		okc += w[i].ok;
	}
	qsort(all, (size_t)k, sizeof(double), cmpd);
	(void)printf(":verify: %d requests (%d ok) over %d connections in "
	    "%.2f s: %.0f req/s, p50 %.2f ms, p99 %.2f ms\n", k, okc, threads,
	    (t1 - t0) / 1e3, k / ((t1 - t0) / 1e3), all[k / 2],
	    all[(size_t)((double)k * 0.99)]);
	curl_global_cleanup();
	return okc == k ? 0 : 1;
}
