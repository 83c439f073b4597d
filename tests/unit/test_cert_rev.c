/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Revocation (src/revocation.c, src/http_fetch.c) against CRLs made with
 * `openssl ca -gencrl` and an `openssl ocsp` responder that this test
 * starts on a kernel-chosen loopback port.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <libgen.h>
#include <unistd.h>
#include <cmocka.h>

#include <jpki/cert.h>
#include <jpki/platform.h>

static char dir[64];
static FILE *ocsp_out;	/* kept open: a closed pipe would SIGPIPE it */
static char mykey_mock[512];

static const char *
path(const char *name)
{
	static char p[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
	return p[i];
}

static jpki_cert_t *
load(const char *name)
{
	jpki_cert_t *c = NULL;

	assert_int_equal(jpki_cert_new_file(&c, path(name)), JPKI_OK);
	return c;
}

static void
sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

/* An `openssl ocsp` responder for the sign CA; returns its pid. */
static pid_t
ocsp_start(const char *extra, int *port)
{
	char cmd[1024], line[256], *c;
	FILE *f;
	pid_t pid;
	int fds[2];

	assert_int_equal(pipe(fds), 0);
	snprintf(cmd, sizeof(cmd), "cd %s && exec openssl ocsp -index "
	    "db-sign-ca/index.txt -port 0 -rsigner sign-ca.pem -rkey "
	    "sign-ca.key -CA sign-ca.pem %s", dir, extra);
	if ((pid = fork()) == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		close(fds[1]);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	assert_true(pid > 0);
	close(fds[1]);
	f = fdopen(fds[0], "r");
	assert_non_null(f);
	*port = 0;
	/* "ACCEPT [::]:41053 PID=..." */
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "ACCEPT ", 7) != 0)
			continue;
		if ((c = strstr(line, "]:")) != NULL)
			*port = atoi(c + 2);
		else if ((c = strrchr(line, ':')) != NULL)
			*port = atoi(c + 1);
		break;
	}
	ocsp_out = f;
	assert_true(*port > 0);
	return pid;
}

static void
ocsp_stop(pid_t pid)
{
	int st;

	kill(pid, SIGTERM);
	waitpid(pid, &st, 0);
	if (ocsp_out != NULL)
		fclose(ocsp_out);
	ocsp_out = NULL;
}

/*
 * A one-connection HTTP server in a child: answers the first request with
 * status and the bytes of file (none for NULL).  Returns its pid.
 */
static pid_t
http_once(int status, const char *file, int *port)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	char req[2048], hdr[128], *body = NULL;
	size_t n = 0;
	FILE *f;
	pid_t pid;
	int s, c;

	s = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(s, 1), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&a, &al), 0);
	*port = ntohs(a.sin_port);
	if (file != NULL) {
		assert_non_null(f = fopen(file, "rb"));
		body = malloc(1 << 20);
		assert_non_null(body);
		n = fread(body, 1, 1 << 20, f);
		fclose(f);
	}
	if ((pid = fork()) == 0) {
		if ((c = accept(s, NULL, NULL)) >= 0) {
			(void)!read(c, req, sizeof(req));
			snprintf(hdr, sizeof(hdr), "HTTP/1.1 %d X\r\n"
			    "Content-Length: %zu\r\nConnection: close\r\n\r\n",
			    status, n);
			(void)!write(c, hdr, strlen(hdr));
			if (n > 0)
				(void)!write(c, body, n);
			close(c);
		}
		_exit(0);
	}
	assert_true(pid > 0);
	close(s);
	free(body);
	return pid;
}

static void
reap(pid_t pid)
{
	int st;

	kill(pid, SIGTERM);
	waitpid(pid, &st, 0);
}

