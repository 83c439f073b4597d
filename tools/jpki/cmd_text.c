/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * jpki text mynumber|attrs: the text AP (券面事項入力補助AP,
 * jpki-card.md §6) after its 4-digit PIN.  The My Number is masked unless
 * --show-mynumber is given, and every buffer that held it is wiped.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
"usage: jpki text mynumber [--show-mynumber] [--json]\n"
"       jpki text attrs [--verify --cv-ca FILE [--show-mynumber]] [--json]\n"
"                 [--reader NAME|INDEX] [--wait SECONDS]\n"
"                 [--pin-fd N|--pin-env VAR] [--force-last-try]\n"
"\n"
"Read the text application (券面事項入力補助AP) after its 4-digit PIN:\n"
"  mynumber   the individual number (個人番号), shown as **** **** 1234\n"
"             unless --show-mynumber is given\n"
"  attrs      name, address, date of birth and sex (基本4情報)\n"
"\n"
"  --verify         check the data against the card's signed integrity\n"
"                   record (EF 0003) and CV certificate (EF 0004):\n"
"                   \"authentic: yes\" or \"authentic: no (reason)\", exit 8\n"
"  --cv-ca FILE     PEM public key of the CV certificate issuer (needed\n"
"                   with --verify)\n"
"  --show-mynumber  with --verify, the My Number (hashed by the check) is\n"
"                   shown unmasked\n"
"\n"
"Examples:\n"
"  jpki text mynumber\n"
"  jpki text mynumber --show-mynumber --pin-fd 3 3< pin-file\n"
"  jpki text attrs --json\n"
"  jpki text attrs --verify --cv-ca cv-ca.pub\n"
"\n";

enum { OPT_SHOW = OPT_CMD, OPT_VERIFY, OPT_CVCA };

#define CVCA_MAX	16384

typedef struct {
	int		 show;
	int		 verify;
	const char	*cvca;
} text_opts_t;

