#!/bin/bash
# Signatures between the module and the openssl command line, both ways:
# - key pairs generated in the token (EC P-256, P-384, P-521, RSA-2048), public keys
#   exported through the module (RSA: pkcs11-tool --read-object --type pubkey, DER
#   SubjectPublicKeyInfo; EC: made of the module's CKA_EC_PARAMS and CKA_EC_POINT, see
#   spki_from_attrs), every signature the module makes checked by openssl;
# - key pairs made by openssl, public keys imported into the token (pkcs11-tool
#   --write-object --type pubkey), every signature openssl makes verified by the module.
# Mechanisms: ECDSA (raw, over a hash), ECDSA-SHA1/224/256/384/512, RSA-PKCS (over a
# DigestInfo and over the TLS 1.0 MD5||SHA-1), SHA1/224/256/384/512-RSA-PKCS,
# RSA-PKCS-PSS (over a hash), SHA1/224/256/384/512-RSA-PKCS-PSS.
# Every check also makes sure that a tampered message is refused, so that a verifier
# that accepts everything cannot pass.
#
# openssl does not load the module: it runs plainly (no sanitizer preload); pkcs11-tool
# runs through lib.sh's p11. pkcs11-tool details: see test_pkcs11_tool_mech.sh.
#
# Environment: IOTOKEN_MODULE (set by ctest), see lib.sh for the rest.
# Dry run against another module (e.g. SoftHSMv2, SOFTHSM2_CONF set by the caller):
# IOTOKEN_TEST_SKIP_MECHS="ECDSA-SHA1 ..." skips the mechanisms that it lacks (SoftHSMv2
# 2.6: IOTOKEN_TEST_SKIP_MECHS="ECDSA-SHA1 ECDSA-SHA224 ECDSA-SHA256 ECDSA-SHA384
# ECDSA-SHA512").
set -euo pipefail

# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v pkcs11-tool >/dev/null || { echo "FAIL: pkcs11-tool (Debian package opensc) not found"; exit 1; }
command -v openssl >/dev/null || { echo "FAIL: openssl not found"; exit 1; }
command -v python3 >/dev/null || { echo "FAIL: python3 not found"; exit 1; }

it_begin openssl_interop
# shellcheck disable=SC2119 # no extra config keys
it_write_conf

SO_PIN=12345678
PIN=1234
TOKEN=interop
S=$IT_SCRATCH
SKIP_MECHS=" ${IOTOKEN_TEST_SKIP_MECHS:-} "

it_init_token "$TOKEN" "$SO_PIN" "$PIN"
T=(--token-label "$TOKEN")
L=(--token-label "$TOKEN" --login --pin "$PIN")

skipped()
{
	[[ $SKIP_MECHS == *" $1 "* ]] && echo "# skipped: $1"
}

# openssl, plainly; its output in $S/ossl.log, echoed. Returns its exit status.
ossl()
{
	local rc=0
	echo "\$ $*"
	timeout "$IT_TIMEOUT" "$@" </dev/null >"$S/ossl.log" 2>&1 || rc=$?
	cat "$S/ossl.log"
	[ "$rc" -ne 124 ] || fail "timed out after ${IT_TIMEOUT}s: $*"
	return "$rc"
}

# ossl_verify <what> <openssl verification command..>: must verify.
ossl_verify()
{
	local what=$1
	shift
	ossl "$@" || fail "$what: openssl refused the signature"
	grep -qE '^(Verified OK|Signature Verified Successfully)$' "$S/ossl.log" ||
		fail "$what: openssl did not report a verified signature"
}

# ossl_refuse <what> <openssl verification command..>: must not verify.
ossl_refuse()
{
	local what=$1
	shift
	if ossl "$@"; then
		fail "$what: openssl accepted it"
	fi
	grep -qE '^(Verified OK|Signature Verified Successfully)$' "$S/ossl.log" &&
		fail "$what: openssl reported it verified"
	return 0
}

# mod_verify <what> <id> <mechanism> <input> <signature> [pkcs11-tool options..]
mod_verify()
{
	local what=$1 id=$2 mech=$3 in=$4 sig=$5
	shift 5
	p11 "${T[@]}" --verify --id "$id" -m "$mech" "$@" -i "$in" --signature-file "$sig" ||
		fail "$what: pkcs11-tool --verify exited non-zero"
	it_has '^Signature is valid$' || fail "$what: the module did not verify the signature"
}

