/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * jpki text mynumber|attrs: the text AP (券面事項入力補助AP,
 * jpki-card.md §6) after its 4-digit PIN.  The My Number is masked unless
 * --show-mynumber is given, and every buffer that held it is wiped.
 */
#include <string.h>

#include "cli.h"

static const char usage[] =
"usage: jpki text mynumber [--show-mynumber] [--json]\n"
"       jpki text attrs [--json]\n"
"                 [--reader NAME|INDEX] [--wait SECONDS]\n"
"                 [--pin-fd N|--pin-env VAR] [--force-last-try]\n"
"\n"
"Read the text application (券面事項入力補助AP) after its 4-digit PIN:\n"
"  mynumber   the individual number (個人番号), shown as **** **** 1234\n"
"             unless --show-mynumber is given\n"
"  attrs      name, address, date of birth and sex (基本4情報)\n"
"\n"
"Examples:\n"
"  jpki text mynumber\n"
"  jpki text mynumber --show-mynumber --pin-fd 3 3< pin-file\n"
"  jpki text attrs --json\n"
"\n";

enum { OPT_SHOW = OPT_CMD };

static int
text_opt(void *ctx, int id, const char *arg)
{
	(void)arg;
	if (id != OPT_SHOW)
		return -1;
	*(int *)ctx = 1;
	return 0;
}

static const char *
sex_name(char sex)
{
	switch (sex) {
	case '1':
		return "male";
	case '2':
		return "female";
	case '9':
		return "not applicable";
	default:
		return "unknown";
	}
}

static int
show_mynumber(cli_t *cli, int show)
{
	char	mn[13], out[15], raw[13];
	json_t	j;
	size_t	i;
	int	r, ex;

	memset(mn, 0, sizeof(mn));
	memset(raw, 0, sizeof(raw));
	memset(out, 0, sizeof(out));
	if ((r = jpki_card_text_mynumber(cli->card, mn)) != JPKI_OK) {
		ex = cli_fail(cli, r, "reading the My Number");
		goto out;
	}
	fmt_mynumber(mn, show, out);
	if (cli->json) {
		/* JSON: the 12 digits unspaced, masked the same way */
		for (i = 0; i < 12; i++)
			raw[i] = (show || i >= 8) ? mn[i] : '*';
		json_init(&j, stdout);
		json_obj_begin(&j);
		json_kv_str(&j, "mynumber", raw);
		json_kv_bool(&j, "masked", !show);
		json_obj_end(&j);
		if (json_end(&j) != 0) {
			ex = EX_JPKI_ERROR;
			goto out;
		}
	} else {
		printf("My Number: %s\n", out);
	}
	ex = cli_out_close(stdout, NULL);
out:
	jpki_secure_zero(mn, sizeof(mn));
	jpki_secure_zero(raw, sizeof(raw));
	jpki_secure_zero(out, sizeof(out));
	return ex;
}

static int
show_attrs(cli_t *cli)
{
	jpki_text_attrs_t	a;
	char			birth[11];
	json_t			j;
	int			r, ex;

	memset(&a, 0, sizeof(a));
	if ((r = jpki_card_text_attrs(cli->card, &a)) != JPKI_OK) {
		ex = cli_fail(cli, r, "reading the attributes");
		goto out;
	}
	/* YYYYMMDD -> YYYY-MM-DD */
	if (strlen(a.birth) == 8)
		snprintf(birth, sizeof(birth), "%.4s-%.2s-%.2s", a.birth,
		    a.birth + 4, a.birth + 6);
	else
		snprintf(birth, sizeof(birth), "%s", a.birth);
	if (cli->json) {
		json_init(&j, stdout);
		json_obj_begin(&j);
		json_kv_str(&j, "name", a.name);
		json_kv_str(&j, "address", a.address);
		json_kv_str(&j, "birth", birth);
		json_key(&j, "sex");
		json_strn(&j, &a.sex, 1);
		json_kv_str(&j, "sex_name", sex_name(a.sex));
		json_obj_end(&j);
		if (json_end(&j) != 0) {
			ex = EX_JPKI_ERROR;
			goto out;
		}
	} else {
		printf("Name:          %s\n", a.name != NULL ? a.name : "");
		printf("Address:       %s\n", a.address != NULL ?
		    a.address : "");
		printf("Date of birth: %s\n", birth);
		printf("Sex:           %s\n", sex_name(a.sex));
	}
	ex = cli_out_close(stdout, NULL);
out:
	jpki_secure_zero(birth, sizeof(birth));
	jpki_text_attrs_clear(&a);
	return ex;
}

int
cmd_text(cli_t *cli, int argc, char **argv)
{
	static const struct option extra[] = {
		{ "show-mynumber", no_argument,	NULL, OPT_SHOW },
		{ NULL,		0,		NULL, 0 },
	};
	int show = 0, r, ex, mynumber;

	cli->groups = CLI_O_CARD | CLI_O_PIN;
	if ((r = cli_parse(cli, argc, argv, NULL, extra, text_opt, &show,
	    usage)) != 0)
		return r == 1 ? EX_JPKI_OK : EX_JPKI_USAGE;
	if (optind + 1 != argc || (strcmp(argv[optind], "mynumber") != 0 &&
	    strcmp(argv[optind], "attrs") != 0)) {
		cli_usage_error(usage, "text: 'mynumber' or 'attrs'?");
		return EX_JPKI_USAGE;
	}
	mynumber = strcmp(argv[optind], "mynumber") == 0;
	if (show && !mynumber) {
		cli_usage_error(usage, "--show-mynumber goes with 'mynumber'");
		return EX_JPKI_USAGE;
	}
	/* the text AP only: a card without JPKI is still read */
	if ((ex = cli_open(cli, JPKI_OPEN_NO_SELECT)) != EX_JPKI_OK)
		goto out;
	if ((ex = cli_pin_verify(cli, JPKI_PIN_TEXT)) != EX_JPKI_OK)
		goto out;
	ex = mynumber ? show_mynumber(cli, show) : show_attrs(cli);
out:
	cli_close(cli);
	return ex;
}