static int
setup(void **state)
{
	const char *data = getenv("JPKI_TEST_DATA");
	char cmd[1024];

	snprintf(dir, sizeof(dir), "/tmp/jpki-test-rev.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(cmd, sizeof(cmd), "sh %s/gen-certs.sh %s >/dev/null",
	    data != NULL ? data : "tests/data", dir);
	if (system(cmd) != 0)
		return -1;
	/*
	 * crl-empty.pem: before any revocation, valid 3 days.  Then revoke
	 * the sign certificate (issuance number 80) because the holder
	 * moved (§9.4: affiliationChanged), crl.pem valid 1 hour.  And an
	 * auth-CA CRL to present for the wrong issuer.
	 */
	snprintf(cmd, sizeof(cmd), "(cd %s && export CADIR=$PWD/db-sign-ca && "
	    "O='-config ca.cnf -cert sign-ca.pem -keyfile sign-ca.key' && "
	    "openssl ca $O -gencrl -crldays 3 -out crl-empty.pem && "
	    "openssl ca $O -revoke sign.pem -crl_reason affiliationChanged && "
	    "openssl ca $O -gencrl -crlhours 1 -out crl.pem && "
	    "openssl crl -in crl.pem -outform DER -out crl.der && "
	    "CADIR=$PWD/db-auth-ca openssl ca -config ca.cnf -cert "
	    "auth-ca.pem -keyfile auth-ca.key -gencrl -crldays 1 "
	    "-out auth-crl.pem) >/dev/null 2>&1", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static int
check(jpki_rev_t *rv, const char *file, jpki_rev_result_t *res)
{
	jpki_cert_t *c = load(file), *ca = load("sign-ca.der");
	int r;

	memset(res, 0xa5, sizeof(*res));
	r = jpki_rev_check(rv, c, ca, res);
	jpki_cert_free(&c);
	jpki_cert_free(&ca);
	return r;
}

static void
test_crl(void **state)
{
	jpki_rev_result_t res = { .size = sizeof(res) };
	jpki_rev_t *rv = NULL;
	long long now = (long long)time(NULL);

	assert_int_equal(jpki_rev_new(&rv), JPKI_OK);
	assert_int_equal(jpki_rev_use_http(rv), JPKI_OK);
	assert_int_equal(jpki_rev_set_crl_file(rv, path("crl.pem")), JPKI_OK);
	assert_int_equal(check(rv, "sign.der", &res), JPKI_ERR_CERT_REVOKED);
	assert_int_equal(res.status, JPKI_REV_REVOKED);
	assert_int_equal(res.reason, 3);
	assert_string_equal(res.reason_name, "affiliationChanged");
	assert_true(res.revoked_at > now - 600 && res.revoked_at <= now);
	assert_non_null(strstr(res.revoked_at_str, "+09:00"));
	assert_non_null(strstr(res.source, "crl "));
	assert_non_null(strstr(res.source, "crl.pem"));
	assert_true(res.next_update > now && res.next_update <= now + 3700);
	/* the others of the same CA are good */
	assert_int_equal(check(rv, "serial1.der", &res), JPKI_OK);
	assert_int_equal(res.status, JPKI_REV_GOOD);
	assert_int_equal(res.revoked_at, 0);
	assert_int_equal(res.reason, -1);
	/* revoked after the time asked about: good then */
	jpki_rev_set_time(rv, 1740841200LL + 86400);
	assert_int_equal(check(rv, "sign.der", &res), JPKI_OK);
	assert_non_null(strstr(res.detail, "revoked later"));
	jpki_rev_free(&rv);
	assert_null(rv);

	/* DER works the same */
	assert_int_equal(jpki_rev_new(&rv), JPKI_OK);
	assert_int_equal(jpki_rev_use_http(rv), JPKI_OK);
	assert_int_equal(jpki_rev_set_crl_file(rv, path("crl.der")), JPKI_OK);
	assert_int_equal(check(rv, "sign.der", &res), JPKI_ERR_CERT_REVOKED);
	jpki_rev_free(&rv);
}

/* The CRL is kept until its nextUpdate, then read again. */
static void
test_crl_cache(void **state)
{
	jpki_rev_result_t res = { .size = sizeof(res) };
	jpki_rev_t *rv = NULL;
	long long now = (long long)time(NULL);

	sh("cp %s %s", path("crl.pem"), path("crl-live.pem"));
	assert_int_equal(jpki_rev_new(&rv), JPKI_OK);
	assert_int_equal(jpki_rev_use_http(rv), JPKI_OK);
	assert_int_equal(jpki_rev_set_crl_file(rv, path("crl-live.pem")),
	    JPKI_OK);
	assert_int_equal(check(rv, "sign.der", &res), JPKI_ERR_CERT_REVOKED);
	assert_false(res.cached);
	/* a new file before nextUpdate is not read */
	sh("cp %s %s", path("crl-empty.pem"), path("crl-live.pem"));
	assert_int_equal(check(rv, "sign.der", &res), JPKI_ERR_CERT_REVOKED);
	assert_true(res.cached);
	/* two hours later the 1-hour CRL has expired: the file is re-read */
	jpki_rev_set_time(rv, now + 7200);
	assert_int_equal(check(rv, "sign.der", &res), JPKI_OK);
	assert_false(res.cached);
	assert_true(res.next_update > now + 2 * 86400);
	/* past every nextUpdate: stale, so unknown */
	jpki_rev_set_time(rv, now + 4 * 86400);
	assert_int_equal(check(rv, "sign.der", &res),
	    JPKI_ERR_CERT_STATUS_UNKNOWN);
	assert_int_equal(res.status, JPKI_REV_UNKNOWN);
	assert_non_null(strstr(res.detail, "stale"));
	jpki_rev_free(&rv);
}

static void
test_crl_bad(void **state)
{
	jpki_rev_result_t res = { .size = sizeof(res) };
	jpki_rev_t *rv = NULL;

	assert_int_equal(jpki_rev_new(&rv), JPKI_OK);
	assert_int_equal(jpki_rev_use_http(rv), JPKI_OK);
	/* signed by another CA */
	assert_int_equal(jpki_rev_set_crl_file(rv, path("auth-crl.pem")),
	    JPKI_OK);
	assert_int_equal(check(rv, "sign.der", &res),
	    JPKI_ERR_CERT_STATUS_UNKNOWN);
	assert_non_null(strstr(res.detail, "not issued by"));
	/* tampered signature (last byte of the DER) */
	sh("cp %s %s && printf '\\001' | dd of=%s bs=1 seek=$(($(stat -c %%s "
	    "%s) - 1)) conv=notrunc 2>/dev/null", path("crl.der"),
	    path("crl-bad.der"), path("crl-bad.der"), path("crl-bad.der"));
	assert_int_equal(jpki_rev_set_crl_file(rv, path("crl-bad.der")),
	    JPKI_OK);
	assert_int_equal(check(rv, "sign.der", &res),
	    JPKI_ERR_CERT_STATUS_UNKNOWN);
	assert_non_null(strstr(res.detail, "signature does not verify"));
	/* not a CRL, no file */
	assert_int_equal(jpki_rev_set_crl_file(rv, path("ca.cnf")), JPKI_OK);
	assert_int_equal(check(rv, "sign.der", &res),
	    JPKI_ERR_CERT_STATUS_UNKNOWN);
	assert_int_equal(jpki_rev_set_crl_file(rv, path("nonexistent")),
	    JPKI_OK);
	assert_int_equal(check(rv, "sign.der", &res),
	    JPKI_ERR_CERT_STATUS_UNKNOWN);
	assert_non_null(strstr(res.detail, "cannot open"));
	jpki_rev_free(&rv);
	/* no source at all */
	assert_int_equal(jpki_rev_new(&rv), JPKI_OK);
	assert_int_equal(jpki_rev_use_http(rv), JPKI_OK);
	assert_int_equal(check(rv, "sign.der", &res),
	    JPKI_ERR_CERT_STATUS_UNKNOWN);
	assert_non_null(strstr(res.detail, "no revocation source"));
	assert_int_equal(jpki_rev_set_ocsp_url(rv, "ftp://x/"), JPKI_ERR_ARG);
	/* the TLS CA file: a path, or NULL back to the system store */
	assert_int_equal(jpki_rev_set_tls_ca(NULL, "ca.pem"), JPKI_ERR_ARG);
	assert_int_equal(jpki_rev_set_tls_ca(rv, ""), JPKI_ERR_ARG);
	assert_int_equal(jpki_rev_set_tls_ca(rv, "ca.pem"), JPKI_OK);
	assert_int_equal(jpki_rev_set_tls_ca(rv, "ca2.pem"), JPKI_OK);
	assert_int_equal(jpki_rev_set_tls_ca(rv, NULL), JPKI_OK);
	jpki_rev_free(&rv);
}

static void
test_ocsp(void **state)
{
	jpki_rev_result_t res = { .size = sizeof(res) };
	jpki_rev_t *rv = NULL;
	char url[64];
	pid_t pid;
	int port;

	pid = ocsp_start("-ndays 1", &port);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);
	assert_int_equal(jpki_rev_new(&rv), JPKI_OK);
	assert_int_equal(jpki_rev_use_http(rv), JPKI_OK);
	assert_int_equal(jpki_rev_set_ocsp_url(rv, url), JPKI_OK);
	assert_int_equal(check(rv, "sign.der", &res), JPKI_ERR_CERT_REVOKED);
	assert_int_equal(res.status, JPKI_REV_REVOKED);
	assert_int_equal(res.reason, 3);
	assert_string_equal(res.reason_name, "affiliationChanged");
	assert_true(res.revoked_at > 0);
	assert_false(res.cached);
	assert_non_null(strstr(res.source, "ocsp http://127.0.0.1:"));
	assert_int_equal(check(rv, "serial1.der", &res), JPKI_OK);
	assert_int_equal(res.status, JPKI_REV_GOOD);
	assert_true(res.next_update > res.this_update);
	/* an answer for the wrong issuer is not believed */
	{
		jpki_cert_t *c = load("auth.der"), *ca = load("auth-ca.der");

		assert_int_equal(jpki_rev_check(rv, c, ca, &res),
		    JPKI_ERR_CERT_STATUS_UNKNOWN);
		jpki_cert_free(&c);
		jpki_cert_free(&ca);
		/* and a mismatched issuer is a caller error */
		c = load("auth.der");
		ca = load("sign-ca.der");
		assert_int_equal(jpki_rev_check(rv, c, ca, &res),
		    JPKI_ERR_ARG);
		jpki_cert_free(&c);
		jpki_cert_free(&ca);
	}
	ocsp_stop(pid);
	/* the responder is gone: answers with a nextUpdate come from the
	 * cache, others cannot be had */
	assert_int_equal(check(rv, "sign.der", &res), JPKI_ERR_CERT_REVOKED);
	assert_true(res.cached);
	assert_int_equal(check(rv, "serial1.der", &res), JPKI_OK);
	assert_true(res.cached);
	assert_int_equal(check(rv, "serial8.der", &res),
	    JPKI_ERR_CERT_STATUS_UNKNOWN);
	assert_non_null(strstr(res.detail, "responder not usable"));
	/* with a CRL as well, the CRL decides */
	assert_int_equal(jpki_rev_set_crl_file(rv, path("crl.pem")), JPKI_OK);
	assert_int_equal(check(rv, "serial8.der", &res), JPKI_OK);
	assert_non_null(strstr(res.source, "crl "));
	jpki_rev_free(&rv);
}

/* Without nextUpdate an OCSP answer is used once and not kept. */
static void
test_ocsp_no_next_update(void **state)
{
	jpki_rev_result_t res = { .size = sizeof(res) };
	jpki_rev_t *rv = NULL;
	char url[64];
	pid_t pid;
	int port;

	pid = ocsp_start("", &port);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);
	assert_int_equal(jpki_rev_new(&rv), JPKI_OK);
	assert_int_equal(jpki_rev_use_http(rv), JPKI_OK);
	assert_int_equal(jpki_rev_set_ocsp_url(rv, url), JPKI_OK);
	jpki_rev_set_timeout(rv, 3000);
	assert_int_equal(check(rv, "serial20.der", &res), JPKI_OK);
	assert_int_equal(res.next_update, 0);
	ocsp_stop(pid);
	assert_int_equal(check(rv, "serial20.der", &res),
	    JPKI_ERR_CERT_STATUS_UNKNOWN);
	jpki_rev_free(&rv);
}

