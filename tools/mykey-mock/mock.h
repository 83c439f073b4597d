/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * mykey-mock internals: the mock MyKey Platform, its J-LIS simulator and
 * the issuing authority (docs: /work/shared/docs/mykey-mock-api.md, cited
 * as "api §N").  Any number of processes on one database (store.h).
 *
 * Functions return 0 on success and a negative value on failure unless
 * documented otherwise.
 */
#ifndef MYKEY_MOCK_H
#define MYKEY_MOCK_H

#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "store.h"

#define MM_MAX_BODY		(64 * 1024)	/* request body cap */
#define MM_MAX_CERT		(8 * 1024)	/* DER certificate cap */
#define MM_MAX_HOPS		10		/* linkage walk cap, api §5.7 */
#define MM_CHALLENGE_TTL	300		/* seconds, api §5.2 */
#define MM_TOKEN_TTL		3600		/* seconds, api §5.1 */
#define MM_IDEM_TTL		86400		/* seconds, api §5.1 */
#define MM_SERIAL_MAX		41		/* hex + NUL */

/* ---- configuration (config.c) ---------------------------------------- */

struct mm_config {
	char	bind[64];
	int	port;
	int	login_port;		/* 0: no /login listener */
	char	db[512];
	char	ca_dir[512];
	char	profiles_dir[512];
	char	tls_cert[512];
	char	tls_key[512];
	char	log_path[512];
	int	plain_http;
	int	sync_full;		/* 1 full, 0 normal, 2 group */
	int	threads;		/* connection pool size */
	int	rate_limit;		/* requests/s per client, 0 = off */
	char	clock[64];		/* initial clock override */
	/* abuse limits (limits.c, docs/mykey-mock.md "Limits") */
	int	max_conns;		/* connections in total, per listener */
	int	per_ip_conns;		/* connections per peer address */
	int	idle_timeout;		/* s without a byte: closed */
	int	header_timeout;		/* s to receive a request's headers */
	int	body_timeout;		/* s to receive a request's body */
	int	max_body;		/* request body cap, bytes */
	int	drain_max;		/* bytes read and dropped after an early 413 */
	int	drain_time;		/* s the drain may take at most */
	int	json_depth;		/* nesting cap of a JSON body */
	/* retention (purge.c, docs/mykey-mock.md "Retention") */
	int	purge_interval;		/* s between purges, 0: no thread */
	int	retain_challenges;	/* s kept after expiry */
	int	retain_idempotency;	/* s kept after creation (>= 24 h) */
	int	retain_tokens;		/* s kept after expiry */
	int	retain_logs_days;	/* audit_log, jlis_query_log */
	int	retain_disclosures_days; /* disclosures */
	/* admin listener (admin API + J-LIS queries, Bearer token) */
	char	admin_bind[64];
	int	admin_port;		/* 0: any free port (<db>.admin-url) */
	int	admin_remote;		/* allow a non-loopback admin bind */
	char	admin_url_file[512];	/* "" : <db>.admin-url; "none" */
};

void	cfg_defaults(struct mm_config *c);
int	cfg_load(struct mm_config *c, const char *path);
int	cfg_set(struct mm_config *c, const char *key, const char *value);

/* ---- database: store.h (store.c, store_sqlite.c, store_pg.c) ------- */

/* ---- helpers (util.c) ------------------------------------------------ */

int	mm_random(void *buf, size_t n);
void	mm_hex(const uint8_t *in, size_t n, char *out);	/* lower case */
void	mm_sha256_hex(const void *in, size_t n, char out[65]);
/* b64: standard with padding; b64url: no padding.  *out freed by caller. */
int	mm_b64_decode(const char *in, int url, uint8_t **out, size_t *outlen,
	    size_t cap);
char   *mm_b64_encode(const uint8_t *in, size_t n, int url);
void	mm_uuid(char out[37]);
int	mm_uuid_valid(const char *s);
void	mm_rfc3339(long long t, char out[32]);	/* +09:00 (JST) */
int	mm_parse_rfc3339(const char *s, long long *t);
/*
 * A decimal count or id from a request (query string, cursor): ASCII
 * digits only (no sign, no blanks), at most max; 0, or -1 for anything
 * else, an overflow included.
 */
int	mm_parse_count(const char *s, long long max, long long *out);
/*
 * A calendar date as YYYYMMDD or RFC 3339 full-date YYYY-MM-DD (year
 * 1000-9999, a day that exists) into its stored form YYYYMMDD; 0 or -1.
 */
int	mm_date_canon(const char *s, char out[9]);
void	mm_new_id(const char *prefix, char *out, size_t n);
void	mm_mykey_id_random(char out[9]);
int	mm_mykey_id_valid(const char *s);
int	mm_serial_valid(const char *s);
void	mm_mynumber_random(char out[13]);
void	mm_ppid(const uint8_t *key, size_t keylen, const char *subject,
	    char out[27]);
