/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * mock_api: durability (writes acknowledged before a SIGKILL) and
 * check-mock-cluster (races across instances, a stream of writes).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "mock_api.h"

/* mock_scenarios.c; not in mock_api.h, where it would shadow parameters */
extern char sid[64];

#define RACE_ROUNDS	12

/*
 * Stream of writes; every acknowledged one is appended to ack (flushed
 * at once) so the script can check it after a SIGKILL of the server.
 */
int
durability(const char *ackpath)
{
	FILE *ack = fopen(ackpath, "w");
	struct card cards[4];
	struct resp r;
	char cid[40];
	int i, n;

	if (ack == NULL)
		return 1;
	memset(cards, 0, sizeof(cards));
	for (i = 0; i < 4; i++) {
		if (new_person_card("耐久　試験", &cards[i]) != 0)
			return 1;
	}
	(void)printf("ready\n");
	(void)fflush(stdout);
	for (n = 0; n < 100000; n++) {
		struct chl ch;
		struct card *c = &cards[n % 4];
		json_t *cons;

		if (n < 4) {
			if (do_login(&A, c, 1, &r) != 0)
				break;
			if (r.status == 201)
				(void)fprintf(ack, "mykey %s %s\n", jget(&r,
				    "mykey_id"), c->auth_serial);
			resp_free(&r);
			(void)fflush(ack);
			continue;
		}
		if (challenge(&A, "service.link", NULL, sid, &ch) != 0)
			break;
		/* a fresh consent record per request */
		(void)snprintf(cid, sizeof(cid),
		    "%08x-0000-4000-8000-%012d", (unsigned)n, n);
		cons = json_pack("{s:s,s:s,s:s,s:s}", "consent_id", cid,
		    "purpose", "jlis.validity jlis.linkage id.link",
		    "terms_version", "mock-1", "agreed_at",
		    "2026-04-01T09:00:00+09:00");
		{
			char path[128];
			json_t *b = json_pack("{s:o,s:o,s:s}", "auth",
			    proof(&ch, c->auth_cert, c->auth_key), "consent",
			    cons, "service_user_number", cid);

			(void)snprintf(path, sizeof(path),
			    "/v1/services/%s/links", sid);
			if (http("PUT", path, A.token, b, NULL, &r) != 0)
				break;
		}
		if (r.status == 200 || r.status == 201)
			(void)fprintf(ack, "link %s %s %s\n", jget(&r, "ppid"),
			    cid, jget(&r, "service_user_number"));
		resp_free(&r);
		(void)fflush(ack);
	}
	(void)fclose(ack);
	for (i = 0; i < 4; i++)
		card_clear(&cards[i]);
	return 0;
}

struct racer {
	const char	*inst;		/* instance base URL */
	const char	*path;
	const char	*txt;		/* request body */
	const char	*idem;		/* Idempotency-Key or NULL */
	pthread_barrier_t *go;
	struct resp	 r;
};

static void *
race_run(void *u)
{
	struct racer *x = u;
	char h[300];
	const char *hdr[2] = { h, NULL };

	tbase = x->inst;
	(void)snprintf(h, sizeof(h), "Idempotency-Key: %s", x->idem != NULL ?
	    x->idem : "");
	(void)pthread_barrier_wait(x->go);
	(void)http_ex("POST", x->path, A.token, NULL, x->txt, strlen(x->txt),
	    x->idem != NULL ? hdr : NULL, 0, &x->r);
	return NULL;
}

/* The same request sent at once to each instance; answers in x[]. */
static void
race(struct racer *x, int n, const char *path, const char *txt,
    const char *idem, char **inst)
{
	pthread_barrier_t go;
	pthread_t t[8];
	int i;

	(void)pthread_barrier_init(&go, NULL, (unsigned)n);
	for (i = 0; i < n; i++) {
		memset(&x[i], 0, sizeof(x[i]));
		x[i].inst = inst[i];
		x[i].path = path;
		x[i].txt = txt;
		x[i].idem = idem;
		x[i].go = &go;
		(void)pthread_create(&t[i], NULL, race_run, &x[i]);
	}
	for (i = 0; i < n; i++)
		(void)pthread_join(t[i], NULL);
	(void)pthread_barrier_destroy(&go);
}

