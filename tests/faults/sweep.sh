#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# PC/SC fault injection at every call (issue 11 part 3).  Every operation
# (jpki CLI commands, PKCS#11 through tests/faults/p11_ops, a kiosk tap
# through tests/e2e/kiosk_test) runs once under the counting shim
# (tests/faults/pcsc_shim.c, JPKI_FAULT_TRACE) to enumerate its SCard*
# calls; then, for every call index of every function, it runs again with
# that call failing (not forwarded) with each error of a set:
#   the function's primary error, plus 2 errors (4 for a function called at
#   most twice) taken in turn from the rotating list $ERRS, so that the
#   whole list is spread over every function (bounded runtime: ~3.5 runs
#   per call instead of 17).
# Each injected run must: end within its watchdog (no hang); exit with one
# clean error (allowed exit codes / CKR, a message) or succeed with the
# right output; show no sanitizer report (ASan build); spend a PIN try
# only if a VERIFY with a PIN was forwarded to the card, never two; and the
# same operation without the shim must then succeed.
#
#   BUILD=build tests/lib/isolated.sh sh tests/faults/sweep.sh   (check-faults)
#   FAULT_OPS="info sign_auth"  runs a subset; FAULT_EXTRA=N rotating errors
#   per call besides the primary one (default 2; the ASan run: 0)
set -u
H_TOP=${H_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$H_TOP/tests/lib/harness.sh"
h_init "faults${FAULT_TAG:+_$FAULT_TAG}"

SHIM=$H_TOP/$H_BUILD/tests/faults/pcsc_shim.so
P11OPS=$H_TOP/$H_BUILD/tests/faults/p11_ops
KIOSK=$H_TOP/$H_BUILD/tests/e2e/kiosk_test
MOD=$H_TOP/$H_BUILD/pkcs11/jpki-pkcs11.so
J=$H_BIN/jpki
D=$H_DIR
# the ASan runtime must come before the shim (an uninstrumented preload)
PRE="${FAULT_PRELOAD:+$FAULT_PRELOAD }$SHIM"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:exitcode=86}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:exitcode=86}

ERRS="SCARD_E_NO_SMARTCARD SCARD_W_REMOVED_CARD SCARD_W_RESET_CARD
SCARD_E_READER_UNAVAILABLE SCARD_E_NO_SERVICE SCARD_E_SERVICE_STOPPED
SCARD_E_TIMEOUT SCARD_E_SHARING_VIOLATION SCARD_E_NOT_TRANSACTED
SCARD_F_COMM_ERROR SCARD_E_INVALID_HANDLE SCARD_E_INSUFFICIENT_BUFFER
SCARD_E_PROTO_MISMATCH SCARD_E_UNKNOWN_READER SCARD_E_NO_READERS_AVAILABLE
SCARD_E_CANCELLED SCARD_W_UNRESPONSIVE_CARD"
NERRS=$(echo $ERRS | wc -w)

primary() {
	case $1 in
	SCardEstablishContext)	echo SCARD_E_NO_SERVICE ;;
	SCardListReaders)	echo SCARD_E_SERVICE_STOPPED ;;
	SCardConnect)		echo SCARD_E_NO_SMARTCARD ;;
	SCardGetStatusChange)	echo SCARD_E_SERVICE_STOPPED ;;
	SCardControl)		echo SCARD_F_COMM_ERROR ;;
	SCardBeginTransaction|SCardEndTransaction) echo SCARD_W_RESET_CARD ;;
	SCardDisconnect|SCardReleaseContext|SCardCancel)
				echo SCARD_E_INVALID_HANDLE ;;
	SCardGetAttrib)		echo SCARD_E_INSUFFICIENT_BUFFER ;;
	*)			echo SCARD_W_REMOVED_CARD ;;
	esac
}

ROT=0
# next_err: the next error of the rotating list into $ERR (no subshell:
# the position must advance)
next_err() {
	ROT=$((ROT + 1))
	set -- $ERRS
	shift $(( (ROT - 1) % NERRS ))
	ERR=$1
}

# The shim can only work, and production binaries only stay free of any
# hook, if libpcsclite is linked dynamically and nothing of the shim is in
# them.
for b in "$J" "$MOD" "$H_TOP/$H_BUILD/lib/libjpki.so"; do
	if ldd "$b" 2>/dev/null | grep -q 'libpcsclite\.so' &&
	    ! grep -q -a JPKI_FAULT "$b"; then
		h_ok "$(basename "$b"): libpcsclite dynamic, no fault hook"
	else
		h_fail "$(basename "$b"): libpcsclite not dynamic or a fault hook inside"
	fi
