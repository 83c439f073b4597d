/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * A small streaming JSON writer (RFC 8259), compact output.  Strings are
 * escaped: quote, backslash and control characters; valid UTF-8 passes
 * through; a byte that is not part of valid UTF-8 becomes U+FFFD, so the
 * output is always valid JSON whatever the card returned.
 */
#include <string.h>

#include "cli.h"
#include "utf8.h"	/* the library's validator, linked in (module.mk) */

void
json_init(json_t *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
}

/* Separator before a value or a key at the current depth. */
static void
prologue(json_t *j)
{
	if (j->after_key) {
		j->after_key = 0;
		return;
	}
	if (j->comma[j->depth])
		fputc(',', j->f);
	j->comma[j->depth] = 1;
}

static void
open_c(json_t *j, int ch)
{
	prologue(j);
	if (j->depth >= JSON_MAX_DEPTH) {
		j->err = 1;
		return;
	}
	fputc(ch, j->f);
	j->depth++;
	j->comma[j->depth] = 0;
}

static void
close_c(json_t *j, int ch)
{
	if (j->depth == 0 || j->after_key) {
		j->err = 1;
		return;
	}
	fputc(ch, j->f);
	j->depth--;
}

void
json_obj_begin(json_t *j)
{
	open_c(j, '{');
}

void
json_obj_end(json_t *j)
{
	close_c(j, '}');
}

void
json_arr_begin(json_t *j)
{
	open_c(j, '[');
}

void
json_arr_end(json_t *j)
{
	close_c(j, ']');
}

void
json_strn(json_t *j, const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, k;

	prologue(j);
	fputc('"', j->f);
	while (i < n) {
		unsigned char c = p[i];

		switch (c) {
		case '"':
			fputs("\\\"", j->f);
			break;
		case '\\':
			fputs("\\\\", j->f);
			break;
		case '\n':
			fputs("\\n", j->f);
			break;
		case '\r':
			fputs("\\r", j->f);
			break;
		case '\t':
			fputs("\\t", j->f);
			break;
		default:
			if (c < 0x20 || c == 0x7F) {
				fprintf(j->f, "\\u%04x", c);
			} else if (c < 0x80) {
				fputc(c, j->f);
			} else if ((k = utf8_seq(p + i, n - i)) == 0) {
				fputs("\\ufffd", j->f);
			} else {
				fwrite(p + i, 1, k, j->f);
				i += k;
				continue;
			}
			break;
		}
		i++;
	}
	fputc('"', j->f);
}

void
json_str(json_t *j, const char *s)
{
	if (s == NULL)
		json_null(j);
	else
		json_strn(j, s, strlen(s));
}

void
json_key(json_t *j, const char *k)
{
	if (j->after_key || j->depth == 0) {
		j->err = 1;
		return;
	}
	json_str(j, k);
	fputc(':', j->f);
	j->after_key = 1;
}

void
json_int(json_t *j, long long v)
{
	prologue(j);
	fprintf(j->f, "%lld", v);
}

void
json_bool(json_t *j, int v)
{
	prologue(j);
	fputs(v ? "true" : "false", j->f);
}

void
json_null(json_t *j)
{
	prologue(j);
	fputs("null", j->f);
}

void
json_kv_str(json_t *j, const char *k, const char *v)
{
	json_key(j, k);
	json_str(j, v);
}

void
json_kv_int(json_t *j, const char *k, long long v)
{
	json_key(j, k);
	json_int(j, v);
}

void
json_kv_bool(json_t *j, const char *k, int v)
{
	json_key(j, k);
	json_bool(j, v);
}

int
json_end(json_t *j)
{
	if (j->depth != 0 || j->after_key)
		j->err = 1;
	fputc('\n', j->f);
	if (fflush(j->f) != 0 || ferror(j->f))
		j->err = 1;
	return j->err ? -1 : 0;
}
