/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * jpki pin status | pin change auth|sign|text.
 */
#include <string.h>

#include "cli.h"

static const char usage[] =
"usage: jpki pin status [--json] [--reader NAME|INDEX] [--wait SECONDS]\n"
"       jpki pin change auth|sign|text [--pin-fd N | --pin-env VAR\n"
"                 --new-pin-env VAR] [--force-last-try]\n"
"\n"
"status   tries left for the auth PIN (4 digits, 3 tries), the signature\n"
"         password (6-16 of A-Z 0-9, 5 tries) and the text PIN (4 digits,\n"
"         3 tries).  No try is spent.\n"
"change   change one of them: the current PIN, then the new one twice (on a\n"
"         terminal).  With --pin-fd N the descriptor gives two lines, the\n"
"         current and the new PIN; with --pin-env the current PIN comes\n"
"         from one variable and the new one from --new-pin-env.\n"
"\n"
"A PIN with one try left is not used without --force-last-try, and a wrong\n"
"PIN is never retried.  A locked PIN can only be reset at the municipal\n"
"office (the signature password also at a convenience-store kiosk).\n"
"\n"
"Examples:\n"
"  jpki pin status\n"
"  jpki pin change auth\n"
"  printf '%s\\n%s\\n' \"$OLD\" \"$NEW\" | jpki pin change sign --pin-fd 0\n"
"\n";

static const struct {
	const char	*name;
	jpki_pin_kind_t	 kind;
	const char	*json;
} pins[] = {
	{ "auth",	JPKI_PIN_AUTH,	"auth" },
	{ "sign",	JPKI_PIN_SIGN,	"sign" },
	{ "text",	JPKI_PIN_TEXT,	"text" },
};

#define NPINS	(sizeof(pins) / sizeof(pins[0]))

static int
pin_status(cli_t *cli)
{
	int	tries[NPINS], rcs[NPINS];
	json_t	j;
	size_t	i;
	int	ex;

	if ((ex = cli_open(cli, JPKI_OPEN_NO_SELECT)) != EX_JPKI_OK)
		return ex;
	for (i = 0; i < NPINS; i++) {
		rcs[i] = jpki_card_pin_status(cli->card, pins[i].kind,
		    &tries[i]);
		if (rcs[i] == JPKI_ERR_PIN_LOCKED)
			tries[i] = 0;
		else if (rcs[i] != JPKI_OK && cli_exit_code(rcs[i]) !=
		    EX_JPKI_ERROR && rcs[i] != JPKI_ERR_NOT_JPKI)
			return cli_fail(cli, rcs[i], pins[i].name);
	}
	if (rcs[0] != JPKI_OK && rcs[0] != JPKI_ERR_PIN_LOCKED &&
	    rcs[2] != JPKI_OK && rcs[2] != JPKI_ERR_PIN_LOCKED)
		return cli_fail(cli, JPKI_ERR_NOT_JPKI, NULL);
	if (cli->json) {
		json_init(&j, stdout);
		json_obj_begin(&j);
		json_key(&j, "pins");
		json_obj_begin(&j);
		for (i = 0; i < NPINS; i++) {
			json_key(&j, pins[i].json);
			json_obj_begin(&j);
			json_key(&j, "tries_left");
			if (tries[i] >= 0)
				json_int(&j, tries[i]);
			else
				json_null(&j);
			json_kv_bool(&j, "locked", tries[i] == 0);
			json_obj_end(&j);
		}
		json_obj_end(&j);
		json_obj_end(&j);
		if (json_end(&j) != 0)
			return EX_JPKI_ERROR;
	} else {
		for (i = 0; i < NPINS; i++) {
			printf("%-6s %s: ", pins[i].name,
			    cli_pin_name(pins[i].kind));
			if (tries[i] < 0)
				printf("unknown (%s)\n",
				    jpki_strerror(rcs[i]));
			else if (tries[i] == 0)
				printf("LOCKED\n");
			else
				printf("%d %s left%s\n", tries[i],
				    tries[i] == 1 ? "try" : "tries",
				    tries[i] == 1 ? " (needs "
				    "--force-last-try)" : "");
		}
		for (i = 0; i < NPINS; i++)
			if (tries[i] == 0) {
				printf("A locked PIN can only be reset at the "
				    "municipal office (市区町村窓口);\nthe "
				    "signature password also at a "
				    "convenience-store kiosk.\n");
				break;
			}
	}
	return cli_out_close(stdout, NULL);
}

/* Local format checks so that no try is spent on a typo: the library's
 * rules for a new PIN (jpki_pin_check_new). */
