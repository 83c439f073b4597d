/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * PIN entry: from the terminal with echo off, from --pin-fd N, or from
 * --pin-env VAR; never from argv (house-style §2.5).  PINs live in fixed
 * stack buffers and are wiped on every path.  Before a VERIFY the tries
 * left are shown, a locked PIN is not asked for, and the last try is only
 * spent with --force-last-try; a failed VERIFY is never retried.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"

/* The terminal state to restore if a signal arrives while echo is off. */
static volatile sig_atomic_t	tty_fd = -1;
static struct termios		tty_saved;

static void
tty_restore_signal(int sig)
{
	if (tty_fd != -1)
		(void)tcsetattr(tty_fd, TCSAFLUSH, &tty_saved);
	signal(sig, SIG_DFL);
	raise(sig);
}

const char *
cli_pin_name(jpki_pin_kind_t kind)
{
	switch (kind) {
	case JPKI_PIN_AUTH:
		return "user-authentication PIN (利用者証明用電子証明書暗証番号)";
	case JPKI_PIN_SIGN:
		return "signature password (署名用電子証明書暗証番号)";
	case JPKI_PIN_TEXT:
		return "text-AP PIN (券面事項入力補助用暗証番号)";
	case JPKI_PIN_TEXT_A:
	case JPKI_PIN_VISUAL_A:
		return "verification code A (照合番号A: the 12-digit My Number)";
	case JPKI_PIN_TEXT_B:
	case JPKI_PIN_VISUAL_B:
		return "verification code B (照合番号B: birth date YYMMDD in the "
		    "Japanese era, expiry year, security code; 14 digits)";
	default:
		return "PIN";
	}
}

static const char *
pin_short(jpki_pin_kind_t kind)
{
	switch (kind) {
	case JPKI_PIN_AUTH:
		return "auth PIN";
	case JPKI_PIN_SIGN:
		return "signature password";
	case JPKI_PIN_TEXT:
		return "text PIN";
	case JPKI_PIN_TEXT_A:
	case JPKI_PIN_VISUAL_A:
		return "verification code A";
	case JPKI_PIN_TEXT_B:
	case JPKI_PIN_VISUAL_B:
		return "verification code B";
	default:
		return "PIN";
	}
}

void
cli_pin_wipe(cli_pin_t *pin)
{
	jpki_secure_zero(pin, sizeof(*pin));
}

/*
 * Read one line from fd a byte at a time, so that a second PIN on the same
 * descriptor stays unread.  Returns 0, or -1 (EOF before anything, too
 * long, read error).
 */
static int
read_line(int fd, cli_pin_t *pin, int *too_long)
{
	char	c;
	ssize_t	r;
	int	got = 0;

	pin->len = 0;
	*too_long = 0;
	for (;;) {
		r = read(fd, &c, 1);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got = 1;
		if (c == '\n')
			break;
		if (c == '\r')
			continue;
		if (pin->len >= JPKI_PIN_MAX) {
			*too_long = 1;
			continue;	/* drain the line, keep nothing more */
		}
		pin->v[pin->len++] = c;
	}
	c = 0;
	pin->v[pin->len] = '\0';
	if (!got || *too_long) {
		cli_pin_wipe(pin);
		return -1;
	}
	return 0;
}

static int
read_tty(const char *prompt, cli_pin_t *pin)
{
	struct termios	 t;
	struct sigaction sa, old[4];
	static const int sigs[4] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	int		 fd, i, rc = EX_JPKI_ERROR, too_long = 0, echo_off = 0;

	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd == -1) {
		cli_warnx("no terminal to ask for the PIN: use --pin-fd N or "
		    "--pin-env VAR");
		return EX_JPKI_USAGE;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = tty_restore_signal;
	sigemptyset(&sa.sa_mask);
	if (tcgetattr(fd, &tty_saved) == 0) {
		t = tty_saved;
		t.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK);
		t.c_lflag |= ECHONL;
		tty_fd = fd;
		for (i = 0; i < 4; i++)
			sigaction(sigs[i], &sa, &old[i]);
		if (tcsetattr(fd, TCSAFLUSH, &t) == 0)
			echo_off = 1;
	}
	if (!echo_off) {
		cli_warnx("cannot turn off echo on the terminal; refusing to "
		    "read the PIN");
		goto out;
	}
	if (write(fd, prompt, strlen(prompt)) < 0)
		goto out;
	if (read_line(fd, pin, &too_long) != 0) {
		if (too_long)
			cli_warnx("PIN too long (at most %d characters)",
			    JPKI_PIN_MAX);
		rc = too_long ? EX_JPKI_PIN : EX_JPKI_ERROR;
		goto out;
	}
	rc = EX_JPKI_OK;
