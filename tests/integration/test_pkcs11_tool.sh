#!/bin/bash
# OpenSC pkcs11-tool (0.23, Debian 12 `opensc`) against the module: token and PIN
# initialization, PIN change, certificate and data objects (public and private),
# read-back, delete, wrong PIN. No mechanisms are used.
#
# Every pkcs11-tool call is a new process that loads the module afresh, so each
# step after the first also checks that the previous step's changes persisted in
# the store.
#
# Environment: IOTOKEN_MODULE (set by ctest), see lib.sh for the rest.
# Dry run against another module (e.g. SoftHSMv2, SOFTHSM2_CONF set by the caller):
# IOTOKEN_TEST_SKIP_BRAND=1 skips the one check that the library names itself iotoken.
set -euo pipefail

# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v pkcs11-tool >/dev/null || { echo "FAIL: pkcs11-tool (Debian package opensc) not found"; exit 1; }
command -v openssl >/dev/null || { echo "FAIL: openssl not found"; exit 1; }

it_begin pkcs11-tool
# shellcheck disable=SC2119 # no extra config keys
it_write_conf

SO_PIN=12345678
PIN1=1234
PIN2=4321
TOKEN=test-token
S=$IT_SCRATCH

# Number of lines of the last output that match an extended regexp.
count()
{
	grep -cE -- "$1" "$IT_OUT" || true
}

has()
{
	grep -qE -- "$1" "$IT_OUT"
}

# --- library info ---------------------------------------------------------------
p11 --show-info || fail "--show-info exited non-zero"
if [ "${IOTOKEN_TEST_SKIP_BRAND:-0}" = 1 ]; then
	echo "# skipped: library manufacturer/description check (IOTOKEN_TEST_SKIP_BRAND=1)"
else
	grep -qiE '^(Manufacturer|Library) .*iotoken' "$IT_OUT" ||
		fail "--show-info: neither manufacturer nor library description mentions iotoken"
	pass "--show-info names the library iotoken"
	# pkcs11-tool 0.23 loads the module through C_GetInterface: it gets the default
	# interface, PKCS#11 3.0, whose C_GetInfo reports 3.0.
	grep -qE '^Cryptoki version 3\.0$' "$IT_OUT" ||
		fail "--show-info: Cryptoki version is not 3.0 through the default interface"
	pass "--show-info reports Cryptoki 3.0 through the default (3.0) interface"
	p11 --list-interfaces || fail "--list-interfaces exited non-zero"
	[ "$(count "^Interface 'PKCS 11'")" -eq 2 ] || fail "--list-interfaces: expected 2 interfaces"
	grep -A1 "^Interface 'PKCS 11'" "$IT_OUT" | grep -E '^ +version: ' | tr -d ' ' |
		paste -sd, - | grep -qx 'version:3.0,version:2.40' ||
		fail "--list-interfaces: expected versions 3.0 then 2.40"
	[ "$(count '^ +flags=0x0$')" -eq 2 ] || fail "--list-interfaces: an interface claims a flag"
	pass "--list-interfaces lists PKCS 11 3.0 and 2.40, neither fork safe"
fi

# --- fresh store: exactly one slot, its token uninitialized ----------------------
p11 --list-slots || fail "--list-slots exited non-zero"
[ "$(count '^Slot [0-9]+ ')" -eq 1 ] || fail "fresh store: expected exactly 1 slot"
[ "$(count 'token state: +uninitialized')" -eq 1 ] ||
	fail "fresh store: the one slot's token is not reported uninitialized"
pass "fresh store has one slot with an uninitialized token"

# --- C_InitToken on that slot; a new empty slot appears ----------------------------
p11 --slot-index 0 --init-token --label "$TOKEN" --so-pin "$SO_PIN" ||
	fail "--init-token exited non-zero"
has 'Token successfully initialized' || fail "--init-token did not report success"
p11 --list-slots || fail "--list-slots after init exited non-zero"
[ "$(count '^Slot [0-9]+ ')" -eq 2 ] || fail "after --init-token: expected 2 slots"
has "token label +: $TOKEN\$" || fail "after --init-token: no slot shows label $TOKEN"
[ "$(count 'token state: +uninitialized')" -eq 1 ] ||
	fail "after --init-token: expected one new slot with an uninitialized token"
pass "--init-token: token labelled $TOKEN, plus a new uninitialized slot"

# From here on, the token is addressed by label: slot ids are the module's choice.
T=(--token-label "$TOKEN")

# --- C_InitPIN as SO -----------------------------------------------------------------
p11 "${T[@]}" --init-pin --login --login-type so --so-pin "$SO_PIN" --pin "$PIN1" ||
	fail "--init-pin exited non-zero"
has 'User PIN successfully initialized' || fail "--init-pin did not report success"
p11 "${T[@]}" --login --pin "$PIN1" --list-objects || fail "login with the new user PIN failed"
pass "--init-pin: the SO set the user PIN and it logs in"

