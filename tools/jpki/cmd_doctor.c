/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * jpki doctor: check what a My Number Card needs on this machine and say
 * what to fix: the pcscd service and its socket, the readers, kernel NFC
 * drivers that take readers away from pcscd (udev/blacklist-jpki-nfc.conf,
 * peers.md §4), known USB readers, and whether the card in each reader
 * answers as a My Number Card (by selecting the JPKI AP, never by ATR).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli.h"

static const char usage[] =
"usage: jpki doctor [--json]\n"
"\n"
"Check the smart-card setup and print what to fix:\n"
"  - pcscd and its service socket (PCSCLITE_CSOCK_NAME or\n"
"    /run/pcscd/pcscd.comm);\n"
"  - the PC/SC readers;\n"
"  - kernel NFC drivers (pn533, pn533_usb, nfc, port100) that take USB NFC\n"
"    readers away from pcscd, and the blacklist that stops them;\n"
"  - known USB readers (Sony RC-S300 works with libccid, RC-S380 has no\n"
"    PC/SC driver, ACS ACR122U needs the blacklist);\n"
"  - whether the card in each reader answers as a My Number Card.\n"
"Exit status 0 when nothing failed (warnings allowed), 1 otherwise.\n"
"JPKI_DOCTOR_SYSROOT=DIR reads proc/, sys/ and etc/ below DIR (tests).\n"
"\n"
"Examples:\n"
"  jpki doctor\n"
"  jpki doctor --json\n"
"\n";

enum { ST_OK = 0, ST_WARN, ST_FAIL, ST_INFO };
static const char *const st_name[] = { "ok", "warn", "FAIL", "info" };
static const char *const st_json[] = { "ok", "warn", "fail", "info" };

typedef struct {
	cli_t	*cli;
	json_t	 j;
	int	 fails, warns;
	char	 root[512];
} doc_t;

static void
report(doc_t *d, int st, const char *check, const char *detail,
    const char *fix)
{
	if (st == ST_FAIL)
		d->fails++;
	if (st == ST_WARN)
		d->warns++;
	if (d->cli->json) {
		json_obj_begin(&d->j);
		json_kv_str(&d->j, "check", check);
		json_kv_str(&d->j, "status", st_json[st]);
		json_kv_str(&d->j, "detail", detail);
		if (fix != NULL)
			json_kv_str(&d->j, "fix", fix);
		json_obj_end(&d->j);
		return;
	}
	printf("[%-4s] %-16s %s\n", st_name[st], check, detail);
	if (fix != NULL)
		printf("       %-16s fix: %s\n", "", fix);
}

static void
path(const doc_t *d, const char *p, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s%s", d->root, p);
}

/* A pcscd process, by /proc/<pid>/comm. */
static long
find_pcscd(const doc_t *d)
{
	char		 p[1024], comm[64];
	DIR		*dir;
	struct dirent	*e;
	FILE		*f;
	long		 pid = -1;

	path(d, "/proc", p, sizeof(p));
	if ((dir = opendir(p)) == NULL)
		return -1;
	while (pid < 0 && (e = readdir(dir)) != NULL) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(p, sizeof(p), "%s/proc/%s/comm", d->root, e->d_name);
		if ((f = fopen(p, "r")) == NULL)
			continue;
		if (fgets(comm, sizeof(comm), f) != NULL &&
		    strcmp(comm, "pcscd\n") == 0)
			pid = strtol(e->d_name, NULL, 10);
		fclose(f);
	}
	closedir(dir);
	return pid;
}

