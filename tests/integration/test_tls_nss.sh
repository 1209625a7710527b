#!/bin/bash
# TLS client authentication with NSS tstclnt (3.87, Debian 12 libnss3-tools) and the
# token's keys (issue 4): the module added to a scratch NSS database by modutil, the
# test CA trusted there (certutil -A -t CT,,), the client certificate found in the token
# by certutil -L -h all as "<token label>:<certificate label>" (NSS pairs it with its key
# by CKA_ID), and used by tstclnt -n with the token PIN given by -w.
# Against openssl s_server -Verify 1, TLS 1.2 and TLS 1.3, EC P-256 and RSA-2048 keys
# generated in the token; RSA over TLS 1.2 also with PKCS#1 v1.5 forced by the server
# (-client_sigalgs). Setup and checks: tls_lib.sh. One NSS database loads the module,
# a second one loads it through pkcs11-spy (tls_case's traced run).
#
# Environment: IOTOKEN_MODULE (set by ctest), see lib.sh and tls_lib.sh for the rest.
set -euo pipefail

# shellcheck source=tests/integration/tls_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/tls_lib.sh"

for tool in certutil modutil tstclnt; do
	command -v "$tool" >/dev/null || { echo "FAIL: $tool (Debian package libnss3-tools) not found"; exit 1; }
done

tls_begin tls_nss "NSS tstclnt"
tls_setup
D=$TLS_DIR
printf '%s\n' "$TLS_PIN" >"$D/pin.txt"

# --- scratch NSS databases ------------------------------------------------------------
TLS_CLIENT="NSS modutil/certutil"
for via in module spy; do
	db=sql:$D/nss-$via
	mkdir -p "$D/nss-$via"
	TLS_CMD=(certutil -N -d "$db" --empty-password)
	client "${TLS_CMD[@]}" || tls_fail "certutil -N exited non-zero"
	if [ "$via" = spy ]; then
		TLS_ENV=(env "PKCS11SPY=$IOTOKEN_MODULE" "PKCS11SPY_OUTPUT=$D/spy.nss-setup.log")
		mod=$TLS_SPY_LIB
	else
		TLS_ENV=()
		mod=$IOTOKEN_MODULE
	fi
	TLS_CMD=("${TLS_ENV[@]}" modutil -dbdir "$db" -add iotoken -libfile "$mod" -force)
	client "${TLS_CMD[@]}" || tls_fail "modutil -add exited non-zero"
	it_has 'Module "iotoken" added to database' || tls_fail "modutil did not report the module added"
	TLS_CMD=("${TLS_ENV[@]}" modutil -dbdir "$db" -list iotoken -force)
	client "${TLS_CMD[@]}" || tls_fail "modutil -list iotoken exited non-zero"
	it_has "Token Name: +$TLS_TOKEN *\$" || tls_fail "modutil -list does not show the token $TLS_TOKEN"
	TLS_CMD=(certutil -A -d "$db" -n test-ca -t "CT,," -i "$D/ca.pem")
	client "${TLS_CMD[@]}" || tls_fail "certutil -A (trust the test CA) exited non-zero"
done
pass "modutil adds the module to a scratch NSS database and lists its token $TLS_TOKEN"

# The token's certificates, found with their keys ("u": user certificate, i.e. NSS has
# the private key with the same CKA_ID).
TLS_ENV=()
TLS_CMD=(certutil -L -d "sql:$D/nss-module" -h all -f "$D/pin.txt")
client "${TLS_CMD[@]}" || tls_fail "certutil -L -h all exited non-zero"
for k in ec rsa; do
	it_has "^$TLS_TOKEN:client-$k +u,u,u *\$" ||
		tls_fail "certutil -L -h all does not list $TLS_TOKEN:client-$k as a user certificate (u,u,u)"
done
TLS_CMD=(certutil -L -d "sql:$D/nss-module" -h "$TLS_TOKEN" -f "$D/pin.txt" -n "$TLS_TOKEN:client-ec" -a)
client "${TLS_CMD[@]}" || tls_fail "certutil -L -n $TLS_TOKEN:client-ec -a exited non-zero"
openssl x509 -in "$IT_OUT" -outform DER -out "$D/nss-ec.der" 2>/dev/null ||
	tls_fail "certutil -L -a did not print a PEM certificate"
cmp "$D/nss-ec.der" "$D/client-ec.der" || tls_fail "the certificate NSS read from the token differs"
TLS_CMD=()
pass "certutil -L -h all lists $TLS_TOKEN:client-ec and $TLS_TOKEN:client-rsa as user certificates (paired with their keys)"
TLS_CLIENT="NSS tstclnt"

# tls_client_cmd <via> <key> <port>: see tls_lib.sh.
tls_client_cmd()
{
	local via=$1 key=$2 port=$3
	TLS_CMD=("${TLS_ENV[@]}" tstclnt -h 127.0.0.1 -p "$port" -d "sql:$D/nss-$via"
		-n "$TLS_TOKEN:client-$key" -w "$TLS_PIN" -Q)
}

tls_case ec 1.2 ECDSA
tls_case ec 1.3 ECDSA
tls_case rsa 1.2 'RSA-PSS|RSA'
tls_case rsa 1.2 RSA -client_sigalgs RSA+SHA256:ECDSA+SHA256
tls_case rsa 1.3 RSA-PSS

it_end
