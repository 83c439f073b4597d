/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * jpki cert auth|auth-ca|sign|sign-ca: export a certificate from the JPKI
 * AP.  The signature certificate is readable only after the signature
 * password (jpki-card.md §5.3), so it is asked for.  --ssh prints the
 * authentication key as an authorized_keys line for OpenSSH with the
 * PKCS#11 module.
 */
#include <string.h>
#include <unistd.h>

#include <jpki/cert.h>

#include "cli.h"

static const char usage[] =
"usage: jpki cert auth|auth-ca|sign|sign-ca [--pem|--der|--text] [--json]\n"
"       jpki cert auth --ssh\n"
"                 [--ca FILE]... [--out FILE]\n"
"                 [--reader NAME|INDEX] [--wait SECONDS]\n"
"                 [--pin-fd N|--pin-env VAR] [--force-last-try]\n"
"\n"
"Export a certificate from the card:\n"
"  auth      user-authentication certificate (利用者証明用電子証明書)\n"
"  auth-ca   the CA certificate that issued it\n"
"  sign      signature certificate (署名用電子証明書): needs the signature\n"
"            password, and contains the holder's name, address, birth date\n"
"  sign-ca   the CA certificate that issued it\n"
"\n"
"  --pem           PEM (the default)\n"
"  --der           DER, binary (not to a terminal)\n"
"  --text          issuance number (hex and decimal), subject, issuer,\n"
"                  validity, key, for 'sign' the holder attributes, and\n"
"                  the chain: \"chain: ok (JPKI-MOCK)\" or\n"
"                  \"chain: FAILED: <reason>\"\n"
"  --ssh           (auth only) the public key as an OpenSSH authorized_keys\n"
"                  line: \"ssh-rsa AAAA... JPKI auth <issuance number>\",\n"
"                  the key ssh -I jpki-pkcs11.so logs in with.  No PIN.\n"
"  -j, --json      the same as JSON, with the DER in base64 and a\n"
"                  \"verification\" object\n"
"  --ca FILE       trust anchor (PEM or DER) besides the bundled J-LIS\n"
"                  roots, for --text and --json; repeatable.  The CA\n"
"                  certificate on the card is never trusted.\n"
"  -o, --out FILE  write there instead of stdout\n"
"  --pin-fd N      read the signature password from descriptor N\n"
"  --pin-env VAR   read it from environment variable VAR (then unset)\n"
"  --force-last-try  allow a VERIFY when only one try is left\n"
"\n"
"The issuance number (発行番号) is the certificate's serial number.\n"
"\n"
"Examples:\n"
"  jpki cert auth > auth.pem\n"
"  jpki cert auth --der --out auth.der\n"
"  jpki cert auth --text\n"
"  jpki cert auth --ssh >> ~/.ssh/authorized_keys   (on the server)\n"
"  jpki cert sign --json --pin-fd 3 3< password-file\n"
"\n";

enum { FMT_PEM, FMT_DER, FMT_TEXT, FMT_SSH };
enum { OPT_PEM = OPT_CMD, OPT_DER, OPT_TEXT, OPT_CA, OPT_SSH };

typedef struct {
	int		 fmt;
	const char	*out;
	cli_ca_t	 ca;
} cert_opts_t;

static const struct {
	const char		*name;
	jpki_cert_kind_t	 kind;
	const char		*desc;
} kinds[] = {
	{ "auth",	JPKI_CERT_AUTH,
	    "user-authentication certificate (利用者証明用電子証明書)" },
	{ "auth-ca",	JPKI_CERT_AUTH_CA,
	    "CA certificate for user authentication" },
	{ "sign",	JPKI_CERT_SIGN,
	    "signature certificate (署名用電子証明書)" },
	{ "sign-ca",	JPKI_CERT_SIGN_CA,
	    "CA certificate for digital signature" },
};

static int
cert_opt(void *ctx, int id, const char *arg)
{
	cert_opts_t *o = ctx;

	switch (id) {
	case OPT_PEM:
		o->fmt = FMT_PEM;
		return 0;
	case OPT_DER:
		o->fmt = FMT_DER;
		return 0;
	case OPT_TEXT:
		o->fmt = FMT_TEXT;
		return 0;
	case OPT_SSH:
		o->fmt = FMT_SSH;
		return 0;
	case 'o':
		o->out = arg;
		return 0;
	case OPT_CA:
		return cli_ca_add(&o->ca, arg, usage);
	default:
		return -1;
	}
}

