/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * pam_jpki's configuration and mapping parsers (pam/pj_conf.c): defaults,
 * every option, strictness (unknown keys, bad values, NUL, over-long
 * lines, oversized files), line-length boundaries, the mapping look-up
 * (issuance number normalisation, subjects, other accounts), and the file
 * loader's ownership and mode checks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../pam/pj_conf.c"

static int
parse(struct pj_conf *c, const char *text, char *err)
{
	return pj_conf_parse(c, text, strlen(text), err, PJ_ERRLEN);
}

static void
test_defaults(void **state)
{
	struct pj_conf c;
	char err[PJ_ERRLEN];

	pj_conf_defaults(&c);
	assert_string_equal(c.map_file, PJ_DEFAULT_MAP);
	assert_int_equal(c.bundled_roots, 1);
	assert_int_equal(c.revocation, PJ_REV_HARD);
	assert_int_equal(c.revocation_timeout, 5000);
	assert_int_equal(c.allow_last_try, 0);
	assert_int_equal(c.card_wait, 0);
	assert_string_equal(c.ocsp_url, "");
	/* empty file and comments only: defaults kept */
	assert_int_equal(parse(&c, "", err), 0);
	assert_int_equal(parse(&c, "# c\n\n   \t\n#x = y\n", err), 0);
	assert_int_equal(c.revocation, PJ_REV_HARD);
}

static void
test_all_options(void **state)
{
	struct pj_conf c;
	char err[PJ_ERRLEN];
	const char *text =
	    "map_file = /etc/m\n"
	    "ca_file=/etc/ca.pem\n"
	    "  ca_dir =   /etc/ca.d  \n"
	    "bundled_roots = no\n"
	    "production_only = yes\r\n"
	    "reader = Virtual PCD 00 00\n"
	    "card_wait = 30\n"
	    "revocation = soft\n"
	    "ocsp_url = http://127.0.0.1:1/ocsp\n"
	    "crl_file = /var/cache/jpki/auth.crl\n"
	    "crl_dir = /var/cache/jpki/crl\n"
	    "crl_url = https://example.invalid/auth.crl\n"
	    "revocation_timeout = 100\n"
	    "allow_last_try = true\n"
	    "debug = 1\n";

	pj_conf_defaults(&c);
	assert_int_equal(parse(&c, text, err), 0);
	assert_string_equal(c.map_file, "/etc/m");
	assert_string_equal(c.ca_file, "/etc/ca.pem");
	assert_string_equal(c.ca_dir, "/etc/ca.d");
	assert_int_equal(c.bundled_roots, 0);
	assert_int_equal(c.production_only, 1);
	assert_string_equal(c.reader, "Virtual PCD 00 00");
	assert_int_equal(c.card_wait, 30);
	assert_int_equal(c.revocation, PJ_REV_SOFT);
	assert_string_equal(c.ocsp_url, "http://127.0.0.1:1/ocsp");
	assert_string_equal(c.crl_file, "/var/cache/jpki/auth.crl");
	assert_string_equal(c.crl_dir, "/var/cache/jpki/crl");
	assert_string_equal(c.crl_url, "https://example.invalid/auth.crl");
	assert_int_equal(c.revocation_timeout, 100);
	assert_int_equal(c.allow_last_try, 1);
	assert_int_equal(c.debug, 1);
	/* module-argument overrides, including clearing a URL */
	assert_int_equal(pj_conf_set(&c, "ocsp_url", "", err, sizeof(err)), 0);
	assert_string_equal(c.ocsp_url, "");
	assert_int_equal(pj_conf_set(&c, "revocation", "none", err,
	    sizeof(err)), 0);
	assert_int_equal(c.revocation, PJ_REV_NONE);
}

