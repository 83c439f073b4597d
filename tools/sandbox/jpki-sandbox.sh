#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# jpki-sandbox: a virtual My Number Card and a mock MyKey Platform for
# developers of services that accept the card (man jpki-sandbox).
#
# What runs, and where:
#   pcscd          in private mount + network namespaces (its socket path
#                  /run/pcscd is fixed at build time, and vpcd listens on a
#                  TCP port); a user namespace makes this work without root.
#                  Applications outside reach it through
#                  PCSCLITE_CSOCK_NAME=/proc/PID/root/run/pcscd/pcscd.comm.
#   jpki-cardsim   the card, in pcscd's network namespace (vpcd's port).
#   mykey-mock     on the host's 127.0.0.1:PORT over TLS, so that the
#                  developer's application reaches it like a real platform.
#
# Everything lives in one state directory; every process is recorded in a
# pid file there and checked by name before it is signalled, so a stale pid
# file never kills a stranger.  Made from tools/sandbox/jpki-sandbox.sh by
# make (the @...@ words are the install paths).
set -u

VERSION='@VERSION@'
CONF_BINDIR='@BINDIR@'
CONF_P11MODDIR='@P11MODDIR@'

PROG=jpki-sandbox
MARKER=.jpki-sandbox
READER='Virtual PCD 00 00'
VPCD_PORT=35963
DEFAULT_PORT=18443
# pcscd and ip live in sbin, which an ordinary user's PATH may lack
PATH=$PATH:/usr/sbin:/sbin
export PATH