static void
print_text(FILE *f, const char *name, const char *desc, const jpki_cert_t *c,
    const jpki_verify_result_t *vr)
{
	jpki_cert_attrs_t a = { .size = sizeof(a) };

	fprintf(f, "Certificate:      %s, %s\n", name, desc);
	fprintf(f, "Issuance number:  %s (decimal %s)\n",
	    jpki_cert_serial_hex(c), jpki_cert_serial_dec(c));
	fprintf(f, "Subject:          %s\n", jpki_cert_subject(c));
	fprintf(f, "Issuer:           %s\n", jpki_cert_issuer(c));
	fprintf(f, "Not before:       %s\n", jpki_cert_not_before_str(c));
	fprintf(f, "Not after:        %s\n", jpki_cert_not_after_str(c));
	fprintf(f, "Key:              %s %u bits\n", jpki_cert_key_type(c),
	    jpki_cert_key_bits(c));
	fprintf(f, "Hierarchy:        %s\n",
	    jpki_hierarchy_name(jpki_cert_hierarchy(c)));
	JPKI_INIT(&a);
	if (jpki_cert_type(c) == JPKI_CERT_TYPE_SIGN &&
	    jpki_cert_attrs(c, &a) == JPKI_OK) {
		fprintf(f, "Holder name:      %s\n", a.name != NULL ?
		    a.name : "-");
		fprintf(f, "Date of birth:    %s\n", a.birth_iso != NULL ?
		    a.birth_iso : "-");
		fprintf(f, "Sex:              %s\n", a.sex_name != NULL ?
		    a.sex_name : "-");
		fprintf(f, "Address:          %s\n", a.address != NULL ?
		    a.address : "-");
	}
	cli_chain_text(f, vr);
}

static void
print_json(FILE *f, const char *name, const jpki_cert_t *c,
    const uint8_t *der, size_t der_len, const jpki_verify_result_t *vr,
    int *err)
{
	jpki_cert_attrs_t a = { .size = sizeof(a) };
	json_t		  j;

	json_init(&j, f);
	json_obj_begin(&j);
	json_kv_str(&j, "kind", name);
	json_key(&j, "issuance_number");
	json_obj_begin(&j);
	json_kv_str(&j, "hex", jpki_cert_serial_hex(c));
	json_kv_str(&j, "decimal", jpki_cert_serial_dec(c));
	json_obj_end(&j);
	json_kv_str(&j, "subject", jpki_cert_subject(c));
	json_kv_str(&j, "issuer", jpki_cert_issuer(c));
	json_kv_str(&j, "not_before", jpki_cert_not_before_str(c));
	json_kv_str(&j, "not_after", jpki_cert_not_after_str(c));
	json_key(&j, "key");
	json_obj_begin(&j);
	json_kv_str(&j, "type", jpki_cert_key_type(c));
	json_kv_int(&j, "bits", jpki_cert_key_bits(c));
	json_obj_end(&j);
	json_kv_str(&j, "type", jpki_cert_type_name(jpki_cert_type(c)));
	json_kv_str(&j, "hierarchy",
	    jpki_hierarchy_name(jpki_cert_hierarchy(c)));
	JPKI_INIT(&a);
	if (jpki_cert_type(c) == JPKI_CERT_TYPE_SIGN &&
	    jpki_cert_attrs(c, &a) == JPKI_OK) {
		json_key(&j, "holder");
		json_obj_begin(&j);
		json_kv_str(&j, "name", a.name);
		json_kv_str(&j, "birth", a.birth_iso);
		json_kv_str(&j, "sex", a.sex);
		json_kv_str(&j, "address", a.address);
		json_obj_end(&j);
	}
	json_key(&j, "verification");
	cli_chain_json(&j, vr);
	json_key(&j, "der_base64");
	{
		char b64[(JPKI_MAX_CERT + 2) / 3 * 4 + 1];

		if (fmt_b64(der, der_len, b64, sizeof(b64)) == 0)
			json_str(&j, b64);
		else
			json_null(&j);
		jpki_secure_zero(b64, sizeof(b64));
	}
	json_obj_end(&j);
	*err = json_end(&j);
}

/*
 * The authorized_keys line.  The comment names the card by the
 * certificate's issuance number, so that a server's authorized_keys tells
 * which card a line is for; it carries nothing about the holder.
 */
static int
print_ssh(cli_t *cli, FILE *f, const uint8_t *der, size_t der_len)
{
	jpki_cert_t	*c = NULL;
	const uint8_t	*n, *e;
	size_t		 nl, el;
	char		 comment[80];
	int		 r, ex = EX_JPKI_OK;

	if ((r = jpki_cert_new(&c, der, der_len)) != JPKI_OK) {
		ex = cli_fail(cli, r, "parsing the certificate");
		goto out;
	}
	if ((r = jpki_cert_rsa_public(c, &n, &nl, &e, &el)) != JPKI_OK) {
		ex = cli_fail(cli, r, "the certificate's key is not RSA");
		goto out;
	}
	(void)snprintf(comment, sizeof(comment), "JPKI auth %s",
	    jpki_cert_serial_hex(c));
	if (fmt_ssh_rsa(f, n, nl, e, el, comment) != 0) {
		ex = cli_fail(cli, JPKI_ERR_PARSE, "encoding the key for SSH");
		goto out;
	}
out:
	jpki_cert_free(&c);
	return ex;
}

