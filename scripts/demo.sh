#!/bin/bash
# The main job end to end (the README's first command): from nothing to a provisioned
# token and a mutually authenticated TLS connection on 127.0.0.1, each step printed.
#
#   1. build the module and the iotoken tool
#   2. create a token, set its SO and user PINs
#   3. generate an EC P-256 key pair inside the token and a CSR signed through it
#   4. a local CA (openssl) issues the certificate; import it beside its key
#   5. openssl s_server requires a client certificate; gnutls-cli authenticates with the
#      token's key (it never leaves the token); the server's verification is shown
#
# Everything lives in a scratch directory, removed afterwards (KEEP=1 keeps it).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/deps.sh

step() { printf '\n==> %s\n' "$*"; }

step "1. build the module and the iotoken tool"
BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)" --target iotoken iotoken_cli >/dev/null
export IOTOKEN_MODULE
IOTOKEN_MODULE=$(realpath "$BUILD_DIR/libiotoken.so")
CLI=$(realpath "$BUILD_DIR/tools/iotoken")
echo "module: $IOTOKEN_MODULE"
echo "tool:   $CLI"

scratch=$(mktemp -d)
server_pid=
cleanup() {
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
	if [ -z "${KEEP:-}" ]; then rm -rf "$scratch"; else echo "kept $scratch"; fi
}
trap cleanup EXIT
export IOTOKEN_DIR=$scratch/store
# PINs through the environment, never only on the command line.
export IOTOKEN_SO_PIN=87654321 IOTOKEN_NEW_PIN=123456 IOTOKEN_PIN=123456

run() { echo "\$ $*"; "$@"; }

step "2. create a token and set its PINs (store: $IOTOKEN_DIR)"
run "$CLI" slots
run "$CLI" init --label device-0001
run "$CLI" set-pin --token device-0001
run "$CLI" info --token device-0001

step "3. generate an EC P-256 key in the token and a CSR signed through it"
run "$CLI" --module "$IOTOKEN_MODULE" keygen --type ec-p256 --label device-key \
	--subject "/CN=device-0001/O=iotoken demo" -o "$scratch/device.csr"
run openssl req -in "$scratch/device.csr" -verify -noout -subject

step "4. a local CA issues the certificate; import it beside the key"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=demo CA" \
	-days 30 -keyout "$scratch/ca.key" -out "$scratch/ca.pem" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
	-keyout "$scratch/server.key" -out "$scratch/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$scratch/server.ext"
openssl x509 -req -in "$scratch/server.csr" -CA "$scratch/ca.pem" -CAkey "$scratch/ca.key" \
	-CAcreateserial -days 30 -extfile "$scratch/server.ext" -out "$scratch/server.pem" 2>/dev/null
run openssl x509 -req -in "$scratch/device.csr" -CA "$scratch/ca.pem" -CAkey "$scratch/ca.key" \
	-CAcreateserial -days 30 -out "$scratch/device.pem"
run "$CLI" import --cert "$scratch/device.pem" --label device-cert
run "$CLI" list

step "5. mutually authenticated TLS on 127.0.0.1 with the key in the token"
# -rev: the server answers each line reversed and never reads its own stdin; port 0: the
# kernel picks a free port, read back from the ACCEPT line.
timeout 60 openssl s_server -rev -accept 127.0.0.1:0 -naccept 1 -Verify 1 -tls1_3 \
	-CAfile "$scratch/ca.pem" -cert "$scratch/server.pem" -key "$scratch/server.key" \
	</dev/null >"$scratch/server.out" 2>"$scratch/server.log" &
server_pid=$!
port=
for _ in $(seq 100); do
	port=$(sed -nE 's/^ACCEPT .*:([0-9]+)$/\1/p' "$scratch/server.out" 2>/dev/null || true)
	[ -n "$port" ] && break
	sleep 0.1
done
[ -n "$port" ] || { echo "demo: openssl s_server did not start" >&2; exit 1; }
uri="pkcs11:token=device-0001;object=device"
echo "\$ gnutls-cli --provider $IOTOKEN_MODULE --x509certfile \"$uri-cert;type=cert\" --x509keyfile \"$uri-key;type=private\" ..."
echo "hello from the token" | timeout 60 gnutls-cli --provider "$IOTOKEN_MODULE" --x509cafile "$scratch/ca.pem" \
	--x509certfile "$uri-cert;type=cert" \
	--x509keyfile "$uri-key;type=private;pin-value=$IOTOKEN_PIN" \
	-p "$port" 127.0.0.1 --logfile "$scratch/client.log" >"$scratch/client.out" 2>&1 || true
wait "$server_pid" 2>/dev/null || true
server_pid=
grep -E 'Handshake was completed|Description|Version|nekot' "$scratch/client.out" | head -6 || true
echo "--- server (openssl s_server -Verify 1):"
grep -E 'depth=|verify return|Peer certificate|Verification|Protocol version|Peer signature' \
	"$scratch/server.log" | head -10 || true
if grep -q 'verify return:1' "$scratch/server.log" &&
	grep -q 'Peer certificate: CN = device-0001' "$scratch/server.log"; then
	echo
	echo "demo: the server verified the client certificate CN=device-0001; the key stayed in the token"
else
	echo "demo: the TLS client authentication did not succeed" >&2
	cat "$scratch/server.out" "$scratch/server.log" "$scratch/client.out" >&2
	exit 1
fi
