#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# Make the certificates the certificate-module tests use, with the openssl
# CLI, into OUTDIR (created).  Throwaway keys, synthetic names only.  The
# mock hierarchy follows jpki-card.md §9 (O=JPKI-MOCK, production policy
# OIDs); validity boundaries are JST days (00:00:00 / 23:59:59 JST, §9.2).
#
#   gen-certs.sh OUTDIR
#
# Writes DER certificates *.der, CA keys *.key, and for the revocation
# tests an `openssl ca` database per CA in OUTDIR/db-<ca>/.
set -eu

OUT=${1:?usage: gen-certs.sh OUTDIR}
mkdir -p "$OUT"
cd "$OUT"

# CA validity: 2020-01-01 00:00:00 JST .. 2039-12-31 23:59:59 JST
CA_START=20191231150000Z
CA_END=20391231145959Z
# End entities: 2025-03-02 00:00:00 JST .. 2030-02-17 23:59:59 JST
EE_START=20250301150000Z
EE_END=20300217145959Z

key() {
	[ -f "$1" ] || openssl genpkey -algorithm RSA \
	    -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null
}

cat > ca.cnf <<'CNF'
[ ca ]
default_ca = mock
[ mock ]
dir = $ENV::CADIR
database = $dir/index.txt
serial = $dir/serial
crlnumber = $dir/crlnumber
new_certs_dir = $dir/new
default_md = sha256
policy = any
preserve = yes
unique_subject = no
copy_extensions = none
default_crl_days = 7
email_in_dn = no
name_opt = ca_default
cert_opt = ca_default
[ any ]
countryName = optional
organizationName = optional
organizationalUnitName = optional
localityName = optional
commonName = optional
[ req ]
distinguished_name = dn
string_mask = utf8only
utf8 = yes
[ dn ]
[ v3_ca ]
keyUsage = critical, keyCertSign, cRLSign
basicConstraints = critical, CA:TRUE
subjectKeyIdentifier = hash
[ v3_notca ]
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ auth ]
keyUsage = critical, digitalSignature
basicConstraints = CA:FALSE
certificatePolicies = 1.2.392.200149.8.5.1.3.30
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
extendedKeyUsage = clientAuth
[ auth_noaki ]
keyUsage = critical, digitalSignature
basicConstraints = CA:FALSE
certificatePolicies = 1.2.392.200149.8.5.1.3.30
[ auth_isca ]
keyUsage = critical, digitalSignature
basicConstraints = critical, CA:TRUE
certificatePolicies = 1.2.392.200149.8.5.1.3.30
[ auth_badku ]
keyUsage = critical, keyEncipherment
basicConstraints = CA:FALSE
certificatePolicies = 1.2.392.200149.8.5.1.3.30
[ auth_badpol ]
keyUsage = critical, digitalSignature
basicConstraints = CA:FALSE
certificatePolicies = 1.2.3.4.5
[ auth_nopol ]
keyUsage = critical, digitalSignature
basicConstraints = CA:FALSE
[ sign_testpol ]
keyUsage = critical, digitalSignature, nonRepudiation
basicConstraints = CA:FALSE
certificatePolicies = 1.2.392.200149.8.5.1.0.20
CNF

# Holder attributes (jpki-card.md §9.3), in the order seen on a card.
A1='otherName.1 = 1.2.392.200149.8.5.5.1;FORMAT:UTF8,UTF8:山田　花子'
A4='otherName.4 = 1.2.392.200149.8.5.5.4;FORMAT:UTF8,UTF8:319800217'
A3='otherName.3 = 1.2.392.200149.8.5.5.3;FORMAT:UTF8,UTF8:2'
A5='otherName.5 = 1.2.392.200149.8.5.5.5;FORMAT:UTF8,UTF8:東京都千代田区千代田１－１'
A2='otherName.2 = 1.2.392.200149.8.5.5.2;FORMAT:UTF8,UTF8:00000'
A6='otherName.6 = 1.2.392.200149.8.5.5.6;FORMAT:UTF8,UTF8:00000000000000'

# sign_ext SECTION LINE... : a sign-certificate extension section whose SAN
# holds the given otherName lines.
sign_ext() {
	sec=$1
	shift
	{
		printf '[ %s ]\n' "$sec"
		printf 'keyUsage = critical, digitalSignature, nonRepudiation\n'
		printf 'basicConstraints = CA:FALSE\n'
		printf 'certificatePolicies = 1.2.392.200149.8.5.1.1.20\n'
		printf 'subjectAltName = @%s_san\n' "$sec"
		printf '[ %s_san ]\n' "$sec"
		for l in "$@"; do
			printf '%s\n' "$l"
		done
		# a non-attribute name must be ignored
		printf 'DNS.1 = holder.invalid\n'
	} >> ca.cnf
}

