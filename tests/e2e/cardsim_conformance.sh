#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# jpki-cardsim conformance (jpki-card.md §12) through the real stack:
# pcscd + vsmartcard-vpcd + OpenSC's jpki driver, opensc-tool, pkcs15-tool,
# pkcs11-tool, and scriptor (pcsc-tools) for the raw and extended APDUs
# OpenSC will not send.  Run under tests/lib/isolated.sh (make check-cardsim).
set -u
. "$(dirname "$0")/../lib/harness.sh"

P11=/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so
READER="Virtual PCD 00 00"
JPKI_AID="D3 92 F0 00 26 01 00 00 00 01"
TEXT_AID="D3 92 10 00 31 00 01 01 04 08"
VIS_AID="D3 92 10 00 31 00 01 01 04 02"
COMMON_AID="D3 92 10 00 31 00 01 01 01 00"

h_init cardsim_conformance
h_pcscd_start || exit 1

# scr APDU...: send the APDUs in one PC/SC connection with scriptor; print
# one line per response: hex of data + SW, no spaces.
scr() {
	printf '%s\n' "$@" | scriptor -r "$READER" 2>>"$H_DIR/check.log" |
		tee -a "$H_DIR/check.log" | awk '
		/^< / { r = 1; s = ""; sub(/^< /, "") }
		r {
			line = $0
			if (index(line, " : ")) {
				sub(/ : .*/, "", line)
				s = s " " line
				gsub(/ /, "", s)
				print s
				r = 0
			} else {
				s = s " " line
			}
		}'
}

# nth N TEXT: the Nth line
nth() {
	printf '%s\n' "$2" | sed -n "$1p"
}

# expect DESC WANT GOT
expect() {
	if [ "$2" = "$3" ]; then
		h_ok "$1"
	else
		h_fail "$1 (got '$3', want '$2')"
	fi
}

hexof() {
	xxd -p "$1" | tr -d '\n' | tr a-f A-F
}

# Raw bytes of a hex string to a file.
unhex() {
	printf '%s' "$1" | xxd -r -p > "$2"
}

PROF=$(h_profile main --seed 42) || { h_fail "gen-profile"; h_done; exit 1; }
h_ok "gen-profile writes a profile"
MYNUM=$(sed -n 's/^mynumber = //p' "$PROF/profile.conf")

h_card_start "$PROF" --trace "$H_DIR/trace.log" --stats "$H_DIR/stats.json" ||
	{ h_fail "card appears in the reader"; h_done; exit 1; }
h_ok "card appears in the reader"

# --- OpenSC recognition (§12 MUST 1) -------------------------------------
atr=$(opensc-tool -r 0 -a 2>>"$H_DIR/check.log" | tail -n 1)
expect "contact ATR" "3b:e0:00:ff:81:31:fe:45:14" "$atr"
drv=$(opensc-tool -r 0 -n 2>>"$H_DIR/check.log" | tail -n 1)
expect "opensc-tool -n names the jpki driver" "jpki" "$drv"

out=$(opensc-tool -r 0 -s "00 A4 04 0C 07 A0 00 00 00 03 10 10" \
	-s "00 A4 04 0C 0A $JPKI_AID" -s "00 A4 02 0C 02 00 18" \
	-s "00 20 00 80" -s "00 A4 02 0C 02 00 0A" -s "00 B0 7F 00 10" \
	2>&1)
echo "$out" >> "$H_DIR/check.log"
sws=$(echo "$out" | sed -n 's/^Received (SW1=0x\(..\), SW2=0x\(..\)).*/\1\2/p' |
	tr '\n' ' ')
expect "opensc-tool: unknown AID 6A82, AP 9000, EF 9000, empty VERIFY 63C3, EF 9000, past end 6B00" \
	"6A82 9000 9000 63C3 9000 6B00 " "$sws"

