/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Configuration: defaults, a "key = value" file, command-line flags.
 * The same keys in all three (flags are --key, with '_' as '-').
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock.h"

void
cfg_defaults(struct mm_config *c)
{
	memset(c, 0, sizeof(*c));
	(void)snprintf(c->bind, sizeof(c->bind), "127.0.0.1");
	c->port = 8443;
	(void)snprintf(c->db, sizeof(c->db), "mykey-mock.db");
	c->sync_full = 2;	/* group commit */
	c->threads = 16;
	/*
	 * Abuse limits: 512 connection threads at most, 32 per peer so one
	 * address cannot take them all, and deadlines that a client sending
	 * a byte a second cannot stretch (docs/mykey-mock.md "Limits").
	 */
	c->max_conns = 512;
	c->per_ip_conns = 32;
	c->idle_timeout = 10;
	c->header_timeout = 10;
	c->body_timeout = 30;
	c->max_body = 64 * 1024;
	c->drain_max = 16 * 1024 * 1024;
	c->drain_time = 2;
	c->json_depth = 32;
	c->purge_interval = 300;
	c->retain_challenges = 3600;
	c->retain_idempotency = 86400;
	c->retain_tokens = 3600;
	c->retain_logs_days = 90;
	c->retain_disclosures_days = 1095;
	(void)snprintf(c->admin_bind, sizeof(c->admin_bind), "127.0.0.1");
}

static int
set_str(char *dst, size_t n, const char *v)
{
	if (strlen(v) >= n)
		return -1;
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

static int
set_int(int *dst, const char *v, int lo, int hi)
{
	char *end;
	long x = strtol(v, &end, 10);

	if (*v == '\0' || *end != '\0' || x < lo || x > hi)
		return -1;
	*dst = (int)x;
	return 0;
}

int
cfg_set(struct mm_config *c, const char *key, const char *v)
{
	if (strcmp(key, "bind") == 0)
		return set_str(c->bind, sizeof(c->bind), v);
	if (strcmp(key, "port") == 0)
		return set_int(&c->port, v, 0, 65535);
	if (strcmp(key, "login_port") == 0)
		return set_int(&c->login_port, v, 0, 65535);
	if (strcmp(key, "db") == 0)
		return set_str(c->db, sizeof(c->db), v);
	if (strcmp(key, "ca_dir") == 0)
		return set_str(c->ca_dir, sizeof(c->ca_dir), v);
	if (strcmp(key, "profiles_dir") == 0)
		return set_str(c->profiles_dir, sizeof(c->profiles_dir), v);
	if (strcmp(key, "tls_cert") == 0)
		return set_str(c->tls_cert, sizeof(c->tls_cert), v);
	if (strcmp(key, "tls_key") == 0)
		return set_str(c->tls_key, sizeof(c->tls_key), v);
	if (strcmp(key, "log") == 0)
		return set_str(c->log_path, sizeof(c->log_path), v);
	if (strcmp(key, "clock") == 0)
		return set_str(c->clock, sizeof(c->clock), v);
	if (strcmp(key, "threads") == 0)
		return set_int(&c->threads, v, 1, 64);
	if (strcmp(key, "rate_limit") == 0)
		return set_int(&c->rate_limit, v, 0, 1000000);
	if (strcmp(key, "max_connections") == 0)
		return set_int(&c->max_conns, v, 1, 4096);
	if (strcmp(key, "per_ip_connections") == 0)
		return set_int(&c->per_ip_conns, v, 0, 4096);
	if (strcmp(key, "idle_timeout") == 0)
		return set_int(&c->idle_timeout, v, 1, 3600);
	if (strcmp(key, "header_timeout") == 0)
		return set_int(&c->header_timeout, v, 1, 3600);
	if (strcmp(key, "body_timeout") == 0)
		return set_int(&c->body_timeout, v, 1, 3600);
	if (strcmp(key, "max_body") == 0)
		return set_int(&c->max_body, v, 1024, 16 * 1024 * 1024);
	if (strcmp(key, "purge_interval") == 0)
		return set_int(&c->purge_interval, v, 0, 86400);
	if (strcmp(key, "retain_challenges") == 0)
		return set_int(&c->retain_challenges, v, 0, 365 * 86400);
	/* never shorter than the replay window (api §5.1) */
	if (strcmp(key, "retain_idempotency") == 0)
		return set_int(&c->retain_idempotency, v, 86400, 365 * 86400);
	if (strcmp(key, "retain_tokens") == 0)
		return set_int(&c->retain_tokens, v, 0, 365 * 86400);
	if (strcmp(key, "retain_logs_days") == 0)
		return set_int(&c->retain_logs_days, v, 1, 36500);
	if (strcmp(key, "retain_disclosures_days") == 0)
		return set_int(&c->retain_disclosures_days, v, 1, 36500);
	if (strcmp(key, "drain_max") == 0)
		return set_int(&c->drain_max, v, 0, 256 * 1024 * 1024);
	if (strcmp(key, "drain_time") == 0)
		return set_int(&c->drain_time, v, 0, 30);
	if (strcmp(key, "json_depth") == 0)
		return set_int(&c->json_depth, v, 2, 1000);
	if (strcmp(key, "admin_bind") == 0)
		return set_str(c->admin_bind, sizeof(c->admin_bind), v);
	if (strcmp(key, "admin_url_file") == 0)
		return set_str(c->admin_url_file, sizeof(c->admin_url_file), v);
	if (strcmp(key, "admin_port") == 0)
		return set_int(&c->admin_port, v, 0, 65535);
	if (strcmp(key, "admin_remote") == 0) {
		if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
			return -1;
		c->admin_remote = strcmp(v, "true") == 0;
		return 0;
	}
	if (strcmp(key, "plain_http") == 0) {
		if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
			return -1;
		c->plain_http = strcmp(v, "true") == 0;
		return 0;
	}
	if (strcmp(key, "synchronous") == 0) {
		if (strcmp(v, "full") == 0)
			c->sync_full = 1;
		else if (strcmp(v, "normal") == 0)
			c->sync_full = 0;
		else if (strcmp(v, "group") == 0)
			c->sync_full = 2;
		else
			return -1;
		return 0;
	}
	return -1;
}

/* Unknown keys are errors: a typo must not silently change the setup. */
int
cfg_load(struct mm_config *c, const char *path)
{
	FILE *f;
	char line[1024], *k, *v, *e;
	int lineno = 0, rc = 0;

	if ((f = fopen(path, "re")) == NULL) {
		(void)fprintf(stderr, "mykey-mock: cannot open %s\n", path);
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		k = line + strspn(line, " \t");
		if (*k == '#' || *k == '\0')
			continue;
		if ((v = strchr(k, '=')) == NULL) {
			rc = -1;
			break;
		}
		e = v;
		*v++ = '\0';
		while (e > k && (e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		v += strspn(v, " \t");
		e = v + strlen(v);
		while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		rc = cfg_set(c, k, v);
	}
	(void)fclose(f);
	if (rc != 0)
		(void)fprintf(stderr, "mykey-mock: %s:%d: bad setting\n", path,
		    lineno);
	return rc;
}
