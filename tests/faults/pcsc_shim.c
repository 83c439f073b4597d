/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * PC/SC fault injection for tests only: an LD_PRELOAD shim over
 * libpcsclite.  The library, the CLI and jpki-pkcs11.so link libpcsclite
 * dynamically, so the SCard* symbols defined here take precedence and the
 * production build carries no hook at all (tests/faults/sweep.sh).
 *
 * Environment:
 *   JPKI_FAULT_FN=SCardTransmit   the function to fail
 *   JPKI_FAULT_AT=N               its N-th call (1-based) fails, not forwarded
 *   JPKI_FAULT_RV=NAME|0xHEX      the return code (SCARD_E_NO_SMARTCARD, ...)
 *   JPKI_FAULT_STICKY=1           every call from the N-th on fails
 *   JPKI_FAULT_TRACE=FILE         one line per call appended to FILE:
 *       "<seq> <function> <index> fwd|inj [<rv hex>] [ins=<INS> lc=<Lc>]"
 *     (the counting mode: the test enumerates every index from it; ins/lc
 *     tell a VERIFY with a PIN from a bare tries query, no data logged)
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <winscard.h>

enum {
	F_ESTABLISH, F_RELEASE, F_LIST, F_CONNECT, F_RECONNECT, F_DISCONNECT,
	F_BEGIN, F_END, F_TRANSMIT, F_STATUS, F_GSC, F_CONTROL, F_GETATTRIB,
	F_CANCEL, F_COUNT
};

static const char *const fn_names[F_COUNT] = {
	"SCardEstablishContext", "SCardReleaseContext", "SCardListReaders",
	"SCardConnect", "SCardReconnect", "SCardDisconnect",
	"SCardBeginTransaction", "SCardEndTransaction", "SCardTransmit",
	"SCardStatus", "SCardGetStatusChange", "SCardControl",
	"SCardGetAttrib", "SCardCancel"
};

static const struct {
	const char	*name;
	LONG		 rv;
} rv_names[] = {
	{ "SCARD_E_NO_SMARTCARD", SCARD_E_NO_SMARTCARD },
	{ "SCARD_W_REMOVED_CARD", SCARD_W_REMOVED_CARD },
	{ "SCARD_W_RESET_CARD", SCARD_W_RESET_CARD },
	{ "SCARD_E_READER_UNAVAILABLE", SCARD_E_READER_UNAVAILABLE },
	{ "SCARD_E_NO_SERVICE", SCARD_E_NO_SERVICE },
	{ "SCARD_E_SERVICE_STOPPED", SCARD_E_SERVICE_STOPPED },
	{ "SCARD_E_TIMEOUT", SCARD_E_TIMEOUT },
	{ "SCARD_E_SHARING_VIOLATION", SCARD_E_SHARING_VIOLATION },
	{ "SCARD_E_NOT_TRANSACTED", SCARD_E_NOT_TRANSACTED },
	{ "SCARD_F_COMM_ERROR", SCARD_F_COMM_ERROR },
	{ "SCARD_F_INTERNAL_ERROR", SCARD_F_INTERNAL_ERROR },
	{ "SCARD_E_INVALID_HANDLE", SCARD_E_INVALID_HANDLE },
	{ "SCARD_E_INVALID_PARAMETER", SCARD_E_INVALID_PARAMETER },
	{ "SCARD_E_INVALID_VALUE", SCARD_E_INVALID_VALUE },
	{ "SCARD_E_INSUFFICIENT_BUFFER", SCARD_E_INSUFFICIENT_BUFFER },
	{ "SCARD_E_PROTO_MISMATCH", SCARD_E_PROTO_MISMATCH },
	{ "SCARD_E_UNKNOWN_READER", SCARD_E_UNKNOWN_READER },
	{ "SCARD_E_NO_READERS_AVAILABLE", SCARD_E_NO_READERS_AVAILABLE },
	{ "SCARD_E_CANCELLED", SCARD_E_CANCELLED },
	{ "SCARD_E_NO_MEMORY", SCARD_E_NO_MEMORY },
	{ "SCARD_E_UNSUPPORTED_FEATURE", SCARD_E_UNSUPPORTED_FEATURE },
	{ "SCARD_W_UNRESPONSIVE_CARD", SCARD_W_UNRESPONSIVE_CARD },
	{ "SCARD_W_UNPOWERED_CARD", SCARD_W_UNPOWERED_CARD },
	{ "SCARD_E_UNEXPECTED", SCARD_E_UNEXPECTED },
};

