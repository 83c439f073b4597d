/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Records the seed corpora of the card-side fuzz harnesses from real
 * traffic: the library's card scripts (support/card_script.c) run against
 * the virtual card jpki-cardsim in process, on a synthetic profile made by
 * the same code as `jpki-cardsim gen-profile`.  Writes
 *   DIR/card/<op>-<arg>[-noext]   ATR and every R-APDU (fuzz_card input)
 *   DIR/cardsim_apdu/<op>-<arg>    the C-APDUs the library sent
 *   DIR/cardsim_vpcd/<op>-<arg>    the same as vpcd frames them
 *   DIR/cardsim_conf/profile.conf  the generated profile's config file
 *   DIR/pkcs11/<script>            a PKCS#11 script and the card's answers
 * Run by `make fuzz-seeds`; not part of any test run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jpki/jpki.h>

#include "card.h"
#include "support/card_script.h"
#include "support/p11_script.h"
#include "../../tools/cardsim/cardsim.h"
#include "../../tools/common/mkprofile.h"

typedef struct {
	uint8_t	*p;
	size_t	 len, cap;
} out_t;

static cardsim_t *sim;
static out_t	 rsp_log, cmd_log, vpcd_log;

static void
put(out_t *o, const uint8_t *p, size_t n, int u16)
{
	size_t need = o->len + n + 2;

	if (need > o->cap) {
		o->cap = need * 2;
		if ((o->p = realloc(o->p, o->cap)) == NULL)
			abort();
	}
	if (u16) {
		o->p[o->len++] = (uint8_t)(n >> 8);
		o->p[o->len++] = (uint8_t)n;
	}
	memcpy(o->p + o->len, p, n);
	o->len += n;
}

static int
rec_transmit(transport_t *t, const uint8_t *cmd, size_t cmd_len,
    uint8_t *rsp, size_t *rsp_len)
{
	static uint8_t out[CARDSIM_RSP_MAX];
	size_t n;

	(void)t;
	n = cardsim_apdu(sim, cmd, cmd_len, out, sizeof(out));
	if (n > *rsp_len)
		return JPKI_ERR_TRANSPORT;
	memcpy(rsp, out, n);
	*rsp_len = n;
	put(&rsp_log, out, n, 1);
	put(&cmd_log, cmd, cmd_len, 1);
	put(&vpcd_log, cmd, cmd_len, 1);
	return JPKI_OK;
}

static int
rec_begin(transport_t *t)
{
	(void)t;
	return JPKI_OK;
}

static void
rec_end(transport_t *t)
{
	(void)t;
}

static int
rec_reconnect(transport_t *t)
{
	(void)t;
	cardsim_power(sim);
	return JPKI_OK;
}

static void
rec_close(transport_t *t, int reset)
{
	(void)t;
	if (reset)
		cardsim_power(sim);
}

static int
rec_atr(transport_t *t, uint8_t *atr, size_t *len)
{
	(void)t;
	*len = cardsim_atr(sim, atr, *len);
	put(&rsp_log, atr, *len, 1);
	return JPKI_OK;
}

static const transport_ops_t rec_ops = {
	rec_transmit, rec_begin, rec_end, rec_reconnect, rec_close, NULL,
	rec_atr
};

static void
save(const char *dir, const char *sub, const char *name, const out_t *o)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
	if ((f = fopen(path, "wb")) == NULL ||
	    fwrite(o->p, 1, o->len, f) != o->len || fclose(f) != 0) {
		fprintf(stderr, "record_card: cannot write %s\n", path);
		exit(1);
	}
}

