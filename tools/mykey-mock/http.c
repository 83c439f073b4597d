/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * HTTP front end on libmicrohttpd: the listeners (main, login, admin),
 * reading the body under its cap, X-Request-Id, sending the answer and the
 * request log.  What a request means is decided transport-free in
 * dispatch.c; handlers build their answers through req.c.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "mock.h"

static const char *
mhd_lookup(struct mm_req *r, int kind, const char *name)
{
	return MHD_lookup_connection_value(r->conn, kind == 0 ?
	    MHD_HEADER_KIND : MHD_GET_ARGUMENT_KIND, name);
}

static int
is_loopback(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci;
	const struct sockaddr *sa;
	const struct sockaddr_in6 *s6;

	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || (sa = ci->client_addr) == NULL)
		return 0;
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)(const void *)sa)->
		    sin_addr.s_addr) >> 24) == 127;
	if (sa->sa_family == AF_INET6) {
		s6 = (const struct sockaddr_in6 *)(const void *)sa;
		return IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr) ||
		    (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr) &&
		    s6->sin6_addr.s6_addr[12] == 127);
	}
	return 0;
}

struct listener {
	struct mm_server	*srv;
	int			 login;
	int			 admin;
};

static void
request_id(struct mm_req *r)
{
	const char *h = req_header(r, "X-Request-Id");
	size_t i, n;

	if (h != NULL && (n = strlen(h)) > 0 && n < sizeof(r->request_id)) {
		for (i = 0; i < n; i++) {
			if (h[i] < 0x21 || h[i] > 0x7e)
				break;
		}
		if (i == n) {
			memcpy(r->request_id, h, n + 1);
			return;
		}
	}
	mm_new_id("req_", r->request_id, sizeof(r->request_id));
}

