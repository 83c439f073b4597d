/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Fuzz CMS signature verification (src/cert_cms_verify.c): a SignedData
 * from anyone, checked against a trust anchor.  Input chunks
 * (support/chunks.h): the anchor (DER), the signed data, the CMS (DER).
 * Seeds: `jpki sign sign --cms` on a card mykey-mock issued
 * (tests/fuzz/record_e2e.sh), with the mock's CA as the anchor.
 * Invariants: the result's rc is the return value, a reason always, and
 * JPKI_OK only with "ok" and a verified chain.
 */
#include <stdlib.h>
#include <string.h>

#include <jpki/cert.h>

#include "support/chunks.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	jpki_cms_verify_result_t res = { .size = sizeof(res) };
	jpki_verify_result_t chain = { .size = sizeof(chain) };
	jpki_verify_t *v = NULL;
	jpki_cert_t *ca = NULL;
	const uint8_t *anchor = NULL, *msg = NULL, *cms = NULL;
	size_t na = 0, nm = 0, nc = 0;
	chunks_t ck;
	unsigned tag;
	int r;

	chunks_init(&ck, data, size);
	if (!chunks_next(&ck, &anchor, &na, &tag) ||
	    !chunks_next(&ck, &msg, &nm, &tag) ||
	    !chunks_next(&ck, &cms, &nc, &tag))
		return 0;
	if (jpki_verify_new(&v, JPKI_VERIFY_NO_BUNDLED_ROOTS) != JPKI_OK)
		abort();
	if (jpki_cert_new(&ca, anchor, na) == JPKI_OK)
		(void)jpki_verify_add_anchor(v, ca);
	JPKI_INIT(&res);
	res.chain = &chain;
	r = jpki_cms_verify(cms, nc, msg, nm, v, NULL, &res);
	if (res.rc != r || res.reason[0] == '\0' ||
	    memchr(res.reason, '\0', sizeof(res.reason)) == NULL ||
	    memchr(res.signer_subject, '\0',
	    sizeof(res.signer_subject)) == NULL ||
	    memchr(res.signer_serial_hex, '\0',
	    sizeof(res.signer_serial_hex)) == NULL)
		abort();
	if (r == JPKI_OK && (strcmp(res.reason, "ok") != 0 ||
	    chain.rc != JPKI_OK))
		abort();
	jpki_cert_free(&ca);
	jpki_verify_free(&v);
	return 0;
}
