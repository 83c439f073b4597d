/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <stdlib.h>
#include <string.h>

#include "secure.h"

void
jpki_secure_zero(void *p, size_t len)
{
	if (p != NULL && len > 0)
		explicit_bzero(p, len);
}

void
jpki_free_secret(void *p, size_t len)
{
	if (p == NULL)
		return;
	jpki_secure_zero(p, len);
	free(p);
}
