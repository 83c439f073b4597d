/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Fuzz the C-APDU decoder (src/apdu.c apdu_decode, used by the virtual
 * card for bytes from pcscd) and the status-word table.  Invariants: a
 * decoded APDU's data lies inside the input and re-encodes (apdu_encode)
 * to exactly the input bytes, since both follow ISO 7816-4 §5.1 with one
 * encoding per case; every status word maps to a known error, with a
 * retry counter only for 63Cx.  Seeds: commands recorded from the library
 * (tests/fuzz/record_card.c) and each short/extended case.
 */
#include <stdlib.h>
#include <string.h>

#include <jpki/err.h>

#include "apdu.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[APDU_MAX_CMD];
	apdu_t	a;
	size_t	n;
	int	tries, r;

	if (size >= 2) {
		uint16_t sw = (uint16_t)(data[0] << 8 | data[1]);

		r = apdu_sw_to_err(sw, &tries);
		if ((sw & 0xFFF0) == 0x63C0) {
			if (tries != (sw & 0x0F))
				abort();
		} else if (tries != -1)
			abort();
		if ((r == JPKI_OK) != (sw == 0x9000) || r > 0 ||
		    jpki_strerror_name(r) == NULL)
			abort();
	}
	if (apdu_decode(data, size, &a) != JPKI_OK)
		return 0;
	if (a.lc > APDU_MAX_LC || a.le > APDU_MAX_LE ||
	    (a.lc > 0 && (a.data < data || a.data + a.lc > data + size)) ||
	    (a.lc == 0 && a.data != NULL))
		abort();
	if (apdu_encode(&a, out, sizeof(out), &n) != JPKI_OK)
		abort();	/* whatever decodes can be encoded */
	if (n != size || memcmp(out, data, n) != 0)
		abort();
	if (apdu_is_extended(&a) != (size > 5 && data[4] == 0))
		abort();
	return 0;
}