int	mm_secret_hash(const char *secret, const char *salt_hex, char out[65]);
int	mm_write_file(const char *path, const void *data, size_t n, int mode);
int	mm_read_file(const char *path, uint8_t **out, size_t *n, size_t cap);
int	mm_mkdirs(const char *path);
void	mm_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	mm_log_open(const char *path);

/* ---- certificates and keys (x509.c) ---------------------------------- */

#define MM_CERT_CACHE	1024

/*
 * The CA set, plus a cache of presented certificates that passed
 * cert_check (keyed by SHA-256 of the DER and type): a login repeats the
 * same certificate, and parsing plus the CA signature check dominated the
 * CPU time of :verify.
 */
struct mm_ca {
	X509		*auth_crt, *sign_crt;
	EVP_PKEY	*auth_key, *sign_key;
	pthread_mutex_t	 mu;
	struct {
		uint8_t	 h[32];
		char	 type;
		char	 serial[MM_SERIAL_MAX];
		X509	*x;
	} cache[MM_CERT_CACHE];
};

int	ca_load(const char *dir, struct mm_ca **out);
void	ca_free(struct mm_ca **ca);
/* cert_type of a parsed certificate ("auth" or "sign"), else NULL. */
enum mm_certerr {
	MM_CERT_OK = 0,
	MM_CERT_INVALID,	/* INVALID_CERTIFICATE */
	MM_CERT_UNSUPPORTED,	/* UNSUPPORTED_CERTIFICATE */
	MM_CERT_UNTRUSTED	/* CHAIN_UNTRUSTED */
};
enum mm_certerr cert_check(struct mm_ca *ca, const uint8_t *der,
	    size_t n, const char *want_type, X509 **out, char *serial);
int	cert_serial_hex(X509 *x, char *out);
int	sig_verify(X509 *x, const void *tbs, size_t tbslen, const uint8_t *sig,
	    size_t siglen);
int	tls_selfsigned(const char *cert_path, const char *key_path);
uint8_t *crl_build(const struct mm_ca *ca, struct mm_db *db, int sign,
	    long long now, size_t *len);
uint8_t *ocsp_respond(const struct mm_ca *ca, struct mm_db *db,
	    const uint8_t *req, size_t reqlen, long long now, size_t *len);

/* ---- HTTP layer (http.c, dispatch.c, req.c, idem.c) ------------------ */

#define MM_RL_SLOTS	64

struct mm_watch;

struct mm_server {
	struct mm_config	 cfg;
	struct mm_watch		*watch;	/* slow-client deadlines */
	struct mm_purger	*purger; /* retention thread (purge.c) */
	char			 admin_token[65];
	struct mm_pool		*pool;
	struct mm_ca		*ca;
	/* per-client token buckets (RATE_LIMITED, api §5.6) */
	pthread_mutex_t		 rl_mu;
	struct {
		char		 client[64];
		double		 tokens, last;
	} rl[MM_RL_SLOTS];
};

struct mm_req;

/* Header (kind 0) or query argument (kind 1) of the request. */
typedef const char *(*mm_lookup_fn)(struct mm_req *r, int kind,
	    const char *name);

struct mm_req {
	struct mm_server	*srv;
	struct mm_db		*db;
	void			*conn;	/* transport's (struct MHD_Connection) */
	mm_lookup_fn		 lookup;
	int			 admin;	/* on the admin listener */
	int			 bad_path; /* control byte or dot segment */
	unsigned long long	 dropped; /* body bytes over the cap */
	char			 method[8];
	char			 path[256];
	const char		*param[3];	/* path parameters */
	char			 parambuf[3][128];
	char			*body;
	size_t			 body_len;
	int			 too_big;
	int			 loopback;
	int			 login;	/* on the /login listener */
	json_t			*json;	/* parsed body, or NULL */
	char			 request_id[96];
	char			 client_id[64];
	char			 scopes[256];
	long long		 now;	/* mock clock */
	/* consent of this request (api §5.10) */
	char			 consent_id[40];
	char			 consent_purpose[128];
	char			 consent_terms[64];
	long long		 consent_at;
	/* response */
	unsigned int		 status;
	json_t			*resp;
	uint8_t			*raw;	/* non-JSON body (DER, HTML) */
	size_t			 raw_len;
	const char		*raw_type;
	char			 code[48];
	char			 retry_after[16];
	int			 replayed;
	int			 drop;
	int			 commit_on_error; /* state changes to keep */
};

const char *req_header(struct mm_req *r, const char *name);
const char *req_arg(struct mm_req *r, const char *name);
/* Set a problem+json response.  Returns -1 for `rc = req_problem(...)`. */
int	req_problem(struct mm_req *r, unsigned int status, const char *code,
	    const char *detail);
