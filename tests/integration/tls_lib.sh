# shellcheck shell=bash
# Shared setup and checks for the TLS client-authentication tests (issue 4):
# tests/integration/test_tls_{gnutls,openssl,nss}.sh. Sources lib.sh (see there for
# it_begin, client, pass, fail, ...). Not a test itself (ctest runs test_*.sh only).
#
#   tls_begin <name> <client>  it_begin + it_write_conf; <client> names the TLS client
#                              in every failure message; checks the common tools
#   tls_setup                  local CA and server certificate (openssl, EC P-256 CA
#                              key on disk), token "iotoken-tls" with two key pairs
#                              generated in the token (client-ec: EC P-256, CKA_ID 01;
#                              client-rsa: RSA-2048, CKA_ID 02), a CSR for each signed
#                              through the token by GnuTLS certtool, certificates
#                              issued by the CA and stored in the token beside their
#                              keys (same CKA_ID, same label); checks that s_server
#                              refuses a client without a certificate
#   tls_setup_ca               only the CA and server certificate part of tls_setup
#   tls_case <key> <tls> <sig-ere> [s_server args..]
#                              one client authentication: <key> ec|rsa, <tls> 1.2|1.3,
#                              the peer signature type the server must report
#                              (ERE: ECDSA, RSA-PSS, RSA, "RSA-PSS|RSA"). Runs twice:
#                              straight against the module, then through OpenSC's
#                              pkcs11-spy to see the module's signing mechanism.
#                              The script defines tls_client_cmd (below).
#   tls_fail <what>            fails naming the client, the last command, its output
#                              and the server's log
#
# The script defines
#   tls_client_cmd <via> <key> <port>
# which sets the array TLS_CMD to the client command line that connects to
# 127.0.0.1:<port> and authenticates with the token's key <key> (client-ec/client-rsa
# objects). <via> is "module" or "spy": for "spy" the client must load $TLS_MOD (the
# spy) and run under "${TLS_ENV[@]}" (env PKCS11SPY=... PKCS11SPY_OUTPUT=...); for
# "module" TLS_MOD is $IOTOKEN_MODULE and TLS_ENV is empty. The command must end after
# the handshake with stdin at EOF (lib.sh's client gives it /dev/null).
#
# What a passing tls_case has seen, on the SERVER side (openssl s_server -rev, which
# prints a summary of each connection, with -Verify 1: a client certificate is required
# and must verify against the test CA, else the handshake fails):
#   "depth=0 CN = client-<key>" + "verify return:1", "CONNECTION ESTABLISHED",
#   "Protocol version: TLSv<tls>", "Peer certificate: CN = client-<key>",
#   "Hash used: SHA...", "Signature type: <sig>" (the client's CertificateVerify),
#   "Verification: OK";
# and in the spy's trace: a C_SignInit with the mechanism that matches the signature
# type (ECDSA: CKM_ECDSA; RSA-PSS: CKM_RSA_PKCS_PSS with hashAlg/MGF1 of the hash used
# and sLen = hash length; RSA: CKM_RSA_PKCS) on the private key, returning CKR_OK,
# then a C_Sign that returns a signature (CKR_OK), over input of the expected length
# (the hash; for CKM_RSA_PKCS a DigestInfo: 19 bytes more).
#
# Environment: IOTOKEN_MODULE (ctest), IT_TIMEOUT (default here 20 s per client call),
# TLS_SPY_LIB (default: Debian's /usr/lib/x86_64-linux-gnu/pkcs11-spy.so, package
# opensc-pkcs11).

: "${IT_TIMEOUT:=20}"
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TLS_TOKEN=iotoken-tls
TLS_PIN=1234
TLS_SO_PIN=12345678
TLS_CLIENT=unnamed
TLS_DIR=
TLS_SPID=
TLS_PORT=
TLS_N=0
TLS_SLOG=
TLS_SOUT=
TLS_SPYLOG=
TLS_MOD=
TLS_ENV=()
TLS_CMD=()
TLS_DIAG=() # during tls_case's direct run: <tls> <key> [s_server args..], for tls_fail
TLS_SIG=
TLS_HASH=
TLS_MECH=
TLS_SPY_LIB=${TLS_SPY_LIB:-}
# key -> CKA_ID (hex)
declare -A TLS_ID=([ec]=01 [rsa]=02)

