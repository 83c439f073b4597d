/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * mykey-mock: command line.  `serve` runs the server; the other
 * subcommands are the issuing authority working on the same database
 * (api §5.5).  Results are printed as one JSON object.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "mock.h"

static void
usage(void)
{
	(void)fprintf(stderr,
	    "usage: mykey-mock serve [--config FILE] [--bind ADDR] [--port N]\n"
	    "           [--login-port N] [--db PATH|postgresql://...]"
	    " [--ca-dir DIR]\n"
	    "           [--profiles-dir DIR] [--tls-cert F --tls-key F]\n"
	    "           [--plain-http] [--clock SPEC] [--log FILE]\n"
	    "           [--synchronous full|normal|group] [--threads N]"
	    " [--rate-limit N]\n"
	    "           [--admin-bind ADDR] [--admin-port N]"
	    " [--admin-remote true|false]\n"
	    "           [--admin-url-file FILE|none]\n"
	    "           [--max-connections N] [--per-ip-connections N]\n"
	    "           [--idle-timeout S] [--header-timeout S]"
	    " [--body-timeout S]\n"
	    "           [--max-body BYTES] [--json-depth N]"
	    " [--drain-max BYTES] [--drain-time S]\n"
	    "           [--purge-interval S] [--retain-challenges S]"
	    " [--retain-idempotency S]\n"
	    "           [--retain-tokens S] [--retain-logs-days N]"
	    " [--retain-disclosures-days N]\n"
	    "   admin API: own listener (URL in DB.admin-url), Bearer token in"
	    " DB.admin-token\n"
	    "       mykey-mock client add --kind KIND [--scopes S] [--name N]"
	    " [--json]\n"
	    "       mykey-mock person add --name N --birth YYYYMMDD|YYYY-MM-DD"
	    " --sex 1|2|9 --address A\n"
	    "       mykey-mock person move --person ID --address A\n"
	    "       mykey-mock card issue --person ID [--out DIR]\n"
	    "       mykey-mock card renew --serial HEX [--out DIR]\n"
	    "       mykey-mock card reissue --person ID [--out DIR]\n"
	    "       mykey-mock cert revoke --serial HEX --reason NAME\n"
	    "       mykey-mock clock set real|+N|-N|RFC3339\n"
	    "       mykey-mock fault add --path GLOB [--status N] "
	    "[--delay-ms N] [--drop]\n"
	    "           [--count N] [--retry-after N]\n"
	    "   common: --config FILE --db PATH --ca-dir DIR --profiles-dir DIR\n");
}

struct opts {
	const char	*k[32];
	const char	*v[32];
	int		 n;
	const char	*pos[4];
	int		 npos;
};

static const char *flagonly[] = { "plain-http", "json", "drop" };

static int
parse(int argc, char **argv, struct opts *o)
{
	int i;
	size_t j;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < argc; i++) {
		if (strncmp(argv[i], "--", 2) != 0) {
			if (o->npos == 4)
				return -1;
			o->pos[o->npos++] = argv[i];
			continue;
		}
		if (o->n == 32)
			return -1;
		o->k[o->n] = argv[i] + 2;
		o->v[o->n] = "true";
		for (j = 0; j < sizeof(flagonly) / sizeof(flagonly[0]); j++) {
			if (strcmp(argv[i] + 2, flagonly[j]) == 0)
				break;
		}
		if (j == sizeof(flagonly) / sizeof(flagonly[0])) {
			if (i + 1 >= argc)
				return -1;
			o->v[o->n] = argv[++i];
		}
		o->n++;
	}
	return 0;
}

static const char *
opt(const struct opts *o, const char *k)
{
	int i;

	for (i = 0; i < o->n; i++) {
		if (strcmp(o->k[i], k) == 0)
			return o->v[i];
	}
	return NULL;
}

