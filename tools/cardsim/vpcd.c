/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * vpcd front end: the card is a TCP client of vsmartcard-vpcd (pcscd's
 * reader driver).  Every message is a big-endian uint16 length plus
 * payload; length 1 is a control byte (testing-without-hardware.md §3).
 * TCP_QUICKACK is set before every receive and each reply goes out in one
 * write, or every APDU stalls ~40 ms on delayed ACKs (same document).
 */
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jpki/err.h>

#include "secure.h"
#include "cardsim.h"
#include "vpcd.h"

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
sleep_ms(double ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)((ms - (double)ts.tv_sec * 1000) * 1e6);
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !stop)
		;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000 + (double)ts.tv_nsec / 1e6;
}

static int
connect_vpcd(const vpcd_opts_t *o)
{
	struct addrinfo hints, *res = NULL, *ai;
	char port[16];
	double deadline = now_ms() + o->connect_timeout_ms;
	struct timeval tick = { 0, 200000 };
	int fd = -1, one = 1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	(void)snprintf(port, sizeof(port), "%u", o->port);
	if (getaddrinfo(o->host, port, &hints, &res) != 0) {
		fprintf(stderr, "jpki-cardsim: cannot resolve %s\n", o->host);
		return -1;
	}
	while (!stop) {
		for (ai = res; ai != NULL; ai = ai->ai_next) {
			if ((fd = socket(ai->ai_family, ai->ai_socktype |
			    SOCK_CLOEXEC, ai->ai_protocol)) < 0)
				continue;
			if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
				break;
			close(fd);
			fd = -1;
		}
		/* vpcd may not listen yet: retry until the timeout */
		if (fd >= 0 || now_ms() >= deadline)
			break;
		sleep_ms(100);
	}
	freeaddrinfo(res);
	if (fd < 0) {
		if (!stop)
			fprintf(stderr, "jpki-cardsim: cannot connect to "
			    "vpcd at %s:%u\n", o->host, o->port);
		return -1;
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	/*
	 * A SIGTERM that lands between the last look at `stop` and the
	 * recv() would leave the card blocked there until pcscd speaks
	 * again (seen with --link-kbps, whose sleep widens the window):
	 * wake up now and then to look again.
	 */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tick, sizeof(tick));
	return fd;
}

/*
 * SIGTERM/SIGINT stay blocked while vpcd_run serves and are let in only
 * while waiting for vpcd (ppoll with this mask): a signal that arrives
 * while an APDU is being answered is then seen at the next wait, instead
 * of setting stop just before a recv that blocks for ever.
 */
static sigset_t	wait_mask;
static int	have_wait_mask;