out:
	if (tty_fd != -1) {
		(void)tcsetattr(fd, TCSAFLUSH, &tty_saved);
		for (i = 0; i < 4; i++)
			sigaction(sigs[i], &old[i], NULL);
		tty_fd = -1;
	}
	close(fd);
	return rc;
}

static int
read_env(const char *var, cli_pin_t *pin)
{
	char	*v = getenv(var);
	size_t	 n;

	if (v == NULL) {
		cli_warnx("environment variable %s is not set", var);
		return EX_JPKI_USAGE;
	}
	n = strlen(v);
	if (n > JPKI_PIN_MAX) {
		cli_warnx("PIN in %s too long (at most %d characters)", var,
		    JPKI_PIN_MAX);
		jpki_secure_zero(v, n);
		unsetenv(var);
		return EX_JPKI_PIN;
	}
	memcpy(pin->v, v, n);
	pin->v[n] = '\0';
	pin->len = n;
	/* do not leave the secret in our environment (/proc/PID/environ) */
	jpki_secure_zero(v, n);
	unsetenv(var);
	return EX_JPKI_OK;
}

/*
 * which: 0 the current PIN, 1 the new PIN (pin change).  With --pin-fd the
 * PINs are successive lines; on a terminal a new PIN is asked twice.
 */
int
cli_pin_read(cli_t *cli, const char *prompt, int confirm, int which,
    cli_pin_t *pin)
{
	cli_pin_t	again;
	const char	*env = which == 0 ? cli->pin_env : cli->new_pin_env;
	int		 rc, too_long = 0;

	memset(pin, 0, sizeof(*pin));
	memset(&again, 0, sizeof(again));
	if (env != NULL) {
		rc = read_env(env, pin);
	} else if (cli->pin_fd >= 0) {
		rc = EX_JPKI_OK;
		if (read_line(cli->pin_fd, pin, &too_long) != 0) {
			if (too_long)
				cli_warnx("PIN too long (at most %d "
				    "characters)", JPKI_PIN_MAX);
			else
				cli_warnx("no %s on file descriptor %d",
				    which == 0 ? "PIN" : "new PIN",
				    cli->pin_fd);
			rc = too_long ? EX_JPKI_PIN : EX_JPKI_USAGE;
		}
	} else {
		rc = read_tty(prompt, pin);
		if (rc == EX_JPKI_OK && confirm) {
			rc = read_tty("Repeat it: ", &again);
			if (rc == EX_JPKI_OK && (again.len != pin->len ||
			    memcmp(again.v, pin->v, pin->len) != 0)) {
				cli_warnx("the two entries differ; nothing "
				    "was changed");
				rc = EX_JPKI_USAGE;
			}
		}
	}
	cli_pin_wipe(&again);
	if (rc != EX_JPKI_OK)
		cli_pin_wipe(pin);
	return rc;
}

/*
 * The signature password is upper-case A-Z 0-9; tools fold what is typed
 * (jpki-card.md §5.4: the card itself does not).
 */
static void
fold_sign(jpki_pin_kind_t kind, cli_pin_t *pin)
{
	(void)jpki_pin_fold(kind, pin->v, pin->len);	/* the library's rule */
}

static void
locked_help(jpki_pin_kind_t kind)
{
	fprintf(stderr, "  The %s is locked.  Only the municipal office "
	    "(市区町村窓口) can reset it:\n  bring the card and an ID.\n",
	    pin_short(kind));
	if (kind == JPKI_PIN_SIGN)
		fputs("  The signature password can also be reset at a "
		    "convenience-store kiosk\n  with the smartphone "
		    "app (after verifying the auth PIN).\n", stderr);
}