# mod_refuse <what> <id> <mechanism> <input> <signature> [pkcs11-tool options..]
# (pkcs11-tool prints "Invalid signature" or, for a raw mechanism, aborts.)
mod_refuse()
{
	local what=$1 id=$2 mech=$3 in=$4 sig=$5
	shift 5
	if p11 "${T[@]}" --verify --id "$id" -m "$mech" "$@" -i "$in" --signature-file "$sig" &&
		it_has 'Signature is valid'; then
		fail "$what: the module accepted it"
	fi
	return 0
}

# mod_sign <what> <id> <mechanism> <input> <signature out> [pkcs11-tool options..]
mod_sign()
{
	local what=$1 id=$2 mech=$3 in=$4 sig=$5
	shift 5
	p11 "${L[@]}" --sign --id "$id" -m "$mech" "$@" -i "$in" -o "$sig" ||
		fail "$what: pkcs11-tool --sign exited non-zero"
	[ -s "$sig" ] || fail "$what: no signature written"
}

# Raw r||s (two equal halves) to a DER ECDSA-Sig-Value.
rs_to_der()
{
	python3 -c '
import sys
b = open(sys.argv[1], "rb").read()
n = len(b) // 2
def ln(k):
    return bytes([k]) if k < 128 else bytes([0x81, k])
def integer(x):
    x = x.lstrip(b"\0") or b"\0"
    if x[0] & 0x80:
        x = b"\0" + x
    return b"\x02" + ln(len(x)) + x
body = integer(b[:n]) + integer(b[n:])
sys.stdout.buffer.write(b"\x30" + ln(len(body)) + body)
' "$1" >"$2" || fail "could not convert $1 to DER"
}