static atomic_uint	calls[F_COUNT];
static atomic_uint	seq;
static int		fault_fn = -1;
static unsigned		fault_at;
static int		fault_sticky;
static LONG		fault_rv = SCARD_F_COMM_ERROR;
static int		trace_fd = -1;
static void		*real[F_COUNT];

__attribute__((constructor)) static void
shim_init(void)
{
	const char	*s;
	size_t		 i;
	int		 f;

	for (f = 0; f < F_COUNT; f++)
		real[f] = dlsym(RTLD_NEXT, fn_names[f]);
	if ((s = getenv("JPKI_FAULT_FN")) != NULL)
		for (f = 0; f < F_COUNT; f++)
			if (strcmp(s, fn_names[f]) == 0)
				fault_fn = f;
	if ((s = getenv("JPKI_FAULT_AT")) != NULL)
		fault_at = (unsigned)strtoul(s, NULL, 10);
	fault_sticky = (s = getenv("JPKI_FAULT_STICKY")) != NULL && *s != '\0';
	if ((s = getenv("JPKI_FAULT_RV")) != NULL) {
		if (strncmp(s, "0x", 2) == 0)
			fault_rv = (LONG)strtoul(s, NULL, 16);
		for (i = 0; i < sizeof(rv_names) / sizeof(rv_names[0]); i++)
			if (strcmp(s, rv_names[i].name) == 0)
				fault_rv = rv_names[i].rv;
	}
	if ((s = getenv("JPKI_FAULT_TRACE")) != NULL)
		trace_fd = open(s, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
		    0600);
	/* the preload reaches every process of the command (timeout, sh),
	 * most without libpcsclite: a missing real[] only matters if called */
	if (fault_fn >= 0 && fault_at == 0) {
		fprintf(stderr, "pcsc_shim: bad JPKI_FAULT_* settings\n");
		_exit(99);
	}
}

/* Count the call; 1 when it must fail instead of being forwarded. */
static int
enter(int f, const void *apdu, DWORD apdu_len)
{
	unsigned	n = atomic_fetch_add(&calls[f], 1) + 1;
	unsigned	s = atomic_fetch_add(&seq, 1) + 1;
	int		inj = f == fault_fn &&
	    (n == fault_at || (fault_sticky && n > fault_at));
	char		line[160];
	int		len;

	if (trace_fd < 0)
		return inj;
	len = snprintf(line, sizeof(line), "%u %s %u %s", s, fn_names[f], n,
	    inj ? "inj" : "fwd");
	if (inj)
		len += snprintf(line + len, sizeof(line) - (size_t)len,
		    " 0x%08lx", (unsigned long)fault_rv);
	if (apdu != NULL && apdu_len >= 4)
		len += snprintf(line + len, sizeof(line) - (size_t)len,
		    " ins=%02x lc=%u", ((const unsigned char *)apdu)[1],
		    apdu_len > 4 ? (unsigned)((const unsigned char *)apdu)[4] :
		    0u);
	line[len++] = '\n';
	/* one write per line: O_APPEND keeps threads' lines whole */
	(void)!write(trace_fd, line, (size_t)len);
	return inj;
}

#define REAL(f, type)	((type)real_of(f))

static void *
real_of(int f)
{
	void *lib;

	/* a dlopen()ed user (jpki-pkcs11.so) brings libpcsclite in after
	 * the constructor ran, in a local scope RTLD_NEXT does not search:
	 * ask the library itself */
	if (real[f] == NULL &&
	    (lib = dlopen("libpcsclite.so.1", RTLD_NOW | RTLD_NOLOAD)) != NULL)
		real[f] = dlsym(lib, fn_names[f]);
	if (real[f] == NULL) {
		fprintf(stderr, "pcsc_shim: %s not found\n", fn_names[f]);
		_exit(99);
	}
	return real[f];
}

LONG
SCardEstablishContext(DWORD scope, LPCVOID r1, LPCVOID r2,
    LPSCARDCONTEXT ctx)
{
	if (enter(F_ESTABLISH, NULL, 0))
		return fault_rv;
	return REAL(F_ESTABLISH, LONG (*)(DWORD, LPCVOID, LPCVOID,
	    LPSCARDCONTEXT))(scope, r1, r2, ctx);
}

LONG
SCardReleaseContext(SCARDCONTEXT ctx)
{
	if (enter(F_RELEASE, NULL, 0))
		return fault_rv;
	return REAL(F_RELEASE, LONG (*)(SCARDCONTEXT))(ctx);
}