static void
check_service(doc_t *d)
{
	struct sockaddr_un	 sa;
	struct stat		 sb;
	const char		*sock = getenv("PCSCLITE_CSOCK_NAME");
	char			 msg[700];
	long			 pid;
	int			 fd, up = 0;

	if (sock == NULL || *sock == '\0')
		sock = "/run/pcscd/pcscd.comm";
	pid = find_pcscd(d);
	if (stat(sock, &sb) != 0 || !S_ISSOCK(sb.st_mode)) {
		snprintf(msg, sizeof(msg), "%s: no socket", sock);
		report(d, ST_FAIL, "pcscd socket", msg, pid > 0 ?
		    "pcscd runs but its socket is elsewhere: set "
		    "PCSCLITE_CSOCK_NAME, or restart pcscd" :
		    "install and start pcscd: 'apt install pcscd', then "
		    "'systemctl enable --now pcscd.socket' (without systemd: "
		    "run 'pcscd')");
	} else {
		memset(&sa, 0, sizeof(sa));
		sa.sun_family = AF_UNIX;
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
		if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) >= 0) {
			up = connect(fd, (struct sockaddr *)&sa,
			    sizeof(sa)) == 0;
			close(fd);
		}
		snprintf(msg, sizeof(msg), "%s %s", sock, up ? "answers" :
		    "does not answer");
		report(d, up ? ST_OK : ST_FAIL, "pcscd socket", msg, up ?
		    NULL : "a stale socket from a crashed pcscd: remove "
		    "/run/pcscd/* and start pcscd again");
	}
	if (pid > 0) {
		snprintf(msg, sizeof(msg), "running (pid %ld)", pid);
		report(d, ST_OK, "pcscd", msg, NULL);
	} else {
		report(d, up ? ST_INFO : ST_FAIL, "pcscd", up ?
		    "not running now; started on demand by its socket" :
		    "not running", up ? NULL : "start it: 'systemctl start "
		    "pcscd' or 'pcscd' (do not use --auto-exit on a kiosk "
		    "without socket activation)");
	}
}

/* The blacklist in the sources, and where the Debian package puts it. */
#define NFC_BLACKLIST_SRC	"udev/blacklist-jpki-nfc.conf"
#define NFC_BLACKLIST_EXAMPLE	\
	"/usr/share/doc/jpki/examples/blacklist-jpki-nfc.conf"

/* Kernel NFC modules that claim readers before pcscd (peers.md §4). */
static const struct {
	const char	*mod;
	const char	*reader;
} nfc_mods[] = {
	{ "pn533_usb",	"ACS ACR122U, SCM SCL3711" },
	{ "pn533",	"ACS ACR122U and other PN533 readers" },
	{ "port100",	"Sony RC-S380" },
	{ "nfc",	"the NFC core used by the drivers above" },
};

static int
blacklisted(const doc_t *d, const char *mod)
{
	char		 p[1024], line[256], kw[16], m[64];
	DIR		*dir;
	struct dirent	*e;
	FILE		*f;
	int		 found = 0;

	path(d, "/etc/modprobe.d", p, sizeof(p));
	if ((dir = opendir(p)) == NULL)
		return 0;
	while (!found && (e = readdir(dir)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/etc/modprobe.d/%s", d->root,
		    e->d_name);
		if ((f = fopen(p, "r")) == NULL)
			continue;
		while (!found && fgets(line, sizeof(line), f) != NULL) {
			line[strcspn(line, "#")] = '\0';
			found = sscanf(line, "%15s %63s", kw, m) == 2 &&
			    strcmp(kw, "blacklist") == 0 &&
			    strcmp(m, mod) == 0;
		}
		fclose(f);
	}
	closedir(dir);
	return found;
}

/*
 * The top of the source tree when this jpki is the one built there
 * ($(BUILD)/bin/jpki, with udev/ two levels up), so that the fix can say
 * 'make install-udev'; 0 for an installed jpki.  The running binary, not
 * the sysroot: it is about where this program came from.
 */
static int
source_tree(char *top, size_t len)
{
	char	exe[1024], p[1100], *s;
	ssize_t	n;
	int	i;

	/* a longer path (or a truncated one) is not taken for a tree */
	if ((n = readlink("/proc/self/exe", exe, sizeof(exe))) <= 0 ||
	    (size_t)n >= sizeof(exe))
		return 0;
	exe[n] = '\0';
	for (i = 0; i < 3; i++) {	/* jpki, bin, the build directory */
		if ((s = strrchr(exe, '/')) == NULL || s == exe)
			return 0;
		*s = '\0';
	}
	snprintf(p, sizeof(p), "%s/udev/module.mk", exe);
	if (access(p, R_OK) != 0)
		return 0;
	snprintf(p, sizeof(p), "%s/%s", exe, NFC_BLACKLIST_SRC);
	if (access(p, R_OK) != 0)
		return 0;
	snprintf(top, len, "%s", exe);
	return 1;
}

