/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * jpki info: what the card is and what it holds, without any PIN.  The
 * PIN tries are read with an empty VERIFY (jpki-card.md §5.4), which
 * spends nothing.
 */
#include <string.h>

#include "cli.h"

static const char usage[] =
"usage: jpki info [--reader NAME|INDEX] [--wait SECONDS] [--json]\n"
"\n"
"Show the reader, the card's ATR, which applications it has (JPKI, text,\n"
"visual), the JPKI token information, which certificates are present, the\n"
"issuance number of the authentication certificate and the tries left for\n"
"the auth PIN, the signature password and the text PIN.  No PIN is asked\n"
"and no try is spent.\n"
"\n"
"Examples:\n"
"  jpki info\n"
"  jpki info --wait 30 --json\n"
"  jpki info --reader 'Virtual PCD 00 01'\n"
"\n";

typedef struct {
	const char	*atr;
	int		 contactless;
	int		 jpki, text, visual;
	int		 have_token;
	jpki_token_info_t ti;
	int		 have_certs;
	int		 cert_auth, cert_sign;
	char		 serial_hex[72];
	char		 serial_dec[100];
	int		 tries_auth, tries_sign, tries_text;
} info_t;

/* Errors after which no further question to the card makes sense. */
static int
fatal(int r)
{
	return r == JPKI_ERR_CARD_REMOVED || r == JPKI_ERR_CARD_RESET ||
	    r == JPKI_ERR_NO_CARD || r == JPKI_ERR_NO_SERVICE ||
	    r == JPKI_ERR_TRANSPORT || r == JPKI_ERR_NOMEM;
}

/* Present if its PIN counter can be read: that selects the AP. */
static int
ap_present(cli_t *cli, jpki_pin_kind_t kind, int *tries, int *present)
{
	int r;

	r = jpki_card_pin_status(cli->card, kind, tries);
	*present = r == JPKI_OK || r == JPKI_ERR_PIN_LOCKED;
	return fatal(r) ? r : JPKI_OK;
}

static void
print_tries(const char *name, int tries)
{
	if (tries < 0)
		printf("  %-20s unknown\n", name);
	else if (tries == 0)
		printf("  %-20s LOCKED (reset at the municipal office)\n",
		    name);
	else
		printf("  %-20s %d %s left\n", name, tries,
		    tries == 1 ? "try" : "tries");
}

static void
print_text(const cli_t *cli, const info_t *in)
{
	printf("Reader:        %s\n", jpki_card_reader(cli->card));
	printf("ATR:           %s\n", in->atr);
	printf("Interface:     %s\n", in->contactless ? "contactless" :
	    "contact");
	printf("Applications:  JPKI %s, text %s, visual %s\n",
	    in->jpki ? "yes" : "no", in->text ? "yes" : "no",
	    in->visual ? "yes" : "no");
	if (in->have_token) {
		printf("Token:         %s\n", in->ti.label);
		printf("  manufacturer %s\n", in->ti.manufacturer);
		printf("  model        %s\n", in->ti.model);
		printf("  serial       %s\n", in->ti.serial);
	}
	if (in->have_certs)
		printf("Certificates:  auth %s, sign %s\n",
		    in->cert_auth ? "present" : "absent",
		    in->cert_sign ? "present" : "absent (card of a minor?)");
	if (in->serial_hex[0] != '\0')
		printf("Auth issuance number: %s (decimal %s)\n",
		    in->serial_hex, in->serial_dec);
	printf("PIN tries:\n");
	if (in->jpki) {
		print_tries("auth PIN", in->tries_auth);
		print_tries("signature password", in->tries_sign);
	}
	if (in->text)
		print_tries("text PIN", in->tries_text);
}

static void
json_tries(json_t *j, const char *k, int present, int tries)
{
	json_key(j, k);
	if (!present || tries < 0)
		json_null(j);
	else
		json_int(j, tries);
}

static int
print_json(const cli_t *cli, const info_t *in)
{
	json_t j;

	json_init(&j, stdout);
	json_obj_begin(&j);
	json_kv_str(&j, "reader", jpki_card_reader(cli->card));
	json_kv_str(&j, "atr", in->atr);
	json_kv_bool(&j, "contactless", in->contactless);
	json_key(&j, "applications");
	json_obj_begin(&j);
	json_kv_bool(&j, "jpki", in->jpki);
	json_kv_bool(&j, "text", in->text);
	json_kv_bool(&j, "visual", in->visual);
	json_obj_end(&j);
	json_key(&j, "token");
	if (in->have_token) {
		json_obj_begin(&j);
		json_kv_str(&j, "label", in->ti.label);
		json_kv_str(&j, "manufacturer", in->ti.manufacturer);
		json_kv_str(&j, "model", in->ti.model);
		json_kv_str(&j, "serial", in->ti.serial);
		json_obj_end(&j);
	} else {
		json_null(&j);
	}
	json_key(&j, "certificates");
	if (in->have_certs) {
		json_obj_begin(&j);
		json_kv_bool(&j, "auth", in->cert_auth);
		json_kv_bool(&j, "sign", in->cert_sign);
		json_obj_end(&j);
	} else {
		json_null(&j);
	}
	json_key(&j, "auth_issuance_number");
	if (in->serial_hex[0] != '\0') {
		json_obj_begin(&j);
		json_kv_str(&j, "hex", in->serial_hex);
		json_kv_str(&j, "decimal", in->serial_dec);
		json_obj_end(&j);
	} else {
		json_null(&j);
	}
	json_key(&j, "pin_tries");
	json_obj_begin(&j);
	json_tries(&j, "auth", in->jpki, in->tries_auth);
	json_tries(&j, "sign", in->jpki, in->tries_sign);
	json_tries(&j, "text", in->text, in->tries_text);
	json_obj_end(&j);
	json_obj_end(&j);
	return json_end(&j);
}

