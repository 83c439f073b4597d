/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * mykey-mock under abuse (tests/e2e/mock_abuse.sh starts the server on
 * loopback, plain HTTP, inside the test's network namespace).  Raw
 * sockets, so that a request can be exactly as wrong as an attacker
 * makes it.  Every loop is bounded in count and time.
 *
 *   mock_abuse PORT CLIENT_ID CLIENT_SECRET ADMIN_PORT HEADER_TIMEOUT \
 *       ADMIN_TOKEN_FILE
 *
 * Normal clients come from 127.0.0.1, the idle flood from 127.0.0.2,
 * the slow clients from 127.0.0.3 (all of 127/8 is loopback).
 * TAP output; prints "# p99 ..." figures; exit 1 if a check failed.
 */
#include <sys/socket.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mock_tap.h"

#define NIDLE		2000
#define NSLOW		4
#define NNORMAL_THR	4
#define BASE_REQS	100	/* per thread */

static int port, aport, htimeout;
static char token[256];

static double
now_s(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A TCP connection to 127.0.0.1:p from source address src (or any). */
static int
dial(const char *src, int p)
{
	struct sockaddr_in a;
	struct timeval tv = { 5, 0 };
	int fd, one = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	if (src != NULL) {
		(void)inet_pton(AF_INET, src, &a.sin_addr);
		if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
			(void)close(fd);
			return -1;
		}
	}
	a.sin_port = htons((uint16_t)p);
	(void)inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		(void)close(fd);
		return -1;
	}
	return fd;
}