/*
 * Races between instances: one challenge answered by two instances at
 * once (exactly one success, the other CHALLENGE_CONSUMED); one
 * Idempotency-Key on every instance at once (one execution; the others
 * 409 in progress or the same answer replayed; later replays from every
 * instance identical); a fault counter taken from every instance (no
 * lost update: exactly N fire).
 */
int
cluster(int ninst, char **inst)
{
	struct racer x[8];
	struct card c;
	struct chl ch;
	struct resp r;
	json_t *body;
	char *txt, key[64], *first = NULL, path[96];
	int round, i, wins, consumed, bad, exec, same, fired, other;

	memset(&c, 0, sizeof(c));
	if (new_person_card("クラスタ　試験", &c) != 0 || do_login(&A, &c, 1, &r) !=
	    0 || r.status != 201) {
		(void)printf("not ok - cluster: cannot create a MyKey ID\n");
		return 1;
	}
	resp_free(&r);
	/* 1. a challenge consumed exactly once */
	wins = consumed = bad = 0;
	for (round = 0; round < RACE_ROUNDS; round++) {
		if (challenge(&A, "mykey.verify", NULL, NULL, &ch) != 0) {
			bad++;
			continue;
		}
		body = login_body(&ch, &c);
		txt = json_dumps(body, JSON_COMPACT);
		json_decref(body);
		race(x, 2, "/v1/mykey-ids:verify", txt, NULL, inst +
		    (round % ninst == ninst - 1 ? 0 : round % ninst));
		for (i = 0; i < 2; i++) {
			if (x[i].r.status == 200)
				wins++;
			else if (is(&x[i].r, 401, "CHALLENGE_CONSUMED"))
				consumed++;
			else {
				bad++;
				show(&x[i].r);
			}
			resp_free(&x[i].r);
		}
		free(txt);
	}
	ok(wins == RACE_ROUNDS && consumed == RACE_ROUNDS && bad == 0,
	    "one challenge, two instances at once, %d rounds: %d successes, "
	    "%d CHALLENGE_CONSUMED, %d other", RACE_ROUNDS, wins, consumed,
	    bad);
	/* 2. one Idempotency-Key on every instance at once */
	exec = bad = same = 0;
	for (round = 0; round < RACE_ROUNDS; round++) {
		int done = 0;

		if (challenge(&A, "mykey.verify", NULL, NULL, &ch) != 0) {
			bad++;
			continue;
		}
		(void)snprintf(key, sizeof(key),
		    "c1a5e7e0-0000-4000-8000-%012d", round);
		body = login_body(&ch, &c);
		txt = json_dumps(body, JSON_COMPACT);
		json_decref(body);
		race(x, ninst, "/v1/mykey-ids:verify", txt, key, inst);
		free(first);
		first = NULL;
		for (i = 0; i < ninst; i++) {
			if (x[i].r.status == 200 && strcmp(x[i].r.replayed,
			    "true") != 0) {
				exec++;
				done++;
				first = x[i].r.body != NULL ?
				    strdup(x[i].r.body) : NULL;
			} else if (!(x[i].r.status == 200 ||
			    is(&x[i].r, 409, "IDEMPOTENCY_IN_PROGRESS"))) {
				bad++;
				show(&x[i].r);
			}
		}
		/* replayed answers from the race itself are identical */
		for (i = 0; i < ninst; i++) {
			if (x[i].r.status == 200 && first != NULL &&
			    strcmp(x[i].r.body, first) != 0)
				bad++;
			resp_free(&x[i].r);
		}
		if (done != 1)
			bad++;
		/* afterwards every instance replays the same answer */
		for (i = 0; i < ninst && first != NULL; i++) {
			char h[300];
			const char *hdr[2] = { h, NULL };

			tbase = inst[i];
			(void)snprintf(h, sizeof(h), "Idempotency-Key: %s",
			    key);
			(void)http_ex("POST", "/v1/mykey-ids:verify", A.token,
			    NULL, txt, strlen(txt), hdr, 0, &r);
			tbase = NULL;
			if (r.status == 200 && strcmp(r.replayed, "true") ==
			    0 && r.body != NULL && strcmp(r.body, first) == 0)
				same++;
			else
				show(&r);
			resp_free(&r);
		}
		free(txt);
	}
	free(first);
	ok(exec == RACE_ROUNDS && bad == 0 && same == RACE_ROUNDS * ninst,
	    "one Idempotency-Key on %d instances at once, %d rounds: %d "
	    "executions, %d identical replays after, %d wrong", ninst,
	    RACE_ROUNDS, exec, same, bad);
	/* 3. a counter taken from every instance: exactly N fire */
	add_fault("/v1/cluster-probe/*", 502, 0, 0, 10, 0);
	fired = other = 0;
	for (round = 0; round < 6; round++) {
		(void)snprintf(path, sizeof(path), "/v1/cluster-probe/%d",
		    round);
		race(x, ninst, path, "{}", NULL, inst);
		for (i = 0; i < ninst; i++) {
			if (x[i].r.status == 502)
				fired++;
			else if (x[i].r.status != 404)
				other++;
			resp_free(&x[i].r);
		}
	}
	ok(fired == 10 && other == 0, "fault with count 10 hit by %d "
	    "requests over %d instances: fired %d times (no lost update)",
	    6 * ninst, ninst, fired);
	card_clear(&c);
	return nfail == 0 ? 0 : 1;
}

