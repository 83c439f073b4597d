/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * jpki readers: the PC/SC readers and whether a card is present.
 */
#include "cli.h"

static const char usage[] =
"usage: jpki readers [--json]\n"
"\n"
"List the PC/SC readers with their index (for --reader) and whether a card\n"
"is present.  The JSON form is\n"
"  {\"readers\":[{\"index\":0,\"name\":\"...\",\"card\":true},...]}\n"
"\n"
"Examples:\n"
"  jpki readers\n"
"  jpki readers --json\n"
"  jpki --reader 1 info           # then use a reader by its index\n"
"\n";

int
cmd_readers(cli_t *cli, int argc, char **argv)
{
	json_t	  j;
	char	**names = NULL;
	int	 *present = NULL;
	size_t	  n = 0, i;
	int	  r, ex;

	cli->groups = 0;
	if ((r = cli_parse(cli, argc, argv, NULL, NULL, NULL, NULL,
	    usage)) != 0)
		return r == 1 ? EX_JPKI_OK : EX_JPKI_USAGE;
	if (optind < argc) {
		cli_usage_error(usage, "unexpected argument '%s'",
		    argv[optind]);
		return EX_JPKI_USAGE;
	}
	if ((r = jpki_init()) != JPKI_OK)
		return cli_fail(cli, r, "initialisation");
	r = jpki_reader_list(&names, &n, &present);
	/* no reader is a valid (empty) answer for JSON consumers */
	if (r != JPKI_OK && r != JPKI_ERR_NO_READER) {
		ex = cli_fail(cli, r, "listing readers");
		goto out;
	}
	if (r == JPKI_ERR_NO_READER)
		n = 0;
	if (cli->json) {
		json_init(&j, stdout);
		json_obj_begin(&j);
		json_key(&j, "readers");
		json_arr_begin(&j);
		for (i = 0; i < n; i++) {
			json_obj_begin(&j);
			json_kv_int(&j, "index", (long long)i);
			json_kv_str(&j, "name", names[i]);
			json_kv_bool(&j, "card",
			    present != NULL && present[i] != 0);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_obj_end(&j);
		if (json_end(&j) != 0) {
			cli_warnx("stdout: write error");
			ex = EX_JPKI_ERROR;
			goto out;
		}
	} else {
		for (i = 0; i < n; i++)
			printf("%zu: %s%s\n", i, names[i],
			    present != NULL && present[i] ? "  [card]" : "");
	}
	if (n == 0) {
		ex = cli_fail(cli, JPKI_ERR_NO_READER, NULL);
		goto out;
	}
	ex = cli_out_close(stdout, NULL);
out:
	jpki_reader_list_free(&names, &present);
	jpki_exit();
	return ex;
}