done
export P11_PIN=1234	# p11_ops' synthetic test PIN (our tools never take argv PINs)
h_pcscd_start || { h_fail "pcscd start"; h_done; exit 1; }
P=$(h_profile c1 --pin-auth 1234 --pin-sign ABC123 --pin-text 5678) ||
	{ h_fail "gen-profile"; h_done; exit 1; }
h_card_start "$P" || { h_fail "card start"; h_done; exit 1; }
echo "fault sweep data" > "$D/data"
echo 1234 > "$D/pin.auth"; echo ABC123 > "$D/pin.sign"
echo 5678 > "$D/pin.text"; echo 9999 > "$D/pin.bad"
# PKCS#1 v1.5 is deterministic: every successful signature equals this one
"$J" sign auth --in "$D/data" --out "$D/ref.sig" --pin-fd 3 3<"$D/pin.auth" \
	2>/dev/null || { h_fail "reference signature"; h_done; exit 1; }

# tries left of a PIN (the cardsim's persistent counters: absent = full)
tries() {
	v=$(sed -n "s/^tries\.$1 *= *//p" "$P/state" 2>/dev/null)
	if [ -n "$v" ]; then echo "$v"; else sed -n "s/^tries\.$1 *= *//p" \
		"$P/profile.conf"; fi
}

# op_cmd OP: sets CMD (a shell command line), PINKEY (the PIN whose tries
# are watched, or empty), OKRC (exit codes of a clean error), KIND
op_cmd() {
	PINKEY=; KIND=cli; OKRC="1 3 7"; WD=20
	case $1 in
	readers)   CMD="$J readers" ;;
	info)      CMD="$J info" ;;
	cert_auth) CMD="$J cert auth --der --out $D/out.der" ;;
	pin_status) CMD="$J pin status" ;;
	cert_sign) CMD="$J cert sign --der --out $D/out.der --pin-fd 3 3<$D/pin.sign"
		   PINKEY=sign ;;
	sign_auth) CMD="$J sign auth --in $D/data --out $D/out.sig --pin-fd 3 3<$D/pin.auth"
		   PINKEY=auth ;;
	sign_bad)  CMD="$J sign auth --in $D/data --out $D/out.sig --pin-fd 3 3<$D/pin.bad"
		   PINKEY=auth; OKRC="1 3 5 7" ;;
	text)      CMD="$J text attrs --pin-fd 3 3<$D/pin.text"
		   PINKEY=text ;;
	p11_slots) CMD="$P11OPS $MOD slots"; KIND=p11 ;;
	p11_cert)  CMD="$P11OPS $MOD cert"; KIND=p11 ;;
	p11_sign)  CMD="$P11OPS $MOD sign"; KIND=p11; PINKEY=auth ;;
	kiosk)     CMD="$KIOSK watch --max 4"; KIND=kiosk; WD=5 ;;
	esac
}
# run OP [FN AT RV]: the operation (with the shim when FN is given); RC,
# $D/out, $D/err, $D/trace
run() {
	op_cmd "$1"
	rm -f "$D/trace" "$D/out.der" "$D/out.sig"
	if [ $# -gt 1 ]; then
		# the preload reaches only the operation (not timeout or sh:
		# LeakSanitizer would judge them too)
		case $4 in S:*) sticky=1 ;; *) sticky= ;; esac
		JPKI_FAULT_TRACE="$D/trace" JPKI_FAULT_FN="$2" \
			JPKI_FAULT_AT="$3" JPKI_FAULT_RV="${4#S:}" \
			JPKI_FAULT_STICKY=$sticky \
			timeout $WD sh -c "LD_PRELOAD='$PRE' exec $CMD" \
			> "$D/out" 2> "$D/err"
	else
		sticky=
		timeout $WD sh -c "exec $CMD" > "$D/out" 2> "$D/err"
	fi
	RC=$?
}

# the output of a successful run is right
good_output() {
	case $1 in
	cert_auth) cmp -s "$D/out.der" "$P/auth.crt" ;;
	cert_sign) cmp -s "$D/out.der" "$P/sign.crt" ;;
	sign_auth) cmp -s "$D/out.sig" "$D/ref.sig" ;;
	kiosk) [ "$(grep -c '^EV ' "$D/out")" -eq 4 ] && grep -q '^END$' "$D/out" ;;
	p11_*) grep -q '^OK$' "$D/out" ;;
	*) [ -s "$D/out" ] ;;
	esac
}