/*
 * How to install the blacklist: 'make install-udev' from a source tree;
 * for an installed jpki the copy the package ships (debian/jpki.examples),
 * or the file from the sources when this installation has none.
 */
static void
blacklist_fix(const doc_t *d, const char *loaded, char *msg, size_t len)
{
	char top[1024], p[1024];

	if (source_tree(top, sizeof(top))) {
		snprintf(msg, len, "'make install-udev' in %.400s (installs "
		    "/etc/modprobe.d/blacklist-jpki-nfc.conf), then "
		    "'modprobe -r%s'", top, loaded);
		return;
	}
	path(d, NFC_BLACKLIST_EXAMPLE, p, sizeof(p));
	if (access(p, R_OK) == 0)
		snprintf(msg, len, "'cp %s /etc/modprobe.d/' as root, then "
		    "'modprobe -r%s'", NFC_BLACKLIST_EXAMPLE, loaded);
	else
		snprintf(msg, len, "install %s of the jpki sources as "
		    "/etc/modprobe.d/blacklist-jpki-nfc.conf, then "
		    "'modprobe -r%s'", NFC_BLACKLIST_SRC, loaded);
}

static void
check_nfc_modules(doc_t *d)
{
	char	 p[600], line[256], msg[800], loaded[128] = "";
	FILE	*f;
	size_t	 i, n;
	int	 any = 0, missing = 0;

	path(d, "/proc/modules", p, sizeof(p));
	if ((f = fopen(p, "r")) != NULL) {
		while (fgets(line, sizeof(line), f) != NULL) {
			n = strcspn(line, " ");
			for (i = 0; i < sizeof(nfc_mods) / sizeof(nfc_mods[0]);
			    i++) {
				if (strlen(nfc_mods[i].mod) != n ||
				    strncmp(line, nfc_mods[i].mod, n) != 0)
					continue;
				snprintf(msg, sizeof(msg),
				    "module %s is loaded: it takes %s away "
				    "from pcscd", nfc_mods[i].mod,
				    nfc_mods[i].reader);
				report(d, ST_WARN, "kernel NFC", msg, NULL);
				if (strlen(loaded) + n + 2 < sizeof(loaded)) {
					strcat(loaded, " ");
					strncat(loaded, line, n);
				}
				any = 1;
			}
		}
		fclose(f);
	}
	for (i = 0; i < sizeof(nfc_mods) / sizeof(nfc_mods[0]); i++)
		if (!blacklisted(d, nfc_mods[i].mod))
			missing = 1;
	if (any) {
		if (!missing)
			snprintf(msg, sizeof(msg), "blacklist installed; "
			    "unload the drivers: 'modprobe -r%s' (or reboot)",
			    loaded);
		else
			blacklist_fix(d, loaded, msg, sizeof(msg));
		report(d, ST_WARN, "kernel NFC", "a USB NFC reader on these "
		    "drivers is not usable through PC/SC", msg);
	} else {
		report(d, ST_OK, "kernel NFC", missing ? "no kernel NFC "
		    "driver loaded (blacklist not installed; needed only for "
		    "ACR122U-type readers)" : "no kernel NFC driver loaded; "
		    "blacklist installed", NULL);
	}
}

