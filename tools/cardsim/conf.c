/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * profile.conf and state parser (docs/cardsim-profile.md).  Unknown keys,
 * duplicates, overlong lines and malformed values are errors: a typo must
 * not silently change a card.  Error messages name the line and key, never
 * the value (it may be a PIN).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jpki/err.h>

#include "secure.h"
#include "utf8.h"
#include "conf.h"
#include "../common/mkprofile.h"

const char *const conf_tries_keys[TRY_COUNT] = {
	"tries.auth", "tries.sign", "tries.text", "tries.text_a",
	"tries.text_b", "tries.visual_a", "tries.visual_b",
	"tries.visual_birth", "tries.juki",
};

static const int tries_default[TRY_COUNT] = { 3, 5, 3, 10, 10, 10, 10, 10,
	3 };

enum vtype {
	V_FORMAT, V_ASCII, V_ASCII16, V_PIN4, V_PINSIGN, V_MYNUMBER, V_TEXT,
	V_DATE, V_SEX, V_DIGITS, V_TAMPER
};

typedef struct {
	const char	*key;
	enum vtype	 type;
	size_t		 off;	/* of the char array in cs_conf_t */
	size_t		 size;	/* its size */
	size_t		 ndig;	/* V_DIGITS: exact count */
	int		 required;
} ckey_t;

#define F(m)	offsetof(cs_conf_t, m), sizeof(((cs_conf_t *)0)->m)
static const ckey_t ckeys[] = {
	{ "label", V_ASCII, F(label), 0, 0 },
	{ "token_serial", V_ASCII16, F(token_serial), 0, 0 },
	{ "pin.auth", V_PIN4, F(pin_auth), 0, 1 },
	{ "pin.sign", V_PINSIGN, F(pin_sign), 0, 1 },
	{ "pin.text", V_PIN4, F(pin_text), 0, 1 },
	{ "pin.juki", V_PIN4, F(pin_juki), 0, 0 },
	{ "mynumber", V_MYNUMBER, F(mynumber), 0, 1 },
	{ "name", V_TEXT, F(name), 0, 1 },
	{ "address", V_TEXT, F(address), 0, 1 },
	{ "birth", V_DATE, F(birth), 0, 1 },
	{ "sex", V_SEX, F(sex), 0, 1 },
	{ "expiry", V_DATE, F(expiry), 0, 1 },
	{ "security_code", V_DIGITS, F(security_code), 4, 0 },
	{ "card_serial", V_DIGITS, F(card_serial), 15, 0 },
	{ "municipality", V_DIGITS, F(municipality), 5, 0 },
	{ "tamper", V_TAMPER, F(tamper), 0, 0 },
};
#undef F
#define NCKEYS	(sizeof(ckeys) / sizeof(ckeys[0]))

static void
seterr(char *err, size_t errlen, unsigned line, const char *key,
    const char *what)
{
	if (err == NULL || errlen == 0)
		return;
	if (key != NULL)
		(void)snprintf(err, errlen, "line %u: %s: %s", line, key, what);
	else
		(void)snprintf(err, errlen, "line %u: %s", line, what);
}

static int
all_digits(const char *s, size_t n)
{
	size_t i;

	if (strlen(s) != n)
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
	}
	return 1;
}

int
conf_valid_date(const char *s)
{
	int y, m, d, ml;
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (!all_digits(s, 8))
		return 0;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	m = (s[4] - '0') * 10 + (s[5] - '0');
	d = (s[6] - '0') * 10 + (s[7] - '0');
	if (y < 1868 || m < 1 || m > 12 || d < 1)
		return 0;
	ml = mdays[m - 1];
	if (m == 2 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		ml = 28;
	return d <= ml;
}

int
conf_pin_format_ok(int fmt, const uint8_t *v, size_t n)
{
	size_t i;

	switch (fmt) {
	case FMT_4DIGIT:
		if (n != 4)
			return 0;
		for (i = 0; i < n; i++) {
			if (v[i] < '0' || v[i] > '9')
				return 0;
		}
		return 1;
	case FMT_SIGN:
		if (n < 6 || n > 16)
			return 0;
		for (i = 0; i < n; i++) {
			if (!((v[i] >= 'A' && v[i] <= 'Z') || (v[i] >= '0' &&
			    v[i] <= '9')))
				return 0;
		}
		return 1;
	default:
		return 0;
	}
}

static int
valid_value(const ckey_t *k, const char *v)
{
	size_t i, n = strlen(v);

	switch (k->type) {
	case V_FORMAT:
		return strcmp(v, "1") == 0;
	case V_ASCII:
	case V_ASCII16:
		if (n == 0 || (k->type == V_ASCII16 && n != 16))
			return 0;
		for (i = 0; i < n; i++) {
			if (v[i] < 0x20 || v[i] > 0x7e)
				return 0;
		}
		return 1;
	case V_PIN4:
		return conf_pin_format_ok(FMT_4DIGIT, (const uint8_t *)v, n);
	case V_PINSIGN:
		return conf_pin_format_ok(FMT_SIGN, (const uint8_t *)v, n);
	case V_MYNUMBER:
		return mkp_mynumber_valid(v);
	case V_TEXT:
		/* well-formed, no controls: the library's validator */
		return n > 0 && utf8_valid((const uint8_t *)v, n);
	case V_DATE:
		return conf_valid_date(v);
	case V_SEX:
		return strcmp(v, "1") == 0 || strcmp(v, "2") == 0 ||
		    strcmp(v, "9") == 0;
	case V_DIGITS:
		return all_digits(v, k->ndig);
	case V_TAMPER:
		return strcmp(v, "text-name") == 0 ||
		    strcmp(v, "visual-photo") == 0 ||
		    strcmp(v, "auth-key") == 0;
	}
	return 0;
}

static void
trim(char **s, size_t *n)
{
	while (*n > 0 && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' ||
	    (*s)[*n - 1] == '\r'))
		(*n)--;
}

