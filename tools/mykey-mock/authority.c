/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Issuing authority (api §5.5): clients, persons, cards written as
 * jpki-cardsim profiles through mkprofile, renewal, re-issue after loss,
 * moves, revocation, the mock clock and fault rules.  The database is
 * authoritative; a profile directory is an output.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "mkprofile.h"
#include "mock.h"

#define JST	(9 * 3600)

int
auth_client_add(struct mm_db *db, const char *kind, const char *scopes,
    const char *name, char *id_out, char *secret_out)
{
	uint8_t raw[32], salt[16];
	char *secret = NULL, salthex[33], hash[65], stored[100];
	int rc = -1;

	id_out[0] = secret_out[0] = '\0';
	if (strcmp(kind, "municipality") != 0 && strcmp(kind, "business") !=
	    0 && strcmp(kind, "government") != 0)
		return -1;
	if (scopes == NULL || *scopes == '\0')
		scopes = "mykey services";
	if (strlen(scopes) > 200 || strspn(scopes,
	    "abcdefghijklmnopqrstuvwxyz:._ ") != strlen(scopes))
		return -1;
	mm_new_id("cli_", id_out, 64);
	if (mm_random(raw, sizeof(raw)) != 0 || mm_random(salt, sizeof(salt))
	    != 0 || (secret = mm_b64_encode(raw, sizeof(raw), 1)) == NULL)
		goto out;
	mm_hex(salt, sizeof(salt), salthex);
	if (mm_secret_hash(secret, salthex, hash) != 0)
		goto out;
	(void)snprintf(stored, sizeof(stored), "%s$%s", salthex, hash);
	if (db_exec(db, "INSERT INTO clients(client_id, secret_hash, kind, "
	    "scopes, name, created_at) VALUES(?,?,?,?,?,?)", "sssssi", id_out,
	    stored, kind, scopes, name, (long long)time(NULL)) != 0)
		goto out;
	(void)snprintf(secret_out, 64, "%s", secret);
	rc = 0;
out:
	if (secret != NULL) {
		OPENSSL_cleanse(secret, strlen(secret));
		free(secret);
	}
	OPENSSL_cleanse(raw, sizeof(raw));
	return rc;
}

int
auth_person_add(struct mm_db *db, const char *name, const char *birth,
    const char *sex, const char *address, char *id_out)
{
	char mn[13], bd[9];
	int rc;

	id_out[0] = '\0';
	/* one stored form (YYYYMMDD) whichever of the two came in */
	if (name == NULL || birth == NULL || sex == NULL || address == NULL ||
	    *name == '\0' || *address == '\0' || strlen(name) > 200 ||
	    strlen(address) > 400 || strpbrk(name, "\r\n") != NULL ||
	    strpbrk(address, "\r\n") != NULL || mm_date_canon(birth, bd) != 0 ||
	    strlen(sex) != 1 || strchr("129", sex[0]) == NULL)
		return -1;
	mm_new_id("psn_", id_out, 48);
	mm_mynumber_random(mn);
	rc = db_exec(db, "INSERT INTO persons(person_id, name, birth_date, sex, "
	    "address, mynumber, updated_at) VALUES(?,?,?,?,?,?,?)", "ssssssi",
	    id_out, name, bd, sex, address, mn, db_now(db));
	OPENSSL_cleanse(mn, sizeof(mn));
	return rc;
}

/* Upper-case hex serial, no leading zero, unused so far. */
static int
fresh_serial(struct mm_db *db, char *out)
{
	uint8_t b[8];
	struct mm_st *st;
	int i, used;

	for (i = 0; i < 16; i++) {
		if (mm_random(b, sizeof(b)) != 0)
			return -1;
		b[0] = (uint8_t)((b[0] & 0x7f) | 0x10);
		(void)snprintf(out, MM_SERIAL_MAX,
		    "%02X%02X%02X%02X%02X%02X%02X%02X", b[0], b[1], b[2], b[3],
		    b[4], b[5], b[6], b[7]);
		st = db_q(db, "SELECT 1 FROM certificates WHERE "
		    "issuance_number=?", "s", out);
		used = st == NULL || db_row(st) == 1;
		db_end(st);
		if (!used)
			return 0;
	}
	return -1;
}

