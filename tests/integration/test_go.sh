#!/bin/bash
# Go (Debian golang-github-thalesignite-crypto11-dev): tests/integration/go/crypto11check, a
# small program built here in GOPATH mode, offline (Debian's sources in /usr/share/gocode,
# GOPROXY=off, scratch GOCACHE), loads the module through crypto11 and:
# - Configure with a wrong PIN fails with CKR_PIN_INCORRECT; with the right one succeeds;
# - FindKeyPair of ids not yet used finds nothing;
# - GenerateECDSAKeyPairWithLabel (P-256): crypto.Signer signs SHA-256 digests that
#   ecdsa.VerifyASN1 (Go's standard library) verifies, and refuses for another digest;
# - FindKeyPair by id and by label returns the same public key and a working signer;
# - GenerateRSAKeyPairWithLabel (2048): PKCS#1 v1.5 and PSS (salt 32) signatures verified by
#   rsa.VerifyPKCS1v15 / rsa.VerifyPSS, and refused for another digest;
# - a second context while the first is logged in (crypto11 tolerates only
#   CKR_USER_ALREADY_LOGGED_IN for that login, INTEROP.md) finds and uses the key;
# - after every context is closed, a new one finds the key again and signs with it.
# The program prints "PASS <tag>" per step; this script requires every tag.
# The token is made by pkcs11-tool (crypto11 cannot initialize tokens).
#
# Environment: IOTOKEN_MODULE (set by ctest), IOTOKEN_GOPATH (default /usr/share/gocode),
# GO_BUILD_TIMEOUT (seconds for `go build`, default 240), see lib.sh for the rest.
set -euo pipefail

# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
GOSRC=${IOTOKEN_GOPATH:-/usr/share/gocode}
command -v go >/dev/null || { echo "FAIL: go not found (Debian package golang-go)"; exit 1; }
command -v pkcs11-tool >/dev/null || { echo "FAIL: pkcs11-tool (Debian package opensc) not found"; exit 1; }
[ -d "$GOSRC/src/github.com/ThalesIgnite/crypto11" ] || {
	echo "FAIL: $GOSRC/src/github.com/ThalesIgnite/crypto11 not found" \
		"(Debian package golang-github-thalesignite-crypto11-dev)"
	exit 1
}

it_begin go
# shellcheck disable=SC2119 # no extra config keys
it_write_conf

S=$IT_SCRATCH
export GO_TOKEN=crypto11 GO_PIN=2468
it_init_token "$GO_TOKEN" 13579135 "$GO_PIN"

# Build: GOPATH mode, nothing fetched, nothing from the user's Go configuration.
echo "\$ go build ($(go version))"
rc=0
(
	cd "$HERE/go/crypto11check"
	exec timeout "${GO_BUILD_TIMEOUT:-240}" env GO111MODULE=off GOPATH="$S/gopath:$GOSRC" \
		GOPROXY=off GOFLAGS= GOENV=off GOCACHE="$S/gocache" CGO_ENABLED=1 \
		go build -o "$S/crypto11check" .
) </dev/null >"$S/build.log" 2>&1 || rc=$?
cat "$S/build.log"
[ "$rc" -ne 124 ] || fail "go build timed out after ${GO_BUILD_TIMEOUT:-240}s"
[ "$rc" -eq 0 ] || fail "go build of tests/integration/go/crypto11check failed (output above)"
[ -x "$S/crypto11check" ] || fail "go build wrote no program"
pass "crypto11check builds offline in GOPATH mode"

export IOTOKEN_MODULE
client "$S/crypto11check" || fail "go: crypto11check exited non-zero (output above)"
for tag in wrong-pin configure find-missing generate-ecdsa sign-ecdsa find-ecdsa \
	sign-rsa-pkcs1v15 sign-rsa-pss second-context persistent; do
	it_has "^PASS $tag\$" || fail "go: crypto11check did not report '$tag'"
	pass "go crypto11: $tag"
done

# The keys crypto11 made are in the token with the ids and labels it gave them.
p11 --token-label "$GO_TOKEN" --login --pin "$GO_PIN" --list-objects --type privkey ||
	fail "pkcs11-tool --list-objects exited non-zero"
# "<type> <label> <id>": each private key's block, as pkcs11-tool prints it.
keys=$(awk '/^Private Key Object; / { t = $4 } /^  label: / { l = $2 } /^  ID: / { print t, l, $2 }' "$IT_OUT")
for k in "EC go-ec $(printf go-ec-1 | od -An -v -tx1 | tr -d ' \n')" \
	"RSA go-rsa $(printf go-rsa-1 | od -An -v -tx1 | tr -d ' \n')"; do
	grep -qxF "$k" <<<"$keys" || fail "pkcs11-tool does not list the private key '$k' (type label id)"
done
pass "pkcs11-tool lists the keys that crypto11 generated"

it_end
