#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# Lint of the modprobe blacklist (peers.md §4): only "blacklist MODULE"
# lines and comments; every module named once, each one preceded by a
# comment that names the reader it frees (a USB ID); the four modules
# that grab PC/SC readers are all there.
#
#   udev/check.sh [FILE]
set -eu
f=${1:-udev/blacklist-jpki-nfc.conf}
fail=0
prev=""
seen=""
while IFS= read -r line; do
	case "$line" in
	""|"#"*)
		[ -n "$line" ] && prev="$prev $line"
		[ -z "$line" ] && prev=""
		continue
		;;
	"blacklist "*)
		m=${line#blacklist }
		case "$m" in
		*[!a-z0-9_]*|"")
			echo "check: bad module name: '$line'"; fail=1 ;;
		esac
		case " $seen " in
		*" $m "*) echo "check: $m listed twice"; fail=1 ;;
		esac
		seen="$seen $m"
		if ! echo "$prev" | grep -q '[0-9A-F]\{4\}:[0-9A-F]\{4\}'; then
			echo "check: $m: no comment naming the reader (USB ID) above it"
			fail=1
		fi
		prev=""
		;;
	*)
		echo "check: not a blacklist line or comment: '$line'"; fail=1 ;;
	esac
done < "$f"
for m in pn533 pn533_usb nfc port100; do
	case " $seen " in
	*" $m "*) ;;
	*) echo "check: $m missing"; fail=1 ;;
	esac
done
[ $fail -eq 0 ] && echo "udev check: $(echo $seen | wc -w) modules, all commented"
exit $fail
