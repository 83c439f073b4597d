/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * API tests of mykey-mock over real HTTP (libcurl) against a server the
 * calling script started (tests/e2e/mock_api.sh).  Covers the scenarios
 * of mykey-mock-api.md §5.9 and the bad-input list of the issue.
 * Signatures are made in software with the profile's auth/sign keys.
 *
 *   mock_api BASE_URL DB_PATH scenarios
 *   mock_api BASE_URL DB_PATH durability ACK_FILE
 *
 * TAP-style output; exit status 1 if any check failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "mock_api.h"

/* mock_scenarios.c; not in mock_api.h, where it would shadow parameters */
extern char sid[64];

int
main(int argc, char **argv)
{
	struct resp r;
	int rc;

	if (argc < 4) {
		(void)fprintf(stderr, "usage: mock_api BASE DB scenarios|"
		    "durability ACK|cluster INSTANCE...|stream ACK SECONDS\n");
		return 2;
	}
	base = argv[1];
	dbpath = argv[2];
	(void)curl_global_init(CURL_GLOBAL_DEFAULT);
	if (new_client(&A, "municipality", "mykey services issuance:read") !=
	    0 || new_client(&B, "business", "mykey services") != 0) {
		(void)fprintf(stderr, "mock_api: cannot set up clients\n");
		return 1;
	}
	if ((strcmp(argv[3], "cluster") == 0 && argc >= 6 && argc <= 12) ||
	    (strcmp(argv[3], "stream") == 0 && argc == 6)) {
		(void)snprintf(rid_prefix, sizeof(rid_prefix), "%s", argv[3]);
		(void)http("POST", "/v1/services", A.token, json_pack("{s:s,"
		    "s:s}", "name", "Cluster", "kind", "other"), NULL, &r);
		(void)snprintf(sid, sizeof(sid), "%s", jget(&r, "service_id"));
		resp_free(&r);
		rc = argv[3][0] == 'c' ? cluster(argc - 4, argv + 4) :
		    stream(argv[4], atoi(argv[5]));
		curl_global_cleanup();
		return rc;
	}
	if (strcmp(argv[3], "durability") == 0 && argc == 5) {
		(void)http("POST", "/v1/services", A.token, json_pack("{s:s,"
		    "s:s}", "name", "Durability", "kind", "other"), NULL, &r);
		(void)snprintf(sid, sizeof(sid), "%s", jget(&r, "service_id"));
		resp_free(&r);
		rc = durability(argv[4]);
		curl_global_cleanup();
		return rc;
	}
	s1_happy();
	s2_renewals();
	s3_move();
	s4_lost();
	s5_expiry();
	s6_idempotency();
	s7_faults();
	s8_challenges();
	s9_consent();
	bad_input();
	extras();
	more();
	json_ranges();
	birth_dates();
	retention();
	card_clear(&c1);
	curl_global_cleanup();
	(void)printf("1..%d\n# %d failed\n", ntest, nfail);
	return nfail == 0 ? 0 : 1;
}