static enum MHD_Result
send_response(struct mm_req *r)
{
	struct MHD_Response *resp;
	char *txt = NULL;
	enum MHD_Result ret;

	if (r->raw != NULL) {
		resp = MHD_create_response_from_buffer(r->raw_len, r->raw,
		    MHD_RESPMEM_MUST_COPY);
		if (resp != NULL)
			(void)MHD_add_response_header(resp, "Content-Type",
			    r->raw_type);
	} else if (r->status == 204 || r->resp == NULL) {
		resp = MHD_create_response_from_buffer(0, (void *)(uintptr_t)"",
		    MHD_RESPMEM_PERSISTENT);
	} else {
		txt = json_dumps(r->resp, JSON_COMPACT);
		resp = MHD_create_response_from_buffer(txt != NULL ?
		    strlen(txt) : 0, txt != NULL ? txt : (void *)(uintptr_t)"",
		    MHD_RESPMEM_MUST_COPY);
		if (resp != NULL)
			(void)MHD_add_response_header(resp, "Content-Type",
			    r->status >= 400 ? "application/problem+json" :
			    "application/json");
	}
	free(txt);
	if (resp == NULL)
		return MHD_NO;
	(void)MHD_add_response_header(resp, "X-Request-Id", r->request_id);
	(void)MHD_add_response_header(resp, "Cache-Control", "no-store");
	if (r->replayed)
		(void)MHD_add_response_header(resp, "Idempotency-Replayed",
		    "true");
	if (r->retry_after[0] != '\0')
		(void)MHD_add_response_header(resp, "Retry-After",
		    r->retry_after);
	ret = MHD_queue_response(r->conn, r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct listener *l = cls;
	struct mm_req *r = *con_cls;
	const char *cl;
	struct timespec t0, t1;
	unsigned long long cap, cln;
	enum MHD_Result ret;
	long long ch0;

	if (r == NULL) {
		if ((r = calloc(1, sizeof(*r))) == NULL)
			return MHD_NO;
		*con_cls = r;
		r->srv = l->srv;
		r->conn = c;
		r->lookup = mhd_lookup;
		r->login = l->login;
		r->admin = l->admin;
		r->loopback = is_loopback(c);
		r->status = 500;
		watch_phase(c, WATCH_BODY);
		request_id(r);
		(void)snprintf(r->method, sizeof(r->method), "%s", method);
		if (strlen(url) >= sizeof(r->path))
			r->too_big = 1;
		else
			(void)snprintf(r->path, sizeof(r->path), "%s", url);
		/*
		 * Over the cap: up to 16 times the cap the body is read and
		 * dropped, so the client sees the 413 (a close with unread
		 * data resets the connection); far over it, answer at once
		 * and let MHD close the connection, without reading 100 MB
		 * into the request (limits.c drains what follows, bounded,
		 * so a client writing the whole body still reads the 413).
		 */
		cap = (unsigned long long)r->srv->cfg.max_body;
		/* libmicrohttpd has already answered 400 to a malformed
		 * Content-Length and 413 to one past 2^64 */
		cl = req_header(r, "Content-Length");
		cln = cl != NULL ? strtoull(cl, NULL, 10) : 0;
		if (cln > cap)
			r->too_big = 1;
		if (!r->too_big || cln <= 16 * cap)
			return MHD_YES;
		(void)req_problem(r, 413, "INVALID_REQUEST",
		    "body or URL over the cap");
		watch_linger(c);
		return send_response(r);
	}
	if (*upload_size > 0) {
		cap = (unsigned long long)r->srv->cfg.max_body;
		if (!r->too_big && r->body_len + *upload_size <= cap) {
			char *nb = realloc(r->body, r->body_len + *upload_size +
			    1);

			if (nb == NULL)
				return MHD_NO;
			r->body = nb;
			memcpy(r->body + r->body_len, upload, *upload_size);
			r->body_len += *upload_size;
			r->body[r->body_len] = '\0';
		} else {
			r->too_big = 1;
			r->dropped += *upload_size;
		}
		*upload_size = 0;
		/* chunked, no Content-Length: stop reading far over the cap */
		if (r->too_big && r->dropped > 16 * cap) {
			(void)req_problem(r, 413, "INVALID_REQUEST",
			    "body over the cap");
			watch_linger(c);
			return send_response(r);
		}
		return MHD_YES;
	}
	watch_phase(c, WATCH_BUSY);
	(void)clock_gettime(CLOCK_MONOTONIC, &t0);
	if (r->too_big) {
		(void)req_problem(r, 413, "INVALID_REQUEST",
		    "body over the cap");
	} else if ((r->db = pool_get(r->srv->pool)) == NULL) {
		(void)req_problem(r, 503, "MAINTENANCE", "database busy");
		(void)snprintf(r->retry_after, sizeof(r->retry_after), "1");
	} else {
		ch0 = db_total_changes(r->db);
		mock_handle(r);
		/*
		 * The database went away (PostgreSQL restart, failover): what
		 * the handler made of the missing rows is not an answer.
		 */
		if (r->db->down || r->db->retry) {
			req_reset(r);
			r->drop = 0;
			(void)req_problem(r, 503, "MAINTENANCE",
			    "database unavailable");
			(void)snprintf(r->retry_after, sizeof(r->retry_after),
			    "1");
		}
		/* an acknowledged write is on disk (synchronous=group) */
		if (db_total_changes(r->db) != ch0)
			pool_durable(r->srv->pool);
	}
	if (r->db != NULL)
		pool_put(r->srv->pool, r->db);
	r->db = NULL;
	(void)clock_gettime(CLOCK_MONOTONIC, &t1);
	/* no bodies, certificates, names or addresses here */
	mm_log("%s %s %s %u %s %ldus%s", r->request_id, r->method,
	    r->bad_path || req_path_ok(r->path) != 0 ? "(bad path)" : r->path,
	    r->drop ? 0 : r->status, r->code[0] ? r->code : "-",
	    (long)((t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec -
	    t0.tv_nsec) / 1000), r->replayed ? " replayed" : "");
	if (r->drop)
		return MHD_NO;
	ret = send_response(r);
	return ret;
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct mm_req *r = *con_cls;

	watch_phase(c, WATCH_IDLE);
	if (r == NULL)
		return;
	mock_req_clear(r);
	free(r);
	*con_cls = NULL;
}

static int
bind_addr(const char *host, int port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)(void *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)(void *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		return (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		return IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr);
	}
	return -1;
}

