#!/bin/bash
# p11-kit registration and GnuTLS p11tool:
# 1. `cmake --install` of the build under test (into scratch: DESTDIR and prefix both in
#    the scratch dir) installs iotoken.module in p11-kit's module config directory under
#    the prefix (p11-kit's p11_module_configs, from pkg-config, relative to p11-kit's
#    prefix), naming the module where that install put it.
# 2. p11-kit loads that installed iotoken.module: `p11-kit list-modules` shows iotoken, its
#    library and its token; GnuTLS `p11tool` without --provider (so through p11-kit) lists
#    the token, its public objects without login, and all of them with login; signs with a
#    key of the token (--test-sign).
# 3. `p11tool --provider <module>` generates an ECDSA P-256 and an RSA-2048 key pair in the
#    token and exports their public keys, which openssl parses and which are the ones
#    that the module stores (CKA_EC_POINT, through pkcs11-tool); it signs with them
#    (--test-sign), and p11-kit sees the new keys.
#
# p11-kit reads module configs from compile-time directories only (/etc/pkcs11/modules,
# /usr/share/p11-kit/modules) plus ~/.config/pkcs11/modules, which it ignores when run as
# root (INTEROP.md). As root (CI), every p11-kit client therefore runs in a private mount
# namespace (unshare -m) where a scratch directory holding only the installed
# iotoken.module is bind-mounted over p11-kit's module directory and an empty one over the
# system config directory: the real system is neither read nor changed. Not as root, the
# scratch HOME's ~/.config/pkcs11/modules is used instead (p11-kit then also loads the
# system's modules, which the checks ignore).
#
# Environment: IOTOKEN_MODULE (set by ctest); IOTOKEN_BUILD_DIR, the build tree to install
# (default: the module's directory); see lib.sh for the rest.
set -euo pipefail

# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

for c in cmake:cmake p11-kit:p11-kit p11tool:gnutls-bin pkcs11-tool:opensc openssl:openssl \
	pkg-config:pkg-config; do
	command -v "${c%%:*}" >/dev/null ||
		{ echo "FAIL: ${c%%:*} not found (Debian package ${c#*:})"; exit 1; }
done

it_begin p11kit
# shellcheck disable=SC2119 # no extra config keys
it_write_conf

S=$IT_SCRATCH
TOKEN=p11kit
SO_PIN=11223344
PIN=5678
BUILD=${IOTOKEN_BUILD_DIR:-$(dirname "$IOTOKEN_MODULE")}
[ -f "$BUILD/cmake_install.cmake" ] ||
	fail "$BUILD is not a CMake build tree (no cmake_install.cmake); set IOTOKEN_BUILD_DIR"

# plain <cmd..>: a program that does not load the module (cmake, openssl), with lib.sh's
# timeout, output in $IT_OUT and echoed; returns its exit status.
plain()
{
	local rc=0
	echo "\$ $*"
	timeout "$IT_TIMEOUT" "$@" </dev/null >"$IT_OUT" 2>&1 || rc=$?
	cat "$IT_OUT"
	[ "$rc" -ne 124 ] || fail "timed out after ${IT_TIMEOUT}s: $*"
	return "$rc"
}

cache_value()
{
	sed -n "s/^$1:[A-Z]*=//p" "$BUILD/CMakeCache.txt"
}

# =====================================================================================
# 1. cmake --install puts iotoken.module where p11-kit looks, naming the installed module.
# =====================================================================================
P11_CONFIGS=$(pkg-config --variable p11_module_configs p11-kit-1) || fail "pkg-config p11-kit-1 failed"
P11_PREFIX=$(pkg-config --variable prefix p11-kit-1) || fail "pkg-config p11-kit-1 failed"
# The system config (pkcs11.conf, modules/): <sysconfdir>/pkcs11, compiled into p11-kit.
# (Not p11_system_config_modules: Debian's .pc points that at p11_module_configs.)
P11_SYSCONF=$(pkg-config --variable sysconfdir p11-kit-1)/pkcs11 || fail "pkg-config p11-kit-1 failed"
if [ -z "$P11_CONFIGS" ] || [ -z "$P11_PREFIX" ] || [ "$P11_SYSCONF" = /pkcs11 ]; then
	fail "pkg-config p11-kit-1 gives no p11_module_configs, prefix or sysconfdir"