# spki_from_attrs <label> <out.der>: the DER SubjectPublicKeyInfo of the EC public key
# labelled <label>, built from the CKA_EC_PARAMS and CKA_EC_POINT that --list-objects
# prints. EC public keys are not exported with pkcs11-tool 0.23 --read-object --type
# pubkey: it builds the key with EVP_PKEY_fromdata from a curve name it has already
# freed (heap-use-after-free inside pkcs11-tool, reported by ASan with any module,
# SoftHSMv2 too); without ASan the result depends on the freed memory, and P-384
# typically fails with "error: cannot create EVP_PKEY". RSA keys export fine.
spki_from_attrs()
{
	local label=$1 out=$2 block point params
	p11 "${T[@]}" --list-objects --type pubkey || fail "--list-objects --type pubkey exited non-zero"
	block=$(awk -v lbl="$label" '
		function flush() { if (hit) printf "%s", blk }
		/^[^ ]/ { flush(); blk = ""; hit = 0 }
		{ blk = blk $0 "\n" }
		$0 ~ ("^  label: +" lbl "$") { hit = 1 }
		END { flush() }' "$IT_OUT")
	point=$(sed -nE 's/^  EC_POINT: +([0-9a-fA-F]+)$/\1/p' <<<"$block")
	params=$(sed -nE 's/^  EC_PARAMS: +([0-9a-fA-F]+)$/\1/p' <<<"$block")
	if [ -z "$point" ] || [ -z "$params" ]; then
		fail "$label: no EC_POINT/EC_PARAMS in --list-objects"
	fi
	python3 -c '
import sys
point, params = bytes.fromhex(sys.argv[1]), bytes.fromhex(sys.argv[2])
def ln(k):
    if k < 128: return bytes([k])
    if k < 256: return bytes([0x81, k])
    return bytes([0x82, k >> 8, k & 0xff])
def tlv(t, v): return bytes([t]) + ln(len(v)) + v
# CKA_EC_POINT: DER OCTET STRING around the uncompressed point
assert point[0] == 0x04, "EC_POINT is not an OCTET STRING"
hl = 2 if point[1] < 0x80 else 2 + (point[1] & 0x7f)
raw = point[hl:]
assert tlv(4, raw) == point and raw[0] == 4, "EC_POINT: bad DER or not uncompressed"
alg = tlv(0x30, bytes.fromhex("06072a8648ce3d0201") + params)
sys.stdout.buffer.write(tlv(0x30, alg + tlv(3, b"\0" + raw)))
' "$point" "$params" >"$out" || fail "$label: EC_POINT/EC_PARAMS do not make a SubjectPublicKeyInfo"
}

# Messages: one below and one above pkcs11-tool's 1025-byte single-part limit, and a
# tampered copy of each.
printf 'the quick brown fox' >"$S/m1"
head -c 3000 /dev/urandom >"$S/m2"
printf 'the quick brown fog' >"$S/m1.bad"
{
	head -c 2999 "$S/m2"
	printf 'X'
} >"$S/m2.bad"
cmp -s "$S/m2" "$S/m2.bad" && { head -c 2999 "$S/m2"; printf 'Y'; } >"$S/m2.bad"
for m in m1 m2 m1.bad m2.bad; do
	for h in sha1 sha224 sha256 sha384 sha512; do
		openssl dgst "-$h" -binary "$S/$m" >"$S/$m.$h"
	done
done
declare -A DIGESTINFO=(
	[sha1]=3021300906052b0e03021a05000414
	[sha224]=302d300d06096086480165030402040500041c
	[sha256]=3031300d060960864801650304020105000420
	[sha384]=3041300d060960864801650304020205000430
	[sha512]=3051300d060960864801650304020305000440
)
declare -A HLEN=([sha1]=20 [sha224]=28 [sha256]=32 [sha384]=48 [sha512]=64)
# pkcs11-tool's names
declare -A P11H=([sha1]=SHA-1 [sha224]=SHA224 [sha256]=SHA256 [sha384]=SHA384 [sha512]=SHA512)
declare -A MGF=([sha1]=MGF1-SHA1 [sha224]=MGF1-SHA224 [sha256]=MGF1-SHA256 [sha384]=MGF1-SHA384 [sha512]=MGF1-SHA512)
for m in m1 m1.bad; do
	for h in sha1 sha256; do
		{
			it_unhex "${DIGESTINFO[$h]}"
			cat "$S/$m.$h"
		} >"$S/$m.di.$h"
	done
done
# TLS 1.0/1.1: MD5 || SHA-1, no DigestInfo.
for m in m1 m1.bad; do
	{
		openssl dgst -md5 -binary "$S/$m"
		cat "$S/$m.sha1"
	} >"$S/$m.tls10"
done

# =====================================================================================
# 1. Keys generated in the token: the module signs, openssl verifies.
# =====================================================================================
# id label key-type openssl-curve-name
GEN=(
	"01 gen-p256 EC:prime256v1 prime256v1"
	"02 gen-p384 EC:secp384r1 secp384r1"
	"03 gen-p521 EC:secp521r1 secp521r1"
	"04 gen-rsa RSA:2048 -"
)
for k in "${GEN[@]}"; do
	read -r id label type curve <<<"$k"
	p11 "${L[@]}" --keypairgen --key-type "$type" --id "$id" --label "$label" ||
		fail "--keypairgen $type exited non-zero"
	# No login: a public key is a public object.
	if [ "$curve" = - ]; then
		p11 "${T[@]}" --read-object --type pubkey --id "$id" -o "$S/$id.pub.der" ||
			fail "--read-object --type pubkey --id $id exited non-zero"
	else
		spki_from_attrs "$label" "$S/$id.pub.der" # not --read-object: see spki_from_attrs
	fi
	ossl openssl pkey -pubin -inform DER -in "$S/$id.pub.der" -out "$S/$id.pub.pem" ||
		fail "the public key exported for $label is not a DER SubjectPublicKeyInfo"
	ossl openssl pkey -pubin -in "$S/$id.pub.pem" -noout -text || fail "openssl cannot print $label"
	if [ "$curve" = - ]; then
		grep -q 'Public-Key: (2048 bit)' "$S/ossl.log" || fail "$label: exported key is not RSA 2048"
		grep -q 'Exponent: 65537 (0x10001)' "$S/ossl.log" || fail "$label: public exponent is not 65537"
	else
		grep -q "ASN1 OID: $curve" "$S/ossl.log" || fail "$label: exported key is not on $curve"
	fi
done
pass "keypairgen P-256, P-384, P-521, RSA-2048; public keys exported as DER SPKI that openssl reads"

# --- ECDSA -------------------------------------------------------------------------
# id, then the hashes for raw ECDSA: the curve's own, one shorter and one longer
# than the order (truncated) where there is one
for k in "01 sha256 sha1 sha512" "02 sha384 sha1 sha512" "03 sha512 sha1 sha256"; do
	read -r id hraw hshort hother <<<"$k"
	pub=$S/$id.pub.pem
	for h in sha1 sha224 sha256 sha384 sha512; do
		mech=ECDSA-${h^^}
		skipped "$mech" && continue
		# the long message (multi-part) with the curve's own hash only
		msgs=(m1)
		[ "$h" = "$hraw" ] && msgs+=(m2)
		for m in "${msgs[@]}"; do
			what="$mech, key $id, $m"
			mod_sign "$what" "$id" "$mech" "$S/$m" "$S/sig" --signature-format openssl
			ossl_verify "$what" openssl dgst "-$h" -verify "$pub" -signature "$S/sig" "$S/$m"
			ossl_refuse "$what, tampered" openssl dgst "-$h" -verify "$pub" -signature "$S/sig" "$S/$m.bad"
		done
	done
	pass "key $id: ECDSA-SHA1/224/256/384/512 signatures (DER) verify in openssl"

	if ! skipped ECDSA; then
		# Raw r||s (pkcs11-tool's default output) through our own conversion:
		# checks the fixed-width format of CKM_ECDSA.
		what="ECDSA r||s over $hraw, key $id"
		mod_sign "$what" "$id" ECDSA "$S/m1.$hraw" "$S/sig.rs"
		rs_to_der "$S/sig.rs" "$S/sig.der"
		ossl_verify "$what" openssl dgst "-$hraw" -verify "$pub" -signature "$S/sig.der" "$S/m1"
		ossl_refuse "$what, tampered" openssl dgst "-$hraw" -verify "$pub" -signature "$S/sig.der" "$S/m1.bad"
		pass "key $id: ECDSA raw r||s ($(stat -c %s "$S/sig.rs") bytes) verifies in openssl"

		# CKM_ECDSA over the hash the client made; any hash length (truncated).
		for h in "$hraw" "$hshort" "$hother"; do
			what="ECDSA over $h, key $id"
			mod_sign "$what" "$id" ECDSA "$S/m1.$h" "$S/sig" --signature-format openssl
			ossl_verify "$what" openssl dgst "-$h" -verify "$pub" -signature "$S/sig" "$S/m1"
			ossl_verify "$what (pkeyutl)" openssl pkeyutl -verify -pubin -inkey "$pub" \
				-in "$S/m1.$h" -sigfile "$S/sig"
			ossl_refuse "$what, tampered" openssl dgst "-$h" -verify "$pub" -signature "$S/sig" "$S/m1.bad"
		done
		pass "key $id: ECDSA over $hraw, $hshort and $hother hashes verifies in openssl"
	fi
done

# --- RSA PKCS#1 v1.5 ------------------------------------------------------------------
pub=$S/04.pub.pem
for h in sha1 sha224 sha256 sha384 sha512; do
	mech=${h^^}-RSA-PKCS
	skipped "$mech" && continue
	msgs=(m1)
	[ "$h" = sha256 ] && msgs+=(m2)
	for m in "${msgs[@]}"; do
		what="$mech, $m"
		mod_sign "$what" 04 "$mech" "$S/$m" "$S/sig"
		ossl_verify "$what" openssl dgst "-$h" -verify "$pub" -signature "$S/sig" "$S/$m"
		ossl_refuse "$what, tampered" openssl dgst "-$h" -verify "$pub" -signature "$S/sig" "$S/$m.bad"
	done
done
pass "SHA1/224/256/384/512-RSA-PKCS signatures verify in openssl"

if ! skipped RSA-PKCS; then
	for h in sha1 sha256; do
		what="RSA-PKCS over DigestInfo($h)"
		mod_sign "$what" 04 RSA-PKCS "$S/m1.di.$h" "$S/sig"
		ossl_verify "$what" openssl dgst "-$h" -verify "$pub" -signature "$S/sig" "$S/m1"
		ossl_refuse "$what, tampered" openssl dgst "-$h" -verify "$pub" -signature "$S/sig" "$S/m1.bad"
	done
	what="RSA-PKCS over MD5||SHA-1"
	mod_sign "$what" 04 RSA-PKCS "$S/m1.tls10" "$S/sig"
	ossl openssl pkeyutl -verifyrecover -pubin -inkey "$pub" -in "$S/sig" -out "$S/recovered" ||
		fail "$what: openssl could not recover the signed bytes"
	cmp "$S/recovered" "$S/m1.tls10" || fail "$what: openssl recovered other bytes than were signed"
	pass "RSA-PKCS over DigestInfo (SHA-1, SHA-256) and over MD5||SHA-1 verifies in openssl"
fi

# --- RSA-PSS -------------------------------------------------------------------------
pss_opts()
{ # openssl options for PSS with hash $1, salt length $2
	echo "-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:$2 -sigopt rsa_mgf1_md:$1"
}
for h in sha1 sha224 sha256 sha384 sha512; do
	mech=${h^^}-RSA-PKCS-PSS
	skipped "$mech" && continue
	msgs=(m1)
	[ "$h" = sha256 ] && msgs+=(m2)
	for m in "${msgs[@]}"; do
		what="$mech, $m"
		mod_sign "$what" 04 "$mech" "$S/$m" "$S/sig"
		# shellcheck disable=SC2046 # word splitting of the options is meant
		ossl_verify "$what" openssl dgst "-$h" -verify "$pub" $(pss_opts "$h" "${HLEN[$h]}") \
			-signature "$S/sig" "$S/$m"
		# shellcheck disable=SC2046
		ossl_refuse "$what, tampered" openssl dgst "-$h" -verify "$pub" $(pss_opts "$h" "${HLEN[$h]}") \
			-signature "$S/sig" "$S/$m.bad"
	done
done
pass "SHA1/224/256/384/512-RSA-PKCS-PSS signatures (salt = hash length) verify in openssl"

if ! skipped RSA-PKCS-PSS; then
	# TLS 1.3: SHA-256, MGF1-SHA256, 32-byte salt, over the hash.
	for h in sha256 sha384 sha512; do
		what="RSA-PKCS-PSS over $h"
		mod_sign "$what" 04 RSA-PKCS-PSS "$S/m1.$h" "$S/sig" --hash-algorithm "${P11H[$h]}" \
			--mgf "${MGF[$h]}" --salt-len "${HLEN[$h]}"
		# shellcheck disable=SC2046
		ossl_verify "$what" openssl dgst "-$h" -verify "$pub" $(pss_opts "$h" "${HLEN[$h]}") \
			-signature "$S/sig" "$S/m1"
		# shellcheck disable=SC2046
		ossl_refuse "$what, tampered" openssl dgst "-$h" -verify "$pub" $(pss_opts "$h" "${HLEN[$h]}") \
			-signature "$S/sig" "$S/m1.bad"
	done
	# The salt length is the one asked for: a verifier that insists on 32 refuses 0.
	what="RSA-PKCS-PSS over sha256, salt 0"
	mod_sign "$what" 04 RSA-PKCS-PSS "$S/m1.sha256" "$S/sig" --hash-algorithm SHA256 \
		--mgf MGF1-SHA256 --salt-len 0
	# shellcheck disable=SC2046
	ossl_verify "$what" openssl dgst -sha256 -verify "$pub" $(pss_opts sha256 0) -signature "$S/sig" "$S/m1"
	# shellcheck disable=SC2046
	ossl_refuse "$what, checked as salt 32" openssl dgst -sha256 -verify "$pub" $(pss_opts sha256 32) \
		-signature "$S/sig" "$S/m1"
	pass "RSA-PKCS-PSS over SHA-256/384/512 hashes (TLS 1.3 parameters), salt 0, verify in openssl"
fi

# =====================================================================================
# 2. Keys made by openssl: openssl signs, the module verifies with the imported public key.
# =====================================================================================
# id label openssl genpkey options
IMP=(
	"11 ossl-p256 -algorithm EC -pkeyopt ec_paramgen_curve:P-256"
	"12 ossl-p384 -algorithm EC -pkeyopt ec_paramgen_curve:P-384"
	"13 ossl-p521 -algorithm EC -pkeyopt ec_paramgen_curve:P-521"
	"14 ossl-rsa -algorithm RSA -pkeyopt rsa_keygen_bits:2048"
)
for k in "${IMP[@]}"; do
	read -r id label opts <<<"$k"
	# shellcheck disable=SC2086 # $opts is a list of options
	ossl openssl genpkey $opts -out "$S/$id.key.pem" || fail "openssl genpkey $opts failed"
	ossl openssl pkey -in "$S/$id.key.pem" -pubout -outform DER -out "$S/$id.pub.der" ||
		fail "openssl could not export the public key of $label"
	p11 "${L[@]}" --write-object "$S/$id.pub.der" --type pubkey --id "$id" --label "$label" ||
		fail "--write-object --type pubkey $label exited non-zero"
	it_has '^Created public key' || fail "--write-object $label did not report a public key"
	# Read back: the module returns the same public key.
	if [ "$label" != ossl-rsa ]; then
		spki_from_attrs "$label" "$S/$id.back.der" # not --read-object: see spki_from_attrs
	else
		p11 "${T[@]}" --read-object --type pubkey --id "$id" -o "$S/$id.back.der" ||
			fail "--read-object --type pubkey --id $id exited non-zero"
	fi
	cmp "$S/$id.pub.der" "$S/$id.back.der" || fail "$label: the public key read back differs from the one written"
done
pass "openssl public keys (P-256, P-384, P-521, RSA-2048) imported and read back identical"

# --- ECDSA -------------------------------------------------------------------------
for k in "11 sha256 sha1 sha512" "12 sha384 sha1 sha512" "13 sha512 sha1 sha256"; do
	read -r id hraw hshort hother <<<"$k"
	key=$S/$id.key.pem
	for h in sha1 sha224 sha256 sha384 sha512; do
		mech=ECDSA-${h^^}
		skipped "$mech" && continue
		msgs=(m1)
		[ "$h" = "$hraw" ] && msgs+=(m2)
		for m in "${msgs[@]}"; do
			what="openssl $h ECDSA signature, key $id, $m"
			ossl openssl dgst "-$h" -sign "$key" -out "$S/sig" "$S/$m" || fail "$what: openssl could not sign"
			mod_verify "$what" "$id" "$mech" "$S/$m" "$S/sig" --signature-format openssl
			mod_refuse "$what, tampered" "$id" "$mech" "$S/$m.bad" "$S/sig" --signature-format openssl
		done
	done
	pass "key $id: openssl ECDSA signatures verify in the module (ECDSA-SHA1/224/256/384/512)"
	if ! skipped ECDSA; then
		for h in "$hraw" "$hshort" "$hother"; do
			what="openssl ECDSA over a $h hash, key $id"
			ossl openssl pkeyutl -sign -inkey "$key" -in "$S/m1.$h" -out "$S/sig" ||
				fail "$what: openssl could not sign"
			mod_verify "$what" "$id" ECDSA "$S/m1.$h" "$S/sig" --signature-format openssl
			mod_refuse "$what, tampered" "$id" ECDSA "$S/m1.bad.$h" "$S/sig" --signature-format openssl
		done
		pass "key $id: openssl ECDSA over $hraw, $hshort and $hother hashes verifies in the module (ECDSA)"
	fi
done

# --- RSA PKCS#1 v1.5 ------------------------------------------------------------------
key=$S/14.key.pem
for h in sha1 sha224 sha256 sha384 sha512; do
	mech=${h^^}-RSA-PKCS
	skipped "$mech" && continue
	msgs=(m1)
	[ "$h" = sha256 ] && msgs+=(m2)
	for m in "${msgs[@]}"; do
		what="openssl $h RSA PKCS#1 v1.5 signature, $m"
		ossl openssl dgst "-$h" -sign "$key" -out "$S/sig" "$S/$m" || fail "$what: openssl could not sign"
		mod_verify "$what" 14 "$mech" "$S/$m" "$S/sig"
		mod_refuse "$what, tampered" 14 "$mech" "$S/$m.bad" "$S/sig"
	done
done
pass "openssl RSA PKCS#1 v1.5 signatures verify in the module (SHA1/224/256/384/512-RSA-PKCS)"
if ! skipped RSA-PKCS; then
	for h in sha1 sha256; do
		what="openssl RSA PKCS#1 v1.5 signature, checked as RSA-PKCS over DigestInfo($h)"
		ossl openssl dgst "-$h" -sign "$key" -out "$S/sig" "$S/m1" || fail "$what: openssl could not sign"
		mod_verify "$what" 14 RSA-PKCS "$S/m1.di.$h" "$S/sig"
		mod_refuse "$what, tampered" 14 RSA-PKCS "$S/m1.bad.di.$h" "$S/sig"
	done
	what="openssl PKCS#1 v1.5 over MD5||SHA-1"
	ossl openssl pkeyutl -sign -inkey "$key" -pkeyopt rsa_padding_mode:pkcs1 -in "$S/m1.tls10" -out "$S/sig" ||
		fail "$what: openssl could not sign"
	mod_verify "$what" 14 RSA-PKCS "$S/m1.tls10" "$S/sig"
	mod_refuse "$what, tampered" 14 RSA-PKCS "$S/m1.bad.tls10" "$S/sig"
	pass "openssl PKCS#1 v1.5 signatures verify in the module as RSA-PKCS (DigestInfo, MD5||SHA-1)"
fi

# --- RSA-PSS -------------------------------------------------------------------------
for h in sha1 sha224 sha256 sha384 sha512; do
	mech=${h^^}-RSA-PKCS-PSS
	skipped "$mech" && continue
	msgs=(m1)
	[ "$h" = sha256 ] && msgs+=(m2)
	for m in "${msgs[@]}"; do
		what="openssl $h PSS signature, $m"
		# shellcheck disable=SC2046
		ossl openssl dgst "-$h" -sign "$key" $(pss_opts "$h" "${HLEN[$h]}") -out "$S/sig" "$S/$m" ||
			fail "$what: openssl could not sign"
		mod_verify "$what" 14 "$mech" "$S/$m" "$S/sig"
		mod_refuse "$what, tampered" 14 "$mech" "$S/$m.bad" "$S/sig"
	done
done
if ! skipped SHA256-RSA-PKCS-PSS; then
	# Salt lengths other than the hash length: 0 and the maximum (openssl "max":
	# 256 - 32 - 2 = 222 bytes; not pkcs11-tool's --salt-len -2, which on --verify
	# asks for OpenSC's own salt length recovery).
	for salt in 0:0 max:222; do
		what="openssl sha256 PSS signature, salt ${salt%%:*}"
		# shellcheck disable=SC2046
		ossl openssl dgst -sha256 -sign "$key" $(pss_opts sha256 "${salt%%:*}") -out "$S/sig" "$S/m1" ||
			fail "$what: openssl could not sign"
		mod_verify "$what" 14 SHA256-RSA-PKCS-PSS "$S/m1" "$S/sig" --salt-len "${salt#*:}"
		mod_refuse "$what, tampered" 14 SHA256-RSA-PKCS-PSS "$S/m1.bad" "$S/sig" --salt-len "${salt#*:}"
		# and checked with the wrong salt length
		mod_refuse "$what, checked as salt 32" 14 SHA256-RSA-PKCS-PSS "$S/m1" "$S/sig" --salt-len 32
	done
fi
pass "openssl PSS signatures verify in the module (SHA1/224/256/384/512-RSA-PKCS-PSS, salt 0 and max)"
if ! skipped RSA-PKCS-PSS; then
	for h in sha256 sha384 sha512; do
		what="openssl PSS over a $h hash"
		# shellcheck disable=SC2046
		ossl openssl pkeyutl -sign -inkey "$key" -pkeyopt rsa_padding_mode:pss -pkeyopt "digest:$h" \
			-pkeyopt "rsa_pss_saltlen:${HLEN[$h]}" -pkeyopt "rsa_mgf1_md:$h" -in "$S/m1.$h" -out "$S/sig" ||
			fail "$what: openssl could not sign"
		mod_verify "$what" 14 RSA-PKCS-PSS "$S/m1.$h" "$S/sig" --hash-algorithm "${P11H[$h]}" \
			--mgf "${MGF[$h]}" --salt-len "${HLEN[$h]}"
		mod_refuse "$what, tampered" 14 RSA-PKCS-PSS "$S/m1.bad.$h" "$S/sig" --hash-algorithm "${P11H[$h]}" \
			--mgf "${MGF[$h]}" --salt-len "${HLEN[$h]}"
	done
	pass "openssl PSS over SHA-256/384/512 hashes verifies in the module (RSA-PKCS-PSS)"
fi

it_end