# --- C_SetPIN: old PIN refused, new PIN accepted --------------------------------------
p11 "${T[@]}" --change-pin --pin "$PIN1" --new-pin "$PIN2" || fail "--change-pin exited non-zero"
has 'PIN successfully changed' || fail "--change-pin did not report success"
if p11 "${T[@]}" --login --pin "$PIN1" --list-objects; then
	fail "login with the old PIN succeeded after --change-pin"
fi
has 'CKR_PIN_INCORRECT' || fail "login with the old PIN did not fail with CKR_PIN_INCORRECT"
p11 "${T[@]}" --login --pin "$PIN2" --list-objects || fail "login with the changed PIN failed"
pass "--change-pin: old PIN refused with CKR_PIN_INCORRECT, new PIN accepted"

# --- write objects -------------------------------------------------------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$S/key.pem" \
	-subj /CN=test -days 1 -outform DER -out "$S/cert.der" 2>"$S/openssl.log" ||
	{ cat "$S/openssl.log"; fail "openssl could not make the test certificate"; }
printf 'public data\000with a NUL byte\n' >"$S/data.bin"
printf 'private data, login required\n' >"$S/priv.bin"

p11 "${T[@]}" --write-object "$S/cert.der" --type cert --id 01 --label mycert \
	--login --pin "$PIN2" || fail "--write-object cert exited non-zero"
# Public token object in a R/W public session (no login): allowed by the spec.
p11 "${T[@]}" --write-object "$S/data.bin" --type data --label mydata --application-label app ||
	fail "--write-object public data exited non-zero"
p11 "${T[@]}" --write-object "$S/priv.bin" --type data --label myprivdata --application-label app \
	--private --login --pin "$PIN2" || fail "--write-object private data exited non-zero"
pass "--write-object: certificate, public data object, private data object"

# --- list: private objects only after login -------------------------------------------
p11 "${T[@]}" --login --pin "$PIN2" --list-objects || fail "--list-objects (logged in) exited non-zero"
has 'label: +mycert$' || fail "logged-in --list-objects does not show mycert"
has "label: +'mydata'" || fail "logged-in --list-objects does not show mydata"
has "label: +'myprivdata'" || fail "logged-in --list-objects does not show myprivdata"
has 'ID: +01$' || fail "logged-in --list-objects does not show the certificate's ID 01"
pass "--list-objects after login shows mycert, mydata and myprivdata"

p11 "${T[@]}" --list-objects || fail "--list-objects (public) exited non-zero"
has 'label: +mycert$' || fail "public --list-objects does not show mycert"
has "label: +'mydata'" || fail "public --list-objects does not show mydata"
if has 'myprivdata'; then
	fail "public --list-objects shows the private data object"
fi
pass "--list-objects without login hides the private data object"

# --- read back, byte for byte -----------------------------------------------------------
p11 "${T[@]}" --read-object --type cert --label mycert -o "$S/out-label.der" ||
	fail "--read-object cert by label exited non-zero"
cmp "$S/cert.der" "$S/out-label.der" || fail "certificate read by label differs from the one written"
p11 "${T[@]}" --read-object --type cert --id 01 -o "$S/out-id.der" ||
	fail "--read-object cert by id exited non-zero"
cmp "$S/cert.der" "$S/out-id.der" || fail "certificate read by id differs from the one written"
pass "--read-object: certificate by label and by id equals the written DER"

p11 "${T[@]}" --read-object --type data --label mydata -o "$S/out-data.bin" ||
	fail "--read-object data exited non-zero"
cmp "$S/data.bin" "$S/out-data.bin" || fail "data object read back differs from the one written"
pass "--read-object: public data object equals the written bytes"

if p11 "${T[@]}" --read-object --type data --label myprivdata -o "$S/out-priv-nologin.bin"; then
	fail "--read-object without login returned the private data object"
fi
p11 "${T[@]}" --read-object --type data --label myprivdata --login --pin "$PIN2" \
	-o "$S/out-priv.bin" || fail "--read-object private data (logged in) exited non-zero"
cmp "$S/priv.bin" "$S/out-priv.bin" || fail "private data object read back differs"
pass "--read-object: private data object only after login, equal to the written bytes"

# --- delete ---------------------------------------------------------------------------
p11 "${T[@]}" --delete-object --type data --label mydata --login --pin "$PIN2" ||
	fail "--delete-object exited non-zero"
p11 "${T[@]}" --login --pin "$PIN2" --list-objects || fail "--list-objects after delete exited non-zero"
if has "'mydata'"; then
	fail "mydata still listed after --delete-object"
fi
has 'label: +mycert$' || fail "mycert disappeared after deleting mydata"
has "label: +'myprivdata'" || fail "myprivdata disappeared after deleting mydata"
pass "--delete-object removed mydata and nothing else"

# --- wrong PIN ------------------------------------------------------------------------
if p11 "${T[@]}" --login --pin 9999 --list-objects; then
	fail "login with a wrong PIN succeeded"
fi
has 'CKR_PIN_INCORRECT' || fail "login with a wrong PIN did not fail with CKR_PIN_INCORRECT"
pass "wrong PIN refused with CKR_PIN_INCORRECT"

it_end