/*
 * A stream of writes through the balancer for a number of seconds,
 * going on over errors (an instance killed, PostgreSQL restarted).
 * Acknowledged writes go to ackpath; the answers are counted by kind.
 */
int
stream(const char *ackpath, int seconds)
{
	FILE *ack = fopen(ackpath, "w");
	struct card cards[2];
	struct resp r;
	char cid[64], path[128];
	time_t end;
	long n, acked = 0, terr = 0, s503 = 0, s503ra = 0, other = 0;
	int i;

	if (ack == NULL)
		return 1;
	memset(cards, 0, sizeof(cards));
	for (i = 0; i < 2; i++) {
		if (new_person_card("流れ　試験", &cards[i]) != 0 ||
		    do_login(&A, &cards[i], 1, &r) != 0 || r.status != 201)
			return 1;
		resp_free(&r);
	}
	(void)printf("ready\n");
	(void)fflush(stdout);
	end = time(NULL) + seconds;
	for (n = 0; time(NULL) < end; n++) {
		struct chl ch;
		struct card *c = &cards[n % 2];
		json_t *cons, *b;

		memset(&ch, 0, sizeof(ch));
		if (challenge(&A, "service.link", NULL, sid, &ch) != 0) {
			if (chl_status == 503) {
				s503++;
				if (chl_retry_after[0] != '\0')
					s503ra++;
			} else if (chl_status == 0) {
				terr++;
			} else {
				other++;
			}
			(void)usleep(100000);
			continue;
		}
		(void)snprintf(cid, sizeof(cid), "%08lx-0000-4000-8000-%012ld",
		    (unsigned long)n, n);
		cons = json_pack("{s:s,s:s,s:s,s:s}", "consent_id", cid,
		    "purpose", "jlis.validity jlis.linkage id.link",
		    "terms_version", "mock-1", "agreed_at",
		    "2026-04-01T09:00:00+09:00");
		b = json_pack("{s:o,s:o,s:s}", "auth", proof(&ch, c->auth_cert,
		    c->auth_key), "consent", cons, "service_user_number", cid);
		(void)snprintf(path, sizeof(path), "/v1/services/%s/links",
		    sid);
		if (http("PUT", path, A.token, b, NULL, &r) != 0) {
			terr++;
		} else if (r.status == 200 || r.status == 201) {
			acked++;
			(void)fprintf(ack, "link %s %s %s\n", jget(&r, "ppid"),
			    cid, jget(&r, "service_user_number"));
			(void)fflush(ack);
		} else if (r.status == 503) {
			s503++;
			if (r.retry_after[0] != '\0')
				s503ra++;
			(void)usleep(100000);
		} else {
			other++;
			show(&r);
		}
		resp_free(&r);
	}
	(void)fclose(ack);
	(void)printf("stream %ld %ld %ld %ld %ld\n", acked, terr, s503, s503ra,
	    other);
	for (i = 0; i < 2; i++)
		card_clear(&cards[i]);
	return 0;
}