LONG
SCardListReaders(SCARDCONTEXT ctx, LPCSTR groups, LPSTR readers,
    LPDWORD len)
{
	if (enter(F_LIST, NULL, 0))
		return fault_rv;
	return REAL(F_LIST, LONG (*)(SCARDCONTEXT, LPCSTR, LPSTR,
	    LPDWORD))(ctx, groups, readers, len);
}

LONG
SCardConnect(SCARDCONTEXT ctx, LPCSTR reader, DWORD share, DWORD protos,
    LPSCARDHANDLE h, LPDWORD proto)
{
	if (enter(F_CONNECT, NULL, 0))
		return fault_rv;
	return REAL(F_CONNECT, LONG (*)(SCARDCONTEXT, LPCSTR, DWORD, DWORD,
	    LPSCARDHANDLE, LPDWORD))(ctx, reader, share, protos, h, proto);
}

LONG
SCardReconnect(SCARDHANDLE h, DWORD share, DWORD protos, DWORD init,
    LPDWORD proto)
{
	if (enter(F_RECONNECT, NULL, 0))
		return fault_rv;
	return REAL(F_RECONNECT, LONG (*)(SCARDHANDLE, DWORD, DWORD, DWORD,
	    LPDWORD))(h, share, protos, init, proto);
}

LONG
SCardDisconnect(SCARDHANDLE h, DWORD disp)
{
	if (enter(F_DISCONNECT, NULL, 0))
		return fault_rv;
	return REAL(F_DISCONNECT, LONG (*)(SCARDHANDLE, DWORD))(h, disp);
}

LONG
SCardBeginTransaction(SCARDHANDLE h)
{
	if (enter(F_BEGIN, NULL, 0))
		return fault_rv;
	return REAL(F_BEGIN, LONG (*)(SCARDHANDLE))(h);
}

LONG
SCardEndTransaction(SCARDHANDLE h, DWORD disp)
{
	if (enter(F_END, NULL, 0))
		return fault_rv;
	return REAL(F_END, LONG (*)(SCARDHANDLE, DWORD))(h, disp);
}

LONG
SCardTransmit(SCARDHANDLE h, const SCARD_IO_REQUEST *spci, LPCBYTE sbuf,
    DWORD slen, SCARD_IO_REQUEST *rpci, LPBYTE rbuf, LPDWORD rlen)
{
	if (enter(F_TRANSMIT, sbuf, slen))
		return fault_rv;
	return REAL(F_TRANSMIT, LONG (*)(SCARDHANDLE, const SCARD_IO_REQUEST *,
	    LPCBYTE, DWORD, SCARD_IO_REQUEST *, LPBYTE, LPDWORD))(h, spci,
	    sbuf, slen, rpci, rbuf, rlen);
}

LONG
SCardStatus(SCARDHANDLE h, LPSTR name, LPDWORD nlen, LPDWORD state,
    LPDWORD proto, LPBYTE atr, LPDWORD alen)
{
	if (enter(F_STATUS, NULL, 0))
		return fault_rv;
	return REAL(F_STATUS, LONG (*)(SCARDHANDLE, LPSTR, LPDWORD, LPDWORD,
	    LPDWORD, LPBYTE, LPDWORD))(h, name, nlen, state, proto, atr, alen);
}

LONG
SCardGetStatusChange(SCARDCONTEXT ctx, DWORD ms, SCARD_READERSTATE *st,
    DWORD n)
{
	if (enter(F_GSC, NULL, 0))
		return fault_rv;
	return REAL(F_GSC, LONG (*)(SCARDCONTEXT, DWORD, SCARD_READERSTATE *,
	    DWORD))(ctx, ms, st, n);
}

LONG
SCardControl(SCARDHANDLE h, DWORD code, LPCVOID in, DWORD inlen, LPVOID out,
    DWORD outlen, LPDWORD ret)
{
	if (enter(F_CONTROL, NULL, 0))
		return fault_rv;
	return REAL(F_CONTROL, LONG (*)(SCARDHANDLE, DWORD, LPCVOID, DWORD,
	    LPVOID, DWORD, LPDWORD))(h, code, in, inlen, out, outlen, ret);
}

LONG
SCardGetAttrib(SCARDHANDLE h, DWORD id, LPBYTE attr, LPDWORD len)
{
	if (enter(F_GETATTRIB, NULL, 0))
		return fault_rv;
	return REAL(F_GETATTRIB, LONG (*)(SCARDHANDLE, DWORD, LPBYTE,
	    LPDWORD))(h, id, attr, len);
}

LONG
SCardCancel(SCARDCONTEXT ctx)
{
	if (enter(F_CANCEL, NULL, 0))
		return fault_rv;
	return REAL(F_CANCEL, LONG (*)(SCARDCONTEXT))(ctx);
}
