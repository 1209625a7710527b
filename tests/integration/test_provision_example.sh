#!/usr/bin/env bash
# The provisioning example (examples/provision_device.c) end to end, as a device's first
# boots would run it: generate a key in the token and write a CSR, which `openssl req
# -verify` accepts; a local CA signs it; the next run imports the certificate and the check
# says the device is provisioned; the key signs what the certificate's key verifies.
# IOTOKEN_PROVISION_EXAMPLE names the example program (ctest sets it).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

it_begin provision_example
EXAMPLE=${IOTOKEN_PROVISION_EXAMPLE:?IOTOKEN_PROVISION_EXAMPLE must name iotoken-provision-example}
[ -x "$EXAMPLE" ] || fail "$EXAMPLE is not executable"
# shellcheck disable=SC2119 # no extra config keys
it_write_conf
it_init_token "provision test" 12345678 1234
S=$IT_SCRATCH

# The example is built with the module's flags (instrumented in a sanitizer build), so it
# runs without the preload that uninstrumented clients need.
example()
{
	local rc=0
	echo "\$ iotoken-provision-example $*"
	timeout "$IT_TIMEOUT" "$EXAMPLE" "$IOTOKEN_MODULE" "$@" </dev/null >"$IT_OUT" 2>&1 || rc=$?
	cat "$IT_OUT"
	[ "$rc" -ne 124 ] || fail "example timed out"
	if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$IT_OUT"; then
		fail "sanitizer report from the example"
	fi
	return "$rc"
}

export IOTOKEN_PIN=0000
if example "$S/device.csr"; then
	fail "a wrong PIN was accepted"
fi
it_has 'C_Login.*CKR_PIN_INCORRECT' || fail "the wrong PIN was not named CKR_PIN_INCORRECT"
pass "wrong PIN: refused with CKR_PIN_INCORRECT"

export IOTOKEN_PIN=1234
example "$S/device.csr" || fail "first run failed"
it_has 'generate EC P-256 key pair and CSR +CKR_OK' || fail "no key generated"
[ -s "$S/device.csr" ] || fail "no CSR written"
pass "first run: key generated in the token, CSR written"

client openssl req -inform DER -in "$S/device.csr" -verify -noout -subject ||
	fail "openssl req -verify rejected the CSR"
it_has 'verify OK' || fail "openssl did not say verify OK"
it_has 'CN *= *device-0001' || fail "CSR subject is wrong"
pass "openssl req -verify accepts the CSR"

# Without a certificate, a second run makes a CSR for the same key again.
example "$S/again.csr" || fail "second run without certificate failed"
it_has 'CSR for the key already in the token +CKR_OK' || fail "key not reused"
pass "second run without certificate: CSR for the existing key"

client openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$S/ca.key" -out "$S/ca.pem" -subj "/CN=provision test CA" -days 2 ||
	fail "cannot make the CA"
client openssl req -inform DER -in "$S/device.csr" -out "$S/device-csr.pem" ||
	fail "cannot convert the CSR"
client openssl x509 -req -in "$S/device-csr.pem" -CA "$S/ca.pem" -CAkey "$S/ca.key" \
	-set_serial 7 -days 1 -out "$S/device.pem" || fail "the CA did not sign the CSR"
pass "the CA signed the CSR"

# A certificate for a key the token does not hold is refused.
client openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$S/other.key" -out "$S/other.pem" -subj "/CN=other" -days 1 ||
	fail "cannot make the other certificate"
if example "$S/unused.csr" "$S/other.pem"; then
	fail "a certificate for another key was imported"
fi
it_has 'CKR_KEY_HANDLE_INVALID' || fail "the refusal did not name CKR_KEY_HANDLE_INVALID"
pass "a certificate for another key: refused"

example "$S/unused.csr" "$S/device.pem" || fail "importing the certificate failed"
it_has 'import the certificate +CKR_OK' || fail "certificate not imported"
it_has 'device is provisioned' || fail "not provisioned after import"
pass "certificate imported, device provisioned"

example "$S/unused.csr" || fail "third run failed"
it_has 'check: provisioned as "device" +CKR_OK' || fail "check did not find the identity"
it_has 'device is provisioned' || fail "third run did not report provisioned"
pass "third run: already provisioned"

# The identity works: the token signs, the certificate's key verifies.
printf 'message from the device\n' >"$S/msg"
client openssl x509 -in "$S/device.pem" -pubkey -noout -out "$S/device.pub" ||
	fail "cannot extract the public key"
p11 --login --pin 1234 --sign --mechanism ECDSA-SHA256 --label device \
	--signature-format openssl --input-file "$S/msg" --output-file "$S/msg.sig" ||
	fail "pkcs11-tool --sign failed"
client openssl dgst -sha256 -verify "$S/device.pub" -signature "$S/msg.sig" "$S/msg" ||
	fail "the signature does not verify with the certificate's key"
pass "token signature verifies with the certificate's public key"

it_end
