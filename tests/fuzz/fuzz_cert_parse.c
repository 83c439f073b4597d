/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Fuzz jpki_cert_new (src/cert.c) and every accessor on what it accepts:
 * the issuance number (jpki-card.md §9.2) must be consistent between its
 * hex, decimal and DER forms, strings must be NUL-terminated and the
 * holder attributes either parse or give a reason.
 */
#include <stdlib.h>
#include <string.h>

#include <jpki/cert.h>

#include "fuzz.h"

static void
touch(const char *s)
{
	if (s == NULL)
		abort();
	(void)strlen(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	jpki_cert_t *c = NULL;
	jpki_cert_attrs_t a = { .size = sizeof(a) };
	const uint8_t *p, *n, *e;
	const char *hex;
	size_t len, nl, el, i;

	if (jpki_cert_new(&c, data, size) != JPKI_OK) {
		if (c != NULL)
			abort();
		return 0;
	}
	p = jpki_cert_der(c, &len);
	if (len != size || memcmp(p, data, size) != 0)
		abort();
	hex = jpki_cert_serial_hex(c);
	touch(hex);
	touch(jpki_cert_serial_dec(c));
	/* no leading zero nibble unless the serial is 0 */
	if (hex[0] == '0' && hex[1] != '\0')
		abort();
	p = jpki_cert_serial_der(c, &len);
	if (p == NULL || len < 3 || p[0] != 0x02)
		abort();
	touch(jpki_cert_subject(c));
	touch(jpki_cert_issuer(c));
	touch(jpki_cert_not_before_str(c));
	touch(jpki_cert_not_after_str(c));
	touch(jpki_cert_key_type(c));
	if (jpki_cert_rsa_public(c, &n, &nl, &e, &el) == JPKI_OK &&
	    (nl == 0 || el == 0 || n[0] == 0 || e[0] == 0))
		abort();
	for (i = 0; i < jpki_cert_policy_count(c); i++)
		touch(jpki_cert_policy(c, i));
	touch(jpki_cert_type_name(jpki_cert_type(c)));
	touch(jpki_hierarchy_name(jpki_cert_hierarchy(c)));
	if (jpki_cert_attrs(c, &a) != JPKI_OK) {
		touch(jpki_cert_attrs_error(c));
		if (a.name != NULL || a.address != NULL)
			abort();
	} else if (a.name != NULL) {
		touch(a.name);
	}
	jpki_cert_free(&c);
	return 0;
}