fi
echo "# p11-kit: module configs in $P11_CONFIGS and $P11_SYSCONF/modules, prefix $P11_PREFIX"

MODDIR=$(cache_value IOTOKEN_P11KIT_MODULE_DIR)
LIBDIR=$(cache_value CMAKE_INSTALL_LIBDIR)
if [ -z "$MODDIR" ] || [ -z "$LIBDIR" ]; then
	fail "no IOTOKEN_P11KIT_MODULE_DIR or CMAKE_INSTALL_LIBDIR in $BUILD/CMakeCache.txt"
fi
# The default follows p11-kit's own directory (a build configured with another
# IOTOKEN_P11KIT_MODULE_DIR fails here on purpose).
[ "$MODDIR" = "${P11_CONFIGS#"$P11_PREFIX"/}" ] ||
	fail "IOTOKEN_P11KIT_MODULE_DIR is '$MODDIR'; p11-kit's p11_module_configs" \
		"'$P11_CONFIGS' under its prefix '$P11_PREFIX' says '${P11_CONFIGS#"$P11_PREFIX"/}'"
pass "IOTOKEN_P11KIT_MODULE_DIR is p11-kit's p11_module_configs under the prefix ($MODDIR)"

# Staged (DESTDIR) so that nothing, even an absolute destination, lands outside scratch;
# then the staged prefix is moved to where the prefix says.
if [[ $LIBDIR == /* ]]; then
	fail "CMAKE_INSTALL_LIBDIR is absolute ($LIBDIR): the module would not be installed under the prefix"
fi
PREFIX=$S/prefix
plain env DESTDIR="$S/stage" cmake --install "$BUILD" --prefix "$PREFIX" ||
	fail "cmake --install $BUILD exited non-zero"
[ -d "$S/stage$PREFIX" ] || fail "cmake --install installed nothing under the prefix"
mv "$S/stage$PREFIX" "$PREFIX"
INSTALLED_MODULE=$PREFIX/$LIBDIR/pkcs11/$(basename "$IOTOKEN_MODULE")
MODFILE=$PREFIX/$MODDIR/iotoken.module
[ -f "$MODFILE" ] || fail "cmake --install did not install $MODDIR/iotoken.module"
grep -qF "$MODDIR/iotoken.module" "$IT_OUT" || fail "cmake --install did not report iotoken.module"
echo "# $MODFILE:"
cat "$MODFILE"
# pkcs11.conf(5): "name: value" lines, # comments. Exactly one field: module.
fields=$(grep -vE '^[[:space:]]*(#|$)' "$MODFILE" || true)
[ "$fields" = "module: $INSTALLED_MODULE" ] ||
	fail "iotoken.module: fields are '$fields', want 'module: $INSTALLED_MODULE'"
pass "iotoken.module installed in <prefix>/$MODDIR, module: <prefix>/$LIBDIR/pkcs11/$(basename "$IOTOKEN_MODULE")"
[ -f "$INSTALLED_MODULE" ] || fail "the module named by iotoken.module was not installed"
syms=$(nm -D --defined-only "$INSTALLED_MODULE") || fail "nm cannot read $INSTALLED_MODULE"
grep -qE ' T C_GetFunctionList$' <<<"$syms" || fail "$INSTALLED_MODULE does not export C_GetFunctionList"
pass "the module that iotoken.module names is installed and exports C_GetFunctionList"

# =====================================================================================
# 2. p11-kit loads the installed iotoken.module.
# =====================================================================================
it_init_token "$TOKEN" "$SO_PIN" "$PIN"
p11 --token-label "$TOKEN" --login --pin "$PIN" --keypairgen --key-type EC:prime256v1 \
	--label tool-ec --id 01 || fail "pkcs11-tool --keypairgen EC exited non-zero"
p11 --token-label "$TOKEN" --login --pin "$PIN" --keypairgen --key-type rsa:2048 \
	--label tool-rsa --id 02 || fail "pkcs11-tool --keypairgen RSA exited non-zero"
printf 'public data' >"$S/data.txt"
p11 --token-label "$TOKEN" --login --pin "$PIN" --write-object "$S/data.txt" --type data \
	--label tool-data || fail "pkcs11-tool --write-object --type data exited non-zero"

MODS=$S/p11kit-modules
mkdir -p "$MODS" "$S/empty" "$S/home/.config/pkcs11/modules"
cp "$MODFILE" "$MODS/"
if [ "$(id -u)" -eq 0 ]; then
	command -v unshare >/dev/null || fail "unshare (util-linux) not found"
	[ -d "$P11_CONFIGS" ] || fail "p11-kit's module directory $P11_CONFIGS does not exist"
	# Runs its arguments with the scratch module directory and an empty system config.
	{
		echo '#!/bin/bash'
		echo 'set -e'
		printf 'mount --bind %q %q\n' "$MODS" "$P11_CONFIGS"
		printf 'if [ -d %q ]; then mount --bind %q %q; fi\n' "$P11_SYSCONF" "$S/empty" "$P11_SYSCONF"
		echo 'exec "$@"'
	} >"$S/in-scratch-p11kit"
	chmod +x "$S/in-scratch-p11kit"
	cat "$S/in-scratch-p11kit"
	VIA_P11KIT=(unshare --mount --propagation private -- "$S/in-scratch-p11kit")
	echo "# p11-kit clients: private mount namespace, $MODS over $P11_CONFIGS," \
		"$S/empty over $P11_SYSCONF"
	client "${VIA_P11KIT[@]}" true || fail "cannot make a private mount namespace (unshare -m)"
else
	cp "$MODFILE" "$S/home/.config/pkcs11/modules/"
	VIA_P11KIT=(env HOME="$S/home")
	echo "# p11-kit clients: HOME=$S/home with iotoken.module in ~/.config/pkcs11/modules"
fi
# Both ways, p11-kit reads nothing from the user's real configuration.
VIA_P11KIT=(env HOME="$S/home" "${VIA_P11KIT[@]}")

client "${VIA_P11KIT[@]}" p11-kit list-modules || fail "p11-kit list-modules exited non-zero"
# The iotoken block: from "iotoken: <path>" to the next unindented line.
block=$(awk '/^[^ ]/ { on = ($0 ~ /^iotoken: /) } on' "$IT_OUT")
[ -n "$block" ] || fail "p11-kit list-modules does not show the module iotoken"
grep -qxF "iotoken: $INSTALLED_MODULE" <<<"$block" ||
	fail "p11-kit list-modules: iotoken is not the installed module $INSTALLED_MODULE"
grep -qE '^    library-description: iotoken' <<<"$block" ||
	fail "p11-kit list-modules: no iotoken library-description"
grep -qE "^    token: $TOKEN\$" <<<"$block" ||
	fail "p11-kit list-modules does not show the token $TOKEN of iotoken"
if [ "$(id -u)" -eq 0 ]; then
	# In the namespace p11-kit has the scratch config and nothing else.
	others=$(grep -E '^[^ ]' "$IT_OUT" | grep -v '^iotoken: ' || true)
	[ -z "$others" ] || fail "p11-kit list-modules loaded other modules than the scratch config's: $others"
fi
pass "p11-kit list-modules shows iotoken ($INSTALLED_MODULE) and its token $TOKEN"

URI="pkcs11:token=$TOKEN"
client "${VIA_P11KIT[@]}" p11tool --list-tokens || fail "p11tool --list-tokens exited non-zero"
it_has "^	Label: $TOKEN\$" || fail "p11tool --list-tokens (through p11-kit) does not list $TOKEN"
it_has "^	Module: $INSTALLED_MODULE\$" ||
	fail "p11tool --list-tokens does not name the installed module"
pass "p11tool --list-tokens through p11-kit lists $TOKEN from the installed module"

# objects <what>: checks that the last p11tool --list-all output lists the objects whose
# "label:type" are given after --, and no private key unless told with --private.
objects()
{
	local what=$1 private=no o
	shift
	[ "$1" = --private ] && { private=yes; shift; }
	shift # --
	for o in "$@"; do
		it_has "^	URL: pkcs11:.*token=$TOKEN;.*object=${o%%:*};type=${o#*:}\$" ||
			fail "$what: p11tool does not list ${o#*:} object ${o%%:*}"
	done
	if [ "$private" = no ] && it_has 'type=private$'; then
		fail "$what: p11tool lists a private key without login"
	fi
	return 0
}

client "${VIA_P11KIT[@]}" p11tool --list-all "$URI" || fail "p11tool --list-all exited non-zero"
objects "--list-all without login" -- tool-ec:public tool-rsa:public tool-data:data
it_has '^	Type: Public key \(EC/ECDSA-SECP256R1\)$' ||
	fail "p11tool --list-all: the EC public key is not an ECDSA-SECP256R1 key"
it_has '^	Type: Public key \(RSA-2048\)$' || fail "p11tool --list-all: no RSA-2048 public key"
pass "p11tool --list-all through p11-kit, no login: public keys and data object, no private key"

client "${VIA_P11KIT[@]}" env GNUTLS_PIN="$PIN" p11tool --batch --login --list-all "$URI" ||
	fail "p11tool --login --list-all exited non-zero"
objects "--list-all with login" --private -- tool-ec:public tool-ec:private tool-rsa:public \
	tool-rsa:private tool-data:data
it_has '^	Type: Private key \(EC/ECDSA-SECP256R1\)$' ||
	fail "p11tool --login --list-all: the EC private key is not ECDSA-SECP256R1"
for id in 01 02; do
	it_has "^	ID: $id\$" || fail "p11tool --login --list-all: no object with id $id"
done
pass "p11tool --login --list-all through p11-kit: both key pairs (ids 01, 02) and the data object"

# test_sign <what> <uri> <provider args..>: p11tool --test-sign signs with the key and
# verifies with the private key's parameters and with the public key in the token.
test_sign()
{
	local what=$1 uri=$2
	shift 2
	client env GNUTLS_PIN="$PIN" "$@" --batch --login --test-sign "$uri" ||
		fail "$what: p11tool --test-sign exited non-zero"
	it_has '^Signing using .*\.\.\. ok$' || fail "$what: p11tool --test-sign did not sign"
	it_has '^Verifying against public key in the token\.\.\. ok$' ||
		fail "$what: the signature does not verify against the public key in the token"
}
test_sign "tool-ec through p11-kit" "$URI;object=tool-ec" "${VIA_P11KIT[@]}" p11tool
test_sign "tool-rsa through p11-kit" "$URI;object=tool-rsa" "${VIA_P11KIT[@]}" p11tool
pass "p11tool --test-sign through p11-kit with the EC and the RSA key"

# =====================================================================================
# 3. p11tool --provider: key generation and public key export.
# =====================================================================================
PT=(p11tool --provider "$IOTOKEN_MODULE")

# gen <label> <p11tool generate options..>: generates a key pair, public key written to
# $S/<label>.gen.pem; then --export-pubkey writes $S/<label>.pem; both must be the same
# key, which openssl parses.
gen()
{
	local label=$1
	shift
	client env GNUTLS_PIN="$PIN" "${PT[@]}" --batch --login "$@" --label "$label" \
		--outfile "$S/$label.gen.pem" "$URI" || fail "p11tool --generate-privkey $* exited non-zero"
	[ -s "$S/$label.gen.pem" ] || fail "p11tool --generate-privkey $* wrote no public key"
	client env GNUTLS_PIN="$PIN" "${PT[@]}" --batch --login --export-pubkey \
		--outfile "$S/$label.pem" "$URI;object=$label;type=private" ||
		fail "p11tool --export-pubkey of $label exited non-zero"
	plain openssl pkey -pubin -in "$S/$label.pem" -outform DER -out "$S/$label.der" ||
		fail "openssl cannot parse the public key that p11tool exported for $label"
	plain openssl pkey -pubin -in "$S/$label.gen.pem" -outform DER -out "$S/$label.gen.der" ||
		fail "openssl cannot parse the public key that p11tool generated for $label"
	cmp -s "$S/$label.der" "$S/$label.gen.der" ||
		fail "$label: the exported public key is not the generated one"
	plain openssl pkey -pubin -in "$S/$label.der" -inform DER -noout -text ||
		fail "openssl pkey -text of $label failed"
}

gen gen-ec --generate-privkey=ecdsa --curve=secp256r1
it_has '^ASN1 OID: prime256v1$' || fail "gen-ec: the exported key is not a P-256 key"
# The exported key is the token's: its point is the CKA_EC_POINT that the module stores.
# (pkcs11-tool 0.23 --list-objects ignores --label: the object's block is picked out.)
p11 --token-label "$TOKEN" --list-objects --type pubkey ||
	fail "pkcs11-tool --list-objects --type pubkey exited non-zero"
point=$(awk '/^[^ ]/ { if (hit) exit; pt = "" }
	/^  EC_POINT: / { pt = $2 }
	/^  label: +gen-ec$/ { hit = 1 }
	END { if (hit) print pt }' "$IT_OUT")
[[ $point =~ ^0441[0-9a-f]{130}$ ]] || point=
[ -n "$point" ] || fail "pkcs11-tool lists no P-256 EC_POINT for gen-ec"
[ "$(it_hex "$S/gen-ec.der" | tail -c 130)" = "${point:4}" ] ||
	fail "gen-ec: the exported public key is not the token's CKA_EC_POINT"
pass "p11tool --provider generates ECDSA P-256 gen-ec; --export-pubkey gives the token's key, openssl parses it"

gen gen-rsa --generate-privkey=rsa --bits=2048
it_has '^Public-Key: \(2048 bit\)$' || fail "gen-rsa: the exported key is not a 2048-bit key"
p11 --token-label "$TOKEN" --read-object --type pubkey --label gen-rsa -o "$S/gen-rsa.p11.der" ||
	fail "pkcs11-tool --read-object --type pubkey --label gen-rsa exited non-zero"
cmp -s "$S/gen-rsa.der" "$S/gen-rsa.p11.der" ||
	fail "gen-rsa: the exported public key is not the one pkcs11-tool reads from the token"
pass "p11tool --provider generates RSA-2048 gen-rsa; --export-pubkey gives the token's key, openssl parses it"

test_sign "gen-ec" "$URI;object=gen-ec" "${PT[@]}"
test_sign "gen-rsa" "$URI;object=gen-rsa" "${PT[@]}"
pass "p11tool --provider --test-sign with the generated EC and RSA keys"

client "${VIA_P11KIT[@]}" env GNUTLS_PIN="$PIN" p11tool --batch --login --list-all-privkeys "$URI" ||
	fail "p11tool --list-all-privkeys exited non-zero"
objects "--list-all-privkeys after generation" --private -- gen-ec:private gen-rsa:private \
	tool-ec:private tool-rsa:private
pass "p11-kit sees the keys that p11tool --provider generated"

it_end