# --- READ BINARY forms (§5.3) ----------------------------------------------
AUTH=$(hexof "$PROF/auth.crt")
ALEN=$(stat -c %s "$PROF/auth.crt")
r=$(scr "00 A4 04 0C 0A $JPKI_AID" "00 B0 8A 00 00 00 00" "00 B0 8A 00 04" \
	"00 B0 00 04 00 $(printf '%02X %02X' $(((ALEN - 4) >> 8)) $(((ALEN - 4) & 255)))" \
	"00 B0 00 00 00" "00 B0 01 00 00")
expect "extended READ BINARY (SFI, Le=65536) returns the whole auth cert" \
	"${AUTH}9000" "$(nth 2 "$r")"
expect "SFI READ BINARY with short Le" "$(echo "$AUTH" | cut -c1-8)9000" \
	"$(nth 3 "$r")"
expect "extended Le at offset 4 returns the rest" \
	"$(echo "$AUTH" | cut -c9-)9000" "$(nth 4 "$r")"
expect "short Le 00 = 256 bytes" "$(echo "$AUTH" | cut -c1-512)9000" \
	"$(nth 5 "$r")"
expect "offset 0100 continues" "$(echo "$AUTH" | cut -c513-1024)9000" \
	"$(nth 6 "$r")"

r=$(scr "00 A4 04 0C 0A $JPKI_AID" "00 A4 02 0C 02 00 06" "00 B0 00 00 00" \
	"00 B0 88 00 03" "00 B0 81 00 04" "00 A4 02 0C 02 00 01" \
	"00 B0 00 00 04" "00 A4 02 0C 02 00 99" "00 A4 02 0C 02 00 17" \
	"80 2A 00 80 03 01 02 03 00" "80 2A 00 9A 03 01 02 03 00")
tok=$(nth 3 "$r")
expect "EF 0006 is 160 bytes" "324" "${#tok}"
expect "token label JPKIAPICCTOKEN2, space padded" \
	"4A504B49415049434354 4F4B454E322020" \
	"$(echo "$tok" | cut -c1-20) $(echo "$tok" | cut -c21-34)"
expect "EF 0008 availability 8F 8F 00" "8F8F009000" "$(nth 4 "$r")"
expect "sign cert needs the sign PIN" "6982" "$(nth 5 "$r")"
expect "sign cert after SELECT too" "6982" "$(nth 7 "$r")"
expect "unknown EF 6A82" "6A82" "$(nth 8 "$r")"
expect "signing without the auth PIN 6982" "6982" "$(nth 10 "$r")"
expect "signing with key SFI 9A without the sign PIN 6982" "6982" \
	"$(nth 11 "$r")"

# --- CLA / INS errors and probes (§1, §4) ---------------------------------
r=$(scr "01 A4 04 0C 0A $JPKI_AID" "0C A4 04 0C 0A $JPKI_AID" \
	"0C B0 00 00 00" "A0 A4 04 0C 0A $JPKI_AID" "00 FF 00 00 00" \
	"00 CB 3F FF 05 5C 03 5F C1 02 00" "00 A4 04 0C 07 A0 00 00 01 51 00 00" \
	"00 A4 00 00" "00 A4 00 00 02 3F 00" \
	"00 CA 5F 51 00" "00 CA 00 F0 00" "00 84 00 00 08" "00 84 00 00 00 00 08")
expect "logical channel 6881" "6881" "$(nth 1 "$r")"
expect "SM SELECT 6882" "6882" "$(nth 2 "$r")"
expect "SM READ BINARY 69FC" "69FC" "$(nth 3 "$r")"
expect "foreign CLA 6E00" "6E00" "$(nth 4 "$r")"
expect "unknown INS 6D00" "6D00" "$(nth 5 "$r")"
expect "PIV GET DATA probe 6D00" "6D00" "$(nth 6 "$r")"
expect "SELECT of the GP ISD 9000" "9000" "$(nth 7 "$r")"
expect "SELECT MF at MF level 6A86" "6A86" "$(nth 8 "$r")"
expect "SELECT 3F00 6A82" "6A82" "$(nth 9 "$r")"
expect "GET DATA 5F51 = contact ATR without TS" "E000FF8131FE45149000" \
	"$(nth 10 "$r")"