static void
test_bad(void **state)
{
	static const char *bad[] = {
		"revocaton = hard\n",		/* unknown key (typo) */
		"revocation = maybe\n",
		"revocation\n",			/* no '=' */
		"= x\n",
		"bundled_roots = perhaps\n",
		"card_wait = -1\n",
		"card_wait = 301\n",
		"card_wait = 1x\n",
		"card_wait = \n",
		"card_wait = 99999999999999999999\n",
		"revocation_timeout = 99\n",
		"revocation_timeout = 60001\n",
		"map_file = relative/path\n",
		"map_file = \n",		/* the mapping is mandatory */
		"ca_file = /etc/\x01x\n",
		"ocsp_url = ftp://x/\n",
		"ocsp_url = http://a b/\n",
		"crl_url = http://x/\x7f\n",
		"ok = 1\ndebug = yes\n",
	};
	struct pj_conf c, before;
	char err[PJ_ERRLEN];
	size_t i;

	pj_conf_defaults(&c);
	assert_int_equal(parse(&c, "debug = yes\n", err), 0);
	before = c;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(parse(&c, bad[i], err), -1);
		assert_true(strncmp(err, "line ", 5) == 0);
		/* nothing half-applied */
		assert_memory_equal(&c, &before, sizeof(c));
	}
	/* a bad line after good ones changes nothing either */
	assert_int_equal(parse(&c, "debug = no\nreader = x\nbogus = 1\n",
	    err), -1);
	assert_string_equal(err, "line 3: unknown option 'bogus'");
	assert_memory_equal(&c, &before, sizeof(c));
}

