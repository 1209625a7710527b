#!/bin/bash
# TLS client authentication with OpenSSL 3.0 s_client through the libp11 pkcs11 engine
# (Debian 12 libengine-pkcs11-openssl) and the token's keys (issue 4). The engine finds
# the module through a scratch openssl.cnf (OPENSSL_CONF) whose engine section sets
# MODULE_PATH; the key is a pkcs11: URI with pin-value (-engine pkcs11 -keyform engine),
# the certificate is the one read back from the token (-cert, DER).
# Then: a CSR for each key signed through the token by `openssl req -engine pkcs11`
# (the engine's other common use), verified and checked to carry the token's key.
# Against openssl s_server -Verify 1, TLS 1.2 and TLS 1.3, EC P-256 and RSA-2048 keys
# generated in the token; RSA over TLS 1.2 also with PKCS#1 v1.5 forced by the server
# (-client_sigalgs). Setup and checks: tls_lib.sh.
#
# Environment: IOTOKEN_MODULE (set by ctest), see lib.sh and tls_lib.sh for the rest.
set -euo pipefail

# shellcheck source=tests/integration/tls_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/tls_lib.sh"

tls_begin tls_openssl "openssl s_client (pkcs11 engine)"
[ -f "$(openssl version -e | sed -nE 's/^ENGINESDIR: "(.*)"$/\1/p')/pkcs11.so" ] ||
	fail "the OpenSSL pkcs11 engine (Debian package libengine-pkcs11-openssl) is not installed"
tls_setup
D=$TLS_DIR

# Scratch openssl.cnf for each module path: the engine's MODULE_PATH.
for via in module spy; do
	mod=$IOTOKEN_MODULE
	[ "$via" = spy ] && mod=$TLS_SPY_LIB
	cat >"$D/openssl-$via.cnf" <<CNF
openssl_conf = openssl_init
[openssl_init]
engines = engine_section
[engine_section]
pkcs11 = pkcs11_section
[pkcs11_section]
engine_id = pkcs11
MODULE_PATH = $mod
init = 0
CNF
done

# tls_client_cmd <via> <key> <port>: see tls_lib.sh.
tls_client_cmd()
{
	local via=$1 key=$2 port=$3
	TLS_CMD=("${TLS_ENV[@]}" env "OPENSSL_CONF=$D/openssl-$via.cnf" openssl s_client
		-connect "127.0.0.1:$port" -CAfile "$D/ca.pem" -verify_return_error -verify_ip 127.0.0.1
		-engine pkcs11 -keyform engine
		-key "pkcs11:token=$TLS_TOKEN;object=client-$key;type=private;pin-value=$TLS_PIN"
		-certform DER -cert "$D/client-$key.back.der")
}

tls_case ec 1.2 ECDSA
tls_case ec 1.3 ECDSA
tls_case rsa 1.2 'RSA-PSS|RSA'
tls_case rsa 1.2 RSA -client_sigalgs RSA+SHA256:ECDSA+SHA256
tls_case rsa 1.3 RSA-PSS

# --- openssl req: CSRs signed through the token ----------------------------------------
# req_cmd <via> <key>: sets TLS_CMD (builder for tls_diagnose).
req_cmd()
{
	TLS_CMD=("${TLS_ENV[@]}" env "OPENSSL_CONF=$D/openssl-$1.cnf" openssl req -new -engine pkcs11
		-keyform engine -key "pkcs11:token=$TLS_TOKEN;object=client-$2;type=private;pin-value=$TLS_PIN"
		-subj "/CN=client-$2" -out "$D/ossl-$2.csr")
}
TLS_CLIENT="openssl req (pkcs11 engine)"
for k in ec rsa; do
	TLS_ENV=()
	req_cmd module "$k"
	if ! client "${TLS_CMD[@]}"; then
		tls_diagnose req_cmd spy "$k"
		tls_fail "openssl req -engine pkcs11 ($k key) exited non-zero"
	fi
	TLS_CMD=(openssl req -in "$D/ossl-$k.csr" -verify -noout)
	_tls_ossl "${TLS_CMD[@]}" || tls_fail "the CSR signed through the engine ($k key) does not verify"
	# The CSR carries the token's key: the same as in the certificate issued for it.
	openssl req -in "$D/ossl-$k.csr" -pubkey -noout >"$D/ossl-$k.csr.pub" 2>&1 ||
		tls_fail "no public key in the engine's $k CSR"
	openssl x509 -in "$D/client-$k.pem" -pubkey -noout >"$D/client-$k.pub" 2>&1 ||
		tls_fail "no public key in the $k certificate"
	cmp "$D/ossl-$k.csr.pub" "$D/client-$k.pub" ||
		tls_fail "the engine's $k CSR does not carry the token's $k public key"
done
TLS_CMD=()
pass "openssl req -engine pkcs11: CSRs signed through the token (EC, RSA) verify and carry the token's keys"

it_end