expect "MF GET DATA 00F0 municipality" "31333130319000" "$(nth 11 "$r")"
ch=$(nth 12 "$r")
expect "GET CHALLENGE 8 bytes" "20" "${#ch}"
expect "extended GET CHALLENGE 6985" "6985" "$(nth 13 "$r")"

# --- text AP (§6) ------------------------------------------------------------
numhex=$(printf '%s' "$MYNUM" | xxd -p | tr a-f A-F)
numsp=$(echo "$numhex" | sed 's/../& /g')
r=$(scr "00 A4 04 0C 0A $TEXT_AID" "00 B0 81 00 11" \
	"00 20 00 91 04 39 39 39 39" "00 20 00 91" "00 20 00 92" \
	"00 20 00 92 04 31 32 33 34" "00 20 00 91 04 31 32 33 34" \
	"00 B0 81 00 11" "00 B0 82 00 00 00 00" "00 B0 83 00 00 00 00" \
	"00 B0 84 00 00 00 00" "00 B0 85 00 00 00 00" "00 20 00 94" "00 20 00 95")
expect "text EF 0001 needs a PIN" "6982" "$(nth 2 "$r")"
expect "wrong text PIN 63C2" "63C2" "$(nth 3 "$r")"
expect "query text PIN 63C2" "63C2" "$(nth 4 "$r")"
expect "0012 blocked: query 63C0" "63C0" "$(nth 5 "$r")"
expect "0012 blocked: VERIFY 6984" "6984" "$(nth 6 "$r")"
expect "text PIN ok" "9000" "$(nth 7 "$r")"
EF1=$(nth 8 "$r")
expect "text EF 0001 = FF 10 0C + My Number + FF FF" "FF100C${numhex}FFFF9000" "$EF1"
EF2=$(nth 9 "$r"); EF2=${EF2%9000}
EF3=$(nth 10 "$r"); EF3=${EF3%9000}
CVC=$(nth 11 "$r")
expect "text EF 0003 is 336 bytes" "672" "${#EF3}"
expect "text EF 0004 CV certificate is 568 bytes" "1140" "${#CVC}"
expect "text EF 0005 is 256 bytes" "516" "$(nth 12 "$r" | wc -c | tr -d ' ' | awk '{print $1 - 1}')"
expect "照合番号A query 63CA" "63CA" "$(nth 13 "$r")"
expect "照合番号B query 63CA" "63CA" "$(nth 14 "$r")"

# EF 0002 offsets: DF21 entries point at the DF22..DF25 tags (§6.3)
b2=$(echo "$EF2" | cut -c5-6)
case $b2 in
81) hl=4 ;; 82) hl=5 ;; *) hl=3 ;;
esac
ok=1
i=0
for tag in DF22 DF23 DF24 DF25; do
	o=$(echo "$EF2" | cut -c$(( (hl + 3 + 2 * i) * 2 + 1 ))-$(( (hl + 3 + 2 * i) * 2 + 4 )))
	at=$(echo "$EF2" | cut -c$(( 0x$o * 2 + 1 ))-$(( 0x$o * 2 + 4 )))
	[ "$at" = "$tag" ] || ok=0
	i=$((i + 1))
done
[ $ok = 1 ] && h_ok "text EF 0002 DF21 offsets point at DF22..DF25" ||
	h_fail "text EF 0002 DF21 offsets"