struct certinfo {
	uint8_t		*der;
	size_t		 len;
	long long	 nb, na;
	char		 cn[64];
	char		 serial[MM_SERIAL_MAX];
};

static int
read_cert(const char *dir, const char *name, struct certinfo *ci)
{
	char path[700];
	const uint8_t *p;
	X509 *x = NULL;
	time_t t;
	struct tm tm;
	int rc = -1;

	memset(ci, 0, sizeof(*ci));
	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (mm_read_file(path, &ci->der, &ci->len, MM_MAX_CERT) != 0)
		return -1;
	p = ci->der;
	if ((x = d2i_X509(NULL, &p, (long)ci->len)) == NULL ||
	    cert_serial_hex(x, ci->serial) != 0)
		goto out;
	if (ASN1_TIME_to_tm(X509_get0_notBefore(x), &tm) != 1)
		goto out;
	t = timegm(&tm);
	ci->nb = (long long)t;
	if (ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) != 1)
		goto out;
	t = timegm(&tm);
	ci->na = (long long)t;
	(void)X509_NAME_get_text_by_NID(X509_get_subject_name(x),
	    NID_commonName, ci->cn, sizeof(ci->cn));
	rc = 0;
out:
	X509_free(x);
	if (rc != 0) {
		free(ci->der);
		ci->der = NULL;
	}
	return rc;
}

struct person {
	char	name[256], birth[16], sex[4], address[512], mynumber[16];
};

static int
load_person(struct mm_db *db, const char *id, struct person *p)
{
	struct mm_st *st;
	int f = -1;

	memset(p, 0, sizeof(*p));
	st = db_q(db, "SELECT name, birth_date, sex, address, mynumber FROM "
	    "persons WHERE person_id=?", "s", id);
	if (st != NULL && db_row(st) == 1) {
		db_col(st, 0, p->name, sizeof(p->name));
		db_col(st, 1, p->birth, sizeof(p->birth));
		db_col(st, 2, p->sex, sizeof(p->sex));
		db_col(st, 3, p->address, sizeof(p->address));
		db_col(st, 4, p->mynumber, sizeof(p->mynumber));
		f = 0;
	}
	db_end(st);
	return f;
}

/* Issuance day in the mock clock: 00:00:00 JST (jpki-card.md §9.2). */
static long long
jst_midnight(long long now)
{
	return (now + JST) / 86400 * 86400 - JST;
}

/*
 * Write a profile for person (mkprofile), then record the card and its
 * certificates.  With prev_card, link its newest certificates of each
 * type to the new ones (cause).  Runs its own transaction.
 */