static void
record(const char *pristine, const char *work, const char *outdir,
    unsigned op, unsigned arg, int noext)
{
	static const uint8_t vpcd_on[] = { 0x00, 0x01, 0x01 };
	static const uint8_t vpcd_atr[] = { 0x00, 0x01, 0x04 };
	jpki_card_t *c;
	char err[256], name[64], cmd[1024];
	uint8_t hdr[2] = { (uint8_t)op, (uint8_t)arg }, flags = 0;
	int r;

	/* a fresh copy: scripts change PINs and retry counters */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && cp -a '%s' '%s'", work,
	    pristine, work);
	if (system(cmd) != 0)
		exit(1);
	if (cardsim_open(work, noext, 0, &sim, err, sizeof(err)) != JPKI_OK) {
		fprintf(stderr, "record_card: %s\n", err);
		exit(1);
	}
	rsp_log.len = cmd_log.len = vpcd_log.len = 0;
	put(&rsp_log, hdr, 2, 0);
	put(&cmd_log, &flags, 1, 0);
	put(&vpcd_log, &flags, 1, 0);
	put(&vpcd_log, vpcd_on, sizeof(vpcd_on), 0);
	put(&vpcd_log, vpcd_atr, sizeof(vpcd_atr), 0);
	/* the ATR goes to rsp_log when jpki_card_open asks (rec_atr) */
	if (card_new_with_transport(&c, &rec_ops, NULL) != JPKI_OK)
		abort();
	r = cs_run(c, op, arg);
	jpki_card_free(&c);
	cardsim_free(&sim);
	snprintf(name, sizeof(name), "%s-%02x%s", cs_op_names[op], arg,
	    noext ? "-noext" : "");
	printf("%-28s %-28s %zu bytes\n", name, jpki_strerror_name(r),
	    rsp_log.len);
	save(outdir, "card", name, &rsp_log);
	if (!noext) {
		save(outdir, "cardsim_apdu", name, &cmd_log);
		save(outdir, "cardsim_vpcd", name, &vpcd_log);
	}
}

static transport_t rec_t;

static transport_t *
rec_open(void)
{
	memset(&rec_t, 0, sizeof(rec_t));
	rec_t.ops = &rec_ops;
	rec_t.ext_hint = -1;
	rec_t.atr_len = cardsim_atr(sim, rec_t.atr, sizeof(rec_t.atr));
	put(&rsp_log, rec_t.atr, rec_t.atr_len, 1);
	return &rec_t;
}

/* A PKCS#11 script (p11_script.h) against the card, recorded. */
static void
record_p11(const char *pristine, const char *work, const char *outdir,
    const char *name, const uint8_t *script, size_t n)
{
	char err[256], cmd[1024];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && cp -a '%s' '%s'", work,
	    pristine, work);
	if (system(cmd) != 0)
		exit(1);
	if (cardsim_open(work, 0, 0, &sim, err, sizeof(err)) != JPKI_OK) {
		fprintf(stderr, "record_card: %s\n", err);
		exit(1);
	}
	rsp_log.len = cmd_log.len = vpcd_log.len = 0;
	put(&rsp_log, script, n, 1);
	p11s_open = rec_open;
	p11s_run(script, n);
	cardsim_free(&sim);
	printf("pkcs11/%-21s %zu bytes\n", name, rsp_log.len);
	save(outdir, "pkcs11", name, &rsp_log);
}

/* CKA_CLASS = 0, CKA_LABEL = 3, CKA_VALUE = 0x11, CKA_ID = 0x102,
 * CKA_KEY_TYPE = 0x100, CKA_MODULUS = 0x120; CKO_CERTIFICATE = 1. */
#define A(t)	(uint8_t)((t) >> 24), (uint8_t)((t) >> 16), (uint8_t)((t) >> 8), \
		(uint8_t)(t)
static const uint8_t p11_all[] = { 0, 0, 0,
	3, A(0x0), 8, A(0x11), 0xFF, A(0x3), 32,
	3, A(0x0), 8, A(0x11), 0xFF, A(0x3), 32,
	3, A(0x0), 8, A(0x11), 0xFF, A(0x3), 32,
	3, A(0x0), 8, A(0x11), 0xFF, A(0x3), 32 };
static const uint8_t p11_cert[] = { 0, 0, 1, A(0x0), 8, 1, 0, 0, 0, 0, 0,
	0, 0, 2, A(0x11), 200, A(0x102), 0xFF };
static const uint8_t p11_sign[] = { 1, 0, 0,
	3, A(0x102), 32, A(0x120), 0xFF, A(0x100), 8,
	3, A(0x102), 32, A(0x120), 0xFF, A(0x100), 8,
	3, A(0x102), 32, A(0x120), 0xFF, A(0x100), 8,
	3, A(0x102), 32, A(0x120), 0xFF, A(0x100), 8 };
static const uint8_t p11_misc[] = { 0, 2, 1, A(0x0), 8, 1, 0, 0, 0, 0, 0,
	0, 0, 1, 1, 2, A(0x0), 8, A(0x11), 0xFF, 3, 2, 1, 4, 1, A(0x2), 1 };

