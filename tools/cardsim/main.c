/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * jpki-cardsim: a virtual My Number Card for tests, served to pcscd through
 * vsmartcard-vpcd; `jpki-cardsim gen-profile` writes synthetic profiles.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jpki/err.h>

#include "cardsim.h"
#include "vpcd.h"
#include "../common/mkprofile.h"

static void
usage(FILE *f)
{
	fprintf(f,
"usage: jpki-cardsim --profile DIR [options]\n"
"       jpki-cardsim gen-profile --out DIR [gen-options]\n"
"\n"
"Serve a virtual My Number Card (synthetic test data) to pcscd through the\n"
"vsmartcard-vpcd reader driver.  SIGTERM/SIGINT remove the card.\n"
"\n"
"  --profile DIR          card profile (docs/cardsim-profile.md)\n"
"  --host H, --port N     vpcd address (127.0.0.1:35963)\n"
"  --connect-timeout S    keep retrying while vpcd does not listen (10)\n"
"  --contactless          Type B PC/SC part 3 ATR instead of the contact one\n"
"  --no-extended          answer extended-length APDUs with 6700\n"
"  --trace FILE|-         APDU trace (PINs and personal data redacted)\n"
"  --drop-after N         remove the card after answering the Nth C-APDU\n"
"  --sw-at N:SW           answer SW (hex) to the Nth C-APDU; repeatable\n"
"  --delay-ms MS          extra delay per C-APDU\n"
"  --delay-ins XX         only for C-APDUs with this INS (hex, e.g. 2A)\n"
"  --link-kbps K          NFC link model, 106|212|424|848: (in+out bytes)\n"
"                         * 10 / K ms + 2 ms frame overhead per exchange\n"
"  --stats FILE           JSON counters written at exit\n"
"\n"
"gen-profile options:\n"
"  --out DIR  --overwrite  --ca-dir DIR  --seed N  --no-sign-cert\n"
"  --name S  --address S  --birth YYYYMMDD  --sex 1|2|9  --mynumber N\n"
"  --auth-serial HEX  --sign-serial HEX  --not-before YYYYMMDD\n"
"  --not-after YYYYMMDD  --card-expiry YYYYMMDD  --municipality NNNNN\n"
"  --pin-auth P  --pin-sign P  --pin-text P   (synthetic test PINs only)\n");
}