/* Apply config file, then the flags that are config keys. */
static int
config(const struct opts *o, struct mm_config *c, int serving)
{
	static const char *local[] = {
		"kind", "scopes", "name", "json", "birth", "sex", "address",
		"person", "out", "serial", "reason", "path", "status",
		"delay-ms", "drop", "count", "retry-after", "config",
	};
	char key[64];
	size_t j, l;
	int i;

	cfg_defaults(c);
	if (opt(o, "config") != NULL && cfg_load(c, opt(o, "config")) != 0)
		return -1;
	for (i = 0; i < o->n; i++) {
		for (j = 0; j < sizeof(local) / sizeof(local[0]); j++) {
			if (strcmp(o->k[i], local[j]) == 0)
				break;
		}
		if (j < sizeof(local) / sizeof(local[0]) && (!serving ||
		    strcmp(o->k[i], "config") == 0))
			continue;
		if (strlen(o->k[i]) >= sizeof(key))
			return -1;
		for (l = 0; o->k[i][l] != '\0'; l++)
			key[l] = o->k[i][l] == '-' ? '_' : o->k[i][l];
		key[l] = '\0';
		if (cfg_set(c, key, o->v[i]) != 0) {
			(void)fprintf(stderr, "mykey-mock: bad option --%s\n",
			    o->k[i]);
			return -1;
		}
	}
	if (db_is_pg(c->db)) {
		/* a URI is no place for files: they sit beside the CA */
		if (c->ca_dir[0] == '\0') {
			(void)fprintf(stderr, "mykey-mock: a PostgreSQL --db "
			    "needs --ca-dir\n");
			return -1;
		}
		if (c->profiles_dir[0] == '\0')
			(void)snprintf(c->profiles_dir,
			    sizeof(c->profiles_dir), "%.490s/../profiles",
			    c->ca_dir);
		return 0;
	}
	if (c->ca_dir[0] == '\0')
		(void)snprintf(c->ca_dir, sizeof(c->ca_dir), "%.500s.d/ca",
		    c->db);
	if (c->profiles_dir[0] == '\0')
		(void)snprintf(c->profiles_dir, sizeof(c->profiles_dir),
		    "%.500s.d/profiles", c->db);
	return 0;
}

static int
print(json_t *o)
{
	char *s;

	if (o == NULL || (s = json_dumps(o, JSON_COMPACT)) == NULL) {
		json_decref(o);
		return 1;
	}
	(void)printf("%s\n", s);
	free(s);
	json_decref(o);
	return 0;
}

static int
need(const struct opts *o, const char *k, const char **v)
{
	if ((*v = opt(o, k)) == NULL) {
		(void)fprintf(stderr, "mykey-mock: --%s is required\n", k);
		return -1;
	}
	return 0;
}

/* A non-negative option value; -1 for anything else, which every caller
 * refuses (atoi took "abc" as 0 and an overflow as anything). */
static int
num(const struct opts *o, const char *k, int dflt)
{
	const char *v = opt(o, k);
	long long n;

	if (v == NULL)
		return dflt;
	return mm_parse_count(v, INT_MAX, &n) == 0 ? (int)n : -1;
}

