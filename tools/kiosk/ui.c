/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * The operator's screen (a plain full-screen redraw, readable without a
 * manual: one headline for the person at the counter, one line saying
 * what to do next, the readers, the platform, the last steps) and the
 * --json event lines for integration.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "kiosk.h"

/* What an operator can do about an error, in one line. */
const char *
ui_err_advice(int err)
{
	switch (err) {
	case JPKI_ERR_CARD_REMOVED:
	case JPKI_ERR_TRANSPORT:
	case JPKI_ERR_UNRESPONSIVE:
	case JPKI_ERR_NO_CARD:
		return "The card was moved away too early. "
		    "Please tap it again and hold it still.";
	case JPKI_ERR_NOT_JPKI:
		return "This is not a My Number Card. "
		    "Please use your My Number Card (個人番号カード).";
	case JPKI_ERR_KIOSK_BUDGET:
		return "Reading took too long. Please tap the card again, "
		    "flat on the reader.";
	case JPKI_ERR_NO_SERVICE:
		return "The card service (pcscd) stopped; it is being "
		    "reconnected. Staff: run 'jpki doctor'.";
	case JPKI_ERR_SHARING:
		return "Another program is using the reader. "
		    "Staff: close it, or run 'jpki doctor'.";
	case JPKI_ERR_CANCELLED:
		return "Stopped.";
	default:
		if (err <= JPKI_ERR_CERT_INVALID && err >= JPKI_ERR_CERT_HIERARCHY)
			return "The card's certificate could not be "
			    "verified. Please ask the staff.";
		return "The card could not be read. Please tap it again; "
		    "if it fails twice, ask the staff.";
	}
}

/* Only the last 4 characters of an issuance number on the screen. */
void
ui_mask(const char *iss, char out[16])
{
	size_t n = strlen(iss);

	snprintf(out, 16, "...%s", n > 4 ? iss + n - 4 : iss);
}

void
ui_log(kt_screen_t *s, const char *fmt, ...)
{
	char		 line[140], ts[16];
	time_t		 t = time(NULL);
	struct tm	 tm;
	va_list		 ap;

	localtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%H:%M:%S", &tm);
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (s->nlog == KT_LOG_LINES) {
		memmove(s->log[0], s->log[1], sizeof(s->log[0]) *
		    (KT_LOG_LINES - 1));
		s->nlog--;
	}
	snprintf(s->log[s->nlog++], sizeof(s->log[0]), "%s  %s", ts, line);
}

void
ui_state(kt_screen_t *s, kt_state_t st, const char *headline,
    const char *detail)
{
	s->state = st;
	snprintf(s->headline, sizeof(s->headline), "%s", headline);
	snprintf(s->detail, sizeof(s->detail), "%s", detail ? detail : "");
}

static kt_reader_t *
reader(kt_screen_t *s, const char *name, int add)
{
	size_t i;

	for (i = 0; i < s->nr; i++)
		if (strcmp(s->r[i].name, name) == 0)
			return &s->r[i];
	if (!add || s->nr == KT_READERS)
		return NULL;
	memset(&s->r[s->nr], 0, sizeof(s->r[0]));
	snprintf(s->r[s->nr].name, sizeof(s->r[0].name), "%s", name);
	return &s->r[s->nr++];
}

/* Reader and service bookkeeping for the screen. */
void
ui_event(kt_screen_t *s, const jpki_kiosk_event_t *ev)
{
	kt_reader_t	*r;
	size_t		 i;

	switch (ev->type) {
	case JPKI_KIOSK_EV_READER_ADDED:
		s->service_up = 1;
		(void)reader(s, ev->reader, 1);
		ui_log(s, "Reader connected: %s", ev->reader);
		break;
	case JPKI_KIOSK_EV_READER_REMOVED:
		if ((r = reader(s, ev->reader, 0)) != NULL) {
			i = (size_t)(r - s->r);
			memmove(r, r + 1, (s->nr - i - 1) * sizeof(*r));
			s->nr--;
		}
		ui_log(s, "Reader disconnected: %s", ev->reader);
		break;
	case JPKI_KIOSK_EV_CARD_INSERTED:
		if ((r = reader(s, ev->reader, 0)) != NULL)
			r->card = 1;
		break;
	case JPKI_KIOSK_EV_CARD_REMOVED:
		if ((r = reader(s, ev->reader, 0)) != NULL)
			r->card = 0;
		break;
	case JPKI_KIOSK_EV_SERVICE_LOST:
		s->service_up = 0;
		ui_log(s, "Card service (pcscd) stopped; reconnecting");
		break;
	case JPKI_KIOSK_EV_SERVICE_BACK:
		s->service_up = 1;
		ui_log(s, "Card service (pcscd) is back");
		break;
	default:
		break;
	}
}

static void
rule(void)
{
	fputs("  ----------------------------------------------------------"
	    "--------------\n", stdout);
}

void
ui_draw(const kt_screen_t *s)
{
	size_t i;

	if (s->json)
		return;
	/* home, clear: a full redraw each time keeps the code obvious */
	fputs("\033[H\033[2J", stdout);
	printf("\n  MY NUMBER CARD KIOSK              (staff: Ctrl-C stops)\n");
	rule();
	printf("\n  %s\n", s->headline);
	if (s->detail[0] != '\0')
		printf("  %s\n", s->detail);
	printf("\n");
	rule();
	printf("  Card service : %s\n", s->service_up ? "running" :
	    "NOT RUNNING - reconnecting (staff: jpki doctor)");
	if (s->nr == 0)
		printf("  Readers      : none connected - plug in a reader\n");
	for (i = 0; i < s->nr; i++)
		printf("  Reader %zu     : %-32s %s\n", i + 1, s->r[i].name,
		    s->r[i].card ? "[card]" : "[empty]");
	if (s->platform_url == NULL)
		printf("  Platform     : not configured (numbers are only "
		    "shown)\n");
	else
		printf("  Platform     : %s  %s  sent %u, waiting %u\n",
		    s->platform_url, s->platform_online ? "online" :
		    "OFFLINE (saved, will resend)", s->sent, s->queued);
	rule();
	for (i = 0; i < s->nlog; i++)
		printf("  %s\n", s->log[i]);
	fflush(stdout);
}

/* JSON string with the escapes RFC 8259 requires. */
static void
jstr(const char *v)
{
	const unsigned char *p;

	putchar('"');
	for (p = (const unsigned char *)v; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

/*
 * ui_json(s, "tap-done", "reader", name, "#apdus", "2", NULL): keys that
 * start with '#' are written as numbers (value given as text).
 */
void
ui_json(const kt_screen_t *s, const char *event, ...)
{
	const char	*k, *v;
	va_list		 ap;

	if (!s->json)
		return;
	printf("{\"event\":");
	jstr(event);
	va_start(ap, event);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		if (v == NULL)
			continue;
		putchar(',');
		jstr(k[0] == '#' ? k + 1 : k);
		putchar(':');
		if (k[0] == '#')
			fputs(v, stdout);
		else
			jstr(v);
	}
	va_end(ap);
	printf("}\n");
	fflush(stdout);
}
