#!/bin/bash
# The iotoken command-line tool (tools/cli) against the module: every subcommand, success
# and failure, and the two provisioning workflows of issue 5 end to end:
# - seed: openssl makes a P-256 key and CSR, a local CA signs it, key and certificate are
#   imported (from files, then from a FreeRTOS aws_clientcredential_keys.h), a signature
#   made through the token verifies with openssl and the certificate's public key;
# - on-token: keygen, csr (openssl req -verify), the CA signs, import of the certificate,
#   then TLS client authentication with gnutls-cli (key and certificate as the pkcs11: URIs
#   `iotoken list` prints) against openssl s_server -Verify 1 on 127.0.0.1.
#
# Environment: IOTOKEN_MODULE and IOTOKEN_CLI (set by ctest), see lib.sh for the rest.
set -euo pipefail

# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

for tool in openssl gnutls-cli python3; do
	command -v "$tool" >/dev/null || { echo "FAIL: $tool not found"; exit 1; }
done

it_begin cli
# shellcheck disable=SC2119 # no extra config keys
it_write_conf
: "${IOTOKEN_CLI:?IOTOKEN_CLI must name the iotoken tool}"
[ -x "$IOTOKEN_CLI" ] || fail "$IOTOKEN_CLI is not an executable"

S=$IT_SCRATCH
SPID=
cleanup()
{
	if [ -n "$SPID" ]; then
		kill "$SPID" 2>/dev/null || true
		wait "$SPID" 2>/dev/null || true
	fi
	rm -rf -- "$IT_SCRATCH"
}
trap cleanup EXIT

export IOTOKEN_MODULE
unset IOTOKEN_PIN IOTOKEN_SO_PIN IOTOKEN_NEW_PIN
SO_PIN=12345678
PIN=1234
TOKEN=cli-token

# The tool is built with the module's flags (instrumented in a sanitizer build, with
# leak detection on): it runs without the preload that uninstrumented clients need.
cli()
{
	IOTOKEN_PRELOAD='' client "$IOTOKEN_CLI" "$@"
}