usage() {
	cat <<'EOF'
usage: jpki-sandbox [--dir DIR] COMMAND [options]

A virtual My Number Card in a virtual reader, and a mock MyKey Platform,
for developing and testing an application that accepts the card.  Nothing
is real: the card, its PINs and its holder are synthetic.  No root needed
where user namespaces are enabled.

Commands:
  up [--port N] [--contactless]
                  start pcscd, insert a new card issued by the mock
                  platform's authority, start the platform on
                  https://127.0.0.1:N (default 18443); print how to use them
  env             the same settings as 'export' lines: eval "$(jpki-sandbox env)"
  status          what is running; exit 0 when the sandbox is up
  insert          put the card in the reader
  remove          take the card out of the reader
  renew           the authority renews the card: new certificates, old
                  revoked as superseded, J-LIS links old to new; the new
                  card is inserted
  revoke [--sign] [--reason NAME]
                  revoke the card's authentication (or signature)
                  certificate; OCSP and the CRL then say revoked
                  (default reason keyCompromise)
  fault card [--fail-next N] [--sw SW] [--sw-at N:SW]... [--drop-after N]
             [--delay-ms MS] [--link-kbps 106|212|424|848]
                  re-insert the card with faults: the next N commands
                  answer SW (default 6F00), the card leaves the reader
                  after N commands, each answer waits, a slow NFC link
  fault platform [--path GLOB] [--status CODE] [--delay-ms MS] [--drop]
                 [--count N] [--retry-after S]
                  the next N platform requests matching GLOB (default
                  /v1/*) fail with CODE (default 503), wait, or are dropped
  fault clear     no more faults: platform faults deleted, card re-inserted
  down [--keep]   stop everything and delete the state directory
                  (--keep: keep it, with the logs)

Options:
  --dir DIR       state directory (default $JPKI_SANDBOX_DIR, else
                  $XDG_RUNTIME_DIR/jpki-sandbox, else /tmp/jpki-sandbox-UID)
  -h, --help      this text
  --version       print the version

Tools are found through $JPKI_SANDBOX_CARDSIM, $JPKI_SANDBOX_MOCK,
$JPKI_SANDBOX_JPKI and $JPKI_SANDBOX_PKCS11 if set, else next to this
script (the build tree's build/bin, or the install's bin directory).

Example:
  jpki-sandbox up
  eval "$(jpki-sandbox env)"
  jpki info
  curl --cacert "$JPKI_SANDBOX_CA" "$JPKI_PLATFORM_URL/v1/token"
  jpki-sandbox renew
  jpki-sandbox down
EOF
}

die() {
	echo "$PROG: $*" >&2
	exit 1
}

usage_error() {
	echo "$PROG: $*" >&2
	echo "try '$PROG --help'" >&2
	exit 2
}

# --- tools ------------------------------------------------------------------

SELF_DIR=$(cd "$(dirname "$0")" 2>/dev/null && pwd)

# find_tool OVERRIDE NAME: the override, or NAME next to this script, in
# the configured bindir, or on PATH.
find_tool() {
	if [ -n "$1" ]; then
		[ -x "$1" ] || die "$1: not an executable"
		echo "$1"
		return 0
	fi
	for t in "$SELF_DIR/$2" "$CONF_BINDIR/$2"; do
		if [ -x "$t" ]; then
			echo "$t"
			return 0
		fi
	done
	command -v "$2" 2>/dev/null || return 1
}

tools() {
	CARDSIM=$(find_tool "${JPKI_SANDBOX_CARDSIM:-}" jpki-cardsim) ||
		die "jpki-cardsim not found (set JPKI_SANDBOX_CARDSIM)"
	MOCK=$(find_tool "${JPKI_SANDBOX_MOCK:-}" mykey-mock) ||
		die "mykey-mock not found (set JPKI_SANDBOX_MOCK)"
	# jpki is only used to wait until pcscd sees the card
	JPKI=$(find_tool "${JPKI_SANDBOX_JPKI:-}" jpki) || JPKI=
	VPCD_DRIVER=${JPKI_SANDBOX_VPCD:-/usr/lib/pcsc/drivers/serial/libifdvpcd.so}
}

# The PKCS#11 module: the build tree keeps it in build/pkcs11/, an install
# in the p11-kit module directory.
p11_module() {
	if [ -n "${JPKI_SANDBOX_PKCS11:-}" ]; then
		echo "$JPKI_SANDBOX_PKCS11"
	elif [ -f "$SELF_DIR/../pkcs11/jpki-pkcs11.so" ]; then
		(cd "$SELF_DIR/../pkcs11" && echo "$(pwd)/jpki-pkcs11.so")
	else
		echo "$CONF_P11MODDIR/jpki-pkcs11.so"
	fi
}

# --- state directory --------------------------------------------------------

state_dir() {
	if [ -n "${OPT_DIR:-}" ]; then
		D=$OPT_DIR
	elif [ -n "${JPKI_SANDBOX_DIR:-}" ]; then
		D=$JPKI_SANDBOX_DIR
	elif [ -n "${XDG_RUNTIME_DIR:-}" ] && [ -d "$XDG_RUNTIME_DIR" ]; then
		D=$XDG_RUNTIME_DIR/jpki-sandbox
	else
		D=/tmp/jpki-sandbox-$(id -u)
	fi
	case $D in
	/*) ;;
	*) D=$(pwd)/$D ;;
	esac
}

# The directory must be ours: in /tmp someone else could have made it.
check_owner() {
	[ ! -L "$D" ] || die "$D is a symbolic link; refusing it"
	[ "$(stat -c %u "$D")" = "$(id -u)" ] ||
		die "$D belongs to another user; use --dir"
}

# st KEY: a value of the state file (written by up; never sourced, so a
# value is data, not code).
st() {
	sed -n "s/^$1=//p" "$D/sandbox.state" 2>/dev/null | tail -n 1
}

st_set() {
	{ grep -v "^$1=" "$D/sandbox.state" 2>/dev/null; echo "$1=$2"; } \
		> "$D/sandbox.state.tmp" && mv "$D/sandbox.state.tmp" "$D/sandbox.state"
}

need_up() {
	[ -f "$D/$MARKER" ] || die "no sandbox in $D (start one with '$PROG up')"
	check_owner
	alive pcscd pcscd || die "the sandbox in $D is not running (pcscd is gone); '$PROG down' cleans up"
}

# --- processes --------------------------------------------------------------

# alive NAME COMM: the process of $D/NAME.pid is running and is COMM.
alive() {
	p=$(cat "$D/$1.pid" 2>/dev/null) || return 1
	case $p in
	''|*[!0-9]*) return 1 ;;
	esac
	[ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$2" ] && ! zombie "$p"
}

# An exited process whose parent has not reaped it yet (ours are orphans,
# reaped by init, which in a container may take its time) still has its
# comm and still takes kill -0; it is gone all the same.
zombie() {
	grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# wait_for SECONDS CMD...: poll every 0.05 s until CMD succeeds.
wait_for() {
	n=$(($1 * 20))
	shift
	while ! "$@"; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		sleep 0.05
	done
}

# stop NAME COMM: TERM, up to 5 s, then KILL; only if it is still COMM.
stop() {
	alive "$1" "$2" || { rm -f "$D/$1.pid"; return 0; }
	p=$(cat "$D/$1.pid")
	kill -TERM "$p" 2>/dev/null
	if ! wait_for 5 dead "$p"; then
		kill -KILL "$p" 2>/dev/null
		wait_for 2 dead "$p"
	fi
	rm -f "$D/$1.pid"
}

dead() {
	! kill -0 "$1" 2>/dev/null || zombie "$1"
}

# ns_prefix: the command that enters pcscd's namespaces.  As root the
# network namespace is enough; a user owns its namespaces through the user
# namespace, so it enters that first.
ns_prefix() {
	if [ "$(st rootless)" = 1 ]; then
		echo nsenter --target "$(cat "$D/pcscd.pid")" --user --net \
			--preserve-credentials --
	else
		echo nsenter --target "$(cat "$D/pcscd.pid")" --net --
	fi
}

# spawn NAME LOG CMD...: start CMD in a session of its own (a Ctrl-C in the
# terminal that ran us must not reach it), its pid in $D/NAME.pid.
spawn() {
	name=$1 log=$2
	shift 2
	rm -f "$D/$name.pid"
	setsid sh -c 'echo $$ > "$1"; shift; exec "$@"' "jpki-sandbox-$name" \
		"$D/$name.pid" "$@" < /dev/null >> "$D/$log" 2>&1 &
}

# wait_ready NAME SECONDS CMD...: until CMD succeeds; fails at once when
# the process of NAME has died.
wait_ready() {
	name=$1 n=$(($2 * 20))
	shift 2
	while ! "$@"; do
		p=$(cat "$D/$name.pid" 2>/dev/null) || p=
		if [ -n "$p" ] && dead "$p"; then
			return 1
		fi
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		sleep 0.05
	done
}

sock() {
	echo "/proc/$(cat "$D/pcscd.pid")/root/run/pcscd/pcscd.comm"
}

# --- pcscd -------------------------------------------------------------------

# ns_mode: how to get namespaces here: ROOTLESS=0 or 1.
# Root needs only mount and network namespaces; a user (or a root without
# CAP_SYS_ADMIN, as in some containers) needs a user namespace first, in
# which it is root and may mount a tmpfs and run pcscd.  Checked before
# anything starts, so that a refusal leaves nothing behind.
ns_mode() {
	if [ "$(id -u)" -eq 0 ] && unshare --mount --net true 2>/dev/null; then
		ROOTLESS=0
	elif unshare --user --map-root-user --mount --net true 2>/dev/null; then
		ROOTLESS=1
	else
		die "cannot create namespaces: user namespaces are disabled here
  (see /proc/sys/user/max_user_namespaces, kernel.unprivileged_userns_clone
  or an AppArmor userns restriction); run '$PROG up' as root instead"
	fi
	[ -r "$VPCD_DRIVER" ] ||
		die "$VPCD_DRIVER missing: install vsmartcard-vpcd (or set JPKI_SANDBOX_VPCD)"
	command -v pcscd > /dev/null || die "pcscd missing: install pcscd"
	command -v ip > /dev/null || die "ip missing: install iproute2"
	command -v nsenter > /dev/null && command -v setsid > /dev/null ||
		die "nsenter or setsid missing: install util-linux"
}

start_pcscd() {
	if [ "$(st rootless)" = 1 ]; then
		set -- unshare --user --map-root-user --mount --net \
			--propagation private
	else
		set -- unshare --mount --net --propagation private
		mkdir -p /run/pcscd
	fi
	# pcscd reads the reader configuration from a file in its own tmpfs:
	# when /run/pcscd does not exist a user cannot create it, and the
	# tmpfs then covers /run, which may hold the state directory too.
	conf=$(printf 'FRIENDLYNAME "Virtual PCD"\nDEVICENAME /dev/null:%s\nLIBPATH %s\nCHANNELID %s\n' \
		"$VPCD_PORT" "$VPCD_DRIVER" "$VPCD_PORT")
	spawn pcscd pcscd.log "$@" -- sh -c '
		set -e
		echo $$ > "$1"
		ip link set lo up
		if [ -d /run/pcscd ]; then
			mount -t tmpfs -o mode=0755 tmpfs /run/pcscd
		else
			mount -t tmpfs -o mode=0755 tmpfs /run
			mkdir /run/pcscd
		fi
		printf "%s\n" "$2" > /run/pcscd/reader.conf
		exec pcscd --foreground -c /run/pcscd/reader.conf' \
		jpki-sandbox-ns "$D/pcscd.pid" "$conf"
	wait_ready pcscd 10 pcscd_ready || {
		sed 's/^/  pcscd: /' "$D/pcscd.log" >&2
		return 1
	}
}

pcscd_ready() {
	alive pcscd pcscd && [ -S "$(sock)" ]
}

# --- the card ---------------------------------------------------------------

# start_card [cardsim fault options...]
start_card() {
	profile=$(st card)
	[ -f "$profile/profile.conf" ] || {
		echo "$PROG: card profile $profile missing" >&2
		return 1
	}
	: > "$D/cardsim.log"
	# shellcheck disable=SC2046 # the prefix is words without blanks
	spawn card cardsim.log $(ns_prefix) "$CARDSIM" --profile "$profile" \
		--port "$VPCD_PORT" --trace "$D/apdu.log" $(st contactless) "$@"
	wait_ready card 10 card_seen || {
		sed 's/^/  jpki-cardsim: /' "$D/cardsim.log" >&2
		return 1
	}
}

# The card is in once jpki-cardsim has said so and pcscd reports it.
card_seen() {
	alive card jpki-cardsim && grep -q 'card inserted' "$D/cardsim.log" &&
		reader_has_card
}

reader_has_card() {
	if [ -z "$JPKI" ]; then
		sleep 0.5	# no jpki to ask pcscd; its vpcd poll is faster
		return 0
	fi
	PCSCLITE_CSOCK_NAME=$(sock) "$JPKI" readers 2>/dev/null |
		grep -q "^0: $READER  \[card\]"
}

stop_card() {
	stop card jpki-cardsim
	if [ -n "$JPKI" ] && alive pcscd pcscd; then
		wait_for 5 no_card
	fi
	return 0
}

no_card() {
	! reader_has_card
}

# PIN and SIGN_PIN of the card in the reader (synthetic test data)
pins() {
	PIN=$(sed -n 's/^pin\.auth *= *//p' "$(st card)/profile.conf")
	SIGN_PIN=$(sed -n 's/^pin\.sign *= *//p' "$(st card)/profile.conf")
}

json_field() {
	sed -n "s/.*\"$1\": *\"\([^\"]*\)\".*/\1/p" | head -n 1
}

# mm ARGS...: the authority's CLI on the sandbox's database
mm() {
	"$MOCK" "$@" --db "$D/mock.db" --ca-dir "$D/mock-ca" \
		--profiles-dir "$D/cards"
}

# issue_card SUBCOMMAND ARGS...: card issue/renew into cards/cardN
issue_card() {
	n=$(( $(st cards) + 1 ))
	out=$(mm card "$@" --out "$D/cards/card$n") || return 1
	a=$(echo "$out" | json_field auth_issuance_number)
	s=$(echo "$out" | json_field sign_issuance_number)
	[ -n "$a" ] || { echo "$out" >&2; return 1; }
	st_set cards "$n"
	st_set card "$D/cards/card$n"
	st_set auth_serial "$a"
	st_set sign_serial "$s"
}

# --- mykey-mock --------------------------------------------------------------

start_mock() {
	port=$(st port)
	: > "$D/mock.out"
	spawn mock mock.out "$MOCK" serve --db "$D/mock.db" \
		--ca-dir "$D/mock-ca" --profiles-dir "$D/cards" \
		--bind 127.0.0.1 --port "$port" --log "$D/mock.log"
	wait_ready mock 20 mock_ready || {
		sed 's/^/  mykey-mock: /' "$D/mock.out" >&2
		return 1
	}
}

mock_ready() {
	alive mock mykey-mock && grep -q '^ready https' "$D/mock.out"
}

url() {
	echo "https://127.0.0.1:$(st port)"
}

ca_file() {
	echo "$D/mock.db.tls.crt"
}

# --- what to tell the developer ----------------------------------------------

# q VALUE: VALUE quoted for sh
q() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

cmd_env() {
	need_up
	pins
	for kv in \
	    "PCSCLITE_CSOCK_NAME=$(sock)" \
	    "JPKI_SANDBOX_DIR=$D" \
	    "JPKI_SANDBOX_READER=$READER" \
	    "JPKI_SANDBOX_PKCS11=$(p11_module)" \
	    "JPKI_SANDBOX_PIN=$PIN" \
	    "JPKI_SANDBOX_SIGN_PIN=$SIGN_PIN" \
	    "JPKI_SANDBOX_CARD=$(st card)" \
	    "JPKI_SANDBOX_AUTH_CA=$D/mock-ca/auth-ca.crt" \
	    "JPKI_SANDBOX_SIGN_CA=$D/mock-ca/sign-ca.crt" \
	    "JPKI_SANDBOX_CA=$(ca_file)" \
	    "JPKI_SANDBOX_CONSENT=$D/consent.json" \
	    "JPKI_PLATFORM_URL=$(url)" \
	    "JPKI_PLATFORM_CLIENT_ID=$(st client_id)" \
	    "JPKI_PLATFORM_CLIENT_SECRET=$(st client_secret)"; do
		echo "export ${kv%%=*}=$(q "${kv#*=}")"
	done
}

print_info() {
	pins
	u=$(url)
	cat <<EOT
The sandbox is up (state and logs in $D).

The card reader (PC/SC)
  Point your application at the sandbox's pcscd with
    export PCSCLITE_CSOCK_NAME=$(sock)
  reader             $READER  (a virtual My Number Card is in it)
  PKCS#11 module     $(p11_module)
  test PINs          authentication PIN $PIN, signature password $SIGN_PIN
                     (a synthetic card: these are not secrets)
  card profile       $(st card)
  auth issuance no.  $(st auth_serial)  (the auth certificate's serial)
  mock JPKI CAs      $D/mock-ca/auth-ca.crt, sign-ca.crt

The MyKey Platform (mock)
  URL                $u
  TLS CA file        $(ca_file)
  client id          $(st client_id)
  client secret      $(st client_secret)
  OCSP responder     $u/jlis/v1/ocsp
  CRLs               $u/jlis/v1/crl/auth.crl
                     $u/jlis/v1/crl/sign.crl
  consent record     $D/consent.json

All of the above as environment variables:
  eval "\$($PROG$(dir_opt) env)"
Then for example:
  jpki info
  jpki cert auth --text --ca "\$JPKI_SANDBOX_AUTH_CA"
  pkcs11-tool --module "\$JPKI_SANDBOX_PKCS11" -L
  printf '{"client_id":"%s","client_secret":"%s"}' "\$JPKI_PLATFORM_CLIENT_ID" \\
      "\$JPKI_PLATFORM_CLIENT_SECRET" | curl --cacert "\$JPKI_SANDBOX_CA" \\
      -H 'Content-Type: application/json' -d @- "\$JPKI_PLATFORM_URL/v1/token"
Stop it with: $PROG$(dir_opt) down
EOT
}

# dir_opt: " --dir DIR" when DIR is not the one found without --dir
dir_opt() {
	[ "$DEFAULT_D" = "$D" ] || printf ' --dir %s' "$(q "$D")"
}

# --- commands ----------------------------------------------------------------

cmd_up() {
	port=$DEFAULT_PORT contactless=
	while [ $# -gt 0 ]; do
		case $1 in
		--port)	[ $# -ge 2 ] || usage_error "--port needs a number"
			port=$2; shift ;;
		--port=*) port=${1#--port=} ;;
		--contactless) contactless=--contactless ;;
		*) usage_error "up: unknown option $1" ;;
		esac
		shift
	done
	case $port in
	''|*[!0-9]*) usage_error "--port: not a number: $port" ;;
	esac
	[ "$port" -ge 1 ] && [ "$port" -le 65535 ] ||
		usage_error "--port: out of range: $port"
	tools
	ns_mode
	if [ -e "$D" ] || [ -L "$D" ]; then
		[ -d "$D" ] && [ ! -L "$D" ] || die "$D exists and is not a directory"
		check_owner
		if [ -f "$D/$MARKER" ]; then
			alive pcscd pcscd && die "a sandbox is already up in $D ('$PROG status')"
			stop_all	# leftovers of a sandbox that died
			rm -rf "$D"
		elif [ -n "$(ls -A "$D")" ]; then
			die "$D is not empty and not a sandbox; choose another --dir"
		fi
	fi
	(umask 077 && mkdir -p "$D") || die "cannot create $D"
	check_owner
	chmod 0700 "$D"
	: > "$D/$MARKER"
	st_set port "$port"
	st_set cards 0
	st_set contactless "$contactless"
	st_set rootless "$ROOTLESS"
	echo "$PROG: starting in $D" >&2
	# What has started runs in sessions of its own and would outlive an
	# interrupted 'up'.
	trap 'stop_all; echo "$PROG: interrupted; stopped what had started" >&2; exit 130' INT TERM HUP
	if ! up_steps; then
		stop_all
		die "up failed; logs in $D ('$PROG down' removes it)"
	fi
	trap - INT TERM HUP
	print_info
}

up_steps() {
	echo "  the mock MyKey Platform on 127.0.0.1:$(st port)" >&2
	start_mock || { echo "$PROG: mykey-mock did not start (port $(st port) in use? try --port)" >&2; return 1; }
	out=$(mm client add --kind municipality --name jpki-sandbox \
		--scopes "mykey services issuance:read" --json) || return 1
	st_set client_id "$(echo "$out" | json_field client_id)"
	st_set client_secret "$(echo "$out" | json_field client_secret)"
	person=$(mm person add --name "Shiken Taro" --birth 19900101 --sex 9 \
		--address "Tokyo, Chiyoda 1-1 (synthetic)" | json_field person_id)
	[ -n "$person" ] || return 1
	st_set person "$person"
	echo "  a card issued by the mock authority" >&2
	issue_card issue --person "$person" || return 1
	# A consent record (terms Arts. 16, 17, 20) as a cardholder would give
	# it, for clients that send one.
	printf '{"consent_id":"%s","purpose":"jlis.validity jlis.linkage id.link","terms_version":"mock-1","agreed_at":"%s"}\n' \
		"$(cat /proc/sys/kernel/random/uuid)" \
		"$(date +%Y-%m-%dT%H:%M:%S%:z)" > "$D/consent.json"
	echo "  pcscd in its own namespaces" >&2
	start_pcscd || return 1
	echo "  the card into the reader" >&2
	start_card
}

stop_all() {
	stop card jpki-cardsim
	stop pcscd pcscd
	stop mock mykey-mock
}

cmd_down() {
	keep=0
	case ${1:-} in
	--keep) keep=1 ;;
	'') ;;
	*) usage_error "down: unknown option $1" ;;
	esac
	[ -f "$D/$MARKER" ] || die "no sandbox in $D"
	check_owner
	stop_all
	if [ "$keep" = 1 ]; then
		echo "$PROG: stopped; state and logs kept in $D"
	else
		rm -rf "$D"
		echo "$PROG: stopped; $D removed"
	fi
}