int
cli_pin_fail(const cli_t *cli, jpki_pin_kind_t kind, int err, int tries)
{
	char rule[JPKI_PIN_FORMAT_TEXT_MAX];

	switch (err) {
	case JPKI_ERR_PIN_INCORRECT:
		cli_warnx("wrong %s: %d %s left", pin_short(kind), tries,
		    tries == 1 ? "try" : "tries");
		if (tries == 1)
			fputs("  One more wrong entry locks it; the next "
			    "attempt needs --force-last-try.\n", stderr);
		return EX_JPKI_PIN;
	case JPKI_ERR_PIN_LOCKED:
		cli_warnx("the %s is locked (no tries left)", pin_short(kind));
		locked_help(kind);
		return EX_JPKI_LOCKED;
	case JPKI_ERR_PIN_LAST_TRY:
		cli_warnx("only one try left for the %s: refusing to use it",
		    pin_short(kind));
		fputs("  A wrong entry now would lock it, and only the "
		    "municipal office can reset it.\n  If you are sure of "
		    "the PIN, repeat with --force-last-try.\n", stderr);
		return EX_JPKI_LOCKED;
	case JPKI_ERR_PIN_FORMAT:
		cli_warnx("the %s has the wrong format (no try was spent)",
		    pin_short(kind));
		/* the rule of this kind, from the library's own table */
		if (jpki_pin_format_text(kind, rule, sizeof(rule)) == JPKI_OK)
			fprintf(stderr, "  It is %s.\n", rule);
		return EX_JPKI_PIN;
	default:
		return cli_fail(cli, err, pin_short(kind));
	}
}

int
cli_pin_precheck(cli_t *cli, jpki_pin_kind_t kind, int *tries)
{
	int r;

	*tries = -1;
	r = jpki_card_pin_status(cli->card, kind, tries);
	/* the AP or its PIN is missing: not a My Number Card (§2) */
	if (r == JPKI_ERR_FILE_NOT_FOUND || r == JPKI_ERR_INS_NOT_SUPPORTED)
		r = JPKI_ERR_NOT_JPKI;
	if (r != JPKI_OK && r != JPKI_ERR_PIN_LOCKED)
		return cli_fail(cli, r, "reading the PIN retry counter");
	if (r == JPKI_ERR_PIN_LOCKED)
		*tries = 0;
	if (*tries == 0)
		return cli_pin_fail(cli, kind, JPKI_ERR_PIN_LOCKED, 0);
	if (*tries == 1 && !cli->force_last_try)
		return cli_pin_fail(cli, kind, JPKI_ERR_PIN_LAST_TRY, 1);
	if (*tries > 0 && !cli->json)
		fprintf(stderr, "%s: %d %s left\n", pin_short(kind), *tries,
		    *tries == 1 ? "try" : "tries");
	else if (*tries > 0)
		cli_info(cli, "%s: %d tries left", pin_short(kind), *tries);
	return EX_JPKI_OK;
}

int
cli_pin_verify(cli_t *cli, jpki_pin_kind_t kind)
{
	cli_pin_t	pin;
	char		prompt[160];
	unsigned	flags;
	int		ex, r, tries = -1;

	memset(&pin, 0, sizeof(pin));
	if ((ex = cli_pin_precheck(cli, kind, &tries)) != EX_JPKI_OK)
		goto out;
	snprintf(prompt, sizeof(prompt), "Enter the %s: ", cli_pin_name(kind));
	if ((ex = cli_pin_read(cli, prompt, 0, 0, &pin)) != EX_JPKI_OK)
		goto out;
	fold_sign(kind, &pin);
	flags = cli->force_last_try ? JPKI_PIN_FORCE_LAST_TRY : 0;
	r = jpki_card_verify_pin(cli->card, kind, pin.v, flags, &tries);
	if (r != JPKI_OK) {
		ex = cli_pin_fail(cli, kind, r, tries);
		goto out;
	}
	cli->verified = 1;
	cli_info(cli, "%s verified", pin_short(kind));
	ex = EX_JPKI_OK;
out:
	cli_pin_wipe(&pin);
	return ex;
}

void
cli_pin_fold(jpki_pin_kind_t kind, cli_pin_t *pin)
{
	fold_sign(kind, pin);
}