_tls_need()
{
	command -v "$1" >/dev/null || {
		echo "FAIL: $1 (Debian package $2) not found"
		exit 1
	}
}

# Kills the running s_server, if any (its pid is the one of `timeout`, which passes
# the signal on).
_tls_stop_server()
{
	if [ -n "$TLS_SPID" ]; then
		kill "$TLS_SPID" 2>/dev/null || true
		wait "$TLS_SPID" 2>/dev/null || true
		TLS_SPID=
	fi
}

_tls_cleanup()
{
	_tls_stop_server
	if [ -n "$IT_SCRATCH" ]; then
		rm -rf -- "$IT_SCRATCH"
	fi
}

tls_begin()
{
	TLS_CLIENT=$2
	_tls_need openssl openssl
	_tls_need pkcs11-tool opensc
	_tls_need certtool gnutls-bin
	it_begin "$1"
	# shellcheck disable=SC2119 # no extra config keys
	it_write_conf
	trap _tls_cleanup EXIT
	trap 'exit 130' INT TERM
	# A command that fails unhandled (set -e) still names the client and the place.
	set -E
	trap 'fail "[$TLS_CLIENT] unexpected error at ${BASH_SOURCE[0]##*/}:$LINENO: $BASH_COMMAND"' ERR
	TLS_DIR=$IT_SCRATCH/tls
	mkdir -p "$TLS_DIR"
	if [ -z "$TLS_SPY_LIB" ]; then
		TLS_SPY_LIB=/usr/lib/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)/pkcs11-spy.so
	fi
	[ -f "$TLS_SPY_LIB" ] || fail "pkcs11-spy ($TLS_SPY_LIB, Debian package opensc-pkcs11) not found"
}

# tls_fail <what>: the client, the command and its output, the server's log. When the
# direct run of a tls_case failed (client error, or the server did not see what it
# should), the same connection is first made again through pkcs11-spy, and the module
# calls that failed are printed (tls_diagnose).
tls_fail()
{
	if [ "${#TLS_DIAG[@]}" -gt 0 ]; then
		local diag=("${TLS_DIAG[@]}") slog=$TLS_SLOG sout=$TLS_SOUT
		TLS_DIAG=()
		_tls_stop_server
		tls_server_start "${diag[0]}" "${diag[@]:2}"
		tls_diagnose tls_client_cmd spy "${diag[1]}" "$TLS_PORT"
		_tls_server_wait
		TLS_SLOG=$slog TLS_SOUT=$sout
	fi
	{
		echo "FAIL [$TLS_CLIENT]: $1"
		if [ "${#TLS_CMD[@]}" -gt 0 ]; then
			echo "--- command:"
			printf '%q ' "${TLS_CMD[@]}"
			echo
		fi
		if [ -f "$IT_OUT" ]; then
			echo "--- client output:"
			cat "$IT_OUT"
		fi
		if [ -n "$TLS_SLOG" ] && [ -f "$TLS_SLOG" ]; then
			echo "--- s_server stderr ($TLS_SLOG):"
			cat "$TLS_SLOG"
			echo "--- s_server stdout:"
			cat "$TLS_SOUT"
		fi
		echo "---"
	} >&2
	fail "[$TLS_CLIENT] $1"
}

# Plain openssl (does not load the module, so no sanitizer preload); output in
# $IT_OUT like lib.sh's client, echoed.
_tls_ossl()
{
	local rc=0
	echo "\$ $*"
	timeout "$IT_TIMEOUT" "$@" </dev/null >"$IT_OUT" 2>&1 || rc=$?
	cat "$IT_OUT"
	[ "$rc" -ne 124 ] || fail "timed out after ${IT_TIMEOUT}s: $*"
	return "$rc"
}

