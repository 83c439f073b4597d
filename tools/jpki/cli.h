/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Shared pieces of the `jpki` command-line tool: options, exit codes and
 * error messages, card opening, PIN entry, JSON output and formatting.
 */
#ifndef JPKI_CLI_H
#define JPKI_CLI_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <jpki/cert.h>
#include <jpki/jpki.h>

/* Documented exit codes (jpki(1) EXIT STATUS). */
#define EX_JPKI_OK		0
#define EX_JPKI_ERROR		1	/* anything else */
#define EX_JPKI_USAGE		2
#define EX_JPKI_NOCARD		3	/* no pcscd, no reader, no card */
#define EX_JPKI_NOTJPKI		4	/* not a My Number Card */
#define EX_JPKI_PIN		5	/* wrong PIN (or refused format) */
#define EX_JPKI_LOCKED		6	/* PIN locked, or last-try guard */
#define EX_JPKI_REMOVED		7	/* card removed or reset mid-way */
#define EX_JPKI_VERIFY		8	/* a verification failed */

/* Option groups a command accepts besides -j -v -h --stats. */
#define CLI_O_CARD	0x01	/* --reader --wait */
#define CLI_O_PIN	0x02	/* --pin-fd --pin-env --force-last-try */
#define CLI_O_NEWPIN	0x04	/* --new-pin-env */

/* Long-only option ids of the common set; commands use ids >= OPT_CMD. */
enum {
	OPT_STATS = 256,
	OPT_PIN_FD,
	OPT_PIN_ENV,
	OPT_NEW_PIN_ENV,
	OPT_FORCE_LAST_TRY,
	OPT_VERSION,
	OPT_CMD = 300
};

typedef struct {
	const char	*reader;	/* name or index, NULL: first with card */
	int		 wait_ms;	/* 0: do not wait */
	int		 json;
	int		 verbose;
	int		 stats;
	int		 pin_fd;	/* -1: not given */
	const char	*pin_env;
	const char	*new_pin_env;
	int		 force_last_try;
	unsigned	 groups;	/* CLI_O_* accepted by the command */
	struct timespec	 t0;
	jpki_card_t	*card;		/* the open card */
	int		 verified;	/* a PIN was verified: log out at close */
} cli_t;

/* A PIN as typed, in a fixed buffer wiped by cli_pin_wipe(). */
typedef struct {
	char	v[JPKI_PIN_MAX + 1];
	size_t	len;
} cli_pin_t;

/* A command: returns an exit code. */
typedef int (*cli_cmd_fn)(cli_t *cli, int argc, char **argv);

int	cmd_readers(cli_t *, int, char **);
int	cmd_info(cli_t *, int, char **);
int	cmd_cert(cli_t *, int, char **);
int	cmd_pin(cli_t *, int, char **);
int	cmd_sign(cli_t *, int, char **);
int	cmd_text(cli_t *, int, char **);
int	cmd_doctor(cli_t *, int, char **);
int	cmd_platform(cli_t *, int, char **);
int	cmd_verify(cli_t *, int, char **);
int	cmd_visual(cli_t *, int, char **);

/* cli.c */
extern const char cli_exit_help[];	/* the EXIT STATUS block of --help */
void	cli_init(cli_t *cli);
/*
 * Parse argv with the common options of cli->groups plus extra (may be
 * NULL).  Command options are handed to opt(ctx, id, optarg), which
 * returns 0 or -1 (usage error, message printed).  Returns 0 with optind
 * at the first operand, 1 after printing usage for --help, or -1 after a
 * usage error.
 */
int	cli_parse(cli_t *cli, int argc, char **argv, const char *shortopts,
	    const struct option *extra, int (*opt)(void *, int, const char *),
	    void *ctx, const char *usage);
