/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Internals of the MyKey Platform client, grouped by file:
 *   platform.c       the only file with curl calls: one HTTP exchange,
 *                    retry loop, Bearer token
 *   platform_util.c  pure helpers: URL policy, backoff, UUID, base64,
 *                    issuance-number hex, TBS, consent checks
 *   platform_json.c  JSON in and out (jansson): problem+json mapping,
 *                    result parsing, request bodies
 *   platform_ops.c   the operations of platform.h (card + HTTP)
 *   queue.c          the offline queue (SQLite)
 */
#ifndef JPKI_PLATFORM_INT_H
#define JPKI_PLATFORM_INT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jpki/platform.h>

#define PLATFORM_TBS_FORMAT	"mykey-mock/v1"		/* §5.2 */
#define PLATFORM_TBS_MAX	1024

struct jpki_platform {
	char		*url;		/* without trailing '/' */
	char		*client_id;
	char		*client_secret;	/* wiped on free */
	char		*ca_file;
	int		 allow_http;
	long		 connect_timeout_ms;
	long		 timeout_ms;
	size_t		 max_response;
	unsigned	 max_attempts;
	unsigned	 backoff_base_ms;
	unsigned	 backoff_max_ms;
	unsigned	 max_retry_after_s;
	int		 force_last_try;
	char		*token;		/* Bearer, wiped on free */
	time_t		 token_expires;
	unsigned	 requests;	/* HTTP attempts, for statistics */
	/*
	 * The card whose auth PIN this handle verified last, so the second
	 * proof of one register (create, then link_sign) signs on the card's
	 * security state instead of asking again.  No PIN is kept: if the
	 * card says 6982 the PIN is asked as usual.
	 */
	const jpki_card_t *auth_verified;
	jpki_platform_problem_t problem;
};

/* One HTTP request.  body may be NULL (no body). */
typedef struct {
	const char	*method;
	const char	*path;		/* "/v1/..." appended to the base URL */
	const char	*body;
	const char	*idem_key;	/* Idempotency-Key or NULL */
	const char	*proof_hdr;	/* X-MyKey-Proof or NULL */
	const char	*consent_hdr;	/* X-MyKey-Consent or NULL */
	int		 bearer;	/* send Authorization: Bearer */
} http_req_t;

typedef struct {
	long		 status;
	char		*body;		/* NUL-terminated, capped */
	size_t		 body_len;
	int		 replayed;
	int		 retry_after;	/* -1 if absent */
	char		 request_id[80];
	char		 content_type[64];
} http_resp_t;

/* platform.c */
/* One response header line (curl's header callback; arg is the
 * http_resp_t): X-Request-Id, Content-Type, Idempotency-Replayed and
 * Retry-After; a status line starts a new response.  Not static so the
 * fuzz harness reaches it. */
void	platform_header_line(const char *line, size_t len, void *arg);
int	platform_http(jpki_platform_t *p, const http_req_t *rq,
	    http_resp_t *rs, unsigned *attempts);
void	platform_http_resp_free(http_resp_t *rs);
int	platform_ensure_token(jpki_platform_t *p);
void	platform_drop_token(jpki_platform_t *p);

/* platform_util.c */
int	platform_url_check(const char *url, int allow_http_loopback);
unsigned platform_backoff_ms(unsigned attempt, unsigned base_ms,
	    unsigned max_ms, uint32_t rnd);
/* 1 when the answer may be retried with the same key (§5.6). */
int	platform_retryable(int transport_error, int got_response, long status,
	    const char *code, int retry_after, unsigned max_retry_after_s);
int	platform_random(void *buf, size_t len);
int	platform_uuid4(char out[37]);
int	platform_uuid_valid(const char *s);
char	*platform_b64(const uint8_t *in, size_t len, int url);
int	platform_serial_hex(const uint8_t *serial, size_t len,
	    char out[JPKI_ISSUANCE_MAX]);
int	platform_der_serial_hex(const uint8_t *der, size_t len,
	    char out[JPKI_ISSUANCE_MAX]);
int	platform_tbs(const char *challenge_id, const char *nonce,
	    const char *purpose, const char *client_id, const char *mykey_id,
	    const char *service_id, char *out, size_t out_size, size_t *len);
int	platform_rfc3339_valid(const char *s);
int	platform_rfc3339_now(char out[40]);
int	platform_id_safe(const char *s, size_t max);

/* platform_json.c */
int	platform_problem_parse(const http_resp_t *rs,
	    jpki_platform_problem_t *pb);
int	platform_code_to_err(long status, const char *code);
int	platform_result_parse(const http_resp_t *rs,
	    jpki_platform_result_t *res);
/* Small JSON bodies; each returns a malloc'd string or NULL. */
char	*platform_json_token_req(const char *client_id, const char *secret);
int	platform_json_token_resp(const char *body, size_t body_len,
	    char **token, long *expires_in);
char	*platform_json_challenge_req(const char *purpose,
	    const char *mykey_id, const char *service_id);
int	platform_json_challenge_resp(const char *body, size_t body_len,
	    char *id, size_t id_sz, char *nonce, size_t nonce_sz);
/* proof = {"challenge_id","certificate","signature","signature_algorithm"} */
typedef struct {
	const char	*challenge_id;
	const uint8_t	*cert;
	size_t		 cert_len;
	const uint8_t	*sig;
	size_t		 sig_len;
} platform_proof_t;

char	*platform_json_body(const platform_proof_t *auth,
	    const platform_proof_t *sign, const jpki_consent_t *consent,
	    const char *extra_key, const char *extra_val);
char	*platform_json_proof_b64url(const platform_proof_t *pr);
char	*platform_json_consent_b64url(const jpki_consent_t *c);
char	*platform_json_push(const char *auth_in, const char *sign_in,
	    const jpki_consent_t *consent);
int	platform_json_consent_read(const char *text, jpki_consent_t *c);
char	*platform_json_consent_write(const jpki_consent_t *c);

#endif /* JPKI_PLATFORM_INT_H */
