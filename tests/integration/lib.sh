# shellcheck shell=bash
# Shared helpers for tests/integration/test_*.sh. Source it, then:
#
#   it_begin <name>        name used in the summary line; checks IOTOKEN_MODULE,
#                          makes the scratch dir $IT_SCRATCH (removed on exit)
#   it_write_conf [k=v..]  writes $IT_SCRATCH/iotoken.conf (store in $IT_SCRATCH/store,
#                          pbkdf2_iterations = 1000, plus any extra "key = value"
#                          lines) and exports IOTOKEN_CONF
#   pass <what>            counts one passed check
#   fail <what>            prints FAIL and the summary, exits 1
#   it_end                 prints "<name>: N passed, 0 failed"
#   client <cmd> [args..]  runs a client program against the module: stdin from
#                          /dev/null, bounded by timeout, sanitizer runtime preloaded
#                          when the module needs it; stdout+stderr go to $IT_OUT (also
#                          echoed); returns the client's exit status. A sanitizer report
#                          in the output fails the test whatever the exit status.
#   p11 [args..]           client pkcs11-tool --module "$IOTOKEN_MODULE" args..
#   it_init_token <label> <so-pin> <user-pin>
#                          pkcs11-tool: initializes the token in slot index 0 (the
#                          uninitialized one of a fresh store) and sets its user PIN
#   it_has <ere>           true when a line of the last client output matches
#   it_hex <file>          prints the file as lowercase hex, no spaces or newlines
#   it_unhex <hex>         prints the bytes that the hex string stands for
#
# Environment:
#   IOTOKEN_MODULE   the module under test (ctest sets it to the built libiotoken.so).
#   IOTOKEN_PRELOAD  sanitizer runtime to LD_PRELOAD into client programs. Default:
#                    detected. An ASan/UBSan build made with clang leaves the runtime
#                    symbols undefined in the module (see CMakeLists.txt); clients such
#                    as pkcs11-tool are not instrumented, so the runtime must be
#                    preloaded, and leak detection is switched off in them (the
#                    clients' own leaks are not ours). Set to "none" to disable.
#   IT_TIMEOUT       seconds per client call (default 60).
#
# The helpers use `set -euo pipefail` semantics: a client call that fails stops the
# script unless it is tested (`if p11 ...`, `p11 ... || ...`).

set -euo pipefail

IT_NAME=${IT_NAME:-integration}
IT_PASSED=0
IT_SCRATCH=
IT_OUT=
IT_TIMEOUT=${IT_TIMEOUT:-60}

fail()
{
	echo "FAIL: $*" >&2
	echo "$IT_NAME: $IT_PASSED passed, 1 failed"
	exit 1
}

pass()
{
	IT_PASSED=$((IT_PASSED + 1))
	echo "ok $IT_PASSED - $*"
}

it_end()
{
	echo "$IT_NAME: $IT_PASSED passed, 0 failed"
}

# Which sanitizer runtime, if any, a client needs to load the module.
_it_detect_preload()
{
	local undef
	undef=$(nm -D --undefined-only "$IOTOKEN_MODULE" 2>/dev/null || true)
	if ! grep -q '__asan_init' <<<"$undef"; then
		return 0
	fi
	# ASan runtime symbols are undefined in the module: find the runtime of
	# the compiler that built it.
	local comment
	comment=$(readelf -p .comment "$IOTOKEN_MODULE" 2>/dev/null || true)
	if grep -qi clang <<<"$comment"; then
		clang -print-file-name=libclang_rt.asan-x86_64.so
	else
		gcc -print-file-name=libasan.so
	fi
}

# With a clang ASan module, the ASan runtime is preloaded into the clients. Programs
# that link libp11-kit (GnuTLS certtool, gnutls-cli, p11tool) then hang at exit, whatever
# the PKCS#11 module (SoftHSMv2 too, or none: `LD_PRELOAD=<asan rt> p11tool
# --list-tokens`): p11-kit's library constructor runs before the preloaded runtime's and
# calls newlocale(), which holds glibc's __libc_setlocale_lock while it mallocs; that
# first malloc initializes ASan, whose init calls dlerror() -> dcgettext(), which read-
# locks and unlocks the same lock; the lock's state is corrupt from then on, and
# p11-kit's destructor (freelocale) blocks on it forever. The shim below wraps newlocale
# so that ASan initializes (one malloc) before glibc takes the lock. Preloaded after
# the runtime (which must come first).
_it_asan_shim()
{
	local src=$IT_SCRATCH/asan-newlocale.c so=$IT_SCRATCH/asan-newlocale.so
	[ -n "${IOTOKEN_PRELOAD:-}" ] || return 0
	cat >"$src" <<'C'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <locale.h>
#include <stdlib.h>

locale_t newlocale(int mask, const char *locale, locale_t base)
{
	static locale_t (*real)(int, const char *, locale_t);

	if (real == NULL) {
		free(malloc(1)); /* the ASan runtime initializes here, outside glibc's lock */
		real = (locale_t(*)(int, const char *, locale_t))dlsym(RTLD_NEXT, "newlocale");
	}
	return real(mask, locale, base);
}
C
	"${CC:-cc}" -shared -fPIC -o "$so" "$src" -ldl ||
		fail "could not build the ASan/p11-kit newlocale shim (needs a C compiler: \$CC or cc)"
	IOTOKEN_PRELOAD="$IOTOKEN_PRELOAD $so"
	echo "# clients run with LD_PRELOAD=$IOTOKEN_PRELOAD"
}

