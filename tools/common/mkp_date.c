/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * mkprofile: calendar dates in JST and the Japanese era of a date
 * (jpki-card.md §9.3).
 */
#include <string.h>
#include <time.h>

#include <jpki/err.h>

#include "mkprofile.h"
#include "mkp_int.h"

#define JST_OFFSET	(9 * 3600)

int
mkp_is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int
mkp_parse_date(const char *s, int *y, int *m, int *d)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int i, v[3] = { 0, 0, 0 }, ml;

	if (s == NULL || strlen(s) != 8)
		return JPKI_ERR_ARG;
	for (i = 0; i < 8; i++) {
		if (s[i] < '0' || s[i] > '9')
			return JPKI_ERR_ARG;
	}
	for (i = 0; i < 4; i++)
		v[0] = v[0] * 10 + (s[i] - '0');
	v[1] = (s[4] - '0') * 10 + (s[5] - '0');
	v[2] = (s[6] - '0') * 10 + (s[7] - '0');
	if (v[0] < 1868 || v[1] < 1 || v[1] > 12 || v[2] < 1)
		return JPKI_ERR_ARG;
	ml = mdays[v[1] - 1] + (v[1] == 2 && mkp_is_leap(v[0]));
	if (v[2] > ml)
		return JPKI_ERR_ARG;
	*y = v[0];
	*m = v[1];
	*d = v[2];
	return JPKI_OK;
}

/* Unix time of y-m-d hh:mm:ss JST. */
long long
mkp_jst_time(int y, int m, int d, int hh, int mm, int ss)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = hh;
	tm.tm_min = mm;
	tm.tm_sec = ss;
	return (long long)timegm(&tm) - JST_OFFSET;
}

void
mkp_jst_date(long long t, int *y, int *m, int *d)
{
	struct tm tm;
	time_t tt = (time_t)(t + JST_OFFSET);

	gmtime_r(&tt, &tm);
	*y = tm.tm_year + 1900;
	*m = tm.tm_mon + 1;
	*d = tm.tm_mday;
}

int
mkp_era(const char *yyyymmdd, int *era, int *era_year)
{
	int y, m, d, rc;
	long v;

	if ((rc = mkp_parse_date(yyyymmdd, &y, &m, &d)) != JPKI_OK)
		return rc;
	v = (long)y * 10000 + m * 100 + d;
	/* era boundaries: jpki-card.md §9.3 (first day of each era) */
	if (v >= 20190501) {
		*era = 5;
		*era_year = y - 2018;
	} else if (v >= 19890108) {
		*era = 4;
		*era_year = y - 1988;
	} else if (v >= 19261225) {
		*era = 3;
		*era_year = y - 1925;
	} else if (v >= 19120730) {
		*era = 2;
		*era_year = y - 1911;
	} else {
		*era = 1;
		*era_year = y - 1867;
	}
	return JPKI_OK;
}
