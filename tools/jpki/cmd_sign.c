/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * jpki sign auth|sign --in FILE: a raw RSA PKCS#1 v1.5 signature of FILE
 * (the library builds the DigestInfo; jpki-card.md §5.6), the form that
 * `openssl dgst -sha256 -verify pub.pem -signature SIG FILE` checks; or
 * with --cms a detached CMS SignedData (RFC 5652) whose RSA operation the
 * card does, carrying the card's certificate and its CA certificate.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char usage[] =
"usage: jpki sign auth|sign --in FILE [--hash ALG|--cms] [--out FILE] [--json]\n"
"                 [--reader NAME|INDEX] [--wait SECONDS]\n"
"                 [--pin-fd N|--pin-env VAR] [--force-last-try]\n"
"\n"
"Hash FILE ('-' for stdin) and sign it with the card's key:\n"
"  auth   the user-authentication key (asks for the 4-digit auth PIN)\n"
"  sign   the signature key (asks for the signature password), for\n"
"         signing documents (電子署名)\n"
"\n"
"  -i, --in FILE     data to sign\n"
"  -H, --hash ALG    sha1, sha224, sha256 (default), sha384 or sha512\n"
"  -o, --out FILE    write the raw 256-byte signature there; without it,\n"
"                    to stdout (refused if that is a terminal)\n"
"  --cms             a detached CMS SignedData (DER, SHA-256) with the\n"
"                    card's certificate and its CA certificate, for\n"
"                    'jpki verify --cms' or 'openssl cms -verify'\n"
"  -j, --json        print {\"key\":..,\"hash\":..,\"signature\":BASE64}\n"
"                    (with --cms, \"cms\":BASE64)\n"
"\n"
"Examples:\n"
"  jpki sign auth --in doc.txt --out doc.sig\n"
"  jpki cert auth --out auth.pem\n"
"  openssl x509 -in auth.pem -pubkey -noout > pub.pem\n"
"  openssl dgst -sha256 -verify pub.pem -signature doc.sig doc.txt\n"
"  jpki sign sign --in doc.txt --cms --out doc.p7s\n"
"  jpki verify --cms doc.p7s --in doc.txt --ca sign-ca.pem\n"
"\n";

enum { OPT_IN = OPT_CMD, OPT_HASH, OPT_CMS };

/* what --cms reads into memory (jpki_cms_sign takes the whole content) */
#define CMS_CONTENT_MAX	(256L * 1024 * 1024)

typedef struct {
	const char	*in;
	const char	*out;
	const char	*hash;
	int		 cms;
	int		 hash_set;
} sign_opts_t;

static int
sign_opt(void *ctx, int id, const char *arg)
{
	sign_opts_t *o = ctx;

	switch (id) {
	case 'i':
		o->in = arg;
		return 0;
	case 'o':
		o->out = arg;
		return 0;
	case 'H':
		o->hash = arg;
		o->hash_set = 1;
		return 0;
	case OPT_CMS:
		o->cms = 1;
		return 0;
	default:
		return -1;
	}
}

/* Stream the file through the hash: any size, constant memory. */
static int
hash_file(const char *path, jpki_hash_t hash, uint8_t *md, size_t *md_len)
{
	jpki_hash_ctx_t	*ctx = NULL;
	uint8_t		 b[8192];
	ssize_t		 n;
	int		 fd, r, ex = EX_JPKI_ERROR;

	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		cli_warnx("%s: %s", path, strerror(errno));
		return EX_JPKI_ERROR;
	}
	if ((r = jpki_hash_ctx_new(&ctx, hash)) != JPKI_OK) {
		cli_fail(NULL, r, "hash");
		goto out;
	}
	for (;;) {
		n = read(fd, b, sizeof(b));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			cli_warnx("%s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		if ((r = jpki_hash_ctx_update(ctx, b, (size_t)n)) != JPKI_OK) {
			cli_fail(NULL, r, "hash");
			goto out;
		}
	}
	if ((r = jpki_hash_ctx_final(ctx, md, md_len)) != JPKI_OK) {
		cli_fail(NULL, r, "hash");
		goto out;
	}
	ex = EX_JPKI_OK;
out:
	jpki_hash_ctx_free(&ctx);
	if (fd != STDIN_FILENO)
		close(fd);
	return ex;
}

typedef struct {
	jpki_card_t	*card;
	jpki_key_t	 key;
} card_signer_t;