sign_ext sign "$A1" "$A4" "$A3" "$A5" "$A2" "$A6"
sign_ext miss1 "$A4" "$A3" "$A5" "$A2" "$A6"
sign_ext miss2 "$A1" "$A4" "$A3" "$A5" "$A6"
sign_ext miss3 "$A1" "$A4" "$A5" "$A2" "$A6"
sign_ext miss4 "$A1" "$A3" "$A5" "$A2" "$A6"
sign_ext miss5 "$A1" "$A4" "$A3" "$A2" "$A6"
sign_ext miss6 "$A1" "$A4" "$A3" "$A5" "$A2"
# malformed: one attribute each
sign_ext bad_utf8 'otherName.1 = 1.2.392.200149.8.5.5.1;IMPLICIT:12U,FORMAT:HEX,OCTETSTRING:E5B1B1C0AF' "$A4"
sign_ext bad_surrogate 'otherName.1 = 1.2.392.200149.8.5.5.1;IMPLICIT:12U,FORMAT:HEX,OCTETSTRING:EDA080' "$A4"
sign_ext bad_type 'otherName.3 = 1.2.392.200149.8.5.5.3;PRINTABLESTRING:2' "$A1"
sign_ext bad_oid "$A1" 'otherName.7 = 1.2.392.200149.8.5.5.7;FORMAT:UTF8,UTF8:x'
sign_ext bad_era "$A1" 'otherName.4 = 1.2.392.200149.8.5.5.4;FORMAT:UTF8,UTF8:419800217'
sign_ext bad_date "$A1" 'otherName.4 = 1.2.392.200149.8.5.5.4;FORMAT:UTF8,UTF8:319800230'
sign_ext bad_birthfmt "$A1" 'otherName.4 = 1.2.392.200149.8.5.5.4;FORMAT:UTF8,UTF8:1980-02-17'
sign_ext bad_sex "$A1" 'otherName.3 = 1.2.392.200149.8.5.5.3;FORMAT:UTF8,UTF8:3'
sign_ext bad_flags "$A1" 'otherName.2 = 1.2.392.200149.8.5.5.2;FORMAT:UTF8,UTF8:00x00'
sign_ext bad_aflags "$A1" 'otherName.6 = 1.2.392.200149.8.5.5.6;FORMAT:UTF8,UTF8:'
sign_ext bad_dup "$A1" "$(echo "$A1" | sed s/otherName.1/otherName.9/)"
sign_ext bad_addr 'otherName.5 = 1.2.392.200149.8.5.5.5;IMPLICIT:12U,FORMAT:HEX,OCTETSTRING:C0AF'
# An otherName outside the arc is ignored however long its OID (its dotted
# form here is ~470 characters): 1.3.6.1.4.1.32473 is the documentation
# enterprise number (RFC 5612).  One inside the arc but longer is refused.
LONG_ARCS=$(i=0; while [ $i -lt 40 ]; do printf '.%d' $((4000000000 + i)); \
	i=$((i + 1)); done)
sign_ext foreign_oid "otherName.7 = 1.3.6.1.4.1.32473$LONG_ARCS;FORMAT:UTF8,UTF8:x" \
	"$A1" "$A4" "$A3" "$A5" "$A2" "$A6" \
	"otherName.8 = 1.3.6.1.4.1.32473$LONG_ARCS.1;FORMAT:UTF8,UTF8:y"
sign_ext bad_oid_long "$A1" \
	"otherName.7 = 1.2.392.200149.8.5.5.1$LONG_ARCS;FORMAT:UTF8,UTF8:x"
# era boundaries: last day of Showa, first of Heisei, first of Reiwa
sign_ext era_showa 'otherName.4 = 1.2.392.200149.8.5.5.4;FORMAT:UTF8,UTF8:319890107'
sign_ext era_heisei 'otherName.4 = 1.2.392.200149.8.5.5.4;FORMAT:UTF8,UTF8:419890108'
sign_ext era_reiwa 'otherName.4 = 1.2.392.200149.8.5.5.4;FORMAT:UTF8,UTF8:520190501'
sign_ext era_unknown 'otherName.4 = 1.2.392.200149.8.5.5.4;FORMAT:UTF8,UTF8:020000229'
sign_ext era_leap_bad 'otherName.4 = 1.2.392.200149.8.5.5.4;FORMAT:UTF8,UTF8:419000229'

export CADIR