int	req_ok(struct mm_req *r, unsigned int status, json_t *body);
int	req_scope(struct mm_req *r, const char *scope);
/* 415 unless a body is JSON, 400 past the nesting cap; 0 if fine. */
int	req_body_check(struct mm_req *r);
/* Parse a non-empty body into r->json; 400 unless it is an object. */
int	req_body_json(struct mm_req *r);
/* Forget a response before the request runs again (store.h retry). */
void	req_reset(struct mm_req *r);
/* The listeners (http.c); returns when SIGINT or SIGTERM arrives. */
int	serve(struct mm_config *cfg);
/*
 * Idempotency-Key (idem.c, api §5.1).  idem_begin: IDEM_RUN (run the
 * handler, then idem_finish), IDEM_DONE (stored answer replayed into r)
 * or -1 (problem set).  reqhash: 65 bytes.
 */
enum { IDEM_NONE, IDEM_RUN, IDEM_DONE };
int	idem_begin(struct mm_req *r, const char *key, char *reqhash);
void	idem_finish(struct mm_req *r, const char *key);
/*
 * Answer one request without any transport: method, path, lookup, body
 * and db (with srv) filled in by the caller; sets status and response
 * (dispatch.c).  The MHD callback in http.c and
 * tests/fuzz/fuzz_mock_request.c call it.
 */
void	mock_handle(struct mm_req *r);
/* Free what mock_handle allocated in r (not r itself). */
void	mock_req_clear(struct mm_req *r);

/* ---- request checks and limits (reqcheck.c, limits.c) ---------------- */

/* 0 if the decoded path is acceptable: no control byte, no . or .. */
int	req_path_ok(const char *path);
/* 1 if the body's JSON nesting stays within max (strings skipped). */
int	req_json_depth_ok(const char *b, size_t n, int max);
/*
 * Integer member key of object o within [min,max]: 1 and *out set; 0 and
 * *out = dflt when absent or null; -1 (answer 400) when not an integer
 * or out of range.
 */
int	req_json_int(const json_t *o, const char *key, long long min,
	    long long max, long long dflt, long long *out);
/* The mock clock stays within this many seconds of the real one. */
#define MM_CLOCK_SPAN_S		(1000LL * 366 * 86400)
/* 1 if Content-Type is application/json (parameters allowed). */
int	req_is_json_type(const char *ct);
/* Constant-time compare of a presented admin Bearer token. */
int	admin_token_ok(const struct mm_server *s, const char *authz);
/* Read <db>.admin-token, creating it (0600, random) on first start. */
int	admin_token_load(const char *db, char out[65]);
enum { WATCH_IDLE, WATCH_BODY, WATCH_BUSY };
/* ---- retention (purge.c) --------------------------------------------- */

#define MM_PURGE_TABLES	6
/* Name of purge rule i (for the admin answer), NULL past the last. */
const char *purge_table(int i);
/* One bounded purge run; n[i] rows deleted per table.  0 or -1. */
int	mm_purge(struct mm_db *db, const struct mm_config *c,
	    long long n[MM_PURGE_TABLES]);
int	purge_start(struct mm_server *s);
void	purge_stop(struct mm_server *s);

/* Phase of a connection (struct MHD_Connection *) for its deadline. */
void	watch_phase(void *conn, int phase);
/* Answered before its body was read: drain the rest before the close. */
void	watch_linger(void *conn);
/* libmicrohttpd's error log into mm_log, at most 10 lines a second. */
void	watch_mhd_log(void *cls, const char *fmt, va_list ap);
#ifdef MHD_VERSION
void	watch_notify(void *cls, struct MHD_Connection *c, void **sock_ctx,
	    enum MHD_ConnectionNotificationCode code);
#endif
int	watch_start(struct mm_server *s);
void	watch_stop(struct mm_server *s);
/* Take one matching fault (api §5.5).  1 fired, 0 none. */
int	fault_take(struct mm_db *db, const char *path, int *status,
	    int *delay_ms, int *drop, int *retry_after);

/* ---- J-LIS simulator (jlis.c) ---------------------------------------- */

struct jlis_status {
	char		status[12];	/* good revoked expired unknown */
	int		reason;		/* RFC 5280, -1 none */
	long long	revoked_at;
	long long	not_after;
	char		person_id[48];
	char		card_id[48];
};

int	jlis_status(struct mm_req *r, const char *type, const char *serial,
	    struct jlis_status *st);
/* 1 found, 0 none, -1 error */
int	jlis_old_search(struct mm_req *r, const char *type,
	    const char *serial, char *old_out, char *cause, size_t causelen);
int	jlis_new_search(struct mm_req *r, const char *type,
	    const char *serial, char *new_out);