int
cmd_cert(cli_t *cli, int argc, char **argv)
{
	static const struct option extra[] = {
		{ "pem",	no_argument,		NULL, OPT_PEM },
		{ "der",	no_argument,		NULL, OPT_DER },
		{ "text",	no_argument,		NULL, OPT_TEXT },
		{ "ssh",	no_argument,		NULL, OPT_SSH },
		{ "out",	required_argument,	NULL, 'o' },
		{ "ca",		required_argument,	NULL, OPT_CA },
		{ NULL,		0,			NULL, 0 },
	};
	cert_opts_t	 o;
	jpki_verify_result_t vr = { .size = sizeof(vr) };
	jpki_verify_t	*v = NULL;
	jpki_cert_t	*c = NULL;
	uint8_t		*der = NULL;
	size_t		 der_len = 0, i;
	FILE		*f = NULL;
	int		 r, ex, err = 0;

	memset(&o, 0, sizeof(o));
	JPKI_INIT(&vr);
	o.fmt = FMT_PEM;
	cli->groups = CLI_O_CARD | CLI_O_PIN;
	if ((r = cli_parse(cli, argc, argv, "o:", extra, cert_opt, &o,
	    usage)) != 0)
		return r == 1 ? EX_JPKI_OK : EX_JPKI_USAGE;
	if (optind >= argc) {
		cli_usage_error(usage, "which certificate? auth, auth-ca, "
		    "sign or sign-ca");
		return EX_JPKI_USAGE;
	}
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(argv[optind], kinds[i].name) == 0)
			break;
	if (i == sizeof(kinds) / sizeof(kinds[0]) || optind + 1 < argc) {
		cli_usage_error(usage, "unknown certificate '%s'",
		    argv[optind + (i == sizeof(kinds) / sizeof(kinds[0]) ?
		    0 : 1)]);
		return EX_JPKI_USAGE;
	}
	/* only the authentication key logs in; the signature key is for
	 * documents (and needs a PIN per signature), a CA key signs nothing */
	if (o.fmt == FMT_SSH && (kinds[i].kind != JPKI_CERT_AUTH ||
	    cli->json)) {
		cli_usage_error(usage, "--ssh is for 'auth' only, without "
		    "--json");
		return EX_JPKI_USAGE;
	}
	if (o.ca.n > 0 && !cli->json && o.fmt != FMT_TEXT) {
		cli_usage_error(usage, "--ca goes with --text or --json");
		return EX_JPKI_USAGE;
	}
	/* the anchors and the output before the card and any PIN */
	if ((cli->json || o.fmt == FMT_TEXT) &&
	    (ex = cli_verifier(&o.ca, 0, 0, &v)) != EX_JPKI_OK)
		return ex;
	if ((f = cli_out_open(o.out, o.fmt == FMT_DER && !cli->json,
	    &ex)) == NULL) {
		jpki_verify_free(&v);
		return ex;
	}
	if ((ex = cli_open(cli, 0)) != EX_JPKI_OK)
		goto out;
	if (kinds[i].kind == JPKI_CERT_SIGN &&
	    ((ex = cli_need_sign_cert(cli)) != EX_JPKI_OK ||
	    (ex = cli_pin_verify(cli, JPKI_PIN_SIGN)) != EX_JPKI_OK))
		goto out;
	r = jpki_card_read_cert(cli->card, kinds[i].kind, &der, &der_len);
	if (r != JPKI_OK) {
		ex = cli_fail(cli, r, "reading the certificate");
		goto out;
	}
	cli_info(cli, "read %zu bytes", der_len);
	if (cli->json || o.fmt == FMT_TEXT) {
		if ((r = jpki_cert_new(&c, der, der_len)) != JPKI_OK) {
			ex = cli_fail(cli, r, "parsing the certificate");
			goto out;
		}
		/* on the purpose the certificate's own policy names */
		(void)jpki_cert_verify(v, c, &vr);
		if (cli->json)
			print_json(f, kinds[i].name, c, der, der_len, &vr,
			    &err);
		else
			print_text(f, kinds[i].name, kinds[i].desc, c, &vr);
	} else if (o.fmt == FMT_SSH) {
		if ((ex = print_ssh(cli, f, der, der_len)) != EX_JPKI_OK)
			goto out;
	} else if (o.fmt == FMT_DER) {
		err = fwrite(der, 1, der_len, f) != der_len;
	} else {
		err = fmt_pem(f, "CERTIFICATE", der, der_len);
	}
	ex = cli_out_close(f, o.out);
	f = NULL;
	if (err != 0 && ex == EX_JPKI_OK)
		ex = EX_JPKI_ERROR;
out:
	if (f != NULL && f != stdout)
		fclose(f);
	/* no half-written certificate left behind */
	if (ex != EX_JPKI_OK && o.out != NULL && strcmp(o.out, "-") != 0)
		(void)unlink(o.out);
	jpki_cert_free(&c);
	jpki_verify_free(&v);
	/* the sign certificate is personal data */
	jpki_free_secret(der, der_len);
	cli_close(cli);
	return ex;
}