# why an injected run is not clean (empty: clean)
judge() {
	op=$1
	if { [ "$RC" -eq 124 ] && [ "$KIND" != kiosk ]; } || [ "$RC" -ge 125 ]; then
		echo "hang or crash (exit $RC)"; return
	fi
	if grep -q -E 'AddressSanitizer|LeakSanitizer|runtime error' "$D/err"; then
		echo "sanitizer report"; return
	fi
	if [ "$RC" -eq 0 ]; then
		good_output "$op" || echo "exit 0 with wrong output"
		return
	fi
	case $KIND in
	cli)
		case " $OKRC " in *" $RC "*) ;; *) echo "exit $RC"; return ;; esac
		grep -q '^jpki: ' "$D/err" || echo "no message" ;;
	p11)
		[ "$RC" -eq 1 ] || { echo "exit $RC"; return; }
		ckr=$(sed -n 's/^FAIL [^ ]* //p' "$D/out")
		# DEVICE_ERROR, DEVICE_REMOVED, TOKEN_NOT_PRESENT,
		# TOKEN_NOT_RECOGNIZED, SLOT_ID_INVALID, USER_NOT_LOGGED_IN
		# (a reset lost the login), SESSION_HANDLE_INVALID/CLOSED
		# (the card went and its sessions with it), FUNCTION_CANCELED
		# (SCARD_E_CANCELLED), DEVICE_MEMORY (a response that did not
		# fit: SCARD_E_INSUFFICIENT_BUFFER)
		case $ckr in
		0x00000030|0x00000032|0x000000e0|0x000000e1|0x00000003|\
		0x00000101|0x000000b3|0x000000b0|0x00000050|0x00000031) ;;
		*) echo "CKR $ckr ($(cat "$D/out"))" ;;
		esac ;;
	kiosk)
		# pcscd gone for good: the kiosk reports it and keeps waiting
		# for the service (jpki_kiosk_wait(-1)); SIGTERM still ends it
		if [ "$RC" -eq 124 ] && [ -n "$sticky" ] &&
		    grep -q '^EV service-lost' "$D/out" && grep -q '^END$' "$D/out"; then
			return
		fi
		echo "exit $RC" ;;
	esac
}

INJ=0; CALLS=0; HIT=0
# The sanitizer run (make asan, < 30 s): the operations that sign, with
# the primary error only; the full sweep is the normal build's.
if [ -n "${FAULT_PRELOAD:-}" ]; then
	OPS=${FAULT_OPS:-sign_auth p11_sign kiosk}
	EXTRA=${FAULT_EXTRA:-0}
else
	OPS=${FAULT_OPS:-readers info cert_auth pin_status cert_sign sign_auth sign_bad text p11_slots p11_cert p11_sign kiosk}
	EXTRA=${FAULT_EXTRA:-2}
fi
: > "$D/bugs.txt"; : > "$D/outcomes.txt"
T0=$(date +%s)
for op in $OPS; do
	run "$op"
	want=0; [ "$op" = sign_bad ] && want=5
	rc0=$RC
	[ "$op" = sign_bad ] && run sign_auth	# the tries back to full
	RC=$rc0
	if [ "$RC" -ne "$want" ]; then
		h_fail "$op: clean run exit $RC, want $want"
		sed 's/^/#   /' "$D/err"
		continue
	fi
	# counting run: every SCard* call of the operation
	run "$op" none 1 0
	cp "$D/trace" "$D/count.$op"
	[ "$op" = sign_bad ] && run sign_auth	# the tries back to full
	awk '{ n[$2] = $3 } END { for (f in n) print f, n[f] }' \
		"$D/count.$op" | sort > "$D/calls.$op"
	ncalls=$(wc -l < "$D/count.$op")
	CALLS=$((CALLS + ncalls))
	opbad=0; opinj=0
	while read -r fn cnt; do
		at=1
		while [ "$at" -le "$cnt" ]; do
			# the primary error once, then sticky from this call on
			# (S:, as a card pulled or pcscd gone for good), then
			# rotating errors
			errs=$(primary "$fn")
			k=$EXTRA; [ "$cnt" -le 2 ] && k=$((EXTRA * 2))
			if [ $k -gt 0 ]; then
				errs="$errs S:$errs"; k=$((k - 1))
			fi
			while [ $k -gt 0 ]; do
				next_err; k=$((k - 1))
				case " $errs " in *" $ERR "*) next_err ;; esac
				errs="$errs $ERR"
			done
			for e in $errs; do
				[ -n "$PINKEY" ] && before=$(tries "$PINKEY")
				run "$op" "$fn" "$at" "$e"
				why=$(judge "$op")
				echo "$op $fn#$at $e $RC $(head -n 1 "$D/err" "$D/out" 2>/dev/null | grep -v '^==>' | grep . | head -n 1 | cut -c1-100)" >> "$D/outcomes.txt"
				cp "$D/trace" "$D/trace.inj"
				if [ -n "$PINKEY" ]; then
					after=$(tries "$PINKEY")
					v=$(grep -c ' SCardTransmit .* fwd ins=20 lc=[1-9]' "$D/trace")
					spent=$((before - after))
					if [ "$v" -gt 1 ]; then
						why="$why; $v VERIFYs with a PIN"
					elif [ "$spent" -gt "$v" ]; then
						why="$why; $spent tries spent, $v VERIFY forwarded"
					fi
				fi
				first=$(head -n 3 "$D/err" "$D/out" | tr '\n' ' ' | cut -c1-300)
				# the next operation, without the shim, succeeds
				[ "$op" = sign_bad ] && nop=sign_auth || nop=$op
				run "$nop"
				if [ "$RC" -ne 0 ] || ! good_output "$nop"; then
					why="$why; next $nop exit $RC: $(head -c 200 "$D/err")"
				fi
				INJ=$((INJ + 1)); opinj=$((opinj + 1))
				grep -q ' inj' "$D/trace.inj" && HIT=$((HIT + 1))
				if [ -n "$why" ]; then
					opbad=$((opbad + 1))
					echo "$op $fn#$at $e: $why | $first" >> "$D/bugs.txt"
				fi
			done
			at=$((at + 1))
		done
	done < "$D/calls.$op"
	if [ "$opbad" -eq 0 ]; then
		h_ok "$op: $ncalls calls, $opinj failures injected, all clean"
	else
		h_fail "$op: $ncalls calls, $opinj injected, $opbad not clean"
		grep "^$op " "$D/bugs.txt" | head -n 20 | sed 's/^/#   /'
	fi