# EF 0003 integrity record: hashes and signature (§6.4)
unhex "$(echo "$EF1" | cut -c1-34)" "$H_DIR/ef1"
unhex "$(echo "$EF2" | cut -c$(( (hl + 11) * 2 + 1 ))-)" "$H_DIR/ef2body"
unhex "$EF3" "$H_DIR/ef3"
h1=$(openssl dgst -sha256 -binary "$H_DIR/ef1" | xxd -p | tr -d '\n' | tr a-f A-F)
h2=$(openssl dgst -sha256 -binary "$H_DIR/ef2body" | xxd -p | tr -d '\n' | tr a-f A-F)
expect "DF31 = SHA-256 of EF 0001 (17 bytes)" "DF3120$h1" "$(echo "$EF3" | cut -c11-80)"
expect "DF32 = SHA-256 of DF22..DF25" "DF3220$h2" "$(echo "$EF3" | cut -c81-150)"
dd if="$H_DIR/ef3" of="$H_DIR/ef3.tbs" bs=1 skip=5 count=70 2>/dev/null
dd if="$H_DIR/ef3" of="$H_DIR/ef3.sig" bs=1 skip=80 count=256 2>/dev/null
openssl pkey -in "$PROF/text-ap.key" -pubout -out "$H_DIR/textap.pub" 2>/dev/null
h_check "DF33 signature verifies with the text AP key" \
	openssl dgst -sha256 -verify "$H_DIR/textap.pub" \
	-signature "$H_DIR/ef3.sig" "$H_DIR/ef3.tbs"
# CV certificate signed by cv-ca.pub over the 297-byte body (§6.5)
unhex "$CVC" "$H_DIR/cvc"
dd if="$H_DIR/cvc" of="$H_DIR/cvc.tbs" bs=1 skip=10 count=297 2>/dev/null
dd if="$H_DIR/cvc" of="$H_DIR/cvc.sig" bs=1 skip=312 count=256 2>/dev/null
h_check "text AP CV certificate verifies with cv-ca.pub" \
	openssl dgst -sha256 -verify "$PROF/cv-ca.pub" \
	-signature "$H_DIR/cvc.sig" "$H_DIR/cvc.tbs"

# --- visual AP (§7) and common AP (§8.1) ------------------------------------
r=$(scr "00 A4 04 0C 0A $VIS_AID" "00 B0 82 00 04" "00 B0 83 00 04" \
	"00 20 00 93 0C $numsp" "00 B0 82 00 00 00 00" \
	"00 A4 04 0C 0A $COMMON_AID" "00 B2 01 0C 00")
expect "visual EF 0002 behind 照合番号" "6982" "$(nth 2 "$r")"
expect "visual EF 0003 is free" "FF30" "$(nth 3 "$r" | cut -c1-4)"
expect "visual 照合番号A = My Number" "9000" "$(nth 4 "$r")"
expect "visual EF 0002 card face after 照合番号A" "FF2082" \
	"$(nth 5 "$r" | cut -c1-6)"
rec=$(nth 7 "$r")
expect "common AP READ RECORD: 01 1C + 28 digits" "011C" "$(echo "$rec" | cut -c1-4)"
expect "common AP record length" "64" "${#rec}"

# --- PKCS#15 / PKCS#11 through OpenSC (§10) ---------------------------------
pkcs15-tool --list-certificates > "$H_DIR/p15.txt" 2>&1
n=$(grep -c -E 'User Authentication Certificate|Digital Signature Certificate' "$H_DIR/p15.txt")
[ "$n" -eq 4 ] && h_ok "pkcs15-tool lists the 4 certificates" ||
	h_fail "pkcs15-tool lists the certificates ($n)"
pkcs11-tool --module "$P11" -L > "$H_DIR/p11.txt" 2>&1
h_check "pkcs11-tool -L: auth token" grep -q 'JPKI (User Authentication PIN)' "$H_DIR/p11.txt"
h_check "pkcs11-tool -L: sign token" grep -q 'JPKI (Digital Signature PIN)' "$H_DIR/p11.txt"

printf 'jpki-cardsim conformance %s\n' "$$" > "$H_DIR/msg"
openssl x509 -inform der -in "$PROF/auth.crt" -pubkey -noout > "$H_DIR/auth.pub"
# Synthetic test PIN on argv: pkcs11-tool offers no other way.
h_check "pkcs11-tool SHA256-RSA-PKCS signature with the auth key" \
	pkcs11-tool --module "$P11" --login --pin 1234 --sign --id 01 \
	-m SHA256-RSA-PKCS -i "$H_DIR/msg" -o "$H_DIR/msg.sig"
