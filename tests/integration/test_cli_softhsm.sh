#!/bin/bash
# The iotoken command-line tool against another module, SoftHSMv2 (Debian softhsm2), to
# show that it depends only on the PKCS#11 API: slots, info, keygen, csr (verified by
# openssl req -verify), selfsign, list (with URIs), sign (verified by openssl), export and
# delete. SoftHSMv2 keeps its tokens in a scratch directory (SOFTHSM2_CONF).
#
# SoftHSMv2 2.6 has CKM_ECDSA but no CKM_ECDSA_SHA256/384/512: the tool and the
# provisioning library then hash in software and sign with CKM_ECDSA, so keygen, csr and
# selfsign work with EC keys there too.
#
# Environment: IOTOKEN_MODULE and IOTOKEN_CLI (ctest), SOFTHSM_MODULE (default: Debian's
# /usr/lib/softhsm/libsofthsm2.so); see lib.sh for the rest.
set -euo pipefail

# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SOFTHSM_MODULE=${SOFTHSM_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
for tool in openssl softhsm2-util pkcs11-tool python3; do
	command -v "$tool" >/dev/null || { echo "FAIL: $tool not found"; exit 1; }
done
[ -f "$SOFTHSM_MODULE" ] || { echo "FAIL: $SOFTHSM_MODULE (Debian softhsm2) not found"; exit 1; }

it_begin cli_softhsm
: "${IOTOKEN_CLI:?IOTOKEN_CLI must name the iotoken tool}"
S=$IT_SCRATCH
mkdir -p "$S/tokens"
printf '%s\n' "directories.tokendir = $S/tokens" 'objectstore.backend = file' \
	'log.level = ERROR' >"$S/softhsm2.conf"
export SOFTHSM2_CONF=$S/softhsm2.conf
unset IOTOKEN_SO_PIN IOTOKEN_NEW_PIN
export IOTOKEN_PIN=1234
TOKEN=shsm

# The tool is built with iotoken's flags (instrumented in a sanitizer build): it runs
# without the preload that uninstrumented clients need.
cli()
{
	IOTOKEN_PRELOAD='' client "$IOTOKEN_CLI" --module "$SOFTHSM_MODULE" "$@"
}

ossl()
{
	echo "\$ openssl $*"
	timeout "$IT_TIMEOUT" openssl "$@" </dev/null >"$S/ossl.log" 2>&1 || {
		cat "$S/ossl.log"
		return 1
	}
	cat "$S/ossl.log"
}

client softhsm2-util --init-token --free --label "$TOKEN" --so-pin 12345678 --pin 1234 ||
	fail "softhsm2-util --init-token"
cli slots || fail "slots"
it_has "token: '$TOKEN'" || fail "slots: SoftHSM token not listed"
cli info --token "$TOKEN" --json || fail "info --json"
grep -q '"manufacturer":"SoftHSM' "$IT_OUT" || fail "info: not SoftHSM's token"
pass "slots and info on SoftHSMv2"

if cli list --pin 9999; then
	fail "list with a wrong PIN succeeded"
fi
it_has 'CKR_PIN_INCORRECT' || fail "wrong PIN: no CKR_PIN_INCORRECT"
pass "wrong PIN: CKR_PIN_INCORRECT"

cli keygen --type rsa-2048 --label rsa-key --subject "/CN=rsa-key/O=SoftHSM" \
	-o "$S/rsa-keygen.csr" || fail "keygen rsa-2048"
ossl req -in "$S/rsa-keygen.csr" -verify -noout || fail "keygen's CSR does not verify"
pass "keygen rsa-2048 in SoftHSMv2 (its CSR verifies)"

cli keygen --type ec-p256 --label ec-key --subject "/CN=ec-key/O=SoftHSM" \
	-o "$S/ec-keygen.csr" || fail "keygen ec-p256"
ossl req -in "$S/ec-keygen.csr" -verify -noout || fail "keygen's EC CSR does not verify"
pass "keygen ec-p256 in SoftHSMv2 (its CSR verifies)"

for key in rsa-key ec-key; do
	cli csr --key "$key" --subject "/CN=$key/O=SoftHSM" -o "$S/$key.csr" || fail "csr $key"
	ossl req -in "$S/$key.csr" -verify -noout -subject || fail "csr $key: openssl refuses it"
	grep -q 'verify OK' "$S/ossl.log" || fail "csr $key: openssl req -verify not OK"
	grep -q "CN = $key, O = SoftHSM" "$S/ossl.log" || fail "csr $key: wrong subject"
	pass "csr for the SoftHSMv2 $key, signed through C_Sign, verifies with openssl req -verify"
done

cli selfsign --key ec-key --subject "/CN=ec-self" --days 2 -o "$S/ec-self.pem" ||
	fail "selfsign"
ossl verify -CAfile "$S/ec-self.pem" "$S/ec-self.pem" || fail "selfsign: does not verify"
pass "selfsign on SoftHSMv2"

cli list || fail "list"
for key in rsa-key ec-key; do
	it_has "^private key +'$key' .*\[.*sign" || fail "list: no private key $key"
	it_has "^  pkcs11:token=$TOKEN;object=$key;id=%[0-9A-F%]+;type=private$" ||
		fail "list: no URI for $key"
done
it_has "^public key +'ec-key' .* EC P-256" || fail "list: EC public key without curve"
it_has "^public key +'rsa-key' .* RSA 2048 bits" || fail "list: RSA public key without size"
cli list --json || fail "list --json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len([o for o in d if o["class"]=="private"])==2' \
	"$IT_OUT" || fail "list --json: two private keys expected"
pass "list and list --json on SoftHSMv2 (classes, key sizes, flags, URIs)"

cli list || fail "list"
uri=$(sed -nE "s/^  (pkcs11:token=$TOKEN;object=ec-key;.*type=private)$/\1/p" "$IT_OUT")
[ -n "$uri" ] || fail "no URI for ec-key"
printf 'data\n' >"$S/msg"
openssl dgst -sha256 -binary -out "$S/msg.sha256" "$S/msg"
cli sign --key "$uri" -m ECDSA -i "$S/msg.sha256" -o "$S/sig" \
	--format der || fail "sign ECDSA by URI"
cli export --label ec-key --type pubkey -o "$S/ec.pub" || fail "export pubkey"
ossl dgst -sha256 -verify "$S/ec.pub" -signature "$S/sig" "$S/msg" || fail "signature"
pass "sign (CKM_ECDSA by URI) and export on SoftHSMv2, verified by openssl"

cli delete --label ec-key --yes || fail "delete"
it_has 'Destroyed 2 objects' || fail "delete: not the key pair"
pass "delete on SoftHSMv2"

it_end
