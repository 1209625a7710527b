#!/bin/bash
# valgrind runs of SECURITY.md row 24/38 and issue 7 ("valgrind (memcheck) runs of the
# API tests are clean, and a ctgrind-style run shows the PIN check and tag comparison
# do not branch on secrets"):
#
#   1. memcheck over the API test programs (tests/api/test_*.c, which dlopen the module
#      like a client), each as ctest runs it (IOTOKEN_MODULE, IOTOKEN_TEST_SELF,
#      IOTOKEN_VECTORS), under
#        valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
#                 --track-origins=no
#      Any memcheck error or definite leak (in the module, the test or a library) fails.
#      No suppression file: the module, OpenSSL 3 and SQLite run clean as they are.
#   2. ctgrind (tests/ctgrind/ctgrind.c): secrets marked undefined; no conditional jump
#      may depend on them outside the one declassification tests/ctgrind/ctgrind.supp
#      names (OpenSSL's GCM tag-check outcome). Its --self-test must be reported (exit
#      99), so the check cannot pass vacuously, and the suppression must have been used
#      at least 7 times (every tag check of the program saw a secret key).
#   3. ctgrind --ecdsa (SECURITY.md row 31): P-256 scalars marked undefined are imported
#      and one signs. It runs against a copy of tests/ctgrind linked here with the static
#      crypto library (libcrypto.a from libssl-dev; the shared one has no symbols for
#      OpenSSL's internal functions, which the suppressions name), under
#        valgrind --error-exitcode=99 --error-limit=no -v
#                 --suppressions=tests/ctgrind/ecdsa-openssl.supp
#      Any report not named there fails: in iotoken's code (no suppression at all), and in
#      OpenSSL's scalar multiplication (gather, point add/double, inversion). Every entry
#      must have been used (no stale entry, and the scalar did reach OpenSSL), and the
#      entries on the tests inside ecp_nistz256_points_mul and ecp_nistz256_inv_mod_ord
#      exactly as often as the program did multiplications and inversions with a secret
#      (it prints the numbers), so a new branch in those functions also fails.
#      VG_ECDSA_CURVES="p224 p521" (OpenSSL only; P-256 always runs) adds `--ecdsa p224`
#      and `--ecdsa p521` with tests/ctgrind/ecdsa-openssl-<curve>.supp besides the file
#      above, checked the same way, except that their D entries (OpenSSL's branches on the
#      Jacobian result of the multiplication: not constant time, docs/security.md row 31)
#      are not counted. P-384 (OpenSSL's generic ladder) has no suppression file.
#      On an mbedTLS build (-DIOTOKEN_CRYPTO=mbedtls, linked with libmbedcrypto.a) there
#      is no suppression file: mbedTLS 2.28 branches on the scalar, on secret-selected
#      table points and on blinded values in its bignum code (docs/security.md row 31).
#      The run fails on a report whose innermost frame is in iotoken's code, and when
#      mbedTLS reports nothing (the scalar would not have reached it).
#
#   bash tests/valgrind/run.sh [build dir] [test name...]
#   VG_PART=ctgrind bash tests/valgrind/run.sh [build dir]    (parts 2 and 3 only)
#   VG_PART=ecdsa bash tests/valgrind/run.sh [build dir]      (part 3 only; on an mbedTLS
#     build part 2 reports mbedTLS's GCM tag check, which ctgrind.supp does not name)
#
# The build dir (default: build) must be a build without sanitizers (valgrind cannot
# run ASan/TSan code); CI uses the RelWithDebInfo one. Test names (api_test_pin ...)
# narrow the memcheck part. VG_JOBS (default 2) programs run at once.
#
# Selection: every API test except the ones listed in SKIP below, with the reason.
# Whole run on 2 cores: see docs/security.md (measured numbers).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
BUILD=${1:-build}
shift || true
[ -d "$BUILD" ] || {
	echo "valgrind: no build directory $BUILD" >&2
	exit 1
}
command -v valgrind >/dev/null || {
	echo "valgrind: valgrind not installed (scripts/deps.sh installs it)" >&2
	exit 1
}
MODULE=$BUILD/libiotoken.so
[ -f "$MODULE" ] || {
	echo "valgrind: $MODULE not built" >&2
	exit 1
}
if nm -D "$MODULE" 2>/dev/null | grep -qE '__(asan|tsan)_init'; then
	echo "valgrind: $BUILD is a sanitizer build; valgrind needs one without" >&2
	exit 1
