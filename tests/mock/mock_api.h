/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * mock_api: what its parts share.  One file per concern: mock_http.c,
 * mock_fixture.c, mock_proof.c, mock_scenarios.c, mock_bad_input.c,
 * mock_cluster.c; main() in mock_api.c; ok() in mock_tap.c.
 */
#ifndef MOCK_API_H
#define MOCK_API_H

#include <stddef.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "mock_tap.h"

struct resp {
	long	 status;
	json_t	*j;
	char	 retry_after[16];
	char	 replayed[8];
	char	 reqid[96];
	char	*body;
	size_t	 len;
	int	 curl_rc;
};

struct client {
	char	id[64];
	char	secret[64];
	char	token[80];
};

struct card {
	char		 person[48];
	char		 card_id[48];
	char		 profile_dir[512];
	char		 auth_serial[48];
	char		 sign_serial[48];
	char		*auth_cert;	/* base64 DER */
	char		*sign_cert;
	EVP_PKEY	*auth_key;
	EVP_PKEY	*sign_key;
};

struct chl {
	char	id[64];
	char	tbs[512];
};

#define CHECK(r, st, code, ...) do {					\
	int _c = is((r), (st), (code));					\
	ok(_c, __VA_ARGS__);						\
	if (!_c)							\
		show(r);						\
} while (0)

/* mock_http.c */
extern const char *base;
extern _Thread_local const char *tbase;
extern char admin_base[160], admin_token[80];
extern char rid_prefix[32];
extern unsigned long rid_seq;
/* mock_fixture.c */
extern const char *dbpath;
/* mock_proof.c */
extern _Thread_local long chl_status;
extern _Thread_local char chl_retry_after[16];
extern const char *consent_uuid;
/* mock_scenarios.c (sid: not here, challenge() and others take one) */
extern struct client A, B;
extern char mykey1[16], ppid1[40];
extern struct card c1;

/* mock_http.c */
void	resp_free(struct resp *r);
int	http_ex(const char *method, const char *path, const char *token,
	    json_t *body, const char *raw, size_t rawlen, const char **extra,
	    long timeout_ms, struct resp *r);
int	http(const char *method, const char *path, const char *token,
	    json_t *body, const char **extra, struct resp *r);
const char	*jget(const struct resp *r, const char *key);
int	is(const struct resp *r, long status, const char *code);
void	show(const struct resp *r);

/* mock_fixture.c */
int	new_client(struct client *c, const char *kind, const char *scopes);
void	card_clear(struct card *c);
int	card_from(const struct resp *r, struct card *c, const char *person);
int	new_person_card(const char *name, struct card *c);
int	admin_card_op(const char *path, json_t *body, struct card *c);
int	renew(struct card *c);
void	set_clock(const char *how, long long adv);
void	add_fault(const char *glob, int status, int delay_ms, int drop,
	    int count, int retry_after);
long long	qlog_last(void);
long long	qlog_count_prefix(const char *prefix);
char	*state_digest(void);
long long	count_sql(const char *sql);
long long	clock_unix(void);
long long	purge_now(const char *table);

/* mock_proof.c */
int	challenge(const struct client *cl, const char *purpose,
	    const char *mykey, const char *sid, struct chl *out);
char	*sign_b64(EVP_PKEY *k, const char *tbs);
json_t	*proof(const struct chl *ch, const char *cert, EVP_PKEY *key);
json_t	*consent(const char *purpose);
json_t	*login_body(const struct chl *ch, const struct card *c);
int	do_login(const struct client *cl, const struct card *c, int create,
	    struct resp *r);
int	disclosure_hdrs(const struct client *cl, const struct card *c,
	    char h1[8192], char h2[1024]);
int	disclosures(const struct client *cl, const struct card *c,
	    const char *id, struct resp *r);

/* mock_scenarios.c */
int	link_service(const struct client *cl, const struct card *c,
	    const char *sid, const char *sun, struct resp *r);
void	s1_happy(void);
void	s2_renewals(void);
void	s3_move(void);
void	s4_lost(void);
void	s5_expiry(void);
void	s6_idempotency(void);
void	s7_faults(void);
void	s8_challenges(void);
void	s9_consent(void);
void	retention(void);

/* mock_bad_input.c */
void	bad_input(void);
void	more(void);
void	extras(void);
void	birth_dates(void);
void	json_ranges(void);

/* mock_cluster.c */
int	durability(const char *ackpath);
int	cluster(int ninst, char **inst);
int	stream(const char *ackpath, int seconds);

#endif /* MOCK_API_H */