cmd_status() {
	[ -f "$D/$MARKER" ] || { echo "no sandbox in $D"; return 3; }
	check_owner
	rc=0
	if alive pcscd pcscd; then
		echo "pcscd        running (pid $(cat "$D/pcscd.pid")), PCSCLITE_CSOCK_NAME=$(sock)"
	else
		echo "pcscd        not running"; rc=1
	fi
	if alive card jpki-cardsim; then
		echo "card         in the reader (pid $(cat "$D/card.pid")), auth issuance number $(st auth_serial)"
	else
		echo "card         not in the reader ('$PROG insert')"
	fi
	if alive mock mykey-mock; then
		echo "mykey-mock   running (pid $(cat "$D/mock.pid")), $(url)"
	else
		echo "mykey-mock   not running"; rc=1
	fi
	return $rc
}

cmd_insert() {
	need_up
	tools
	if alive card jpki-cardsim; then
		echo "$PROG: the card is already in the reader"
		return 0
	fi
	start_card || die "the card did not come up"
	echo "$PROG: card inserted (auth issuance number $(st auth_serial))"
}

cmd_remove() {
	need_up
	tools
	stop_card
	echo "$PROG: card removed"
}

cmd_renew() {
	need_up
	tools
	old=$(st auth_serial)
	issue_card renew --serial "$old" || die "the authority could not renew the card"
	stop_card
	start_card || die "the new card did not come up"
	echo "$PROG: card renewed and the new card inserted"
	echo "  old auth issuance number  $old  (revoked: superseded)"
	echo "  new auth issuance number  $(st auth_serial)"
	echo "  J-LIS links old to new: the platform keeps the MyKey ID"
	echo "  (PINs of the new card: eval \"\$($PROG$(dir_opt) env)\" again)"
}