fi
VECTORS=$(sed -n 's/^IOTOKEN_VECTORS:PATH=//p' "$BUILD/CMakeCache.txt")
VECTORS=${VECTORS:-$PWD/../shared/vectors}

# Not under valgrind, and why (each runs under ASan+UBSan with LeakSanitizer in CI, and
# the code they exercise is also reached by the programs that do run here):
#   api_test_threads, api_test_threads_sign: valgrind serializes threads, so the stress
#     tests take many minutes; they also run under TSan (row 6).
#   api_test_keygen: RSA-2048/3072 key generation (prime search) alone took over 6
#     minutes under memcheck; key-pair generation also runs in api_test_keygen_errors.
#   api_test_find: test_find_scale commits thousands of objects (about 2 minutes under
#     memcheck); finds run in every other API test.
#   api_test_wycheproof: thousands of known-answer verifications (2.4 minutes under
#     memcheck on a loaded machine); the same verify paths run in api_test_sign and
#     api_test_sign_state, and the vectors themselves in the ASan build.
#   api_test_threads_stress: threads again (TSan and ASan run it).
#   api_test_crash_kill: its workers are fresh processes of the test binary that the
#     parent kills at random times; under valgrind the kills would land in valgrind's
#     start-up rather than in store writes. It runs in the -Werror and ASan builds.
#   api_test_tamper: reopens the token about 2,000 times (one per changed byte); the
#     load and unseal paths it drives run under memcheck in api_test_corrupt.
#   api_test_random_big (ctest label bigmem): three C_GenerateRandom calls of 4 GiB; memcheck
#     would shadow them with as much again and take many minutes. C_GenerateRandom runs under
#     memcheck in api_test_slot and api_test_digest.
SKIP="api_test_threads api_test_threads_sign api_test_threads_stress api_test_keygen api_test_find
api_test_wycheproof api_test_crash_kill api_test_tamper api_test_random_big"
SKIP=${SKIP//$'\n'/ }

T0=$SECONDS
LOGDIR=$(mktemp -d "${TMPDIR:-/tmp}/iotoken-valgrind-XXXXXX")
trap 'rm -rf "$LOGDIR"' EXIT

tests=()
if [ $# -gt 0 ]; then
	for t in "$@"; do
		tests+=("$BUILD/tests/$t")
	done
else
	for exe in "$BUILD"/tests/api_test_*; do
		name=$(basename "$exe")
		case " $SKIP " in *" $name "*) continue ;; esac
		tests+=("$exe")
	done
fi
[ "${#tests[@]}" -gt 0 ] || {
	echo "valgrind: no API test programs in $BUILD/tests" >&2
	exit 1
}

# One test under memcheck; prints a line with its result and time.
run_one()
{
	local exe=$1 name log rc=0 t0=$SECONDS
	name=$(basename "$exe")
	log=$LOGDIR/$name.log
	IOTOKEN_MODULE=$MODULE IOTOKEN_TEST_SELF=$exe IOTOKEN_VECTORS=$VECTORS \
		timeout 600 valgrind --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite --track-origins=no --log-file="$log.%p" \
		"$exe" >"$log.out" 2>&1 || rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "FAIL $name (exit $rc, $((SECONDS - t0))s)"
		# The valgrind logs with errors (forked children log to their own file).
		grep -l -E 'ERROR SUMMARY: [1-9]|definitely lost: [1-9]' "$log".[0-9]* 2>/dev/null |
			xargs -r cat
		tail -n 30 "$log.out"
		return 1
	fi
	echo "ok   $name ($((SECONDS - t0))s)"
}
export -f run_one
export LOGDIR MODULE VECTORS

failed=0
if [ "${VG_PART:-all}" = all ]; then
	echo "== memcheck: ${#tests[@]} API test programs, ${VG_JOBS:-2} at a time"
	printf '%s\n' "${tests[@]}" | xargs -P "${VG_JOBS:-2}" -I{} bash -c 'run_one "$1"' _ {} ||
		failed=1
	echo "memcheck took $((SECONDS - T0))s"
fi

if [ "${VG_PART:-all}" != ecdsa ]; then
	echo "== ctgrind"
	CT=$BUILD/tests/ctgrind
	[ -x "$CT" ] || {
		echo "valgrind: $CT not built (valgrind/memcheck.h missing at configure time?)" >&2
		exit 1
	}
	SUPP=tests/ctgrind/ctgrind.supp
	rc=0
	valgrind -q --error-exitcode=99 --suppressions="$SUPP" "$CT" --self-test >"$LOGDIR/self" 2>&1 ||
		rc=$?
	if [ "$rc" -ne 99 ]; then
		cat "$LOGDIR/self"
		echo "FAIL ctgrind --self-test: valgrind did not report a branch on a secret (exit $rc)"
		failed=1
	else
		echo "ok   ctgrind --self-test reported, as it must"
	fi
	rc=0
	valgrind --error-exitcode=99 --suppressions="$SUPP" "$CT" >"$LOGDIR/ct" 2>&1 || rc=$?
	n=$(sed -n 's/.*ERROR SUMMARY: .*(suppressed: \([0-9]*\) from.*/\1/p' "$LOGDIR/ct" | tail -n1)
	if [ "$rc" -ne 0 ]; then
		cat "$LOGDIR/ct"
		echo "FAIL ctgrind: a secret reached a branch (exit $rc)"
		failed=1
	elif [ "${n:-0}" -lt 7 ]; then
		cat "$LOGDIR/ct"
		echo "FAIL ctgrind: only ${n:-0} tag checks saw a secret key (expected at least 7)"
		failed=1
	else
		echo "ok   ctgrind: no branch on a secret in iotoken ($n tag-check outcomes declassified)"
	fi
fi

echo "== ctgrind --ecdsa (SECURITY.md row 31)"
# A copy of the ctgrind program linked like CMake links it, the crypto libraries taken
# from their static archives (for the function names the suppressions match).
CTS=$BUILD/tests/ctgrind-static
LINK=$BUILD/tests/CMakeFiles/ctgrind.dir/link.txt
backend=
cmd=()
if [ -f "$LINK" ]; then
	read -r -a words <"$LINK"
	for w in "${words[@]}"; do
		case $w in
		*/libcrypto.so | */libmbedcrypto.so | */libmbedx509.so)
			case $w in */libcrypto.so) backend=openssl ;; */libmbedcrypto.so) backend=mbedtls ;; esac
			if [ ! -f "${w%.so}.a" ]; then
				echo "valgrind: ${w%.so}.a missing (libssl-dev / libmbedtls-dev ship it)" >&2
				exit 1
			fi
			w=${w%.so}.a
			;;
		ctgrind) w=ctgrind-static ;;
		esac
		cmd+=("$w")
	done
