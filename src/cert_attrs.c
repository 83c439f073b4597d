/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Holder attributes of the signature certificate: subjectAltName
 * otherNames under 1.2.392.200149.8.5.5 (jpki-card.md §9.3).  Strict:
 * anything unexpected inside the arc is reported with a reason, never
 * guessed.  Other GeneralName forms and otherNames outside the arc are
 * ignored (the auth certificate's SAN carries none of ours, §9.2).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include <jpki/err.h>

#include "cert_int.h"
#include "utf8.h"
#include "log.h"
#include "secure.h"

/* Attribute numbers under the arc, §9.3. */
enum {
	ATTR_NAME = 1,
	ATTR_NAME_FLAGS,
	ATTR_SEX,
	ATTR_BIRTH,
	ATTR_ADDRESS,
	ATTR_ADDRESS_FLAGS,
	ATTR_MAX = ATTR_ADDRESS_FLAGS
};

static const char *const attr_label[ATTR_MAX + 1] = {
	NULL, "name", "name substitution flags", "sex", "birth date",
	"address", "address substitution flags"
};

/* Cap on one attribute; real values are a few hundred bytes at most. */
#define ATTR_MAX_LEN	1024

/* Holder attributes are personal data: wiped before they are freed. */
static void
free_attr(char *s)
{
	if (s != NULL)
		jpki_free_secret(s, strlen(s));
}

void
cert_attrs_clear(struct cert_attrs *a)
{
	free_attr(a->name);
	free_attr(a->name_flags);
	free_attr(a->sex);
	free_attr(a->birth_raw);
	free_attr(a->birth_iso);
	free_attr(a->address);
	free_attr(a->address_flags);
	memset(a, 0, sizeof(*a));
}

static char **
slot(struct cert_attrs *a, int id)
{
	switch (id) {
	case ATTR_NAME:
		return &a->name;
	case ATTR_NAME_FLAGS:
		return &a->name_flags;
	case ATTR_SEX:
		return &a->sex;
	case ATTR_BIRTH:
		return &a->birth_raw;
	case ATTR_ADDRESS:
		return &a->address;
	default:
		return &a->address_flags;
	}
}

static int
all_digits(const char *s, const char *set)
{
	for (; *s != '\0'; s++)
		if (strchr(set, *s) == NULL)
			return 0;
	return 1;
}

static int
days_in_month(int y, int m)
{
	static const int d[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

/* Eras as YYYYMMDD ranges; the era digit is E of EYYYYMMDD (§9.3). */
static const struct {
	char		 digit;
	const char	*name;
	long		 first;
	long		 last;
} eras[] = {
	{ '1', "Meiji", 0, 19120729 },
	{ '2', "Taisho", 19120730, 19261224 },
	{ '3', "Showa", 19261225, 19890107 },
	{ '4', "Heisei", 19890108, 20190430 },
	{ '5', "Reiwa", 20190501, 99991231 },
};

static int
check_birth(struct cert_attrs *a, char *err, size_t errlen)
{
	const char *s = a->birth_raw;
	long ymd;
	int y, m, d, r = JPKI_ERR_PARSE;
	size_t i;

	if (strlen(s) != 9 || !all_digits(s, "0123456789")) {
		snprintf(err, errlen, "birth date is not EYYYYMMDD");
		goto out;
	}
	y = (s[1] - '0') * 1000 + (s[2] - '0') * 100 + (s[3] - '0') * 10 +
	    (s[4] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[7] - '0') * 10 + (s[8] - '0');
	if (y < 1800 || m < 1 || m > 12 || d < 1 ||
	    d > days_in_month(y, m)) {
		snprintf(err, errlen, "birth date is not a valid date");
		goto out;
	}
	ymd = (long)y * 10000 + m * 100 + d;
	if (s[0] == '0') {
		a->birth_era = "unknown";
	} else {
		for (i = 0; i < sizeof(eras) / sizeof(eras[0]); i++)
			if (eras[i].digit == s[0])
				break;
		if (i == sizeof(eras) / sizeof(eras[0])) {
			snprintf(err, errlen, "birth date era digit %c is "
			    "not defined", s[0]);
			goto out;
		}
		if (ymd < eras[i].first || ymd > eras[i].last) {
			snprintf(err, errlen, "birth date is outside the %s "
			    "era of its era digit", eras[i].name);
			goto out;
		}
		a->birth_era = eras[i].name;
	}
	if ((a->birth_iso = malloc(11)) == NULL) {
		r = JPKI_ERR_NOMEM;
		goto out;
	}
	/* digits were validated above: copy them around the dashes */
	memcpy(a->birth_iso, s + 1, 4);
	a->birth_iso[4] = '-';
	memcpy(a->birth_iso + 5, s + 5, 2);
	a->birth_iso[7] = '-';
	memcpy(a->birth_iso + 8, s + 7, 2);
	a->birth_iso[10] = '\0';
	r = JPKI_OK;
out:
	return r;
}

/* Cross-field checks once every otherName has been read. */
static int
check_values(struct cert_attrs *a, char *err, size_t errlen)
{
	int r = JPKI_ERR_PARSE;

	if (a->sex != NULL) {
		if (strcmp(a->sex, "1") == 0)
			a->sex_name = "male";
		else if (strcmp(a->sex, "2") == 0)
			a->sex_name = "female";
		else if (strcmp(a->sex, "9") == 0)
			a->sex_name = "not applicable";
		else if (strcmp(a->sex, "0") == 0)
			a->sex_name = "not known";
		else {
			snprintf(err, errlen, "sex is not a JIS X 0303 code");
			goto out;
		}
	}
	/* One '0'/'1' per character (§9.3); the length is not enforced
	 * since no real card has confirmed how it counts. */
	if (a->name_flags != NULL && (a->name_flags[0] == '\0' ||
	    !all_digits(a->name_flags, "01"))) {
		snprintf(err, errlen, "name substitution flags are not 0/1");
		goto out;
	}
	if (a->address_flags != NULL && (a->address_flags[0] == '\0' ||
	    !all_digits(a->address_flags, "01"))) {
		snprintf(err, errlen,
		    "address substitution flags are not 0/1");
		goto out;
	}
	if (a->name != NULL && a->name[0] == '\0') {
		snprintf(err, errlen, "name is empty");
		goto out;
	}
	if (a->address != NULL && a->address[0] == '\0') {
		snprintf(err, errlen, "address is empty");
		goto out;
	}
	if (a->birth_raw != NULL &&
	    (r = check_birth(a, err, errlen)) != JPKI_OK)
		goto out;
	r = JPKI_OK;
out:
	return r;
}

/*
 * CERT_OID_ATTR_ARC (1.2.392.200149.8.5.5) as DER content octets.  Compared
 * on these bytes, so an OID of any length outside the arc costs nothing and
 * is ignored (§9.2) whatever its dotted form would need (test_cert's
 * certificates, made from the dotted OIDs, depend on these bytes).  The
 * last octet ends a subidentifier (< 0x80), so a byte prefix is an arc
 * prefix.
 */
static const uint8_t attr_arc_der[] = {
	0x2a, 0x83, 0x08, 0x8c, 0x9b, 0x55, 0x08, 0x05, 0x05
};

/* Attribute number of oid if it lies in our arc, 0 if outside, -1 if in
 * the arc but unknown. */
static int
attr_id(const ASN1_OBJECT *oid)
{
	const uint8_t *p = OBJ_get0_data(oid);
	size_t n = OBJ_length(oid);

	if (p == NULL || n <= sizeof(attr_arc_der) ||
	    memcmp(p, attr_arc_der, sizeof(attr_arc_der)) != 0)
		return 0;
	p += sizeof(attr_arc_der);
	n -= sizeof(attr_arc_der);
	/* one subidentifier 1..ATTR_MAX: a single octet */
	if (n != 1 || p[0] < 1 || p[0] > ATTR_MAX)
		return -1;
	return p[0];
}

static int
take_value(struct cert_attrs *a, int id, const ASN1_TYPE *val, char *err,
    size_t errlen)
{
	const ASN1_STRING *s;
	const uint8_t *p;
	char **dst;
	size_t len;
	int r = JPKI_ERR_PARSE;

	if (val == NULL || val->type != V_ASN1_UTF8STRING ||
	    (s = val->value.utf8string) == NULL) {
		snprintf(err, errlen, "%s is not a UTF8String",
		    attr_label[id]);
		goto out;
	}
	p = ASN1_STRING_get0_data(s);
	len = (size_t)ASN1_STRING_length(s);
	if (len > ATTR_MAX_LEN) {
		snprintf(err, errlen, "%s is too long (%zu bytes)",
		    attr_label[id], len);
		goto out;
	}
	/* controls other than NUL pass: the card's text is what it is */
	if (!utf8_check(p, len, UTF8_CTRL, NULL)) {
		snprintf(err, errlen, "%s is not valid UTF-8", attr_label[id]);
		goto out;
	}
	dst = slot(a, id);
	if (*dst != NULL) {
		snprintf(err, errlen, "%s appears twice", attr_label[id]);
		goto out;
	}
	if ((*dst = malloc(len + 1)) == NULL) {
		r = JPKI_ERR_NOMEM;
		goto out;
	}
	memcpy(*dst, p, len);
	(*dst)[len] = '\0';
	r = JPKI_OK;
out:
	return r;
}

int
cert_attrs_parse(const uint8_t *san, size_t len, struct cert_attrs *a,
    char *err, size_t errlen)
{
	GENERAL_NAMES *gens = NULL;
	const GENERAL_NAME *g;
	const unsigned char *p = san;
	char oid[96];
	int i, n, id, r = JPKI_ERR_PARSE;

	memset(a, 0, sizeof(*a));
	if (errlen > 0)
		err[0] = '\0';
	if (san == NULL || len == 0 || len > JPKI_MAX_CERT) {
		snprintf(err, errlen, "subjectAltName is empty or too long");
		goto out;
	}
	if ((gens = d2i_GENERAL_NAMES(NULL, &p, (long)len)) == NULL ||
	    p != san + len) {
		snprintf(err, errlen, "subjectAltName is not valid DER");
		goto out;
	}
	n = sk_GENERAL_NAME_num(gens);
	for (i = 0; i < n; i++) {
		g = sk_GENERAL_NAME_value(gens, i);
		if (g == NULL || g->type != GEN_OTHERNAME)
			continue;
		id = attr_id(g->d.otherName->type_id);
		if (id == 0)
			continue;
		if (id < 0) {
			/* for the message only: a long one is cut short */
			if (OBJ_obj2txt(oid, (int)sizeof(oid),
			    g->d.otherName->type_id, 1) <= 0)
				snprintf(oid, sizeof(oid), "?");
			snprintf(err, errlen, "unknown attribute OID %s in "
			    "the holder attribute arc", oid);
			goto out;
		}
		if ((r = take_value(a, id, g->d.otherName->value, err,
		    errlen)) != JPKI_OK)
			goto out;
		r = JPKI_ERR_PARSE;
	}
	if ((r = check_values(a, err, errlen)) != JPKI_OK)
		goto out;
	r = JPKI_OK;
out:
	if (r != JPKI_OK) {
		cert_attrs_clear(a);
		log_debug("%s: %s", __func__, err);
	}
	GENERAL_NAMES_free(gens);
	return r;
}
