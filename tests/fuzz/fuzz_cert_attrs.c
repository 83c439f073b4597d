/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Fuzz the holder-attribute parser of src/cert_attrs.c: the input is a
 * subjectAltName extension value (GeneralNames DER, jpki-card.md §9.3).
 * Invariants: on success every attribute is valid UTF-8, the derived
 * fields agree with the raw ones (birth_iso/era with birth_raw, sex_name
 * with sex); on failure nothing is left set and a reason is given, and an
 * "unknown attribute OID" reason names an OID inside the holder arc (one
 * outside it, however long, is ignored: issue 10, san-foreign-long-oid).
 */
#include <stdlib.h>
#include <string.h>

#include <jpki/err.h>

#include "cert_int.h"
#include "utf8.h"
#include "fuzz.h"

static void
utf8_or_null(const char *s)
{
	if (s != NULL && !utf8_check((const uint8_t *)s, strlen(s),
	    UTF8_CTRL, NULL))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char unknown[] = "unknown attribute OID ";
	static const char arc[] = CERT_OID_ATTR_ARC ".";
	struct cert_attrs a;
	char err[CERT_ERRLEN];
	int r;

	r = cert_attrs_parse(data, size, &a, err, sizeof(err));
	if (r != JPKI_OK) {
		if (a.name != NULL || a.name_flags != NULL || a.sex != NULL ||
		    a.birth_raw != NULL || a.birth_iso != NULL ||
		    a.address != NULL || a.address_flags != NULL ||
		    err[0] == '\0')
			abort();
		if (strncmp(err, unknown, sizeof(unknown) - 1) == 0 &&
		    strncmp(err + sizeof(unknown) - 1, arc, sizeof(arc) - 1)
		    != 0)
			abort();
		return 0;
	}
	utf8_or_null(a.name);
	utf8_or_null(a.name_flags);
	utf8_or_null(a.address);
	utf8_or_null(a.address_flags);
	if ((a.sex == NULL) != (a.sex_name == NULL))
		abort();
	if ((a.birth_raw == NULL) != (a.birth_iso == NULL) ||
	    (a.birth_raw == NULL) != (a.birth_era == NULL))
		abort();
	if (a.birth_raw != NULL && (strlen(a.birth_raw) != 9 ||
	    strlen(a.birth_iso) != 10 ||
	    memcmp(a.birth_iso, a.birth_raw + 1, 4) != 0 ||
	    memcmp(a.birth_iso + 5, a.birth_raw + 5, 2) != 0 ||
	    memcmp(a.birth_iso + 8, a.birth_raw + 7, 2) != 0))
		abort();
	cert_attrs_clear(&a);
	return 0;
}
