#!/bin/bash
# The TLS helper (tls/, include/iotoken/tls.h) through its example program
# iotoken-connect, against openssl s_server -Verify 1 -rev on 127.0.0.1 (issue 6):
# EC P-256 and RSA-2048 client keys generated in the token, TLS 1.2; the server's log
# proves it verified the client certificate, the pkcs11-spy trace shows the token
# signed (CKM_ECDSA / CKM_RSA_PKCS over a DigestInfo), and the reversed line that
# comes back proves the round trip. Then the failures a user meets, each with its
# error name and reason and no leak (the example is instrumented in the sanitizer
# build and runs with leak detection): wrong PIN, missing key, a certificate that is
# not the key's, a server certificate from another CA, a wrong server name, a server
# that is not there, and a server that never answers (timeout).
# Setup and positive checks: tls_lib.sh.
#
# Environment: IOTOKEN_MODULE, IOTOKEN_CONNECT (set by ctest), see lib.sh/tls_lib.sh.
set -euo pipefail

# shellcheck source=tests/integration/tls_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/tls_lib.sh"

tls_begin tls_helper "iotoken-connect (TLS helper, mbedTLS)"
[ -x "${IOTOKEN_CONNECT:-}" ] || fail "IOTOKEN_CONNECT (the built iotoken-connect) is not set"
tls_setup
D=$TLS_DIR
LINE="hello from iotoken over TLS"
REVERSED=$(rev <<<"$LINE")

# The example is built with the module's flags (instrumented in a sanitizer build): it
# runs without lib.sh's preload for uninstrumented clients, and with leak detection.
connect_cmd()
{
	TLS_CMD=("${TLS_ENV[@]}" env -u LD_PRELOAD
		"ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=${LEAKS:-1}"
		"$IOTOKEN_CONNECT" --module "$TLS_MOD" "$@")
}

# tls_client_cmd <via> <key> <port>: see tls_lib.sh.
tls_client_cmd()
{
	local via=$1 key=$2 port=$3
	# pkcs11-spy (not ours) may keep allocations to the end: no leak check through it.
	LEAKS=1
	[ "$via" = spy ] && LEAKS=0
	connect_cmd --token "$TLS_TOKEN" --pin "$TLS_PIN" --key "client-$key" --ca "$D/ca.pem" \
		--servername localhost --timeout 10000 --send "$LINE" "127.0.0.1:$port"
}

check_roundtrip()
{
	it_has "^connected to 127\\.0\\.0\\.1:[0-9]+: TLSv1\\.2, TLS-ECDHE-" ||
		tls_fail "$1: no 'connected' line naming TLSv1.2 and an ECDHE suite"
	it_has "^received: $REVERSED\$" ||
		tls_fail "$1: the server's reversed line did not come back"
}

tls_case ec 1.2 ECDSA
check_roundtrip "EC key"
pass "EC key: the line went to s_server and came back reversed"
tls_case rsa 1.2 RSA
check_roundtrip "RSA key"
pass "RSA key: the line went to s_server and came back reversed"

# The key named by pkcs11: URI (id and type), the certificate by label.
TLS_MOD=$IOTOKEN_MODULE TLS_ENV=() LEAKS=1
tls_server_start 1.2
connect_cmd --pin "$TLS_PIN" --key "pkcs11:token=$TLS_TOKEN;id=%01;type=private" \
	--cert client-ec --ca "$D/ca.pem" --servername localhost --send "$LINE" "127.0.0.1:$TLS_PORT"
client "${TLS_CMD[@]}" || tls_fail "key by pkcs11: URI: iotoken-connect exited non-zero"
_tls_server_wait
_tls_check_server ec 1.2 ECDSA
check_roundtrip "key by URI"
pass "key by pkcs11: URI (token, id, type), certificate by label: connected, verified, round trip"

# The CA certificates as a buffer (PEM, then DER), as firmware with a built-in CA passes them.
openssl x509 -in "$D/ca.pem" -outform DER -out "$D/ca.der"
for form in pem der; do
	tls_server_start 1.2
	connect_cmd --token "$TLS_TOKEN" --pin "$TLS_PIN" --key client-ec --ca-mem "$D/ca.$form" \
		--servername localhost --send "$LINE" "127.0.0.1:$TLS_PORT"
	client "${TLS_CMD[@]}" || tls_fail "CA buffer ($form): iotoken-connect exited non-zero"
	_tls_server_wait
	_tls_check_server ec 1.2 ECDSA
	check_roundtrip "CA buffer ($form)"
done
pass "CA certificates passed as a buffer (PEM and DER): server verified, client verified, round trip"

# --- failures ------------------------------------------------------------------------
# expect_fail <what> <error name> <reason ERE> <iotoken-connect args..>: the example
# exits 1 and prints "iotoken-connect: <error name>: <reason>" (one line), nothing
# from the sanitizers (leaks included).
expect_fail()
{
	local what=$1 name=$2 reason=$3 rc=0
	shift 3
	connect_cmd "$@"
	client "${TLS_CMD[@]}" || rc=$?
	[ "$rc" -eq 1 ] || tls_fail "$what: exit status $rc, expected 1"
	it_has "^iotoken-connect: $name: ($reason)" ||
		tls_fail "$what: no '$name: $reason' error line"
	pass "$what: $name ($(sed -n "s/^iotoken-connect: $name: //p" "$IT_OUT" | head -1))"
}