/* jpki_sign_cb_t: the card signs the digest of the signed attributes. */
static int
card_sign_cb(void *arg, jpki_hash_t hash, const uint8_t *md, size_t md_len,
    uint8_t *sig, size_t *sig_len)
{
	card_signer_t *cs = arg;

	return jpki_card_sign(cs->card, cs->key, hash, md, md_len, sig,
	    sig_len);
}

/*
 * --cms: after the PIN, read the certificate of the key (and its CA
 * certificate, carried for the verifier, not trusted) and let
 * jpki_cms_sign call the card.
 */
static int
sign_cms(cli_t *cli, jpki_key_t key, const uint8_t *data, size_t len,
    FILE *f, const char *keyname, int *err)
{
	card_signer_t	 cs;
	jpki_cert_t	*signer = NULL, *ca = NULL;
	uint8_t		*der = NULL, *cms = NULL;
	size_t		 der_len = 0, cms_len = 0;
	char		*b64 = NULL;
	json_t		 j;
	int		 r, ex = EX_JPKI_ERROR;

	*err = 0;
	r = jpki_card_read_cert(cli->card, key == JPKI_KEY_SIGN ?
	    JPKI_CERT_SIGN : JPKI_CERT_AUTH, &der, &der_len);
	if (r == JPKI_OK)
		r = jpki_cert_new(&signer, der, der_len);
	/* the sign certificate is personal data */
	jpki_free_secret(der, der_len);
	der = NULL;
	if (r != JPKI_OK) {
		ex = cli_fail(cli, r, "reading the certificate");
		goto out;
	}
	r = jpki_card_read_cert(cli->card, key == JPKI_KEY_SIGN ?
	    JPKI_CERT_SIGN_CA : JPKI_CERT_AUTH_CA, &der, &der_len);
	if (r == JPKI_OK)
		r = jpki_cert_new(&ca, der, der_len);
	jpki_free(der);
	if (r != JPKI_OK) {
		ex = cli_fail(cli, r, "reading the CA certificate");
		goto out;
	}
	cs.card = cli->card;
	cs.key = key;
	r = jpki_cms_sign(signer, ca, data, len, 0, card_sign_cb, &cs, &cms,
	    &cms_len);
	if (r != JPKI_OK) {
		ex = cli_fail(cli, r, "signing");
		goto out;
	}
	cli_info(cli, "%zu-byte CMS", cms_len);
	if (cli->json) {
		if ((b64 = malloc(fmt_b64_len(cms_len) + 1)) == NULL ||
		    fmt_b64(cms, cms_len, b64, fmt_b64_len(cms_len) + 1) !=
		    0) {
			cli_warnx("out of memory");
			goto out;
		}
		json_init(&j, f);
		json_obj_begin(&j);
		json_kv_str(&j, "key", keyname);
		json_kv_str(&j, "format", "cms");
		json_kv_str(&j, "signer_issuance_number",
		    jpki_cert_serial_hex(signer));
		json_kv_str(&j, "cms", b64);
		json_obj_end(&j);
		*err = json_end(&j);
	} else {
		*err = fwrite(cms, 1, cms_len, f) != cms_len;
	}
	ex = EX_JPKI_OK;
out:
	/* the CMS carries the signer's certificate */
	if (b64 != NULL)
		jpki_free_secret(b64, strlen(b64));
	jpki_free_secret(cms, cms_len);
	jpki_cert_free(&ca);
	jpki_cert_free(&signer);
	return ex;
}

/* The raw PKCS#1 v1.5 signature of the digest, binary or JSON. */
static int
sign_raw(cli_t *cli, jpki_key_t key, jpki_hash_t hash, const uint8_t *md,
    size_t md_len, FILE *f, const char *keyname, int *err)
{
	uint8_t		 sig[256];
	char		 b64[(256 + 2) / 3 * 4 + 1];
	size_t		 sig_len = sizeof(sig);
	json_t		 j;
	int		 r;

	*err = 0;
	r = jpki_card_sign(cli->card, key, hash, md, md_len, sig, &sig_len);
	if (r != JPKI_OK)
		return cli_fail(cli, r, "signing");
	cli_info(cli, "%zu-byte signature", sig_len);
	if (cli->json) {
		if (fmt_b64(sig, sig_len, b64, sizeof(b64)) != 0)
			return EX_JPKI_ERROR;
		json_init(&j, f);
		json_obj_begin(&j);
		json_kv_str(&j, "key", keyname);
		json_kv_str(&j, "hash", jpki_hash_name(hash));
		json_kv_str(&j, "signature", b64);
		json_obj_end(&j);
		*err = json_end(&j);
	} else {
		*err = fwrite(sig, 1, sig_len, f) != sig_len;
	}
	return EX_JPKI_OK;
}

