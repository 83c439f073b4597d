#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# Run a command in private mount and network namespaces, so that it can
# start its own pcscd (which hard-codes /run/pcscd) and vpcd ports without
# touching the host's pcscd or another test running at the same time
# (testing-without-hardware.md §4).  Needs root.
#
#   tests/lib/isolated.sh COMMAND [ARGS...]
#
# Inside: loopback is up, /run/pcscd is a private tmpfs.  Everything the
# command starts dies with the namespace's processes when it exits.
set -eu
if [ "${JPKI_ISOLATED:-}" = 1 ]; then
	exec "$@"
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "isolated.sh: needs root (unshare, mount)" >&2
	exit 2
fi
mkdir -p /run/pcscd
export JPKI_ISOLATED=1
exec unshare --mount --net --propagation private -- sh -c '
	set -e
	ip link set lo up
	mount -t tmpfs -o mode=0755 tmpfs /run/pcscd
	exec "$@"' isolated "$@"
