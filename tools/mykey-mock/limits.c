/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Deadlines for slow clients.  libmicrohttpd's connection timeout is an
 * idle timeout: a client sending one header byte a second keeps its
 * connection (and, thread per connection, a thread) forever.  A watch
 * thread shuts down the socket of a connection still receiving its
 * headers after header_timeout, or its body after body_timeout; MHD then
 * sees the end of the stream and closes the connection itself.
 * Connection counts (total and per peer) are MHD options (http.c).
 *
 * A connection answered 413 before its body was read (far over the cap)
 * is drained when MHD closes it: the write side is shut down after the
 * answer and up to drain_max bytes are read and dropped for at most
 * drain_time seconds.  Closing a socket with unread data sends a reset,
 * and a client that writes its whole body before reading (Python's
 * http.client, many SDKs) then sees a broken pipe instead of the 413.
 */
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "mock.h"

struct mm_conn {
	struct mm_conn		*prev, *next;
	struct mm_watch		*w;
	int			 fd;
	int			 phase;
	int			 cut;
	int			 linger;
	double			 since;
};

struct mm_watch {
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	pthread_t		 th;
	int			 stop;
	int			 header_timeout, body_timeout;
	long			 drain_max;
	int			 drain_time;
	struct mm_conn		 head;	/* list sentinel */
};

static double
mono(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Read and drop what the client still sends after our answer, bounded in
 * bytes and time (this is the connection's own thread), until it closes.
 */
static void
drain(const struct mm_watch *w, int fd)
{
	char sink[8192];	/* per thread: drains run concurrently */
	double end = mono() + w->drain_time, left;
	long got = 0;
	struct pollfd p;
	ssize_t n;

	(void)shutdown(fd, SHUT_WR);
	while (got < w->drain_max && (left = end - mono()) > 0) {
		p.fd = fd;
		p.events = POLLIN;
		p.revents = 0;
		n = poll(&p, 1, (int)(left * 1000) + 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		n = recv(fd, sink, sizeof(sink), MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break;
		got += n;
	}
}

void
watch_linger(void *conn)
{
	const union MHD_ConnectionInfo *ci;
	struct mm_conn *k;

	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (ci == NULL || (k = ci->socket_context) == NULL)
		return;
	(void)pthread_mutex_lock(&k->w->mu);
	k->linger = 1;
	(void)pthread_mutex_unlock(&k->w->mu);
}

void
watch_notify(void *cls, struct MHD_Connection *c, void **sock_ctx,
    enum MHD_ConnectionNotificationCode code)
{
	struct mm_server *s = cls;
	struct mm_watch *w = s->watch;
	const union MHD_ConnectionInfo *ci;
	struct mm_conn *k;
	int linger;

	if (w == NULL)
		return;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(c,
		    MHD_CONNECTION_INFO_CONNECTION_FD);
		if (ci == NULL || (k = calloc(1, sizeof(*k))) == NULL)
			return;
		k->w = w;
		k->fd = ci->connect_fd;
		k->phase = WATCH_IDLE;
		k->since = mono();
		(void)pthread_mutex_lock(&w->mu);
		k->next = w->head.next;
		k->prev = &w->head;
		w->head.next->prev = k;
		w->head.next = k;
		(void)pthread_mutex_unlock(&w->mu);
		*sock_ctx = k;
		return;
	}
	/* CLOSED comes before MHD closes the descriptor */
	if ((k = *sock_ctx) == NULL)
		return;
	(void)pthread_mutex_lock(&w->mu);
	k->prev->next = k->next;
	k->next->prev = k->prev;
	linger = k->linger && !k->cut;
	(void)pthread_mutex_unlock(&w->mu);
	if (linger)
		drain(w, k->fd);
	free(k);
	*sock_ctx = NULL;
}

void
watch_phase(void *conn, int phase)
{
	const union MHD_ConnectionInfo *ci;
	struct mm_conn *k;

	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (ci == NULL || (k = ci->socket_context) == NULL)
		return;
	(void)pthread_mutex_lock(&k->w->mu);
	k->phase = phase;
	k->since = mono();
	(void)pthread_mutex_unlock(&k->w->mu);
}

static void *
watch_run(void *arg)
{
	struct mm_watch *w = arg;
	struct timespec ts;
	struct mm_conn *k;
	double now, lim;

	(void)pthread_mutex_lock(&w->mu);
	while (!w->stop) {
		(void)clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 250000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		(void)pthread_cond_timedwait(&w->cv, &w->mu, &ts);
		now = mono();
		for (k = w->head.next; k != &w->head; k = k->next) {
			if (k->phase == WATCH_BUSY || k->cut)
				continue;
			lim = k->phase == WATCH_IDLE ? w->header_timeout :
			    w->body_timeout;
			if (now - k->since > lim) {
				(void)shutdown(k->fd, SHUT_RDWR);
				k->cut = 1;
			}
		}
	}
	(void)pthread_mutex_unlock(&w->mu);
	return NULL;
}

int
watch_start(struct mm_server *s)
{
	struct mm_watch *w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return -1;
	(void)pthread_mutex_init(&w->mu, NULL);
	(void)pthread_cond_init(&w->cv, NULL);
	w->head.next = w->head.prev = &w->head;
	w->header_timeout = s->cfg.header_timeout;
	w->body_timeout = s->cfg.body_timeout;
	w->drain_max = s->cfg.drain_max;
	/* within the body deadline the client had anyway */
	w->drain_time = s->cfg.drain_time < s->cfg.body_timeout ?
	    s->cfg.drain_time : s->cfg.body_timeout;
	if (pthread_create(&w->th, NULL, watch_run, w) != 0) {
		free(w);
		return -1;
	}
	s->watch = w;
	return 0;
}

/* After the daemons stopped: every connection is gone. */
void
watch_stop(struct mm_server *s)
{
	struct mm_watch *w = s->watch;

	if (w == NULL)
		return;
	(void)pthread_mutex_lock(&w->mu);
	w->stop = 1;
	(void)pthread_cond_signal(&w->cv);
	(void)pthread_mutex_unlock(&w->mu);
	(void)pthread_join(w->th, NULL);
	(void)pthread_mutex_destroy(&w->mu);
	(void)pthread_cond_destroy(&w->cv);
	free(w);
	s->watch = NULL;
}

/*
 * libmicrohttpd's error log, rate limited: every connection cut by a
 * limit or deadline makes it print a line, and an attacker must not be
 * able to fill the disk through it.  At most 10 lines a second; the
 * number dropped is told with the next line let through.
 */
void
watch_mhd_log(void *cls, const char *fmt, va_list ap)
{
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	static double window;
	static unsigned long n, dropped;
	char line[256];
	unsigned long was;
	double now = mono();
	size_t l;

	(void)cls;
	(void)pthread_mutex_lock(&mu);
	if (now - window >= 1.0) {
		window = now;
		n = 0;
	}
	if (++n > 10) {
		dropped++;
		(void)pthread_mutex_unlock(&mu);
		return;
	}
	was = dropped;
	dropped = 0;
	(void)pthread_mutex_unlock(&mu);
	(void)vsnprintf(line, sizeof(line), fmt, ap);
	l = strcspn(line, "\r\n");
	line[l] = '\0';
	if (was > 0)
		mm_log("mhd: %s (%lu similar lines dropped)", line, was);
	else
		mm_log("mhd: %s", line);
}
