# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# Shell helpers for integration tests and the demo.  Source it from a script
# that runs under tests/lib/isolated.sh:
#
#   . tests/lib/harness.sh
#   h_init NAME                 # work dir $H_DIR, traps cleanup on exit
#   h_pcscd_start               # pcscd in the foreground, vpcd readers
#   h_card_start PROFILE [cardsim options...]   # virtual card in slot 0
#   h_card_start_slot N PROFILE [options...]    # ... in slot N (0 or 1)
#   h_card_stop [N]             # pull the card out of slot N (default 0)
#   h_wait_card [N]             # until pcscd reports a card in slot N
#   h_profile NAME [gen options...]  # generate a synthetic profile, prints dir
#   h_ok / h_fail MSG / h_expect_rc RC CMD...   # TAP-ish reporting
#
# Every process started here is stopped by h_cleanup (trap on EXIT).

H_TOP=${H_TOP:-$(cd "$(dirname "$0")/../.." 2>/dev/null && pwd)}
H_BUILD=${BUILD:-build}
H_BIN=$H_TOP/$H_BUILD/bin
H_PASS=0
H_FAIL=0
H_PIDS=""
H_VPCD_PORT=35963

h_init() {
	H_NAME=$1
	H_DIR=$H_TOP/tests/tmp/$H_NAME
	rm -rf "$H_DIR"
	mkdir -p "$H_DIR"
	trap h_cleanup EXIT
	trap 'exit 130' INT TERM
	if [ "${JPKI_ISOLATED:-}" != 1 ]; then
		echo "$H_NAME: must run under tests/lib/isolated.sh" >&2
		exit 2
	fi
}

h_cleanup() {
	rc=$?
	for s in 0 1; do
		h_card_stop "$s" 2>/dev/null || true
	done
	for p in $H_PIDS; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in $H_PIDS; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1; i=$((i + 1))
		done
		kill -KILL "$p" 2>/dev/null || true
	done
	H_PIDS=""
	return $rc
}

h_pcscd_start() {
	mkdir -p "$H_DIR/reader.conf.d"
	cat > "$H_DIR/reader.conf.d/vpcd" <<EOC
FRIENDLYNAME "Virtual PCD"
DEVICENAME   /dev/null:$H_VPCD_PORT
LIBPATH      /usr/lib/pcsc/drivers/serial/libifdvpcd.so
CHANNELID    $H_VPCD_PORT
EOC
	rm -f /run/pcscd/pcscd.comm /run/pcscd/pcscd.pid
	pcscd --foreground --debug --apdu -c "$H_DIR/reader.conf.d" \
		> "$H_DIR/pcscd.log" 2>&1 &
	H_PCSCD_PID=$!
	H_PIDS="$H_PIDS $H_PCSCD_PID"
	i=0
	while [ ! -S /run/pcscd/pcscd.comm ] && [ $i -lt 100 ]; do
		sleep 0.05; i=$((i + 1))
	done
	[ -S /run/pcscd/pcscd.comm ] || { echo "pcscd did not start" >&2; cat "$H_DIR/pcscd.log" >&2; return 1; }
	# vpcd listens once the reader threads are up
	i=0
	while ! ss -ltn 2>/dev/null | grep -q ":$H_VPCD_PORT " && [ $i -lt 100 ]; do
		sleep 0.05; i=$((i + 1))
	done
}

h_pcscd_stop() {
	[ -n "${H_PCSCD_PID:-}" ] || return 0
	kill -TERM "$H_PCSCD_PID" 2>/dev/null || true
	wait "$H_PCSCD_PID" 2>/dev/null || true
	H_PCSCD_PID=""
}

h_card_start_slot() {
	slot=$1; shift
	profile=$1; shift
	port=$((H_VPCD_PORT + slot))
	"$H_BIN/jpki-cardsim" --profile "$profile" --port "$port" "$@" \
		> "$H_DIR/cardsim$slot.log" 2>&1 &
	pid=$!
	eval "H_CARD_PID_$slot=$pid"
	H_PIDS="$H_PIDS $pid"
	h_wait_card "$slot"
}

h_card_start() {
	h_card_start_slot 0 "$@"
}

h_card_stop() {
	slot=${1:-0}
	eval "pid=\${H_CARD_PID_$slot:-}"
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	eval "H_CARD_PID_$slot="
	h_wait_nocard "$slot"
}

# pcsc_scan has no "wait for slot N"; poll OpenSC's reader listing (column
# "Card": Yes/No), so that the test infrastructure does not depend on the
# tool under test.  Prints true or false.
h_reader_state() {
	opensc-tool -l 2>/dev/null | awk -v n="$1" '
		$1 == n && ($2 == "Yes" || $2 == "No") { st = $2 }
		END { print (st == "Yes") ? "true" : "false" }'
}

h_wait_card() {
	i=0
	while [ "$(h_reader_state "${1:-0}")" != true ] && [ $i -lt 100 ]; do
		sleep 0.05; i=$((i + 1))
	done
	[ "$(h_reader_state "${1:-0}")" = true ] || { echo "card did not appear in slot ${1:-0}" >&2; return 1; }
}

h_wait_nocard() {
	i=0
	while [ "$(h_reader_state "${1:-0}")" = true ] && [ $i -lt 100 ]; do
		sleep 0.05; i=$((i + 1))
	done
}

h_profile() {
	name=$1; shift
	dir=$H_DIR/profiles/$name
	mkdir -p "$H_DIR/profiles"
	"$H_BIN/jpki-cardsim" gen-profile --out "$dir" "$@" >/dev/null || return 1
	echo "$dir"
}

h_ok() {
	H_PASS=$((H_PASS + 1))
	echo "ok $((H_PASS + H_FAIL)) - $*"
}

h_fail() {
	H_FAIL=$((H_FAIL + 1))
	echo "not ok $((H_PASS + H_FAIL)) - $*"
}

# h_check "description" CMD...: passes when CMD exits 0
h_check() {
	desc=$1; shift
	if "$@" >> "$H_DIR/check.log" 2>&1; then h_ok "$desc"; else h_fail "$desc"; fi
}

# h_expect_rc RC "description" CMD...
h_expect_rc() {
	want=$1; desc=$2; shift 2
	set +e
	"$@" >> "$H_DIR/check.log" 2>&1
	got=$?
	set -e
	if [ "$got" -eq "$want" ]; then h_ok "$desc"; else h_fail "$desc (exit $got, want $want)"; fi
}

# Print the closing line the CI reads and return non-zero on failure.
# The counts also go to $JPKI_RESULTS (set by `make check`; default
# tests/tmp/results)/<build>/<name>.count, summed by the closing line of
# `make check` (tests/lib/summary.sh).
h_done() {
	h_res=${JPKI_RESULTS:-$H_TOP/tests/tmp/results}/$H_BUILD
	mkdir -p "$h_res"
	echo "$H_PASS $H_FAIL" > "$h_res/$H_NAME.count"
	echo "$H_NAME: $H_PASS passed, $H_FAIL failed"
	[ "$H_FAIL" -eq 0 ]
}