static int
run(const char *a, const char *b, const struct opts *o, struct mm_db *db,
    const struct mm_config *c)
{
	const char *x, *y, *z, *w;
	char id[64], secret[64];
	struct card_out co;
	int reason, rc;
	long long now = db_now(db);

	if (strcmp(a, "client") == 0 && strcmp(b, "add") == 0) {
		if (need(o, "kind", &x) != 0)
			return 2;
		if (auth_client_add(db, x, opt(o, "scopes"), opt(o, "name"), id,
		    secret) != 0) {
			(void)fprintf(stderr, "mykey-mock: bad kind or scopes\n");
			return 1;
		}
		if (opt(o, "json") != NULL)
			rc = print(json_pack("{s:s,s:s}", "client_id", id,
			    "client_secret", secret));
		else
			rc = printf("%s %s\n", id, secret) < 0;
		OPENSSL_cleanse(secret, sizeof(secret));
		return rc;
	}
	if (strcmp(a, "person") == 0 && strcmp(b, "add") == 0) {
		if (need(o, "name", &x) || need(o, "birth", &y) ||
		    need(o, "sex", &z) || need(o, "address", &w))
			return 2;
		if (auth_person_add(db, x, y, z, w, id) != 0) {
			(void)fprintf(stderr, "mykey-mock: bad person data\n");
			return 1;
		}
		return print(json_pack("{s:s}", "person_id", id));
	}
	if (strcmp(a, "person") == 0 && strcmp(b, "move") == 0) {
		if (need(o, "person", &x) || need(o, "address", &y))
			return 2;
		if (auth_person_move(db, c->ca_dir, x, y, now, &co) != 0)
			return 1;
		return print(json_pack("{s:s,s:s,s:s}", "card_id", co.card_id,
		    "profile_dir", co.profile_dir, "sign_issuance_number",
		    co.sign_serial));
	}
	if (strcmp(a, "card") == 0 && (strcmp(b, "issue") == 0 ||
	    strcmp(b, "reissue") == 0 || strcmp(b, "renew") == 0)) {
		if (strcmp(b, "renew") == 0) {
			if (need(o, "serial", &x))
				return 2;
			rc = auth_card_renew(db, c->ca_dir, c->profiles_dir, x,
			    opt(o, "out"), now, &co);
		} else {
			if (need(o, "person", &x))
				return 2;
			rc = b[0] == 'i' ? auth_card_issue(db, c->ca_dir,
			    c->profiles_dir, x, opt(o, "out"), now, 0, 0, NULL,
			    NULL, &co) : auth_card_reissue(db, c->ca_dir,
			    c->profiles_dir, x, opt(o, "out"), now, &co);
		}
		if (rc != 0)
			return 1;
		return print(json_pack("{s:s,s:s,s:s,s:s}", "card_id",
		    co.card_id, "profile_dir", co.profile_dir,
		    "auth_issuance_number", co.auth_serial,
		    "sign_issuance_number", co.sign_serial));
	}
	if (strcmp(a, "cert") == 0 && strcmp(b, "revoke") == 0) {
		if (need(o, "serial", &x) || need(o, "reason", &y))
			return 2;
		if ((reason = reason_from_name(y)) < 0 ||
		    auth_cert_revoke(db, x, reason, now) != 0) {
			(void)fprintf(stderr, "mykey-mock: cannot revoke\n");
			return 1;
		}
		return print(json_pack("{s:s,s:s}", "issuance_number", x,
		    "revocation_reason", y));
	}
	if (strcmp(a, "clock") == 0 && strcmp(b, "set") == 0) {
		if (o->npos < 3 || auth_clock_set(db, o->pos[2]) != 0) {
			(void)fprintf(stderr, "mykey-mock: bad clock value\n");
			return 2;
		}
		return print(json_pack("{s:I}", "offset_s",
		    (json_int_t)db_clock_offset(db)));
	}
	if (strcmp(a, "fault") == 0 && strcmp(b, "add") == 0) {
		if (need(o, "path", &x))
			return 2;
		if (auth_fault_add(db, x, num(o, "status", 0), num(o,
		    "delay-ms", 0), opt(o, "drop") != NULL, num(o, "count", 1),
		    num(o, "retry-after", 0)) != 0) {
			(void)fprintf(stderr, "mykey-mock: bad fault\n");
			return 2;
		}
		return print(json_pack("{s:I}", "fault_id",
		    (json_int_t)db_last_id(db)));
	}
	usage();
	return 2;
}

int
main(int argc, char **argv)
{
	struct mm_config c;
	struct opts o;
	struct mm_db *db = NULL;
	int rc = 2;

	if (argc < 2 || parse(argc - 1, argv + 1, &o) != 0) {
		usage();
		return 2;
	}
	if (strcmp(argv[1], "serve") == 0) {
		if (o.npos != 1 || config(&o, &c, 1) != 0) {
			usage();
			return 2;
		}
		return serve(&c);
	}
	if (o.npos < 2 || config(&o, &c, 0) != 0) {
		usage();
		return 2;
	}
	/* one writer, no group to commit with: plain FULL for "group" */
	if (db_open(c.db, c.sync_full == 0 ? 0 : 1, &db) != 0 ||
	    db_schema(db) != 0)
		return 1;
	rc = run(o.pos[0], o.pos[1], &o, db, &c);
	db_close(&db);
	return rc;
}