static int
send_all(int fd, const void *b, size_t n)
{
	const char *p = b;
	ssize_t w;

	while (n > 0) {
		w = send(fd, p, n, MSG_NOSIGNAL);
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Read a whole response (Connection: close); status, body into out. */
static int
read_resp(int fd, char *out, size_t n)
{
	size_t got = 0;
	ssize_t r;
	int st = 0;

	while (got + 1 < n && (r = recv(fd, out + got, n - got - 1, 0)) > 0)
		got += (size_t)r;
	out[got] = '\0';
	if (sscanf(out, "HTTP/1.%*d %d", &st) != 1)
		return -1;
	return st;
}

/* One request on a new connection; status or -1.  body may be NULL. */
static int
request(int p, const char *method, const char *path, const char *ctype,
    const char *auth, const char *body, size_t blen, char *out,
    size_t outn)
{
	char hdr[2048];
	int fd, st, n;

	if ((fd = dial(NULL, p)) < 0)
		return -1;
	n = snprintf(hdr, sizeof(hdr), "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Connection: close\r\n%s%s%s%s%s%s", method, path,
	    ctype != NULL ? "Content-Type: " : "", ctype != NULL ? ctype : "",
	    ctype != NULL ? "\r\n" : "", auth != NULL ? "Authorization: " :
	    "", auth != NULL ? auth : "", auth != NULL ? "\r\n" : "");
	if (body != NULL)
		n += snprintf(hdr + n, sizeof(hdr) - (size_t)n,
		    "Content-Length: %zu\r\n", blen);
	n += snprintf(hdr + n, sizeof(hdr) - (size_t)n, "\r\n");
	if (send_all(fd, hdr, (size_t)n) != 0 || (body != NULL &&
	    send_all(fd, body, blen) != 0)) {
		(void)close(fd);
		return -1;
	}
	st = read_resp(fd, out, outn);
	(void)close(fd);
	return st;
}

/* ---- normal clients ------------------------------------------------- */

struct load {
	double		*lat;
	int		 n, cap, fails;
	double		 until;		/* 0: exactly cap requests */
};

static void *
normal_run(void *arg)
{
	struct load *l = arg;
	char auth[300], out[4096];
	double t0;
	int st;

	(void)snprintf(auth, sizeof(auth), "Bearer %s", token);
	while (l->n < l->cap && (l->until == 0 || now_s() < l->until)) {
		t0 = now_s();
		st = request(port, "GET", "/v1/mykey-ids/ZZZZZZZZ", NULL, auth,
		    NULL, 0, out, sizeof(out));
		/* an unknown (or not linked) ID: a served answer */
		if (st != 404 || strstr(out, "MYKEY_ID_NOT_FOUND") == NULL)
			l->fails++;
		l->lat[l->n++] = now_s() - t0;
	}
	return NULL;
}

static int
cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* p99 in ms over all threads; *n total, *fails total. */
static double
run_load(double secs, int per_thread, int *n, int *fails)
{
	struct load l[NNORMAL_THR];
	pthread_t th[NNORMAL_THR];
	double *all, p99;
	int i, j, k = 0;

	*n = *fails = 0;
	for (i = 0; i < NNORMAL_THR; i++) {
		memset(&l[i], 0, sizeof(l[i]));
		l[i].cap = per_thread;
		l[i].until = secs > 0 ? now_s() + secs : 0;
		l[i].lat = calloc((size_t)per_thread, sizeof(double));
		(void)pthread_create(&th[i], NULL, normal_run, &l[i]);
	}
	for (i = 0; i < NNORMAL_THR; i++) {
		(void)pthread_join(th[i], NULL);
		*n += l[i].n;
		*fails += l[i].fails;
	}
	all = calloc((size_t)*n + 1, sizeof(double));
	for (i = 0; i < NNORMAL_THR; i++) {
		for (j = 0; j < l[i].n; j++)
			all[k++] = l[i].lat[j];
		free(l[i].lat);
	}
	qsort(all, (size_t)k, sizeof(double), cmpd);
	p99 = k > 0 ? all[(size_t)((k - 1) * 0.99)] * 1000 : 1e9;
	free(all);
	return p99;
}

/* ---- slow clients: a byte a second ---------------------------------- */

struct slow {
	int	 body;		/* slow body instead of slow headers */
	double	 cut_after;	/* seconds until the server closed, -1 never */
};

static void *
slow_run(void *arg)
{
	struct slow *s = arg;
	char msg[1024];
	double t0 = now_s();
	size_t i, n;
	int fd;

	s->cut_after = -1;
	if (s->body)
		n = (size_t)snprintf(msg, sizeof(msg), "POST /v1/challenges "
		    "HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
		    "Authorization: Bearer %s\r\nContent-Length: 400\r\n\r\n"
		    "%-400s", token, "{");
	else
		n = (size_t)snprintf(msg, sizeof(msg), "GET /v1/mykey-ids/"
		    "ZZZZZZZZ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: %-300s"
		    "\r\n\r\n", "x");
	if ((fd = dial("127.0.0.3", port)) < 0)
		return NULL;
	if (s->body) {
		/* headers at once, then the body a byte a second */
		i = (size_t)(strstr(msg, "\r\n\r\n") - msg) + 4;
		if (send_all(fd, msg, i) != 0)
			goto cut;
	} else {
		i = 0;
	}
	/* bounded: 40 bytes at most, then give up */
	for (; i < n && now_s() - t0 < 40; i++) {
		if (send(fd, msg + i, 1, MSG_NOSIGNAL) != 1)
			goto cut;
		{
			struct pollfd p = { fd, POLLIN, 0 };
			char c;

			if (poll(&p, 1, 1000) > 0 && recv(fd, &c, 1,
			    MSG_DONTWAIT) <= 0)
				goto cut;
		}
	}
	(void)close(fd);
	return NULL;
cut:
	s->cut_after = now_s() - t0;
	(void)close(fd);
	return NULL;
}

/* ---- oversized bodies ----------------------------------------------- */

/*
 * 100 MB announced: the 413 must come before any body byte is sent.
 * Returns the status, *secs the wait.
 */
static int
huge_declared(double *secs)
{
	char hdr[512], out[2048];
	double t0 = now_s();
	int fd, n, st;

	if ((fd = dial(NULL, port)) < 0)
		return -1;
	n = snprintf(hdr, sizeof(hdr), "POST /v1/challenges HTTP/1.1\r\n"
	    "Host: x\r\nContent-Type: application/json\r\nAuthorization: "
	    "Bearer %s\r\nContent-Length: 104857600\r\n\r\n", token);
	if (send_all(fd, hdr, (size_t)n) != 0) {
		(void)close(fd);
		return -1;
	}
	st = read_resp(fd, out, sizeof(out));
	*secs = now_s() - t0;
	(void)close(fd);
	return st;
}

/*
 * 100 MB chunked (no length): the server must stop reading far before
 * the end.  Returns the bytes we could send before it answered/closed.
 */
static size_t
huge_chunked(int *status)
{
	static char chunk[65536 + 32];
	char hdr[512], out[2048];
	size_t sent = 0, got = 0;
	struct pollfd p;
	ssize_t r;
	int fd, n, hl;

	*status = 0;
	if ((fd = dial(NULL, port)) < 0)
		return 0;
	n = snprintf(hdr, sizeof(hdr), "POST /v1/challenges HTTP/1.1\r\n"
	    "Host: x\r\nContent-Type: application/json\r\nAuthorization: "
	    "Bearer %s\r\nTransfer-Encoding: chunked\r\n\r\n", token);
	hl = snprintf(chunk, sizeof(chunk), "10000\r\n");
	memset(chunk + hl, ' ', 65536);
	memcpy(chunk + hl + 65536, "\r\n", 2);
	if (send_all(fd, hdr, (size_t)n) != 0)
		goto out;
	while (sent < 100u * 1024 * 1024) {
		p.fd = fd;
		p.events = POLLIN;
		if (poll(&p, 1, 0) > 0)
			break;
		if (send_all(fd, chunk, (size_t)hl + 65536 + 2) != 0)
			break;
		sent += 65536;
	}
	while (got + 1 < sizeof(out) && (r = recv(fd, out + got,
	    sizeof(out) - got - 1, 0)) > 0)
		got += (size_t)r;
	out[got] = '\0';
	if (sscanf(out, "HTTP/1.%*d %d", status) != 1)
		*status = -1;	/* reset before we read the answer */
out:
	(void)close(fd);
	return sent;
}

/*
 * Issue 11: a client that writes its whole body before reading (Python's
 * http.client, many SDKs).  total is far over 16 times the cap, so the
 * server answers 413 before the body and must drain it rather than reset
 * the connection under the writer.  Returns the status, -2 if a write
 * failed (broken pipe / reset), -1 if no answer could be read.
 */
static int
whole_writer(size_t total)
{
	static char buf[65536];
	char hdr[512], out[2048];
	size_t sent = 0, k;
	int fd, n, st;

	if ((fd = dial(NULL, port)) < 0)
		return -1;
	memset(buf, ' ', sizeof(buf));
	n = snprintf(hdr, sizeof(hdr), "POST /v1/challenges HTTP/1.1\r\n"
	    "Host: x\r\nContent-Type: application/json\r\nAuthorization: "
	    "Bearer %s\r\nContent-Length: %zu\r\n\r\n", token, total);
	if (send_all(fd, hdr, (size_t)n) != 0) {
		(void)close(fd);
		return -2;
	}
	while (sent < total) {
		k = total - sent < sizeof(buf) ? total - sent : sizeof(buf);
		if (send_all(fd, buf, k) != 0) {
			(void)close(fd);
			return -2;
		}
		sent += k;
	}
	st = read_resp(fd, out, sizeof(out));
	(void)close(fd);
	return st;
}

/* ---- bad requests --------------------------------------------------- */

static void
bad_requests(void)
{
	static const struct {
		const char	*what, *method, *path, *ctype, *body;
		int		 status;
	} t[] = {
		{ "invalid UTF-8", "POST", "/v1/challenges",
		    "application/json", "{\"purpose\":\"\xff\xfe\"}", 400 },
		{ "number 1e999", "POST", "/v1/challenges", "application/json",
		    "{\"purpose\":\"mykey.verify\",\"n\":1e999}", 400 },
		{ "duplicate keys", "POST", "/v1/challenges",
		    "application/json", "{\"purpose\":\"mykey.verify\","
		    "\"purpose\":\"mykey.verify\"}", 400 },
		{ "Content-Type text/plain", "POST", "/v1/challenges",
		    "text/plain", "{\"purpose\":\"mykey.verify\"}", 415 },
		{ "no Content-Type", "POST", "/v1/challenges", NULL,
		    "{\"purpose\":\"mykey.verify\"}", 415 },
		{ "path with %00", "GET", "/v1/mykey-ids/ZZZZZZZZ%00/history",
		    NULL, NULL, 400 },
		{ "path with ../", "GET", "/v1/mykey-ids/../../admin/v1/clock",
		    NULL, NULL, 400 },
		{ "path with %2e%2e", "GET", "/v1/%2e%2e/admin/v1/clock", NULL,
		    NULL, 400 },
		{ "path with %2E%2E last", "GET", "/v1/mykey-ids/%2E%2E", NULL,
		    NULL, 400 },
		{ "path with a control byte", "GET", "/v1/mykey-ids/AB%0aCD",
		    NULL, NULL, 400 },
		{ "admin path on the main listener", "GET", "/admin/v1/clock",
		    NULL, NULL, 404 },
		{ "J-LIS query on the main listener", "POST",
		    "/jlis/v1/status", "application/json", "{}", 404 },
	};
	char auth[300], out[8192], *deep;
	size_t i, n = 100000;
	int st;

	(void)snprintf(auth, sizeof(auth), "Bearer %s", token);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		st = request(port, t[i].method, t[i].path, t[i].ctype, auth,
		    t[i].body, t[i].body != NULL ? strlen(t[i].body) : 0, out,
		    sizeof(out));
		ok(st == t[i].status && (st == 404 || strstr(out,
		    "application/problem+json") != NULL), "%s: %d (want %d)",
		    t[i].what, st, t[i].status);
	}
	/* 100,000 nested brackets (under the suite's 200 kB body cap) */
	if ((deep = malloc(n)) != NULL) {
		memset(deep, '[', n);
		st = request(port, "POST", "/v1/challenges", "application/json",
		    auth, deep, n, out, sizeof(out));
		ok(st == 400 && strstr(out, "nested") != NULL,
		    "100,000 nested brackets: %d, nesting cap", st);
		free(deep);
	}
	/* the admin listener: token required, constant answer otherwise */
	st = request(aport, "GET", "/admin/v1/clock", NULL, NULL, NULL, 0, out,
	    sizeof(out));
	ok(st == 401, "admin listener without the token: %d", st);
	st = request(aport, "GET", "/admin/v1/clock", NULL, "Bearer 00", NULL,
	    0, out, sizeof(out));
	ok(st == 401, "admin listener with a wrong token: %d", st);
	st = request(aport, "GET", "/v1/mykey-ids/ZZZZZZZZ", NULL, auth, NULL,
	    0, out, sizeof(out));
	ok(st == 404, "platform API not served on the admin listener: %d", st);
}

/*
 * Numbers in query strings and cursors: a sign, blanks, letters after
 * the digits or an overflow of long long are a 400 with a problem body,
 * never a silent 0 or LLONG_MAX (they were strtoll without checks).
 */
static void
numeric_args(const char *token_file)
{
	static const char *const bad_since[] = {
		"abc", "-5", "5x", "%205", "%2B5", "", "99999999999999999999",
		"9223372036854775808",
	};
	static const struct {
		const char	*query, *what;
	} bad_disc[] = {
		{ "limit=0", "limit" }, { "limit=-1", "limit" },
		{ "limit=201", "limit" }, { "limit=%2B5", "limit" },
		{ "limit=99999999999999999999", "limit" },
		{ "cursor=dsc_", "cursor" }, { "cursor=dsc_-1", "cursor" },
		{ "cursor=dsc_%205", "cursor" },
		{ "cursor=dsc_99999999999999999999", "cursor" },
	};
	char auth[300], admin[300], path[256], out[8192], tok[128] = "";
	FILE *f;
	size_t i;
	int st;

	if ((f = fopen(token_file, "r")) == NULL ||
	    fgets(tok, sizeof(tok), f) == NULL)
		tok[0] = '\0';
	if (f != NULL)
		(void)fclose(f);
	tok[strcspn(tok, "\r\n")] = '\0';
	(void)snprintf(admin, sizeof(admin), "Bearer %s", tok);
	(void)snprintf(auth, sizeof(auth), "Bearer %s", token);
	st = request(aport, "GET", "/admin/v1/jlis/query-log?since_id=0", NULL,
	    admin, NULL, 0, out, sizeof(out));
	ok(st == 200, "query-log?since_id=0: %d (want 200)", st);
	for (i = 0; i < sizeof(bad_since) / sizeof(bad_since[0]); i++) {
		(void)snprintf(path, sizeof(path),
		    "/admin/v1/jlis/query-log?since_id=%s", bad_since[i]);
		st = request(aport, "GET", path, NULL, admin, NULL, 0, out,
		    sizeof(out));
		ok(st == 400 && strstr(out, "application/problem+json") !=
		    NULL && strstr(out, "since_id") != NULL,
		    "query-log?since_id=%s: %d (want 400, problem+json)",
		    bad_since[i], st);
	}
	for (i = 0; i < sizeof(bad_disc) / sizeof(bad_disc[0]); i++) {
		(void)snprintf(path, sizeof(path),
		    "/v1/mykey-ids/ZZZZZZZZ/disclosures?%s", bad_disc[i].query);
		st = request(port, "GET", path, NULL, auth, NULL, 0, out,
		    sizeof(out));
		ok(st == 400 && strstr(out, "application/problem+json") !=
		    NULL && strstr(out, bad_disc[i].what) != NULL,
		    "disclosures?%s: %d (want 400 naming %s)",
		    bad_disc[i].query, st, bad_disc[i].what);
	}
}

static int
get_token(const char *id, const char *secret)
{
	char body[512], out[4096], *p, *e;
	int st;

	(void)snprintf(body, sizeof(body), "{\"grant_type\":"
	    "\"client_credentials\",\"client_id\":\"%s\",\"client_secret\":"
	    "\"%s\"}", id, secret);
	st = request(port, "POST", "/v1/token", "application/json", NULL, body,
	    strlen(body), out, sizeof(out));
	if (st != 200 || (p = strstr(out, "\"access_token\":\"")) == NULL)
		return -1;
	p += 16;
	if ((e = strchr(p, '"')) == NULL || (size_t)(e - p) >= sizeof(token))
		return -1;
	memcpy(token, p, (size_t)(e - p));
	token[e - p] = '\0';
	return 0;
}

int
main(int argc, char **argv)
{
	static int idle[NIDLE];
	struct slow slow[NSLOW];
	pthread_t sth[NSLOW];
	double base99, abuse99, secs, bound;
	int i, n, fails, nidle = 0, closed = 0, st;
	size_t sent;
	char c;

	if (argc != 7) {
		(void)fprintf(stderr, "usage: mock_abuse PORT CLIENT_ID "
		    "SECRET ADMIN_PORT HEADER_TIMEOUT ADMIN_TOKEN_FILE\n");
		return 2;
	}
	port = atoi(argv[1]);
	aport = atoi(argv[4]);
	htimeout = atoi(argv[5]);
	(void)signal(SIGPIPE, SIG_IGN);
	if (get_token(argv[2], argv[3]) != 0) {
		(void)printf("not ok 1 - cannot get a token\n");
		return 1;
	}
	bad_requests();
	numeric_args(argv[6]);

	st = huge_declared(&secs);
	ok(st == 413 && secs < 2, "100 MB Content-Length: %d after %.3f s, "
	    "no body byte read", st, secs);
	st = whole_writer(8u * 1024 * 1024);
	ok(st == 413, "8 MB body written whole before reading: %d (413, not "
	    "a broken pipe)", st);
	sent = huge_chunked(&st);
	ok(sent < 8u * 1024 * 1024 && (st == 413 || st == -1),
	    "100 MB chunked: stopped after %zu kB sent (answer %d)",
	    sent / 1024, st);

	/* baseline: normal clients alone */
	base99 = run_load(0, BASE_REQS, &n, &fails);
	(void)printf("# p99 baseline: %.2f ms over %d requests\n", base99, n);
	ok(fails == 0, "baseline: %d requests, %d failed", n, fails);

	/* the flood: 2,000 idle connections from one address */
	for (i = 0; i < NIDLE; i++) {
		if ((idle[nidle] = dial("127.0.0.2", port)) >= 0)
			nidle++;
	}
	(void)printf("# %d idle connections opened from 127.0.0.2\n", nidle);
	ok(nidle >= NIDLE * 9 / 10, "opened %d of %d idle connections", nidle,
	    NIDLE);
	for (i = 0; i < NSLOW; i++) {
		slow[i].body = i == 0;
		(void)pthread_create(&sth[i], NULL, slow_run, &slow[i]);
	}
	/* normal clients during the abuse, for htimeout + 1 s */
	abuse99 = run_load(htimeout + 1, 20000, &n, &fails);
	(void)printf("# p99 under abuse: %.2f ms over %d requests (%.1fx)\n",
	    abuse99, n, abuse99 / (base99 > 0 ? base99 : 1));
	bound = 10 * base99 > 1000 ? 10 * base99 : 1000;
	ok(fails == 0 && n > 0, "under abuse: %d requests, %d failed", n,
	    fails);
	ok(abuse99 < bound, "under abuse: p99 %.2f ms < %.0f ms (10x baseline "
	    "or 1 s)", abuse99, bound);
	for (i = 0; i < NSLOW; i++)
		(void)pthread_join(sth[i], NULL);
	for (i = 0; i < NSLOW; i++) {
		/* header deadline; the body one is 5 s in the suite */
		ok(slow[i].cut_after > 0 && slow[i].cut_after < (slow[i].body ?
		    5 : htimeout) + 3, "slow %s client (a byte a second) cut "
		    "after %.1f s", slow[i].body ? "body" : "header",
		    slow[i].cut_after);
	}
	/* every idle connection was closed by the server by now */
	for (i = 0; i < nidle; i++) {
		struct pollfd p = { idle[i], POLLIN, 0 };

		if (poll(&p, 1, 0) > 0 && recv(idle[i], &c, 1, MSG_DONTWAIT) <=
		    0)
			closed++;
		(void)close(idle[i]);
	}
	ok(closed == nidle, "idle flood: %d of %d connections closed by the "
	    "server (per-peer limit, then the header deadline)", closed,
	    nidle);
	(void)printf("%d passed, %d failed\n", ntest - nfail, nfail);
	return nfail == 0 ? 0 : 1;
}