# Failures found before connecting need no server; the port is a closed one.
closed_port()
{
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
CLOSED=$(closed_port)
expect_fail "wrong PIN" IOT_TLS_ERR_PIN "C_Login: CKR_PIN_INCORRECT" \
	--token "$TLS_TOKEN" --pin 9999 --key client-ec --ca "$D/ca.pem" "127.0.0.1:$CLOSED"
expect_fail "missing key" IOT_TLS_ERR_KEY 'no private key "no-such-key"' \
	--token "$TLS_TOKEN" --pin "$TLS_PIN" --key no-such-key --ca "$D/ca.pem" "127.0.0.1:$CLOSED"
expect_fail "missing certificate" IOT_TLS_ERR_CERT "no X.509 certificate" \
	--token "$TLS_TOKEN" --pin "$TLS_PIN" --key client-ec --cert no-such-cert --ca "$D/ca.pem" \
	"127.0.0.1:$CLOSED"
expect_fail "EC key with the RSA key's certificate" IOT_TLS_ERR_KEY_MISMATCH \
	"the certificate's key is RSA, the private key is EC" \
	--token "$TLS_TOKEN" --pin "$TLS_PIN" --key client-ec --cert client-rsa --ca "$D/ca.pem" \
	"127.0.0.1:$CLOSED"

# A certificate for another EC key, stored in the token under the EC key's label's
# neighbour: same type, different key.
_tls_ossl openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$D/other.key" -out "$D/other.pem" -subj /CN=other -days 2 ||
	fail "setup: openssl could not make the other certificate"
openssl x509 -in "$D/other.pem" -outform DER -out "$D/other.der"
p11 --token-label "$TLS_TOKEN" --login --pin "$TLS_PIN" --write-object "$D/other.der" \
	--type cert --id 0f --label other-cert || fail "setup: could not store the other certificate"
expect_fail "EC key with another EC key's certificate" IOT_TLS_ERR_KEY_MISMATCH \
	"the certificate's public key is not the private key's" \
	--token "$TLS_TOKEN" --pin "$TLS_PIN" --key client-ec --cert other-cert --ca "$D/ca.pem" \
	"127.0.0.1:$CLOSED"
printf 'not a certificate\n' >"$D/junk.pem"
expect_fail "CA buffer that is not a certificate" IOT_TLS_ERR_CA "CA certificates \\(buffer\\)" \
	--token "$TLS_TOKEN" --pin "$TLS_PIN" --key client-ec --ca-mem "$D/junk.pem" "127.0.0.1:$CLOSED"
expect_fail "no CA certificates file" IOT_TLS_ERR_CA "CA certificates in" \
	--token "$TLS_TOKEN" --pin "$TLS_PIN" --key client-ec --ca "$D/no-such-ca.pem" "127.0.0.1:$CLOSED"
expect_fail "nothing listening" IOT_TLS_ERR_CONNECT "connecting to 127.0.0.1 port $CLOSED: Connection refused" \
	--token "$TLS_TOKEN" --pin "$TLS_PIN" --key client-ec --ca "$D/ca.pem" "127.0.0.1:$CLOSED"

# A server whose certificate comes from another CA: the client refuses it.
_tls_ossl openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$D/ca2.key" -out "$D/ca2.pem" -subj "/CN=another CA" -days 2 ||
	fail "setup: openssl could not make the second CA"
tls_server_start 1.2
expect_fail "server certificate from another CA" IOT_TLS_ERR_VERIFY \
	"the server's certificate did not verify: .*not correctly signed by the trusted CA" \
	--token "$TLS_TOKEN" --pin "$TLS_PIN" --key client-ec --ca "$D/ca2.pem" --servername localhost \
	"127.0.0.1:$TLS_PORT"
_tls_stop_server

tls_server_start 1.2
expect_fail "wrong server name" IOT_TLS_ERR_VERIFY \
	"the server's certificate did not verify: .*CN\\)? does not match|expected CN" \
	--token "$TLS_TOKEN" --pin "$TLS_PIN" --key client-ec --ca "$D/ca.pem" \
	--servername not-the-server.example "127.0.0.1:$TLS_PORT"
_tls_stop_server

# Without a client key the server (-Verify 1) ends the handshake.
tls_server_start 1.2
expect_fail "no client certificate" IOT_TLS_ERR_HANDSHAKE \
	"the server (ended the handshake with an alert|closed the connection during the handshake).*; it may require a client certificate" \
	--ca "$D/ca.pem" --servername localhost "127.0.0.1:$TLS_PORT"
_tls_server_wait
grep -qi 'peer did not return a certificate' "$TLS_SLOG" ||
	tls_fail "no client certificate: s_server did not say it got none"

# A server that accepts the connection and never speaks: the handshake times out.
python3 - "$D/silent.port" <<'PY' &
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(1)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
c, _ = s.accept()
time.sleep(8)
PY
SILENT_PID=$!
for _ in $(seq 50); do [ -s "$D/silent.port" ] && break; sleep 0.1; done
expect_fail "silent server" IOT_TLS_ERR_TIMEOUT "the handshake timed out after 1500 ms" \
	--token "$TLS_TOKEN" --pin "$TLS_PIN" --key client-ec --ca "$D/ca.pem" --servername localhost \
	--timeout 1500 "127.0.0.1:$(cat "$D/silent.port")"
kill "$SILENT_PID" 2>/dev/null || true
wait "$SILENT_PID" 2>/dev/null || true

it_end
