/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * TAP-style checks shared by the mykey-mock test clients (mock_api,
 * mock_abuse): "ok N - ..." / "not ok N - ...", flushed at once so a
 * crash loses nothing already decided.
 */
#ifndef MOCK_TAP_H
#define MOCK_TAP_H

/* checks run and failed so far */
extern int ntest, nfail;

void	ok(int cond, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif /* MOCK_TAP_H */