/* Handle one common option; 1 if it was one, 0 if not, -1 on error. */
int	cli_common_opt(cli_t *cli, int id, const char *arg);
void	cli_usage_error(const char *usage, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	cli_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	cli_info(const cli_t *cli, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
int	cli_exit_code(int err);
/* Explain err with what the user can do about it; returns the exit code. */
int	cli_fail(const cli_t *cli, int err, const char *what);
/* Before asking for the signature password: does the card have the key? */
int	cli_need_sign_cert(cli_t *cli);
/* Open the card (jpki_card_open with --reader/--wait); exit code. */
int	cli_open(cli_t *cli, unsigned flags);
void	cli_close(cli_t *cli);
void	cli_print_stats(const cli_t *cli);
/* Output file: stdout for NULL or "-"; binary output refuses a tty. */
FILE	*cli_out_open(const char *path, int binary, int *ex);
int	cli_out_close(FILE *f, const char *path);

/* pinentry.c */
const char *cli_pin_name(jpki_pin_kind_t kind);
int	cli_pin_read(cli_t *cli, const char *prompt, int confirm,
	    int which, cli_pin_t *pin);
void	cli_pin_wipe(cli_pin_t *pin);
/* Upper-case a typed signature password (jpki-card.md §5.4). */
void	cli_pin_fold(jpki_pin_kind_t kind, cli_pin_t *pin);
/*
 * Show the tries left, refuse a locked PIN or an unforced last try, read
 * the PIN and VERIFY it.  Returns an exit code; messages printed.
 */
int	cli_pin_verify(cli_t *cli, jpki_pin_kind_t kind);
/* Tries left, with the lock and last-try checks; exit code. */
int	cli_pin_precheck(cli_t *cli, jpki_pin_kind_t kind, int *tries);
/* Report a failed VERIFY/CHANGE; returns the exit code. */
int	cli_pin_fail(const cli_t *cli, jpki_pin_kind_t kind, int err,
	    int tries);

/* json.c: a tiny streaming emitter, compact output. */
#define JSON_MAX_DEPTH	16
typedef struct {
	FILE		*f;
	int		 depth;
	int		 after_key;
	int		 err;
	unsigned char	 comma[JSON_MAX_DEPTH + 1];
} json_t;

void	json_init(json_t *j, FILE *f);
void	json_obj_begin(json_t *j);
void	json_obj_end(json_t *j);
void	json_arr_begin(json_t *j);
void	json_arr_end(json_t *j);
void	json_key(json_t *j, const char *k);
void	json_str(json_t *j, const char *s);	/* NULL: null */
void	json_strn(json_t *j, const char *s, size_t n);
void	json_int(json_t *j, long long v);
void	json_bool(json_t *j, int v);
void	json_null(json_t *j);
void	json_kv_str(json_t *j, const char *k, const char *v);
void	json_kv_int(json_t *j, const char *k, long long v);
void	json_kv_bool(json_t *j, const char *k, int v);
/* Finish the document (newline); 0, or -1 on misuse or write error. */
int	json_end(json_t *j);

/* cmd_verify.c: trust anchors and results shared with cert, sign, text. */
#define CLI_MAX_CA	16
typedef struct {
	const char	*path[CLI_MAX_CA];	/* --ca FILE, repeatable */
	size_t		 n;
} cli_ca_t;

/* Record one --ca FILE; -1 (message printed) when too many. */
int	cli_ca_add(cli_ca_t *ca, const char *path, const char *usage);
/*
 * A verifier with the bundled J-LIS roots plus the --ca anchors (never a
 * CA certificate read from the card, jpki-card.md §9).  at: unix seconds,
 * 0 = now.  Returns an exit code, message printed.
 */
int	cli_verifier(const cli_ca_t *ca, int production_only, long long at,
	    jpki_verify_t **v);
/* RFC 3339 (2026-11-23T12:00:00Z, +09:00) or unix seconds; -1 if bad. */
int	cli_parse_time(const char *s, long long *at);
/* Read a whole file (at most max bytes); exit code, message printed. */
int	cli_read_file(const char *path, size_t max, uint8_t **p, size_t *n);
/* "chain: ok (JPKI-MOCK)" / "chain: FAILED: <reason>", and as JSON. */
void	cli_chain_text(FILE *f, const jpki_verify_result_t *res);
void	cli_chain_json(json_t *j, const jpki_verify_result_t *res);

/* fmt.c */
int	fmt_hex(const uint8_t *p, size_t n, char *out, size_t outsz);
int	fmt_hex_spaced(const uint8_t *p, size_t n, char *out, size_t outsz);
int	fmt_dec(const uint8_t *p, size_t n, char *out, size_t outsz);
size_t	fmt_b64_len(size_t n);
int	fmt_b64(const uint8_t *p, size_t n, char *out, size_t outsz);
int	fmt_pem(FILE *f, const char *label, const uint8_t *der, size_t n);
int	fmt_ssh_rsa(FILE *f, const uint8_t *n, size_t n_len, const uint8_t *e,
	    size_t e_len, const char *comment);
void	fmt_mynumber(const char mn[13], int show, char out[15]);

#endif /* JPKI_CLI_H */