fi
if [ -z "$backend" ] || ! (cd "$BUILD/tests" && "${cmd[@]}" -ldl -pthread) >"$LOGDIR/link" 2>&1; then
	cat "$LOGDIR/link" 2>/dev/null || true
	echo "FAIL ctgrind --ecdsa: could not link $CTS with the static crypto library"
	failed=1
elif [ "$backend" = openssl ]; then
	# Each curve: no report in iotoken's code and none that no suppression names; every
	# entry of the curve's files used; the entries in the multiplication and the inversion
	# used exactly as often as the counts the program prints predict. P-256 always runs
	# (ecdsa-openssl.supp: OpenSSL's nistz256 code, constant time); P-224 and P-521 with
	# VG_ECDSA_CURVES="p224 p521": OpenSSL's nistp224/nistp521 code is NOT constant time
	# (docs/security.md row 31): the D entries of tests/ctgrind/ecdsa-openssl-<curve>.supp
	# name its branches on the Jacobian result and are reported, not counted.
	SUPP=tests/ctgrind/ecdsa-openssl.supp
	curves=p256
	for curve in ${VG_ECDSA_CURVES:-}; do
		[ "$curve" = p256 ] || curves="$curves $curve"
	done
	for curve in $curves; do
		files=("$SUPP")
		case $curve in
		p256) ;;
		p224 | p521) files+=("tests/ctgrind/ecdsa-openssl-$curve.supp") ;;
		*)
			echo "FAIL ctgrind --ecdsa $curve: no suppression file (VG_ECDSA_CURVES: p224 p521)"
			failed=1
			continue
			;;
		esac
		[ "$curve" = p256 ] && log=$LOGDIR/ecdsa || log=$LOGDIR/ecdsa-$curve
		rc=0
		valgrind -v --error-exitcode=99 --error-limit=no --num-callers=40 \
			"${files[@]/#/--suppressions=}" "$CTS" --ecdsa "$curve" >"$log" 2>&1 || rc=$?
		used() { sed -n "s/.*used_suppression: *\([0-9]*\) $1 .*/\1/p" "$log" | head -n1; }
		mults=$(sed -n 's/^ctgrind --ecdsa: \([0-9]*\) secret scalar multiplications.*/\1/p' "$log")
		invs=$(sed -n 's/^ctgrind --ecdsa: .*, \([0-9]*\) secret inversion.*/\1/p' "$log")
		m=${mults:-0} i=${invs:-0}
		problems=()
		[ "$rc" -eq 0 ] || problems+=("exit $rc: a report no suppression names, or a failed check")
		[ -n "$mults" ] && [ -n "$invs" ] || problems+=("the program did not say what it did")
		while read -r name; do
			# Entries of P-256's code (and its affine r) are not met on the other curves.
			if [ "$curve" != p256 ]; then
				case $name in *nistz256* | C-signature-r-affine) continue ;; esac
			fi
			[ -n "$(used "$name")" ] || problems+=("suppression $name not used")
		done < <(sed -n 's/^   \([A-D]-[a-z0-9-]*\)$/\1/p' "${files[@]}")
		case $curve in
		# Once per multiplication (the scalar-size test), three per multiplication (X, Y,
		# Z stored), once per inversion (its size test and the stored result).
		p256) wants=("A-nistz256-points-mul-scalar-bits $m" "A-nistz256-points-mul-result-top $((3 * m))"
			"A-nistz256-inv-mod-ord-scalar-bits $i" "A-nistz256-inv-mod-ord-result-top $i") ;;
		# Once per multiplication (scalar-size test, scalar to bytes), once per inversion,
		# once per point addition (55 for P-224, 130 for P-521, less one for P-521's scalar
		# with a zero top byte; see the .supp files).
		p224) wants=("A-nistp224-points-mul-scalar-bits $m" "A-nistp224-points-mul-scalar-bytes $m"
			"A-nistp224-point-add-equal $((55 * m))" "A-inverse-mod-ord-base-reduce $i") ;;
		p521) wants=("A-nistp521-points-mul-scalar-bits $m" "A-nistp521-points-mul-scalar-bytes $m"
			"A-nistp521-point-add-equal $((130 * m - 1))" "A-inverse-mod-ord-base-reduce $i") ;;
		esac
		for want in "${wants[@]}"; do
			read -r name expect <<<"$want"
			n=$(used "$name")
			[ "${n:-0}" = "$expect" ] || problems+=("suppression $name used ${n:-0} times, expected $expect")
		done
		if [ "${#problems[@]}" -gt 0 ]; then
			grep -v '^--[0-9]*-- ' "$log" || true
			for pr in "${problems[@]}"; do echo "FAIL ctgrind --ecdsa $curve: $pr"; done
			failed=1
		elif [ "$curve" = p256 ]; then
			echo "ok   ctgrind --ecdsa: no report in iotoken or in OpenSSL's scalar multiplication" \
				"($mults multiplications, $invs inversion; $(sed -n 's/.*(suppressed: \([0-9]* from [0-9]*\)).*/\1/p' "$log" | tail -n1) analysed library reports suppressed)"
		else
			d=0
			while read -r name; do
				d=$((d + $(used "$name")))
			done < <(sed -n 's/^   \(D-[a-z0-9-]*\)$/\1/p' "${files[1]}")
			echo "ok   ctgrind --ecdsa $curve: no report in iotoken; in OpenSSL's nist$curve multiplication" \
				"and inversion only the analysed branches ($mults multiplications, $invs inversion);" \
				"NOT constant time: $d reports on the Jacobian result (D entries, docs/security.md row 31)"
		fi
	done