static void
test_limits(void **state)
{
	struct pj_conf c;
	char err[PJ_ERRLEN], *big;
	char path[PJ_MAX_PATH + 8];
	size_t n;

	pj_conf_defaults(&c);
	/* NUL inside the text */
	assert_int_equal(pj_conf_parse(&c, "debug = yes\0\n", 13, err,
	    sizeof(err)), -1);
	/* the longest line accepted (PJ_MAX_LINE - 1 bytes before the
	 * newline), and one byte more */
	big = malloc(PJ_MAX_FILE + 2);
	assert_non_null(big);
	memset(big, ' ', PJ_MAX_LINE + 1);
	big[0] = '#';
	big[PJ_MAX_LINE - 1] = '\n';
	assert_int_equal(pj_conf_parse(&c, big, PJ_MAX_LINE, err,
	    sizeof(err)), 0);
	assert_int_equal(pj_conf_parse(&c, big, PJ_MAX_LINE - 1, err,
	    sizeof(err)), 0);
	big[PJ_MAX_LINE - 1] = ' ';
	big[PJ_MAX_LINE] = '\n';
	assert_int_equal(pj_conf_parse(&c, big, PJ_MAX_LINE + 1, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "line 1: too long or contains NUL");
	/* no final newline */
	assert_int_equal(pj_conf_parse(&c, "debug = yes", 11, err,
	    sizeof(err)), 0);
	assert_int_equal(c.debug, 1);
	/* the whole file: at the cap and over it */
	memset(big, '\n', PJ_MAX_FILE + 1);
	assert_int_equal(pj_conf_parse(&c, big, PJ_MAX_FILE, err,
	    sizeof(err)), 0);
	assert_int_equal(pj_conf_parse(&c, big, PJ_MAX_FILE + 1, err,
	    sizeof(err)), -1);
	free(big);
	/* a path exactly filling the field, and one byte too long */
	n = PJ_MAX_PATH - 1;
	memset(path, 'a', sizeof(path));
	path[0] = '/';
	path[n] = '\0';
	assert_int_equal(pj_conf_set(&c, "ca_file", path, err, sizeof(err)),
	    0);
	assert_int_equal(strlen(c.ca_file), n);
	path[n] = 'a';
	path[n + 1] = '\0';
	assert_int_equal(pj_conf_set(&c, "ca_file", path, err, sizeof(err)),
	    -1);
}

static int
lookup(const char *map, const char *user, const char *serial,
    const char *subject, int *res)
{
	char err[PJ_ERRLEN];

	return pj_map_lookup(map, strlen(map), user, serial, subject, res, err,
	    sizeof(err));
}

static void
test_map(void **state)
{
	const char *map =
	    "# test\n"
	    "alice serial 00001f95c5a7db6f6141\n"
	    "alice\tserial\t0xABC\n"
	    "bob subject C=JP,CN=02D4B7D0YXRSNT13101890A   \r\n"
	    "\n"
	    "carol serial 1F95C5A7DB6F6141\n"
	    "svc$ serial 5\n";
	int res;

	assert_int_equal(lookup(map, "alice", "1F95C5A7DB6F6141", NULL, &res),
	    0);
	assert_int_equal(res, PJ_MAP_USER);
	assert_int_equal(lookup(map, "alice", "0abc", NULL, &res), 0);
	assert_int_equal(res, PJ_MAP_USER);
	/* the same card is also mapped to carol */
	assert_int_equal(lookup(map, "carol", "1F95C5A7DB6F6141", NULL, &res),
	    0);
	assert_int_equal(res, PJ_MAP_USER);
	assert_int_equal(lookup(map, "dave", "1F95C5A7DB6F6141", NULL, &res),
	    0);
	assert_int_equal(res, PJ_MAP_OTHER);
	assert_int_equal(lookup(map, "alice", "1F95C5A7DB6F6142", NULL, &res),
	    0);
	assert_int_equal(res, PJ_MAP_NONE);
	/* a serial that is a prefix or suffix of a mapped one */
	assert_int_equal(lookup(map, "alice", "1F95C5A7DB6F614", NULL, &res),
	    0);
	assert_int_equal(res, PJ_MAP_NONE);
	assert_int_equal(lookup(map, "alice", "AB", NULL, &res), 0);
	assert_int_equal(res, PJ_MAP_NONE);
	assert_int_equal(lookup(map, "bob", "77",
	    "C=JP,CN=02D4B7D0YXRSNT13101890A", &res), 0);
	assert_int_equal(res, PJ_MAP_USER);
	assert_int_equal(lookup(map, "bob", NULL, "C=JP,CN=02D4B7D0YXRSNT", &res),
	    0);
	assert_int_equal(res, PJ_MAP_NONE);
	assert_int_equal(lookup(map, "alice", NULL,
	    "C=JP,CN=02D4B7D0YXRSNT13101890A", &res), 0);
	assert_int_equal(res, PJ_MAP_OTHER);
	assert_int_equal(lookup(map, "svc$", "05", NULL, &res), 0);
	assert_int_equal(res, PJ_MAP_USER);
	/* user names are compared exactly */
	assert_int_equal(lookup(map, "Alice", "ABC", NULL, &res), 0);
	assert_int_equal(res, PJ_MAP_OTHER);
	/* an unparsable serial from the caller matches nothing */
	assert_int_equal(lookup(map, "alice", "xyz", NULL, &res), 0);
	assert_int_equal(res, PJ_MAP_NONE);
	assert_int_equal(lookup("", "alice", "1", NULL, &res), 0);
	assert_int_equal(res, PJ_MAP_NONE);
}

static void
test_map_bad(void **state)
{
	static const char *bad[] = {
		"alice serial\n",
		"alice\n",
		"alice serial 12G4\n",
		"alice serial 0x\n",
		"alice serial 1234567890123456789012345678901234567890A\n",
		"alice issuer CN=x\n",
		"-alice serial 1\n",
		"al:ice serial 1\n",
		"a$b serial 1\n",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa serial 1\n",	/* 33 */
		"alice subject \n",
		"alice serial 1\nbob serial 2 3\n",
		"alice mykey K7QF3M2\n",		/* 7 */
		"alice mykey K7QF3M2AB\n",		/* 9 */
		"alice mykey k7qf3m2a\n",		/* lower case */
		"alice mykey K7QF-M2A\n",
		"alice mykey\n",
	};
	char err[PJ_ERRLEN];
	size_t i;
	int res;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		res = 7;
		err[0] = '\0';
		assert_int_equal(pj_map_lookup(bad[i], strlen(bad[i]), "alice",
		    "1", "CN=x", &res, err, sizeof(err)), -1);
		assert_int_equal(res, PJ_MAP_NONE);
		assert_true(strncmp(err, "line ", 5) == 0);
	}
	/* a malformed line fails the file even after a match */
	assert_int_equal(pj_map_lookup("alice serial 1\nx\n", 17, "alice", "1",
	    NULL, &res, err, sizeof(err)), -1);
	assert_string_equal(err, "line 2: expected USER serial HEX, USER "
	    "subject DN or USER mykey ID");
	/* 40 hex digits are fine, NUL is not */
	assert_int_equal(lookup("alice serial "
	    "1234567890123456789012345678901234567890\n", "alice",
	    "1234567890123456789012345678901234567890", NULL, &res), 0);
	assert_int_equal(res, PJ_MAP_USER);
	assert_int_equal(pj_map_lookup("alice serial 1\0\n", 16, "alice", "1",
	    NULL, &res, err, sizeof(err)), -1);
}