static int
text_opt(void *ctx, int id, const char *arg)
{
	text_opts_t *o = ctx;

	switch (id) {
	case OPT_SHOW:
		o->show = 1;
		return 0;
	case OPT_VERIFY:
		o->verify = 1;
		return 0;
	case OPT_CVCA:
		o->cvca = arg;
		return 0;
	default:
		return -1;
	}
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
	jpki_text_attrs_t	a = { .size = sizeof(a) };
	char			birth[11];
	json_t			j;
	int			r, ex;

	JPKI_INIT(&a);
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

/*
 * attrs --verify: EF 0001..0004 as stored, jpki_textap_verify (§6.4,
 * §6.5), and the attributes parsed from the same EF 0002 that was
 * checked.  The My Number record is only hashed and shown masked.
 */
static int
verify_attrs(cli_t *cli, int show, const char *pem, size_t pem_len)
{
	jpki_text_raw_t		raw = { .size = sizeof(raw) };
	jpki_text_attrs_t	a = { .size = sizeof(a) };
	jpki_textap_result_t	vr = { .size = sizeof(vr) };
	char			mn[13], out[15], raw12[13], birth[11];
	json_t			j;
	size_t			i;
	int			r, ex;

	JPKI_INIT(&raw);
	JPKI_INIT(&a);
	JPKI_INIT(&vr);
	memset(mn, 0, sizeof(mn));
	memset(out, 0, sizeof(out));
	memset(raw12, 0, sizeof(raw12));
	memset(birth, 0, sizeof(birth));
	if ((r = jpki_card_text_raw(cli->card, &raw)) != JPKI_OK) {
		ex = cli_fail(cli, r, "reading the text AP");
		goto out;
	}
	(void)jpki_textap_verify(raw.ef[0], raw.len[0], raw.ef[1],
	    raw.len[1], raw.ef[2], raw.len[2], raw.ef[3], raw.len[3], pem,
	    pem_len, &vr);
	/* EF 0001: FF 10 0C <12 digits> FF FF (§6.2) */
	if (raw.len[0] == 17 && raw.ef[0][0] == 0xff && raw.ef[0][1] == 0x10 &&
	    raw.ef[0][2] == 0x0c) {
		memcpy(mn, raw.ef[0] + 3, 12);
		fmt_mynumber(mn, show, out);
		/* JSON: unspaced, masked as by 'text mynumber --json' */
		for (i = 0; i < 12; i++)
			raw12[i] = (show || i >= 8) ? mn[i] : '*';
	} else {
		snprintf(out, sizeof(out), "?");
		snprintf(raw12, sizeof(raw12), "?");
	}
	/* a tampered EF 0002 may not parse: the verdict is still shown */
	r = jpki_text_attrs_parse(raw.ef[1], raw.len[1], &a);
	if (r == JPKI_OK && strlen(a.birth) == 8)
		snprintf(birth, sizeof(birth), "%.4s-%.2s-%.2s", a.birth,
		    a.birth + 4, a.birth + 6);
	if (cli->json) {
		json_init(&j, stdout);
		json_obj_begin(&j);
		json_kv_str(&j, "mynumber", raw12);
		json_kv_bool(&j, "masked", !show);
		json_kv_str(&j, "name", a.name);
		json_kv_str(&j, "address", a.address);
		json_kv_str(&j, "birth", birth[0] != '\0' ? birth : NULL);
		json_key(&j, "sex");
		if (a.sex != '\0')
			json_strn(&j, &a.sex, 1);
		else
			json_null(&j);
		json_key(&j, "verification");
		json_obj_begin(&j);
		json_kv_bool(&j, "authentic", vr.authentic);
		json_kv_bool(&j, "mynumber_hash_ok", vr.mynumber_hash_ok);
		json_kv_bool(&j, "attrs_hash_ok", vr.attrs_hash_ok);
		json_kv_bool(&j, "cvc_ok", vr.cvc_ok);
		json_kv_bool(&j, "record_signature_ok", vr.record_sig_ok);
		json_kv_str(&j, "reason", vr.reason);
		json_obj_end(&j);
		json_obj_end(&j);
		if (json_end(&j) != 0) {
			ex = EX_JPKI_ERROR;
			goto out;
		}
	} else {
		printf("My Number:     %s\n", out);
		printf("Name:          %s\n", a.name != NULL ? a.name : "");
		printf("Address:       %s\n", a.address != NULL ?
		    a.address : "");
		printf("Date of birth: %s\n", birth);
		printf("Sex:           %s\n", sex_name(a.sex));
		if (vr.authentic)
			printf("authentic: yes\n");
		else
			printf("authentic: no (%s)\n", vr.reason);
	}
	ex = cli_out_close(stdout, NULL);
	if (ex == EX_JPKI_OK && !vr.authentic)
		ex = EX_JPKI_VERIFY;
out:
	jpki_secure_zero(mn, sizeof(mn));
	jpki_secure_zero(out, sizeof(out));
	jpki_secure_zero(raw12, sizeof(raw12));
	jpki_secure_zero(birth, sizeof(birth));
	jpki_text_attrs_clear(&a);
	jpki_text_raw_clear(&raw);
	return ex;
}

int
cmd_text(cli_t *cli, int argc, char **argv)
{
	static const struct option extra[] = {
		{ "show-mynumber", no_argument,	NULL, OPT_SHOW },
		{ "verify",	no_argument,	NULL, OPT_VERIFY },
		{ "cv-ca",	required_argument, NULL, OPT_CVCA },
		{ NULL,		0,		NULL, 0 },
	};
	text_opts_t	 o;
	uint8_t		*pem = NULL;
	size_t		 pem_len = 0;
	int		 r, ex, mynumber;

	cli->groups = CLI_O_CARD | CLI_O_PIN;
	memset(&o, 0, sizeof(o));
	if ((r = cli_parse(cli, argc, argv, NULL, extra, text_opt, &o,
	    usage)) != 0)
		return r == 1 ? EX_JPKI_OK : EX_JPKI_USAGE;
	if (optind + 1 != argc || (strcmp(argv[optind], "mynumber") != 0 &&
	    strcmp(argv[optind], "attrs") != 0)) {
		cli_usage_error(usage, "text: 'mynumber' or 'attrs'?");
		return EX_JPKI_USAGE;
	}
	mynumber = strcmp(argv[optind], "mynumber") == 0;
	if (o.show && !mynumber && !o.verify) {
		cli_usage_error(usage, "--show-mynumber goes with 'mynumber' "
		    "or 'attrs --verify'");
		return EX_JPKI_USAGE;
	}
	if ((o.verify || o.cvca != NULL) &&
	    (mynumber || !o.verify || o.cvca == NULL)) {
		cli_usage_error(usage, "'attrs --verify --cv-ca FILE' go "
		    "together");
		return EX_JPKI_USAGE;
	}
	/* the issuer key before the card: a bad path costs no PIN try */
	if (o.cvca != NULL &&
	    (ex = cli_read_file(o.cvca, CVCA_MAX, &pem, &pem_len)) !=
	    EX_JPKI_OK)
		return ex;
	/* the text AP only: a card without JPKI is still read */
	if ((ex = cli_open(cli, JPKI_OPEN_NO_SELECT)) != EX_JPKI_OK)
		goto out;
	if ((ex = cli_pin_verify(cli, JPKI_PIN_TEXT)) != EX_JPKI_OK)
		goto out;
	if (mynumber)
		ex = show_mynumber(cli, o.show);
	else if (o.verify)
		ex = verify_attrs(cli, o.show, (const char *)pem, pem_len);
	else
		ex = show_attrs(cli);
out:
	free(pem);
	cli_close(cli);
	return ex;
}