# tls_setup_ca: the CA and server part of tls_setup: $TLS_DIR/ca.{key,pem},
# server.{key,pem} (CN=localhost, IP:127.0.0.1) and client.ext (the extensions of a
# client certificate), for tests that bring their own token (another module).
tls_setup_ca()
{
	local d=$TLS_DIR

	_tls_ossl openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$d/ca.key" -out "$d/ca.pem" -subj "/CN=iotoken test CA" -days 2 \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign ||
		fail "setup: openssl could not make the CA"
	_tls_ossl openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$d/server.key" -out "$d/server.csr" -subj /CN=localhost ||
		fail "setup: openssl could not make the server key"
	printf '%s\n' 'basicConstraints=CA:FALSE' 'keyUsage=critical,digitalSignature' \
		'extendedKeyUsage=serverAuth' 'subjectAltName=IP:127.0.0.1,DNS:localhost' >"$d/server.ext"
	printf '%s\n' 'basicConstraints=CA:FALSE' 'keyUsage=critical,digitalSignature' \
		'extendedKeyUsage=clientAuth' >"$d/client.ext"
	_tls_ossl openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
		-set_serial 1 -days 2 -extfile "$d/server.ext" -out "$d/server.pem" ||
		fail "setup: openssl could not issue the server certificate"
	pass "setup: CA (EC P-256) and server certificate (CN=localhost, IP:127.0.0.1) made by openssl"
}

tls_setup()
{
	local d=$TLS_DIR k id

	tls_setup_ca

	# --- token and keys -----------------------------------------------------------
	it_init_token "$TLS_TOKEN" "$TLS_SO_PIN" "$TLS_PIN"
	p11 --token-label "$TLS_TOKEN" --login --pin "$TLS_PIN" --keypairgen \
		--key-type EC:prime256v1 --id "${TLS_ID[ec]}" --label client-ec ||
		fail "setup: pkcs11-tool --keypairgen EC:prime256v1 exited non-zero"
	p11 --token-label "$TLS_TOKEN" --login --pin "$TLS_PIN" --keypairgen \
		--key-type RSA:2048 --id "${TLS_ID[rsa]}" --label client-rsa ||
		fail "setup: pkcs11-tool --keypairgen RSA:2048 exited non-zero"
	pass "setup: EC P-256 and RSA-2048 key pairs generated in the token (pkcs11-tool --keypairgen)"

	# --- CSRs signed through the token (GnuTLS certtool), certificates --------------
	for k in ec rsa; do
		id=${TLS_ID[$k]}
		printf '%s\n' "cn = \"client-$k\"" tls_www_client signing_key >"$d/client-$k.tmpl"
		client env "GNUTLS_PIN=$TLS_PIN" certtool --provider "$IOTOKEN_MODULE" --generate-request \
			--load-privkey "pkcs11:token=$TLS_TOKEN;object=client-$k;type=private" \
			--template "$d/client-$k.tmpl" --outfile "$d/client-$k.csr" ||
			fail "setup: certtool --generate-request through the token ($k key) exited non-zero"
		_tls_ossl openssl req -in "$d/client-$k.csr" -verify -noout -subject ||
			fail "setup: the CSR that certtool signed through the token ($k key) does not verify"
		it_has "^subject=CN = client-$k\$" ||
			fail "setup: the $k CSR has the wrong subject"
		_tls_ossl openssl x509 -req -in "$d/client-$k.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
			-set_serial "$((16#$id + 100))" -days 2 -extfile "$d/client.ext" -out "$d/client-$k.pem" ||
			fail "setup: the CA could not issue the $k client certificate"
		_tls_ossl openssl x509 -in "$d/client-$k.pem" -outform DER -out "$d/client-$k.der" ||
			fail "setup: could not convert the $k certificate to DER"
	done
	pass "setup: a CSR for each key signed through the token (certtool --load-privkey pkcs11:), verified, issued by the CA"

	for k in ec rsa; do
		id=${TLS_ID[$k]}
		p11 --token-label "$TLS_TOKEN" --login --pin "$TLS_PIN" --write-object "$d/client-$k.der" \
			--type cert --id "$id" --label "client-$k" ||
			fail "setup: pkcs11-tool --write-object --type cert ($k) exited non-zero"
		p11 --token-label "$TLS_TOKEN" --read-object --type cert --id "$id" -o "$d/client-$k.back.der" ||
			fail "setup: pkcs11-tool --read-object --type cert --id $id exited non-zero"
		cmp "$d/client-$k.der" "$d/client-$k.back.der" ||
			fail "setup: the $k certificate read back from the token differs"
	done
	# The certificate and the private key share CKA_ID and label.
	p11 --token-label "$TLS_TOKEN" --login --pin "$TLS_PIN" --list-objects ||
		fail "setup: pkcs11-tool --list-objects exited non-zero"
	for k in ec rsa; do
		for cls in 'Private Key Object' 'Certificate Object'; do
			awk -v cls="$cls" -v lbl="client-$k" -v id="${TLS_ID[$k]}" '
				/^[^ ]/ { inobj = index($0, cls) == 1; l = ""; i = "" }
				inobj && /^  label: / { l = $2 }
				inobj && /^  ID: / { i = $2; if (l == lbl && i == id) found = 1 }
				END { exit !found }' "$IT_OUT" ||
				fail "setup: no $cls labelled client-$k with ID ${TLS_ID[$k]} in the token"
		done
	done
	pass "setup: certificates stored in the token beside their keys (same CKA_ID and label), read back identical"

	# --- the server really insists on a client certificate ---------------------------
	tls_server_start 1.3
	TLS_CMD=(openssl s_client -connect "127.0.0.1:$TLS_PORT" -CAfile "$d/ca.pem" -verify_return_error)
	_tls_ossl "${TLS_CMD[@]}" || true
	_tls_server_wait
	if grep -q '^CONNECTION ESTABLISHED$' "$TLS_SLOG"; then
		tls_fail "control: s_server -Verify 1 accepted a client without a certificate"
	fi
	grep -qi 'peer did not return a certificate' "$TLS_SLOG" ||
		tls_fail "control: s_server did not say why it refused a client without a certificate"
	TLS_CMD=()
	TLS_SLOG=
	pass "control: s_server (-Verify 1) refuses a client that sends no certificate"
}