else
	# mbedTLS: no suppressions; reports whose innermost frame is in iotoken's code fail.
	rc=0
	valgrind --error-limit=no --num-callers=40 "$CTS" --ecdsa >"$LOGDIR/ecdsa" 2>&1 || rc=$?
	ours=$(awk '/^==[0-9]+== (Conditional jump|Use of uninitialised)/ { getline; print }' \
		"$LOGDIR/ecdsa" | grep -cE '[(][A-Za-z0-9_]+[.][ch]:[0-9]+[)]$' || true)
	total=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$LOGDIR/ecdsa" | tail -n1)
	if [ "$rc" -ne 0 ] || [ "${ours:-0}" -ne 0 ] || [ "${total:-0}" -eq 0 ]; then
		cat "$LOGDIR/ecdsa"
		echo "FAIL ctgrind --ecdsa (mbedTLS): exit $rc, ${ours:-0} reports in iotoken's code," \
			"${total:-0} in all (mbedTLS must report some: its bignum code is not constant time)"
		failed=1
	else
		echo "ok   ctgrind --ecdsa (mbedTLS): no report in iotoken's code ($total reports" \
			"inside mbedTLS, not checked: docs/security.md row 31)"
	fi
fi
echo "valgrind runs took $((SECONDS - T0))s"
exit $failed