/* USB readers with something to say (peers.md §4 table). */
static const struct {
	const char	*vid, *pid, *name;
	int		 st;
	const char	*note;
} usb_readers[] = {
	{ "054c", "0dc8", "Sony RC-S300/S", ST_OK,
	    "works with libccid >= 1.4.35 (Debian 12: 1.5.2)" },
	{ "054c", "0dc9", "Sony RC-S300/P", ST_OK,
	    "works with libccid >= 1.4.35 (Debian 12: 1.5.2)" },
	{ "054c", "06c3", "Sony RC-S380", ST_FAIL,
	    "has no PC/SC driver on Linux: use an RC-S300 (or a CCID "
	    "contact reader)" },
	{ "054c", "06c1", "Sony RC-S380", ST_FAIL,
	    "has no PC/SC driver on Linux: use an RC-S300 (or a CCID "
	    "contact reader)" },
	{ "072f", "2200", "ACS ACR122U", ST_WARN,
	    "works with libccid only with the kernel NFC drivers "
	    "blacklisted (see the kernel NFC check); short APDUs only" },
	{ "072f", "223e", "ACS ACR1252", ST_OK, "works with libccid" },
	{ "072f", "221a", "ACS ACR1251", ST_OK, "works with libccid" },
	{ "072f", "221b", "ACS ACR1251 (NTT Com)", ST_WARN,
	    "not in libccid's list: install libacsccid1" },
};

static int
read_id(const char *dir, const char *file, char out[8])
{
	char	 p[1400];
	FILE	*f;
	int	 ok;

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	if ((f = fopen(p, "r")) == NULL)
		return 0;
	ok = fgets(out, 8, f) != NULL;
	fclose(f);
	out[strcspn(out, "\n")] = '\0';
	return ok;
}