# tls_server_start <1.2|1.3> [s_server args..]: s_server on 127.0.0.1, a free port
# chosen by the kernel (-accept 127.0.0.1:0; the port is read from its ACCEPT line),
# one connection (-naccept 1), bounded by timeout.
tls_server_start()
{
	local proto=$1 i
	shift
	_tls_stop_server
	TLS_N=$((TLS_N + 1))
	TLS_SOUT=$TLS_DIR/server.$TLS_N.out
	TLS_SLOG=$TLS_DIR/server.$TLS_N.err
	TLS_PORT=
	# Created here, not by the background job's redirection, which may come after the
	# first read below.
	: >"$TLS_SOUT"
	: >"$TLS_SLOG"
	timeout 30 openssl s_server -rev -accept 127.0.0.1:0 -naccept 1 -Verify 1 \
		-CAfile "$TLS_DIR/ca.pem" -cert "$TLS_DIR/server.pem" -key "$TLS_DIR/server.key" \
		"-tls${proto/./_}" "$@" </dev/null >"$TLS_SOUT" 2>"$TLS_SLOG" &
	TLS_SPID=$!
	for ((i = 0; i < 100; i++)); do
		TLS_PORT=$(sed -nE 's/^ACCEPT .*:([0-9]+)$/\1/p' "$TLS_SOUT") || true
		[ -n "$TLS_PORT" ] && return 0
		kill -0 "$TLS_SPID" 2>/dev/null || break
		sleep 0.1
	done
	tls_fail "openssl s_server did not start listening"
}

# Waits (at most 10 s) for the one-connection server to finish, so that its log is
# complete; kills it if it does not.
_tls_server_wait()
{
	local i
	for ((i = 0; i < 100; i++)); do
		kill -0 "$TLS_SPID" 2>/dev/null || break
		sleep 0.1
	done
	_tls_stop_server
}

