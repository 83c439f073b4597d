/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * jpki visual face --out DIR: the card face of the visual AP (券面事項確認AP,
 * jpki-card.md §7) after 照合番号A (the 12-digit My Number) or B (14
 * digits: birth date, expiry year, security code).  Both are entered like
 * PINs (terminal with echo off, --pin-fd, --pin-env), never on argv.  The
 * images are written 0600 into DIR; the face signature is checked against
 * the CV issuer key given with --cv-ca.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static const char usage[] =
"usage: jpki visual face --out DIR [--cv-ca FILE] [--code-b] [--json]\n"
"                 [--reader NAME|INDEX] [--wait SECONDS]\n"
"                 [--pin-fd N|--pin-env VAR] [--force-last-try]\n"
"\n"
"Read the card face (券面事項確認AP) after 照合番号A, the 12-digit My Number\n"
"(or with --code-b 照合番号B, 14 digits: birth date YYMMDD in the Japanese\n"
"era, expiry year, security code), entered like a PIN: from the terminal\n"
"with echo off, --pin-fd N or --pin-env VAR, never on the command line.\n"
"\n"
"Writes into DIR (created 0700 if missing), each file 0600:\n"
"  name.png, address.png   name and address as printed on the card\n"
"  photo.png|.jp2|.bin     the face photo, in the format stored\n"
"  security-code.png       the security code image\n"
"and prints the date of birth, sex, card expiry and the result of the\n"
"face signature check.\n"
"\n"
"  -o, --out DIR     where to write the images (required)\n"
"  --cv-ca FILE      PEM public key of the CV certificate issuer: verify\n"
"                    the face signature (\"authentic: yes\"); exit 8 if not\n"
"  --code-b          ask for 照合番号B instead of A\n"
"  -j, --json        machine-readable output\n"
"\n"
"Examples:\n"
"  jpki visual face --out face --cv-ca cv-ca.pub\n"
"  jpki visual face --out face --code-b --pin-fd 3 3< code-b-file\n"
"\n";

#define CVCA_MAX	16384

enum { OPT_CVCA = OPT_CMD, OPT_CODEB };

typedef struct {
	const char	*out;
	const char	*cvca;
	int		 code_b;
} visual_opts_t;