h_check "openssl verifies the card's signature" \
	openssl dgst -sha256 -verify "$H_DIR/auth.pub" \
	-signature "$H_DIR/msg.sig" "$H_DIR/msg"

# --- signature schemes P1 00..05 (§5.6) -------------------------------------
DI="30 31 30 0D 06 09 60 86 48 01 65 03 04 02 01 05 00 04 20"
H=$(openssl dgst -sha256 -binary "$H_DIR/msg" | xxd -p | tr -d '\n' |
	sed 's/../& /g; s/ $//')
MSGHEX=$(xxd -p "$H_DIR/msg" | tr -d '\n' | sed 's/../& /g; s/ $//')
MLEN=$(printf '%02X' "$(stat -c %s "$H_DIR/msg")")
r=$(scr "00 A4 04 0C 0A $JPKI_AID" "00 20 00 98 04 31 32 33 34" \
	"80 2A 00 97 33 $DI $H 00" "80 2A 02 97 20 $H 00" \
	"80 2A 03 97 $MLEN $MSGHEX 00" "80 2A 04 97 20 $H 00" \
	"80 2A 05 97 $MLEN $MSGHEX 00" "80 2A 06 97 20 $H 00" \
	"80 2A 02 97 10 $(echo "$H" | cut -c1-47) 00" "00 20 00 98")
i=3
for desc in "P1=00 DigestInfo" "P1=02 hash" "P1=03 message"; do
	s=$(nth $i "$r")
	unhex "${s%9000}" "$H_DIR/s$i"
	h_check "$desc: PKCS#1 v1.5 signature verifies" \
		openssl dgst -sha256 -verify "$H_DIR/auth.pub" \
		-signature "$H_DIR/s$i" "$H_DIR/msg"
	i=$((i + 1))
done
for desc in "P1=04 PSS hash" "P1=05 PSS message"; do
	s=$(nth $i "$r")
	unhex "${s%9000}" "$H_DIR/s$i"
	h_check "$desc: RSASSA-PSS signature verifies" \
		openssl dgst -sha256 -sigopt rsa_padding_mode:pss \
		-sigopt rsa_pss_saltlen:-1 -verify "$H_DIR/auth.pub" \
		-signature "$H_DIR/s$i" "$H_DIR/msg"
	i=$((i + 1))
done
expect "P1=06 6A86" "6A86" "$(nth 8 "$r")"
expect "P1=02 with 16 bytes 6700" "6700" "$(nth 9 "$r")"
expect "empty VERIFY after success still 63C3" "63C3" "$(nth 10 "$r")"

# --- delayed-ACK trap: 200 APDUs (testing-without-hardware.md §3) -----------
i=0
: > "$H_DIR/many"
while [ $i -lt 200 ]; do
	echo "00 A4 04 0C 0A $JPKI_AID" >> "$H_DIR/many"
	i=$((i + 1))
done
t0=$(date +%s%N)
n=$(scriptor -r "$READER" < "$H_DIR/many" 2>/dev/null | grep -c '^< 90 00')
t1=$(date +%s%N)
per=$(( (t1 - t0) / 200000 ))	# microseconds per APDU
expect "200 APDUs answered" "200" "$n"
[ "$per" -lt 20000 ] && h_ok "latency ${per} us per APDU (< 20 ms)" ||
	h_fail "latency ${per} us per APDU (< 20 ms): delayed-ACK trap?"

h_card_stop
h_check "trace redacts VERIFY data" sh -c \
	"grep -q '00 20 00 98 04 <4 bytes redacted>' '$H_DIR/trace.log' && ! grep -q '31 32 33 34' '$H_DIR/trace.log'"
h_check "trace redacts text AP personal data" sh -c \
	"grep -q '^< <17 bytes redacted> 90 00' '$H_DIR/trace.log' && ! grep -q 'FF 10 0C' '$H_DIR/trace.log'"
h_check "stats JSON written at exit" grep -q '"commands": [1-9]' "$H_DIR/stats.json"

