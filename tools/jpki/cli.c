/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Options shared by every command, exit codes, and error messages that
 * tell the user what to do next.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define MAX_OPTS	48

const char cli_exit_help[] =
"Every command also takes -v/--verbose and --stats (see 'jpki --help').\n"
"PINs are never read from the command line.  JPKI_DEBUG=1 logs the APDUs\n"
"with PINs and personal data redacted.\n"
"\n"
"Exit status:\n"
"  0  success            1  other error         2  usage error\n"
"  3  no pcscd, reader or card                  4  not a My Number Card\n"
"  5  wrong PIN          6  PIN locked, or last try refused\n"
"  7  card removed or reset during the operation\n"
"  8  verification failed\n";

static const struct option opts_base[] = {
	{ "json",		no_argument,		NULL, 'j' },
	{ "verbose",		no_argument,		NULL, 'v' },
	{ "help",		no_argument,		NULL, 'h' },
	{ "stats",		no_argument,		NULL, OPT_STATS },
};

static const struct option opts_card[] = {
	{ "reader",		required_argument,	NULL, 'r' },
	{ "wait",		required_argument,	NULL, 'w' },
};

static const struct option opts_pin[] = {
	{ "pin-fd",		required_argument,	NULL, OPT_PIN_FD },
	{ "pin-env",		required_argument,	NULL, OPT_PIN_ENV },
	{ "force-last-try",	no_argument,		NULL, OPT_FORCE_LAST_TRY },
};

static const struct option opts_newpin[] = {
	{ "new-pin-env",	required_argument,	NULL, OPT_NEW_PIN_ENV },
};

void
cli_init(cli_t *cli)
{
	memset(cli, 0, sizeof(*cli));
	cli->pin_fd = -1;
	cli->groups = CLI_O_CARD | CLI_O_PIN | CLI_O_NEWPIN;
	clock_gettime(CLOCK_MONOTONIC, &cli->t0);
}

