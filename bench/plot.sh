#!/bin/bash
# Chart of a benchmark TSV (iotoken-bench --out): grouped bars of ops/s per operation,
# iotoken vs SoftHSM2 vs raw OpenSSL, log scale. Rows in ms or KiB are left out (see the table).
#   bash bench/plot.sh [results.tsv] [chart.png] [title]
# Needs gnuplot (Debian gnuplot-nox, in scripts/deps.sh).
set -euo pipefail

tsv=${1:-$(dirname "$0")/results/results.tsv}
png=${2:-${tsv%.tsv}.png}
title=${3:-iotoken vs SoftHSM2 vs raw OpenSSL}

command -v gnuplot >/dev/null || {
	echo "plot.sh: gnuplot not found (apt-get install gnuplot-nox)" >&2
	exit 1
}
[ -f "$tsv" ] || {
	echo "plot.sh: no such file: $tsv" >&2
	exit 1
}

data=$(mktemp)
trap 'rm -f "$data"' EXIT
# id, iotoken, softhsm2, raw for the ops/s rows; a missing value is NaN (no bar).
awk -F'\t' 'NR > 1 && $3 == "ops/s" {
	for (i = 4; i <= 6; i++) if ($i == "NA") $i = "NaN"
	printf "%s\t%s\t%s\t%s\n", $1, $4, $5, $6
}' "$tsv" >"$data"
n=$(wc -l <"$data")
[ "$n" -gt 0 ] || {
	echo "plot.sh: no ops/s rows in $tsv" >&2
	exit 1
}
width=$((400 + 46 * n))

gnuplot <<EOF
set terminal pngcairo size ${width},760 font "DejaVu Sans,10"
set output "${png}"
set title "${title}" font ",13"
set datafile separator "\t"
set datafile missing "NaN"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.9 border -1
set boxwidth 0.9
set logscale y 10
set yrange [0.5:*]
set format y "10^{%L}"
set ylabel "operations per second (log scale, higher is better)"
set grid ytics mytics lc rgb "#dddddd"
set xtics rotate by -40 left nomirror font ",9"
set key top right box opaque
set bmargin 11
set rmargin 14
plot "${data}" using 2:xtic(1) title "iotoken" lc rgb "#1f77b4", \
     "" using 3 title "SoftHSM2" lc rgb "#ff7f0e", \
     "" using 4 title "raw OpenSSL" lc rgb "#2ca02c"
EOF
echo "plot.sh: wrote $png"