it_begin()
{
	IT_NAME=$1
	: "${IOTOKEN_MODULE:?IOTOKEN_MODULE must name the module under test}"
	[ -f "$IOTOKEN_MODULE" ] || fail "module $IOTOKEN_MODULE does not exist"
	command -v timeout >/dev/null || fail "timeout (coreutils) not found"

	# (No `cmd | grep -q` under pipefail: grep's early exit can fail the pipe.)
	local undef
	undef=$(nm -D --undefined-only "$IOTOKEN_MODULE" 2>/dev/null || true)
	if grep -q '__tsan_init' <<<"$undef"; then
		fail "$IOTOKEN_MODULE is a TSan build; integration tests run against" \
			"normal or ASan builds only (the TSan CI step runs ctest -L threads)"
	fi
	if [ -z "${IOTOKEN_PRELOAD:-}" ]; then
		IOTOKEN_PRELOAD=$(_it_detect_preload)
	fi
	if [ "${IOTOKEN_PRELOAD:-}" = none ]; then
		IOTOKEN_PRELOAD=
	fi
	if [ -n "$IOTOKEN_PRELOAD" ]; then
		[ -f "$IOTOKEN_PRELOAD" ] || fail "sanitizer runtime $IOTOKEN_PRELOAD not found"
	fi

	IT_SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/iotoken-it.XXXXXX")
	IT_OUT=$IT_SCRATCH/last-output
	# Single quotes: expand at exit time.
	trap 'rm -rf -- "$IT_SCRATCH"' EXIT
	_it_asan_shim
}

it_write_conf()
{
	local conf=$IT_SCRATCH/iotoken.conf kv
	{
		echo "# written by tests/integration/lib.sh"
		echo "dir = $IT_SCRATCH/store"
		echo "pbkdf2_iterations = 1000"
		for kv in "$@"; do
			echo "${kv%%=*} = ${kv#*=}"
		done
	} >"$conf"
	export IOTOKEN_CONF=$conf
}

client()
{
	local rc=0
	local -a envs=()
	if [ -n "${IOTOKEN_PRELOAD:-}" ]; then
		# Later ASAN_OPTIONS entries win: keep CI's settings, no leak check.
		envs=(env "LD_PRELOAD=$IOTOKEN_PRELOAD"
			"ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0")
	fi
	echo "\$ $*"
	timeout "$IT_TIMEOUT" "${envs[@]}" "$@" </dev/null >"$IT_OUT" 2>&1 || rc=$?
	cat "$IT_OUT"
	if [ "$rc" -eq 124 ]; then
		fail "timed out after ${IT_TIMEOUT}s: $*"
	fi
	if grep -qE 'ERROR: (Address|Leak|Thread|Memory)Sanitizer|runtime error:' "$IT_OUT"; then
		fail "sanitizer report from: $*"
	fi
	return "$rc"
}

p11()
{
	client pkcs11-tool --module "$IOTOKEN_MODULE" "$@"
}

it_init_token()
{
	local label=$1 so_pin=$2 pin=$3
	p11 --slot-index 0 --init-token --label "$label" --so-pin "$so_pin" ||
		fail "--init-token exited non-zero"
	it_has 'Token successfully initialized' || fail "--init-token did not report success"
	p11 --token-label "$label" --init-pin --login --login-type so --so-pin "$so_pin" \
		--pin "$pin" || fail "--init-pin exited non-zero"
	it_has 'User PIN successfully initialized' || fail "--init-pin did not report success"
}

it_has()
{
	grep -qE -- "$1" "$IT_OUT"
}

it_hex()
{
	od -An -v -tx1 "$1" | tr -d ' \n'
}

it_unhex()
{
	local hex=$1 esc='' i
	[[ $hex =~ ^([0-9a-fA-F]{2})*$ ]] || fail "it_unhex: not a hex string: $hex"
	for ((i = 0; i < ${#hex}; i += 2)); do
		esc+="\\x${hex:i:2}"
	done
	# shellcheck disable=SC2059 # the escapes are the point
	printf "$esc"
}