void
cli_warnx(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("jpki: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
cli_info(const cli_t *cli, const char *fmt, ...)
{
	va_list ap;

	if (!cli->verbose)
		return;
	fputs("jpki: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
cli_usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;

	fputs("jpki: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (usage != NULL) {
		/* the first line of the usage text, then a pointer to more */
		const char *nl = strchr(usage, '\n');
		int n = nl != NULL ? (int)(nl - usage) : (int)strlen(usage);

		fprintf(stderr, "%.*s\n", n, usage);
	}
	fputs("Try 'jpki --help' or 'jpki COMMAND --help'.\n", stderr);
}

static int
parse_uint(const char *s, long max, long *out)
{
	char	*end;
	long	 v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0 || v > max)
		return -1;
	*out = v;
	return 0;
}

int
cli_common_opt(cli_t *cli, int id, const char *arg)
{
	long v;

	switch (id) {
	case 'j':
		cli->json = 1;
		return 1;
	case 'v':
		cli->verbose++;
		return 1;
	case OPT_STATS:
		cli->stats = 1;
		return 1;
	case 'r':
		if (arg == NULL || *arg == '\0') {
			cli_usage_error(NULL, "--reader needs a name or index");
			return -1;
		}
		cli->reader = arg;
		return 1;
	case 'w':
		/* a day at most keeps the milliseconds inside an int */
		if (parse_uint(arg, 86400, &v) != 0) {
			cli_usage_error(NULL, "--wait: '%s' is not a number of "
			    "seconds (0-86400)", arg != NULL ? arg : "");
			return -1;
		}
		cli->wait_ms = (int)v * 1000;
		return 1;
	case OPT_PIN_FD:
		if (parse_uint(arg, INT_MAX, &v) != 0 ||
		    fcntl((int)v, F_GETFD) == -1) {
			cli_usage_error(NULL, "--pin-fd: '%s' is not an open "
			    "file descriptor", arg != NULL ? arg : "");
			return -1;
		}
		cli->pin_fd = (int)v;
		return 1;
	case OPT_PIN_ENV:
		cli->pin_env = arg;
		return 1;
	case OPT_NEW_PIN_ENV:
		cli->new_pin_env = arg;
		return 1;
	case OPT_FORCE_LAST_TRY:
		cli->force_last_try = 1;
		return 1;
	default:
		return 0;
	}
}

static int
add_opts(struct option *all, size_t *n, const struct option *o, size_t count)
{
	size_t i;

	for (i = 0; i < count && o[i].name != NULL; i++) {
		if (*n + 1 >= MAX_OPTS)
			return -1;
		all[(*n)++] = o[i];
	}
	return 0;
}

int
cli_parse(cli_t *cli, int argc, char **argv, const char *shortopts,
    const struct option *extra, int (*opt)(void *, int, const char *),
    void *ctx, const char *usage)
{
	struct option	all[MAX_OPTS];
	char		sopts[64];
	size_t		n = 0, nextra = 0;
	int		c, r;

	memset(all, 0, sizeof(all));
	if (extra != NULL)
		while (extra[nextra].name != NULL)
			nextra++;
	if (add_opts(all, &n, opts_base, sizeof(opts_base) /
	    sizeof(opts_base[0])) != 0 ||
	    ((cli->groups & CLI_O_CARD) && add_opts(all, &n, opts_card,
	    sizeof(opts_card) / sizeof(opts_card[0])) != 0) ||
	    ((cli->groups & CLI_O_PIN) && add_opts(all, &n, opts_pin,
	    sizeof(opts_pin) / sizeof(opts_pin[0])) != 0) ||
	    ((cli->groups & CLI_O_NEWPIN) && add_opts(all, &n, opts_newpin,
	    sizeof(opts_newpin) / sizeof(opts_newpin[0])) != 0) ||
	    add_opts(all, &n, extra, nextra) != 0) {
		cli_warnx("internal error: too many options");
		return -1;
	}
	/* a leading '+' (main command line) stops at the command name */
	if (shortopts == NULL)
		shortopts = "";
	r = snprintf(sopts, sizeof(sopts), "%s:jvh%s%s",
	    *shortopts == '+' ? "+" : "",
	    (cli->groups & CLI_O_CARD) ? "r:w:" : "",
	    *shortopts == '+' ? shortopts + 1 : shortopts);
	if (r < 0 || (size_t)r >= sizeof(sopts)) {
		cli_warnx("internal error: short options");
		return -1;
	}
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, sopts, all, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			fputs(cli_exit_help, stdout);
			return 1;
		}
		if (c == '?') {
			if (optopt != 0)
				cli_usage_error(usage, "unknown option '-%c'",
				    optopt);
			else
				cli_usage_error(usage, "unknown option '%s'",
				    argv[optind - 1]);
			return -1;
		}
		if (c == ':') {
			cli_usage_error(usage, "option '%s' needs a value",
			    argv[optind - 1]);
			return -1;
		}
		r = cli_common_opt(cli, c, optarg);
		if (r < 0)
			return -1;
		if (r == 0) {
			if (opt == NULL || opt(ctx, c, optarg) != 0)
				return -1;
		}
	}
	return 0;
}

int
cli_exit_code(int err)
{
	switch (err) {
	case JPKI_OK:
		return EX_JPKI_OK;
	case JPKI_ERR_ARG:
		return EX_JPKI_USAGE;
	case JPKI_ERR_NO_SERVICE:
	case JPKI_ERR_NO_READER:
	case JPKI_ERR_NO_CARD:
	case JPKI_ERR_READER_NOT_FOUND:
	case JPKI_ERR_UNRESPONSIVE:
	case JPKI_ERR_TIMEOUT:
		return EX_JPKI_NOCARD;
	case JPKI_ERR_NOT_JPKI:
		return EX_JPKI_NOTJPKI;
	case JPKI_ERR_PIN_INCORRECT:
	case JPKI_ERR_PIN_FORMAT:
		return EX_JPKI_PIN;
	case JPKI_ERR_PIN_LOCKED:
	case JPKI_ERR_PIN_LAST_TRY:
		return EX_JPKI_LOCKED;
	case JPKI_ERR_CARD_REMOVED:
	case JPKI_ERR_CARD_RESET:
		return EX_JPKI_REMOVED;
	case JPKI_ERR_CERT_SIGNATURE:
	case JPKI_ERR_CERT_UNTRUSTED:
	case JPKI_ERR_SIGNATURE_INVALID:
	case JPKI_ERR_NOT_AUTHENTIC:
		return EX_JPKI_VERIFY;
	default:
		return EX_JPKI_ERROR;
	}
}