# newca NAME SUBJECT [EXT]: self-signed CA with its own database.
newca() {
	CADIR=$PWD/db-$1
	mkdir -p "$CADIR/new"
	: > "$CADIR/index.txt"
	echo 01 > "$CADIR/serial"
	echo 01 > "$CADIR/crlnumber"
	key "$1.key"
	openssl req -new -config ca.cnf -key "$1.key" -subj "$2" \
	    -out "$1.csr" 2>/dev/null
	openssl ca -batch -config ca.cnf -selfsign -keyfile "$1.key" \
	    -in "$1.csr" -out "$1.pem" -extensions "${3:-v3_ca}" \
	    -startdate "$CA_START" -enddate "$CA_END" -notext 2>/dev/null
	openssl x509 -in "$1.pem" -outform DER -out "$1.der"
	# the database is for the certificates the CA issues
	: > "$CADIR/index.txt"
	rm -f "$1.csr" "$CADIR"/new/*
}

# issue CA OUT SERIALHEX SUBJECT EXT [START END]
issue() {
	CADIR=$PWD/db-$1
	echo "$3" > "$CADIR/serial"
	openssl req -new -config ca.cnf -key ee.key -subj "$4" \
	    -out "$2.csr" 2>/dev/null
	if ! openssl ca -batch -config ca.cnf -cert "$1.pem" \
	    -keyfile "$1.key" -in "$2.csr" -out "$2.pem" -extensions "$5" \
	    -startdate "${6:-$EE_START}" -enddate "${7:-$EE_END}" \
	    -notext > "$2.log" 2>&1; then
		cat "$2.log" >&2
		echo "gen-certs: cannot issue $2" >&2
		exit 1
	fi
	rm -f "$2.log"
	openssl x509 -in "$2.pem" -outform DER -out "$2.der"
	rm -f "$2.csr"
}

MOCK_AUTH='/C=JP/O=JPKI-MOCK/OU=JPKI-MOCK for user authentication/OU=libjpki test hierarchy'
MOCK_SIGN='/C=JP/O=JPKI-MOCK/OU=JPKI-MOCK for digital signature/OU=libjpki test hierarchy'
TEST_SIGN='/C=JP/O=JPKI-TEST/OU=JPKI-TEST for digital signature/OU=libjpki test hierarchy'
AUTH_SUBJ='/C=JP/CN=997794E9AGCIEG13101003A'
SIGN_SUBJ='/C=JP/L=Chiyoda-ku/CN=997794E9AGCIEG13101004B'

key ee.key
newca auth-ca "$MOCK_AUTH"
newca sign-ca "$MOCK_SIGN"
newca test-sign-ca "$TEST_SIGN"
# same name as the auth CA, different key: an impostor
newca evil-ca "$MOCK_AUTH"
# claims the production name but is not a bundled J-LIS root
newca fakeprod-ca '/C=JP/O=JPKI/OU=JPKI for user authentication/OU=not J-LIS'
newca other-ca '/C=JP/O=Someone Else/OU=Not a JPKI CA'
newca notca-ca '/C=JP/O=JPKI-MOCK/OU=JPKI-MOCK for user authentication/OU=no basicConstraints' v3_notca

issue auth-ca auth 01 "$AUTH_SUBJ" auth
issue evil-ca auth-evil-noaki 02 "$AUTH_SUBJ" auth_noaki
issue auth-ca auth-isca 1005 "$AUTH_SUBJ" auth_isca
issue fakeprod-ca auth-fakeprod 01 "$AUTH_SUBJ" auth
issue auth-ca auth-badku 1001 "$AUTH_SUBJ" auth_badku
issue auth-ca auth-badpol 1002 "$AUTH_SUBJ" auth_badpol
issue auth-ca auth-nopol 1003 "$AUTH_SUBJ" auth_nopol
issue evil-ca auth-evil 01 "$AUTH_SUBJ" auth
issue other-ca auth-other 01 "$AUTH_SUBJ" auth
issue notca-ca auth-notca 01 "$AUTH_SUBJ" auth
# a sign-policy certificate under the auth CA: contradicts its issuer
issue auth-ca auth-signpol 1004 "$AUTH_SUBJ" sign
issue test-sign-ca sign-test 2001 "$SIGN_SUBJ" sign_testpol
issue test-sign-ca sign-test-prodpol 2002 "$SIGN_SUBJ" sign

# Serials (発行番号): leading zero byte, 1, 8 and 20 bytes.
issue sign-ca sign 0080 "$SIGN_SUBJ" sign
issue sign-ca serial1 0A "$SIGN_SUBJ" sign
issue sign-ca serial8 0102030405060708 "$SIGN_SUBJ" sign
issue sign-ca serial20 7F0102030405060708090A0B0C0D0E0F10111213 "$SIGN_SUBJ" sign
issue sign-ca serial20z 00FF0102030405060708090A0B0C0D0E0F101112 "$SIGN_SUBJ" sign

n=3000
for s in miss1 miss2 miss3 miss4 miss5 miss6 bad_utf8 bad_surrogate \
    bad_type bad_oid bad_era bad_date bad_birthfmt bad_sex bad_flags \
    bad_aflags bad_dup bad_addr era_showa era_heisei era_reiwa era_unknown \
    era_leap_bad foreign_oid bad_oid_long; do
	n=$((n + 1))
	issue sign-ca "$s" "$n" "$SIGN_SUBJ" "$s"
done
echo "gen-certs: done in $OUT"
