#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# Install the Debian packages the build and the tests need, when missing.
# Used by `make deps` (and so by `make check`, `make demo`, `make bench`).
# Needs root (or sudo) only when something is missing.
set -eu

PKGS="
build-essential pkg-config clang libclang-rt-14-dev
libpcsclite-dev libssl-dev libcurl4-openssl-dev libcmocka-dev
libmicrohttpd-dev libjansson-dev libsqlite3-dev libp11-kit-dev libgnutls28-dev
pcscd vsmartcard-vpcd pcsc-tools libccid opensc openssl
p11-kit gnutls-bin libengine-pkcs11-openssl
iproute2 util-linux procps psmisc xxd curl sqlite3
zlib1g-dev libpcsc-perl jq
tmux
"
# Extra groups, enabled by the components that need them.
[ -f tools/deps-extra.txt ] && PKGS="$PKGS $(grep -v '^#' tools/deps-extra.txt)"

missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
# apt-get update only when the lists are missing or older than a day
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -n 1)" ]; then
	$SUDO apt-get update -qq
fi
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "deps: done"