static int
parse_ulong(const char *s, unsigned long min, unsigned long max,
    unsigned long *out)
{
	char *end;
	unsigned long v;

	if (s == NULL || *s == '\0' || *s == '-')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* YYYYMMDD at hh:mm:ss JST as Unix seconds. */
static int
parse_jst(const char *s, int end_of_day, long long *out)
{
	struct tm tm;
	unsigned long v;

	if (!conf_valid_date(s) || parse_ulong(s, 0, 99999999, &v) != 0)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (int)(v / 10000) - 1900;
	tm.tm_mon = (int)(v / 100 % 100) - 1;
	tm.tm_mday = (int)(v % 100);
	if (end_of_day) {
		tm.tm_hour = 23;
		tm.tm_min = 59;
		tm.tm_sec = 59;
	}
	*out = (long long)timegm(&tm) - 9 * 3600;
	return 0;
}

enum {
	O_PROFILE = 256, O_HOST, O_PORT, O_CTIMEOUT, O_CONTACTLESS, O_NOEXT,
	O_TRACE, O_DROP, O_SWAT, O_DELAY, O_DELAY_INS, O_LINK, O_STATS, O_HELP,
	O_OUT, O_OVERWRITE, O_CADIR, O_SEED, O_NOSIGN, O_NAME, O_ADDRESS,
	O_BIRTH, O_SEX, O_MYNUMBER, O_ASERIAL, O_SSERIAL, O_NB, O_NA,
	O_EXPIRY, O_MUNI, O_PAUTH, O_PSIGN, O_PTEXT
};

static int
gen_profile(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, O_OUT },
		{ "overwrite", no_argument, NULL, O_OVERWRITE },
		{ "ca-dir", required_argument, NULL, O_CADIR },
		{ "seed", required_argument, NULL, O_SEED },
		{ "no-sign-cert", no_argument, NULL, O_NOSIGN },
		{ "name", required_argument, NULL, O_NAME },
		{ "address", required_argument, NULL, O_ADDRESS },
		{ "birth", required_argument, NULL, O_BIRTH },
		{ "sex", required_argument, NULL, O_SEX },
		{ "mynumber", required_argument, NULL, O_MYNUMBER },
		{ "auth-serial", required_argument, NULL, O_ASERIAL },
		{ "sign-serial", required_argument, NULL, O_SSERIAL },
		{ "not-before", required_argument, NULL, O_NB },
		{ "not-after", required_argument, NULL, O_NA },
		{ "card-expiry", required_argument, NULL, O_EXPIRY },
		{ "municipality", required_argument, NULL, O_MUNI },
		{ "pin-auth", required_argument, NULL, O_PAUTH },
		{ "pin-sign", required_argument, NULL, O_PSIGN },
		{ "pin-text", required_argument, NULL, O_PTEXT },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	mkp_params_t p;
	mkp_ca_t *ca = NULL;
	const char *ca_dir = NULL;
	char as[41], ss[41];
	unsigned long v;
	int ch, rc = 2;

	memset(&p, 0, sizeof(p));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case O_OUT: p.out_dir = optarg; break;
		case O_OVERWRITE: p.overwrite = 1; break;
		case O_CADIR: ca_dir = optarg; break;
		case O_SEED:
			if (parse_ulong(optarg, 1, ~0UL, &v) != 0)
				goto bad;
			p.seed = v;
			break;
		case O_NOSIGN: p.no_sign_cert = 1; break;
		case O_NAME: p.name = optarg; break;
		case O_ADDRESS: p.address = optarg; break;
		case O_BIRTH: p.birth = optarg; break;
		case O_SEX: p.sex = optarg; break;
		case O_MYNUMBER: p.mynumber = optarg; break;
		case O_ASERIAL: p.auth_serial_hex = optarg; break;
		case O_SSERIAL: p.sign_serial_hex = optarg; break;
		case O_NB:
			if (parse_jst(optarg, 0, &p.not_before) != 0)
				goto bad;
			break;
		case O_NA:
			if (parse_jst(optarg, 1, &p.not_after) != 0)
				goto bad;
			break;
		case O_EXPIRY: p.card_expiry = optarg; break;
		case O_MUNI: p.municipality = optarg; break;
		case O_PAUTH: p.pin_auth = optarg; break;
		case O_PSIGN: p.pin_sign = optarg; break;
		case O_PTEXT: p.pin_text = optarg; break;
		case O_HELP:
			usage(stdout);
			return 0;
		default:
			goto bad;
		}
	}
	if (p.out_dir == NULL || optind != argc)
		goto bad;
	if (mkp_ca_open(ca_dir, 1, &ca) != JPKI_OK) {
		fprintf(stderr, "jpki-cardsim: cannot open CA directory\n");
		rc = 1;
		goto out;
	}
	if ((rc = mkp_write_profile(ca, &p, as, ss)) != JPKI_OK) {
		fprintf(stderr, "jpki-cardsim: gen-profile failed (error %d; "
		    "check the values and that --out holds no profile)\n",
		    rc);
		rc = 1;
		goto out;
	}
	printf("profile %s\nauth_serial %s\n", p.out_dir, as);
	if (!p.no_sign_cert)
		printf("sign_serial %s\n", ss);
	rc = 0;
	goto out;
bad:
	fprintf(stderr, "jpki-cardsim gen-profile: bad arguments "
	    "(see --help)\n");
out:
	mkp_ca_free(&ca);
	return rc;
}

