/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * jpki: command-line tool for the My Number Card (個人番号カード).
 * Global options may come before the command; each command parses its
 * own (and the common ones) after it.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
"usage: jpki [options] COMMAND [ARGS...]\n"
"\n"
"Read certificates, sign and manage PINs of a My Number Card (個人番号カード)\n"
"through a PC/SC reader.\n"
"\n"
"Commands:\n"
"  readers                      list readers and whether a card is present\n"
"  info                         card, applications, token, PIN tries\n"
"  cert auth|auth-ca|sign|sign-ca\n"
"                               export a certificate (PEM, DER, text, JSON)\n"
"  pin status                   tries left for every PIN\n"
"  pin change auth|sign|text    change a PIN\n"
"  sign auth|sign --in FILE     PKCS#1 v1.5 signature (or --cms) of FILE\n"
"  text mynumber|attrs          My Number, or name/address/birth/sex\n"
"  verify cert FILE|auth|sign   chain and revocation (OCSP, CRL) of a certificate\n"
"  verify --cms SIG --in FILE   a detached CMS signature made by sign --cms\n"
"  visual face --out DIR        card face images and data (券面事項確認AP)\n"
"  platform register|login|...  MyKey Platform: MyKey ID, issuance numbers\n"
"  doctor                       check pcscd, readers, NFC drivers, cards\n"
"\n"
"Options (also accepted after the command):\n"
"  -r, --reader NAME|INDEX      reader to use (default: first with a card)\n"
"  -w, --wait SECONDS           wait that long for a card\n"
"  -j, --json                   machine-readable output\n"
"  -v, --verbose                say what is happening (on stderr)\n"
"      --stats                  APDU and byte counts and wall time, on stderr\n"
"  -h, --help                   this text; 'jpki COMMAND --help' for a command\n"
"      --version                print the version\n"
"\n"
"PINs are read from the terminal with echo off, from --pin-fd N or from\n"
"--pin-env VAR; never from the command line.  JPKI_DEBUG=1 logs APDUs\n"
"(PINs and personal data redacted).\n"
"\n"
"Examples:\n"
"  jpki readers\n"
"  jpki info --wait 30\n"
"  jpki cert auth --out auth.pem\n"
"  jpki sign auth --in doc.pdf --out doc.sig\n"
"\n";

static const struct {
	const char	*name;
	cli_cmd_fn	 fn;
} cmds[] = {
	{ "readers",	cmd_readers },
	{ "info",	cmd_info },
	{ "cert",	cmd_cert },
	{ "pin",	cmd_pin },
	{ "sign",	cmd_sign },
	{ "text",	cmd_text },
	{ "verify",	cmd_verify },
	{ "visual",	cmd_visual },
	{ "platform",	cmd_platform },
	{ "doctor",	cmd_doctor },
};

static int
main_opt(void *ctx, int id, const char *arg)
{
	(void)arg;
	if (id == OPT_VERSION) {
		*(int *)ctx = 1;
		return 0;
	}
	return -1;
}

int
main(int argc, char **argv)
{
	static const struct option extra[] = {
		{ "version",	no_argument,	NULL, OPT_VERSION },
		{ NULL,		0,		NULL, 0 },
	};
	cli_t	cli;
	size_t	i;
	int	r, version = 0;

	cli_init(&cli);
	r = cli_parse(&cli, argc, argv, "+", extra, main_opt, &version,
	    usage);
	if (r == 1)
		return EX_JPKI_OK;
	if (r != 0)
		return EX_JPKI_USAGE;
	if (version) {
		printf("jpki %s\n", JPKI_VERSION_STRING);
		return EX_JPKI_OK;
	}
	if (optind >= argc) {
		cli_usage_error(usage, "no command given");
		return EX_JPKI_USAGE;
	}
	if (strcmp(argv[optind], "help") == 0) {
		if (optind + 1 < argc) {
			/* 'jpki help cert' is 'jpki cert --help' */
			char helpopt[] = "--help";
			char *sub[] = { argv[optind + 1], helpopt, NULL };

			for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
				if (strcmp(sub[0], cmds[i].name) == 0)
					return cmds[i].fn(&cli, 2, sub);
		}
		fputs(usage, stdout);
		fputs(cli_exit_help, stdout);
		return EX_JPKI_OK;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[optind], cmds[i].name) == 0)
			return cmds[i].fn(&cli, argc - optind, argv + optind);
	cli_usage_error(usage, "unknown command '%s'", argv[optind]);
	return EX_JPKI_USAGE;
}