static void
check_usb(doc_t *d)
{
	char		 p[1024], dev[1300], vid[8], pid[8], msg[300];
	DIR		*dir;
	struct dirent	*e;
	size_t		 i;
	int		 seen = 0;

	path(d, "/sys/bus/usb/devices", p, sizeof(p));
	if ((dir = opendir(p)) == NULL)
		return;
	while ((e = readdir(dir)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(dev, sizeof(dev), "%s/%s", p, e->d_name);
		if (!read_id(dev, "idVendor", vid) ||
		    !read_id(dev, "idProduct", pid))
			continue;
		for (i = 0; i < sizeof(usb_readers) / sizeof(usb_readers[0]);
		    i++) {
			if (strcmp(vid, usb_readers[i].vid) != 0 ||
			    strcmp(pid, usb_readers[i].pid) != 0)
				continue;
			snprintf(msg, sizeof(msg), "%s (%s:%s) %s",
			    usb_readers[i].name, vid, pid,
			    usb_readers[i].st == ST_OK ? "found" :
			    "found; see fix");
			report(d, usb_readers[i].st, "USB reader", msg,
			    usb_readers[i].st == ST_OK ? NULL :
			    usb_readers[i].note);
			seen = 1;
		}
	}
	closedir(dir);
	if (!seen)
		report(d, ST_INFO, "USB reader", "no reader from the known "
		    "list on USB (others may still work through libccid)",
		    NULL);
}

static void
check_card(doc_t *d, const char *reader)
{
	jpki_card_t	*c;
	uint8_t		 serial[20];
	size_t		 len = sizeof(serial), i;
	char		 msg[400], hex[48] = "";
	int		 r;

	if (jpki_card_new(&c) != JPKI_OK)
		return;
	/* leave nothing behind: a power cycle when we disconnect */
	jpki_card_set_reset_on_close(c, 1);
	r = jpki_card_open(c, reader, 0, 0);
	if (r == JPKI_OK)
		r = jpki_card_read_serial(c, JPKI_CERT_AUTH, serial, &len);
	if (r == JPKI_OK) {
		for (i = len > 2 ? len - 2 : 0; i < len; i++)
			snprintf(hex + strlen(hex), sizeof(hex) - strlen(hex),
			    "%02X", serial[i]);
		snprintf(msg, sizeof(msg), "%s: a My Number Card (JPKI AP "
		    "answers; auth certificate issuance number ...%s)%s",
		    reader, hex, jpki_card_is_contactless(c) == 1 ?
		    ", contactless" : "");
		report(d, ST_OK, "card", msg, NULL);
	} else if (r == JPKI_ERR_NOT_JPKI) {
		snprintf(msg, sizeof(msg), "%s: the card is not a My Number "
		    "Card (no JPKI application)", reader);
		report(d, ST_WARN, "card", msg, "insert a My Number Card "
		    "(個人番号カード)");
	} else if (r == JPKI_ERR_SHARING) {
		snprintf(msg, sizeof(msg), "%s: the card is held exclusively "
		    "by another program", reader);
		report(d, ST_WARN, "card", msg, "close the other program "
		    "(browser, another jpki, a PKCS#11 client)");
	} else {
		snprintf(msg, sizeof(msg), "%s: the card does not answer as "
		    "a My Number Card: %s", reader, jpki_strerror(r));
		report(d, ST_FAIL, "card", msg, "re-insert the card; for "
		    "NFC, lay it flat on the reader and keep it still");
	}
	jpki_card_close(c);
	jpki_card_free(&c);
}

static void
check_readers(doc_t *d)
{
	char	**names = NULL, msg[300];
	int	 *present = NULL, r;
	size_t	  n = 0, i;

	r = jpki_reader_list(&names, &n, &present);
	if (r == JPKI_ERR_NO_SERVICE) {
		report(d, ST_FAIL, "readers", "cannot list readers: pcscd is "
		    "not reachable", "see the pcscd checks above");
		goto out;
	}
	if (r == JPKI_ERR_NO_READER || (r == JPKI_OK && n == 0)) {
		report(d, ST_FAIL, "readers", "pcscd sees no reader",
		    "plug in a reader (RC-S300 or a CCID contact reader); "
		    "an NFC reader may be held by a kernel driver (see "
		    "kernel NFC above); check 'apt install libccid'");
		goto out;
	}
	if (r != JPKI_OK) {
		snprintf(msg, sizeof(msg), "cannot list readers: %s",
		    jpki_strerror(r));
		report(d, ST_FAIL, "readers", msg, "restart pcscd");
		goto out;
	}
	snprintf(msg, sizeof(msg), "%zu reader%s", n, n == 1 ? "" : "s");
	report(d, ST_OK, "readers", msg, NULL);
	for (i = 0; i < n; i++) {
		if (present == NULL || !present[i]) {
			snprintf(msg, sizeof(msg), "%s: no card", names[i]);
			report(d, ST_INFO, "card", msg, NULL);
			continue;
		}
		check_card(d, names[i]);
	}
out:
	jpki_reader_list_free(&names, &present);
}

int
cmd_doctor(cli_t *cli, int argc, char **argv)
{
	static doc_t	 d;
	const char	*root;
	int		 r;

	cli->groups = 0;
	if ((r = cli_parse(cli, argc, argv, NULL, NULL, NULL, NULL,
	    usage)) != 0)
		return r == 1 ? EX_JPKI_OK : EX_JPKI_USAGE;
	if (optind < argc) {
		cli_usage_error(usage, "unexpected argument '%s'",
		    argv[optind]);
		return EX_JPKI_USAGE;
	}
	memset(&d, 0, sizeof(d));
	d.cli = cli;
	if ((root = getenv("JPKI_DOCTOR_SYSROOT")) != NULL)
		snprintf(d.root, sizeof(d.root), "%s", root);
	if ((r = jpki_init()) != JPKI_OK)
		return cli_fail(cli, r, "initialisation");
	if (cli->json) {
		json_init(&d.j, stdout);
		json_obj_begin(&d.j);
		json_key(&d.j, "checks");
		json_arr_begin(&d.j);
	}
	check_service(&d);
	check_nfc_modules(&d);
	check_usb(&d);
	check_readers(&d);
	if (cli->json) {
		json_arr_end(&d.j);
		json_kv_int(&d.j, "failed", d.fails);
		json_kv_int(&d.j, "warnings", d.warns);
		json_obj_end(&d.j);
		(void)json_end(&d.j);
	} else {
		printf("\n%s: %d failed, %d warning%s\n", d.fails ?
		    "Problems found" : "All checks passed", d.fails, d.warns,
		    d.warns == 1 ? "" : "s");
	}
	jpki_exit();
	fflush(stdout);
	return d.fails ? EX_JPKI_ERROR : EX_JPKI_OK;
}