# --- --no-extended, --contactless, --sw-at ----------------------------------
h_card_start "$PROF" --no-extended --contactless --sw-at 2:6F00 ||
	h_fail "card restarts"
r=$(scr "00 A4 04 0C 0A $JPKI_AID" "00 A4 04 0C 0A $JPKI_AID" \
	"00 B0 8A 00 00 00 00" "00 B0 8A 00 04")
expect "--sw-at 2:6F00" "6F00" "$(nth 2 "$r")"
expect "--no-extended: extended READ BINARY 6700" "6700" "$(nth 3 "$r")"
expect "--no-extended: short READ BINARY works" "$(echo "$AUTH" | cut -c1-8)9000" "$(nth 4 "$r")"
atr=$(opensc-tool -r 0 -a 2>>"$H_DIR/check.log" | tail -n 1)
expect "contactless ATR with a correct TCK" "3b:88:80:01:00:00:05:e0:b3:81:a1:00:7f" "$atr"
drv=$(opensc-tool -r 0 -n 2>>"$H_DIR/check.log" | tail -n 1)
expect "OpenSC finds the contactless card by SELECT" "jpki" "$drv"
h_card_stop

# --- --delay-ms and --link-kbps slow the card down as documented ----------
# 12 APDUs: SELECT AP, SELECT EF, 10 x READ BINARY of 256 bytes
{
	echo "00 A4 04 0C 0A $JPKI_AID"
	echo "00 A4 02 0C 02 00 0A"
	i=0
	while [ $i -lt 10 ]; do echo "00 B0 00 00 00"; i=$((i + 1)); done
} > "$H_DIR/slow"
elapsed_ms() {
	t0=$(date +%s%N)
	scriptor -r "$READER" < "$H_DIR/slow" > /dev/null 2>&1
	t1=$(date +%s%N)
	echo $(( (t1 - t0) / 1000000 ))
}
h_card_start "$PROF" --delay-ms 30
t=$(elapsed_ms)
h_card_stop
[ "$t" -ge 360 ] && h_ok "--delay-ms 30: 12 APDUs take ${t} ms (>= 360)" ||
	h_fail "--delay-ms 30: 12 APDUs take ${t} ms (< 360)"
# 10 x (5 + 258) bytes x 10 / 106 ms + 2 ms per exchange ~ 270 ms
h_card_start "$PROF" --link-kbps 106
t=$(elapsed_ms)
h_card_stop
[ "$t" -ge 260 ] && h_ok "--link-kbps 106: 10 x 256-byte reads take ${t} ms (>= 260)" ||
	h_fail "--link-kbps 106: 10 x 256-byte reads take ${t} ms (< 260)"

# --- PIN lockout survives a restart (state file) ---------------------------
LOCK=$(h_profile lock --seed 43)
h_card_start "$LOCK"
r=$(scr "00 A4 04 0C 0A $JPKI_AID" "00 A4 02 0C 02 00 18" \
	"00 20 00 80 04 30 30 30 30" "00 20 00 80 04 30 30 30 30" \
	"00 20 00 80 04 30 30 30 30" "00 20 00 80 04 31 32 33 34" "00 20 00 80")
expect "three wrong auth PINs: 63C2 63C1 63C0, then 6984, query 63C0" \
	"63C2 63C1 63C0 6984 63C0" "$(echo "$r" | sed -n '3,7p' | tr '\n' ' ' | sed 's/ $//')"
h_card_stop
h_check "state file records the lockout" grep -q '^tries.auth = 0$' "$LOCK/state"
h_card_start "$LOCK"
r=$(scr "00 A4 04 0C 0A $JPKI_AID" "00 20 00 98" "00 20 00 98 04 31 32 33 34" \
	"00 20 00 9B 06 41 42 43 31 32 33")
expect "after restart: still blocked (63C0, 6984), sign PIN fine" \
	"63C0 6984 9000" "$(echo "$r" | sed -n '2,4p' | tr '\n' ' ' | sed 's/ $//')"
h_card_stop

