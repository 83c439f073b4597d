/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Fuzz pam_jpki's configuration and mapping parsers (pam/pj_conf.c): the
 * input is both a configuration file and a mapping file.  Invariants: a
 * refused configuration leaves the struct as it was; an accepted one has
 * NUL-terminated fields and values in range; a failed look-up reports no
 * match; the same text never maps one certificate both to the user and
 * to nobody (order independence of the verdict is not claimed, only
 * determinism).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "../../pam/pj_conf.c"

static void
check_conf(const struct pj_conf *c)
{
	if (memchr(c->map_file, '\0', sizeof(c->map_file)) == NULL ||
	    memchr(c->ocsp_url, '\0', sizeof(c->ocsp_url)) == NULL ||
	    memchr(c->reader, '\0', sizeof(c->reader)) == NULL ||
	    memchr(c->platform_url, '\0', sizeof(c->platform_url)) == NULL ||
	    memchr(c->platform_client_id, '\0',
	    sizeof(c->platform_client_id)) == NULL ||
	    c->platform_timeout < 100 || c->platform_timeout > 60000 ||
	    c->map_file[0] != '/' ||
	    c->card_wait < 0 || c->card_wait > 300 ||
	    c->revocation_timeout < 100 || c->revocation_timeout > 60000 ||
	    (c->revocation != PJ_REV_NONE && c->revocation != PJ_REV_SOFT &&
	    c->revocation != PJ_REV_HARD))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pj_conf c, before;
	const char *text = (const char *)data;
	char err[PJ_ERRLEN];
	int r, res, res2;

	pj_conf_defaults(&c);
	before = c;
	r = pj_conf_parse(&c, text, size, err, sizeof(err));
	if (r != 0 && memcmp(&c, &before, sizeof(c)) != 0)
		abort();
	check_conf(&c);
	if (r != 0 && memchr(err, '\0', sizeof(err)) == NULL)
		abort();

	res = 42;
	r = pj_map_lookup(text, size, "alice", "1F95C5A7DB6F6141",
	    "C=JP,CN=02D4B7D0YXRSNT13101890A", &res, err, sizeof(err));
	if (res != PJ_MAP_NONE && res != PJ_MAP_USER && res != PJ_MAP_OTHER)
		abort();
	if (r != 0 && res != PJ_MAP_NONE)
		abort();
	res2 = 42;
	if (pj_map_lookup(text, size, "alice", "1F95C5A7DB6F6141",
	    "C=JP,CN=02D4B7D0YXRSNT13101890A", &res2, err, sizeof(err)) != r ||
	    res2 != res)
		abort();
	/* without a serial or subject nothing can match */
	if (pj_map_lookup(text, size, "alice", NULL, NULL, &res2, err,
	    sizeof(err)) == 0 && res2 != PJ_MAP_NONE)
		abort();
	/* mykey lines: the same file check, the same result space */
	res2 = 42;
	if (pj_map_mykey(text, size, "alice", NULL, &res2, err,
	    sizeof(err)) != r || (res2 != PJ_MAP_NONE && res2 != PJ_MAP_USER))
		abort();
	res2 = 42;
	if (pj_map_mykey(text, size, "alice", "K7QF3M2A", &res2, err,
	    sizeof(err)) != r || (res2 != PJ_MAP_NONE &&
	    res2 != PJ_MAP_USER && res2 != PJ_MAP_OTHER))
		abort();
	return 0;
}