static int
issue(struct mm_db *db, const char *ca_dir, const char *profiles_dir,
    const char *person_id, const char *out_dir, long long now, long long nb,
    long long na, int no_sign, struct card_out *out, char **linkpairs,
    const char *cause, int revoke_reason)
{
	struct person p;
	mkp_ca_t *ca = NULL;
	mkp_params_t mp;
	struct certinfo ai, si;
	char aser[MM_SERIAL_MAX], sser[MM_SERIAL_MAX];
	int i, rc = -1;

	memset(&ai, 0, sizeof(ai));
	memset(&si, 0, sizeof(si));
	memset(out, 0, sizeof(*out));
	if (load_person(db, person_id, &p) != 0) {
		(void)fprintf(stderr, "mykey-mock: no person %s\n", person_id);
		return -1;
	}
	mm_new_id("card_", out->card_id, sizeof(out->card_id));
	if (out_dir != NULL && *out_dir != '\0')
		(void)snprintf(out->profile_dir, sizeof(out->profile_dir), "%s",
		    out_dir);
	else
		(void)snprintf(out->profile_dir, sizeof(out->profile_dir),
		    "%s/%s", profiles_dir, out->card_id);
	if (fresh_serial(db, aser) != 0 || fresh_serial(db, sser) != 0 ||
	    mm_mkdirs(profiles_dir) != 0)
		goto out;
	if (mkp_ca_open(ca_dir, 1, &ca) != 0) {
		(void)fprintf(stderr, "mykey-mock: cannot open CA %s\n", ca_dir);
		goto out;
	}
	memset(&mp, 0, sizeof(mp));
	mp.out_dir = out->profile_dir;
	mp.auth_serial_hex = aser;
	mp.sign_serial_hex = sser;
	mp.no_sign_cert = no_sign;
	mp.not_before = nb != 0 ? nb : jst_midnight(now);
	mp.not_after = na;
	mp.name = p.name;
	mp.address = p.address;
	mp.birth = p.birth;
	mp.sex = p.sex;
	mp.mynumber = p.mynumber;
	if (mkp_write_profile(ca, &mp, out->auth_serial,
	    no_sign ? NULL : out->sign_serial) != 0) {
		(void)fprintf(stderr, "mykey-mock: cannot write profile %s\n",
		    out->profile_dir);
		goto out;
	}
	if (read_cert(out->profile_dir, "auth.crt", &ai) != 0 ||
	    (!no_sign && read_cert(out->profile_dir, "sign.crt", &si) != 0))
		goto out;
	if (db_begin(db) != 0)
		goto out;
	if (db_exec(db, "INSERT INTO cards(card_id, person_id, issued_at, "
	    "state, profile_dir) VALUES(?,?,?,'active',?)", "ssis",
	    out->card_id, person_id, now, out->profile_dir) != 0)
		goto fail;
	for (i = 0; i < 2; i++) {
		struct certinfo *c = i == 0 ? &ai : &si;

		if (c->der == NULL)
			continue;
		if (db_exec(db, "INSERT INTO certificates(issuance_number, "
		    "cert_type, person_id, card_id, subject_cn, not_before, "
		    "not_after, der, status) VALUES(?,?,?,?,?,?,?,?,'good')",
		    "sssssiib", c->serial, i == 0 ? "auth" : "sign", person_id,
		    out->card_id, c->cn, c->nb, c->na, c->der, c->len) != 0)
			goto fail;
	}
	/* revoke the predecessors and record J-LIS linkage old -> new */
	for (i = 0; linkpairs != NULL && i < 2; i++) {
		const char *old = linkpairs[i];
		const char *nw = i == 0 ? ai.serial : si.serial;
		char c[40];

		if (old == NULL || *old == '\0')
			continue;
		if (revoke_reason >= 0 && db_exec(db, "UPDATE certificates SET "
		    "status='revoked', revoked_at=?, revocation_reason=? WHERE "
		    "issuance_number=? AND status='good'", "iis", now,
		    (long long)revoke_reason, old) != 0)
			goto fail;
		if (cause == NULL || *nw == '\0')
			continue;
		(void)snprintf(c, sizeof(c), "%s", cause);
		if (strcmp(cause, "renewal") == 0) {
			struct mm_st *st = db_q(db, "SELECT not_after FROM "
			    "certificates WHERE issuance_number=?", "s", old);

			if (st != NULL && db_row(st) == 1 &&
			    db_int(st, 0) < now)
				(void)snprintf(c, sizeof(c),
				    "new_issuance_after_expiry");
			db_end(st);
		}
		if (db_exec(db, "INSERT INTO cert_linkage(old_issuance_number, "
		    "new_issuance_number, cert_type, cause, linked_at) "
		    "VALUES(?,?,?,?,?)", "ssssi", old, nw, i == 0 ? "auth" :
		    "sign", c, now) != 0)
			goto fail;
	}
	if (db_commit(db) != 0)
		goto out;
	rc = 0;
	goto out;
fail:
	db_rollback(db);
out:
	free(ai.der);
	free(si.der);
	mkp_ca_free(&ca);
	return rc;
}

int
auth_card_issue(struct mm_db *db, const char *ca_dir,
    const char *profiles_dir, const char *person_id, const char *out_dir,
    long long now, long long nb, long long na, const char *prev_card,
    const char *cause, struct card_out *out)
{
	return issue(db, ca_dir, profiles_dir, person_id, out_dir, now, nb, na,
	    0, out, NULL, NULL, -1);
}