static void
list_readers(void)
{
	char	**names = NULL;
	int	 *present = NULL;
	size_t	  n = 0, i;

	if (jpki_reader_list(&names, &n, &present) != JPKI_OK || n == 0) {
		fputs("  (no readers)\n", stderr);
		goto out;
	}
	fputs("Readers:\n", stderr);
	for (i = 0; i < n; i++)
		fprintf(stderr, "  %zu: %s%s\n", i, names[i],
		    present != NULL && present[i] ? " (card present)" : "");
out:
	jpki_reader_list_free(&names, &present);
}

/* 1 if pcscd reports a card in the named reader, 0 if not, -1 unknown. */
static int
card_present(const char *reader)
{
	char	**names = NULL;
	int	 *present = NULL;
	size_t	  n = 0, i;
	int	  st = -1;

	if (jpki_reader_list(&names, &n, &present) == JPKI_OK &&
	    present != NULL)
		for (i = 0; i < n; i++)
			if (strcmp(names[i], reader) == 0)
				st = present[i] != 0;
	jpki_reader_list_free(&names, &present);
	return st;
}

/*
 * A reader driver that loses the card mid-APDU makes pcscd answer "transaction
 * failed" (SCARD_E_NOT_TRANSACTED), not "card removed".  If the card is gone
 * within a second, say what the user can act on: it was removed.
 */
static int
refine(const cli_t *cli, int err)
{
	const char	*reader;
	int		 i;

	if (err != JPKI_ERR_TRANSPORT || cli == NULL || cli->card == NULL ||
	    (reader = jpki_card_reader(cli->card)) == NULL)
		return err;
	for (i = 0; i < 10; i++) {
		if (card_present(reader) == 0)
			return JPKI_ERR_CARD_REMOVED;
		usleep(100 * 1000);
	}
	return err;
}

int
cli_fail(const cli_t *cli, int err, const char *what)
{
	const char *hint = NULL;

	err = refine(cli, err);

	if (what != NULL)
		cli_warnx("%s: %s", what, jpki_strerror(err));
	else
		cli_warnx("%s", jpki_strerror(err));
	switch (err) {
	case JPKI_ERR_NO_SERVICE:
		hint = "the PC/SC daemon is not running; start it with: pcscd\n"
		    "  (or, with systemd: sudo systemctl start pcscd.socket)";
		break;
	case JPKI_ERR_NO_READER:
		hint = "connect a smart-card reader (USB CCID or NFC) and "
		    "check it with: jpki readers";
		break;
	case JPKI_ERR_NO_CARD:
	case JPKI_ERR_TIMEOUT:
		if (cli != NULL && cli->wait_ms > 0)
			hint = "no card arrived in time: insert your My Number "
			    "Card (or place it\n  on the NFC reader) and "
			    "retry, or wait longer with --wait SECONDS";
		else
			hint = "insert your My Number Card (or place it on the "
			    "NFC reader),\n  or use --wait SECONDS to wait for "
			    "it";
		break;
	case JPKI_ERR_READER_NOT_FOUND:
		hint = "give --reader an index or a full name from the list";
		break;
	case JPKI_ERR_UNRESPONSIVE:
		hint = "re-insert the card (chip first, contacts up) and retry";
		break;
	case JPKI_ERR_SHARING:
		hint = "another program holds the card exclusively; close it "
		    "and retry";
		break;
	case JPKI_ERR_NOT_JPKI:
		hint = "this card has no JPKI application: is it a My Number "
		    "Card (個人番号カード)?";
		break;
	case JPKI_ERR_CARD_REMOVED:
		hint = "the card was removed during the operation; re-insert "
		    "it and retry";
		break;
	case JPKI_ERR_CARD_RESET:
		hint = "another program reset the card and PIN verification "
		    "was lost;\n  retry (no PIN was re-sent automatically)";
		break;
	case JPKI_ERR_NO_SIGN_CERT:
		hint = "cards of minors carry no signature certificate";
		break;
	default:
		break;
	}
	if (hint != NULL)
		fprintf(stderr, "  %s\n", hint);
	if (err == JPKI_ERR_READER_NOT_FOUND)
		list_readers();
	if (cli != NULL && cli->verbose)
		fprintf(stderr, "  (%s, %d)\n", jpki_strerror_name(err), err);
	return cli_exit_code(err);
}