int	jlis_assoc(struct mm_req *r, const char *type, const char *serial,
	    char *other_out);
const char *reason_name(int reason);
int	jlis_log_ocsp(struct mm_db *db, const char *serial, const char *res);
int	reason_from_name(const char *name);
int	h_jlis(struct mm_req *r);

/* ---- platform /v1 (platform.c, mykey.c, services.c) ------------------ */

int	consent_check(struct mm_req *r, const char *need);
int	consent_store(struct mm_req *r, const char *mykey_id);
int	disclose(struct mm_req *r, const char *mykey_id,
	    const char *recipient, const char *items, const char *purpose);
void	audit(struct mm_req *r, const char *action, const char *mykey_id,
	    const char *serial, const char *result);
/*
 * Verify a Proof (api §5.2) for purpose and want_type inside the caller's
 * transaction: challenge, certificate, signature.  The challenge is
 * marked consumed.  On failure a problem is set.
 */
int	proof_check(struct mm_req *r, json_t *proof, const char *purpose,
	    const char *want_type, const char *mykey_id,
	    const char *service_id, char *serial, X509 **cert,
	    char *challenge_id);
/* Resolve an auth serial to a MyKey ID (api §5.7); create when asked. */
struct resolve {
	char	mykey_id[9];
	char	state[20];
	int	hops;
	int	relinked;
	int	created;
	json_t	*superseded;
	struct jlis_status st;
};
int	resolve_auth(struct mm_req *r, const char *serial, int create,
	    const char *requested, struct resolve *out);
int	jlis_faults(struct mm_req *r);
int	status_problem(struct mm_req *r, const char *type, const char *serial,
	    struct jlis_status *st);
int	bind_serial(struct mm_req *r, const char *mykey, const char *type,
	    const char *serial, const char *via, int hops);
int	walk_back(struct mm_req *r, const char *type, const char *serial,
	    char *mykey, char *state, int *hops, json_t *superseded);
json_t *serial_json(struct mm_req *r, const char *serial);
int	finish(struct mm_req *r, int rc, const char *action,
	    const char *mykey, const char *serial);
int	h_token(struct mm_req *r);
int	h_challenges(struct mm_req *r);
int	h_mykey_create(struct mm_req *r);
int	h_mykey_verify(struct mm_req *r);
int	h_mykey_get(struct mm_req *r);
int	h_mykey_history(struct mm_req *r);
int	h_mykey_disclosures(struct mm_req *r);
int	h_mykey_sign(struct mm_req *r);
int	h_mykey_push(struct mm_req *r);
int	h_mykey_check(struct mm_req *r);
int	h_mykey_patch(struct mm_req *r);
int	h_mykey_delete(struct mm_req *r);
int	h_services_create(struct mm_req *r);
int	h_links_put(struct mm_req *r);
int	h_links_get(struct mm_req *r);
int	h_links_delete(struct mm_req *r);
int	h_login(struct mm_req *r);

/* ---- issuing authority (authority.c) and admin API (admin.c) --------- */

struct card_out {
	char	card_id[48];
	char	profile_dir[512];
	char	auth_serial[MM_SERIAL_MAX];
	char	sign_serial[MM_SERIAL_MAX];
};

int	auth_client_add(struct mm_db *db, const char *kind, const char *scopes,
	    const char *name, char *id_out, char *secret_out);
int	auth_person_add(struct mm_db *db, const char *name, const char *birth,
	    const char *sex, const char *address, char *id_out);
int	auth_card_issue(struct mm_db *db, const char *ca_dir,
	    const char *profiles_dir, const char *person_id,
	    const char *out_dir, long long now, long long nb, long long na,
	    const char *prev_card, const char *cause, struct card_out *out);
int	auth_cert_revoke(struct mm_db *db, const char *serial, int reason,
	    long long now);
int	auth_card_renew(struct mm_db *db, const char *ca_dir,
	    const char *profiles_dir, const char *serial, const char *out_dir,
	    long long now, struct card_out *out);
int	auth_card_reissue(struct mm_db *db, const char *ca_dir,
	    const char *profiles_dir, const char *person_id,
	    const char *out_dir, long long now, struct card_out *out);
int	auth_person_move(struct mm_db *db, const char *ca_dir,
	    const char *person_id, const char *address, long long now,
	    struct card_out *out);
int	auth_fault_add(struct mm_db *db, const char *glob, int status,
	    int delay_ms, int drop, int count, int retry_after);
int	auth_clock_set(struct mm_db *db, const char *spec);
int	h_admin(struct mm_req *r);
json_t *card_json(const struct card_out *c);

/* CLI subcommands (cli.c) */
int	cli_main(int argc, char **argv);

#endif /* MYKEY_MOCK_H */
