#!/bin/sh
# The full report's workbook against the parsing of its log, and its memory.
#   tests/bench/workbook.sh [LOG]
# Without LOG, uses build/bench/postfix-1g.log (about 1.1 GB, 600,000 messages), written once
# with tests/gen/gen-postfix-log --messages 600000 --seed 7 (as postfix-vs-pflogsumm.sh does).
# After a warm-up read, runs the full report (the XLSX, then the CSV files) RUNS times
# (default 3) with MAILTRAIL_TIMING=1, on the log and on its first half, and prints for each run:
# the rows of the Messages sheet, the parse time (read+correlate), the XLSX write time, their
# ratio, the time until the CSV files are written too (after the workbook), the CPU seconds of the parse and of the
# write phase (every thread: on a busy machine they compare better than wall times), the peak
# RSS and what writing added to it; then the median of each column. The first half has half the
# rows: the peak RSS is the analysis's (every message keeps its timeline), writing adds nothing.
# Last, the log again with --no-csv: the workbook written alone, without the CSV files' thread
# sharing the cores with its two (rows and deflate).
# BUILD: the build directory (default build-release, set up if missing).
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$here/build-release}
runs=${RUNS:-3}
if [ ! -x "$build/mailtrail" ]; then
    meson setup "$build" "$here" --buildtype=release >/dev/null
fi
ninja -C "$build" mailtrail >/dev/null
log=${1:-$here/build/bench/postfix-1g.log}
if [ ! -s "$log" ]; then
    mkdir -p "$(dirname "$log")"
    echo "generating $log ..." >&2
    /usr/bin/python3 "$here/tests/gen/gen-postfix-log" --messages 600000 --seed 7 \
        --out "$log" --truth "$log.truth.json" >/dev/null
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
lines=$(wc -l <"$log")
head -n $((lines / 2)) "$log" >"$tmp/half.log"
touch -r "$log" "$tmp/half.log" # the same inferred year
cat "$log" "$tmp/half.log" >/dev/null # warm-up: both in the page cache

# one run: "rows parse xlsx csv write_cpu peak_rss rss_before_writing parse_cpu"
measure() { # file [option]
    rm -rf "$tmp/out"
    MAILTRAIL_TIMING=1 "$build/mailtrail" report -q ${2:-} -o "$tmp/out" "$1" 2>"$tmp/err" ||
        [ $? -eq 1 ]
    if [ -f "$tmp/out/messages.csv" ]; then
        rows=$(/usr/bin/python3 -c 'import csv, sys
print(sum(1 for _ in csv.reader(open(sys.argv[1], newline="", encoding="utf-8"))) - 1)' \
            "$tmp/out/messages.csv")
        echo "$rows" >"$tmp/rows"
    else
        rows=$(cat "$tmp/rows") # the workbook alone: the rows of the log's run
    fi
    sed -n 's/^timing: .*read+correlate \([0-9.]*\) s ([^;]*; \([0-9.]*\) s cpu).*(xlsx \([0-9.]*\) s, csv \([0-9.]*\) s; \([0-9.]*\) s cpu), peak RSS \([0-9]*\) MB (\([0-9]*\) MB before writing)$/\1 \3 \4 \5 \6 \7 \2/p' \
        "$tmp/err" | { read -r parse xlsx csv cpu rss before pcpu || { cat "$tmp/err" >&2; exit 1; }
        echo "$rows $parse $xlsx $csv $cpu $rss $before $pcpu"; }
}

echo "log: $log ($(awk -v b="$(stat -c %s "$log")" 'BEGIN { printf "%.0f", b / 1e6 }') MB, $lines lines); $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-12s %8s %8s %7s %6s %6s %10s %10s %9s %9s\n" "" "rows" "parse s" "xlsx s" "ratio" "csv s" \
    "parse cpu" "write cpu" "peak RSS" "by write"
for which in log alone half; do
    file=$log option=
    [ "$which" = half ] && file=$tmp/half.log
    [ "$which" = alone ] && option=--no-csv
    : >"$tmp/$which.runs"
    i=0
    while [ $i -lt "$runs" ]; do
        measure "$file" $option >>"$tmp/$which.runs"
        i=$((i + 1))
    done
    label="full log"
    [ "$which" = half ] && label="first half"
    [ "$which" = alone ] && label="--no-csv"
    # every run (with its ratio as a ninth field), then the median of each column
    awk '{ print $0, ($2 > 0 ? $3 / $2 : 0) }' "$tmp/$which.runs" >"$tmp/$which.all"
    median=""
    for k in 1 2 3 4 5 6 7 8 9; do
        median="$median $(sort -k$k,${k}g "$tmp/$which.all" | awk -v k=$k -v m=$(((runs + 1) / 2)) 'NR == m { print $k }')"
    done
    { cat "$tmp/$which.all"; echo "median$median"; } | awk -v label="$label" '
        function show(name, ratio) {
            printf "%-12s %8d %8.2f %7.2f %6.2f %6.2f %8.2f s %8.2f s %6d MB %+6d MB\n", name,
                $1, $2, $3, ratio, $4, $8, $5, $6, $6 - $7
        }
        $1 != "median" { show("  run", $9) }
        $1 == "median" { $1 = ""; $0 = $0; show(label, $9) }'
done