/*
 * Decode %XX in place like MHD does, except that a decoded NUL becomes
 * 0x7f: a NUL would silently cut the path ("ID%00/history" served as
 * "ID"), while 0x7f is a control byte that req_path_ok refuses.
 */
static size_t
unescape(void *cls, struct MHD_Connection *c, char *s)
{
	char *w = s, *rd = s, h[3];
	unsigned long v;

	(void)cls;
	(void)c;
	while (*rd != '\0') {
		if (rd[0] == '%' && isxdigit((unsigned char)rd[1]) &&
		    isxdigit((unsigned char)rd[2])) {
			h[0] = rd[1];
			h[1] = rd[2];
			h[2] = '\0';
			v = strtoul(h, NULL, 16);
			*w++ = v == 0 ? (char)0x7f : (char)v;
			rd += 3;
		} else {
			*w++ = *rd++;
		}
	}
	*w = '\0';
	return (size_t)(w - s);
}

static struct MHD_Daemon *
start_daemon(struct listener *l, struct sockaddr_storage *ss, int port,
    const char *cert, const char *key, const char *trust,
    const char *prio)
{
	const struct mm_config *c = &l->srv->cfg;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG;
	struct MHD_OptionItem o[16];
	int n = 0;

#define OPT(k, v, p) do { o[n].option = (k); o[n].value = (intptr_t)(v); \
	o[n].ptr_value = (void *)(uintptr_t)(p); n++; } while (0)
	if (ss->ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (cert != NULL)
		flags |= MHD_USE_TLS;
	/* first, so that MHD's own messages go there too */
	OPT(MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)watch_mhd_log, NULL);
	OPT(MHD_OPTION_SOCK_ADDR, 0, ss);
	OPT(MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, NULL);
	OPT(MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)watch_notify, l->srv);
	OPT(MHD_OPTION_UNESCAPE_CALLBACK, (intptr_t)unescape, NULL);
	OPT(MHD_OPTION_CONNECTION_TIMEOUT, c->idle_timeout, NULL);
	OPT(MHD_OPTION_CONNECTION_LIMIT, c->max_conns, NULL);
	OPT(MHD_OPTION_PER_IP_CONNECTION_LIMIT, c->per_ip_conns, NULL);
	if (cert != NULL) {
		OPT(MHD_OPTION_HTTPS_MEM_CERT, 0, cert);
		OPT(MHD_OPTION_HTTPS_MEM_KEY, 0, key);
		OPT(MHD_OPTION_HTTPS_PRIORITIES, 0, prio);
	}
	if (trust != NULL)
		OPT(MHD_OPTION_HTTPS_MEM_TRUST, 0, trust);
	OPT(MHD_OPTION_END, 0, NULL);
#undef OPT
	return MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, on_request,
	    l, MHD_OPTION_ARRAY, o, MHD_OPTION_END);
}