typedef int line_cb_t(unsigned line, const char *key, const char *value,
    void *arg, char *err, size_t errlen);

/*
 * Split text into key = value lines.  The value copy is wiped after the
 * callback (it may be a PIN).
 */
static int
each_line(const char *text, size_t len, line_cb_t *cb, void *arg, char *err,
    size_t errlen)
{
	char line[CONF_MAX_LINE + 1], *k, *v, *eq;
	size_t i = 0, ll, kl, vl;
	unsigned no = 0;
	int rc = JPKI_OK;

	while (i < len && rc == JPKI_OK) {
		const char *nl = memchr(text + i, '\n', len - i);

		ll = nl != NULL ? (size_t)(nl - (text + i)) : len - i;
		no++;
		if (ll > CONF_MAX_LINE) {
			seterr(err, errlen, no, NULL, "line too long");
			rc = JPKI_ERR_PARSE;
			break;
		}
		memcpy(line, text + i, ll);
		line[ll] = '\0';
		i += ll + (nl != NULL ? 1 : 0);
		if (memchr(line, '\0', ll) != NULL) {
			seterr(err, errlen, no, NULL, "NUL byte");
			rc = JPKI_ERR_PARSE;
			break;
		}
		k = line;
		kl = ll;
		trim(&k, &kl);
		if (kl == 0 || k[0] == '#')
			continue;
		if ((eq = memchr(k, '=', kl)) == NULL) {
			seterr(err, errlen, no, NULL, "expected key = value");
			rc = JPKI_ERR_PARSE;
			break;
		}
		v = eq + 1;
		vl = kl - (size_t)(v - k);
		kl = (size_t)(eq - k);
		trim(&k, &kl);
		trim(&v, &vl);
		k[kl] = '\0';
		v[vl] = '\0';
		if (kl == 0) {
			seterr(err, errlen, no, NULL, "empty key");
			rc = JPKI_ERR_PARSE;
			break;
		}
		rc = cb(no, k, v, arg, err, errlen);
	}
	jpki_secure_zero(line, sizeof(line));
	return rc;
}

typedef struct {
	cs_conf_t	*c;
	unsigned char	 seen[NCKEYS + TRY_COUNT + 1];
} pstate_t;

static int
parse_tries(const char *v, int *out)
{
	/* 1..15: the counter travels in the low nibble of 63Cx */
	if (strlen(v) == 1 && v[0] >= '1' && v[0] <= '9') {
		*out = v[0] - '0';
		return 1;
	}
	if (strlen(v) == 2 && v[0] == '1' && v[1] >= '0' && v[1] <= '5') {
		*out = 10 + v[1] - '0';
		return 1;
	}
	return 0;
}

static int
conf_line(unsigned no, const char *k, const char *v, void *arg, char *err,
    size_t errlen)
{
	pstate_t *ps = arg;
	size_t i;

	if (strcmp(k, "format") == 0) {
		if (ps->seen[NCKEYS + TRY_COUNT]++) {
			seterr(err, errlen, no, k, "duplicate key");
			return JPKI_ERR_PARSE;
		}
		if (strcmp(v, "1") != 0) {
			seterr(err, errlen, no, k, "unsupported format");
			return JPKI_ERR_PARSE;
		}
		ps->c->format = 1;
		return JPKI_OK;
	}
	for (i = 0; i < TRY_COUNT; i++) {
		if (strcmp(k, conf_tries_keys[i]) != 0)
			continue;
		if (ps->seen[NCKEYS + i]++) {
			seterr(err, errlen, no, k, "duplicate key");
			return JPKI_ERR_PARSE;
		}
		if (!parse_tries(v, &ps->c->tries[i])) {
			seterr(err, errlen, no, k, "expected 1..15");
			return JPKI_ERR_PARSE;
		}
		return JPKI_OK;
	}
	for (i = 0; i < NCKEYS; i++) {
		if (strcmp(k, ckeys[i].key) != 0)
			continue;
		if (ps->seen[i]++) {
			seterr(err, errlen, no, k, "duplicate key");
			return JPKI_ERR_PARSE;
		}
		if (strlen(v) >= ckeys[i].size) {
			seterr(err, errlen, no, k, "value too long");
			return JPKI_ERR_PARSE;
		}
		if (!valid_value(&ckeys[i], v)) {
			seterr(err, errlen, no, k, "invalid value");
			return JPKI_ERR_PARSE;
		}
		memcpy((char *)ps->c + ckeys[i].off, v, strlen(v) + 1);
		return JPKI_OK;
	}
	seterr(err, errlen, no, k, "unknown key");
	return JPKI_ERR_PARSE;
}