/* A fetcher of the caller's (jpki_rev_set_fetch): hands back the file
 * named by arg for a GET, counts its calls. */
static int fetch_calls;

static int
file_fetch(void *arg, const char *url, const char *tls_ca,
    const char *ctype, const uint8_t *body, size_t len, size_t max,
    long timeout_ms, uint8_t **out, size_t *out_len)
{
	(void)tls_ca;
	FILE *f;
	long n;

	fetch_calls++;
	assert_null(ctype);
	assert_null(body);
	assert_non_null(strstr(url, "crl.invalid"));
	assert_non_null(f = fopen(arg, "rb"));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	assert_true((n = ftell(f)) > 0 && (size_t)n <= max);
	rewind(f);
	assert_non_null(*out = malloc((size_t)n));
	assert_int_equal(fread(*out, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*out_len = (size_t)n;
	return JPKI_OK;
}

/* libjpki has no HTTP client (issue 10): without a fetcher a URL source
 * is "unknown" (not supported), with the caller's fetcher it answers. */
static void
test_url_fetcher(void **state)
{
	jpki_rev_result_t res;
	jpki_rev_t *rv = NULL;

	assert_int_equal(jpki_rev_new(&rv), JPKI_OK);
	assert_int_equal(jpki_rev_set_ocsp_url(rv, "http://ocsp.invalid/"),
	    JPKI_OK);
	assert_int_equal(check(rv, "sign.der", &res),
	    JPKI_ERR_CERT_STATUS_UNKNOWN);
	assert_non_null(strstr(res.detail, "not supported"));
	jpki_rev_free(&rv);
	assert_int_equal(jpki_rev_new(&rv), JPKI_OK);
	assert_int_equal(jpki_rev_set_crl_url(rv, "http://crl.invalid/s.crl"),
	    JPKI_OK);
	assert_int_equal(check(rv, "sign.der", &res),
	    JPKI_ERR_CERT_STATUS_UNKNOWN);
	assert_non_null(strstr(res.detail, "not supported"));
	fetch_calls = 0;
	assert_int_equal(jpki_rev_set_fetch(rv, file_fetch,
	    (void *)path("crl.der")), JPKI_OK);
	assert_int_equal(jpki_rev_set_fetch(NULL, file_fetch, NULL),
	    JPKI_ERR_ARG);
	assert_int_equal(check(rv, "sign.der", &res), JPKI_ERR_CERT_REVOKED);
	assert_string_equal(res.reason_name, "affiliationChanged");
	assert_int_equal(fetch_calls, 1);
	jpki_rev_free(&rv);
	assert_int_equal(jpki_rev_use_http(NULL), JPKI_ERR_ARG);
}

/* The CRL from a distribution point URL, downloaded once per nextUpdate. */
static void
test_crl_url(void **state)
{
	jpki_rev_result_t res = { .size = sizeof(res) };
	jpki_rev_t *rv = NULL;
	char url[64];
	pid_t pid;
	int port;

	pid = http_once(200, path("crl.der"), &port);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/jlis/v1/crl/sign.crl",
	    port);
	assert_int_equal(jpki_rev_new(&rv), JPKI_OK);
	assert_int_equal(jpki_rev_use_http(rv), JPKI_OK);
	assert_int_equal(jpki_rev_set_crl_url(rv, url), JPKI_OK);
	assert_int_equal(check(rv, "sign.der", &res), JPKI_ERR_CERT_REVOKED);
	assert_string_equal(res.reason_name, "affiliationChanged");
	assert_non_null(strstr(res.source, "crl http://127.0.0.1:"));
	reap(pid);
	/* the server answered once; the rest comes from the cache */
	assert_int_equal(check(rv, "serial1.der", &res), JPKI_OK);
	assert_true(res.cached);
	jpki_rev_free(&rv);
	/* a 404 and a non-CRL body are "unknown", with the reason */
	pid = http_once(404, NULL, &port);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/x.crl", port);
	assert_int_equal(jpki_rev_new(&rv), JPKI_OK);
	assert_int_equal(jpki_rev_use_http(rv), JPKI_OK);
	assert_int_equal(jpki_rev_set_crl_url(rv, url), JPKI_OK);
	assert_int_equal(check(rv, "sign.der", &res),
	    JPKI_ERR_CERT_STATUS_UNKNOWN);
	assert_non_null(strstr(res.detail, "cannot download the CRL"));
	reap(pid);
	pid = http_once(200, path("ca.cnf"), &port);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/x.crl", port);
	assert_int_equal(jpki_rev_set_crl_url(rv, url), JPKI_OK);
	assert_int_equal(check(rv, "sign.der", &res),
	    JPKI_ERR_CERT_STATUS_UNKNOWN);
	assert_non_null(strstr(res.detail, "no CRL in the download"));
	reap(pid);
	assert_int_equal(jpki_rev_set_crl_url(rv, "file:///etc/passwd"),
	    JPKI_ERR_ARG);
	jpki_rev_free(&rv);
}

static int
port_open(int port)
{
	struct sockaddr_in a;
	int s, ok;

	if ((s = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return 0;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)port);
	ok = connect(s, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(s);
	return ok;
}

static void
run(const char *cmd, char *out, size_t len)
{
	FILE *f = popen(cmd, "r");
	size_t n;

	assert_non_null(f);
	n = fread(out, 1, len - 1, f);
	out[n] = '\0';
	assert_int_equal(pclose(f), 0);
}

static char *
json_str(const char *json, const char *key, char *out, size_t len)
{
	char pat[64];
	const char *p, *e;

	snprintf(pat, sizeof(pat), "\"%s\":\"", key);
	assert_non_null(p = strstr(json, pat));
	p += strlen(pat);
	assert_non_null(e = strchr(p, '"'));
	assert_true((size_t)(e - p) < len);
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = '\0';
	return out;
}

/*
 * The mock J-LIS of this project (mykey-mock, mykey-mock-api.md §5.4):
 * a card is issued and its sign certificate revoked (the holder moved);
 * its OCSP responder and CRL are then asked through this library.
 */
static void
test_mykey_mock(void **state)
{
	jpki_rev_result_t res = { .size = sizeof(res) };
	jpki_rev_t *rv = NULL;
	jpki_cert_t *c = NULL, *ca = NULL;
	char base[1024], out[1024], id[64], serial[64], url[128];
	char cmd[4096];
	pid_t pid = -1;
	int i, j, ready = 0, port = 0;

	if (access(mykey_mock, X_OK) != 0)
		skip();
	/* the common options follow the subcommand */
	snprintf(base, sizeof(base), "--db %s/mm.db --ca-dir %s/mm-ca "
	    "--profiles-dir %s/mm-prof", dir, dir, dir);
	snprintf(cmd, sizeof(cmd), "%s person add %s --name '試験　太郎' "
	    "--birth 19800217 --sex 1 --address '東京都千代田区千代田１'",
	    mykey_mock, base);
	run(cmd, out, sizeof(out));
	json_str(out, "person_id", id, sizeof(id));
	snprintf(cmd, sizeof(cmd), "%s card issue %s --person %s --out "
	    "%s/mm-card", mykey_mock, base, id, dir);
	run(cmd, out, sizeof(out));
	json_str(out, "sign_issuance_number", serial, sizeof(serial));
	snprintf(cmd, sizeof(cmd), "%s cert revoke %s --serial %s --reason "
	    "affiliationChanged", mykey_mock, base, serial);
	run(cmd, out, sizeof(out));
	/* the server cannot report a kernel-chosen port: try a few; its
	 * "ready" line is block-buffered, so poll the port instead */
	for (i = 0; i < 5 && !ready; i++) {
		port = 20000 + (int)(((unsigned)getpid() * 7919u +
		    (unsigned)i * 104729u) % 40000u);
		snprintf(cmd, sizeof(cmd), "exec %s serve %s --plain-http "
		    "--bind 127.0.0.1 --port %d >>%s/mm.log 2>&1", mykey_mock,
		    base, port, dir);
		if ((pid = fork()) == 0) {
			execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
			_exit(127);
		}
		assert_true(pid > 0);
		for (j = 0; j < 100 && !ready; j++) {
			if (waitpid(pid, NULL, WNOHANG) == pid)
				break;	/* port taken: next one */
			ready = port_open(port);
			if (!ready)
				usleep(50000);
		}
		if (!ready)
			ocsp_stop(pid);
	}
	if (!ready) {
		snprintf(cmd, sizeof(cmd), "cat %s/mm.log >&2", dir);
		(void)!system(cmd);
		fail_msg("mykey-mock did not start");
	}
	snprintf(cmd, sizeof(cmd), "%s/mm-card/sign.crt", dir);
	assert_int_equal(jpki_cert_new_file(&c, cmd), JPKI_OK);
	assert_string_equal(jpki_cert_serial_hex(c), serial);
	snprintf(cmd, sizeof(cmd), "%s/mm-card/sign-ca.crt", dir);
	assert_int_equal(jpki_cert_new_file(&ca, cmd), JPKI_OK);
	/* OCSP */
	assert_int_equal(jpki_rev_new(&rv), JPKI_OK);
	assert_int_equal(jpki_rev_use_http(rv), JPKI_OK);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/jlis/v1/ocsp", port);
	assert_int_equal(jpki_rev_set_ocsp_url(rv, url), JPKI_OK);
	if (jpki_rev_check(rv, c, ca, &res) != JPKI_ERR_CERT_REVOKED)
		fail_msg("mykey-mock OCSP: %s", res.detail);
	assert_string_equal(res.reason_name, "affiliationChanged");
	jpki_rev_free(&rv);
	/* CRL */
	assert_int_equal(jpki_rev_new(&rv), JPKI_OK);
	assert_int_equal(jpki_rev_use_http(rv), JPKI_OK);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/jlis/v1/crl/sign.crl",
	    port);
	assert_int_equal(jpki_rev_set_crl_url(rv, url), JPKI_OK);
	if (jpki_rev_check(rv, c, ca, &res) != JPKI_ERR_CERT_REVOKED)
		fail_msg("mykey-mock CRL: %s", res.detail);
	assert_string_equal(res.reason_name, "affiliationChanged");
	jpki_rev_free(&rv);
	jpki_cert_free(&c);
	jpki_cert_free(&ca);
	ocsp_stop(pid);
}

int
main(int argc, char **argv)
{
	char self[512];

	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crl),
		cmocka_unit_test(test_crl_cache),
		cmocka_unit_test(test_crl_bad),
		cmocka_unit_test(test_ocsp),
		cmocka_unit_test(test_ocsp_no_next_update),
		cmocka_unit_test(test_url_fetcher),
		cmocka_unit_test(test_crl_url),
		cmocka_unit_test(test_mykey_mock),
	};

	/* <BUILD>/tests/unit/test_cert_rev -> <BUILD>/bin/mykey-mock */
	snprintf(self, sizeof(self), "%s", argv[0]);
	snprintf(mykey_mock, sizeof(mykey_mock), "%s/../../bin/mykey-mock",
	    dirname(self));
	(void)argc;

	return cmocka_run_group_tests(tests, setup, teardown);
}
