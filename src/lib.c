/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <jpki/jpki.h>

#include "transport.h"

static pthread_mutex_t	init_lock = PTHREAD_MUTEX_INITIALIZER;
static int		init_count;

int
jpki_init(void)
{
	pthread_mutex_lock(&init_lock);
	init_count++;
	pthread_mutex_unlock(&init_lock);
	return JPKI_OK;
}

void
jpki_exit(void)
{
	pthread_mutex_lock(&init_lock);
	if (init_count > 0)
		init_count--;
	pthread_mutex_unlock(&init_lock);
}

void
jpki_free(void *p)
{
	free(p);
}

int
jpki_reader_list(char ***names, size_t *count, int **present)
{
	if (names == NULL || count == NULL)
		return JPKI_ERR_ARG;
	return pcsc_reader_list(names, count, present);
}

void
jpki_reader_list_free(char ***names, int **present)
{
	size_t i;

	if (names != NULL && *names != NULL) {
		for (i = 0; (*names)[i] != NULL; i++)
			free((*names)[i]);
		free(*names);
		*names = NULL;
	}
	if (present != NULL) {
		free(*present);
		*present = NULL;
	}
}

void
jpki_struct_init(void *p, size_t size)
{
	if (p == NULL || size < sizeof(size_t))
		return;
	memset(p, 0, size);
	*(size_t *)p = size;
}