int
serve(struct mm_config *cfg)
{
	struct mm_server srv;
	struct listener main_l, login_l, admin_l;
	struct MHD_Daemon *d = NULL, *dl = NULL, *da = NULL;
	struct sockaddr_storage ss, ssl, ssa;
	const union MHD_DaemonInfo *dinfo;
	int aport;
	struct mm_db *db = NULL;
	struct sigaction sa;
	sigset_t set;
	int sig;
	uint8_t *cert = NULL, *key = NULL, *trust = NULL;
	size_t n;
	char path[600], url[160], state[520];
	int loop, rc = 1;

	memset(&srv, 0, sizeof(srv));
	srv.cfg = *cfg;
	(void)pthread_mutex_init(&srv.rl_mu, NULL);
	mm_log_open(cfg->log_path);
	if ((loop = bind_addr(cfg->bind, cfg->port, &ss)) < 0) {
		(void)fprintf(stderr, "mykey-mock: bad bind address %s\n",
		    cfg->bind);
		goto out;
	}
	aport = cfg->admin_port;	/* 0: the kernel picks one */
	if (bind_addr(cfg->admin_bind, aport, &ssa) < 0) {
		(void)fprintf(stderr, "mykey-mock: bad admin address %s:%d\n",
		    cfg->admin_bind, aport);
		goto out;
	}
	if (bind_addr(cfg->admin_bind, aport, &ssa) != 1 &&
	    !cfg->admin_remote) {
		(void)fprintf(stderr, "mykey-mock: the admin listener is "
		    "loopback only unless --admin-remote true\n");
		goto out;
	}
	if (cfg->plain_http && !loop) {
		(void)fprintf(stderr, "mykey-mock: --plain-http needs a "
		    "loopback bind address\n");
		goto out;
	}
	if (db_open(cfg->db, cfg->sync_full == 0 ? 0 : 1, &db) != 0 ||
	    db_schema(db) != 0)
		goto out;
	if (cfg->clock[0] != '\0' && auth_clock_set(db, cfg->clock) != 0) {
		(void)fprintf(stderr, "mykey-mock: bad --clock\n");
		goto out;
	}
	db_close(&db);
	if (ca_load(cfg->ca_dir, &srv.ca) != 0) {
		(void)fprintf(stderr, "mykey-mock: cannot load CA from %s\n",
		    cfg->ca_dir);
		goto out;
	}
	if (!cfg->plain_http || cfg->login_port > 0) {
		if (cfg->tls_cert[0] == '\0') {
			/* PostgreSQL: beside the CA, shared by the instances */
			(void)snprintf(cfg->tls_cert, sizeof(cfg->tls_cert),
			    db_is_pg(cfg->db) ? "%.500s/../tls.crt" :
			    "%.500s.tls.crt", db_is_pg(cfg->db) ? cfg->ca_dir :
			    cfg->db);
			(void)snprintf(cfg->tls_key, sizeof(cfg->tls_key),
			    db_is_pg(cfg->db) ? "%.500s/../tls.key" :
			    "%.500s.tls.key", db_is_pg(cfg->db) ? cfg->ca_dir :
			    cfg->db);
			if (access(cfg->tls_cert, R_OK) != 0 &&
			    tls_selfsigned(cfg->tls_cert, cfg->tls_key) != 0) {
				(void)fprintf(stderr, "mykey-mock: cannot "
				    "create a TLS certificate\n");
				goto out;
			}
		}
		if (mm_read_file(cfg->tls_cert, &cert, &n, 65536) != 0 ||
		    mm_read_file(cfg->tls_key, &key, &n, 65536) != 0) {
			(void)fprintf(stderr, "mykey-mock: cannot read TLS "
			    "certificate or key\n");
			goto out;
		}
	}
	if (pool_new(cfg->db, cfg->sync_full, cfg->threads, &srv.pool) != 0)
		goto out;
	/*
	 * The admin token and URL files sit beside the database; a
	 * PostgreSQL URI is no path, so there beside the CA directory, as
	 * the TLS files are: <ca-dir>/../mock.admin-token, shared by every
	 * instance of the cluster.
	 */
	(void)snprintf(state, sizeof(state), db_is_pg(cfg->db) ?
	    "%.500s/../mock" : "%.500s", db_is_pg(cfg->db) ? cfg->ca_dir :
	    cfg->db);
	if (admin_token_load(state, srv.admin_token) != 0) {
		(void)fprintf(stderr, "mykey-mock: cannot create or read "
		    "%s.admin-token\n", state);
		goto out;
	}
	srv.cfg = *cfg;
	if (watch_start(&srv) != 0)
		goto out;
	if (purge_start(&srv) != 0)
		goto out;
	/* only this thread takes SIGINT/SIGTERM; MHD threads inherit */
	(void)sigemptyset(&set);
	(void)sigaddset(&set, SIGINT);
	(void)sigaddset(&set, SIGTERM);
	(void)pthread_sigmask(SIG_BLOCK, &set, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &sa, NULL);
	memset(&main_l, 0, sizeof(main_l));
	memset(&login_l, 0, sizeof(login_l));
	memset(&admin_l, 0, sizeof(admin_l));
	main_l.srv = login_l.srv = admin_l.srv = &srv;
	login_l.login = 1;
	admin_l.admin = 1;
	/* admin first: its URL file is there once the main port answers */
	da = start_daemon(&admin_l, &ssa, aport, cfg->plain_http ? NULL :
	    (const char *)cert, (const char *)key, NULL,
	    "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2");
	if (da != NULL && aport == 0 && (dinfo = MHD_get_daemon_info(da,
	    MHD_DAEMON_INFO_BIND_PORT)) != NULL)
		aport = dinfo->port;
	if (cfg->admin_url_file[0] != '\0')
		(void)snprintf(path, sizeof(path), "%s", cfg->admin_url_file);
	else
		(void)snprintf(path, sizeof(path), "%.500s.admin-url", state);
	(void)snprintf(url, sizeof(url), "%s://%s%s%s:%d\n", cfg->plain_http ?
	    "http" : "https", strchr(cfg->admin_bind, ':') ? "[" : "",
	    cfg->admin_bind, strchr(cfg->admin_bind, ':') ? "]" : "", aport);
	/* a second server on the same database says "none" */
	if (da == NULL || (strcmp(path, "none") != 0 && mm_write_file(path,
	    url, strlen(url), 0644) != 0)) {
		(void)fprintf(stderr, "mykey-mock: cannot start the admin "
		    "listener on %s:%d\n", cfg->admin_bind, aport);
		goto out;
	}
	d = start_daemon(&main_l, &ss, cfg->port, cfg->plain_http ? NULL :
	    (const char *)cert, (const char *)key, NULL,
	    "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2");
	if (d == NULL) {
		(void)fprintf(stderr, "mykey-mock: cannot listen on %s:%d\n",
		    cfg->bind, cfg->port);
		goto out;
	}
	if (cfg->login_port > 0) {
		/*
		 * TLS 1.2 only: the card signs PKCS#1 v1.5, which TLS 1.3
		 * CertificateVerify does not allow (RSA-PSS only).
		 */
		(void)snprintf(path, sizeof(path), "%s/auth-ca.pem",
		    cfg->ca_dir);
		if (mm_read_file(path, &trust, &n, 65536) != 0 ||
		    bind_addr(cfg->bind, cfg->login_port, &ssl) < 0 ||
		    (dl = start_daemon(&login_l, &ssl, cfg->login_port,
		    (const char *)cert, (const char *)key, (const char *)trust,
		    "NORMAL:-VERS-ALL:+VERS-TLS1.2")) == NULL) {
			(void)fprintf(stderr, "mykey-mock: cannot start the "
			    "login listener on %d\n", cfg->login_port);
			goto out;
		}
	}
	mm_log("mykey-mock: listening on %s://%s:%d db=%s",
	    cfg->plain_http ? "http" : "https", cfg->bind, cfg->port, cfg->db);
	(void)printf("ready %s://%s:%d admin %s", cfg->plain_http ? "http" :
	    "https", cfg->bind, cfg->port, url);
	(void)fflush(stdout);
	while (sigwait(&set, &sig) != 0)
		;
	mm_log("mykey-mock: signal %d, stopping", sig);
	rc = 0;
out:
	if (da != NULL)
		MHD_stop_daemon(da);
	if (dl != NULL)
		MHD_stop_daemon(dl);
	if (d != NULL)
		MHD_stop_daemon(d);
	purge_stop(&srv);
	watch_stop(&srv);
	OPENSSL_cleanse(srv.admin_token, sizeof(srv.admin_token));
	pool_free(&srv.pool);
	ca_free(&srv.ca);
	(void)pthread_mutex_destroy(&srv.rl_mu);
	db_close(&db);
	if (key != NULL) {
		OPENSSL_cleanse(key, strlen((char *)key));
		free(key);
	}
	free(cert);
	free(trust);
	return rc;
}
