#!/bin/bash
# The TLS helper (tls/, include/iotoken/tls.h) under valgrind (memcheck): iotoken-connect
# with iotoken's module, against openssl s_server -Verify 1 -rev on 127.0.0.1, run by
#   valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
# An EC and an RSA connection (verified by the server, the line comes back reversed),
# a wrong PIN (IOT_TLS_ERR_PIN) and a handshake the server refuses (no client key):
# each with no memcheck error and no definite leak, in the helper, the example or the
# module. Token, CA and certificates: tls_lib.sh's tls_setup.
#
# Only in a build without sanitizers: valgrind cannot run ASan/TSan-instrumented code
# (the sanitizer build's CI step runs the other tests under ASan with leak detection
# instead). There the test exits 77, which ctest reports as skipped
# (SKIP_RETURN_CODE in tests/CMakeLists.txt); in a normal build it always runs, and a
# missing valgrind fails it.
#
# Environment: IOTOKEN_MODULE, IOTOKEN_CONNECT (set by ctest), VG_TIMEOUT (seconds per
# valgrind run, default 60); see lib.sh/tls_lib.sh.
set -euo pipefail

: "${IOTOKEN_MODULE:?IOTOKEN_MODULE must name the module under test}"
[ -x "${IOTOKEN_CONNECT:-}" ] || {
	echo "FAIL: IOTOKEN_CONNECT (the built iotoken-connect) is not set"
	exit 1
}
# A sanitizer build: the module leaves the runtime undefined (clang) or needs libasan
# (gcc), the example carries the runtime; or CI names the runtime to preload.
if [ -n "${IOTOKEN_PRELOAD:-}" ] && [ "$IOTOKEN_PRELOAD" != none ] ||
	grep -qE '__(asan|tsan)_init' <<<"$(nm -D "$IOTOKEN_MODULE" "$IOTOKEN_CONNECT" 2>/dev/null || true)"; then
	echo "skipped: sanitizer build (valgrind cannot run instrumented code)"
	exit 77
fi

# shellcheck source=tests/integration/tls_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/tls_lib.sh"

_tls_need valgrind valgrind
tls_begin tls_helper_valgrind "iotoken-connect (TLS helper) under valgrind"
tls_setup
D=$TLS_DIR
LINE="hello from iotoken under valgrind"
REVERSED=$(rev <<<"$LINE")
VG_N=0
VG_LOG=

# vg_connect <expected exit status> <iotoken-connect args..>: runs the example under
# valgrind with the module; the status must be the expected one (99: valgrind found
# an error), and valgrind's log must show no error and no definite leak.
vg_connect()
{
	local want=$1 rc=0
	shift
	VG_N=$((VG_N + 1))
	VG_LOG=$D/valgrind.$VG_N.log
	TLS_CMD=(valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
		"--log-file=$VG_LOG" "$IOTOKEN_CONNECT" --module "$IOTOKEN_MODULE" "$@")
	IT_TIMEOUT=${VG_TIMEOUT:-60} client "${TLS_CMD[@]}" || rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "--- valgrind log ($VG_LOG):" >&2
		cat "$VG_LOG" >&2 || true
		tls_fail "exit status $rc under valgrind, expected $want (99: valgrind found errors)"
	fi
	grep -qE '^==[0-9]+== ERROR SUMMARY: 0 errors from 0 contexts' "$VG_LOG" ||
		tls_fail "valgrind reported errors (see $VG_LOG)"
	grep -qE '^==[0-9]+== +definitely lost: 0 bytes in 0 blocks|^==[0-9]+== All heap blocks were freed' \
		"$VG_LOG" || tls_fail "valgrind reported a definite leak (see $VG_LOG)"
	sed -nE 's/^==[0-9]+== +(definitely lost|in use at exit|total heap usage|ERROR SUMMARY):/# valgrind: \1:/p' \
		"$VG_LOG"
}

check_roundtrip()
{
	it_has "^connected to 127\\.0\\.0\\.1:[0-9]+: TLSv1\\.2, TLS-ECDHE-" ||
		tls_fail "$1: no 'connected' line naming TLSv1.2 and an ECDHE suite"
	it_has "^received: $REVERSED\$" ||
		tls_fail "$1: the server's reversed line did not come back"
}

for key in ec rsa; do
	tls_server_start 1.2
	start=$SECONDS
	vg_connect 0 --token "$TLS_TOKEN" --pin "$TLS_PIN" --key "client-$key" --ca "$D/ca.pem" \
		--servername localhost --timeout 30000 --send "$LINE" "127.0.0.1:$TLS_PORT"
	_tls_server_wait
	_tls_check_server "$key" 1.2 "$([ "$key" = ec ] && echo ECDSA || echo RSA)"
	check_roundtrip "$key key under valgrind"
	pass "$key key under valgrind ($((SECONDS - start)) s): verified by s_server, round trip, 0 errors, no definite leak"
done

CLOSED=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
vg_connect 1 --token "$TLS_TOKEN" --pin 9999 --key client-ec --ca "$D/ca.pem" "127.0.0.1:$CLOSED"
it_has '^iotoken-connect: IOT_TLS_ERR_PIN: C_Login: CKR_PIN_INCORRECT' ||
	tls_fail "wrong PIN under valgrind: no 'IOT_TLS_ERR_PIN: C_Login: CKR_PIN_INCORRECT'"
pass "wrong PIN under valgrind: IOT_TLS_ERR_PIN, 0 errors, no definite leak"

# A failure after the handshake started: everything set up is released.
tls_server_start 1.2
vg_connect 1 --ca "$D/ca.pem" --servername localhost --timeout 30000 "127.0.0.1:$TLS_PORT"
_tls_server_wait
# Slowed down by valgrind, the client may still be writing its flight when s_server,
# having read the empty Certificate, closes: the next write fails (EPIPE) before the
# alert is read. Both are the same refusal (IOT_TLS_ERR_HANDSHAKE); what matters here
# is that everything is released.
it_has '^iotoken-connect: IOT_TLS_ERR_HANDSHAKE: the server (ended the handshake with an alert|closed the connection during the handshake).*; it may require a client certificate$' ||
	tls_fail "no client key under valgrind: no IOT_TLS_ERR_HANDSHAKE error line with the client-certificate hint"
pass "no client key under valgrind: $(sed -n 's/^iotoken-connect: \(IOT_TLS_ERR_[A-Z]*\):.*/\1/p' "$IT_OUT"), 0 errors, no definite leak"

TLS_CMD=()
it_end
