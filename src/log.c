/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static int log_state = -1;	/* -1 unknown, 0 off, 1 on */

int
log_enabled(void)
{
	const char *e;

	/* not in set-user-ID programs (su through pam_jpki): the invoking
	 * user must not turn on output they would otherwise not see */
	if (log_state < 0) {
		e = secure_getenv("JPKI_DEBUG");
		log_state = (e != NULL && *e != '\0' && strcmp(e, "0") != 0);
	}
	return log_state;
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_enabled())
		return;
	va_start(ap, fmt);
	fputs("jpki: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void
hex(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(stderr, "%s%02X", i == 0 ? "" : " ", p[i]);
}

/* INS codes whose data field carries a PIN (jpki-card §3). */
static int
pin_ins(uint8_t ins)
{
	return ins == 0x20 || ins == 0x24 || ins == 0x32 || ins == 0x2C;
}

void
log_capdu(const uint8_t *apdu, size_t len)
{
	size_t hdr;

	if (!log_enabled() || apdu == NULL)
		return;
	fputs("jpki: > ", stderr);
	if (len > 4 && pin_ins(apdu[1])) {
		/* header plus the Lc byte(s); data redacted */
		hdr = (apdu[4] == 0 && len > 7) ? 7 : 5;
		hex(apdu, hdr);
		fprintf(stderr, " [%zu bytes redacted]\n", len - hdr);
		return;
	}
	hex(apdu, len);
	fputc('\n', stderr);
}

void
log_rapdu(const uint8_t *rsp, size_t len, int redact)
{
	if (!log_enabled() || rsp == NULL)
		return;
	fputs("jpki: < ", stderr);
	if (len < 2) {
		hex(rsp, len);
		fputc('\n', stderr);
		return;
	}
	if (redact && len > 2)
		fprintf(stderr, "[%zu bytes of personal data redacted] ",
		    len - 2);
	else if (len > 2) {
		if (len > 2 + 64) {
			hex(rsp, 32);
			fprintf(stderr, " ... (%zu bytes) ", len - 2);
		} else {
			hex(rsp, len - 2);
			fputc(' ', stderr);
		}
	}
	fprintf(stderr, "SW %02X%02X\n", rsp[len - 2], rsp[len - 1]);
}