# --- CHANGE REFERENCE DATA persists the new PIN -----------------------------
h_card_start "$LOCK"
r=$(scr "00 A4 04 0C 0A $TEXT_AID" "00 24 01 91 04 35 36 37 38" \
	"00 20 00 91 04 31 32 33 34" "00 24 01 91 03 35 36 37" \
	"00 24 01 91 04 35 36 37 38")
expect "CHANGE REFERENCE DATA: 6982 before VERIFY, 6A80 bad format, 9000" \
	"6982 9000 6A80 9000" "$(echo "$r" | sed -n '2,5p' | tr '\n' ' ' | sed 's/ $//')"
h_card_stop
h_card_start "$LOCK"
r=$(scr "00 A4 04 0C 0A $TEXT_AID" "00 20 00 91 04 35 36 37 38")
expect "new text PIN valid after restart" "9000" "$(nth 2 "$r")"
h_card_stop

# --- tamper = text-name: EF 0003 no longer matches --------------------------
echo "tamper = text-name" >> "$LOCK/profile.conf"
h_card_start "$LOCK"
r=$(scr "00 A4 04 0C 0A $TEXT_AID" "00 20 00 91 04 35 36 37 38" \
	"00 B0 82 00 00 00 00" "00 B0 83 00 00 00 00")
EF2=$(nth 3 "$r"); EF2=${EF2%9000}
EF3=$(nth 4 "$r")
b2=$(echo "$EF2" | cut -c5-6)
case $b2 in
81) hl=4 ;; 82) hl=5 ;; *) hl=3 ;;
esac
unhex "$(echo "$EF2" | cut -c$(( (hl + 11) * 2 + 1 ))-)" "$H_DIR/ef2t"
h2=$(openssl dgst -sha256 -binary "$H_DIR/ef2t" | xxd -p | tr -d '\n' | tr a-f A-F)
[ "DF3220$h2" != "$(echo "$EF3" | cut -c81-150)" ] &&
	h_ok "tamper=text-name: DF32 does not match EF 0002" ||
	h_fail "tamper=text-name: DF32 still matches"
h_card_stop

# --- drop-after: the card is pulled out ------------------------------------
h_card_start "$PROF" --drop-after 2
scr "00 A4 04 0C 0A $JPKI_AID" "00 A4 02 0C 02 00 0A" "00 B0 00 00 04" > /dev/null
pid=$H_CARD_PID_0
i=0
while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
	sleep 0.1; i=$((i + 1))
done
wait "$pid"
rc=$?
expect "--drop-after: cardsim exits 0" "0" "$rc"
H_CARD_PID_0=""
h_wait_nocard 0
expect "--drop-after: the reader shows no card" "false" "$(h_reader_state 0)"

# --- SIGTERM removes the card, exit 0 ---------------------------------------
h_card_start "$PROF"
pid=$H_CARD_PID_0
kill -TERM "$pid"
wait "$pid"
rc=$?
H_CARD_PID_0=""
expect "SIGTERM: cardsim exits 0" "0" "$rc"
h_wait_nocard 0
expect "SIGTERM: the reader shows no card" "false" "$(h_reader_state 0)"

# --- the card waits for vpcd (started before pcscd) ------------------------
h_pcscd_stop
"$H_BIN/jpki-cardsim" --profile "$PROF" --connect-timeout 20 \
	> "$H_DIR/early.log" 2>&1 &
H_CARD_PID_0=$!
H_PIDS="$H_PIDS $H_CARD_PID_0"
sleep 0.5
h_pcscd_start
h_wait_card 0 && h_ok "card started before pcscd connects once vpcd listens" ||
	h_fail "card started before pcscd connects once vpcd listens"
h_card_stop

# --- bad profiles are refused ----------------------------------------------
mkdir -p "$H_DIR/bad"
cp -r "$PROF/." "$H_DIR/bad/"
echo "pin.atuh = 1234" >> "$H_DIR/bad/profile.conf"
h_expect_rc 1 "unknown profile.conf key refused" \
	"$H_BIN/jpki-cardsim" --profile "$H_DIR/bad" --connect-timeout 0

h_done