static void
test_map_mykey(void **state)
{
	const char *map =
	    "alice serial 1F\n"
	    "erin  mykey K7QF3M2A\n"
	    "erin\tmykey\t00000000  \r\n"
	    "carol mykey ZZZZ9999\n";
	char err[PJ_ERRLEN];
	size_t n = strlen(map);
	int res;

	/* never matched by serial or subject, but checked */
	assert_int_equal(lookup(map, "erin", "1F", NULL, &res), 0);
	assert_int_equal(res, PJ_MAP_OTHER);
	assert_int_equal(lookup(map, "erin", "K7QF3M2A", "K7QF3M2A", &res), 0);
	assert_int_equal(res, PJ_MAP_NONE);
	/* who has mykey lines at all */
	assert_int_equal(pj_map_mykey(map, n, "erin", NULL, &res, err,
	    sizeof(err)), 0);
	assert_int_equal(res, PJ_MAP_USER);
	assert_int_equal(pj_map_mykey(map, n, "alice", NULL, &res, err,
	    sizeof(err)), 0);
	assert_int_equal(res, PJ_MAP_NONE);
	/* the platform's answer */
	assert_int_equal(pj_map_mykey(map, n, "erin", "K7QF3M2A", &res, err,
	    sizeof(err)), 0);
	assert_int_equal(res, PJ_MAP_USER);
	assert_int_equal(pj_map_mykey(map, n, "erin", "00000000", &res, err,
	    sizeof(err)), 0);
	assert_int_equal(res, PJ_MAP_USER);
	assert_int_equal(pj_map_mykey(map, n, "erin", "ZZZZ9999", &res, err,
	    sizeof(err)), 0);
	assert_int_equal(res, PJ_MAP_OTHER);
	assert_int_equal(pj_map_mykey(map, n, "carol", "K7QF3M2A", &res, err,
	    sizeof(err)), 0);
	assert_int_equal(res, PJ_MAP_OTHER);
	assert_int_equal(pj_map_mykey(map, n, "erin", "K7QF3M2", &res, err,
	    sizeof(err)), 0);
	assert_int_equal(res, PJ_MAP_NONE);
	assert_int_equal(pj_map_mykey(map, n, "erin", "", &res, err,
	    sizeof(err)), 0);
	assert_int_equal(res, PJ_MAP_NONE);
	/* a bad line fails the mykey look-up too */
	map = "erin mykey K7QF3M2A\nx y\n";
	assert_int_equal(pj_map_mykey(map, strlen(map), "erin", "K7QF3M2A",
	    &res, err, sizeof(err)), -1);
	assert_int_equal(res, PJ_MAP_NONE);
}