# must_fail <ere> <what> <args..>: the tool exits non-zero and its output matches ere.
must_fail()
{
	local ere=$1 what=$2
	shift 2
	if cli "$@"; then
		fail "$what: exited 0"
	fi
	it_has "$ere" || fail "$what: no '$ere' in the output"
	pass "$what: refused ($ere)"
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

# --- help -------------------------------------------------------------------------
cli --help || fail "--help"
for c in slots info init set-pin change-pin import keygen csr selfsign list export delete \
	sign verify; do
	cli "$c" --help || fail "$c --help"
	it_has "^Usage: iotoken $c" || fail "$c --help: no usage line"
	cli help "$c" || fail "help $c"
done
pass "--help and 'help <cmd>' for every subcommand"
must_fail 'no command' "unknown command" frobnicate
must_fail 'does not apply' "option of another command" slots --label x
must_fail 'cannot load the PKCS#11 module' "missing module" --module "$S/nope.so" slots

# --- token management ---------------------------------------------------------------
cli slots || fail "slots"
it_has 'not initialized' || fail "slots: no uninitialized token in a fresh store"
must_fail 'no SO PIN' "init without an SO PIN" init --label "$TOKEN"
IOTOKEN_SO_PIN=$SO_PIN cli init --label "$TOKEN" || fail "init"
pass "init (SO PIN from IOTOKEN_SO_PIN)"
cli slots --json || fail "slots --json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); t=[s["token"] for s in d if s["token"] and s["token"]["initialized"]]; assert t[0]["label"]==sys.argv[2] and not t[0]["user_pin_initialized"]' \
	"$IT_OUT" "$TOKEN" || fail "slots --json: token not listed as initialized without user PIN"
pass "slots --json"
must_fail 'CKR_PIN_INCORRECT' "set-pin with a wrong SO PIN" set-pin --so-pin 87654321 --new-pin $PIN
cli set-pin --so-pin $SO_PIN --new-pin 0000 || fail "set-pin"
pass "set-pin"
cli change-pin --pin 0000 --new-pin $PIN || fail "change-pin"
pass "change-pin (user)"
IOTOKEN_SO_PIN=$SO_PIN IOTOKEN_NEW_PIN=87654321 cli change-pin --so || fail "change-pin --so"
IOTOKEN_SO_PIN=87654321 IOTOKEN_NEW_PIN=$SO_PIN cli change-pin --so || fail "change-pin --so back"
pass "change-pin --so (there and back)"
must_fail 'CKR_PIN_INCORRECT' "change-pin with a wrong old PIN" change-pin --pin 9999 --new-pin 5555
cli info --token "$TOKEN" || fail "info"
it_has '^User PIN: +initialized' || fail "info: user PIN not shown as initialized"

# Wrong PIN: one clear line naming the error; the token's PIN flags show the failure.
must_fail 'login failed: CKR_PIN_INCORRECT \(wrong user PIN' "wrong user PIN" list --pin 9999
[ "$(grep -c . "$IT_OUT")" -eq 1 ] || fail "wrong PIN: more than one line of output"
cli info --json || fail "info --json"
python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["token"]; assert t["user_pin_initialized"] and t["user_pin_count_low"] and "USER_PIN_COUNT_LOW" in t["flags"]' \
	"$IT_OUT" || fail "info --json: COUNT_LOW not shown after a wrong PIN"
pass "info --json shows USER_PIN_COUNT_LOW after a failed login"
must_fail 'no user PIN' "no PIN anywhere (not a terminal)" keygen --type ec-p256 --label x
export IOTOKEN_PIN=$PIN
cli list || fail "list with IOTOKEN_PIN"
cli info --json || fail "info --json"
python3 -c 'import json,sys; assert not json.load(open(sys.argv[1]))["token"]["user_pin_count_low"]' \
	"$IT_OUT" || fail "info: COUNT_LOW still set after a successful login"

# --- a local CA ------------------------------------------------------------------------
ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$S/ca.key" || fail "CA key"
ossl req -new -x509 -key "$S/ca.key" -subj "/CN=Test CA" -days 2 -out "$S/ca.pem" \
	-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign ||
	fail "CA certificate"
printf '%s\n' 'basicConstraints=CA:FALSE' 'keyUsage=critical,digitalSignature' \
	'extendedKeyUsage=clientAuth' >"$S/client.ext"
ca_sign() # <csr> <out>
{
	ossl x509 -req -in "$1" -CA "$S/ca.pem" -CAkey "$S/ca.key" -CAcreateserial -days 2 \
		-extfile "$S/client.ext" -out "$2" || fail "the CA did not sign $1"
}

list_json() # <file>: the token's objects (with login) as JSON
{
	cli list --json || fail "list --json"
	cp "$IT_OUT" "$1"
}

# --- seed workflow, from files -----------------------------------------------------------
ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$S/seed.key" || fail "seed key"
ossl req -new -key "$S/seed.key" -subj "/CN=seed-device/O=Acme" -out "$S/seed.csr" || fail "CSR"
ca_sign "$S/seed.csr" "$S/seed.pem"
cli import --key "$S/seed.key" --cert "$S/seed.pem" --label seed || fail "import key+cert"
pass "import of an openssl P-256 key and its CA-signed certificate"
list_json "$S/objs.json"
python3 - "$S/objs.json" <<'EOF' || fail "list --json: seed objects wrong"
import json, sys
objs = [o for o in json.load(open(sys.argv[1])) if o["label"] == "seed"]
classes = sorted(o["class"] for o in objs)
assert classes == ["cert", "private", "public"], classes
assert len({o["id"] for o in objs}) == 1 and len(objs[0]["id"]) == 40
priv = [o for o in objs if o["class"] == "private"][0]
assert priv["key_type"] == "EC" and priv["size"] == "P-256"
assert "sensitive" in priv["flags"] and "extractable" not in priv["flags"]
assert priv["uri"].startswith("pkcs11:token=cli-token;object=seed;id=%") and priv["uri"].endswith(";type=private")
EOF
pass "list --json: private key, public key and certificate with one 20-byte CKA_ID and URIs"
printf 'message to sign\n' >"$S/msg"
cli sign --key seed -m ECDSA-SHA256 -i "$S/msg" -o "$S/msg.sig" --format der || fail "sign"
ossl x509 -in "$S/seed.pem" -pubkey -noout -out "$S/seed.pub" || fail "pubkey of the cert"
ossl dgst -sha256 -verify "$S/seed.pub" -signature "$S/msg.sig" "$S/msg" || fail "openssl dgst"
grep -qx 'Verified OK' "$S/ossl.log" || fail "openssl did not verify the token's signature"
pass "seed workflow (files): the token's ECDSA-SHA256 signature verifies with the certificate's key"
cli verify --key seed -m ECDSA-SHA256 -i "$S/msg" --signature "$S/msg.sig" --format der ||
	fail "verify"
printf 'tampered\n' >"$S/msg2"
must_fail 'CKR_SIGNATURE_INVALID' "verify of a tampered message" verify --key seed \
	-m ECDSA-SHA256 -i "$S/msg2" --signature "$S/msg.sig" --format der
cli sign --key seed -m ECDSA-SHA384 -i "$S/msg" -o "$S/msg.raw" || fail "sign raw"
[ "$(stat -c %s "$S/msg.raw")" -eq 64 ] || fail "raw ECDSA P-256 signature is not 64 bytes"
cli verify --key seed -m ECDSA-SHA384 -i "$S/msg" --signature "$S/msg.raw" || fail "verify raw"
pass "sign/verify: raw r||s and DER formats"
cli export --label seed --type cert -o "$S/seed.out.pem" || fail "export cert"
cmp <(openssl x509 -in "$S/seed.pem" -outform der) <(openssl x509 -in "$S/seed.out.pem" -outform der) ||
	fail "exported certificate differs"
cli export --label seed --type pubkey -o "$S/seed.out.pub" || fail "export pubkey"
cmp "$S/seed.pub" "$S/seed.out.pub" || fail "exported public key differs"
pass "export of the certificate and the public key (PEM, identical to openssl's)"

# --- seed workflow, from a FreeRTOS credentials header ----------------------------------------
ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$S/hdr.key" || fail "hdr key"
ossl req -new -key "$S/hdr.key" -subj "/CN=header-device" -out "$S/hdr.csr" || fail "hdr CSR"
ca_sign "$S/hdr.csr" "$S/hdr.pem"
pem_lines() # <macro> <pem file>: the PEM as C string literals, one per line
{
	printf '#define %s \\\n' "$1"
	sed -e 's/.*/    "&\\n" \\/' "$2" | sed '$ s/ \\$//'
	echo
}
{
	echo '#ifndef AWS_CLIENT_CREDENTIAL_KEYS_H'
	echo '#define AWS_CLIENT_CREDENTIAL_KEYS_H'
	pem_lines keyCLIENT_CERTIFICATE_PEM "$S/hdr.pem"
	echo '#define keyJITR_DEVICE_CERTIFICATE_AUTHORITY_PEM  ""'
	pem_lines keyCLIENT_PRIVATE_KEY_PEM "$S/hdr.key"
	echo '#endif'
} >"$S/aws_clientcredential_keys.h"
head -5 "$S/aws_clientcredential_keys.h"
cli import --header "$S/aws_clientcredential_keys.h" --label hdr || fail "import --header"
cli sign --key "pkcs11:token=$TOKEN;object=hdr;type=private" -m ECDSA-SHA256 -i "$S/msg" \
	-o "$S/hdr.sig" --format der || fail "sign by URI"
ossl x509 -in "$S/hdr.pem" -pubkey -noout -out "$S/hdr.pub" || fail "hdr pubkey"
ossl dgst -sha256 -verify "$S/hdr.pub" -signature "$S/hdr.sig" "$S/msg" ||
	fail "header import: signature does not verify"
pass "seed workflow (aws_clientcredential_keys.h): imported, signed by URI, verified by openssl"

# --- import failures: nothing half-imported ------------------------------------------------
list_json "$S/before.json"
ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$S/other.key" || fail "key"
must_fail "CKR_TEMPLATE_INCONSISTENT \(the certificate's public key is not the private key's" \
	"import of a key with somebody else's certificate" import --key "$S/other.key" \
	--cert "$S/seed.pem" --label mismatch
printf -- '-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n' >"$S/bad.pem"
must_fail 'CKR_ARGUMENTS_BAD' "import of a bad PEM key" import --key "$S/bad.pem" --label bad
must_fail 'CKR_ARGUMENTS_BAD' "import of a good key with a bad PEM certificate" import \
	--key "$S/other.key" --cert "$S/bad.pem" --label bad
ossl pkcs8 -topk8 -in "$S/other.key" -out "$S/enc.key" -passout pass:right-pass ||
	fail "encrypted PKCS#8"
export WRONG_PASS=wrong-pass RIGHT_PASS=right-pass
must_fail 'CKR_PIN_INCORRECT \(wrong passphrase' "import with a wrong passphrase" import \
	--key "$S/enc.key" --passphrase-env WRONG_PASS --label enc
must_fail 'CKR_PIN_INCORRECT \(wrong passphrase' "import of an encrypted key without passphrase" \
	import --key "$S/enc.key" --label enc
must_fail 'is not set' "--passphrase-env naming an unset variable" import --key "$S/enc.key" \
	--passphrase-env NO_SUCH_VARIABLE_HERE --label enc
must_fail 'CKR_KEY_HANDLE_INVALID' "import of a certificate without its key" import \
	--cert "$S/ca.pem" --label ca
list_json "$S/after.json"
cmp "$S/before.json" "$S/after.json" || fail "a refused import changed the token's objects"
pass "refused imports left the token exactly as it was (list --json before = after)"
cli import --key "$S/enc.key" --passphrase-env RIGHT_PASS --label enc || fail "encrypted import"
pass "import of an encrypted PKCS#8 key with the right passphrase"
ossl genrsa -traditional -out "$S/rsa.key" 2048 || fail "RSA key"
cli import --key "$S/rsa.key" --label rsa1 || fail "import PKCS#1 RSA key"
cli sign --key rsa1 -m SHA256-RSA-PKCS-PSS -i "$S/msg" -o "$S/rsa.sig" || fail "PSS sign"
ossl pkey -in "$S/rsa.key" -pubout -out "$S/rsa.pub" || fail "RSA pub"
ossl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest \
	-verify "$S/rsa.pub" -signature "$S/rsa.sig" "$S/msg" || fail "PSS verify"
cli sign --key rsa1 -m SHA256-RSA-PKCS -i "$S/msg" -o "$S/rsa1.sig" || fail "PKCS1 sign"
ossl dgst -sha256 -verify "$S/rsa.pub" -signature "$S/rsa1.sig" "$S/msg" || fail "PKCS1 verify"
pass "RSA PKCS#1 key import; SHA256-RSA-PKCS-PSS and SHA256-RSA-PKCS signatures verify"
cli import --key "$S/other.key" --label late || fail "import key alone"
ossl req -new -key "$S/other.key" -subj "/CN=late" -out "$S/late.csr" || fail "late CSR"
ca_sign "$S/late.csr" "$S/late.pem"
cli import --cert "$S/late.pem" --label late || fail "import --cert for a key in the token"
cli export --label late --type cert -o "$S/late.out" || fail "export late cert"
pass "import of a certificate alone, for a key already in the token"

# --- missing objects, URIs ----------------------------------------------------------------
must_fail "no cert object with label 'nope'" "export of a missing object" export --label nope \
	--type cert
must_fail "no private object" "sign with a missing key" sign --key nope -m ECDSA -i "$S/msg" \
	-o "$S/x"
must_fail 'pin-value in a URI is not accepted' "URI with pin-value" sign \
	--key "pkcs11:token=$TOKEN;object=seed?pin-value=1234" -m ECDSA -i "$S/msg" -o "$S/x"
must_fail "no token labelled 'other'" "URI naming another token" export \
	--uri "pkcs11:token=other;object=seed;type=cert"
id=$(python3 -c 'import json,sys; print([o["id"] for o in json.load(open(sys.argv[1])) if o["label"]=="seed"][0])' "$S/objs.json")
cli export --id "$id" --type pubkey -o "$S/byid.pub" || fail "export by --id"
cmp "$S/byid.pub" "$S/seed.pub" || fail "export by --id: wrong key"
cli export --uri "pkcs11:token=$TOKEN;object=s%65ed;type=cert" -o "$S/byuri.pem" ||
	fail "export by percent-encoded URI"
cmp "$S/byuri.pem" "$S/seed.out.pem" || fail "export by URI: wrong certificate"
pass "objects by --id and by a percent-encoded pkcs11: URI"

# --- on-token workflow + TLS client authentication -----------------------------------------
cli keygen --type ec-p256 --label tls-client || fail "keygen"
must_fail 'already has a private key' "keygen of a second key with the same label" keygen \
	--type ec-p256 --label tls-client
must_fail 'unknown key type' "keygen with an unknown type" keygen --type dsa-1024 --label x
cli csr --key tls-client --subject "/CN=tls-client/O=Acme" -o "$S/tls.csr" || fail "csr"
ossl req -in "$S/tls.csr" -verify -noout -subject || fail "openssl req -verify"
grep -q 'verify OK' "$S/ossl.log" || fail "openssl req -verify did not say OK"
grep -q 'CN = tls-client' "$S/ossl.log" || fail "CSR subject"
pass "csr for a key generated in the token verifies with openssl req -verify"
cli csr --key tls-client --subject "CN=rfc4514,O=Acme" --der -o "$S/tls2.csr" || fail "csr --der"
ossl req -inform der -in "$S/tls2.csr" -verify -noout -subject || fail "DER CSR"
grep -q 'subject=O = Acme, CN = rfc4514' "$S/ossl.log" || fail "RFC 4514 subject order"
pass "csr: RFC 4514 subject, DER output"
must_fail 'bad --subject' "csr with a bad subject" csr --key tls-client --subject "/CN"
ca_sign "$S/tls.csr" "$S/tls.pem"
cli import --cert "$S/tls.pem" --label tls-client || fail "import of the CA's certificate"
cli list || fail "list"
KEY_URI=$(sed -nE 's/^  (pkcs11:.*object=tls-client;.*type=private)$/\1/p' "$IT_OUT")
CERT_URI=$(sed -nE 's/^  (pkcs11:.*object=tls-client;.*type=cert)$/\1/p' "$IT_OUT")
[ -n "$KEY_URI" ] && [ -n "$CERT_URI" ] || fail "list: no URIs for tls-client"

ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$S/server.key" || fail "srv key"
ossl req -new -key "$S/server.key" -subj "/CN=localhost" -out "$S/server.csr" || fail "srv CSR"
printf '%s\n' 'subjectAltName=IP:127.0.0.1,DNS:localhost' 'extendedKeyUsage=serverAuth' \
	>"$S/server.ext"
ossl x509 -req -in "$S/server.csr" -CA "$S/ca.pem" -CAkey "$S/ca.key" -CAcreateserial -days 2 \
	-extfile "$S/server.ext" -out "$S/server.pem" || fail "server certificate"
timeout 30 openssl s_server -rev -accept 127.0.0.1:0 -naccept 1 -Verify 1 -verify_return_error \
	-CAfile "$S/ca.pem" -cert "$S/server.pem" -key "$S/server.key" \
	</dev/null >"$S/server.out" 2>"$S/server.err" &
SPID=$!
PORT=
for ((i = 0; i < 100; i++)); do
	PORT=$(sed -nE 's/^ACCEPT .*:([0-9]+)$/\1/p' "$S/server.out")
	[ -n "$PORT" ] && break
	sleep 0.1
done
[ -n "$PORT" ] || fail "openssl s_server did not start"
client gnutls-cli --provider "$IOTOKEN_MODULE" --x509cafile "$S/ca.pem" \
	--x509certfile "$CERT_URI" --x509keyfile "$KEY_URI;pin-value=$PIN" -p "$PORT" 127.0.0.1 ||
	fail "gnutls-cli with the token's key failed"
for ((i = 0; i < 100; i++)); do
	kill -0 "$SPID" 2>/dev/null || break
	sleep 0.1
done
kill "$SPID" 2>/dev/null || true
wait "$SPID" 2>/dev/null || true
SPID=
cat "$S/server.out" "$S/server.err" >"$S/server.log"
cat "$S/server.log"
awk 'prev == "depth=0 CN = tls-client, O = Acme" && $0 == "verify return:1" { ok = 1 }
	{ prev = $0 } END { exit !ok }' "$S/server.log" ||
	fail "s_server did not verify the client certificate"
grep -qx 'Peer certificate: CN = tls-client, O = Acme' "$S/server.log" ||
	fail "s_server saw no client certificate"
grep -qx 'Verification: OK' "$S/server.log" || fail "s_server's verification is not OK"
pass "on-token workflow: keygen, csr, CA, import, TLS client auth (gnutls-cli -> s_server -Verify 1)"

# --- keygen with a CSR, selfsign ---------------------------------------------------------------
cli keygen --type rsa-2048 --label rsa-gen --subject "/CN=rsa-gen" -o "$S/rsa-gen.csr" ||
	fail "keygen rsa-2048 with CSR"
ossl req -in "$S/rsa-gen.csr" -verify -noout || fail "keygen CSR does not verify"
pass "keygen rsa-2048 -o: the CSR verifies"
cli selfsign --key rsa-gen --subject "/CN=self-signed" --days 10 -o "$S/self.pem" --store ||
	fail "selfsign"
ossl verify -CAfile "$S/self.pem" "$S/self.pem" || fail "self-signed certificate does not verify"
ossl x509 -in "$S/self.pem" -noout -text || fail "x509 -text"
grep -q 'Version: 3' "$S/ossl.log" && grep -q 'sha256WithRSAEncryption' "$S/ossl.log" ||
	fail "selfsign: not a v3 sha256WithRSAEncryption certificate"
cli export --label rsa-gen --type cert -o "$S/self.out" || fail "selfsign --store: not stored"
cmp "$S/self.pem" "$S/self.out" || fail "stored self-signed certificate differs"
cli selfsign --key tls-client --subject "/CN=ec-self" --days 1 -o "$S/self-ec.pem" ||
	fail "selfsign EC"
ossl verify -CAfile "$S/self-ec.pem" "$S/self-ec.pem" || fail "EC self-signed does not verify"
pass "selfsign (RSA and EC, v3, verified by openssl; --store puts it beside the key)"

# --- delete ----------------------------------------------------------------------------------
must_fail 'confirm with --yes' "delete without --yes, stdin not a terminal" delete --label late
cli delete --label late --type cert --yes || fail "delete --type cert"
must_fail "no cert object" "the deleted certificate is gone" export --label late --type cert
cli delete --label late --yes || fail "delete key pair"
it_has 'Destroyed 2 objects' || fail "delete: key pair not two objects"
must_fail 'no matching object' "delete of a missing object" delete --label late --yes
pass "delete: confirmation, --type, whole key pair"

# --- PIN prompt on a terminal ------------------------------------------------------------------
# script(1) (util-linux) gives the tool a pseudo-terminal; the PIN is typed at the prompt,
# which must not echo it.
command -v script >/dev/null || fail "script (util-linux) not found"
prompt_run()
{
	local pin=$1
	shift
	(sleep 1; printf '%s\n' "$pin") | env -u IOTOKEN_PIN -u IOTOKEN_SO_PIN \
		timeout 30 script -qec "$(printf '%q ' "$IOTOKEN_CLI" "$@")" /dev/null >"$S/tty.out" 2>&1
}
prompt_run "$PIN" list --token "$TOKEN" || { cat "$S/tty.out"; fail "list with the PIN typed at the prompt"; }
grep -q 'User PIN:' "$S/tty.out" || fail "no PIN prompt on a terminal"
grep -q "pkcs11:token=$TOKEN" "$S/tty.out" || fail "list after the prompt printed no objects"
# An echo would show the typed PIN right after the prompt (or alone on the next line).
if grep -Eq "User PIN: *$PIN|^$PIN\s*$" "$S/tty.out"; then
	cat "$S/tty.out"
	fail "the PIN was echoed"
fi
pass "PIN prompt on a terminal, without echo"
if prompt_run 99999999 list --token "$TOKEN"; then
	fail "a wrong PIN typed at the prompt was accepted"
fi
grep -q 'CKR_PIN_INCORRECT' "$S/tty.out" || fail "wrong PIN at the prompt: no CKR_PIN_INCORRECT"
pass "wrong PIN at the prompt: CKR_PIN_INCORRECT"

it_end