int
conf_parse(const char *text, size_t len, cs_conf_t *c, char *err,
    size_t errlen)
{
	pstate_t ps;
	size_t i;
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	memset(c, 0, sizeof(*c));
	memset(&ps, 0, sizeof(ps));
	ps.c = c;
	memcpy(c->tries, tries_default, sizeof(c->tries));
	if ((rc = each_line(text, len, conf_line, &ps, err, errlen)) !=
	    JPKI_OK)
		goto out;
	rc = JPKI_ERR_PARSE;
	if (!ps.seen[NCKEYS + TRY_COUNT]) {
		seterr(err, errlen, 0, "format", "missing required key");
		goto out;
	}
	for (i = 0; i < NCKEYS; i++) {
		if (ckeys[i].required && !ps.seen[i]) {
			seterr(err, errlen, 0, ckeys[i].key,
			    "missing required key");
			goto out;
		}
	}
	/* defaults (docs/cardsim-profile.md) */
	if (c->label[0] == '\0')
		memcpy(c->label, "JPKIAPICCTOKEN2", 16);
	if (c->token_serial[0] == '\0')
		memcpy(c->token_serial, "0000000000000001", 17);
	if (c->pin_juki[0] == '\0')
		memcpy(c->pin_juki, c->pin_text, sizeof(c->pin_juki));
	if (c->security_code[0] == '\0')
		memcpy(c->security_code, "0000", 5);
	if (c->card_serial[0] == '\0')
		memcpy(c->card_serial, "400000000000001", 16);
	if (c->municipality[0] == '\0')
		memcpy(c->municipality, "13101", 6);
	rc = JPKI_OK;
out:
	if (rc != JPKI_OK)
		conf_wipe(c);
	return rc;
}

static int
slurp(const char *path, char **out, size_t *outlen)
{
	FILE *f;
	char *b = NULL;
	size_t n;
	int rc = JPKI_ERR_IO;

	*out = NULL;
	*outlen = 0;
	if ((f = fopen(path, "rb")) == NULL)
		return JPKI_ERR_IO;
	if ((b = malloc(CONF_MAX_FILE + 1)) == NULL) {
		rc = JPKI_ERR_NOMEM;
		goto out;
	}
	n = fread(b, 1, CONF_MAX_FILE + 1, f);
	if (ferror(f))
		goto out;
	if (n > CONF_MAX_FILE) {
		rc = JPKI_ERR_TOO_LARGE;
		goto out;
	}
	b[n] = '\0';
	*out = b;
	*outlen = n;
	b = NULL;
	rc = JPKI_OK;
out:
	fclose(f);
	free(b);
	return rc;
}

int
conf_load(const char *path, cs_conf_t *c, char *err, size_t errlen)
{
	char *b = NULL;
	size_t n = 0;
	int rc;

	if ((rc = slurp(path, &b, &n)) != JPKI_OK) {
		if (err != NULL && errlen > 0)
			(void)snprintf(err, errlen, "cannot read %s", path);
		return rc;
	}
	rc = conf_parse(b, n, c, err, errlen);
	jpki_free_secret(b, n);
	return rc;
}

void
conf_wipe(cs_conf_t *c)
{
	jpki_secure_zero(c, sizeof(*c));
}

typedef struct {
	const cs_conf_t	*c;
	int		*left;
	unsigned char	 seen[TRY_COUNT];
} sstate_t;

static int
state_line(unsigned no, const char *k, const char *v, void *arg, char *err,
    size_t errlen)
{
	sstate_t *ss = arg;
	size_t i;
	int n;

	for (i = 0; i < TRY_COUNT; i++) {
		if (strcmp(k, conf_tries_keys[i]) != 0)
			continue;
		if (ss->seen[i]++) {
			seterr(err, errlen, no, k, "duplicate key");
			return JPKI_ERR_PARSE;
		}
		if (strcmp(v, "0") == 0)
			n = 0;
		else if (!parse_tries(v, &n))
			n = -1;
		if (n < 0 || n > ss->c->tries[i]) {
			seterr(err, errlen, no, k, "out of range");
			return JPKI_ERR_PARSE;
		}
		ss->left[i] = n;
		return JPKI_OK;
	}
	seterr(err, errlen, no, k, "unknown key");
	return JPKI_ERR_PARSE;
}

