#!/bin/bash
# TLS client authentication with GnuTLS gnutls-cli (3.7, Debian 12 gnutls-bin) and the
# token's keys (issue 4): key and certificate given as pkcs11: URIs, the module loaded
# with --provider (p11-kit ignores per-user module configs when run as root, so no
# scratch p11-kit config), the PIN as pin-value in the key's URI.
# Against openssl s_server -Verify 1, TLS 1.2 and TLS 1.3, EC P-256 and RSA-2048 keys
# generated in the token; RSA over TLS 1.2 also with PKCS#1 v1.5 forced by the server
# (-client_sigalgs). Setup and checks: tls_lib.sh.
#
# Environment: IOTOKEN_MODULE (set by ctest), see lib.sh and tls_lib.sh for the rest.
set -euo pipefail

# shellcheck source=tests/integration/tls_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/tls_lib.sh"

command -v gnutls-cli >/dev/null || { echo "FAIL: gnutls-cli (Debian package gnutls-bin) not found"; exit 1; }

tls_begin tls_gnutls gnutls-cli
tls_setup

# tls_client_cmd <via> <key> <port>: see tls_lib.sh.
tls_client_cmd()
{
	local port=$3 uri="pkcs11:token=$TLS_TOKEN;object=client-$2"
	TLS_CMD=("${TLS_ENV[@]}" gnutls-cli --provider "$TLS_MOD" --x509cafile "$TLS_DIR/ca.pem"
		--x509certfile "$uri;type=cert" --x509keyfile "$uri;type=private;pin-value=$TLS_PIN"
		-p "$port" 127.0.0.1)
}

tls_case ec 1.2 ECDSA
tls_case ec 1.3 ECDSA
tls_case rsa 1.2 'RSA-PSS|RSA'
tls_case rsa 1.2 RSA -client_sigalgs RSA+SHA256:ECDSA+SHA256
tls_case rsa 1.3 RSA-PSS

it_end
