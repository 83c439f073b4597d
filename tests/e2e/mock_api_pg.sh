#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# check-mock-pg: the whole mykey-mock API suite (tests/e2e/mock_api.sh)
# on the PostgreSQL engine.  Starts a private PostgreSQL 15 on a unix
# socket (tests/lib/pg.sh) inside the test's namespace, stops it after.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
if [ "${JPKI_ISOLATED:-}" != 1 ]; then
	echo "mock_api_pg.sh: run under tests/lib/isolated.sh" >&2
	exit 2
fi
. "$TOP/tests/lib/pg.sh"
PGD=$TOP/tests/tmp/mock_pg
rm -rf "$PGD"
trap 'pg_done' EXIT
t0=$(date +%s)
pg_start "$PGD" || { echo "not ok - PostgreSQL did not start"; exit 1; }
echo "ok - PostgreSQL 15 started on a private socket ($(( $(date +%s) - t0 )) s)"
rc=0
MOCK_PG=$PG_URL MOCK_DIR=$TOP/tests/tmp/mock_api_pg sh "$TOP/tests/e2e/mock_api.sh" || rc=$?
exit $rc