int
auth_cert_revoke(struct mm_db *db, const char *serial, int reason,
    long long now)
{
	if (reason < 0 || reason > 6 || !mm_serial_valid(serial))
		return -1;
	if (db_exec(db, "UPDATE certificates SET status='revoked', "
	    "revoked_at=?, revocation_reason=? WHERE issuance_number=? AND "
	    "status='good'", "iis", now, (long long)reason, serial) != 0)
		return -1;
	return db_changes(db) == 1 ? 0 : -1;
}

/* Newest certificate of each type on a card (the ones to link from). */
static int
card_certs(struct mm_db *db, const char *card_id, char *auth, char *sign)
{
	struct mm_st *st;

	auth[0] = sign[0] = '\0';
	st = db_q(db, "SELECT cert_type, issuance_number FROM certificates "
	    "WHERE card_id=? ORDER BY rowid", "s", card_id);
	while (st != NULL && db_row(st) == 1) {
		if (strcmp(db_text(st, 0), "auth") ==
		    0)
			db_col(st, 1, auth, MM_SERIAL_MAX);
		else
			db_col(st, 1, sign, MM_SERIAL_MAX);
	}
	db_end(st);
	return st == NULL ? -1 : 0;
}

/*
 * Renewal (更新): a new card with new serials; the old certificates are
 * revoked superseded and J-LIS links old -> new for both types.
 */
int
auth_card_renew(struct mm_db *db, const char *ca_dir,
    const char *profiles_dir, const char *serial, const char *out_dir,
    long long now, struct card_out *out)
{
	struct mm_st *st;
	char card[48] = "", person[48] = "", a[MM_SERIAL_MAX], s[MM_SERIAL_MAX];
	char *pairs[2];
	int rc;

	st = db_q(db, "SELECT card_id, person_id FROM certificates WHERE "
	    "issuance_number=?", "s", serial);
	if (st != NULL && db_row(st) == 1) {
		db_col(st, 0, card, sizeof(card));
		db_col(st, 1, person, sizeof(person));
	}
	db_end(st);
	if (card[0] == '\0' || card_certs(db, card, a, s) != 0) {
		(void)fprintf(stderr, "mykey-mock: unknown certificate\n");
		return -1;
	}
	/* only the newest certificate of the card can be renewed */
	pairs[0] = a;
	pairs[1] = s;
	rc = issue(db, ca_dir, profiles_dir, person, out_dir, now, 0, 0, 0, out,
	    pairs, "renewal", 4);
	if (rc == 0)
		rc = db_exec(db, "UPDATE cards SET state='renewed' WHERE "
		    "card_id=?", "s", card);
	return rc;
}

/*
 * Lost card: both certificates of the person's active cards revoked
 * keyCompromise; a new card, linked when link_on_reissue (api §5.5).
 */
int
auth_card_reissue(struct mm_db *db, const char *ca_dir,
    const char *profiles_dir, const char *person_id, const char *out_dir,
    long long now, struct card_out *out)
{
	struct mm_st *st;
	char card[48] = "", a[MM_SERIAL_MAX], s[MM_SERIAL_MAX], v[8];
	char *pairs[2];
	int link, rc;

	st = db_q(db, "SELECT card_id FROM cards WHERE person_id=? AND "
	    "state='active' ORDER BY issued_at DESC, rowid DESC LIMIT 1", "s",
	    person_id);
	if (st != NULL && db_row(st) == 1)
		db_col(st, 0, card, sizeof(card));
	db_end(st);
	if (card[0] == '\0' || card_certs(db, card, a, s) != 0) {
		(void)fprintf(stderr, "mykey-mock: person has no active card\n");
		return -1;
	}
	link = strcmp(db_setting(db, "link_on_reissue", v, sizeof(v), "true"),
	    "true") == 0;
	pairs[0] = a;
	pairs[1] = s;
	rc = issue(db, ca_dir, profiles_dir, person_id, out_dir, now, 0, 0, 0,
	    out, pairs, link ? "reissue" : NULL, 1);
	if (rc == 0)
		rc = db_exec(db, "UPDATE cards SET state='lost' WHERE "
		    "card_id=?", "s", card);
	return rc;
}