# _tls_check_server <key> <tls> <sig-ere>: the server's account of the connection.
# Sets TLS_SIG (signature type) and TLS_HASH (hash used).
_tls_check_server()
{
	local key=$1 proto=$2 sig=$3 cn="client-$1" log=$TLS_SLOG
	grep -q '^CONNECTION ESTABLISHED$' "$log" ||
		tls_fail "$key key, TLS $proto: the server did not establish the connection"
	awk -v want="depth=0 CN = $cn" 'prev == want && $0 == "verify return:1" { ok = 1 } { prev = $0 }
		END { exit !ok }' "$log" ||
		tls_fail "$key key, TLS $proto: the server did not verify the client certificate CN=$cn"
	grep -qx "Peer certificate: CN = $cn" "$log" ||
		tls_fail "$key key, TLS $proto: the server did not see the client certificate CN=$cn"
	grep -qx 'Verification: OK' "$log" ||
		tls_fail "$key key, TLS $proto: the server's verification result is not OK"
	grep -qx "Protocol version: TLSv$proto" "$log" ||
		tls_fail "$key key, TLS $proto: the negotiated protocol is not TLSv$proto"
	TLS_SIG=$(sed -n 's/^Signature type: //p' "$log")
	TLS_HASH=$(sed -n 's/^Hash used: //p' "$log")
	[[ $TLS_SIG =~ ^($sig)$ ]] ||
		tls_fail "$key key, TLS $proto: the client's signature type is '$TLS_SIG', expected $sig"
	[[ $TLS_HASH =~ ^SHA(256|384|512)$ ]] ||
		tls_fail "$key key, TLS $proto: unexpected hash '$TLS_HASH' for the client's signature"
}

# The spy's trace as one line per call: "<function> <rv> key=value..".
_tls_spy_calls()
{
	awk '
		function flush() { if (fn != "") print fn " " rv args; fn = ""; args = "" }
		/^[0-9]+: C_/ { flush(); fn = $2; rv = "?"; next }
		fn == "" { next }
		/pMechanism->type = / { args = args " mech=" $NF }
		/pParameter->hashAlg = / { args = args " hash=" $NF }
		/pParameter->mgf = / { args = args " mgf=" $NF }
		/pParameter->sLen = / { args = args " slen=" $NF }
		/^\[in\] pData\[ulDataLen\] / { args = args " in=" $NF }
		/^\[out\] pSignature\[\*pulSignatureLen\] / { args = args " out=" (/ NULL / ? "query" : $NF) }
		/^\[in\] flags = / { args = args " flags=" $NF }
		/^Returned: / { rv = $3; flush() }
		END { flush() }' "$1"
}

# _tls_spy_report <spy log> [full]: prints the module calls that did not return
# CKR_OK; with "full", also the whole trace entry of each that is not a plain
# CKR_ATTRIBUTE_TYPE_INVALID (which clients provoke on purpose, see INTEROP.md).
_tls_spy_report()
{
	echo "# module calls (pkcs11-spy) that did not return CKR_OK:"
	_tls_spy_calls "$1" | grep -v '^[^ ]* CKR_OK' | sort | uniq -c | sed 's/^/#   /' || true
	[ "${2:-}" = full ] || return 0
	echo "# module sessions and signing calls (pkcs11-spy):"
	_tls_spy_calls "$1" | grep -E '^C_(OpenSession|Login|Sign)' | sed 's/^/#   /' || true
	awk '/^[0-9]+: C_/ { blk = "" } { blk = blk "#   | " $0 "\n" }
		/^Returned: / && $3 != "CKR_OK" && $3 != "CKR_ATTRIBUTE_TYPE_INVALID" { printf "%s", blk }' "$1"
}

# tls_diagnose <builder> <args..>: after a client failed against the module, runs it
# again through pkcs11-spy (the builder sets TLS_CMD from TLS_MOD/TLS_ENV, like
# tls_client_cmd) and prints what the module returned, so the failure names the call.
tls_diagnose()
{
	local saved=("${TLS_CMD[@]}") out=$IT_SCRATCH/diagnose.out
	TLS_SPYLOG=$TLS_DIR/spy.diagnose.$TLS_N.log
	TLS_MOD=$TLS_SPY_LIB
	TLS_ENV=(env "PKCS11SPY=$IOTOKEN_MODULE" "PKCS11SPY_OUTPUT=$TLS_SPYLOG")
	"$@"
	echo "# diagnosis: the same client through pkcs11-spy ($TLS_SPYLOG):"
	cp "$IT_OUT" "$out"
	client "${TLS_CMD[@]}" >/dev/null 2>&1 || true
	cp "$out" "$IT_OUT"
	if [ -s "$TLS_SPYLOG" ]; then
		_tls_spy_report "$TLS_SPYLOG" full >&2
	else
		echo "# (no trace written)" >&2
	fi
	TLS_CMD=("${saved[@]}")
}