cmd_revoke() {
	which=auth reason=keyCompromise
	while [ $# -gt 0 ]; do
		case $1 in
		--sign) which=sign ;;
		--reason) [ $# -ge 2 ] || usage_error "--reason needs a name"
			reason=$2; shift ;;
		*) usage_error "revoke: unknown option $1" ;;
		esac
		shift
	done
	need_up
	tools
	serial=$(st "${which}_serial")
	[ -n "$serial" ] || die "the card has no $which certificate"
	mm cert revoke --serial "$serial" --reason "$reason" > /dev/null ||
		die "the authority refused to revoke $serial"
	echo "$PROG: $which certificate $serial revoked ($reason)"
	echo "  OCSP: $(url)/jlis/v1/ocsp answers revoked; the CRL lists it"
}

cmd_fault() {
	what=${1:-}
	[ $# -gt 0 ] && shift
	case $what in
	card) fault_card "$@" ;;
	platform) fault_platform "$@" ;;
	clear) fault_clear "$@" ;;
	*) usage_error "fault card|platform|clear" ;;
	esac
}

num() {
	case $2 in
	''|*[!0-9]*) usage_error "$1: not a number: $2" ;;
	esac
}

fault_card() {
	set_sw=6F00 fail_next=0 opts=
	while [ $# -gt 0 ]; do
		[ $# -ge 2 ] || usage_error "$1 needs a value"
		case $1 in
		--fail-next) num "$1" "$2"; fail_next=$2 ;;
		--sw) case $2 in
		      [0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f]) set_sw=$2 ;;
		      *) usage_error "--sw: 4 hex digits, e.g. 6F00" ;;
		      esac ;;
		--sw-at) opts="$opts --sw-at $2"
			case $2 in
			*[!0-9A-Fa-f:]*|'') usage_error "--sw-at N:SW" ;;
			esac ;;
		--drop-after|--delay-ms|--link-kbps) num "$1" "$2"
			opts="$opts $1 $2" ;;
		*) usage_error "fault card: unknown option $1" ;;
		esac
		shift 2
	done
	[ "$fail_next" -le 1000 ] || usage_error "--fail-next: at most 1000"
	i=1
	while [ "$i" -le "$fail_next" ]; do
		opts="$opts --sw-at $i:$set_sw"
		i=$((i + 1))
	done
	[ -n "$opts" ] || usage_error "fault card: which fault? (--help)"
	need_up
	tools
	stop_card
	# shellcheck disable=SC2086 # opts: validated words without blanks
	start_card $opts || die "the card did not come up with$opts"
	echo "$PROG: card re-inserted with faults:$opts"
	echo "  (commands are counted from this insertion; '$PROG fault clear' ends it)"
}

