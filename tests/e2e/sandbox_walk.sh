#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# Runs a README walkthrough as a reader would type it into one shell: each
# command (lines joined at a trailing backslash, comment lines skipped) is
# evaluated in this shell, so `eval "$(jpki-sandbox env)"` lasts for the
# lines after it.  Used by tests/e2e/sandbox.sh, as root or as another user.
#
#   sandbox_walk.sh WALKTHROUGH OUT
#
# OUT gets "=== N $ COMMAND", the command's output, "=== N exit RC (TIME)"
# (TIME: when it ended, in seconds since the epoch).
# OUT.ns gets the network namespace of this shell and of the sandbox's
# pcscd (from PCSCLITE_CSOCK_NAME), to show the commands ran outside it.
walk=$1 out=$2
n=0
cmd=
: > "$out"
printf '=== start (%s)\n' "$(date +%s.%N)" >> "$out"
exec 3< "$walk"
while IFS= read -r line <&3; do
	if [ -z "$cmd" ]; then
		case $line in
		''|'#'*) continue ;;
		esac
		cmd=$line
	else
		cmd="$cmd
$line"
	fi
	case $line in
	*\\) continue ;;
	esac
	n=$((n + 1))
	printf '=== %d $ %s\n' "$n" "$cmd" >> "$out"
	eval "$cmd" < /dev/null >> "$out" 2>&1
	rc=$?
	# an answer without a final newline (curl) must not hide the marker
	[ -z "$(tail -c 1 "$out")" ] || echo >> "$out"
	printf '=== %d exit %d (%s)\n' "$n" "$rc" "$(date +%s.%N)" >> "$out"
	cmd=
	if [ ! -s "$out.ns" ] && [ -n "${PCSCLITE_CSOCK_NAME:-}" ]; then
		p=${PCSCLITE_CSOCK_NAME#/proc/}
		p=${p%%/*}
		printf '%s %s\n' "$(readlink /proc/self/ns/net)" \
			"$(readlink "/proc/$p/ns/net")" > "$out.ns"
	fi
done
