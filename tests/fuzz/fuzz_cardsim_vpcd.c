/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Fuzz jpki-cardsim's vpcd framing (tools/cardsim/vpcd.c vpcd_serve): the
 * input after a flags byte is the byte stream vpcd would send (u16 length,
 * payload; length 1 a control byte), written into a socket pair whose
 * other end vpcd_serve reads, answers going back the same way.  Flags:
 * bits 0-3 --drop-after N, bit 4 --sw-at 1:6A82, bit 5 a trace (to
 * /dev/null).  Seeds: recorded library sessions in vpcd framing
 * (tests/fuzz/record_card.c).
 */
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support/cardsim_fixture.h"
#include "../../tools/cardsim/vpcd.h"
#include "fuzz.h"

typedef struct {
	int		 fd;
	const uint8_t	*p;
	size_t		 left;
} peer_t;

/* vpcd's side: send the input, read (and drop) every answer until EOF. */
static void *
peer(void *arg)
{
	peer_t *pe = arg;
	struct pollfd pfd;
	uint8_t sink[4096];
	ssize_t n;

	for (;;) {
		pfd.fd = pe->fd;
		pfd.events = POLLIN | (pe->left > 0 ? POLLOUT : 0);
		if (poll(&pfd, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			abort();
		}
		if (pfd.revents & POLLOUT) {
			if ((n = send(pe->fd, pe->p, pe->left, MSG_NOSIGNAL |
			    MSG_DONTWAIT)) > 0) {
				pe->p += n;
				pe->left -= (size_t)n;
			} else if (n < 0 && errno != EAGAIN && errno != EINTR)
				pe->left = 0;	/* the card hung up */
			if (pe->left == 0)
				(void)shutdown(pe->fd, SHUT_WR);
		}
		if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
			n = recv(pe->fd, sink, sizeof(sink), MSG_DONTWAIT);
			if (n == 0 || (n < 0 && errno != EAGAIN &&
			    errno != EINTR))
				break;
		}
	}
	return NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	vpcd_opts_t o;
	vpcd_stats_t st;
	pthread_t th;
	peer_t pe;
	int sv[2];
	uint8_t fl;

	if (size < 1)
		return 0;
	fl = data[0];
	memset(&o, 0, sizeof(o));
	o.drop_after = fl & 0x0F;
	if (fl & 0x10) {
		o.sw_at[0].cmd = 1;
		o.sw_at[0].sw = 0x6A82;
		o.nsw_at = 1;
	}
	if ((fl & 0x20) && devnull == NULL &&
	    (devnull = fopen("/dev/null", "w")) == NULL)
		abort();
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		abort();
	pe.fd = sv[0];
	pe.p = data + 1;
	pe.left = size - 1;
	if (pe.left == 0)
		(void)shutdown(sv[0], SHUT_WR);
	if (pthread_create(&th, NULL, peer, &pe) != 0)
		abort();
	if (vpcd_serve(fx_cardsim(), &o, sv[1], (fl & 0x20) ? devnull : NULL,
	    &st) == NULL)
		abort();
	close(sv[1]);	/* = card removed: the peer sees EOF */
	pthread_join(th, NULL);
	close(sv[0]);
	if (st.commands > 0 && st.bytes_in < 2 * st.commands)
		abort();	/* an APDU is at least 2 bytes (1 is control) */
	return 0;
}