fault_platform() {
	path='/v1/*' status='' delay='' drop='' count=1 retry=''
	while [ $# -gt 0 ]; do
		case $1 in
		--drop) drop=--drop; shift; continue ;;
		esac
		[ $# -ge 2 ] || usage_error "$1 needs a value"
		case $1 in
		--path) path=$2 ;;
		--status) num "$1" "$2"; status=$2 ;;
		--delay-ms) num "$1" "$2"; delay=$2 ;;
		--count) num "$1" "$2"; count=$2 ;;
		--retry-after) num "$1" "$2"; retry=$2 ;;
		*) usage_error "fault platform: unknown option $1" ;;
		esac
		shift 2
	done
	[ -n "$status$delay$drop" ] || status=503
	need_up
	tools
	set -- fault add --path "$path" --count "$count"
	[ -z "$status" ] || set -- "$@" --status "$status"
	[ -z "$delay" ] || set -- "$@" --delay-ms "$delay"
	[ -z "$drop" ] || set -- "$@" --drop
	[ -z "$retry" ] || set -- "$@" --retry-after "$retry"
	mm "$@" > /dev/null || die "mykey-mock refused the fault"
	what="${status:+, answered $status}${delay:+, delayed $delay ms}${drop:+, dropped}"
	echo "$PROG: the next $count platform request(s) matching $path:${what#,}"
}