int
cmd_sign(cli_t *cli, int argc, char **argv)
{
	static const struct option extra[] = {
		{ "in",		required_argument,	NULL, 'i' },
		{ "out",	required_argument,	NULL, 'o' },
		{ "hash",	required_argument,	NULL, 'H' },
		{ "cms",	no_argument,		NULL, OPT_CMS },
		{ NULL,		0,			NULL, 0 },
	};
	sign_opts_t	 o = { NULL, NULL, "sha256", 0, 0 };
	uint8_t		*data = NULL;
	size_t		 data_len = 0;
	jpki_hash_t	 hash;
	jpki_key_t	 key;
	jpki_pin_kind_t	 pin;
	uint8_t		 md[64];
	size_t		 md_len = sizeof(md);
	FILE		*f = NULL;
	int		 r, ex, err = 0;

	cli->groups = CLI_O_CARD | CLI_O_PIN;
	if ((r = cli_parse(cli, argc, argv, "i:o:H:", extra, sign_opt, &o,
	    usage)) != 0)
		return r == 1 ? EX_JPKI_OK : EX_JPKI_USAGE;
	if (optind + 1 != argc) {
		cli_usage_error(usage, "which key? auth or sign");
		return EX_JPKI_USAGE;
	}
	if (strcmp(argv[optind], "auth") == 0) {
		key = JPKI_KEY_AUTH;
		pin = JPKI_PIN_AUTH;
	} else if (strcmp(argv[optind], "sign") == 0) {
		key = JPKI_KEY_SIGN;
		pin = JPKI_PIN_SIGN;
	} else {
		cli_usage_error(usage, "unknown key '%s'", argv[optind]);
		return EX_JPKI_USAGE;
	}
	if (o.in == NULL) {
		cli_usage_error(usage, "--in FILE is required");
		return EX_JPKI_USAGE;
	}
	if (jpki_hash_from_name(o.hash, &hash) != JPKI_OK ||
	    hash == JPKI_HASH_NONE) {
		cli_usage_error(usage, "unknown hash '%s'", o.hash);
		return EX_JPKI_USAGE;
	}
	if (strcmp(o.in, "-") == 0 && cli->pin_fd == STDIN_FILENO) {
		cli_usage_error(usage, "--in - and --pin-fd 0 both use stdin");
		return EX_JPKI_USAGE;
	}
	if (o.cms && o.hash_set && hash != JPKI_HASH_SHA256) {
		cli_usage_error(usage, "--cms signs with sha256 only");
		return EX_JPKI_USAGE;
	}
	/* read or hash first: a missing file must not cost a PIN entry */
	if (o.cms)
		ex = cli_read_file(o.in, (size_t)CMS_CONTENT_MAX, &data,
		    &data_len);
	else
		ex = hash_file(o.in, hash, md, &md_len);
	if (ex != EX_JPKI_OK)
		return ex;
	if ((f = cli_out_open(o.out, !cli->json, &ex)) == NULL) {
		free(data);
		return ex;
	}
	if ((ex = cli_open(cli, 0)) != EX_JPKI_OK)
		goto out;
	if (key == JPKI_KEY_SIGN &&
	    (ex = cli_need_sign_cert(cli)) != EX_JPKI_OK)
		goto out;
	if ((ex = cli_pin_verify(cli, pin)) != EX_JPKI_OK)
		goto out;
	if (o.cms)
		ex = sign_cms(cli, key, data, data_len, f, argv[optind], &err);
	else
		ex = sign_raw(cli, key, hash, md, md_len, f, argv[optind],
		    &err);
	if (ex != EX_JPKI_OK)
		goto out;
	ex = cli_out_close(f, o.out);
	f = NULL;
	if (err != 0 && ex == EX_JPKI_OK)
		ex = EX_JPKI_ERROR;
out:
	if (f != NULL && f != stdout)
		fclose(f);
	if (ex != EX_JPKI_OK && o.out != NULL && strcmp(o.out, "-") != 0)
		(void)unlink(o.out);
	free(data);
	cli_close(cli);
	return ex;
}
