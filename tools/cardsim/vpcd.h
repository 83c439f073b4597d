/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * vpcd client front end of jpki-cardsim (testing-without-hardware.md §3).
 */
#ifndef CARDSIM_VPCD_H
#define CARDSIM_VPCD_H

#include <stdio.h>

#include "cardsim.h"

#define VPCD_MAX_SW_AT	32

typedef struct {
	const char	*host;
	unsigned	 port;
	double		 connect_timeout_ms;
	const char	*trace_path;	/* NULL, "-" (stderr) or a file */
	const char	*stats_path;
	unsigned long	 drop_after;	/* 0: never */
	struct {
		unsigned long	cmd;	/* 1-based C-APDU number */
		unsigned	sw;
	}		 sw_at[VPCD_MAX_SW_AT];
	size_t		 nsw_at;
	double		 delay_ms;
	int		 delay_ins_set;	/* delay_ms only for INS delay_ins */
	uint8_t		 delay_ins;
	unsigned	 link_kbps;	/* 0: no link model */
} vpcd_opts_t;

typedef struct {
	unsigned long	commands, bytes_in, bytes_out, controls, resets;
} vpcd_stats_t;

/*
 * The message loop alone on a connected socket fd (no signals, no
 * connect): until EOF, an error or --drop-after.  Returns why it stopped
 * (NULL: out of memory).  trace may be NULL; *st (may be NULL) receives
 * the counters.
 */
const char *vpcd_serve(cardsim_t *card, const vpcd_opts_t *o, int fd,
	    FILE *trace, vpcd_stats_t *st);

/* Serve the card until vpcd closes, a signal or --drop-after: 0 / 1. */
int	vpcd_run(cardsim_t *card, const vpcd_opts_t *o);

#endif /* CARDSIM_VPCD_H */