static int
check_new(jpki_pin_kind_t kind, const cli_pin_t *pin)
{
	return jpki_pin_check_new(kind, pin->v) == JPKI_OK ? 0 : -1;
}

static int
pin_change(cli_t *cli, jpki_pin_kind_t kind)
{
	cli_pin_t	old, new;
	char		prompt[160], rule[JPKI_PIN_FORMAT_TEXT_MAX];
	unsigned	flags;
	int		ex, r, tries = -1;

	memset(&old, 0, sizeof(old));
	memset(&new, 0, sizeof(new));
	if (cli->pin_env != NULL && cli->new_pin_env == NULL &&
	    cli->pin_fd < 0) {
		cli_usage_error(usage, "--pin-env gives the current PIN; give "
		    "the new one with --new-pin-env VAR");
		return EX_JPKI_USAGE;
	}
	if ((ex = cli_open(cli, JPKI_OPEN_NO_SELECT)) != EX_JPKI_OK)
		goto out;
	if ((ex = cli_pin_precheck(cli, kind, &tries)) != EX_JPKI_OK)
		goto out;
	snprintf(prompt, sizeof(prompt), "Current %s: ", cli_pin_name(kind));
	if ((ex = cli_pin_read(cli, prompt, 0, 0, &old)) != EX_JPKI_OK)
		goto out;
	cli_pin_fold(kind, &old);
	if (jpki_pin_check_format(kind, old.v) != JPKI_OK) {
		ex = cli_pin_fail(cli, kind, JPKI_ERR_PIN_FORMAT, tries);
		goto out;
	}
	snprintf(prompt, sizeof(prompt), "New %s: ", cli_pin_name(kind));
	if ((ex = cli_pin_read(cli, prompt, 1, 1, &new)) != EX_JPKI_OK)
		goto out;
	cli_pin_fold(kind, &new);
	if (check_new(kind, &new) != 0) {
		cli_warnx("the new PIN has the wrong format; nothing was "
		    "changed");
		if (jpki_pin_format_text(kind, rule, sizeof(rule)) == JPKI_OK)
			fprintf(stderr, "  It is %s%s.\n", rule,
			    kind == JPKI_PIN_SIGN ? ",\n  with at least one "
			    "letter and one digit" : "");
		ex = EX_JPKI_USAGE;
		goto out;
	}
	flags = cli->force_last_try ? JPKI_PIN_FORCE_LAST_TRY : 0;
	r = jpki_card_change_pin(cli->card, kind, old.v, new.v, flags, &tries);
	if (r != JPKI_OK) {
		ex = cli_pin_fail(cli, kind, r, tries);
		goto out;
	}
	cli->verified = 1;
	if (cli->json)
		printf("{\"changed\":true}\n");
	else
		fprintf(stderr, "The %s was changed.\n", cli_pin_name(kind));
	ex = cli_out_close(stdout, NULL);
out:
	cli_pin_wipe(&old);
	cli_pin_wipe(&new);
	return ex;
}

int
cmd_pin(cli_t *cli, int argc, char **argv)
{
	const char	*sub;
	size_t		 i;
	int		 r, ex;

	cli->groups = CLI_O_CARD | CLI_O_PIN | CLI_O_NEWPIN;
	if ((r = cli_parse(cli, argc, argv, NULL, NULL, NULL, NULL,
	    usage)) != 0)
		return r == 1 ? EX_JPKI_OK : EX_JPKI_USAGE;
	if (optind >= argc) {
		cli_usage_error(usage, "pin: 'status' or 'change'?");
		return EX_JPKI_USAGE;
	}
	sub = argv[optind];
	if (strcmp(sub, "status") == 0) {
		if (optind + 1 < argc) {
			cli_usage_error(usage, "unexpected argument '%s'",
			    argv[optind + 1]);
			return EX_JPKI_USAGE;
		}
		ex = pin_status(cli);
		cli_close(cli);
		return ex;
	}
	if (strcmp(sub, "change") != 0) {
		cli_usage_error(usage, "unknown pin command '%s'", sub);
		return EX_JPKI_USAGE;
	}
	if (optind + 2 != argc) {
		cli_usage_error(usage, "pin change: which PIN? auth, sign or "
		    "text");
		return EX_JPKI_USAGE;
	}
	for (i = 0; i < NPINS; i++)
		if (strcmp(argv[optind + 1], pins[i].name) == 0)
			break;
	if (i == NPINS) {
		cli_usage_error(usage, "unknown PIN '%s'", argv[optind + 1]);
		return EX_JPKI_USAGE;
	}
	ex = pin_change(cli, pins[i].kind);
	cli_close(cli);
	return ex;
}
