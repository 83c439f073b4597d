/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * The 1.0 API convention (include/jpki/jpki.h, libjpki(3)):
 *   - a value struct whose size is below its 1.0 layout is refused with
 *     JPKI_ERR_ARG before anything is written;
 *   - a caller compiled against a future, longer header (sizeof + 64 here)
 *     is served, and the 64 bytes the library does not know stay as they
 *     were, as does the caller's size;
 *   - every constructor sets *out = NULL when it fails;
 *   - every destructor accepts NULL and a NULL object, and nulls the
 *     caller's pointer.
 * No card and no network: what needs a card is refused on the size before
 * the card is looked at.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <jpki/jpki.h>
#include <jpki/cert.h>
#include <jpki/kiosk.h>
#include <jpki/platform.h>

#include "abi.h"

#define TAIL	64
#define MARK	0xa5
#define ROOT	"data/jlis-roots/auth_ca_2023.pem"

/* A struct as a future header declares it: ours and TAIL more bytes. */
#define BIG(type, name)							\
	union {								\
		type		s;					\
		unsigned char	b[sizeof(type) + TAIL];			\
	} name##_u;							\
	type *name = (big_init(&name##_u, sizeof(type)), &name##_u.s)

static void
big_init(void *p, size_t lib)
{
	memset(p, 0, lib);
	memset((unsigned char *)p + lib, MARK, TAIL);
	*(size_t *)p = lib + TAIL;
}

/* The tail and the caller's size are as the caller left them. */
static void
big_check(const void *p, size_t lib)
{
	const unsigned char *t = (const unsigned char *)p + lib;
	size_t i;

	assert_int_equal(*(const size_t *)p, lib + TAIL);
	for (i = 0; i < TAIL; i++)
		if (t[i] != MARK)
			fail_msg("tail byte %zu written (0x%02x)", i, t[i]);
}
#define BIG_CHECK(name)	big_check(name, sizeof(*(name)))

/* A struct one byte short of its 1.0 layout. */
#define SMALL(type, name)						\
	type name##_s;							\
	type *name = (memset(&name##_s, 0x5a, sizeof(type)),		\
	    name##_s.size = ABI_MIN(&name##_s) - 1, &name##_s)

static jpki_cert_t *
root_cert(void)
{
	jpki_cert_t *c = NULL;

	assert_int_equal(jpki_cert_new_file(&c, ROOT), JPKI_OK);
	return c;
}

/* The one internal helper: exactly the 1.0 layout passes. */
static void
test_struct_ok_boundary(void **state)
{
	jpki_stats_t st;
	jpki_platform_result_t pr;
	jpki_kiosk_opts_t ko;

	(void)state;
	st.size = offsetof(jpki_stats_t, extended_apdus) +
	    sizeof(st.extended_apdus);
	assert_int_equal(JPKI_STRUCT_OK(&st), JPKI_OK);
	st.size--;
	assert_int_equal(JPKI_STRUCT_OK(&st), JPKI_ERR_ARG);
	st.size = 0;
	assert_int_equal(JPKI_STRUCT_OK(&st), JPKI_ERR_ARG);
	assert_int_equal(JPKI_STRUCT_OK((jpki_stats_t *)NULL), JPKI_ERR_ARG);
	pr.size = sizeof(pr);
	assert_int_equal(JPKI_STRUCT_OK(&pr), JPKI_OK);
	ko.size = sizeof(ko) + 4096;
	assert_int_equal(JPKI_STRUCT_OK(&ko), JPKI_OK);
	/* JPKI_INIT zeroes and sets size, in C and C++ alike */
	memset(&st, 0xff, sizeof(st));
	JPKI_INIT(&st);
	assert_int_equal(st.size, sizeof(st));
	assert_int_equal(st.apdus, 0);
	assert_int_equal(st.extended_apdus, 0);
}

static void
test_card_structs(void **state)
{
	jpki_card_t *c = NULL;
	SMALL(jpki_stats_t, st_small);
	SMALL(jpki_token_info_t, ti_small);
	SMALL(jpki_text_attrs_t, ta_small);
	SMALL(jpki_text_raw_t, tr_small);
	SMALL(jpki_visual_raw_t, vr_small);
	BIG(jpki_stats_t, st);

	(void)state;
	assert_int_equal(jpki_card_new(&c), JPKI_OK);
	assert_int_equal(jpki_card_stats(c, st_small), JPKI_ERR_ARG);
	assert_int_equal(jpki_card_token_info(c, ti_small), JPKI_ERR_ARG);
	assert_int_equal(jpki_card_text_attrs(c, ta_small), JPKI_ERR_ARG);
	assert_int_equal(jpki_card_text_raw(c, tr_small), JPKI_ERR_ARG);
	assert_int_equal(jpki_card_visual_read(c, vr_small), JPKI_ERR_ARG);
	/* refused means untouched: the clears leave it too */
	jpki_text_attrs_clear(ta_small);
	jpki_text_raw_clear(tr_small);
	jpki_visual_raw_clear(vr_small);
	assert_int_equal(ta_small->sex, 0x5a);
	assert_int_equal(vr_small->cvc_len, (size_t)0x5a5a5a5a5a5a5a5aULL);

	st->apdus = 99;
	assert_int_equal(jpki_card_stats(c, st), JPKI_OK);
	assert_int_equal(st->apdus, 0);
	BIG_CHECK(st);
	jpki_card_free(&c);
}

/* EF 0002 of the text AP: FF20 { DF21 offsets, DF22..DF25 }. */
static size_t
text_ef(uint8_t *b)
{
	static const uint8_t ef[] = {
		0xff, 0x20, 0x24,
		0xdf, 0x21, 0x08, 0x00, 0x0e, 0x00, 0x13, 0x00, 0x18,
		0x00, 0x23,
		0xdf, 0x22, 0x02, 'N', 'm',
		0xdf, 0x23, 0x02, 'A', 'd',
		0xdf, 0x24, 0x08, '2', '0', '0', '0', '0', '1', '0', '1',
		0xdf, 0x25, 0x01, '9',
	};

	memcpy(b, ef, sizeof(ef));
	return sizeof(ef);
}

static void
test_parse_structs(void **state)
{
	uint8_t ef[64], junk[8] = { 0 };
	size_t n = text_ef(ef);
	SMALL(jpki_text_attrs_t, ta_small);
	SMALL(jpki_visual_face_t, vf_small);
	BIG(jpki_text_attrs_t, ta);
	BIG(jpki_visual_face_t, vf);

	(void)state;
	assert_int_equal(jpki_text_attrs_parse(ef, n, ta_small),
	    JPKI_ERR_ARG);
	assert_int_equal(jpki_text_attrs_parse(ef, n, ta), JPKI_OK);
	assert_string_equal(ta->name, "Nm");
	assert_string_equal(ta->birth, "20000101");
	assert_int_equal(ta->sex, '9');
	BIG_CHECK(ta);
	jpki_text_attrs_clear(ta);
	assert_null(ta->name);
	BIG_CHECK(ta);

	assert_int_equal(jpki_visual_face_parse(junk, sizeof(junk),
	    vf_small), JPKI_ERR_ARG);
	vf->sex = 'x';
	assert_int_equal(jpki_visual_face_parse(junk, sizeof(junk), vf),
	    JPKI_ERR_PARSE);
	assert_int_equal(vf->sex, 0);
	BIG_CHECK(vf);
}

static void
test_cert_structs(void **state)
{
	static const uint8_t junk[32] = { 0x30, 0x03, 0x02, 0x01, 0x01 };
	jpki_cert_t *c = root_cert();
	jpki_verify_t *v = NULL;
	jpki_rev_t *rv = NULL;
	SMALL(jpki_cert_attrs_t, ca_small);
	SMALL(jpki_verify_result_t, vr_small);
	SMALL(jpki_rev_result_t, rr_small);
	SMALL(jpki_textap_result_t, tx_small);
	SMALL(jpki_visualap_result_t, vs_small);
	SMALL(jpki_cms_verify_result_t, cm_small);
	BIG(jpki_cert_attrs_t, ca);
	BIG(jpki_verify_result_t, vr);
	BIG(jpki_rev_result_t, rr);
	BIG(jpki_textap_result_t, tx);
	BIG(jpki_visualap_result_t, vs);
	BIG(jpki_cms_verify_result_t, cm);
	BIG(jpki_verify_result_t, chain);
	int r;

	(void)state;
	assert_int_equal(jpki_verify_new(&v, JPKI_VERIFY_NO_BUNDLED_ROOTS),
	    JPKI_OK);
	assert_int_equal(jpki_verify_add_anchor(v, c), JPKI_OK);
	assert_int_equal(jpki_rev_new(&rv), JPKI_OK);

	assert_int_equal(jpki_cert_attrs(c, ca_small), JPKI_ERR_ARG);
	(void)jpki_cert_attrs(c, ca);
	BIG_CHECK(ca);

	assert_int_equal(jpki_cert_verify(v, c, vr_small), JPKI_ERR_ARG);
	/* whatever the verdict on the J-LIS root, res carries it */
	r = jpki_cert_verify(v, c, vr);
	assert_int_equal(r, vr->rc);
	assert_true(vr->reason[0] != '\0');
	BIG_CHECK(vr);

	assert_int_equal(jpki_rev_check(rv, c, c, rr_small), JPKI_ERR_ARG);
	assert_int_equal(jpki_rev_check(rv, c, c, rr),
	    JPKI_ERR_CERT_STATUS_UNKNOWN);
	assert_non_null(strstr(rr->detail, "no revocation source"));
	BIG_CHECK(rr);

	assert_int_equal(jpki_textap_verify(junk, 17, junk, 8, junk, 8, junk,
	    8, "x", 1, tx_small), JPKI_ERR_ARG);
	assert_int_equal(jpki_textap_verify(junk, 17, junk, 8, junk, 8, junk,
	    8, "x", 1, tx), JPKI_ERR_PARSE);
	assert_true(tx->reason[0] != '\0');
	BIG_CHECK(tx);

	assert_int_equal(jpki_visualap_verify(junk, 8, junk, 8, "x", 1,
	    vs_small), JPKI_ERR_ARG);
	assert_int_equal(jpki_visualap_verify(junk, 8, junk, 8, "x", 1, vs),
	    JPKI_ERR_PARSE);
	BIG_CHECK(vs);

	assert_int_equal(jpki_cms_verify(junk, 5, junk, 1, v, NULL, cm_small),
	    JPKI_ERR_ARG);
	/* a short sub-result is refused as well */
	cm->chain = vr_small;
	assert_int_equal(jpki_cms_verify(junk, 5, junk, 1, v, NULL, cm),
	    JPKI_ERR_ARG);
	cm->chain = chain;
	assert_int_equal(jpki_cms_verify(junk, 5, junk, 1, v, NULL, cm),
	    JPKI_ERR_PARSE);
	assert_ptr_equal(cm->chain, chain);
	assert_null(cm->revocation);
	assert_int_equal(cm->rc, JPKI_ERR_PARSE);
	BIG_CHECK(cm);
	BIG_CHECK(chain);

	jpki_rev_free(&rv);
	jpki_verify_free(&v);
	jpki_cert_free(&c);
}

static void
test_kiosk_structs(void **state)
{
	jpki_kiosk_t *k = (jpki_kiosk_t *)1;
	SMALL(jpki_kiosk_opts_t, ko_small);
	SMALL(jpki_kiosk_event_t, ev_small);
	BIG(jpki_kiosk_opts_t, ko);
	BIG(jpki_kiosk_event_t, ev);

	(void)state;
	assert_int_equal(jpki_kiosk_new(&k, ko_small), JPKI_ERR_ARG);
	assert_null(k);
	/* the caller's tail is not read as options either */
	ko->budget_ms = 1234;
	assert_int_equal(jpki_kiosk_new(&k, ko), JPKI_OK);
	BIG_CHECK(ko);
	assert_int_equal(jpki_kiosk_wait(k, 0, ev_small), JPKI_ERR_ARG);
	/* a cancel is seen before pcscd is asked */
	assert_int_equal(jpki_kiosk_cancel(k), JPKI_OK);
	ev->type = JPKI_KIOSK_EV_TAP_DONE;
	assert_int_equal(jpki_kiosk_wait(k, 0, ev), JPKI_ERR_CANCELLED);
	assert_int_equal(ev->type, JPKI_KIOSK_EV_NONE);
	BIG_CHECK(ev);
	jpki_kiosk_free(&k);
	assert_int_equal(jpki_kiosk_cancel(NULL), JPKI_ERR_ARG);
}

static void
test_platform_structs(void **state)
{
	char path[] = "/tmp/jpki-abi-queue-XXXXXX";
	jpki_platform_t *p = NULL;
	jpki_queue_t *q = NULL;
	int fd;
	SMALL(jpki_platform_opts_t, po_small);
	SMALL(jpki_consent_t, cs_small);
	SMALL(jpki_platform_result_t, pr_small);
	SMALL(jpki_queue_stats_t, qs_small);
	BIG(jpki_platform_opts_t, po);
	BIG(jpki_consent_t, cs);
	BIG(jpki_platform_result_t, pr);
	BIG(jpki_queue_stats_t, qs);

	(void)state;
	assert_int_equal(jpki_platform_new(&p), JPKI_OK);
	po_small->url = "http://127.0.0.1:9";
	assert_int_equal(jpki_platform_configure(p, po_small), JPKI_ERR_ARG);
	po->url = "http://127.0.0.1:9";
	po->client_id = "cli_abi";
	po->client_secret = "s";
	po->allow_http_loopback = 1;
	assert_int_equal(jpki_platform_configure(p, po), JPKI_OK);
	BIG_CHECK(po);

	assert_int_equal(jpki_consent_mint(cs_small, JPKI_PURPOSE_PROOF,
	    JPKI_TERMS_VERSION), JPKI_ERR_ARG);
	assert_int_equal(jpki_consent_check(cs_small, NULL), JPKI_ERR_ARG);
	assert_int_equal(jpki_consent_mint(cs, JPKI_PURPOSE_PROOF,
	    JPKI_TERMS_VERSION), JPKI_OK);
	assert_int_equal(jpki_consent_check(cs, JPKI_PURPOSE_PROOF), JPKI_OK);
	BIG_CHECK(cs);

	/* refused on the struct before any request */
	assert_int_equal(jpki_platform_status(p, "MK1", NULL, pr_small),
	    JPKI_ERR_ARG);
	pr->http_status = 7;
	assert_int_equal(jpki_platform_history(p, "bad id/", pr),
	    JPKI_ERR_ARG);
	assert_int_equal(pr->http_status, 0);
	assert_int_equal(pr->pin_tries, -1);
	BIG_CHECK(pr);
	jpki_platform_result_clear(pr);
	BIG_CHECK(pr);
	jpki_platform_result_clear(pr_small);	/* refused: untouched */
	assert_int_equal(pr_small->http_status, 0x5a5a5a5a);

	assert_true((fd = mkstemp(path)) >= 0);
	close(fd);
	assert_int_equal(jpki_queue_new(&q, path), JPKI_OK);
	assert_int_equal(jpki_queue_flush(q, p, qs_small), JPKI_ERR_ARG);
	qs->sent = 5;
	assert_int_equal(jpki_queue_flush(q, p, qs), JPKI_OK);
	assert_int_equal(qs->sent, 0);
	assert_int_equal(qs->pending, 0);
	BIG_CHECK(qs);
	jpki_queue_free(&q);
	jpki_platform_free(&p);
	unlink(path);
}

/* Every constructor: *out = NULL on failure, whatever it held. */
static void
test_constructors_null_on_failure(void **state)
{
	static const uint8_t junk[4] = { 0x30, 0x02, 0x05, 0x00 };
	jpki_kiosk_opts_t ko = { .size = sizeof(ko) };
	void *bogus = (void *)&ko;
	jpki_card_t *card;
	jpki_cert_t *cert;
	jpki_hash_ctx_t *h;
	jpki_verify_t *v;
	jpki_kiosk_t *k;
	jpki_queue_t *q;

	(void)state;
	assert_int_equal(jpki_card_new(NULL), JPKI_ERR_ARG);
	assert_int_equal(jpki_platform_new(NULL), JPKI_ERR_ARG);
	assert_int_equal(jpki_rev_new(NULL), JPKI_ERR_ARG);
	assert_int_equal(jpki_verify_new(NULL, 0), JPKI_ERR_ARG);
	assert_int_equal(jpki_kiosk_new(NULL, NULL), JPKI_ERR_ARG);
	assert_int_equal(jpki_queue_new(NULL, "/tmp/x"), JPKI_ERR_ARG);

	cert = bogus;
	assert_int_equal(jpki_cert_new(&cert, NULL, 0), JPKI_ERR_ARG);
	assert_null(cert);
	cert = bogus;
	assert_int_equal(jpki_cert_new(&cert, junk, sizeof(junk)),
	    JPKI_ERR_PARSE);
	assert_null(cert);
	cert = bogus;
	assert_int_equal(jpki_cert_new(&cert, junk, JPKI_MAX_CERT + 1),
	    JPKI_ERR_TOO_LARGE);
	assert_null(cert);
	cert = bogus;
	assert_int_equal(jpki_cert_new_file(&cert, "/nonexistent/x.pem"),
	    JPKI_ERR_IO);
	assert_null(cert);
	cert = bogus;
	assert_int_equal(jpki_cert_new_file(&cert, NULL), JPKI_ERR_ARG);
	assert_null(cert);

	h = bogus;
	assert_int_equal(jpki_hash_ctx_new(&h, (jpki_hash_t)99),
	    JPKI_ERR_ARG);
	assert_null(h);

	v = bogus;
	assert_int_equal(setenv("JPKI_ROOTS_DIR", "/nonexistent", 1), 0);
	assert_int_equal(jpki_verify_new(&v, 0), JPKI_ERR_IO);
	assert_null(v);
	assert_int_equal(unsetenv("JPKI_ROOTS_DIR"), 0);

	k = bogus;
	ko.flags = 0x80000000u;
	assert_int_equal(jpki_kiosk_new(&k, &ko), JPKI_ERR_ARG);
	assert_null(k);
	k = bogus;
	ko.size = 3;
	assert_int_equal(jpki_kiosk_new(&k, &ko), JPKI_ERR_ARG);
	assert_null(k);

	q = bogus;
	assert_int_equal(jpki_queue_new(&q, "/nonexistent/dir/q.db"),
	    JPKI_ERR_IO);
	assert_null(q);
	q = bogus;
	assert_int_equal(jpki_queue_new(&q, NULL), JPKI_ERR_ARG);
	assert_null(q);

	/* and on success the object is there */
	card = NULL;
	assert_int_equal(jpki_card_new(&card), JPKI_OK);
	assert_non_null(card);
	jpki_card_free(&card);
}

/* Every destructor: NULL and a NULL object are fine; the pointer is
 * nulled. */
static void
test_destructors(void **state)
{
	jpki_card_t *card = NULL;
	jpki_cert_t *cert = NULL;
	jpki_hash_ctx_t *h = NULL;
	jpki_verify_t *v = NULL;
	jpki_rev_t *rv = NULL;
	jpki_kiosk_t *k = NULL;
	jpki_platform_t *p = NULL;
	jpki_queue_t *q = NULL;
	char **names = NULL;
	int *present = NULL;
	char path[] = "/tmp/jpki-abi-free-XXXXXX";
	int fd;

	(void)state;
	jpki_card_free(NULL);
	jpki_cert_free(NULL);
	jpki_hash_ctx_free(NULL);
	jpki_verify_free(NULL);
	jpki_rev_free(NULL);
	jpki_kiosk_free(NULL);
	jpki_platform_free(NULL);
	jpki_queue_free(NULL);
	jpki_reader_list_free(NULL, NULL);
	jpki_card_free(&card);
	jpki_cert_free(&cert);
	jpki_hash_ctx_free(&h);
	jpki_verify_free(&v);
	jpki_rev_free(&rv);
	jpki_kiosk_free(&k);
	jpki_platform_free(&p);
	jpki_queue_free(&q);
	jpki_reader_list_free(&names, &present);
	jpki_card_close(NULL);
	jpki_text_attrs_clear(NULL);
	jpki_text_raw_clear(NULL);
	jpki_visual_raw_clear(NULL);
	jpki_platform_result_clear(NULL);

	assert_int_equal(jpki_card_new(&card), JPKI_OK);
	cert = root_cert();
	assert_int_equal(jpki_hash_ctx_new(&h, JPKI_HASH_SHA256), JPKI_OK);
	assert_int_equal(jpki_verify_new(&v, JPKI_VERIFY_NO_BUNDLED_ROOTS),
	    JPKI_OK);
	assert_int_equal(jpki_rev_new(&rv), JPKI_OK);
	assert_int_equal(jpki_kiosk_new(&k, NULL), JPKI_OK);
	assert_int_equal(jpki_platform_new(&p), JPKI_OK);
	assert_true((fd = mkstemp(path)) >= 0);
	close(fd);
	assert_int_equal(jpki_queue_new(&q, path), JPKI_OK);
	names = calloc(2, sizeof(*names));
	present = calloc(1, sizeof(*present));
	assert_non_null(names);
	names[0] = strdup("reader");
	assert_non_null(names[0]);

	jpki_card_free(&card);
	jpki_cert_free(&cert);
	jpki_hash_ctx_free(&h);
	jpki_verify_free(&v);
	jpki_rev_free(&rv);
	jpki_kiosk_free(&k);
	jpki_platform_free(&p);
	jpki_queue_free(&q);
	jpki_reader_list_free(&names, &present);
	assert_null(card);
	assert_null(cert);
	assert_null(h);
	assert_null(v);
	assert_null(rv);
	assert_null(k);
	assert_null(p);
	assert_null(q);
	assert_null(names);
	assert_null(present);
	unlink(path);
}

/* Setters return a code now (rule 4). */
static void
test_setters(void **state)
{
	jpki_verify_t *v = NULL;
	jpki_rev_t *rv = NULL;
	jpki_card_t *c = NULL;

	(void)state;
	assert_int_equal(jpki_verify_new(&v, JPKI_VERIFY_NO_BUNDLED_ROOTS),
	    JPKI_OK);
	assert_int_equal(jpki_rev_new(&rv), JPKI_OK);
	assert_int_equal(jpki_card_new(&c), JPKI_OK);
	assert_int_equal(jpki_verify_set_time(v, 1700000000LL), JPKI_OK);
	assert_int_equal(jpki_verify_set_time(NULL, 0), JPKI_ERR_ARG);
	assert_int_equal(jpki_verify_set_purpose(v, JPKI_PURPOSE_SIGN),
	    JPKI_OK);
	assert_int_equal(jpki_verify_set_purpose(v, (jpki_purpose_t)42),
	    JPKI_ERR_ARG);
	assert_int_equal(jpki_rev_set_time(rv, 0), JPKI_OK);
	assert_int_equal(jpki_rev_set_timeout(rv, 500), JPKI_OK);
	assert_int_equal(jpki_rev_set_timeout(rv, 0), JPKI_ERR_ARG);
	assert_int_equal(jpki_rev_set_timeout(NULL, 500), JPKI_ERR_ARG);
	assert_int_equal(jpki_card_set_reset_on_close(c, 1), JPKI_OK);
	assert_int_equal(jpki_card_set_reset_on_close(NULL, 1), JPKI_ERR_ARG);
	assert_int_equal(jpki_card_stats_reset(c), JPKI_OK);
	assert_int_equal(jpki_card_stats_reset(NULL), JPKI_ERR_ARG);
	jpki_card_free(&c);
	jpki_rev_free(&rv);
	jpki_verify_free(&v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_struct_ok_boundary),
		cmocka_unit_test(test_card_structs),
		cmocka_unit_test(test_parse_structs),
		cmocka_unit_test(test_cert_structs),
		cmocka_unit_test(test_kiosk_structs),
		cmocka_unit_test(test_platform_structs),
		cmocka_unit_test(test_constructors_null_on_failure),
		cmocka_unit_test(test_destructors),
		cmocka_unit_test(test_setters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