int
main(int argc, char **argv)
{
	/* op, arg: which scripts and variants make the seeds */
	static const struct { unsigned op, arg; int noext; } plan[] = {
		{ CS_OPEN, 0, 0 }, { CS_TOKEN_INFO, 0, 0 },
		{ CS_CERT_AVAIL, 0, 0 },
		{ CS_READ_CERT, 0, 0 }, { CS_READ_CERT, 0x80, 0 },
		{ CS_READ_CERT, 0, 1 }, { CS_READ_CERT, 1, 0 },
		{ CS_READ_CERT, 2, 0 }, { CS_READ_CERT, 3, 0 },
		{ CS_READ_SERIAL, 0, 0 }, { CS_READ_SERIAL, 2, 0 },
		{ CS_PIN_STATUS, 0, 0 }, { CS_PIN_STATUS, 1, 0 },
		{ CS_PIN_STATUS, 2, 0 }, { CS_PIN_STATUS, 5, 0 },
		{ CS_VERIFY_PIN, 0, 0 }, { CS_VERIFY_PIN, 1, 0 },
		{ CS_VERIFY_PIN, 4, 0 }, { CS_VERIFY_PIN, 6, 0 },
		{ CS_CHANGE_PIN, 0, 0 }, { CS_CHANGE_PIN, 1, 0 },
		{ CS_SIGN, 0, 0 }, { CS_SIGN, 1, 0 }, { CS_SIGN_PSS, 0, 0 },
		{ CS_TEXT_MYNUMBER, 0, 0 }, { CS_TEXT_ATTRS, 0, 0 },
		{ CS_TEXT_RAW, 0, 0 }, { CS_TEXT_RAW, 0x80, 0 },
		{ CS_VISUAL_READ, 0, 0 }, { CS_VISUAL_READ, 0, 1 },
		{ CS_RANDOM, 0, 0 }, { CS_RANDOM, 200, 0 },
		{ CS_LOGOUT, 0, 0 }, { CS_TRANSMIT, 0, 0 },
		{ CS_CHAIN, 0, 0 }, { CS_CHAIN, 1, 0 }, { CS_CHAIN, 0x81, 0 },
	};
	char tmp[] = "/tmp/record_cardXXXXXX", pristine[256], work[256];
	char cmd[1024];
	mkp_ca_t *ca = NULL;
	mkp_params_t p;
	size_t i;

	if (argc != 2) {
		fprintf(stderr, "usage: record_card CORPUS-DIR\n");
		return 2;
	}
	if (mkdtemp(tmp) == NULL)
		return 1;
	snprintf(pristine, sizeof(pristine), "%s/profile", tmp);
	snprintf(work, sizeof(work), "%s/work", tmp);
	memset(&p, 0, sizeof(p));
	p.out_dir = pristine;
	p.seed = 11;
	p.mynumber = CS_MYNUMBER;
	p.pin_auth = CS_PIN_AUTH;
	p.pin_sign = CS_PIN_SIGN;
	p.pin_text = CS_PIN_TEXT;
	p.name = "試験 花子";
	p.address = "東京都千代田区霞が関1-1";
	if (mkp_ca_open(NULL, 1, &ca) != JPKI_OK ||
	    mkp_write_profile(ca, &p, NULL, NULL) != JPKI_OK) {
		fprintf(stderr, "record_card: cannot make the profile\n");
		return 1;
	}
	mkp_ca_free(&ca);
	for (i = 0; i < sizeof(plan) / sizeof(plan[0]); i++)
		record(pristine, work, argv[1], plan[i].op, plan[i].arg,
		    plan[i].noext);
	record_p11(pristine, work, argv[1], "find-all", p11_all,
	    sizeof(p11_all));
	record_p11(pristine, work, argv[1], "find-cert", p11_cert,
	    sizeof(p11_cert));
	record_p11(pristine, work, argv[1], "sign-token", p11_sign,
	    sizeof(p11_sign));
	record_p11(pristine, work, argv[1], "create-handles", p11_misc,
	    sizeof(p11_misc));
	snprintf(cmd, sizeof(cmd), "cp '%s/profile.conf' "
	    "'%s/cardsim_conf/profile.conf' && rm -rf '%s'", pristine, argv[1],
	    tmp);
	return system(cmd) == 0 ? 0 : 1;
}