int
conf_state_parse(const char *text, size_t len, const cs_conf_t *c,
    int left[TRY_COUNT], char *err, size_t errlen)
{
	sstate_t ss;

	memset(&ss, 0, sizeof(ss));
	ss.c = c;
	ss.left = left;
	memcpy(left, c->tries, sizeof(c->tries));
	return each_line(text, len, state_line, &ss, err, errlen);
}

int
conf_state_load(const char *path, const cs_conf_t *c, int left[TRY_COUNT],
    char *err, size_t errlen)
{
	char *b = NULL;
	size_t n = 0;
	int rc;

	memcpy(left, c->tries, sizeof(c->tries));
	if (access(path, F_OK) != 0)
		return JPKI_OK;
	if ((rc = slurp(path, &b, &n)) != JPKI_OK)
		return rc;
	rc = conf_state_parse(b, n, c, left, err, errlen);
	free(b);
	return rc;
}

/* tmp + fsync + rename + fsync(dir): survives a crash either old or new. */
static int
atomic_write(const char *path, const char *data, size_t len)
{
	char tmp[4200], dir[4200];
	int fd = -1, dfd = -1, rc = JPKI_ERR_IO;
	ssize_t w;
	size_t off = 0;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >=
	    sizeof(tmp) || (size_t)snprintf(dir, sizeof(dir), "%s", path) >=
	    sizeof(dir))
		return JPKI_ERR_ARG;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) < 0)
		goto out;
	while (off < len) {
		if ((w = write(fd, data + off, len - off)) < 0) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		off += (size_t)w;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto out;
	if ((dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) <
	    0 || fsync(dfd) != 0)
		goto out;
	rc = JPKI_OK;
out:
	if (fd >= 0) {
		close(fd);
		(void)unlink(tmp);
	}
	if (dfd >= 0)
		close(dfd);
	return rc;
}

int
conf_state_save(const char *path, const cs_conf_t *c,
    const int left[TRY_COUNT])
{
	char buf[1024];
	size_t n = 0, i;
	int w;

	w = snprintf(buf, sizeof(buf),
	    "# jpki-cardsim retry counters; delete to unlock the card\n");
	if (w < 0)
		return JPKI_ERR_INTERNAL;
	n = (size_t)w;
	for (i = 0; i < TRY_COUNT; i++) {
		if (left[i] == c->tries[i])
			continue;
		w = snprintf(buf + n, sizeof(buf) - n, "%s = %d\n",
		    conf_tries_keys[i], left[i]);
		if (w < 0 || (size_t)w >= sizeof(buf) - n)
			return JPKI_ERR_TOO_LARGE;
		n += (size_t)w;
	}
	return atomic_write(path, buf, n);
}

int
conf_set_value(const char *path, const char *key, const char *value)
{
	char *b = NULL, *o = NULL;
	size_t n = 0, i = 0, on = 0, kl = strlen(key), cap;
	int rc, done = 0;

	if ((rc = slurp(path, &b, &n)) != JPKI_OK)
		return rc;
	/* one line replaced or added */
	cap = n + strlen(value) + kl + 8;
	rc = JPKI_ERR_NOMEM;
	if ((o = malloc(cap)) == NULL)
		goto out;
	while (i < n) {
		const char *nl = memchr(b + i, '\n', n - i);
		size_t ll = nl != NULL ? (size_t)(nl - (b + i)) + 1 : n - i;
		const char *p = b + i;
		size_t j = 0;

		while (j < ll && (p[j] == ' ' || p[j] == '\t'))
			j++;
		if (!done && ll - j > kl && memcmp(p + j, key, kl) == 0 &&
		    strspn(p + j + kl, " \t") + j + kl < ll &&
		    p[j + kl + strspn(p + j + kl, " \t")] == '=') {
			on += (size_t)snprintf(o + on, cap - on, "%s = %s\n",
			    key, value);
			done = 1;
		} else {
			memcpy(o + on, p, ll);
			on += ll;
		}
		i += ll;
	}
	if (!done) {
		/* an optional key (pin.juki) joins the file on first change */
		if (on > 0 && o[on - 1] != '\n')
			o[on++] = '\n';
		on += (size_t)snprintf(o + on, cap - on, "%s = %s\n", key,
		    value);
	}
	rc = atomic_write(path, o, on);
out:
	jpki_free_secret(b, n);
	jpki_free_secret(o, cap);
	return rc;
}