static int
parse_sw_at(const char *s, vpcd_opts_t *o)
{
	char buf[64], *colon, *end;
	unsigned long n, sw;

	if (strlen(s) >= sizeof(buf) || o->nsw_at >= VPCD_MAX_SW_AT)
		return -1;
	memcpy(buf, s, strlen(s) + 1);
	if ((colon = strchr(buf, ':')) == NULL)
		return -1;
	*colon = '\0';
	if (parse_ulong(buf, 1, ~0UL, &n) != 0)
		return -1;
	errno = 0;
	sw = strtoul(colon + 1, &end, 16);
	if (errno != 0 || *end != '\0' || strlen(colon + 1) != 4 ||
	    sw < 0x6000 || sw > 0x9fff)
		return -1;
	o->sw_at[o->nsw_at].cmd = n;
	o->sw_at[o->nsw_at].sw = (unsigned)sw;
	o->nsw_at++;
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "profile", required_argument, NULL, O_PROFILE },
		{ "host", required_argument, NULL, O_HOST },
		{ "port", required_argument, NULL, O_PORT },
		{ "connect-timeout", required_argument, NULL, O_CTIMEOUT },
		{ "contactless", no_argument, NULL, O_CONTACTLESS },
		{ "no-extended", no_argument, NULL, O_NOEXT },
		{ "trace", required_argument, NULL, O_TRACE },
		{ "drop-after", required_argument, NULL, O_DROP },
		{ "sw-at", required_argument, NULL, O_SWAT },
		{ "delay-ms", required_argument, NULL, O_DELAY },
		{ "delay-ins", required_argument, NULL, O_DELAY_INS },
		{ "link-kbps", required_argument, NULL, O_LINK },
		{ "stats", required_argument, NULL, O_STATS },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	vpcd_opts_t o;
	cardsim_t *card = NULL;
	const char *profile = NULL;
	char err[256];
	unsigned long v;
	int ch, contactless = 0, no_ext = 0, rc = 2;

	if (argc > 1 && strcmp(argv[1], "gen-profile") == 0)
		return gen_profile(argc - 1, argv + 1);
	memset(&o, 0, sizeof(o));
	o.host = "127.0.0.1";
	o.port = 35963;
	o.connect_timeout_ms = 10000;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case O_PROFILE: profile = optarg; break;
		case O_HOST: o.host = optarg; break;
		case O_PORT:
			if (parse_ulong(optarg, 1, 65535, &v) != 0)
				goto bad;
			o.port = (unsigned)v;
			break;
		case O_CTIMEOUT:
			if (parse_ulong(optarg, 0, 3600, &v) != 0)
				goto bad;
			o.connect_timeout_ms = (double)v * 1000;
			break;
		case O_CONTACTLESS: contactless = 1; break;
		case O_NOEXT: no_ext = 1; break;
		case O_TRACE: o.trace_path = optarg; break;
		case O_DROP:
			if (parse_ulong(optarg, 1, ~0UL, &o.drop_after) != 0)
				goto bad;
			break;
		case O_SWAT:
			if (parse_sw_at(optarg, &o) != 0)
				goto bad;
			break;
		case O_DELAY:
			if (parse_ulong(optarg, 0, 60000, &v) != 0)
				goto bad;
			o.delay_ms = (double)v;
			break;
		case O_DELAY_INS:
			/* one byte in hex, as in the card's documentation */
			if (strlen(optarg) != 2 ||
			    strspn(optarg, "0123456789abcdefABCDEF") != 2)
				goto bad;
			o.delay_ins = (uint8_t)strtoul(optarg, NULL, 16);
			o.delay_ins_set = 1;
			break;
		case O_LINK:
			if (parse_ulong(optarg, 106, 848, &v) != 0 ||
			    (v != 106 && v != 212 && v != 424 && v != 848))
				goto bad;
			o.link_kbps = (unsigned)v;
			break;
		case O_STATS: o.stats_path = optarg; break;
		case 'h':
		case O_HELP:
			usage(stdout);
			return 0;
		default:
			goto bad;
		}
	}
	if (profile == NULL || optind != argc)
		goto bad;
	err[0] = '\0';
	if (cardsim_open(profile, no_ext, contactless, &card, err,
	    sizeof(err)) != JPKI_OK) {
		fprintf(stderr, "jpki-cardsim: %s: %s\n", profile, err);
		rc = 1;
		goto out;
	}
	rc = vpcd_run(card, &o);
	goto out;
bad:
	usage(stderr);
out:
	cardsim_free(&card);
	return rc;
}
