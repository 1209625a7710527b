#!/bin/bash
# Python (Debian python3-pykcs11): tests/integration/pykcs11_test.py against the module,
# in two processes on one store:
# - setup: PyKCS11 initializes the token and its user PIN, generates EC P-256 and RSA-2048
#   key pairs with labels and ids, and one pair of each without an id;
# - use: wrong PIN (CKR_PIN_INCORRECT), login, second login (CKR_USER_ALREADY_LOGGED_IN),
#   keys found by label and by id, public attributes (CKA_EC_PARAMS/CKA_EC_POINT,
#   CKA_MODULUS/CKA_PUBLIC_EXPONENT, on both halves of each pair), private values refused
#   (CKR_ATTRIBUTE_SENSITIVE), CKM_ECDSA_SHA256, CKM_ECDSA, CKM_SHA256_RSA_PKCS and
#   CKM_SHA256_RSA_PKCS_PSS signatures verified by the module (session.verify) and by
#   python3-cryptography, tampered messages refused by both; the default CKA_ID of pairs
#   generated without one is the SHA-1 of the public point / modulus (INTEROP.md).
# The Python program prints "PASS <tag>" per step; this script requires every tag, so a
# step that silently did not run fails the test.
#
# Debian's /usr/bin/python3 is called explicitly: PATH may start with another python3
# (pyenv) that lacks PyKCS11.
# Environment: IOTOKEN_MODULE (set by ctest), IOTOKEN_PYTHON (default /usr/bin/python3),
# see lib.sh for the rest.
set -euo pipefail

# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=${IOTOKEN_PYTHON:-/usr/bin/python3}
[ -x "$PY" ] || { echo "FAIL: $PY not found (Debian package python3)"; exit 1; }
for m in PyKCS11:python3-pykcs11 cryptography:python3-cryptography; do
	timeout 30 "$PY" -c "import ${m%%:*}" 2>/dev/null ||
		{ echo "FAIL: $PY cannot import ${m%%:*} (Debian package ${m#*:})"; exit 1; }
done

it_begin python
# shellcheck disable=SC2119 # no extra config keys
it_write_conf

export PY_TOKEN=pykcs11 PY_SO_PIN=87654321 PY_PIN=4321
export IOTOKEN_MODULE

# py <phase> <tags..>: runs the phase; it must exit 0 and print every "PASS <tag>".
py()
{
	local phase=$1 tag
	shift
	client "$PY" "$HERE/pykcs11_test.py" "$phase" ||
		fail "python: $PY pykcs11_test.py $phase exited non-zero (output above)"
	for tag in "$@"; do
		it_has "^PASS $tag\$" || fail "python: pykcs11_test.py $phase did not report '$tag'"
		pass "python $phase: $tag"
	done
}

py setup init-token init-pin generate-labelled generate-without-id

# The token that PyKCS11 made is the one pkcs11-tool sees, with the keys in it.
p11 --token-label "$PY_TOKEN" --login --pin "$PY_PIN" --list-objects --type privkey ||
	fail "pkcs11-tool --list-objects on the PyKCS11 token exited non-zero"
for l in py-ec py-rsa py-ec-noid py-rsa-noid; do
	it_has "^  label: +$l\$" || fail "pkcs11-tool does not list the private key $l"
done
pass "pkcs11-tool lists the four private keys PyKCS11 generated"

py use wrong-pin login second-login find-ec ec-public-attributes ec-private-value-sensitive \
	sign-ecdsa-sha256 sign-ecdsa-raw find-rsa rsa-public-attributes rsa-private-value-sensitive \
	sign-sha256-rsa-pkcs sign-sha256-rsa-pss default-id-sha1 logout

it_end