static void
test_platform_options(void **state)
{
	struct pj_conf c;
	char err[PJ_ERRLEN];

	pj_conf_defaults(&c);
	assert_int_equal(c.platform_timeout, 10000);
	assert_int_equal(c.platform_allow_http, 0);
	assert_string_equal(c.platform_url, "");
	assert_int_equal(parse(&c,
	    "platform_url = https://platform.example\n"
	    "platform_client_id = cli-1\n"
	    "platform_secret_file = /etc/security/pam_jpki.secret\n"
	    "platform_ca_file = /etc/ssl/platform.pem\n"
	    "consent_file = /etc/security/pam_jpki_consent.json\n"
	    "platform_allow_http = yes\n"
	    "platform_timeout = 2500\n", err), 0);
	assert_string_equal(c.platform_url, "https://platform.example");
	assert_string_equal(c.platform_client_id, "cli-1");
	assert_string_equal(c.platform_secret_file,
	    "/etc/security/pam_jpki.secret");
	assert_string_equal(c.platform_ca_file, "/etc/ssl/platform.pem");
	assert_string_equal(c.consent_file,
	    "/etc/security/pam_jpki_consent.json");
	assert_int_equal(c.platform_allow_http, 1);
	assert_int_equal(c.platform_timeout, 2500);
	assert_int_equal(parse(&c, "platform_url = ftp://x\n", err), -1);
	assert_int_equal(parse(&c, "platform_client_id = a b\n", err), -1);
	assert_int_equal(parse(&c, "platform_secret_file = rel\n", err), -1);
	assert_int_equal(parse(&c, "consent_file = rel\n", err), -1);
	assert_int_equal(parse(&c, "platform_timeout = 99\n", err), -1);
	assert_int_equal(parse(&c, "platform_timeout = 60001\n", err), -1);
	assert_int_equal(parse(&c, "platform_allow_http = maybe\n", err), -1);
}

static void
test_read_file(void **state)
{
	char dir[] = "/tmp/jpki-test-pamconf.XXXXXX", path[64], err[PJ_ERRLEN];
	char *text = NULL, *big;
	size_t len = 0;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/conf", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("debug = yes\n", f);
	fclose(f);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(pj_read_file(path, &text, &len, err, sizeof(err)), 0);
	assert_int_equal(len, 12);
	assert_string_equal(text, "debug = yes\n");
	free(text);
	/* writable by group or others: whoever can write it decides */
	assert_int_equal(chmod(path, 0664), 0);
	assert_int_equal(pj_read_file(path, &text, &len, err, sizeof(err)), -1);
	assert_null(text);
	assert_non_null(strstr(err, "not writable by group or others"));
	assert_int_equal(chmod(path, 0646), 0);
	assert_int_equal(pj_read_file(path, &text, &len, err, sizeof(err)), -1);
	/* a secret: readable by group or others is refused too */
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(pj_read_file(path, &text, &len, err, sizeof(err)), 0);
	free(text);
	assert_int_equal(pj_read_secret(path, &text, &len, err, sizeof(err)),
	    -1);
	assert_null(text);
	assert_non_null(strstr(err, "mode 0600"));
	assert_int_equal(chmod(path, 0604), 0);
	assert_int_equal(pj_read_secret(path, &text, &len, err, sizeof(err)),
	    -1);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(pj_read_secret(path, &text, &len, err, sizeof(err)),
	    0);
	assert_string_equal(text, "debug = yes\n");
	free(text);
	/* a symlink is not followed, a directory is not a file */
	snprintf(path, sizeof(path), "%s/link", dir);
	assert_int_equal(symlink("conf", path), 0);
	assert_int_equal(pj_read_file(path, &text, &len, err, sizeof(err)), -1);
	assert_int_equal(pj_read_file(dir, &text, &len, err, sizeof(err)), -1);
	snprintf(path, sizeof(path), "%s/missing", dir);
	assert_int_equal(pj_read_file(path, &text, &len, err, sizeof(err)), -1);
	/* the size cap, exactly and one over */
	big = calloc(1, PJ_MAX_FILE + 1);
	assert_non_null(big);
	memset(big, '\n', PJ_MAX_FILE + 1);
	snprintf(path, sizeof(path), "%s/big", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(big, 1, PJ_MAX_FILE, f), PJ_MAX_FILE);
	fclose(f);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(pj_read_file(path, &text, &len, err, sizeof(err)), 0);
	assert_int_equal(len, PJ_MAX_FILE);
	free(text);
	f = fopen(path, "a");
	assert_non_null(f);
	fputc('\n', f);
	fclose(f);
	assert_int_equal(pj_read_file(path, &text, &len, err, sizeof(err)), -1);
	free(big);
	{
		char cmd[96];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		assert_int_equal(system(cmd), 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_all_options),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_map),
		cmocka_unit_test(test_map_bad),
		cmocka_unit_test(test_map_mykey),
		cmocka_unit_test(test_platform_options),
		cmocka_unit_test(test_read_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