static int
copy_file(const char *from, const char *to, int mode)
{
	uint8_t *buf = NULL;
	size_t n;
	int rc;

	if (mm_read_file(from, &buf, &n, 65536) != 0)
		return -1;
	rc = mm_write_file(to, buf, n, mode);
	OPENSSL_cleanse(buf, n);
	free(buf);
	return rc;
}

static void
rm_tree(const char *dir)
{
	DIR *d;
	struct dirent *e;
	char p[900];

	if ((d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		(void)snprintf(p, sizeof(p), "%.600s/%.255s", dir, e->d_name);
		(void)unlink(p);
	}
	(void)closedir(d);
	(void)rmdir(dir);
}

/* Replace "address = ..." in profile.conf, keeping everything else. */
static int
conf_address(const char *dir, const char *address)
{
	char path[700], *out = NULL, *line, *save = NULL;
	uint8_t *buf = NULL;
	size_t n, cap, o = 0;
	int rc = -1;

	(void)snprintf(path, sizeof(path), "%s/profile.conf", dir);
	if (mm_read_file(path, &buf, &n, 65536) != 0)
		return -1;
	cap = n + strlen(address) + 64;
	if ((out = malloc(cap)) == NULL)
		goto out;
	for (line = strtok_r((char *)buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "address", 7) == 0 && strchr(" =", line[7]) !=
		    NULL)
			o += (size_t)snprintf(out + o, cap - o, "address = %s\n",
			    address);
		else
			o += (size_t)snprintf(out + o, cap - o, "%s\n", line);
		if (o >= cap)
			goto out;
	}
	rc = mm_write_file(path, out, o, 0600);
out:
	if (out != NULL) {
		OPENSSL_cleanse(out, cap);
		free(out);
	}
	OPENSSL_cleanse(buf, n);
	free(buf);
	return rc;
}

/*
 * Move (住所変更): the sign certificate is revoked affiliationChanged and
 * a new one is issued on the same card and linked; the auth certificate
 * is untouched (api §1, §5.5).  The card's profile gets the new sign.crt,
 * sign.key and address.
 */