done
# Regressions: failures the library must absorb (the operation succeeds).
#   the reader list grew between SCardListReaders' size query and its read
#   another client's transaction ended just then (a sharing violation)
if [ -z "${FAULT_OPS:-}" ] && [ -z "${FAULT_PRELOAD:-}" ]; then
	while read -r op fn at e; do
		run "$op" "$fn" "$at" "$e"
		if [ "$RC" -eq 0 ] && good_output "$op"; then
			h_ok "$op with $fn#$at $e: absorbed"
		else
			h_fail "$op with $fn#$at $e: exit $RC, want 0"
			sed 's/^/#   /' "$D/err"
		fi
	done <<EOR
readers SCardListReaders 2 SCARD_E_INSUFFICIENT_BUFFER
info SCardListReaders 2 SCARD_E_INSUFFICIENT_BUFFER
p11_slots SCardListReaders 2 SCARD_E_INSUFFICIENT_BUFFER
sign_auth SCardBeginTransaction 1 SCARD_E_SHARING_VIOLATION
EOR
fi
# Regression: a reset seen by C_Sign's SCardBeginTransaction must not leave
# the transaction held while the module stays loaded: another program gets
# the card at once (it waited for as long as the module was initialised).
if [ -f "$D/count.p11_sign" ]; then
	# the transaction of the signature (PSO, INS 2A): the last begin before it
	at=$(awk '$2 == "SCardBeginTransaction" { b = $3 }
		$2 == "SCardTransmit" && / ins=2a / { print b; exit }' "$D/count.p11_sign")
	op_cmd p11_sign
	: > "$D/hold.out"
	P11_HOLD_MS=4000 JPKI_FAULT_FN=SCardBeginTransaction JPKI_FAULT_AT="$at" \
		JPKI_FAULT_RV=SCARD_W_RESET_CARD LD_PRELOAD="$PRE" \
		timeout 20 $CMD > "$D/hold.out" 2>&1 &
	hold=$!
	i=0
	while ! grep -q -E '^(OK|FAIL)' "$D/hold.out" && [ $i -lt 100 ]; do
		sleep 0.05; i=$((i + 1))
	done
	timeout 3 "$J" pin status > "$D/out" 2> "$D/err"
	RC=$?
	wait "$hold"
	if [ "$RC" -eq 0 ] && grep -q '^FAIL C_Sign 0x00000101' "$D/hold.out"; then
		h_ok "reset at C_Sign's transaction (begin #$at): not logged in, the card stays free"
	else
		h_fail "reset at C_Sign's transaction (begin #$at): $(cat "$D/hold.out"), next program exit $RC"
	fi
fi
T1=$(date +%s)
# outcomes: exit status (CLI, kiosk) per kind of operation, for the record
awk '{ split($1, o, "_"); n[o[1] " exit " $4]++ } END { for (k in n) print "#   " k ": " n[k] }' \
	"$D/outcomes.txt" | sort
echo "# faults: $CALLS calls enumerated, $INJ failures injected ($HIT reached their call), $(wc -l < "$D/bugs.txt") not clean, $((T1 - T0)) s"
h_done
