#!/bin/bash
# Builds the libFuzzer targets (if needed), replays their seed corpora and regression
# inputs, then fuzzes each for a bounded time. Fails if any target crashes, leaks,
# times out or exceeds its memory limit.
#
#   bash fuzz/run.sh [seconds per target]        (default 60)
#
# Environment:
#   BUILD_DIR   build directory (default build-fuzz; configured with clang and
#               -DIOTOKEN_FUZZ=ON when it has no CMakeCache.txt)
#   TARGETS     targets to run (default: all four)
#   PARALLEL    targets fuzzed at once (default 1; CI uses 2 on its 2 cores)
#   FUZZ_FLAGS  more libFuzzer flags
#
# The repository corpus is never written: each target fuzzes a scratch copy (on
# /dev/shm when available: the token store's fsyncs are free there). A crashing input
# is kept in $BUILD_DIR/fuzz-artifacts/<target>/ and printed in hex; once the bug is
# fixed, copy it to fuzz/regressions/<target>/, which ctest (label `fuzz`) and this
# script replay every time.
set -euo pipefail

cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-60}
BUILD_DIR=${BUILD_DIR:-build-fuzz}
TARGETS=${TARGETS:-fuzz_template fuzz_record fuzz_der fuzz_calls}
PARALLEL=${PARALLEL:-1}
FUZZ_FLAGS=${FUZZ_FLAGS:-}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
	cmake -S . -B "$BUILD_DIR" -DCMAKE_C_COMPILER=clang -DIOTOKEN_FUZZ=ON \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo -DIOTOKEN_TLS=OFF >/dev/null
fi
# shellcheck disable=SC2086
cmake --build "$BUILD_DIR" -j2 --target $TARGETS

base=/dev/shm
[ -d "$base" ] && [ -w "$base" ] || base=${TMPDIR:-/tmp}
scratch=$(mktemp -d "$base/iotoken-fuzz-XXXXXX")
trap 'rm -rf "$scratch"' EXIT
export TMPDIR=$scratch

# Replay: every seed and regression input once, no fuzzing.
for t in $TARGETS; do
	dirs=("fuzz/corpus/$t")
	[ -d "fuzz/regressions/$t" ] && dirs+=("fuzz/regressions/$t")
	if ! "$BUILD_DIR/fuzz/$t" -runs=0 -timeout=10 -rss_limit_mb=2048 "${dirs[@]}" \
		>"$scratch/$t.replay.log" 2>&1; then
		tail -n 60 "$scratch/$t.replay.log"
		echo "FUZZ FAILED: $t crashes on its corpus or regressions" >&2
		exit 1
	fi
	echo "$t: replayed $(find "${dirs[@]}" -type f | wc -l) inputs"
done

fuzz_one()
{
	local t=$1 art="$BUILD_DIR/fuzz-artifacts/$t" rc=0
	mkdir -p "$scratch/corpus-$t" "$art"
	cp -r "fuzz/corpus/$t/." "$scratch/corpus-$t/"
	# shellcheck disable=SC2086
	"$BUILD_DIR/fuzz/$t" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$art/" $FUZZ_FLAGS \
		"$scratch/corpus-$t" >"$scratch/$t.log" 2>&1 || rc=$?
	echo "$rc" >"$scratch/$t.rc"
}

# At most PARALLEL targets at once (each is one process on one core).
running=0
for t in $TARGETS; do
	if [ "$running" -ge "$PARALLEL" ]; then
		wait -n || true
		running=$((running - 1))
	fi
	echo "$t: fuzzing for ${SECONDS_PER_TARGET}s"
	fuzz_one "$t" &
	running=$((running + 1))
done
wait

failed=()
for t in $TARGETS; do
	[ "$(cat "$scratch/$t.rc" 2>/dev/null || echo 1)" = 0 ] || failed+=("$t")
done

echo
printf '%-14s %8s %7s %6s %8s\n' target execs exec/s cov corpus
for t in $TARGETS; do
	log="$scratch/$t.log"
	done_line=$(grep -E "^#[0-9]+[[:space:]]+DONE" "$log" | tail -n 1 || true)
	cov=$(sed -n 's/.* cov: \([0-9]*\) .*/\1/p' <<<"$done_line")
	corp=$(sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p' <<<"$done_line")
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	printf '%-14s %8s %7s %6s %8s\n' "$t" "${execs:-?}" "${eps:-?}" "${cov:-?}" "${corp:-?}"
done

if [ "${#failed[@]}" -gt 0 ]; then
	for t in "${failed[@]}"; do
		echo
		echo "==== $t failed; end of its log:"
		tail -n 80 "$scratch/$t.log"
		for f in "$BUILD_DIR/fuzz-artifacts/$t"/*; do
			[ -f "$f" ] || continue
			echo "---- input $f ($(stat -c %s "$f") bytes):"
			head -c 4096 "$f" | od -An -tx1 | head -n 64
		done
	done
	echo "FUZZ FAILED: ${failed[*]} (inputs in $BUILD_DIR/fuzz-artifacts/)" >&2
	exit 1
fi
echo "fuzzing passed"