int
auth_person_move(struct mm_db *db, const char *ca_dir, const char *person_id,
    const char *address, long long now, struct card_out *out)
{
	struct mm_st *st;
	char card[48] = "", dir[512] = "", tmp[600], a[MM_SERIAL_MAX];
	char s[MM_SERIAL_MAX], from[700], to[700], tmpprof[620];
	struct card_out scratch;
	struct certinfo si;
	char *pairs[2];
	int rc = -1;

	memset(out, 0, sizeof(*out));
	memset(&si, 0, sizeof(si));
	if (address == NULL || *address == '\0' || strlen(address) > 400 ||
	    strpbrk(address, "\r\n") != NULL)
		return -1;
	st = db_q(db, "SELECT card_id, profile_dir FROM cards WHERE "
	    "person_id=? AND state='active' ORDER BY issued_at DESC, rowid "
	    "DESC LIMIT 1", "s", person_id);
	if (st != NULL && db_row(st) == 1) {
		db_col(st, 0, card, sizeof(card));
		db_col(st, 1, dir, sizeof(dir));
	}
	db_end(st);
	if (card[0] == '\0' || card_certs(db, card, a, s) != 0) {
		(void)fprintf(stderr, "mykey-mock: person has no active card\n");
		return -1;
	}
	if (db_exec(db, "UPDATE persons SET address=?, updated_at=? WHERE "
	    "person_id=?", "sis", address, now, person_id) != 0)
		return -1;
	/* mkprofile makes whole cards: take the sign half of a scratch one */
	(void)snprintf(tmp, sizeof(tmp), "%s.move-XXXXXX", dir);
	if (mkdtemp(tmp) == NULL)
		return -1;
	(void)snprintf(tmpprof, sizeof(tmpprof), "%.600s/p", tmp);
	pairs[0] = NULL;
	pairs[1] = s;
	if (issue(db, ca_dir, tmp, person_id, tmpprof, now, 0, 0, 0, &scratch,
	    pairs, "basic4_change", 3) != 0)
		goto out;
	/* the scratch card's auth cert never existed for J-LIS */
	if (read_cert(tmpprof, "sign.crt", &si) != 0)
		goto out;
	if (db_begin(db) != 0)
		goto out;
	if (db_exec(db, "UPDATE certificates SET card_id=? WHERE "
	    "issuance_number=?", "ss", card, si.serial) != 0 ||
	    db_exec(db, "DELETE FROM certificates WHERE card_id=?", "s",
	    scratch.card_id) != 0 ||
	    db_exec(db, "DELETE FROM cards WHERE card_id=?", "s",
	    scratch.card_id) != 0 || db_commit(db) != 0) {
		db_rollback(db);
		goto out;
	}
	(void)snprintf(from, sizeof(from), "%s/sign.crt", tmpprof);
	(void)snprintf(to, sizeof(to), "%s/sign.crt", dir);
	if (dir[0] != '\0' && copy_file(from, to, 0644) != 0)
		goto out;
	(void)snprintf(from, sizeof(from), "%s/sign.key", tmpprof);
	(void)snprintf(to, sizeof(to), "%s/sign.key", dir);
	if (dir[0] != '\0' && (copy_file(from, to, 0600) != 0 ||
	    conf_address(dir, address) != 0))
		goto out;
	(void)snprintf(out->card_id, sizeof(out->card_id), "%s", card);
	(void)snprintf(out->profile_dir, sizeof(out->profile_dir), "%s", dir);
	(void)snprintf(out->auth_serial, sizeof(out->auth_serial), "%s", a);
	(void)snprintf(out->sign_serial, sizeof(out->sign_serial), "%s",
	    si.serial);
	rc = 0;
out:
	free(si.der);
	rm_tree(tmpprof);
	(void)rmdir(tmp);
	return rc;
}

int
auth_fault_add(struct mm_db *db, const char *glob, int status, int delay_ms,
    int drop, int count, int retry_after)
{
	if (glob == NULL || *glob != '/' || strlen(glob) > 200 || count < 1 ||
	    (status != 0 && (status < 400 || status > 599)) || delay_ms < 0 ||
	    delay_ms > 60000 || retry_after < 0 || retry_after > 86400 ||
	    (status == 0 && delay_ms == 0 && !drop))
		return -1;
	return db_exec(db, "INSERT INTO faults(path_glob, status, delay_ms, "
	    "drop_conn, retry_after, remaining) VALUES(?,?,?,?,?,?)", "siiiii",
	    glob, (long long)status, (long long)delay_ms, (long long)drop,
	    (long long)retry_after, (long long)count);
}

/*
 * Clock: "real" (no override), "+N"/"-N" seconds from now (relative to
 * the current mock time), or an RFC 3339 time / unix seconds.
 */
int
auth_clock_set(struct mm_db *db, const char *spec)
{
	long long now = (long long)time(NULL), t, off;
	char buf[32], *end;

	if (strcmp(spec, "real") == 0) {
		off = 0;
	} else if (spec[0] == '+' || spec[0] == '-') {
		errno = 0;
		t = strtoll(spec, &end, 10);
		if (*end != '\0' || spec[1] == '\0' || errno != 0 ||
		    t < -MM_CLOCK_SPAN_S || t > MM_CLOCK_SPAN_S)
			return -1;
		/* both within the span: the sum cannot overflow */
		off = db_clock_offset(db);
		if (off < -MM_CLOCK_SPAN_S || off > MM_CLOCK_SPAN_S)
			off = 0;
		off += t;
	} else {
		if (mm_parse_rfc3339(spec, &t) != 0)
			return -1;
		off = t - now;
	}
	if (off < -MM_CLOCK_SPAN_S || off > MM_CLOCK_SPAN_S)
		return -1;
	(void)snprintf(buf, sizeof(buf), "%lld", off);
	return db_set_setting(db, "clock_offset", buf);
}