# _tls_check_spy <key> <tls>: the module's signing call matches the signature type.
_tls_check_spy()
{
	local key=$1 proto=$2 mech inlen hlen calls
	[ -s "$TLS_SPYLOG" ] || tls_fail "$key key, TLS $proto: no pkcs11-spy trace ($TLS_SPYLOG)"
	calls=$(_tls_spy_calls "$TLS_SPYLOG")
	hlen=$((${TLS_HASH#SHA} / 8))
	case $TLS_SIG in
	ECDSA) mech="CKM_ECDSA" inlen=$hlen ;;
	RSA-PSS) mech="CKM_RSA_PKCS_PSS hash=CKM_${TLS_HASH} mgf=CKG_MGF1_${TLS_HASH} slen=$hlen" inlen=$hlen ;;
	RSA) mech="CKM_RSA_PKCS" inlen=$((hlen + 19)) ;;
	*) tls_fail "$key key, TLS $proto: no mechanism known for signature type $TLS_SIG" ;;
	esac
	_tls_spy_report "$TLS_SPYLOG"
	echo "# module sessions and signing calls (pkcs11-spy):"
	grep -E '^C_(OpenSession|Login|Sign)' <<<"$calls" | sed 's/^/#   /' || true
	if grep -E '^C_Sign' <<<"$calls" | grep -qvE '^[^ ]+ CKR_(OK|BUFFER_TOO_SMALL)( |$)'; then
		tls_fail "$key key, TLS $proto: a signing call failed in the module (see the calls above)"
	fi
	grep -qx "C_SignInit CKR_OK mech=$mech" <<<"$calls" ||
		tls_fail "$key key, TLS $proto: no successful C_SignInit with $mech (signature type $TLS_SIG, $TLS_HASH)"
	# The last C_SignInit is that one, and a C_Sign after it wrote a signature over
	# <inlen> bytes.
	awk -v init="C_SignInit CKR_OK mech=$mech" -v want="$inlen" '
		/^C_SignInit / { cur = ($0 == init); ok = 0 }
		cur && /^C_Sign CKR_OK .*out=[0-9]+/ && $0 ~ (" in=" want "( |$)") { ok = 1 }
		END { exit !ok }' <<<"$calls" ||
		tls_fail "$key key, TLS $proto: the last C_SignInit is not $mech followed by a C_Sign over $inlen bytes returning a signature"
	TLS_MECH=${mech%% *}
}

# tls_case <key> <tls> <sig-ere> [s_server args..]
tls_case()
{
	local key=$1 proto=$2 sig=$3 via what
	shift 3
	for via in module spy; do
		what="$key key, TLS $proto${*:+ (s_server $*)}, $via"
		echo "# --- $TLS_CLIENT: $what"
		tls_server_start "$proto" "$@"
		# TLS_MOD and TLS_ENV are for the script's tls_client_cmd.
		# shellcheck disable=SC2034
		if [ "$via" = spy ]; then
			TLS_SPYLOG=$TLS_DIR/spy.$TLS_N.log
			TLS_MOD=$TLS_SPY_LIB
			TLS_ENV=(env "PKCS11SPY=$IOTOKEN_MODULE" "PKCS11SPY_OUTPUT=$TLS_SPYLOG")
		else
			TLS_MOD=$IOTOKEN_MODULE
			TLS_ENV=()
		fi
		TLS_CMD=()
		TLS_DIAG=()
		[ "$via" = module ] && TLS_DIAG=("$proto" "$key" "$@")
		tls_client_cmd "$via" "$key" "$TLS_PORT"
		if ! client "${TLS_CMD[@]}"; then
			_tls_server_wait
			tls_fail "$what: the client exited non-zero"
		fi
		_tls_server_wait
		_tls_check_server "$key" "$proto" "$sig"
		if [ "$via" = spy ]; then
			_tls_check_spy "$key" "$proto"
		fi
	done
	TLS_DIAG=()
	TLS_CMD=()
	TLS_SLOG=
	pass "$TLS_CLIENT, $key key, TLS $proto${*:+ (s_server $*)}: s_server verified CN=client-$key, TLSv$proto, $TLS_SIG/$TLS_HASH, module $TLS_MECH"
}
