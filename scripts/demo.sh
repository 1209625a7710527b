#!/bin/bash
# The main job end to end (the README's first command): build the module, then with
# OpenSC pkcs11-tool through the module create a token, set its SO and user PINs,
# store a certificate and a private data object, and list them back. The store
# lives in a scratch directory that is removed afterwards (KEEP=1 keeps it).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/deps.sh

BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)" --target iotoken >/dev/null
MODULE=$(realpath "$BUILD_DIR/libiotoken.so")

scratch=$(mktemp -d)
if [ -z "${KEEP:-}" ]; then
	trap 'rm -rf "$scratch"' EXIT
fi
export IOTOKEN_DIR=$scratch/store

p11() {
	echo "\$ pkcs11-tool $*"
	timeout 120 pkcs11-tool --module "$MODULE" "$@" </dev/null
}

p11 --show-info
p11 --list-slots
p11 --slot-index 0 --init-token --label demo-token --so-pin 87654321
p11 --token-label demo-token --login --login-type so --so-pin 87654321 --init-pin --new-pin 123456
p11 --token-label demo-token --change-pin --pin 123456 --new-pin 654321

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=demo \
	-days 30 -keyout "$scratch/key.pem" -outform DER -out "$scratch/cert.der" 2>/dev/null
printf 'device serial 0042\n' >"$scratch/note.txt"
p11 --token-label demo-token --login --pin 654321 --write-object "$scratch/cert.der" \
	--type cert --id 01 --label device-cert
p11 --token-label demo-token --login --pin 654321 --write-object "$scratch/note.txt" \
	--type data --label device-note --private
p11 --token-label demo-token --list-objects
p11 --token-label demo-token --login --pin 654321 --list-objects
p11 --token-label demo-token --login --pin 654321 --read-object --type data \
	--label device-note -o "$scratch/note.out"
cmp "$scratch/note.txt" "$scratch/note.out"
echo
echo "demo: token created, PINs set, certificate and private data object stored and read back"
echo "demo: store directory $IOTOKEN_DIR (module $MODULE)"
