/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * bench-pam's physical minimum (tests/e2e/pam_bench.sh): the four APDUs a
 * card login cannot do without, sent raw through libjpki and pcscd:
 * SELECT the JPKI AP, one READ BINARY of the authentication certificate
 * (EF 000A by short file id, extended Le), VERIFY the PIN (EF 0018), SIGN
 * a SHA-256 DigestInfo with the authentication key (EF 0017).  No checks:
 * it only measures.  The PIN comes from the environment variable named by
 * the first argument (never argv).  Exits 0 when every SW is 9000.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpki/jpki.h>

/* One command; 1 when it answered 9000. */
static int
tx(jpki_card_t *c, const uint8_t *apdu, size_t len, uint8_t *rsp,
    size_t *n)
{
	*n = 8192;
	return jpki_card_transmit(c, apdu, len, rsp, n) == JPKI_OK &&
	    *n >= 2 && rsp[*n - 2] == 0x90 && rsp[*n - 1] == 0x00;
}

int
main(int argc, char **argv)
{
	static const uint8_t sel[] = { 0x00, 0xa4, 0x04, 0x0c, 0x0a, 0xd3,
	    0x92, 0xf0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01 };
	static const uint8_t rd[] = { 0x00, 0xb0, 0x8a, 0x00, 0x00, 0x00,
	    0x00 };
	uint8_t ver[9 + JPKI_PIN_MAX] = { 0x00, 0x20, 0x00, 0x98 };
	uint8_t sig[5 + 51 + 1] = { 0x80, 0x2a, 0x00, 0x97, 51 };
	uint8_t md[32] = { 0 }, rsp[8192];
	size_t n, di = 51, pl;
	const char *pin;
	jpki_card_t *c = NULL;
	int rc = 1;

	if (argc != 2 || (pin = getenv(argv[1])) == NULL ||
	    (pl = strlen(pin)) == 0 || pl > JPKI_PIN_MAX) {
		fprintf(stderr, "usage: pam_min PIN-ENV-VAR\n");
		return 2;
	}
	ver[4] = (uint8_t)pl;
	memcpy(ver + 5, pin, pl);
	if (jpki_digestinfo(JPKI_HASH_SHA256, md, sizeof(md), sig + 5,
	    &di) != JPKI_OK || di != 51)
		return 1;
	sig[5 + 51] = 0x00;	/* Le: 256 */
	if (jpki_card_new(&c) != JPKI_OK ||
	    jpki_card_open(c, NULL, 0, JPKI_OPEN_NO_SELECT) != JPKI_OK)
		goto out;
	if (tx(c, sel, sizeof(sel), rsp, &n) && tx(c, rd, sizeof(rd), rsp,
	    &n) && tx(c, ver, 5 + pl, rsp, &n) && tx(c, sig, sizeof(sig), rsp,
	    &n) && n == 258)
		rc = 0;
out:
	jpki_secure_zero(ver, sizeof(ver));
	if (c != NULL)
		jpki_card_close(c);
	jpki_card_free(&c);
	return rc;
}
