/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * The last PIN the card refused, per token, so that the same PIN given
 * again is refused without a VERIFY.  Applications retry a login on their
 * own: NSS (tstclnt, certutil) logs in once for the certificate lookup and
 * again for the key with the same password-file PIN, which spent two of
 * the auth PIN's three tries for one PIN the user gave.  A PIN the card
 * refused stays wrong until the card's PIN changes, and a change needs a
 * successful VERIFY, which resets the retry counter: so the memory holds
 * only while the counter still shows the value left by the refusal (read
 * with a VERIFY without data, which spends no try).  Forgotten on a
 * successful login, on a PIN change and when the card goes away.
 *
 * Kept as a salted SHA-256, wiped when forgotten; never logged.
 */
#include <string.h>
#include <sys/random.h>

#include "p11_int.h"

static void
digest(const uint8_t salt[16], enum p11_kind k, const char *pin, size_t len,
    uint8_t md[32])
{
	uint8_t	buf[16 + 1 + JPKI_PIN_MAX];
	size_t	mdl = 32;

	memcpy(buf, salt, 16);
	buf[16] = (uint8_t)k;
	memcpy(buf + 17, pin, len);
	if (jpki_hash(JPKI_HASH_SHA256, buf, 17 + len, md, &mdl) != JPKI_OK)
		memset(md, 0, 32);
	jpki_secure_zero(buf, sizeof(buf));
}

void
p11_badpin_forget(struct p11_reader *r, enum p11_kind k)
{
	jpki_secure_zero(&r->badpin[k], sizeof(r->badpin[k]));
}

void
p11_badpin_remember(struct p11_reader *r, enum p11_kind k, const char *pin,
    size_t len, int tries_left)
{
	struct p11_badpin *b = &r->badpin[k];

	p11_badpin_forget(r, k);
	if (tries_left < 0 || len > JPKI_PIN_MAX ||
	    getrandom(b->salt, sizeof(b->salt), 0) != (ssize_t)sizeof(b->salt))
		return;		/* unknown counter: nothing to compare later */
	digest(b->salt, k, pin, len, b->md);
	b->tries_left = tries_left;
	b->set = 1;
}

/*
 * 1 if pin is the one the card last refused and nobody has verified a PIN
 * since (the counter is where the refusal left it); else 0, and the memory
 * is dropped if the counter moved.
 */
int
p11_badpin_known(struct p11_reader *r, enum p11_kind k, const char *pin,
    size_t len)
{
	struct p11_badpin *b = &r->badpin[k];
	uint8_t		 md[32];
	int		 tries = -1, same;

	if (!b->set || len > JPKI_PIN_MAX || r->h == NULL)
		return 0;
	if (jpki_card_pin_status(r->h, k == P11_AUTH ? JPKI_PIN_AUTH :
	    JPKI_PIN_SIGN, &tries) != JPKI_OK || tries != b->tries_left) {
		if (tries >= 0)
			p11_badpin_forget(r, k);
		return 0;
	}
	digest(b->salt, k, pin, len, md);
	same = memcmp(md, b->md, sizeof(md)) == 0;
	jpki_secure_zero(md, sizeof(md));
	return same;
}