static int
visual_opt(void *ctx, int id, const char *arg)
{
	visual_opts_t *o = ctx;

	switch (id) {
	case 'o':
		o->out = arg;
		return 0;
	case OPT_CVCA:
		o->cvca = arg;
		return 0;
	case OPT_CODEB:
		o->code_b = 1;
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

/* The stored photo's format by its signature (a real card: JPEG 2000). */
static const char *
photo_ext(const jpki_bytes_t *b)
{
	static const uint8_t png[8] = { 0x89, 'P', 'N', 'G', 0x0d, 0x0a,
	    0x1a, 0x0a };
	static const uint8_t jp2[12] = { 0, 0, 0, 0x0c, 'j', 'P', ' ', ' ',
	    0x0d, 0x0a, 0x87, 0x0a };
	static const uint8_t j2k[4] = { 0xff, 0x4f, 0xff, 0x51 };

	if (b->len >= sizeof(png) && memcmp(b->p, png, sizeof(png)) == 0)
		return "png";
	if (b->len >= sizeof(jp2) && memcmp(b->p, jp2, sizeof(jp2)) == 0)
		return "jp2";
	if (b->len >= sizeof(j2k) && memcmp(b->p, j2k, sizeof(j2k)) == 0)
		return "j2k";
	return "bin";
}

/* DIR exists as a directory, or is created 0700. */
static int
prepare_dir(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		cli_warnx("%s: %s", dir, strerror(errno));
		return EX_JPKI_ERROR;
	}
	if (stat(dir, &st) == -1 || !S_ISDIR(st.st_mode)) {
		cli_warnx("%s: not a directory", dir);
		return EX_JPKI_ERROR;
	}
	return EX_JPKI_OK;
}

/* Write one image 0600 (also when the file existed), not via a symlink. */
static int
write_file(const char *dir, const char *name, const jpki_bytes_t *b,
    char *path, size_t pathsz)
{
	size_t	off = 0;
	ssize_t	n;
	int	fd, n2, ex = EX_JPKI_ERROR;

	n2 = snprintf(path, pathsz, "%s/%s", dir, name);
	if (n2 < 0 || (size_t)n2 >= pathsz) {
		cli_warnx("%s: path too long", dir);
		return EX_JPKI_ERROR;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1) {
		cli_warnx("%s: %s", path, strerror(errno));
		return EX_JPKI_ERROR;
	}
	if (fchmod(fd, 0600) == -1) {
		cli_warnx("%s: %s", path, strerror(errno));
		goto out;
	}
	while (off < b->len) {
		n = write(fd, b->p + off, b->len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			cli_warnx("%s: %s", path, strerror(errno));
			goto out;
		}
		off += (size_t)n;
	}
	ex = EX_JPKI_OK;
out:
	if (close(fd) == -1 && ex == EX_JPKI_OK) {
		cli_warnx("%s: %s", path, strerror(errno));
		ex = EX_JPKI_ERROR;
	}
	if (ex != EX_JPKI_OK)
		(void)unlink(path);
	return ex;
}

/* 照合番号A or B, entered as a PIN, then VERIFY (which selects the AP). */
static int
verify_code(cli_t *cli, jpki_pin_kind_t kind)
{
	cli_pin_t	code;
	unsigned	flags;
	int		ex, r, tries = -1;

	memset(&code, 0, sizeof(code));
	if ((ex = cli_pin_precheck(cli, kind, &tries)) != EX_JPKI_OK)
		goto out;
	if ((ex = cli_pin_read(cli, kind == JPKI_PIN_VISUAL_A ?
	    "Enter 照合番号A (the 12-digit My Number): " :
	    "Enter 照合番号B (14 digits: birth YYMMDD, expiry year, security "
	    "code): ", 0, 0, &code)) != EX_JPKI_OK)
		goto out;
	flags = cli->force_last_try ? JPKI_PIN_FORCE_LAST_TRY : 0;
	r = jpki_card_verify_pin(cli->card, kind, code.v, flags, &tries);
	if (r != JPKI_OK) {
		ex = cli_pin_fail(cli, kind, r, tries);
		goto out;
	}
	cli->verified = 1;
	cli_info(cli, "照合番号%c verified",
	    kind == JPKI_PIN_VISUAL_A ? 'A' : 'B');
	ex = EX_JPKI_OK;
out:
	cli_pin_wipe(&code);
	return ex;
}

static void
iso_date(const char *ymd, char out[11])
{
	snprintf(out, 11, "%.4s-%.2s-%.2s", ymd, ymd + 4, ymd + 6);
}

static int
face(cli_t *cli, const visual_opts_t *o, const char *pem, size_t pem_len)
{
	enum { F_NAME, F_ADDR, F_PHOTO, F_CODE, F_N };
	static const char *const keys[F_N] = { "name", "address", "photo",
	    "security_code" };
	jpki_visual_raw_t	raw = { .size = sizeof(raw) };
	jpki_visual_face_t	fc = { .size = sizeof(fc) };
	jpki_visualap_result_t	vr = { .size = sizeof(vr) };
	char			path[F_N][1024], photo[16], birth[11],
				expiry[11], muni[6];
	const jpki_bytes_t	*img[F_N];
	const char		*names[F_N];
	json_t			j;
	size_t			i;
	int			r, ex, checked = 0;

	JPKI_INIT(&raw);
	JPKI_INIT(&fc);
	JPKI_INIT(&vr);
	memset(path, 0, sizeof(path));
	memset(muni, 0, sizeof(muni));
	if ((r = jpki_card_visual_read(cli->card, &raw)) != JPKI_OK) {
		ex = cli_fail(cli, r, "reading the card face");
		goto out;
	}
	if ((r = jpki_visual_face_parse(raw.face, raw.face_len, &fc)) !=
	    JPKI_OK) {
		ex = cli_fail(cli, r, "card face (EF 0002)");
		goto out;
	}
	(void)jpki_visual_info_municipality(raw.info, raw.info_len, muni);
	snprintf(photo, sizeof(photo), "photo.%s", photo_ext(&fc.photo));
	img[F_NAME] = &fc.name_image;
	img[F_ADDR] = &fc.address_image;
	img[F_PHOTO] = &fc.photo;
	img[F_CODE] = &fc.code_image;
	names[F_NAME] = "name.png";
	names[F_ADDR] = "address.png";
	names[F_PHOTO] = photo;
	names[F_CODE] = "security-code.png";
	for (i = 0; i < F_N; i++)
		if ((ex = write_file(o->out, names[i], img[i], path[i],
		    sizeof(path[i]))) != EX_JPKI_OK)
			goto out;
	if (pem != NULL) {
		checked = 1;
		(void)jpki_visualap_verify(raw.face, raw.face_len, raw.cvc,
		    raw.cvc_len, pem, pem_len, &vr);
	}
	iso_date(fc.birth, birth);
	iso_date(fc.expiry, expiry);
	if (cli->json) {
		json_init(&j, stdout);
		json_obj_begin(&j);
		json_kv_str(&j, "birth", birth);
		json_key(&j, "sex");
		json_strn(&j, &fc.sex, 1);
		json_kv_str(&j, "sex_name", sex_name(fc.sex));
		json_kv_str(&j, "expiry", expiry);
		json_kv_str(&j, "municipality", muni[0] != '\0' ? muni : NULL);
		json_key(&j, "files");
		json_obj_begin(&j);
		for (i = 0; i < F_N; i++)
			json_kv_str(&j, keys[i], path[i]);
		json_obj_end(&j);
		json_key(&j, "verification");
		if (checked) {
			json_obj_begin(&j);
			json_kv_bool(&j, "authentic", vr.authentic);
			json_kv_bool(&j, "cvc_ok", vr.cvc_ok);
			json_kv_bool(&j, "key_match", vr.key_match);
			json_kv_bool(&j, "face_signature_ok", vr.face_sig_ok);
			json_kv_str(&j, "reason", vr.reason);
			json_obj_end(&j);
		} else {
			json_null(&j);
		}
		json_obj_end(&j);
		if (json_end(&j) != 0) {
			ex = EX_JPKI_ERROR;
			goto out;
		}
	} else {
		printf("Date of birth:  %s\n", birth);
		printf("Sex:            %s\n", sex_name(fc.sex));
		printf("Card expiry:    %s\n", expiry);
		if (muni[0] != '\0')
			printf("Municipality:   %s\n", muni);
		for (i = 0; i < F_N; i++)
			printf("%-15s %s\n", i == F_NAME ? "Images:" : "",
			    path[i]);
		if (!checked)
			printf("authentic: not checked (give --cv-ca FILE)\n");
		else if (vr.authentic)
			printf("authentic: yes\n");
		else
			printf("authentic: no (%s)\n", vr.reason);
	}
	if ((ex = cli_out_close(stdout, NULL)) != EX_JPKI_OK)
		goto out;
	if (checked && !vr.authentic)
		ex = EX_JPKI_VERIFY;
out:
	jpki_secure_zero(birth, sizeof(birth));
	jpki_secure_zero(expiry, sizeof(expiry));
	jpki_secure_zero(&fc, sizeof(fc));
	jpki_visual_raw_clear(&raw);
	return ex;
}

int
cmd_visual(cli_t *cli, int argc, char **argv)
{
	static const struct option extra[] = {
		{ "out",	required_argument,	NULL, 'o' },
		{ "cv-ca",	required_argument,	NULL, OPT_CVCA },
		{ "code-b",	no_argument,		NULL, OPT_CODEB },
		{ NULL,		0,			NULL, 0 },
	};
	visual_opts_t	 o;
	uint8_t		*pem = NULL;
	size_t		 pem_len = 0;
	int		 r, ex;

	memset(&o, 0, sizeof(o));
	cli->groups = CLI_O_CARD | CLI_O_PIN;
	if ((r = cli_parse(cli, argc, argv, "o:", extra, visual_opt, &o,
	    usage)) != 0)
		return r == 1 ? EX_JPKI_OK : EX_JPKI_USAGE;
	if (optind + 1 != argc || strcmp(argv[optind], "face") != 0) {
		cli_usage_error(usage, "visual: 'face'?");
		return EX_JPKI_USAGE;
	}
	if (o.out == NULL) {
		cli_usage_error(usage, "--out DIR is required");
		return EX_JPKI_USAGE;
	}
	/* everything local first: a bad path must not cost a try */
	if (o.cvca != NULL &&
	    (ex = cli_read_file(o.cvca, CVCA_MAX, &pem, &pem_len)) !=
	    EX_JPKI_OK)
		return ex;
	if ((ex = prepare_dir(o.out)) != EX_JPKI_OK)
		goto out;
	/* the visual AP only: VERIFY selects it */
	if ((ex = cli_open(cli, JPKI_OPEN_NO_SELECT)) != EX_JPKI_OK)
		goto out;
	if ((ex = verify_code(cli, o.code_b ? JPKI_PIN_VISUAL_B :
	    JPKI_PIN_VISUAL_A)) != EX_JPKI_OK)
		goto out;
	ex = face(cli, &o, (const char *)pem, pem_len);
out:
	free(pem);
	cli_close(cli);
	return ex;
}