fault_clear() {
	need_up
	tools
	# the admin API: own loopback listener, Bearer token from a 0600 file
	curl -sf -X DELETE --cacert "$(ca_file)" \
		-H "Authorization: Bearer $(cat "$D/mock.db.admin-token")" \
		"$(cat "$D/mock.db.admin-url")/admin/v1/faults" \
		> /dev/null || die "mykey-mock did not clear its faults"
	stop_card
	start_card || die "the card did not come up"
	echo "$PROG: faults cleared; the card is back without faults"
}

# --- main ----------------------------------------------------------------------

OPT_DIR=
while [ $# -gt 0 ]; do
	case $1 in
	--dir)	[ $# -ge 2 ] || usage_error "--dir needs a directory"
		OPT_DIR=$2; shift ;;
	--dir=*) OPT_DIR=${1#--dir=} ;;
	-h|--help) usage; exit 0 ;;
	--version) echo "$PROG $VERSION"; exit 0 ;;
	-*)	usage_error "unknown option $1" ;;
	*)	break ;;
	esac
	shift
done
[ $# -gt 0 ] || usage_error "a command is needed"
cmd=$1
shift
# '--dir' is also accepted after the command
i=0 n=$#
while [ $i -lt $n ]; do
	a=$1; shift
	case $a in
	--dir) [ $# -ge 1 ] || usage_error "--dir needs a directory"
		OPT_DIR=$1; shift; i=$((i + 1)) ;;
	--dir=*) OPT_DIR=${a#--dir=} ;;
	-h|--help) usage; exit 0 ;;
	*) set -- "$@" "$a" ;;
	esac
	i=$((i + 1))
done
saved=$OPT_DIR
OPT_DIR=
state_dir
DEFAULT_D=$D
OPT_DIR=$saved
state_dir
umask 077

case $cmd in
up)	cmd_up "$@" ;;
env)	[ $# -eq 0 ] || usage_error "env takes no options"; cmd_env ;;
status)	[ $# -eq 0 ] || usage_error "status takes no options"; cmd_status ;;
insert)	cmd_insert ;;
remove)	cmd_remove ;;
renew)	cmd_renew ;;
revoke)	cmd_revoke "$@" ;;
fault)	cmd_fault "$@" ;;
down)	cmd_down "$@" ;;
help)	usage ;;
*)	usage_error "unknown command $cmd" ;;
esac
