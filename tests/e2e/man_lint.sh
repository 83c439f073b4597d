#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# make check-man: the manual pages against mandoc -Tlint (no warning or
# error; style notes about manuals not installed here are not counted),
# and every tool's --help against its page: a long option in one and not
# in the other fails.  No card, no network.  Runtime: about 1 s.
#
#   BUILD=build sh tests/e2e/man_lint.sh
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$TOP/${BUILD:-build}/bin
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
ok() { echo "ok - $*"; }
no() { echo "not ok - $*"; fail=1; }

for f in "$TOP"/man/*.[0-9] "$TOP"/tools/kiosk/*.[0-9]; do
	name=${f#"$TOP"/}
	mandoc -Tlint -Wwarning "$f" > "$T/lint" 2>&1
	if [ -s "$T/lint" ]; then
		no "mandoc -Tlint $name"
		sed 's/^/#   /' "$T/lint"
	else
		ok "mandoc -Tlint $name: no warning"
	fi
done

# long options of a --help text / of an mdoc page (".Fl -x", ".Fl x , Fl -y"
# and ".Fl x , -y")
help_opts() { grep -o -- '--[a-z][a-z0-9-]*' | sort -u; }
man_opts() {
	grep -o 'Fl -[a-z][a-z0-9-]*\|, -[a-z][a-z0-9-]*' "$1" |
		grep -o -- '-[a-z][a-z0-9-]*$' | sed 's/^-/--/' | sort -u
}
# compare TOOL PAGE [IGNORED...]: the help text is in $T/help
compare() {
	tool=$1 page=$2; shift 2
	help_opts < "$T/help" > "$T/h"
	man_opts "$TOP/$page" > "$T/m"
	for x in "$@"; do
		grep -vx -- "$x" "$T/h" > "$T/h2"; mv "$T/h2" "$T/h"
	done
	if [ ! -s "$T/h" ]; then
		no "$tool --help: no option found"
		return
	fi
	only_h=$(comm -23 "$T/h" "$T/m" | tr '\n' ' ')
	only_m=$(comm -13 "$T/h" "$T/m" | tr '\n' ' ')
	if [ -z "$only_h$only_m" ]; then
		ok "$tool: --help and $page name the same $(wc -l < "$T/h") options"
	else
		no "$tool: only in --help: ${only_h:-none}; only in $page: ${only_m:-none}"
	fi
}

{
	"$BIN/jpki" --help
	for c in readers info cert pin sign text verify visual platform doctor
	do
		"$BIN/jpki" "$c" --help
	done
} > "$T/help" 2>&1
compare jpki man/jpki.1
{ "$BIN/jpki-cardsim" --help; "$BIN/jpki-cardsim" gen-profile --help; } \
	> "$T/help" 2>&1
compare jpki-cardsim man/jpki-cardsim.1
"$BIN/mykey-mock" --help > "$T/help" 2>&1
compare mykey-mock man/mykey-mock.1
"$BIN/jpki-kiosk" --help > "$T/help" 2>&1
compare jpki-kiosk tools/kiosk/jpki-kiosk.1
if [ -x "$BIN/jpki-sandbox" ]; then
	"$BIN/jpki-sandbox" --help > "$T/help" 2>&1
	# --cacert: curl's, in an example of the help text
	compare jpki-sandbox man/jpki-sandbox.1 --cacert
fi
exit $fail