/* Token, certificates and PIN counters; only fatal errors returned. */
static int
probe_jpki(cli_t *cli, info_t *in)
{
	uint8_t	serial[32];
	size_t	serial_len = sizeof(serial);
	int	r;

	r = jpki_card_token_info(cli->card, &in->ti);
	in->have_token = r == JPKI_OK;
	if (r != JPKI_OK)
		cli_info(cli, "token information: %s", jpki_strerror(r));
	if (fatal(r))
		return r;
	r = jpki_card_cert_available(cli->card, &in->cert_auth,
	    &in->cert_sign);
	in->have_certs = r == JPKI_OK;
	if (fatal(r))
		return r;
	if (in->have_certs && in->cert_auth) {
		r = jpki_card_read_serial(cli->card, JPKI_CERT_AUTH, serial,
		    &serial_len);
		if (fatal(r))
			return r;
		if (r != JPKI_OK ||
		    fmt_hex(serial, serial_len, in->serial_hex,
		    sizeof(in->serial_hex)) != 0 ||
		    fmt_dec(serial, serial_len, in->serial_dec,
		    sizeof(in->serial_dec)) != 0)
			in->serial_hex[0] = '\0';
	}
	r = jpki_card_pin_status(cli->card, JPKI_PIN_AUTH, &in->tries_auth);
	if (fatal(r))
		return r;
	r = jpki_card_pin_status(cli->card, JPKI_PIN_SIGN, &in->tries_sign);
	return fatal(r) ? r : JPKI_OK;
}

int
cmd_info(cli_t *cli, int argc, char **argv)
{
	info_t	 in;
	uint8_t	 atr[64];
	char	 atrhex[64 * 3 + 1];
	size_t	 atr_len = sizeof(atr);
	int	 r, ex;

	memset(&in, 0, sizeof(in));
	in.ti.size = sizeof(in.ti);
	in.tries_auth = in.tries_sign = in.tries_text = -1;
	cli->groups = CLI_O_CARD;
	if ((r = cli_parse(cli, argc, argv, NULL, NULL, NULL, NULL,
	    usage)) != 0)
		return r == 1 ? EX_JPKI_OK : EX_JPKI_USAGE;
	if (optind < argc) {
		cli_usage_error(usage, "unexpected argument '%s'",
		    argv[optind]);
		return EX_JPKI_USAGE;
	}
	/* open without SELECT: a foreign card is reported, not refused */
	if ((ex = cli_open(cli, JPKI_OPEN_NO_SELECT)) != EX_JPKI_OK)
		goto out;
	atrhex[0] = '\0';
	if (jpki_card_atr(cli->card, atr, &atr_len) == JPKI_OK)
		(void)fmt_hex_spaced(atr, atr_len, atrhex, sizeof(atrhex));
	in.atr = atrhex;
	in.contactless = jpki_card_is_contactless(cli->card) == 1;

	r = jpki_card_select_jpki(cli->card);
	if (r != JPKI_OK && r != JPKI_ERR_NOT_JPKI) {
		ex = cli_fail(cli, r, "selecting the JPKI application");
		goto out;
	}
	in.jpki = r == JPKI_OK;
	if (in.jpki && (r = probe_jpki(cli, &in)) != JPKI_OK) {
		ex = cli_fail(cli, r, "reading the JPKI application");
		goto out;
	}
	if ((r = ap_present(cli, JPKI_PIN_TEXT, &in.tries_text,
	    &in.text)) != JPKI_OK) {
		ex = cli_fail(cli, r, "probing the text application");
		goto out;
	}
	if ((r = ap_present(cli, JPKI_PIN_VISUAL_A, &(int){ -1 },
	    &in.visual)) != JPKI_OK) {
		ex = cli_fail(cli, r, "probing the visual application");
		goto out;
	}
	if (!in.jpki && !in.text && !in.visual) {
		ex = cli_fail(cli, JPKI_ERR_NOT_JPKI, NULL);
		goto out;
	}
	if (cli->json) {
		if (print_json(cli, &in) != 0) {
			cli_warnx("stdout: write error");
			ex = EX_JPKI_ERROR;
			goto out;
		}
	} else {
		print_text(cli, &in);
	}
	ex = cli_out_close(stdout, NULL);
	if (ex == EX_JPKI_OK && !in.jpki)
		ex = cli_fail(cli, JPKI_ERR_NOT_JPKI, NULL);
out:
	cli_close(cli);
	return ex;
}