/* Read exactly n bytes; 0 on success, 1 on EOF, -1 on error/stop. */
static int
recv_full(int fd, uint8_t *p, size_t n)
{
	struct pollfd pfd;
	int one = 1;
	ssize_t r;

	while (n > 0) {
		if (stop)
			return -1;
		if (have_wait_mask) {
			pfd.fd = fd;
			pfd.events = POLLIN;
			if (ppoll(&pfd, 1, NULL, &wait_mask) < 0) {
				if (errno == EINTR)
					continue;
				return -1;
			}
		}
		/* quick-ack mode is not sticky: re-arm before every recv */
		(void)setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one,
		    sizeof(one));
		if ((r = recv(fd, p, n, 0)) < 0) {
			if ((errno == EINTR || errno == EAGAIN ||
			    errno == EWOULDBLOCK) && !stop)
				continue;
			return -1;
		}
		if (r == 0)
			return 1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int
send_msg(int fd, uint8_t *msg, size_t payload)
{
	size_t n = payload + 2, off = 0;
	ssize_t w;

	msg[0] = (uint8_t)(payload >> 8);
	msg[1] = (uint8_t)payload;
	/* length and payload in one write (delayed-ACK trap) */
	while (off < n) {
		if ((w = send(fd, msg + off, n - off, MSG_NOSIGNAL)) < 0) {
			if (errno == EINTR && !stop)
				continue;
			return -1;
		}
		off += (size_t)w;
	}
	return 0;
}

static void
trace_hex(FILE *f, const char *dir, const uint8_t *p, size_t n,
    size_t redact_from)
{
	size_t i;

	fprintf(f, "%s", dir);
	for (i = 0; i < n; i++) {
		if (i >= redact_from) {
			fprintf(f, " <%zu bytes redacted>", n - i);
			break;
		}
		fprintf(f, " %02X", p[i]);
	}
	fprintf(f, "\n");
	fflush(f);
}

static int
sw_override(const vpcd_opts_t *o, unsigned long cmdno, unsigned *sw)
{
	size_t i;

	for (i = 0; i < o->nsw_at; i++) {
		if (o->sw_at[i].cmd == cmdno) {
			*sw = o->sw_at[i].sw;
			return 1;
		}
	}
	return 0;
}

static void
write_stats(const vpcd_opts_t *o, const vpcd_stats_t *s)
{
	FILE *f;

	if (o->stats_path == NULL)
		return;
	if ((f = fopen(o->stats_path, "w")) == NULL) {
		fprintf(stderr, "jpki-cardsim: cannot write %s\n",
		    o->stats_path);
		return;
	}
	fprintf(f, "{\"commands\": %lu, \"bytes_in\": %lu, \"bytes_out\": %lu,"
	    " \"controls\": %lu, \"resets\": %lu}\n", s->commands, s->bytes_in,
	    s->bytes_out, s->controls, s->resets);
	fclose(f);
}

/*
 * The message loop on a connected socket, split from vpcd_run so that the
 * framing can be fuzzed over a socket pair (tests/fuzz/fuzz_cardsim_vpcd.c).
 */
const char *
vpcd_serve(cardsim_t *card, const vpcd_opts_t *o, int fd, FILE *trace,
    vpcd_stats_t *stp)
{
	uint8_t hdr[2], *in = NULL, *out = NULL;
	size_t len, rlen, redact;
	vpcd_stats_t st;
	unsigned sw;
	double cost;
	uint8_t ins;
	const char *why = "vpcd closed the connection";
	int r;

	memset(&st, 0, sizeof(st));
	if ((in = malloc(65536)) == NULL ||
	    (out = malloc(CARDSIM_RSP_MAX + 2)) == NULL) {
		why = NULL;
		goto out;
	}
	for (;;) {
		if ((r = recv_full(fd, hdr, 2)) != 0)
			break;
		len = (size_t)hdr[0] << 8 | hdr[1];
		if (len == 0 || (r = recv_full(fd, in, len)) != 0)
			break;
		if (len == 1) {
			st.controls++;
			switch (in[0]) {
			case 0x00:	/* power off */
			case 0x01:	/* power on */
			case 0x02:	/* reset: volatile state is lost */
				st.resets++;
				cardsim_power(card);
				break;
			case 0x04:
				rlen = cardsim_atr(card, out + 2,
				    CARDSIM_RSP_MAX);
				if (send_msg(fd, out, rlen) != 0)
					goto done;
				break;
			default:
				break;
			}
			continue;
		}
		st.commands++;
		st.bytes_in += len;
		ins = len >= 2 ? in[1] : 0;
		if (sw_override(o, st.commands, &sw)) {
			out[2] = (uint8_t)(sw >> 8);
			out[3] = (uint8_t)sw;
			rlen = 2;
		} else {
			rlen = cardsim_apdu(card, in, len, out + 2,
			    CARDSIM_RSP_MAX);
		}
		if (trace != NULL) {
			/* PIN-carrying commands: VERIFY, CHANGE * (§2.5) */
			redact = (len > 4 && (in[1] == 0x20 || in[1] ==
			    0x24 || in[1] == 0x32)) ? 5 : len;
			trace_hex(trace, ">", in, len, redact);
			if (rlen > 2 && (card->cur_df == DF_TEXT ||
			    card->cur_df == DF_VISUAL)) {
				/* personal data of the 券面 APs (§2.5) */
				fprintf(trace, "< <%zu bytes redacted> %02X "
				    "%02X\n", rlen - 2, out[rlen],
				    out[rlen + 1]);
				fflush(trace);
			} else {
				trace_hex(trace, "<", out + 2, rlen, rlen);
			}
		}
		jpki_secure_zero(in, len);
		/* --delay-ins: e.g. only the signature is slow (p11_threads) */
		cost = !o->delay_ins_set || (len >= 2 && ins == o->delay_ins) ?
		    o->delay_ms : 0;
		if (o->link_kbps > 0) {
			/*
			 * NFC model: 10 bit times per byte (8 data bits +
			 * start/stop framing) at kbps bits per ms, plus a
			 * fixed 2 ms per exchange for frame turnaround.
			 */
			cost += (double)(len + rlen) * 10.0 /
			    (double)o->link_kbps + 2.0;
		}
		sleep_ms(cost);
		if (stop)
			break;
		st.bytes_out += rlen;
		r = send_msg(fd, out, rlen);
		/* the answer may carry personal data (text/visual AP) */
		jpki_secure_zero(out, rlen + 2);
		if (r != 0)
			break;
		if (o->drop_after > 0 && st.commands >= o->drop_after) {
			/* card pulled out of the field */
			why = "--drop-after reached";
			break;
		}
	}
done:
	if (stop)
		why = "signal";
out:
	if (in != NULL)
		jpki_free_secret(in, 65536);
	free(out);
	if (stp != NULL)
		*stp = st;
	return why;
}

int
vpcd_run(cardsim_t *card, const vpcd_opts_t *o)
{
	struct sigaction sa;
	sigset_t block;
	vpcd_stats_t st;
	FILE *trace = NULL;
	const char *why;
	int fd = -1, rc = 1;

	memset(&st, 0, sizeof(st));
	memset(&sa, 0, sizeof(sa));
	/* no SA_RESTART: a blocked recv returns EINTR */
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	if (o->trace_path != NULL) {
		if (strcmp(o->trace_path, "-") == 0)
			trace = stderr;
		else if ((trace = fopen(o->trace_path, "a")) == NULL) {
			fprintf(stderr, "jpki-cardsim: cannot open %s\n",
			    o->trace_path);
			goto out;
		}
	}
	if ((fd = connect_vpcd(o)) < 0) {
		rc = stop ? 0 : 1;
		goto out;
	}
	fprintf(stderr, "jpki-cardsim: card inserted (vpcd %s:%u)\n", o->host,
	    o->port);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	if (sigprocmask(SIG_BLOCK, &block, &wait_mask) == 0)
		have_wait_mask = 1;
	why = vpcd_serve(card, o, fd, trace, &st);
	if (have_wait_mask) {
		have_wait_mask = 0;
		(void)sigprocmask(SIG_SETMASK, &wait_mask, NULL);
	}
	if (why == NULL)
		goto out;	/* out of memory */
	fprintf(stderr, "jpki-cardsim: card removed (%s) after %lu commands\n",
	    why, st.commands);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);	/* = card removed */
	if (trace != NULL && trace != stderr)
		fclose(trace);
	if (rc == 0)
		write_stats(o, &st);
	return rc;
}
