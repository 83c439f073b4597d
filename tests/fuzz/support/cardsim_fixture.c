/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * The cardsim harnesses' card (cardsim_fixture.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jpki/err.h>

#include "cardsim_fixture.h"
#include "../../../tools/common/mkprofile.h"

static cardsim_t *card;
static pin_t	 pins0[P_COUNT];
static int	 left0[TRY_COUNT];
static char	 scratch[64];

static void
cleanup(void)
{
	char path[128];

	cardsim_free(&card);
	if (scratch[0] != '\0') {
		snprintf(path, sizeof(path), "%s/profile.conf", scratch);
		(void)unlink(path);
		snprintf(path, sizeof(path), "%s/state", scratch);
		(void)unlink(path);
		(void)rmdir(scratch);
	}
}

/* build-dir/tests/fuzz/cardsim-profile, made once (atomically). */
static void
profile_dir(char *out, size_t n)
{
	static char exe[1024], tmp[1200];
	char *slash;
	mkp_ca_t *ca = NULL;
	mkp_params_t p;
	ssize_t l;

	if ((l = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) < 0 ||
	    (size_t)l + 32 > n)
		abort();
	exe[l] = '\0';
	if ((slash = strrchr(exe, '/')) != NULL)
		*slash = '\0';
	(void)snprintf(out, n, "%.1000s/cardsim-profile", exe);
	if (access(out, R_OK) == 0)
		return;
	(void)snprintf(tmp, sizeof(tmp), "%.1100s.%ld", out, (long)getpid());
	memset(&p, 0, sizeof(p));
	p.out_dir = tmp;
	p.seed = 7;
	if (mkp_ca_open(NULL, 1, &ca) != JPKI_OK ||
	    mkp_write_profile(ca, &p, NULL, NULL) != JPKI_OK) {
		fprintf(stderr, "fuzz: cannot make a card profile\n");
		abort();
	}
	mkp_ca_free(&ca);
	/* another process may have won the race: then use its profile */
	if (rename(tmp, out) != 0 && access(out, R_OK) != 0)
		abort();
}

static void
init(void)
{
	static char dir[1100], cmd[2400];
	char err[256];

	profile_dir(dir, sizeof(dir));
	if (cardsim_open(dir, 0, 0, &card, err, sizeof(err)) != JPKI_OK) {
		fprintf(stderr, "fuzz: cardsim: %s\n", err);
		abort();
	}
	/* the card writes its non-volatile changes here, not to the cache */
	snprintf(scratch, sizeof(scratch), "%s/jpki-fuzz-XXXXXX",
	    access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (mkdtemp(scratch) == NULL)
		abort();
	(void)snprintf(cmd, sizeof(cmd), "cp '%s/profile.conf' '%s/'", dir,
	    scratch);
	if (system(cmd) != 0)
		abort();
	free(card->dir);
	if ((card->dir = strdup(scratch)) == NULL)
		abort();
	memcpy(pins0, card->pin, sizeof(pins0));
	memcpy(left0, card->left, sizeof(left0));
	atexit(cleanup);
}

cardsim_t *
fx_cardsim(void)
{
	if (card == NULL)
		init();
	memcpy(card->pin, pins0, sizeof(pins0));
	memcpy(card->left, left0, sizeof(left0));
	card->no_extended = 0;
	card->contactless = 0;
	cardsim_power(card);
	return card;
}
