#!/bin/bash
# Builds the module and the benchmark (Release, build-bench/), runs the full benchmark with
# iotoken, SoftHSM2 (when installed) and raw OpenSSL, writes bench/results/results.tsv and
# bench/results/chart.png and prints the table with the machine's description.
#   bash bench/run.sh [extra iotoken-bench options, e.g. --windows 9]
# BUILD_DIR (default build-bench) and SOFTHSM (default: Debian's path) may be overridden.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build-bench}
results=$root/bench/results
softhsm=${SOFTHSM:-/usr/lib/softhsm/libsofthsm2.so}

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc)" --target iotoken iotoken-bench >/dev/null

args=(--raw --iotoken "$build/libiotoken.so" --out "$results/results.tsv")
if [ -f "$softhsm" ]; then
	args+=(--softhsm "$softhsm")
else
	echo "run.sh: $softhsm not found (apt-get install softhsm2): no SoftHSM2 column" >&2
fi

mkdir -p "$results"
{
	echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "cpu:     $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)," \
		"$(nproc) cores"
	echo "openssl: $(openssl version)"
	echo "softhsm: $(dpkg-query -W -f='${Version}' softhsm2 2>/dev/null || echo none)"
	echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$results/machine.txt"
# Scratch store on the build dir's disk, so that fsync means something.
"$build/bench/iotoken-bench" "${args[@]}" --scratch "$build" "$@" | tee "$results/table.txt"
echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$results/machine.txt"
bash "$root/bench/plot.sh" "$results/results.tsv" "$results/chart.png" \
	"iotoken vs SoftHSM2 vs raw OpenSSL ($(date -u +%Y-%m-%d), ops/s)"