int
cli_open(cli_t *cli, unsigned flags)
{
	int r;

	if ((r = jpki_init()) != JPKI_OK)
		return cli_fail(cli, r, "initialisation");
	if (jpki_card_new(&cli->card) != JPKI_OK)
		return cli_fail(cli, JPKI_ERR_NOMEM, NULL);
	if (cli->wait_ms > 0)
		cli_info(cli, "waiting up to %d s for a card",
		    cli->wait_ms / 1000);
	r = jpki_card_open(cli->card, cli->reader, cli->wait_ms, flags);
	if (r != JPKI_OK) {
		char what[128];

		if (cli->reader != NULL)
			snprintf(what, sizeof(what), "reader '%s'",
			    cli->reader);
		else
			snprintf(what, sizeof(what), "cannot open a card");
		return cli_fail(cli, r, what);
	}
	cli_info(cli, "using reader '%s'", jpki_card_reader(cli->card));
	return EX_JPKI_OK;
}

int
cli_need_sign_cert(cli_t *cli)
{
	int r, auth = 0, sign = 0;

	/* EF 0008 (jpki-card.md §5.1): a card of a minor has no sign key */
	r = jpki_card_cert_available(cli->card, &auth, &sign);
	if (r != JPKI_OK)
		return cli_fail(cli, r, "reading the certificate status");
	if (!sign)
		return cli_fail(cli, JPKI_ERR_NO_SIGN_CERT, NULL);
	return EX_JPKI_OK;
}

void
cli_print_stats(const cli_t *cli)
{
	struct timespec	t1;
	jpki_stats_t	st = { .size = sizeof(st) };
	long long	ms;

	if (!cli->stats)
		return;
	JPKI_INIT(&st);
	if (cli->card != NULL)
		jpki_card_stats(cli->card, &st);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (long long)(t1.tv_sec - cli->t0.tv_sec) * 1000 +
	    (t1.tv_nsec - cli->t0.tv_nsec) / 1000000;
	fflush(stdout);
	fprintf(stderr, "stats: %lu APDUs (%lu extended), %lu bytes sent, "
	    "%lu bytes received, %lld ms\n", st.apdus, st.extended_apdus,
	    st.bytes_sent, st.bytes_received, ms);
}

void
cli_close(cli_t *cli)
{
	/*
	 * A verified PIN outlives our connection (SCardDisconnect leaves the
	 * card as it is): re-select the AP so that no other program inherits
	 * it (jpki-card.md §2.1).
	 */
	if (cli->card != NULL && cli->verified)
		(void)jpki_card_logout(cli->card);
	cli_print_stats(cli);
	if (cli->card != NULL) {
		jpki_card_close(cli->card);
		jpki_card_free(&cli->card);
	}
	jpki_exit();
}

FILE *
cli_out_open(const char *path, int binary, int *ex)
{
	FILE	*f;
	int	 fd;

	*ex = EX_JPKI_OK;
	if (path == NULL || strcmp(path, "-") == 0) {
		if (binary && isatty(STDOUT_FILENO)) {
			cli_warnx("refusing to write binary data to a "
			    "terminal; use --out FILE or redirect stdout");
			*ex = EX_JPKI_USAGE;
			return NULL;
		}
		return stdout;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd == -1 || (f = fdopen(fd, "wb")) == NULL) {
		cli_warnx("%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		*ex = EX_JPKI_ERROR;
		return NULL;
	}
	return f;
}

int
cli_out_close(FILE *f, const char *path)
{
	int bad, is_stdout;

	if (f == NULL)
		return EX_JPKI_ERROR;
	is_stdout = f == stdout;
	bad = fflush(f) != 0 || ferror(f);
	if (!is_stdout)
		bad |= fclose(f) != 0;
	if (bad) {
		cli_warnx("%s: write error: %s", is_stdout ? "stdout" :
		    path, strerror(errno));
		return EX_JPKI_ERROR;
	}
	return EX_JPKI_OK;
}
